"""Records requests in words for a terminal: what ``request`` wrote, what is still open."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence

from recordpack.display import printable
from recordpack.request import RequestsResult, TrackedRequest
from recordpack.request.letters import SLIDES_LETTER


def _wrap(text: str, indent: int) -> list[str]:
    """``text`` (names and paths from the records, hidden characters escaped) wrapped."""
    pad = " " * indent
    return textwrap.wrap(printable(text), 78, initial_indent=pad, subsequent_indent=pad + "  ")


def render_written(result: RequestsResult) -> str:
    """What the letters step wrote, letter by letter, and why each address; then what next."""
    report = result.report
    out = [
        printable(f"Closed: {closed.addressee or 'the letter'} ({closed.id}): every item found.")
        for closed in result.closed
    ]
    if not result.letters:
        out.append("Nothing to ask for: every required record is here.")
        return "\n".join(out) + "\n"
    who = report.patient_name or "the patient (name not found: fill it in)"
    born = f", born {report.patient_birth_date}" if report.patient_birth_date else ""
    count = len(result.letters)
    law = result.jurisdiction.law
    records = any(w.letter.kind != SLIDES_LETTER for w in result.letters)
    citing = f", citing {law}" if records else ""
    out.append(printable(f"Wrote {count} letter{'s' if count > 1 else ''} for {who}{born}{citing}:"))
    for written in result.letters:
        letter = written.letter
        out += ["", printable(f"  {written.pdf}  (and {written.text.name})")]
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
    out += [
        "",
        "These letters are templates, not legal advice: read each one, correct what is wrong,",
        "fill in the blanks, sign it and send it.",
    ]
    return "\n".join(out) + "\n"


def render_tracked(request: TrackedRequest, today: dt.date) -> str:
    """One request: to whom, sent when, days left or OVERDUE, and the letter's path."""
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
    return printable(f"{to}: {state}") + "\n  " + printable(request.letter)


def render_requests(requests: Sequence[TrackedRequest], today: dt.date) -> str:
    """Every request with its items, each waiting or found."""
    out: list[str] = []
    for request in requests:
        out.append(render_tracked(request, today))
        for item in request.items:
            mark = f"found {item.found_on}" if item.found_on else "waiting"
            out.append(printable(f"    [{mark}] {item.what}"))
    return "\n".join(out) + "\n"


def overdue_warning(requests: Sequence[TrackedRequest], today: dt.date) -> str | None:
    """A line for stderr when requests are overdue, saying what to do; None otherwise."""
    overdue = [r for r in requests if r.is_open and r.status(today)["overdue"]]
    if not overdue:
        return None
    return (
        f"{len(overdue)} request{'s are' if len(overdue) > 1 else ' is'} overdue: call or "
        "write to the records department, quoting the date you sent it."
    )


__all__ = ["overdue_warning", "render_requests", "render_tracked", "render_written"]
