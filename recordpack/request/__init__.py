"""Records-request letters and their tracking (what is missing, asked for).

Public API::

    write_requests(folder, scan, report, outdir, *, jurisdiction, send_to, today, tracker)
        -> RequestsResult      # letters written (PDF + text), tracked, found items closed
    plan_requests(...) -> [Letter]; compose(letter) -> LetterText; render_text
    render_pdf.render_pdf(letter_text) -> PDF bytes (fpdf2)
    Tracker (requests.json in the user's data dir), get_jurisdiction(code)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recordpack.checking import CheckReport
from recordpack.errors import InputError
from recordpack.model import ScanResult
from recordpack.request.errors import LETTERS_INSIDE_FOLDER, LETTERS_OF_ANOTHER_FOLDER, RequestError
from recordpack.request.jurisdiction import JURISDICTIONS, Jurisdiction, get_jurisdiction
from recordpack.request.letters import Letter, compose, plan_requests, render_text
from recordpack.request.tracking import TrackedRequest, Tracker, write_atomic


@dataclass(frozen=True)
class WrittenLetter:
    """A letter and the two files it was written to."""

    letter: Letter
    pdf: Path
    text: Path
    #: Characters (of a name, say) the PDF could not show; the text copy has them.
    missing_in_pdf: str = ""

    def to_json(self) -> dict[str, Any]:
        doc = self.letter.to_json()
        doc["pdf"] = str(self.pdf)
        doc["text"] = str(self.text)
        doc["missing_in_pdf"] = self.missing_in_pdf
        return doc


@dataclass(frozen=True)
class RequestsResult:
    """What ``write_requests`` did: the letters, and requests a new check closed."""

    folder: Path
    report: CheckReport
    letters: tuple[WrittenLetter, ...]
    closed: tuple[TrackedRequest, ...]
    jurisdiction: Jurisdiction

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "folder": str(self.folder),
            "manifest": self.report.manifest.name,
            "jurisdiction": self.jurisdiction.to_json(),
            "patient": {
                "name": self.report.patient_name,
                "birth_date": self.report.patient_birth_date,
            },
            "letters": [w.to_json() for w in self.letters],
            "closed": [r.id for r in self.closed],
        }


def _refuse_inside(folder: Path, outdir: Path) -> None:
    source, target = folder.resolve(), outdir.resolve()
    if target == source or source in target.parents:
        raise RequestError(
            f"the output folder {outdir} is inside the records folder {folder}",
            code=LETTERS_INSIDE_FOLDER,
            hint="recordpack never writes into the records folder: choose a folder outside it.",
        )


def _refuse_others_letters(
    folder: Path, outdir: Path, letters: list[Letter], tracker: Tracker
) -> None:
    """Never overwrite a tracked letter written for another records folder."""
    where = str(folder.resolve())
    names = {str((outdir / f"{letter.id}.pdf").resolve()) for letter in letters}
    for request in tracker.load():
        if request.is_open and request.letter in names and request.folder != where:
            raise RequestError(
                f"{request.letter} is a letter for another records folder ({request.folder})",
                code=LETTERS_OF_ANOTHER_FOLDER,
                hint="Write each patient's letters into a folder of their own.",
            )


def write_requests(
    folder: Path,
    scan: ScanResult,
    report: CheckReport,
    outdir: Path,
    *,
    jurisdiction: Jurisdiction,
    send_to: str | None = None,
    today: dt.date | None = None,
    tracker: Tracker | None = None,
) -> RequestsResult:
    """Write one letter per holder (PDF + text) into ``outdir`` and track them.

    Closes tracked requests for this folder whose items the check now finds.
    Raises :class:`RequestError` when ``outdir`` lies inside ``folder`` (or holds
    another folder's tracked letters) and
    :class:`InputError` when it cannot be written.
    """
    from recordpack.request.render_pdf import render_pdf, undrawable  # fpdf2 when writing

    today = today or dt.date.today()
    _refuse_inside(folder, outdir)
    letters = plan_requests(
        folder, scan, report, jurisdiction=jurisdiction, send_to=send_to, today=today
    )
    tracker = tracker or Tracker()
    _refuse_others_letters(folder, outdir, letters, tracker)
    closed = tracker.close_found(folder, scan, report, today)
    written: list[WrittenLetter] = []
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        for letter in letters:
            words = compose(letter)
            pdf, text = outdir / f"{letter.id}.pdf", outdir / f"{letter.id}.txt"
            write_atomic(pdf, render_pdf(words))
            write_atomic(text, render_text(words).encode("utf-8"))
            written.append(WrittenLetter(letter, pdf, text, undrawable(words)))
    except OSError as error:
        raise InputError(
            f"cannot write the letters in {outdir}: {error.strerror or error}",
            hint="Choose an output folder you may write to.",
        ) from None
    tracker.record_written(
        folder,
        report.manifest.name,
        letters,
        {w.letter.id: (w.pdf, w.text) for w in written},
        today,
    )
    return RequestsResult(folder, report, tuple(written), tuple(closed), jurisdiction)


__all__ = [
    "JURISDICTIONS",
    "Jurisdiction",
    "Letter",
    "RequestsResult",
    "TrackedRequest",
    "Tracker",
    "WrittenLetter",
    "compose",
    "get_jurisdiction",
    "plan_requests",
    "render_text",
    "write_requests",
]
