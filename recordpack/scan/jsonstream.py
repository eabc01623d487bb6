"""Read one large JSON object member by member, in bounded memory.

``json.loads`` turns a 100 MB FHIR export into gigabytes of Python objects.
:func:`members` instead walks the top-level object of a stream and yields its
members one at a time; the items of one chosen array member (a Bundle's
``entry``) are yielded one by one, so only one entry is ever in memory. Each
value is decoded by the standard library's C decoder (``raw_decode``) from a
window of the text; no value may be larger than ``max_value`` characters.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

#: Characters decoded from the stream at a time.
CHUNK_CHARS: Final = 1024 * 1024

#: Characters that must follow a decoded value before it is trusted to be whole.
_LOOKAHEAD: Final = 64
_SPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


class JSONStreamError(ValueError):
    """The stream is not one JSON object, or a value in it is damaged or too large."""


class _Window:
    """The undecoded text of a stream, from the current position on."""

    def __init__(self, raw: BinaryIO, max_value: int) -> None:
        self._reader = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace")
        self._max_value = max_value
        self.text = ""
        self.pos = 0
        self.eof = False
        self.read = 0  # characters taken from the stream

    def more(self, at_least: int = 0) -> bool:
        """Append a chunk, or ``at_least`` characters if more (fewer at the end); False at the end."""
        if self.eof:
            return False
        chunk = self._reader.read(max(at_least, CHUNK_CHARS))
        if not chunk:
            self.eof = True
            return False
        self.read += len(chunk)
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise JSONStreamError(f"expected '{char}' but found '{found}' "
                                  f"after {self.read // 1024**2} MB")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, decoded whole (at most ``max_value`` characters)."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                if len(self.text) - self.pos > self._max_value:
                    raise JSONStreamError(
                        f"a value larger than {self._max_value // 1024**2} MB, or damaged, "
                        f"after {self.read // 1024**2} MB") from error
                # Incomplete so far: read as much again (linear overall), then retry.
                if not self.more(len(self.text) - self.pos):
                    raise JSONStreamError(f"JSON is damaged ({error.msg}): the file may be "
                                          "cut short") from error
                continue
            if end + _LOOKAHEAD > len(self.text) and self.more():
                continue  # a number may go on in the next chunk ("-1" of "-1.5e10")
            self.pos = end
            return value


def members(raw: BinaryIO, *, stream_array: str, max_value: int
            ) -> Iterator[tuple[str, Any]]:
    """``(key, value)`` for each member of the top-level JSON object in ``raw``.

    The array member named ``stream_array`` is not yielded whole: each of its
    items is yielded as ``(stream_array, item)``. Raises :class:`JSONStreamError`
    for anything that is not a well-formed object or holds a value larger than
    ``max_value`` characters.
    """
    window = _Window(raw, max_value)
    window.expect("{")
    if window.peek() == "}":
        return
    while True:
        key = window.value()
        if not isinstance(key, str):
            raise JSONStreamError("an object key is not a string")
        window.expect(":")
        if key == stream_array and window.peek() == "[":
            window.pos += 1
            if window.peek() == "]":
                window.pos += 1
            else:
                while True:
                    yield key, window.value()
                    if window.peek() == ",":
                        window.pos += 1
                        continue
                    window.expect("]")
                    break
        else:
            yield key, window.value()
        if window.peek() == ",":
            window.pos += 1
            continue
        window.expect("}")
        return
