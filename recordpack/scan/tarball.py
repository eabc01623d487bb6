"""Tar archives (``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``) read in place.

Members are never extracted to disk. The members' headers are listed first (a
plain tar by seeking from header to header, a compressed one by inflating it
once), so that members which share a name are known before any is read; then
the archive is read front to back as a stream (stdlib :mod:`tarfile`, ``r|*``).
Each regular member becomes a :class:`Source` (``download.tgz!inner/path``)
hashed while it streams by; a member small enough is kept in memory for its
scanner, a larger one is found again, by the place of its header in the
archive, when it is opened.

Guards, as for zips: unsafe names (absolute, ``..``), links and devices are
refused as problems; members that share a name (:func:`~recordpack.scan.archive.name_key`)
are none of them read (``duplicate_name``); the member count, the bytes
unpacked and (for a compressed tar) the ratio of unpacked to compressed bytes
are limited, so a tar bomb is refused without being unpacked; a damaged
archive is one ``unreadable`` problem after the members read before the damage.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO, Final

from recordpack.model import UNREADABLE, Problem, Skipped
from recordpack.scan import clutter
from recordpack.scan.archive import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    MEMBER_IN_MEMORY,
    RATIO_FLOOR,
    ZIP_BOMB,
    Allowance,
    OutOfTime,
    OverBudget,
    _MemberStream,
    allowance,
    duplicate_name_problem,
    name_key,
    out_of_time,
    same_names,
    screen,
    too_deep,
    unsafe_reason,
)
from recordpack.scan.base import HEAD_SIZE, Source

FORMAT = "tar"

#: Names a tar download goes by (a bare ``.gz`` may be one compressed document: not sniffed).
SUFFIXES: Final = (".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2", ".txz", ".tar.xz")
#: What reading a damaged or truncated tar raises (gzip's BadGzipFile is an OSError).
READ_ERRORS: Final = (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError, ValueError)

_CHUNK = 1024 * 1024


def is_tar_name(path: str) -> bool:
    """True for a path named like a tar archive (``x.tar``, ``x.tgz``, ``x.tar.gz`` ...)."""
    return path.lower().endswith(SUFFIXES)


def sniff(source: Source) -> bool:
    """A tar by its name (as pack decides by name too that a tar travels whole)."""
    return is_tar_name(source.name)


class _Counting(io.RawIOBase):
    """The compressed stream, counting the bytes it gives (for the inflation ratio)."""

    def __init__(self, inner: BinaryIO) -> None:
        super().__init__()
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.count += len(data)
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Bomb(Exception):
    """The archive unpacks to far more than a records download."""


def _problem(path: str, code: str, message: str, hint: str) -> Problem:
    return Problem(path, code, message, hint=hint)


def _refusal(info: tarfile.TarInfo) -> str | None:
    """Why a member must not be read (link, device), or None."""
    if info.issym() or info.islnk():
        return "it is a link to another file"
    if info.ischr() or info.isblk() or info.isfifo():
        return "it is a device, not a file"
    if not info.isfile():
        return "it is not a regular file"
    return None


def _reopen(source: Source, offset: int, name: str) -> BinaryIO:
    """A large member, found again by its place in the archive (the offset of its
    header) and its name, reading the archive forward (never extracted)."""
    stream = source.open()
    try:
        archive = tarfile.open(fileobj=stream, mode="r:*")  # noqa: SIM115 - closed with the member
        for info in archive:
            if info.offset < offset:
                continue
            if info.offset == offset and info.name == name and info.isfile():
                member = archive.extractfile(info)
                if member is not None:
                    inner = _MemberStream(member, (archive, stream), name)  # type: ignore[arg-type]
                    return io.BufferedReader(inner)
            break
        raise FileNotFoundError(f"{name} is no longer in the archive")
    except BaseException:
        stream.close()
        raise


def read_member(stream: BinaryIO, name: str, limit: int) -> bytes | None:
    """The bytes of the one member of the tar in ``stream`` called ``name``, or None
    when there is none, more than one goes by that name (:func:`name_key`), or it
    is larger than ``limit``. Raises one of :data:`READ_ERRORS` for a damaged tar."""
    wanted = name_key(name)
    found: tarfile.TarInfo | None = None
    with tarfile.open(fileobj=stream, mode="r:*") as archive:
        for info in archive:
            if info.isdir() or name_key(info.name) != wanted:
                continue
            if found is not None:
                return None  # which one is meant cannot be told
            found = info
        if found is None or not found.isfile() or found.size > limit or found.name != name:
            return None
        member = archive.extractfile(found)
        return None if member is None else member.read(limit + 1)


def _opener(source: Source, info: tarfile.TarInfo, data: bytes | None) -> Callable[[], BinaryIO]:
    offset, name = info.offset, info.name
    if data is None:
        return lambda: _reopen(source, offset, name)

    def opener() -> BinaryIO:
        buffer = io.BytesIO(data)
        buffer.name = name  # readers (pydicom, pypdf) look for a file name
        return buffer

    return opener


def _sound(info: tarfile.TarInfo) -> None:
    """Raise ``tarfile.ReadError`` for a header no archiver writes (a negative size:
    tarfile would read the member as empty and the next header from its data)."""
    if info.size < 0:
        raise tarfile.ReadError(f"{info.name} declares a negative size")


class _Budget:
    """Members and bytes unpacked so far, against the limits; raises :class:`_Bomb`."""

    def __init__(self, counting: _Counting, shared: Allowance) -> None:
        self._counting = counting
        self._shared = shared  # with the archives around and inside this one
        self.count = 0
        self.inflated = 0

    def member(self) -> None:
        self.count += 1
        if self.count > MAX_MEMBERS:
            raise _Bomb
        self._shared.resume()  # the time the last member's reader took is not ours

    def take(self, size: int) -> None:
        self.inflated += size
        if self.inflated > MAX_TOTAL_BYTES or (
            self.inflated > RATIO_FLOOR and self.inflated > MAX_RATIO * max(self._counting.count, 1)
        ):
            raise _Bomb
        try:
            self._shared.spend(size)  # raises OutOfTime, the archive then read only partly
        except OverBudget:
            raise _Bomb from None


#: How a compressed tar starts (gzip, bzip2, xz); anything else is read as a plain tar.
_COMPRESSED: Final = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


def _considered(info: tarfile.TarInfo) -> bool:
    """Whether a member counts when names are compared: as in a zip, not a folder,
    not one refused for its name, not clutter (none of those is read)."""
    return (
        not info.isdir()
        and unsafe_reason(info.name) is None
        and clutter.file_reason(info.name.replace("\\", "/"), in_archive=True) is None
    )


def _listing(source: Source) -> list[tarfile.TarInfo]:
    """The members' headers, read ahead of their contents (so that two members of
    one name are known before either is read).

    A plain tar is listed by seeking from header to header; a compressed one is
    inflated to the end, under the same limits as the reading itself. Raises
    :class:`_Bomb`; a damaged archive is listed up to the damage (the reading
    then reports it).
    """
    raw = source.open()
    counting = _Counting(raw)
    budget = _Budget(counting, allowance(source))
    infos: list[tarfile.TarInfo] = []
    compressed = source.head.startswith(_COMPRESSED)
    with raw:
        try:
            if compressed:
                archive = tarfile.open(  # noqa: SIM115 - closed below
                    fileobj=io.BufferedReader(counting, _CHUNK), mode="r|*"
                )
            else:
                archive = tarfile.open(fileobj=raw, mode="r:")  # noqa: SIM115 - closed below
        except READ_ERRORS:
            return infos
        with archive:
            try:
                for info in archive:
                    budget.member()
                    _sound(info)
                    infos.append(info)
                    if not info.isfile() or not compressed:
                        continue  # a plain tar's bytes are counted as they are read
                    stream = archive.extractfile(info)
                    while stream is not None and (chunk := stream.read(_CHUNK)):
                        budget.take(len(chunk))
            except READ_ERRORS:
                pass
    return infos


def _shared_names(source: Source, infos: list[tarfile.TarInfo]) -> tuple[list[Problem], set[int]]:
    """The ``duplicate_name`` problems and the header offsets of the members they name."""
    considered = [info for info in infos if _considered(info)]
    problems: list[Problem] = []
    shared: set[int] = set()
    for group in same_names(info.name for info in considered):
        problems.append(duplicate_name_problem(source.path, group, "tar archive"))
        names = set(group)
        shared |= {info.offset for info in considered if info.name in names}
    return problems, shared


def members(source: Source) -> Iterator[Source | Problem | Skipped]:
    """Each regular member of the tar as a hashed Source, or the reason it is not read.

    Never raises for a bad archive: damage yields one ``unreadable`` problem.
    Members that share a name (:func:`~recordpack.scan.archive.name_key`) are
    none of them read: one ``duplicate_name`` problem on the archive says so.
    """
    deep = too_deep(source)
    if deep is not None:
        yield deep
        return
    try:
        problems, shared = _shared_names(source, _listing(source))
    except _Bomb:
        yield _bomb(source)
        return
    except OutOfTime:
        yield out_of_time(source, "tar archive")
        return
    yield from problems
    raw = source.open()
    counting = _Counting(raw)
    budget = _Budget(counting, allowance(source))
    try:
        archive = tarfile.open(  # noqa: SIM115 - closed below, with the stream
            fileobj=io.BufferedReader(counting, _CHUNK), mode="r|*"
        )
    except READ_ERRORS as error:
        raw.close()
        yield _damaged(source, error)
        return
    with raw, archive:
        try:
            for info in archive:
                budget.member()
                _sound(info)
                if info.isdir() or info.offset in shared:
                    continue
                display, refused = screen(source.path, info.name, _refusal(info))
                if refused is not None:
                    yield refused
                    continue
                stream = archive.extractfile(info)
                if stream is None:
                    continue
                digest = hashlib.sha256()
                head = bytearray()
                kept: bytearray | None = bytearray() if info.size <= MEMBER_IN_MEMORY else None
                size = 0
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    budget.take(len(chunk))
                    digest.update(chunk)
                    if len(head) < HEAD_SIZE:
                        head += chunk[: HEAD_SIZE - len(head)]
                    if kept is not None:
                        kept += chunk
                yield Source(
                    path=display,
                    size=size,
                    sha256=digest.hexdigest(),
                    head=bytes(head),
                    opener=_opener(source, info, None if kept is None else bytes(kept)),
                )
        except _Bomb:
            yield _bomb(source)
        except OutOfTime:
            yield out_of_time(source, "tar archive")
        except READ_ERRORS as error:
            yield _damaged(source, error)


def _bomb(source: Source) -> Problem:
    return _problem(
        source.path,
        ZIP_BOMB,
        "The archive unpacks to far more than a records download (or holds far too "
        "many files); reading stopped.",
        "If it really is your records, unpack it with your computer and scan the folder.",
    )


def _damaged(source: Source, error: BaseException) -> Problem:
    return _problem(
        source.path,
        UNREADABLE,
        f"The archive is damaged or incomplete and cannot be read to the end ({error or type(error).__name__}).",
        "Download it again, or unpack it with your computer and scan the folder.",
    )
