"""Rules a ZIP member must follow before recordpack writes it to disk.

A bundle comes from someone else, so every member of its ZIP is treated as
hostile until shown otherwise: its name must be a plain relative path under the
one bag folder, it must be a regular file (no links, no devices), its declared
size must be plausible (:mod:`recordpack.bundle.policy`), and no two members may land on
the same file on a case-insensitive or Unicode-normalising file system.

The rules run on the ZIP central directory *before* anything is extracted; the
reader then also checks the real decompressed bytes against the declared sizes
(headers are not trusted). Compare ``_path_is_dangerous`` in bagit-python.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from recordpack.bundle.policy import ALLOWED_METHODS, DEFAULT_LIMITS, Limits, path_problem
from recordpack.bundle.policy import size_problem as policy_size_problem
from recordpack.display import printable
from recordpack.errors import BundleError

__all__ = [
    "ALLOWED_METHODS",
    "DEFAULT_LIMITS",
    "BundleVerificationError",
    "ChecksumMismatchError",
    "Limits",
    "MemberProblem",
    "UnsafeMemberError",
    "check_members",
    "normalized_key",
    "path_problem",
    "size_problem",
    "type_problem",
]


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
        return f"{printable(self.path)}: {self.message}"


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


#: Problem code of two members that would be one file on some system (:func:`normalized_key`).
COLLIDING_NAME: Final = "colliding_name"
#: The hint when names merely clash (older versions of recordpack could make such bundles).
COLLIDING_HINT: Final = (
    "some files in this bundle would overwrite each other when saved (names that differ only "
    "in letter case or accents, or a file where a folder must be); nothing was extracted: "
    "ask the sender to pack the records again with the current version of recordpack"
)


#: Why a member of a ZIP with no folder at all is refused (a ZIP inside the ZIP, loose files).
NO_BAG_FOLDER: Final = (
    "lies at the top of the ZIP, not in a bag folder: the bundle holds no recordpack bag"
)


class UnsafeMemberError(BundleVerificationError):
    """The bundle's ZIP holds a member that would be unsafe to extract."""

    lead = "the bundle holds files that are unsafe to extract"
    default_hint = (
        "this bundle was not made by recordpack or was deliberately altered; "
        "nothing was extracted: do not open it with other tools either, and ask the sender"
    )

    def __init__(self, problems: Sequence[MemberProblem], *, hint: str | None = None) -> None:
        if hint is None and problems and all(p.code == COLLIDING_NAME for p in problems):
            hint = COLLIDING_HINT  # names that merely clash are no sign of tampering
        super().__init__(problems, hint=hint)

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
    """The form under which two names would be the same file on macOS or Windows.

    The one rule for colliding names: open refuses two members with the same key,
    and pack's layout (:mod:`recordpack.bundle.layout`) makes every bag path's key unique.
    """
    if name.isascii():
        return name.lower()  # the same as below for ASCII, and much faster
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


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
    """Why the declared sizes of ``info`` are absurd, or None.

    No compression ratio is judged here (see :mod:`recordpack.bundle.policy`): the
    declared size is checked against ``index.json`` and the free space, and the
    real bytes against the declared size while they stream.
    """
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return "is stored uncompressed but its two declared sizes differ"
    tag_file = info.filename.count("/") == 1 and not info.is_dir()
    return policy_size_problem(info.file_size, tag_file=tag_file, limits=limits)


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
    # The most common first component (Counter: a hostile bundle of 10,000 distinct
    # folders must not cost 10,000 x 10,000 comparisons).
    bag = Counter(tops).most_common(1)[0][0] if tops else None

    seen: dict[str, str] = {}
    file_keys: set[str] = set()
    dir_keys: set[str] = set()
    total = 0
    prefix = f"{bag}/"
    add = problems.append
    for info in infos:
        name = info.filename
        reason = path_problem(info.orig_filename, limits)
        if reason is not None:
            add(MemberProblem(name, "unsafe_path", reason))
            continue
        if bag is None:
            add(MemberProblem(name, "outside_bag", NO_BAG_FOLDER))
            continue
        if not name.startswith(prefix):
            add(
                MemberProblem(
                    name,
                    "outside_bag",
                    f"is not inside the bag folder {bag!r} that holds the other files",
                )
            )
            continue
        if name == prefix:
            continue  # the bag folder's own entry
        reason = type_problem(info)
        if reason is not None:
            add(MemberProblem(name, "not_a_file", reason))
            continue
        if info.flag_bits & 0x1:
            add(
                MemberProblem(
                    name,
                    "encrypted_member",
                    "is encrypted with ZIP encryption, which recordpack never uses",
                )
            )
            continue
        if info.compress_type not in ALLOWED_METHODS:
            add(
                MemberProblem(
                    name, "unsupported_compression", f"uses compression method {info.compress_type}"
                )
            )
            continue
        reason = size_problem(info, limits)
        if reason is not None:
            add(MemberProblem(name, "absurd_size", reason))
            continue
        key = normalized_key(name.rstrip("/"))
        if key in seen:
            other = seen[key]
            if other == name:
                add(MemberProblem(name, "duplicate_name", "appears twice in the bundle"))
            else:
                add(
                    MemberProblem(
                        name,
                        COLLIDING_NAME,
                        f"looks the same as {other!r} (the names differ only in letter case or "
                        "in how accents are encoded), so one would overwrite the other "
                        "on macOS or Windows",
                    )
                )
            continue
        seen[key] = name
        (dir_keys if info.is_dir() else file_keys).add(key)
        total += info.file_size

    # A file cannot also be a folder: "a/b" and "a/b/c" cannot both be extracted.
    if not file_keys.isdisjoint(_folders_above(file_keys)):
        _colliding_folders(file_keys, seen, problems)
    if total > limits.max_total_size:
        problems.append(
            MemberProblem("(bundle)", "absurd_size", f"declares {total:,} bytes in all")
        )
    return bag, problems


def _folders_above(keys: Iterable[str]) -> set[str]:
    """Every folder that some of ``keys`` lie in (``a`` and ``a/b`` for ``a/b/c``)."""
    folders: set[str] = set()
    for key in keys:
        cut = key.rfind("/")
        while cut > 0 and key[:cut] not in folders:  # its own folders are in already
            folders.add(key[:cut])
            cut = key.rfind("/", 0, cut)
    return folders


def _colliding_folders(
    file_keys: set[str], seen: dict[str, str], problems: list[MemberProblem]
) -> None:
    """Name each file lying under a member that is a file."""
    for key in sorted(file_keys):
        parts = key.split("/")
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            if prefix in file_keys:
                problems.append(
                    MemberProblem(
                        seen[key], COLLIDING_NAME, f"lies under {seen[prefix]!r}, which is a file"
                    )
                )
