"""A status a document states in its own header counts, whatever the file.

"*** PRELIMINARY REPORT - NOT FINAL ***" above a pathology report makes it
preliminary; "THIS REPORT WAS ENTERED IN ERROR" withdraws it; a sentence of the
body that mentions an earlier preliminary report, or a heading "FINAL REPORT",
says nothing. Every patient here is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack.checking import check
from recordpack.manifest import load_manifest
from recordpack.model import Record
from recordpack.scan import scan_folder
from tests.acceptance_folders import text_pdf
from tests.docx_heic_files import docx_bytes

AS_OF = dt.date(2026, 11, 30)
REPORT = [
    "SURGICAL PATHOLOGY REPORT",
    "Harrowgate Regional Hospital, Department of Pathology",
    "Patient: Vellacott, Ysolde   DOB: 02/19/1966   MRN: HR0093318",
    "Accession: HR26-05521   Collected: 10/14/2026   Received: 10/14/2026",
    "SPECIMEN: Left breast, 2:00, ultrasound-guided core biopsy",
    "FINAL DIAGNOSIS:",
    "Invasive ductal carcinoma, grade 2. ER positive (95%), PR positive (60%), "
    "HER2 negative (IHC 1+).",
    "GROSS DESCRIPTION: Three tan cores, 1.2 cm aggregate.",
    "Electronically signed by: Tamsin Orrick, MD, Pathologist 10/16/2026",
]


def write(folder: Path, lines: list[str], suffix: str) -> None:
    target = folder / f"path_report{suffix}"
    if suffix == ".pdf":
        text_pdf(target, lines)
    elif suffix == ".docx":
        target.write_bytes(docx_bytes(lines))
    else:
        target.write_text("\n".join(lines) + "\n")


def scanned(folder: Path, lines: list[str], suffix: str = ".txt") -> tuple[Record, str]:
    """The report's record and the status of the pathology item in the general check."""
    write(folder, lines, suffix)
    scan = scan_folder(folder)
    (record,) = [r for r in scan.records if r.kind == "pathology_report"]
    report = check(scan, load_manifest("general"), as_of=AS_OF)
    return record, next(r.status for r in report.results if r.requirement.id == "pathology")


STATED = {
    "entered in error banner": ("*** THIS REPORT WAS ENTERED IN ERROR AND HAS BEEN RETRACTED. "
                                "DO NOT USE. ***", "entered_in_error", "missing"),
    "preliminary banner": ("*** PRELIMINARY REPORT - NOT FINAL ***", "preliminary", "incomplete"),
    "cancelled banner": ("REPORT CANCELLED", "cancelled", "missing"),
    "superseded by a corrected report": (
        "THIS REPORT HAS BEEN SUPERSEDED BY A CORRECTED REPORT", "superseded", "missing"),
    "a corrected report replaces this one": (
        "NOTE: A corrected report replaces this one.", "superseded", "missing"),
    "status field": ("Report status: Preliminary", "preliminary", "incomplete"),
}


@pytest.mark.parametrize("case", list(STATED))
def test_a_status_stated_in_the_header_is_the_records(tmp_path: Path, case: str) -> None:
    line, status, item = STATED[case]
    record, pathology = scanned(tmp_path, [line, *REPORT])
    assert record.status == status
    assert any(line in e for e in record.evidence)
    assert pathology == item


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_a_pdf_or_word_report_marked_preliminary_is_not_final(tmp_path: Path,
                                                               suffix: str) -> None:
    record, pathology = scanned(tmp_path, ["*** PRELIMINARY REPORT - NOT FINAL ***", *REPORT],
                                suffix)
    assert record.status == "preliminary"
    assert pathology == "incomplete"


def test_a_status_after_the_title_counts(tmp_path: Path) -> None:
    record, pathology = scanned(tmp_path, ["SURGICAL PATHOLOGY REPORT (PRELIMINARY)",
                                           *REPORT[1:]])
    assert record.status == "preliminary"
    assert pathology == "incomplete"


SAYS_NOTHING = {
    "final report heading": ["FINAL REPORT", *REPORT],
    "amended report heading": ["AMENDED REPORT", *REPORT],
    "corrected report that replaces an earlier one": [
        "CORRECTED REPORT - REPLACES THE REPORT OF 10/16/2026", *REPORT],
    "body sentence about an earlier preliminary report": [
        *REPORT[:5], "A preliminary report was issued on 10/15/2026; this final report "
        "supersedes it.", *REPORT[5:]],
    "final status field": [*REPORT[:4], "Report status: Final", *REPORT[4:]],
}


@pytest.mark.parametrize("case", list(SAYS_NOTHING))
def test_a_final_report_mentioning_other_statuses_still_counts(tmp_path: Path,
                                                               case: str) -> None:
    record, pathology = scanned(tmp_path, SAYS_NOTHING[case])
    assert record.status is None
    assert pathology == "met"
