"""Acceptance tests: scan and check on realistic folders nobody here wrote for the scanners.

The folders (``tests/acceptance_folders.py``) are built once per session and
scanned once per folder; each test asserts what a patient reading the report
would notice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordpack.cli.base import main
from recordpack.identity import NameMatch, compare_names, find_mismatches, parse_name
from tests.acceptance_folders import (
    broken_files_prostate,
    clean_breast,
    lung_without_pathology,
    misfiled_colorectal,
)

KINDS = {
    "pathology_report",
    "imaging_study",
    "imaging_report",
    "lab_result",
    "genomic_report",
    "clinical_note",
    "operative_report",
    "treatment_plan",
    "medication_list",
    "discharge_summary",
    "patient_summary",
    "administrative",
    "other",
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="session")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("acceptance")
    colorectal, misfiled = misfiled_colorectal(root)
    return {
        "breast": clean_breast(root),
        "colorectal": colorectal,
        "misfiled": misfiled,
        "lung": lung_without_pathology(root),
        "prostate": broken_files_prostate(root),
    }


_scans: dict[str, dict[str, Any]] = {}


def scan_json(folder: Path) -> dict[str, Any]:
    key = str(folder)
    if key not in _scans:
        code, out = run("scan", str(folder), "--json", "-q")
        assert code == 0
        _scans[key] = json.loads(out)
    return _scans[key]


def by_file(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f: r for r in doc["records"] for f in r["files"]}


# --- the KINDS.md contract ---------------------------------------------------


@pytest.mark.parametrize("name", ["breast", "colorectal", "lung", "prostate"])
def test_scan_json_follows_the_contract(folders: dict[str, Any], name: str) -> None:
    doc = scan_json(folders[name])
    assert doc["version"] == 1 and doc["root"] == str(folders[name])
    for record in doc["records"]:
        assert record["kind"] in KINDS
        assert {"kind", "title", "date", "files", "patient", "confidence", "evidence"} <= set(
            record
        )
        assert set(record["patient"]) >= {"name", "birth_date", "id"}
        assert record["date"] is None or len(record["date"]) == 10
        assert all("\\" not in f and not f.startswith("/") for f in record["files"])
    for problem in doc["problems"]:
        assert {"path", "code", "message"} <= set(problem)


# --- names written many ways are one person -----------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("OBRIENSMITH^MARYKATE", "O'BRIEN-SMITH, MARY-KATE"),
        ("OBRIENSMITH^MARYKATE", "Mary Kate O'Brien Smith"),
        ("Ms. M. O'Brien-Smith", "OBRIENSMITH^MARYKATE"),
        ("NUNEZ^JOSE", "Núñez, José"),
        ("VANDERBERG^ANNA", "Anna van der Berg"),
    ],
)
def test_compound_names_written_as_one_word_are_the_same_person(a: str, b: str) -> None:
    assert compare_names(parse_name(a), parse_name(b)) is NameMatch.SAME


def test_a_relative_with_the_same_compound_surname_is_still_another_person() -> None:
    assert (
        compare_names(parse_name("OBRIENSMITH^SEAN"), parse_name("O'Brien-Smith, Mary-Kate"))
        is NameMatch.DIFFERENT
    )


def test_clean_folder_has_one_patient_and_no_mismatch(folders: dict[str, Any]) -> None:
    folder = folders["breast"]
    code, out = run("scan", str(folder), "-q")
    assert "more than one person" not in out
    assert "Patient: O'BRIEN-SMITH, MARY-KATE, born 1968-06-19" in out
    code, out = run("check", str(folder), "-m", "breast", "--as-of", "2025-05-01", "--json")
    report = json.loads(out)
    assert [f for f in report["findings"] if f["code"] == "patient_mismatch"] == []
    assert report["ok"] is True and code == 0
    code, text = run("check", str(folder), "-m", "breast", "--as-of", "2025-05-01")
    # The folder's patient is named with the punctuation the records use.
    assert "The records are about O'BRIEN-SMITH, MARY-KATE" in text


def test_clean_folder_kinds_and_dates(folders: dict[str, Any]) -> None:
    records = by_file(scan_json(folders["breast"]))
    expected = {
        "MyChart/Pathology report(2).pdf": ("pathology_report", "2025-03-11"),
        "MyChart/Imaging/MG DIAG BILAT.pdf": ("imaging_report", "2025-02-24"),
        "Scans/scan0001.pdf": ("clinical_note", "2025-03-20"),  # faxed, read by OCR
        "Downloads/labs_2025-03-05.txt": ("lab_result", "2025-03-05"),
        "Downloads/Medications.txt": ("medication_list", "2025-03-20"),
    }
    if "Scans/scan0001.pdf" not in records:
        expected.pop("Scans/scan0001.pdf")  # no tesseract here
    for path, (kind, date) in expected.items():
        assert (records[path]["kind"], records[path]["date"]) == (kind, date), path
    studies = [r for r in scan_json(folders["breast"])["records"] if r["kind"] == "imaging_study"]
    # One study, though its second series lies on another folder of the disc.
    assert len(studies) == 1 and len(studies[0]["files"]) == 2
    assert any("DISC 2/" in f for f in studies[0]["files"])


# --- a relative's report misfiled ---------------------------------------------


def test_misfiled_report_of_a_relative_is_flagged_alone(folders: dict[str, Any]) -> None:
    code, out = run(
        "check", str(folders["colorectal"]), "-m", "colorectal", "--as-of", "2025-03-20", "--json"
    )
    report = json.loads(out)
    flagged = [f["paths"] for f in report["findings"] if f["code"] == "patient_mismatch"]
    assert flagged == [[folders["misfiled"]]]
    assert code == 1


def test_a_relatives_report_is_not_blamed_for_what_it_does_not_say(
    folders: dict[str, Any],
) -> None:
    _, out = run(
        "check", str(folders["colorectal"]), "-m", "colorectal", "--as-of", "2025-03-20", "--json"
    )
    ras = next(r for r in json.loads(out)["requirements"] if r["id"] == "ras_braf")
    # Carmen's skin biopsy says nothing of KRAS: it is no reason for the gap.
    assert "another patient" not in json.dumps(ras)


def test_accented_name_is_shown_as_written(folders: dict[str, Any]) -> None:
    _, text = run("check", str(folders["colorectal"]), "-m", "colorectal", "--as-of", "2025-03-20")
    assert "The records are about NÚÑEZ, JOSÉ" in text


def test_uk_repeat_prescription_reads_dates_day_first(folders: dict[str, Any]) -> None:
    record = by_file(scan_json(folders["colorectal"]))["Bloods/repeat prescription.txt"]
    assert record["kind"] == "medication_list"
    assert record["date"] == "2025-03-01"  # "Printed 01/03/2025" in an NHS repeat list
    assert record["patient"]["birth_date"] == "1959-07-12"


# --- missing pathology ---------------------------------------------------------


def test_missing_pathology_is_reported_with_exit_1(folders: dict[str, Any]) -> None:
    code, out = run("check", str(folders["lung"]), "-m", "lung", "--as-of", "2025-04-20", "--json")
    report = json.loads(out)
    status = {r["id"]: r["status"] for r in report["requirements"]}
    assert status["pathology"] == "missing"
    assert code == 1 and report["ok"] is False
    assert not [f for f in report["findings"] if f["code"] == "patient_mismatch"]


def test_australian_report_dates_are_day_first(folders: dict[str, Any]) -> None:
    record = by_file(scan_json(folders["lung"]))["Radiology/PET CT report.pdf"]
    assert record["date"] == "2025-04-09"  # "Study date: 09/04/2025", UR number


def test_scan_shows_a_dicom_name_as_a_person_writes_it(folders: dict[str, Any]) -> None:
    _, out = run("scan", str(folders["lung"]), "-q")
    assert "^" not in out.splitlines()[1]


def test_next_step_command_can_be_copied(folders: dict[str, Any]) -> None:
    _, text = run("check", str(folders["lung"]), "-m", "lung", "--as-of", "2025-04-20")
    # Quoted (the folder name has spaces) and on one line, so it can be pasted.
    expected = f"recordpack check '{folders['lung']}' -m lung"
    assert any(line.strip() == expected for line in text.splitlines()), text


# --- broken files --------------------------------------------------------------


def test_broken_files_each_get_a_plain_problem(folders: dict[str, Any]) -> None:
    doc = scan_json(folders["prostate"])
    codes = {p["path"]: p["code"] for p in doc["problems"]}
    assert codes["Downloads/MRI prostate report.pdf"] == "unreadable"
    assert codes["Downloads/Bone scan report (protected).pdf"] == "encrypted"
    assert codes["Downloads/Consult note.pdf"] == "unreadable"
    assert codes["MRI disc/DICOM/00000001"] == "unreadable"
    # A Word letter is read (docs/formats.md); a HEIC photo that does not decode is unreadable.
    assert "Letters/urology consult.docx" not in codes
    assert codes["Photos/IMG_4021.HEIC"] == "unreadable"
    heic = next(p for p in doc["problems"] if p["path"].endswith(".HEIC"))
    assert heic.get("hint")
    # The good records are still read.
    records = by_file(doc)
    assert records["Letters/urology consult.docx"]["format"] == "docx"
    assert records["Pathology/Prostate biopsy pathology.pdf"]["kind"] == "pathology_report"
    assert (
        records["Downloads/HealthSummary_Jan_20_2025.zip!HealthSummary/Document_1.xml"]["kind"]
        == "patient_summary"
    )


def test_check_says_each_thing_to_do_once(folders: dict[str, Any]) -> None:
    _, text = run("check", str(folders["prostate"]), "-m", "prostate", "--as-of", "2025-02-01")
    flat = " ".join(text.split())
    assert flat.count("without a password") == 1
    assert "(The file is empty" not in flat and "incomplete.)" not in flat
    assert "the file is empty (0 bytes)" in flat


def test_find_mismatches_on_scan_records_is_stable(folders: dict[str, Any]) -> None:
    from recordpack import scan_folder

    consensus = find_mismatches(scan_folder(folders["breast"]).records)
    assert consensus.mismatches == ()
