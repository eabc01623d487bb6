"""Batch export for coordinators: one roster, many patients, worker processes.

A roster is a CSV file with a header. Columns:

``folder`` (required)
    the patient's records; a relative path is relative to the roster's folder.
``manifest``
    a built-in checklist name or a TOML path (relative to the roster's folder).
``recipient``
    one or more ``age1...`` public keys separated by spaces, or the path of a
    recipients file.
``passphrase``
    ``yes`` to protect the bundle with a generated passphrase instead, written
    to a file only its owner can read, beside the bundle (never logged or printed).
``name``
    the bundle's file name without ``.rpk``; by default the folder's name. Two
    rows whose bundle names would be the same are refused before any work starts.
``accept_incomplete``, ``accept_other_patient``
    ``yes`` to pack although the check finds something missing, or records that
    seem to be someone else's: the coordinator's decision, explicit per patient.

Each row runs through the same workflow as ``pack`` (prepare, gate, encrypt,
pack), in its own worker process. A row that fails never stops the others, and
every row's outcome is in the audit log. Cancelling (Ctrl-C, SIGTERM, SIGHUP)
stops every row at its next progress point; finished bundles stay,
half-written ones are removed. A worker whose batch is gone (killed) cancels
its row the same way and exits.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import multiprocessing
import multiprocessing.synchronize
import os
import re
import signal
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from recordpack.atomic import within
from recordpack.errors import RecordpackError, UsageError

if TYPE_CHECKING:
    from recordpack.audit import AuditLog

#: Row status codes.
PACKED: Final = "packed"
REFUSED: Final = "refused"  # the check found something the row did not accept
FAILED: Final = "failed"  # an error: missing folder, bad key, unreadable ...
CANCELLED: Final = "cancelled"
_STATUSES: Final = (PACKED, REFUSED, FAILED, CANCELLED)

COLUMNS: Final[tuple[str, ...]] = (
    "folder",
    "manifest",
    "recipient",
    "passphrase",
    "name",
    "accept_incomplete",
    "accept_other_patient",
)

#: Signals that cancel a batch as Ctrl-C does (SIGHUP: the terminal was closed).
_TERMINATION_SIGNALS: Final[tuple[signal.Signals, ...]] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

_YES: Final = frozenset({"yes", "y", "true", "1", "x"})
_NO: Final = frozenset({"", "no", "n", "false", "0"})

#: Characters allowed in a bundle name taken from the roster.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,100}$")


class FolderMissingError(RecordpackError):
    """A row's folder does not exist or is not a folder."""

    code = "folder_missing"

    def __init__(self, folder: Path) -> None:
        super().__init__(f"the folder {folder} does not exist or is not a folder")
        self.folder = folder


class RosterError(UsageError):
    """The roster cannot be used; ``line`` and ``column`` say where."""

    code = "bad_roster"

    def __init__(
        self, message: str, *, line: int, column: str | None = None, code: str | None = None
    ) -> None:
        where = f"line {line}" + (f", column '{column}'" if column else "")
        super().__init__(
            f"roster {where}: {message}",
            hint="Correct the roster and run the batch again; nothing was packed.",
        )
        self.line = line
        self.column = column
        if code is not None:
            self.code = code


class RosterUnreadableError(UsageError):
    """The roster file is missing, not UTF-8 text, or cannot be read."""

    code = "roster_unreadable"


class OutputInsideFolderError(UsageError):
    """The batch's output folder is inside a roster row's folder."""

    code = "output_inside_folder"

    def __init__(self, outdir: Path, row: RosterRow) -> None:
        super().__init__(
            f"the output folder {outdir} is inside the folder of roster line {row.line} "
            f"({row.folder}); recordpack never writes in a patient's folder",
            hint="Choose an output folder (-o) outside every patient's folder; nothing was packed.",
        )
        self.line = row.line


class OutputNotCreatedError(UsageError):
    """The batch's output folder cannot be made."""

    code = "output_not_created"


@dataclass(frozen=True)
class RosterRow:
    """One patient to pack, as the roster states it (paths resolved)."""

    line: int
    folder: Path
    manifest: str | None = None
    keys: tuple[str, ...] = ()
    key_files: tuple[Path, ...] = ()
    passphrase: bool = False
    name: str | None = None
    accept_incomplete: bool = False
    accept_other_patient: bool = False

    @property
    def bundle_name(self) -> str:
        """The bundle's file name without ``.rpk``: the roster's ``name``, else the folder's."""
        if self.name is not None:
            return self.name
        folder_name = Path(os.path.abspath(self.folder)).name
        return folder_name if _SAFE_NAME.match(folder_name) else _slug(folder_name)


def _flag(value: str, line: int, column: str) -> bool:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RosterError(f"'{value}' is not yes or no", line=line, column=column)


def read_roster(path: Path) -> list[RosterRow]:
    """Parse and validate a roster; raises :class:`RosterError` naming the line and column."""
    path = Path(path)
    base = path.resolve().parent
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if "folder" not in header:
                raise RosterError("the header has no 'folder' column", line=1, column="folder")
            unknown = [h for h in header if h not in COLUMNS]
            if unknown:
                raise RosterError(
                    f"unknown column '{unknown[0]}' (known: {', '.join(COLUMNS)})",
                    line=1,
                    column=unknown[0],
                )
            reader.fieldnames = header
            rows = [_row(raw, reader.line_num, base) for raw in reader]
    except FileNotFoundError:
        raise RosterUnreadableError(f"the roster {path} does not exist") from None
    except UnicodeDecodeError:
        raise RosterUnreadableError(
            f"the roster {path} is not UTF-8 text", hint="Save it as CSV UTF-8."
        ) from None
    except csv.Error as error:
        raise RosterError(str(error), line=reader.line_num) from None
    except OSError as error:
        raise RosterUnreadableError(f"cannot read the roster {path}: {error.strerror}") from None
    if not rows:
        raise RosterError("the roster lists no patient", line=1)
    _refuse_shared_bundle_names(rows)
    return rows


def _refuse_shared_bundle_names(rows: Sequence[RosterRow]) -> None:
    """Two rows must not write the same bundle (names compared as a case-blind disk would)."""
    first: dict[str, RosterRow] = {}
    for row in rows:
        earlier = first.setdefault(row.bundle_name.lower(), row)
        if earlier is row:
            continue
        how = "" if row.name is not None else " (from its folder's name)"
        raise RosterError(
            f"the bundle name '{row.bundle_name}'{how} is also line {earlier.line}'s; "
            "give each of these rows its own 'name'",
            line=row.line,
            column="name",
            code="shared_bundle_name",
        )


def roster_folders(path: Path) -> list[tuple[int, Path]]:
    """Every (line, folder) a roster names, read leniently: a roster refused for a
    mistake elsewhere still names folders that must not be written to."""
    path = Path(path)
    base = path.resolve().parent
    found: list[tuple[int, Path]] = []
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if "folder" not in header:
                return found
            column = header.index("folder")
            for cells in reader:
                folder = cells[column].strip() if column < len(cells) else ""
                if folder:
                    found.append((reader.line_num, base / folder))
    except (OSError, csv.Error):
        pass  # what was read so far is all that can be known
    return found


def refuse_log_in_folders(log: Path, roster: Path, rows: Sequence[RosterRow] | None) -> None:
    """Raise ``LogInsideFolderError`` (naming the roster line) when the audit log ``log``
    would be inside a folder the roster names: ``rows`` when the roster was read, else
    whatever folders it names (see :func:`roster_folders`)."""
    from recordpack.audit import refuse_inside

    folders = [(r.line, r.folder) for r in rows] if rows is not None else roster_folders(roster)
    for line, folder in folders:
        refuse_inside(log, folder, roster_line=line)


def log_refused_batch(
    audit: AuditLog | None, refusal: RecordpackError, *, roster: Path | None, outdir: Path | None
) -> None:
    """Log a batch run refused before any work: the refusal's code and, when it names
    one, the roster line (never the message, which may quote a roster's cell)."""
    if audit is None:
        return
    from recordpack.audit import AuditEvent

    line = getattr(refusal, "line", None)
    audit.append(
        AuditEvent(
            action="batch",
            subject=str(roster or outdir),
            outcome=f"refused: {refusal.code}",
            counts={"roster_line": line} if isinstance(line, int) else {},
        )
    )


def _row(raw: dict[str | None, str | list[str] | None], line: int, base: Path) -> RosterRow:
    if None in raw:
        raise RosterError("more values than columns", line=line)
    cell = {str(k): (v if isinstance(v, str) else "").strip() for k, v in raw.items()}
    folder = cell.get("folder", "")
    if not folder:
        raise RosterError("no folder given", line=line, column="folder")
    recipient = cell.get("recipient", "")
    passphrase = _flag(cell.get("passphrase", ""), line, "passphrase")
    keys: tuple[str, ...] = ()
    key_files: tuple[Path, ...] = ()
    if recipient:
        words = recipient.split()
        if all(w.lower().startswith("age1") for w in words):
            keys = tuple(words)
        else:
            key_files = (base / recipient,)
    if passphrase and recipient:
        raise RosterError(
            "a row takes either recipients or a passphrase, not both", line=line, column="passphrase"
        )
    if not passphrase and not recipient:
        raise RosterError(
            "say who may open the bundle: a public key (age1...), a recipients file, "
            "or passphrase=yes",
            line=line,
            column="recipient",
        )
    name = cell.get("name") or None
    if name is not None and not _SAFE_NAME.match(name):
        raise RosterError(
            "use letters, digits, spaces, dots, dashes and underscores only", line=line, column="name"
        )
    manifest = cell.get("manifest") or None
    if manifest is not None and ("/" in manifest or manifest.endswith(".toml")):
        manifest = str(base / manifest)
    return RosterRow(
        line=line,
        folder=base / folder,
        manifest=manifest,
        keys=keys,
        key_files=key_files,
        passphrase=passphrase,
        name=name,
        accept_incomplete=_flag(cell.get("accept_incomplete", ""), line, "accept_incomplete"),
        accept_other_patient=_flag(
            cell.get("accept_other_patient", ""), line, "accept_other_patient"
        ),
    )


@dataclass(frozen=True)
class RowResult:
    """What became of one roster row."""

    line: int
    folder: str
    status: str
    bundle: str | None = None
    size: int | None = None
    sha256: str | None = None
    records: int | None = None
    patient: str | None = None
    #: The check's verdict in short: "ok", or the requirement ids not met and finding codes.
    check: str | None = None
    #: Why the row failed or was refused (a code), and the message.
    reason_code: str | None = None
    reason: str | None = None
    passphrase_file: str | None = None
    receipt: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "folder": self.folder,
            "status": self.status,
            "bundle": self.bundle,
            "size": self.size,
            "sha256": self.sha256,
            "records": self.records,
            "patient": self.patient,
            "check": self.check,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "passphrase_file": self.passphrase_file,
            "receipt": self.receipt,
        }


@dataclass(frozen=True)
class BatchResult:
    """Every row's result, in roster order."""

    rows: tuple[RowResult, ...]
    cancelled: bool = False
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.cancelled and all(r.status == PACKED for r in self.rows)

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "ok": self.ok,
            "cancelled": self.cancelled,
            "packed": sum(r.status == PACKED for r in self.rows),
            "not_packed": sum(r.status != PACKED for r in self.rows),
            "rows": [r.to_json() for r in self.rows],
        }


def _slug(name: str | None) -> str:
    """A file-name stem from a patient's name: ASCII letters, digits and dashes."""
    if not name:
        return "records"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()
    return slug[:60] or "records"


def _check_words(prepared_report_json: dict[str, object]) -> str:
    if prepared_report_json.get("ok"):
        return "ok"
    parts: list[str] = []
    requirements = prepared_report_json.get("requirements")
    if isinstance(requirements, list):
        parts += [
            f"{r.get('id')}: {r.get('status')}"
            for r in requirements
            if isinstance(r, dict) and r.get("status") not in ("met", "optional_missing")
        ]
    findings = prepared_report_json.get("findings")
    if isinstance(findings, list):
        parts += sorted({str(f.get("code")) for f in findings if isinstance(f, dict)})
    return "; ".join(parts) or "not ok"


def _write_secret(path: Path, text: str) -> None:
    """A file only its owner can read, created new (never replacing one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


# ----------------------------------------------------------------------------- one row (in a worker)

_cancel_event: multiprocessing.synchronize.Event | None = None


_progress_to_stderr = False

#: Held while a worker runs a row, so that a worker whose batch is gone exits
#: only once its row has stopped and removed what it had half-written.
_row_running = threading.Lock()


def _init_worker(event: object, progress: bool) -> None:
    """Worker set-up: signals and a vanished batch cancel the batch through ``event``.

    Ctrl-C reaches every process on the terminal, and is the main process's to
    handle. SIGTERM or SIGHUP sent to a worker (a job scheduler stopping the whole
    process group) cancel the batch, so its row stops cleanly instead of dying
    with a half-written bundle.
    """
    global _cancel_event, _progress_to_stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _cancel_event = event  # type: ignore[assignment]
    _progress_to_stderr = progress
    for signum in _TERMINATION_SIGNALS:
        signal.signal(signum, lambda _signum, _frame: _cancel())
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_when_gone, args=(parent.sentinel,), name="batch-watch", daemon=True
        ).start()


def _cancel() -> None:
    if _cancel_event is not None:
        _cancel_event.set()


def _exit_when_gone(parent_sentinel: int) -> None:
    """Once the batch process has ended (killed, even by SIGKILL), cancel the row and exit.

    Without this a worker would go on packing, then wait for work forever.
    """
    from multiprocessing.connection import wait as wait_ready

    wait_ready([parent_sentinel])
    _cancel()
    with _row_running:
        os._exit(1)


def _stderr_say(row: RosterRow) -> Callable[[str], None]:
    import sys

    def say(step: str) -> None:
        if _progress_to_stderr:
            print(f"recordpack: line {row.line} ({row.folder.name}): {step}", file=sys.stderr, flush=True)

    return say


def run_row(
    row: RosterRow,
    outdir: Path,
    *,
    audit_log: Path | None,
    as_of: dt.date | None = None,
    say: Callable[[str], None] | None = None,
) -> RowResult:
    """Pack one roster row; every failure becomes a result, never an exception."""
    from recordpack import workflow

    cancel = workflow.CancelToken(_cancel_event)  # the batch's flag, shared by every worker
    base = RowResult(line=row.line, folder=str(row.folder), status=FAILED)
    try:
        with _row_running:
            return _run_row(row, outdir, audit_log, as_of, cancel, say or _stderr_say(row))
    except workflow.GateRefused as refused:
        report = refused.prepared.report.to_json()
        return dataclasses.replace(
            base,
            status=REFUSED,
            check=_check_words(report),
            reason_code=",".join(refused.decision.refused),
            reason=_refusal_words(refused.decision.refused),
            patient=_patient_name(refused.prepared),
        )
    except workflow.Cancelled:
        return dataclasses.replace(base, status=CANCELLED, reason_code="cancelled", reason="cancelled")
    except RecordpackError as error:
        code = getattr(error, "code", None) or type(error).__name__
        return dataclasses.replace(base, reason_code=str(code), reason=error.message)
    except Exception as error:  # noqa: BLE001 - one row's bug must not stop the batch
        return dataclasses.replace(
            base, reason_code="internal_error", reason=f"unexpected error: {type(error).__name__}: {error}"
        )


_REFUSAL_WORDS: Final[dict[str, str]] = {
    "other_patient": "some records seem to belong to another person",
    "incomplete": "something required is missing or needs attention",
    "empty": "there is no record to pack",
}


def _refusal_words(codes: Sequence[str]) -> str:
    return "; ".join(_REFUSAL_WORDS.get(c, c) for c in codes)


def _patient_name(prepared: object) -> str | None:
    from recordpack.workflow import Prepared

    if isinstance(prepared, Prepared):
        return prepared.report.patient_name
    return None


def _run_row(
    row: RosterRow,
    outdir: Path,
    audit_log: Path | None,
    as_of: dt.date | None,
    cancel: object,
    say: Callable[[str], None],
) -> RowResult:
    from recordpack import workflow
    from recordpack.audit import AuditLog
    from recordpack.bundle.pack import DestinationExistsError, check_destination
    from recordpack.manifest import load_manifest
    from recordpack.passphrase import generate_passphrase
    from recordpack.receipt import check_receipt_destination, make_receipt, write_receipt

    assert isinstance(cancel, workflow.CancelToken)
    cancel.raise_if_cancelled()  # a row still queued when the batch was cancelled
    if not row.folder.is_dir():
        raise FolderMissingError(row.folder)
    stem = row.bundle_name
    out = outdir / f"{stem}.rpk"
    receipt_path = outdir / f"{stem}.receipt.json"
    secret_file = outdir / f"{stem}.passphrase.txt" if row.passphrase else None
    # Every file the row will write is refused now, as pack does, not after a long scan.
    check_destination(out, row.folder, False, audit_log=audit_log)
    check_receipt_destination(receipt_path, source=row.folder, bundle=out, audit_log=audit_log)
    if secret_file is not None and os.path.lexists(secret_file):
        raise DestinationExistsError(secret_file)
    manifest = load_manifest(row.manifest) if row.manifest else None
    # Keys are checked before the (long) scan, so a bad key fails at once.
    choice = workflow.choose_encryption(
        keys=row.keys, key_files=row.key_files, ask_passphrase=row.passphrase
    )
    say("scanning")
    prepared = workflow.prepare(row.folder, manifest, as_of=as_of, cancel=cancel)
    decision = workflow.gate(
        prepared,
        accept_incomplete=row.accept_incomplete,
        accept_other_patient=row.accept_other_patient,
    )
    log = AuditLog(audit_log) if audit_log is not None else None
    if not decision.allowed:
        workflow.log_refused(log, prepared, decision)
        raise workflow.GateRefused(decision, prepared)
    secret = generate_passphrase() if choice.ask_passphrase else None
    say("packing")
    result = workflow.pack_prepared(
        prepared, out, workflow.recipients(choice, secret), decision=decision, cancel=cancel,
        audit=log,
    )
    if secret_file is not None and secret is not None:
        try:
            _write_secret(secret_file, secret)
        except OSError as error:
            result.path.unlink(missing_ok=True)  # a bundle nobody can open is no use
            raise RecordpackError(
                f"could not write the passphrase file {secret_file}: {error.strerror}"
            ) from error
    summary = result.summary
    accepted = tuple(
        name
        for name, used in (
            ("accept_incomplete", decision.accepted_incomplete),
            ("accept_other_patient", decision.accepted_other_patient),
        )
        if used
    )
    check_json = prepared.report.to_json() if prepared.manifest is not None else None
    receipt = write_receipt(
        make_receipt(
            summary, check=check_json, accepted=accepted, audit_head=result.audit_head, audit=log
        ),
        receipt_path,
    )
    return RowResult(
        line=row.line,
        folder=str(row.folder),
        status=PACKED,
        bundle=str(summary.path),
        size=summary.size,
        sha256=result.sha256,
        records=summary.record_count,
        patient=summary.patient.get("name") if summary.patient else None,
        check=_check_words(check_json) if check_json is not None else None,
        passphrase_file=str(secret_file) if secret_file is not None else None,
        receipt=str(receipt),
    )


# ----------------------------------------------------------------------------- the batch


@contextmanager
def _signals_cancel(event: multiprocessing.synchronize.Event) -> Iterator[list[int]]:
    """Within the block, Ctrl-C, SIGTERM and SIGHUP set ``event`` (every row then stops at
    its next progress point) instead of ending the batch with its workers still running.

    Yields the signals received. Only the main thread may install handlers (elsewhere
    the block runs unchanged); a signal already ignored (``nohup``) stays ignored.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def cancel(signum: int, _frame: object) -> None:
        received.append(signum)
        event.set()

    previous = {
        signum: signal.signal(signum, cancel)
        for signum in (signal.SIGINT, *_TERMINATION_SIGNALS)
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


#: Outcomes a worker logs itself (the pack, or the gate's refusal); the batch logs the others.
_LOGGED_BY_WORKER: Final = frozenset({PACKED, REFUSED})


def _log_row(audit: AuditLog, row: RosterRow, result: RowResult) -> None:
    """Log a row that ended without a pack event of its own: failed or cancelled, and why."""
    from recordpack.audit import folder_event

    code = result.reason_code
    outcome = result.status if code in (None, result.status) else f"{result.status}: {code}"
    audit.append(
        folder_event("pack", str(row.folder), outcome, result.patient, {"roster_line": row.line})
    )


def _make_outdir(rows: Sequence[RosterRow], outdir: Path) -> None:
    # Checked before the folder is made: a patient's folder is never written to.
    for row in rows:
        if within(outdir, row.folder):
            raise OutputInsideFolderError(outdir, row)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputNotCreatedError(f"cannot create {outdir}: {error.strerror}") from error


def run_batch(
    rows: Sequence[RosterRow],
    outdir: Path,
    *,
    jobs: int | None = None,
    as_of: dt.date | None = None,
    on_row: Callable[[RowResult, int, int], None] | None = None,
    progress: bool = False,
    audit: AuditLog | None = None,
    roster: Path | None = None,
) -> BatchResult:
    """Pack every row on ``jobs`` worker processes; Ctrl-C, SIGTERM or SIGHUP cancel cleanly.

    ``on_row(result, done, total)`` is called in the main process as each row
    ends. Each row's outcome is logged to ``audit`` (a pack or refusal by its
    worker, a failure or cancellation here), and the batch itself once at the
    end (``roster`` names it), or once when refused before any work (an output
    folder inside a row's folder, or one that cannot be made). When cancelled, finished bundles stay, half-written
    ones are removed by the workers themselves, and every worker has ended
    before this returns.
    """
    outdir = Path(outdir)
    try:
        _make_outdir(rows, outdir)
    except UsageError as refusal:
        log_refused_batch(audit, refusal, roster=roster, outdir=outdir)
        raise
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(rows)))
    ctx = multiprocessing.get_context("spawn")
    event = ctx.Event()
    log_path = audit.path if audit is not None else None  # each worker opens the log itself
    results: dict[int, RowResult] = {}

    def finish(row: RosterRow, result: RowResult) -> None:
        results[row.line] = result
        if audit is not None and result.status not in _LOGGED_BY_WORKER:
            _log_row(audit, row, result)
        if on_row is not None:
            on_row(result, len(results), len(rows))

    with _signals_cancel(event), ProcessPoolExecutor(
        jobs, mp_context=ctx, initializer=_init_worker, initargs=(event, progress)
    ) as pool:
        futures: dict[Future[RowResult], RosterRow] = {}
        for row in rows:
            try:
                futures[pool.submit(run_row, row, outdir, audit_log=log_path, as_of=as_of)] = row
            except (OSError, BrokenProcessPool) as error:  # the system's limit of processes
                finish(row, RowResult(
                    row.line, str(row.folder), FAILED, reason_code="worker_not_started",
                    reason=f"no worker process could be started for it: {error}",
                ))  # fmt: skip
        pending = set(futures)
        while pending:
            try:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:  # run outside the main thread: no handler of ours
                event.set()
                for future in pending:
                    future.cancel()
                continue
            for future in done:
                row = futures[future]
                if future.cancelled():
                    result = RowResult(
                        row.line, str(row.folder), CANCELLED, reason_code="cancelled",
                        reason="cancelled",
                    )  # fmt: skip
                else:
                    try:
                        result = future.result()
                    except Exception as error:  # noqa: BLE001 - a worker that died
                        result = RowResult(
                            row.line, str(row.folder), FAILED,
                            reason_code="worker_died", reason=f"the worker stopped: {error}",
                        )  # fmt: skip
                finish(row, result)
    ordered = tuple(results[row.line] for row in rows if row.line in results)
    batch = BatchResult(ordered, cancelled=event.is_set())
    if audit is not None:
        from recordpack.audit import AuditEvent

        statuses = [r.status for r in ordered]
        outcome = "cancelled" if batch.cancelled else ("ok" if batch.ok else "not all packed")
        audit.append(
            AuditEvent(
                action="batch",
                subject=str(roster or outdir),
                outcome=outcome,
                counts={
                    "rows": len(rows),
                    **{status: statuses.count(status) for status in _STATUSES},
                    "not_packed": len(rows) - statuses.count(PACKED),
                },
            )
        )
    return batch


__all__ = [
    "BatchResult",
    "OutputInsideFolderError",
    "RosterError",
    "RosterRow",
    "RowResult",
    "log_refused_batch",
    "read_roster",
    "refuse_log_in_folders",
    "roster_folders",
    "run_batch",
    "run_row",
]
