"""Build a DICOMDIR (a PS3.10 file-set index) from instance headers, without pixel data.

pydicom's ``FileSet.add`` loads and stages a copy of every instance; a bundle
already copies each file once into the ZIP, so here only the directory records
are built (PATIENT / STUDY / SERIES / IMAGE), from the header values scan
already read (or :func:`read_header` with ``stop_before_pixels``). The records
are encoded here (Explicit VR Little Endian, defined lengths): each record's
size is known before its offsets are filled in, so the offsets linking
siblings and children are computed in one pass, not searched for.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_file_meta_info
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian, generate_uid

from recordpack.errors import BundleError

#: Media Storage Directory Storage SOP Class (PS3.4), the DICOMDIR's own class.
MEDIA_STORAGE_DIRECTORY: Final = "1.2.840.10008.1.3.10"
FILE_SET_ID: Final = "RECORDPACK"
#: Stand-ins for a missing Study Date / Study Time (Type 1 in a STUDY record).
UNKNOWN_DATE: Final = "19000101"
UNKNOWN_TIME: Final = "000000"

#: Header elements a file-set needs; reading stops before anything larger.
HEADER_KEYWORDS: Final[tuple[str, ...]] = (
    "SpecificCharacterSet",
    "SOPClassUID",
    "SOPInstanceUID",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "StudyDate",
    "StudyTime",
    "StudyDescription",
    "StudyInstanceUID",
    "StudyID",
    "AccessionNumber",
    "Modality",
    "SeriesInstanceUID",
    "SeriesNumber",
    "SeriesDescription",
    "InstanceNumber",
)

_UID_RE: Final = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*")

_OFFSET_KEYWORDS: Final = (
    "OffsetOfTheNextDirectoryRecord",
    "OffsetOfReferencedLowerLevelDirectoryEntity",
)


@dataclass(frozen=True)
class FileSetEntry:
    """One instance of the file-set: its file ID components and its header values.

    ``values`` maps keywords of :data:`HEADER_KEYWORDS` (and ``TransferSyntaxUID``)
    to plain ``str``/``int`` values; missing ones get valid stand-ins.
    """

    file_id: tuple[str, ...]  # ("PT000000", "ST000000", "SE000000", "IM000000")
    values: dict[str, Any]


def read_header(stream: BinaryIO) -> Dataset:
    """The file-set elements of a DICOM file's header; raises ``BundleError`` if unreadable.

    ``stream`` may hold only the start of the file (e.g. its first MiB): reading
    stops before the pixel data, and the elements needed come well before it.
    """
    try:
        ds = dcmread(stream, stop_before_pixels=True, specific_tags=list(HEADER_KEYWORDS))
    except Exception as error:  # pydicom raises many types for damaged headers
        raise BundleError(f"cannot read the DICOM header: {error}") from error
    if "SOPInstanceUID" not in ds or "SOPClassUID" not in ds:
        raise BundleError("the DICOM header has no SOP class or instance UID")
    return ds


def is_uid(value: object) -> bool:
    """True for a valid DICOM UID (PS3.5 9.1): digits and dots, at most 64 characters,
    under an ISO/ITU-T root (0, 1 or 2), as dciodvfy checks."""
    return (
        isinstance(value, str)
        and len(value) <= 64
        and _UID_RE.fullmatch(value) is not None
        and value.split(".", 1)[0] in ("0", "1", "2")
    )


def fill_missing(values: dict[str, Any], fallback: dict[str, Any]) -> dict[str, Any]:
    """Fill absent or empty ``values`` from ``fallback`` (keyword -> value); returns ``values``.

    Values that are not valid UIDs are ignored for UID elements (a scanner may
    stand in a path for a missing UID; a DICOMDIR must not carry it).
    """
    for keyword, value in fallback.items():
        if value in (None, ""):
            continue
        if keyword.endswith("UID") and not is_uid(value):
            continue
        if values.get(keyword) in (None, ""):
            values[keyword] = value
    return values


def header_values(ds: Dataset) -> dict[str, Any]:
    """The file-set values of a header read with :func:`read_header`, as plain Python values."""
    values: dict[str, Any] = {}
    for keyword in HEADER_KEYWORDS:
        if keyword in ds and ds[keyword].VM != 0:
            value = ds[keyword].value
            values[keyword] = value if isinstance(value, int) else str(value)
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if syntax:
        values["TransferSyntaxUID"] = str(syntax)
    return values


# ----------------------------------------------------------------------------
# Encoding. pydicom's writer costs milliseconds per directory record, which is
# seconds for a CT of thousands of slices; the records are flat lists of short
# text and integer elements, so they are encoded here directly (Explicit VR
# Little Endian, defined lengths), and the offsets are computed, not searched.

_TAGS: Final[dict[str, tuple[int, str]]] = {
    "OffsetOfTheNextDirectoryRecord": (0x00041400, "UL"),
    "RecordInUseFlag": (0x00041410, "US"),
    "OffsetOfReferencedLowerLevelDirectoryEntity": (0x00041420, "UL"),
    "DirectoryRecordType": (0x00041430, "CS"),
    "ReferencedFileID": (0x00041500, "CS"),
    "ReferencedSOPClassUIDInFile": (0x00041510, "UI"),
    "ReferencedSOPInstanceUIDInFile": (0x00041511, "UI"),
    "ReferencedTransferSyntaxUIDInFile": (0x00041512, "UI"),
    "SpecificCharacterSet": (0x00080005, "CS"),
    "StudyDate": (0x00080020, "DA"),
    "StudyTime": (0x00080030, "TM"),
    "AccessionNumber": (0x00080050, "SH"),
    "Modality": (0x00080060, "CS"),
    "StudyDescription": (0x00081030, "LO"),
    "PatientName": (0x00100010, "PN"),
    "PatientID": (0x00100020, "LO"),
    "StudyInstanceUID": (0x0020000D, "UI"),
    "SeriesInstanceUID": (0x0020000E, "UI"),
    "StudyID": (0x00200010, "SH"),
    "SeriesNumber": (0x00200011, "IS"),
    "InstanceNumber": (0x00200013, "IS"),
}
_MAX_LENGTH: Final = {
    "CS": 16,
    "SH": 16,
    "LO": 64,
    "PN": 324,
    "DA": 8,
    "TM": 16,
    "IS": 12,
    "UI": 64,
}


def _element(keyword: str, value: Any, utf8: bool) -> bytes:
    tag, vr = _TAGS[keyword]
    if vr == "UL":
        data = struct.pack("<I", value)
    elif vr == "US":
        data = struct.pack("<H", value)
    else:
        parts = value if isinstance(value, list | tuple) else [value]
        text = "\\".join(str(p) for p in parts)
        if vr != "UI" and len(parts) == 1:
            # One value, cut to its VR's maximum length, on one line.
            text = " ".join(text.split())[: _MAX_LENGTH[vr]]
        data = text.encode("utf-8" if utf8 else "ascii", "replace")
        if len(data) % 2:
            data += b"\0" if vr == "UI" else b" "
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr.encode(), len(data)) + data


#: A record's two offsets (UL), known only once every record's place is: each
#: record is encoded once, and these values are written into it afterwards.
_OFFSETS: Final = ("OffsetOfTheNextDirectoryRecord", "OffsetOfReferencedLowerLevelDirectoryEntity")


def _encode_record(record: dict[str, Any]) -> tuple[bytearray, dict[str, int]]:
    """The encoded item, and where in it each of :data:`_OFFSETS`' values is."""
    utf8 = record.get("SpecificCharacterSet") == "ISO_IR 192"
    parts: list[bytes] = []
    at = 8  # after the item's own tag and length
    where: dict[str, int] = {}
    for keyword in sorted(record, key=lambda k: _TAGS[k][0]):
        if record[keyword] is None:
            continue
        element = _element(keyword, record[keyword], utf8)
        if keyword in _OFFSETS:
            where[keyword] = at + 8  # the value, after the element's tag, VR and length
        parts.append(element)
        at += len(element)
    body = b"".join(parts)
    return bytearray(struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body), where


def _value(values: dict[str, Any], keyword: str, default: Any = None) -> Any:
    value = values.get(keyword)
    return default if value in (None, "") else value


_DA_RE: Final = re.compile(r"[0-9]{8}")
_TM_RE: Final = re.compile(r"[0-9]{2}([0-9]{2}([0-9]{2}(\.[0-9]{1,6})?)?)?")
_CS_RE: Final = re.compile(r"[A-Z0-9 _]{1,16}")


def _date(value: Any) -> str | None:
    """A DA value, accepting the old ``YYYY.MM.DD`` / ``YYYY-MM-DD`` forms; None if unusable."""
    text = str(value or "").strip().replace(".", "").replace("-", "")
    return text if _DA_RE.fullmatch(text) else None


def _time(value: Any) -> str | None:
    """A TM value, accepting the old ``HH:MM:SS`` form; None if unusable."""
    text = str(value or "").strip().replace(":", "")
    return text if _TM_RE.fullmatch(text) else None


def _integer(value: Any, default: int) -> int:
    """An IS value (fits 12 characters), or ``default`` when the header's is not a number."""
    try:
        number = int(str(value).strip()) if value is not None else default
    except ValueError:
        return default
    return number if -(2**31) <= number < 2**31 else default


def _new_record(record_type: str, values: dict[str, Any], *texts: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "OffsetOfTheNextDirectoryRecord": 0,
        "RecordInUseFlag": 0xFFFF,
        "OffsetOfReferencedLowerLevelDirectoryEntity": 0,
        "DirectoryRecordType": record_type,
    }
    # Non-ASCII text is written as UTF-8 and the record says so (PS3.3 F.3.2.2).
    if any(not str(values.get(k) or "").isascii() for k in texts):
        record["SpecificCharacterSet"] = "ISO_IR 192"
    return record


def _patient_record(values: dict[str, Any], index: int, seed: str) -> dict[str, Any]:
    record = _new_record("PATIENT", values, "PatientName", "PatientID")
    record["PatientName"] = _value(values, "PatientName", "")
    # Patient ID is Type 1 in a PATIENT record: invent a stable one when the file has none.
    record["PatientID"] = _value(values, "PatientID", f"RECORDPACK{index:06d}")
    return record


def _uid(values: dict[str, Any], keyword: str, seed: str) -> str:
    """The header's UID, or a stable made-up one (Type 1 in the record) when it has none."""
    value = values.get(keyword)
    if is_uid(value):
        return str(value)
    return str(generate_uid(entropy_srcs=[keyword, seed]))


def _study_record(values: dict[str, Any], index: int, seed: str) -> dict[str, Any]:
    record = _new_record("STUDY", values, "StudyDescription", "AccessionNumber", "StudyID")
    # Study Date and Time are Type 1 in a STUDY record: a file without them gets
    # the conventional "unknown" stand-ins (index.json keeps the date as null).
    record["StudyDate"] = _date(_value(values, "StudyDate")) or UNKNOWN_DATE
    record["StudyTime"] = _time(_value(values, "StudyTime")) or UNKNOWN_TIME
    record["StudyDescription"] = _value(values, "StudyDescription", "")
    record["StudyInstanceUID"] = _uid(values, "StudyInstanceUID", seed)
    record["StudyID"] = _value(values, "StudyID", str(index + 1))
    record["AccessionNumber"] = _value(values, "AccessionNumber", "")
    return record


def _series_record(values: dict[str, Any], index: int, seed: str) -> dict[str, Any]:
    record = _new_record("SERIES", values)
    modality = str(_value(values, "Modality", "OT")).strip().upper()
    record["Modality"] = modality if _CS_RE.fullmatch(modality) else "OT"
    record["SeriesInstanceUID"] = _uid(values, "SeriesInstanceUID", seed)
    record["SeriesNumber"] = _integer(_value(values, "SeriesNumber"), index + 1)
    return record


def _image_record(entry: FileSetEntry, index: int) -> dict[str, Any]:
    values = entry.values
    record = _new_record("IMAGE", values)
    record["ReferencedFileID"] = list(entry.file_id)
    record["ReferencedSOPClassUIDInFile"] = values["SOPClassUID"]
    record["ReferencedSOPInstanceUIDInFile"] = values["SOPInstanceUID"]
    record["ReferencedTransferSyntaxUIDInFile"] = _value(
        values, "TransferSyntaxUID", ExplicitVRLittleEndian
    )
    record["InstanceNumber"] = _integer(_value(values, "InstanceNumber"), index + 1)
    return record


class _Node:
    __slots__ = ("children", "offset", "record")

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.children: list[_Node] = []
        self.offset = 0


def _tree(entries: Sequence[FileSetEntry]) -> list[_Node]:
    """PATIENT > STUDY > SERIES > IMAGE nodes, grouped by the file ID components."""
    roots: list[_Node] = []
    by_prefix: dict[tuple[str, ...], _Node] = {}
    builders = (_patient_record, _study_record, _series_record)
    for entry in sorted(entries, key=lambda e: e.file_id):
        if len(entry.file_id) != 4:
            raise BundleError(
                f"file ID {'/'.join(entry.file_id)} is not PATIENT/STUDY/SERIES/IMAGE"
            )
        if not is_uid(entry.values.get("SOPClassUID")) or not is_uid(
            entry.values.get("SOPInstanceUID")
        ):
            raise BundleError(f"{'/'.join(entry.file_id)} has no valid SOP class or instance UID")
        siblings = roots
        for level in range(3):
            prefix = entry.file_id[: level + 1]
            node = by_prefix.get(prefix)
            if node is None:
                # Made-up UIDs must differ between bundles: seed with an instance UID too.
                seed = "/".join(prefix) + "/" + str(entry.values.get("SOPInstanceUID"))
                node = _Node(builders[level](entry.values, len(siblings), seed))
                by_prefix[prefix] = node
                siblings.append(node)
            siblings = node.children
        siblings.append(_Node(_image_record(entry, len(siblings))))
    return roots


def _flatten(nodes: list[_Node], out: list[_Node]) -> None:
    for node in nodes:
        out.append(node)
        _flatten(node.children, out)


def _head(file_set_uid: str) -> bytes:
    """Preamble, DICM and the File Meta Information (pydicom writes this once)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(MEDIA_STORAGE_DIRECTORY)
    meta.MediaStorageSOPInstanceUID = UID(file_set_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    buffer = DicomBytesIO()
    buffer.write(b"\0" * 128 + b"DICM")
    write_file_meta_info(buffer, meta, enforce_standard=True)
    return buffer.getvalue()


def build_dicomdir(entries: Sequence[FileSetEntry], *, file_set_uid: str | None = None) -> bytes:
    """The encoded DICOMDIR for ``entries``; raises ``BundleError`` if there are none."""
    if not entries:
        raise BundleError("no DICOM instances to index")
    roots = _tree(entries)
    nodes: list[_Node] = []
    _flatten(roots, nodes)

    head = _head(file_set_uid or generate_uid())
    file_set_id = _element("DirectoryRecordType", FILE_SET_ID, False)  # a CS like any other
    file_set_id = struct.pack("<HH", 0x0004, 0x1130) + file_set_id[4:]
    # FileSetID, the two root offsets (UL), the consistency flag (US), then the sequence header.
    fixed = len(file_set_id) + 12 + 12 + 10 + 12
    position = len(head) + fixed
    encoded = [_encode_record(node.record) for node in nodes]
    for node, (data, _) in zip(nodes, encoded, strict=True):  # offsets are fixed-size (UL)
        node.offset = position
        position += len(data)

    def link(level: list[_Node]) -> None:
        for i, node in enumerate(level):
            node.record["OffsetOfTheNextDirectoryRecord"] = (
                level[i + 1].offset if i + 1 < len(level) else 0
            )
            node.record["OffsetOfReferencedLowerLevelDirectoryEntity"] = (
                node.children[0].offset if node.children else 0
            )
            link(node.children)

    link(roots)
    for node, (data, where) in zip(nodes, encoded, strict=True):
        for keyword, at in where.items():
            struct.pack_into("<I", data, at, node.record[keyword])
    body = (
        file_set_id
        + struct.pack("<HH2sHI", 0x0004, 0x1200, b"UL", 4, roots[0].offset)
        + struct.pack("<HH2sHI", 0x0004, 0x1202, b"UL", 4, roots[-1].offset)
        + struct.pack("<HH2sHH", 0x0004, 0x1212, b"US", 2, 0)
        + struct.pack("<HH2sHI", 0x0004, 0x1220, b"SQ", 0, sum(len(d) for d, _ in encoded))
    )
    assert len(body) == fixed
    # One join: the file is copied once, not three times (a 30,000-image DICOMDIR is ~8 MB).
    return b"".join([head, body, *(data for data, _ in encoded)])
