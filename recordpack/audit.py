"""A tamper-evident audit log of what recordpack did: one SQLite file, a hash chain.

Every scan, check, pack, open and verify appends one event: when, who (the
operating-system user), what, on which folder or bundle, the bundle's SHA-256,
the recipients' public keys, the outcome and a few counts. No record content
and no secret is ever logged; the patient's name is kept as the records give
it, so that a coordinator can find an event.

Each event stores ``hash = SHA-256(previous hash + canonical content)``. Editing,
deleting or reordering an event breaks the chain from that event on, and
:meth:`AuditLog.verify` names the first bad one. A log cut short at the end
keeps a valid chain, so every receipt carries the head hash at the time of its
pack: a receipt whose hash the log no longer holds proves the log was truncated.

Appends run in an ``IMMEDIATE`` transaction on a WAL database, so several
processes (two packs, a batch's workers) can log at once without losing or
corrupting an event.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from recordpack.atomic import within
from recordpack.errors import RecordpackError
from recordpack.userdata import DATA_DIR_ENV, data_dir

#: Environment variable naming the log file (read by the front doors).
AUDIT_LOG_ENV: Final = "RECORDPACK_AUDIT_LOG"

#: The actions recordpack logs.
ACTIONS: Final[tuple[str, ...]] = ("scan", "check", "pack", "open", "verify", "inspect", "batch")

#: The hash a chain starts from.
GENESIS: Final = "0" * 64

#: What a pack event lists as its recipient when the bundle is protected by a passphrase
#: (which has no public form, and is never logged).
PASSPHRASE_RECIPIENT: Final = "passphrase"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    operator TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    patient TEXT,
    bundle_sha256 TEXT,
    recipients TEXT NOT NULL,
    outcome TEXT NOT NULL,
    counts TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""

_COLUMNS: Final = (
    "seq, time, operator, action, subject, patient, bundle_sha256, recipients, outcome, "
    "counts, prev_hash, hash"
)


class AuditLogError(RecordpackError):
    """The audit log cannot be opened, written or read."""

    exit_code = 2


class LogInsideFolderError(AuditLogError):
    """The audit log would be written inside a folder of records the command reads."""

    code = "audit_log_inside_folder"

    def __init__(self, path: Path, folder: Path, roster_line: int | None = None) -> None:
        where = f"the folder {folder}"
        if roster_line is not None:
            where = f"the folder of roster line {roster_line} ({folder})"
        super().__init__(
            f"the audit log {path} is inside {where} this command reads, which recordpack "
            "never changes",
            hint="Keep the log somewhere else (by default it is in recordpack's data folder).",
        )
        self.path = path
        self.folder = folder
        self.roster_line = roster_line


class DataDirInsideFolderError(LogInsideFolderError):
    """recordpack's data folder, where the audit log would be written, is inside a folder
    of records the command reads."""

    code = "data_dir_inside_folder"

    def __init__(self, path: Path, folder: Path, data: Path, roster_line: int | None = None) -> None:
        super().__init__(path, folder, roster_line)
        where = f"the folder {folder}"
        if roster_line is not None:
            where = f"the folder of roster line {roster_line} ({folder})"
        named = f" ({DATA_DIR_ENV})" if os.environ.get(DATA_DIR_ENV) else ""
        self.message = (
            f"recordpack's data folder {data}{named}, where its audit log {path} "
            f"would be written, is inside {where} this command reads, which recordpack "
            "never changes"
        )
        self.hint = (
            f"Set {DATA_DIR_ENV} to a folder outside the records (or unset it to use the "
            "usual place), then run the command again."
        )
        self.data = data


def refuse_inside(path: Path, folder: Path, *, roster_line: int | None = None) -> None:
    """Raise :class:`LogInsideFolderError` when ``path`` is ``folder`` or anywhere under it
    (by any name): a log there would change the patient's records, and travel with them.
    When the log is there because recordpack's data folder is, the error
    (:class:`DataDirInsideFolderError`) names that folder and how to move it."""
    if within(path, folder):
        data = data_dir()
        # The data folder may not exist yet: compared by name, then placed by identity.
        in_data = Path(os.path.realpath(path)).is_relative_to(os.path.realpath(data))
        if in_data and within(data, folder):
            raise DataDirInsideFolderError(path, folder, data, roster_line)
        raise LogInsideFolderError(path, folder, roster_line)


def default_log_path() -> Path:
    """The log's place when none is named: ``audit.sqlite3`` in recordpack's data folder."""
    return data_dir() / "audit.sqlite3"


def log_location(named: str | Path | None = None) -> tuple[Path, bool]:
    """Where the log is: ``named``, else ``$RECORDPACK_AUDIT_LOG``, else the default place;
    and whether the user named it (a named log that cannot be used is an error)."""
    import os

    chosen = named if named is not None else os.environ.get(AUDIT_LOG_ENV) or None
    return (Path(chosen), True) if chosen is not None else (default_log_path(), False)


def current_operator() -> str:
    """The operating-system user running recordpack (``unknown`` when it cannot be told)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class AuditEvent:
    """One thing recordpack did, as it is appended (no sequence number or hash yet)."""

    action: str
    subject: str
    outcome: str
    patient: str | None = None
    bundle_sha256: str | None = None
    recipients: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    operator: str = field(default_factory=current_operator)
    time: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    )

    def __post_init__(self) -> None:
        for name in ("subject", "patient", "operator"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _valid_utf8(value))


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the log holds it."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            **_content(self.seq, self.event),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class ChainReport:
    """What :meth:`AuditLog.verify` found."""

    events: int
    head: str
    first_bad: int | None = None
    reason: str | None = None
    #: For a check against a receipt: whether the receipt's head hash is in the chain.
    receipt_found: bool | None = None
    #: For a receipt not found: whether it was made with another log (its first event is
    #: not this log's), or with this one (which was then cut short); None when not known.
    receipt_other_log: bool | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad is None and self.receipt_found is not False

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "ok": self.ok,
            "events": self.events,
            "head": self.head,
            "first_bad_event": self.first_bad,
            "reason": self.reason,
            "receipt_found": self.receipt_found,
            "receipt_other_log": self.receipt_other_log,
        }


def _content(seq: int, event: AuditEvent) -> dict[str, object]:
    return {
        "seq": seq,
        "time": event.time,
        "operator": event.operator,
        "action": event.action,
        "subject": event.subject,
        "patient": event.patient,
        "bundle_sha256": event.bundle_sha256,
        "recipients": list(event.recipients),
        "outcome": event.outcome,
        "counts": dict(sorted(event.counts.items())),
    }


def chain_hash(prev_hash: str, seq: int, event: AuditEvent) -> str:
    """SHA-256 of the previous hash and the event's canonical JSON."""
    canonical = json.dumps(
        _content(seq, event), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode("utf-8", "surrogatepass")).hexdigest()


class AuditLog:
    """An append-only, hash-chained event log in one SQLite file."""

    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the log at ``path``; raises AuditLogError if unusable."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise AuditLogError(
                f"cannot use the audit log {self.path}: {_reason(error)}",
                hint="Name a writable place for it, or check the folder's permissions.",
            ) from error

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        with closing(db):
            db.execute("PRAGMA busy_timeout=60000")
            yield db

    def append(self, event: AuditEvent) -> str:
        """Append one event; returns its hash, the log's new head."""
        if event.action not in ACTIONS:
            raise ValueError(f"unknown audit action {event.action!r}")
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
                    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
                    digest = chain_hash(prev, seq, event)
                    db.execute(
                        f"INSERT INTO events ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            seq,
                            event.time,
                            event.operator,
                            event.action,
                            event.subject,
                            event.patient,
                            event.bundle_sha256,
                            json.dumps(list(event.recipients)),
                            event.outcome,
                            json.dumps(dict(event.counts), sort_keys=True),
                            prev,
                            digest,
                        ),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as error:
            raise AuditLogError(f"cannot write to the audit log {self.path}: {_reason(error)}") from error
        return digest

    def head(self) -> str:
        """The hash of the latest event (the genesis hash for an empty log)."""
        with self._reading() as db:
            row = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return str(row[0]) if row else GENESIS

    def origin(self) -> str | None:
        """The hash of the first event, which tells this log from any other (None when empty)."""
        with self._reading() as db:
            row = db.execute("SELECT hash FROM events WHERE seq = 1").fetchone()
        return str(row[0]) if row else None

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._connect() as db:
                yield db
        except sqlite3.Error as error:
            raise AuditLogError(f"cannot read the audit log {self.path}: {_reason(error)}") from error

    def _rows(self, db: sqlite3.Connection, where: str = "", args: Sequence[object] = ()) -> Iterator[LoggedEvent]:
        for row in db.execute(f"SELECT {_COLUMNS} FROM events {where} ORDER BY seq", args):
            yield _logged(row)

    def events(
        self, *, since: dt.date | None = None, action: str | None = None
    ) -> list[LoggedEvent]:
        """The logged events, oldest first, optionally from a day on and of one action."""
        clauses: list[str] = []
        args: list[object] = []
        if since is not None:
            clauses.append("time >= ?")
            args.append(since.isoformat())
        if action is not None:
            clauses.append("action = ?")
            args.append(action)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._reading() as db:
            return list(self._rows(db, where, args))

    def verify(
        self, *, receipt_head: str | None = None, receipt_origin: str | None = None
    ) -> ChainReport:
        """Walk the chain; the first event whose hash or link does not hold is named.

        With a receipt's head hash (and the first event hash of the log it was made
        with, which newer receipts carry), also whether that head is in the chain,
        and if not, whether the receipt is another log's or this log was cut short.
        """
        prev = GENESIS
        count = 0
        first: str | None = None
        seen_receipt = receipt_head is None or receipt_head == GENESIS
        with self._reading() as db:
            for expected_seq, logged in enumerate(self._rows(db), start=1):
                count += 1
                first = first or logged.hash
                if logged.seq != expected_seq:
                    return ChainReport(count, prev, logged.seq, "events before this one are missing")
                if logged.prev_hash != prev:
                    return ChainReport(
                        count, prev, logged.seq, "it does not follow the event before it"
                    )
                if chain_hash(prev, logged.seq, logged.event) != logged.hash:
                    return ChainReport(count, prev, logged.seq, "its content was changed")
                prev = logged.hash
                seen_receipt = seen_receipt or logged.hash == receipt_head
        if receipt_head is None:
            return ChainReport(count, prev)
        other = None  # an empty log, or a receipt that does not name its log: cannot tell
        if not seen_receipt and receipt_origin is not None and first is not None:
            other = first != receipt_origin
        return ChainReport(count, prev, receipt_found=seen_receipt, receipt_other_log=other)


def _logged(row: Sequence[object]) -> LoggedEvent:
    seq, time, operator, action, subject, patient, sha, recipients, outcome, counts, prev, digest = row
    try:
        recipient_list = tuple(str(r) for r in json.loads(str(recipients)))
        count_map = {str(k): int(v) for k, v in json.loads(str(counts)).items()}
    except (ValueError, TypeError, AttributeError):
        # A hand-edited row whose JSON no longer parses: keep its text so the hash check fails.
        recipient_list = (str(recipients),)
        count_map = {"unreadable": -1}
    event = AuditEvent(
        action=str(action),
        subject=str(subject),
        outcome=str(outcome),
        patient=None if patient is None else str(patient),
        bundle_sha256=None if sha is None else str(sha),
        recipients=recipient_list,
        counts=count_map,
        operator=str(operator),
        time=str(time),
    )
    return LoggedEvent(int(str(seq)), event, str(prev), str(digest))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_utf8(text: str) -> str:
    """Text the log can store: a byte of a non-UTF-8 file name as ``\\xHH`` (as scan
    writes it), any other lone surrogate as U+FFFD. Unchanged when already valid."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else "\ufffd"

    return _SURROGATE.sub(escape, text)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


# ----------------------------------------------------------------------------- events of the workflow


def folder_event(action: str, folder: str, outcome: str, patient: str | None, counts: Mapping[str, int]) -> AuditEvent:
    """A scan or check of a folder (or a pack the gate refused)."""
    return AuditEvent(action=action, subject=folder, outcome=outcome, patient=patient, counts=counts)


def bundle_event(
    action: str,
    bundle: str,
    outcome: str,
    *,
    patient: str | None = None,
    sha256: str | None = None,
    recipients: Sequence[str] = (),
    passphrase: bool = False,
    counts: Mapping[str, int] | None = None,
) -> AuditEvent:
    """A pack, open or verify of a bundle; a bundle protected by a ``passphrase`` lists
    :data:`PASSPHRASE_RECIPIENT` among its recipients (never the passphrase)."""
    return AuditEvent(
        action=action,
        subject=bundle,
        outcome=outcome,
        patient=patient,
        bundle_sha256=sha256,
        recipients=(*recipients, *([PASSPHRASE_RECIPIENT] if passphrase else [])),
        counts=counts or {},
    )
