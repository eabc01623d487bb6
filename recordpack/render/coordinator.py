"""Wording of the coordinator's reports: a batch's rows and the audit log's events, as text or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from recordpack.audit import LoggedEvent
    from recordpack.batch import BatchResult

#: The columns of ``batch --csv``, one row per roster line.
BATCH_COLUMNS: Final = (
    "line", "folder", "status", "bundle", "size", "sha256", "records", "patient", "check",
    "reason_code", "reason", "passphrase_file", "receipt",
)  # fmt: skip

#: The columns of ``log --csv``, one row per event.
EVENT_COLUMNS: Final = (
    "seq", "time", "operator", "action", "subject", "patient", "outcome", "bundle_sha256",
    "recipients", "counts", "hash",
)  # fmt: skip


def _cell(value: object) -> object:
    """Lists as space-separated words, mappings as key=value pairs, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return value


def _csv(columns: Sequence[str], rows: Sequence[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_cell(row.get(c)) for c in columns] for row in rows])
    return buffer.getvalue()


def batch_csv(result: BatchResult) -> str:
    """A batch's summary as CSV."""
    return _csv(BATCH_COLUMNS, [r.to_json() for r in result.rows])


def batch_text(result: BatchResult, output: str) -> str:
    """A batch's summary for a terminal: one line per roster row, then the count."""
    lines = []
    for r in result.rows:
        if r.status == "packed":
            lines.append(f"line {r.line}: packed {r.bundle} ({r.records} records, sha256 {r.sha256})")
        else:
            lines.append(f"line {r.line}: {r.status.upper()}: {r.folder}: {r.reason}")
    packed = sum(r.status == "packed" for r in result.rows)
    lines.append(f"{packed} of {len(result.rows)} packed into {output}.")
    return "\n".join(lines) + "\n"


def events_csv(events: Sequence[LoggedEvent]) -> str:
    """Audit log events as CSV."""
    return _csv(EVENT_COLUMNS, [e.to_json() for e in events])


def events_text(events: Sequence[LoggedEvent]) -> str:
    """Audit log events for a terminal, one line each."""
    if not events:
        return "No events.\n"
    lines = []
    for e in events:
        ev = e.event
        who = f" {ev.patient}" if ev.patient else ""
        lines.append(
            f"{e.seq:>5}  {ev.time}  {ev.operator:<10} {ev.action:<7} {ev.outcome:<10}{who}  "
            f"{ev.subject}"
        )
    return "\n".join(lines) + "\n"
