"""A DICOM file with a TIFF header in its preamble and an undefined-length UN element is read.

PS3.5 6.2.2 (CP-246): the value of a UN element with undefined length is a
sequence in implicit VR little endian. dcmtk reads such files; pydicom parses
the content with the file's explicit VR and fails when a length happens to
spell a VR. recordpack must read the study, as dcmdump does, not call it
unreadable. Files built here from pydicom's CT_small.dcm.
"""

from __future__ import annotations

import io
import struct
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from recordpack.scan import scan_folder
from tests.prerequisites import require_tool

#: Implicit VR: an element whose 4-byte length (0x00004E55) reads as the VR "UN".
_TRICKY = struct.pack("<HH", 0x0009, 0x1001) + b"UN\x00\x00" + b"x" * 0x4E55
_UN_VALUE = (
    struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)  # item, undefined length
    + _TRICKY
    + struct.pack("<HHI", 0xFFFE, 0xE00D, 0)  # item delimiter
)


def tiff_preamble_un_file(*, big: bool = False) -> bytes:
    path = get_testdata_file("CT_small.dcm", download=False)
    assert isinstance(path, str)
    ds = pydicom.dcmread(path)
    ds.preamble = b"II*\x00\x08\x00\x00\x00" + bytes(120)  # a TIFF header, as dual-personality files have
    ds.PatientName = "VARGA^ILONA"
    if big:  # a header and image larger than what scan keeps in memory
        ds.Rows = ds.Columns = 512
        ds.PixelData = np.zeros((512, 512), dtype=np.uint16).tobytes()
    ds.add_new(0x00090010, "LO", "RP TEST")
    ds.add_new(0x00091010, "UN", _UN_VALUE)
    ds[0x00091010].is_undefined_length = True  # pydicom ends it with a sequence delimiter
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


@pytest.mark.parametrize("big", [False, True])
def test_dcmdump_reads_it_and_so_does_scan(tmp_path: Path, big: bool) -> None:
    dcmdump = require_tool("dcmdump", "dcmtk")
    data = tiff_preamble_un_file(big=big)
    assert data[:4] == b"II*\x00" and data[128:132] == b"DICM"
    (tmp_path / "IM000001").write_bytes(data)
    dumped = subprocess.run([dcmdump, tmp_path / "IM000001"], capture_output=True, text=True)
    assert dumped.returncode == 0, dumped.stderr
    assert "VARGA^ILONA" in dumped.stdout and "CP-246" in dumped.stderr
    with pytest.raises(OSError):  # pydicom alone cannot: what made the study go missing
        pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)

    result = scan_folder(tmp_path)
    assert not result.problems
    (record,) = result.records
    assert record.kind == "imaging_study" and record.files == ("IM000001",)
    assert record.patient.name == "VARGA^ILONA" and record.date == "2004-01-19"
    assert record.study is not None and record.study.series[0].modality == "CT"


def test_the_same_file_cut_short_is_still_reported_incomplete(tmp_path: Path) -> None:
    data = tiff_preamble_un_file(big=True)
    (tmp_path / "IM000001").write_bytes(data[: len(data) - 1000])
    result = scan_folder(tmp_path)
    assert [p.code for p in result.problems] == ["unreadable"]
    assert "ends early" in result.problems[0].message
    assert [r.kind for r in result.records] == ["imaging_study"]
