"""Documents carried inside messages are read: FHIR message Bundles in NDJSON, Binary
attachments in the same Bundle, and base64 PDFs in HL7 v2 OBX ED fields.

Messages built by tests/document_messages.py (an invented patient); PDFs made by fpdf2.
"""

from __future__ import annotations

import json
from pathlib import Path

from recordpack.scan import scan_folder
from tests.document_messages import (
    PATHOLOGY_PDF,
    diagnostic_report,
    document_bundle,
    hl7_with_pdf,
    message_bundle,
)


def test_ndjson_of_message_bundles_keeps_each_report(tmp_path: Path) -> None:
    lines = [
        message_bundle(1, diagnostic_report(
            "r1", "22637-3", "Pathology report final diagnosis", "2026-07-08",
            "Invasive lobular carcinoma of the right breast, grade 2.")),
        message_bundle(2, diagnostic_report(
            "r2", "18748-4", "Diagnostic imaging study", "2026-06-30",
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


def test_a_document_reference_to_a_binary_in_the_bundle_is_read(tmp_path: Path) -> None:
    (tmp_path / "by_id.json").write_text(
        document_bundle("Binary/b1", None, PATHOLOGY_PDF, "application/pdf"))
    (tmp_path / "by_uuid.json").write_text(document_bundle(
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
        document_bundle("http://example.org/fhir/Binary/zz", None, PATHOLOGY_PDF,
                        "application/pdf"))
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "other" and record.title.endswith("(reference only)")


def test_an_hl7_oru_carrying_a_base64_pdf_is_read_as_the_document(tmp_path: Path) -> None:
    (tmp_path / "result.hl7").write_bytes(hl7_with_pdf(PATHOLOGY_PDF))
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "pathology_report"
    assert any("attached PDF (OBX ED)" in e for e in record.evidence)


def test_an_hl7_ed_pdf_decides_the_kind_when_the_message_does_not(tmp_path: Path) -> None:
    data = hl7_with_pdf(PATHOLOGY_PDF).replace(b"11529-5^Surgical pathology study^LN",
                                               b"DOC^Document^L")
    (tmp_path / "doc.hl7").write_bytes(data)
    (record,) = scan_folder(tmp_path).records
    assert record.kind == "pathology_report" and record.date == "2026-07-08"


def test_a_damaged_ed_pdf_leaves_the_message_readable(tmp_path: Path) -> None:
    (tmp_path / "cut.hl7").write_bytes(hl7_with_pdf(PATHOLOGY_PDF[:200]))
    (tmp_path / "junk.hl7").write_bytes(
        hl7_with_pdf(b"").replace(b"^Base64^", b"^Base64^!!!not base64!!!"))
    result = scan_folder(tmp_path)
    assert sorted(r.files[0] for r in result.records) == ["cut.hl7", "junk.hl7"]
