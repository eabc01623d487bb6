"""Synthetic medical records about invented people, for the example folder and tests.

Everything here is made up: the people in :data:`INVENTED_PEOPLE`, the
physicians in :data:`INVENTED_PHYSICIANS` and the institutions in
:data:`INVENTED_INSTITUTIONS` were invented for recordpack; no name, birth date
or record number belongs to a real person or organisation.

Output is deterministic: the same arguments give the same bytes (PDF creation
dates, ZIP timestamps and DICOM UIDs are all derived from the arguments), so a
committed example folder can be checked against its generator. The one
exception is a password-protected PDF (its encryption salt is random).

Writers (each returns the path(s) it wrote):

- :func:`write_pdf` / :func:`write_text`: a report of one kind from ``KINDS.md``
  (every kind except ``imaging_study``) in one of several institution layouts.
- :func:`write_scanned_pdf` / :func:`write_document_image`: the same reports as
  page images (no text layer), for OCR; ``write_pdf(password=...)`` encrypts.
- :func:`write_dicom_series`: small valid DICOM files (PS3.10, 16x16 pixels).
- :func:`write_dicom_cd`: an imaging CD copied to disk, with DICOMDIR and clutter.
- :func:`write_dicom_pdf`, :func:`write_dicom_sr`, :func:`write_rt_plan`: DICOM
  objects that are documents or treatment plans rather than images.
- :func:`write_ccda`, :func:`write_fhir_bundle`, :func:`write_hl7_oru`: portal exports.
- :func:`write_portal_zip`: a ZIP with fixed timestamps.
- :func:`make_patient_folder`: a whole folder for one cancer type.
"""

from __future__ import annotations

import hashlib
import json
import random
import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape as _xml_escape

if TYPE_CHECKING:
    from PIL import Image
    from pydicom.dataset import Dataset

__all__ = [
    "CANCERS",
    "DOCUMENT_KINDS",
    "INVENTED_INSTITUTIONS",
    "INVENTED_PEOPLE",
    "INVENTED_PHYSICIANS",
    "LAYOUTS",
    "LabTest",
    "Person",
    "StudySpec",
    "ccda_document",
    "fhir_bundle",
    "hl7_oru",
    "lab_panel",
    "make_patient_folder",
    "portal_members",
    "render_page_image",
    "report_text",
    "uid_from",
    "write_ccda",
    "write_dicom_cd",
    "write_dicom_pdf",
    "write_dicom_series",
    "write_dicom_sr",
    "write_document_image",
    "write_fhir_bundle",
    "write_hl7_oru",
    "write_pdf",
    "write_portal_zip",
    "write_rt_plan",
    "write_scanned_pdf",
    "write_searchable_pdf",
    "write_text",
]

Cancer = Literal["breast", "lung", "prostate", "colorectal", "lymphoma"]
CANCERS: tuple[Cancer, ...] = ("breast", "lung", "prostate", "colorectal", "lymphoma")

#: Kinds that :func:`write_pdf` and :func:`write_text` can write (KINDS.md minus images).
DOCUMENT_KINDS: tuple[str, ...] = (
    "pathology_report",
    "imaging_report",
    "lab_result",
    "genomic_report",
    "clinical_note",
    "operative_report",
    "treatment_plan",
    "medication_list",
    "discharge_summary",
    "patient_summary",
    "administrative",
    "other",
)

#: Number of distinct report layouts (``layout`` argument, taken modulo this).
LAYOUTS = 3

#: Fixed instant used for metadata that must not depend on the clock.
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Person:
    """An invented patient. ``sex`` is ``"F"`` or ``"M"``; ``mrn`` is per institution."""

    family: str
    given: str
    middle: str
    birth_date: date
    mrn: str
    sex: str

    @property
    def formal(self) -> str:
        """``THOMPSON, MARGARET A`` (lab and pathology systems)."""
        initial = f" {self.middle[:1]}" if self.middle else ""
        return f"{self.family}, {self.given}{initial}".upper()

    @property
    def natural(self) -> str:
        """``Margaret A. Thompson`` (letters and clinic notes)."""
        initial = f" {self.middle[:1]}." if self.middle else ""
        return f"{self.given}{initial} {self.family}"

    @property
    def short(self) -> str:
        """``Margaret Thompson`` (portals, cover letters)."""
        return f"{self.given} {self.family}"

    @property
    def labelled(self) -> str:
        """``Thompson, Margaret`` (``Name:`` fields)."""
        return f"{self.family}, {self.given}"

    @property
    def dicom(self) -> str:
        """``THOMPSON^MARGARET^A`` (DICOM PN and HL7 XPN)."""
        parts = [self.family.upper(), self.given.upper()]
        if self.middle:
            parts.append(self.middle[:1].upper())
        return "^".join(parts)

    def with_mrn(self, mrn: str) -> Person:
        """The same person as another institution numbers them."""
        return replace(self, mrn=mrn)


#: Invented people (made up for recordpack; any resemblance to a real person is chance).
INVENTED_PEOPLE: tuple[Person, ...] = (
    Person("Harrowgate", "Delphine", "Maren", date(1963, 5, 11), "00731946", "F"),
    Person("Pellinore", "Gordon", "Tobias", date(1958, 2, 3), "00918274", "M"),
    Person("Quillfeather", "Ottilie", "Rose", date(1971, 10, 27), "MR4471023", "F"),
    Person("Brackenridge", "Ambrose", "Lyle", date(1949, 12, 8), "E2290317", "M"),
    Person("Wexcombe", "Ione", "Beatrix", date(1980, 3, 30), "0055821764", "F"),
    Person("Thornwick", "Casimir", "Odell", date(1966, 7, 14), "H0038412", "M"),
    Person("Ashgrove", "Perpetua", "Lane", date(1975, 1, 19), "A77120458", "F"),
    Person("Dunmorrow", "Elias", "Fenn", date(1954, 9, 2), "33019877", "M"),
)

#: Invented physicians: (name with credentials, specialty). Never the patient.
INVENTED_PHYSICIANS: dict[str, tuple[str, ...]] = {
    "pathologist": ("Rupert K. Alvingham, MD", "Soledad Marchetti-Vance, MD", "Yusuf Okonkwo-Hale, MD"),
    "radiologist": ("Beatrice L. Fairhurst, MD", "Anand Varadhan, MD", "Colm Rafferty, MD"),
    "oncologist": ("Priya Nandakumar, MD", "Lorenzo Castellane, MD", "Greta Holmquist, MD"),
    "surgeon": ("Winifred Aske, MD, FACS", "Tobias Renwick, MD", "Mireille Dubois-Carter, MD"),
    "radiation": ("Hollis Tamberlane, MD", "Ngozi Abernathy, MD"),
    "primary": ("Everett Linwood, MD", "Camille Zhao-Bramwell, DO"),
    "geneticist": ("Sunniva Kjellberg, PhD, FACMG", "Darius Pemberton, PhD"),
}


@dataclass(frozen=True)
class Institution:
    """An invented institution and how its printouts look."""

    name: str
    address: str
    phone: str
    producer: str  # what its PDFs say produced them


#: Invented institutions (made up for recordpack).
INVENTED_INSTITUTIONS: tuple[Institution, ...] = (
    Institution("Northbrook Regional Medical Center", "4100 Alder Crest Drive, Northbrook, OR 97999",
                "(555) 014-2200", "Northbrook EHR Print Service"),
    Institution("Lakeview Pathology Partners", "88 Quarry Lane, Suite 300, Lakeview, OR 97998",
                "(555) 014-7810", "LPP AP Reporting 5.2"),
    Institution("Cascade Breast Imaging Associates", "1200 Fernhill Road, Cascade, OR 97997",
                "(555) 013-4400", "CBIA RIS Report Writer"),
    Institution("Summit Clinical Laboratories", "7 Summit Plaza, Ridgeview, OR 97996",
                "(555) 012-9090", "Summit LIS Reporter"),
    Institution("Harbor Oncology Group", "250 Pier Street, Harbor City, OR 97995",
                "(555) 011-3377", "Harbor Onc Notes Export"),
    Institution("Meridian Genomics Laboratory", "1 Helix Way, Meridian, CA 90999",
                "(555) 010-6543", "Meridian Report Engine"),
    Institution("Bayside Health Plan", "PO Box 4411, Bayside, OR 97994",
                "(555) 010-1000", "Bayside Correspondence"),
)
_INSTITUTION_BY_NAME = {i.name: i for i in INVENTED_INSTITUTIONS}

#: Which institution writes which kind by default.
_DEFAULT_INSTITUTION = {
    "pathology_report": "Lakeview Pathology Partners",
    "imaging_report": "Cascade Breast Imaging Associates",
    "lab_result": "Summit Clinical Laboratories",
    "genomic_report": "Meridian Genomics Laboratory",
    "clinical_note": "Harbor Oncology Group",
    "operative_report": "Northbrook Regional Medical Center",
    "treatment_plan": "Harbor Oncology Group",
    "medication_list": "Harbor Oncology Group",
    "discharge_summary": "Northbrook Regional Medical Center",
    "patient_summary": "Northbrook Regional Medical Center",
    "administrative": "Bayside Health Plan",
    "other": "Harbor Oncology Group",
}


def _institution(name: str | None, kind: str) -> Institution:
    if kind not in _DEFAULT_INSTITUTION:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(DOCUMENT_KINDS)}")
    name = name or _DEFAULT_INSTITUTION[kind]
    found = _INSTITUTION_BY_NAME.get(name)
    if found is not None:
        return found
    # A caller-invented institution: derive stable contact details from its name.
    digest = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
    return Institution(name, f"{100 + digest % 900} Main Street, Springfield, OR 97990",
                       f"(555) 01{digest % 10}-{digest % 10000:04d}", f"{name} Reports")


def _pick(role: str, seed: int) -> str:
    names = INVENTED_PHYSICIANS[role]
    return names[seed % len(names)]


# --------------------------------------------------------------------------- dates


def _fmt_date(d: date, layout: int) -> str:
    """A date the way each layout prints it: 03/14/1962, March 14, 1962, 1962-03-14."""
    style = layout % LAYOUTS
    if style == 0:
        return d.strftime("%m/%d/%Y")
    if style == 1:
        return f"{d.strftime('%B')} {d.day}, {d.year}"
    return d.isoformat()


def _fmt_name(person: Person, layout: int) -> str:
    return (person.formal, person.natural, person.labelled)[layout % LAYOUTS]


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class LabTest:
    """One lab result row: LOINC code, name, value, units, reference range, flag (H/L/'')."""

    loinc: str
    name: str
    value: str
    units: str
    ref_range: str
    flag: str = ""


@dataclass(frozen=True)
class _CancerProfile:
    diagnosis: str
    icd10: str
    biopsy: str
    specimen: str
    final: tuple[str, ...]
    gross: tuple[str, ...]
    micro: tuple[str, ...]
    ancillary: tuple[str, ...]
    exam: str
    modality: str
    technique: str
    findings: tuple[str, ...]
    impression: tuple[str, ...]
    markers: tuple[LabTest, ...]
    genomic_test: str
    genomic: tuple[str, ...]
    operation: str
    op_description: tuple[str, ...]
    regimen: tuple[str, ...]
    meds: tuple[tuple[str, str], ...]
    # Only further documents of a folder (bone marrow, colonoscopy, ...) set these.
    heading: str = ""  # replaces the kind's usual heading (pathology, operative, genomic)
    methodology: tuple[str, ...] = ()  # genomic reports: how the test was done
    postop: str = "Same."  # operative reports: postoperative diagnosis
    anesthesia: str = "General endotracheal anesthesia."
    blood_loss: str = ""  # operative reports: estimated blood loss (default: a few mL)


_PROFILES: dict[str, _CancerProfile] = {
    "breast": _CancerProfile(
        diagnosis="Invasive ductal carcinoma of the left breast, upper outer quadrant",
        icd10="C50.412",
        biopsy="Ultrasound-guided core needle biopsy, left breast 2:00, 6 cm from nipple",
        specimen="A. Left breast, 2:00, 6 cm FN, ultrasound-guided core biopsy",
        final=(
            "A. LEFT BREAST, 2:00, ULTRASOUND-GUIDED CORE BIOPSY:",
            "- INVASIVE DUCTAL CARCINOMA, NOTTINGHAM GRADE 2 (tubules 3, nuclei 2, mitoses 1).",
            "- Ductal carcinoma in situ, intermediate nuclear grade, solid type.",
            "- Invasive tumor measures 1.4 cm in greatest linear extent on cores.",
            "- No lymphovascular invasion identified.",
        ),
        gross=(
            "Received in formalin labeled with the patient's name and 'left breast 2:00' are",
            "four tan-white cores of tissue, 0.1 cm in diameter, 1.2 to 1.8 cm in length.",
            "Cold ischemia time less than 1 hour; time in formalin 22 hours.",
            "Entirely submitted in cassettes A1-A2.",
        ),
        micro=(
            "Sections show cords and nests of infiltrating malignant cells with moderate",
            "nuclear pleomorphism in a desmoplastic stroma. Tubule formation less than 10%.",
        ),
        ancillary=(
            "BREAST BIOMARKER RESULTS (block A1):",
            "Estrogen receptor (ER): POSITIVE, 95% of tumor cells, strong intensity (Allred 8).",
            "Progesterone receptor (PR): POSITIVE, 40% of tumor cells, moderate intensity.",
            "HER2 (IHC, clone 4B5): 1+, NEGATIVE.",
            "Ki-67 proliferation index: 18%.",
        ),
        exam="MRI BREAST BILATERAL WITH AND WITHOUT CONTRAST",
        modality="MR",
        technique="Multiplanar multisequence MRI of both breasts before and after 7 mL gadobutrol IV.",
        findings=(
            "Left breast: irregular enhancing mass at 2:00, 6 cm from the nipple, 1.6 x 1.3 x 1.2 cm,",
            "with biopsy clip artifact. Washout kinetics. No additional suspicious enhancement.",
            "Right breast: no suspicious enhancement. Axillae: no abnormal lymph nodes.",
        ),
        impression=(
            "1. Known biopsy-proven malignancy in the left breast at 2:00, 1.6 cm. BI-RADS 6.",
            "2. No additional disease in either breast. Right breast BI-RADS 1.",
        ),
        markers=(LabTest("2039-6", "CEA", "1.8", "ng/mL", "0.0-3.0"),
                 LabTest("83083-4", "CA 27.29", "22", "U/mL", "0-38")),
        genomic_test="Oncotype DX Breast Recurrence Score (21-gene assay)",
        genomic=(
            "RECURRENCE SCORE RESULT: 27",
            "Distant recurrence risk at 9 years with endocrine therapy alone: 11%.",
            "Estimated absolute chemotherapy benefit (age 50 or older, RS 26-100): greater than 15%.",
            "Single-gene ER score 9.8 (positive), PR score 7.1 (positive), HER2 score 8.9 (negative).",
        ),
        operation="Left breast partial mastectomy (lumpectomy) with sentinel lymph node biopsy",
        op_description=(
            "The patient was brought to the operating room and placed supine. After induction of",
            "general anesthesia the left breast and axilla were prepped and draped. Technetium and",
            "isosulfan blue had been injected. A curvilinear incision was made over the localized",
            "lesion; the mass was excised with a rim of normal tissue and oriented with sutures.",
            "Two blue, hot sentinel lymph nodes were removed through a separate axillary incision.",
            "Specimen radiograph confirmed the clip and lesion. Hemostasis was obtained.",
        ),
        regimen=(
            "Regimen: TC (docetaxel 75 mg/m2 IV + cyclophosphamide 600 mg/m2 IV) every 21 days x 4 cycles",
            "Growth factor support: pegfilgrastim 6 mg subcutaneously day 2 of each cycle.",
            "Then whole-breast radiation 40.05 Gy in 15 fractions with 10 Gy boost in 4 fractions.",
            "Then endocrine therapy: anastrozole 1 mg orally daily for 5 years.",
        ),
        meds=(("Anastrozole 1 mg tablet", "1 tablet daily; start after radiation (not started)"),
              ("Ondansetron 8 mg tablet", "1 tablet every 8 hours as needed for nausea"),
              ("Dexamethasone 4 mg tablet", "2 tablets twice daily the day before, of and after docetaxel"),
              ("Lisinopril 10 mg tablet", "1 tablet by mouth daily"),
              ("Vitamin D3 2000 unit capsule", "1 capsule daily")),
    ),
    "lung": _CancerProfile(
        diagnosis="Adenocarcinoma of the right upper lobe of the lung",
        icd10="C34.11",
        biopsy="CT-guided core needle biopsy, right upper lobe nodule",
        specimen="A. Lung, right upper lobe, CT-guided core biopsy",
        final=(
            "A. LUNG, RIGHT UPPER LOBE, CT-GUIDED CORE BIOPSY:",
            "- ADENOCARCINOMA, ACINAR PREDOMINANT, moderately differentiated.",
            "- Immunostains: TTF-1 positive, napsin A positive, p40 negative.",
            "- PD-L1 (22C3) tumor proportion score: 60%.",
        ),
        gross=("Received in formalin are three tan cores, 0.1 cm in diameter, up to 1.5 cm long.",
               "Entirely submitted in cassette A1."),
        micro=("Glandular architecture with atypical columnar cells infiltrating alveolar septa.",),
        ancillary=("Tissue sent for molecular testing (NGS) per thoracic oncology request.",),
        exam="CT CHEST WITH CONTRAST",
        modality="CT",
        technique="Axial CT of the chest after 80 mL iohexol IV, 1.25 mm reconstructions.",
        findings=("Spiculated 2.4 cm nodule in the right upper lobe abutting the pleura.",
                  "Enlarged right lower paratracheal lymph node 1.3 cm (station 4R).",
                  "No pleural effusion. Visualized upper abdomen unremarkable."),
        impression=("1. Right upper lobe mass, 2.4 cm, consistent with primary lung malignancy.",
                    "2. Right paratracheal adenopathy, suspicious for nodal metastasis."),
        markers=(LabTest("2039-6", "CEA", "6.4", "ng/mL", "0.0-3.0", "H"),),
        genomic_test="Comprehensive Solid Tumor NGS Panel (324 genes)",
        genomic=("EGFR exon 19 deletion (p.E746_A750del), VAF 31%: FDA-approved therapy available.",
                 "TP53 p.R273H, VAF 28%.",
                 "ALK fusion: not detected. ROS1: not detected. KRAS: wild type.",
                 "Tumor mutational burden (TMB): 4 mut/Mb (low). MSI: stable."),
        operation="Flexible bronchoscopy with endobronchial ultrasound-guided transbronchial needle aspiration",
        op_description=("The bronchoscope was introduced through the laryngeal mask airway.",
                        "Stations 4R, 7 and 11R were sampled with a 22-gauge needle, 4 passes each.",
                        "Rapid on-site evaluation: malignant cells at station 4R."),
        regimen=("Regimen: osimertinib 80 mg orally once daily, continuous 28-day cycles",
                 "Consolidative radiation to the right hilum: 60 Gy in 30 fractions if oligoprogression."),
        meds=(("Osimertinib 80 mg tablet", "1 tablet by mouth daily"),
              ("Albuterol HFA 90 mcg inhaler", "2 puffs every 4 hours as needed"),
              ("Atorvastatin 20 mg tablet", "1 tablet at bedtime")),
    ),
    "prostate": _CancerProfile(
        diagnosis="Adenocarcinoma of the prostate",
        icd10="C61",
        biopsy="Transperineal MRI-fusion prostate biopsy, 12 systematic and 3 targeted cores",
        specimen="A-L. Prostate, systematic cores; M-O. Prostate, MRI target (PI-RADS 4)",
        final=(
            "PROSTATE, NEEDLE CORE BIOPSIES:",
            "- PROSTATIC ADENOCARCINOMA, GLEASON SCORE 4+3=7 (GRADE GROUP 3), in 5 of 15 cores.",
            "- Left mid lateral: Gleason 3+4=7 (Grade Group 2), 40% of core, 6 mm.",
            "- Target lesion 1: Gleason 4+3=7 (Grade Group 3), 70% of core, pattern 4 = 70%.",
            "- Perineural invasion present. No extraprostatic extension identified.",
        ),
        gross=("Received in 15 labeled containers, each holding one or two tan cores, 0.8-1.7 cm.",),
        micro=("Infiltrating small glands and fused glands with prominent nucleoli.",),
        ancillary=("Immunostains (PIN4 cocktail) support the diagnosis in cores F and M.",),
        exam="MRI PROSTATE WITHOUT AND WITH CONTRAST (MULTIPARAMETRIC)",
        modality="MR",
        technique="3T multiparametric MRI: T2, DWI (b 1400), ADC, DCE.",
        findings=("Left peripheral zone mid gland lesion 1.5 cm, markedly low ADC. PI-RADS 4.",
                  "No extraprostatic extension. Seminal vesicles clear. Prostate volume 42 mL."),
        impression=("1. PI-RADS 4 lesion left peripheral zone, suitable for targeted biopsy.",),
        markers=(LabTest("2857-1", "PSA, total", "8.9", "ng/mL", "0.0-4.0", "H"),),
        genomic_test="Germline Hereditary Cancer Panel (multigene)",
        genomic=("Germline result: PATHOGENIC VARIANT DETECTED.",
                 "BRCA2 c.5946delT (p.Ser1982Argfs*22), heterozygous.",
                 "No pathogenic variants in ATM, CHEK2, HOXB13, MLH1, MSH2, MSH6, PMS2."),
        operation="Robotic-assisted laparoscopic radical prostatectomy with bilateral pelvic lymph node dissection",
        op_description=("Six ports were placed and the robot docked. The bladder was dropped,",
                        "the endopelvic fascia opened and the dorsal venous complex ligated.",
                        "Bilateral nerve sparing was performed. Vesicourethral anastomosis completed."),
        regimen=("Regimen: external beam radiation 70 Gy in 28 fractions to prostate and seminal vesicles",
                 "With leuprolide 22.5 mg IM every 3 months for 6 months."),
        meds=(("Tamsulosin 0.4 mg capsule", "1 capsule daily"),
              ("Metformin 500 mg tablet", "1 tablet twice daily with meals")),
    ),
    "colorectal": _CancerProfile(
        diagnosis="Adenocarcinoma of the sigmoid colon",
        icd10="C18.7",
        biopsy="Colonoscopy with biopsy of sigmoid colon mass at 25 cm",
        specimen="A. Sigmoid colon mass, 25 cm, cold forceps biopsy",
        final=("A. COLON, SIGMOID MASS AT 25 CM, BIOPSY:",
               "- INVASIVE ADENOCARCINOMA, moderately differentiated.",
               "- Background tubular adenoma."),
        gross=("Received in formalin are six tan soft tissue fragments, 0.2-0.5 cm.",),
        micro=("Complex cribriform glands with dirty necrosis invading the submucosa.",),
        ancillary=("MISMATCH REPAIR (MMR) IMMUNOHISTOCHEMISTRY:",
                   "MLH1: intact nuclear expression. PMS2: intact. MSH2: intact. MSH6: intact.",
                   "Interpretation: MMR proficient (pMMR), low probability of MSI-H."),
        exam="CT CHEST ABDOMEN PELVIS WITH CONTRAST",
        modality="CT",
        technique="Axial CT from thoracic inlet to pubic symphysis after IV contrast.",
        findings=("Circumferential sigmoid wall thickening over 5 cm with pericolic stranding.",
                  "Two pericolic lymph nodes up to 9 mm. No hepatic lesions. Lungs clear."),
        impression=("1. Sigmoid colon mass with regional adenopathy, cT3N1. No distant metastasis.",),
        markers=(LabTest("2039-6", "CEA", "9.7", "ng/mL", "0.0-3.0", "H"),),
        genomic_test="Colorectal Cancer Hotspot NGS Panel",
        genomic=("KRAS p.G12D, VAF 22%.", "NRAS and BRAF V600E: not detected.",
                 "MSI status: microsatellite stable (MSS). TMB: 6 mut/Mb."),
        operation="Laparoscopic sigmoid colectomy with primary anastomosis",
        op_description=("Pneumoperitoneum was established. The sigmoid colon was mobilized medial",
                        "to lateral, the inferior mesenteric artery ligated at its origin, and an",
                        "end-to-end stapled anastomosis performed. Leak test negative."),
        regimen=("Regimen: CAPOX (oxaliplatin 130 mg/m2 IV day 1 + capecitabine 1000 mg/m2 PO BID",
                 "days 1-14) every 21 days x 4 cycles (3 months adjuvant)."),
        meds=(("Capecitabine 500 mg tablet", "4 tablets twice daily days 1-14"),
              ("Loperamide 2 mg capsule", "as directed for diarrhea")),
    ),
    "lymphoma": _CancerProfile(
        diagnosis="Diffuse large B-cell lymphoma, stage III",
        icd10="C83.38",
        biopsy="Excisional biopsy, left cervical lymph node",
        specimen="A. Lymph node, left neck level III, excision",
        final=("A. LYMPH NODE, LEFT NECK, EXCISION:",
               "- DIFFUSE LARGE B-CELL LYMPHOMA, non-germinal center B-cell type (Hans algorithm).",
               "- See hematopathology comment and flow cytometry."),
        gross=("Received fresh is a tan lymph node, 3.1 x 2.4 x 1.8 cm; portion sent for flow.",),
        micro=("Effacement of nodal architecture by sheets of large atypical lymphoid cells.",),
        ancillary=("Immunohistochemistry: CD20+, PAX5+, CD10-, BCL6+, MUM1+, BCL2+ (80%), MYC 30%.",
                   "Ki-67 approximately 80%. FISH: no MYC rearrangement.",
                   "Flow cytometry: kappa-restricted CD19+ CD20+ B cells, 45% of events."),
        exam="PET/CT SKULL BASE TO MID-THIGH (FDG)",
        modality="PT",
        technique="F-18 FDG 10.2 mCi IV, uptake 62 minutes, low-dose CT for attenuation.",
        findings=("Hypermetabolic left cervical nodes, SUV max 18.4.",
                  "Mediastinal and retroperitoneal nodes, SUV max 14.2. Spleen not involved."),
        impression=("1. FDG-avid lymphoma above and below the diaphragm, Lugano stage III. Deauville 5.",),
        markers=(LabTest("14804-9", "LDH", "412", "U/L", "135-225", "H"),),
        genomic_test="Heme Malignancy NGS Panel",
        genomic=("MYD88 p.L265P, VAF 38%.", "CD79B p.Y196C, VAF 35%.", "TP53: no variant detected."),
        operation="Excisional biopsy of left cervical lymph node",
        op_description=("A transverse incision was made over the palpable node, platysma divided,",
                        "and the node dissected free and removed intact. Closed in layers."),
        regimen=("Regimen: Pola-R-CHP (polatuzumab vedotin 1.8 mg/kg, rituximab 375 mg/m2,",
                 "cyclophosphamide 750 mg/m2, doxorubicin 50 mg/m2, prednisone 100 mg days 1-5)",
                 "every 21 days x 6 cycles."),
        meds=(("Allopurinol 300 mg tablet", "1 tablet daily during cycle 1"),
              ("Acyclovir 400 mg tablet", "1 tablet twice daily")),
    ),
}


@dataclass
class _Report:
    """One printed report, independent of PDF or text rendering."""

    heading: str
    dates: list[tuple[str, str]] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    table: tuple[list[str], list[list[str]]] | None = None
    signature: list[str] = field(default_factory=list)


def _cbc_cmp(rng: random.Random) -> list[LabTest]:
    def v(lo: float, hi: float, fmt: str = "{:.1f}") -> str:
        return fmt.format(rng.uniform(lo, hi))

    return [
        LabTest("6690-2", "WBC", v(4.2, 9.8), "x10^3/uL", "4.0-11.0"),
        LabTest("789-8", "RBC", v(3.9, 4.9, "{:.2f}"), "x10^6/uL", "3.80-5.20"),
        LabTest("718-7", "Hemoglobin", v(11.2, 11.8), "g/dL", "12.0-16.0", "L"),
        LabTest("4544-3", "Hematocrit", v(34.0, 35.5), "%", "36.0-46.0", "L"),
        LabTest("777-3", "Platelets", v(190, 320, "{:.0f}"), "x10^3/uL", "150-400"),
        LabTest("770-8", "Neutrophils %", v(52, 68), "%", "40.0-74.0"),
        LabTest("736-9", "Lymphocytes %", v(20, 34), "%", "19.0-48.0"),
        LabTest("5905-5", "Monocytes %", v(4, 9), "%", "3.4-9.0"),
        LabTest("2951-2", "Sodium", v(136, 142, "{:.0f}"), "mmol/L", "135-145"),
        LabTest("2823-3", "Potassium", v(3.7, 4.6), "mmol/L", "3.5-5.1"),
        LabTest("2160-0", "Creatinine", v(0.6, 0.95, "{:.2f}"), "mg/dL", "0.57-1.00"),
        LabTest("1920-8", "AST", v(15, 32, "{:.0f}"), "U/L", "10-40"),
        LabTest("1742-6", "ALT", v(12, 30, "{:.0f}"), "U/L", "7-35"),
        LabTest("1975-2", "Bilirubin, total", v(0.3, 0.9), "mg/dL", "0.2-1.2"),
        LabTest("2345-7", "Glucose", v(84, 104, "{:.0f}"), "mg/dL", "70-99"),
    ]


def lab_panel(*, cancer: Cancer = "breast", seed: int = 0) -> list[LabTest]:
    """A CBC with differential, a CMP and the cancer's tumor marker(s)."""
    return _cbc_cmp(random.Random(seed)) + list(_PROFILES[cancer].markers)


#: Imaging exams other than each cancer's usual one: (title, technique, findings, impression).
_EXAMS: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    "mammogram": (
        "DIAGNOSTIC MAMMOGRAM BILATERAL WITH TOMOSYNTHESIS; ULTRASOUND LEFT BREAST",
        "Bilateral CC and MLO views with tomosynthesis; targeted left breast ultrasound.",
        ("Heterogeneously dense breasts (category C), which may obscure small masses.",
         "Left breast: irregular spiculated mass with associated distortion at 2:00,",
         "6 cm from the nipple. Ultrasound: 1.3 x 1.1 cm irregular hypoechoic mass,",
         "not parallel, angular margins, posterior shadowing. Left axilla normal.",
         "Right breast: no suspicious mass, calcifications or distortion."),
        ("Highly suggestive of malignancy, left breast 2:00.",
         "BI-RADS 5. Ultrasound-guided core biopsy recommended and scheduled."),
    ),
    "ct_chest": (
        "CT CHEST WITH CONTRAST",
        "Axial CT of the chest after 75 mL iohexol IV; 1.25 mm reconstructions.",
        ("Lungs: no pulmonary nodules or masses. No pleural effusion.",
         "Mediastinum: no mediastinal, hilar or axillary lymphadenopathy.",
         "Postsurgical change in the left breast with a 2.1 cm seroma; no chest wall invasion.",
         "Bones: no suspicious osseous lesion."),
        ("1. No evidence of metastatic disease in the chest.",
         "2. Expected postoperative change in the left breast."),
    ),
    "bone_scan": (
        "NM BONE SCAN WHOLE BODY",
        "Whole-body planar images 3 hours after 25.1 mCi Tc-99m MDP IV.",
        ("Physiologic tracer distribution. No focal uptake to suggest osseous metastasis.",),
        ("1. No scintigraphic evidence of osseous metastatic disease.",),
    ),
}
_SCREENING_EXAMS = ("mammogram",)


def _build(kind: str, person: Person, service_date: date, inst: Institution, layout: int,
           cancer: Cancer, seed: int, exam: str | None = None,
           profile: _CancerProfile | None = None) -> _Report:
    """The content of one report of ``kind`` (dates, fields, sections, table).

    ``profile`` replaces the cancer's usual content (a folder's further documents).
    """
    p = profile or _PROFILES[cancer]
    rng = random.Random(f"{kind}|{person.mrn}|{service_date}|{seed}")

    def d(x: date) -> str:
        return _fmt_date(x, layout)

    acc = f"{rng.choice('SPH')}{service_date.year % 100}-{rng.randint(1000, 99999):05d}"
    style = layout % LAYOUTS

    if kind == "pathology_report":
        pathologist = _pick("pathologist", seed)
        r = _Report(heading=p.heading or ("SURGICAL PATHOLOGY REPORT" if cancer != "lymphoma"
                                          else "SURGICAL PATHOLOGY REPORT - HEMATOPATHOLOGY"))
        r.dates = [("Collected", d(service_date)), ("Received", d(service_date + timedelta(days=1))),
                   ("Reported", d(service_date + timedelta(days=4)))]
        r.fields = [("Accession #", acc), ("Ordering physician", _pick("surgeon", seed + 1)),
                    ("Procedure", p.biopsy)]
        r.sections = [("FINAL DIAGNOSIS", list(p.final)), ("SPECIMEN", [p.specimen]),
                      ("GROSS DESCRIPTION", list(p.gross)), ("MICROSCOPIC DESCRIPTION", list(p.micro))]
        if p.ancillary:
            r.sections.append(("ANCILLARY STUDIES", list(p.ancillary)))
        r.signature = [f"Electronically signed by {pathologist}, Pathologist",
                       f"on {d(service_date + timedelta(days=4))}"]
    elif kind == "imaging_report":
        radiologist = _pick("radiologist", seed)
        exam_title, technique, findings_t, impression_t = (
            _EXAMS[exam] if exam else (p.exam, p.technique, p.findings, p.impression))
        r = _Report(heading="RADIOLOGY REPORT" if style != 1 else "DIAGNOSTIC IMAGING REPORT")
        r.dates = [(("Exam date", "Date of exam", "Study date")[style], d(service_date))]
        r.fields = [("Accession", acc), ("Ordering physician", _pick("primary", seed)),
                    ("Exam", exam_title)]
        findings, impression = list(findings_t), list(impression_t)
        clinical = "Palpable abnormality." if exam in _SCREENING_EXAMS else f"{p.diagnosis}; staging."
        r.sections = [("EXAM", [exam_title]), ("CLINICAL HISTORY", [clinical]),
                      ("TECHNIQUE", [technique]),
                      ("COMPARISON", ["None available." if seed % 3 == 0 else "Prior study, 1 year ago."]),
                      ("FINDINGS", findings), ("IMPRESSION", impression)]
        r.signature = [f"Dictated by {radiologist}",
                       f"Signed {d(service_date + timedelta(days=(seed % 2)))} 16:42"]
    elif kind == "lab_result":
        tests = lab_panel(cancer=cancer, seed=seed)
        r = _Report(heading="LABORATORY REPORT" if style != 2 else "CUMULATIVE LAB RESULTS")
        r.dates = [("Collected", f"{d(service_date)} 08:14"), ("Resulted", f"{d(service_date)} 13:02")]
        r.fields = [("Specimen ID", acc), ("Ordering provider", _pick("oncologist", seed)),
                    ("Tests", "CBC WITH DIFFERENTIAL; COMPREHENSIVE METABOLIC PANEL; TUMOR MARKERS")]
        r.table = (["Test", "Result", "Flag", "Reference range", "Units"],
                   [[t.name, t.value, t.flag, t.ref_range, t.units] for t in tests])
        history = []
        if cancer == "prostate":
            for months, value in ((12, "4.1"), (6, "6.2"), (3, "7.5")):
                history.append(f"PSA {value} ng/mL on {d(service_date - timedelta(days=30 * months))}")
        r.sections = [("COMMENTS", ["H = above reference range, L = below reference range.",
                                    "Performed at the laboratory named above (CLIA 99D0000000)."]
                       + history)]
        r.signature = ["Laboratory director: Josephine Abercrombie-Lutz, MD"]
    elif kind == "genomic_report":
        r = _Report(heading=p.heading or "GENOMIC TESTING REPORT")
        r.dates = [("Specimen collected", d(service_date)),
                   ("Specimen received", d(service_date + timedelta(days=3))),
                   ("Report date", d(service_date + timedelta(days=14)))]
        r.fields = [("Test", p.genomic_test), ("Specimen", f"FFPE block, tumor content 60% ({acc})"),
                    ("Ordering physician", _pick("oncologist", seed))]
        r.sections = [("RESULTS", list(p.genomic)),
                      ("METHODOLOGY", list(p.methodology) or [
                          "Next-generation sequencing (NGS) of DNA extracted from tumor tissue;",
                          "variant allele frequency (VAF) reported for somatic variants;",
                          "germline findings confirmed by orthogonal method."]),
                      ("INTERPRETATION", ["Results should be interpreted with clinical and pathologic findings."])]
        r.signature = [f"Reviewed and approved by {_pick('geneticist', seed)}, Laboratory Director"]
    elif kind == "clinical_note":
        onc = _pick("oncologist", seed)
        r = _Report(heading=("MEDICAL ONCOLOGY CONSULTATION", "PROGRESS NOTE", "OFFICE VISIT")[style])
        r.dates = [(("Date of service", "Visit date", "Encounter date")[style], d(service_date))]
        r.fields = [("Provider", onc), ("Referring", _pick("surgeon", seed)),
                    ("Visit type", "New patient" if style == 0 else "Follow-up")]
        r.sections = [
            ("HISTORY OF PRESENT ILLNESS", [
                f"{person.given} is a {_age(person, service_date)}-year-old with {p.diagnosis.lower()}.",
                f"Diagnosed after {p.biopsy.lower()}. Pathology reviewed with the patient today.",
                "She reports mild fatigue; appetite preserved; no bone pain or headaches."
                if person.sex == "F" else
                "He reports mild fatigue; appetite preserved; no bone pain or headaches."]),
            ("REVIEW OF SYSTEMS", ["Constitutional: fatigue, no fever or weight loss.",
                                   "Respiratory: no cough or dyspnea. All other systems negative."]),
            ("PHYSICAL EXAM", ["BP 128/76, HR 74, T 36.7 C, SpO2 98%. ECOG performance status 0.",
                               "No palpable cervical, supraclavicular or axillary adenopathy."]),
            ("ASSESSMENT AND PLAN", [f"1. {p.diagnosis} ({p.icd10}).",
                                     f"   Plan: {p.regimen[0].split(': ', 1)[-1]}",
                                     "2. Return visit in 3 weeks with labs (CBC, CMP)."]),
        ]
        r.signature = [f"{onc}", "Medical Oncology"]
    elif kind == "operative_report":
        surgeon = _pick("surgeon", seed)
        r = _Report(heading=p.heading or "OPERATIVE REPORT")
        r.dates = [(("Date of procedure", "Procedure date", "Date of surgery")[style], d(service_date))]
        r.fields = [("Surgeon", surgeon), ("Assistant", "Jun Whitlock, PA-C"),
                    ("Anesthesiologist", "Ravi Sundqvist, MD")]
        r.sections = [("PREOPERATIVE DIAGNOSIS", [p.diagnosis + "."]),
                      ("POSTOPERATIVE DIAGNOSIS", [p.postop]),
                      ("PROCEDURE", [p.operation + "."]),
                      ("ANESTHESIA", [p.anesthesia]),
                      ("ESTIMATED BLOOD LOSS", [p.blood_loss or f"{rng.choice((15, 25, 40, 75))} mL."]),
                      ("SPECIMENS", ["To pathology as labeled."]),
                      ("COMPLICATIONS", ["None."]),
                      ("DESCRIPTION OF PROCEDURE", list(p.op_description)),
                      ("DISPOSITION", ["To recovery in stable condition."])]
        r.signature = [f"Electronically signed: {surgeon} {d(service_date)}"]
    elif kind == "treatment_plan":
        onc = _pick("oncologist", seed)
        r = _Report(heading="TREATMENT PLAN" if style != 1 else "CHEMOTHERAPY TREATMENT PLAN AND CONSENT")
        r.dates = [("Plan date", d(service_date)),
                   ("Planned start", d(service_date + timedelta(days=7)))]
        r.fields = [("Diagnosis", f"{p.diagnosis} ({p.icd10})"), ("Intent", "Curative"),
                    ("Height / weight / BSA", "165 cm / 68 kg / 1.77 m2")]
        r.sections = [("REGIMEN", list(p.regimen)),
                      ("MONITORING", ["CBC with differential and CMP before each cycle.",
                                      "Hold for ANC below 1.5 x10^3/uL or platelets below 100 x10^3/uL."]),
                      ("GOALS AND RISKS DISCUSSED", ["Nausea, fatigue, hair loss, neutropenia with infection risk,",
                                                     "neuropathy. Patient agrees with the plan."])]
        r.signature = [f"Attending: {onc}", "Reviewed by oncology pharmacist: Marisol Tennant, PharmD"]
    elif kind == "medication_list":
        r = _Report(heading="CURRENT MEDICATION LIST")
        r.dates = [(("Date of service", "As of visit", "Reconciled on")[style], d(service_date))]
        r.fields = [("Reconciled by", "Tamsin Orcutt, RN")]
        r.table = (["Medication", "Instructions"], [[m, i] for m, i in p.meds])
        r.sections = [("ALLERGIES", ["Penicillins: hives (moderate).", "Latex: contact dermatitis."])]
        r.signature = ["Please bring this list to every appointment."]
    elif kind == "discharge_summary":
        admit = service_date - timedelta(days=2)
        r = _Report(heading="DISCHARGE SUMMARY")
        r.dates = [("ADMISSION DATE", d(admit)), ("DISCHARGE DATE", d(service_date))]
        r.fields = [("Attending", _pick("surgeon", seed)), ("Discharged to", "Home")]
        r.sections = [("ADMISSION DIAGNOSIS", [p.diagnosis + "."]),
                      ("DISCHARGE DIAGNOSIS", [p.diagnosis + ", status post " + p.operation.lower() + "."]),
                      ("HOSPITAL COURSE", [f"Admitted for {p.operation.lower()} on {d(admit)}.",
                                           "Uncomplicated postoperative course; pain controlled on oral medication.",
                                           "Tolerating diet, ambulating independently at discharge."]),
                      ("DISCHARGE MEDICATIONS", [f"{m}: {i}" for m, i in p.meds[:3]]
                       + ["Oxycodone 5 mg tablet: 1 every 6 hours as needed for severe pain (12 tablets)"]),
                      ("FOLLOW-UP", ["Surgical clinic in 10-14 days. Medical oncology in 3 weeks."])]
        r.signature = [f"Dictated by {_pick('surgeon', seed)}"]
    elif kind == "patient_summary":
        r = _Report(heading="HEALTH SUMMARY")
        r.dates = [("Generated", d(service_date))]
        r.sections = [("PROBLEMS", [f"{p.diagnosis} ({p.icd10})", "Essential hypertension (I10)"]),
                      ("MEDICATIONS", [m for m, _ in p.meds]),
                      ("ALLERGIES", ["Penicillins (hives)"]),
                      ("RECENT RESULTS", [f"{t.name} {t.value} {t.units}" for t in p.markers]),
                      ("IMMUNIZATIONS", ["Influenza, 2025-10-02", "COVID-19, 2025-10-02"])]
    elif kind == "administrative":
        r = _Report(heading="PRIOR AUTHORIZATION APPROVAL")
        r.dates = [("Date", d(service_date))]
        member = f"BHP{rng.randint(10**8, 10**9 - 1)}"
        r.fields = [("Member ID", member), ("Group", "GRP-20417"),
                    ("Authorization #", f"PA-{rng.randint(10**6, 10**7 - 1)}"),
                    ("Requesting provider", _pick("oncologist", seed))]
        r.sections = [("DECISION", [f"Dear {person.short},",
                                    f"Your request for {p.regimen[0].split(': ', 1)[-1].split(' (')[0]}",
                                    (f"has been APPROVED for dates of service {d(service_date)} through "
                                     f"{d(service_date + timedelta(days=180))}."),
                                    "This approval is not a guarantee of payment. Benefits are subject to",
                                    "eligibility and the terms of your plan on the date of service."]),
                      ("QUESTIONS", [f"Call Member Services at {inst.phone}, Monday-Friday 8am-6pm."])]
        r.signature = ["Utilization Management Department"]
    elif kind == "other":
        r = _Report(heading="PATIENT EDUCATION")
        r.dates = [("Given on", d(service_date))]
        r.sections = [("WHAT TO EXPECT", ["Bring a friend to your first treatment.",
                                          "Parking is free for patients in the Pier Street garage."])]
    else:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(DOCUMENT_KINDS)}")
    return r


def _check_exam(exam: str | None) -> str | None:
    if exam is not None and exam not in _EXAMS:
        raise ValueError(f"unknown exam {exam!r}; expected one of {', '.join(_EXAMS)}")
    return exam


def _age(person: Person, on: date) -> int:
    before = (on.month, on.day) < (person.birth_date.month, person.birth_date.day)
    return on.year - person.birth_date.year - int(before)


def _printed_on(service_date: date, kind: str, seed: int) -> date:
    # The print date is the day the patient downloaded it: later than the service date,
    # so a scanner that picks the last date on the page picks the wrong one.
    return service_date + timedelta(days=9 + (len(kind) * 7 + seed) % 40)


def _patient_block(person: Person, layout: int, variant_name: str | None) -> list[tuple[str, str]]:
    name = variant_name or _fmt_name(person, layout)
    dob = _fmt_date(person.birth_date, layout)
    sex = {"F": "Female", "M": "Male"}.get(person.sex, person.sex)
    style = layout % LAYOUTS
    if style == 0:
        return [("PATIENT", name), ("DOB", dob), ("MRN", person.mrn), ("SEX", sex[0])]
    if style == 1:
        return [("Patient Name", name), ("Date of Birth", dob),
                ("Medical Record Number", person.mrn), ("Sex", sex)]
    return [("Name", name), ("DOB", dob), ("MRN", person.mrn), ("Gender", sex)]


def report_text(*, kind: str, person: Person, service_date: date, institution: str | None = None,
                layout: int = 0, extra: str = "", variant_name: str | None = None,
                cancer: Cancer = "breast", seed: int = 0, exam: str | None = None) -> str:
    """The plain text of the report :func:`write_pdf` would print (same words, same order)."""
    inst = _institution(institution, kind)
    rep = _build(kind, person, service_date, inst, layout, cancer, seed, _check_exam(exam))
    style = layout % LAYOUTS
    # The same header lines write_pdf draws for this layout.
    if style == 0:
        out: list[str] = [inst.name.upper(), f"{inst.address}   Tel {inst.phone}", "", rep.heading]
    elif style == 1:
        out = [inst.name, inst.address, f"Phone {inst.phone}", "", rep.heading]
    else:
        out = [f"{inst.name}  |  {rep.heading}", f"{inst.address}  {inst.phone}"]
    out.append("")
    for label, value in _patient_block(person, layout, variant_name):
        out.append(f"{label}: {value}")
    for label, value in rep.dates + rep.fields:
        out.append(f"{label}: {value}")
    out.append("")
    for heading, lines in rep.sections:
        out.append(f"{heading}:")
        out.extend(lines)
        out.append("")
    if rep.table is not None:
        header, rows = rep.table
        widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
        for row in [header, *rows]:
            out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        out.append("")
    if extra:
        out.extend(extra.splitlines())
        out.append("")
    out.extend(rep.signature)
    out.append("")
    out.append(_footer(kind, service_date, layout, seed))
    return "\n".join(out) + "\n"


def _footer(kind: str, service_date: date, layout: int, seed: int) -> str:
    printed = _fmt_date(_printed_on(service_date, kind, seed), layout)
    return ("Printed on {d}  -  CONFIDENTIAL patient information",
            "Report generated {d}. This document contains protected health information.",
            "Page 1  |  Printed on {d}")[layout % LAYOUTS].format(d=printed)


# --------------------------------------------------------------------------- PDF and text


def write_text(path: str | Path, *, kind: str, person: Person, service_date: date,
               institution: str | None = None, layout: int = 0, extra: str = "",
               variant_name: str | None = None, cancer: Cancer = "breast", seed: int = 0,
               exam: str | None = None, crlf: bool = False) -> Path:
    """Write the report as a plain-text file (UTF-8; CRLF line ends when ``crlf``)."""
    text = report_text(kind=kind, person=person, service_date=service_date, institution=institution,
                       layout=layout, extra=extra, variant_name=variant_name, cancer=cancer, seed=seed,
                       exam=exam)
    if crlf:
        text = text.replace("\n", "\r\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def write_pdf(path: str | Path, *, kind: str, person: Person, service_date: date,
              institution: str | None = None, layout: int = 0, extra: str = "",
              variant_name: str | None = None, cancer: Cancer = "breast", seed: int = 0,
              exam: str | None = None, password: str | None = None) -> Path:
    """Write a realistic one- or two-page report PDF of ``kind`` about ``person``.

    ``layout`` (0, 1, 2) changes the header style, how the name and dates are
    written (``THOMPSON, MARGARET A`` + 03/14/1962; ``Margaret A. Thompson`` +
    March 14, 1962; ``Thompson, Margaret`` + 1962-03-14) and the footer. The date
    of service is labelled the way that kind of report labels it; a later
    "Printed on" date is in the footer. ``variant_name`` overrides the printed
    name, ``extra`` is appended as a last section, ``cancer`` picks the clinical
    content, ``exam`` (imaging reports: ``mammogram``, ``ct_chest``, ``bone_scan``)
    replaces the cancer's usual exam, ``seed`` varies values and physicians.
    ``password`` encrypts the PDF (AES-128) so it opens only with that password;
    such files are not byte-deterministic (the encryption salt is random).
    Raises ``ValueError`` for a kind outside :data:`DOCUMENT_KINDS` or an unknown exam.
    """
    inst = _institution(institution, kind)
    rep = _build(kind, person, service_date, inst, layout, cancer, seed, _check_exam(exam))
    return _render_pdf(path, rep, kind=kind, person=person, service_date=service_date, inst=inst,
                       layout=layout, extra=extra, variant_name=variant_name, seed=seed,
                       password=password)


def _render_pdf(path: str | Path, rep: _Report, *, kind: str, person: Person, service_date: date,
                inst: Institution, layout: int, extra: str = "", variant_name: str | None = None,
                seed: int = 0, password: str | None = None) -> Path:
    """Print ``rep`` as :func:`write_pdf` does; returns ``path``."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    style = layout % LAYOUTS
    footer = _footer(kind, service_date, layout, seed)

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 8, footer, align="C")

    pdf = _Doc(format="letter")
    pdf.set_creation_date(datetime.combine(_printed_on(service_date, kind, seed),
                                           datetime.min.time(), tzinfo=UTC))
    pdf.set_producer(inst.producer)
    pdf.set_creator(inst.producer)
    pdf.set_title(rep.heading.title())
    if password is not None:
        from fpdf.enums import EncryptionMethod

        pdf.set_encryption(owner_password=password + "-owner", user_password=password,
                           encryption_method=EncryptionMethod.AES_128)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_margins(18, 15, 18)
    pdf.add_page()

    # Header: each layout looks like a different institution's print template.
    if style == 0:
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 7, inst.name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 5, f"{inst.address}   Tel {inst.phone}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, rep.heading, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif style == 1:
        pdf.set_font("Times", "B", 16)
        pdf.cell(0, 8, inst.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Times", "", 10)
        pdf.cell(0, 5, inst.address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.cell(0, 5, f"Phone {inst.phone}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.line(18, pdf.get_y() + 2, 198, pdf.get_y() + 2)
        pdf.ln(5)
        pdf.set_font("Times", "B", 13)
        pdf.cell(0, 8, rep.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.set_fill_color(225, 230, 240)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, f"{inst.name}  |  {rep.heading}", border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(0, 5, f"{inst.address}  {inst.phone}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)

    body_font = "Times" if style == 1 else "Helvetica"
    # Patient, dates and identifiers: a two-column box on layouts 0/2, lines on layout 1.
    pairs = _patient_block(person, layout, variant_name) + rep.dates + rep.fields
    if style == 1:
        for label, value in pairs:
            pdf.set_font(body_font, "B", 10)
            pdf.cell(50, 5, f"{label}:")
            pdf.set_font(body_font, "", 10)
            pdf.multi_cell(0, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        # Long values (procedure, test names) do not fit a box cell: full-width lines below.
        pdf.set_font(body_font, "", 9)
        boxed = [(k, v) for k, v in pairs if pdf.get_string_width(v) <= 54]
        half = (len(boxed) + 1) // 2
        left, right = boxed[:half], boxed[half:]
        for i in range(half):
            for x0, items in ((18, left), (108, right)):
                if i < len(items):
                    label, value = items[i]
                    pdf.set_x(x0)
                    pdf.set_font(body_font, "B", 9)
                    pdf.cell(34, 5, f"{label}:", border="LT" if style == 2 else 0)
                    pdf.set_font(body_font, "", 9)
                    pdf.cell(56, 5, value, border="RT" if style == 2 else 0)
            pdf.ln(5)
        if style == 2:
            pdf.line(18, pdf.get_y(), 198, pdf.get_y())
        for label, value in pairs:
            if (label, value) not in boxed:
                pdf.set_font(body_font, "B", 9)
                pdf.cell(34, 5, f"{label}:")
                pdf.set_font(body_font, "", 9)
                pdf.multi_cell(0, 5, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    def section(heading: str, lines: Sequence[str]) -> None:
        pdf.set_font(body_font, "B", 10)
        pdf.cell(0, 6, heading if style != 1 else heading.title(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(body_font, "", 10)
        for line in lines:
            pdf.multi_cell(0, 5, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    if rep.table is not None:
        header, rows = rep.table
        widths = [60, 22, 12, 40, 30] if len(header) == 5 else [80, 100]
        pdf.set_font(body_font, "B", 9)
        for text, w in zip(header, widths, strict=True):
            pdf.cell(w, 6, text, border=1 if style != 1 else "B")
        pdf.ln(6)
        pdf.set_font(body_font, "", 9)
        for row in rows:
            if len(widths) == 2:
                # Free-text instructions: wrap rather than clip.
                pdf.cell(widths[0], 5, row[0], border=1 if style == 2 else 0)
                pdf.multi_cell(0, 5, row[1], border=1 if style == 2 else 0, align="L",
                               new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                continue
            for text, w in zip(row, widths, strict=True):
                pdf.cell(w, 5, _clip(str(text), int(w / 1.9)), border=1 if style == 2 else 0)
            pdf.ln(5)
        pdf.ln(3)
    for heading, lines in rep.sections:
        section(heading, lines)
    if extra:
        section("ADDITIONAL RESULTS", extra.splitlines())
    pdf.set_font(body_font, "I", 9)
    for line in rep.signature:
        pdf.cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = bytes(pdf.output())
    path.write_bytes(data)
    return path


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def render_page_image(text: str, *, dpi: int = 150, skew: float = 0.0, noise: int = 0,
                      seed: int = 0) -> Image.Image:
    """A letter-size grayscale "scan" of ``text``: black type on off-white, optional skew and specks."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = int(8.5 * dpi), int(11 * dpi)
    page = Image.new("L", (width, height), 246)
    draw = ImageDraw.Draw(page)
    size = max(10, dpi // 7)
    font = ImageFont.load_default(size=size)
    x, y = dpi * 3 // 4, dpi * 2 // 3
    for line in text.splitlines():
        if y > height - dpi // 2:
            break
        draw.text((x, y), line, fill=20, font=font)
        y += int(size * 1.45)
    rng = random.Random(seed)
    for _ in range(noise):
        cx, cy = rng.randrange(width), rng.randrange(height)
        draw.point((cx, cy), fill=rng.randint(60, 160))
    if skew:
        page = page.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=246)
    return page


def write_scanned_pdf(path: str | Path, *, kind: str, person: Person, service_date: date,
                      institution: str | None = None, layout: int = 0,
                      variant_name: str | None = None, cancer: Cancer = "breast", seed: int = 0,
                      exam: str | None = None, dpi: int = 150, skew: float = 0.0,
                      hidden_text: str | None = None) -> Path:
    """Write a report as a scanner makes it: one page image per page and no text layer.

    ``hidden_text`` adds an invisible text layer (as scanners' built-in OCR does;
    pass deliberately noisy text to imitate a poor one). Returns ``path``.
    """
    import io

    from fpdf import FPDF

    text = report_text(kind=kind, person=person, service_date=service_date,
                       institution=institution, layout=layout, variant_name=variant_name,
                       cancer=cancer, seed=seed, exam=exam)
    lines = text.splitlines()
    per_page = max(1, int((11 * dpi - dpi * 7 // 6) / (max(10, dpi // 7) * 1.45)))
    pdf = FPDF(format="letter", unit="pt")
    pdf.set_creation_date(datetime.combine(_printed_on(service_date, kind, seed),
                                           datetime.min.time(), tzinfo=UTC))
    pdf.set_producer("Invented ScanStation 3000")
    pdf.set_auto_page_break(False)
    for start in range(0, len(lines), per_page):
        page = render_page_image("\n".join(lines[start:start + per_page]), dpi=dpi, skew=skew,
                                 noise=200, seed=seed + start)
        buf = io.BytesIO()
        page.save(buf, format="PNG", optimize=False)
        pdf.add_page()
        pdf.image(buf, x=0, y=0, w=612, h=792)
        if hidden_text is not None and start == 0:
            pdf.set_font("Helvetica", size=9)
            pdf.set_text_color(255, 255, 255)
            pdf.text_mode = "INVISIBLE"
            pdf.set_xy(50, 50)
            pdf.multi_cell(500, 11, hidden_text)
    return _write(path, bytes(pdf.output()))


#: The invisible-text font OCR programs write (Tesseract's "GlyphLessFont", also
#: OCRmyPDF's): codes are UTF-16, and its /ToUnicode maps all 65,536 of them.
_OCR_TO_UNICODE = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                   b"/CIDSystemInfo\n<<\n  /Registry (Adobe)\n  /Ordering (UCS)\n  /Supplement 0\n"
                   b">> def\n/CMapName /Adobe-Identify-UCS def\n/CMapType 2 def\n"
                   b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                   b"1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
                   b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


def write_searchable_pdf(path: str | Path, *, kind: str, person: Person, service_date: date,
                         institution: str | None = None, layout: int = 0,
                         cancer: Cancer = "breast", seed: int = 0, exam: str | None = None,
                         dpi: int = 100) -> Path:
    """Write a report as a scan made searchable by OCR (Tesseract, OCRmyPDF): each page a
    JPEG picture under an invisible text layer, one word at a time, in a glyphless
    Type0 font whose /ToUnicode maps every 16-bit code to itself, as those programs
    write it. (The font program itself is left out: nothing draws the invisible text.)
    """
    import io

    text = report_text(kind=kind, person=person, service_date=service_date,
                       institution=institution, layout=layout, cancer=cancer, seed=seed,
                       exam=exam)
    lines = text.splitlines()
    size = max(10, dpi // 7)
    per_page = max(1, int((11 * dpi - dpi * 7 // 6) / (size * 1.45)))
    objects: list[bytes] = [b"", b"", b""]  # catalog, pages, font: filled in below

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data)

    to_unicode = add(stream(_OCR_TO_UNICODE))
    descriptor = add(b"<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 "
                     b"/FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 "
                     b"/CapHeight 1000 /StemV 80 >>")
    cid_font = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont "
                   b"/CIDToGIDMap /Identity /CIDSystemInfo << /Registry (Adobe) /Ordering "
                   b"(Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 500 >>" % descriptor)
    objects[2] = (b"<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding "
                  b"/Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>"
                  % (cid_font, to_unicode))
    kids: list[int] = []
    scale = 72 / dpi
    for number, start in enumerate(range(0, len(lines), per_page)):
        page_lines = lines[start:start + per_page]
        picture = render_page_image("\n".join(page_lines), dpi=dpi, noise=150,
                                    seed=seed + number)
        jpeg = io.BytesIO()
        picture.save(jpeg, format="JPEG", quality=60)
        image = add(stream(jpeg.getvalue(), b" /Type /XObject /Subtype /Image /Width %d "
                           b"/Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
                           b"/Filter /DCTDecode" % picture.size))
        ops = [b"q 612 0 0 792 0 0 cm /Im0 Do Q", b"BT 3 Tr"]
        y = 792 - (dpi * 2 // 3 + size) * scale
        for line in page_lines:
            x = dpi * 3 // 4 * scale
            for word in line.split(" "):
                if word:
                    code = word.encode("utf-16-be", "replace").hex().encode()
                    ops.append(b"/F0 %.1f Tf 1 0 0 1 %.2f %.2f Tm <%s> Tj"
                               % (size * scale * 1.2, x, y, code))
                x += (len(word) + 1) * size * scale * 0.6
            y -= size * 1.45 * scale
        ops.append(b"ET")
        content = add(stream(b"\n".join(ops)))
        kids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                        b"/Resources << /Font << /F0 3 0 R >> /XObject << /Im0 %d 0 R >> >> >>"
                        % (content, image)))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return _write(path, bytes(out))


def write_document_image(path: str | Path, *, kind: str, person: Person, service_date: date,
                         institution: str | None = None, layout: int = 0,
                         cancer: Cancer = "breast", seed: int = 0, dpi: int = 150,
                         skew: float = 0.0) -> Path:
    """Write the first page of a report as a photo/scan image; format from the suffix (.png/.jpg/.tif)."""
    text = report_text(kind=kind, person=person, service_date=service_date,
                       institution=institution, layout=layout, cancer=cancer, seed=seed)
    page = render_page_image(text, dpi=dpi, skew=skew, noise=300, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF"}.get(
        path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unknown image type {path.suffix!r}; use .png, .jpg or .tif")
    page.save(path, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return path


# --------------------------------------------------------------------------- DICOM

_SOP_CLASSES = {
    "CT": "1.2.840.10008.5.1.4.1.1.2",
    "MR": "1.2.840.10008.5.1.4.1.1.4",
    "MG": "1.2.840.10008.5.1.4.1.1.1.2",  # Digital Mammography X-Ray Image, For Presentation
    "PT": "1.2.840.10008.5.1.4.1.1.128",
    "US": "1.2.840.10008.5.1.4.1.1.6.1",
    "CR": "1.2.840.10008.5.1.4.1.1.1",
    "DX": "1.2.840.10008.5.1.4.1.1.1.1",
}
#: Fixed implementation identity, so written files do not depend on the pydicom version.
_IMPLEMENTATION_UID = "2.25.246081623450923017830914016548126617312"
_IMPLEMENTATION_NAME = "RPEXAMPLE_1"

DicomNames = Literal["numbered", "cd", "ext", "bare"]


def uid_from(*parts: object) -> str:
    """A valid DICOM UID (2.25 form) derived only from ``parts``: same parts, same UID."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def _dicom_file_name(names: DicomNames, index: int, sop_uid: str, series_no: int) -> str:
    if names == "numbered":
        return f"IM-{series_no:04d}-{index + 1:04d}.dcm"
    if names == "cd":
        return f"IM{index:06d}"
    if names == "ext":
        return f"{sop_uid}.dcm"
    if names == "bare":
        return f"{index + 1:06d}"
    raise ValueError(f"unknown names style {names!r}; expected numbered, cd, ext or bare")


def _dicom_dataset(*, person: Person, modality: str, study_uid: str, series_uid: str, sop_uid: str,
                   study_date: date, description: str, series_description: str, series_no: int,
                   index: int, n: int, institution: str, accession: str, seed: int,
                   laterality: str = "", view: str = "") -> Dataset:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian

    sop_class = _SOP_CLASSES.get(modality, _SOP_CLASSES["CT"])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID(_IMPLEMENTATION_UID)
    meta.ImplementationVersionName = _IMPLEMENTATION_NAME

    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", {"CT": "AXIAL", "PT": "AXIAL", "MR": "OTHER"}.get(modality, "")]
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = study_date.strftime("%Y%m%d")
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = f"{9 + seed % 8:02d}{(seed * 7) % 60:02d}00"
    ds.AccessionNumber = accession
    ds.Modality = modality
    ds.Manufacturer = "Invented Imaging Systems"
    ds.InstitutionName = institution
    ds.ReferringPhysicianName = "LINWOOD^EVERETT"
    ds.StudyDescription = description[:64]  # LO: 64 characters at most
    ds.SeriesDescription = series_description[:64]
    ds.ManufacturerModelName = "Model X"
    ds.PatientName = person.dicom
    ds.PatientID = person.mrn
    ds.PatientBirthDate = person.birth_date.strftime("%Y%m%d")
    ds.PatientSex = person.sex
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = str(1000 + seed % 9000)
    ds.SeriesNumber = series_no
    ds.InstanceNumber = index + 1
    if modality == "MG":
        ds.ImageLaterality = laterality or "L"
        ds.ViewPosition = view or "CC"
        ds.PresentationIntentType = "FOR PRESENTATION"
        ds.BodyPartExamined = "BREAST"
        ds.PatientOrientation = ["A", "R"] if ds.ImageLaterality == "L" else ["P", "L"]
        region = Dataset()
        region.CodeValue, region.CodingSchemeDesignator, region.CodeMeaning = "T-04000", "SRT", "Breast"
        ds.AnatomicRegionSequence = [region]
        ds.PixelIntensityRelationship = "LOG"
        ds.PixelIntensityRelationshipSign = 1
        ds.RescaleIntercept = 0
        ds.RescaleSlope = 1
        ds.RescaleType = "US"
        ds.PresentationLUTShape = "IDENTITY"
        ds.BurnedInAnnotation = "NO"
        ds.WindowCenter = 2048
        ds.WindowWidth = 4096
        ds.DetectorType = "DIRECT"
        ds.ImagerPixelSpacing = [0.1, 0.1]
        ds.PositionerType = "MAMMOGRAPHIC"
        ds.OrganExposed = "BREAST"
        view_code = Dataset()
        view_code.CodeValue, view_code.CodingSchemeDesignator, view_code.CodeMeaning = (
            ("R-10242", "SRT", "cranio-caudal") if ds.ViewPosition == "CC"
            else ("R-10226", "SRT", "medio-lateral oblique"))
        view_code.ViewModifierCodeSequence = []
        ds.ViewCodeSequence = [view_code]
        ds.AcquisitionContextSequence = []
    else:
        ds.Laterality = ""
        ds.PatientPosition = "HFS" if modality != "MR" or "BREAST" not in description else "FFP"
        ds.AcquisitionNumber = 1
        ds.FrameOfReferenceUID = uid_from("for", series_uid)
        ds.PositionReferenceIndicator = ""
        ds.ImagePositionPatient = [-100.0, -100.0, float(-5 * index)]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        ds.SliceThickness = 5.0
        ds.SliceLocation = float(-5 * index)
    if modality == "CT":
        ds.KVP = 120
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
    if modality == "PT":
        ds.Units = "BQML"
        ds.CountsSource = "EMISSION"
        ds.SeriesType = ["STATIC", "IMAGE"]
        ds.NumberOfSlices = n
        ds.CorrectedImage = ["ATTN", "DECY"]
        ds.DecayCorrection = "START"
        ds.CollimatorType = "NONE"
        ds.RadiopharmaceuticalInformationSequence = []
        ds.PatientOrientationCodeSequence = []
        ds.PatientGantryRelationshipCodeSequence = []
        del ds.PatientPosition  # PET conveys it in the orientation code sequences instead
        ds.FrameReferenceTime = 0.0
        ds.ImageIndex = index + 1
        ds.AcquisitionDate = ds.StudyDate
        ds.AcquisitionTime = ds.StudyTime
        ds.ActualFrameDuration = 180000
        ds.DecayFactor = 1.0
        ds.RescaleIntercept = 0
        ds.RescaleSlope = 1
    if modality == "MR":
        ds.ScanningSequence = "SE"
        ds.SequenceVariant = "NONE"
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "3D"
        ds.EchoTime = 2.1
        ds.RepetitionTime = 4.5
        ds.MagneticFieldStrength = 3
        ds.EchoTrainLength = 1
    ds.LossyImageCompression = "00"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = 16
    ds.Columns = 16
    ds.PixelSpacing = [0.5, 0.5] if modality != "MG" else [0.1, 0.1]
    ds.BitsAllocated = 16
    # PET images are 16-bit by definition; the others use 12 of 16 bits like most scanners.
    ds.BitsStored = 16 if modality == "PT" else 12
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 0
    rng = random.Random(f"{sop_uid}")
    # A bright blob on noise: enough for a viewer to show something, 512 bytes in all.
    pixels = []
    for y in range(16):
        for x in range(16):
            blob = 1800 if (x - 8) ** 2 + (y - 8 - index % 3) ** 2 < 12 else 0
            pixels.append(min(4095, 400 + blob + rng.randint(0, 200)))
    ds.PixelData = struct.pack("<256H", *pixels)
    return ds


def write_dicom_series(folder: str | Path, *, person: Person, study_uid: str,
                       series_uid: str | None = None, modality: str = "CT", n: int = 5,
                       study_date: date, description: str, names: DicomNames = "numbered",
                       seed: int = 0, series_number: int = 1, series_description: str | None = None,
                       institution: str = "Northbrook Regional Medical Center",
                       preamble: bool = True, transfer_syntax: str | None = None) -> list[Path]:
    """Write ``n`` small DICOM images (16x16, PS3.10) of one series into ``folder``.

    File names by ``names``: ``numbered`` IM-0001-0001.dcm, ``cd`` IM000000 (8
    characters, no extension), ``ext`` <SOP Instance UID>.dcm, ``bare`` 000001.
    ``preamble=False`` writes the old headerless form (no preamble, no DICM
    marker, no file meta; implicit VR) that some archives still hold.
    ``transfer_syntax`` (a UID) may pick implicit VR, explicit VR big endian or
    deflated explicit VR little endian instead of explicit VR little endian.
    Returns the paths in instance order.
    """
    from pydicom.uid import (
        UID,
        DeflatedExplicitVRLittleEndian,
        ExplicitVRBigEndian,
        ExplicitVRLittleEndian,
        ImplicitVRLittleEndian,
    )

    syntax = UID(transfer_syntax or ExplicitVRLittleEndian)
    if syntax not in (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian,
                      DeflatedExplicitVRLittleEndian):
        raise ValueError(f"cannot write transfer syntax {syntax} ({syntax.name}): "
                         "use an uncompressed or deflated one")
    from pydicom import dcmwrite

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    series_uid = series_uid or uid_from("series", study_uid, series_number, seed)
    accession = f"A{int(hashlib.sha256(study_uid.encode()).hexdigest()[:7], 16) % 10**7:07d}"
    paths = []
    for i in range(n):
        sop_uid = uid_from("sop", series_uid, i)
        lat, view = "", ""
        if modality == "MG":
            lat, view = (("R", "CC"), ("L", "CC"), ("R", "MLO"), ("L", "MLO"))[i % 4]
        ds = _dicom_dataset(person=person, modality=modality, study_uid=study_uid,
                            series_uid=series_uid, sop_uid=sop_uid, study_date=study_date,
                            description=description,
                            series_description=series_description or description,
                            series_no=series_number, index=i, n=n, institution=institution,
                            accession=accession, seed=seed, laterality=lat, view=view)
        path = folder / _dicom_file_name(names, i, sop_uid, series_number)
        ds.file_meta.TransferSyntaxUID = syntax
        if syntax == ExplicitVRBigEndian:
            ds.PixelData = _swap16(ds.PixelData)
        if preamble:
            dcmwrite(path, ds, enforce_file_format=True)
        else:
            del ds.file_meta
            dcmwrite(path, ds, implicit_vr=True, little_endian=True)
        paths.append(path)
    return paths


def _swap16(data: bytes) -> bytes:
    values = struct.unpack(f"<{len(data) // 2}H", data)
    return struct.pack(f">{len(values)}H", *values)


def _document_dataset(*, person: Person, sop_class: str, modality: str, study_uid: str,
                      series_uid: str, sop_uid: str, study_date: date, description: str,
                      institution: str) -> Dataset:
    """The patient/study/series/equipment/SOP modules every non-image object needs."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class)
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID(_IMPLEMENTATION_UID)
    meta.ImplementationVersionName = _IMPLEMENTATION_NAME
    ds = Dataset()
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid
    ds.StudyDate = ds.ContentDate = ds.SeriesDate = study_date.strftime("%Y%m%d")
    ds.StudyTime = ds.ContentTime = ds.SeriesTime = "101500"
    ds.AccessionNumber = f"A{int(hashlib.sha256(study_uid.encode()).hexdigest()[:7], 16) % 10**7:07d}"
    ds.Modality = modality
    ds.Manufacturer = "Invented Imaging Systems"
    ds.InstitutionName = institution
    ds.ReferringPhysicianName = "LINWOOD^EVERETT"
    ds.StudyDescription = description[:64]  # LO: 64 characters at most
    ds.SeriesDescription = description[:64]
    ds.PatientName = person.dicom
    ds.PatientID = person.mrn
    ds.PatientBirthDate = person.birth_date.strftime("%Y%m%d")
    ds.PatientSex = person.sex
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = "1"
    ds.SeriesNumber = 900
    ds.InstanceNumber = 1
    return ds


def _save_document(path: str | Path, ds: Dataset) -> Path:
    from pydicom import dcmwrite

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dcmwrite(path, ds, enforce_file_format=True)
    return path


def write_dicom_pdf(path: str | Path, *, person: Person, pdf: bytes, study_date: date,
                    title: str = "Radiology report", study_uid: str | None = None,
                    institution: str = "Northbrook Regional Medical Center") -> Path:
    """Write ``pdf`` wrapped in a DICOM Encapsulated PDF object (as PACS exports reports)."""
    study_uid = study_uid or uid_from("encpdf-study", person.mrn, study_date)
    ds = _document_dataset(person=person, sop_class="1.2.840.10008.5.1.4.1.1.104.1",
                           modality="DOC", study_uid=study_uid,
                           series_uid=uid_from("encpdf-series", study_uid),
                           sop_uid=uid_from("encpdf", study_uid, hashlib.sha256(pdf).hexdigest()),
                           study_date=study_date, description=title, institution=institution)
    from pydicom.dataset import Dataset

    concept = Dataset()
    concept.CodeValue, concept.CodingSchemeDesignator, concept.CodeMeaning = (
        "18748-4", "LN", "Diagnostic imaging report")
    ds.ConceptNameCodeSequence = [concept]
    ds.ConversionType = "WSD"
    ds.DocumentTitle = title
    ds.BurnedInAnnotation = "YES"
    ds.AcquisitionDateTime = study_date.strftime("%Y%m%d") + "101500"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf + (b"\0" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    return _save_document(path, ds)


def write_dicom_sr(path: str | Path, *, person: Person, study_date: date,
                   cancer: Cancer = "breast", exam: str | None = None,
                   study_uid: str | None = None,
                   institution: str = "Northbrook Regional Medical Center") -> Path:
    """Write an imaging report as a DICOM Basic Text Structured Report (FINDINGS, IMPRESSION)."""
    from pydicom.dataset import Dataset

    p = _PROFILES[cancer]
    title, _technique, findings, impression = (_EXAMS[_check_exam(exam) or ""] if exam
                                                else (p.exam, p.technique, p.findings, p.impression))
    study_uid = study_uid or uid_from("sr-study", person.mrn, study_date, title)
    ds = _document_dataset(person=person, sop_class="1.2.840.10008.5.1.4.1.1.88.11",
                           modality="SR", study_uid=study_uid,
                           series_uid=uid_from("sr-series", study_uid),
                           sop_uid=uid_from("sr", study_uid), study_date=study_date,
                           description=title, institution=institution)

    def code(value: str, meaning: str, scheme: str = "DCM") -> Dataset:
        c = Dataset()
        c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, scheme, meaning
        return c

    def text_item(value: str, meaning: str, text: str) -> Dataset:
        item = Dataset()
        item.RelationshipType = "CONTAINS"
        item.ValueType = "TEXT"
        item.ConceptNameCodeSequence = [code(value, meaning)]
        item.TextValue = text
        return item

    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = [code("18748-4", "Diagnostic imaging report", "LN")]
    ds.CompletionFlag = "COMPLETE"
    ds.VerificationFlag = "VERIFIED"
    observer = Dataset()
    observer.VerifyingObserverName = "FAIRHURST^BEATRICE^L"
    observer.VerifyingOrganization = institution
    observer.VerificationDateTime = study_date.strftime("%Y%m%d") + "164200"
    observer.VerifyingObserverIdentificationCodeSequence = []
    ds.VerifyingObserverSequence = [observer]
    ds.ReferencedPerformedProcedureStepSequence = []
    ds.PerformedProcedureCodeSequence = []
    ds.ContentSequence = [
        text_item("121065", "Procedure Description", title),
        text_item("121071", "Finding", " ".join(findings)),
        text_item("121073", "Impression", " ".join(impression)),
    ]
    return _save_document(path, ds)


def write_rt_plan(path: str | Path, *, person: Person, plan_date: date,
                  dose_gy: float = 40.05, fractions: int = 15, label: str = "L BREAST",
                  study_uid: str | None = None,
                  institution: str = "Northbrook Regional Medical Center") -> Path:
    """Write a small DICOM RT Plan (prescription ``dose_gy`` in ``fractions``), a treatment_plan."""
    from pydicom.dataset import Dataset

    study_uid = study_uid or uid_from("rt-study", person.mrn, plan_date)
    ds = _document_dataset(person=person, sop_class="1.2.840.10008.5.1.4.1.1.481.5",
                           modality="RTPLAN", study_uid=study_uid,
                           series_uid=uid_from("rt-series", study_uid),
                           sop_uid=uid_from("rtplan", study_uid, label), study_date=plan_date,
                           description=f"RT PLAN {label}", institution=institution)
    ds.FrameOfReferenceUID = uid_from("rt-for", study_uid)
    ds.PositionReferenceIndicator = ""
    ds.OperatorsName = "TAMBERLANE^HOLLIS"
    ds.RTPlanLabel = label[:16]
    ds.RTPlanName = f"{label} {dose_gy:g}Gy/{fractions}fx"[:64]
    ds.RTPlanDate = plan_date.strftime("%Y%m%d")
    ds.RTPlanTime = "093000"
    # TREATMENT_DEVICE geometry: a plan without its structure set is still complete.
    ds.RTPlanGeometry = "TREATMENT_DEVICE"
    ds.ApprovalStatus = "APPROVED"
    ds.ReviewDate = plan_date.strftime("%Y%m%d")
    ds.ReviewTime = "093000"
    ds.ReviewerName = "TAMBERLANE^HOLLIS"
    target = Dataset()
    target.DoseReferenceNumber = 1
    target.DoseReferenceUID = uid_from("rt-dose-ref", study_uid)
    target.DoseReferenceStructureType = "SITE"
    target.DoseReferenceDescription = "PTV"
    target.DoseReferenceType = "TARGET"
    target.TargetPrescriptionDose = dose_gy
    ds.DoseReferenceSequence = [target]
    group = Dataset()
    group.FractionGroupNumber = 1
    group.NumberOfFractionsPlanned = fractions
    group.NumberOfBeams = 0
    group.NumberOfBrachyApplicationSetups = 0
    ds.FractionGroupSequence = [group]
    return _save_document(path, ds)


@dataclass(frozen=True)
class StudySpec:
    """One study on an imaging CD: modality, description, date, images per series, series count.

    ``modalities`` gives each series its own modality in a hybrid study (a PET-CT is
    one study with a ``("PT", "CT")`` pair of series); it then sets the series count.
    """

    modality: str
    description: str
    study_date: date
    n: int = 4
    series: int = 1
    seed: int = 0
    modalities: tuple[str, ...] = ()

    def series_modalities(self) -> tuple[str, ...]:
        """The modality of each series, in series order."""
        return self.modalities or (self.modality,) * self.series


_SERIES_NAMES = {
    "MR": ("AX T1 PRE", "AX T1 POST GAD", "AX T2 STIR", "AX DWI B800"),
    "CT": ("AXIAL 5MM SOFT TISSUE", "AXIAL 1.25MM LUNG", "CORONAL 3MM"),
    "PT": ("PET AC", "PET NAC"),
    "MG": ("MAMMO 2D COMBO", "MAMMO TOMO"),
}


#: Series of a hybrid study, by modality (a PET-CT's CT is a low-dose one for attenuation).
_HYBRID_SERIES_NAMES = {
    "PT": ("PET WB AC", "PET WB NAC"),
    "CT": ("CT WB LOW DOSE AC", "CT CHEST DIAGNOSTIC"),
    "MR": ("MR WB T1", "MR WB DWI"),
}


def _series_name(spec: StudySpec, index: int) -> str:
    modalities = spec.series_modalities()
    if spec.modalities and len(set(modalities)) > 1:
        modality = modalities[index]
        hybrid = _HYBRID_SERIES_NAMES.get(modality, ())
        nth = modalities[:index].count(modality)
        return hybrid[nth] if nth < len(hybrid) else f"{modality} {spec.description} {nth + 1}"
    names = _SERIES_NAMES.get(spec.modality, ())
    if index < len(names):
        return names[index]
    return spec.description if index == 0 else f"{spec.description} {index + 1}"


_CD_README = """\
{inst}
Patient imaging CD

This disc holds the images of your examination(s) in the DICOM format.
To view them on Windows, open VIEWER\\IVIEWER.EXE (autorun may start it for you).
On a Mac, use any DICOM viewer. Give this disc to your doctor: it is your copy.

Questions: Film Library {phone}
Disc created {created}
"""


def write_dicom_cd(folder: str | Path, *, person: Person, studies: Sequence[StudySpec],
                   institution: str = "Cascade Breast Imaging Associates",
                   created: date | None = None) -> Path:
    """Write an imaging CD as copied to disk: DICOMDIR, DICOM/ tree, viewer clutter.

    Layout: ``DICOMDIR``, ``DICOM/PT000000/ST00000n/SE00000n/IM00000n`` (8-character
    names, no extension), ``AUTORUN.INF``, ``README.TXT`` and a ``VIEWER/`` folder
    with stub ``IVIEWER.EXE`` and ``DCMCORE.DLL`` (not real programs). Returns ``folder``.
    """
    import os
    import tempfile

    from pydicom.filebase import DicomFileLike
    from pydicom.fileset import FileSet
    from pydicom.uid import UID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    inst = _institution(institution, "imaging_report")
    created = created or max(s.study_date for s in studies)
    fs = FileSet()
    fs.UID = UID(uid_from("fileset", person.mrn, inst.name, created))
    fs.ID = "IMAGING_CD"
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "staging"
        for k, spec in enumerate(studies):
            study_uid = uid_from("study", person.mrn, spec.modality, spec.study_date, spec.seed)
            for s, modality in enumerate(spec.series_modalities()):
                paths = write_dicom_series(staging / f"{k}_{s}", person=person, study_uid=study_uid,
                                           modality=modality, n=spec.n,
                                           study_date=spec.study_date, description=spec.description,
                                           names="cd", seed=spec.seed, series_number=s + 1,
                                           series_description=_series_name(spec, s),
                                           institution=inst.name)
                for p in paths:
                    fs.add(p)
        built = Path(tmp) / "cd"
        fs.write(built)
        # pydicom lays files out as PT000000/ST.../SE.../IM... at the root; real CDs
        # usually keep them under DICOM/, so move them and rewrite the File IDs.
        for instance in fs:
            rel = Path(instance.FileID)
            dst = folder / "DICOM" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(instance.path, dst)
            instance.node._record.ReferencedFileID = ["DICOM", *rel.parts]
        meta = fs._ds.file_meta
        meta.ImplementationClassUID = UID(_IMPLEMENTATION_UID)
        meta.ImplementationVersionName = _IMPLEMENTATION_NAME
        with open(folder / "DICOMDIR", "wb") as fp:
            # Private, but it is pydicom's own encoder for the record offsets.
            fs._write_dicomdir(DicomFileLike(fp))
    (folder / "AUTORUN.INF").write_bytes(
        b"[autorun]\r\nopen=VIEWER\\IVIEWER.EXE\r\nicon=VIEWER\\IVIEWER.EXE,0\r\nlabel=PATIENT CD\r\n")
    (folder / "README.TXT").write_bytes(
        _CD_README.format(inst=inst.name, phone=inst.phone,
                          created=created.isoformat()).replace("\n", "\r\n").encode("ascii"))
    viewer = folder / "VIEWER"
    viewer.mkdir(exist_ok=True)
    # Stubs with the right magic numbers so "is this a program?" checks see one.
    (viewer / "IVIEWER.EXE").write_bytes(b"MZ\x90\x00" + b"\x00" * 60 + b"stub viewer, not a program\x00")
    (viewer / "DCMCORE.DLL").write_bytes(b"MZ\x90\x00" + b"\x00" * 60 + b"stub library\x00")
    (viewer / "VIEWER.INI").write_bytes(b"[Viewer]\r\nLanguage=EN\r\nStartPath=..\\DICOMDIR\r\n")
    return folder


# --------------------------------------------------------------------------- portal exports

_CCDA_TYPES = {
    # kind: (template id, LOINC code, display name)
    "patient_summary": ("2.16.840.1.113883.10.20.22.1.2", "34133-9",
                        "Summarization of Episode Note"),
    "clinical_note": ("2.16.840.1.113883.10.20.22.1.9", "11506-3", "Progress note"),
    "discharge_summary": ("2.16.840.1.113883.10.20.22.1.8", "18842-5", "Discharge summary"),
    "operative_report": ("2.16.840.1.113883.10.20.22.1.7", "11504-8", "Surgical operation note"),
    "imaging_report": ("2.16.840.1.113883.10.20.22.1.5", "18748-4", "Diagnostic imaging study"),
    "pathology_report": ("2.16.840.1.113883.10.20.22.1.1", "11526-1", "Pathology study"),
    "lab_result": ("2.16.840.1.113883.10.20.22.1.1", "11502-2", "Laboratory report"),
    "treatment_plan": ("2.16.840.1.113883.10.20.22.1.10", "18776-5", "Plan of care note"),
    "genomic_report": ("2.16.840.1.113883.10.20.22.1.1", "51969-4", "Genetic analysis report"),
}


def write_ccda(path: str | Path, *, kind: str = "patient_summary", person: Person, service_date: date,
               cancer: Cancer = "breast", institution: str = "Northbrook Regional Medical Center",
               seed: int = 0) -> Path:
    """Write a small C-CDA R2.1 document (a CCD for ``patient_summary``) with narrative sections.

    Other kinds use their C-CDA document template and LOINC code (progress note,
    discharge summary, operative note, imaging, pathology...) with the report
    text as one narrative section. Raises ``ValueError`` for a kind without one.
    """
    return _write(path, ccda_document(kind=kind, person=person, service_date=service_date,
                                    cancer=cancer, institution=institution, seed=seed))


def _write(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def ccda_document(*, kind: str = "patient_summary", person: Person, service_date: date,
                  cancer: Cancer = "breast", institution: str = "Northbrook Regional Medical Center",
                  seed: int = 0) -> bytes:
    """The bytes :func:`write_ccda` writes."""
    if kind not in _CCDA_TYPES:
        raise ValueError(f"no C-CDA document type for kind {kind!r}")
    template, code, display = _CCDA_TYPES[kind]
    p = _PROFILES[cancer]
    inst = _institution(institution, kind)
    doc_id = uid_from("ccda", person.mrn, kind, service_date, seed)
    ts = service_date.strftime("%Y%m%d") + "101500-0700"
    e = _xml_escape
    tests = lab_panel(cancer=cancer, seed=seed)[:5] + list(p.markers)

    def section(template_id: str, loinc: str, title: str, rows: Iterable[str]) -> str:
        items = "".join(f"<item>{e(r)}</item>" for r in rows)
        return (f'<component><section><templateId root="{template_id}" extension="2015-08-01"/>'
                f'<code code="{loinc}" codeSystem="2.16.840.1.113883.6.1"/>'
                f"<title>{e(title)}</title><text><list>{items}</list></text></section></component>\n")

    if kind == "patient_summary":
        sections = (
            section("2.16.840.1.113883.10.20.22.2.5.1", "11450-4", "Problems",
                    [f"{p.diagnosis} ({p.icd10})", "Essential hypertension (I10)"])
            + section("2.16.840.1.113883.10.20.22.2.1.1", "10160-0", "Medications",
                      [f"{m}: {i}" for m, i in p.meds])
            + section("2.16.840.1.113883.10.20.22.2.6.1", "48765-2", "Allergies",
                      ["Penicillins: hives"])
            + section("2.16.840.1.113883.10.20.22.2.3.1", "30954-2", "Results",
                      [f"{t.name}: {t.value} {t.units} (ref {t.ref_range}) {t.flag}".rstrip()
                       for t in tests])
            + section("2.16.840.1.113883.10.20.22.2.7.1", "47519-4", "Procedures",
                      [f"{p.biopsy} ({service_date.isoformat()})"]))
    else:
        body = report_text(kind=kind, person=person, service_date=service_date,
                           institution=institution, cancer=cancer, seed=seed).splitlines()
        sections = section("2.16.840.1.113883.10.20.22.2.65", "29299-5", display,
                           [line for line in body if line.strip()])
    given = f"<given>{e(person.given)}</given>" + (f"<given>{e(person.middle)}</given>"
                                                    if person.middle else "")
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<realmCode code="US"/>
<typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
<templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>
<templateId root="{template}" extension="2015-08-01"/>
<id root="{doc_id}"/>
<code code="{code}" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC" displayName="{e(display)}"/>
<title>{e(inst.name)}: {e(display)}</title>
<effectiveTime value="{ts}"/>
<confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
<languageCode code="en-US"/>
<recordTarget><patientRole>
<id extension="{e(person.mrn)}" root="{uid_from('mrn-root', inst.name)}"/>
<addr use="HP"><streetAddressLine>12 Invented Lane</streetAddressLine><city>Northbrook</city><state>OR</state><postalCode>97999</postalCode></addr>
<patient><name use="L">{given}<family>{e(person.family)}</family></name>
<administrativeGenderCode code="{person.sex}" codeSystem="2.16.840.1.113883.5.1"/>
<birthTime value="{person.birth_date.strftime('%Y%m%d')}"/></patient>
</patientRole></recordTarget>
<author><time value="{ts}"/><assignedAuthor><id root="{uid_from('author', inst.name)}"/>
<assignedPerson><name><given>Everett</given><family>Linwood</family><suffix>MD</suffix></name></assignedPerson>
</assignedAuthor></author>
<custodian><assignedCustodian><representedCustodianOrganization><id root="{uid_from('org', inst.name)}"/>
<name>{e(inst.name)}</name></representedCustodianOrganization></assignedCustodian></custodian>
<documentationOf><serviceEvent classCode="PCPR"><effectiveTime><low value="{(service_date - timedelta(days=120)).strftime('%Y%m%d')}"/><high value="{service_date.strftime('%Y%m%d')}"/></effectiveTime></serviceEvent></documentationOf>
<component><structuredBody>
{sections}</structuredBody></component>
</ClinicalDocument>
"""
    return xml.encode("utf-8")


def write_fhir_bundle(path: str | Path, *, person: Person, service_date: date,
                      cancer: Cancer = "breast", kind: str = "patient_summary",
                      seed: int = 0) -> Path:
    """Write a FHIR R4 Bundle (JSON) as a portal exports it.

    ``patient_summary``: a collection with Patient, Condition, MedicationStatements,
    AllergyIntolerance, lab Observations and a LAB DiagnosticReport.
    ``lab_result``: a searchset with the lab DiagnosticReport and its Observations.
    ``imaging_report``: a searchset with a RAD DiagnosticReport carrying its text.
    Raises ``ValueError`` for other kinds.
    """
    return _write(path, fhir_bundle(person=person, service_date=service_date, cancer=cancer,
                                    kind=kind, seed=seed))


def fhir_bundle(*, person: Person, service_date: date, cancer: Cancer = "breast",
                kind: str = "patient_summary", seed: int = 0) -> bytes:
    """The bytes :func:`write_fhir_bundle` writes."""
    p = _PROFILES[cancer]
    pid = "pt-" + hashlib.sha256(person.mrn.encode()).hexdigest()[:12]
    day = service_date.isoformat()
    entries: list[dict[str, object]] = []

    def add(resource: dict[str, object]) -> str:
        rid = f"{str(resource['resourceType']).lower()}-{len(entries)}"
        resource["id"] = rid
        entries.append({"fullUrl": f"urn:uuid:{uid_from('fhir', pid, rid, seed)[5:][:8]}-{rid}",
                        "resource": resource})
        return rid

    subject = {"reference": f"Patient/{pid}", "display": person.short}
    patient = {"resourceType": "Patient", "id": pid,
               "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                                    "code": "MR"}]}, "value": person.mrn}],
               "name": [{"use": "official", "family": person.family,
                         "given": [person.given] + ([person.middle] if person.middle else [])}],
               "gender": {"F": "female", "M": "male"}.get(person.sex, "unknown"),
               "birthDate": person.birth_date.isoformat()}
    entries.append({"fullUrl": f"urn:uuid:patient-{pid}", "resource": patient})
    obs_refs = []
    if kind in ("patient_summary", "lab_result"):
        if kind == "patient_summary":
            add({"resourceType": "Condition", "subject": subject, "clinicalStatus": {"coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
                 "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": p.icd10,
                                      "display": p.diagnosis}], "text": p.diagnosis},
                 "onsetDateTime": day})
            for med, how in p.meds:
                add({"resourceType": "MedicationStatement", "status": "active", "subject": subject,
                     "medicationCodeableConcept": {"text": med}, "dosage": [{"text": how}]})
            add({"resourceType": "AllergyIntolerance", "patient": subject,
                 "code": {"text": "Penicillins"}, "reaction": [{"manifestation": [{"text": "Hives"}]}]})
        for t in lab_panel(cancer=cancer, seed=seed):
            value: dict[str, object]
            try:
                value = {"valueQuantity": {"value": float(t.value), "unit": t.units}}
            except ValueError:
                value = {"valueString": t.value}
            rid = add({"resourceType": "Observation", "status": "final", "subject": subject,
                 "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                           "code": "laboratory"}]}],
                 "code": {"coding": [{"system": "http://loinc.org", "code": t.loinc, "display": t.name}],
                          "text": t.name},
                 "effectiveDateTime": f"{day}T08:14:00-07:00", **value,
                 "referenceRange": [{"text": t.ref_range}],
                 **({"interpretation": [{"coding": [{"code": t.flag}]}]} if t.flag else {})})
            obs_refs.append({"reference": f"Observation/{rid}"})
        add({"resourceType": "DiagnosticReport", "status": "final", "subject": subject,
             "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                       "code": "LAB"}]}],
             "code": {"coding": [{"system": "http://loinc.org", "code": "58410-2",
                                  "display": "CBC panel - Blood by Automated count"}]},
             "effectiveDateTime": f"{day}T08:14:00-07:00", "issued": f"{day}T13:02:00-07:00",
             "result": obs_refs})
    elif kind == "imaging_report":
        import base64

        text = report_text(kind="imaging_report", person=person, service_date=service_date,
                           cancer=cancer, seed=seed)
        add({"resourceType": "DiagnosticReport", "status": "final", "subject": subject,
             "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                       "code": "RAD"}]}],
             "code": {"coding": [{"system": "http://loinc.org", "code": "18748-4",
                                  "display": "Diagnostic imaging study"}], "text": p.exam},
             "effectiveDateTime": f"{day}T10:30:00-07:00",
             "conclusion": " ".join(p.impression),
             "presentedForm": [{"contentType": "text/plain",
                                "data": base64.b64encode(text.encode()).decode()}]})
    else:
        raise ValueError(f"no FHIR bundle shape for kind {kind!r}")
    bundle = {"resourceType": "Bundle", "id": uid_from("bundle", pid, kind, day)[5:25],
              "type": "collection" if kind == "patient_summary" else "searchset",
              "timestamp": f"{day}T12:00:00-07:00", "entry": entries}
    return json.dumps(bundle, indent=2).encode("utf-8") + b"\n"


def write_hl7_oru(path: str | Path, *, person: Person, tests: Sequence[LabTest] | None = None,
                  collected: date | None = None, bom: bool = False, lf: bool = True,
                  facility: str = "SUMMIT LAB", seed: int = 0) -> Path:
    """Write an HL7 v2.5.1 ORU^R01 lab message; ``lf`` separates segments with LF, else CR.

    ``tests`` defaults to :func:`lab_panel`; ``bom`` prefixes a UTF-8 byte order mark.
    """
    return _write(path, hl7_oru(person=person, tests=tests, collected=collected, bom=bom,
                                   lf=lf, facility=facility, seed=seed))


def hl7_oru(*, person: Person, tests: Sequence[LabTest] | None = None, collected: date | None = None,
            bom: bool = False, lf: bool = True, facility: str = "SUMMIT LAB", seed: int = 0) -> bytes:
    """The bytes :func:`write_hl7_oru` writes."""
    collected = collected or date(2026, 8, 28)
    tests = list(tests) if tests is not None else lab_panel(seed=seed)
    stamp = collected.strftime("%Y%m%d")
    control = f"MSG{int(hashlib.sha256(f'{person.mrn}{stamp}{seed}'.encode()).hexdigest()[:8], 16)}"
    segs = [
        f"MSH|^~\\&|LIS|{facility}|PORTAL|PATIENT|{stamp}1302||ORU^R01^ORU_R01|{control}|P|2.5.1",
        (f"PID|1||{person.mrn}^^^{facility.replace(' ', '')}^MR||{person.dicom}||"
         f"{person.birth_date.strftime('%Y%m%d')}|{person.sex}"),
        (f"OBR|1|ORD{seed:05d}|{control[3:]}|CBCD^CBC WITH DIFFERENTIAL AND CMP^L|||{stamp}0814|||||||"
         f"|1234^NANDAKUMAR^PRIYA^^^MD||||||{stamp}1302|||F"),
    ]
    for i, t in enumerate(tests, start=1):
        vt = "NM" if t.value.replace(".", "", 1).isdigit() else "ST"
        segs.append(f"OBX|{i}|{vt}|{t.loinc}^{t.name}^LN||{t.value}|{t.units}|{t.ref_range}|{t.flag}|||F|||"
                    f"{stamp}0814")
    text = ("\n" if lf else "\r").join(segs) + ("\n" if lf else "\r")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("ascii", errors="replace")


def portal_members(*, person: Person, service_date: date, cancer: Cancer = "breast",
                   seed: int = 0, prefix: str = "HealthSummary/") -> dict[str, bytes]:
    """The usual portal export: a C-CDA CCD, a FHIR bundle and an HL7 lab message, by member name."""
    return {
        f"{prefix}CCD.xml": ccda_document(kind="patient_summary", person=person,
                                        service_date=service_date, cancer=cancer,
                                        institution="Northbrook Regional Medical Center", seed=seed),
        f"{prefix}fhir_bundle.json": fhir_bundle(person=person, service_date=service_date,
                                                 cancer=cancer, kind="patient_summary", seed=seed),
        f"{prefix}lab_results.hl7": hl7_oru(person=person, tests=lab_panel(cancer=cancer, seed=seed),
                                               collected=service_date, bom=False, lf=True,
                                               facility="SUMMIT LAB", seed=seed),
    }


def write_portal_zip(path: str | Path, members: Mapping[str, bytes],
                     timestamp: tuple[int, int, int, int, int, int] = (2026, 9, 2, 10, 24, 0),
                     compress: bool = True) -> Path:
    """Write a ZIP of ``members`` (in the given order) with fixed timestamps and attributes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.create_system = 3  # the host OS would otherwise leak into the bytes
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=6 if compress else None)
    return path


# --------------------------------------------------------------------------- whole folders

def _spec(modality: str, description: str, *, n: int, seed: int,
          modalities: tuple[str, ...] = ()) -> StudySpec:
    # The date is set per folder from ``today``.
    return StudySpec(modality, description, _EPOCH.date(), n=n, seed=seed, modalities=modalities)


#: Each cancer's imaging CD: (days before ``today``, study).
_FOLDER_IMAGING: dict[str, tuple[tuple[int, StudySpec], ...]] = {
    "breast": ((101, _spec("MG", "MAMMO DIAG BILAT W TOMO", n=4, seed=1)),
               (101, _spec("MR", "MRI BREAST BILAT W WO CONTRAST", n=4, seed=2))),
    "lung": ((101, _spec("CT", "CT CHEST W CONTRAST", n=6, seed=1)),
             (92, _spec("PT", "PET CT SKULL BASE TO MID THIGH FDG", n=5, seed=2,
                        modalities=("PT", "CT"))),
             (90, _spec("MR", "MRI BRAIN W WO CONTRAST", n=4, seed=3))),
    "prostate": ((101, _spec("MR", "MRI PROSTATE MULTIPARAMETRIC", n=5, seed=1)),),
    "colorectal": ((92, _spec("CT", "CT CHEST ABDOMEN PELVIS W CONTRAST", n=6, seed=1)),),
    # A PET-CT is one study holding both the PET and the low-dose CT series.
    "lymphoma": ((92, _spec("PT", "PET CT SKULL BASE TO THIGH FDG", n=5, seed=1,
                            modalities=("PT", "CT"))),),
}

#: Days before ``today`` of the usual reports, where a cancer's story differs from the default.
_FOLDER_DAYS: dict[str, dict[str, int]] = {
    # Lung: EBUS staging of the node the PET-CT showed. Lymphoma: the diagnostic node
    # excision, same day as its pathology. A stay is admitted 2 days before discharge,
    # on the day of the procedure.
    "lung": {"operative_report": 88, "discharge_summary": 86},
    "colorectal": {"imaging_report": 92},
    "lymphoma": {"imaging_report": 92, "operative_report": 98, "discharge_summary": 96},
}


@dataclass(frozen=True)
class _FolderDocument:
    """A report a cancer's folder holds beyond one of each kind."""

    name: str
    kind: str
    days: int  # before ``today``
    layout: int
    content: _CancerProfile
    institution: str | None = None


def _folder_documents(cancer: Cancer, person: Person) -> tuple[_FolderDocument, ...]:
    """The further reports a real patient with ``cancer`` would have (PET-CT, bone marrow...)."""
    p = _PROFILES[cancer]
    radiology = "Northbrook Regional Medical Center"
    if cancer == "lung":
        pet = replace(
            p, exam="PET/CT SKULL BASE TO MID-THIGH (FDG)", modality="PT",
            technique=("F-18 FDG 11.4 mCi IV after a 6-hour fast (glucose 98 mg/dL), uptake 60 "
                       "minutes; low-dose CT for attenuation correction and localization."),
            findings=("Right upper lobe spiculated mass, 2.6 cm, SUV max 11.2.",
                      "Right lower paratracheal (station 4R) node, 1.3 cm, SUV max 6.8.",
                      "No FDG-avid contralateral mediastinal, hilar or supraclavicular nodes.",
                      "Liver, adrenal glands and skeleton: no abnormal FDG uptake."),
            impression=("1. FDG-avid right upper lobe primary lung malignancy, SUV max 11.2.",
                        "2. FDG-avid station 4R node, suspicious for N2 disease (cT1cN2M0, IIIA).",
                        "3. No FDG-avid distant metastasis."))
        brain = replace(
            p, exam="MRI BRAIN WITHOUT AND WITH CONTRAST", modality="MR",
            technique=("Sagittal T1, axial T2, FLAIR, DWI and SWI, then 3D T1 after 7 mL "
                       "gadobutrol IV."),
            findings=("No enhancing intracranial lesion. No acute infarct, hemorrhage or mass effect.",
                      "Ventricles and sulci normal for age. Mild periventricular white matter change."),
            impression=("1. No evidence of intracranial metastatic disease.",))
        return (_FolderDocument("pet_ct_report.pdf", "imaging_report", 92, 2, pet, radiology),
                _FolderDocument("brain_mri_report.pdf", "imaging_report", 90, 0, brain, radiology))
    if cancer == "colorectal":
        colonoscopy = replace(
            p, heading="ENDOSCOPY PROCEDURE REPORT",
            diagnosis="Positive fecal immunochemical test; iron deficiency anemia; rectal bleeding",
            postop=("Partially obstructing sigmoid colon mass at 25 cm from the anal verge, "
                    "biopsied and tattooed, suspicious for malignancy. Small internal hemorrhoids."),
            operation="COLONOSCOPY to the cecum with cold forceps biopsy and submucosal tattoo",
            anesthesia="Monitored anesthesia care with propofol, administered by anesthesia.",
            blood_loss="Minimal.",
            op_description=(
                "After informed consent the patient was placed in the left lateral position.",
                "Digital rectal examination was normal. The adult colonoscope was advanced to the",
                "cecum, identified by the appendiceal orifice and ileocecal valve. Bowel preparation",
                "was good (Boston Bowel Preparation Scale 8). Withdrawal time 11 minutes.",
                "At 25 cm from the anal verge a fungating, ulcerated mass involving two thirds of",
                "the circumference was found; the scope passed it with mild resistance. Six cold",
                "forceps biopsies were taken and the site was tattooed 3 cm distal to the mass.",
                "No other polyps. Retroflexion in the rectum showed small internal hemorrhoids.",
                "RECOMMENDATIONS: await pathology; CT chest, abdomen and pelvis; CEA; surgical",
                "referral."))
        return (_FolderDocument("colonoscopy_report.pdf", "operative_report", 98, 0, colonoscopy),)
    if cancer == "lymphoma":
        marrow = replace(
            p, heading="HEMATOPATHOLOGY REPORT - BONE MARROW",
            biopsy="Bone marrow aspirate and core biopsy, right posterior iliac crest (staging)",
            specimen=("A. Bone marrow aspirate smears and clot section; B. Bone marrow core biopsy, "
                      "right posterior iliac crest; C. Peripheral blood smear"),
            final=("A-C. BONE MARROW, RIGHT POSTERIOR ILIAC CREST, ASPIRATE AND CORE BIOPSY:",
                   "- NO MORPHOLOGIC OR IMMUNOPHENOTYPIC EVIDENCE OF LYMPHOMA IN THE BONE MARROW.",
                   "- Normocellular marrow for age (40% cellularity) with trilineage hematopoiesis.",
                   "- Adequate storage iron. Peripheral blood: mild normocytic anemia."),
            gross=("A. Eight aspirate smears, one touch preparation and a clot in formalin.",
                   "B. A tan-red core of bone, 1.8 cm long; decalcified and entirely submitted."),
            micro=("Aspirate differential (500 cells): blasts 1%, promyelocytes 2%, myelocytes 10%,",
                   "metamyelocytes 9%, bands and neutrophils 38%, eosinophils 3%, lymphocytes 12%,",
                   "plasma cells 2%, erythroid precursors 23%. M:E ratio 2.7:1.",
                   "Core: no lymphoid aggregates; CD20 and CD3 stain scattered small B and T cells."),
            ancillary=("Flow cytometry of the aspirate (CD19, CD20, CD10, kappa, lambda): no",
                       "monoclonal B-cell population. Reticulin stain: no increased fibrosis (MF-0)."))
        flow = replace(
            p, heading="FLOW CYTOMETRY IMMUNOPHENOTYPING REPORT",
            biopsy="Flow cytometry of fresh tissue from the left cervical lymph node excision",
            specimen="A. Lymph node, left neck level III, fresh tissue in RPMI",
            final=("A. LYMPH NODE, LEFT NECK, FLOW CYTOMETRY:",
                   "- KAPPA LIGHT CHAIN RESTRICTED B-CELL POPULATION, 45% of events, CD19+,",
                   "  CD20+ (bright), CD10-, CD5-, CD38+, with increased forward scatter (large cells).",
                   "- Consistent with involvement by B-cell lymphoma; see surgical pathology report."),
            gross=("Fresh tissue 0.8 x 0.5 x 0.4 cm, mechanically disaggregated; viability 88%.",),
            micro=("Cytospin: many large atypical lymphoid cells with vesicular chromatin.",),
            ancillary=("10-color panel: CD3, CD4, CD5, CD7, CD8, CD10, CD19, CD20, CD23, CD38, CD45,",
                       "CD56, CD200, FMC7, kappa, lambda. T cells without aberrant antigen loss."))
        sex_chromosomes = "XX" if person.sex == "F" else "XY"
        cytogenetics = replace(
            p, heading="CYTOGENOMICS REPORT: KARYOTYPE AND FISH",
            genomic_test="Karyotype and lymphoma FISH panel (MYC, BCL2, BCL6 break-apart)",
            genomic=(f"KARYOTYPE: 47,{sex_chromosomes},+7,t(3;14)(q27;q32)[12]/46,{sex_chromosomes}[8]",
                     "FISH MYC (8q24) break-apart: no rearrangement (3% split signals; cutoff 5%).",
                     "FISH BCL2 (18q21) break-apart: no rearrangement.",
                     "FISH BCL6 (3q27) break-apart: REARRANGED in 62% of nuclei.",
                     "Interpretation: BCL6 rearrangement without MYC rearrangement; not a",
                     "double-hit (MYC and BCL2) lymphoma."),
            methodology=("G-banded chromosome analysis of 20 metaphases from a 24-hour culture;",
                         "interphase FISH on the tumor block, 200 nuclei scored per probe.",
                         "Results are described in ISCN 2020 nomenclature. These tests do not detect",
                         "point mutations or small copy number changes; genomic sequencing is",
                         "needed for those (see the separate NGS report)."))
        return (_FolderDocument("flow_cytometry_report.pdf", "pathology_report", 98, 1, flow),
                _FolderDocument("bone_marrow_report.pdf", "pathology_report", 88, 2, marrow),
                _FolderDocument("cytogenetics_report.pdf", "genomic_report", 95, 1, cytogenetics))
    return ()


def make_patient_folder(root: str | Path, *, person: Person, cancer: Cancer, complete: bool = True,
                        seed: int = 0, today: date = date(2026, 11, 20)) -> Path:
    """Write a tidy, complete records folder for one patient with ``cancer``; returns ``root``.

    Holds one PDF per kind (pathology report with the cancer's markers, imaging
    report, labs, genomic report, operative report, treatment plan, medication
    list, discharge summary, clinic note, prior authorization), the imaging
    studies as an imaging CD (``imaging_cd/``, DICOMDIR) and a portal ZIP with a
    C-CDA CCD, a FHIR bundle and an HL7 lab message, plus what that cancer's
    second opinion asks for besides: lung, a PET-CT (one study, PET and CT
    series) and brain MRI with their reports; colorectal, the colonoscopy
    report; lymphoma, a PET-CT, bone marrow biopsy, flow cytometry and
    cytogenetics/FISH reports. Each built-in manifest finds everything it
    requires. Dates fall in the 15 weeks before ``today``; labs and the clinic
    note in the last three weeks.
    ``complete=False`` leaves out the pathology reports (for most cancers the one
    ``pathology_report.pdf``; for lymphoma also the bone marrow and flow cytometry
    reports) and nothing else.
    """
    if cancer not in _PROFILES:
        raise ValueError(f"unknown cancer {cancer!r}; expected one of {', '.join(CANCERS)}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)

    def t(days: int) -> date:
        return today - timedelta(days=days)

    days = {"pathology_report": 98, "imaging_report": 101, "genomic_report": 90,
            "operative_report": 60, "discharge_summary": 58, "treatment_plan": 21,
            "lab_result": 16, "clinical_note": 8, "medication_list": 8, "administrative": 12}
    days.update(_FOLDER_DAYS.get(cancer, {}))
    plan = [
        ("pathology_report", "pathology_report.pdf", 0),
        ("imaging_report", "imaging_report.pdf", 1),
        ("genomic_report", "genomic_report.pdf", 2),
        ("operative_report", "operative_report.pdf", 1),
        ("discharge_summary", "discharge_summary.pdf", 1),
        ("treatment_plan", "treatment_plan.pdf", 2),
        ("lab_result", "labs.pdf", 2),
        ("clinical_note", "clinic_note.pdf", 0),
        ("medication_list", "medications.pdf", 2),
        ("administrative", "prior_authorization.pdf", 1),
    ]
    # Only a breast imaging centre writes breast reports; the rest come from the hospital.
    radiology = None if cancer == "breast" else "Northbrook Regional Medical Center"
    for kind, name, layout in plan:
        if kind == "pathology_report" and not complete:
            continue
        write_pdf(root / name, kind=kind, person=person, service_date=t(days[kind]), layout=layout,
                  cancer=cancer, seed=seed, institution=radiology if kind == "imaging_report" else None)
    for doc in _folder_documents(cancer, person):
        if doc.kind == "pathology_report" and not complete:
            continue
        inst = _institution(doc.institution, doc.kind)
        report = _build(doc.kind, person, t(doc.days), inst, doc.layout, cancer, seed,
                        profile=doc.content)
        _render_pdf(root / doc.name, report, kind=doc.kind, person=person,
                    service_date=t(doc.days), inst=inst, layout=doc.layout, seed=seed)
    studies = tuple(replace(s, study_date=t(ago), seed=s.seed + seed)
                    for ago, s in _FOLDER_IMAGING[cancer])
    write_dicom_cd(root / "imaging_cd", person=person, studies=studies,
                   institution="Northbrook Regional Medical Center")
    write_portal_zip(root / "portal_download.zip",
                     portal_members(person=person, service_date=t(30), cancer=cancer, seed=seed))
    return root
