"""FHIR R4 records say what their resources say: status, whose they are, when they were taken.

A cancelled or entered-in-error report is not a result; a report about a Patient
the Bundle does not hold is not the Bundle's Patient's; a report released today
about a sample taken two years ago is not recent. Each case is scanned from a
folder and checked as a patient would check it. Every patient here is invented.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from recordpack.checking import CheckReport, check
from recordpack.manifest import load_manifest
from recordpack.model import Record
from recordpack.scan import scan_folder

AS_OF = dt.date(2026, 11, 30)
FHIR_FILE = "portal/fhir/export.json"

PATIENT: dict[str, Any] = {
    "resourceType": "Patient", "id": "p1",
    "name": [{"family": "Brackwater", "given": ["Odile", "Rosamund"]}],
    "birthDate": "1961-09-23",
    "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "00418822"}],
}
NOTE = """ONCOLOGY CLINIC NOTE
Patient: Brackwater, Odile R   DOB: 09/23/1961   MRN: 00418822
Date of visit: 11/18/2026
HISTORY OF PRESENT ILLNESS: Doing well after cycle 2 of chemotherapy.
ASSESSMENT AND PLAN: Continue the current regimen; labs before the next cycle.
"""
PATHOLOGY_TEXT = """SURGICAL PATHOLOGY REPORT
Accession: S26-4410
Specimen: Left breast, core biopsy
FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.
"""
LAB_CATEGORY = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                             "code": "LAB"}]}]
OBSERVATION_CATEGORY = [{"coding": [{
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "laboratory"}]}]


def observation(oid: str = "o1", *, status: str = "final", when: str | None = "2026-11-20",
                value: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Observation", "id": oid, "status": status,
        "category": OBSERVATION_CATEGORY,
        "code": {"coding": [{"system": "http://loinc.org", "code": "6690-2", "display": "WBC"}]},
        "subject": {"reference": "Patient/p1"},
    }
    if when:
        found["effectiveDateTime"] = when
    if value:
        found["valueQuantity"] = {"value": 6.1, "unit": "10*3/uL"}
    else:
        found["dataAbsentReason"] = {"coding": [{"code": "not-performed"}],
                                     "text": "Not performed"}
    return found


def lab_report(*, status: str = "final", results: tuple[str, ...] = ("o1",),
               **dates: str) -> dict[str, Any]:
    return {
        "resourceType": "DiagnosticReport", "id": "d1", "status": status,
        "category": LAB_CATEGORY,
        "code": {"coding": [{"system": "http://loinc.org", "code": "58410-2",
                             "display": "CBC panel - Blood by Automated count"}]},
        "subject": {"reference": "Patient/p1"},
        "result": [{"reference": f"Observation/{oid}"} for oid in results],
        **(dates or {"effectiveDateTime": "2026-11-20"}),
    }


def pathology_report(status: str) -> dict[str, Any]:
    return {
        "resourceType": "DiagnosticReport", "id": "d2", "status": status,
        "category": [{"coding": [{"code": "SP"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "60567-5",
                             "display": "Comprehensive pathology report panel"}]},
        "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2026-08-14",
        "presentedForm": [{"contentType": "text/plain",
                           "data": base64.b64encode(PATHOLOGY_TEXT.encode()).decode()}],
    }


def note_reference(status: str, doc_status: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "DocumentReference", "id": "n1", "status": status,
        "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3",
                             "display": "Progress note"}]},
        "subject": {"reference": "Patient/p1"}, "date": "2026-11-25T09:00:00Z",
        "content": [{"attachment": {"contentType": "text/plain",
                                    "data": base64.b64encode(NOTE.encode()).decode()}}],
    }
    if doc_status:
        found["docStatus"] = doc_status
    return found


def composition(status: str) -> dict[str, Any]:
    return {
        "resourceType": "Composition", "id": "c1", "status": status,
        "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3",
                             "display": "Progress note"}]},
        "subject": {"reference": "Patient/p1"}, "date": "2026-11-25", "title": "Progress note",
        "section": [{"title": "Assessment and plan", "text": {
            "status": "generated", "div": "<div>Continue the current regimen.</div>"}}],
    }


def bundle(*resources: dict[str, Any], bundle_type: str = "searchset") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": bundle_type, "entry": [
        {"fullUrl": f"urn:uuid:{r['resourceType'].lower()}-{r['id']}", "resource": r}
        for r in resources]}


def checked(folder: Path, fhir_bundle: dict[str, Any], *, with_note: bool = True
            ) -> tuple[Record, CheckReport]:
    """The FHIR file's record and the general check of a folder holding it (and a note
    that names the patient)."""
    if with_note:
        (folder / "clinic").mkdir()
        (folder / "clinic" / "Visit note 2026-11-18.txt").write_text(NOTE)
    target = folder / FHIR_FILE
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(fhir_bundle, indent=1))
    scan = scan_folder(folder)
    (record,) = [r for r in scan.records if r.files == (FHIR_FILE,)]
    return record, check(scan, load_manifest("general"), as_of=AS_OF)


def status_of(report: CheckReport, requirement: str) -> str:
    return next(r.status for r in report.results if r.requirement.id == requirement)


# --- 1. status ------------------------------------------------------------------------------

WITHDRAWN_CASES = {
    "lab report cancelled": (
        bundle(PATIENT, lab_report(status="cancelled"), observation(status="cancelled")),
        "recent_labs", "cancelled", "status 'cancelled'"),
    "lab report entered in error": (
        bundle(PATIENT, lab_report(status="entered-in-error"), observation()),
        "recent_labs", "entered_in_error", "status 'entered-in-error'"),
    "final lab report whose only result was not performed": (
        bundle(PATIENT, lab_report(), observation(value=False)),
        "recent_labs", "cancelled", "result 'WBC': no value (Not performed)"),
    "lab observations alone, all entered in error": (
        bundle(PATIENT, observation("o1", status="entered-in-error"),
               observation("o2", status="entered-in-error")),
        "recent_labs", "entered_in_error", "2 of 2 entries withdrawn or without a value"),
    "pathology report entered in error": (
        bundle(PATIENT, pathology_report("entered-in-error"), bundle_type="collection"),
        "pathology", "entered_in_error", "status 'entered-in-error'"),
    "note superseded": (
        bundle(PATIENT, note_reference("superseded")),
        "clinic_notes", "superseded", "status 'superseded'"),
    "note entered in error": (
        bundle(PATIENT, note_reference("entered-in-error")),
        "clinic_notes", "entered_in_error", "status 'entered-in-error'"),
    "document Bundle whose Composition is entered in error": (
        bundle(composition("entered-in-error"), PATIENT, bundle_type="document"),
        "clinic_notes", "entered_in_error", "status 'entered-in-error'"),
}


@pytest.mark.parametrize("case", list(WITHDRAWN_CASES))
def test_a_withdrawn_fhir_record_meets_nothing_and_says_why(tmp_path: Path, case: str) -> None:
    fhir_bundle, requirement, status, evidence = WITHDRAWN_CASES[case]
    record, report = checked(tmp_path, fhir_bundle, with_note=requirement != "clinic_notes")
    assert record.status == status
    assert evidence in record.evidence
    assert status_of(report, requirement) == "missing"
    assert not report.ok


PRELIMINARY_CASES = {
    "lab report preliminary": (bundle(PATIENT, lab_report(status="preliminary"), observation()),
                               "recent_labs", "status 'preliminary'"),
    "lab report partial": (bundle(PATIENT, lab_report(status="partial"), observation()),
                           "recent_labs", "status 'partial'"),
    "lab report registered": (bundle(PATIENT, lab_report(status="registered", results=())),
                              "recent_labs", "status 'registered'"),
    "pathology report preliminary": (
        bundle(PATIENT, pathology_report("preliminary"), bundle_type="collection"),
        "pathology", "status 'preliminary'"),
    "note current but its document preliminary": (
        bundle(PATIENT, note_reference("current", "preliminary")),
        "clinic_notes", "document status 'preliminary'"),
}


@pytest.mark.parametrize("case", list(PRELIMINARY_CASES))
def test_a_preliminary_fhir_record_leaves_its_item_incomplete(tmp_path: Path, case: str) -> None:
    fhir_bundle, requirement, evidence = PRELIMINARY_CASES[case]
    record, report = checked(tmp_path, fhir_bundle, with_note=requirement != "clinic_notes")
    assert record.status == "preliminary"
    assert evidence in record.evidence
    assert status_of(report, requirement) == "incomplete"


@pytest.mark.parametrize("status", ["final", "amended", "corrected"])
def test_a_final_or_corrected_lab_report_still_meets_the_item(tmp_path: Path,
                                                              status: str) -> None:
    record, report = checked(tmp_path, bundle(PATIENT, lab_report(status=status),
                                              observation(status=status)))
    assert record.status is None
    assert status_of(report, "recent_labs") == "met"


# --- 2. subject -----------------------------------------------------------------------------


def test_a_report_about_a_patient_named_elsewhere_is_not_credited_to_the_bundles(
        tmp_path: Path) -> None:
    report_of_other = dict(lab_report(), subject={"reference": "Patient/zz9",
                                                  "display": "Quillon, Ambrose"})
    record, report = checked(tmp_path, bundle(PATIENT, report_of_other, observation()))
    assert (record.patient.name, record.patient.birth_date, record.patient.id) == (
        "Quillon, Ambrose", None, None)
    assert "its patient (Patient/zz9) is not in this file" in record.evidence
    assert any(f.code == "patient_mismatch" and FHIR_FILE in f.paths for f in report.findings)
    assert not report.ok


def test_a_report_about_an_unnamed_patient_elsewhere_names_no_one(tmp_path: Path) -> None:
    report_of_other = dict(lab_report(), subject={"reference": "Patient/zz9"})
    record, _report = checked(tmp_path, bundle(PATIENT, report_of_other, observation()))
    assert record.patient.is_empty()
    assert "its patient (Patient/zz9) is not in this file" in record.evidence


@pytest.mark.parametrize("reference", ["Patient/p1", "urn:uuid:patient-p1",
                                       "Patient/p1/_history/3"])
def test_a_report_whose_subject_is_the_bundles_patient_gets_their_details(
        tmp_path: Path, reference: str) -> None:
    own = dict(lab_report(), subject={"reference": reference})
    record, report = checked(tmp_path, bundle(PATIENT, own, observation()))
    assert (record.patient.name, record.patient.birth_date, record.patient.id) == (
        "Brackwater, Odile Rosamund", "1961-09-23", "00418822")
    assert status_of(report, "recent_labs") == "met"


# --- 3. date ----------------------------------------------------------------------------------


def test_a_report_issued_lately_about_an_old_sample_is_not_recent(tmp_path: Path) -> None:
    late = lab_report(issued="2026-11-20T10:00:00Z")
    record, report = checked(tmp_path, bundle(PATIENT, late, observation(when="2025-01-10")))
    assert record.date == "2025-01-10"
    assert "date from its earliest result" in record.evidence
    assert status_of(report, "recent_labs") == "outdated"


def test_a_report_dated_only_by_its_issue_says_so(tmp_path: Path) -> None:
    late = lab_report(issued="2026-11-20T10:00:00Z")
    record, report = checked(tmp_path, bundle(PATIENT, late, observation(when=None)))
    assert record.date == "2026-11-20"
    assert "date is when it was issued" in record.evidence
    assert status_of(report, "recent_labs") == "met"  # the one date known, said to be so


def test_a_reports_own_effective_date_comes_before_its_results(tmp_path: Path) -> None:
    dated = lab_report(effectiveDateTime="2026-11-02", issued="2026-11-20T10:00:00Z")
    record, _report = checked(tmp_path, bundle(PATIENT, dated, observation(when="2026-10-30")))
    assert record.date == "2026-11-02"
    assert not any(e.startswith("date ") for e in record.evidence)


def test_the_specialist_sees_that_a_packed_report_was_entered_in_error(tmp_path: Path) -> None:
    from recordpack import age
    from recordpack.bundle.pack import pack
    from recordpack.bundle.reader import open_bundle

    folder = tmp_path / "records"
    checked(folder, bundle(PATIENT, pathology_report(status="entered-in-error")), with_note=False)
    identity = age.X25519Identity.generate()
    pack(scan_folder(folder), tmp_path / "b.rpk", recipients=[identity.recipient()])
    opened = tmp_path / "opened"
    open_bundle(tmp_path / "b.rpk", [identity], opened)
    index = json.loads(next(opened.rglob("index.json")).read_text())
    assert [r.get("status") for r in index["records"]] == ["entered_in_error"]
    # A withdrawn record gives the specialist's summary no facts.
    assert not any(index["summary"].get(key) for key in ("diagnosis", "stage", "biomarkers"))
    page = next(opened.rglob("index.html")).read_text()
    assert "Marked entered in error by its sender." in page
    # The timeline says so too.
    timeline = page[page.index("<section id=timeline>"):]
    assert "(marked entered in error by its sender)" in timeline[: timeline.index("</section>")]
    from recordpack.summary.render import render_timeline

    assert "(marked entered in error by its sender)" in "\n".join(render_timeline(index))


def test_a_new_preliminary_result_does_not_make_an_old_final_one_recent(tmp_path: Path) -> None:
    loose = bundle(PATIENT, observation("o1", when="2026-05-01"),
                   observation("o2", status="preliminary", when="2026-11-10"))
    (tmp_path / FHIR_FILE).parent.mkdir(parents=True)
    (tmp_path / FHIR_FILE).write_text(json.dumps(loose))
    scan = scan_folder(tmp_path)
    labs = {r.status: r for r in scan.records if r.files == (FHIR_FILE,)}
    assert (labs[None].date, labs["preliminary"].date) == ("2026-05-01", "2026-11-10")
    assert "1 of 1 entries preliminary" in labs["preliminary"].evidence
    result = next(r for r in check(scan, load_manifest("general"), as_of=AS_OF).results
                  if r.requirement.id == "recent_labs")
    assert result.status == "outdated"
    assert result.params["newer_status"] == "preliminary"


# --- 4. what a summary holds ----------------------------------------------------------------

MEDICATION = {"resourceType": "MedicationRequest", "id": "m1", "status": "active",
              "intent": "order", "subject": {"reference": "Patient/p1"},
              "medicationCodeableConcept": {"coding": [{"display": "anastrozole 1 MG Tablet"}]},
              "authoredOn": "2026-10-01", "dosageInstruction": [{"text": "1 tablet daily"}]}
ALLERGY = {"resourceType": "AllergyIntolerance", "id": "a1",
           "patient": {"reference": "Patient/p1"}, "code": {"coding": [{"display": "Penicillin"}]},
           "reaction": [{"manifestation": [{"text": "Hives"}]}]}
CONDITION = {"resourceType": "Condition", "id": "c9", "subject": {"reference": "Patient/p1"},
             "code": {"text": "Malignant neoplasm of left breast"}, "recordedDate": "2026-09-10"}


def summary_section(title: str, div: str | None, *, empty: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"title": title}
    if div is not None:
        found["text"] = {"status": "generated", "div": f"<div>{div}</div>"}
    if empty:
        found["emptyReason"] = {"coding": [{"code": empty}]}
    return found


def patient_summary(*sections: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Composition", "id": "ips", "status": "final",
            "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5"}]},
            "subject": {"reference": "Patient/p1"}, "date": "2026-11-20",
            "title": "International Patient Summary", "section": list(sections)}


ALLERGY_TABLE = ("<table><tr><th>Allergen</th><th>Reaction</th></tr>"
                 "<tr><td>Penicillin</td><td>Hives</td></tr></table>")


def test_a_medications_section_empty_for_a_reason_is_no_medication_list(tmp_path: Path) -> None:
    ips = patient_summary(summary_section("Medication Summary", "", empty="unavailable"),
                          summary_section("History of Past Illness", "Appendectomy 1990"),
                          summary_section("Allergies and Intolerances", ALLERGY_TABLE))
    record, report = checked(tmp_path, bundle(ips, PATIENT, bundle_type="document"))
    assert record.text.splitlines()[:2] == [
        "Medication Summary", "(no entries in this section: unavailable)"]
    result = next(r for r in report.results if r.requirement.id == "medications")
    assert result.status == "incomplete"
    assert result.params["section"] == "medications"


@pytest.mark.parametrize("medications", [
    pytest.param(summary_section("Medication Summary",
                                 "<table><tr><th>Medication</th><th>Dose</th></tr>"
                                 "<tr><td>Anastrozole 1 mg</td><td>daily</td></tr></table>"),
                 id="table"),
    pytest.param(summary_section("Medication Summary", "", empty="nilknown"), id="nil known"),
])
def test_a_summary_whose_sections_are_tables_shows_its_allergies(
        tmp_path: Path, medications: dict[str, Any]) -> None:
    ips = patient_summary(medications, summary_section("Allergies and Intolerances",
                                                       ALLERGY_TABLE))
    record, report = checked(tmp_path, bundle(ips, PATIENT, bundle_type="document"))
    assert "Allergies and Intolerances\nAllergen: Penicillin; Reaction: Hives" in record.text
    assert status_of(report, "medications") == "met"


def test_an_export_without_narrative_lists_its_medications_and_allergies(tmp_path: Path) -> None:
    export = bundle(PATIENT, CONDITION, MEDICATION, ALLERGY, observation(),
                    bundle_type="collection")
    record, report = checked(tmp_path, export)
    assert record.kind == "patient_summary"
    assert record.text.splitlines()[:4] == [
        "Medications", "anastrozole 1 MG Tablet: 1 tablet daily",
        "Allergies", "Penicillin (reaction: Hives)"]
    assert status_of(report, "medications") == "met"


def test_medications_entered_in_error_are_not_listed_as_the_patients(tmp_path: Path) -> None:
    export = bundle(PATIENT, CONDITION, dict(MEDICATION, status="entered-in-error"), ALLERGY,
                    observation(), bundle_type="collection")
    record, report = checked(tmp_path, export)
    assert "anastrozole" not in record.text
    result = next(r for r in report.results if r.requirement.id == "medications")
    assert result.status == "incomplete"
    assert result.params["says"] == "(no entries in this section: every entry was entered in error)"


def test_a_report_whose_sender_does_not_know_its_status_is_not_taken_as_final(tmp_path: Path) -> None:
    record, _report = checked(tmp_path, bundle(PATIENT, pathology_report(status="unknown")),
                              with_note=False)
    assert record.status == "preliminary" and "status 'unknown'" in record.evidence
