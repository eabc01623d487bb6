"""Commands ``request`` and ``requests``: letters asking for what is missing, and their tracking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from recordpack.checking import CheckReport
from recordpack.cli.base import emit_json, handle_errors, json_option, main, warn
from recordpack.cli.options import date_value, manifest_option
from recordpack.cli.scan_cmd import run_prepare, scan_options
from recordpack.errors import RecordpackError, UsageError
from recordpack.manifest import load_manifest
from recordpack.model import ScanResult
from recordpack.render.requests import (
    overdue_warning,
    render_requests,
    render_tracked,
    render_written,
)
from recordpack.request import Tracker, get_jurisdiction, write_requests
from recordpack.request.jurisdiction import DEFAULT, JURISDICTIONS


def close_found_requests(folder: Path, scan: ScanResult, report: CheckReport) -> None:
    """After a check: close the tracked requests whose items it finds (never fails a check)."""
    try:
        closed = Tracker().close_found(folder, scan, report, dt.date.today())
    except (RecordpackError, OSError) as error:
        warn(f"recordpack: warning: the records requests were not updated: {error}")
        return
    for request in closed:
        warn(
            f"recordpack: closed the records request to {request.addressee or 'a blank addressee'}"
            f" ({request.id}): everything it asked for is here now."
        )


@main.command("request")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
@manifest_option(
    "The manifest to check against (as for `recordpack check`).",
    default="general",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the letters in (created if needed; never inside FOLDER).",
)
@click.option(
    "--send-to",
    metavar="TEXT",
    help="Ask for the records to go straight to this person (the consulting "
    "specialist: name and address); the letter becomes your signed direction.",
)
@click.option(
    "--jurisdiction",
    type=click.Choice(sorted(JURISDICTIONS)),
    default=DEFAULT,
    show_default=True,
    help="Where you live: sets the law the letters cite and its deadline (us: HIPAA; "
    "uk: UK GDPR; ca: PIPEDA or your province's act; au: Privacy Act APP 12).",
)
@click.option(
    "--sent",
    "sent_letter",
    metavar="LETTER",
    help="Record that LETTER (a letter's .pdf or .txt, or its id) was sent today.",
)
@click.option(
    "--done",
    "done_letter",
    metavar="LETTER",
    help="Close LETTER's request by hand (the slides arrived, or it is not needed).",
)
@click.option(
    "--on",
    "on_date",
    callback=date_value,
    metavar="YYYY-MM-DD",
    help="With --sent or --done: the day it happened (default: today).",
)
@scan_options
@json_option
@handle_errors
def request_command(
    folder: str | None,
    manifest_name: str,
    outdir: Path | None,
    send_to: str | None,
    jurisdiction: str,
    sent_letter: str | None,
    done_letter: str | None,
    on_date: dt.date | None,
    labels: tuple[str, ...],
    corrections_file: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Write letters asking each hospital or lab for the records FOLDER lacks.

    Checks FOLDER against the manifest, works out from the records themselves
    which institution most likely holds each missing, outdated or incomplete
    item, and writes one letter per institution into the -o folder (a PDF and
    a plain-text copy), plus a release request for pathology slides and blocks.
    Items with no known holder go in a letter with a blank addressee. The
    letters are templates: read, correct, sign and send them yourself.

    \b
    Then:
      recordpack request --sent LETTERS/LETTER.pdf   when you send one
      recordpack requests                            what is still open, days left

    \b
    Exit status:
      0  letters written (or nothing to ask for), or the request recorded
      2  usage error (no folder or -o, -o inside the folder, an unknown letter)
    """
    tracker = Tracker()
    if sent_letter or done_letter:
        if folder or outdir or (sent_letter and done_letter):
            raise UsageError(
                "--sent and --done take a letter and nothing else",
                hint="Example: recordpack request --sent letters/request-lakeview.pdf",
            )
        on = on_date or dt.date.today()
        if sent_letter:
            updated = tracker.mark_sent(sent_letter, on)
        else:
            updated = tracker.mark_done(str(done_letter), on)
        if as_json:
            emit_json({"version": 1, "request": updated.to_json(dt.date.today())})
        else:
            click.echo(render_tracked(updated, dt.date.today()))
        return
    if on_date is not None:
        raise UsageError("--on goes with --sent or --done")
    if folder is None or outdir is None:
        raise UsageError(
            "give the records folder and where to write the letters",
            hint="Example: recordpack request MY-RECORDS/ -m breast -o letters/",
        )
    manifest = load_manifest(manifest_name)
    chosen = get_jurisdiction(jurisdiction)
    prepared = run_prepare(
        folder, manifest, labels=labels, corrections_file=corrections_file, quiet=quiet
    )
    result = write_requests(
        Path(folder),
        prepared.scan,
        prepared.report,
        outdir,
        jurisdiction=chosen,
        send_to=send_to,
        tracker=tracker,
    )
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(render_written(result), nl=False)
        if result.letters:
            click.echo(
                f"When you send one, record it: recordpack request --sent {result.letters[0].pdf}"
            )
            click.echo("See what is still open: recordpack requests")


@main.command("requests")
@click.option("--all", "show_all", is_flag=True, help="Show closed requests too.")
@json_option
@handle_errors
def requests_command(show_all: bool, as_json: bool) -> None:
    """List records requests that are still open, with the days left to answer.

    A request is open from when `recordpack request` writes its letter until a
    later check of its folder finds every item it asked for (or you close it
    with `recordpack request --done LETTER`). Overdue requests are marked.
    """
    today = dt.date.today()
    requests = [r for r in Tracker().load() if show_all or r.is_open]
    if as_json:
        documents = [r.to_json(today) for r in requests]
        emit_json({"version": 1, "today": today.isoformat(), "requests": documents})
    elif not requests:
        click.echo("No records requests." if show_all else "No open records requests.")
    else:
        click.echo(render_requests(requests, today), nl=False)
        warning = overdue_warning(requests, today)
        if warning:
            warn(warning)


__all__ = ["close_found_requests", "request_command", "requests_command"]
