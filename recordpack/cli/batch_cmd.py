"""``recordpack batch`` and ``recordpack log``: the clinic coordinator's commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import click

from recordpack.audit import ACTIONS, AuditEvent, AuditLog
from recordpack.cli.base import emit_json, handle_errors, json_option, main, output_option
from recordpack.cli.options import audit_option
from recordpack.errors import UsageError


def _required(audit: AuditLog | None) -> AuditLog:
    if audit is None:
        raise UsageError("there is no usable audit log", hint="Name one with --audit-log PATH.")
    return audit


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue()


_ROW_COLUMNS = [
    "line", "folder", "status", "bundle", "size", "sha256", "records", "patient", "check",
    "reason_code", "reason", "passphrase_file", "receipt",
]


def _csv_cell(value: object) -> object:
    """Lists as space-separated words, mappings as key=value pairs, for one CSV cell."""
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, dict):
        return ";".join(f"{k}={v}" for k, v in value.items())
    return value


@main.command("batch")
@click.argument("roster", type=click.Path(dir_okay=False, path_type=Path))
@output_option(
    "The folder for the bundles, their receipts and any passphrase files.",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), default=None,
    help="Patients packed at once (default: the number of cores).",
)
@click.option("--as-of", metavar="YYYY-MM-DD", help="Judge how recent records are as of this date.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the summary as CSV on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@audit_option
@json_option
@handle_errors
def batch_command(
    roster: Path,
    output: Path,
    jobs: int | None,
    as_of: str | None,
    as_csv: bool,
    quiet: bool,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """Pack many patients' folders, one bundle each, as a roster lists them.

    \b
    ROSTER is a CSV file with a header: folder (required), manifest, recipient
    (age1... keys or a recipients file), passphrase (yes: a generated one,
    written to a file only you can read), name, accept_incomplete,
    accept_other_patient. Each bundle gets a receipt beside it.

    Exit status: 0 every row packed, 1 any row not packed, 2 a bad roster.
    """
    from recordpack.batch import PACKED, read_roster, run_batch

    if as_json and as_csv:
        raise UsageError("choose --json or --csv, not both")
    as_of_date = None
    if as_of is not None:
        try:
            as_of_date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of {as_of}: not a date", hint="Write it as YYYY-MM-DD.") from None
    rows = read_roster(roster)

    def on_row(result: object, done: int, total: int) -> None:
        if not quiet:
            status = getattr(result, "status", "?")
            line = getattr(result, "line", "?")
            click.echo(f"recordpack: [{done}/{total}] line {line}: {status}", err=True)

    result = run_batch(
        rows, output, jobs=jobs, audit_log=audit.path if audit else None, as_of=as_of_date,
        on_row=on_row,
        progress=not quiet,
    )
    packed = sum(r.status == PACKED for r in result.rows)
    if audit is not None:
        outcome = "cancelled" if result.cancelled else ("ok" if result.ok else "not all packed")
        audit.append(
            AuditEvent(
                action="batch",
                subject=str(roster),
                outcome=outcome,
                counts={"rows": len(rows), "packed": packed, "not_packed": len(rows) - packed},
            )
        )
    if as_json:
        emit_json(result.to_json())
    elif as_csv:
        click.echo(_csv_text(_ROW_COLUMNS, [[getattr(r, c) for c in _ROW_COLUMNS] for r in result.rows]), nl=False)
    else:
        for r in result.rows:
            if r.status == PACKED:
                click.echo(f"line {r.line}: packed {r.bundle} ({r.records} records, sha256 {r.sha256})")
            else:
                click.echo(f"line {r.line}: {r.status.upper()}: {r.folder}: {r.reason}")
        click.echo(f"{packed} of {len(rows)} packed into {output}.")
    if result.cancelled:
        click.echo("recordpack: cancelled; finished bundles were kept, none is half-written.", err=True)
        sys.exit(130)
    sys.exit(0 if result.ok else 1)


@main.group("log", invoke_without_command=True)
@click.option("--since", metavar="YYYY-MM-DD", help="Only events from this day on.")
@click.option("--action", type=click.Choice(ACTIONS), help="Only events of this kind.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the events as CSV on stdout.")
@audit_option
@json_option
@click.pass_context
@handle_errors
def log_command(
    ctx: click.Context,
    since: str | None,
    action: str | None,
    as_csv: bool,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """List what recordpack did: scans, checks, packs, opens, verifies.

    Every command appends one event to a tamper-evident audit log (no record
    content, no secret). `recordpack log verify` checks that no event was
    edited, deleted or reordered.
    """
    ctx.obj = audit
    if ctx.invoked_subcommand is not None:
        return
    since_day = None
    if since is not None:
        try:
            since_day = dt.date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since {since}: not a date", hint="Write it as YYYY-MM-DD.") from None
    events = _required(audit).events(since=since_day, action=action)
    if as_json:
        emit_json({"version": 1, "events": [e.to_json() for e in events]})
        return
    columns = ["seq", "time", "operator", "action", "subject", "patient", "outcome",
               "bundle_sha256", "recipients", "counts", "hash"]
    if as_csv:
        rows = [[_csv_cell(e.to_json()[c]) for c in columns] for e in events]
        click.echo(_csv_text(columns, rows), nl=False)
        return
    if not events:
        click.echo("No events.")
    for e in events:
        ev = e.event
        who = f" {ev.patient}" if ev.patient else ""
        click.echo(f"{e.seq:>5}  {ev.time}  {ev.operator:<10} {ev.action:<7} {ev.outcome:<10}{who}  {ev.subject}")


@log_command.command("verify")
@click.option(
    "--receipt", "receipt", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A pack receipt: its audit head hash must still be in the log (catches a cut-off log).",
)
@audit_option
@json_option
@click.pass_context
@handle_errors
def log_verify_command(
    ctx: click.Context, receipt: Path | None, audit: AuditLog | None, as_json: bool
) -> None:
    """Check the audit log's hash chain; exit 1 naming the first bad event."""
    import json

    head: str | None = None
    if receipt is not None:
        try:
            head = str(json.loads(receipt.read_text(encoding="utf-8"))["audit_head"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise UsageError(f"{receipt} is not a recordpack receipt with an audit head") from None
    report = _required(audit or ctx.obj).verify(receipt_head=head)
    if as_json:
        emit_json(report.to_json())
    elif report.ok:
        events = "1 event" if report.events == 1 else f"{report.events} events"
        click.echo(f"The audit log is intact: {events}, head {report.head}.")
    elif report.first_bad is not None:
        click.echo(f"The audit log was altered at event {report.first_bad}: {report.reason}.")
    else:
        click.echo(
            f"The audit log's {report.events} events are linked, but the receipt's event "
            f"({head}) is no longer in it: the log was cut short."
        )
    sys.exit(0 if report.ok else 1)
