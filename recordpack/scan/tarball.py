"""Tar archives (``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``) read in place.

The archive is read once, front to back, as a stream (stdlib :mod:`tarfile`,
``r|*``): members are never extracted to disk. Each regular member becomes a
:class:`Source` (``download.tgz!inner/path``) hashed while it streams by; a
member small enough is kept in memory for its scanner, a larger one is found
again by reading the archive forward when it is opened.

Guards, as for zips: unsafe names (absolute, ``..``), links and devices are
refused as problems; the member count, the bytes unpacked and (for a
compressed tar) the ratio of unpacked to compressed bytes are limited, so a tar
bomb is refused without being unpacked; a damaged archive is one
``unreadable`` problem after the members read before the damage.
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
from recordpack.scan.archive import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    MEMBER_IN_MEMORY,
    RATIO_FLOOR,
    ZIP_BOMB,
    _MemberStream,
    screen,
    too_deep,
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


def _reopen(source: Source, name: str) -> BinaryIO:
    """A large member, found again by reading the archive forward (never extracted)."""
    stream = source.open()
    try:
        archive = tarfile.open(fileobj=stream, mode="r:*")  # noqa: SIM115 - closed with the member
        for info in archive:
            if info.name == name and info.isfile():
                member = archive.extractfile(info)
                if member is not None:
                    inner = _MemberStream(member, (archive, stream), name)  # type: ignore[arg-type]
                    return io.BufferedReader(inner)
        raise FileNotFoundError(f"{name} is no longer in the archive")
    except BaseException:
        stream.close()
        raise


def _opener(source: Source, name: str, data: bytes | None) -> Callable[[], BinaryIO]:
    if data is None:
        return lambda: _reopen(source, name)

    def opener() -> BinaryIO:
        buffer = io.BytesIO(data)
        buffer.name = name  # readers (pydicom, pypdf) look for a file name
        return buffer

    return opener


def members(source: Source) -> Iterator[Source | Problem | Skipped]:
    """Each regular member of the tar as a hashed Source, or the reason it is not read.

    Never raises for a bad archive: damage yields one ``unreadable`` problem.
    """
    deep = too_deep(source)
    if deep is not None:
        yield deep
        return
    raw = source.open()
    counting = _Counting(raw)
    try:
        archive = tarfile.open(  # noqa: SIM115 - closed below, with the stream
            fileobj=io.BufferedReader(counting, _CHUNK), mode="r|*"
        )
    except READ_ERRORS as error:
        raw.close()
        yield _damaged(source, error)
        return
    count = 0
    inflated = 0
    with raw, archive:
        try:
            for info in archive:
                count += 1
                if count > MAX_MEMBERS:
                    raise _Bomb
                if info.isdir():
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
                    inflated += len(chunk)
                    if inflated > MAX_TOTAL_BYTES or (
                        inflated > RATIO_FLOOR and inflated > MAX_RATIO * max(counting.count, 1)
                    ):
                        raise _Bomb
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
                    opener=_opener(source, info.name, None if kept is None else bytes(kept)),
                )
        except _Bomb:
            yield _problem(
                source.path,
                ZIP_BOMB,
                "The archive unpacks to far more than a records download (or holds far too "
                "many files); reading stopped.",
                "If it really is your records, unpack it with your computer and scan the folder.",
            )
        except READ_ERRORS as error:
            yield _damaged(source, error)


def _damaged(source: Source, error: BaseException) -> Problem:
    return _problem(
        source.path,
        UNREADABLE,
        f"The archive is damaged or incomplete and cannot be read to the end ({error or type(error).__name__}).",
        "Download it again, or unpack it with your computer and scan the folder.",
    )
