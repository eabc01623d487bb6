"""A synthetic patient folder whose case facts are known exactly (invented person).

:func:`write_case_folder` writes a pathology report, a genomic report, a clinic
note (stage, a plan, and markers mentioned without results), a lab report with
tumour markers, a record naming another patient, and a CT and MR study. The
``EXPECTED_*`` tables say what the case summary must state: that, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path
from typing import Any, Final

from examples.synthetic import INVENTED_PEOPLE, uid_from, write_dicom_series

PERSON: Final = INVENTED_PEOPLE[2]  # Ottilie Rose Quillfeather, invented
OTHER: Final = INVENTED_PEOPLE[3]  # Ambrose Lyle Brackenridge, invented

PATHOLOGY: Final = """LAKEVIEW PATHOLOGY PARTNERS
SURGICAL PATHOLOGY REPORT

Patient: QUILLFEATHER, OTTILIE R      DOB: 10/27/1971
MRN: MR4471023
Collected: 03/03/2026
Procedure: Left breast partial mastectomy with sentinel lymph node biopsy

CLINICAL HISTORY
Rule out carcinoma, left breast mass.

FINAL DIAGNOSIS
A. LEFT BREAST, PARTIAL MASTECTOMY:
- INVASIVE LOBULAR CARCINOMA, NOTTINGHAM GRADE 2 (tubules 3, nuclei 2, mitoses 1).
- Margins negative for carcinoma.
B. SENTINEL LYMPH NODES, LEFT AXILLA:
- No carcinoma identified in two lymph nodes (0/2).

Pathologic stage: pT1c pN0(sn), AJCC 8th edition.

ANCILLARY STUDIES
Estrogen receptor (ER): POSITIVE, 90% of tumor cells, strong intensity.
Progesterone receptor (PR): NEGATIVE (less than 1% of tumor cells).
HER2 (IHC, clone 4B5): 2+, EQUIVOCAL.
HER2 FISH: not amplified (HER2/CEP17 ratio 1.3).
Ki-67: 12%.

Electronically signed by Rupert K. Alvingham, MD, Pathologist, on 03/07/2026
"""

GENOMIC: Final = """MERIDIAN GENOMICS LABORATORY
GENOMIC TESTING REPORT

Name: Quillfeather, Ottilie    DOB: 1971-10-27
Report date: 2026-03-20
Test: Comprehensive Solid Tumor NGS Panel

RESULTS
PIK3CA p.H1047R, VAF 22%.
ESR1: no mutation detected.
BRCA2: no pathogenic variant detected.
Tumor mutational burden (TMB): 3 mut/Mb (low).

METHODOLOGY
Next-generation sequencing of DNA extracted from tumor tissue.
"""

NOTE: Final = """HARBOR ONCOLOGY GROUP
MEDICAL ONCOLOGY CONSULTATION

Patient: Ottilie Quillfeather    DOB: 10/27/1971
Date of service: 04/01/2026

HISTORY OF PRESENT ILLNESS
Ms. Quillfeather has invasive lobular carcinoma of the left breast, clinical stage IA.
PD-L1 was discussed with her today; BRCA1 testing is pending.
Oncotype DX has been ordered.

ASSESSMENT AND PLAN
Regimen: letrozole 2.5 mg orally daily for 5 years, to start after radiation.
Whole-breast radiation 40.05 Gy in 15 fractions.
"""

LABS: Final = """SUMMIT CLINICAL LABORATORIES
LABORATORY REPORT

Name: Quillfeather, Ottilie    DOB: 1971-10-27
Collected: 2026-03-28 08:14

Test   Result   Flag   Reference range   Units
Hemoglobin   12.9   12.0-16.0   g/dL
CA 15-3   24   0-31   U/mL
CEA   2.1   0.0-3.0   ng/mL
"""

OTHER_PATIENT: Final = """NORTHBROOK REGIONAL MEDICAL CENTER
RADIOLOGY REPORT

Patient: BRACKENRIDGE, AMBROSE L    DOB: 12/08/1949
Exam date: 02/11/2026
Exam: CT CHEST WITHOUT CONTRAST

FINDINGS
No pulmonary nodules.

IMPRESSION
No acute cardiopulmonary process.
"""

#: (field, value) pairs the summary's diagnosis must state, and nothing else.
EXPECTED_DIAGNOSIS: Final = {
    ("histology", "INVASIVE LOBULAR CARCINOMA"),
    ("site", "BREAST"),
    ("laterality", "left"),
    ("grade", "NOTTINGHAM GRADE 2 (tubules 3, nuclei 2, mitoses 1)"),
}
EXPECTED_STAGE: Final = {
    ("tnm", "pT1c pN0(sn)"),
    ("ajcc_edition", "AJCC 8th edition"),
    ("stage_group", "clinical stage IA"),
}
#: (marker, result, negative).
EXPECTED_BIOMARKERS: Final = {
    ("ER", "POSITIVE, 90% of tumor cells, strong intensity", False),
    ("PR", "NEGATIVE (less than 1% of tumor cells)", True),
    ("HER2", "2+, EQUIVOCAL", False),
    ("HER2", "not amplified (HER2/CEP17 ratio 1.3)", True),
    ("Ki-67", "12%", False),
    ("PIK3CA", "p.H1047R, VAF 22%", False),
    ("ESR1", "no mutation detected", True),
    ("BRCA2", "no pathogenic variant detected", True),
    ("TMB", "3 mut/Mb (low)", False),
}
#: (marker, value, unit, date).
EXPECTED_TUMOR_MARKERS: Final = {
    ("CA 15-3", "24", "U/mL", "2026-03-28"),
    ("CEA", "2.1", "ng/mL", "2026-03-28"),
}
EXPECTED_TREATMENTS: Final = {
    "Regimen: letrozole 2.5 mg orally daily for 5 years, to start after radiation",
    "Whole-breast radiation 40.05 Gy in 15 fractions",
}
EXPECTED_PROCEDURES: Final = {
    "Left breast partial mastectomy with sentinel lymph node biopsy",
}
#: Series per study written below: (modality, images).
SERIES: Final = (("CT", 5), ("MR", 4))


def write_case_folder(root: Path) -> Path:
    """Write the folder under ``root``; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in (
        ("pathology.txt", PATHOLOGY),
        ("genomics.txt", GENOMIC),
        ("oncology_note.txt", NOTE),
        ("labs.txt", LABS),
        ("other/ct_report.txt", OTHER_PATIENT),
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for number, (modality, count) in enumerate(SERIES):
        study = uid_from("summary-case", modality)
        write_dicom_series(
            root / f"imaging/{modality}",
            person=PERSON,
            study_uid=study,
            modality=modality,
            n=count,
            study_date=date(2026, 2, 20 + number),
            description=f"{modality} STAGING",
            seed=number,
        )
    return root


def pack_and_open(work: Path) -> dict[str, Any]:
    """Scan, check (breast list), pack and open the folder under ``work``.

    Returns the opened index, bag folder, bundle path, identity and ``work``.
    Packed at a fixed time, so the page looks the same on every run.
    """
    from recordpack import age
    from recordpack.bundle.pack import pack
    from recordpack.bundle.reader import open_bundle
    from recordpack.checking import check
    from recordpack.manifest import load_manifest
    from recordpack.scan import scan_folder

    folder = write_case_folder(work / "records")
    scan = scan_folder(folder)
    report = check(scan, load_manifest("breast"), as_of=date(2026, 4, 10))
    identity = age.X25519Identity.generate()
    bundle = work / "case.rpk"
    pack(
        scan,
        bundle,
        recipients=[identity.recipient()],
        check_report=report,
        now=dt.datetime(2026, 4, 10, 9, 30, tzinfo=dt.UTC),
    )
    result = open_bundle(bundle, [identity], work / "opened")
    return {
        "index": result.index,
        "bag": result.bag_dir,
        "bundle": bundle,
        "identity": identity,
        "work": work,
    }
