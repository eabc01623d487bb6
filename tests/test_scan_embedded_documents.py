"""Documents carried inside messages are read: FHIR message Bundles in NDJSON, Binary
attachments in the same Bundle, and base64 PDFs in HL7 v2 OBX ED fields.

Messages built here (invented patients); PDFs made by fpdf2.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from recordpack.scan import scan_folder
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


def _report(rid: str, loinc: str, display: str, date: str, conclusion: str) -> dict[str, object]:
    return {"resourceType": "DiagnosticReport", "id": rid, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc,
                                 "display": display}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": date,
            "conclusion": conclusion}


def _message(number: int, report: dict[str, object]) -> dict[str, object]:
    return {"resourceType": "Bundle", "id": f"m{number}", "type": "message", "entry": [
        {"fullUrl": f"urn:uuid:00000000-0000-0000-0000-00000000000{number}",
         "resource": {"resourceType": "MessageHeader", "id": f"h{number}",
                      "eventCoding": {"system": "http://example.org/events", "code": "result"},
                      "source": {"endpoint": "http://example.org/lab"}}},
        {"resource": PATIENT},
        {"resource": report},
    ]}


def test_ndjson_of_message_bundles_keeps_each_report(tmp_path: Path) -> None:
    lines = [
        _message(1, _report("r1", "22637-3", "Pathology report final diagnosis", "2026-07-08",
                            "Invasive lobular carcinoma of the right breast, grade 2.")),
        _message(2, _report("r2", "18748-4", "Diagnostic imaging study", "2026-06-30",
                            "BI-RADS 5 mass in the right breast at 10 o'clock.")),
        {"resourceType": "Patient", "id": "p1"},
    ]
    (tmp_path / "messages.ndjson").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = scan_folder(tmp_path)
    assert not result.problems
    by_kind = {r.kind: r for r in result.records}
    assert {"pathology_report", "imaging_report"} <= set(by_kind)
    assert by_kind["pathology_report"].date == "2026-07-08"
    assert by_kind["imaging_report"].date == "2026-06-30"
    assert by_kind["pathology_report"].patient.birth_date == "1958-11-02"


def _document_bundle(url: str, full_url: str | None, data: bytes, content_type: str) -> str:
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


def test_a_document_reference_to_a_binary_in_the_bundle_is_read(tmp_path: Path) -> None:
    (tmp_path / "by_id.json").write_text(
        _document_bundle("Binary/b1", None, PATHOLOGY_PDF, "application/pdf"))
    (tmp_path / "by_uuid.json").write_text(_document_bundle(
        "urn:uuid:11111111-2222-3333-4444-555555555555",
        "urn:uuid:11111111-2222-3333-4444-555555555555",
        b"SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS: invasive lobular carcinoma, grade 2.\n"
        b"Specimen: right breast core biopsy. Margins and grade as above.\n",
        "text/plain"))
    records = {r.files[0]: r for r in scan_folder(tmp_path).records}
    for name in ("by_id.json", "by_uuid.json"):
        assert records[name].kind == "pathology_report", records[name]
        assert not records[name].title.endswith("(reference only)")


def test_a_reference_to_a_binary_elsewhere_stays_reference_only(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.json").write_text(
        _document_bundle("http://example.org/fhir/Binary/zz", None, PATHOLOGY_PDF,
                         "application/pdf"))
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "other" and record.title.endswith("(reference only)")


def _hl7_with_pdf(pdf: bytes, *, wrap: bool = False) -> bytes:
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


def test_an_hl7_oru_carrying_a_base64_pdf_is_read_as_the_document(tmp_path: Path) -> None:
    (tmp_path / "result.hl7").write_bytes(_hl7_with_pdf(PATHOLOGY_PDF))
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "pathology_report"
    assert any("attached PDF (OBX ED)" in e for e in record.evidence)


def test_an_hl7_ed_pdf_decides_the_kind_when_the_message_does_not(tmp_path: Path) -> None:
    data = _hl7_with_pdf(PATHOLOGY_PDF).replace(b"11529-5^Surgical pathology study^LN",
                                                b"DOC^Document^L")
    (tmp_path / "doc.hl7").write_bytes(data)
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "pathology_report" and record.date == "2026-07-08"


def test_a_damaged_ed_pdf_leaves_the_message_readable(tmp_path: Path) -> None:
    (tmp_path / "cut.hl7").write_bytes(_hl7_with_pdf(PATHOLOGY_PDF[:200]))
    (tmp_path / "junk.hl7").write_bytes(
        _hl7_with_pdf(b"").replace(b"^Base64^", b"^Base64^!!!not base64!!!"))
    result = scan_folder(tmp_path)
    assert sorted(r.files[0] for r in result.records) == ["cut.hl7", "junk.hl7"]
