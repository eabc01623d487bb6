"""An imaging requirement is met by what was examined, not by words a report
happens to contain: a chest CT of a breast cancer patient says "breast" in its
history, findings and letterhead, and is not breast imaging."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordpack.checking import _exam_statements, exam_done
from recordpack.errors import ManifestError
from recordpack.manifest import load_manifest
from tests.acceptance_folders import text_pdf
from tests.breast_folder import (
    AS_OF,
    breast_folder,
    check_json,
    check_text,
    dicom_image,
    requirement,
    status,
)

CT_AT_A_BREAST_CENTRE = [
    "CASCADE BREAST IMAGING ASSOCIATES",
    "RADIOLOGY REPORT",
    "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   Exam date: 03/01/2026",
    "EXAM: CT CHEST WITH CONTRAST",
    "CLINICAL HISTORY: Invasive ductal carcinoma of the left breast; staging.",
    "FINDINGS: Postsurgical change in the left breast. No pulmonary nodules.",
    "IMPRESSION: No evidence of metastatic disease in the chest.",
]


def _without_breast_imaging(root: Path) -> Path:
    folder = breast_folder(root)
    (folder / "mri report.pdf").unlink()
    dicom_image(folder / "CT" / "IM00001", "CT_small.dcm", description="CT CHEST W CONTRAST")
    return folder


def test_a_chest_ct_is_not_breast_imaging(tmp_path: Path) -> None:
    folder = _without_breast_imaging(tmp_path)
    text_pdf(folder / "ct report.pdf", CT_AT_A_BREAST_CENTRE)
    code, doc = check_json(folder)
    assert status(doc, "breast_imaging") == "missing"
    assert doc["ok"] is False and code != 0
    code, text = check_text(folder)
    assert "no exam line or image description among them says breast" in " ".join(text.split())


def test_a_breast_mri_report_or_a_mammogram_study_is(tmp_path: Path) -> None:
    folder = _without_breast_imaging(tmp_path / "report")
    text_pdf(folder / "ct report.pdf", CT_AT_A_BREAST_CENTRE)
    text_pdf(
        folder / "mri.pdf",
        [
            "RADIOLOGY REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
            "Exam date:   03/01/2026   Exam:   MRI BILATERAL BREASTS W/WO CONTRAST",
            "FINDINGS: 1.9 cm enhancing mass, left breast. BI-RADS 6.",
        ],
    )
    _, doc = check_json(folder)
    assert status(doc, "breast_imaging") == "met"
    [evidence] = requirement(doc, "breast_imaging")["evidence"]
    assert evidence["path"] == "mri.pdf" and "MRI BILATERAL BREASTS" in evidence["text"]

    folder = _without_breast_imaging(tmp_path / "study")
    for n in range(2):
        dicom_image(
            folder / "MG" / f"IM{n:05d}", "MR_small.dcm", description="MAMMO SCREENING BILAT", number=n
        )
    _, doc = check_json(folder)
    assert status(doc, "breast_imaging") == "met"


def test_a_ct_compared_with_an_old_mri_is_not_a_pelvic_mri(tmp_path: Path) -> None:
    text_pdf(
        tmp_path / "ct.pdf",
        [
            "RADIOLOGY REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
            "Exam date: 03/01/2026",
            "PROCEDURE:",
            "CT ABDOMEN AND PELVIS WITH CONTRAST",
            "COMPARISON: MRI 05/2025.",
            "FINDINGS: Rectal wall thickening. No liver lesion. Pelvis otherwise normal.",
        ],
    )
    _, doc = check_json(tmp_path, "colorectal")
    assert status(doc, "pelvic_mri") == "optional_missing"  # asked for if done; not this CT
    assert status(doc, "ct_staging") == "met"


@pytest.mark.parametrize(
    ("lines", "exam"),
    [
        (["Exam: CT CHEST WITH CONTRAST"], ["CT CHEST WITH CONTRAST"]),
        (["SEX:   F   Exam:   CT CHEST WITH CONTRAST"], ["CT CHEST WITH CONTRAST"]),
        (["EXAM", "MRI BREAST BILATERAL"], ["MRI BREAST BILATERAL"]),
        (["PROCEDURE:", "", "US LEFT BREAST LIMITED"], ["US LEFT BREAST LIMITED"]),
        (["Examination performed: MAMMOGRAM SCREENING"], ["MAMMOGRAM SCREENING"]),
        (["Study description:   PET/CT SKULL BASE TO THIGH"], ["PET/CT SKULL BASE TO THIGH"]),
        (["Exam date: 03/01/2026", "Exam date:   03/01/2026   MRN: 1"], []),
        (["Exam was performed without complication."], []),
        (["CLINICAL HISTORY: breast cancer", "FINDINGS: left breast seroma"], []),
    ],
)
def test_exam_lines_are_found_as_reports_write_them(lines: list[str], exam: list[str]) -> None:
    assert _exam_statements(lines) == exam


def test_matches_in_is_checked_in_a_manifest(tmp_path: Path) -> None:
    base = '''name = "mine"
title = "Mine"

[[requirement]]
id = "breast_mri"
title = "Breast MRI"
kinds = ["imaging_report"]
matches = [["breast"]]
'''
    good = tmp_path / "good.toml"
    good.write_text(base + 'matches_in = "exam"\n')
    [req] = load_manifest(str(good)).requirements
    assert req.matches_in == "exam" and req.to_json()["matches_in"] == "exam"
    bad = tmp_path / "bad.toml"
    bad.write_text(base + 'matches_in = "header"\n')
    with pytest.raises(ManifestError, match=r"line 9: 'matches_in' must be one of 'text', 'exam'"):
        load_manifest(str(bad))
    assert AS_OF  # the shared reference date of these folders


@pytest.mark.parametrize(
    "letterhead",
    ["CASCADE BREAST IMAGING ASSOCIATES", "Northside Breast Centre", "Women's Breast Health Center"],
)
def test_a_breast_centre_letterhead_is_not_an_exam_line(tmp_path: Path, letterhead: str) -> None:
    """A report with no exam field is judged by its title and first lines; the
    name of the centre that wrote it is not what was examined."""
    folder = _without_breast_imaging(tmp_path)
    text_pdf(
        folder / "ct report.pdf",
        [
            letterhead,
            "RADIOLOGY REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   Exam date: 03/01/2026",
            "CT CHEST WITH CONTRAST",
            "CLINICAL HISTORY: Invasive ductal carcinoma of the left breast; staging.",
            "IMPRESSION: No evidence of metastatic disease in the chest.",
        ],
    )
    code, doc = check_json(folder)
    assert status(doc, "breast_imaging") == "missing"
    assert doc["ok"] is False and code != 0


def test_a_mammogram_report_without_an_exam_field_is_breast_imaging(tmp_path: Path) -> None:
    """Its first lines, past the letterhead and the patient's fields, say what was examined."""
    folder = _without_breast_imaging(tmp_path)
    text_pdf(
        folder / "mammogram.pdf",
        [
            "Northside Breast Centre",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   Date: 03/01/2026",
            "BILATERAL DIAGNOSTIC MAMMOGRAM",
            "HISTORY: Follow-up of left breast carcinoma.",
            "FINDINGS: Postsurgical change. No suspicious mass.",
            "IMPRESSION: BI-RADS 2, benign.",
        ],
    )
    _, doc = check_json(folder)
    assert status(doc, "breast_imaging") == "met"


LUNG_PATIENT = "Patient: Brightwater, Emeric J   DOB: 11/23/1956   MRN: 7730142"


def _lung_folder(root: Path, exam_field: str) -> Path:
    """A lung folder whose only imaging is a CT of the abdomen and pelvis, its
    report's exam field being ``exam_field``; everything else the lung
    manifest asks for is there."""
    text_pdf(
        root / "pathology.pdf",
        [
            "SURGICAL PATHOLOGY REPORT",
            LUNG_PATIENT,
            "Date of collection: 03/02/2026",
            "SPECIMEN: Left lower lobe, core biopsy",
            "FINAL DIAGNOSIS: Adenocarcinoma of lung.",
            "EGFR: no mutation detected. ALK: negative. ROS1: negative. KRAS: not detected.",
            "PD-L1 TPS 40%.",
        ],
    )
    text_pdf(
        root / "ct report.pdf",
        [
            "RADIOLOGY REPORT",
            LUNG_PATIENT,
            exam_field,
            "Exam date: 03/10/2026",
            "FINDINGS: No liver lesion. No adrenal nodule. No ascites.",
            "IMPRESSION: No evidence of metastatic disease in the abdomen or pelvis.",
        ],
    )
    text_pdf(
        root / "labs.pdf",
        [
            "LABORATORY REPORT",
            LUNG_PATIENT,
            "Collected: 03/15/2026",
            "Test          Result   Units     Reference range",
            "Hemoglobin    13.9     g/dL      13.5-17.5",
        ],
    )
    text_pdf(
        root / "medications.pdf",
        [
            "Medication List",
            LUNG_PATIENT,
            "Date: 03/18/2026",
            "Current Medications",
            "Lisinopril 10 mg daily",
            "Allergies",
            "No known drug allergies",
        ],
    )
    text_pdf(
        root / "clinic note.pdf",
        [
            "PROGRESS NOTE",
            LUNG_PATIENT,
            "Date of visit: 03/18/2026",
            "HISTORY OF PRESENT ILLNESS: Left lower lobe adenocarcinoma.",
            "ASSESSMENT AND PLAN: Staging to be completed.",
        ],
    )
    for n in range(2):
        dicom_image(
            root / "CT" / f"IM{n:05d}",
            "CT_small.dcm",
            name="BRIGHTWATER^EMERIC^J",
            birth="19561123",
            patient_id="7730142",
            study_uid="1.2.826.0.1.3680043.8.498.7730142",
            description="CT ABD PELVIS W CONTRAST",
            date="20260310",
            number=n + 1,
        )
    return root


@pytest.mark.parametrize(
    "exam_field",
    [
        "Exam: CT ABDOMEN AND PELVIS WITH CONTRAST (comparison: CT chest 01/09/2026)",
        "Exam: CT ABDOMEN AND PELVIS WITH CONTRAST. Prior PET/CT and CT chest not available.",
        "Exam: CT ABDOMEN AND PELVIS WITH CONTRAST; CT CHEST deferred per Dr. Lindqvist",
        "Exam: CT ABDOMEN AND PELVIS WITH CONTRAST compared with PET/CT and CT chest 2025",
    ],
)
def test_an_exam_the_exam_field_compares_with_or_defers_is_not_in_the_folder(
    tmp_path: Path, exam_field: str
) -> None:
    """Only the exam the field says was done counts; a comparison, a prior that
    is not available and a deferred exam are not in the folder."""
    _, doc = check_json(_lung_folder(tmp_path, exam_field), "lung")
    assert status(doc, "ct_chest") == "missing"
    assert status(doc, "pet_ct") == "missing"
    assert doc["ok"] is False
    # All else the lung manifest asks for is here: these two alone keep it from READY.
    assert {r["id"] for r in doc["requirements"] if r["status"] in ("missing", "incomplete")} == {
        "ct_chest",
        "pet_ct",
    }
    code, text = check_text(tmp_path, "lung")
    assert "NOT READY" in text and code != 0


def test_the_exam_field_own_exam_still_counts_beside_a_comparison(tmp_path: Path) -> None:
    """Controls: a chest CT compared with an old abdominal CT is a chest CT, and
    a PET/CT with a comparison line is a PET/CT."""
    folder = _lung_folder(tmp_path, "Exam: CT CHEST WITH CONTRAST (comparison: CT abdomen 2025)")
    text_pdf(
        folder / "pet report.pdf",
        [
            "NUCLEAR MEDICINE REPORT",
            LUNG_PATIENT,
            "Exam: PET/CT SKULL BASE TO MID THIGH (FDG). Comparison: CT chest 03/10/2026.",
            "Exam date: 03/20/2026",
            "IMPRESSION: Hypermetabolic left lower lobe mass without nodal disease.",
        ],
    )
    _, doc = check_json(folder, "lung")
    assert status(doc, "ct_chest") == "met"
    [evidence] = requirement(doc, "ct_chest")["evidence"]
    assert evidence["text"] == "Exam: CT CHEST WITH CONTRAST"
    assert status(doc, "pet_ct") == "met"
    assert requirement(doc, "pet_ct")["evidence"][0]["text"] == (
        "Exam: PET/CT SKULL BASE TO MID THIGH (FDG)"
    )


@pytest.mark.parametrize(
    ("value", "done"),
    [
        ("CT ABDOMEN AND PELVIS (comparison: CT chest 01/09/2026)", "CT ABDOMEN AND PELVIS"),
        ("CT ABD PELVIS - comparison: CT chest 2025, PET/CT 2024", "CT ABD PELVIS"),
        ("MRI BREAST BILATERAL vs. 2025", "MRI BREAST BILATERAL"),
        ("CT CHEST, ABDOMEN AND PELVIS WITH CONTRAST", "CT CHEST, ABDOMEN AND PELVIS WITH CONTRAST"),
        ("CT CHEST W/O CONTRAST prior to biopsy", "CT CHEST W/O CONTRAST prior to biopsy"),
        ("PET/CT SKULL BASE TO MID THIGH (FDG)", "PET/CT SKULL BASE TO MID THIGH (FDG)"),
        ("CT CHEST deferred", ""),
    ],
)
def test_an_exam_field_is_read_less_its_asides(value: str, done: str) -> None:
    assert exam_done(value) == done
