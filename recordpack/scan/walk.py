"""The folder walker: list, read and hash each file once, dispatch, deduplicate.

Guarantees: nothing is written anywhere; files and folders are opened with
``O_NOATIME`` where the system permits, so not even access times change;
symbolic links are never followed; output is deterministic although files are
read by a small thread pool (results are consumed in sorted path order); memory
stays flat (at most a window of ``HEAD_SIZE`` heads is alive at once).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import queue
import re
import stat
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final, Protocol, Self

from recordpack.errors import InputError
from recordpack.model import (
    ARCHIVE_SEP,
    DUPLICATE,
    UNREADABLE,
    UNSUPPORTED,
    FileInfo,
    Problem,
    Skipped,
)
from recordpack.scan import (
    archive,
    ccda,
    clutter,
    dicom,
    docx,
    fhir,
    hl7v2,
    image,
    pdf,
    sevenzip,
    tarball,
    text,
)
from recordpack.scan.base import HEAD_SIZE, Outcome, Scanner, Source, clean_outcome, clean_text
from recordpack.scan.paths import to_name_form


class ArchiveScanner:
    """Zip files as a :class:`~recordpack.scan.base.Scanner`: members go back through
    :func:`dispatch` (the walker itself expands archives member by member)."""

    FORMAT: Final = archive.FORMAT

    def sniff(self, source: Source) -> bool:
        return archive.sniff(source)

    def scan(self, source: Source) -> list[Outcome]:
        return archive.scan_members(source, dispatch)


ARCHIVE: Final = ArchiveScanner()


class MembersScanner:
    """An archive format read member by member (tar, 7z) as a
    :class:`~recordpack.scan.base.Scanner`: members go back through :func:`dispatch`
    (the walker itself expands them member by member)."""

    def __init__(self, module: Any) -> None:
        self.FORMAT: Final[str] = module.FORMAT
        self.sniff: Callable[[Source], bool] = module.sniff
        self.members: Callable[[Source], Iterator[Source | Problem | Skipped]] = module.members

    def scan(self, source: Source) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for member in self.members(source):
            outcomes.extend(dispatch(member) if isinstance(member, Source) else [member])
        return outcomes


TAR: Final = MembersScanner(tarball)
SEVEN_ZIP: Final = MembersScanner(sevenzip)

#: Archive scanners and how each lists its members.
_MEMBERS: Final[dict[Scanner, Callable[[Source], Iterator[Source | Problem | Skipped]]]] = {
    ARCHIVE: archive.members,
    TAR: TAR.members,
    SEVEN_ZIP: SEVEN_ZIP.members,
}

#: The scanners, in the order they are asked (the first whose ``sniff`` accepts wins).
SCANNERS: Final[tuple[Scanner, ...]] = (dicom, docx, ARCHIVE, TAR, SEVEN_ZIP, pdf, ccda, fhir, hl7v2, image, text)

CHUNK_SIZE: Final = 1024 * 1024
_NOATIME: Final = getattr(os, "O_NOATIME", 0)
_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY: Final = getattr(os, "O_DIRECTORY", 0)


def open_fd(path: str | Path, flags: int = os.O_RDONLY) -> int:
    """``os.open`` without following a final symlink, with ``O_NOATIME`` when permitted.

    ``O_NOATIME`` is refused (EPERM) for files the user does not own; then the
    plain open is used: relatime systems rarely update atime for a read anyway.
    """
    flags |= _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    if _NOATIME:
        try:
            return os.open(path, flags | _NOATIME)
        except PermissionError:
            pass
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EINVAL):
                raise
    return os.open(path, flags)


def open_file(path: str | Path) -> BinaryIO:
    """A buffered binary stream over a file on disk, opened as :func:`open_fd` does."""
    return os.fdopen(open_fd(path), "rb")


def read_and_hash(path: str | Path) -> tuple[int, str, bytes, int]:
    """Size, SHA-256, the first ``HEAD_SIZE`` bytes and CRC-32 of a file, reading it once."""
    digest = hashlib.sha256()
    crc = 0
    head = bytearray()
    size = 0
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with os.fdopen(open_fd(path), "rb", buffering=0) as stream:
        while count := stream.readinto(buffer):
            digest.update(view[:count])
            crc = zlib.crc32(view[:count], crc)
            if len(head) < HEAD_SIZE:
                head += view[: min(count, HEAD_SIZE - len(head))]
            size += count
    return size, digest.hexdigest(), bytes(head), crc


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class _Listing:
    files: list[tuple[str, str]]  # (relative path, absolute path), sorted
    skipped: list[Skipped]
    problems: list[Problem]


def _permission_problem(rel: str, error: OSError) -> Problem:
    return Problem(
        rel,
        UNREADABLE,
        f"recordpack is not allowed to read this ({error.strerror or error}).",
        hint="Check the file's permissions, or copy the records into a folder of your own and scan that.",
    )


def list_folder(root: Path) -> _Listing:
    """Every regular file under ``root`` (sorted), what is skipped, and what cannot be listed."""
    files: list[tuple[str, str]] = []
    skipped: list[Skipped] = []
    problems: list[Problem] = []

    def walk(directory: str, rel: str) -> None:
        try:
            fd = open_fd(directory, os.O_RDONLY | _DIRECTORY)
        except OSError as error:
            problems.append(_permission_problem(rel or ".", error))
            return
        try:
            with os.scandir(fd) as entries:
                listing = sorted(entries, key=lambda entry: entry.name)
            disc = _is_imaging_disc(listing)
            for entry in listing:
                # The relative path is in path form (valid UTF-8 even for a Latin-1
                # name from a Windows CD); the absolute path keeps the exact bytes.
                shown = to_name_form(entry.name)
                child_rel = f"{rel}/{shown}" if rel else shown
                child_abs = os.path.join(directory, entry.name)
                try:
                    if entry.is_symlink():
                        skipped.append(Skipped(child_rel, SYMLINK_REASON))
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        reason = clutter.directory_reason(entry.name)
                        if reason is not None:
                            skipped.append(Skipped(child_rel + "/", reason))
                        else:
                            walk(child_abs, child_rel)
                        continue
                    mode = entry.stat(follow_symlinks=False).st_mode
                except OSError as error:
                    problems.append(_permission_problem(child_rel, error))
                    continue
                if not stat.S_ISREG(mode):
                    skipped.append(
                        Skipped(child_rel, "not a regular file (device, pipe or socket)")
                    )
                    continue
                reason = clutter.file_reason(child_rel)
                if reason is None and disc:
                    reason = _disc_info_reason(entry.name, child_abs)
                if reason is not None:
                    skipped.append(Skipped(child_rel, reason))
                    continue
                files.append((child_rel, child_abs))
        finally:
            os.close(fd)

    walk(os.path.realpath(root), "")
    files.sort()
    return _Listing(files, skipped, problems)


def _is_imaging_disc(entries: list[os.DirEntry[str]]) -> bool:
    files: set[str] = set()
    folders: set[str] = set()
    for entry in entries:
        try:
            (folders if entry.is_dir(follow_symlinks=False) else files).add(entry.name)
        except OSError:
            continue
    return clutter.is_imaging_disc(files, folders)


def _disc_info_reason(name: str, path: str) -> str | None:
    """The disc-information reason for a README-like file on an imaging CD (peeks at its start)."""
    if clutter.disc_info_reason(name, b"") is None:
        return None  # not named like disc information: no need to read it
    try:
        with os.fdopen(open_fd(path), "rb") as stream:
            head = stream.read(clutter.DISC_INFO_PEEK)
    except OSError:
        return None  # the reader reports the problem with the file itself
    return clutter.disc_info_reason(name, head)


#: Links are never followed, nor even resolved: reading a link updates its own
#: access time, and the folder must stay exactly as it was.
SYMLINK_REASON: Final = (
    "link to another file (links are not followed; if the file it points to is "
    "outside this folder, copy the file itself here)"
)


# --------------------------------------------------------------------------- dispatch


def choose(source: Source) -> Scanner | None:
    """The first scanner whose ``sniff`` accepts the source, or None."""
    for scanner in SCANNERS:
        try:
            if scanner.sniff(source):
                return scanner
        except Exception:  # noqa: BLE001 - a faulty sniff must not stop the scan
            continue
    return None


#: Specific advice for common formats no scanner reads (suffix -> hint).
UNSUPPORTED_HINTS: Final[dict[str, str]] = {
    **dict.fromkeys(
        (".rar", ".gz", ".bz2", ".xz", ".zst"),
        "This is a compressed archive recordpack cannot open: unpack it with your computer "
        "and scan the unpacked folder.",
    ),
    **dict.fromkeys(
        (".doc", ".odt", ".rtf", ".pages", ".wpd"),
        "Open it in your word processor and save it as PDF (File > Save As or Print > PDF), "
        "then put the PDF in the folder.",
    ),
    **dict.fromkeys(
        (".xls", ".xlsx", ".ods", ".numbers"),
        "Open it in your spreadsheet program and save it as PDF, then put the PDF in the folder.",
    ),
    **dict.fromkeys(
        (".heic", ".heif", ".webp", ".bmp", ".gif"),
        "Save the picture as JPEG or PNG (or print it to PDF) so it can be read.",
    ),
    **dict.fromkeys(
        (".mp4", ".mov", ".avi", ".wmv", ".mkv", ".mp3", ".wav", ".m4a"),
        "Videos and sound recordings are not medical records recordpack can read; "
        "leave it out unless the specialist asked for it.",
    ),
}


def unsupported(source: Source) -> Problem:
    """The problem reported for a file no scanner can read."""
    kind = f"'{source.suffix}' files" if source.suffix else "files like this (no extension)"
    return Problem(
        source.path,
        UNSUPPORTED,
        f"recordpack cannot read {kind}, so this file was not looked at.",
        hint=UNSUPPORTED_HINTS.get(
            source.suffix,
            "If it is a medical record, save or print it as a PDF and put the PDF in the folder; "
            "otherwise leave it out.",
        ),
    )


def run_scanner(scanner: Scanner, source: Source) -> list[Outcome]:
    """``scanner.scan(source)`` that turns any unexpected failure into an ``unreadable`` problem."""
    try:
        outcomes: list[Outcome] = [clean_outcome(o) for o in scanner.scan(source)]
    except OSError as error:  # the disk or the file system failed mid-read, not the format
        return [
            Problem(
                source.path,
                UNREADABLE,
                f"The file could not be read ({clean_text(str(error.strerror or error))}).",
                hint="Check that the file is not open in another program, then scan again.",
            )
        ]
    except Exception as error:  # noqa: BLE001  a bad file never stops the scan
        return [
            Problem(
                source.path,
                UNREADABLE,
                f"This {scanner.FORMAT.upper()} file could not be read "
                f"({type(error).__name__}: {clean_text(str(error))}).",
                hint="The file may be damaged: open it on your computer to check, "
                "or get a new copy from where it came from.",
            )
        ]
    if not outcomes:
        return [
            Problem(
                source.path,
                UNSUPPORTED,
                f"No medical record was found in this {scanner.FORMAT.upper()} file.",
                hint="If it is a record, save or print it as a PDF and put the PDF in the folder.",
            )
        ]
    return outcomes


def dispatch(source: Source) -> list[Outcome]:
    """What the right scanner says about one source (never raises for bad input)."""
    scanner = choose(source)
    if scanner is None:
        return [unsupported(source)]
    return run_scanner(scanner, source)


# --------------------------------------------------------------------------- reading


#: Marks a copy leaves on a file name: ``report (1)``, ``report(2)``, ``Copy of report``,
#: ``report - Copy``, ``report copy 2``, ``report-1`` (browser downloads, Windows, macOS).
_COPY_MARKS: Final = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^copy(?: \(\d+\))? of\s+(?P<rest>.+)$",
        r"^(?P<rest>.+?)\s*\(\d{1,3}\)$",
        r"^(?P<rest>.+?)\s*-\s*copy(?:\s*\(\d{1,3}\))?$",
        r"^(?P<rest>.+?)\s+copy(?:\s+\d{1,3})?$",
        r"^(?P<rest>.+?)-\d{1,2}$",
    )
)


def copy_marks(name: str) -> int:
    """How many copy marks a file name carries: ``report(3) (1).pdf`` -> 2, ``report.pdf`` -> 0."""
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    count = 0
    while True:
        for pattern in _COPY_MARKS:
            match = pattern.match(stem.strip())
            if match:
                stem = match.group("rest")
                count += 1
                break
        else:
            return count


#: How much a name is preferred as the original among identical copies (smaller wins).
Preference = tuple[Any, ...]


def preference(parent: Preference, path: str, index: int) -> Preference:
    """Rank of a file among identical copies: the name a person would keep comes first.

    Files on disk before archive members (then members of the preferred archive
    first); then fewer copy marks (see :func:`copy_marks`); then a shallower
    path; then sorted order. Deterministic, and total (the index breaks ties).
    """
    inner = path.rsplit(ARCHIVE_SEP, 1)[-1]
    level = parent[0] + 1 if parent else 0
    own = (copy_marks(inner.rsplit("/", 1)[-1]), inner.count("/"), index)
    return (level, *parent[1:], own)


@dataclass
class _Item:
    """One file (or archive member) read by a worker, in sorted order by ``key``."""

    key: tuple[int, ...]
    path: str
    info: FileInfo | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    children: list[_Item] = field(default_factory=list)
    #: Rank among identical copies (see :func:`preference`).
    rank: Preference = ()


class _Claims:
    """Which file is the preferred copy of each content, so duplicates are not scanned twice.

    A worker scans a file unless a better-ranked copy (see :func:`preference`)
    has already claimed the same SHA-256; the best copy therefore is always
    scanned. The consumer makes the final (deterministic) duplicate decision
    with the same ranking.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[str, Preference] = {}

    def claim(self, sha256: str, rank: Preference) -> bool:
        with self._lock:
            current = self._first.get(sha256)
            if current is None or rank < current:
                self._first[sha256] = rank
                return True
            return False


def _empty_problem(path: str) -> Problem:
    return Problem(
        path,
        UNREADABLE,
        "The file is empty (0 bytes).",
        hint="The download or copy did not finish: get the file again.",
    )


def _process(
    key: tuple[int, ...], source: Source, claims: _Claims, parent: Preference = ()
) -> _Item:
    rank = preference(parent, source.path, key[-1])
    item = _Item(key, source.path, FileInfo(source.path, source.size, source.sha256, source.crc32), rank=rank)
    if source.size == 0:
        item.outcomes.append(_empty_problem(source.path))
        return item
    if not claims.claim(source.sha256, rank):
        return item  # a copy of a better-named file: decided by the consumer
    scanner = choose(source)
    list_members = _MEMBERS.get(scanner) if scanner is not None else None
    if list_members is not None:
        for index, member in enumerate(list_members(source)):
            if isinstance(member, Source):
                item.children.append(_process((*key, index), member, claims, rank))
            else:
                item.children.append(_Item((*key, index), member.path, outcomes=[member]))
    elif scanner is None:
        item.outcomes.append(unsupported(source))
    else:
        item.outcomes.extend(run_scanner(scanner, source))
    return item


def _read_one(key: tuple[int, ...], rel: str, absolute: str, claims: _Claims) -> _Item:
    try:
        size, digest, head, crc = read_and_hash(absolute)
    except OSError as error:
        return _Item(key, rel, outcomes=[_permission_problem(rel, error)])
    source = Source(rel, size, digest, head, opener=lambda: open_file(absolute), crc32=crc)
    return _process(key, source, claims)


def _workers() -> int:
    # Hashing and file reads release the GIL; parsing does not. A few threads
    # keep the disk and one core busy without crowding a small machine.
    return max(2, min(4, (os.cpu_count() or 2)))


class _DaemonPool:
    """Worker threads that never keep the process alive.

    ``concurrent.futures.ThreadPoolExecutor`` joins its workers when the block
    ends and again at interpreter exit, so a Ctrl-C seen by the main thread
    waited for every file in flight (a long OCR run). These daemon workers are
    told to stop and left behind: the first Ctrl-C ends the scan at once.
    """

    def __init__(self, workers: int) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._threads = [
            threading.Thread(target=self._work, name=f"recordpack-scan-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, task: Callable[[], _Item]) -> Future[_Item]:
        future: Future[_Item] = Future()
        self._tasks.put((future, task))
        return future

    def _work(self) -> None:
        while (job := self._tasks.get()) is not None:
            future, task = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(task())
            except BaseException as error:  # noqa: BLE001  handed to the consumer
                future.set_exception(error)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for _ in self._threads:
            self._tasks.put(None)


class Cancellable(Protocol):
    """What can stop a scan: a front door's cancel token (``recordpack.workflow.CancelToken``)."""

    def raise_if_cancelled(self) -> None: ...


#: Seconds between checks of the cancel token while a file is being read.
CANCEL_POLL: Final = 0.1


def _wait(future: Future[_Item], cancel: Cancellable | None) -> _Item:
    """The item of ``future``; while it is not ready, the token may stop the wait."""
    if cancel is None:
        return future.result()
    while True:
        try:
            return future.result(timeout=CANCEL_POLL)
        except TimeoutError:
            cancel.raise_if_cancelled()


def read_items(
    files: list[tuple[str, str]],
    progress: Callable[[int, int], None] | None = None,
    cancel: Cancellable | None = None,
) -> Iterator[_Item]:
    """Read, hash and scan every file with a thread pool; yield items in sorted order."""
    claims = _Claims()
    total = len(files)
    window = _workers() * 2
    pending: deque[Future[_Item]] = deque()
    with _DaemonPool(_workers()) as pool:

        def submit(index: int, rel: str, absolute: str) -> None:
            pending.append(pool.submit(functools.partial(_read_one, (index,), rel, absolute, claims)))

        todo = iter(enumerate(files))
        for index, (rel, absolute) in todo:
            submit(index, rel, absolute)
            if len(pending) >= window:
                break
        done = 0
        try:
            while pending:
                item = _wait(pending[0], cancel)
                pending.popleft()
                for index, (rel, absolute) in todo:
                    submit(index, rel, absolute)
                    break
                done += 1
                if progress is not None:
                    progress(done, total)
                yield item
        finally:
            for future in pending:  # interrupted: files not started are never read
                future.cancel()


@dataclass
class Collected:
    """Everything the items said, with duplicates resolved."""

    files: dict[str, FileInfo] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    #: Paths whose content was scanned (first copies), for corrections of problem files.
    scanned: set[str] = field(default_factory=set)


def collect(items: Iterator[_Item]) -> Collected:
    """Flatten items (archive members after their archive) and mark duplicates.

    Of identical files, the best-ranked (:func:`preference`) is the record and
    the others are ``duplicate`` problems pointing at it.
    """
    result = Collected()
    listed = list(items)  # every copy must be seen before the original is chosen
    best: dict[str, tuple[Preference, str]] = {}

    def survey(item: _Item) -> None:
        if item.info is not None and item.info.size > 0:
            current = best.get(item.info.sha256)
            if current is None or item.rank < current[0]:
                best[item.info.sha256] = (item.rank, item.path)
        for child in item.children:
            survey(child)

    for item in listed:
        survey(item)

    def visit(item: _Item) -> None:
        if item.info is not None:
            result.files[item.path] = item.info
            if item.info.size > 0:
                original = best[item.info.sha256][1]
                if original != item.path:
                    result.outcomes.append(
                        Problem(
                            item.path,
                            DUPLICATE,
                            f"Same content as {original}: it is listed once, under that name.",
                            hint="Nothing to do; you may delete the extra copy to keep the folder tidy.",
                            duplicate_of=original,
                        )
                    )
                    return
            result.scanned.add(item.path)
        result.outcomes.extend(item.outcomes)
        for child in item.children:
            visit(child)

    for item in listed:
        visit(item)
    return result


def check_root(root: str | Path) -> Path:
    """The folder to scan, or :class:`InputError` saying why it cannot be scanned."""
    path = Path(root)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(
            f"{root}: no such folder.",
            hint="Check the spelling, or drag the folder onto the terminal.",
        ) from None
    except OSError as error:
        raise InputError(f"{root}: cannot be opened ({error.strerror}).") from None
    if not stat.S_ISDIR(mode):
        raise InputError(
            f"{root} is a file, not a folder.",
            hint="Put the records in a folder and scan the folder.",
        )
    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(
            f"{root}: recordpack is not allowed to read this folder.",
            hint="Check the folder's permissions, or copy the records into a folder of your own.",
        )
    return path
