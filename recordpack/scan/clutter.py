"""Which files and folders are not records: system clutter, CD viewer software, indexes.

Table-driven: each rule is (what it matches, the plain-language reason shown to
the user). Paths are relative, ``/``-separated; the same rules apply inside
archives (portal zips made on a Mac carry ``__MACOSX/`` and ``._*`` files).
Nothing is dropped silently: the walker lists every match as *skipped*.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from typing import TYPE_CHECKING, Final

from recordpack.model import Skipped

if TYPE_CHECKING:
    from recordpack.scan.base import Outcome, Source

SYSTEM_FILE: Final = "system file"
APPLEDOUBLE: Final = "macOS resource-fork copy (not a record)"
VIEWER: Final = "CD viewer software (not a record)"
DICOMDIR_REASON: Final = "DICOM directory index (the images themselves are read)"
PORTAL_INDEX: Final = "portal download index"
TEMP_FILE: Final = "temporary or lock file left by another program"
SHORTCUT: Final = "shortcut to another file"
SETTINGS: Final = "program settings or software file (not a record)"
DISC_INFO: Final = "imaging disc information (not a report)"
AUDIT_LOG: Final = "recordpack's audit log (a sender's record of packs, naming other patients)"
RECEIPT: Final = "recordpack pack receipt (what was sent before)"
#: What becomes of one of recordpack's own files: left out, and inside an archive that
#: is packed (whole, as the original it is). Which one is true is decided once the
#: whole folder is known (``walk.settle_archives``), as pack decides it.
OWN_FILE_LEFT_OUT: Final = ": not a record, never packed; keep recordpack's files outside patients' folders"
OWN_FILE_IN_ARCHIVE: Final = (
    ": not a record, but it is inside an archive, which is packed whole: it is sent "
    "with it unless you take it out of the archive"
)
#: An archive whose every file is skipped: pack has nothing in it to send.
ARCHIVE_NOTHING_SENT: Final = (
    "archive holding only files that are not records (each listed): not packed, "
    "nor are its copies"
)

#: Folder names (lower case, glob) whose whole content is skipped, with the reason.
DIRECTORY_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("__macosx", "macOS archive metadata (not records)"),
    (".spotlight-v100", SYSTEM_FILE),
    (".fseventsd", SYSTEM_FILE),
    (".trashes", SYSTEM_FILE),
    (".trash", SYSTEM_FILE),
    (".temporaryitems", SYSTEM_FILE),
    ("$recycle.bin", SYSTEM_FILE),
    ("system volume information", SYSTEM_FILE),
    (".git", "version-control data (not records)"),
    # Viewer software copied from imaging CDs.
    ("viewer", VIEWER),
    ("*dicomviewer*", VIEWER),
    ("*dicom_viewer*", VIEWER),
    ("*cdviewer*", VIEWER),
    ("*imageviewer*", VIEWER),
    ("*image_viewer*", VIEWER),
    ("efilm*", VIEWER),
    ("radiant*", VIEWER),
    ("microdicom*", VIEWER),
    ("onis*", VIEWER),
    ("osirix*", VIEWER),
    ("horos*", VIEWER),
    ("weasis*", VIEWER),
    ("iqview*", VIEWER),
    ("synapse*viewer*", VIEWER),
    ("jre", VIEWER),
    ("jre?*", VIEWER),
    ("java", VIEWER),
    ("program files*", VIEWER),
)

#: File names (lower case, glob) that are skipped, with the reason.
FILE_RULES: Final[tuple[tuple[str, str], ...]] = (
    (".ds_store", SYSTEM_FILE),
    ("thumbs.db", SYSTEM_FILE),
    ("ehthumbs.db", SYSTEM_FILE),
    ("desktop.ini", SYSTEM_FILE),
    (".directory", SYSTEM_FILE),
    ("icon\r", SYSTEM_FILE),
    (".localized", SYSTEM_FILE),
    ("._*", APPLEDOUBLE),
    ("~$*", TEMP_FILE),
    (".~lock.*#", TEMP_FILE),
    ("*.tmp", TEMP_FILE),
    ("*.crdownload", "unfinished browser download (download it again)"),
    ("*.part", "unfinished browser download (download it again)"),
    ("*.lnk", SHORTCUT),
    ("*.url", SHORTCUT),
    ("autorun.inf", VIEWER),
    ("autorun.exe", VIEWER),
    ("*.exe", VIEWER),
    ("*.dll", VIEWER),
    ("*.msi", VIEWER),
    ("*.ocx", VIEWER),
    ("*.sys", VIEWER),
    ("*.bat", VIEWER),
    ("*.cmd", VIEWER),
    ("*.jar", VIEWER),
    ("*.ico", VIEWER),
    ("*.cab", VIEWER),
    ("*.dylib", VIEWER),
    ("*.so", VIEWER),
    ("*.chm", VIEWER),
    ("*.ini", SETTINGS),
    ("*.cfg", SETTINGS),
    ("*.plist", SETTINGS),
    ("*.css", SETTINGS),
    ("*.js", SETTINGS),
    ("*.ttf", SETTINGS),
    ("*.otf", SETTINGS),
    ("*.woff", SETTINGS),
    ("*.woff2", SETTINGS),
    ("lockfile", SETTINGS),
    ("dicomdir", DICOMDIR_REASON),
    ("dicomdir.*", DICOMDIR_REASON),
    ("dicomdir-*", DICOMDIR_REASON),
)

#: Names skipped only inside archives: the index files of an IHE XDM portal zip.
ARCHIVE_FILE_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("metadata.xml", PORTAL_INDEX),
    ("index.htm", PORTAL_INDEX),
    ("index.html", PORTAL_INDEX),
    ("readme.txt", PORTAL_INDEX),
)


#: Names (lower case, glob) of the information files imaging CDs carry beside their
#: DICOMDIR: what the disc is, how to start its viewer, the viewer's licence.
DISC_INFO_NAMES: Final[tuple[str, ...]] = (
    "readme",
    "readme.*",
    "read me*",
    "read_me*",
    "info",
    "info.txt",
    "info.htm",
    "info.html",
    "license",
    "license.*",
    "licence",
    "licence.*",
)

#: A report's headings: a file with one of these at the start of a line is read,
#: even when it is named like disc information.
_REPORT_HEADING: Final = re.compile(
    r"^[ \t]*(findings|impression|conclusion|clinical history|technique)[ \t]*:?[ \t]*$"
    r"|^[ \t]*(findings|impression)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)

#: How much of a disc information file is looked at for report headings.
DISC_INFO_PEEK: Final = 64 * 1024


def is_imaging_disc(files: set[str], folders: set[str]) -> bool:
    """True for a folder laid out as an imaging CD: a DICOMDIR file or a DICOM/ folder.

    ``files`` and ``folders`` are the names (any case) directly in the folder.
    """
    return "dicomdir" in {f.lower() for f in files} or "dicom" in {d.lower() for d in folders}


def disc_info_reason(name: str, head: bytes) -> str | None:
    """Why a file at the root of an imaging CD is skipped as disc information, or None.

    Only names like README/INFO/LICENSE are candidates, and one whose first
    bytes (``head``) carry report headings (FINDINGS, IMPRESSION) is a report
    the imaging centre put on the disc: it is read like any other record.
    """
    lowered = name.lower()
    if not any(fnmatch.fnmatchcase(lowered, pattern) for pattern in DISC_INFO_NAMES):
        return None
    if _REPORT_HEADING.search(head.decode("latin-1")):
        return None
    return DISC_INFO


#: The start of an SQLite database and of an SQLite write-ahead log (either byte order).
_SQLITE_MAGIC: Final = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")

#: recordpack's audit log table as SQLite keeps its schema in the file's first page
#: (see ``recordpack.audit``; the test builds a real log to hold the two together).
_AUDIT_SCHEMA: Final = re.compile(
    rb"CREATE TABLE events \(\s*seq INTEGER PRIMARY KEY,\s*time TEXT NOT NULL,\s*"
    rb"operator TEXT NOT NULL,\s*action TEXT NOT NULL,\s*subject TEXT NOT NULL,"
)

#: A receipt as recordpack writes it (``recordpack.receipt``): checked on the first bytes
#: only, since a receipt listing thousands of files is longer than a scan's head.
_RECEIPT_START: Final = re.compile(rb'\A\s*\{\s*"version"\s*:\s*1\s*,\s*"receipt"\s*:\s*true\b')


def own_file_reason(head: bytes) -> str | None:
    """Why a file is skipped as one of recordpack's own, from its first bytes: an audit
    log (or its write-ahead log) or a pack receipt; None for anything else.

    Left out, not packed as a file recordpack cannot read: the log names other
    patients and their bundles, and neither is this patient's record. An archive
    member goes wherever its archive goes: ``walk.settle_archives`` words that,
    once it is known whether the archive is packed.
    """
    what = None
    if head.startswith(_SQLITE_MAGIC):
        what = AUDIT_LOG if _AUDIT_SCHEMA.search(head) else None
    elif _RECEIPT_START.match(head):
        what = RECEIPT
    if what is None:
        return None
    return what + OWN_FILE_LEFT_OUT


class OwnFiles:
    """recordpack's own files (see :func:`own_file_reason`) as a scanner, asked first:
    known by their content whatever their name, and skipped with the reason."""

    FORMAT: Final = "recordpack"

    def sniff(self, source: Source) -> bool:
        return own_file_reason(source.head) is not None

    def scan(self, source: Source) -> list[Outcome]:
        reason = own_file_reason(source.head)
        return [Skipped(source.path, reason)] if reason is not None else []


OWN_FILES: Final = OwnFiles()


_Rules = tuple[re.Pattern[str], tuple[str, ...]]


def _compile(rules: tuple[tuple[str, str], ...]) -> _Rules:
    """All of ``rules`` as one pattern with a group per rule, and the reasons in
    order: one match per name instead of one per rule (a scan asks of every
    file and every folder on its path)."""
    alternatives = "|".join(
        f"(?P<rule{number}>{fnmatch.translate(pattern)})"
        for number, (pattern, _) in enumerate(rules)
    )
    return re.compile(alternatives, re.DOTALL), tuple(reason for _, reason in rules)


_DIRECTORIES = _compile(DIRECTORY_RULES)
_FILES = _compile(FILE_RULES)
_ARCHIVE_FILES = _compile(ARCHIVE_FILE_RULES)


def _match(rules: _Rules, name: str) -> str | None:
    """The reason of the first rule matching ``name`` (case-insensitive), or None."""
    pattern, reasons = rules
    found = pattern.fullmatch(name.lower())
    if found is None or found.lastgroup is None:
        return None
    return reasons[int(found.lastgroup.removeprefix("rule"))]


@functools.lru_cache(maxsize=1024)
def directory_reason(name: str) -> str | None:
    """Why a folder with this name is skipped as a whole, or None to walk into it."""
    return _match(_DIRECTORIES, name)


def file_reason(path: str, *, in_archive: bool = False) -> str | None:
    """Why the file at this relative path is skipped, or None when it may be a record.

    Folders on the way are checked too, so archive members under ``__MACOSX/``
    are skipped like folders on disk.
    """
    parts = path.split("/")
    for folder in parts[:-1]:
        reason = directory_reason(folder)
        if reason is not None:
            return reason
    name = parts[-1]
    reason = _match(_FILES, name)
    if reason is None and in_archive:
        reason = _match(_ARCHIVE_FILES, name)
    return reason
