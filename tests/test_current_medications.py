"""Medicines that are stopped, completed or discontinued are no current medication list.

A portal export whose every MedicationRequest is "stopped", or a C-CDA whose
Medications table has only "Discontinued" rows, must not meet "Your current
medications and allergies", and what is quoted shows each medicine's status. A
list with one current medicine, or a medicine on hold, still meets it. Every
patient here is invented.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from recordpack.checking import check
from recordpack.manifest import load_manifest
from recordpack.scan import scan_folder

AS_OF = dt.date(2026, 11, 30)
PATIENT: dict[str, Any] = {
    "resourceType": "Patient", "id": "p1", "birthDate": "1969-04-02",
    "name": [{"family": "Oakhurst", "given": ["Linnea"]}],
}  # fmt: skip
SUBJECT = {"reference": "Patient/p1"}


def medication(number: int, name: str, status: str, rtype: str = "MedicationRequest"
               ) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": rtype, "id": f"m{number}", "status": status, "subject": SUBJECT,
        "medicationCodeableConcept": {"text": name},
    }  # fmt: skip
    dosage = "dosage" if rtype == "MedicationStatement" else "dosageInstruction"
    resource[dosage] = [{"text": "1 tablet daily"}]
    return resource


ALLERGY: dict[str, Any] = {
    "resourceType": "AllergyIntolerance", "id": "a1", "patient": SUBJECT,
    "code": {"text": "Sulfa drugs"}, "reaction": [{"manifestation": [{"text": "Rash"}]}],
}  # fmt: skip


def fhir_export(folder: Path, medicines: list[dict[str, Any]], *, others: bool = True) -> None:
    """A searchset export: the patient, an allergy, a condition, a procedure and ``medicines``
    (a whole patient record); with ``others`` False, a medicine list export."""
    resources: list[dict[str, Any]] = [PATIENT]
    if others:
        resources += [
            ALLERGY,
            {"resourceType": "Condition", "id": "c1", "subject": SUBJECT,
             "code": {"text": "Malignant neoplasm of right breast"}},
            {"resourceType": "Procedure", "id": "pr1", "status": "completed", "subject": SUBJECT,
             "code": {"text": "Core needle biopsy of right breast"},
             "performedDateTime": "2026-10-20"},
        ]  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": r} for r in [*resources, *medicines]]}
    (folder / "portal_export.json").write_text(json.dumps(bundle))


def medications_item(folder: Path) -> tuple[str, str | None, list[str]]:
    """The medications item's status, reason and quoted evidence in the general check."""
    report = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    result = next(r for r in report.results if r.requirement.id == "medications")
    return result.status, result.reason, [e.text for e in result.evidence]


def medications_result(folder: Path) -> Any:
    """The medications item's result in the general check."""
    report = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    return next(r for r in report.results if r.requirement.id == "medications")


NOT_CURRENT = ["stopped", "completed", "cancelled", "draft", "unknown"]


@pytest.mark.parametrize("status", NOT_CURRENT)
def test_a_fhir_export_whose_every_medicine_is_not_current_does_not_meet_it(
        tmp_path: Path, status: str) -> None:
    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", status),
                           medication(2, "Simvastatin 40 mg tablet", status)])
    state, reason, _evidence = medications_item(tmp_path)
    assert (state, reason) == ("incomplete", "section_empty")


def test_medicines_a_patient_stopped_or_never_took_are_no_current_list(tmp_path: Path) -> None:
    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", "stopped"),
                           medication(2, "Simvastatin 40 mg tablet", "not-taken",
                                      "MedicationStatement")])
    assert medications_item(tmp_path)[:2] == ("incomplete", "section_empty")


@pytest.mark.parametrize("allergy", [False, True], ids=["medicines only", "and an allergy"])
def test_a_medicine_list_export_of_stopped_medicines_does_not_meet_it(
        tmp_path: Path, allergy: bool) -> None:
    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", "stopped"),
                           *([ALLERGY] if allergy else [])], others=False)
    assert medications_item(tmp_path)[:2] == ("incomplete", "section_empty")


def test_one_current_medicine_meets_it_and_a_stopped_one_is_quoted_as_stopped(
        tmp_path: Path) -> None:
    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", "stopped"),
                           medication(2, "Simvastatin 40 mg tablet", "active")])
    state, _reason, evidence = medications_item(tmp_path)
    assert state == "met"
    assert "Medications: Metoprolol 25 mg tablet: 1 tablet daily (stopped)" in evidence


def test_a_medicine_on_hold_is_still_on_the_current_list(tmp_path: Path) -> None:
    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", "on-hold")])
    state, _reason, evidence = medications_item(tmp_path)
    assert state == "met"
    assert "Medications: Metoprolol 25 mg tablet: 1 tablet daily (on hold)" in evidence


def ccd(folder: Path, rows: list[tuple[str, str]], *, status_column: bool = True) -> None:
    """A C-CDA CCD whose Medications table has ``rows`` of (medicine, status)."""
    head = "<th>Medication</th><th>Sig</th>" + ("<th>Status</th>" if status_column else "")
    body = "".join(f"<tr><td>{name}</td><td>1 daily</td>"
                   + (f"<td>{status}</td>" if status_column else "") + "</tr>"
                   for name, status in rows)

    def section(code: str, title: str, text: str) -> str:
        return (f'<component><section><code code="{code}" codeSystem="2.16.840.1.113883.6.1"/>'
                f"<title>{title}</title><text>{text}</text></section></component>")

    document = f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
<templateId root="2.16.840.1.113883.10.20.22.1.2"/>
<code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Continuity of Care Document"/>
<title>Continuity of Care Document</title><effectiveTime value="20261120"/>
<recordTarget><patientRole><id root="1.2.3" extension="OL5521"/><patient>
<name><given>Linnea</given><family>Oakhurst</family></name><birthTime value="19690402"/>
</patient></patientRole></recordTarget>
<component><structuredBody>
{section("48765-2", "Allergies", "<table><thead><tr><th>Substance</th><th>Reaction</th></tr>"
         "</thead><tbody><tr><td>Sulfa drugs</td><td>Rash</td></tr></tbody></table>")}
{section("10160-0", "Medications",
         f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")}
</structuredBody></component></ClinicalDocument>"""
    (folder / "CCD.xml").write_text(document)


@pytest.mark.parametrize("status", ["Discontinued", "Completed", "Inactive"])
def test_a_ccda_whose_medications_are_all_discontinued_does_not_meet_it(
        tmp_path: Path, status: str) -> None:
    ccd(tmp_path, [("Metoprolol 25 mg tablet", status), ("Simvastatin 40 mg tablet", status)])
    assert medications_item(tmp_path)[:2] == ("incomplete", "section_empty")


@pytest.mark.parametrize(("rows", "status_column"), [
    ([("Metoprolol 25 mg tablet", "Discontinued"), ("Simvastatin 40 mg tablet", "Active")], True),
    ([("Metoprolol 25 mg tablet", "")], False),
], ids=["one active row", "no status column"])
def test_a_ccda_with_a_current_or_unstated_medicine_meets_it(
        tmp_path: Path, rows: list[tuple[str, str]], status_column: bool) -> None:
    ccd(tmp_path, rows, status_column=status_column)
    assert medications_item(tmp_path)[0] == "met"


def test_check_says_in_words_that_every_medicine_listed_is_no_longer_taken(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from recordpack.cli import main

    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", "stopped"),
                           medication(2, "Simvastatin 40 mg tablet", "stopped")])
    result = CliRunner().invoke(main, ["check", str(tmp_path), "-m", "general"])
    said = " ".join(result.stdout.split())
    assert result.exit_code == 1
    assert "every medicine in it is marked as no longer taken (2 stopped)" in said
    assert "all it says is" not in said


# --- a FHIR summary's narrative table, with a Status column ------------------------------

def summary_with_medications_table(folder: Path, statuses: list[str]) -> None:
    """A document Bundle: a patient summary whose Medication Summary is a narrative table
    with a Status column (one row per status), and an allergies section."""
    rows = "".join(f"<tr><td>{name}</td><td>1 daily</td><td>{status}</td></tr>"
                   for name, status in zip(["Metoprolol 25 mg tablet", "Simvastatin 40 mg tablet"],
                                           statuses, strict=False))

    def section(title: str, code: str, div: str) -> dict[str, Any]:
        return {"title": title, "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                "text": {"status": "generated", "div": f"<div>{div}</div>"}}

    composition = {
        "resourceType": "Composition", "id": "ips", "status": "final",
        "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5"}]},
        "subject": SUBJECT, "date": "2026-11-20", "title": "International Patient Summary",
        "section": [
            section("Medication Summary", "10160-0",
                    "<table><tr><th>Medication</th><th>Sig</th><th>Status</th></tr>"
                    f"{rows}</table>"),
            section("Allergies and Intolerances", "48765-2",
                    "<table><tr><th>Allergen</th><th>Reaction</th></tr>"
                    "<tr><td>Sulfa drugs</td><td>Rash</td></tr></table>"),
        ],
    }  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "document",
              "entry": [{"resource": composition}, {"resource": PATIENT}]}
    (folder / "patient_summary.json").write_text(json.dumps(bundle))


@pytest.mark.parametrize("statuses", [["Discontinued", "Discontinued"], ["Completed", "Stopped"]])
def test_a_fhir_summary_whose_medication_table_rows_are_all_stopped_does_not_meet_it(
        tmp_path: Path, statuses: list[str]) -> None:
    summary_with_medications_table(tmp_path, statuses)
    assert medications_item(tmp_path)[:2] == ("incomplete", "section_empty")


def test_a_fhir_summary_with_one_active_medicine_in_its_table_meets_it(tmp_path: Path) -> None:
    summary_with_medications_table(tmp_path, ["Discontinued", "Active"])
    assert medications_item(tmp_path)[0] == "met"


# --- a printed portal list: each entry marked in its own words ---------------------------

def printed_list(folder: Path, entries: str) -> None:
    """A portal's medication list printed to text, its medicines written as ``entries``."""
    (folder / "medication_list.txt").write_text(
        "Riverbend Health Portal - Medication List\n"
        "Patient: Linnea Oakhurst   DOB: 04/02/1969\n"
        "Printed: 11/20/2026\n\n"
        f"Current Medications\n{entries}\n\n"
        "Allergies\nSulfa drugs - Rash\n")


STOPPED_ENTRIES = {
    "bracketed": "Metoprolol 25 mg tablet (discontinued)\nSimvastatin 40 mg tablet (Discontinued)",
    "after a dash, dated": "Metoprolol 25 mg tablet - stopped 03/2025\n"
                           "Take 1 tablet by mouth daily\n"
                           "Simvastatin 40 mg tablet - discontinued on 04/12/2025",
    "status field": "Metoprolol 25 mg tablet\nTake 1 tablet by mouth daily\nStatus: Inactive\n"
                    "Simvastatin 40 mg tablet\nStatus: Inactive",
    "status column": "Medication                 Sig          Status\n"
                     "Metoprolol 25 mg tablet    1 daily      Discontinued\n"
                     "Simvastatin 40 mg tablet   1 nightly    Discontinued 03/2025",
}  # fmt: skip


@pytest.mark.parametrize("entries", STOPPED_ENTRIES.values(), ids=STOPPED_ENTRIES.keys())
def test_a_printed_list_whose_every_medicine_is_marked_stopped_does_not_meet_it(
        tmp_path: Path, entries: str) -> None:
    printed_list(tmp_path, entries)
    result = medications_result(tmp_path)
    assert (result.status, result.reason) == ("incomplete", "section_empty")
    assert result.params["says"].startswith("(no current entries in this section: ")


CURRENT_ENTRIES = {
    "one unmarked": "Metoprolol 25 mg tablet (discontinued)\nLisinopril 10 mg tablet\n"
                    "Simvastatin 40 mg tablet - stopped 03/2025",
    "one active": "Metoprolol 25 mg tablet\nStatus: Inactive\nLisinopril 10 mg tablet\n"
                  "Status: Active",
    "one on hold": "Metoprolol 25 mg tablet (discontinued)\nWarfarin 5 mg tablet (on hold)",
    "active row": "Medication                 Sig          Status\n"
                  "Metoprolol 25 mg tablet    1 daily      Discontinued\n"
                  "Lisinopril 10 mg tablet    1 daily      Active",
    "an ordinary list": "Metoprolol 25 mg tablet\nTake 1 tablet by mouth daily\n"
                        "Lisinopril 10 mg tablet",
    # Words that may say something else than a status after a dash: not read as one.
    "unknown after a dash": "Metoprolol 25 mg tablet - unknown\nLisinopril 10 mg - unknown",
}  # fmt: skip


@pytest.mark.parametrize("entries", CURRENT_ENTRIES.values(), ids=CURRENT_ENTRIES.keys())
def test_a_printed_list_with_a_current_or_unmarked_medicine_meets_it(
        tmp_path: Path, entries: str) -> None:
    printed_list(tmp_path, entries)
    assert medications_item(tmp_path)[0] == "met"


# --- allergies that are no longer current ------------------------------------------------

def allergy(number: int, name: str, clinical: str | None = None,
            verification: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance", "id": f"a{number}", "patient": SUBJECT,
        "code": {"text": name}, "reaction": [{"manifestation": [{"text": "Rash"}]}],
    }  # fmt: skip
    if clinical:
        resource["clinicalStatus"] = {"coding": [{"code": clinical}]}
    if verification:
        resource["verificationStatus"] = {"coding": [{"code": verification}]}
    return resource


def whole_record(folder: Path, allergies: list[dict[str, Any]]) -> None:
    """A whole-record export with a current medicine and ``allergies``."""
    fhir_export(folder, [medication(1, "Metoprolol 25 mg tablet", "active")], others=True)
    bundle = json.loads((folder / "portal_export.json").read_text())
    bundle["entry"] = [e for e in bundle["entry"]
                       if e["resource"]["resourceType"] != "AllergyIntolerance"]
    bundle["entry"] += [{"resource": a} for a in allergies]
    (folder / "portal_export.json").write_text(json.dumps(bundle))


@pytest.mark.parametrize("clinical", ["resolved", "inactive"])
def test_an_export_whose_only_allergies_are_resolved_lists_no_current_allergy(
        tmp_path: Path, clinical: str) -> None:
    whole_record(tmp_path, [allergy(1, "Sulfa drugs", clinical),
                            allergy(2, "Penicillin", clinical)])
    result = medications_result(tmp_path)
    assert (result.status, result.reason) == ("incomplete", "section_empty")
    assert result.params["section"] == "allergies"
    assert result.params["says"] == f"(no current entries in this section: 2 {clinical})"


def test_a_resolved_allergy_is_quoted_as_resolved_beside_a_current_one(tmp_path: Path) -> None:
    whole_record(tmp_path, [allergy(1, "Sulfa drugs", "resolved"),
                            allergy(2, "Penicillin", "active", "confirmed")])
    result = medications_result(tmp_path)
    assert result.status == "met"
    assert "Allergies: Sulfa drugs (reaction: Rash) (resolved)" in [
        e.text for e in result.evidence]


def test_an_export_whose_only_allergy_was_refuted_says_so(tmp_path: Path) -> None:
    whole_record(tmp_path, [allergy(1, "Sulfa drugs", verification="refuted")])
    result = medications_result(tmp_path)
    assert (result.status, result.params["section"]) == ("incomplete", "allergies")
    assert "refuted" in result.params["says"]


def test_a_medicine_list_export_whose_allergy_is_resolved_lists_no_current_allergy(
        tmp_path: Path) -> None:
    fhir_export(tmp_path, [medication(1, "Metoprolol 25 mg tablet", "active"),
                           allergy(1, "Sulfa drugs", "resolved")], others=False)
    result = medications_result(tmp_path)
    assert (result.status, result.reason) == ("incomplete", "section_empty")
    assert result.params["section"] == "allergies"


def test_check_says_in_words_that_every_allergy_listed_is_no_longer_current(
        tmp_path: Path) -> None:
    from click.testing import CliRunner

    from recordpack.cli import main

    whole_record(tmp_path, [allergy(1, "Sulfa drugs", "resolved")])
    result = CliRunner().invoke(main, ["check", str(tmp_path), "-m", "general"])
    said = " ".join(result.stdout.split())
    assert result.exit_code == 1
    assert "every allergy in it is marked as no longer current (1 resolved)" in said
    assert "medicine" not in said.split("every allergy")[1].split(".")[0]


@pytest.mark.parametrize(("status", "state"), [("Resolved", "incomplete"), ("Inactive", "incomplete"),
                                                ("Active", "met")])
def test_a_ccda_allergy_table_of_resolved_allergies_lists_no_current_allergy(
        tmp_path: Path, status: str, state: str) -> None:
    ccd(tmp_path, [("Metoprolol 25 mg tablet", "Active")])
    document = (tmp_path / "CCD.xml").read_text().replace(
        "<th>Substance</th><th>Reaction</th>", "<th>Substance</th><th>Reaction</th><th>Status</th>"
    ).replace("<td>Rash</td>", f"<td>Rash</td><td>{status}</td>")
    (tmp_path / "CCD.xml").write_text(document)
    result = medications_result(tmp_path)
    assert result.status == state
    if state != "met":
        assert result.params["section"] == "allergies"
