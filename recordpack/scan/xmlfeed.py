"""Feeding an XML file to expat in chunks, in bounded time and memory.

expat holds back a tag (its name and all its attributes), a comment, a
processing instruction or a declaration until its end has arrived, and looks
at it again from its start with every chunk that does not finish it: one 40 MB
attribute value took 25 seconds, one tag of 3 million attributes a gigabyte.
Text and CDATA sections are handed on as they come, so only markup is bounded
here: :func:`feed` stops as soon as one piece of markup is longer than
:data:`MAX_MARKUP_BYTES`, and :func:`check_attributes` refuses an element
with more than :data:`MAX_ATTRIBUTES` attributes.
"""

from __future__ import annotations

import re
from typing import IO, Final
from xml.parsers import expat

CHUNK: Final = 64 * 1024
#: Longest tag (name and attributes), comment, processing instruction or
#: declaration read: a record's tags are a few hundred bytes; its long content
#: (an embedded PDF, say) is text, which is not limited here.
MAX_MARKUP_BYTES: Final = 1024 * 1024
#: Most attributes on one element: a record's elements have a handful.
MAX_ATTRIBUTES: Final = 1_000

_HEAD: Final = 128  # bytes of held-back markup kept, to say what it is
_NAME = re.compile(rb"</?([A-Za-z_][\w.:\-]*)")


class MarkupTooLong(Exception):
    """One piece of markup is over the limit: the file was read up to its start.

    ``str()`` of it says what was cut, in words a reader of the problem list follows.
    """

    def __init__(self, offset: int, what: str, limit: int) -> None:
        super().__init__(f"{what} is over {_size(limit)} long")
        #: Where the markup starts in the file (bytes): all before it was read.
        self.offset = offset
        #: What it is, in words: "a comment", "the start tag of a <title> element ...".
        self.what = what
        self.limit = limit


class TooManyAttributes(Exception):
    """An element has more attributes than any record's element (``str()`` says which)."""

    def __init__(self, name: str, count: int) -> None:
        super().__init__(f"a <{name}> element has {count:,} attributes")
        self.name = name
        self.count = count


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def _describe(head: bytes) -> str:
    """What a piece of markup is, from its first bytes."""
    if head.startswith(b"<!--"):
        return "a comment"
    if head.startswith(b"<?"):
        return "a processing instruction"
    if head.startswith(b"<!"):
        return "a declaration"
    match = _NAME.match(head)
    if match is None:
        return "a tag"
    name = match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1][:40]
    if head[1:2] == b"/":
        return f"the end tag </{name}>"
    return f"the start tag of a <{name}> element (its name and attributes)"


def feed(parser: expat.XMLParserType, stream: IO[bytes], *, limit: int | None = None) -> None:
    """Parse ``stream`` to its end with ``parser``, a chunk at a time.

    Raises :class:`MarkupTooLong` when one tag, comment, processing instruction
    or declaration is longer than ``limit`` (:data:`MAX_MARKUP_BYTES`), once
    expat has been given at most one :data:`CHUNK` more of it; whatever the
    handlers raise, and ``expat.ExpatError``, pass through.
    """
    limit = MAX_MARKUP_BYTES if limit is None else limit
    fed = 0
    pending_at = -1  # where the markup expat holds back starts
    pending_head = b""
    while data := stream.read(CHUNK):
        parser.Parse(data, False)
        start, fed = fed, fed + len(data)
        # Outside a handler expat's current index is where it stopped: the start
        # of the markup it holds back, or the end of what it was given.
        index = max(parser.CurrentByteIndex, 0)
        if index >= fed:
            continue
        if index != pending_at:
            # Markup that starts in this chunk (what was held back before ended in it).
            pending_at, pending_head = index, data[max(index - start, 0):][:_HEAD]
        elif len(pending_head) < _HEAD:  # its start came in the chunk before
            pending_head += data[: _HEAD - len(pending_head)]
        if fed - index > limit:
            raise MarkupTooLong(index, _describe(pending_head), limit)
    parser.Parse(b"", True)


def check_attributes(name: str, attributes: dict[str, str] | list[str]) -> None:
    """Raise :class:`TooManyAttributes` when an element has over :data:`MAX_ATTRIBUTES`."""
    count = len(attributes) if isinstance(attributes, dict) else len(attributes) // 2
    if count > MAX_ATTRIBUTES:
        raise TooManyAttributes(name.rsplit("}", 1)[-1].rsplit(":", 1)[-1], count)
