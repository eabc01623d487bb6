"""A folder's date order: a UK folder's ambiguous dates are read day first.

Each test writes a folder of plain-text letters and reports for invented
patients and runs the real scanner over it. A report whose only date is
03/04/2025 says nothing of how it writes dates; the folder it sits in does.
"""

from __future__ import annotations

from pathlib import Path

from recordpack.classify import DAY_FIRST, MONTH_FIRST, classify_text
from recordpack.model import Record
from recordpack.scan import scan_folder
from recordpack.scan.dates import FOLDER_EVIDENCE

#: Clinic letters that can only be read one way: (file name, clinic date).
UK_LETTERS = [
    ("letter-1.txt", "23/01/2025"),
    ("letter-2.txt", "14/02/2025"),
    ("letter-3.txt", "17/03/2025"),
    ("letter-4.txt", "28/03/2025"),
]
US_LETTERS = [
    ("letter-1.txt", "01/23/2025"),
    ("letter-2.txt", "02/14/2025"),
    ("letter-3.txt", "03/17/2025"),
    ("letter-4.txt", "03/28/2025"),
]

LETTER = """CLINIC LETTER
Patient: Imogen Fairweather   DOB: {dob}
Clinic date: {date}
Dear Doctor,
I saw Mrs Fairweather in the breast clinic today to discuss her results and
the plan of treatment. She is well and keen to go ahead with surgery.
Yours sincerely,
Oncology clinic
"""

#: Only ambiguous dates and no sign of where it comes from.
AMBIGUOUS_REPORT = """CT CHEST ABDOMEN PELVIS WITH CONTRAST
Patient: Imogen Fairweather   DOB: 05/06/1960
Date of exam: 03/04/2025
FINDINGS: No enlarged lymph nodes. The liver is normal. No bone lesion.
IMPRESSION: No evidence of metastatic disease.
"""


def write_folder(root: Path, letters: list[tuple[str, str]]) -> Path:
    # Every paper writes the birth date as the CT report does: 05/06/1960.
    for name, date in letters:
        (root / name).write_text(LETTER.format(date=date, dob="05/06/1960"), encoding="utf-8")
    (root / "ct-report.txt").write_text(AMBIGUOUS_REPORT, encoding="utf-8")
    return root


def ct_record(root: Path) -> Record:
    records = [r for r in scan_folder(root).records if r.files == ("ct-report.txt",)]
    assert len(records) == 1
    return records[0]


def test_the_ambiguous_report_reads_like_its_uk_folder(tmp_path: Path) -> None:
    record = ct_record(write_folder(tmp_path, UK_LETTERS))
    assert record.kind == "imaging_report"
    assert record.date == "2025-04-03"  # 3 April, not 4 March
    assert record.patient.birth_date == "1960-06-05"  # the same birth date as the letters
    assert FOLDER_EVIDENCE in record.evidence
    # The evidence names the date as it now reads, not as it was first read.
    assert not any("2025-03-04" in line for line in record.evidence)
    assert record.date_order == DAY_FIRST


def test_the_uk_letters_keep_their_own_dates(tmp_path: Path) -> None:
    scan = scan_folder(write_folder(tmp_path, UK_LETTERS))
    letters = sorted((r for r in scan.records if r.files[0].startswith("letter")), key=str)
    assert sorted((r.date for r in letters), key=str) == [
        "2025-01-23",
        "2025-02-14",
        "2025-03-17",
        "2025-03-28",
    ]
    assert all(FOLDER_EVIDENCE not in r.evidence for r in letters)
    # One patient throughout: the re-read birth date makes no stranger of the CT report.
    assert {r.patient.birth_date for r in scan.records} == {"1960-06-05"}


def test_a_us_folder_is_unchanged(tmp_path: Path) -> None:
    record = ct_record(write_folder(tmp_path, US_LETTERS))
    assert record.date == "2025-03-04"
    assert record.patient.birth_date == "1960-05-06"
    assert FOLDER_EVIDENCE not in record.evidence


def test_a_mixed_folder_keeps_month_first(tmp_path: Path) -> None:
    # Three UK letters and one plainly US one: no clear lean, nothing re-read.
    letters = UK_LETTERS[:3] + [("letter-us.txt", "03/28/2025")]
    record = ct_record(write_folder(tmp_path, letters))
    assert record.date == "2025-03-04"
    assert FOLDER_EVIDENCE not in record.evidence


def test_two_uk_letters_are_not_enough(tmp_path: Path) -> None:
    record = ct_record(write_folder(tmp_path, UK_LETTERS[:2]))
    assert record.date == "2025-03-04"
    assert FOLDER_EVIDENCE not in record.evidence


def test_uk_signs_count_as_day_first_evidence(tmp_path: Path) -> None:
    # Letters whose only dates are ambiguous, but which carry an NHS number.
    for index in range(3):
        text = LETTER.format(date=f"0{index + 1}/02/2025", dob="05/06/1960")
        text = text.replace("Clinic date", "NHS Number: 943 476 5919\nClinic date")
        (tmp_path / f"nhs-{index}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "ct-report.txt").write_text(AMBIGUOUS_REPORT, encoding="utf-8")
    assert ct_record(tmp_path).date == "2025-04-03"


def test_classification_says_how_it_read_the_date() -> None:
    ambiguous = classify_text(AMBIGUOUS_REPORT)
    assert ambiguous.date == "2025-03-04"
    assert ambiguous.date_order is None and ambiguous.date_ambiguous
    uk = classify_text(LETTER.format(date="23/01/2025", dob="05/06/1960"))
    assert uk.date_order == DAY_FIRST and uk.date == "2025-01-23" and not uk.date_ambiguous
    us = classify_text(LETTER.format(date="01/23/2025", dob="05/06/1960"))
    assert us.date_order == MONTH_FIRST
    same = classify_text(AMBIGUOUS_REPORT.replace("03/04/2025", "04/04/2025"))
    assert not same.date_ambiguous  # 4 April either way
