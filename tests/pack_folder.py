"""Synthetic patient folders for the pack tests (invented people only), and their scan.

``make_patient_folder`` writes a folder the way a patient's downloads look: a CT
study in two series written with pydicom, a DICOM file without a PS3.10
header, PDFs made with fpdf2, a text lab result, a portal ZIP, a duplicate,
clutter and a damaged file. ``expected_scan`` is what a perfect scan of it
would say, built by hand so the pack tests do not depend on the scanner.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from recordpack.model import (
    DUPLICATE,
    UNREADABLE,
    DicomInstance,
    FileInfo,
    ImagingStudy,
    Patient,
    Problem,
    Record,
    ScanResult,
    Series,
    Skipped,
)

PATIENT = Patient(name="QUILL^AVERY", birth_date="1970-05-06", id="RP-TEST-0042")
STUDY_UID = "1.2.826.0.1.3680043.8.498.1"
SERIES_UIDS = ("1.2.826.0.1.3680043.8.498.1.1", "1.2.826.0.1.3680043.8.498.1.2")


def dicom_bytes(
    series_uid: str,
    series_number: int,
    instance_number: int,
    *,
    part10: bool = True,
    size: int = 16,
    study_uid: str = STUDY_UID,
) -> tuple[bytes, str]:
    """A small CT image (``size``x``size`` pixels); returns (bytes, SOP instance UID)."""
    uid = generate_uid()
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = uid
    ds.PatientName = PATIENT.name
    ds.PatientID = PATIENT.id
    ds.PatientBirthDate = "19700506"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyDate = "20260812"
    ds.StudyTime = "101500"
    ds.StudyID = "4711"
    ds.AccessionNumber = "ACC0815"
    ds.StudyDescription = "CT CHEST ABDOMEN PELVIS W CONTRAST"
    ds.Modality = "CT"
    ds.SeriesNumber = series_number
    ds.SeriesDescription = f"Series {series_number}"
    ds.InstanceNumber = instance_number
    ds.Rows = ds.Columns = size
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.PixelData = bytes((instance_number + i) % 256 for i in range(size * size * 2))
    buffer = io.BytesIO()
    if part10:
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.save_as(buffer, enforce_file_format=True)
    else:
        ds.save_as(buffer, implicit_vr=True, little_endian=True)
    return buffer.getvalue(), uid


def pdf_bytes(*lines: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


_PATIENT_LINE = "Patient: QUILL, AVERY   DOB: 1970-05-06   MRN: RP-TEST-0042"

#: The patient's pathology report as a PDF (the archive tests put it in zip, tar and 7z files).
REPORT = pdf_bytes(
    "SURGICAL PATHOLOGY REPORT",
    _PATIENT_LINE,
    "Date of procedure: 2026-08-20",
    "FINAL DIAGNOSIS: invasive ductal carcinoma, grade 2",
)


def make_patient_folder(root: Path) -> ScanResult:
    """Write the synthetic folder under ``root``; returns its expected scan."""
    files: dict[str, bytes] = {}
    instances: list[list[DicomInstance]] = [[], []]
    for s, (series_uid, count) in enumerate(zip(SERIES_UIDS, (3, 2), strict=True)):
        for i in range(count):
            data, uid = dicom_bytes(series_uid, s + 1, i + 1)
            path = f"CD/DICOM/S{s}/I{i}"
            files[path] = data
            instances[s].append(
                DicomInstance(path, CTImageStorage, uid, ExplicitVRLittleEndian, i + 1)
            )
    raw, raw_uid = dicom_bytes(SERIES_UIDS[1], 2, 9, part10=False)
    files["CD/DICOM/S1/RAW9"] = raw
    instances[1].append(
        DicomInstance("CD/DICOM/S1/RAW9", CTImageStorage, raw_uid, None, 9, part10=False)
    )

    # Each document names the patient, as real ones do (one that names nobody is held back).
    pathology = pdf_bytes(
        "SURGICAL PATHOLOGY REPORT", _PATIENT_LINE, "FINAL DIAGNOSIS: invasive ductal carcinoma"
    )
    files["MyChart/report(3).pdf"] = pathology
    files["Downloads/report(3) copy.pdf"] = pathology  # same bytes: a duplicate
    files["MyChart/CT report.pdf"] = pdf_bytes(
        "EXAM: CT chest", _PATIENT_LINE, "IMPRESSION: no distant disease"
    )
    files["labs/cbc 2026-08-01.txt"] = (
        f"CBC\n{_PATIENT_LINE}\nWBC 6.1 x10^9/L (4.0-11.0)\nHGB 13.2 g/dL\n".encode()
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ccd.xml", "<ClinicalDocument>summary</ClinicalDocument>")
    files["portal export.zip"] = archive.getvalue()
    files["broken.pdf"] = b"%PDF-1.7\n1 0 obj <<"  # ends early
    files[".DS_Store"] = b"\x00\x00\x00\x01Bud1"

    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    study = ImagingStudy(
        study_instance_uid=STUDY_UID,
        modalities=("CT",),
        description="CT CHEST ABDOMEN PELVIS W CONTRAST",
        accession_number="ACC0815",
        study_id="4711",
        series=tuple(
            Series(uid, "CT", n + 1, f"Series {n + 1}", tuple(instances[n]))
            for n, uid in enumerate(SERIES_UIDS)
        ),
        time="101500",
    )
    dicom_paths = tuple(i.path for series in instances for i in series)
    records = (
        Record(
            "imaging_study",
            "CT chest abdomen pelvis",
            "2026-08-12",
            dicom_paths,
            PATIENT,
            0.99,
            ("DICOM CT image storage",),
            "dicom",
            study,
        ),
        Record(
            "pathology_report",
            "Surgical pathology report",
            "2026-08-20",
            ("MyChart/report(3).pdf",),
            PATIENT,
            0.9,
            ("heading",),
            "pdf",
        ),
        Record(
            "imaging_report",
            "CT chest report",
            "2026-08-12",
            ("MyChart/CT report.pdf",),
            PATIENT,
            0.8,
            ("EXAM",),
            "pdf",
        ),
        Record(
            "lab_result",
            "Complete blood count",
            "2026-08-01",
            ("labs/cbc 2026-08-01.txt",),
            PATIENT,
            0.7,
            ("WBC",),
            "text",
        ),
        Record(
            "patient_summary",
            "Continuity of Care Document",
            None,
            ("portal export.zip!ccd.xml",),
            PATIENT,
            0.9,
            ("CCD",),
            "ccda",
        ),
    )
    problems = (
        Problem("broken.pdf", UNREADABLE, "PDF ends early: the file is incomplete"),
        Problem(
            "Downloads/report(3) copy.pdf",
            DUPLICATE,
            "same bytes as MyChart/report(3).pdf",
            duplicate_of="MyChart/report(3).pdf",
        ),
    )
    skipped = (Skipped(".DS_Store", "system file"),)
    infos = {
        path: FileInfo(path, len(data), hashlib.sha256(data).hexdigest())
        for path, data in files.items()
        if path != ".DS_Store"
    }
    return ScanResult(str(root), records, problems, skipped, infos)


def tree_snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``root``: (size, mtime_ns, sha256), to prove a folder was not touched."""
    snap: dict[str, tuple[int, int, str]] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            snap[path.relative_to(root).as_posix()] = (
                st.st_size,
                st.st_mtime_ns,
                hashlib.sha256(path.read_bytes()).hexdigest(),
            )
    return snap
