"""One policy for what a bundle may hold, applied by pack before it writes and by open before it extracts.

Rule: pack never writes what open or verify refuse. So the limits, the
compression choice and the member-name rules live here, once, and both sides
call them.

A zip bomb is judged by *absolute* sizes, never by compression ratio: a 2 MB
lab export of repeated lines deflates 500-fold and is a perfectly good record.
What open relies on instead:

- every member's declared size is bounded (:class:`Limits`) and the sum of the
  declared sizes must fit in the free space of the destination;
- every payload member's declared size must equal the size ``index.json``
  declares for that file (the index is read and checked before extraction);
- while a member streams, its decompressed bytes are counted against the
  declared size and extraction stops at the first byte beyond it.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

#: Compression methods recordpack writes (and therefore reads).
ALLOWED_METHODS: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

#: Extensions stored deflated in the ZIP; everything else (images, PDFs, DICOM) is stored.
DEFLATE_SUFFIXES: Final = frozenset(
    {
        ".txt",
        ".xml",
        ".json",
        ".html",
        ".htm",
        ".csv",
        ".hl7",
        ".rtf",
        ".md",
        ".ccd",
        ".ccda",
        ".cda",
        ".ndjson",
        ".tsv",
        ".log",
    }
)

#: Names Windows keeps for devices, whatever their extension (``nul.txt`` is NUL)
#: and their case; the superscript digits count as digits there. The same table
#: as pack's layout (``portable_name``), so open refuses what pack never writes.
_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"}
    | {f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3"}
)

#: Unicode categories never allowed in a member name: controls (Cc), format
#: characters such as the bidi overrides U+202E and zero-width joiners (Cf),
#: line and paragraph separators and unpaired surrogates.
_HIDDEN_CATEGORIES: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


@dataclass(frozen=True)
class Limits:
    """Upper bounds that keep a hostile bundle from exhausting the disk or memory."""

    max_members: int = 500_000
    #: Largest single file (a whole-slide image can be tens of GB).
    max_member_size: int = 256 * 1024**3
    max_total_size: int = 2 * 1024**4
    #: Tag files (manifests, index.json) are read into memory: keep them bounded.
    max_tag_file_size: int = 256 * 1024 * 1024
    max_name_bytes: int = 4096
    max_component_bytes: int = 255
    #: Deepest nesting of lists and objects accepted in index.json.
    max_index_depth: int = 32


DEFAULT_LIMITS: Final = Limits()


def should_deflate(bag_path: str, *, image: bool = False) -> bool:
    """Deflate text-like files; store images, PDFs and DICOM (already compact or large)."""
    if image or bag_path.endswith("DICOMDIR"):
        return False
    return PurePosixPath(bag_path).suffix.lower() in DEFLATE_SUFFIXES


#: Control characters (C0 and DEL): the only ASCII characters ``hidden_character`` finds.
_CONTROL: Final = re.compile("[\x00-\x1f\x7f]")


def hidden_character(text: str) -> str | None:
    """The first character of ``text`` that a person cannot see or that reorders text, or None."""
    if text.isascii():  # the common case, without a look-up per character
        found = _CONTROL.search(text)
        return found.group() if found else None
    for char in text:
        if unicodedata.category(char) in _HIDDEN_CATEGORIES:
            return char
    return None


#: A plain ASCII path component: not empty, "." or "..", at most 255 characters.
PLAIN_COMPONENT: Final = r"(?!\.\.?(?:/|$))[A-Za-z0-9 _.,+=@()\[\]{}~'#&%!$;-]{1,255}"
#: A relative path of plain components: fine whatever the rules below, so checked
#: in one match.
_PLAIN_PATH: Final = re.compile(rf"(?:{PLAIN_COMPONENT}(?:/|$))+")


def plainly_safe(name: str, pattern: re.Pattern[str], limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether ``name`` matches ``pattern``, a path of :data:`PLAIN_COMPONENT` s, where
    such a path is safe whatever the rules of :func:`path_problem` (not on Windows,
    and within the limits on lengths)."""
    return bool(
        os.name != "nt"
        and limits.max_component_bytes >= 255
        and len(name) <= limits.max_name_bytes
        and pattern.fullmatch(name)
    )


def path_problem(name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why the member name ``name`` is unsafe as a relative path, or None if it is fine.

    The reason reads after the name: "x.pdf has a name that is too long".
    """
    if plainly_safe(name, _PLAIN_PATH, limits):
        return None
    if not name:
        return "has an empty name"
    if "\x00" in name:
        return "has a NUL character in its name"
    if _CONTROL.search(name):
        return "has control characters in its name"
    hidden = hidden_character(name)
    if hidden is not None:
        return (
            f"has the invisible character U+{ord(hidden):04X} in its name "
            "(it can disguise a file's real name or type)"
        )
    if "\\" in name:
        return "has a backslash (a Windows path separator) in its name"
    if name.startswith("/"):
        return "is an absolute path"
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        return "starts with a drive letter"
    ascii_name = name.isascii()  # then its length in bytes is its length

    def byte_length(text: str) -> int:
        return len(text) if ascii_name else len(text.encode("utf-8", "surrogateescape"))

    if byte_length(name) > limits.max_name_bytes:
        return "has a name that is too long"
    parts = name.rstrip("/").split("/")
    for part in parts:
        if part in ("", "."):
            return "has an empty or '.' path component"
        if part == "..":
            return "has '..' in its name (it would land outside the destination)"
        if byte_length(part) > limits.max_component_bytes:
            return "has a path component that is too long"
        if os.name == "nt" and _windows_unsafe(part):
            return f"has the component {part!r}, which cannot be a file name on Windows"
    return None


def _windows_unsafe(part: str) -> bool:
    """Whether Windows cannot create a file named ``part``: a reserved character, a
    trailing dot or space (dropped, so ``notes.`` would meet ``notes``), or a device
    name before the first dot, trailing spaces ignored (``nul .txt`` is NUL)."""
    if any(c in '<>:"|?*' for c in part) or part.endswith((" ", ".")):
        return True
    return part.split(".", 1)[0].rstrip(" ").lower() in _WINDOWS_RESERVED


def safe_component(part: str) -> str:
    """A file-name component with every character :func:`path_problem` refuses replaced by ``_``."""
    cleaned = "".join(
        "_"
        if ord(c) < 0x20
        or ord(c) == 0x7F
        or c in '\\:*?"<>|'
        or unicodedata.category(c) in _HIDDEN_CATEGORIES
        else c
        for c in part
    )
    return "_" if cleaned in ("", ".", "..") else cleaned


def size_problem(size: int, *, tag_file: bool, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why a member of ``size`` bytes is too large for a bundle, or None."""
    if size < 0:
        return "declares a negative size"
    if tag_file and size > limits.max_tag_file_size:
        return (
            f"is a tag file of {size:,} bytes, more than the {limits.max_tag_file_size:,} allowed"
        )
    if size > limits.max_member_size:
        return f"declares an absurd size ({size:,} bytes)"
    return None


def member_problem(bag_relative: str, size: int, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why open would refuse a member at ``<bag>/bag_relative`` of ``size`` bytes, or None.

    Pack calls this for every member before writing it.
    """
    return path_problem(bag_relative, limits) or size_problem(
        size, tag_file="/" not in bag_relative, limits=limits
    )
