"""Documents that talk about a report are not that report (KINDS.md, "Judging a document's kind").

A letter or a nurse's note quoting a biopsy result while the pathology report
is still awaited, a clinic note reviewing outside images, a portal message
about a mammogram, a tumor board summary: each is filed as what it is, and a
manifest asking for the report itself does not count it as met. The reports
themselves (a radiologist's reading, a hematopathologist's flow cytometry of a
lymph node) keep their kind. Every person and institution here is invented.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack.checking import check
from recordpack.classify import classify_text
from recordpack.manifest import load_manifest
from recordpack.scan import scan_folder

TODAY = dt.date(2026, 11, 30)
HEADER = "Patient: QUILLFEATHER, ODALYS B\nDOB: 02/09/1958\n"


def _letter_quoting_biopsy() -> str:
    return (
        "BRACKENRIDGE CANCER CENTER\n\nNovember 12, 2026\n\nTo whom it may concern,\n\n"
        "RE: Odalys B. Quillfeather, DOB 02/09/1958\n\n"
        "Mrs. Quillfeather is referred for a second opinion about her right breast cancer.\n"
        "Her core biopsy (specimen BX26-4410, Lindenfield Hospital) showed invasive lobular carcinoma,\n"
        "Nottingham grade 1. Estrogen receptor positive (90%), progesterone receptor positive (20%),\n"
        "HER2 negative (IHC 0). Ki-67 10%.\n"
        "The final pathology report will be faxed to you when it reaches our office.\n\n"
        "Best regards,\nTobias Wrenfield, MD\n"
    )


def _navigator_note() -> str:
    return (
        "ONCOLOGY NURSE NAVIGATION NOTE\n" + HEADER + "Date: 11/09/2026\n\n"
        "Called the patient to review next steps. Biopsy of the right breast on 10/30/2026; the specimen\n"
        "went to Lindenfield pathology. The pathology report is not yet available; Dr. Wrenfield\n"
        "relayed a preliminary reading of invasive lobular carcinoma, ER and PR positive, HER2 negative.\n"
    )


def _note_reviewing_images() -> str:
    return (
        "BREAST SURGERY - NEW PATIENT\n" + HEADER + "Visit date: 11/04/2026\n\n"
        "We looked at the outside mammogram and ultrasound images together with the patient today.\n"
        "FINDINGS: 2.2 cm irregular mass at right breast 10:00, BI-RADS 5 on mammography.\n"
        "IMPRESSION: right breast cancer, plan for lumpectomy and sentinel node biopsy.\n"
        "The written imaging reports were not available at this visit.\n"
    )


def _portal_message() -> str:
    return (
        "Patient Portal Message\nFrom: Lindenfield Breast Center\n"
        + HEADER
        + "Sent: 10/22/2026\n\n"
        "Your diagnostic mammogram from 10/20/2026 has been reviewed by the radiologist.\n"
        "Impression: BI-RADS 4, suspicious. Please contact your doctor to talk about a biopsy.\n"
    )


def _allcaps_note() -> str:
    return (
        "BRACKENRIDGE CANCER CENTER\n" + HEADER.upper() + "DATE: 11/02/2026\n\n"
        "PT SEEN TODAY FOR FOLLOW UP AFTER RIGHT LUMPECTOMY. NO COMPLAINTS.\n"
        "EXAM: LUNGS CLEAR. NO ADENOPATHY. RIGHT BREAST INCISION HEALED.\n"
        "COMPARISON: EXAM OF 09/2026 UNCHANGED.\n"
        "FINDINGS: NO MASS. NO AXILLARY NODES PALPABLE.\n"
        "IMPRESSION: DOING WELL. START ANASTROZOLE. RTC 3 MO.\n"
        "T. WRENFIELD MD\n"
    )


def _dictated_note() -> str:
    return (
        "brackenridge cancer center\n"
        "patient quillfeather odalys b dob 02/09/1958 date of service 11/02/2026\n"
        "this is a 68 year old woman with right breast cancer seen today in follow up after surgery\n"
        "we reviewed her mammogram from october which showed a 2.2 cm mass bi-rads 5\n"
        "exam lungs clear no adenopathy incision healed\n"
        "plan start anastrozole return to clinic in 3 months\n"
        "dictated but not read t wrenfield md\n"
    )


def _tumor_board() -> str:
    return (
        "MULTIDISCIPLINARY BREAST TUMOR BOARD\n" + HEADER + "Conference date: 10/28/2026\n\n"
        "Case presented by Dr. Wrenfield.\n"
        "Pathology reviewed by pathologist Dr. Ashcombe: core biopsy specimen of the right breast shows\n"
        "invasive lobular carcinoma, grade 1, ER 90%, PR 20%, HER2 0.\n"
        "Imaging reviewed: 2.2 cm mass right breast 10:00, BI-RADS 5.\n"
        "Recommendation: lumpectomy and sentinel node biopsy, then endocrine therapy.\n"
    )


def _lymphocyte_subsets() -> str:
    return (
        "LINDENFIELD LABORATORY - IMMUNOLOGY\nFLOW CYTOMETRY - T-CELL SUBSETS\n"
        + HEADER
        + "Collected: 11/15/2026\nSpecimen: Peripheral blood, EDTA\n"
        "Test                 Result   Units      Reference range\n"
        "CD3 absolute         1310     cells/uL   700-2100\n"
        "CD4 absolute         760      cells/uL   500-1500\n"
        "CD8 absolute         480      cells/uL   200-900\n"
        "Lab director: M. Oyelaran, MD\n"
    )


#: (id, text, what it is, what it must not be taken for).
TALKS_ABOUT = [
    ("letter-quoting-biopsy", _letter_quoting_biopsy(), "clinical_note", "pathology_report"),
    ("navigator-note", _navigator_note(), "clinical_note", "pathology_report"),
    ("note-reviewing-images", _note_reviewing_images(), "clinical_note", "imaging_report"),
    ("portal-message", _portal_message(), "other", "imaging_report"),
    ("allcaps-note", _allcaps_note(), "clinical_note", "imaging_report"),
    ("dictated-note", _dictated_note(), "clinical_note", "imaging_report"),
    ("tumor-board", _tumor_board(), "clinical_note", "imaging_report"),
    ("lymphocyte-subsets", _lymphocyte_subsets(), "lab_result", "pathology_report"),
]


@pytest.mark.parametrize(
    ("text", "kind", "not_kind"),
    [t[1:] for t in TALKS_ABOUT],
    ids=[t[0] for t in TALKS_ABOUT],
)
def test_a_document_about_a_report_is_not_the_report(text: str, kind: str, not_kind: str) -> None:
    found = classify_text(text, today=TODAY)
    assert found.kind != not_kind
    assert found.kind == kind


@pytest.mark.parametrize(
    ("name", "text"),
    [("mammo_report.txt", _portal_message()), ("pathology.txt", _letter_quoting_biopsy())],
    ids=["portal-message", "letter"],
)
def test_a_file_name_does_not_bring_back_a_kind_the_text_ruled_out(name: str, text: str) -> None:
    found = classify_text(text, name=name, today=TODAY)
    assert found.kind not in ("imaging_report", "pathology_report")
    assert any(
        e.startswith(("not an imaging report", "not a pathology report")) for e in found.evidence
    )


#: The reports themselves, with the words the rules above look at: they keep their kind.
REPORTS = [
    (
        "radiology-attested",
        "imaging_report",
        "VALLEY RADIOLOGY\nEXAM: CT CHEST WITH CONTRAST\n"
        "CLINICAL HISTORY: Patient seen in clinic today with cough.\n"
        "TECHNIQUE: Axial images through the chest after IV contrast.\nCOMPARISON: None.\n"
        "FINDINGS: 2.1 cm spiculated nodule right upper lobe. No adenopathy.\n"
        "IMPRESSION: Suspicious nodule. Recommend follow-up in 3 months or PET.\n"
        "I have personally reviewed the images and agree with the findings above.\n"
        "Findings discussed with Dr. Wrenfield by telephone at 14:05.\n"
        "Radiologist: Ines Ashcombe, MD\n",
    ),
    (
        "lung-screening",
        "imaging_report",
        "EXAM: LUNG SCREENING CT LOW DOSE\nINDICATION: 30 pack-year smoker.\n"
        "FINDINGS: 4 mm nodule left lower lobe.\nIMPRESSION: Lung-RADS 2.\n",
    ),
    (
        "flow-lymph-node",
        "pathology_report",
        "HEMATOPATHOLOGY\nFLOW CYTOMETRY REPORT\nAccession: FC26-0412\n"
        "Specimen: Lymph node, left cervical, excisional biopsy\n"
        "Interpretation: Monoclonal B-cell population expressing CD19, CD20, CD10, lambda restricted.\n"
        "T cells show a CD4:CD8 ratio of 2.1.\nDiagnosis: Consistent with follicular lymphoma.\n"
        "Hematopathologist: Ines Ashcombe, MD\n",
    ),
    (
        "marrow-with-blood-counts",
        "pathology_report",
        "BONE MARROW BIOPSY REPORT\nAccession: BM26-0077\n"
        "Peripheral blood: WBC 2.1 x10^3/uL (reference range 4.0-11.0), Hgb 8.9 g/dL (12.0-16.0)\n"
        "Flow cytometry: 34% myeloblasts, CD34+, CD117+, MPO+.\n"
        "FINAL DIAGNOSIS: Acute myeloid leukemia.\nPathologist: Ines Ashcombe, MD\n",
    ),
    (
        "frozen-section",
        "pathology_report",
        "INTRAOPERATIVE CONSULTATION\nAccession: S26-3311\nSpecimen: Left breast sentinel lymph node\n"
        "Frozen section diagnosis: Negative for metastatic carcinoma (0/1).\nFinal report to follow.\n"
        "Pathologist: Ines Ashcombe, MD\n",
    ),
]


@pytest.mark.parametrize(("kind", "text"), [r[1:] for r in REPORTS], ids=[r[0] for r in REPORTS])
def test_the_reports_themselves_keep_their_kind(kind: str, text: str) -> None:
    assert classify_text(text, today=TODAY).kind == kind


# --------------------------------------------------------------------------- check


NOTE = (
    "ONCOLOGY FOLLOW-UP NOTE\n" + HEADER + "Date of service: 11/10/2026\n\n"
    "HISTORY OF PRESENT ILLNESS:\n68-year-old with right breast cancer.\n\n"
    "ASSESSMENT AND PLAN:\nContinue anastrozole. Return to clinic in 3 months.\n"
)
MAMMOGRAM = (
    "LINDENFIELD BREAST CENTER\nRADIOLOGY REPORT\n" + HEADER + "Exam date: 10/20/2026\n"
    "EXAM: MAMMO DIAG BILAT\nTECHNIQUE: Bilateral diagnostic mammography.\n"
    "FINDINGS: 2.2 cm irregular mass, right breast 10:00.\nIMPRESSION: BI-RADS 5.\n"
    "Radiologist: Ines Ashcombe, MD\n"
)
PATHOLOGY = (
    "SURGICAL PATHOLOGY REPORT\n" + HEADER + "Accession: S26-4410   Collected: 10/30/2026\n"
    "SPECIMEN: Right breast, core biopsy\nGROSS DESCRIPTION: Three cores of tan tissue.\n"
    "FINAL DIAGNOSIS: Invasive lobular carcinoma, grade 1.\n"
    "Estrogen receptor: positive (90%). Progesterone receptor: positive (20%). HER2: negative (IHC 0).\n"
    "Pathologist: Ines Ashcombe, MD\n"
)


def _statuses(root: Path, manifest: str) -> dict[str, str]:
    report = check(scan_folder(root), load_manifest(manifest), as_of=TODAY)
    return {r.requirement.id: r.status for r in report.results}


@pytest.mark.parametrize(
    ("replaced", "text", "requirement"),
    [
        ("pathology.txt", _letter_quoting_biopsy(), "pathology"),
        ("pathology.txt", _navigator_note(), "pathology"),
        ("mammo_report.txt", _note_reviewing_images(), "imaging_reports"),
        ("mammo_report.txt", _portal_message(), "imaging_reports"),
    ],
    ids=["letter", "navigator-note", "note-reviewing-images", "portal-message"],
)
def test_check_does_not_count_a_document_about_the_report(
    tmp_path: Path, replaced: str, text: str, requirement: str
) -> None:
    files = {"note.txt": NOTE, "mammo_report.txt": MAMMOGRAM, "pathology.txt": PATHOLOGY}
    for name, body in (files | {replaced: text}).items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert _statuses(tmp_path, "breast")[requirement] == "missing"


def test_check_files_a_blood_lymphocyte_panel_as_labs_not_pathology(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "cd4.txt").write_text(_lymphocyte_subsets(), encoding="utf-8")
    statuses = _statuses(tmp_path, "general")
    assert statuses["pathology"] == "missing"
    assert statuses["recent_labs"] == "met"
