"""7-Zip archives (``.7z``) read in place with py7zr: members are never written to disk.

py7zr decompresses an archive (often one solid block) from front to back and
hands each member to a writer; here each writer hashes its member as it is
decompressed and keeps it in memory when it is under
:data:`~recordpack.scan.archive.MEMBER_IN_MEMORY`. Decompression runs in a
helper thread that waits, one member at a time, for the walker to take each
one, so memory stays bounded whatever the archive holds. A larger member is
decompressed again, alone, when its scanner opens it.

Guards as for zips and tars: unsafe names, links, member count, the bytes
unpacked and the ratio to the archive's size; a password-protected archive is
``encrypted``; a damaged one is one ``unreadable`` problem.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from recordpack.model import ARCHIVE_SEP, ENCRYPTED, UNREADABLE, Problem, Skipped
from recordpack.scan.archive import (
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    MEMBER_IN_MEMORY,
    RATIO_FLOOR,
    ZIP_BOMB,
    Allowance,
    OverBudget,
    allowance,
    declared_too_much,
    duplicate_name_problem,
    same_names,
    screen,
    too_deep,
)
from recordpack.scan.base import HEAD_SIZE, MAX_DOCUMENT_BYTES, Source

FORMAT = "7z"

def is_7z_name(path: str) -> bool:
    return path.lower().endswith(".7z")


def sniff(source: Source) -> bool:
    """A 7z archive by its name (as pack decides by name that a 7z travels whole),
    damaged or not; a 7z without its extension is ``unsupported``."""
    return is_7z_name(source.name)


class _Stop(Exception):
    """Raised inside py7zr's writers to end decompression early."""


class _Bomb(_Stop):
    """The archive unpacks to far more than a records download."""


class _Member:
    """One member as py7zr decompresses it: hashed, and kept when small."""

    def __init__(self, name: str, keep: bool, budget: _Budget) -> None:
        self.name = name
        self.digest = hashlib.sha256()
        self.head = bytearray()
        self.kept: bytearray | None = bytearray() if keep else None
        self.size = 0
        self._budget = budget

    def write(self, data: bytes | bytearray) -> int:
        self._budget.take(len(data))
        self.size += len(data)
        self.digest.update(data)
        if len(self.head) < HEAD_SIZE:
            self.head += data[: HEAD_SIZE - len(self.head)]
        if self.kept is not None:
            if len(self.kept) + len(data) > MEMBER_IN_MEMORY:
                self.kept = None
            else:
                self.kept += data
        return len(data)


class _Budget:
    """Bytes unpacked so far, against the total and ratio limits; also a stop switch."""

    def __init__(self, compressed: int, shared: Allowance) -> None:
        self.compressed = max(compressed, 1)
        self._shared = shared  # with the archives around and inside this one
        self.inflated = 0
        self.stopped = False

    def take(self, size: int) -> None:
        if self.stopped:
            raise _Stop
        self.inflated += size
        if self.inflated > MAX_TOTAL_BYTES or (
            self.inflated > RATIO_FLOOR and self.inflated > MAX_RATIO * self.compressed
        ):
            raise _Bomb
        try:
            # Bytes only: this runs on py7zr's thread, which also waits for the reader.
            self._shared.spend(size, timed=False)
        except OverBudget:
            raise _Bomb from None


def _factory(
    on_close: Callable[[_Member], None],
    budget: _Budget,
    sizes: dict[str, int],
    member_type: type[_Member] = _Member,
) -> Any:
    """A py7zr WriterFactory whose writers are :class:`_Member` s (py7zr imported late)."""
    from py7zr.io import Py7zIO, WriterFactory

    class Writer(Py7zIO):
        def __init__(self, name: str) -> None:
            self.member = member_type(name, sizes.get(name, 0) <= MEMBER_IN_MEMORY, budget)

        def write(self, s: bytes | bytearray) -> int:
            return self.member.write(s)

        def read(self, size: int | None = None) -> bytes:
            return b""

        def seek(self, offset: int, whence: int = 0) -> int:
            return 0

        def flush(self) -> None:
            pass

        def size(self) -> int:
            return self.member.size

        def close(self) -> None:
            on_close(self.member)

    class Factory(WriterFactory):
        def create(self, filename: str) -> Py7zIO:
            return Writer(filename)

    return Factory()


def _problem(path: str, code: str, message: str, hint: str) -> Problem:
    return Problem(path, code, message, hint=hint)


def _opener(source: Source, name: str, data: bytes | None) -> Callable[[], BinaryIO]:
    def opener() -> BinaryIO:
        buffer = io.BytesIO(data if data is not None else _extract_one(source, name))
        buffer.name = name  # readers (pydicom, pypdf) look for a file name
        return buffer

    return opener


def _extract_one(source: Source, name: str) -> bytes:
    """A large member, decompressed again on its own (bounded by MAX_DOCUMENT_BYTES)."""
    import py7zr

    chunks: list[bytes] = []

    class Keep(_Member):
        def write(self, data: bytes | bytearray) -> int:
            if self.size + len(data) > MAX_DOCUMENT_BYTES:
                raise _Stop
            chunks.append(bytes(data))
            return super().write(data)

    # Read again after the scan, on its own: bound by this archive's own limits only.
    budget = _Budget(source.size, Allowance(MAX_TOTAL_BYTES))
    factory = _factory(lambda _member: None, budget, {name: MAX_DOCUMENT_BYTES}, member_type=Keep)
    with source.open() as stream, py7zr.SevenZipFile(stream) as archive:
        archive.extract(targets=[name], factory=factory)
    return b"".join(chunks)


def members(source: Source) -> Iterator[Source | Problem | Skipped]:
    """Each member of the 7z archive as a hashed Source, or the reason it is not read."""
    import py7zr
    from py7zr.exceptions import PasswordRequired

    deep = too_deep(source)
    if deep is not None:
        yield deep
        return
    errors = (py7zr.exceptions.ArchiveError, py7zr.exceptions.Bad7zFile,
              py7zr.exceptions.DecompressionError, py7zr.exceptions.CrcError,
              py7zr.exceptions.UnsupportedCompressionMethodError,
              py7zr.exceptions.InternalError, OSError, EOFError, ValueError, KeyError,
              IndexError, TypeError, AttributeError, MemoryError, LookupError)
    stream = source.open()
    try:
        archive = py7zr.SevenZipFile(stream)
    except PasswordRequired:
        stream.close()
        yield _encrypted(source)
        return
    except errors as error:
        stream.close()
        yield _damaged(source, error)
        return
    with stream, archive:
        if archive.needs_password():
            yield _encrypted(source)
            return
        infos = [info for info in archive.list() if not info.is_directory]
        declared = sum(info.uncompressed or 0 for info in infos)
        bomb = declared_too_much(source, len(infos), declared, "archive")
        if bomb is not None:
            yield bomb
            return
        wanted: list[str] = []
        for info in sorted(infos, key=lambda i: i.filename):
            link = "it is a link to another file" if info.is_symlink else None
            _display, refused = screen(source.path, info.filename, link)
            if refused is not None:
                yield refused
                continue
            wanted.append(info.filename)
        for group in same_names(wanted):
            yield duplicate_name_problem(source.path, group, "7z archive")
            wanted = [name for name in wanted if name not in group]
        if not wanted:
            return
        sizes = {info.filename: info.uncompressed or 0 for info in infos}
        yield from _decompressed(source, archive, wanted, sizes, errors)


def _decompressed(
    source: Source, archive: Any, wanted: list[str], sizes: dict[str, int], errors: tuple[type[BaseException], ...]
) -> Iterator[Source | Problem]:
    """Members as py7zr decompresses them in a helper thread, handed over one at a time."""
    handover: queue.Queue[_Member | BaseException | None] = queue.Queue(maxsize=1)
    budget = _Budget(source.size, allowance(source))

    def put(item: _Member | BaseException | None) -> None:
        while not budget.stopped:
            try:
                handover.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stop

    def work() -> None:
        try:
            archive.extract(targets=wanted, factory=_factory(put, budget, sizes))
            put(None)
        except _Stop as stop:
            if isinstance(stop, _Bomb):
                with contextlib.suppress(_Stop):
                    put(stop)
        except BaseException as error:  # noqa: BLE001 - handed to the reading thread
            with contextlib.suppress(_Stop):
                put(error)

    worker = threading.Thread(target=work, name="recordpack-7z", daemon=True)
    worker.start()
    try:
        while True:
            item = handover.get()
            if item is None:
                return
            if isinstance(item, _Bomb):
                yield _problem(
                    source.path,
                    ZIP_BOMB,
                    "The archive unpacks to far more than a records download; reading stopped.",
                    "If it really is your records, unpack it with your computer and scan the folder.",
                )
                return
            if isinstance(item, BaseException):
                yield _encrypted(source) if type(item).__name__ == "PasswordRequired" else _damaged(
                    source, item
                )
                return
            yield Source(
                path=f"{source.path}{ARCHIVE_SEP}{item.name.replace(chr(92), '/')}",
                size=item.size,
                sha256=item.digest.hexdigest(),
                head=bytes(item.head),
                opener=_opener(source, item.name, None if item.kept is None else bytes(item.kept)),
            )
    finally:
        budget.stopped = True
        worker.join()


def _encrypted(source: Source) -> Problem:
    return _problem(
        source.path,
        ENCRYPTED,
        "This 7z archive is password-protected.",
        "Unpack it with the password you were given, then scan the unpacked folder.",
    )


def _damaged(source: Source, error: BaseException) -> Problem:
    return _problem(
        source.path,
        UNREADABLE,
        f"The 7z archive is damaged or incomplete and cannot be read ({type(error).__name__}: "
        f"{error}).",
        "Download it again, or unpack it with your computer and scan the folder.",
    )
