"""Text from files and bundles made safe to show: nothing hidden, nothing reordered.

A file name or a title comes from whoever made the file. Shown raw, a control
character can drive the terminal, and a bidi override (U+202E) can make
``invoice_fdp.exe`` read as ``invoice_exe.pdf``. :func:`printable` shows every
such character as a visible escape instead; every renderer (terminal text,
index.html, the README) calls it on untrusted text.
"""

from __future__ import annotations

import unicodedata
from typing import Final

#: Controls, format characters (bidi controls, zero-width characters), line and
#: paragraph separators, surrogates (bytes of a name that is not UTF-8), and
#: unassigned or private-use code points (no standard glyph: a font may draw anything).
_HIDDEN: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Cn", "Co"})


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every hidden or reordering character shown as ``\\xHH`` / ``\\uXXXX``."""
    if text.isprintable() and text.isascii():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def has_hidden(text: str) -> bool:
    """True when :func:`printable` would change ``text``."""
    return printable(text) != text
