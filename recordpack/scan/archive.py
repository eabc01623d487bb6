"""ZIP archives (portal downloads, IHE XDM): members are read in place, never extracted.

:func:`members` turns one zip :class:`Source` into a :class:`Source` per member
(hashed once, ``archive.zip!inner/path``) plus problems and skips for members
that must not or cannot be read. The walker sends each member through the same
dispatch as files on disk, so a duplicate inside a zip, a DICOM series in a
portal download and a zip inside a zip are all handled the same way.

Guards: unsafe member names (absolute, ``..``, drive letters) are refused;
zip bombs are refused by member count, declared total size, the whole
archive's and each member's compression ratio, and the bytes actually inflated
are counted too (a header may lie), with those of the archives inside it
against one :class:`Allowance` of bytes and time per file on disk (so zips in
zips do not multiply the work); password-protected members are ``encrypted`` problems. Two members
that go by one name (:func:`name_key`: case, Unicode form, ``a/./b``) are
neither read: which one is meant cannot be told, and pack finds members by name.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import threading
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import BinaryIO, Final

from recordpack.model import ARCHIVE_SEP, ENCRYPTED, UNREADABLE, UNSUPPORTED, Problem, Skipped
from recordpack.scan import clutter
from recordpack.scan.base import HEAD_SIZE, MAX_DOCUMENT_BYTES, PARTLY_READ, Outcome, Source

FORMAT = "zip"

#: More members than this is not a portal download: refuse the archive.
MAX_MEMBERS: Final = 20_000
#: Declared uncompressed total above this is refused (a records download is far smaller).
MAX_TOTAL_BYTES: Final = 16 * 1024**3
#: A member inflating more than this many times its compressed size is a zip bomb...
MAX_RATIO: Final = 200
#: ...once it is larger than this (tiny text files legitimately compress very well).
RATIO_FLOOR: Final = 8 * 1024 * 1024
#: What reading a damaged member raises: a corrupt deflate stream is a ``zlib.error``.
MEMBER_READ_ERRORS: Final = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
)
#: Zips nested deeper than this (a zip in a zip in a zip) are not opened.
MAX_DEPTH: Final = 2
#: Time the archives inside one file on disk may take to inflate and hash, all levels
#: together (what is done with each file read apart): this much, plus a second for every
#: :data:`READ_BYTES_PER_SECOND` of the file. A download of records is read far faster.
MIN_READ_SECONDS: Final = 60.0
READ_BYTES_PER_SECOND: Final = 2 * 1024 * 1024

UNSAFE_NAME: Final = "unsafe_name"
ZIP_BOMB: Final = "zip_bomb"
#: Two or more members of one archive go by the same name: none of them is read.
DUPLICATE_NAME: Final = "duplicate_name"

_CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


#: Zip-based document formats: not archives of records (a letter saved as .docx).
_NOT_ARCHIVES = frozenset(
    {
        ".docx",
        ".docm",
        ".xlsx",
        ".xlsm",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".epub",
        ".pages",
        ".numbers",
    }
)


def sniff(source: Source) -> bool:
    """A zip by its signature, or by its name (so a damaged .zip is reported, not ignored)."""
    if source.suffix in _NOT_ARCHIVES:
        return False
    return source.head.startswith(_MAGIC) or source.suffix == ".zip"


def depth(path: str) -> int:
    """How many archives deep a display path is (0 for a file on disk)."""
    return path.count(ARCHIVE_SEP)


def unsafe_reason(name: str) -> str | None:
    """Why a member name must not be used, or None when it is a safe relative path."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "it is an absolute path"
    if any(part == ".." for part in re.split(r"[/\\]", name)):
        return "it climbs out of the archive with '..'"
    if "\x00" in name:
        return "it contains a NUL character"
    return None


def name_key(name: str) -> str:
    """The name a member is found by: ``/`` separators, no empty or ``.`` parts, one
    Unicode form and one case (as an unpacking tool or a case-blind disk sees it)."""
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(parts)).casefold()


def same_names(names: Iterable[str]) -> list[list[str]]:
    """The names that share a :func:`name_key` with another, in groups (each sorted)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name_key(name), []).append(name)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def duplicate_name_problem(archive_path: str, names: list[str], noun: str) -> Problem:
    """The ``duplicate_name`` problem on an archive for members that share one name."""
    shown = sorted({name.replace("\\", "/") for name in names})
    said = (
        f"are all named '{shown[0]}'"
        if len(shown) == 1
        else "have names most computers take for the same ("
        + ", ".join(f"'{name}'" for name in shown)
        + ")"
    )
    return Problem(
        archive_path,
        DUPLICATE_NAME,
        f"{len(names)} files inside this {noun} {said}, so which one is meant cannot be "
        "told: none of them was read.",
        hint=f"Unpack the {noun} with your computer, rename one of these files and scan the "
        "unpacked folder; or download the records again.",
        paths=tuple(f"{archive_path}{ARCHIVE_SEP}{name}" for name in shown),
    )


class AmbiguousName(Exception):
    """More than one member of an archive goes by the name asked for."""


def member_index(infos: Iterable[zipfile.ZipInfo]) -> Mapping[str, list[zipfile.ZipInfo]]:
    """A zip's members by :func:`name_key`, for :func:`find_member`."""
    index: dict[str, list[zipfile.ZipInfo]] = {}
    for info in infos:
        if not info.is_dir():
            index.setdefault(name_key(info.filename), []).append(info)
    return index


def find_member(index: Mapping[str, list[zipfile.ZipInfo]], name: str) -> zipfile.ZipInfo | None:
    """The one member scan called ``name`` (``/`` separators), or None when it is gone.

    Raises :class:`AmbiguousName` when another member goes by the same name
    (:func:`name_key`): which bytes are meant is never guessed.
    """
    matches = index.get(name_key(name), [])
    if len(matches) > 1:
        raise AmbiguousName(name)
    if matches and matches[0].filename.replace("\\", "/") == name:
        return matches[0]
    return None


def too_deep(source: Source, noun: str = "archive") -> Problem | None:
    """The problem for an archive nested deeper than :data:`MAX_DEPTH`, or None."""
    if depth(source.path) <= MAX_DEPTH:
        return None
    return Problem(
        source.path,
        UNSUPPORTED,
        f"This {noun} is inside too many other {noun}s to be opened safely.",
        hint="Unpack the outer archives with your computer and scan the folder again.",
    )


def declared_too_much(
    source: Source, count: int, declared: int, noun: str, read: int | None = None
) -> Problem | None:
    """The ``zip_bomb`` problem for an archive whose directory declares more files or
    bytes than a records download holds, or None.

    ``read`` is what would be unpacked (``declared`` less the members refused on
    their own): over the whole archive, as for one member, a download of records
    never shrinks to a 200th of its size.
    """
    read = declared if read is None else read
    ratio = read > RATIO_FLOOR and read > MAX_RATIO * max(source.size, 1)
    if count <= MAX_MEMBERS and declared <= MAX_TOTAL_BYTES and not ratio:
        return None
    return Problem(
        source.path,
        ZIP_BOMB,
        f"The {noun} says it holds {count} files and {declared / 1024**3:.1f} GB once "
        f"unpacked, from {source.size / 1024**2:.1f} MB: far more than a records download, "
        "so it was not opened.",
        hint="If it really is your records, unpack it with your computer and scan the folder.",
    )


class OverBudget(Exception):
    """The archives inside one file on disk inflated past its allowance of bytes."""


class OutOfTime(Exception):
    """The archives inside one file on disk took longer to read than its allowance."""


class Allowance:
    """What reading the archives inside one file on disk may still cost, every level
    together: bytes inflated (:data:`MAX_RATIO` times the file, at least
    :data:`RATIO_FLOOR`, at most :data:`MAX_TOTAL_BYTES`) and seconds spent inflating.

    A zip in a zip has its own limits too, but without this one they multiply: a
    small zip holding zips holding zips could need hours of inflating.
    """

    def __init__(self, size_on_disk: int) -> None:
        self.bytes_left = min(MAX_TOTAL_BYTES, max(RATIO_FLOOR, MAX_RATIO * size_on_disk))
        self.seconds_left = MIN_READ_SECONDS + size_on_disk / READ_BYTES_PER_SECOND
        self._mark = time.monotonic()

    def resume(self) -> None:
        """Start the clock again: the time since the last :meth:`spend` was not reading."""
        self._mark = time.monotonic()

    def spend(self, size: int, *, timed: bool = True) -> None:
        """Count ``size`` bytes inflated and (``timed``) the time since the last call or
        :meth:`resume`. Raises :class:`OverBudget` or :class:`OutOfTime` when spent."""
        if timed:
            now = time.monotonic()
            self.seconds_left -= now - self._mark
            self._mark = now
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise OverBudget
        if self.seconds_left < 0:
            raise OutOfTime


class _Allowances(threading.local):
    """The allowance of the file on disk this thread reads (the walker reads one file,
    archives inside it included, on one thread)."""

    disk_path: str | None = None
    current: Allowance | None = None


_ALLOWANCES: Final = _Allowances()


def allowance(source: Source, size_on_disk: int | None = None) -> Allowance:
    """The shared :class:`Allowance` of the file on disk that ``source`` (an archive) is
    in; a new one for an archive on disk (``size_on_disk`` defaults to its size)."""
    disk_path = source.path.split(ARCHIVE_SEP, 1)[0]
    current = _ALLOWANCES.current
    if depth(source.path) == 0 or current is None or _ALLOWANCES.disk_path != disk_path:
        current = Allowance(source.size if size_on_disk is None else size_on_disk)
        _ALLOWANCES.disk_path, _ALLOWANCES.current = disk_path, current
    current.resume()
    return current


def over_budget(source: Source, noun: str) -> Problem:
    """The ``zip_bomb`` problem for an archive that, with those inside it, inflated too much."""
    return Problem(
        source.path,
        ZIP_BOMB,
        f"This {noun} and the archives inside it unpack to far more than a records "
        "download; reading stopped.",
        hint="If it really is your records, unpack it with your computer and scan the folder.",
    )


def out_of_time(source: Source, noun: str, not_read: int | None = None) -> Problem:
    """The ``partly_read`` problem for an archive whose reading took too long."""
    rest = (
        f"{not_read} file{'' if not_read == 1 else 's'} in it"
        if not_read
        else "the files after that"
    )
    return Problem(
        source.path,
        PARTLY_READ,
        f"Unpacking this {noun} took too long, so reading stopped: {rest} "
        "were not looked at.",
        hint=f"Unpack the {noun} with your computer and scan the unpacked folder.",
    )


def screen(archive_path: str, name: str, refusal: str | None) -> tuple[str, Problem | Skipped | None]:
    """A member's display path, and why it is not read: ``refusal`` (a link, a device)
    or an unsafe name (a problem), or clutter (skipped); None when it is to be read."""
    display = f"{archive_path}{ARCHIVE_SEP}{name.replace(chr(92), '/')}"
    reason = unsafe_reason(name)
    reason = f"it has an unsafe name ({reason})" if reason is not None else refusal
    if reason is not None:
        return display, Problem(
            display,
            UNSAFE_NAME,
            f"A file inside the archive was not read: {reason}.",
            hint="This archive may be damaged or malicious. Ask the sender for a new copy.",
        )
    skip = clutter.file_reason(name.replace("\\", "/"), in_archive=True)
    return display, (Skipped(display, skip) if skip is not None else None)


class _MemberStream(io.RawIOBase):
    """A member's bytes that also closes the archive it was opened from."""

    def __init__(
        self, inner: BinaryIO, closers: tuple[io.IOBase | zipfile.ZipFile, ...], name: str
    ) -> None:
        super().__init__()
        self._inner = inner
        self._closers = closers
        self.name = name  # readers (pydicom, pypdf) look for a file name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._inner.seekable()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._inner.seek(offset, whence)

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            for closer in self._closers:
                closer.close()
        super().close()


def _open_archive(source: Source) -> tuple[zipfile.ZipFile, BinaryIO]:
    stream = source.open()
    if depth(source.path) > 0 and source.size <= MAX_DOCUMENT_BYTES:
        # A zip inside a zip: inflating it once into memory is far cheaper than
        # the backward seeks zipfile would do on a compressed member stream.
        with stream:
            stream = io.BytesIO(stream.read())
    try:
        return zipfile.ZipFile(stream), stream
    except BaseException:
        stream.close()
        raise


#: Members up to this size are reread into memory: readers such as pypdf seek
#: backwards a lot, and each backward seek in a compressed member restarts inflation.
MEMBER_IN_MEMORY: Final = 32 * 1024 * 1024


def _opener(source: Source, name: str, offset: int) -> BinaryIO:
    archive, stream = _open_archive(source)
    try:
        # By its place in the archive too, not by name alone: the member scan hashed.
        info = next(
            (i for i in archive.infolist() if i.header_offset == offset and i.filename == name),
            None,
        )
        if info is None:
            raise FileNotFoundError(f"{name} is no longer in the archive")
        inner = archive.open(info)
        if info.file_size <= MEMBER_IN_MEMORY:
            with inner:
                data = io.BytesIO(inner.read(MEMBER_IN_MEMORY + 1))
            archive.close()
            stream.close()
            # Readers (pydicom, pypdf) look for a file name.
            data.name = name
            return data
    except BaseException:
        archive.close()
        stream.close()
        raise
    return io.BufferedReader(_MemberStream(inner, (archive, stream), name))  # type: ignore[arg-type]


def _member_opener(source: Source, info: zipfile.ZipInfo) -> Callable[[], BinaryIO]:
    name, offset = info.filename, info.header_offset
    return lambda: _opener(source, name, offset)


def _bad_zip(source: Source, error: Exception) -> Problem:
    return Problem(
        source.path,
        UNREADABLE,
        f"The zip file is damaged and cannot be opened ({error}).",
        hint="Download it again from the portal, or unzip it with your computer and scan the folder.",
    )


def members(source: Source) -> Iterator[Source | Problem | Skipped]:
    """Each member of the zip as a hashed Source, or the reason it is not read.

    Never raises for a bad archive: a damaged zip yields one ``unreadable`` problem.
    """
    deep = too_deep(source, "zip")
    if deep is not None:
        yield deep
        return
    try:
        archive, stream = _open_archive(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        yield _bad_zip(source, error)
        return
    with archive, stream:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        declared = sum(info.file_size for info in infos)
        overlapping = _overlapping(archive.infolist())
        # A member refused on its own (its size, or its data inside another's: below)
        # leaves the others to be read.
        read = sum(
            info.file_size for info in infos if not _member_bomb(info) and info not in overlapping
        )
        bomb = declared_too_much(source, len(infos), declared, "zip", read)
        if bomb is not None:
            yield bomb
            return
        if overlapping:
            infos = [info for info in infos if info not in overlapping]
            names = ", ".join(sorted(info.filename for info in overlapping)[:3])
            more = len(overlapping) - 3
            yield Problem(
                source.path,
                ZIP_BOMB,
                f"{len(overlapping)} files listed in this zip point into the data of other files "
                f"(a trick of zip bombs): they were not read ({names}"
                + (f" and {more} more" if more > 0 else "")
                + ").",
                hint="Ask the sender for a new copy of this download; the other files were read.",
            )
        for group in same_names(
            i.filename
            for i in infos
            if unsafe_reason(i.filename) is None
            and clutter.file_reason(i.filename.replace("\\", "/"), in_archive=True) is None
        ):
            yield duplicate_name_problem(source.path, group, "zip")
            infos = [info for info in infos if info.filename not in group]
        inflated = 0
        budget = allowance(source)
        ordered = sorted(infos, key=lambda i: i.filename)
        for number, info in enumerate(ordered):
            name = info.filename.replace("\\", "/")
            display = f"{source.path}{ARCHIVE_SEP}{name}"
            reason = unsafe_reason(info.filename)
            if reason is not None:
                yield Problem(
                    display,
                    UNSAFE_NAME,
                    f"A file inside the zip has an unsafe name ({reason}); it was not read.",
                    hint="This zip may be damaged or malicious. Ask the sender for a new copy.",
                )
                continue
            skip = clutter.file_reason(name, in_archive=True)
            if skip is not None:
                yield Skipped(display, skip)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                yield Skipped(display, "link to another file (not a record)")
                continue
            if info.flag_bits & 0x1:
                yield Problem(
                    display,
                    ENCRYPTED,
                    "This file inside the zip is password-protected.",
                    hint="Unzip it with the password the portal gave you, then scan the unzipped folder.",
                )
                continue
            if _member_bomb(info):
                yield Problem(
                    display,
                    ZIP_BOMB,
                    f"This file would unpack to {info.file_size / 1024**2:.0f} MB from "
                    f"{info.compress_size / 1024:.0f} KB, which looks like a zip bomb; it was not read.",
                    hint="If you trust the sender, unzip it with your computer and scan the folder.",
                )
                continue
            try:
                budget.resume()  # the time the last member's reader took is not ours
                size, digest, head = _hash_member(
                    archive, info, MAX_TOTAL_BYTES - inflated, budget
                )
            except OverBudget:
                yield over_budget(source, "zip")
                return
            except OutOfTime:
                yield out_of_time(source, "zip", len(ordered) - number)
                return
            except _TooBig:
                yield Problem(
                    source.path,
                    ZIP_BOMB,
                    "The zip unpacks to far more than it says; reading stopped.",
                    hint="Ask the sender for a new copy of this download.",
                )
                return
            except MEMBER_READ_ERRORS as error:
                yield Problem(
                    display,
                    UNREADABLE,
                    f"This file inside the zip is damaged ({error}).",
                    hint="Download the zip again from the portal.",
                )
                continue
            inflated += size
            yield Source(
                path=display,
                size=size,
                sha256=digest,
                head=head,
                opener=_member_opener(source, info),
            )


def _member_bomb(info: zipfile.ZipInfo) -> bool:
    """True for a member that would inflate past :data:`MAX_RATIO` (and :data:`RATIO_FLOOR`)."""
    return info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)


#: Bytes of a local file header before its name (signature ... extra length).
_LOCAL_HEADER: Final = 30


def _overlapping(infos: list[zipfile.ZipInfo]) -> set[zipfile.ZipInfo]:
    """Entries whose data starts inside another entry's (many names for one member).

    Each entry spans at least its local header, name and compressed data; in
    offset order, an entry starting before the end of the one before it
    overlaps. The first entry of a span is kept, the others are refused.
    """
    refused: set[zipfile.ZipInfo] = set()
    end = -1
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset < end:
            refused.add(info)
            continue
        name = len(info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                             "replace"))
        end = info.header_offset + _LOCAL_HEADER + name + info.compress_size
    return refused


class _TooBig(Exception):
    """A member inflated past the archive's remaining budget."""


def _hash_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, shared: Allowance
) -> tuple[int, str, bytes]:
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > budget or size > info.file_size:
                raise _TooBig
            shared.spend(len(chunk))
            digest.update(chunk)
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
    return size, digest.hexdigest(), bytes(head)


def scan_members(source: Source, dispatch: Callable[[Source], list[Outcome]]) -> list[Outcome]:
    """Every member through ``dispatch`` (the folder's), zips inside zips recursively.

    Standalone use; the walker does more (it deduplicates members against other
    files and lists their hashes). ``dispatch`` is passed in, so this module
    needs nothing from the walker that lists it among the scanners.
    """
    outcomes: list[Outcome] = []
    for member in members(source):
        if isinstance(member, Source):
            if sniff(member):
                outcomes.extend(scan_members(member, dispatch))
            else:
                outcomes.extend(dispatch(member))
        else:
            outcomes.append(member)
    return outcomes
