"""Rules a ZIP member must follow before recordpack writes it to disk.

A bundle comes from someone else, so every member of its ZIP is treated as
hostile until shown otherwise: its name must be a plain relative path under the
one bag folder, it must be a regular file (no links, no devices), its declared
size and compression ratio must be plausible, and no two members may land on
the same file on a case-insensitive or Unicode-normalising file system.

The rules run on the ZIP central directory *before* anything is extracted; the
reader then also checks the real decompressed bytes against the declared sizes
(headers are not trusted). Compare ``_path_is_dangerous`` in bagit-python.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from recordpack.errors import BundleError

#: Compression methods recordpack writes (and therefore reads).
ALLOWED_METHODS: Final = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


@dataclass(frozen=True)
class Limits:
    """Upper bounds that keep a hostile bundle from exhausting the disk or memory."""

    max_members: int = 500_000
    #: Largest single file (a whole-slide image can be tens of GB).
    max_member_size: int = 256 * 1024**3
    max_total_size: int = 2 * 1024**4
    #: Deflate ratio above which a member counts as a zip bomb, for members
    #: larger than :attr:`ratio_floor` (tiny files legitimately compress well).
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024
    #: Tag files (manifests, index.json) are read into memory: keep them bounded.
    max_tag_file_size: int = 256 * 1024 * 1024
    max_name_bytes: int = 4096
    max_component_bytes: int = 255


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True)
class MemberProblem:
    """One thing wrong with one member (or file) of a bundle."""

    path: str
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        # Member names come from the sender: never let them drive the terminal.
        path = "".join(c if c.isprintable() else repr(c)[1:-1] for c in self.path)
        return f"{path}: {self.message}"


class BundleVerificationError(BundleError):
    """A bundle failed verification; ``problems`` lists everything found."""

    lead = "the bundle failed verification"
    default_hint = (
        "the file was changed or damaged in transit, or was not made by recordpack: "
        "ask the sender to send it again; nothing was extracted"
    )

    def __init__(self, problems: Sequence[MemberProblem], *, hint: str | None = None) -> None:
        self.problems: tuple[MemberProblem, ...] = tuple(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = len(self.problems) - 5
        if more > 0:
            shown += f"; and {more} more problem{'s' if more > 1 else ''}"
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{self.lead} ({count} {noun}): {shown}", hint=hint)


class UnsafeMemberError(BundleVerificationError):
    """The bundle's ZIP holds a member that would be unsafe to extract."""

    lead = "the bundle holds files that are unsafe to extract"
    default_hint = (
        "this bundle was not made by recordpack or was deliberately altered; "
        "nothing was extracted: do not open it with other tools either, and ask the sender"
    )

    @property
    def member(self) -> str:
        return self.problems[0].path

    @property
    def reason(self) -> str:
        return self.problems[0].message


class ChecksumMismatchError(BundleVerificationError):
    """A file's SHA-256 differs from the one the bundle's manifest records."""

    def __init__(
        self, problems: Sequence[MemberProblem], *, expected: str = "", found: str = ""
    ) -> None:
        super().__init__(problems)
        self.expected = expected
        self.found = found

    @property
    def path(self) -> str:
        return self.problems[0].path


def normalized_key(name: str) -> str:
    """The form under which two names would be the same file on macOS or Windows."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def path_problem(name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why the member name ``name`` is unsafe as a relative path, or None if it is fine."""
    if not name:
        return "has an empty name"
    if "\x00" in name:
        return "name contains a NUL character"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return "name contains control characters"
    if "\\" in name:
        return "name contains a backslash (a Windows path separator)"
    if name.startswith("/"):
        return "is an absolute path"
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        return "starts with a drive letter"
    if len(name.encode("utf-8", "surrogateescape")) > limits.max_name_bytes:
        return "name is too long"
    parts = name.rstrip("/").split("/")
    for part in parts:
        if part in ("", "."):
            return "name has an empty or '.' path component"
        if part == "..":
            return "name contains '..' (it would land outside the destination)"
        if len(part.encode("utf-8", "surrogateescape")) > limits.max_component_bytes:
            return "a path component is too long"
        if os.name == "nt" and _windows_unsafe(part):
            return f"component {part!r} cannot be a file name on Windows"
    return None


def _windows_unsafe(part: str) -> bool:
    if any(c in '<>:"|?*' for c in part) or part.endswith((" ", ".")):
        return True
    return part.split(".")[0].lower() in _WINDOWS_RESERVED


def type_problem(info: zipfile.ZipInfo) -> str | None:
    """Why ``info`` is not a plain file or folder (a link, a device...), or None."""
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:  # Unix: st_mode in the high 16 bits
        kind = stat.S_IFMT(mode)
        if stat.S_ISLNK(mode):
            return "is a symbolic link"
        if kind == stat.S_IFDIR:
            return None if info.is_dir() else "is marked as a folder but has a file name"
        if kind not in (0, stat.S_IFREG):
            return "is a device, pipe or socket, not a regular file"
    return None


def size_problem(info: zipfile.ZipInfo, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """Why the declared sizes of ``info`` are absurd, or None."""
    if info.file_size > limits.max_member_size:
        return f"declares an absurd size ({info.file_size:,} bytes)"
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return "is stored uncompressed but its two declared sizes differ"
    if info.file_size > limits.ratio_floor:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            return (
                f"would expand {ratio:,.0f} times ({info.compress_size:,} -> "
                f"{info.file_size:,} bytes): a zip bomb"
            )
    return None


def check_members(
    infos: Iterable[zipfile.ZipInfo], limits: Limits = DEFAULT_LIMITS
) -> tuple[str | None, list[MemberProblem]]:
    """Apply every member rule; return the bag folder name and the problems found.

    The bag folder is the first path component shared by all members. Every
    problem names the member and the reason.
    """
    problems: list[MemberProblem] = []
    infos = list(infos)
    if len(infos) > limits.max_members:
        problems.append(
            MemberProblem("(bundle)", "too_many_members", f"holds {len(infos):,} files")
        )
        return None, problems

    tops = [i.filename.split("/", 1)[0] for i in infos if "/" in i.filename.lstrip("/")]
    bag = max(set(tops), key=tops.count) if tops else None

    seen: dict[str, str] = {}
    file_keys: set[str] = set()
    dir_keys: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename

        def bad(code: str, message: str, name: str = name) -> None:
            problems.append(MemberProblem(name, code, message))

        reason = path_problem(info.orig_filename, limits)
        if reason is not None:
            bad("unsafe_path", reason)
            continue
        if bag is None or not name.startswith(bag + "/"):
            bad("outside_bag", f"is not inside the bundle's one folder {bag!r}")
            continue
        if name == bag + "/":
            continue  # the bag folder's own entry
        reason = type_problem(info)
        if reason is not None:
            bad("not_a_file", reason)
            continue
        if info.flag_bits & 0x1:
            bad("encrypted_member", "is encrypted with ZIP encryption, which recordpack never uses")
            continue
        if info.compress_type not in ALLOWED_METHODS:
            bad("unsupported_compression", f"uses compression method {info.compress_type}")
            continue
        reason = size_problem(info, limits)
        if reason is not None:
            bad("absurd_size", reason)
            continue
        key = normalized_key(name.rstrip("/"))
        if key in seen:
            other = seen[key]
            if other == name:
                bad("duplicate_name", "appears twice in the bundle")
            else:
                bad("colliding_name", f"has the same name as {other!r} once case is ignored")
            continue
        seen[key] = name
        (dir_keys if info.is_dir() else file_keys).add(key)
        total += info.file_size

    # A file cannot also be a folder: "a/b" and "a/b/c" cannot both be extracted.
    for key in sorted(file_keys):
        parts = key.split("/")
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            if prefix in file_keys:
                problems.append(
                    MemberProblem(
                        seen[key], "colliding_name", f"lies under {seen[prefix]!r}, which is a file"
                    )
                )
    if total > limits.max_total_size:
        problems.append(
            MemberProblem("(bundle)", "absurd_size", f"declares {total:,} bytes in all")
        )
    return bag, problems
