"""Generate a large imaging folder quickly: thousands of ~512 KiB DICOM slices.

    python benchmarks/make_imaging_folder.py --size-gb 1 OUT

Several studies and series of one invented patient, laid out as a patient
really gets them. Each slice's header is a real scanner's: pydicom's bundled
``CT_small.dcm`` (a GE CT header of 256 top-level elements, private vendor
groups and sequences included), with the patient, study, series and instance
values replaced, so header parsing costs what it costs on real CT. The layout: a CD copy with extensionless names (``DICOM/ST0001/SE0002/
IM000123``) and a portal export with ``.dcm`` names. Every slice is a valid
PS3.10 CT or MR file whose pixel bytes are pseudo-random (so nothing
compresses), with its own SOP Instance UID and instance number. One template
dataset is built per series; only the per-slice values change. Deterministic
for a given ``--seed``. Refuses to write into a non-empty folder.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    CTImageStorage,
    ExplicitVRLittleEndian,
    MRImageStorage,
)

ROWS = COLUMNS = 512  # 512 x 512 x 16 bit = 512 KiB of pixels per slice
UID_ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's example root, for test data

#: (modality, SOP class, study description, [(series description, share of slices)]).
STUDIES = (
    (
        "CT",
        CTImageStorage,
        "CT CHEST ABDOMEN PELVIS W CONTRAST",
        [("AXIAL 2.5MM", 5), ("CORONAL", 2)],
    ),
    (
        "MR",
        MRImageStorage,
        "MRI BREAST BILATERAL W WO CONTRAST",
        [("AX T1", 2), ("AX T2 FS", 2), ("DYN", 3)],
    ),
    ("CT", CTImageStorage, "CT CHEST WO CONTRAST", [("LUNG 1MM", 4)]),
    ("MR", MRImageStorage, "MRI BRAIN W WO CONTRAST", [("AX FLAIR", 1), ("AX T1 POST", 1)]),
)


def _uid(rng: random.Random) -> str:
    return UID_ROOT + str(rng.getrandbits(96))


def _real_header() -> Dataset:
    """A real CT header (pydicom's CT_small.dcm) without its patient and pixel data."""
    path = get_testdata_file("CT_small.dcm", download=False)
    if path is None:
        raise SystemExit("pydicom's test file CT_small.dcm is missing (reinstall pydicom)")
    ds = dcmread(path, stop_before_pixels=True)
    for keyword in ("PixelData", "OtherPatientIDs", "PatientAge", "PatientWeight"):
        if keyword in ds:
            delattr(ds, keyword)
    return ds


def _template(
    rng: random.Random,
    modality: str,
    sop_class: str,
    study_uid: str,
    description: str,
    study_date: str,
    series_number: int,
    series_description: str,
) -> Dataset:
    ds = _real_header()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = UID(sop_class)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = sop_class
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = study_date
    ds.StudyTime = "093000"
    ds.AccessionNumber = f"A{rng.randrange(10**7):07d}"
    ds.Modality = modality
    ds.Manufacturer = "Example Imaging"
    ds.InstitutionName = "Example General Hospital"
    ds.StudyDescription = description
    ds.SeriesDescription = series_description
    ds.PatientName = "BENCHMARK^TESTPATIENT"
    ds.PatientID = "BENCH0001"
    ds.PatientBirthDate = "19650412"
    ds.PatientSex = "F"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = _uid(rng)
    ds.StudyID = "1"
    ds.SeriesNumber = series_number
    ds.FrameOfReferenceUID = _uid(rng)
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = ROWS
    ds.Columns = COLUMNS
    ds.PixelSpacing = [0.7, 0.7]
    ds.SliceThickness = 2.5
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    return ds


def generate(
    out: Path, size_gb: float, seed: int = 1, *, files_wanted: int | None = None, rows: int = ROWS
) -> tuple[int, int]:
    """Write the folder; return (files, bytes).

    ``files_wanted`` slices of ``rows`` x ``rows`` pixels instead of ``size_gb``
    of 512 x 512 ones (many small files: for ``inspect`` at 10,000 files).
    """
    rng = random.Random(seed)
    slices = files_wanted or max(16, int(size_gb * 1024**3 // (ROWS * COLUMNS * 2)))
    shares = sum(share for *_, series in STUDIES for _, share in series)
    files = written = 0
    for study_index, (modality, sop_class, description, series_list) in enumerate(STUDIES, 1):
        study_uid = _uid(rng)
        study_date = f"2025{study_index + 1:02d}{10 + study_index:02d}"
        cd_style = study_index % 2 == 1  # odd studies: a CD copy; even: a portal export
        for series_index, (series_description, share) in enumerate(series_list, 1):
            ds = _template(
                rng,
                modality,
                sop_class,
                study_uid,
                description,
                study_date,
                series_index,
                series_description,
            )
            ds.Rows = ds.Columns = rows
            count = max(1, slices * share // shares)
            if cd_style:
                folder = out / "CD" / "DICOM" / f"ST{study_index:04d}" / f"SE{series_index:04d}"
            else:
                folder = (
                    out / "portal" / f"{description.replace(' ', '_')}" / f"series{series_index}"
                )
            folder.mkdir(parents=True, exist_ok=True)
            for number in range(1, count + 1):
                ds.SOPInstanceUID = _uid(rng)
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                ds.InstanceNumber = number
                ds.SliceLocation = number * 2.5
                ds.add_new(0x7FE00010, "OW", rng.randbytes(rows * rows * 2))
                name = f"IM{number:06d}" if cd_style else f"slice_{number:04d}.dcm"
                path = folder / name
                ds.save_as(path, enforce_file_format=True)
                files += 1
                written += path.stat().st_size
    return files, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must be absent or empty)")
    parser.add_argument(
        "--size-gb", type=float, default=1.0, help="approximate total size (default 1)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--files", type=int, help="this many slices (about; overrides --size-gb)"
    )
    parser.add_argument(
        "--rows", type=int, default=ROWS, help=f"pixels per side of a slice (default {ROWS})"
    )
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty; choose a new folder", file=sys.stderr)
        return 2
    files, written = generate(
        args.out, args.size_gb, args.seed, files_wanted=args.files, rows=args.rows
    )
    print(f"{files} DICOM files, {written / 1e6:.0f} MB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
