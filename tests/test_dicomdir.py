"""The DICOMDIR builder, on pydicom's own test files, judged by dcmtk, dicom3tools and pydicom."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.fileset import FileSet

from recordpack.bundle.dicomdir import (
    FileSetEntry,
    build_dicomdir,
    fill_missing,
    header_values,
    read_header,
)
from recordpack.errors import BundleError
from tests.pack_folder import dicom_bytes
from tests.prerequisites import missing, require_tool

# (file, file ID) — two patients, so sibling and child offsets are both exercised.
FILES = {
    "CT_small.dcm": ("PT000000", "ST000000", "SE000000", "IM000000"),
    "MR_small.dcm": ("PT000001", "ST000000", "SE000000", "IM000000"),
    "JPEG2000.dcm": ("PT000001", "ST000001", "SE000000", "IM000000"),
}


def pydicom_file(name: str) -> Path:
    path = get_testdata_file(name, download=False)
    if path is None:
        missing(f"pydicom test file {name} is not installed")
    return Path(str(path))


@pytest.fixture
def file_set(tmp_path: Path) -> Path:
    """A file-set folder: the instances under their file IDs, and the DICOMDIR."""
    entries = []
    for name, file_id in FILES.items():
        source = pydicom_file(name)
        target = tmp_path.joinpath(*file_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        with open(source, "rb") as stream:
            entries.append(
                FileSetEntry(file_id, header_values(read_header(io.BytesIO(stream.read(1 << 20)))))
            )
    # A series of our own making with two images, in the first patient's folder.
    for number in (1, 2):
        data, _ = dicom_bytes("1.2.826.0.1.3680043.8.498.9", 7, number)
        file_id = ("PT000000", "ST000001", "SE000000", f"IM{number - 1:06d}")
        target = tmp_path.joinpath(*file_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entries.append(FileSetEntry(file_id, header_values(read_header(io.BytesIO(data)))))
    (tmp_path / "DICOMDIR").write_bytes(build_dicomdir(entries))
    return tmp_path


def test_pydicom_loads_every_instance(file_set: Path) -> None:
    fs = FileSet(dcmread(file_set / "DICOMDIR"))
    assert len(fs) == 5
    loaded = {Path(inst.path).relative_to(file_set).as_posix(): inst.load() for inst in fs}
    for name, file_id in FILES.items():
        original = dcmread(pydicom_file(name), stop_before_pixels=True)
        assert loaded["/".join(file_id)].SOPInstanceUID == original.SOPInstanceUID
    # The hierarchy follows the file IDs: two patients, two studies each... as laid out.
    ds = dcmread(file_set / "DICOMDIR")
    types = [r.DirectoryRecordType for r in ds.DirectoryRecordSequence]
    assert types.count("PATIENT") == 2 and types.count("IMAGE") == 5
    assert ds.file_meta.MediaStorageSOPClassUID == "1.2.840.10008.1.3.10"
    image = next(r for r in ds.DirectoryRecordSequence if r.DirectoryRecordType == "IMAGE")
    assert list(image.ReferencedFileID) == ["PT000000", "ST000000", "SE000000", "IM000000"]
    assert (
        image.ReferencedTransferSyntaxUIDInFile
        == dcmread(pydicom_file("CT_small.dcm")).file_meta.TransferSyntaxUID
    )


@pytest.mark.interop
def test_dcmftest_accepts_the_file_set(file_set: Path) -> None:
    dcmftest = require_tool("dcmftest", "dcmtk")
    result = subprocess.run(
        [dcmftest, "DICOMDIR"], cwd=file_set, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("yes"), result.stdout + result.stderr


@pytest.mark.interop
def test_dciodvfy_finds_no_error(file_set: Path) -> None:
    dciodvfy = require_tool("dciodvfy", "dicom3tools")
    result = subprocess.run(
        [dciodvfy, "DICOMDIR"], cwd=file_set, capture_output=True, text=True, check=False
    )
    output = result.stdout + result.stderr
    assert "BasicDirectory" in output and "Error" not in output, output


def test_missing_type1_values_are_filled(tmp_path: Path) -> None:
    """A file without Patient ID or Study ID still gets a valid PATIENT and STUDY record."""
    data, _ = dicom_bytes("1.2.826.0.1.3680043.8.498.5", 1, 1)
    header = header_values(read_header(io.BytesIO(data)))
    del header["PatientID"]
    del header["StudyID"]
    fill_missing(header, {"StudyID": "", "Modality": "MR"})  # empty fallbacks are ignored
    built = dcmread(
        io.BytesIO(
            build_dicomdir([FileSetEntry(("PT000000", "ST000000", "SE000000", "IM000000"), header)])
        )
    )
    patient, study, series, _ = built.DirectoryRecordSequence
    assert patient.PatientID and study.StudyID and series.Modality == "CT"


def test_not_dicom_is_a_bundle_error() -> None:
    with pytest.raises(BundleError):
        read_header(io.BytesIO(b"%PDF-1.7 not dicom at all"))
    with pytest.raises(BundleError):
        build_dicomdir([])


@pytest.mark.interop
def test_header_without_uids_still_gives_a_valid_file_set(tmp_path: Path) -> None:
    """A damaged header loses its study and series UIDs: stable made-up ones keep the DICOMDIR valid."""
    data, _ = dicom_bytes("1.2.826.0.1.3680043.8.498.6", 1, 1)
    header = header_values(read_header(io.BytesIO(data)))
    del header["StudyInstanceUID"]
    del header["SeriesInstanceUID"]
    fill_missing(header, {"SeriesInstanceUID": "CD/IM1"})  # a path is not a UID: ignored
    file_id = ("PT000000", "ST000000", "SE000000", "IM000000")
    tmp_path.joinpath(*file_id[:3]).mkdir(parents=True)
    tmp_path.joinpath(*file_id).write_bytes(data)
    (tmp_path / "DICOMDIR").write_bytes(build_dicomdir([FileSetEntry(file_id, header)]))
    records = dcmread(tmp_path / "DICOMDIR").DirectoryRecordSequence
    assert records[2].SeriesInstanceUID != "CD/IM1" and records[1].StudyInstanceUID
    dcmftest = require_tool("dcmftest", "dcmtk")
    result = subprocess.run(
        [dcmftest, "DICOMDIR"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.stdout.startswith("yes"), result.stdout + result.stderr


def test_non_ascii_names_are_marked_utf8(tmp_path: Path) -> None:
    data, _ = dicom_bytes("1.2.826.0.1.3680043.8.498.8", 1, 1)
    header = header_values(read_header(io.BytesIO(data)))
    header["PatientName"] = "MÜLLER^ZOË"
    header["StudyDescription"] = "IRM sein gauche\nà 3 mois"
    built = dcmread(
        io.BytesIO(
            build_dicomdir([FileSetEntry(("PT000000", "ST000000", "SE000000", "IM000000"), header)])
        )
    )
    patient, study, _, _ = built.DirectoryRecordSequence
    assert patient.SpecificCharacterSet == "ISO_IR 192" and str(patient.PatientName) == "MÜLLER^ZOË"
    assert study.StudyDescription == "IRM sein gauche à 3 mois"
