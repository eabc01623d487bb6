"""DICOM files: headers only, never pixel data.

Recognises PS3.10 files (``DICM`` at offset 128) and raw datasets without a
preamble or file meta (explicit or implicit VR, little or big endian), and
gzip-compressed DICOM. What a file is comes from its SOP Class UID:

* images and their companions (CT, MR, PET, MG, US, X-ray, NM, whole-slide,
  SEG, presentation states, dose SRs...) -> :class:`DicomHeader`, grouped by the
  walker into one ``imaging_study`` record per study;
* RT plan, dose, structure set, ion and brachy plans, treatment records ->
  ``treatment_plan`` document;
* structured reports -> a document classified by its text (radiology SRs are
  ``imaging_report``);
* encapsulated PDF / CDA -> the PDF or C-CDA scanner's verdict on the embedded
  document (fallback ``imaging_report``);
* waveforms (ECG...) -> ``other``; DICOMDIR -> skipped.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
import struct
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from recordpack.model import UNREADABLE, UNSUPPORTED, Patient, Problem, Skipped
from recordpack.scan.base import MAX_DOCUMENT_BYTES, DicomHeader, Document, Outcome, Source
from recordpack.scan.clutter import DICOMDIR_REASON

if TYPE_CHECKING:
    # pydicom (and numpy, which it imports) takes a fifth of a second to import: it is
    # imported when a DICOM file is read, not by every scan of a folder of PDFs.
    from pydicom.dataset import Dataset

FORMAT = "dicom"

DICOMDIR_SOP: Final = "1.2.840.10008.1.3.10"
ENCAPSULATED_PDF: Final = "1.2.840.10008.5.1.4.1.1.104.1"
ENCAPSULATED_CDA: Final = "1.2.840.10008.5.1.4.1.1.104.2"

#: RT objects that are a treatment plan or its parts (RT Image is a plain image).
RT_TITLES: Final[dict[str, str]] = {
    "1.2.840.10008.5.1.4.1.1.481.2": "Radiation dose distribution (RT Dose)",
    "1.2.840.10008.5.1.4.1.1.481.3": "Radiotherapy structure set (RT Structure Set)",
    "1.2.840.10008.5.1.4.1.1.481.4": "Radiation treatment record (RT Beams Treatment Record)",
    "1.2.840.10008.5.1.4.1.1.481.5": "Radiation treatment plan (RT Plan)",
    "1.2.840.10008.5.1.4.1.1.481.6": "Brachytherapy treatment record",
    "1.2.840.10008.5.1.4.1.1.481.7": "Radiation treatment summary record",
    "1.2.840.10008.5.1.4.1.1.481.8": "Proton or ion radiation treatment plan (RT Ion Plan)",
    "1.2.840.10008.5.1.4.1.1.481.9": "Proton or ion radiation treatment record",
    "1.2.840.10008.5.1.4.1.1.481.10": "Radiotherapy physician intent",
    "1.2.840.10008.5.1.4.1.1.481.11": "Radiotherapy segment annotation",
    "1.2.840.10008.5.1.4.1.1.481.12": "Radiotherapy radiation set",
    "1.2.840.10008.5.1.4.1.1.481.13": "C-arm photon-electron radiation plan",
    "1.2.840.10008.5.1.4.1.1.481.14": "Tomotherapeutic radiation plan",
    "1.2.840.10008.5.1.4.1.1.481.15": "Robotic-arm radiation plan",
    "1.2.840.10008.5.1.4.1.1.481.16": "Radiation record set",
    "1.2.840.10008.5.1.4.1.1.481.17": "Radiation salvage record",
    "1.2.840.10008.5.1.4.1.1.481.18": "Tomotherapeutic radiation record",
    "1.2.840.10008.5.1.4.1.1.481.19": "C-arm radiation record",
    "1.2.840.10008.5.1.4.1.1.481.20": "Robotic radiation record",
    "1.2.840.10008.5.1.4.1.1.481.21": "Radiation set delivery instruction",
    "1.2.840.10008.5.1.4.1.1.481.22": "Treatment position plan",
    "1.2.840.10008.5.1.4.1.1.481.23": "Enhanced RT image",
    "1.2.840.10008.5.1.4.1.1.481.24": "Enhanced continuous RT image",
    "1.2.840.10008.5.1.4.1.1.481.25": "Radiotherapy patient position",
    "1.2.840.10008.5.1.4.1.1.481.26": "Radiotherapy patient position acquisition",
    "1.2.840.10008.5.1.4.1.1.481.27": "Radiotherapy patient position registration",
    "1.2.840.10008.5.1.4.34.7": "Radiotherapy treatment delivery instruction",
}
#: Of those, the ones that are images or imaging companions, kept with the study.
RT_IMAGES: Final = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.481.23",
        "1.2.840.10008.5.1.4.1.1.481.24",
        "1.2.840.10008.5.1.4.1.1.481.25",
        "1.2.840.10008.5.1.4.1.1.481.26",
        "1.2.840.10008.5.1.4.1.1.481.27",
    }
)
#: Brachy plan lives outside the .481 branch of the registry.
RT_TITLES_EXTRA: Final[dict[str, str]] = {
    "1.2.840.10008.5.1.4.1.1.481.5.1": "Brachytherapy treatment plan",
}

#: SRs that belong with the images (dose reports, CAD marks, key-image notes).
IMAGING_SR: Final = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.88.59",  # Key Object Selection
        "1.2.840.10008.5.1.4.1.1.88.67",  # X-Ray Radiation Dose SR
        "1.2.840.10008.5.1.4.1.1.88.68",  # Radiopharmaceutical Radiation Dose SR
        "1.2.840.10008.5.1.4.1.1.88.73",  # Patient Radiation Dose SR
        "1.2.840.10008.5.1.4.1.1.88.74",  # Planned Imaging Agent Administration SR
        "1.2.840.10008.5.1.4.1.1.88.75",  # Performed Imaging Agent Administration SR
        "1.2.840.10008.5.1.4.1.1.88.71",  # Acquisition Context SR
    }
)

_VRS: Final = frozenset(
    b"AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split()
)
_GZIP_MAGIC: Final = b"\x1f\x8b"
_SUFFIXES: Final = frozenset({".dcm", ".dicom", ".dic", ".ima"})
#: Stray bytes tolerated before a raw dataset (seen in the wild: one leading byte).
_MAX_SKEW: Final = 8
_MAX_SR_LINES: Final = 2000


# --------------------------------------------------------------------------- sniffing


def _plausible_raw(data: bytes, offset: int) -> bool:
    """Whether a raw dataset (no preamble, no meta) plausibly starts at ``offset``."""
    chunk = data[offset : offset + 16]
    if len(chunk) < 12:
        return False
    for endian in ("<", ">"):
        group, element = struct.unpack(endian + "HH", chunk[:4])
        if group not in (0x0002, 0x0008) or element > 0x0200:
            continue
        if chunk[4:6] in _VRS:
            return True
        (length,) = struct.unpack(endian + "I", chunk[4:8])
        if length < 256 and len(data) >= offset + 8 + length + 4:
            nxt = data[offset + 8 + length : offset + 12 + length]
            next_group, next_element = struct.unpack(endian + "HH", nxt)
            if next_group == group and next_element > element:
                return True
    return False


def _raw_offset(data: bytes) -> int | None:
    for offset in range(_MAX_SKEW + 1):
        if _plausible_raw(data, offset):
            return offset
    return None


def _gunzip_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 1024)
    except zlib.error:
        return b""


def _looks_dicom(data: bytes) -> bool:
    return data[128:132] == b"DICM" or _raw_offset(data) is not None


def sniff(source: Source) -> bool:
    """DICM marker, a plausible raw dataset, gzip-wrapped DICOM, or a DICOM file name."""
    head = source.head
    if head.startswith(_GZIP_MAGIC):
        return _looks_dicom(_gunzip_head(head))
    return _looks_dicom(head) or source.suffix in _SUFFIXES


# --------------------------------------------------------------------------- parsing


class _NotDicom(Exception):
    """The bytes are not a DICOM dataset."""


class _HeaderTooLarge(Exception):
    """A header holding more than the scan reads of one (see :data:`MAX_HEADER_BYTES`)."""


#: A header element longer than this is not read by the parse: pydicom seeks past
#: it (``defer_size``). No element scan reads comes near it, but a vendor's raw
#: data kept in a private element before the pixel data can be gigabytes.
DEFER_BYTES: Final = 16 * 1024 * 1024
#: Bytes of one header the parse reads at most, its skipped elements aside: many
#: elements each under :data:`DEFER_BYTES` must not add up to gigabytes either.
MAX_HEADER_BYTES: Final = 64 * 1024 * 1024
_ENCAPSULATED_DOCUMENT: Final = 0x00420011


class _Bounded:
    """``stream`` from its offset ``base`` on (tell and seek count from there), refusing
    to read more than ``limit`` bytes in all: what pydicom parses a header through."""

    def __init__(self, stream: BinaryIO, limit: int, base: int = 0) -> None:
        self._stream = stream
        self._left = limit
        self._base = base
        stream.seek(base)

    def read(self, size: int | None = -1) -> bytes:
        if size is not None and size > self._left:
            # An element's declared length: refused before any of it is read.
            raise _HeaderTooLarge
        # A read to the end (a deflated dataset) takes one byte more than allowed, to tell.
        data = self._stream.read(self._left + 1 if size is None or size < 0 else size)
        if len(data) > self._left:
            raise _HeaderTooLarge
        self._left -= len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            offset += self._base
        return self._stream.seek(offset, whence) - self._base

    def tell(self) -> int:
        return self._stream.tell() - self._base

    def read_unbounded(self, at: int, size: int) -> bytes:
        """``size`` bytes at ``at``, outside the header's allowance (a document it carries)."""
        self.seek(at)
        return self._stream.read(size)


def _read_dataset(source: Source) -> tuple[Dataset, bool, str | None, list[str]]:
    """The header (no pixel data), whether it is PS3.10, the pixel data state
    (see :func:`_pixel_state`), and notes for the evidence.

    Parses from the in-memory head when the header fits in it; otherwise reads
    the file again through ``source.open()`` (from the page cache).
    """
    notes: list[str] = []
    head = source.head
    if head.startswith(_GZIP_MAGIC):
        with gzip.GzipFile(fileobj=source.open()) as unzipped:
            data = unzipped.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise _NotDicom("the compressed DICOM file is too large to unpack in memory")
        notes.append("gzip-compressed DICOM file")
        dataset, _, pixels = _parse(io.BytesIO(data), len(data), data)
        return dataset, False, pixels, notes
    if head[128:132] == b"DICM":
        offset = 0
        from recordpack.scan.dicomheader import read_header

        quick = read_header(head, source.size)
        if quick is not None and _image_header_only(_sop_class(quick[0])):
            return quick[0], True, quick[1], notes
    else:
        found = _raw_offset(head)
        if found is None:
            raise _NotDicom("no DICOM header was found at the start of the file")
        offset = found
        if offset:
            notes.append(f"{offset} stray byte(s) before the DICOM data were ignored")
    whole = len(head) == source.size
    if whole:
        data = head[offset:]
        dataset, _, pixels = _parse(io.BytesIO(data), len(data), data)
    elif offset:
        with source.open() as stream:
            dataset, _, pixels = _parse(stream, source.size - offset, None, base=offset)
    else:
        try:
            dataset, complete, pixels = _parse(io.BytesIO(head), source.size, head)
        except Exception:  # noqa: BLE001  the header may run past the head: read the file
            complete = False
        if not complete:
            with source.open() as stream:
                dataset, _, pixels = _parse(stream, source.size, None)
    part10 = (
        offset == 0
        and head[128:132] == b"DICM"
        and bool(getattr(dataset, "file_meta", None) and dataset.file_meta.get("TransferSyntaxUID"))
    )
    return dataset, part10, pixels, notes


def _parse(
    stream: BinaryIO, total_size: int, buffer: bytes | None, base: int = 0
) -> tuple[Dataset, bool, str | None]:
    """Parse up to the pixel data: (dataset, complete, pixel data state), reading
    the dataset that starts at ``base`` of ``stream`` in bounded memory: an
    element over :data:`DEFER_BYTES` is skipped, not read, and a header over
    :data:`MAX_HEADER_BYTES` raises :class:`_HeaderTooLarge`.

    ``complete`` is False when a partial buffer (the head) ran out before the
    header ended, so the caller must parse the whole file.
    """
    import pydicom

    bounded = _Bounded(stream, MAX_HEADER_BYTES, base)
    dataset = pydicom.dcmread(
        bounded, stop_before_pixels=True, force=True, defer_size=DEFER_BYTES
    )
    position = bounded.tell()
    complete = buffer is None or position < len(buffer) or len(buffer) >= total_size
    pixels = _pixel_state(dataset, bounded, position, total_size) if complete else None
    if complete and _sop_class(dataset) in (ENCAPSULATED_PDF, ENCAPSULATED_CDA):
        _load_document(dataset, bounded)
    # A skipped element is never read later: pydicom would read it whole, from a
    # stream closed by then (or, by the descriptor number it takes for a file
    # name, from whatever file has that number now).
    dataset.buffer = None
    dataset.filename = None
    return dataset, complete, pixels


def _load_document(dataset: Dataset, stream: _Bounded) -> None:
    """Read the encapsulated document the parse skipped for its size, as large as
    any document scan reads (:data:`MAX_DOCUMENT_BYTES`)."""
    from pydicom.dataelem import RawDataElement

    raw = dataset.get_item(_ENCAPSULATED_DOCUMENT, keep_deferred=True)
    if (
        isinstance(raw, RawDataElement)
        and raw.value is None
        and 0 < raw.length <= MAX_DOCUMENT_BYTES
    ):
        value = stream.read_unbounded(raw.value_tell, raw.length)
        dataset[_ENCAPSULATED_DOCUMENT] = raw._replace(value=value)


#: Explicit VRs with a 4-byte length (and two reserved bytes before it).
_LONG_VRS: Final = frozenset(b"OB OD OF OL OV OW SQ UC UN UR UT UV".split())
_UNDEFINED: Final = 0xFFFFFFFF
_ITEM: Final = (0xFFFE, 0xE000)
_ITEM_END: Final = (0xFFFE, 0xE00D)
_SEQ_END: Final = (0xFFFE, 0xE0DD)
_PIXEL_TAGS: Final = frozenset({(0x7FE0, 0x0010), (0x7FE0, 0x0008), (0x7FE0, 0x0009)})
_MAX_NESTING: Final = 32
#: How far past a long header the fragments of encapsulated pixel data are walked.
_ENCAPSULATED_LOOK: Final = 64 * 1024
#: Transfer syntaxes whose dataset is not explicit VR little endian as written.
_NOT_EXPLICIT_LE: Final = frozenset(
    {"1.2.840.10008.1.2", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}
)


class _Cp246:
    """A PS3.10 header copied with each undefined-length UN element given a length.

    PS3.5 6.2.2 (CP-246): an element of VR UN with undefined length holds a
    sequence encoded as implicit VR little endian, whatever the transfer
    syntax. pydicom parses it with the dataset's explicit VR and fails on
    content whose lengths happen to spell a VR; dcmtk follows CP-246. Here the
    content is walked as implicit VR only to find its end, and the element is
    rewritten as a defined-length UN, which pydicom keeps as raw bytes.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.out = bytearray()
        self.removed = 0  # bytes of sequence delimiters dropped
        self._taken = 0

    def _read(self, size: int) -> bytes:
        self._taken += size
        if self._taken > MAX_HEADER_BYTES:
            raise _HeaderTooLarge
        data = self._stream.read(size)
        if len(data) < size:
            raise _NotDicom("the file ends inside its header")
        return data

    def _implicit(self, end: tuple[int, int], depth: int) -> bytearray:
        """Implicit-VR content up to ``end`` (the delimiter itself is read, not returned)."""
        if depth > _MAX_NESTING:
            raise _NotDicom("sequences are nested too deeply")
        content = bytearray()
        while True:
            header = self._read(8)
            group, element, length = struct.unpack("<HHI", header)
            if (group, element) == end:
                return content
            content += header
            if length == _UNDEFINED:
                inner_end = _ITEM_END if (group, element) == _ITEM else _SEQ_END
                content += self._implicit(inner_end, depth + 1)
                content += struct.pack("<HHI", *inner_end, 0)
            else:
                content += self._read(length)

    def explicit(self) -> None:
        """Copy the whole header (file meta and dataset, up to the pixel data)."""
        self._explicit(None, 0)

    def _explicit(self, end: tuple[int, int] | None, depth: int) -> bool:
        """Copy explicit-VR elements up to ``end`` (None: the top level, until the
        pixel data or the end of the file); True when the pixel data was reached."""
        if depth > _MAX_NESTING:
            raise _NotDicom("sequences are nested too deeply")
        while True:
            tag = self._stream.read(4)
            if not tag and end is None:
                return False
            if len(tag) < 4:
                raise _NotDicom("the file ends inside its header")
            key = struct.unpack("<HH", tag)
            if end is None and key in _PIXEL_TAGS:
                self.out += tag + self._stream.read(8)
                return True
            if key in (_ITEM, _ITEM_END, _SEQ_END):
                raw = self._read(4)
                self.out += tag + raw
                if key == end:
                    return False
                if key == _ITEM and struct.unpack("<I", raw)[0] == _UNDEFINED:
                    self._explicit(_ITEM_END, depth + 1)
                elif key == _ITEM:
                    self.out += self._read(struct.unpack("<I", raw)[0])
                continue
            vr = self._read(2)
            if vr not in _LONG_VRS:
                raw = self._read(2)
                self.out += tag + vr + raw + self._read(struct.unpack("<H", raw)[0])
                continue
            raw = self._read(6)
            (length,) = struct.unpack("<I", raw[2:])
            if length != _UNDEFINED:
                self.out += tag + vr + raw + self._read(length)
            elif vr == b"UN":
                content = self._implicit(_SEQ_END, depth + 1)
                self.out += tag + b"UN\x00\x00" + struct.pack("<I", len(content)) + content
                self.removed += 8
            else:
                self.out += tag + vr + raw
                self._explicit(_SEQ_END, depth + 1)


def _read_cp246(source: Source) -> tuple[Dataset, bool, str | None, list[str]] | None:
    """The header of a PS3.10 explicit-VR file read as CP-246 says (see :class:`_Cp246`),
    or None when the file is not one this applies to."""
    head = source.head
    if head[128:132] != b"DICM":
        return None
    at = head.find(b"\x02\x00\x10\x00UI", 132, 132 + 4096)  # (0002,0010) Transfer Syntax UID
    if at < 0:
        return None
    (size,) = struct.unpack("<H", head[at + 6 : at + 8])
    syntax = head[at + 8 : at + 8 + size].rstrip(b"\x00 ").decode("ascii", "replace")
    if syntax in _NOT_EXPLICIT_LE:
        return None
    with source.open() as stream:
        stream.seek(128 + 4)
        copy = _Cp246(stream)
        copy.out += head[:132]
        copy.explicit()
        if not copy.removed:
            return None
        data = bytes(copy.out)
    dataset, _, pixels = _parse(io.BytesIO(data), source.size - copy.removed, None)
    notes = ["element of VR UN with undefined length read as implicit VR (DICOM CP-246)"]
    return dataset, True, pixels, notes


def _pixel_state(dataset: Dataset, stream: _Bounded, position: int, total: int) -> str | None:
    """Whether pixel data follows the header: "ok"; "truncated" when the element
    runs past the end of the file; "absent" when the file ends with the header;
    None when something else follows, or when this cannot be told (a deflated
    dataset is parsed from a copy pydicom inflated, not from ``stream``)."""
    try:
        implicit, little = dataset.original_encoding
    except (AttributeError, TypeError, ValueError):
        return None
    if implicit is None or little is None:
        return None
    meta = getattr(dataset, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if syntax is not None and getattr(syntax, "is_deflated", False):
        return None
    stream.seek(position)
    header = stream.read(12)
    if not header and position >= total:
        return "absent"
    if len(header) < 8:
        return None
    endian = "<" if little else ">"
    group, element = struct.unpack(endian + "HH", header[:4])
    if (group, element) not in ((0x7FE0, 0x0010), (0x7FE0, 0x0008), (0x7FE0, 0x0009)):
        return None
    if implicit or header[4:6] not in _VRS:
        # No VR where one should be: written implicit whatever the syntax says
        # (pydicom reads such a file as implicit too).
        (length,) = struct.unpack(endian + "I", header[4:8])
        start = position + 8
    elif header[4:6] in (b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"UN"):
        if len(header) < 12:
            return "truncated"
        (length,) = struct.unpack(endian + "I", header[8:12])
        start = position + 12
    else:
        (length,) = struct.unpack(endian + "H", header[6:8])
        start = position + 8
    if length != _UNDEFINED:
        return "truncated" if start + length > total else "ok"
    if not little:
        return "ok"  # every encapsulated syntax is little endian: not a fragment walk's to judge
    from recordpack.scan.dicomheader import encapsulated_state

    # The fragments' item headers, as far as the header's bytes go on (in the head
    # read already, or one more read just past a long header).
    stream.seek(start)
    return encapsulated_state(stream.read(_ENCAPSULATED_LOOK), 0, total - start)


# --------------------------------------------------------------------------- values


@functools.cache
def _tag(keyword: str) -> Any:
    """A keyword's tag (what ``Dataset.get(keyword)`` would look up each time)."""
    from recordpack.scan.dicomheader import tag_of

    return tag_of(keyword)


def _text(dataset: Dataset, keyword: str) -> str | None:
    try:
        element = dataset.get(_tag(keyword))
        value = None if element is None else element.value
    except Exception:  # noqa: BLE001  a malformed element is as good as absent
        return None
    if value is None:
        return None
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
    text = str(value).strip().strip("\x00").strip()
    return text or None


def _int(dataset: Dataset, keyword: str) -> int | None:
    text = _text(dataset, keyword)
    if text is None:
        return None
    match = re.match(r"[+-]?\d+", text)
    return int(match.group()) if match else None


def iso_date(value: str | None) -> str | None:
    """A DICOM DA (YYYYMMDD, or the old YYYY.MM.DD) as ISO YYYY-MM-DD, or None."""
    if not value:
        return None
    digits = value.strip().replace(".", "").replace("-", "")[:8]
    if not re.fullmatch(r"\d{8}", digits):
        return None
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"


def _first_date(dataset: Dataset, *keywords: str) -> str | None:
    for keyword in keywords:
        date = iso_date(_text(dataset, keyword))
        if date:
            return date
    return None


def _person_name(dataset: Dataset) -> str | None:
    """PatientName as written (``^`` kept), or None when it holds only separators."""
    name = _text(dataset, "PatientName")
    if name is None or not name.replace("^", "").replace("=", "").strip():
        return None
    return name


def _patient(dataset: Dataset) -> Patient:
    return Patient(
        name=_person_name(dataset),
        birth_date=iso_date(_text(dataset, "PatientBirthDate")),
        id=_text(dataset, "PatientID"),
    )


def _sop_class(dataset: Dataset) -> str:
    sop = _text(dataset, "SOPClassUID")
    if not sop and getattr(dataset, "file_meta", None) is not None:
        sop = _text(dataset.file_meta, "MediaStorageSOPClassUID")
    return sop or ""


def _transfer_syntax(dataset: Dataset) -> str | None:
    meta = getattr(dataset, "file_meta", None)
    return _text(meta, "TransferSyntaxUID") if meta is not None else None


def sop_name(uid: str) -> str:
    """The registry name of a SOP Class UID ('CT Image Storage'), or the UID itself."""
    from pydicom.uid import UID

    try:
        name = UID(uid).name
    except Exception:  # noqa: BLE001
        return uid
    return name or uid


def _is_sr(uid: str, name: str) -> bool:
    return uid.startswith("1.2.840.10008.5.1.4.1.1.88.") or name.endswith(" SR Storage")


def _is_waveform(name: str) -> bool:
    return "Waveform" in name or "Audio" in name


# --------------------------------------------------------------------------- outcomes


def _header(source: Source, dataset: Dataset, part10: bool, sop: str) -> DicomHeader:
    return DicomHeader(
        path=source.path,
        sop_class_uid=sop,
        sop_instance_uid=_text(dataset, "SOPInstanceUID") or "",
        transfer_syntax_uid=_transfer_syntax(dataset),
        part10=part10,
        study_instance_uid=_text(dataset, "StudyInstanceUID") or "",
        series_instance_uid=_text(dataset, "SeriesInstanceUID") or "",
        modality=_text(dataset, "Modality"),
        study_date=_first_date(
            dataset, "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"
        ),
        study_time=_text(dataset, "StudyTime"),
        study_description=_text(dataset, "StudyDescription"),
        series_description=_text(dataset, "SeriesDescription"),
        series_number=_int(dataset, "SeriesNumber"),
        instance_number=_int(dataset, "InstanceNumber"),
        accession_number=_text(dataset, "AccessionNumber"),
        study_id=_text(dataset, "StudyID"),
        patient=_patient(dataset),
    )


def _treatment_plan(source: Source, dataset: Dataset, sop: str, notes: list[str]) -> Document:
    base = RT_TITLES.get(sop) or RT_TITLES_EXTRA.get(sop) or sop_name(sop)
    label = (
        _text(dataset, "RTPlanLabel")
        or _text(dataset, "StructureSetLabel")
        or _text(dataset, "RTPlanName")
    )
    title = f"{base}: {label}" if label else base
    return Document(
        path=source.path,
        kind="treatment_plan",
        title=title,
        date=_first_date(
            dataset,
            "RTPlanDate",
            "StructureSetDate",
            "TreatmentDate",
            "ContentDate",
            "StudyDate",
            "InstanceCreationDate",
        ),
        patient=_patient(dataset),
        confidence=0.97,
        evidence=(f"DICOM SOP class '{sop_name(sop)}'", *notes),
        format=FORMAT,
    )


def _concept(item: Dataset, keyword: str = "ConceptNameCodeSequence") -> str | None:
    try:
        sequence = item.get(keyword)
        if sequence:
            return _text(sequence[0], "CodeMeaning")
    except Exception:  # noqa: BLE001
        return None
    return None


def sr_lines(dataset: Dataset) -> Iterator[str]:
    """The readable text of a structured report: concept names with their values."""
    count = 0

    def walk(items: Any, depth: int) -> Iterator[str]:
        nonlocal count
        if depth > 32:
            return
        for item in items or ():
            if count >= _MAX_SR_LINES:
                return
            name = _concept(item) or ""
            kind = _text(item, "ValueType") or ""
            value: str | None = None
            if kind == "TEXT":
                value = _text(item, "TextValue")
            elif kind == "CODE":
                value = _concept(item, "ConceptCodeSequence")
            elif kind == "NUM":
                try:
                    measured = item.get("MeasuredValueSequence")
                    if measured:
                        unit = _concept(measured[0], "MeasurementUnitsCodeSequence") or ""
                        value = f"{_text(measured[0], 'NumericValue')} {unit}".strip()
                except Exception:  # noqa: BLE001
                    value = None
            elif kind in ("DATE", "TIME", "DATETIME", "PNAME", "UIDREF"):
                value = _text(
                    item,
                    {
                        "DATE": "Date",
                        "TIME": "Time",
                        "DATETIME": "DateTime",
                        "PNAME": "PersonName",
                        "UIDREF": "UID",
                    }[kind],
                )
            line = f"{name}: {value}" if name and value else (value or name)
            if line:
                count += 1
                yield line
            try:
                children = item.get("ContentSequence")
            except Exception:  # noqa: BLE001
                children = None
            if children:
                yield from walk(children, depth + 1)

    try:
        root = dataset.get("ContentSequence")
    except Exception:  # noqa: BLE001
        root = None
    yield from walk(root, 0)


def _classify(text: str, name: str | None) -> Any:
    from recordpack.classify import classify_text

    try:
        return classify_text(text, name=name)
    except Exception:  # noqa: BLE001  a classifier bug must not lose the document
        return None


def _report(source: Source, dataset: Dataset, sop: str, notes: list[str]) -> Document:
    title = _concept(dataset) or _text(dataset, "SeriesDescription") or "Structured report"
    lines = list(sr_lines(dataset))
    text = "\n".join([title, *lines])
    header_patient = _patient(dataset)
    date = _first_date(dataset, "ContentDate", "StudyDate", "SeriesDate", "InstanceCreationDate")
    evidence = [f"DICOM SOP class '{sop_name(sop)}'", *notes]
    verdict = _classify(text, title)
    # A structured report comes from an imaging department: it is the imaging
    # report unless its text clearly says otherwise (e.g. a pathology SR).
    if (
        verdict is not None
        and verdict.kind not in ("imaging_report", "other", "imaging_study")
        and (verdict.confidence >= 0.75)
    ):
        kind, confidence = verdict.kind, verdict.confidence
        evidence.extend(verdict.evidence)
    else:
        kind, confidence = "imaging_report", 0.9
        evidence.append("structured report from an imaging study")
        if verdict is not None and verdict.kind == "imaging_report":
            evidence.extend(verdict.evidence)
    return Document(
        path=source.path,
        kind=kind,
        title=title,
        date=date,
        patient=header_patient
        if not header_patient.is_empty()
        else getattr(verdict, "patient", Patient()),
        confidence=confidence,
        evidence=tuple(evidence),
        format=FORMAT,
        text=text,
    )


def _better_date(document: Document, header_date: str | None) -> str | None:
    """The embedded document's own date, unless it is only its file's creation date."""
    guessed = any("creation date" in line for line in document.evidence)
    if document.date and not (guessed and header_date):
        return document.date
    return header_date or document.date


def _encapsulated(source: Source, dataset: Dataset, sop: str, notes: list[str]) -> list[Outcome]:
    """The embedded PDF or CDA, read by its own scanner; header facts fill the gaps."""
    is_pdf = sop == ENCAPSULATED_PDF
    label = "PDF" if is_pdf else "CDA"
    title = _text(dataset, "DocumentTitle") or _concept(dataset) or f"{label} document in DICOM"
    patient = _patient(dataset)
    date = _first_date(dataset, "ContentDate", "StudyDate", "SeriesDate", "AcquisitionDateTime")
    evidence = [f"DICOM SOP class '{sop_name(sop)}'", f"{label} encapsulated in DICOM", *notes]
    outcomes: list[Outcome] = []
    try:
        data = bytes(dataset.EncapsulatedDocument)
    except Exception:  # noqa: BLE001
        data = b""
    if data:
        length = _int(dataset, "EncapsulatedDocumentLength")
        if length and 0 < length <= len(data):
            data = data[:length]
        elif data.endswith(b"\x00"):
            data = data[:-1]  # DICOM pads odd lengths with one NUL
        if is_pdf:
            from recordpack.scan import pdf as inner_scanner
        else:
            from recordpack.scan import ccda as inner_scanner  # type: ignore[no-redef]
        try:
            inner = inner_scanner.scan(Source.from_bytes(source.path, data))
        except Exception:  # noqa: BLE001
            inner = []
        for outcome in inner:
            if isinstance(outcome, Document):
                if outcome.kind == "other" and outcome.confidence < 0.5:
                    continue
                outcomes.append(
                    Document(
                        path=source.path,
                        kind=outcome.kind,
                        title=outcome.title or title,
                        date=_better_date(outcome, date),
                        patient=patient if not patient.is_empty() else outcome.patient,
                        confidence=outcome.confidence,
                        evidence=(*evidence, *outcome.evidence),
                        format=FORMAT,
                        text=outcome.text,
                        part=outcome.part,
                    )
                )
            elif isinstance(outcome, Problem):
                outcomes.append(Problem(source.path, outcome.code, outcome.message, outcome.hint))
    if not any(isinstance(o, Document) for o in outcomes):
        verdict = _classify(title, title)
        if (
            verdict is not None
            and verdict.kind not in ("other", "imaging_study")
            and verdict.confidence >= 0.5
        ):
            kind, confidence = verdict.kind, min(verdict.confidence, 0.6)
            evidence.append(f"document title '{title}'")
        else:
            kind, confidence = "imaging_report", 0.4
            evidence.append("a document stored with imaging is usually the imaging report")
        outcomes.append(
            Document(source.path, kind, title, date, patient, confidence, tuple(evidence), FORMAT)
        )
    return outcomes


def _waveform(source: Source, dataset: Dataset, sop: str, notes: list[str]) -> Document:
    name = sop_name(sop).replace(" Storage", "")
    return Document(
        path=source.path,
        kind="other",
        title=_text(dataset, "StudyDescription") or name,
        date=_first_date(dataset, "AcquisitionDateTime", "ContentDate", "StudyDate"),
        patient=_patient(dataset),
        confidence=0.9,
        evidence=(f"DICOM SOP class '{sop_name(sop)}' (a recording, not an image)", *notes),
        format=FORMAT,
    )


def _unreadable(source: Source, message: str) -> Problem:
    return Problem(
        source.path,
        UNREADABLE,
        message,
        hint="Copy the file again from the imaging CD or portal, or ask the imaging department for a new copy.",
    )


#: Why a header could not be read, in words, for the errors that have a plain
#: cause; any other is named as pydicom raised it.
_PARSE_FAILURES: Final[dict[type[BaseException], str]] = {
    RecursionError: "This DICOM file cannot be read: its header nests sequences too deeply "
    "to read.",
    _HeaderTooLarge: f"This DICOM file cannot be read: its header holds more than "
    f"{MAX_HEADER_BYTES // 1024**2} MB before the image data (an absurdly large element), far "
    "more than any header needs, so recordpack does not read it.",
}


def _parse_failure(error: Exception) -> str:
    """The problem's message for a header that could not be read."""
    for kind, message in _PARSE_FAILURES.items():
        if isinstance(error, kind):
            return message
    return f"The DICOM header cannot be read ({type(error).__name__}: {error})."


#: What scan makes of a file, by its SOP class (see :func:`_reading`).
_DIRECTORY, _IMAGE, _PLAN, _EMBEDDED, _REPORT, _WAVEFORM = (
    "directory",
    "image",
    "plan",
    "embedded",
    "report",
    "waveform",
)


@functools.lru_cache(maxsize=256)
def _reading(sop: str) -> str:
    """What :func:`scan` makes of a file of this (non-empty) SOP class. Only an
    ``_IMAGE`` is read from the image fields alone, so only its header may be
    read by :func:`read_header` instead of a full parse. (A folder holds few
    SOP classes: each is looked up once.)"""
    if sop == DICOMDIR_SOP:
        return _DIRECTORY
    if sop in RT_IMAGES:
        return _IMAGE
    if sop in RT_TITLES or sop in RT_TITLES_EXTRA:
        return _PLAN
    if sop in (ENCAPSULATED_PDF, ENCAPSULATED_CDA):
        return _EMBEDDED
    if sop in IMAGING_SR:
        return _IMAGE
    name = sop_name(sop)
    if _is_sr(sop, name):
        return _REPORT
    if _is_waveform(name):
        return _WAVEFORM
    return _IMAGE


def _image_header_only(sop: str) -> bool:
    """Whether :func:`scan` reads only an image's header fields (:func:`_header`)
    for this SOP class: then :func:`read_header` may stand for a full parse."""
    return bool(sop) and _reading(sop) == _IMAGE


def scan(source: Source) -> list[Outcome]:
    """Read one DICOM file's header and say what it is (never raises for bad input)."""
    try:
        dataset, part10, pixels, notes = _read_dataset(source)
    except _NotDicom as error:
        return [_unreadable(source, f"This file has a DICOM name but {error}.")]
    except Exception as error:  # noqa: BLE001  pydicom raises many kinds on damaged input
        try:
            rewritten = _read_cp246(source)
        except Exception:  # noqa: BLE001  the first error says more
            rewritten = None
        if rewritten is None:
            return [_unreadable(source, _parse_failure(error))]
        dataset, part10, pixels, notes = rewritten

    sop = _sop_class(dataset)
    outcomes: list[Outcome] = []
    if pixels == "truncated":
        outcomes.append(
            _unreadable(source, "The image data in this file ends early: the file is incomplete.")
        )

    reading = _reading(sop) if sop else None
    if pixels == "absent" and reading == _IMAGE and "Image Storage" in sop_name(sop):
        # Pixel data is mandatory in every image IOD: cut off before it (or in its
        # header), the file holds no picture to look at.
        outcomes.append(
            _unreadable(
                source,
                "This image file ends before its image data: the file is incomplete.",
            )
        )
    if reading == _DIRECTORY or (not sop and "DirectoryRecordSequence" in dataset):
        return [Skipped(source.path, DICOMDIR_REASON)]
    if reading == _PLAN:
        outcomes.insert(0, _treatment_plan(source, dataset, sop, notes))
    elif reading == _EMBEDDED:
        outcomes[:0] = _encapsulated(source, dataset, sop, notes)
    elif reading == _REPORT:
        outcomes.insert(0, _report(source, dataset, sop, notes))
    elif reading == _WAVEFORM:
        outcomes.insert(0, _waveform(source, dataset, sop, notes))
    elif (
        reading == _IMAGE
        or pixels in ("ok", "truncated")
        or _text(dataset, "StudyInstanceUID")
        or _text(dataset, "Modality")
    ):
        outcomes.insert(0, _header(source, dataset, part10, sop))
    else:
        return [
            Problem(
                source.path,
                UNSUPPORTED if len(dataset) else UNREADABLE,
                "This DICOM file says nothing about what it is (no SOP class, study or modality), "
                "so it cannot be placed in a study.",
                hint="If it came from an imaging CD, copy the CD again; if not, it can probably be left out.",
            )
        ]
    return outcomes
