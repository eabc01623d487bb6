"""Small synthetic DICOM files and folders for the scan tests (invented people only)."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
from pathlib import Path

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    CTImageStorage,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    generate_uid,
)


def make_dataset(
    *,
    study_uid: str,
    series_uid: str,
    instance: int,
    modality: str = "CT",
    sop_class: str = CTImageStorage,
    patient: str = "TESTPERSON^ALICE",
    patient_id: str = "TP0001",
    study_date: str = "20250314",
    study_description: str = "CT CHEST WITH CONTRAST",
    series_number: int = 1,
    pixels: bytes = b"\x00\x01" * 64,
) -> Dataset:
    """A small valid image dataset (8x8 16-bit pixels)."""
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.Modality = modality
    ds.PatientName = patient
    ds.PatientID = patient_id
    ds.PatientBirthDate = "19600102"
    ds.StudyDate = study_date
    ds.StudyTime = "101500"
    ds.StudyDescription = study_description
    ds.SeriesNumber = series_number
    ds.InstanceNumber = instance
    ds.AccessionNumber = "ACC123"
    ds.StudyID = "1"
    ds.Rows = 8
    ds.Columns = 8
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = pixels
    return ds


def write_part10(ds: Dataset, path: Path, *, implicit: bool = False) -> Path:
    """Write a conformant PS3.10 file (preamble, DICM, file meta)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def write_raw(ds: Dataset, path: Path) -> Path:
    """Write a bare implicit-VR dataset: no preamble, no DICM, no file meta."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, implicit_vr=True, little_endian=True, enforce_file_format=False)
    return path


#: Implicit VR: an element whose 4-byte length (0x00004E55) reads as the VR "UN".
_TRICKY = struct.pack("<HH", 0x0009, 0x1001) + b"UN\x00\x00" + b"x" * 0x4E55
_UN_VALUE = (
    struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)  # item, undefined length
    + _TRICKY
    + struct.pack("<HHI", 0xFFFE, 0xE00D, 0)  # item delimiter
)


def tiff_preamble_un_file(*, big: bool = False) -> bytes:
    """pydicom's CT_small.dcm with a TIFF header in its preamble and an undefined-length
    UN element whose content, read with explicit VR, spells a VR (PS3.5 6.2.2, CP-246)."""
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


def _hash_noatime(path: Path) -> str:
    # The snapshot itself must not touch access times, or it would hide (or
    # fake) a change made by the scan.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
    with os.fdopen(fd, "rb") as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under root (and root itself): type, mode, size, times, hash."""
    state: dict[str, tuple[object, ...]] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = os.lstat(path)
        digest = ""
        if stat.S_ISREG(st.st_mode):  # lstat only: following a link updates its atime
            digest = _hash_noatime(path)
        state[str(path.relative_to(root))] = (
            st.st_mode,
            st.st_size,
            st.st_mtime_ns,
            st.st_atime_ns,
            st.st_uid,
            st.st_gid,
            st.st_nlink,
            digest,
        )
    return state
