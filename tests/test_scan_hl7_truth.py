"""HL7 v2 results say only what their messages support: whose, how final, and from when.

A file's messages are one record only when they are one person; a cancelled,
withdrawn or preliminary result says so; a message's sending time (MSH-7) is
never taken for the date of its results. Each test scans a folder built here
and checks it against the general manifest, as a patient would. Every patient
is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack.checking import CheckReport, check
from recordpack.findings import PATIENT_MISMATCH
from recordpack.manifest import load_manifest
from recordpack.model import CANCELLED, ENTERED_IN_ERROR, PRELIMINARY, Record
from recordpack.scan import scan_folder

AS_OF = dt.date(2026, 11, 30)
NAME = "BRACKENRIDGE^OTTOLINE^V"
DOB = "19580402"


def oru(
    control: str,
    *,
    name: str = NAME,
    dob: str = DOB,
    mrn: str = "5521804",
    collected: str = "20261120",
    reported: str = "",
    sent: str = "20261125",
    order_status: str = "F",
    result_statuses: tuple[str, str] = ("F", "F"),
    value: str = "6.4",
) -> str:
    """One ORU^R01 message: a blood count with two results."""
    first, second = result_statuses
    return "\r".join([
        f"MSH|^~\\&|LAB|FERNHOLM LAB|PORTAL|PT|{sent}0900||ORU^R01|{control}|P|2.5.1",
        f"PID|1||{mrn}^^^FERNHOLM^MR||{name}||{dob}|F",
        f"OBR|1|||58410-2^CBC panel^LN|||{collected}|||||||||||||||{reported}||LAB|{order_status}",
        f"OBX|1|NM|6690-2^WBC^LN||{value}|10*3/uL|4.0-11.0||||{first}",
        f"OBX|2|NM|718-7^Hemoglobin^LN||{value and '12.9'}|g/dL|12.0-15.5||||{second}",
    ]) + "\r"


def scan_and_check(folder: Path, files: dict[str, str]) -> tuple[list[Record], CheckReport]:
    """The records of ``results.hl7`` and the folder's check against the general manifest."""
    for name, text in files.items():
        (folder / name).write_text(text, newline="")
    scan = scan_folder(folder)
    records = [r for r in scan.records if r.files == ("results.hl7",)]
    return records, check(scan, load_manifest("general"), as_of=AS_OF)


def labs_status(report: CheckReport) -> str:
    return next(r.status for r in report.results if r.requirement.id == "recent_labs")


@pytest.mark.parametrize("other_name", [NAME, ""], ids=["same-name", "no-name"])
def test_another_persons_message_in_the_file_is_its_own_record_and_is_flagged(
    tmp_path: Path, other_name: str
) -> None:
    # Her own older results, and a file whose recent message is someone else's:
    # same (or no) name, but another birth date and record number.
    files = {
        "older.hl7": oru("1", collected="20260701"),
        "results.hl7": oru("2", collected="20260601")
        + oru("3", name=other_name, dob="19900917", mrn="7788120", collected="20261120"),
    }
    records, report = scan_and_check(tmp_path, files)

    by_date = {r.date: r.patient.birth_date for r in records}
    assert by_date == {"2026-06-01": "1958-04-02", "2026-11-20": "1990-09-17"}
    assert any(f.code == PATIENT_MISMATCH and "results.hl7" in f.paths for f in report.findings)
    assert labs_status(report) == "outdated"  # her newest result is five months old


def test_messages_of_one_person_stay_one_record(tmp_path: Path) -> None:
    # The second message names nobody but carries her record number.
    files = {"results.hl7": oru("1", collected="20261001") + oru("2", name="", dob="")}
    records, report = scan_and_check(tmp_path, files)
    assert len(records) == 1
    assert records[0].date == "2026-11-20"
    assert records[0].patient.birth_date == "1958-04-02"
    assert labs_status(report) == "met"


@pytest.mark.parametrize(
    ("order_status", "result_statuses", "value", "status", "labs", "said"),
    [
        ("X", ("X", "X"), "", CANCELLED, "missing", "X (cancelled"),
        ("F", ("W", "W"), "6.4", ENTERED_IN_ERROR, "missing", "W (posted in error)"),
        ("F", ("D", "X"), "6.4", ENTERED_IN_ERROR, "missing", "D (deleted)"),
        ("P", ("P", "P"), "6.4", PRELIMINARY, "incomplete", "P (preliminary)"),
        ("F", ("F", "P"), "6.4", PRELIMINARY, "incomplete", "P (preliminary)"),
        ("", ("R", "F"), "6.4", PRELIMINARY, "incomplete", "R (not verified)"),
        ("F", ("F", "X"), "6.4", None, "met", None),
        ("C", ("C", "F"), "6.4", None, "met", None),
    ],
)
def test_result_status_is_the_records_status(
    tmp_path: Path,
    order_status: str,
    result_statuses: tuple[str, str],
    value: str,
    status: str | None,
    labs: str,
    said: str | None,
) -> None:
    files = {"results.hl7": oru("1", order_status=order_status,
                                result_statuses=result_statuses, value=value)}
    records, report = scan_and_check(tmp_path, files)
    (record,) = records
    assert record.status == status
    status_evidence = [e for e in record.evidence if e.startswith("result status")]
    if said is None:
        assert status_evidence == []
    else:
        assert any(said in e for e in status_evidence), record.evidence
    assert labs_status(report) == labs


def test_a_preliminary_and_a_final_message_are_two_records(tmp_path: Path) -> None:
    files = {"results.hl7": oru("1", result_statuses=("P", "P"), order_status="P")
             + oru("2", collected="20261121")}
    records, report = scan_and_check(tmp_path, files)
    assert sorted((r.date, r.status) for r in records) == [
        ("2026-11-20", PRELIMINARY), ("2026-11-21", None)]
    assert labs_status(report) == "met"


def test_the_date_is_never_the_time_the_message_was_sent(tmp_path: Path) -> None:
    # No collection date (OBR-7) nor observation date (OBX-14); sent five days ago.
    files = {"results.hl7": oru("1", collected="")}
    (record,), report = scan_and_check(tmp_path, files)
    assert record.date is None
    assert any("MSH-7" in e and "not" in e for e in record.evidence), record.evidence
    assert labs_status(report) == "incomplete"  # its date cannot show it is recent


def test_the_report_date_is_used_and_said_when_there_is_no_collection_date(
    tmp_path: Path,
) -> None:
    files = {"results.hl7": oru("1", collected="", reported="20261118")}
    (record,), report = scan_and_check(tmp_path, files)
    assert record.date == "2026-11-18"
    assert any("reported (OBR-22)" in e for e in record.evidence), record.evidence
    assert labs_status(report) == "met"
