"""A DICOM file with a TIFF header in its preamble and an undefined-length UN element is read.

PS3.5 6.2.2 (CP-246): the value of a UN element with undefined length is a
sequence in implicit VR little endian. dcmtk reads such files; pydicom parses
the content with the file's explicit VR and fails when a length happens to
spell a VR. recordpack must read the study, as dcmdump does, not call it
unreadable. Files built from pydicom's CT_small.dcm (tests/scan_helpers.py).
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pydicom
import pytest

from recordpack.scan import scan_folder
from tests.prerequisites import require_tool
from tests.scan_helpers import tiff_preamble_un_file


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
