"""File names that are not valid UTF-8, written so every output stays valid UTF-8.

CDs burned on Windows and old zip tools leave names in Latin-1 or cp1252
(``r\\xe9sum\\xe9.pdf`` as bytes). Python reads such a name with surrogate
escapes (``'r\\udce9sum\\udce9.pdf'``), which cannot be printed or put in JSON.

recordpack's **path form** of a name (in ``scan --json``, problems, the bundle's
``index.json`` ``original``, and what ``--label``/``--corrections``/``--exclude``
accept) writes each byte that is not valid UTF-8 as ``\\xHH`` (two lower-case hex
digits), a literal backslash in a name as ``\\x5c`` and, in names on disk, a
literal ``!`` (the archive separator) as ``\\x21``: ``r\\xe9sum\\xe9.pdf``.
Every ``\\`` in a path form therefore starts an escape, so the form is
unambiguous and maps back to the exact bytes on disk (:func:`to_fs`). Names
that are valid UTF-8 (nearly all) are unchanged. Users may also type the
Windows reading of such a name (``résumé.pdf``, :func:`guess`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from typing import Any, Final

_ESCAPE: Final = re.compile(r"\\x([0-9a-fA-F]{2})")
_SURROGATE_OR_BACKSLASH: Final = re.compile(r"[\udc80-\udcff\\]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return "\\x5c" if char == "\\" else f"\\x{ord(char) - 0xDC00:02x}"


def to_path_form(name: str) -> str:
    """A name as read from the file system (surrogate escapes) -> its printable path form."""
    return _SURROGATE_OR_BACKSLASH.sub(_escape, name)


def to_name_form(name: str) -> str:
    """One file or folder name on disk -> its path form, with a literal ``!`` as ``\\x21``.

    ``!`` separates an archive from a file inside it (``a.zip!report.pdf``), so a
    name on disk that contains one (``Important!.pdf``) is written
    ``Important\\x21.pdf``; every ``!`` left in a path form is then a separator.
    """
    return to_path_form(name).replace("!", "\\x21")


def to_fs(path: str) -> str:
    """A path form -> the name to open (surrogate escapes, so ``os.fsencode`` gives the bytes)."""
    if "\\" not in path:
        return path

    def unescape(match: re.Match[str]) -> str:
        value = int(match.group(1), 16)
        return chr(value) if value < 0x80 else chr(0xDC00 + value)

    return _ESCAPE.sub(unescape, path)


def has_escapes(path: str) -> bool:
    """True when a path form holds bytes that were not valid UTF-8."""
    return _ESCAPE.search(path) is not None


def guess(path: str) -> str:
    """A readable guess of an escaped path form, decoding the bytes as Windows cp1252.

    ``r\\xe9sum\\xe9.pdf`` -> ``résumé.pdf``. For display and for matching what a
    user types; not unambiguous (use the path form for that).
    """
    if "\\" not in path:
        return path
    raw = to_fs(path).encode("utf-8", "surrogateescape")
    return raw.decode("cp1252", "replace")


def is_separator_backslash(text: str, index: int) -> bool:
    """True when the ``\\`` at ``text[index]`` is a Windows separator, not a ``\\xHH`` escape."""
    return _ESCAPE.match(text, index) is None


def normalise_typed(path: str) -> str:
    """A path a user typed: Windows ``\\`` separators become ``/``; ``\\xHH`` escapes stay."""
    return "".join(
        "/" if ch == "\\" and is_separator_backslash(path, i) else ch for i, ch in enumerate(path)
    )


#: Characters that make a typed path a glob pattern (fnmatch's).
GLOB_CHARS: Final = "*?["


def literal_pattern(path: str) -> str:
    """A pattern that matches exactly this path (no glob): ``lab[1].txt`` -> ``lab[[]1].txt``."""
    return "".join(f"[{c}]" if c in GLOB_CHARS else c for c in path)


def literal_path(pattern: str) -> str | None:
    """The one path ``pattern`` names when it is no glob (``[*]``-style escapes allowed), else None."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch in "*?":
            return None
        if ch == "[":
            if pattern[i + 1 : i + 2] in tuple(GLOB_CHARS) and pattern[i + 2 : i + 3] == "]":
                out.append(pattern[i + 1])
                i += 3
                continue
            return None
        out.append(ch)
        i += 1
    return "".join(out)


def _forms(path: str) -> set[str]:
    """The names a user may give for one scanned path: its path form and its Windows reading."""
    return {path, guess(path)} if has_escapes(path) else {path}


def exact_pattern(pattern: str, known: Iterable[str]) -> str:
    """The pattern to match ``pattern`` (as typed, ``/``-separated) with, given the scanned paths.

    A pattern that names a scanned path exactly (a file, an archive, or a folder
    above one) is that path only, even when its name holds glob characters
    (``lab[1].txt``, as portals name a second download): it becomes a literal
    pattern. It is read as a glob only when no scanned path has that exact name.
    ``--exclude``, ``--label`` and corrections files all follow this one rule.
    """
    if literal_path(pattern) is not None:
        return pattern
    above = pattern + "/"
    for path in known:
        for form in _forms(path):
            whole = form.split("!", 1)[0]  # an archive names itself as well as its members
            if pattern in (form, whole) or form.startswith(above):
                return literal_pattern(pattern)
    return pattern


def pattern_matches(pattern: str, path: str, *, folders: bool = False) -> bool:
    """True when ``pattern`` (see :func:`exact_pattern`) matches ``path``, in any of its forms.

    With ``folders``, a literal pattern also matches every path in the folder it names.
    """
    literal = literal_path(pattern)
    named = pattern if literal is None else literal
    for form in _forms(path):
        if form == named or (folders and form.startswith(named + "/")):
            return True
        if literal is None and fnmatch.fnmatchcase(form, pattern):
            return True
    return False


def printable(value: Any) -> Any:
    """``value`` (a JSON-like document) with any surrogate-escaped text in path form.

    A last safety net before printing: text read from the file system (a folder
    given on the command line, say) is made valid UTF-8.
    """
    if isinstance(value, str):
        return to_path_form(value) if _has_surrogates(value) else value
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def _has_surrogates(text: str) -> bool:
    # ASCII text (nearly all of a report) has none: one C-level check, not a loop.
    return not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text)


__all__ = [
    "GLOB_CHARS",
    "exact_pattern",
    "guess",
    "has_escapes",
    "literal_path",
    "literal_pattern",
    "normalise_typed",
    "pattern_matches",
    "printable",
    "to_fs",
    "to_name_form",
    "to_path_form",
]
