"""Commands ``request`` and ``requests``: letters asking for what is missing, and their tracking."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import click

from recordpack.check import CheckReport, check
from recordpack.cli.base import emit_json, handle_errors, json_option, main, warn
from recordpack.cli.check_cmd import _parse_as_of as parse_as_of
from recordpack.cli.scan_cmd import run_scan, scan_options
from recordpack.errors import RecordpackError, UsageError
from recordpack.manifest import load_manifest
from recordpack.model import ScanResult
from recordpack.request import RequestsResult, Tracker, get_jurisdiction, write_requests
from recordpack.request.jurisdiction import DEFAULT, JURISDICTIONS
from recordpack.request.letters import SLIDES_LETTER
from recordpack.request.tracking import TrackedRequest


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
@click.option(
    "-m",
    "--manifest",
    "manifest_name",
    default="general",
    show_default=True,
    metavar="NAME|PATH",
    help="The manifest to check against (as for `recordpack check`).",
)
@click.option(
    "-o",
    "--out",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the letters in (created if needed; never inside FOLDER).",
)
@click.option(
    "--send-to",
    metavar="TEXT",
    help="Ask for the records to go straight to this person (the consulting specialist: "
    "name and address); the letter becomes your signed direction to send them there.",
)
@click.option(
    "--jurisdiction",
    type=click.Choice(sorted(JURISDICTIONS)),
    default=DEFAULT,
    show_default=True,
    help="Where you live: sets the law the letters cite and its deadline "
    "(us: HIPAA; uk: UK GDPR; ca: PIPEDA or your province's act; au: Privacy Act APP 12).",
)
@click.option(
    "--sent",
    "sent_letter",
    metavar="LETTER",
    help="Record that LETTER (a letter's .pdf or .txt, or its id) was sent; starts its deadline.",
)
@click.option(
    "--done",
    "done_letter",
    metavar="LETTER",
    help="Close LETTER's request by hand (e.g. the slides arrived, or it is no longer needed).",
)
@click.option(
    "--on",
    "on_date",
    callback=parse_as_of,
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
    item, and writes one letter per institution into OUTDIR (a PDF and a
    plain-text copy), plus a release request for pathology slides and blocks.
    Items with no known holder go in a letter with a blank addressee. The
    letters are templates: read, correct, sign and send them yourself.

    \b
    Then:
      recordpack request --sent OUTDIR/LETTER.pdf   when you send one
      recordpack requests                           what is still open, days left

    \b
    Exit status:
      0  letters written (or nothing to ask for), or the request recorded
      2  usage error (no folder or output folder, output inside the folder, ...)
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
            click.echo(_tracked_line(updated, dt.date.today()))
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
    scan = run_scan(folder, labels, corrections_file, quiet)
    report = check(scan, manifest)
    result = write_requests(
        Path(folder), scan, report, outdir, jurisdiction=chosen, send_to=send_to, tracker=tracker
    )
    if as_json:
        emit_json(result.to_json())
    else:
        click.echo(render_written(result), nl=False)


def _wrap(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, 78, initial_indent=pad, subsequent_indent=pad + "  ")


def render_written(result: RequestsResult) -> str:
    """What ``request`` wrote, letter by letter, and what to do next."""
    report = result.report
    out: list[str] = []
    for closed in result.closed:
        out.append(f"Closed: {closed.addressee or 'the letter'} ({closed.id}): every item found.")
    if not result.letters:
        out.append("Nothing to ask for: every required record is here.")
        return "\n".join(out) + "\n"
    who = report.patient_name or "the patient (name not found: fill it in)"
    born = f", born {report.patient_birth_date}" if report.patient_birth_date else ""
    count = len(result.letters)
    law = result.jurisdiction.law
    citing = (
        f", citing {law}" if any(w.letter.kind != SLIDES_LETTER for w in result.letters) else ""
    )
    out.append(f"Wrote {count} letter{'s' if count > 1 else ''} for {who}{born}{citing}:")
    for written in result.letters:
        letter = written.letter
        out += ["", f"  {written.pdf}  (and {written.text.name})"]
        kind = "Slides and blocks release" if letter.kind == SLIDES_LETTER else "Records request"
        if letter.holder is None:
            out += _wrap(f"{kind}; addressee left blank: no record says who holds these.", 4)
        else:
            number = letter.holder.record_number
            at = f" (your record number there: {number})" if number else ""
            out += _wrap(f"{kind} to {letter.holder.name}{at}", 4)
        if written.missing_in_pdf:
            out += _wrap(
                f"NOTE: the PDF cannot show {written.missing_in_pdf}; write those letters in by "
                f"hand, or send the text copy {written.text.name}, which has them all.",
                4,
            )
        for item in letter.items:
            details = f" ({'; '.join(item.details)})" if item.details else ""
            out += _wrap(f"- {item.what}{details}", 4)
            if item.because:
                out += _wrap(f"why this address: {item.because}", 8)
    first = result.letters[0].pdf
    out += [
        "",
        "These letters are templates, not legal advice: read each one, correct what is wrong,",
        "fill in the blanks, sign it and send it. When you send one, record it:",
        f"  recordpack request --sent {first}",
        "and see what is still open with: recordpack requests",
    ]
    return "\n".join(out) + "\n"


def _tracked_line(request: TrackedRequest, today: dt.date) -> str:
    status = request.status(today)
    to = request.addressee or "(addressee left blank)"
    if request.closed_on:
        why = "every item found" if request.closed_because == "found" else "closed by hand"
        state = f"closed {request.closed_on} ({why})"
    elif not status["sent"]:
        state = "written, not sent yet"
    elif status["deadline"] is None:
        state = f"sent {request.sent_on}, waiting {status['days_waiting']} days (no legal deadline)"
    elif status["overdue"]:
        state = (
            f"sent {request.sent_on}, OVERDUE by {-status['days_left']} days "
            f"(deadline {status['deadline']})"
        )
    else:
        state = (
            f"sent {request.sent_on}, {status['days_left']} days left "
            f"(deadline {status['deadline']})"
        )
    return f"{to}: {state}\n  {request.letter}"


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
        emit_json(
            {
                "version": 1,
                "today": today.isoformat(),
                "requests": [r.to_json(today) for r in requests],
            }
        )
        return
    if not requests:
        click.echo("No open records requests." if not show_all else "No records requests.")
        return
    for request in requests:
        click.echo(_tracked_line(request, today))
        for item in request.items:
            mark = f"found {item.found_on}" if item.found_on else "waiting"
            click.echo(f"    [{mark}] {item.what}")
    overdue = [r for r in requests if r.is_open and r.status(today)["overdue"]]
    if overdue:
        warn(
            f"{len(overdue)} request{'s are' if len(overdue) > 1 else ' is'} overdue: "
            "call or write to the records department, quoting the date you sent it."
        )


__all__ = ["close_found_requests", "render_written", "request_command", "requests_command"]
