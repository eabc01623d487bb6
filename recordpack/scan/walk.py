"""The folder walker: list, read and hash each file once, dispatch, deduplicate.

Guarantees: nothing is written anywhere; files and folders are opened with
``O_NOATIME`` where the system permits, so not even access times change;
symbolic links are never followed; output is deterministic although files are
read by a small thread pool (results are consumed in sorted path order); memory
stays flat (at most a window of ``HEAD_SIZE`` heads is alive at once).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import hashlib
import os
import queue
import re
import stat
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO, Final, Protocol, Self, TypeVar

from recordpack import forking
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

_T = TypeVar("_T")


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
SCANNERS: Final[tuple[Scanner, ...]] = (
    clutter.OWN_FILES, dicom, docx, ARCHIVE, TAR, SEVEN_ZIP, pdf, ccda, fhir, hl7v2, image, text,
)  # fmt: skip

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


#: How much of a DICOM image (a PS3.10 file) scan reads: enough for the header of
#: nearly every image (a longer header is read on as far as it goes). Its pixel
#: data is not read by the scan; pack reads it once, hashing it as it writes it.
HEADER_READ: Final = 64 * 1024


@dataclass(frozen=True)
class FileRead:
    """What one read of a file on disk gave."""

    size: int
    sha256: str | None  # None: only the header of a DICOM image was read
    head: bytes  # the first HEAD_SIZE bytes (HEADER_READ for a header-only read)
    crc32: int | None
    #: For a header-only read: the SHA-256 of those HEADER_READ bytes (finds
    #: candidate copies of it, see :func:`collect`). None for a whole read: a file
    #: read whole is never a copy of one read in part, which would have been too.
    head_sha256: str | None
    mtime_ns: int  # modification time when read


def _read_up_to(stream: BinaryIO, limit: int) -> bytes:
    parts = bytearray()
    while len(parts) < limit:
        part = stream.read(limit - len(parts))
        if not part:
            break
        parts += part
    return bytes(parts)


def read_file(path: str | Path, *, whole: bool = False) -> FileRead:
    """Read a file once: size, SHA-256, CRC-32 and the first ``HEAD_SIZE`` bytes.

    A PS3.10 DICOM file larger than :data:`HEADER_READ` is read only that far
    (unless ``whole``): its header is all scan needs, identical copies are found
    by size and head first (:func:`collect` then reads candidates whole), and
    pack reads the pixel data once, as it writes it.
    """
    with os.fdopen(open_fd(path), "rb", buffering=0) as stream:
        status = os.fstat(stream.fileno())
        first = _read_up_to(stream, HEADER_READ)
        if (
            not whole
            and len(first) == HEADER_READ
            and status.st_size > HEADER_READ
            and first[128:132] == b"DICM"
        ):
            head_sha256 = hashlib.sha256(first).hexdigest()
            return FileRead(status.st_size, None, first, None, head_sha256, status.st_mtime_ns)
        digest = hashlib.sha256(first)
        crc = zlib.crc32(first)
        head = bytearray(first)
        size = len(first)
        buffer = bytearray(CHUNK_SIZE)
        view = memoryview(buffer)
        while count := stream.readinto(buffer):
            digest.update(view[:count])
            crc = zlib.crc32(view[:count], crc)
            if len(head) < HEAD_SIZE:
                head += view[: min(count, HEAD_SIZE - len(head))]
            size += count
    return FileRead(size, digest.hexdigest(), bytes(head), crc, None, status.st_mtime_ns)


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class _Listing:
    files: list[tuple[str, str]]  # (relative path, absolute path), sorted
    skipped: list[Skipped]
    problems: list[Problem]
    large: list[str] = field(default_factory=list)  # files of LARGE_FILE or more


def _permission_problem(rel: str, error: OSError) -> Problem:
    if isinstance(error, FileNotFoundError):  # moved or deleted while the folder was read
        return Problem(
            rel,
            UNREADABLE,
            "This disappeared while recordpack was reading the folder.",
            hint="If it was moved or deleted, put it back and scan the folder again.",
        )
    return Problem(
        rel,
        UNREADABLE,
        f"recordpack is not allowed to read this ({error.strerror or error}).",
        hint="Check the file's permissions, or copy the records into a folder of your own and scan that.",
    )


def list_folder(root: Path) -> _Listing:
    """Every regular file under ``root`` (sorted), what is skipped, and what cannot be listed.

    One folder open at a time and without recursion: however deep a folder is
    nested, listing it exhausts neither the interpreter's stack nor the open
    files allowed. (The scan sorts what is skipped and what cannot be read.)
    """
    found = _Listing([], [], [])
    folders = [(os.path.realpath(root), "")]
    while folders:
        folders.extend(reversed(_list_one(found, *folders.pop())))
    found.files.sort()
    return found


def _list_one(found: _Listing, directory: str, rel: str) -> list[tuple[str, str]]:
    """Add what ``directory`` (``rel`` under the root) holds to ``found``; returns
    its folders to list in turn, as (absolute path, relative path)."""
    try:
        fd = open_fd(directory, os.O_RDONLY | _DIRECTORY)
    except OSError as error:
        found.problems.append(_permission_problem(rel or ".", error))
        return []
    folders: list[tuple[str, str]] = []
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
                    found.skipped.append(Skipped(child_rel, SYMLINK_REASON))
                    continue
                if entry.is_dir(follow_symlinks=False):
                    reason = clutter.directory_reason(entry.name)
                    if reason is not None:
                        found.skipped.append(Skipped(child_rel + "/", reason))
                    else:
                        folders.append((child_abs, child_rel))
                    continue
                status = entry.stat(follow_symlinks=False)
            except OSError as error:
                found.problems.append(_permission_problem(child_rel, error))
                continue
            if not stat.S_ISREG(status.st_mode):
                found.skipped.append(
                    Skipped(child_rel, "not a regular file (device, pipe or socket)")
                )
                continue
            reason = clutter.file_reason(child_rel)
            if reason is None and disc:
                reason = _disc_info_reason(entry.name, child_abs)
            if reason is not None:
                found.skipped.append(Skipped(child_rel, reason))
                continue
            found.files.append((child_rel, child_abs))
            if status.st_size >= LARGE_FILE:
                found.large.append(child_rel)
    finally:
        os.close(fd)
    return folders


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


#: Endings of the formats recordpack reads, and what each names: a file so named
#: that no scanner accepts is not of that format inside (damaged, cut short, or
#: another kind of file renamed), which is not the same as a format never read.
READ_FORMATS: Final[dict[str, str]] = {
    **dict.fromkeys((".pdf",), "PDF"),
    **dict.fromkeys((".json", ".ndjson", ".jsonl"), "FHIR (JSON)"),
    **dict.fromkeys((".xml", ".cda", ".ccd", ".ccda"), "C-CDA (XML)"),
    **dict.fromkeys((".hl7",), "HL7 v2"),
    **dict.fromkeys((".dcm", ".dicom"), "DICOM"),
    **dict.fromkeys((".docx",), "Word"),
    **dict.fromkeys((".zip", ".7z", ".tar", ".tgz"), "archive"),
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".tif", ".tiff"), "picture"),
    **dict.fromkeys((".txt",), "text"),
}


def _looks_like_markup(source: Source) -> bool:
    """Whether the file starts as XML or JSON text does: then it is another kind of XML
    or JSON (a program's settings), not a damaged record, and is only not read."""
    start = source.head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"<", b"{", b"[")


def unsupported(source: Source) -> Problem:
    """The problem reported for a file no scanner can read."""
    named = READ_FORMATS.get(source.suffix)
    if named is not None and not _looks_like_markup(source):
        return Problem(
            source.path,
            UNREADABLE,
            f"This file is named as a {named} file, but what is inside is not one (it may be "
            "damaged, cut short, or another kind of file renamed), so it was not read.",
            hint="Get a new copy from where it came from (download or copy it again); "
            "if it is a record, a PDF of it also works.",
        )
    if named is not None:  # XML or JSON text of another kind than the records read
        return Problem(
            source.path,
            UNSUPPORTED,
            f"This file is not a {named} record: it holds another kind of data, which "
            "recordpack does not read, so it was not looked at further.",
            hint="If it is a medical record, save or print it as a PDF and put the PDF in the "
            "folder; otherwise leave it out.",
        )
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
    #: Where a file on disk is (to read a header-only read whole, see :func:`collect`).
    absolute: str | None = None
    #: Only zero bytes: damaged, and (like an empty file) never a copy of another.
    zero_filled: bool = False


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


def _zero_filled_problem(path: str) -> Problem:
    return Problem(
        path,
        UNREADABLE,
        "This file holds only zero bytes: it is damaged (a copy or download that did not "
        "finish, or a disk that failed), so there is nothing in it to read.",
        hint="Get a new copy of it from where it came from.",
    )


def is_zero_filled(source: Source) -> bool:
    """True when every byte of a non-empty file is zero (what a failed copy or a power cut leaves).

    Whatever its name says (.json, .pdf, .dcm), such a file is damaged, not of a
    format recordpack cannot read. Only a file whose first bytes are all zero is read
    on, and only until its first other byte.
    """
    head = source.head
    if not head or head[0] != 0 or head.count(0) != len(head):
        return False
    if len(head) >= source.size:
        return True
    with source.open() as stream:
        stream.read(len(head))  # (an archive member's stream cannot seek)
        while chunk := stream.read(CHUNK_SIZE):
            if chunk.count(0) != len(chunk):
                return False
    return True


def _process(
    key: tuple[int, ...], source: Source, claims: _Claims, parent: Preference = ()
) -> _Item:
    rank = preference(parent, source.path, key[-1])
    # A member can be a copy of an image on disk that scan read only in part.
    maybe_copy = source.size > HEADER_READ and source.head[128:132] == b"DICM"
    head_sha256 = hashlib.sha256(source.head[:HEADER_READ]).hexdigest() if parent and maybe_copy else None
    info = FileInfo(source.path, source.size, source.sha256, source.crc32, head_sha256=head_sha256)
    item = _Item(key, source.path, info, rank=rank)
    if source.size == 0:
        item.outcomes.append(_empty_problem(source.path))
        return item
    try:
        zeros = is_zero_filled(source)
    except OSError:
        zeros = False  # the scanner reading it says what went wrong
    if zeros:
        item.outcomes.append(_zero_filled_problem(source.path))
        item.zero_filled = True
        return item
    if source.sha256 is not None and not claims.claim(source.sha256, rank):
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
        read = read_file(absolute)
    except OSError as error:
        return _Item(key, rel, outcomes=[_permission_problem(rel, error)])
    source = Source(
        rel, read.size, read.sha256, read.head, opener=lambda: open_file(absolute), crc32=read.crc32
    )
    item = _process(key, source, claims)
    if item.info is not None:
        item.info = dataclasses.replace(item.info, head_sha256=read.head_sha256, mtime_ns=read.mtime_ns)
    item.absolute = absolute
    return item


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


def _wait(future: Future[_T], cancel: Cancellable | None) -> _T:
    """The item of ``future``; while it is not ready, the token may stop the wait."""
    if cancel is None:
        return future.result()
    while True:
        try:
            return future.result(timeout=CANCEL_POLL)
        except TimeoutError:
            cancel.raise_if_cancelled()


#: Folders with at least this many files are parsed in worker processes (when
#: there are two cores or more), by how the workers are made. A forked worker
#: costs a few milliseconds and inherits what this process has loaded: a
#: patient's folder of 16-120 documents is read about a third faster. One
#: started by the fork server (the web app, which runs threads; macOS) inherits
#: the scanners and the compiled rule table from it (:data:`WORKER_PRELOAD`),
#: but rebuilds what a scan caches, such as OCR'd scans' character maps: from
#: 64 files. A spawned one (Windows) loads everything anew. A folder of fewer
#: files, or of DICOM images alone, is no faster either way.
WORKER_THRESHOLDS: Final = MappingProxyType({"fork": 16, "forkserver": 64, "spawn": 128})
#: Fewer files than the lowest threshold: decided without loading multiprocessing.
FORK_THRESHOLD: Final = min(WORKER_THRESHOLDS.values())
#: A folder of fewer files than this whose large files go to workers gets them
#: one to a chunk (see :data:`LARGE_FILE`).
PROCESS_THRESHOLD: Final = 128
#: Files handed to a worker process at once, at first; then as many as take it
#: about :data:`CHUNK_SECONDS`, up to :data:`PROCESS_CHUNK_MAX`: a CT slice's header
#: takes half a millisecond, where each round trip costs the main process some
#: 0.3 ms, and a scanned page's OCR takes seconds, where a big chunk would leave
#: the other worker idle at the end and the progress still for long.
PROCESS_CHUNK: Final = 8
PROCESS_CHUNK_MAX: Final = 64
CHUNK_SECONDS: Final = 0.05


def _next_chunk_size(files: int, seconds: float) -> int:
    """How many files the next chunk should hold, after one of ``files`` took ``seconds``."""
    if files <= 0 or seconds <= 0:
        return PROCESS_CHUNK_MAX
    return max(PROCESS_CHUNK, min(PROCESS_CHUNK_MAX, int(CHUNK_SECONDS * files / seconds)))


#: A folder of fewer files than the threshold is parsed in worker
#: processes too when at least two of its files are this large (exports of
#: hundreds of MB take seconds each to read): one file a chunk, so that each
#: large file has a worker of its own.
LARGE_FILE: Final = 16 * 1024 * 1024


def scan_processes(file_count: int, large_files: int = 0) -> int:
    """How many worker processes a scan of ``file_count`` files, ``large_files`` of
    them :data:`LARGE_FILE` or more, should use (0: threads only).

    Parsing (pydicom, pypdf, the classifier's regular expressions) holds the
    GIL, so on one process it keeps one core busy whatever the thread count.
    Only where workers may be forked or started (:func:`recordpack.forking.worker_context`).
    """
    cores = os.cpu_count() or 1
    if cores < 2 or (file_count < FORK_THRESHOLD and large_files < 2):
        return 0  # decided without loading multiprocessing
    context = forking.worker_context()
    if context is None:
        return 0
    threshold = WORKER_THRESHOLDS.get(context.get_start_method(), PROCESS_THRESHOLD)
    return cores if file_count >= threshold or large_files >= 2 else 0


class _Tally:
    """Counts the files done: tells ``progress`` and lets ``cancel`` stop the scan."""

    def __init__(
        self, total: int, progress: Callable[[int, int], None] | None, cancel: Cancellable | None
    ) -> None:
        self.total, self.done = total, 0
        self._progress, self._cancel = progress, cancel

    def one_done(self) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress(self.done, self.total)
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()


def read_items(
    files: list[tuple[str, str]],
    progress: Callable[[int, int], None] | None = None,
    cancel: Cancellable | None = None,
    processes: int | None = None,
    large_files: int = 0,
) -> Iterator[_Item]:
    """Read, hash and scan every file; yield items in sorted order.

    ``processes`` worker processes parse the files (``None``: decided by
    :func:`scan_processes`, given how many are :data:`LARGE_FILE` or more; 0: a
    thread pool in this process). Results are the same either way.
    """
    workers = scan_processes(len(files), large_files) if processes is None else processes
    if workers > 0:
        # A few files, some of them large: one a chunk, each large one to a free worker.
        few_and_large = len(files) < PROCESS_THRESHOLD and large_files >= 2
        most = 1 if few_and_large else PROCESS_CHUNK_MAX
        yield from _read_in_processes(files, progress, cancel, workers, most)
        return
    claims = _Claims()
    tally = _Tally(len(files), progress, cancel)
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
        try:
            while pending:
                item = _wait(pending[0], cancel)
                pending.popleft()
                for index, (rel, absolute) in todo:
                    submit(index, rel, absolute)
                    break
                tally.one_done()
                yield item
        finally:
            for future in pending:  # interrupted: files not started are never read
                future.cancel()


# --------------------------------------------------------------------------- worker processes

#: A worker process's own duplicate claims (copies read by other workers are
#: found by :func:`collect`; at worst a copy is parsed twice).
_PROCESS_CLAIMS: _Claims | None = None


def _read_chunk(chunk: list[tuple[int, str, str]]) -> tuple[list[_Item], float]:
    """Runs in a worker process: read, hash and scan a few files; the items, and
    the seconds they took."""
    global _PROCESS_CLAIMS
    started = time.perf_counter()
    if _PROCESS_CLAIMS is None:
        _PROCESS_CLAIMS = _Claims()
    start_reading([absolute for _, _, absolute in chunk])
    items = [_read_one((index,), rel, absolute, _PROCESS_CLAIMS) for index, rel, absolute in chunk]
    return items, time.perf_counter() - started


def start_reading(paths: Sequence[str], length: int = HEADER_READ) -> None:
    """Ask the system to start reading each file's first ``length`` bytes now, so
    that a cold disk fetches several files at once while this process works on
    them one by one (a cold scan of 1 GB of CT: 2.0-2.2 s before, 1.6 s). A file
    that cannot be opened is left to the read that follows to report."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in paths:
        try:
            fd = open_fd(path)
        except OSError:
            continue
        try:
            advise(fd, 0, length, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)


#: What a worker started by a fork server has imported before it starts: the
#: scanners and the libraries they use, and the compiled rule table
#: (:mod:`recordpack.scan.preload`), loaded once, not in every worker.
WORKER_PRELOAD: Final = ("recordpack.scan.walk", "recordpack.scan.preload", "pypdf", "pydicom")


def _read_in_processes(
    files: list[tuple[str, str]],
    progress: Callable[[int, int], None] | None,
    cancel: Cancellable | None,
    workers: int,
    most: int = PROCESS_CHUNK_MAX,
) -> Iterator[_Item]:
    """:func:`read_items` with ``workers`` processes, a few chunks in flight per
    worker, each chunk of at most ``most`` files.

    If a worker dies (a library crashed on a hostile file), or the system will
    not start one (its limit of processes reached), the files it had and every
    file after it are read here in this process instead.
    """
    indexed = [(index, rel, absolute) for index, (rel, absolute) in enumerate(files)]
    pending: deque[
        tuple[Future[tuple[list[_Item], float]] | None, list[tuple[int, str, str]]]
    ] = deque()
    local_claims = _Claims()
    pool: ProcessPoolExecutor | None = None
    with contextlib.suppress(OSError):  # no semaphores, no fork server: all read here
        pool = forking.worker_pool(workers, WORKER_PRELOAD)
    broken = pool is None
    handed = 0  # files handed out so far, in order
    size = min(PROCESS_CHUNK, most)

    def submit() -> None:
        nonlocal broken, handed
        if handed >= len(indexed):
            return
        chunk = indexed[handed : handed + size]
        handed += len(chunk)
        future: Future[tuple[list[_Item], float]] | None = None
        if pool is not None and not broken:
            try:
                future = pool.submit(_read_chunk, chunk)
            except (BrokenProcessPool, RuntimeError, OSError):  # OSError: no process started
                broken = True
        pending.append((future, chunk))

    def read_here(chunk: list[tuple[int, str, str]]) -> list[_Item]:
        return [_read_one((index,), rel, absolute, local_claims) for index, rel, absolute in chunk]

    finished = False
    try:
        for _ in range(workers * 3):
            submit()
        tally = _Tally(len(files), progress, cancel)
        while pending:
            future, chunk = pending.popleft()
            items: list[_Item]
            if future is None:
                items = read_here(chunk)
            else:
                try:
                    items, seconds = _wait(future, cancel)
                    size = min(most, _next_chunk_size(len(chunk), seconds))
                except BrokenProcessPool:
                    broken = True
                    items = read_here(chunk)
            submit()
            for item in items:
                tally.one_done()
                yield item
        finished = True
    finally:
        if pool is not None:
            if finished:
                pool.shutdown(wait=True)  # the workers are idle: they exit at once
            else:
                forking.stop_workers(pool)


@dataclass
class Collected:
    """Everything the items said, with duplicates resolved."""

    files: dict[str, FileInfo] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    #: Paths whose content was scanned (first copies), for corrections of problem files.
    scanned: set[str] = field(default_factory=set)
    #: Copies skipped because their first copy was (copy -> first copy): a
    #: correction that makes the first copy a record makes each a duplicate again.
    skipped_copies: dict[str, str] = field(default_factory=dict)


def _content_key(info: FileInfo) -> str:
    """What identical copies share: the SHA-256 (a file read only in part and
    like no other has its own key)."""
    return info.sha256 if info.sha256 is not None else "\0" + info.path


def _flatten(items: list[_Item]) -> Iterator[_Item]:
    for item in items:
        yield item
        yield from _flatten(item.children)


def _hash_candidates(items: list[_Item]) -> None:
    """Read whole every header-only read that may be a copy of another file.

    Copies have the same size and the same first ``HEADER_READ`` bytes; a file
    read only in part that shares both with another is read again, whole, for
    its SHA-256 (rare: DICOM images differ in their header's UIDs).
    """
    groups: dict[tuple[int, str], list[_Item]] = {}
    for item in _flatten(items):
        if item.info is not None and item.info.head_sha256 is not None:
            groups.setdefault((item.info.size, item.info.head_sha256), []).append(item)
    for group in groups.values():
        if len(group) < 2:
            continue
        for item in group:
            if item.info is None or item.info.sha256 is not None or item.absolute is None:
                continue
            try:
                read = read_file(item.absolute, whole=True)
            except OSError:
                continue  # packed or reported as it stands; pack reads it again anyway
            item.info = dataclasses.replace(item.info, sha256=read.sha256, crc32=read.crc32)


def collect(items: Iterator[_Item]) -> Collected:
    """Flatten items (archive members after their archive) and mark duplicates.

    Of identical files, the best-ranked (:func:`preference`) is the record and
    the others are ``duplicate`` problems pointing at it; when that first copy
    is skipped (not a record, recordpack's own log), so are its copies, saying so.
    """
    result = Collected()
    listed = list(items)  # every copy must be seen before the original is chosen
    _hash_candidates(listed)
    best: dict[str, tuple[Preference, str]] = {}
    for item in listed:
        _survey(item, best)
    skips: dict[str, str] = {}
    for item in listed:
        _skip_reasons(item, skips)
    for item in listed:
        _visit(item, best, skips, result)
    return result


def _survey(item: _Item, best: dict[str, tuple[Preference, str]]) -> None:
    """Note in ``best`` the best-ranked path of each content, ``item``'s children included."""
    if item.info is not None and item.info.size > 0 and not item.zero_filled:
        content = _content_key(item.info)
        current = best.get(content)
        if current is None or item.rank < current[0]:
            best[content] = (item.rank, item.path)
    for child in item.children:
        _survey(child, best)


def _skip_reasons(item: _Item, skips: dict[str, str]) -> None:
    """Note in ``skips`` why each file that is skipped and nothing else is left out.

    Only such a file is not sent: one with a problem as well is packed, marked,
    and an archive goes by its members.
    """
    own = [o for o in item.outcomes if o.path == item.path]
    if own and not item.children and all(isinstance(o, Skipped) for o in own):
        skips[item.path] = next(o.reason for o in own if isinstance(o, Skipped))
    for child in item.children:
        _skip_reasons(child, skips)


def duplicate_problem(path: str, original: str) -> Problem:
    """The ``duplicate`` problem of ``path``, a copy of ``original`` (which is sent)."""
    return Problem(
        path,
        DUPLICATE,
        f"Same content as {original}: it is listed once, under that name.",
        hint=(
            "Nothing to do: it is sent once. Delete the extra copy from your "
            "folder yourself only if you wish; recordpack never changes your folder."
        ),
        duplicate_of=original,
    )


def skipped_copy(path: str, original: str, reason: str) -> Skipped:
    """``path``, a copy of ``original`` which is skipped for ``reason``: skipped alike, saying so.

    A copy inside an archive goes wherever the archive goes: :func:`settle_archives`
    words that for recordpack's own files.
    """
    return Skipped(path, f"same content as {original}, which is skipped: {reason}")


def _visit(
    item: _Item, best: dict[str, tuple[Preference, str]], skips: dict[str, str], result: Collected
) -> None:
    """Add ``item`` and its children to ``result``: a copy as a duplicate problem only
    (or skipped, when its first copy is).

    (Module functions, not closures calling themselves: such a closure is a
    reference cycle, which kept the whole result alive until the collector's
    next full pass.)
    """
    if item.info is not None:
        result.files[item.path] = item.info
        if item.info.size > 0 and not item.zero_filled:
            original = best[_content_key(item.info)][1]
            if original != item.path:
                reason = skips.get(original)
                if reason is None:
                    result.outcomes.append(duplicate_problem(item.path, original))
                else:
                    result.outcomes.append(skipped_copy(item.path, original, reason))
                    result.skipped_copies[item.path] = original
                return
        result.scanned.add(item.path)
    result.outcomes.extend(item.outcomes)
    for child in item.children:
        _visit(child, best, skips, result)


def relabel_copies(
    collected: Collected, skipped: list[Skipped], records: Iterable[str]
) -> tuple[list[Skipped], list[Problem]]:
    """``skipped`` once corrections made records of some skipped files (``records``: every
    record's paths): their copies are duplicates of them again; also those duplicates."""
    labelled = set(records)
    back = {
        copy: original
        for copy, original in collected.skipped_copies.items()
        if original in labelled
    }
    kept = [s for s in skipped if s.path not in labelled and s.path not in back]
    return kept, [duplicate_problem(copy, original) for copy, original in back.items()]


def settle_archives(
    records: Iterable[str], problems: Sequence[Problem], skipped: Sequence[Skipped]
) -> tuple[list[Problem], list[Skipped]]:
    """``problems`` and ``skipped`` worded from what pack does with each archive in the
    folder (``records``: every record's paths, once the whole folder is known).

    Pack sends an archive whole when a record or a problem lies in it, and not
    at all when every file in it is skipped. Such an archive is listed as
    skipped itself, and so are its copies (not duplicates "sent once"); a note
    on recordpack's own file inside an archive says "sent with it" only when
    that archive is sent.
    """
    sent = {path.split(ARCHIVE_SEP, 1)[0] for path in records}
    # A file with a problem is sent, marked; so is the archive of a copy inside one.
    sent.update(
        p.path.split(ARCHIVE_SEP, 1)[0]
        for p in problems
        if p.code != DUPLICATE or ARCHIVE_SEP in p.path
    )
    holding = {s.path.split(ARCHIVE_SEP, 1)[0] for s in skipped if ARCHIVE_SEP in s.path}
    unsent = holding - sent
    out_skipped = own_files_worded(skipped, sent)
    out_skipped += [Skipped(archive, clutter.ARCHIVE_NOTHING_SENT) for archive in sorted(unsent)]
    out_problems: list[Problem] = []
    for problem in problems:
        if problem.code == DUPLICATE and problem.duplicate_of in unsent:
            out_skipped.append(
                skipped_copy(problem.path, problem.duplicate_of, clutter.ARCHIVE_NOTHING_SENT)
            )
        else:
            out_problems.append(problem)
    return out_problems, out_skipped


def own_files_worded(skipped: Iterable[Skipped], sent: Container[str]) -> list[Skipped]:
    """``skipped``, where recordpack's own files say whether they are sent: inside an
    archive in ``sent`` (the disk archives packed whole), with it; anywhere else, never.

    Scan calls it with the archives pack will send; pack with those it placed
    (a ``--exclude`` can leave an archive out).
    """
    left_out, inside = clutter.OWN_FILE_LEFT_OUT, clutter.OWN_FILE_IN_ARCHIVE
    out: list[Skipped] = []
    for skip in skipped:
        archive, member_of, _ = skip.path.partition(ARCHIVE_SEP)
        reason = skip.reason
        if member_of and archive in sent and reason.endswith(left_out):
            reason = reason.removesuffix(left_out) + inside
        elif not (member_of and archive in sent) and reason.endswith(inside):
            reason = reason.removesuffix(inside) + left_out
        out.append(skip if reason == skip.reason else Skipped(skip.path, reason))
    return out


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
