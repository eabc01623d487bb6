"""Keep track of records requests: written, sent, waiting, overdue, found.

The state is one JSON file, ``requests.json``, in the user's data directory
(platformdirs; the audit log lives beside it), or in ``$RECORDPACK_DATA_DIR``
when that is set. It is never inside a records folder. Every change rewrites
the file atomically (a temporary file, then ``os.replace``), readable by the
user only. A request closes by itself when a later check of its folder finds
every item it asked for.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from recordpack.atomic import write_atomic
from recordpack.checking import CheckReport
from recordpack.errors import InputError
from recordpack.findings import IMAGES_WITHOUT_REPORT, MET, REPORT_WITHOUT_IMAGES
from recordpack.model import ScanResult
from recordpack.request.errors import REQUEST_CLOSED, REQUEST_NOT_FOUND, RequestError
from recordpack.request.jurisdiction import JURISDICTIONS, get_jurisdiction
from recordpack.request.letters import SLIDES_LETTER, Letter
from recordpack.userdata import DATA_DIR_ENV, data_dir

STATE_FILE: Final = "requests.json"
LOCK_FILE: Final = "requests.lock"
STATE_VERSION: Final = 1


@dataclass(frozen=True)
class TrackedItem:
    """One thing a letter asked for; ``found_on`` is set when a check finds it."""

    key: str
    what: str
    found_on: str | None = None


@dataclass(frozen=True)
class TrackedRequest:
    """One letter and what became of it."""

    id: str
    letter: str  # the PDF's absolute path
    text_copy: str
    folder: str  # the records folder's absolute path
    manifest: str
    kind: str
    addressee: str | None
    jurisdiction: str
    items: tuple[TrackedItem, ...]
    written_on: str
    sent_on: str | None = None
    closed_on: str | None = None
    #: Why it closed: "found" (a check found every item) or "done" (the user said so).
    closed_because: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def deadline(self) -> dt.date | None:
        """The legal deadline, counted from the day it was sent (None: unsent or no deadline)."""
        if self.sent_on is None or self.kind == SLIDES_LETTER:
            return None
        return get_jurisdiction(self.jurisdiction).deadline(dt.date.fromisoformat(self.sent_on))

    def status(self, today: dt.date) -> dict[str, Any]:
        """Sent, days left, overdue: the facts ``requests`` shows."""
        deadline = self.deadline()
        days_left = (deadline - today).days if deadline else None
        waiting = (today - dt.date.fromisoformat(self.sent_on)).days if self.sent_on else None
        return {
            "sent": self.sent_on is not None,
            "deadline": deadline.isoformat() if deadline else None,
            "days_left": days_left,
            "overdue": days_left is not None and days_left < 0,
            "days_waiting": waiting,
        }

    def to_json(self, today: dt.date) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "letter": self.letter,
            "text_copy": self.text_copy,
            "folder": self.folder,
            "manifest": self.manifest,
            "kind": self.kind,
            "addressee": self.addressee,
            "jurisdiction": self.jurisdiction,
            "items": [asdict(item) for item in self.items],
            "written_on": self.written_on,
            "sent_on": self.sent_on,
            "closed_on": self.closed_on,
            "closed_because": self.closed_because,
        }
        doc.update(self.status(today))
        return doc


@dataclass
class _State:
    requests: list[TrackedRequest] = field(default_factory=list)


def _request_from_json(doc: dict[str, Any]) -> TrackedRequest:
    items = tuple(TrackedItem(**item) for item in doc.pop("items"))
    if doc.get("jurisdiction") not in JURISDICTIONS:
        raise ValueError(f"unknown jurisdiction {doc.get('jurisdiction')!r}")
    return TrackedRequest(items=items, **doc)


class Tracker:
    """The requests state file: read, change, write back atomically."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else data_dir()
        self.path = self.folder / STATE_FILE

    def load(self) -> list[TrackedRequest]:
        """Every tracked request, oldest first; [] when nothing was ever tracked."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as error:
            raise InputError(
                f"cannot read the requests file {self.path}: {error.strerror or error}",
                hint="Check that you may read it.",
            ) from None
        try:
            doc = json.loads(raw)
            if doc.get("version") != STATE_VERSION:
                raise ValueError("unknown version")
            return [_request_from_json(dict(entry)) for entry in doc["requests"]]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise InputError(
                f"the requests file {self.path} is damaged ({error})",
                hint="Move it aside (the letters themselves are unaffected); writing the "
                "letters again tracks them anew.",
            ) from None

    def save(self, requests: Sequence[TrackedRequest]) -> None:
        """Write the state atomically, readable by the user only."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        doc = {
            "version": STATE_VERSION,
            "requests": [
                {k: v for k, v in r.to_json(dt.date.today()).items() if k in _STORED}
                for r in requests
            ],
        }
        write_atomic(self.path, json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8"))

    @contextmanager
    def changing(self) -> Iterator[list[TrackedRequest]]:
        """Load, let the caller change the list in place, save when it changed.

        Holds a lock for the while, so two commands at once never lose a change.
        """
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _locked(self.folder / LOCK_FILE):
            requests = self.load()
            before = list(requests)
            yield requests
            if requests != before:
                self.save(requests)

    # ------------------------------------------------------------------ changes

    def record_written(
        self,
        folder: Path,
        manifest: str,
        letters: Sequence[Letter],
        files: dict[str, tuple[Path, Path]],
        today: dt.date,
    ) -> list[TrackedRequest]:
        """Track newly written letters; a sent letter rewritten in place stays as sent."""
        added: list[TrackedRequest] = []
        with self.changing() as requests:
            for letter in letters:
                pdf, text = files[letter.id]
                letter_path = str(pdf.resolve())
                same = [r for r in requests if r.letter == letter_path and r.is_open]
                if any(r.sent_on for r in same):
                    continue
                for old in same:
                    requests.remove(old)
                request = TrackedRequest(
                    id=_new_id(letter.id, today, {r.id for r in requests}),
                    letter=letter_path,
                    text_copy=str(text.resolve()),
                    folder=str(folder.resolve()),
                    manifest=manifest,
                    kind=letter.kind,
                    addressee=letter.addressee,
                    jurisdiction=letter.jurisdiction.code,
                    items=tuple(TrackedItem(item.key, item.what) for item in letter.items),
                    written_on=today.isoformat(),
                )
                requests.append(request)
                added.append(request)
        return added

    def find(self, reference: str, requests: Sequence[TrackedRequest]) -> TrackedRequest:
        """The open request a letter's path (PDF or text copy) or id names."""
        path = str(Path(reference).expanduser().resolve())
        matches = [
            r
            for r in requests
            if r.is_open and (path in (r.letter, r.text_copy) or reference == r.id)
        ]
        if not matches:
            closed = [r for r in requests if path in (r.letter, r.text_copy) or reference == r.id]
            if closed:
                raise RequestError(
                    f"the request for {reference} is already closed ({closed[-1].closed_on})",
                    code=REQUEST_CLOSED,
                )
            raise RequestError(
                f"no open request is tracked for {reference}",
                code=REQUEST_NOT_FOUND,
                hint="Name a letter that was written (its PDF or its text copy), or its id.",
            )
        return matches[-1]

    def mark_sent(self, reference: str, on: dt.date) -> TrackedRequest:
        """Record that a letter went out on a date (today by default)."""
        with self.changing() as requests:
            request = self.find(reference, requests)
            updated = replace(request, sent_on=on.isoformat())
            requests[requests.index(request)] = updated
        return updated

    def mark_done(self, reference: str, on: dt.date) -> TrackedRequest:
        """Close a request by hand (slides arrived, or no longer needed)."""
        with self.changing() as requests:
            request = self.find(reference, requests)
            updated = replace(request, closed_on=on.isoformat(), closed_because="done")
            requests[requests.index(request)] = updated
        return updated

    def close_found(
        self, folder: Path, scan: ScanResult, report: CheckReport, today: dt.date
    ) -> list[TrackedRequest]:
        """Mark items a check of ``folder`` now finds; close requests with every item found.

        Reads the state only; writes it only when something changed. Returns the
        requests that closed.
        """
        if not self.path.exists():
            return []
        where = str(folder.resolve())
        closed: list[TrackedRequest] = []
        with self.changing() as requests:
            for index, request in enumerate(requests):
                if not request.is_open or request.folder != where:
                    continue
                items = tuple(
                    item
                    if item.found_on or not found(item.key, scan, report)
                    else replace(item, found_on=today.isoformat())
                    for item in request.items
                )
                if items == request.items:
                    continue
                updated = replace(request, items=items)
                if all(item.found_on for item in items):
                    updated = replace(updated, closed_on=today.isoformat(), closed_because="found")
                    closed.append(updated)
                requests[index] = updated
        return closed


#: Keys of a request kept in the state file (status facts are computed, not stored).
_STORED: Final = frozenset(
    {
        "id",
        "letter",
        "text_copy",
        "folder",
        "manifest",
        "kind",
        "addressee",
        "jurisdiction",
        "items",
        "written_on",
        "sent_on",
        "closed_on",
        "closed_because",
    }
)


def found(key: str, scan: ScanResult, report: CheckReport) -> bool:
    """Whether a check finds the item an item key names (physical items: never)."""
    kind, _, target = key.partition(":")
    if kind == "req":
        return any(r.requirement.id == target and r.status == MET for r in report.results)
    if kind in ("images", "report"):
        if not any(target in record.files for record in scan.records):
            return False  # the record it was about is gone: nothing to judge by
        code = REPORT_WITHOUT_IMAGES if kind == "images" else IMAGES_WITHOUT_REPORT
        return not any(f.code == code and target in f.paths for f in report.findings)
    return False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (POSIX); no lock where flock is missing."""
    try:
        import fcntl
    except ImportError:  # Windows: one user at a keyboard, no lock
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _new_id(stem: str, today: dt.date, taken: set[str]) -> str:
    base = f"{today.strftime('%Y%m%d')}-{stem}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


__all__ = [
    "DATA_DIR_ENV",
    "TrackedItem",
    "TrackedRequest",
    "Tracker",
    "data_dir",
    "found",
    "write_atomic",
]
