"""``recordpack batch`` and ``recordpack log``: the clinic coordinator's commands."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Final

import click

from recordpack.audit import ACTIONS, AuditLog
from recordpack.cli.base import emit_json, handle_errors, json_option, main
from recordpack.cli.options import (
    AUDIT_HELP,
    as_of_option,
    audit_option,
    date_value,
    open_audit_log,
    output_option,
)
from recordpack.errors import UsageError
from recordpack.render.coordinator import batch_csv, batch_text, events_csv, events_text


def _required(audit: AuditLog | None) -> AuditLog:
    if audit is None:
        raise UsageError("there is no usable audit log", hint="Name one with --audit-log PATH.")
    return audit


def _audit_place(
    _ctx: click.Context, _param: click.Parameter, value: Path | None
) -> tuple[Path, bool]:
    from recordpack.audit import log_location

    return log_location(value)


#: batch's ``--audit-log``: the place, ``(path, named)``, opened by the command only once the
#: roster's folders are known and the log is in none of them (other commands open it at once).
audit_place_option = click.option(
    "--audit-log", "audit_place", type=click.Path(dir_okay=False, path_type=Path),
    callback=_audit_place, help=AUDIT_HELP,
)  # fmt: skip


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
@as_of_option
@click.option("--csv", "as_csv", is_flag=True, help="Print the summary as CSV on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@audit_place_option
@json_option
@handle_errors
def batch_command(
    roster: Path,
    output: Path,
    jobs: int | None,
    as_of: dt.date | None,
    as_csv: bool,
    quiet: bool,
    audit_place: tuple[Path, bool],
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
    from recordpack.batch import (
        log_refused_batch,
        read_roster,
        refuse_log_in_folders,
        run_batch,
    )

    if as_json and as_csv:
        raise UsageError("choose --json or --csv, not both")
    # The log is opened (made) only once it is known to be in no patient's folder;
    # a refused run is logged too, unless the log's own place is what is refused.
    log_path, named = audit_place
    try:
        rows = read_roster(roster)
    except UsageError as refusal:
        refuse_log_in_folders(log_path, roster, None)
        log_refused_batch(open_audit_log(log_path, named), refusal, roster=roster, outdir=output)
        raise
    refuse_log_in_folders(log_path, roster, rows)
    audit = open_audit_log(log_path, named)

    def on_row(result: object, done: int, total: int) -> None:
        if not quiet:
            status = getattr(result, "status", "?")
            line = getattr(result, "line", "?")
            click.echo(f"recordpack: [{done}/{total}] line {line}: {status}", err=True)

    result = run_batch(
        rows, output, jobs=jobs, audit=audit, as_of=as_of, on_row=on_row,
        progress=not quiet, roster=roster,
    )  # fmt: skip
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(batch_csv(result) if as_csv else batch_text(result, str(output)), nl=False)
    if result.cancelled:
        click.echo("recordpack: cancelled; finished bundles were kept, none is half-written.", err=True)
        sys.exit(130)
    sys.exit(0 if result.ok else 1)


@main.group("log", invoke_without_command=True)
@click.option(
    "--since", callback=date_value, metavar="YYYY-MM-DD", help="Only events from this day on."
)
@click.option("--action", type=click.Choice(ACTIONS), help="Only events of this kind.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the events as CSV on stdout.")
@audit_option
@json_option
@click.pass_context
@handle_errors
def log_command(
    ctx: click.Context,
    since: dt.date | None,
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
    events = _required(audit).events(since=since, action=action)
    if as_json:
        emit_json({"version": 1, "events": [e.to_json() for e in events]})
        return
    click.echo(events_csv(events) if as_csv else events_text(events), nl=False)


def _receipt_hashes(receipt: Path) -> tuple[str, str | None]:
    """A receipt's audit head hash, and the first event hash of its log (newer receipts)."""
    import json

    try:
        doc = json.loads(receipt.read_text(encoding="utf-8"))
        head, origin = doc["audit_head"], doc.get("audit_origin")
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise UsageError(f"{receipt} is not a recordpack receipt with an audit head") from None
    if not isinstance(head, str):
        raise UsageError(
            f"the receipt {receipt} was made without an audit log: there is nothing to check "
            "it against"
        )
    return head, origin if isinstance(origin, str) else None


#: Why a receipt's event is not in the log: another log's receipt (True), this log cut
#: short (False), or a receipt that does not say which log it was made with (None).
_RECEIPT_NOT_FOUND: Final[dict[bool | None, str]] = {
    True: "The audit log's {n} events are linked, but the receipt was made with another "
    "audit log (its first event is not this log's): check it against that log.",
    False: "The audit log's {n} events are linked, but the receipt's event ({head}) is no "
    "longer in it: the log was cut short.",
    None: "The audit log's {n} events are linked, but the receipt's event ({head}) is not in "
    "it: either the log was cut short, or the receipt was made with another audit log (this "
    "receipt does not say which).",
}


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
    head, origin = _receipt_hashes(receipt) if receipt is not None else (None, None)
    report = _required(audit or ctx.obj).verify(receipt_head=head, receipt_origin=origin)
    if as_json:
        emit_json(report.to_json())
    elif report.ok:
        events = "1 event" if report.events == 1 else f"{report.events} events"
        click.echo(f"The audit log is intact: {events}, head {report.head}.")
    elif report.first_bad is not None:
        click.echo(f"The audit log was altered at event {report.first_bad}: {report.reason}.")
    else:
        click.echo(_RECEIPT_NOT_FOUND[report.receipt_other_log].format(n=report.events, head=head))
    sys.exit(0 if report.ok else 1)
