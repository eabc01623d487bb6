"""Build a DICOMDIR (a PS3.10 file-set index) from instance headers, without pixel data.

pydicom's ``FileSet.add`` loads and stages a copy of every instance; a bundle
already copies each file once into the ZIP, so here only the directory records
are built (PATIENT / STUDY / SERIES / IMAGE), from headers read with
``stop_before_pixels``. The offsets between records are byte positions in the
encoded file: the DICOMDIR is encoded once with zero offsets, read back to learn
where each record starts, then encoded again with the real offsets (the offsets
are fixed-size UL values, so the second encoding has the same layout).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian, generate_uid

from recordpack.errors import BundleError

#: Media Storage Directory Storage SOP Class (PS3.4), the DICOMDIR's own class.
MEDIA_STORAGE_DIRECTORY: Final = "1.2.840.10008.1.3.10"
FILE_SET_ID: Final = "RECORDPACK"

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
    """One instance of the file-set: its file ID components and its header."""

    file_id: tuple[str, ...]  # ("PT000000", "ST000000", "SE000000", "IM000000")
    header: Dataset  # file_meta + HEADER_KEYWORDS, no pixel data


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
    """True for a syntactically valid DICOM UID (PS3.5 9.1)."""
    return isinstance(value, str) and len(value) <= 64 and _UID_RE.fullmatch(value) is not None


def fill_missing(header: Dataset, fallback: dict[str, Any]) -> Dataset:
    """Fill absent or empty elements of ``header`` from ``fallback`` (keyword -> value).

    Values that are not valid UIDs are ignored for UID elements (a scanner may
    stand in a path for a missing UID; a DICOMDIR must not carry it).
    """
    for keyword, value in fallback.items():
        if value in (None, ""):
            continue
        if keyword.endswith("UID") and not is_uid(value):
            continue
        if keyword not in header or header[keyword].VM == 0:
            setattr(header, keyword, value)
    return header


def _value(ds: Dataset, keyword: str, default: Any = None) -> Any:
    if keyword in ds and ds[keyword].VM != 0:
        return ds[keyword].value
    return default


def _new_record(record_type: str, header: Dataset) -> Dataset:
    record = Dataset()
    record.OffsetOfTheNextDirectoryRecord = 0
    record.RecordInUseFlag = 0xFFFF
    record.OffsetOfReferencedLowerLevelDirectoryEntity = 0
    record.DirectoryRecordType = record_type
    charset = _value(header, "SpecificCharacterSet")
    if charset:
        record.SpecificCharacterSet = charset
    return record


def _patient_record(header: Dataset, index: int, seed: str) -> Dataset:
    record = _new_record("PATIENT", header)
    record.PatientName = _value(header, "PatientName", "")
    # Patient ID is Type 1 in a PATIENT record: invent a stable one when the file has none.
    record.PatientID = _value(header, "PatientID", f"RECORDPACK{index:06d}")
    return record


def _uid(header: Dataset, keyword: str, seed: str) -> str:
    """The header's UID, or a stable made-up one (Type 1 in the record) when it has none."""
    value = _value(header, keyword)
    if is_uid(str(value)):
        return str(value)
    return str(generate_uid(entropy_srcs=[keyword, seed]))


def _study_record(header: Dataset, index: int, seed: str) -> Dataset:
    record = _new_record("STUDY", header)
    record.StudyDate = _value(header, "StudyDate", "")
    record.StudyTime = _value(header, "StudyTime", "")
    record.StudyDescription = _value(header, "StudyDescription", "")
    record.StudyInstanceUID = _uid(header, "StudyInstanceUID", seed)
    record.StudyID = _value(header, "StudyID", str(index + 1))
    record.AccessionNumber = _value(header, "AccessionNumber", "")
    return record


def _series_record(header: Dataset, index: int, seed: str) -> Dataset:
    record = _new_record("SERIES", header)
    record.Modality = _value(header, "Modality", "OT")
    record.SeriesInstanceUID = _uid(header, "SeriesInstanceUID", seed)
    record.SeriesNumber = _value(header, "SeriesNumber", index + 1)
    return record


def _image_record(entry: FileSetEntry, index: int) -> Dataset:
    header = entry.header
    record = _new_record("IMAGE", header)
    record.ReferencedFileID = list(entry.file_id)
    record.ReferencedSOPClassUIDInFile = header.SOPClassUID
    record.ReferencedSOPInstanceUIDInFile = header.SOPInstanceUID
    syntax = getattr(getattr(header, "file_meta", None), "TransferSyntaxUID", None)
    record.ReferencedTransferSyntaxUIDInFile = syntax or ExplicitVRLittleEndian
    record.InstanceNumber = _value(header, "InstanceNumber", index + 1)
    return record


class _Node:
    def __init__(self, record: Dataset) -> None:
        self.record = record
        self.children: list[_Node] = []


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
        siblings = roots
        for level in range(3):
            prefix = entry.file_id[: level + 1]
            node = by_prefix.get(prefix)
            if node is None:
                # Made-up UIDs must differ between bundles: seed with an instance UID too.
                seed = "/".join(prefix) + "/" + str(_value(entry.header, "SOPInstanceUID", ""))
                node = _Node(builders[level](entry.header, len(siblings), seed))
                by_prefix[prefix] = node
                siblings.append(node)
            siblings = node.children
        siblings.append(_Node(_image_record(entry, len(siblings))))
    return roots


def _flatten(nodes: list[_Node], out: list[_Node]) -> None:
    for node in nodes:
        out.append(node)
        _flatten(node.children, out)


def _encode(records: list[Dataset], roots: tuple[int, int], file_set_uid: str) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(MEDIA_STORAGE_DIRECTORY)
    meta.MediaStorageSOPInstanceUID = UID(file_set_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    ds.preamble = b"\x00" * 128
    ds.FileSetID = FILE_SET_ID
    ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = roots[0]
    ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = roots[1]
    ds.FileSetConsistencyFlag = 0
    ds.DirectoryRecordSequence = records
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def build_dicomdir(entries: Sequence[FileSetEntry], *, file_set_uid: str | None = None) -> bytes:
    """The encoded DICOMDIR for ``entries``; raises ``BundleError`` if there are none."""
    if not entries:
        raise BundleError("no DICOM instances to index")
    uid = file_set_uid or generate_uid()
    roots = _tree(entries)
    nodes: list[_Node] = []
    _flatten(roots, nodes)
    records = [node.record for node in nodes]

    # Pass 1: learn where each record's item starts in the encoded file.
    first = _encode(records, (0, 0), uid)
    decoded = dcmread(io.BytesIO(first))
    offsets = {
        id(node): int(item.seq_item_tell)
        for node, item in zip(nodes, decoded.DirectoryRecordSequence, strict=True)
    }

    # Pass 2: link siblings and children by those offsets.
    def link(level: list[_Node]) -> None:
        for position, node in enumerate(level):
            following = level[position + 1] if position + 1 < len(level) else None
            node.record.OffsetOfTheNextDirectoryRecord = offsets[id(following)] if following else 0
            node.record.OffsetOfReferencedLowerLevelDirectoryEntity = (
                offsets[id(node.children[0])] if node.children else 0
            )
            link(node.children)

    link(roots)
    second = _encode(records, (offsets[id(roots[0])], offsets[id(roots[-1])]), uid)
    if len(second) != len(first):  # cannot happen with fixed-size offsets; never ship a bad index
        raise BundleError("the DICOMDIR changed size while linking its records")
    return second
