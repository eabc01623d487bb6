"""check() does not count a record that shows nothing, or that its sender withdrew.

A portal's health summary prints "MEDICATIONS: This section could not be
loaded"; a FHIR or HL7 result may be cancelled, entered in error or still
preliminary. Saying such a folder is ready would be a lie. Every patient here
is invented.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from recordpack.checking import check, render_check
from recordpack.errors import ManifestError
from recordpack.manifest import load_manifest
from recordpack.model import Patient, Record, ScanResult
from recordpack.sections import ABSENT, EMPTY, SHOWN, find_section

AS_OF = dt.date(2026, 11, 30)
NAME = "Harrowgate, Delphine M"
DOB = "1963-05-11"
MEDS = ("medications", "medication*", "medicine*", "meds", "prescriptions")

SUMMARY = """MyChart - PATIENT HEALTH SUMMARY
Patient Name: HARROWGATE, DELPHINE M
DOB: 05/11/1963
PROBLEM LIST
Malignant neoplasm of upper-outer quadrant of left breast (C50.412)
MEDICATIONS
{meds}
ALLERGIES
{allergies}
CARE TEAM
Priya Nandakumar, MD (Oncology)
"""


def record(kind: str, path: str, text: str, *, status: str | None = None) -> Record:
    return Record(
        kind=kind,
        title=kind.replace("_", " ").capitalize(),
        date="2026-11-20",
        files=(path,),
        patient=Patient(NAME, DOB, None),
        confidence=0.9,
        format="text",
        text=text,
        status=status,
    )


def scan_of(*records: Record) -> ScanResult:
    return ScanResult(root="f", records=records, problems=(), skipped=())


def medications(*records: Record) -> tuple[str, str, dict[str, object]]:
    report = check(scan_of(*records), load_manifest("general"), as_of=AS_OF)
    result = next(r for r in report.results if r.requirement.id == "medications")
    return result.status, render_check(report), dict(result.params)


@pytest.mark.parametrize(
    ("meds", "allergies"),
    [
        ("This section could not be loaded. Contact your clinic for your medication list.", "NKDA"),
        ("Letrozole 2.5 mg tablet, once daily", "Not on file."),
        ("No information available", "Penicillin (rash)"),
        ("Unable to display medications at this time", "None known"),
        ("", "NKDA"),
    ],
)
def test_a_summary_whose_medications_or_allergies_did_not_load_does_not_meet_the_item(
    meds: str, allergies: str
) -> None:
    text = SUMMARY.format(meds=meds, allergies=allergies)
    status, words, params = medications(record("patient_summary", "meds.txt", text))
    assert status == "incomplete"
    assert params["file"] == "meds.txt"
    assert "READY TO SEND" not in words.replace("NOT READY TO SEND", "")
    assert "section" in words and "meds.txt" in words


def test_a_loaded_summary_meets_it_and_quotes_what_it_lists() -> None:
    text = SUMMARY.format(meds="Letrozole 2.5 mg tablet, once daily", allergies="No Known Allergies")
    status, words, _ = medications(record("patient_summary", "meds.txt", text))
    assert status == "met"
    assert "MEDICATIONS: Letrozole 2.5 mg tablet, once daily" in words


def test_a_summary_without_a_medications_section_is_no_medication_list() -> None:
    text = "PATIENT HEALTH SUMMARY\nPROBLEM LIST\nHypertension\nALLERGIES\nNKDA\n"
    status, words, params = medications(record("patient_summary", "summary.txt", text))
    assert status == "incomplete" and params["heading"] == ""
    assert "summary.txt is a patient summary with no medications section" in words


def test_a_medication_list_counts_without_headings_but_not_when_it_says_allergies_are_unknown() -> None:
    plain = "MEDICATION LIST\nPatient: HARROWGATE, DELPHINE M\nLetrozole 2.5 mg daily\n"
    assert medications(record("medication_list", "list.txt", plain))[0] == "met"
    unknown = plain + "Allergies: unknown\n"
    status, words, _ = medications(record("medication_list", "list.txt", unknown))
    assert status == "incomplete" and '"unknown"' in words


def test_a_good_list_beside_a_failed_summary_meets_the_item() -> None:
    failed = SUMMARY.format(meds="This section could not be loaded.", allergies="NKDA")
    good = "MEDICATION LIST\nLetrozole 2.5 mg daily\nAllergies: NKDA\n"
    status, _, _ = medications(
        record("patient_summary", "summary.txt", failed), record("medication_list", "list.txt", good)
    )
    assert status == "met"


@pytest.mark.parametrize(
    ("text", "state", "first"),
    [
        ("MEDICATIONS\nLetrozole 2.5 mg\n", SHOWN, "Letrozole 2.5 mg"),
        ("Current Medications (2):\n\nLetrozole\n", SHOWN, "Letrozole"),
        ("Medications: none\n", SHOWN, "none"),
        ("Medications\nNo data\nAllergies\nNKDA\n", EMPTY, "No data"),
        ("MEDICATIONS\nALLERGIES\nNKDA\n", EMPTY, ""),
        ("MEDICATIONS\n", EMPTY, ""),
        ("Medications reviewed and reconciled.\nLetrozole\n", ABSENT, ""),
        ("Problems\nHypertension\n", ABSENT, ""),
        # A C-CDA's narrative: each section's title, then its text, one per line.
        ("Medications\nMedication information could not be loaded\nProblems\nC50.4\n", EMPTY, None),
    ],
)
def test_find_section(text: str, state: str, first: str | None) -> None:
    section = find_section(text, MEDS)
    assert section.state == state
    if first is not None:
        assert section.first_line == first


def test_a_record_withdrawn_by_its_sender_never_counts() -> None:
    report = "SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS: invasive ductal carcinoma\n"
    for status in ("cancelled", "entered_in_error", "superseded"):
        scan = scan_of(record("pathology_report", "p.json", report, status=status))
        result = check(scan, load_manifest("general"), as_of=AS_OF)
        item = next(r for r in result.results if r.requirement.id == "pathology")
        assert item.status == "missing", status
        assert item.params["withdrawn_file"] == "p.json"
        assert "its sender marked it" in render_check(result)
        assert not result.ok


def test_a_preliminary_record_makes_the_item_incomplete_and_a_final_one_meets_it() -> None:
    report = "SURGICAL PATHOLOGY REPORT\nFINAL DIAGNOSIS: invasive ductal carcinoma\n"
    scan = scan_of(record("pathology_report", "p.json", report, status="preliminary"))
    result = check(scan, load_manifest("general"), as_of=AS_OF)
    item = next(r for r in result.results if r.requirement.id == "pathology")
    assert (item.status, item.reason) == ("incomplete", "preliminary")
    assert "p.json is marked preliminary (not final)" in render_check(result)
    final = record("pathology_report", "final.pdf", report)
    result = check(
        scan_of(*scan.records, final), load_manifest("general"), as_of=AS_OF
    )
    item = next(r for r in result.results if r.requirement.id == "pathology")
    assert item.status == "met" and [f for r in item.records for f in r.files] == ["final.pdf"]


def test_the_status_is_in_scan_json_only_when_stated() -> None:
    assert "status" not in record("lab_result", "a.txt", "").to_json()
    assert json.loads(json.dumps(record("lab_result", "a.txt", "", status="cancelled").to_json()))[
        "status"
    ] == "cancelled"


def test_a_manifest_with_sections_in_but_no_sections_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[requirement]]\nid = "a"\ntitle = "A"\nkinds = ["patient_summary"]\n'
        'sections_in = ["patient_summary"]\n'
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    assert "sections_in" in caught.value.message and "sections" in (caught.value.hint or "")


def test_a_manifest_may_ask_for_sections(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[requirement]]\nid = "a"\ntitle = "A"\nkinds = ["patient_summary"]\n'
        'sections = [["problem*"]]\nsections_in = ["patient_summary"]\n'
    )
    requirement = load_manifest(str(path)).requirement("a")
    assert requirement.to_json()["sections"] == [["problem*"]]
    assert requirement.sections_in == ("patient_summary",)


def test_an_old_final_result_and_a_newer_preliminary_one_say_both() -> None:
    old = Record(
        kind="lab_result", title="CBC", date="2026-06-01", files=("old.hl7",),
        patient=Patient(NAME, DOB, None), confidence=0.9, format="hl7v2", text="CBC WBC 6.1",
    )
    new = record("lab_result", "new.hl7", "CBC WBC 6.3", status="preliminary")
    result = check(scan_of(old, new), load_manifest("general"), as_of=AS_OF)
    item = next(r for r in result.results if r.requirement.id == "recent_labs")
    assert item.status == "outdated" and item.params["newer_file"] == "new.hl7"
    assert "A newer one, new.hl7, is marked preliminary (not final)" in " ".join(
        render_check(result).split()
    )
