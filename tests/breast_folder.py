"""Delphine Harrowgate's breast cancer folder, built by code, and `check` run on it.

An invented patient: PDFs with a text layer (fpdf2, via tests.acceptance_folders)
and DICOM images made from pydicom's bundled test files, re-labelled for her (or
left as pydicom ships them). breast_folder holds everything the breast manifest
asks for except the images, which each test adds with dicom_image.
check_json and check_text run `check` as of AS_OF; status and requirement read
its JSON report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from recordpack.cli import main
from tests.acceptance_folders import text_pdf

PATIENT = "HARROWGATE^DELPHINE^M"
BIRTH = "19580412"
MRN = "5520871"
AS_OF = "2026-04-01"

PATHOLOGY = [
    "SURGICAL PATHOLOGY REPORT",
    "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   MRN: 5520871",
    "Date of collection: 03/02/2026",
    "SPECIMEN: Left breast, core needle biopsy",
    "GROSS DESCRIPTION: Three cores of tan tissue.",
    "FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.",
    "Estrogen receptor (ER): positive, 90%. Progesterone receptor (PR): positive, 30%.",
    "HER2 (IHC): 1+, negative.",
]
LABS = [
    "LABORATORY REPORT",
    "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
    "Collected: 03/05/2026",
    "Test          Result   Units     Reference range",
    "WBC           6.1      10^3/uL   4.0-11.0",
    "Hemoglobin    12.9     g/dL      12.0-16.0",
]


def mri_report(date: str = "03/01/2026") -> list[str]:
    return [
        "RADIOLOGY REPORT",
        "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
        f"EXAM: MRI BREAST BILATERAL WITH AND WITHOUT CONTRAST   Exam date: {date}",
        "TECHNIQUE: Multiplanar multisequence MRI of both breasts.",
        "FINDINGS: 1.9 cm enhancing mass in the left breast at 2 o'clock.",
        "IMPRESSION: Known left breast malignancy. BI-RADS 6.",
    ]


def dicom_image(
    path: Path,
    source: str = "MR_small.dcm",
    *,
    name: str | None = PATIENT,
    birth: str | None = BIRTH,
    patient_id: str | None = MRN,
    study_uid: str | None = None,
    description: str = "MRI BREAST BILAT",
    date: str = "20260301",
    number: int = 1,
) -> Path:
    """One DICOM file from a pydicom test file; ``name=None`` keeps the file's own patient."""
    src = get_testdata_file(source, download=False)
    assert src is not None, source
    ds = dcmread(src)
    if name is not None:
        ds.PatientName = name
        ds.PatientBirthDate = birth or ""
        ds.PatientID = patient_id or ""
        ds.StudyInstanceUID = study_uid or generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.StudyDate = date
        ds.StudyDescription = description
        ds.InstanceNumber = number
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path)
    return path


MEDICATIONS = [
    "CURRENT MEDICATIONS",
    "Patient: Harrowgate, Delphine M   DOB 04/12/1958",
    "As of: 03/12/2026",
    "Letrozole 2.5 mg tablet - take 1 tablet by mouth daily",
    "Lisinopril 10 mg tablet - take 1 tablet by mouth daily",
    "ALLERGIES: Penicillin - hives",
]
CLINIC_NOTE = [
    "ONCOLOGY CONSULTATION",
    "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   Visit date: 03/12/2026",
    "HISTORY OF PRESENT ILLNESS",
    "Ms. Harrowgate is a 67 year old woman with a left breast invasive ductal carcinoma.",
    "REVIEW OF SYSTEMS: negative except as above.",
    "ASSESSMENT AND PLAN",
    "Left breast cancer, clinical stage IA. Lumpectomy and sentinel node biopsy discussed.",
]


def mr_study(root: Path, names: Sequence[tuple[str, str, str]]) -> str:
    """One MR study, one image per (name, birth, id), files MR/IM00001...; returns its UID."""
    uid = generate_uid()
    for index, (name, birth, pid) in enumerate(names, start=1):
        dicom_image(
            root / "MR" / f"IM{index:05d}",
            name=name,
            birth=birth,
            patient_id=pid,
            study_uid=uid,
            number=index,
        )
    return uid


def breast_folder(root: Path) -> Path:
    """Delphine Harrowgate's breast folder: everything the breast manifest asks for
    except the images, which each test adds."""
    text_pdf(root / "pathology.pdf", PATHOLOGY)
    text_pdf(root / "labs.pdf", LABS)
    text_pdf(root / "mri report.pdf", mri_report())
    text_pdf(root / "medications.pdf", MEDICATIONS)
    text_pdf(root / "consult.pdf", CLINIC_NOTE)
    return root


def run(args: Sequence[str]) -> tuple[int, Any]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    out = result.stdout
    return result.exit_code, json.loads(out) if "--json" in args else out


def check_json(folder: Path, manifest: str = "breast") -> tuple[int, dict[str, Any]]:
    code, doc = run(["check", str(folder), "-m", manifest, "--as-of", AS_OF, "--json", "-q"])
    assert isinstance(doc, dict)
    return code, doc


def check_text(folder: Path, manifest: str = "breast") -> tuple[int, str]:
    code, text = run(["check", str(folder), "-m", manifest, "--as-of", AS_OF, "-q"])
    assert isinstance(text, str)
    return code, text


def status(doc: dict[str, Any], requirement: str) -> str:
    return next(str(r["status"]) for r in doc["requirements"] if r["id"] == requirement)


def requirement(doc: dict[str, Any], requirement_id: str) -> dict[str, Any]:
    return next(r for r in doc["requirements"] if r["id"] == requirement_id)
