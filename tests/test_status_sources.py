"""A record's status and date are the same wherever it comes from.

A FHIR record small enough to be read whole, one over the large-file limit (read
entry by entry) and one in a bulk NDJSON export say the same; an HL7 v2 document
(MDM) says what its TXA completion and availability status say; a document
carried inside a message (a base64 PDF or text) passes the status its own header
states to the record; a pharmacy order's Quantity/Timing gives only its start
date. Each test scans a folder built here, as a patient would, and checks it
against the general manifest where check's verdict is what changes. Every patient
is invented.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from recordpack.checking import CheckReport, check
from recordpack.manifest import load_manifest
from recordpack.model import CANCELLED, ENTERED_IN_ERROR, PRELIMINARY, SUPERSEDED, Record
from recordpack.scan import fhir, scan_folder
from tests.pack_folder import pdf_bytes

AS_OF = dt.date(2026, 11, 30)


def _records(folder: Path) -> list[Record]:
    return list(scan_folder(folder).records)


def _item(folder: Path, requirement: str) -> str:
    report: CheckReport = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    return next(r.status for r in report.results if r.requirement.id == requirement)


# --- HL7 v2 pharmacy orders: RXE-1 is Quantity/Timing ------------------------------------------


def _rde(rxe1: str, orc9: str = "") -> str:
    return "\r".join([
        "MSH|^~\\&|PHARM|FERNHOLM|PORTAL|PT|202611250900||RDE^O11|RX1|P|2.5",
        "PID|1||5521804^^^FERNHOLM^MR||QUENBY^MARISOL||19610917|F",
        f"ORC|NW|ORD1||||||||{orc9}",
        f"RXE|{rxe1}|00093-7146^Anastrozole 1 mg tablet^NDC|1||TAB",
    ]) + "\r"


def test_a_pharmacy_orders_date_is_the_start_of_its_quantity_timing(tmp_path: Path) -> None:
    # RXE-1 = quantity ^ interval ^ duration ^ start ^ end: the start is the 4th component.
    (tmp_path / "rx.hl7").write_text(_rde("1&TAB^QD^^20260312^20270312"), newline="")
    (record,) = _records(tmp_path)
    assert (record.kind, record.date) == ("medication_list", "2026-03-12")


def test_a_quantity_is_never_read_as_a_date(tmp_path: Path) -> None:
    # A quantity of 20,260,101 units (a dose in IU, say) is written like a timestamp.
    (tmp_path / "rx.hl7").write_text(_rde("20260101^QD"), newline="")
    (record,) = _records(tmp_path)
    assert record.date is None


# --- HL7 v2 documents (MDM): TXA-17 completion and TXA-19 availability ----------------------


def _mdm(completion: str, availability: str, obx_status: str = "F") -> str:
    """A surgical pathology report (MDM^T02) with the given TXA-17 and TXA-19."""
    txa = ["TXA", "1", "SP", "TX", "20261118", "", "20261118", "", "", "", "", "",
           "DOC-4471", "", "", "", "", completion, "", availability]
    return "\r".join([
        "MSH|^~\\&|PATH|FERNHOLM|PORTAL|PT|202611250900||MDM^T02|D1|P|2.5",
        "PID|1||5521804^^^FERNHOLM^MR||QUENBY^MARISOL||19610917|F",
        "|".join(txa),
        "OBX|1|TX|||Right breast core biopsy: invasive ductal carcinoma, grade 2.||||||"
        + obx_status,
    ]) + "\r"


@pytest.mark.parametrize(
    ("completion", "availability", "status", "item", "said"),
    [
        ("AU", "AV", None, "met", None),
        ("LA", "", None, "met", None),
        ("DI", "AV", PRELIMINARY, "incomplete", "TXA-17 DI"),
        ("DO", "", PRELIMINARY, "incomplete", "TXA-17 DO"),
        ("IP", "", PRELIMINARY, "incomplete", "TXA-17 IP"),
        ("IN", "", PRELIMINARY, "incomplete", "TXA-17 IN"),
        ("PA", "AV", PRELIMINARY, "incomplete", "TXA-17 PA"),
        ("CA", "", CANCELLED, "missing", "TXA-17 CA"),
        ("AU", "CA", CANCELLED, "missing", "TXA-19 CA"),
        ("LA", "OB", SUPERSEDED, "missing", "TXA-19 OB"),
        ("AU", "UN", PRELIMINARY, "incomplete", "TXA-19 UN"),
        ("DI", "OB", SUPERSEDED, "missing", "TXA-19 OB"),
    ],
)
def test_a_documents_txa_status_is_the_records(tmp_path: Path, completion: str,
                                               availability: str, status: str | None,
                                               item: str, said: str | None) -> None:
    (tmp_path / "pathology.hl7").write_text(_mdm(completion, availability), newline="")
    (record,) = _records(tmp_path)
    assert (record.kind, record.status) == ("pathology_report", status)
    noted = [e for e in record.evidence if e.startswith("document status")]
    assert (said is None and not noted) or any(said and said in e for e in noted), record.evidence
    assert _item(tmp_path, "pathology") == item


# --- FHIR: a small file, a large one (read entry by entry) and bulk NDJSON ------------------

PATIENT = {"resourceType": "Patient", "id": "p1",
           "name": [{"family": "Quenby", "given": ["Marisol"]}], "birthDate": "1961-09-17"}


def _lab(rid: str, status: str, taken: str, value: float | None = 5.1) -> dict[str, object]:
    observation: dict[str, object] = {
        "resourceType": "Observation", "id": rid, "status": status,
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                            "observation-category", "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2", "display": "WBC"}]},
        "subject": {"reference": "Patient/p1"}, "effectiveDateTime": taken}
    if value is not None:
        observation["valueQuantity"] = {"value": value, "unit": "10*3/uL"}
    return observation


def _pathology(status: str, taken: str) -> dict[str, object]:
    return {"resourceType": "DiagnosticReport", "id": "path1", "status": status,
            "code": {"coding": [{"system": "http://loinc.org", "code": "22637-3",
                                 "display": "Pathology report final diagnosis"}]},
            "subject": {"reference": "Patient/p1"}, "effectiveDateTime": taken,
            "conclusion": "Invasive ductal carcinoma of the right breast, grade 2."}


def _whole_record(*extra: dict[str, object]) -> list[dict[str, object]]:
    return [
        {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p1"},
         "code": {"text": "Breast cancer"}, "onsetDateTime": "2026-01-05"},
        {"resourceType": "Encounter", "id": "e1", "status": "finished",
         "subject": {"reference": "Patient/p1"}, "period": {"start": "2026-09-01"}},
        {"resourceType": "MedicationRequest", "id": "m1", "status": "active",
         "subject": {"reference": "Patient/p1"}, "authoredOn": "2026-08-01",
         "medicationCodeableConcept": {"text": "Anastrozole 1 mg tablet"}},
        *extra,
    ]


#: Content -> the record check should see (kind, status, date) and the general manifest
#: item that record decides, with its verdict as of AS_OF.
FHIR_CONTENT: dict[str, tuple[list[dict[str, object]], tuple[str, str | None, str | None],
                              tuple[str, str]]] = {
    "preliminary report": ([_pathology("preliminary", "2026-11-02")],
                           ("pathology_report", PRELIMINARY, "2026-11-02"),
                           ("pathology", "incomplete")),
    "report in error": ([_pathology("entered-in-error", "2026-11-02")],
                        ("pathology_report", ENTERED_IN_ERROR, "2026-11-02"),
                        ("pathology", "missing")),
    "a result in error is not the latest": (
        [_lab("o1", "final", "2026-10-01"), _lab("o2", "final", "2026-10-15"),
         _lab("o3", "entered-in-error", "2026-11-20")],
        ("lab_result", None, "2026-10-15"), ("recent_labs", "met")),
    "a preliminary result does not make final ones recent": (
        [_lab("o1", "final", "2026-06-01"), _lab("o2", "preliminary", "2026-11-20")],
        ("lab_result", None, "2026-06-01"), ("recent_labs", "outdated")),
    "every result withdrawn or without a value": (
        [_lab("o1", "cancelled", "2026-11-01", None), _lab("o2", "final", "2026-11-02", None)
         | {"dataAbsentReason": {"text": "Not performed"}}],
        ("lab_result", CANCELLED, "2026-11-02"), ("recent_labs", "missing")),
}

#: Whitespace between two members of the Bundle: the same content, over the limit.
PADDING = " " * (fhir.WHOLE_JSON_BYTES + 1024)


def _write(folder: Path, form: str, resources: list[dict[str, object]]) -> None:
    entries = [{"resource": r} for r in [PATIENT, *resources]]
    if form == "ndjson":
        (folder / "export.ndjson").write_text(
            "".join(json.dumps(r) + "\n" for r in [PATIENT, *resources]))
        return
    head = '{"resourceType": "Bundle", "type": "collection",'
    body = f'"entry": {json.dumps(entries)}}}'
    (folder / "records.json").write_text(head + (PADDING if form == "large" else " ") + body)


@pytest.mark.parametrize("form", ["small", "large", "ndjson"])
@pytest.mark.parametrize("content", list(FHIR_CONTENT))
def test_fhir_content_gives_one_status_and_date_in_any_file(tmp_path: Path, content: str,
                                                           form: str) -> None:
    resources, expected, (requirement, verdict) = FHIR_CONTENT[content]
    _write(tmp_path, form, resources)
    if form == "large":
        assert (tmp_path / "records.json").stat().st_size > fhir.WHOLE_JSON_BYTES
    found = [(r.kind, r.status, r.date) for r in _records(tmp_path)]
    assert expected in found
    assert _item(tmp_path, requirement) == verdict


@pytest.mark.parametrize("form", ["small", "large"])
def test_a_whole_record_is_not_dated_by_an_entry_in_error(tmp_path: Path, form: str) -> None:
    _write(tmp_path, form, _whole_record(_lab("o1", "entered-in-error", "2026-11-25")))
    (record,) = _records(tmp_path)
    assert (record.kind, record.status, record.date) == ("patient_summary", None, "2026-09-01")


def test_a_bulk_export_is_dated_by_its_own_kind_not_by_an_entry_in_error(tmp_path: Path) -> None:
    # NDJSON gives one record of the kind most of its entries have: here medications.
    _write(tmp_path, "ndjson", _whole_record(_lab("o1", "entered-in-error", "2026-11-25")))
    (record,) = _records(tmp_path)
    assert (record.kind, record.status, record.date) == ("medication_list", None, "2026-08-01")


# --- a document carried inside a message: its own header's status ------------------------------

REPORT_LINES = (
    "SURGICAL PATHOLOGY REPORT",
    "Patient: QUENBY, MARISOL   DOB: 1961-09-17   MRN: 5521804",
    "Date of procedure: 2026-11-18",
    "Specimen: right breast, core needle biopsy",
    "FINAL DIAGNOSIS: invasive ductal carcinoma, grade 2",
)
#: Header line -> the status it states (None: a final report).
HEADERS: dict[str, str | None] = {
    "": None,
    "*** PRELIMINARY REPORT - NOT FINAL ***": PRELIMINARY,
    "THIS REPORT WAS ENTERED IN ERROR": ENTERED_IN_ERROR,
}
ITEM = {None: "met", PRELIMINARY: "incomplete", ENTERED_IN_ERROR: "missing"}


def _report(header: str, media: str) -> bytes:
    lines = (header, *REPORT_LINES) if header else REPORT_LINES
    return pdf_bytes(*lines) if media == "pdf" else "\n".join(lines).encode()


def _oru_with(data: bytes, media: str) -> str:
    ed = "RP^AP^PDF" if media == "pdf" else "RP^TEXT^PLAIN"
    return "\r".join([
        "MSH|^~\\&|PATH|FERNHOLM|PORTAL|PT|202611250900||ORU^R01|P1|P|2.5.1",
        "PID|1||5521804^^^FERNHOLM^MR||QUENBY^MARISOL||19610917|F",
        "OBR|1||S26-4471|11529-5^Surgical pathology study^LN|||20261118|||||||||||||||||F",
        f"OBX|1|ED|PDF^Report^L||{ed}^Base64^{base64.b64encode(data).decode()}||||||F",
    ]) + "\r"


def _fhir_with(data: bytes, media: str, resource: str) -> str:
    attachment = {"contentType": "application/pdf" if media == "pdf" else "text/plain",
                  "data": base64.b64encode(data).decode()}
    code = {"coding": [{"system": "http://loinc.org", "code": "11526-1",
                        "display": "Pathology study"}]}
    if resource == "DocumentReference":
        found: dict[str, object] = {
            "resourceType": "DocumentReference", "id": "d1", "status": "current", "type": code,
            "subject": {"reference": "Patient/p1"}, "date": "2026-11-18T10:00:00Z",
            "content": [{"attachment": attachment}]}
    else:
        found = {"resourceType": "DiagnosticReport", "id": "r1", "status": "final",
                 "code": code, "category": [{"coding": [{"code": "SP"}]}],
                 "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-11-18",
                 "presentedForm": [attachment]}
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": [{"resource": PATIENT}, {"resource": found}]})


@pytest.mark.parametrize("media", ["pdf", "text"])
@pytest.mark.parametrize("carrier", ["hl7 ORU", "DocumentReference", "DiagnosticReport"])
@pytest.mark.parametrize("header", list(HEADERS))
def test_an_attached_documents_own_status_passes_to_the_record(
        tmp_path: Path, header: str, carrier: str, media: str) -> None:
    data = _report(header, media)
    if carrier == "hl7 ORU":
        (tmp_path / "pathology.hl7").write_text(_oru_with(data, media), newline="")
    else:
        (tmp_path / "pathology.json").write_text(_fhir_with(data, media, carrier))
    (record,) = [r for r in _records(tmp_path) if r.kind != "other"]
    status = HEADERS[header]
    assert (record.kind, record.status) == ("pathology_report", status)
    if status is not None:
        assert any(e.startswith("attached document") and header in e
                   for e in record.evidence), record.evidence
    assert _item(tmp_path, "pathology") == ITEM[status]
