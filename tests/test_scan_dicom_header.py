"""The quick header walk (recordpack.scan.dicomheader) says what pydicom's full parse says.

scan reads a plain PS3.10 image's header with its own walk and pydicom's value
conversion; anything unusual goes to pydicom's full parse. Every test here
scans the same bytes both ways and compares what a user would see: the
records, their dates and patients, and "the file is incomplete".
"""

from __future__ import annotations

import io
import random
import warnings
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from recordpack.model import Problem
from recordpack.scan import dicom, dicomheader
from recordpack.scan.base import HEAD_SIZE, DicomHeader, Outcome, Source
from recordpack.scan.dicomheader import read_header
from tests.prerequisites import missing

#: pydicom's own test images the walk must read (explicit and implicit VR,
#: uncompressed and JPEG 2000, with sequences and private groups).
QUICK_FILES = ("CT_small.dcm", "MR_small.dcm", "MR_small_implicit.dcm", "JPEG2000.dcm")
#: Files the walk must leave to the full parse: big endian, deflated, an RT plan.
FULL_FILES = ("MR_small_bigendian.dcm", "image_dfl.dcm", "rtplan.dcm")


def _testdata(name: str) -> bytes:
    path = get_testdata_file(name, download=False)
    if path is None:
        missing(f"pydicom test file {name} is not installed")
    return Path(str(path)).read_bytes()


def _saved(dataset: Dataset) -> bytes:
    """``dataset`` written as a PS3.10 file."""
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _source(name: str, data: bytes) -> Source:
    return Source(name, len(data), None, data[:HEAD_SIZE], lambda: io.BytesIO(data))


def _both_ways(
    source: Source, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Outcome], list[Outcome]]:
    """What scan says with the quick walk, then with pydicom's full parse only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quick = list(dicom.scan(source))
        with monkeypatch.context() as patch:
            patch.setattr(dicomheader, "read_header", lambda data, total: None)
            full = list(dicom.scan(source))
    return quick, full


def _parsed_in_full(source: Source, monkeypatch: pytest.MonkeyPatch) -> list[Outcome]:
    """What scan says of a file the walk leaves to the full parse (the same both ways)."""
    assert read_header(source.head, source.size) is None
    quick, full = _both_ways(source, monkeypatch)
    assert quick == full
    return quick


def _quick_taken(source: Source) -> bool:
    result = read_header(source.head, source.size)
    return result is not None and dicom._image_header_only(dicom._sop_class(result[0]))


@pytest.mark.parametrize("name", QUICK_FILES)
def test_images_are_read_by_the_walk_and_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source(name, _testdata(name))
    assert _quick_taken(source), f"{name} should be read by the quick walk"
    quick, full = _both_ways(source, monkeypatch)
    assert quick == full
    (header,) = quick
    assert isinstance(header, DicomHeader) and header.study_instance_uid and header.patient.name


@pytest.mark.parametrize("name", FULL_FILES)
def test_unusual_files_go_to_the_full_parse(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source(name, _testdata(name))
    assert not _quick_taken(source)
    quick, full = _both_ways(source, monkeypatch)
    assert quick == full and quick


def test_every_pydicom_test_file_scans_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(str(get_testdata_file("CT_small.dcm", download=False))).parent
    taken = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        source = _source(path.name, path.read_bytes())
        if not dicom.sniff(source):
            continue
        taken += _quick_taken(source)
        quick, full = _both_ways(source, monkeypatch)
        assert quick == full, path.name
    assert taken >= 20  # most of pydicom's test images are plain little-endian PS3.10


def test_every_corpus_dicom_file_scans_the_same_both_ways(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = 0
    for path in sorted(corpus.rglob("*")):
        if not path.is_file():
            continue
        source = _source(str(path.relative_to(corpus)), path.read_bytes())
        if not dicom.sniff(source):
            continue
        taken += _quick_taken(source)
        quick, full = _both_ways(source, monkeypatch)
        assert quick == full, source.path
    assert taken >= 50


def test_truncated_pixel_data_is_reported_by_the_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _testdata("CT_small.dcm")
    source = _source("cut.dcm", data[: len(data) - 1000])
    assert _quick_taken(source)
    quick, full = _both_ways(source, monkeypatch)
    assert quick == full
    assert any(isinstance(o, Problem) and "ends early" in o.message for o in quick), (
        "a cut image must be reported incomplete"
    )


def test_a_header_longer_than_the_bytes_read_is_parsed_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydicom import dcmread

    dataset = dcmread(io.BytesIO(_testdata("CT_small.dcm")))
    dataset.add_new(0x00091010, "OB", b"\x00" * (HEAD_SIZE + 4096))  # a big private blob
    data = _saved(dataset)
    source = _source("long-header.dcm", data)
    (header,) = _parsed_in_full(source, monkeypatch)
    assert isinstance(header, DicomHeader) and header.modality == "CT"


def _mutations(base: bytes, rng: random.Random) -> bytes:
    data = bytearray(base)
    header_end = min(len(data), 4000)
    at = rng.randrange(132, header_end)
    how = rng.randrange(4)
    if how == 0:
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(132, header_end)] = rng.randrange(256)
    elif how == 1:
        del data[rng.randrange(132, len(data)) :]
    elif how == 2:
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5)))
    else:
        del data[at : at + rng.randrange(1, 9)]
    return bytes(data)


@pytest.mark.parametrize("name", (*QUICK_FILES, "rtplan.dcm"))
def test_damaged_headers_scan_the_same_both_ways(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Differential fuzzing: flipped, cut, inserted and deleted header bytes."""
    base = _testdata(name)
    rng = random.Random(f"dicomheader:{name}")
    for case in range(120):
        data = _mutations(base, rng)
        quick, full = _both_ways(_source(name, data), monkeypatch)
        assert quick == full, f"{name} mutation {case}"


def _element_span(data: bytes, tag: bytes) -> tuple[int, int]:
    """Where a short-form explicit-VR element (tag given as its 4 bytes) sits."""
    at = data.index(tag, 132)
    length = int.from_bytes(data[at + 6 : at + 8], "little")
    return at, at + 8 + length


PATIENT_NAME = b"\x10\x00\x10\x00"
PATIENT_ID = b"\x10\x00\x20\x00"


def test_a_kept_element_written_as_un_is_parsed_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _testdata("CT_small.dcm")
    start, end = _element_span(data, PATIENT_NAME)
    value = data[start + 8 : end]
    data = (
        data[:start]
        + PATIENT_NAME
        + b"UN\x00\x00"
        + len(value).to_bytes(4, "little")
        + value
        + data[end:]
    )
    source = _source("un.dcm", data)
    _parsed_in_full(source, monkeypatch)


def test_elements_out_of_order_are_parsed_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _testdata("CT_small.dcm")
    name = slice(*_element_span(data, PATIENT_NAME))
    ident = slice(*_element_span(data, PATIENT_ID))
    assert name.stop == ident.start
    data = data[: name.start] + data[ident] + data[name] + data[ident.stop :]
    source = _source("swapped.dcm", data)
    (header,) = _parsed_in_full(source, monkeypatch)
    assert isinstance(header, DicomHeader) and header.patient.id


def test_a_header_ending_exactly_where_the_read_stops_is_parsed_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The patient's name after a private blob that ends at the last byte read."""
    from pydicom import dcmread

    dataset = dcmread(io.BytesIO(_testdata("CT_small.dcm")))
    size = HEAD_SIZE
    for _ in range(3):  # the blob's size that puts the patient's name right after the head
        dataset.add_new(0x00091010, "OB", b"\x00" * size)
        data = _saved(dataset)
        size -= data.index(PATIENT_NAME, 132) - HEAD_SIZE
    assert data.index(PATIENT_NAME, 132) == HEAD_SIZE
    source = _source("blob.dcm", data)
    (header,) = _parsed_in_full(source, monkeypatch)
    assert isinstance(header, DicomHeader) and header.patient.name


def test_patient_names_in_every_character_set_read_the_same_both_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pydicom's character-set files (Arabic, Greek, Hebrew, Japanese, Korean,
    Chinese, Russian, ISO 2022 escapes): the walk hands the charset to pydicom
    with the name, so the name shown is the one a full parse gives."""
    folder = Path(str(get_testdata_file("CT_small.dcm", download=False))).parent
    charsets = folder.parent / "charset_files"
    if not charsets.is_dir():
        missing("pydicom's charset_files are not installed")
    names = {}
    for path in sorted(charsets.glob("*.dcm")):
        source = _source(path.name, path.read_bytes())
        assert _quick_taken(source), path.name
        quick, full = _both_ways(source, monkeypatch)
        assert quick == full, path.name
        header = quick[0]
        assert isinstance(header, DicomHeader)
        names[path.name] = header.patient.name
    assert names["chrH31.dcm"] == "Yamada^Tarou=山田^太郎=やまだ^たろう"
    assert names["chrArab.dcm"] == "قباني^لنزار"
    assert names["chrGreek.dcm"] == "Διονυσιος"
    assert len(names) >= 15


def _with_charset(charset: str, name: bytes, sop_uid: str) -> bytes:
    """CT_small.dcm with ``name``'s bytes as the patient's name, in ``charset``."""
    from pydicom import dcmread

    dataset = dcmread(io.BytesIO(_testdata("CT_small.dcm")))
    dataset.SpecificCharacterSet = charset
    dataset.SOPInstanceUID = sop_uid
    data = _saved(dataset)
    start, end = _element_span(data, PATIENT_NAME)
    padded = name + b" " * (len(name) % 2)
    return (
        data[:start]
        + PATIENT_NAME
        + b"PN"
        + len(padded).to_bytes(2, "little")
        + padded
        + data[end:]
    )


def test_remembered_values_never_cross_character_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk remembers the values a series repeats (the patient's name...) from
    one image to the next: the same bytes in another character set are another
    name, and each image still reads as a full parse reads it."""
    latin1 = "\N{LATIN SMALL LETTER E WITH ACUTE}"
    raw = f"Ren{latin1}e^Andr{latin1}".encode("latin-1")
    shown = []
    for number, charset in enumerate(("ISO_IR 100", "ISO_IR 144", "ISO_IR 100", "ISO_IR 126")):
        data = _with_charset(charset, raw, f"1.2.826.0.1.3680043.8.498.{number + 1}")
        source = _source(f"{number}.dcm", data)
        assert _quick_taken(source)
        quick, full = _both_ways(source, monkeypatch)
        assert quick == full, charset
        header = quick[0]
        assert isinstance(header, DicomHeader)
        shown.append(header.patient.name)
    latin, cyrillic, latin_again, greek = shown
    assert latin == latin_again == "Renée^André"
    assert len({latin, cyrillic, greek}) == 3  # the same bytes, three names
