"""DICOM images whose pixel data is damaged are reported, and never count as the images.

Scan reads only an image's header (the first 64 KiB of a file on disk); the
size of the file, from the directory, tells whether the pixel data the header
announces is all there. Compressed images keep their pixel data in fragments
of undefined total length: each fragment says its own length, so a fragment
running past the end of the file (or a file ending before the fragments do)
is just as plain. A whole compressed image is never called cut short.
"""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit

from recordpack.checking import check
from recordpack.manifest import load_manifest
from recordpack.model import Problem
from recordpack.scan import dicom, dicomheader, scan_folder
from recordpack.scan.base import HEAD_SIZE, DicomHeader, Source
from tests.prerequisites import missing
from tests.scan_helpers import make_dataset, write_part10

#: pydicom's images with encapsulated (compressed) pixel data: JPEG, JPEG 2000, RLE.
ENCAPSULATED = ["JPEG2000.dcm", "MR_small_RLE.dcm", "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_jpeg.dcm"]


def _testdata(name: str) -> bytes:
    path = get_testdata_file(name, download=False)
    if path is None:
        missing(f"pydicom test file {name} is not installed")
    return Path(str(path)).read_bytes()


def _pixel_items(data: bytes) -> int:
    """Where the first item of the (encapsulated) pixel data starts."""
    stream = io.BytesIO(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pydicom.dcmread(stream, stop_before_pixels=True, force=True)
    at = stream.tell()
    implicit = data[at + 4 : at + 6] not in (b"OB", b"OW")
    return at + (8 if implicit else 12)


def _outcomes(data: bytes, monkeypatch: pytest.MonkeyPatch | None = None) -> list[object]:
    """What scan says of ``data`` read as the walker reads a file: its head, its size."""
    source = Source("CD/IM0001", len(data), None, data[:HEAD_SIZE], lambda: io.BytesIO(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if monkeypatch is None:
            return list(dicom.scan(source))
        with monkeypatch.context() as patch:  # pydicom's full parse, not the quick walk
            patch.setattr(dicomheader, "read_header", lambda data, total: None)
            return list(dicom.scan(source))


def _ends_early(outcomes: list[object]) -> bool:
    return any(
        isinstance(o, Problem) and o.code == "unreadable" and "ends early" in o.message
        for o in outcomes
    )


def _cuts(data: bytes) -> dict[str, bytes]:
    """``data`` damaged three ways inside its fragments."""
    first = _pixel_items(data)
    (table,) = struct.unpack_from("<I", data, first + 4)  # the offset table item's length
    fragment = first + 8 + table  # the first fragment's item header
    end = fragment
    while struct.unpack_from("<HH", data, end) == (0xFFFE, 0xE000):
        end += 8 + struct.unpack_from("<I", data, end + 4)[0]
    assert struct.unpack_from("<HH", data, end) == (0xFFFE, 0xE0DD)  # the sequence delimiter
    longer = bytearray(data)
    longer[fragment + 4 : fragment + 8] = struct.pack("<I", len(data))  # past the end
    return {
        "cut inside a fragment": data[: fragment + 8 + 10],
        "delimiter missing": data[:end],
        "fragment longer than the file": bytes(longer),
    }


@pytest.mark.parametrize("name", ENCAPSULATED)
def test_a_whole_compressed_image_is_not_called_cut_short(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _testdata(name)
    for outcomes in (_outcomes(data), _outcomes(data, monkeypatch)):
        assert [type(o) for o in outcomes] == [DicomHeader], outcomes


@pytest.mark.parametrize(
    "how", ["cut inside a fragment", "delimiter missing", "fragment longer than the file"]
)
@pytest.mark.parametrize("name", ENCAPSULATED[:3])
def test_a_compressed_image_cut_inside_its_fragments_is_reported(
    name: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = _cuts(_testdata(name))[how]
    quick, full = _outcomes(damaged), _outcomes(damaged, monkeypatch)
    assert _ends_early(quick) and _ends_early(full)


def _large_jpeg_image(tmp_path: Path) -> bytes:
    """A part-10 JPEG image of one 300 KB fragment (larger than the 64 KiB scan reads)."""
    ds = make_dataset(
        study_uid="1.2.826.0.1.3680043.8.498.77",
        series_uid="1.2.826.0.1.3680043.8.498.78",
        instance=1,
    )
    ds.PixelData = encapsulate([b"\xff\xd8" + bytes(300_000) + b"\xff\xd9"])
    ds["PixelData"].VR = "OB"
    path = write_part10(ds, tmp_path / "whole.dcm")
    data = path.read_bytes()
    path.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(io.BytesIO(data))
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


@pytest.mark.parametrize("damage", ["cut", "declared too long"])
def test_a_folder_of_damaged_compressed_images_does_not_count_as_the_images(
    tmp_path: Path, damage: str
) -> None:
    data = _large_jpeg_image(tmp_path)
    folder = tmp_path / "records"
    (folder / "CD").mkdir(parents=True)
    if damage == "cut":
        damaged = data[: len(data) // 2]
    else:
        damaged = _cuts(data)["fragment longer than the file"]
    (folder / "CD" / "IM0001").write_bytes(damaged)
    scan = scan_folder(folder)
    assert [(p.path, p.code) for p in scan.problems] == [("CD/IM0001", "unreadable")]
    assert "ends early" in scan.problems[0].message
    report = check(scan, load_manifest("general"))
    assert report.result("imaging_images").status != "met"
    assert any(f.code == "unreadable" and "CD/IM0001" in f.paths for f in report.findings)
    # The same image whole is read as an image, and counts.
    (folder / "CD" / "IM0001").write_bytes(data)
    scan = scan_folder(folder)
    assert not scan.problems
    assert check(scan, load_manifest("general")).result("imaging_images").status == "met"
