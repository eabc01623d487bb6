"""The age payload: STREAM with ChaCha20-Poly1305 in 64 KiB chunks.

Chunk ``i`` is sealed with the nonce ``i`` (11 bytes, big-endian) followed by a
flag byte, 1 for the final chunk and 0 otherwise. The final chunk may be full,
and may be empty only when it is the only chunk. Nothing from a chunk is ever
returned before that chunk has been authenticated.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from recordpack.age.errors import PayloadError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
#: Sealed chunks written to the output at once (about 1 MiB): one 64 KiB write
#: per chunk costs a file system several times what fewer, larger writes do.
WRITE_CHUNKS = 16
_LAST = b"\x01"
_NOT_LAST = b"\x00"


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (_LAST if last else _NOT_LAST)


def _read_full(src: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, fewer only at end of file."""
    data = src.read(size)
    if data is None:
        raise PayloadError("the encrypted input is not ready (non-blocking source)")
    if len(data) == size or not data:
        return data
    parts = [data]
    got = len(data)
    while got < size:
        more = src.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _where(counter: int) -> str:
    start = counter * CHUNK_SIZE
    return f"part {counter + 1} of the content (from byte {start:,})"


class StreamWriter(io.RawIOBase):
    """Encrypts what is written to it into ``dst``; ``close`` seals the final chunk.

    Sealed chunks go to ``dst`` in writes of about 1 MiB, from ``buffers`` buffers
    used in turn: a buffer handed to ``dst.write`` is not changed again until
    ``buffers - 1`` more ``dst.write`` calls have returned, so ``dst`` may keep it
    until then (pack's bundle writer writes it on a background thread) instead of
    copying it.
    """

    def __init__(self, dst: BinaryIO, key: bytes, *, buffers: int = 2) -> None:
        super().__init__()
        self._dst = dst
        self._aead = ChaCha20Poly1305(key)
        self._buf = bytearray(CHUNK_SIZE)
        self._fill = 0
        self._counter = 0
        if buffers < 2:
            raise ValueError("the age writer needs at least two output buffers")
        self._outs = [bytearray(ENCRYPTED_CHUNK_SIZE * WRITE_CHUNKS) for _ in range(buffers)]
        self._turn = 0
        self._out = self._outs[0]
        self._sealed = 0  # bytes of self._out sealed and not yet written

    def writable(self) -> bool:
        return True

    def _seal(self, chunk: bytearray | memoryview, last: bool) -> None:
        if self._sealed + len(chunk) + TAG_SIZE > len(self._out):
            self._drain()
        end = self._sealed + len(chunk) + TAG_SIZE
        out = memoryview(self._out)[self._sealed : end]
        self._aead.encrypt_into(_nonce(self._counter, last), chunk, None, out)
        self._sealed = end
        self._counter += 1

    def _drain(self) -> None:
        """Write the sealed chunks out, then seal into the next buffer."""
        if self._sealed:
            self._dst.write(memoryview(self._out)[: self._sealed])
            self._sealed = 0
            self._turn = (self._turn + 1) % len(self._outs)
            self._out = self._outs[self._turn]

    def flush(self) -> None:
        """Write out every chunk sealed so far (the chunk being filled stays)."""
        if not self.closed:
            self._drain()
        super().flush()

    def write(self, data: ReadableBuffer) -> int:
        if self.closed:
            raise ValueError("write to a closed age writer")
        view = memoryview(data).cast("B")
        total = len(view)
        pos = 0
        # A full buffer is only sealed once more data arrives: the last chunk must be
        # marked final, and only close() knows which one that is.
        while pos < total:
            if self._fill == CHUNK_SIZE:
                self._seal(self._buf, last=False)
                self._fill = 0
            if self._fill == 0 and total - pos > CHUNK_SIZE:
                self._seal(view[pos : pos + CHUNK_SIZE], last=False)
                pos += CHUNK_SIZE
                continue
            take = min(CHUNK_SIZE - self._fill, total - pos)
            self._buf[self._fill : self._fill + take] = view[pos : pos + take]
            self._fill += take
            pos += take
        return total

    def close(self) -> None:
        """Seal the final chunk; ``dst`` stays open."""
        if not self.closed:
            self._seal(memoryview(self._buf)[: self._fill], last=True)
            self._drain()
            super().close()

    def abandon(self) -> None:
        """Close without sealing a final chunk, so the output cannot pass as complete."""
        if not self.closed:
            self._sealed = 0  # nothing more is written
            super().close()


class StreamReader(io.RawIOBase):
    """Decrypts a payload read sequentially from ``src``."""

    def __init__(self, src: BinaryIO, key: bytes) -> None:
        super().__init__()
        self._src = src
        self._aead = ChaCha20Poly1305(key)
        self._counter = 0
        self._plain = b""
        self._pos = 0
        self._pending: bytes | None = None
        self._done = False
        self._error: PayloadError | None = None

    def readable(self) -> bool:
        return True

    def _open(self, chunk: bytes, last: bool) -> bytes | None:
        try:
            return self._aead.decrypt(_nonce(self._counter, last), chunk, None)
        except InvalidTag:
            return None

    def _next_chunk(self) -> None:
        chunk = (
            self._pending
            if self._pending is not None
            else _read_full(self._src, ENCRYPTED_CHUNK_SIZE)
        )
        self._pending = None
        where = _where(self._counter)
        if len(chunk) < ENCRYPTED_CHUNK_SIZE:
            if not chunk:
                if self._counter == 0:
                    raise PayloadError(
                        "the file has a header but no encrypted content: it is truncated"
                    )
                raise PayloadError(f"the file is truncated: it ends before {where}")
            if len(chunk) < TAG_SIZE:
                raise PayloadError(f"the file is truncated: {where} is cut short")
            if len(chunk) == TAG_SIZE and self._counter > 0:
                raise PayloadError(
                    "the file ends with an empty final part, which is invalid: it was altered"
                )
            plain = self._open(chunk, last=True)
            if plain is None:
                raise PayloadError(
                    f"{where} failed authentication: the file was truncated or altered"
                )
            self._finish(plain)
            return
        # A full chunk: final or not depends on whether anything follows. Like age, a
        # chunk that authenticates is released even when the stream is then found to be
        # malformed (data after a final chunk, or no final chunk); the error comes on the
        # next read. Nothing unauthenticated is ever released.
        following = _read_full(self._src, ENCRYPTED_CHUNK_SIZE)
        if following:
            plain = self._open(chunk, last=False)
            if plain is None:
                plain = self._open(chunk, last=True)
                if plain is None:
                    raise PayloadError(f"{where} failed authentication: the file was altered")
                self._error = PayloadError(f"the file has unexpected data after its end ({where})")
            self._pending = following
        else:
            plain = self._open(chunk, last=True)
            if plain is not None:
                self._done = True
            else:
                plain = self._open(chunk, last=False)
                if plain is None:
                    raise PayloadError(
                        f"{where} failed authentication: the file was truncated or altered"
                    )
                self._error = PayloadError(f"the file is truncated: it ends after {where}")
        self._counter += 1
        self._plain, self._pos = plain, 0

    def _finish(self, plain: bytes) -> None:
        # A short chunk is the last one: check the end of the input (for armored files
        # this validates the END line) before releasing it.
        if self._src.read(1):
            raise PayloadError(
                "the file has unexpected data after the end of its encrypted content"
            )
        self._done = True
        self._plain, self._pos = plain, 0

    def _fill(self) -> bool:
        """Make plaintext available; False at a clean end."""
        while self._pos >= len(self._plain):
            if self._done:
                return False
            if self._error is not None:
                raise self._error
            try:
                self._next_chunk()
            except PayloadError as error:
                self._error = error  # a damaged stream stays failed on every later read
                raise
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if size == 0 or not self._fill():
            return b""
        pos = self._pos
        if pos == 0 and size >= len(self._plain):
            self._pos = len(self._plain)
            return self._plain
        self._pos = min(pos + size, len(self._plain))
        return self._plain[pos : self._pos]

    def readall(self) -> bytes:
        parts = []
        while self._fill():
            parts.append(self._plain[self._pos :] if self._pos else self._plain)
            self._pos = len(self._plain)
        return b"".join(parts)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)


class RandomAccessReader(io.RawIOBase):
    """Decrypts any range of a payload in a seekable source, chunk by chunk."""

    def __init__(self, src: BinaryIO, key: bytes, payload_start: int) -> None:
        super().__init__()
        self._src = src
        self._aead = ChaCha20Poly1305(key)
        self._start = payload_start
        encrypted = src.seek(0, io.SEEK_END) - payload_start
        if encrypted <= 0:
            raise PayloadError("the file has a header but no encrypted content: it is truncated")
        self._chunks = -(-encrypted // ENCRYPTED_CHUNK_SIZE)
        last_size = encrypted - (self._chunks - 1) * ENCRYPTED_CHUNK_SIZE
        if last_size < TAG_SIZE or (last_size == TAG_SIZE and self._chunks > 1):
            raise PayloadError("the file is truncated: its last part is cut short")
        self.size = encrypted - self._chunks * TAG_SIZE
        self._pos = 0
        self._cached_index = -1
        self._cached = b""
        # Authenticate the final chunk now: a file truncated at a chunk boundary, or
        # with data appended, fails here rather than in the middle of a read.
        self._chunk(self._chunks - 1)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._pos + offset
        elif whence == io.SEEK_END:
            target = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise ValueError("negative seek position")
        self._pos = target
        return target

    def _chunk(self, index: int) -> bytes:
        if index == self._cached_index:
            return self._cached
        last = index == self._chunks - 1
        self._src.seek(self._start + index * ENCRYPTED_CHUNK_SIZE)
        size = (
            ENCRYPTED_CHUNK_SIZE
            if not last
            else (self.size + self._chunks * TAG_SIZE) - index * ENCRYPTED_CHUNK_SIZE
        )
        data = _read_full(self._src, size)
        if len(data) != size:
            raise PayloadError(f"the file changed while being read ({_where(index)} is missing)")
        try:
            plain = self._aead.decrypt(_nonce(index, last), data, None)
        except InvalidTag:
            what = "the file was truncated or altered" if last else "the file was altered"
            raise PayloadError(f"{_where(index)} failed authentication: {what}") from None
        self._cached_index, self._cached = index, plain
        return plain

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        end = min(self._pos + size, self.size)
        if end <= self._pos:
            return b""
        parts = []
        while self._pos < end:
            index, offset = divmod(self._pos, CHUNK_SIZE)
            plain = self._chunk(index)
            take = min(end - self._pos, len(plain) - offset)
            parts.append(plain[offset : offset + take] if take != len(plain) else plain)
            self._pos += take
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)
