"""A status field anywhere in a report's header block counts, not only alone on its line.

Lab systems print "Report Status: PRELIMINARY" in the right column of a two-column
header, or on one row with other fields ("Accession: S26-11873   Report Status:
PRELIMINARY"). Either way the report is preliminary and the pathology item is
``incomplete``; a body sentence, or a final status on the same row, says nothing.
Every patient here is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fpdf import FPDF

from recordpack.checking import check
from recordpack.manifest import load_manifest
from recordpack.model import Record
from recordpack.scan import scan_folder

AS_OF = dt.date(2026, 11, 30)
TITLE = "SURGICAL PATHOLOGY REPORT"
PATIENT = ["Patient: Quillfeather, Odile", "DOB: 03/08/1971", "MRN: QF4410027"]
BODY = [
    "SPECIMEN: Right breast, 10:00, core biopsy",
    "FINAL DIAGNOSIS:",
    "Invasive ductal carcinoma, grade 2. ER positive (90%), PR positive (35%), "
    "HER2 negative (IHC 1+).",
    "GROSS DESCRIPTION: Three tan cores.",
    "Electronically signed by: Benedikt Haraldsen, MD, Pathologist 10/16/2026",
]


def two_column_pdf(path: Path, left: list[str], right: list[str]) -> None:
    """A report whose header has two columns, the way lab systems print it."""
    pdf = FPDF(format="Letter")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.cell(0, 6, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    top = pdf.get_y()
    pdf.set_xy(10, top)
    pdf.multi_cell(90, 5, "\n".join(left))
    bottom = pdf.get_y()
    pdf.set_xy(110, top)
    pdf.multi_cell(90, 5, "\n".join(right))
    pdf.set_y(max(bottom, pdf.get_y()))
    for line in BODY:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def scanned(folder: Path) -> tuple[Record, str]:
    """The report's record and the status of the pathology item in the general check."""
    scan = scan_folder(folder)
    (record,) = [r for r in scan.records if r.kind == "pathology_report"]
    report = check(scan, load_manifest("general"), as_of=AS_OF)
    return record, next(r.status for r in report.results if r.requirement.id == "pathology")


def test_a_status_in_the_right_column_of_a_two_column_header_counts(tmp_path: Path) -> None:
    two_column_pdf(tmp_path / "path_report.pdf", PATIENT,
                   ["Accession: S26-20417", "Collected: 10/14/2026",
                    "Report Status: PRELIMINARY"])
    record, pathology = scanned(tmp_path)
    assert record.status == "preliminary"
    assert "status field 'Report Status: PRELIMINARY'" in record.evidence
    assert pathology == "incomplete"


ROWS = {
    "after other fields on its row": "Accession: S26-20417   Report Status: PRELIMINARY",
    "between bars": "Accession: S26-20417 | Report Status: Preliminary | Page 1 of 1",
    "label and value in table cells": "Accession  S26-20417  Result status  Not final",
}


@pytest.mark.parametrize("case", list(ROWS))
def test_a_status_field_after_other_fields_on_a_header_row_counts(tmp_path: Path,
                                                                 case: str) -> None:
    lines = [TITLE, "   ".join(PATIENT), "Collected: 10/14/2026", ROWS[case], *BODY]
    (tmp_path / "path_report.txt").write_text("\n".join(lines) + "\n")
    record, pathology = scanned(tmp_path)
    assert record.status == "preliminary"
    assert pathology == "incomplete"


SAYS_NOTHING = {
    "final status on the row": [
        TITLE, "   ".join(PATIENT), "Accession: S26-20417   Report Status: Final", *BODY],
    "a sentence of the header that mentions a status": [
        TITLE, "   ".join(PATIENT),
        "Note: the patient asked about the report status: preliminary results were shared.",
        *BODY],
    "a body row after the first section": [
        TITLE, "   ".join(PATIENT), *BODY[:2], "Carcinoma.   Report status: preliminary", *BODY[2:]],
}


@pytest.mark.parametrize("case", list(SAYS_NOTHING))
def test_no_status_field_in_the_header_block_means_final(tmp_path: Path, case: str) -> None:
    (tmp_path / "path_report.txt").write_text("\n".join(SAYS_NOTHING[case]) + "\n")
    record, pathology = scanned(tmp_path)
    assert record.status is None
    assert pathology == "met"
