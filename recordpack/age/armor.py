"""ASCII armor: age's PEM-like text form, strict on read as c2sp.org/age requires.

Between ``-----BEGIN AGE ENCRYPTED FILE-----`` and ``-----END AGE ENCRYPTED FILE-----``
come lines of padded canonical base64, 64 columns each except a shorter last one.
Lines end in LF or CRLF; only whitespace may surround the armor.
"""

from __future__ import annotations

import binascii
import io
from typing import TYPE_CHECKING, BinaryIO

from recordpack.age.errors import ArmorError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
COLUMNS = 64
_BYTES_PER_LINE = COLUMNS // 4 * 3
_WHITESPACE = b" \t\r\n"
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_MAX_LINE = 128


def looks_armored(prefix: bytes) -> bool:
    """Whether the first bytes of a file are the start of an armored age file."""
    return prefix.lstrip(_WHITESPACE).startswith(b"-----BEGIN")


class ArmorWriter(io.RawIOBase):
    """Writes armored text to ``dst``; ``close`` writes the end line (``dst`` stays open)."""

    def __init__(self, dst: BinaryIO) -> None:
        super().__init__()
        self._dst = dst
        self._pending = bytearray()
        dst.write(BEGIN + b"\n")

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes) -> None:
        encoded = binascii.b2a_base64(data, newline=False)
        lines = [encoded[i : i + COLUMNS] for i in range(0, len(encoded), COLUMNS)]
        self._dst.write(b"\n".join(lines) + b"\n")

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data).cast("B")
        self._pending += view
        whole = len(self._pending) // _BYTES_PER_LINE * _BYTES_PER_LINE
        if whole:
            self._emit(bytes(self._pending[:whole]))
            del self._pending[:whole]
        return len(view)

    def close(self) -> None:
        if not self.closed:
            if self._pending:
                self._emit(bytes(self._pending))
            self._dst.write(END + b"\n")
            super().close()

    def abandon(self) -> None:
        """Close without the end line, so the output cannot pass as complete."""
        if not self.closed:
            super().close()


class ArmorReader(io.RawIOBase):
    """Reads the binary age file out of armored text, checking every line."""

    def __init__(self, src: BinaryIO) -> None:
        super().__init__()
        self._src = src
        self._started = False
        self._ended = False
        self._last_line_seen = False
        self._buffer = b""
        self._pos = 0
        self._line_number = 0
        self._error: ArmorError | None = None

    def readable(self) -> bool:
        return True

    def _fail(self, message: str) -> ArmorError:
        self._error = ArmorError(f"the armored (text) age file is damaged: {message}")
        return self._error

    def _line(self) -> bytes | None:
        raw = self._src.readline(_MAX_LINE)
        if not raw:
            return None
        self._line_number += 1
        if raw.endswith(b"\r\n"):
            return raw[:-2]
        if raw.endswith(b"\n"):
            return raw[:-1]
        if len(raw) >= _MAX_LINE:
            raise self._fail(f"line {self._line_number} is too long")
        return raw  # the last line may lack a newline

    def _start(self) -> None:
        # Skip leading whitespace, then expect the exact BEGIN line.
        while True:
            line = self._line()
            if line is None:
                raise self._fail("it is empty")
            if line.strip(_WHITESPACE):
                break
        if line != BEGIN:
            raise self._fail(f"line {self._line_number} should be '{BEGIN.decode()}'")
        self._started = True

    def _finish(self) -> None:
        """After the END line only whitespace may follow."""
        while True:
            rest = self._src.read(64 * 1024)
            if not rest:
                break
            if rest.strip(_WHITESPACE):
                raise self._fail("there is text after the END line")
        self._ended = True

    def _next_line(self) -> bytes:
        line = self._line()
        if line is None:
            raise self._fail("the END line is missing (the text was cut off)")
        if line == END:
            self._finish()
            return b""
        if self._last_line_seen:
            raise self._fail(
                f"line {self._line_number} follows a short line but is not the END line"
            )
        if not line or len(line) > COLUMNS or any(c not in _ALPHABET for c in line):
            raise self._fail(f"line {self._line_number} is not a 64-column base64 line")
        if len(line) < COLUMNS or line.endswith(b"="):
            self._last_line_seen = True
        if len(line) % 4 or b"=" in line.rstrip(b"="):
            raise self._fail(f"line {self._line_number} is not valid padded base64")
        try:
            data = binascii.a2b_base64(line, strict_mode=True)
        except binascii.Error:
            raise self._fail(f"line {self._line_number} is not valid base64") from None
        if binascii.b2a_base64(data, newline=False) != line:
            raise self._fail(f"line {self._line_number} is not canonical base64")
        return data

    def _fill(self) -> bool:
        while self._pos >= len(self._buffer):
            if self._error is not None:
                raise self._error
            if self._ended:
                return False
            if not self._started:
                self._start()
            self._buffer, self._pos = self._next_line(), 0
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        parts = []
        wanted = size
        while wanted > 0 and self._fill():
            chunk = self._buffer[self._pos : self._pos + wanted]
            self._pos += len(chunk)
            wanted -= len(chunk)
            parts.append(chunk)
        return b"".join(parts)

    def readall(self) -> bytes:
        parts = []
        while self._fill():
            parts.append(self._buffer[self._pos :])
            self._pos = len(self._buffer)
        return b"".join(parts)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)
