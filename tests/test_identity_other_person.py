"""Another person's record in a folder is flagged: patient lines in unusual
layouts, Word page headers, middle initials, unambiguous birth dates, FHIR
bundles with two patients, and texts that hold two people's records."""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from pathlib import Path

import pytest

from recordpack.checking import CheckReport, check
from recordpack.classify import find_patient
from recordpack.manifest import load_manifest
from recordpack.scan import scan_folder

TODAY = date(2026, 11, 30)

#: The folder's patient (invented), and another invented person.
OWN = "QUINTAVALLE, ROSAMUND E"
OWN_DOB = "07/22/1959"
OTHER = "BRACKENRIDGE, OSWIN P"
OTHER_DOB = "02/19/1951"

_NOTE = """HARBOR ONCOLOGY GROUP
ONCOLOGY FOLLOW-UP NOTE

PATIENT: {name}
DOB: {dob}
Date of service: 11/20/2026

HISTORY OF PRESENT ILLNESS:
Left breast invasive ductal carcinoma, on letrozole.

ASSESSMENT AND PLAN:
Continue letrozole. Return to clinic in 3 months.
"""

_LABS = """HARBOR ONCOLOGY LABORATORY
LABORATORY REPORT

Patient Name: {name}
DOB: {dob}
Collected: 11/20/2026

Test            Result    Units      Reference range
WBC             6.1       x10^3/uL   4.0-11.0
Hemoglobin      13.2      g/dL       12.0-16.0
Platelets       250       x10^3/uL   150-400
"""

_PATHOLOGY_BODY = """Accession #: S26-40417
Collected: 08/28/2026
Reported: 09/02/2026

SPECIMEN: Left breast, 2:00, ultrasound-guided core needle biopsy

FINAL DIAGNOSIS:
Left breast, core biopsy: Invasive ductal carcinoma, Nottingham grade 2.

GROSS DESCRIPTION:
Received in formalin are four tan-white cores of tissue.

IMMUNOHISTOCHEMISTRY:
Estrogen receptor (ER): POSITIVE, 95%, strong.
Progesterone receptor (PR): POSITIVE, 40%, moderate.
HER2 (IHC): NEGATIVE (1+).

Pathologist: Amadeo Fennimore, MD
"""

_PATHOLOGY_HEAD = """NORTHBROOK REGIONAL MEDICAL CENTER - DEPARTMENT OF PATHOLOGY
SURGICAL PATHOLOGY REPORT

"""


def _pathology(patient_lines: str) -> str:
    return _PATHOLOGY_HEAD + patient_lines + "\n" + _PATHOLOGY_BODY


def _folder(tmp_path: Path, dob: str = OWN_DOB) -> Path:
    root = tmp_path / "records"
    root.mkdir()
    (root / "note.txt").write_text(_NOTE.format(name=OWN, dob=dob))
    (root / "labs.txt").write_text(_LABS.format(name=OWN, dob=dob))
    return root


def _check(root: Path) -> CheckReport:
    return check(scan_folder(root), load_manifest("breast"), as_of=TODAY)


def _flagged(report: CheckReport) -> list[tuple[str, ...]]:
    return [f.paths for f in report.findings if f.code == "patient_mismatch"]


# --------------------------------------------------------------------------- patient lines

OTHER_PATIENT_LINES = [
    f"Name/DOB: {OTHER}  {OTHER_DOB}",
    f"Name {OTHER}          Sex M     Age 75",
    "Patient - Oswin P Brackenridge (75 y/o M)",
    f"Patient Name / MRN: {OTHER}   NRMC-0031166",
    f"Pt \u2013 {OTHER}",
]


@pytest.mark.parametrize("line", OTHER_PATIENT_LINES)
def test_another_persons_pathology_report_is_flagged_whatever_its_patient_line(
    tmp_path: Path, line: str
) -> None:
    root = _folder(tmp_path)
    (root / "pathology.txt").write_text(_pathology(line))
    report = _check(root)
    assert _flagged(report) == [("pathology.txt",)]
    assert report.result("pathology").status != "met"
    assert not report.ok


def test_the_folders_own_report_in_those_layouts_is_not_flagged(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    (root / "pathology.txt").write_text(_pathology(f"Name/DOB: {OWN}  {OWN_DOB}"))
    report = _check(root)
    assert _flagged(report) == []
    assert report.result("pathology").status == "met"


def test_name_and_birth_date_on_one_slash_label() -> None:
    patient = find_patient(f"Name/DOB: {OTHER}  {OTHER_DOB}\n", today=TODAY)
    assert (patient.name, patient.birth_date) == (OTHER, "1951-02-19")


@pytest.mark.parametrize(
    "line",
    [
        "Name  Northbrook Regional Medical Center",
        "Patient - Dr. Amadeo Fennimore",
        "Name Tylenol 500 mg tablet",
        "RE: Referral for second opinion",
        "Patient-reported outcome measures reviewed",
    ],
)
def test_labels_without_a_persons_name_give_no_patient(line: str) -> None:
    assert find_patient(line + "\n", today=TODAY).name is None


# --------------------------------------------------------------------------- Word headers


def _docx_with_header(header: str, body: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    for line in body:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_reports_patient_line_in_its_page_header_is_read(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    header = f"Patient: {OTHER}   DOB: {OTHER_DOB}   MRN: NRMC-0031166"
    body = _pathology("").splitlines()
    (root / "path_report.docx").write_bytes(_docx_with_header(header, body))
    scan = scan_folder(root)
    record = next(r for r in scan.records if r.files == ("path_report.docx",))
    assert record.kind == "pathology_report"
    assert (record.patient.name, record.patient.birth_date) == (OTHER, "1951-02-19")
    report = check(scan, load_manifest("breast"), as_of=TODAY)
    assert _flagged(report) == [("path_report.docx",)]
    assert not report.ok


# --------------------------------------------------------------------------- identity


def test_another_middle_initial_raises_a_doubt(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    (root / "pathology.txt").write_text(_pathology("Patient Name: QUINTAVALLE, ROSAMUND T"))
    report = _check(root)
    mismatches = [f for f in report.findings if f.code == "patient_mismatch"]
    assert [f.paths for f in mismatches] == [("pathology.txt",)]
    assert mismatches[0].params["near"] is True
    assert not report.ok


def test_an_unambiguous_birth_date_is_not_read_with_day_and_month_swapped(
    tmp_path: Path,
) -> None:
    # The folder's records say 05/11/1963 in documents whose own dates (11/20/2026)
    # show they write month first: 11 May. The report's ISO date is 5 November.
    root = _folder(tmp_path, dob="05/11/1963")
    (root / "pathology.txt").write_text(_pathology(f"Patient Name: {OWN}\nDOB: 1963-11-05"))
    report = _check(root)
    mismatches = [f for f in report.findings if f.code == "patient_mismatch"]
    assert [f.paths for f in mismatches] == [("pathology.txt",)]
    assert mismatches[0].params["differs"] == ["birth_date"]
    assert not report.ok


def test_a_letter_that_could_be_read_either_way_still_agrees(tmp_path: Path) -> None:
    # A short letter whose only dates read both ways (05/11/1963, 03/04/2026) is
    # not flagged against an ISO 1963-11-05: it may well be written day first.
    root = tmp_path / "records"
    root.mkdir()
    (root / "pathology.txt").write_text(_pathology(f"Patient Name: {OWN}\nDOB: 1963-11-05"))
    (root / "letter.txt").write_text(
        f"HARBOR ONCOLOGY GROUP\nDear Dr. Fennimore,\nRE: {OWN}   DOB: 05/11/1963\n"
        "I saw your patient in clinic on 03/04/2026. Thank you for referring her.\n"
    )
    report = _check(root)
    assert _flagged(report) == []
    assert report.patient_birth_date == "1963-11-05"


# --------------------------------------------------------------------------- two people


def _fhir_patient(pid: str, family: str, given: list[str], born: str) -> dict[str, object]:
    return {
        "fullUrl": f"urn:uuid:{pid}",
        "resource": {
            "resourceType": "Patient", "id": pid, "birthDate": born,
            "name": [{"family": family, "given": given}],
        },
    }  # fmt: skip


def test_a_fhir_bundle_holding_another_patient_is_flagged(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    report_text = base64.b64encode(_pathology("").encode()).decode()
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "60567-5"}]},
        "subject": {"reference": "urn:uuid:p1"},
        "effectiveDateTime": "2026-08-28",
        "presentedForm": [{"contentType": "text/plain", "data": report_text}],
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            _fhir_patient("p2", "Brackenridge", ["Oswin", "P"], "1951-02-19"),
            _fhir_patient("p1", "Quintavalle", ["Rosamund", "E"], "1959-07-22"),
            {"fullUrl": "urn:uuid:r1", "resource": report},
        ],
    }
    (root / "bundle.json").write_text(json.dumps(bundle))
    scan = scan_folder(root)
    named = {r.patient.name for r in scan.records if r.files == ("bundle.json",)}
    assert "Brackenridge, Oswin P" in named
    checked = check(scan, load_manifest("breast"), as_of=TODAY)
    assert _flagged(checked) == [("bundle.json",)]
    assert not checked.ok


def test_a_fax_cover_for_one_patient_before_anothers_report(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    cover = (
        "FAX COVER SHEET\nTo: Harbor Oncology Group    Fax: (555) 011-3378\n"
        f"RE: {OWN}   DOB: {OWN_DOB}\nPages: 2 (including cover)\n\n"
    )
    own_lines = f"Patient Name: {OTHER}\nDOB: {OTHER_DOB}\nMRN: NRMC-0031166"
    (root / "pathology.txt").write_text(cover + _pathology(own_lines))
    scan = scan_folder(root)
    record = next(r for r in scan.records if r.files == ("pathology.txt",))
    # One person's fields, never one's name with the other's birth date or number.
    assert (record.patient.name, record.patient.birth_date, record.patient.id) == (
        OTHER, "1951-02-19", "NRMC-0031166",
    )  # fmt: skip
    report = check(scan, load_manifest("breast"), as_of=TODAY)
    assert _flagged(report) == [("pathology.txt",)]
    assert report.result("pathology").status != "met"


def test_a_file_holding_two_peoples_reports_is_flagged(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    first = _pathology(f"Patient Name: {OWN}\nDOB: {OWN_DOB}")
    second = _pathology(f"Patient Name: {OTHER}\nDOB: {OTHER_DOB}")
    (root / "path_reports.txt").write_text(first + "\n\f\n" + second)
    report = _check(root)
    mismatches = [f for f in report.findings if f.code == "patient_mismatch"]
    assert [f.paths for f in mismatches] == [("path_reports.txt",)]
    assert "BRACKENRIDGE" in str(mismatches[0].params["found"]["name"])
    assert report.result("pathology").status != "met"


def test_the_second_person_is_marked_as_such_for_renderers(tmp_path: Path) -> None:
    from recordpack.identity import find_mismatches

    root = _folder(tmp_path)
    first = _pathology(f"Patient Name: {OWN}\nDOB: {OWN_DOB}")
    second = _pathology(f"Patient Name: {OTHER}\nDOB: {OTHER_DOB}")
    (root / "path_reports.txt").write_text(first + "\n\f\n" + second)
    (mismatch,) = find_mismatches(scan_folder(root).records).mismatches
    assert mismatch.second_person
    assert mismatch.record.patient.name == OWN
