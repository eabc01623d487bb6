"""A record's status and date are the same wherever it comes from.

A FHIR record small enough to be read whole, one over the large-file limit (read
entry by entry) and one in a bulk NDJSON export say the same; an HL7 v2 document
(MDM) says what its TXA completion and availability status say; a document
carried inside a message (a base64 PDF or text) passes the status its own header
states to the record; a pharmacy order's Quantity/Timing gives only its start
date. Each test scans a folder built here, as a patient would, and checks it
against the general manifest where check's verdict is what changes. Every patient
is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack.checking import CheckReport, check
from recordpack.manifest import load_manifest
from recordpack.model import CANCELLED, PRELIMINARY, SUPERSEDED, Record
from recordpack.scan import scan_folder

AS_OF = dt.date(2026, 11, 30)


def _records(folder: Path) -> list[Record]:
    return list(scan_folder(folder).records)


def _item(folder: Path, requirement: str) -> str:
    report: CheckReport = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    return next(r.status for r in report.results if r.requirement.id == requirement)


# --- HL7 v2 pharmacy orders: RXE-1 is Quantity/Timing ------------------------------------------


def _rde(rxe1: str, orc9: str = "") -> str:
    return "\r".join([
        "MSH|^~\\&|PHARM|FERNHOLM|PORTAL|PT|202611250900||RDE^O11|RX1|P|2.5",
        "PID|1||5521804^^^FERNHOLM^MR||QUENBY^MARISOL||19610917|F",
        f"ORC|NW|ORD1||||||||{orc9}",
        f"RXE|{rxe1}|00093-7146^Anastrozole 1 mg tablet^NDC|1||TAB",
    ]) + "\r"


def test_a_pharmacy_orders_date_is_the_start_of_its_quantity_timing(tmp_path: Path) -> None:
    # RXE-1 = quantity ^ interval ^ duration ^ start ^ end: the start is the 4th component.
    (tmp_path / "rx.hl7").write_text(_rde("1&TAB^QD^^20260312^20270312"), newline="")
    (record,) = _records(tmp_path)
    assert (record.kind, record.date) == ("medication_list", "2026-03-12")


def test_a_quantity_is_never_read_as_a_date(tmp_path: Path) -> None:
    # A quantity of 20,260,101 units (a dose in IU, say) is written like a timestamp.
    (tmp_path / "rx.hl7").write_text(_rde("20260101^QD"), newline="")
    (record,) = _records(tmp_path)
    assert record.date is None


# --- HL7 v2 documents (MDM): TXA-17 completion and TXA-19 availability ----------------------


def _mdm(completion: str, availability: str, obx_status: str = "F") -> str:
    """A surgical pathology report (MDM^T02) with the given TXA-17 and TXA-19."""
    txa = ["TXA", "1", "SP", "TX", "20261118", "", "20261118", "", "", "", "", "",
           "DOC-4471", "", "", "", "", completion, "", availability]
    return "\r".join([
        "MSH|^~\\&|PATH|FERNHOLM|PORTAL|PT|202611250900||MDM^T02|D1|P|2.5",
        "PID|1||5521804^^^FERNHOLM^MR||QUENBY^MARISOL||19610917|F",
        "|".join(txa),
        "OBX|1|TX|||Right breast core biopsy: invasive ductal carcinoma, grade 2.||||||"
        + obx_status,
    ]) + "\r"


@pytest.mark.parametrize(
    ("completion", "availability", "status", "item", "said"),
    [
        ("AU", "AV", None, "met", None),
        ("LA", "", None, "met", None),
        ("DI", "AV", PRELIMINARY, "incomplete", "TXA-17 DI"),
        ("DO", "", PRELIMINARY, "incomplete", "TXA-17 DO"),
        ("IP", "", PRELIMINARY, "incomplete", "TXA-17 IP"),
        ("IN", "", PRELIMINARY, "incomplete", "TXA-17 IN"),
        ("PA", "AV", PRELIMINARY, "incomplete", "TXA-17 PA"),
        ("CA", "", CANCELLED, "missing", "TXA-17 CA"),
        ("AU", "CA", CANCELLED, "missing", "TXA-19 CA"),
        ("LA", "OB", SUPERSEDED, "missing", "TXA-19 OB"),
        ("AU", "UN", PRELIMINARY, "incomplete", "TXA-19 UN"),
        ("DI", "OB", SUPERSEDED, "missing", "TXA-19 OB"),
    ],
)
def test_a_documents_txa_status_is_the_records(tmp_path: Path, completion: str,
                                               availability: str, status: str | None,
                                               item: str, said: str | None) -> None:
    (tmp_path / "pathology.hl7").write_text(_mdm(completion, availability), newline="")
    (record,) = _records(tmp_path)
    assert (record.kind, record.status) == ("pathology_report", status)
    noted = [e for e in record.evidence if e.startswith("document status")]
    assert (said is None and not noted) or any(said and said in e for e in noted), record.evidence
    assert _item(tmp_path, "pathology") == item
