"""A summary's medications and allergies count only when the records show them.

The layouts here are the ones portals and EHR exports really print: an empty
section followed by any other section's title, a table's header row with no
rows, placeholders ("--", "Not Assessed"), page footers, headings such as
"Current Outpatient Medications" or "Adverse Reactions", two sections side by
side on a two-column page, and C-CDA sections with no entries. Saying "met"
for an empty list is a lie; refusing a list because one entry has an unknown
field is one too. Every patient here is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack.checking import check, render_check
from recordpack.manifest import load_manifest
from recordpack.model import Patient, Record, ScanResult
from recordpack.scan import scan_folder

AS_OF = dt.date(2026, 11, 30)

SUMMARY = """Larchmere Clinic - MyChart
Health Summary
Patient: Tamsin Oakhurst   DOB: 02/17/1971   MRN: LC0093318
Printed: 11/20/2026

Problem List
Malignant neoplasm of central portion of right breast (C50.111)

{meds_heading}
{meds}

{allergies_heading}
{allergies}

Immunizations
Influenza vaccine, quadrivalent - 10/01/2026

Care Team
Dr. Ines Marchetti, Medical Oncology
"""

LOADED_MEDS = "Letrozole 2.5 mg tablet - take 1 tablet by mouth daily"
LOADED_ALLERGIES = "Sulfa drugs - rash"


def summary(
    meds: str = LOADED_MEDS,
    allergies: str = LOADED_ALLERGIES,
    *,
    meds_heading: str = "Medications",
    allergies_heading: str = "Allergies",
) -> str:
    return SUMMARY.format(
        meds_heading=meds_heading,
        meds=meds,
        allergies_heading=allergies_heading,
        allergies=allergies,
    )


def medications_item(text: str) -> tuple[str, str, dict[str, object]]:
    """The general manifest's medications item for one health summary with ``text``."""
    record = Record(
        kind="patient_summary",
        title="Health summary",
        date="2026-11-20",
        files=("health_summary.pdf",),
        patient=Patient("Oakhurst, Tamsin", "1971-02-17", None),
        confidence=0.9,
        format="pdf",
        text=text,
    )
    scan = ScanResult(root="f", records=(record,), problems=(), skipped=())
    report = check(scan, load_manifest("general"), as_of=AS_OF)
    result = next(r for r in report.results if r.requirement.id == "medications")
    return result.status, " ".join(render_check(report).split()), dict(result.params)


@pytest.mark.parametrize(
    "after",
    [
        "Past Medical History\nHypertension, diagnosed 2015",
        "Last Filed Vital Signs\nBP 128/82  Pulse 76",
        "Advance Directives\nHealthcare proxy on file",
        "ENCOUNTER DIAGNOSES\nBreast cancer",
    ],
)
def test_an_empty_section_followed_by_any_other_sections_title_is_empty(after: str) -> None:
    status, words, params = medications_item(summary(meds=after))
    assert status == "incomplete"
    assert params["section"] == "medications" and params["says"] == ""
    assert "the section 'Medications' is there, but it is empty" in words


@pytest.mark.parametrize(
    ("meds", "says"),
    [
        ("Medication Name   Dose   Frequency   Prescriber", ""),
        ("--", "--"),
        ("[ ]", "[ ]"),
        ("This information is not shown. Contact your clinic.", "This information is not shown."),
        ("No medications found.", "No medications found."),
        ("No current outpatient medications on file.", "No current outpatient"),
        ("Medication list reviewed", "Medication list reviewed"),
        ("Refer to medication administration record", "Refer to medication"),
        ("Page 1 of 2", ""),
        (
            "This section could not be loaded because of an error. Call the clinic.",
            "This section could not be loaded because",
        ),
    ],
)
def test_a_placeholder_where_the_medications_should_be_is_no_list(meds: str, says: str) -> None:
    status, words, params = medications_item(summary(meds=meds))
    assert status == "incomplete" and params["section"] == "medications"
    assert str(params["says"]).startswith(says)
    assert "It does not show your medications" in words


@pytest.mark.parametrize("allergies", ["Not Assessed", "Unable to assess", "NOT ON FILE"])
def test_allergies_not_assessed_are_unknown_not_none(allergies: str) -> None:
    status, _, params = medications_item(
        summary(allergies_heading=f"Allergies: {allergies}", allergies="")
    )
    assert status == "incomplete"
    assert (params["section"], params["says"]) == ("allergies", allergies)


@pytest.mark.parametrize(
    "other_list",
    [
        "Medications Administered in Clinic\nOndansetron 8 mg IV once 11/18/2026",
        "Discontinued Medications\nTamoxifen 20 mg daily",
        "Medications Given Today\nDexamethasone 8 mg IV",
    ],
)
def test_medicines_given_in_clinic_or_stopped_are_not_the_current_list(other_list: str) -> None:
    text = summary(meds="This section could not be loaded.") + "\n" + other_list + "\n"
    status, _, params = medications_item(text)
    assert status == "incomplete"
    assert params["says"] == "This section could not be loaded."


@pytest.mark.parametrize(
    ("meds", "allergies"),
    [
        (LOADED_MEDS, "Penicillin - reaction not documented\nSulfa - rash"),
        ("Lisinopril 10 mg daily (start date not recorded)", LOADED_ALLERGIES),
        ("Name   Dose   Route   Frequency\nLetrozole   2.5 mg   oral   daily", LOADED_ALLERGIES),
        (LOADED_MEDS, "Allergen   Reaction   Severity\nPenicillin   Hives   Moderate"),
        ("None", "No Known Allergies"),
        ("Patient reports taking no medications.", "NKDA"),
    ],
)
def test_a_list_with_one_unknown_field_or_a_table_or_an_answer_of_none_counts(
    meds: str, allergies: str
) -> None:
    status, words, _ = medications_item(summary(meds=meds, allergies=allergies))
    assert status == "met", words


def test_an_allergy_table_whose_header_follows_the_colon_counts() -> None:
    text = summary(allergies_heading="Allergies: Allergen, Reaction", allergies="Penicillin, Hives")
    assert medications_item(text)[0] == "met"
    header_only = summary(allergies_heading="Allergies: Allergen, Reaction", allergies="")
    status, _, params = medications_item(header_only)
    assert status == "incomplete" and params["section"] == "allergies"


@pytest.mark.parametrize(
    ("meds_heading", "allergies_heading"),
    [
        ("Current Outpatient Medications", "Allergies"),
        ("Current Medications", "Drug Allergies"),
        ("Current Medications", "Known Allergies"),
        ("My Medications", "Allergies"),
        ("Prescription Medications", "Allergies"),
        ("Your Medication List", "Allergies and Adverse Reactions"),
        ("Current Medications as of 11.20.2026", "Allergies"),
        ("Current Medications", "Adverse Reactions"),
    ],
)
def test_headings_portals_print_are_recognised(meds_heading: str, allergies_heading: str) -> None:
    text = summary(meds_heading=meds_heading, allergies_heading=allergies_heading)
    status, words, _ = medications_item(text)
    assert status == "met"
    assert f"{meds_heading}: {LOADED_MEDS}" in words


TWO_COLUMNS = """Larchmere Clinic - MyChart
Health Summary
Patient: Tamsin Oakhurst   DOB: 02/17/1971

Problem List
Malignant neoplasm of right breast

Medications   Allergies
{first_row}
Anastrozole 1 mg daily
"""


def test_a_two_column_page_shows_each_section_in_its_own_column() -> None:
    loaded = TWO_COLUMNS.format(first_row="Letrozole 2.5 mg daily   Penicillin - hives")
    assert medications_item(loaded)[0] == "met"


@pytest.mark.parametrize(
    ("first_row", "section", "heading", "says"),
    [
        (
            "Letrozole 2.5 mg daily   This section could not be loaded.",
            "allergies",
            "Allergies",
            "This section could not be loaded.",
        ),
        ("Letrozole 2.5 mg daily   Not on file", "allergies", "Allergies", "Not on file"),
        (
            "This section could not be loaded.   Penicillin - hives",
            "medications",
            "Medications",
            "This section could not be loaded.",
        ),
    ],
)
def test_a_two_column_page_names_the_section_that_did_not_load(
    first_row: str, section: str, heading: str, says: str
) -> None:
    status, words, params = medications_item(TWO_COLUMNS.format(first_row=first_row))
    assert status == "incomplete"
    assert (params["section"], params["heading"], params["says"]) == (section, heading, says)
    assert f"the section '{heading}' is there, but all it says is \"{says}" in words


# --- C-CDA: the document's structure says when a section is empty ------------

CCD = """<?xml version="1.0"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
<code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summarization of Episode Note"/>
<title>Continuity of Care Document</title>
<effectiveTime value="20261120"/>
<recordTarget><patientRole><id extension="LC0093318" root="1.2.3"/><patient><name>
<given>Tamsin</given><family>Oakhurst</family></name><birthTime value="19710217"/></patient>
</patientRole></recordTarget>
<component><structuredBody>{sections}</structuredBody></component></ClinicalDocument>
"""
ALLERGY_SECTION = (
    "<title>Allergies</title><text><table><thead><tr><th>Substance</th><th>Reaction</th></tr>"
    "</thead><tbody><tr><td>Penicillin</td><td>Hives</td></tr></tbody></table></text>"
)
MED_TABLE = (
    "<text><table><thead><tr><th>Medication</th><th>Sig</th><th>Start Date</th></tr></thead>"
    "<tbody>{rows}</tbody></table></text>"
)
LETROZOLE_ROW = "<tr><td>Letrozole 2.5 mg tablet</td><td>1 tab daily</td><td>10/2026</td></tr>"


def ccd_item(tmp_path: Path, *sections: str) -> tuple[str, dict[str, object]]:
    """The general manifest's medications item for a folder holding one CCD."""
    body = "".join(f"<component><section{s}</section></component>" for s in sections)
    (tmp_path / "ccd.xml").write_text(CCD.format(sections=body))
    report = check(scan_folder(tmp_path), load_manifest("general"), as_of=AS_OF)
    result = next(r for r in report.results if r.requirement.id == "medications")
    return result.status, dict(result.params)


@pytest.mark.parametrize(
    "medications",
    [
        "><title>Medications</title>",
        "><title>Medications</title><text/>",
        ' nullFlavor="NI"><title>Medications</title>',
        "><title>Medications</title>" + MED_TABLE.format(rows=""),
    ],
    ids=["no-text", "empty-text", "null-flavor", "header-row-only"],
)
@pytest.mark.parametrize(
    "next_title", ["Resolved Problems", "Advance Directives", "Visit diagnoses"]
)
def test_a_ccd_medications_section_with_no_entries_is_empty_whatever_follows(
    tmp_path: Path, medications: str, next_title: str
) -> None:
    status, params = ccd_item(
        tmp_path,
        ">" + ALLERGY_SECTION,
        medications,
        f"><title>{next_title}</title><text><list><item>Appendicitis 1990</item></list></text>",
    )
    assert status == "incomplete"
    assert (params["section"], params["heading"], params["says"]) == (
        "medications",
        "Medications",
        "",
    )


def test_a_ccd_table_with_one_unknown_cell_or_an_allergen_column_counts(tmp_path: Path) -> None:
    rows = LETROZOLE_ROW.replace("10/2026", "Not available")
    allergen_table = ALLERGY_SECTION.replace("Substance", "Allergen")
    status, _ = ccd_item(
        tmp_path,
        ">" + allergen_table,
        "><title>Medications</title>" + MED_TABLE.format(rows=rows),
    )
    assert status == "met"


def test_a_ccd_section_made_of_subsections_holds_what_they_hold(tmp_path: Path) -> None:
    nested = (
        "><title>Medications</title><component><section><title>Current Medications</title>"
        + MED_TABLE.format(rows=LETROZOLE_ROW)
        + "</section></component>"
    )
    status, _ = ccd_item(tmp_path, ">" + ALLERGY_SECTION, nested)
    assert status == "met"
