"""A plain PS3.10 header read in one pass, keeping only what scan reports.

pydicom's full parse builds every element of a header (a CT slice carries
about 256, a third of them private); scan reports about twenty, and is
otherwise only after where the pixel data starts. :func:`read_header` walks
the element headers of a little-endian file (explicit or implicit VR) with
``struct``, skips every value it does not keep, and has pydicom convert the kept
elements (character sets included) with the function a full parse uses.

Anything this walk does not expect (another byte order, an element out of
order, an unknown VR, an undefined length outside a sequence, a header that
runs past the bytes given) returns None: the caller then parses the file in
full with pydicom, as before. So this is a shortcut for the common case,
never a second opinion on an unusual file.
"""

from __future__ import annotations

import copy
import struct
from collections.abc import Callable
from typing import Final

from pydicom.charset import convert_encodings, default_encoding
from pydicom.datadict import tag_for_keyword
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import BaseTag
from pydicom.uid import UID
from pydicom.valuerep import PersonName

#: The dataset elements scan reads from an image's header (``dicom._header``),
#: and the character set their text is written in.
KEPT_KEYWORDS: Final = (
    "SpecificCharacterSet",
    "SOPClassUID",
    "SOPInstanceUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "Modality",
    "StudyDate",
    "SeriesDate",
    "AcquisitionDate",
    "ContentDate",
    "StudyTime",
    "StudyDescription",
    "SeriesDescription",
    "SeriesNumber",
    "InstanceNumber",
    "AccessionNumber",
    "StudyID",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
)


def _tag(keyword: str) -> int:
    tag = tag_for_keyword(keyword)
    if tag is None:  # pragma: no cover - the keywords above are pydicom's own
        raise LookupError(keyword)
    return tag


KEPT_TAGS: Final = frozenset(_tag(keyword) for keyword in KEPT_KEYWORDS)
#: One BaseTag object per kept tag, the key of its element in every dataset read
#: here. pydicom's BaseTag compares in Python (``__eq__``); a dictionary finds the
#: very same object without calling it (see :func:`tag_of`).
_KEPT_TAG_OBJECTS: Final = {tag: BaseTag(tag) for tag in KEPT_TAGS}
_CHARSET: Final = _KEPT_TAG_OBJECTS[_tag("SpecificCharacterSet")]


def tag_of(keyword: str) -> BaseTag:
    """The tag of a DICOM keyword; for a kept element, the very object its datasets
    are keyed by, so that a look-up does not call ``BaseTag.__eq__``."""
    return _tag_object(_tag(keyword))


def _tag_object(tag: int) -> BaseTag:
    """The shared object of a kept tag (see :data:`_KEPT_TAG_OBJECTS`), else a new one."""
    kept = _KEPT_TAG_OBJECTS.get(tag)
    return BaseTag(tag) if kept is None else kept

_PIXEL_TAGS: Final = frozenset({0x7FE00010, 0x7FE00008, 0x7FE00009})
_ITEM: Final = 0xFFFEE000
_ITEM_END: Final = 0xFFFEE00D
_SEQUENCE_END: Final = 0xFFFEE0DD
_UNDEFINED: Final = 0xFFFFFFFF
_MAX_NESTING: Final = 32

_VRS: Final = frozenset(
    b"AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI "
    b"UL UN UR US UT UV".split()
)
#: Explicit VRs whose length takes 4 bytes, after two reserved ones.
_LONG_VRS: Final = frozenset(b"OB OD OF OL OV OW SQ UC UN UR UT UV".split())

_EXPLICIT: Final = struct.Struct("<HH2sH")
_IMPLICIT: Final = struct.Struct("<HHL")
_LENGTH: Final = struct.Struct("<L")


class _Unexpected(Exception):
    """The header is not one this walk reads: parse it in full."""


#: One element's header: (tag, VR or None when implicit, value length, value offset).
_Element = tuple[int, "str | None", int, int]
_Reader = Callable[[bytes, int], _Element]


def _explicit_element(data: bytes, at: int) -> _Element:
    if at + 8 > len(data):
        raise _Unexpected
    group, element, vr, length = _EXPLICIT.unpack_from(data, at)
    if vr not in _VRS:
        raise _Unexpected
    if vr in _LONG_VRS:
        if at + 12 > len(data):
            raise _Unexpected
        return (group << 16 | element, vr.decode(), _LENGTH.unpack_from(data, at + 8)[0], at + 12)
    return (group << 16 | element, vr.decode(), length, at + 8)


def _implicit_element(data: bytes, at: int) -> _Element:
    if at + 8 > len(data):
        raise _Unexpected
    group, element, length = _IMPLICIT.unpack_from(data, at)
    return (group << 16 | element, None, length, at + 8)


def _delimiter(data: bytes, at: int) -> tuple[int, int]:
    """An item or delimiter tag and its length, which have no VR whatever the syntax."""
    if at + 8 > len(data):
        raise _Unexpected
    group, element, length = _IMPLICIT.unpack_from(data, at)
    return group << 16 | element, length


def encapsulated_state(data: bytes, at: int, total: int) -> str:
    """Whether encapsulated pixel data (undefined length) is whole, as far as
    ``data`` tells: its items (offset table, then fragments) start at ``at`` of
    ``data``, the first bytes of a ``total``-byte file (little endian, as every
    encapsulated syntax is).

    "truncated" when an item's declared length runs past the end of the file,
    or the file ends before the sequence delimiter; "ok" otherwise, including
    when the items go on past the bytes given (nothing more is read to find
    out) or are not what an encapsulated sequence holds (that is for a decoder
    to judge, not a reason to call the file cut short).
    """
    while at + 8 <= len(data):
        group, element, length = _IMPLICIT.unpack_from(data, at)
        tag = group << 16 | element
        if tag != _ITEM or length == _UNDEFINED:
            return "ok"  # the sequence delimiter, or something this walk does not judge
        at += 8 + length
        if at > total:
            return "truncated"
    # Out of bytes before the delimiter: the file ends there, or the bytes given do.
    return "truncated" if len(data) >= total or at >= total else "ok"


def _skip_sequence(data: bytes, at: int, read: _Reader, depth: int) -> int:
    """The offset after an undefined-length sequence whose items start at ``at``."""
    if depth > _MAX_NESTING:
        raise _Unexpected
    while True:
        tag, length = _delimiter(data, at)
        at += 8
        if tag == _SEQUENCE_END:
            return at
        if tag != _ITEM:
            raise _Unexpected
        if length != _UNDEFINED:
            at += length
            continue
        while True:  # the item's elements, up to its delimiter
            if _delimiter(data, at)[0] == _ITEM_END:
                at += 8
                break
            at = _skip_element(data, at, read, depth + 1)


def _skip_element(data: bytes, at: int, read: _Reader, depth: int) -> int:
    tag, vr, length, start = read(data, at)
    if length != _UNDEFINED:
        return start + length
    if vr not in ("SQ", None) or tag >> 16 == 0xFFFE:
        raise _Unexpected
    return _skip_sequence(data, start, read, depth)


def _raw(
    tag: int, vr: str | None, length: int, start: int, data: bytes, implicit: bool
) -> RawDataElement:
    return RawDataElement(
        _tag_object(tag),
        vr,
        length,
        data[start : start + length],
        start,
        implicit,
        True,
    )


def _file_meta(data: bytes) -> tuple[FileMetaDataset, int]:
    """The file meta group (always explicit VR little endian) and where the dataset starts."""
    elements: dict[BaseTag, DataElement | RawDataElement] = {}
    at = 132
    while at + 8 <= len(data) and _EXPLICIT.unpack_from(data, at)[0] == 0x0002:
        tag, vr, length, start = _explicit_element(data, at)
        if length == _UNDEFINED or start + length > len(data):
            raise _Unexpected
        elements[BaseTag(tag)] = _raw(tag, vr, length, start, data, False)
        at = start + length
    return FileMetaDataset(elements), at


def _walk(
    data: bytes, at: int, total: int, implicit: bool
) -> tuple[dict[BaseTag, RawDataElement] | None, str | None]:
    """The kept elements of the dataset starting at ``at`` and the pixel data
    state; (None, None) when the file must be parsed in full. One loop, written
    out for speed: a CT header has hundreds of elements."""
    read: _Reader = _implicit_element if implicit else _explicit_element
    unpack_explicit = _EXPLICIT.unpack_from
    unpack_implicit = _IMPLICIT.unpack_from
    unpack_length = _LENGTH.unpack_from
    end = len(data)
    kept: dict[BaseTag, RawDataElement] = {}
    previous = -1
    while at < end:
        if at + 8 > end:
            return None, None
        vr: bytes | None
        if implicit:
            group, element, length = unpack_implicit(data, at)
            vr, start = None, at + 8
        else:
            group, element, vr, length = unpack_explicit(data, at)
            if vr in _LONG_VRS:
                if at + 12 > end:
                    return None, None
                (length,) = unpack_length(data, at + 8)
                start = at + 12
            elif vr in _VRS:
                start = at + 8
            else:
                return None, None
        tag = group << 16 | element
        if tag <= previous or group == 0x0002 or group == 0xFFFE:
            return None, None
        previous = tag
        if tag in _PIXEL_TAGS:
            if length == _UNDEFINED:
                return kept, encapsulated_state(data, start, total)
            return kept, "truncated" if start + length > total else "ok"
        if length == _UNDEFINED:
            if vr not in (b"SQ", None) or tag in KEPT_TAGS:
                return None, None
            at = _skip_sequence(data, start, read, 1)
            continue
        at = start + length
        if at > end:
            return None, None
        if tag in KEPT_TAGS:
            if vr in (b"UN", b"OB", b"SQ"):
                return None, None
            kept[_KEPT_TAG_OBJECTS[tag]] = _raw(
                tag, None if vr is None else vr.decode(), length, start, data, implicit
            )
    if end < total:
        return None, None  # the header runs past the bytes read
    return kept, "absent"  # the whole file, and no pixel data in it


#: Kept elements whose value differs from one image to the next: not worth remembering.
_PER_IMAGE: Final = frozenset(_KEPT_TAG_OBJECTS[_tag(k)] for k in ("SOPInstanceUID", "InstanceNumber"))
#: Converted values remembered at most (then forgotten all at once): a folder's
#: studies and series repeat a few dozen values over thousands of images.
_REMEMBERED: Final = 1024
_remembered: dict[tuple[object, ...], DataElement | RawDataElement] = {}
#: Value types that may be shared between datasets (none can be changed in place).
_SHAREABLE: Final = (str, int, float, bytes, PersonName, type(None))


def _convert(
    raw: RawDataElement, encoding: str | list[str], context: tuple[object, ...]
) -> DataElement | RawDataElement:
    """pydicom's conversion of ``raw``, remembered for the next image of the series
    (the patient's, study's and series' values are the same bytes in each): the
    same tag, VR, bytes and character set give the same value, a copy of the
    element each time."""
    if raw.tag in _PER_IMAGE:
        return convert_raw_data_element(raw, encoding=encoding)
    key = (raw.tag, raw.VR, raw.value, *context)
    known = _remembered.get(key)
    if known is not None:
        return _copy(known)
    element = convert_raw_data_element(raw, encoding=encoding)
    if isinstance(element.value, _SHAREABLE):
        if len(_remembered) >= _REMEMBERED:
            _remembered.clear()
        _remembered[key] = _copy(element)
    return element


def _copy(element: DataElement | RawDataElement) -> DataElement | RawDataElement:
    """A shallow copy of ``element``, as ``copy.copy`` makes it, five times as fast
    for a DataElement (its attributes are in its ``__dict__``)."""
    if type(element) is not DataElement:
        return copy.copy(element)
    clone = object.__new__(DataElement)
    clone.__dict__.update(element.__dict__)
    return clone


def _converted(
    kept: dict[BaseTag, RawDataElement], implicit: bool
) -> dict[BaseTag, DataElement | RawDataElement]:
    """The kept elements converted as ``Dataset.__getitem__`` would, in the
    dataset's character set: done here at once, which is faster."""
    encoding: str | list[str] = default_encoding
    charset = kept.get(_CHARSET)
    if charset is not None:
        value = convert_raw_data_element(charset).value
        if value:
            encoding = convert_encodings(value)
    context = (implicit, tuple(encoding) if isinstance(encoding, list) else encoding)
    return {tag: _convert(raw, encoding, context) for tag, raw in kept.items()}


def read_header(data: bytes, total: int) -> tuple[Dataset, str | None] | None:
    """The kept elements of a PS3.10 little-endian header held in ``data`` (the
    first bytes of a ``total``-byte file) and the pixel data state ("absent":
    the file ends without pixel data, "ok", or "truncated"), or None when the file must be parsed in
    full (see the module's docstring)."""
    if len(data) < 144 or data[128:132] != b"DICM":
        return None
    try:
        meta, at = _file_meta(data)
        syntax = meta.get("TransferSyntaxUID")
        uid = UID(str(syntax).strip("\x00 ")) if syntax is not None else None
        if uid is None or not uid.is_transfer_syntax or not uid.is_little_endian or uid.is_deflated:
            return None
        implicit = uid.is_implicit_VR
        kept, pixels = _walk(data, at, total, implicit)
    except (_Unexpected, ValueError, TypeError, struct.error):
        return None
    if kept is None:
        return None
    try:
        dataset = Dataset(_converted(kept, implicit))
    except Exception:  # noqa: BLE001  a value pydicom cannot convert: let the full parse say
        return None
    dataset.file_meta = meta
    dataset.set_original_encoding(implicit, True)
    return dataset, pixels


__all__ = ["KEPT_KEYWORDS", "KEPT_TAGS", "encapsulated_state", "read_header"]
