"""Messages that carry records, for an invented patient (Tove Halvorsen).

FHIR message Bundles (one per line of an NDJSON file), a document Bundle whose
DocumentReference points at a Binary, and an HL7 v2 ORU whose OBX ED field
holds a base64 PDF; the PDF is made by fpdf2.
"""

from __future__ import annotations

import base64
import json

from tests.pack_folder import pdf_bytes

PATHOLOGY_PDF = pdf_bytes(
    "SURGICAL PATHOLOGY REPORT",
    "Patient: HALVORSEN, TOVE   DOB: 1958-11-02   MRN: RP-TEST-3310",
    "Date of procedure: 2026-07-08",
    "Specimen: right breast, core needle biopsy",
    "FINAL DIAGNOSIS: invasive lobular carcinoma, grade 2",
)
PATIENT = {"resourceType": "Patient", "id": "p1",
           "name": [{"family": "Halvorsen", "given": ["Tove"]}], "birthDate": "1958-11-02"}


def diagnostic_report(
    rid: str, loinc: str, display: str, date: str, conclusion: str
) -> dict[str, object]:
    return {"resourceType": "DiagnosticReport", "id": rid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc,
                                 "display": display}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": date,
            "conclusion": conclusion}


def message_bundle(number: int, report: dict[str, object]) -> dict[str, object]:
    return {"resourceType": "Bundle", "id": f"m{number}", "type": "message", "entry": [
        {"fullUrl": f"urn:uuid:00000000-0000-0000-0000-00000000000{number}",
         "resource": {"resourceType": "MessageHeader", "id": f"h{number}",
                      "eventCoding": {"system": "http://example.org/events", "code": "result"},
                      "source": {"endpoint": "http://example.org/lab"}}},
        {"resource": PATIENT},
        {"resource": report},
    ]}


def document_bundle(url: str, full_url: str | None, data: bytes, content_type: str) -> str:
    binary = {"resourceType": "Binary", "id": "b1", "contentType": content_type,
              "data": base64.b64encode(data).decode()}
    reference = {"resourceType": "DocumentReference", "id": "d1", "status": "current",
                 "subject": {"reference": "Patient/p1"}, "date": "2026-07-09T10:00:00Z",
                 "content": [{"attachment": {"contentType": content_type, "url": url}}]}
    entry_binary: dict[str, object] = {"resource": binary}
    if full_url:
        entry_binary["fullUrl"] = full_url
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": PATIENT}, {"resource": reference}, entry_binary]})


def hl7_with_pdf(pdf: bytes, *, wrap: bool = False) -> bytes:
    encoded = base64.b64encode(pdf).decode()
    if wrap:  # some senders break a long value over lines
        encoded = "\r".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    segments = [
        "MSH|^~\\&|LAB|RP-TEST|RECV|RP|20260709120000||ORU^R01|MSG0001|P|2.5.1",
        "PID|1||RP-TEST-3310^^^RP^MR||HALVORSEN^TOVE||19581102|F",
        "OBR|1||S26-1234|11529-5^Surgical pathology study^LN|||20260708",
        f"OBX|1|ED|PDF^Report^L||RP^AP^PDF^Base64^{encoded}||||||F",
    ]
    return "\r".join(segments).encode() + b"\r"
