"""A record's date is when its care happened, never when its paper was handled.

An old record received, printed or signed late, or naming a follow-up still
to come, must not look recent: check would count it as a recent note or
recent labs. Every text here is invented; dates are read as of a fixed day,
except where the real scanner runs (it reads as of the real day).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack.checking import check
from recordpack.classify import classify_text
from recordpack.manifest import load_manifest
from recordpack.scan import scan_folder

TODAY = dt.date(2026, 11, 30)
#: A day long after every date below: only the labels decide.
LATER = dt.date(2027, 6, 1)

LAB = """HARBOR ONCOLOGY LABORATORY
LABORATORY REPORT
Patient Name: QUILLFEATHER, ODALINE M
DOB: 05/11/1963
{dates}
Test            Result    Units      Reference range
WBC             6.1       x10^3/uL   4.0-11.0
Hemoglobin      13.2      g/dL       12.0-16.0
{after}
"""

NOTE = """HARBOR ONCOLOGY GROUP
ONCOLOGY FOLLOW-UP NOTE
PATIENT: QUILLFEATHER, ODALINE M
DOB: 05/11/1963
{dates}
HISTORY OF PRESENT ILLNESS:
63-year-old with left breast invasive ductal carcinoma, on surveillance.
PHYSICAL EXAM:
Well appearing. No adenopathy.
ASSESSMENT AND PLAN:
Continue letrozole.
{after}
Fenwick Ashgrove, MD
"""


def lab(dates: str, after: str = "") -> str:
    return LAB.format(dates=dates, after=after)


def note(dates: str, after: str = "") -> str:
    return NOTE.format(dates=dates, after=after)


@pytest.mark.parametrize(
    "text",
    [
        lab("Date: 03/02/2026", "Received: 11/20/2026 Harbor Oncology medical records"),
        note("Date: 03/02/2026", "RECEIVED 11/20/2026 HARBOR ONCOLOGY MEDICAL RECORDS"),
        lab("Date: 03/02/2026", "Date received: 11/20/2026 Health Information Management"),
        note("Date: 03/02/2026", "Received\n11/20/2026"),
    ],
    ids=["lab-received", "note-records-stamp", "date-received-by-records", "received-above"],
)
def test_a_received_stamp_never_dates_the_record(text: str) -> None:
    assert classify_text(text, today=TODAY).date == "2026-03-02"


@pytest.mark.parametrize(
    "text",
    [
        lab("Report printed 11/28/2026"),
        lab("Faxed 11/20/2026"),
        lab("Scanned 11/20/2026 by front desk"),
        note("", "RECEIVED 11/20/2026 HARBOR ONCOLOGY MEDICAL RECORDS"),
    ],
    ids=["printed", "faxed", "scanned", "records-stamp"],
)
def test_a_record_with_only_a_handling_date_is_undated_and_says_why(text: str) -> None:
    c = classify_text(text, today=TODAY)
    assert c.date is None
    assert any("2026-11" in e and "date unknown" in e for e in c.evidence), c.evidence


def test_a_medication_list_is_still_dated_by_the_day_it_was_printed() -> None:
    """A list of what is true on one day is about the day it was printed."""
    text = (
        "CURRENT MEDICATION LIST\nPatient: QUILLFEATHER, ODALINE M   DOB: 05/11/1963\n"
        "Printed: 11/20/2026\nletrozole 2.5 mg tablet - take 1 tablet daily\n"
        "calcium carbonate 600 mg - take 1 tablet twice daily\n"
    )
    c = classify_text(text, today=TODAY)
    assert c.kind == "medication_list"
    assert c.date == "2026-11-20"


@pytest.mark.parametrize(
    "text",
    [
        note("Date: 01/15/2026", "Follow-up appointment: 12/10/2026 with annual mammogram."),
        note("Note date: 01/15/2026", "Return visit 12/10/2026."),
        note("Date: 01/15/2026", "Next follow-up visit: 12/10/2026"),
        note(
            "Visit date: 01/15/2026", "Return to clinic in 3 months. Next appointment 04/15/2026."
        ),
    ],
    ids=["follow-up-appointment", "return-visit", "next-follow-up-visit", "next-appointment"],
)
def test_a_visit_still_to_come_never_dates_the_note(text: str) -> None:
    # Read long after: the follow-up is in the past by then, and still not the note's date.
    assert classify_text(text, today=LATER).date == "2026-01-15"


def test_a_dictated_note_is_dated_by_its_dictation_not_its_late_signature() -> None:
    text = note(
        "Dictated: 01/15/2026  Transcribed: 01/16/2026",
        "Electronically signed 11/24/2026 by Fenwick Ashgrove, MD",
    )
    assert classify_text(text, today=TODAY).date == "2026-01-15"


def test_a_date_after_today_is_not_the_records_date() -> None:
    c = classify_text(lab("Collected: 12/24/2026"), today=TODAY)
    assert c.date is None
    assert any("2026-12-24" in e and "after today" in e for e in c.evidence), c.evidence
    # A later, older-looking service date wins over the future one.
    both = lab("Collected: 12/24/2026", "Reported: 11/02/2026")
    assert classify_text(both, today=TODAY).date == "2026-11-02"


def test_a_date_one_day_ahead_is_kept_for_time_zones() -> None:
    assert classify_text(lab("Collected: 12/01/2026"), today=TODAY).date == "2026-12-01"


CUMULATIVE_PSA = """HARBOR LABORATORY
LABORATORY REPORT
Patient Name: QUILLFEATHER, ORSON T
DOB: 05/11/1958
PSA, total (ng/mL)   Reference range 0.0-4.0
{rows}
"""


@pytest.mark.parametrize(
    "rows",
    ["03/02/2026   4.1\n11/02/2026   6.4", "11/02/2026   6.4\n03/02/2026   4.1"],
    ids=["oldest-first", "newest-first"],
)
def test_a_cumulative_printout_is_dated_by_its_newest_result(rows: str) -> None:
    c = classify_text(CUMULATIVE_PSA.format(rows=rows), today=TODAY)
    assert c.kind == "lab_result"
    assert c.date == "2026-11-02"


def _us(day: dt.date) -> str:
    return day.strftime("%m/%d/%Y")


def test_a_late_received_old_note_is_outdated_in_check(tmp_path: Path) -> None:
    """End to end: the scanner dates the old note by its visit, so check calls it outdated."""
    today = dt.date.today()
    visit, received = today - dt.timedelta(days=320), today - dt.timedelta(days=10)
    (tmp_path / "note.txt").write_text(
        note(f"Date: {_us(visit)}", f"RECEIVED {_us(received)} HARBOR ONCOLOGY MEDICAL RECORDS"),
        encoding="utf-8",
    )
    scan = scan_folder(tmp_path)
    assert [r.date for r in scan.records] == [visit.isoformat()]
    result = check(scan, load_manifest("breast"), as_of=today).result("clinic_notes")
    assert result.status == "outdated"


UK_LETTER = """CLINIC LETTER
NHS Number: 401 223 8877
Patient: Imogen Quillfeather   DOB: 23/06/1960
Clinic date: {date}
Dear Doctor,
I saw Mrs Quillfeather in the breast clinic today to discuss her results.
Yours sincerely,
Oncology clinic
"""

CT_REPORT = """CT CHEST ABDOMEN PELVIS WITH CONTRAST
Patient: Imogen Quillfeather
Date of exam: {date}
FINDINGS: No enlarged lymph nodes. The liver is normal. No bone lesion.
IMPRESSION: No evidence of metastatic disease.
"""


def _past_day_whose_swap_is_future(today: dt.date) -> dt.date | None:
    """A recent day whose day-first reading is past but month-first reading future."""
    for back in range(2, 400):
        day = today - dt.timedelta(days=back)
        swapped_ok = day.day <= 12 and day.day != day.month
        if swapped_ok and dt.date(day.year, day.day, day.month) > today + dt.timedelta(days=2):
            return day
    return None


def test_a_uk_report_undated_only_by_its_month_first_reading_is_read_day_first(
    tmp_path: Path,
) -> None:
    today = dt.date.today()
    day = _past_day_whose_swap_is_future(today)
    if day is None:
        pytest.skip("no such day in the last 400 days")
    for n, letter_day in enumerate(("23/01/2025", "14/02/2025", "17/03/2025")):
        (tmp_path / f"letter-{n}.txt").write_text(UK_LETTER.format(date=letter_day), "utf-8")
    (tmp_path / "ct.txt").write_text(CT_REPORT.format(date=day.strftime("%d/%m/%Y")), "utf-8")
    (ct,) = [r for r in scan_folder(tmp_path).records if r.files == ("ct.txt",)]
    assert ct.date == day.isoformat()
    assert not any("after today" in e for e in ct.evidence)
