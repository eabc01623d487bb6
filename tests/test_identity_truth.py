"""Whose record is it: a name decision never claims more than the records say.

A surname with only an initial, a record naming nobody, a short form of the
given name and an added surname part are each a doubt the person resolves,
never a silent match and never "another person" outright.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest

from recordpack.check_words import finding_message
from recordpack.checking import CheckReport, check
from recordpack.identity import (
    ADDED_NAME,
    GENERATION,
    SHORT_FORM,
    NameMatch,
    compare_names,
    name_doubt,
    parse_name,
)
from recordpack.manifest import load_manifest
from recordpack.scan import scan_folder

TODAY = date(2026, 11, 30)

#: The folder's patient (invented).
OWN = "QUINTAVALLE, ROSAMUND E"
OWN_DOB = "07/22/1959"

_NOTE = """HARBOR ONCOLOGY GROUP
ONCOLOGY FOLLOW-UP NOTE

PATIENT: {name}
DOB: {dob}
MRN: HOG-51200
Date of service: 11/20/2026

HISTORY OF PRESENT ILLNESS:
Left breast invasive ductal carcinoma, on letrozole.

ASSESSMENT AND PLAN:
Continue letrozole. Return to clinic in 3 months.
"""

_LABS_HEAD = """HARBOR ONCOLOGY LABORATORY
LABORATORY REPORT

"""

_LABS_BODY = """Collected: 11/20/2026

Test            Result    Units      Reference range
WBC             6.1       x10^3/uL   4.0-11.0
Hemoglobin      13.2      g/dL       12.0-16.0
Platelets       250       x10^3/uL   150-400
"""

_PATHOLOGY = """NORTHBROOK REGIONAL MEDICAL CENTER - DEPARTMENT OF PATHOLOGY
SURGICAL PATHOLOGY REPORT

{patient}
Accession #: S26-40417
Collected: 08/28/2026
Reported: 09/02/2026

FINAL DIAGNOSIS:
Left breast, core biopsy: Invasive ductal carcinoma, Nottingham grade 2.

GROSS DESCRIPTION:
Received in formalin are four tan-white cores of tissue.

Pathologist: Amadeo Fennimore, MD
"""


def _folder(tmp_path: Path) -> Path:
    """A note that names the patient in full, with her birth date and record number."""
    root = tmp_path / "records"
    root.mkdir()
    (root / "note.txt").write_text(_NOTE.format(name=OWN, dob=OWN_DOB))
    return root


def _labs(patient_lines: str) -> str:
    return _LABS_HEAD + patient_lines + "\n" + _LABS_BODY


def _fhir_pathology(root: Path, family: str, given: list[str], born: str | None) -> None:
    """A FHIR pathology report whose Patient resource says exactly ``family, given``."""
    patient: dict[str, object] = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": family, "given": given}],
    }
    if born:
        patient["birthDate"] = born
    text = base64.b64encode(_PATHOLOGY.format(patient="").encode()).decode()
    report = {
        "resourceType": "DiagnosticReport", "id": "r1", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "60567-5"}]},
        "subject": {"reference": "urn:uuid:p1"}, "effectiveDateTime": "2026-08-28",
        "presentedForm": [{"contentType": "text/plain", "data": text}],
    }  # fmt: skip
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:p1", "resource": patient},
            {"fullUrl": "urn:uuid:r1", "resource": report},
        ],
    }
    (root / "pathology.json").write_text(json.dumps(bundle))


def _check(root: Path) -> CheckReport:
    return check(scan_folder(root), load_manifest("general"), as_of=TODAY)


def _codes(report: CheckReport, path: str) -> list[str]:
    return [f.code for f in report.findings if path in f.paths]


# --------------------------------------------------------------------------- 1. an initial only


def test_a_surname_with_only_an_initial_and_no_birth_date_is_not_taken_as_the_patient(
    tmp_path: Path,
) -> None:
    root = _folder(tmp_path)
    _fhir_pathology(root, "Quintavalle", ["R"], None)
    report = _check(root)
    pathology = report.result("pathology")
    assert pathology.status == "incomplete"
    assert pathology.reason == "unconfirmed_patient"
    (unsure,) = [f for f in report.findings if f.code == "patient_unconfirmed"]
    assert unsure.paths == ("pathology.json",) and unsure.blocks
    message = finding_message(unsure)
    assert "'Quintavalle, R'" in message and "no first name" in message
    assert "a code or a single word" not in message
    assert not report.ok


def test_the_same_initial_with_the_patients_birth_date_counts(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    _fhir_pathology(root, "Quintavalle", ["R"], "1959-07-22")
    report = _check(root)
    assert report.result("pathology").status == "met"
    assert _codes(report, "pathology.json") == []


# --------------------------------------------------------------------------- 2. short forms


@pytest.mark.parametrize(
    ("short", "full"),
    [("Harrowgate, Del", "HARROWGATE^DELPHINE^M"), ("Ros Quintavalle", "QUINTAVALLE, ROSAMUND E")],
)
def test_a_shortened_given_name_is_a_doubt_not_another_person(short: str, full: str) -> None:
    assert name_doubt(parse_name(full), parse_name(short)) == (NameMatch.NEAR, SHORT_FORM)
    assert name_doubt(parse_name(short), parse_name(full)) == (NameMatch.NEAR, SHORT_FORM)


@pytest.mark.parametrize(
    ("nickname", "full"), [("Kate Oduya", "Katherine Oduya"), ("Bill Oduya", "William Oduya")]
)
def test_a_known_nickname_is_still_the_same_person(nickname: str, full: str) -> None:
    assert compare_names(parse_name(full), parse_name(nickname)) is NameMatch.SAME


@pytest.mark.parametrize("other", ["Quintavalle, Rosalind", "Quintavalle, Ro", "Quintavalle, Dan"])
def test_another_given_name_is_still_another_person(other: str) -> None:
    assert compare_names(parse_name(OWN), parse_name(other)) is NameMatch.DIFFERENT


def test_a_report_under_a_short_form_counts_but_asks_to_be_checked(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    _fhir_pathology(root, "Quintavalle", ["Ros"], None)
    report = _check(root)
    (mismatch,) = [f for f in report.findings if f.code == "patient_mismatch"]
    assert mismatch.paths == ("pathology.json",)
    assert mismatch.params["near"] is True
    message = finding_message(mismatch)
    assert "may not be yours" in message and "another person's" not in message
    # A doubt, not another patient: the report is not called missing.
    assert report.result("pathology").status == "met"
    assert not report.ok


# --------------------------------------------------------------------------- 3. added surname part


@pytest.mark.parametrize(
    ("added", "plain"),
    [
        ("Quintavålle-Marsh, Rosamund E", OWN),
        ("Garcia Lopez, Maria", "GARCIA^MARIA"),
        ("GARCIA LOPEZ^MARIA", "Maria Garcia"),
    ],
)
def test_an_added_surname_part_is_a_doubt(added: str, plain: str) -> None:
    assert name_doubt(parse_name(plain), parse_name(added)) == (NameMatch.NEAR, ADDED_NAME)
    assert name_doubt(parse_name(added), parse_name(plain)) == (NameMatch.NEAR, ADDED_NAME)


@pytest.mark.parametrize(
    "middle", ["Margaret Anne Thompson", "Thompson, Margaret Anne", "THOMPSON^MARGARET^ANNE"]
)
def test_a_middle_name_written_out_is_still_the_same_person(middle: str) -> None:
    assert compare_names(parse_name("Margaret Thompson"), parse_name(middle)) is NameMatch.SAME


def test_a_report_under_a_double_surname_is_not_a_silent_match(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    (root / "labs.txt").write_text(_labs(f"Patient Name: {OWN}\nDOB: {OWN_DOB}"))
    (root / "pathology.txt").write_text(
        _PATHOLOGY.format(patient="Patient Name: Quintavålle-Marsh, Rosamund E")
    )
    report = _check(root)
    (mismatch,) = [f for f in report.findings if f.code == "patient_mismatch"]
    assert mismatch.paths == ("pathology.txt",)
    assert mismatch.params["near"] is True and mismatch.blocks
    assert not report.ok


# --------------------------------------------------------------------------- 4. nobody named


def test_a_lab_report_that_names_nobody_is_not_counted_as_the_patients(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    (root / "labs.txt").write_text(_labs("MRN: GH-90417"))
    report = _check(root)
    labs = report.result("recent_labs")
    assert labs.status == "incomplete"
    assert labs.reason == "unconfirmed_patient"
    assert labs.unconfirmed == ("labs.txt",)
    (unsure,) = [f for f in report.findings if f.code == "patient_unconfirmed"]
    assert unsure.paths == ("labs.txt",)
    assert "found no patient name" in finding_message(unsure)
    assert not report.ok


@pytest.mark.parametrize("line", [f"DOB: {OWN_DOB}", "MRN: HOG-51200"])
def test_a_lab_report_with_the_patients_birth_date_or_number_counts(
    tmp_path: Path, line: str
) -> None:
    root = _folder(tmp_path)
    (root / "labs.txt").write_text(_labs(line))
    report = _check(root)
    assert report.result("recent_labs").status == "met"
    assert _codes(report, "labs.txt") == []


# --------------------------------------------------------------------------- 5. generations

#: A father and son (invented) whose names differ only by the suffix.
_SON = "Pennyfeather, Oswin Jr"
_SON_DOB = "03/02/1979"


def _generations(tmp_path: Path, note_name: str, note_dob: str) -> CheckReport:
    """The son's pathology report (name, birth date) beside a note under ``note_name``."""
    root = tmp_path / "records"
    root.mkdir()
    (root / "pathology.txt").write_text(
        _PATHOLOGY.format(patient=f"Patient: {_SON}   DOB: {_SON_DOB}   MRN: KB0045521")
    )
    note = _NOTE.format(name=note_name, dob=note_dob).replace("MRN: HOG-51200\n", "")
    (root / "note.txt").write_text(note)
    return _check(root)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Pennyfeather, Oswin Jr", "Oswin Pennyfeather Sr."),
        ("Oswin Pennyfeather Junior", "OSWIN PENNYFEATHER SENIOR"),
        ("PENNYFEATHER^OSWIN^^^III", "Oswin Pennyfeather II"),
        ("Oswin Pennyfeather IV", "Pennyfeather, Oswin 3rd"),
    ],
)
def test_different_generational_suffixes_are_different_people(one: str, other: str) -> None:
    assert compare_names(parse_name(one), parse_name(other)) is NameMatch.DIFFERENT
    assert compare_names(parse_name(other), parse_name(one)) is NameMatch.DIFFERENT


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Oswin Pennyfeather Junior", "Pennyfeather, Oswin Jr."),
        ("Oswin Pennyfeather 3rd", "PENNYFEATHER^OSWIN^^^III"),
    ],
)
def test_one_suffix_written_two_ways_is_the_same_person(one: str, other: str) -> None:
    assert compare_names(parse_name(one), parse_name(other)) is NameMatch.SAME


def test_a_suffix_on_one_name_only_is_a_doubt() -> None:
    plain, senior = parse_name("Oswin Pennyfeather"), parse_name("Pennyfeather, Oswin Sr")
    assert name_doubt(plain, senior) == (NameMatch.NEAR, GENERATION)
    assert name_doubt(senior, plain) == (NameMatch.NEAR, GENERATION)


def test_a_note_about_the_father_is_another_persons_record(tmp_path: Path) -> None:
    report = _generations(tmp_path, "Oswin Pennyfeather Sr.", "")
    (mismatch,) = [f for f in report.findings if f.code == "patient_mismatch"]
    assert mismatch.paths == ("note.txt",)
    assert mismatch.params["near"] is False and mismatch.blocks
    assert "another person's" in finding_message(mismatch)
    assert report.result("clinic_notes").status != "met"
    assert not report.ok


def test_a_note_without_the_suffix_or_a_birth_date_asks_to_be_checked(tmp_path: Path) -> None:
    report = _generations(tmp_path, "Oswin Pennyfeather", "")
    (mismatch,) = [f for f in report.findings if f.code == "patient_mismatch"]
    assert mismatch.paths == ("note.txt",)
    assert mismatch.params["near"] is True
    assert "may not be yours" in finding_message(mismatch)
    assert not report.ok


def test_a_note_without_the_suffix_but_with_the_birth_date_counts(tmp_path: Path) -> None:
    report = _generations(tmp_path, "Oswin Pennyfeather", _SON_DOB)
    assert _codes(report, "note.txt") == []
    assert report.result("clinic_notes").status == "met"


def test_an_initial_that_fits_no_given_name_is_another_person_with_a_double_surname_too() -> None:
    from recordpack.identity import NameMatch, compare_names, parse_name

    patient = parse_name("Quenby-Atwater, Marisol")
    assert compare_names(parse_name("J. Quenby-Atwater"), patient) is NameMatch.DIFFERENT
    assert compare_names(parse_name("M. Quenby-Atwater"), patient) is not NameMatch.DIFFERENT
    assert compare_names(parse_name("M. Thompson"), parse_name("John Thompson")) is NameMatch.DIFFERENT
