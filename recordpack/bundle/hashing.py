"""SHA-256 work of pack, done by worker processes on the other core.

:class:`SourceHasher` hashes the images pack copies; :class:`BundleHasher` hashes
the bundle file as it is written (the receipt's SHA-256).

A DICOM image that scan read only as far as its header has no SHA-256 yet; the
bag's manifest needs one. Hashing it on a thread beside the encryption gains
nothing (``cryptography``'s ChaCha20 holds the GIL, so the two take turns), so
a forked worker process reads the same files (from the page cache) and hashes
them while the main process copies, checksums and encrypts them. What the worker
read is proved to be what was packed: the same size and CRC-32 as the ZIP
member, the same first 64 KiB as scan parsed, and the same modification time
before and after, in both processes and at the scan.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final

from recordpack import forking
from recordpack.bundle.layout import PlannedFile
from recordpack.scan.paths import to_fs
from recordpack.scan.walk import HEADER_READ, open_fd, read_stream

#: Below this many bytes to hash, starting a worker costs more than it saves.
MIN_BYTES: Final = 32 * 1024 * 1024
#: Files handed to the worker at once.
BATCH: Final = 32
#: How far the worker may read ahead of the copy: the page cache then still holds
#: a file when pack copies it, whatever the folder's size, so each byte comes off
#: the disk once (the worker reads about three times faster than pack copies).
AHEAD_BYTES: Final = 256 * 1024 * 1024
_CHUNK: Final = 1024 * 1024


@dataclass(frozen=True)
class FileHash:
    """One read of a file: its size, SHA-256, CRC-32, the SHA-256 of its first
    ``HEADER_READ`` bytes, and its modification time before and after the read."""

    size: int
    sha256: str
    crc32: int
    head_sha256: str
    mtime_before: int
    mtime_after: int


@dataclass(frozen=True)
class ReadFailure:
    """Why a file could not be read (an ``OSError``'s errno and text)."""

    errno: int
    strerror: str

    def error(self) -> OSError:
        return OSError(self.errno, self.strerror)  # FileNotFoundError, PermissionError, ...


def hash_file(path: str) -> FileHash:
    """Read ``path`` once, whole (without changing its access time), and describe it."""
    with os.fdopen(open_fd(path), "rb", buffering=0) as stream:
        read = read_stream(stream, whole=True)
        after = os.fstat(stream.fileno()).st_mtime_ns
    assert read.sha256 is not None and read.crc32 is not None
    head = hashlib.sha256(read.head[:HEADER_READ]).hexdigest()
    return FileHash(read.size, read.sha256, read.crc32, head, read.mtime_ns, after)


def _hash_batch(paths: list[str]) -> list[FileHash | ReadFailure]:
    """In the worker: each file's :class:`FileHash`, or why it could not be read."""
    out: list[FileHash | ReadFailure] = []
    for path in paths:
        try:
            out.append(hash_file(path))
        except OSError as error:
            out.append(ReadFailure(error.errno or 0, error.strerror or str(error)))
    return out


class SourceHasher:
    """Hashes the files scan read only in part, in a worker process, in pack's order."""

    def __init__(self, root: Path, files: Sequence[PlannedFile]) -> None:
        self._paths = {id(f): os.fsdecode(root / to_fs(f.source)) for f in files}
        self._sizes = {id(f): f.size for f in files}
        self._keys = [id(f) for f in files]
        self._pool = forking.fork_pool(1)
        self._batches: deque[tuple[list[int], Future[list[FileHash | ReadFailure]] | None]] = (
            deque()
        )
        self._done: dict[int, FileHash | ReadFailure] = {}
        self._next = 0  # the first file not handed to the worker yet
        self._ahead = 0  # bytes handed to the worker and not yet copied by pack
        self._fill()

    def _fill(self, everything: bool = False) -> None:
        """Hand the worker files until it is AHEAD_BYTES ahead of the copy (or all)."""
        while self._next < len(self._keys) and (everything or self._ahead < AHEAD_BYTES):
            batch = self._keys[self._next : self._next + BATCH]
            self._next += len(batch)
            self._ahead += sum(self._sizes[k] for k in batch)
            future: Future[list[FileHash | ReadFailure]] | None = None
            # A dead worker refuses more: result() then reads these files here.
            with contextlib.suppress(BrokenProcessPool, RuntimeError):
                future = self._pool.submit(_hash_batch, [self._paths[k] for k in batch])
            self._batches.append((batch, future))

    def copied(self, planned: PlannedFile) -> None:
        """pack has copied ``planned``: the worker may read further ahead."""
        self._ahead -= self._sizes.get(id(planned), 0)
        self._fill()

    @classmethod
    def start(cls, root: Path, plan: Sequence[PlannedFile]) -> SourceHasher | None:
        """A hasher for the files of ``plan`` on disk without a SHA-256, or None when
        there are too few bytes to be worth a process or forking is not safe here."""
        files = [f for f in plan if f.member is None and f.sha256 is None and f.head_sha256]
        if sum(f.size for f in files) < MIN_BYTES or not forking.can_fork():
            return None
        try:
            return cls(root, files)
        except OSError:  # no process to be had (a limit on processes): hash in pack
            return None

    def covers(self, planned: PlannedFile) -> bool:
        return id(planned) in self._paths

    def result(self, planned: PlannedFile) -> FileHash | ReadFailure:
        """The worker's reading of ``planned`` (read here if the worker died)."""
        key = id(planned)
        while key not in self._done and (self._batches or self._next < len(self._keys)):
            if not self._batches:
                self._fill(everything=True)
                continue
            batch, future = self._batches.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool
                results = future.result()
            except BrokenProcessPool:
                results = _hash_batch([self._paths[k] for k in batch])
            self._done.update(zip(batch, results, strict=True))
        return self._done[key]

    def close(self) -> None:
        """Stop the worker (at once, if pack failed before it finished)."""
        forking.stop_workers(self._pool)


class BundleHasher:
    """The SHA-256 of the bundle file, computed by a forked worker process that
    reads the file just behind pack's writer (from the page cache), so the
    receipt's hash costs the encrypting process nothing."""

    #: Seconds to wait for the worker's digest once the bundle is complete.
    WAIT: Final = 120.0

    def __init__(self, path: Path) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_hash_behind, args=(os.fsdecode(path), child), daemon=True
        )
        self._process.start()
        child.close()
        self._broken = False

    @classmethod
    def start(cls, path: Path, size: int) -> BundleHasher | None:
        """A hasher for the bundle at ``path`` (about ``size`` bytes), or None when it
        is too small to be worth a process or forking is not safe here."""
        if size < MIN_BYTES or not forking.can_fork():
            return None
        try:
            return cls(path)
        except OSError:  # no process to be had: the writer thread hashes
            return None

    def written(self, upto: int) -> None:
        """The file's first ``upto`` bytes are written (and flushed to the system)."""
        if not self._broken:
            try:
                self._conn.send(upto)
            except (OSError, ValueError):
                self._broken = True

    def hexdigest(self, size: int) -> str | None:
        """The SHA-256 of the complete file of ``size`` bytes, or None if the
        worker could not give it (the caller then hashes the file itself)."""
        if self._broken:
            return None
        try:
            self._conn.send(-1)
            if not self._conn.poll(self.WAIT):
                return None
            digest, hashed = self._conn.recv()
        except (OSError, EOFError, ValueError):
            return None
        return str(digest) if hashed == size else None

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=1)
        self._conn.close()


def _hash_behind(path: str, conn: Connection) -> None:
    """In the worker: hash ``path`` as far as the writer says it is written; on -1,
    to its end, and send back (digest, bytes hashed)."""
    forking.ignore_interrupts()
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    hashed = 0
    with open(path, "rb", buffering=0) as stream:
        while True:
            try:
                upto = conn.recv()
            except EOFError:
                return  # pack gave up
            goal = None if upto < 0 else upto
            while goal is None or hashed < goal:
                want = _CHUNK if goal is None else min(_CHUNK, goal - hashed)
                count = stream.readinto(view[:want])
                if not count:
                    break
                digest.update(view[:count])
                hashed += count
            if goal is None:
                conn.send((digest.hexdigest(), hashed))
                return
