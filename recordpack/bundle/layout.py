"""Where each scanned file goes in the bag, and the ``index.json`` that maps it back.

:func:`plan_bag` turns a :class:`~recordpack.model.ScanResult` into a
:class:`BagPlan`: one :class:`PlannedFile` per payload file (source path on
disk, path in the bag, expected size and SHA-256), plus the duplicates,
exclusions and records that point at them. Nothing is read here; the plan is
pure data, so it can be tested without touching a disk and the writer
(:mod:`recordpack.bundle.pack`) only has to follow it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Final

from recordpack.bundle import format as fmt
from recordpack.bundle.policy import DEFAULT_LIMITS, Limits, safe_component, should_deflate
from recordpack.bundle.safety import normalized_key
from recordpack.identity import find_mismatches
from recordpack.model import (
    ARCHIVE_SEP,
    DUPLICATE,
    KINDS,
    WITHDRAWN,
    DicomInstance,
    Patient,
    Record,
    ScanResult,
)
from recordpack.scan.paths import guess, normalise_typed, pattern_matches
from recordpack.scan.sevenzip import is_7z_name
from recordpack.scan.tarball import SUFFIXES as TAR_SUFFIXES
from recordpack.scan.tarball import is_tar_name

#: Folder under ``data/records/`` for files scan had a problem with and that no record claims.
PROBLEM_FOLDER: Final = "99-problem_files"

#: Why an image scan found damaged is kept with the records, not in the DICOMDIR.
DAMAGED_NOTE: Final = (
    "its image data is damaged (see its problem), so it is not in the DICOMDIR; "
    "the file is kept as it came"
)

#: Longest slug kept in a file name (readable, and well under file-system limits).
MAX_SLUG: Final = 60

# SOP classes that are not images: they have their own DICOMDIR record types with
# Type 1 keys pydicom cannot always fill, so they go under data/records/ instead
# of the file-set (structured reports, encapsulated documents, RT objects,
# presentation states, key objects, waveforms, registrations, raw data).
_NON_IMAGE_SOP_PREFIXES: Final = (
    "1.2.840.10008.5.1.4.1.1.88.",  # structured reports, key object selection
    "1.2.840.10008.5.1.4.1.1.104.",  # encapsulated PDF / CDA / STL ...
    "1.2.840.10008.5.1.4.1.1.481.",  # RT plan, dose, structure set, records
    "1.2.840.10008.5.1.4.1.1.11.",  # presentation states
    "1.2.840.10008.5.1.4.1.1.9.",  # waveforms
    "1.2.840.10008.5.1.4.1.1.66",  # raw data, registration, fiducials
    "1.2.840.10008.5.1.4.1.1.67",  # real world value mapping
    "1.2.840.10008.5.1.4.38.",  # hanging protocols
    "1.2.840.10008.5.1.4.39.",  # colour palettes
    "1.2.840.10008.5.1.4.43.",  # implant templates
    "1.2.840.10008.5.1.4.44.",
    "1.2.840.10008.5.1.4.45.",
)
# Segmentations (66.4) are images and belong with their study in the viewer.
_IMAGE_EXCEPTIONS: Final = ("1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.66.7")


#: Latin letters that Unicode does not decompose into an ASCII letter and an accent
#: (NFKD leaves them whole, so dropping non-ASCII would drop them): their usual
#: ASCII spelling, so "ØDEGÅRD" stays ``odegard``, not ``degard``. Composed forms
#: (Ǿ, Ǽ) decompose to these first.
TRANSLITERATIONS: Final[dict[str, str]] = {
    "Æ": "AE", "æ": "ae",
    "Ð": "D", "ð": "d",
    "Đ": "D", "đ": "d",
    "Ø": "O", "ø": "o",
    "Þ": "Th", "þ": "th",
    "ß": "ss", "ẞ": "SS",
    "Ħ": "H", "ħ": "h",
    "ı": "i",
    "ĸ": "k",
    "Ł": "L", "ł": "l",
    "Ŋ": "NG", "ŋ": "ng",
    "Œ": "OE", "œ": "oe",
    "Ŧ": "T", "ŧ": "t",
    "Ə": "E", "ə": "e",
    "Ǝ": "E", "ǝ": "e",
    "Ɛ": "E", "ɛ": "e",
    "Ɔ": "O", "ɔ": "o",
    "Ɓ": "B", "ɓ": "b",
    "Ɗ": "D", "ɗ": "d",
    "Ƙ": "K", "ƙ": "k",
    "Ƴ": "Y", "ƴ": "y",
    "Ƒ": "F", "ƒ": "f",
    "Ǥ": "G", "ǥ": "g",
    "Ɨ": "I", "ɨ": "i",
    "Ʉ": "U", "ʉ": "u",
}  # fmt: skip
_TRANSLITERATE: Final = str.maketrans(TRANSLITERATIONS)


def slugify(text: str | None, *, default: str = "record", max_length: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens: ``"Surgical Pathology (final)"`` -> ``surgical-pathology-final``.

    Accents are dropped (``José`` -> ``jose``) and letters without an ASCII base are
    spelled out (:data:`TRANSLITERATIONS`: ``Ødegård`` -> ``odegard``); what is still
    not ASCII (another script) is left out.
    """
    if not text:
        return default
    decomposed = unicodedata.normalize("NFKD", text).translate(_TRANSLITERATE)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or default


def patient_slug(name: str | None) -> str | None:
    """A slug of the patient's name in reading order: ``THOMPSON^MARGARET`` -> ``margaret-thompson``."""
    if not name:
        return None
    if "^" in name:
        family, _, rest = name.partition("^")
        name = f"{rest.replace('^', ' ')} {family}"
    elif "," in name:
        family, _, rest = name.partition(",")
        name = f"{rest} {family}"
    slug = slugify(name, default="", max_length=40)
    return slug or None


def kind_folder(kind: str) -> str:
    """``data/records/`` sub-folder of a kind, numbered in reading order: ``01-pathology_report``."""
    index = KINDS.index(kind) + 1 if kind in KINDS else len(KINDS)
    name = kind if kind in KINDS else "other"
    return f"{index:02d}-{name}"


def is_file_set_sop_class(sop_class_uid: str) -> bool:
    """True for SOP classes that go into the DICOM file-set as IMAGE records."""
    if sop_class_uid.startswith(_IMAGE_EXCEPTIONS):
        return True
    return not sop_class_uid.startswith(_NON_IMAGE_SOP_PREFIXES)


def is_laid_out_member(scan_path: str) -> bool:
    """True for a member of a zip on disk (one ``!``), which pack lays out like a file.

    Members of an archive inside an archive, and of a tar (read only front to
    back) or a 7z, stay inside it: the archive goes in whole under ``data/originals/``
    and the index maps each member to it.
    """
    archive = disk_path(scan_path)
    return scan_path.count(ARCHIVE_SEP) == 1 and not (is_tar_name(archive) or is_7z_name(archive))


def disk_path(scan_path: str) -> str:
    """The file on disk behind a scan path: ``a.zip!x/b.pdf`` -> ``a.zip``."""
    return scan_path.split(ARCHIVE_SEP, 1)[0]


def bagit_encode(path: str) -> str:
    """Percent-encode CR, LF and ``%`` in a manifest path (RFC 8493 section 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    """True when ``path`` (relative, ``/``) matches a pattern: the same path, a folder above it,
    or a glob. A literal pattern (``lab[[]1].txt``, see ``paths.exact_pattern``) is that path only.
    """
    candidates = {path, disk_path(path)}  # "a.zip" leaves out "a.zip!b.xml"
    for raw in patterns:
        pattern = normalise_typed(raw.strip()).strip("/")
        if pattern and any(pattern_matches(pattern, c, folders=True) for c in candidates):
            return True
    return False


@dataclass
class PlannedFile:
    """One payload file of the bag, copied byte for byte from ``source``."""

    source: str  # path relative to the scanned folder, on disk (for a member: its archive)
    path: str  # path inside the bag: "data/..."
    size: int
    sha256: str | None  # as scan computed it; None when scan did not hash it
    role: str  # fmt.FILE_ROLE_*
    originals: list[str] = field(default_factory=list)  # scan paths this file stands for
    #: For files placed in the DICOM file-set: (patient, study, series, instance) indices
    #: and what scan read from the header.
    dicom: DicomInstance | None = None
    file_set_position: tuple[int, int, int, int] | None = None
    record_index: int | None = None  # the record whose file this is (first one)
    note: str | None = None  # why it is where it is, when that needs saying
    #: For a record laid out from an archive: its name inside ``source`` (as scan
    #: writes it after ``!``); the bytes are streamed out of the archive.
    member: str | None = None
    #: CRC-32 scan computed for a file on disk (None for archive members).
    crc32: int | None = None
    #: For a DICOM image scan read only as far as its header (``sha256`` None): the
    #: SHA-256 of what it read and the file's modification time, which pack checks.
    head_sha256: str | None = None
    mtime_ns: int | None = None

    @property
    def original(self) -> str:
        """The scan path of what this file is a copy of: ``a.zip!x/b.pdf`` for a member."""
        return self.source if self.member is None else f"{self.source}{ARCHIVE_SEP}{self.member}"

    @property
    def compress(self) -> bool:
        """Deflate text-like files; store images, PDFs and DICOM (the policy open shares)."""
        return should_deflate(self.path, image=self.role == fmt.FILE_ROLE_IMAGE)


@dataclass
class PlannedRecord:
    """A record of the scan, with the bag paths of its files."""

    record: Record
    files: list[str]  # bag paths (an archive appears once even for several members)
    original_files: list[str]
    members: list[dict[str, str]]  # [{"archive": bag path, "member": inner path}]
    problems: list[dict[str, str]]
    in_file_set: bool = False


@dataclass
class BagPlan:
    """Everything the writer needs to know about the bag before reading a byte."""

    bag: str
    files: list[PlannedFile]
    records: list[PlannedRecord]
    duplicates: list[dict[str, str]]
    excluded: list[dict[str, str]]
    scan: ScanResult
    #: Who the folder is about (:func:`folder_patient`), decided once per plan.
    patient: Patient

    @property
    def payload_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def file_set(self) -> list[PlannedFile]:
        """Files that go into the DICOM file-set, in file-ID order."""
        members = [f for f in self.files if f.file_set_position is not None]
        return sorted(members, key=lambda f: f.file_set_position or (0, 0, 0, 0))


#: Extensions of more than one part, kept whole when a name is made safe or unique
#: (``scan.tar.gz`` must not become ``scan.tar_2.gz`` or lose its ``.tar``).
COMPOUND_SUFFIXES: Final = (
    *(suffix for suffix in TAR_SUFFIXES if suffix.count(".") > 1),
    ".tar.zst",
    ".tar.lz",
    ".tar.lzma",
    ".tar.z",
    ".nii.gz",
    ".dcm.gz",
    ".svs.gz",
)

#: A plain extension: kept as it is (no spaces, short).
_PLAIN_SUFFIX: Final = re.compile(r"\.[A-Za-z0-9_-]{1,10}")


def split_suffix(name: str) -> tuple[str, str]:
    """A file name's stem and its extension, keeping known multi-part extensions whole:
    ``scan.tar.gz`` -> (``scan``, ``.tar.gz``), ``note v2.1 final`` -> (``note v2.1 final``, ``""``).

    Only a plain extension (:data:`_PLAIN_SUFFIX`) counts; a name that is only an
    extension (``.zip``) is all stem.
    """
    lower = name.lower()
    for compound in COMPOUND_SUFFIXES:
        if lower.endswith(compound) and len(name) > len(compound):
            return name[: -len(compound)], name[-len(compound) :]
    suffix = PurePosixPath(name).suffix
    if suffix and _PLAIN_SUFFIX.fullmatch(suffix):
        return name[: -len(suffix)], suffix
    return name, ""


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _utf16_length(text: str) -> int:
    """Length as Windows counts it for ``MAX_PATH``: UTF-16 code units."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _fit(stem: str, tail: str, limit: int, units: int | None = None) -> str:
    """``stem + tail``, the stem shortened (whole characters) so the result is at most
    ``limit`` bytes of UTF-8 and, if given, ``units`` UTF-16 code units."""
    room = max(limit - _utf8_length(tail), 1)
    room_units = max(units - _utf16_length(tail), 1) if units is not None else room
    if _utf8_length(stem) > room or _utf16_length(stem) > room_units:
        used = used_units = end = 0
        for char in stem:
            size = _utf8_length(char)
            width = 2 if ord(char) > 0xFFFF else 1
            if used + size > room or used_units + width > room_units:
                break
            used, used_units, end = used + size, used_units + width, end + 1
        stem = stem[:end].rstrip(" .") or "_"
    return stem + tail


#: Names Windows keeps for devices, whatever their extension (``nul.txt`` is NUL)
#: and whatever their case; the superscript digits count as digits there.
_WINDOWS_DEVICES: Final = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$", "clock$"}
    | {f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3"}
)


def _device_base(name: str) -> int:
    """Length of the device name ``name`` starts with as Windows reads it (the part
    before the first dot, trailing spaces ignored), or 0 when it names no device."""
    base = name.split(".", 1)[0].rstrip(" ")
    return len(base) if base.lower() in _WINDOWS_DEVICES else 0


def portable_name(part: str, *, ends_name: bool = True) -> str:
    """A path component valid on Windows, macOS and Linux; a valid one is returned as it is.

    Characters no file system or unzip accepts (controls, ``<>:"/\\|?*``, invisible
    and bidi characters) become ``_``; a device name gets ``_`` after it
    (``CON.pdf`` -> ``CON_.pdf``); a trailing dot or space, which Windows drops
    (so ``notes.`` would meet ``notes``), becomes ``_``. ``ends_name`` is False for
    a stem that an extension will follow, where a trailing dot is harmless.
    """
    part = safe_component(part).replace("/", "_")
    if ends_name and part.endswith((" ", ".")):
        part = part.rstrip(" .") + "_"
    cut = _device_base(part)
    if cut:
        part = f"{part[:cut]}_{part[cut:]}"
    return part


def _folders_of(key: str) -> Iterator[str]:
    """Every folder above ``key``: ``a/b`` and ``a`` for ``a/b/c``."""
    cut = key.rfind("/")
    while cut > 0:
        yield key[:cut]
        cut = key.rfind("/", 0, cut)


#: Longest member path, bag folder included, in UTF-16 code units (what Windows
#: counts). Windows Explorer cannot extract a path over 259 characters (MAX_PATH);
#: extracted into C:\Users\Name\Downloads\bundle\ (31 characters), 200 leaves
#: room for a longer user or folder name. Open's own limit (Limits.max_name_bytes)
#: is far larger: this one is for unzip tools that are not recordpack.
MAX_PATH_CHARS: Final = 200


class _Names:
    """Unique bag paths, valid on Windows, macOS and Linux, by the rule open uses to
    refuse colliding names.

    Two paths collide when their :func:`~recordpack.bundle.safety.normalized_key`
    is the same (case and Unicode normalisation ignored, as on macOS and Windows),
    or when one would be a file where the other needs a folder. Every component is
    made :func:`portable_name` and kept within :attr:`Limits.max_component_bytes`;
    every path, with ``<bag>/`` in front, within :data:`MAX_PATH_CHARS` and
    :attr:`Limits.max_name_bytes`: a name that would be too long has its stem
    shortened, keeping the extension and the ``_2`` that makes it unique.
    """

    def __init__(self, bag: str = "", limits: Limits = DEFAULT_LIMITS) -> None:
        self._files: set[str] = set()  # keys of the files claimed
        self._folders: set[str] = set()  # keys of the folders they lie in
        self._resolved: dict[str, str] = {}  # folder asked for -> folder given
        self._component = limits.max_component_bytes
        # Room for a payload path once "<bag>/" is in front of it.
        self._room = limits.max_name_bytes - _utf8_length(bag) - 1
        self._room_units = MAX_PATH_CHARS - _utf16_length(bag) - 1

    def claim(self, folder: str, stem: str, suffix: str) -> str:
        """A free path ``folder/stem[_n]suffix`` (``stem`` made portable, and shortened
        if it must be)."""
        folder = self._folder(folder)
        stem = portable_name(stem, ends_name=not suffix)
        limit = min(self._component, self._room - _utf8_length(folder) - 1)
        units = self._room_units - _utf16_length(folder) - 1
        n = 1
        while True:
            name = _fit(stem, f"{'' if n == 1 else f'_{n}'}{suffix}", limit, units)
            path = f"{folder}/{name}"
            key = normalized_key(path)
            # A stem cut short can end up a device name ("con"): the next _n is not one.
            if not _device_base(name) and key not in self._files and key not in self._folders:
                self._files.add(key)
                self._folders.update(_folders_of(key))
                return path
            n += 1

    def claim_exact(self, path: str) -> str:
        """``path`` made portable when that is free and fits, else the nearest free path."""
        parts = path.split("/")
        parent = "/".join(portable_name(p) for p in parts[:-1])
        stem, suffix = split_suffix(portable_name(parts[-1]))
        whole = f"{parent}/{stem}{suffix}"
        if _utf8_length(whole) > self._room or _utf16_length(whole) > self._room_units:
            # Too deep to keep its folders: it goes in at the top of its tree.
            parent = "/".join(parent.split("/")[:2])
        return self.claim(parent, stem, suffix)

    def _folder(self, folder: str) -> str:
        """``folder`` with each component made portable, fitted and, where a file has
        its name, renamed."""
        found = self._resolved.get(folder)
        if found is not None:
            return found
        resolved = ""
        for part in folder.split("/"):
            part = portable_name(part)
            n = 1
            while True:
                name = _fit(part, "" if n == 1 else f"_{n}", self._component)
                candidate = f"{resolved}/{name}" if resolved else name
                if not _device_base(name) and normalized_key(candidate) not in self._files:
                    break
                n += 1
            resolved = candidate
        # Taken as folders now, so no file can take these names later.
        key = normalized_key(resolved)
        self._folders.add(key)
        self._folders.update(_folders_of(key))
        self._resolved[folder] = resolved
        return resolved


#: Extension for a record whose original name has none (CD files are named
#: IM000001), so the reader's computer knows what opens it.
FORMAT_SUFFIXES: dict[str, str] = {
    "dicom": ".dcm",
    "pdf": ".pdf",
    "ccda": ".xml",
    "fhir": ".json",
    "hl7v2": ".hl7",
    "text": ".txt",
    "docx": ".docx",
}


def _suffix(path: str, record_format: str | None = None) -> str:
    # Keep the original extension, but only if it is a plain one (no spaces, short).
    suffix = split_suffix(PurePosixPath(path).name)[1]
    return suffix or FORMAT_SUFFIXES.get(record_format or "", "")


def _originals_path(source: str) -> str:
    """Bag path of an original archive: its relative path, made safe for any unzip."""
    parts = [p for p in source.split("/") if p not in ("", ".", "..")]
    # Control and bidi characters would make open refuse the bundle, and "CON.zip"
    # or "scans./" would not extract on Windows: the original name stays in
    # index.json as data ("original"), shown escaped.
    return "/".join([fmt.ORIGINALS_DIR, *(portable_name(p) for p in parts)])


def plan_bag(scan: ScanResult, date_yyyymmdd: str, exclude: Sequence[str] = ()) -> BagPlan:
    """Decide the bag's name (the date and the folder's patient) and the bag path of
    every file to pack; raises nothing, reads nothing."""
    patient = folder_patient(scan)
    bag = fmt.bag_name(date_yyyymmdd, patient_slug(patient.name))
    names = _Names(bag)
    files: list[PlannedFile] = []
    by_source: dict[str, PlannedFile] = {}  # disk path -> planned file
    by_digest: dict[str, PlannedFile] = {}
    duplicates: list[dict[str, str]] = []
    excluded: list[dict[str, str]] = []
    excluded_seen: set[str] = set()

    def note_excluded(path: str) -> None:
        if path not in excluded_seen:
            excluded_seen.add(path)
            excluded.append({"original": path, "reason": "excluded by the user"})

    def info(source: str) -> tuple[int, str | None, int | None]:
        fi = scan.files.get(source)
        return (fi.size, fi.sha256, fi.crc32) if fi is not None else (-1, None, None)

    def place(
        source: str, make_path: Callable[[], str], role: str, **extra: Any
    ) -> PlannedFile | None:
        """Plan ``source`` (a disk path or ``a.zip!member``) once; identical bytes
        already planned make it a duplicate."""
        if source in by_source:
            return by_source[source]
        size, digest, crc = info(source)
        if digest is not None and digest in by_digest:
            first = by_digest[digest]
            duplicates.append({"original": source, "same_as": first.path})
            by_source[source] = first
            return None
        if is_laid_out_member(source):
            archive, _, member = source.partition(ARCHIVE_SEP)
            extra = {**extra, "member": member}
            source = archive
        else:
            if crc is not None:
                extra = {**extra, "crc32": crc}
            found = scan.files.get(source)
            if found is not None and digest is None:
                extra = {**extra, "head_sha256": found.head_sha256, "mtime_ns": found.mtime_ns}
        planned = PlannedFile(
            source=source, path=make_path(), size=size, sha256=digest, role=role, **extra
        )
        source = planned.original
        files.append(planned)
        by_source[source] = planned
        if digest is not None:
            by_digest[digest] = planned
        return planned

    problems_by_path: dict[str, list[dict[str, str]]] = {}
    for problem in scan.problems:
        problems_by_path.setdefault(problem.path, []).append(
            {"code": problem.code, "message": problem.message}
        )

    # Records in kind order, then by date, so the bag reads like a binder.
    order = sorted(
        range(len(scan.records)),
        key=lambda i: (
            KINDS.index(scan.records[i].kind) if scan.records[i].kind in KINDS else len(KINDS),
            scan.records[i].date or "9999",
            scan.records[i].title,
        ),
    )
    planned_records: list[PlannedRecord] = []
    patients: dict[str, int] = {}  # file-set patient key -> index
    studies: dict[tuple[int, str], int] = {}
    # SOP Instance UIDs already in the file-set: a DICOMDIR must not reference one
    # instance twice (the same image copied with different bytes, say).
    file_set_uids: set[str] = set()
    excluded_notes: dict[str, str] = {}  # scan path -> why it stays out of the file-set

    for index in order:
        record = scan.records[index]
        kept = [p for p in record.files if not is_excluded(p, exclude)]
        # Sets beside the lists: a study of 50,000 images must not cost 50,000² look-ups.
        kept_set = set(kept)
        for path in record.files:
            if path not in kept_set:
                note_excluded(path)
        if not kept:
            continue
        entry = PlannedRecord(
            record=record,
            files=[],
            original_files=kept,
            members=[],
            problems=[p for path in kept for p in problems_by_path.get(path, [])],
        )
        folder = f"{fmt.RECORDS_DIR}/{kind_folder(record.kind)}"
        stem = f"{record.date or 'undated'}_{slugify(record.title)}"
        instances: dict[str, DicomInstance] = {}
        positions: dict[str, tuple[int, int, int, int]] = {}
        if record.study is not None:
            patient_key = record.patient.id or record.patient.name or "unknown"
            p_index = patients.setdefault(patient_key, len(patients))
            study_key = (p_index, record.study.study_instance_uid)
            s_index = studies.setdefault(study_key, sum(1 for k in studies if k[0] == p_index))
            series_index = 0
            for series in record.study.series:
                image_index = 0
                for instance in series.instances:
                    instances[instance.path] = instance
                    if not (
                        instance.part10
                        and (ARCHIVE_SEP not in instance.path or is_laid_out_member(instance.path))
                        and is_file_set_sop_class(instance.sop_class_uid)
                        and instance.path in kept_set
                    ):
                        continue
                    why = _uid_trouble(instance, file_set_uids)
                    if why is None and instance.damaged:
                        # A viewer would list it and fail to show it: it travels as a file
                        # (and claims no UID, so a whole copy of it still gets in).
                        why = DAMAGED_NOTE
                    if why is not None:
                        excluded_notes[instance.path] = why
                        continue
                    file_set_uids.add(instance.sop_instance_uid)
                    positions[instance.path] = (p_index, s_index, series_index, image_index)
                    image_index += 1
                if image_index:
                    series_index += 1

        listed: set[str] = set()  # entry.files, for look-ups
        for path in kept:
            if ARCHIVE_SEP in path:
                # The archive itself goes in as it was, whatever happens to its members.
                archive = disk_path(path)
                original = place(
                    archive,
                    partial(names.claim_exact, _originals_path(archive)),
                    fmt.FILE_ROLE_ORIGINAL,
                    record_index=index,
                )
                if original is not None:
                    original.originals.append(path)
                if not is_laid_out_member(path):
                    target = by_source[archive].path
                    entry.members.append(
                        {"archive": target, "member": path.split(ARCHIVE_SEP, 1)[1]}
                    )
                    if target not in listed:
                        listed.add(target)
                        entry.files.append(target)
                    continue
            source = path
            if path in positions:
                pos = positions[path]
                planned = place(
                    source,
                    partial(_file_set_path, pos),
                    fmt.FILE_ROLE_IMAGE,
                    dicom=instances[path],
                    file_set_position=pos,
                    record_index=index,
                )
                if planned is not None:
                    entry.in_file_set = True
                target = planned.path if planned else by_source[source].path
            else:
                note = None
                if path in instances:
                    note = excluded_notes.get(path) or _why_not_in_file_set(instances[path])
                planned = place(
                    source,
                    partial(
                        names.claim,
                        folder,
                        stem,
                        _suffix(_inner_name(path), "dicom" if path in instances else record.format),
                    ),
                    fmt.FILE_ROLE_RECORD,
                    record_index=index,
                    note=note,
                )
                target = planned.path if planned else by_source[source].path
            if planned is not None:
                planned.originals.append(path)
            if target not in listed:
                listed.add(target)
                entry.files.append(target)
        planned_records.append(entry)

    # Files scan had a problem with and that no record claims go in too, marked;
    # copies last, so that the copy scan named as the one sent is the one placed.
    for problem in sorted(scan.problems, key=lambda p: p.code == DUPLICATE):
        path = problem.path
        source = disk_path(path)
        member = ARCHIVE_SEP in path
        if path in by_source or (not member and source in by_source):
            continue
        if is_excluded(path, exclude):
            note_excluded(path)
            continue
        if problem.code == DUPLICATE and problem.duplicate_of is not None:
            first = by_source.get(problem.duplicate_of) or by_source.get(
                disk_path(problem.duplicate_of)
            )
            if first is not None:
                duplicates.append({"original": path, "same_as": first.path})
                by_source[path] = first
                if not member:
                    continue
                # A copy inside an archive: the archive itself still goes in below.
        if source in by_source:
            continue
        if source not in scan.files:
            continue  # scan did not read it (e.g. a problem with a folder): nothing to copy
        if ARCHIVE_SEP in path:
            make = partial(names.claim_exact, _originals_path(source))
            role = fmt.FILE_ROLE_ORIGINAL
        else:
            stem, suffix = split_suffix(PurePosixPath(path).name)
            make = partial(
                names.claim,
                f"{fmt.RECORDS_DIR}/{PROBLEM_FOLDER}",
                slugify(guess(stem), default="file"),
                suffix,
            )
            role = fmt.FILE_ROLE_PROBLEM
        planned = place(source, make, role)
        if planned is not None:
            planned.originals.append(path)

    # Re-number file-set positions densely after duplicates and exclusions, and
    # point the records and duplicates at the renumbered paths.
    before = [f.path for f in files]
    _renumber_file_set(files)
    moved = {old: f.path for old, f in zip(before, files, strict=True) if old != f.path}
    if moved:
        for entry in planned_records:
            entry.files = [moved.get(p, p) for p in entry.files]
        for duplicate in duplicates:
            duplicate["same_as"] = moved.get(duplicate["same_as"], duplicate["same_as"])
    return BagPlan(
        bag=bag,
        files=files,
        records=planned_records,
        duplicates=duplicates,
        excluded=excluded,
        scan=scan,
        patient=patient,
    )


def _file_set_path(position: tuple[int, int, int, int]) -> str:
    return f"{fmt.IMAGING_DIR}/" + "/".join(file_set_id(position))


def file_set_id(position: tuple[int, int, int, int]) -> tuple[str, str, str, str]:
    """PS3.10 file ID components (upper-case, at most 8 characters each)."""
    p, st, se, im = position
    return (f"PT{p:06d}", f"ST{st:06d}", f"SE{se:06d}", f"IM{im:06d}")


def _renumber_file_set(files: Iterable[PlannedFile]) -> None:
    """Dense 0-based file IDs in order, once duplicates and exclusions left gaps."""
    members = sorted(
        (f for f in files if f.file_set_position is not None),
        key=lambda f: f.file_set_position or (0, 0, 0, 0),
    )
    assigned: dict[tuple[int, ...], int] = {}  # old prefix -> new index at its level
    children: dict[tuple[int, ...], int] = {}  # new parent prefix -> children so far
    for f in members:
        assert f.file_set_position is not None
        old: tuple[int, ...] = ()
        new: tuple[int, ...] = ()
        for level, value in enumerate(f.file_set_position):
            old = old + (value,)
            key = old if level < 3 else old + (id(f),)
            if key not in assigned:
                assigned[key] = children.get(new, 0)
                children[new] = assigned[key] + 1
            new = new + (assigned[key],)
        f.file_set_position = (new[0], new[1], new[2], new[3])
        f.path = _file_set_path(f.file_set_position)


def _uid_trouble(instance: DicomInstance, taken: set[str]) -> str | None:
    """Why an image cannot be referenced by a DICOMDIR (bad or repeated UIDs), or None."""
    from recordpack.bundle.dicomdir import is_uid

    if not is_uid(instance.sop_class_uid):
        return "its SOP Class UID is missing or invalid, so it is not in the DICOMDIR"
    if not is_uid(instance.sop_instance_uid):
        return "its SOP Instance UID is missing or invalid, so it is not in the DICOMDIR"
    if instance.sop_instance_uid in taken:
        return (
            "another image in the bundle has the same SOP Instance UID (a copy with different "
            "bytes), so only the first is in the DICOMDIR"
        )
    return None


def _inner_name(path: str) -> str:
    """The last component's own name: ``a.zip!x/IM1`` -> ``x/IM1``."""
    return path.rsplit(ARCHIVE_SEP, 1)[-1]


def _why_not_in_file_set(instance: DicomInstance) -> str:
    if not instance.part10:
        return "not a standard DICOM file (no PS3.10 header), so it is not in the DICOMDIR"
    if instance.path.count(ARCHIVE_SEP) > 1:
        return "inside an archive within an archive, so it stays in the original download"
    return "not an image (a report, plan or other DICOM object), so it is kept with the records"


def build_index(
    plan: BagPlan,
    *,
    created: str,
    software: str,
    check: dict[str, Any] | None,
    encryption: dict[str, Any],
    digests: dict[str, tuple[int, str]],
    sha1: dict[str, str] | None = None,
    previews: dict[int, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The ``index.json`` document; ``digests`` maps bag path -> (size, sha256) as written.

    ``sha1`` (bag path -> SHA-1, when pack computed it) is recorded beside each
    file's SHA-256 for ``index.fhir.json``'s attachment hashes.
    """
    from recordpack.summary import SourcedText, build_summary, build_timeline

    scan = plan.scan
    patient = plan.patient.to_json()
    records: list[dict[str, Any]] = []
    for number, entry in enumerate(plan.records):
        r = entry.record
        doc: dict[str, Any] = {
            "kind": r.kind,
            "title": r.title,
            "date": r.date,
            "patient": r.patient.to_json(),
            "confidence": round(r.confidence, 2),
            "evidence": list(r.evidence),
            "format": r.format,
            "files": list(entry.files),
            "original_files": list(entry.original_files),
            "problems": list(entry.problems),
        }
        if entry.members:
            doc["archive_members"] = list(entry.members)
        if r.corrected_from is not None:
            doc["corrected_from"] = r.corrected_from
        if r.status is not None:
            doc["status"] = r.status
        if r.study is not None:
            study = r.study.to_json()
            study["dicomdir"] = fmt.DICOMDIR_PATH if entry.in_file_set else None
            if previews is not None and number in previews:
                study["previews"] = previews[number]
            doc["study"] = study
        records.append(doc)

    files: list[dict[str, Any]] = []
    for planned in plan.files:
        size, digest = digests[planned.path]
        item: dict[str, Any] = {
            "path": planned.path,
            "original": planned.original,
            "size": size,
            "sha256": digest,
            "role": planned.role,
        }
        if sha1 and planned.path in sha1:
            item["sha1"] = sha1[planned.path]
        members = [
            p.split(ARCHIVE_SEP, 1)[1]
            for p in planned.originals
            if ARCHIVE_SEP in p and planned.role == fmt.FILE_ROLE_ORIGINAL
        ]
        if members:
            item["members"] = members  # the records scan found inside this archive
        if planned.note:
            item["note"] = planned.note
        files.append(item)
    if fmt.DICOMDIR_PATH in digests:
        size, digest = digests[fmt.DICOMDIR_PATH]
        files.append(
            {
                "path": fmt.DICOMDIR_PATH,
                "original": None,
                "size": size,
                "sha256": digest,
                "role": fmt.FILE_ROLE_DICOMDIR,
                "note": "generated by recordpack: the DICOM file-set index for viewers",
            }
        )
        if sha1 and fmt.DICOMDIR_PATH in sha1:
            files[-1]["sha1"] = sha1[fmt.DICOMDIR_PATH]

    # The case summary reads the text scan already extracted: no file is read again.
    # A record that may be another patient's (as check decides it), or one its
    # sender withdrew (cancelled, entered in error, superseded), gives no facts.
    others = {id(m.record) for m in find_mismatches(scan.records).mismatches}
    other_numbers = [n for n, e in enumerate(plan.records) if id(e.record) in others]
    excluded_numbers = set(other_numbers)
    documents = [
        SourcedText(
            record=number,
            path=entry.files[0],
            kind=entry.record.kind,
            date=entry.record.date,
            text=entry.record.text,
            day_first=entry.record.date_order == "day_first",
        )
        for number, entry in enumerate(plan.records)
        if entry.record.study is None
        and entry.files
        and entry.record.text
        and number not in excluded_numbers
        and entry.record.status not in WITHDRAWN
    ]
    summary = build_summary(documents)
    summary["other_patient_records"] = other_numbers

    return {
        "version": fmt.INDEX_VERSION,
        "software": software,
        "created": created,
        "bag": plan.bag,
        "patient": patient,
        "check": check,
        "encryption": encryption,
        "records": records,
        "files": files,
        "duplicates": list(plan.duplicates),
        "problems": [p.to_json() for p in scan.problems],
        "skipped": [s.to_json() for s in scan.skipped],
        "excluded": list(plan.excluded),
        "summary": summary,
        "timeline": build_timeline(records),
    }


def folder_patient(scan: ScanResult) -> Patient:
    """Who the folder is about, decided as ``check`` decides it (names as people write them).

    The record number is the one most often given by the records that agree with
    that patient (hospitals each have their own; any one of them identifies the patient).
    """
    consensus = find_mismatches(scan.records)
    # A study with one stray image is still the patient's: only wholly other records are out.
    others = {id(m.record) for m in consensus.mismatches if set(m.paths) >= set(m.record.files)}
    ids = Counter(r.patient.id for r in scan.records if r.patient.id and id(r) not in others)
    best_id = max(sorted(ids), key=lambda i: ids[i]) if ids else None
    return Patient(name=consensus.name, birth_date=consensus.birth_date, id=best_id)
