"""Text -> kind, title, date and patient, with the evidence for each decision.

Classification is table driven: :data:`RULES` lists ``(kind, where, weight,
phrase)`` rows. A *heading* counts in full when it is the document's own title
(a short line near the top) and only a little when the body merely mentions it;
a *section* counts when it starts a line; a *term* counts anywhere. The kind
with the highest score wins; weak text falls back to a file-name hint or
``other``. Everything is precompiled at import: classifying is a few hundred
regular-expression searches over at most :data:`MAX_CLASSIFY_CHARS` characters.

Real records are messy, scanned PDFs carry noisy OCR layers: matching is
case-insensitive, tolerant of runs of whitespace and of common OCR confusions
(``O/0``, ``I/1/l``), and confidence is lowered when the text looks like OCR
noise.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from recordpack.model import Patient

#: Only the beginning of a long document is classified; titles, headers and
#: the key sections of a record are at its start.
MAX_CLASSIFY_CHARS: Final = 100_000
#: Patient details are looked for near the top (the first pages).
MAX_PATIENT_CHARS: Final = 30_000
#: Below this score the text says too little to name a kind.
MIN_SCORE: Final = 3.0
#: Title area: the first non-empty lines of the document.
TITLE_LINES: Final = 15
TITLE_CHARS: Final = 2_000
#: Extra score for the kind named by the document's own title.
TITLE_BONUS: Final = 5.0
#: A title heading at least this strong damps every other kind's score by
#: OTHER_KINDS_FACTOR: what a document calls itself beats what it quotes.
STRONG_TITLE: Final = 7.0
OTHER_KINDS_FACTOR: Final = 0.6
#: Weight factor for a heading phrase that appears in the body only.
MENTION_FACTOR: Final = 0.35
#: Weight factor for a section phrase that does not start a line.
INLINE_SECTION_FACTOR: Final = 0.3

#: Default titles, when the document's own heading gives none.
DEFAULT_TITLES: Final[dict[str, str]] = {
    "pathology_report": "Pathology report",
    "imaging_study": "Imaging study",
    "imaging_report": "Imaging report",
    "lab_result": "Lab results",
    "genomic_report": "Genomic test report",
    "clinical_note": "Clinic note",
    "operative_report": "Operative report",
    "treatment_plan": "Treatment plan",
    "medication_list": "Medication list",
    "discharge_summary": "Discharge summary",
    "patient_summary": "Patient summary",
    "administrative": "Administrative document",
    "other": "Document",
}


@dataclass(frozen=True)
class Classification:
    """What a document's text says it is."""

    kind: str
    title: str
    date: str | None
    patient: Patient
    confidence: float
    evidence: tuple[str, ...]
    #: How the text itself says its numeric dates are written: ``"day_first"``
    #: or ``"month_first"`` when its own unambiguous dates or its origin decide
    #: (:func:`date_order`), None when nothing does (then read month first).
    date_order: str | None = None
    #: True when ``date`` was written so that both orders are valid dates
    #: (03/04/2025): a folder of day-first documents may re-read it.
    date_ambiguous: bool = False


# --------------------------------------------------------------------------
# Rule table
# --------------------------------------------------------------------------

# OCR commonly confuses these; a phrase letter matches any of its look-alikes.
_OCR_CLASSES: Final[dict[str, str]] = {
    "o": "[o0]",
    "i": "[i1l|!]",
    "l": "[l1i|]",
    "s": "[s5$]",
}


def fuzzy(phrase: str) -> str:
    """A regex for ``phrase`` tolerant of case, spacing and OCR look-alikes.

    Spaces match any run of whitespace, ``-`` is optional, ``/`` and ``&``
    may be spaced (``&`` also matches "and"), ``.`` is optional.
    """
    out: list[str] = []
    for ch in phrase:
        low = ch.lower()
        if low in _OCR_CLASSES:
            out.append(_OCR_CLASSES[low])
        elif ch == " ":
            out.append(r"\s+")
        elif ch == "-":
            out.append(r"[-\s]?")
        elif ch == "/":
            out.append(r"\s*/\s*")
        elif ch == "&":
            out.append(r"\s*(?:&|and)\s*")
        elif ch == ".":
            out.append(r"\.?")
        else:
            out.append(re.escape(ch))
    body = "".join(out)
    start = r"\b" if phrase[:1].isalnum() else ""
    end = r"\b" if phrase[-1:].isalnum() else ""
    return f"{start}{body}{end}"


@dataclass(frozen=True)
class Rule:
    """One row of the classification table.

    ``where`` is ``heading`` (a document title), ``section`` (a section label
    starting a line) or ``term`` (anywhere). ``pattern`` is a plain phrase
    made fuzzy by :func:`fuzzy` unless ``raw``; raw patterns are
    case-insensitive unless ``case``. A term counts up to ``hits`` times.
    """

    kind: str
    where: str
    weight: float
    pattern: str
    title: str | None = None
    raw: bool = False
    case: bool = False
    hits: int = 1


def _r(
    kind: str,
    where: str,
    weight: float,
    pattern: str,
    title: str | None = None,
    *,
    raw: bool = False,
    case: bool = False,
    hits: int = 1,
) -> Rule:
    return Rule(kind, where, weight, pattern, title, raw, case, hits)


P, IR, LAB, GEN = "pathology_report", "imaging_report", "lab_result", "genomic_report"
NOTE, OP, TX, MED = "clinical_note", "operative_report", "treatment_plan", "medication_list"
DS, SUM, ADM, OTH = "discharge_summary", "patient_summary", "administrative", "other"

_CHEMO_DRUGS = (
    "carboplatin|cisplatin|oxaliplatin|paclitaxel|docetaxel|nab-paclitaxel|doxorubicin|"
    "epirubicin|cyclophosphamide|fluorouracil|5-FU|capecitabine|gemcitabine|pemetrexed|"
    "irinotecan|leucovorin|trastuzumab|pertuzumab|pembrolizumab|nivolumab|atezolizumab|"
    "durvalumab|ipilimumab|bevacizumab|cetuximab|panitumumab|rituximab|etoposide|"
    "vincristine|vinorelbine|eribulin|olaparib|osimertinib|temozolomide|sacituzumab|"
    "enfortumab|carfilzomib|bortezomib|lenalidomide|daratumumab"
)
_GENES = (
    "EGFR|ALK|ROS1|KRAS|NRAS|HRAS|BRAF|BRCA1|BRCA2|PIK3CA|TP53|ERBB2|MET|RET|NTRK[123]?|"
    "IDH1|IDH2|PALB2|ATM|CHEK2|MLH1|MSH2|MSH6|PMS2|EPCAM|APC|PTEN|CDH1|STK11|ESR1|"
    "FGFR[1-4]|KIT|PDGFRA|CDKN2A|ARID1A|SMAD4|NF1|RB1|AKT1|MYC|MYCN|JAK2|FLT3|NPM1|KMT2A"
)
_UNITS = r"mg/dL|g/dL|mmol/L|mEq/L|U/L|IU/L|ng/mL|pg/mL|[uµμ]g/[dm]?L|x?\s?10\^?[0-9]+/[uµμ]?L|K/[uµμ]L|M/[uµμ]L|fL|cells/[uµμ]L|mL/min(?:/1\.73\s?m2)?|mg/L|g/L|mIU/mL"

#: The classification table: (kind, where, weight, pattern, title).
RULES: Final[tuple[Rule, ...]] = (
    # ---- pathology ---------------------------------------------------------
    _r(P, "heading", 9, "surgical pathology report", "Surgical pathology report"),
    _r(P, "heading", 8, "surgical pathology", "Surgical pathology report"),
    _r(P, "heading", 8, "pathology report", "Pathology report"),
    _r(P, "heading", 8, "final pathology report", "Pathology report"),
    _r(P, "heading", 7, "pathology consultation", "Pathology consultation"),
    _r(P, "heading", 7, "anatomic pathology", "Pathology report"),
    _r(P, "heading", 7, "dermatopathology", "Dermatopathology report"),
    _r(P, "heading", 7, "cytology report", "Cytology report"),
    _r(P, "heading", 7, "cytopathology", "Cytopathology report"),
    _r(P, "heading", 6, "non-gynecologic cytology", "Cytology report"),
    _r(P, "heading", 6, "gynecologic cytology", "Cytology report"),
    _r(P, "heading", 7, "hematopathology", "Hematopathology report"),
    _r(
        P,
        "heading",
        7,
        r"bone\s+marrow\s+(?:biopsy|aspirat\w*|report|examination|pathology)",
        "Bone marrow report",
        raw=True,
    ),
    _r(P, "heading", 6, "flow cytometry", "Flow cytometry report"),
    _r(P, "heading", 5, "immunohistochemistry report", "Immunohistochemistry report"),
    _r(P, "heading", 5, "biopsy report", "Biopsy report"),
    _r(P, "section", 7, "final diagnosis"),
    _r(P, "section", 7, "final pathologic diagnosis"),
    _r(P, "section", 6, "pathologic diagnosis"),
    _r(P, "section", 6, "pathology diagnosis"),
    _r(P, "section", 3, "diagnosis"),
    _r(P, "section", 7, "gross description"),
    _r(P, "section", 7, "gross examination"),
    _r(P, "section", 3, "gross"),
    _r(P, "section", 6, "microscopic description"),
    _r(P, "section", 6, "microscopic examination"),
    _r(P, "section", 4, "microscopic"),
    _r(P, "section", 5, "tissue description"),
    _r(P, "section", 5, r"specimens?\s+(?:submitted|received|source)", raw=True),
    _r(P, "section", 2, "specimen"),
    _r(P, "section", 2, "specimens"),
    _r(P, "section", 5, "synoptic report"),
    _r(P, "section", 5, "frozen section diagnosis"),
    _r(P, "section", 4, "intraoperative consultation"),
    _r(P, "section", 5, "block summary"),
    _r(P, "section", 3, "section code"),
    _r(P, "section", 3, "immunohistochemistry"),
    _r(P, "section", 3, "ancillary studies"),
    _r(P, "term", 2, "accession"),
    _r(P, "term", 3, r"\bgleason\s+(?:score|grade|pattern)", raw=True),
    _r(P, "term", 3, "nottingham"),
    _r(P, "term", 3, r"\bhistologic(?:al)?\s+(?:sub)?(?:type|grade)", raw=True),
    _r(
        P,
        "term",
        3,
        r"\bmargins?\b[^.\n]{0,40}\b(?:free|negative|positive|involved|uninvolved|clear)\b",
        raw=True,
    ),
    _r(P, "term", 3, "surgical margin"),
    _r(P, "term", 3, "lymphovascular invasion"),
    _r(P, "term", 3, "perineural invasion"),
    _r(
        P,
        "term",
        2,
        r"\blymph\s+nodes?\b[^.\n]{0,40}\b(?:examined|involved|negative|positive)\b",
        raw=True,
    ),
    _r(P, "term", 2, "negative for malignancy"),
    _r(
        P,
        "term",
        2.5,
        r"\b[yr]?p[T][0-4xX](?:is|[abc])?\s*\(?[mM]?\)?\s*p?N[0-3xX]",
        raw=True,
        case=True,
    ),
    _r(P, "term", 1.5, "AJCC"),
    _r(P, "term", 1.5, "tumor size"),
    _r(P, "term", 2, "estrogen receptor"),
    _r(P, "term", 2, "progesterone receptor"),
    _r(P, "term", 1.5, r"\bKi[-\s]?67\b", raw=True),
    _r(P, "term", 2, r"\bimmunohistochemi", raw=True),
    _r(
        P,
        "term",
        1,
        r"\b\w*(?:carcinomas?|sarcomas?|lymphomas?|melanomas?|blastomas?)\b|\bneoplasm\b",
        raw=True,
    ),
    _r(P, "term", 2.5, r"\bpatholog(?:ist|y)\b", raw=True),
    _r(P, "term", 2, "signed out"),
    _r(P, "term", 1.5, "snomed"),
    _r(P, "term", 3, "formalin"),
    _r(P, "term", 2, "paraffin"),
    _r(P, "term", 2, r"\bH\s?&\s?E\b", raw=True, case=True),
    _r(P, "term", 4, r"\breceived\s+(?:fresh|in\s+formalin|in\s+saline)", raw=True),
    _r(P, "term", 3, "frozen section"),
    _r(
        P,
        "term",
        2,
        r"\b(?:tan|gray|grey|pink|white|yellow)[-\s](?:tan|white|pink|gray|grey|brown|yellow)\b",
        raw=True,
    ),
    _r(P, "term", 2, "greatest dimension"),
    _r(P, "term", 2, "College of American Pathologists"),
    _r(P, "term", 2, r"\b(?:fuhrman|WHO)\s+(?:nuclear\s+)?grade", raw=True),
    _r(P, "term", 1.5, r"\bmito(?:tic|ses)\b", raw=True),
    _r(P, "term", 1, "dysplasia"),
    _r(P, "term", 1, "biopsy"),
    _r(P, "term", 1, "resection"),
    _r(P, "term", 1, "in situ"),
    # ---- imaging report ----------------------------------------------------
    _r(IR, "heading", 9, "radiology report", "Radiology report"),
    _r(IR, "heading", 8, "imaging report", "Imaging report"),
    _r(IR, "heading", 6, "diagnostic imaging", "Imaging report"),
    _r(IR, "heading", 6, "diagnostic radiology", "Radiology report"),
    _r(
        IR,
        "heading",
        8,
        r"\b(?:CT|MRI?|PET(?:\s*[/-]\s*CT)?|X-?RAY|ultrasound|sonograph\w*|mammogra\w+|bone\s+scan|"
        r"nuclear\s+medicine|DEXA|echocardiogra\w+)\b[\w ,/()-]{0,40}\breport\b",
        "Imaging report",
        raw=True,
    ),
    _r(IR, "heading", 5, "breast imaging", "Breast imaging report"),
    _r(IR, "heading", 5, "nuclear medicine", "Nuclear medicine report"),
    _r(IR, "heading", 3, "radiology", "Radiology report"),
    _r(IR, "section", 4, r"exam(?:ination)?(?:\s+(?:type|performed|description))?", raw=True),
    _r(IR, "section", 4, "technique"),
    _r(IR, "section", 3, "findings"),
    _r(IR, "section", 3, "impression"),
    _r(IR, "section", 4, "comparison"),
    _r(IR, "section", 2, r"(?:clinical\s+)?indications?", raw=True),
    _r(IR, "section", 2, "clinical information"),
    _r(IR, "term", 6, r"\bBI-?RADS\b", raw=True),
    _r(IR, "term", 5, r"\b(?:LUNG|LI|PI|TI|O)-?RADS\b", raw=True),
    _r(IR, "term", 4, r"\bSUV\s?(?:max|peak|mean)?\b", raw=True),
    _r(IR, "term", 3, "hypermetabolic"),
    _r(IR, "term", 2.5, r"\bFDG\b", raw=True),
    _r(IR, "term", 2, r"\b(?:with|without|and)\s+(?:IV\s+|intravenous\s+)?contrast\b", raw=True),
    _r(IR, "term", 2, r"\b(?:axial|coronal|sagittal)\b", raw=True),
    _r(IR, "term", 3, r"\bradiologist\b", raw=True),
    _r(IR, "term", 2, r"\bHounsfield\b|\b-?\d+\s?HU\b", raw=True),
    _r(IR, "term", 2, r"\bmCi\b", raw=True, case=True),
    _r(IR, "term", 2, r"\bimages?\s+(?:were\s+)?(?:obtained|acquired|reviewed)", raw=True),
    _r(IR, "term", 2, "slice thickness"),
    _r(IR, "term", 2, "RECIST"),
    _r(
        IR,
        "term",
        1.5,
        r"\b\d+(?:\.\d+)?\s*(?:x\s*\d+(?:\.\d+)?\s*)*(?:cm|mm)\s+(?:\w+\s+)?(?:nodule|mass|lesion|lymph)",
        raw=True,
    ),
    _r(IR, "term", 1, r"\bno\s+acute\b", raw=True),
    # ---- lab result --------------------------------------------------------
    _r(LAB, "heading", 9, "laboratory report", "Laboratory report"),
    _r(LAB, "heading", 8, r"\blab(?:oratory)?\s+(?:test\s+)?results?\b", "Lab results", raw=True),
    _r(LAB, "heading", 6, "cumulative report", "Lab results"),
    _r(LAB, "heading", 5, "complete blood count", "Complete blood count"),
    _r(LAB, "heading", 5, "comprehensive metabolic panel", "Comprehensive metabolic panel"),
    _r(LAB, "heading", 5, "basic metabolic panel", "Basic metabolic panel"),
    _r(LAB, "heading", 5, "urinalysis", "Urinalysis"),
    _r(LAB, "heading", 5, r"\btumou?r\s+markers?\b", "Tumor markers", raw=True),
    _r(LAB, "heading", 4, "hematology", "Hematology results"),
    _r(LAB, "heading", 4, "chemistry", "Chemistry results"),
    _r(LAB, "heading", 4, "test results", "Test results"),
    _r(LAB, "term", 5, r"\b(?:reference|ref\.?|normal)\s*(?:range|interval|values?)\b", raw=True),
    _r(LAB, "section", 1.5, "units"),
    _r(LAB, "section", 1, "flag"),
    _r(LAB, "term", 0.7, rf"\b\d+(?:\.\d+)?\s*(?:{_UNITS})(?![A-Za-z])", raw=True, hits=8),
    _r(
        LAB,
        "term",
        0.4,
        r"\b(?:hemoglobin|hematocrit|platelets?|WBC|RBC|MCV|creatinine|BUN|glucose|sodium|"
        r"potassium|chloride|ALT|AST|bilirubin|albumin|alkaline\s+phosphatase|eGFR|calcium|"
        r"neutrophils?|lymphocytes?|INR)\b",
        raw=True,
        hits=8,
    ),
    _r(
        LAB,
        "term",
        0.8,
        r"\b(?:CEA|CA\s?19-9|CA[-\s]?125|CA\s?15-3|CA\s?27[.-]29|PSA|AFP|LDH|beta-?hCG)\b",
        raw=True,
        case=True,
        hits=4,
    ),
    _r(LAB, "term", 3, "LOINC"),
    _r(LAB, "term", 2, r"\bresulted\b", raw=True),
    _r(LAB, "term", 3, r"\bperforming\s+(?:lab|laboratory|site)\b", raw=True),
    _r(LAB, "term", 1, "specimen type"),
    _r(LAB, "term", 1, "fasting"),
    # ---- genomic report ----------------------------------------------------
    _r(
        GEN,
        "heading",
        9,
        r"\bgenomic\s+(?:profiling\s+|testing\s+|test\s+)?report\b",
        "Genomic test report",
        raw=True,
    ),
    _r(GEN, "heading", 8, "comprehensive genomic profiling", "Genomic profiling report"),
    _r(
        GEN,
        "heading",
        7,
        r"\bmolecular\s+(?:pathology|diagnostics?|profiling|genetics?|oncology)?\s*"
        r"(?:test\s+)?report\b",
        "Molecular test report",
        raw=True,
    ),
    _r(
        GEN,
        "heading",
        8,
        r"\bgenetic\s+test(?:ing)?\s+(?:report|results?)\b",
        "Genetic test report",
        raw=True,
    ),
    _r(GEN, "heading", 6, "next-generation sequencing", "Genomic test report"),
    _r(GEN, "heading", 8, r"\bfoundation\s?one\b", "FoundationOne report", raw=True),
    _r(GEN, "heading", 8, r"\bguardant\s?360\b", "Guardant360 report", raw=True),
    _r(GEN, "heading", 8, r"\boncotype\s?dx\b", "Oncotype DX report", raw=True),
    _r(GEN, "heading", 7, "mammaprint", "MammaPrint report"),
    _r(GEN, "heading", 6, "prosigna", "Prosigna report"),
    _r(GEN, "heading", 6, r"\bhereditary\s+cancer\b", "Hereditary cancer test report", raw=True),
    _r(
        GEN,
        "heading",
        5,
        r"\btumou?r\s+(?:molecular\s+)?profil\w*",
        "Tumor profiling report",
        raw=True,
    ),
    _r(GEN, "heading", 4, "liquid biopsy", "Liquid biopsy report"),
    _r(
        GEN,
        "term",
        5,
        r"\bvariant\s+allele\s+(?:frequency|fraction)|\bVAF\b|\ballele\s+fraction\b",
        raw=True,
    ),
    _r(GEN, "term", 3.5, r"\bNGS\b", raw=True, case=True),
    _r(GEN, "term", 4, r"\btumou?r\s+mutation(?:al)?\s+burden\b|\bTMB\b", raw=True),
    _r(GEN, "term", 3, r"\bmicrosatellite\s+(?:instability|stable)|\bMSI-H\b|\bMSS\b", raw=True),
    _r(
        GEN,
        "term",
        4,
        r"\b(?:likely\s+)?pathogenic\s+variants?\b|\bvariants?\s+of\s+(?:uncertain|unknown)\s+"
        r"significance\b|\bVUS\b",
        raw=True,
    ),
    _r(GEN, "term", 4, r"\bgermline\b", raw=True),
    _r(GEN, "term", 2.5, r"\bcopy\s+number\b", raw=True),
    _r(GEN, "term", 1.5, r"\b(?:fusion|rearrangement|amplification)s?\b", raw=True),
    _r(
        GEN,
        "term",
        3,
        r"\b(?:mutations?|variants?|alterations?)\s+(?:were\s+)?(?:detected|identified)\b",
        raw=True,
    ),
    _r(GEN, "term", 5, r"\brecurrence\s+score\b", raw=True),
    _r(GEN, "term", 3, r"\bc\.\d+(?:[+-]\d+)?[ACGT]>[ACGT]\b", raw=True, case=True),
    _r(
        GEN,
        "term",
        3,
        r"\bp\.\(?(?:[A-Z][a-z]{2}\d+(?:[A-Z][a-z]{2}|\*|fs)|[A-Z]\d+[A-Z*])",
        raw=True,
        case=True,
    ),
    _r(GEN, "term", 2, r"\bexon\s+\d+", raw=True),
    _r(GEN, "term", 3, r"\bgenes?\s+(?:tested|analy[sz]ed|panel|assayed)\b", raw=True),
    _r(GEN, "term", 2, r"\bactionable\b", raw=True),
    _r(GEN, "term", 2.5, r"\bsequencing\b", raw=True),
    _r(GEN, "term", 2, r"\bgenomic\b", raw=True),
    _r(GEN, "term", 0.7, rf"\b(?:{_GENES})\b", raw=True, case=True, hits=6),
    # ---- clinical note -----------------------------------------------------
    _r(NOTE, "heading", 9, "progress note", "Progress note"),
    _r(NOTE, "heading", 8, "clinic note", "Clinic note"),
    _r(NOTE, "heading", 8, r"\boffice\s+(?:visit|note)\b", "Office visit note", raw=True),
    _r(
        NOTE,
        "heading",
        7,
        r"\bconsult(?:ation)?\s+(?:note|report|letter)\b",
        "Consultation note",
        raw=True,
    ),
    _r(NOTE, "heading", 6, "consultation", "Consultation note"),
    _r(
        NOTE,
        "heading",
        8,
        r"\bnew\s+patient\s+(?:visit|consult\w*|evaluation|note)\b",
        "New patient visit",
        raw=True,
    ),
    _r(
        NOTE, "heading", 7, r"\bfollow[-\s]?up\s+(?:visit|note)\b", "Follow-up visit note", raw=True
    ),
    _r(
        NOTE,
        "heading",
        8,
        r"\bhistory\s+(?:and|&)\s+physical\b|\bH\s?&\s?P\b",
        "History and physical",
        raw=True,
    ),
    _r(NOTE, "heading", 9, "after visit summary", "After visit summary"),
    _r(
        NOTE,
        "heading",
        7,
        r"\b(?:oncology|hematology)\s+(?:consult\w*|follow[-\s]?up|note|visit|clinic)\b",
        "Oncology clinic note",
        raw=True,
    ),
    _r(NOTE, "heading", 6, "visit note", "Visit note"),
    _r(
        NOTE,
        "heading",
        5,
        r"\btele(?:health|medicine)\s+visit\b",
        "Telehealth visit note",
        raw=True,
    ),
    _r(NOTE, "section", 7, "history of present illness"),
    _r(NOTE, "section", 5, "HPI"),
    _r(NOTE, "section", 5, "chief complaint"),
    _r(
        NOTE,
        "section",
        4,
        r"reason\s+for\s+(?:visit|consultation|consult|referral|appointment)",
        raw=True,
    ),
    _r(NOTE, "section", 5, "review of systems"),
    _r(NOTE, "section", 4, r"physical\s+exam(?:ination)?", raw=True),
    _r(NOTE, "section", 7, r"assessment\s*(?:and|&|/)\s*plan|A\s?/\s?P", raw=True),
    _r(NOTE, "section", 4, r"impression\s*(?:and|&|/)\s*plan", raw=True),
    _r(NOTE, "section", 2, "assessment"),
    _r(NOTE, "section", 1.5, "plan"),
    _r(NOTE, "section", 3, "past medical history"),
    _r(NOTE, "section", 2.5, "past surgical history"),
    _r(NOTE, "section", 2.5, "social history"),
    _r(NOTE, "section", 2, "family history"),
    _r(NOTE, "section", 2, r"vital\s+signs|vitals", raw=True),
    _r(NOTE, "section", 4, "interval history"),
    _r(NOTE, "section", 3, "subjective"),
    _r(NOTE, "section", 2, "objective"),
    _r(NOTE, "term", 2, r"\bECOG\b", raw=True),
    _r(NOTE, "term", 3, r"\bdear\s+dr\b", raw=True),
    _r(
        NOTE,
        "term",
        4,
        r"\bthank\s+you\s+for\s+(?:referring|allowing|the\s+(?:opportunity|referral))",
        raw=True,
    ),
    _r(NOTE, "term", 2, r"\b\d{1,3}[-\s]year[-\s]old\b", raw=True),
    _r(NOTE, "term", 2, r"\bpresents?\s+(?:today\s+)?(?:with|for)\b", raw=True),
    _r(
        NOTE,
        "term",
        2,
        r"\b(?:I|we)\s+(?:have\s+)?(?:personally\s+)?(?:reviewed|examined|discussed)\b",
        raw=True,
    ),
    _r(NOTE, "term", 1.5, r"\breturn\s+to\s+clinic\b|\bfollow\s+up\s+in\s+\d", raw=True),
    # ---- operative / procedure report ---------------------------------------
    _r(OP, "heading", 10, "operative report", "Operative report"),
    _r(OP, "heading", 10, "operative note", "Operative note"),
    _r(
        OP,
        "heading",
        9,
        r"\bbrief\s+op(?:erative)?\s+note\b|\bop\s+note\b",
        "Operative note",
        raw=True,
    ),
    _r(OP, "heading", 9, "operation report", "Operative report"),
    _r(OP, "heading", 8, "procedure note", "Procedure note"),
    _r(OP, "heading", 8, "procedure report", "Procedure report"),
    _r(OP, "heading", 6, "surgical report", "Operative report"),
    _r(
        OP,
        "heading",
        8,
        r"\b(?:colonoscopy|endoscopy|bronchoscopy|EGD|cystoscopy|EUS|ERCP|"
        r"sigmoidoscopy|thoracoscopy|laparoscopy)\s+(?:procedure\s+)?report\b",
        "Procedure report",
        raw=True,
    ),
    _r(OP, "section", 8, r"pre-?\s?op(?:erative)?\s+diagnos[ie]s", raw=True),
    _r(OP, "section", 8, r"post-?\s?op(?:erative)?\s+diagnos[ie]s", raw=True),
    _r(
        OP,
        "section",
        5,
        r"(?:procedures?|operations?)\s+performed|name\s+of\s+(?:procedure|operation)",
        raw=True,
    ),
    _r(OP, "section", 2, r"procedures?|operations?", raw=True),
    _r(OP, "section", 4, r"anesthesia|anaesthesia", raw=True),
    _r(OP, "section", 7, r"estimated\s+blood\s+loss|EBL", raw=True),
    _r(OP, "section", 3, r"surgeons?|primary\s+surgeon", raw=True),
    _r(OP, "section", 1.5, r"assistants?", raw=True),
    _r(OP, "section", 2.5, "complications"),
    _r(OP, "section", 3, "drains"),
    _r(OP, "section", 2, "implants"),
    _r(OP, "section", 1.5, r"(?:iv\s+)?fluids", raw=True),
    _r(
        OP,
        "section",
        5,
        r"(?:description|details)\s+of\s+(?:the\s+)?(?:procedure|operation)|"
        r"operative\s+(?:technique|findings|procedure|description)",
        raw=True,
    ),
    _r(OP, "section", 3, r"specimens?\s+(?:removed|sent)", raw=True),
    _r(
        OP,
        "section",
        2,
        r"indications?\s+for\s+(?:the\s+)?(?:procedure|surgery|operation)",
        raw=True,
    ),
    _r(OP, "term", 5, r"\b(?:brought|taken)\s+(?:back\s+)?to\s+the\s+operating\s+room\b", raw=True),
    _r(OP, "term", 5, r"\bprepped\s+and\s+draped\b", raw=True),
    _r(OP, "term", 3, r"\btime[-\s]?out\b", raw=True),
    _r(OP, "term", 4, r"\bgeneral\s+endotracheal\b", raw=True),
    _r(OP, "term", 5, r"\b(?:sponge|needle|instrument)\s+(?:and\s+\w+\s+)?counts?\b", raw=True),
    _r(OP, "term", 4, r"\btolerated\s+the\s+procedure\b", raw=True),
    _r(OP, "term", 4, r"\bscope\s+was\s+(?:advanced|inserted|introduced)\b", raw=True),
    _r(OP, "term", 2, r"\bincision\b", raw=True),
    # ---- treatment plan ----------------------------------------------------
    _r(TX, "heading", 9, "treatment plan", "Treatment plan"),
    _r(
        TX,
        "heading",
        9,
        r"\bchemotherapy\s+(?:treatment\s+)?(?:plan|orders?|regimen|consent\s+and\s+plan)\b",
        "Chemotherapy plan",
        raw=True,
    ),
    _r(TX, "heading", 8, r"\b(?:end\s+of\s+)?treatment\s+summary\b", "Treatment summary", raw=True),
    _r(
        TX,
        "heading",
        9,
        r"\bradiation\s+(?:therapy|oncology|treatment)\s+(?:treatment\s+)?(?:plan|summary)\b",
        "Radiation treatment plan",
        raw=True,
    ),
    _r(TX, "heading", 9, "survivorship care plan", "Survivorship care plan"),
    _r(TX, "heading", 5, r"\bplan\s+of\s+care\b|\bcare\s+plan\b", "Care plan", raw=True),
    _r(TX, "heading", 6, r"\binfusion\s+orders?\b|\btherapy\s+plan\b", "Treatment plan", raw=True),
    _r(TX, "section", 4, r"regimen|treatment\s+regimen|chemotherapy\s+regimen", raw=True),
    _r(TX, "section", 3, r"treatment\s+intent|intent", raw=True),
    _r(TX, "term", 3, r"\bcycles?\s*(?:#\s*)?\d+|\b\d+\s+cycles\b", raw=True),
    _r(TX, "term", 4, r"\bmg\s*/\s*m(?:2|²|\^2)\b", raw=True),
    _r(TX, "term", 3, r"\bAUC\s*[=:]?\s*\d", raw=True, case=True),
    _r(TX, "term", 4, r"\b\d+(?:[.,]\d+)?\s*c?Gy\b", raw=True, case=True),
    _r(TX, "term", 3, r"\bfractions?\b", raw=True),
    _r(TX, "term", 3, r"\b(?:dose\s+per\s+fraction|total\s+dose|prescription\s+dose)\b", raw=True),
    _r(
        TX,
        "term",
        2.5,
        r"\b(?:IMRT|SBRT|SRS|VMAT|IGRT)\b|\bproton\s+therapy\b",
        raw=True,
        case=True,
    ),
    _r(
        TX,
        "term",
        2,
        r"\bevery\s+(?:2|3|4|14|21|28|two|three|four)\s+(?:days|weeks)\b|\bq[234]\s?w(?:ee)?k?s?\b|"
        r"\bq(?:14|21|28)\s?d(?:ays)?\b|\bday\s+1\b",
        raw=True,
    ),
    _r(TX, "term", 1.5, r"\b(?:curative|palliative)\b", raw=True),
    _r(TX, "term", 2, r"\bpre-?medications?\b|\bantiemetics?\b", raw=True),
    _r(TX, "term", 1.5, r"\b(?:neo)?adjuvant\b", raw=True),
    _r(TX, "term", 0.8, rf"\b(?:{_CHEMO_DRUGS})\b", raw=True, hits=5),
    _r(
        TX,
        "term",
        3,
        r"\b(?:FOLFOX|FOLFIRI|FOLFIRINOX|CAPOX|XELOX|R-CHOP|TCHP|AC-T|ddAC|CMF|ABVD|BEP)\b",
        raw=True,
        case=True,
    ),
    _r(TX, "term", 2, r"\bbody\s+surface\s+area\b|\bBSA\b", raw=True),
    _r(TX, "term", 1.5, r"\bdose\s+(?:reduction|modification)s?\b", raw=True),
    # ---- medication list ---------------------------------------------------
    _r(MED, "heading", 10, r"\bmedications?\s+list\b", "Medication list", raw=True),
    _r(
        MED,
        "heading",
        9,
        r"\bmedications?\s*(?:and|&)\s*allerg(?:y|ies)\b",
        "Medications and allergies",
        raw=True,
    ),
    _r(MED, "heading", 8, "medication reconciliation", "Medication reconciliation"),
    _r(
        MED,
        "heading",
        8,
        r"\b(?:my|current|active|home|outpatient)\s+medications?\b",
        "Medication list",
        raw=True,
    ),
    _r(MED, "heading", 6, "allergy list", "Allergy list"),
    _r(
        MED,
        "heading",
        6,
        r"\bmedication\s+(?:summary|record|profile)\b",
        "Medication list",
        raw=True,
    ),
    _r(MED, "section", 2, "allergies"),
    _r(MED, "section", 1.5, "medications"),
    _r(MED, "term", 2, r"\bNKDA\b|\bno\s+known\s+(?:drug\s+)?allergies\b", raw=True),
    _r(
        MED,
        "term",
        1,
        r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|g|units?|mL|%)\b[^\n]{0,50}?\b(?:daily|once|twice|BID|TID|QID|QHS|"
        r"q\d+h|PRN|as\s+needed|every|at\s+bedtime|by\s+mouth|PO|orally|weekly|nightly)\b",
        raw=True,
        hits=10,
    ),
    _r(MED, "term", 0.5, r"\b(?:tablets?|capsules?|inhaler|patch)\b", raw=True, hits=4),
    _r(MED, "term", 2, r"\bSig\s*:", raw=True),
    _r(MED, "term", 1.5, r"\brefills?\b", raw=True),
    _r(MED, "term", 1.5, r"\btake\s+\d+\s+(?:tablet|capsule|pill)", raw=True, hits=3),
    _r(MED, "term", 1.5, r"\b(?:dispense|prescriber|pharmacy)\b", raw=True),
    # ---- discharge summary -------------------------------------------------
    _r(DS, "heading", 11, "discharge summary", "Discharge summary"),
    _r(DS, "heading", 8, "discharge note", "Discharge note"),
    _r(DS, "heading", 5, "discharge instructions", "Discharge instructions"),
    _r(DS, "heading", 5, "transfer summary", "Transfer summary"),
    _r(DS, "section", 4, r"admission\s+date|date\s+of\s+admission|admit\s+date|admitted", raw=True),
    _r(DS, "section", 3, r"discharge\s+date|date\s+of\s+discharge", raw=True),
    _r(DS, "section", 7, r"discharge\s+diagnos[ie]s", raw=True),
    _r(DS, "section", 5, r"admi(?:tting|ssion)\s+diagnos[ie]s", raw=True),
    _r(DS, "section", 7, r"(?:brief\s+)?hospital\s+course", raw=True),
    _r(DS, "section", 5, "discharge medications"),
    _r(DS, "section", 4, "discharge instructions"),
    _r(DS, "section", 5, r"condition\s+(?:at|on)\s+discharge|discharge\s+condition", raw=True),
    _r(DS, "section", 3, r"discharge\s+disposition|disposition", raw=True),
    _r(DS, "section", 4, r"reason\s+for\s+(?:admission|hospitali[sz]ation)", raw=True),
    _r(DS, "term", 3, "length of stay"),
    # ---- patient summary ---------------------------------------------------
    _r(SUM, "heading", 10, "continuity of care document", "Continuity of care document"),
    _r(SUM, "heading", 10, "international patient summary", "International patient summary"),
    _r(SUM, "heading", 8, "patient summary", "Patient summary"),
    _r(SUM, "heading", 8, r"\b(?:patient\s+)?health\s+summary\b", "Health summary", raw=True),
    _r(SUM, "heading", 8, "summary of care", "Summary of care"),
    _r(SUM, "heading", 6, "clinical summary", "Clinical summary"),
    _r(SUM, "heading", 5, r"\bmedical\s+(?:record\s+)?summary\b", "Medical summary", raw=True),
    _r(SUM, "heading", 5, "transition of care", "Transition of care summary"),
    _r(SUM, "section", 2, r"problem\s+list|active\s+problems|problems", raw=True),
    _r(SUM, "section", 3, "immunizations"),
    _r(SUM, "section", 2, "encounters"),
    _r(SUM, "section", 1, "results"),
    _r(SUM, "section", 2, r"allergies(?:,?\s+adverse\s+reactions|\s+and\s+intolerances)", raw=True),
    _r(SUM, "section", 2, "advance directives"),
    _r(SUM, "section", 2, "functional status"),
    _r(SUM, "section", 2, "plan of treatment"),
    _r(SUM, "section", 2, r"insurance\s+providers|payers", raw=True),
    _r(SUM, "section", 2, "care team"),
    _r(SUM, "section", 1.5, "goals"),
    _r(SUM, "section", 1.5, "medical equipment"),
    # ---- administrative ----------------------------------------------------
    _r(ADM, "heading", 9, "explanation of benefits", "Explanation of benefits"),
    _r(ADM, "heading", 8, r"\b(?:insurance|member|ID)\s+card\b", "Insurance card", raw=True),
    _r(ADM, "heading", 8, r"\bprior\s+authori[sz]ation\b", "Prior authorization", raw=True),
    _r(
        ADM,
        "heading",
        7,
        r"\bauthori[sz]ation\s+(?:letter|approval|request|notice|determination)\b",
        "Authorization letter",
        raw=True,
    ),
    _r(
        ADM,
        "heading",
        7,
        r"\breferral\s+(?:letter|form|authori[sz]ation|request)\b",
        "Referral",
        raw=True,
    ),
    _r(ADM, "heading", 7, "informed consent", "Consent form"),
    _r(ADM, "heading", 6, r"\bconsent\s+(?:form|for|to)\b", "Consent form", raw=True),
    _r(
        ADM,
        "heading",
        7,
        r"\bauthori[sz]ation\s+(?:for|to)\s+(?:the\s+)?(?:release|disclos\w+|use)\b",
        "Authorization to release records",
        raw=True,
    ),
    _r(ADM, "heading", 7, "notice of privacy practices", "Notice of privacy practices"),
    _r(
        ADM,
        "heading",
        7,
        r"\b(?:billing|patient|itemi[sz]ed)\s+(?:statement|bill)\b|\binvoice\b",
        "Bill",
        raw=True,
    ),
    _r(
        ADM,
        "heading",
        6,
        r"\bfinancial\s+(?:assistance|agreement|responsibility)\b",
        "Financial form",
        raw=True,
    ),
    _r(ADM, "heading", 6, r"\bpre-?certification\b", "Precertification", raw=True),
    _r(ADM, "heading", 7, "letter of medical necessity", "Letter of medical necessity"),
    _r(ADM, "heading", 6, "release of information", "Release of information"),
    _r(ADM, "heading", 6, r"\b(?:patient\s+)?registration\s+form\b", "Registration form", raw=True),
    _r(
        ADM,
        "heading",
        6,
        r"\binsurance\s+(?:information|verification)\b",
        "Insurance information",
        raw=True,
    ),
    _r(ADM, "term", 6, r"\bmember\s*(?:ID|#|number|no\.?)|\bsubscriber\s*(?:ID|#)", raw=True),
    _r(ADM, "term", 3, r"\bgroup\s*(?:number|no\.?|#)", raw=True),
    _r(
        ADM,
        "term",
        9,
        r"\bnot\s+a\s+guarantee\s+of\s+(?:payment|coverage|benefits)|does\s+not\s+guarantee\s+"
        r"(?:payment|coverage)",
        raw=True,
    ),
    _r(ADM, "term", 6, r"\bthis\s+is\s+not\s+a\s+bill\b", raw=True),
    _r(ADM, "term", 3, r"\bpolicy\s*(?:number|holder|#)", raw=True),
    _r(ADM, "term", 2.5, r"\bsubscriber\b", raw=True),
    _r(ADM, "term", 3, r"\bco-?pay(?:ment)?s?\b|\bco-?insurance\b|\bdeductible\b", raw=True),
    _r(
        ADM,
        "term",
        4,
        r"\b(?:amount|balance)\s+(?:due|billed|paid|owed)\b|\btotal\s+charges\b",
        raw=True,
    ),
    _r(ADM, "term", 2, r"\bCPT\b", raw=True, case=True),
    _r(ADM, "term", 4, r"\bauthori[sz]ation\s*(?:number|#|no\.?)|\bauth\s*#", raw=True),
    _r(
        ADM,
        "term",
        4,
        r"\bI\s+(?:hereby\s+)?(?:consent|authori[sz]e|agree|acknowledge)\b",
        raw=True,
    ),
    _r(ADM, "term", 2, r"\bsignature\b", raw=True),
    _r(ADM, "term", 2, r"\bpay[eo]r\b", raw=True),
    _r(ADM, "term", 4, r"\bRx\s?(?:BIN|PCN|Grp)\b", raw=True),
    _r(ADM, "term", 2, r"\b(?:PPO|HMO|EPO|POS)\b", raw=True, case=True),
    _r(ADM, "term", 3, r"\b(?:in|out[-\s]of)[-\s]network\b", raw=True),
    _r(ADM, "term", 2, r"\bHIPAA\b", raw=True),
    _r(ADM, "term", 1.5, r"\beffective\s+date\b", raw=True),
    # ---- other (documents a person keeps that fit no kind) ------------------
    _r(
        OTH,
        "heading",
        8,
        r"\badvance(?:\s+[\w-]+){0,2}\s+directives?\b",
        "Advance directive",
        raw=True,
    ),
    _r(OTH, "heading", 7, "living will", "Living will"),
    # Patient-education material names treatments without being about the
    # patient's own: a leaflet is kept, never mistaken for a plan.
    _r(
        OTH,
        "heading",
        9,
        r"\bpatient\s+(?:education|information\s+(?:leaflet|sheet)|handout)\b|"
        r"\b(?:your|a)\s+guide\s+to\b|\bunderstanding\s+your\b|\b\w+\s+and\s+you\b|"
        r"\bwhat\s+to\s+expect\b|\bfact\s+sheet\b|\bbooklet\b|\bleaflet\b|\bbrochure\b",
        "Patient education material",
        raw=True,
    ),
    _r(OTH, "section", 3, "frequently asked questions"),
    _r(
        OTH,
        "term",
        3,
        r"\b(?:this|the)\s+(?:booklet|leaflet|brochure|handout|guide)\b|\bfor\s+patients\s+and\s+"
        r"(?:families|carers|caregivers)\b",
        raw=True,
    ),
    _r(
        OTH,
        "term",
        5,
        r"\bhealth\s*care\s+(?:agent|proxy|power\s+of\s+attorney)\b|\bdurable\s+power\s+of\s+"
        r"attorney\b",
        raw=True,
    ),
    _r(OTH, "term", 4, r"\b(?:POLST|MOLST)\b", raw=True, case=True),
)


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    anywhere: re.Pattern[str]
    at_line_start: re.Pattern[str] | None


def _compile(rule: Rule) -> _Compiled:
    body = rule.pattern if rule.raw else fuzzy(rule.pattern)
    flags = 0 if rule.case else re.IGNORECASE
    anywhere = re.compile(body, flags)
    anchored = None
    if rule.where == "section":
        # A section label starts a line (after optional numbering like "1." or
        # "A)") and ends with a colon, a dash, the end of the line or a gap.
        anchored = re.compile(
            rf"^[ \t>*#•\-]*(?:[0-9A-Za-z]{{1,2}}[.)]\s*)?(?:{body})[ \t]*(?::|-|$|\t|\s{{2,}})",
            flags | re.MULTILINE,
        )
    return _Compiled(rule, anywhere, anchored)


_COMPILED: Final[tuple[_Compiled, ...]] = tuple(_compile(r) for r in RULES)


# --------------------------------------------------------------------------
# Text normalisation and noise
# --------------------------------------------------------------------------

_SPACE_CHARS = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]")
_BARCODE_RUN = re.compile(r"[Il1|!iH]{6,}")
_WORD = re.compile(r"[A-Za-z]{3,}")
_JUNK_CHAR = re.compile(r"[^\w\s.,:;()/\-%#'\"&+*=<>\[\]@?!]")


def normalize(text: str) -> str:
    """Unify line ends and odd spaces; drop soft hyphens and NULs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_CHARS.sub(" ", text)
    return text.replace("\u00ad", "").replace("\x00", "")


def noise_ratio(text: str) -> float:
    """Share of the (first 20k) characters that look like OCR noise or barcode junk."""
    sample = text[:20_000]
    visible = sum(1 for c in sample if not c.isspace())
    if visible == 0:
        return 1.0
    junk = sum(len(m.group()) for m in _BARCODE_RUN.finditer(sample))
    junk += len(_JUNK_CHAR.findall(sample))
    return min(1.0, junk / visible)


def has_meaningful_text(text: str, *, min_words: int = 12) -> bool:
    """Whether ``text`` holds real words, not just whitespace, page numbers or barcode junk."""
    cleaned = _BARCODE_RUN.sub(" ", text[:50_000])
    words = 0
    for match in _WORD.finditer(cleaned):
        if set(match.group().lower()) - set("il"):
            words += 1
            if words >= min_words:
                return True
    return False


# --------------------------------------------------------------------------
# Kind
# --------------------------------------------------------------------------


@dataclass
class _Hit:
    rule: Rule
    score: float
    label: str  # evidence string
    title_pos: int | None  # position of a title heading, else None
    matched: str
    span: tuple[int, int] = (0, 0)


def _title_zone_end(text: str) -> int:
    """End offset of the title area: the first TITLE_LINES non-empty lines."""
    count = 0
    pos = 0
    for line in text.split("\n"):
        pos += len(line) + 1
        if line.strip():
            count += 1
        if count >= TITLE_LINES or pos >= TITLE_CHARS:
            break
    return min(pos, TITLE_CHARS)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, (len(text) if le == -1 else le)


def _show(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= 60 else s[:57] + "..."


def _score_rule(c: _Compiled, text: str, title_end: int) -> _Hit | None:
    rule = c.rule
    if rule.where == "heading":
        best: _Hit | None = None
        for m in c.anywhere.finditer(text):
            ls, le = _line_bounds(text, m.start(), m.end())
            before = text[ls : m.start()].strip()
            after = text[m.end() : le].strip(" \t:-")
            heading_like = len(before) <= 25 and len(after) <= 40
            if m.start() < title_end and heading_like:
                return _Hit(
                    rule,
                    rule.weight,
                    f"heading '{_show(m.group())}'",
                    m.start(),
                    m.group(),
                    m.span(),
                )
            if best is None:
                best = _Hit(
                    rule,
                    rule.weight * MENTION_FACTOR,
                    f"mention '{_show(m.group())}'",
                    None,
                    m.group(),
                    m.span(),
                )
            if m.start() > MAX_CLASSIFY_CHARS // 2:
                break
        return best
    if rule.where == "section":
        assert c.at_line_start is not None
        anchored = c.at_line_start.search(text)
        if anchored:
            inner = c.anywhere.search(text, anchored.start(), anchored.end())
            shown = inner.group() if inner else anchored.group()
            span = inner.span() if inner else anchored.span()
            return _Hit(rule, rule.weight, f"section '{_show(shown)}'", None, shown, span)
        loose = c.anywhere.search(text)
        if loose:
            return _Hit(
                rule,
                rule.weight * INLINE_SECTION_FACTOR,
                f"term '{_show(loose.group())}'",
                None,
                loose.group(),
                loose.span(),
            )
        return None
    # term
    if rule.hits <= 1:
        one = c.anywhere.search(text)
        if one is None:
            return None
        return _Hit(
            rule, rule.weight, f"term '{_show(one.group())}'", None, one.group(), one.span()
        )
    found: list[str] = []
    for m in c.anywhere.finditer(text):
        found.append(m.group())
        if len(found) >= rule.hits:
            break
    if not found:
        return None
    label = f"term '{_show(found[0])}'" + (f" (x{len(found)})" if len(found) > 1 else "")
    return _Hit(rule, rule.weight * len(found), label, None, found[0])


def _sentence_case(s: str) -> str:
    s = " ".join(s.split()).strip(" :-")
    if s.isupper() or s.istitle():
        s = s[:1].upper() + s[1:].lower()
    return s


def _score_kinds(text: str) -> tuple[dict[str, float], dict[str, list[_Hit]]]:
    title_end = _title_zone_end(text)
    scores: dict[str, float] = {}
    hits: dict[str, list[_Hit]] = {}
    for c in _COMPILED:
        hit = _score_rule(c, text, title_end)
        if hit is None:
            continue
        # "SURGICAL PATHOLOGY REPORT" also matches "PATHOLOGY REPORT": the
        # same words count once, for the first (more specific) rule.
        if hit.rule.hits <= 1 and any(
            h.span[0] < hit.span[1] and hit.span[0] < h.span[1] for h in hits.get(c.rule.kind, ())
        ):
            continue
        scores[c.rule.kind] = scores.get(c.rule.kind, 0.0) + hit.score
        hits.setdefault(c.rule.kind, []).append(hit)
    # The document's own title wins over body mentions: the top-most title
    # heading gets a bonus, so "Progress note ... pathology showed" stays a note.
    titled = [h for hs in hits.values() for h in hs if h.title_pos is not None]
    if titled:
        top = min(titled, key=lambda h: (h.title_pos or 0, -h.rule.weight))
        scores[top.rule.kind] += TITLE_BONUS
        if top.rule.weight >= STRONG_TITLE:
            for kind in scores:
                if kind != top.rule.kind:
                    scores[kind] *= OTHER_KINDS_FACTOR
    return scores, hits


# --------------------------------------------------------------------------
# File-name hints
# --------------------------------------------------------------------------

_NAME_HINTS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            P,
            r"(?:^|_)(?:path(?:ology)?|surg_?path|biopsy|bx|cytology|cyto|histology|ihc|"
            r"hemepath|bone_?marrow|flow_?cytometry)(?:_|$)",
        ),
        (
            GEN,
            r"(?:^|_)(?:genomic\w*|genetic\w*|ngs|foundation\w*|guardant\w*|tempus|caris|oncotype\w*|"
            r"molecular|brca\w*|germline|mutation\w*)(?:_|$)",
        ),
        (
            IR,
            r"(?:^|_)(?:radiology|imaging|ct|cat_?scan|mri|mr|pet|pet_?ct|pet_?scan|x_?ray|xr|cxr|"
            r"mammo\w*|ultrasound|us|sono\w*|bone_?scan)(?:_|$)",
        ),
        (
            LAB,
            r"(?:^|_)(?:labs?|lab_?results?|laboratory|bloodwork|blood_?work|cbc|cmp|bmp|psa|cea|"
            r"tumor_?markers?)(?:_|$)",
        ),
        (
            OP,
            r"(?:^|_)(?:op_?note|operative\w*|operation|surgery|surgical|procedure|colonoscopy|"
            r"endoscopy|bronchoscopy)(?:_|$)",
        ),
        (DS, r"(?:^|_)(?:discharge\w*|dc_?summary)(?:_|$)"),
        (
            TX,
            r"(?:^|_)(?:treatment|tx_?plan|chemo\w*|radiation|radiotherapy|regimen|care_?plan)(?:_|$)",
        ),
        (MED, r"(?:^|_)(?:meds|medications?|med_?list|allerg\w*|prescriptions?|rx)(?:_|$)"),
        (
            NOTE,
            r"(?:^|_)(?:notes?|consult\w*|visit|progress|clinic|office_?visit|avs|h_?p|letter)(?:_|$)",
        ),
        (SUM, r"(?:^|_)(?:ccd|ccda|c_?cda|summary|health_?summary|ips|patient_?summary)(?:_|$)"),
        (
            ADM,
            r"(?:^|_)(?:insurance|ins_?card|card|referral|authori[sz]ation|prior_?auth|consent|billing|"
            r"bill|invoice|eob|statement|claim)(?:_|$)",
        ),
    )
)


def _name_tokens(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    stem = re.sub(r"([a-z])([A-Z])", r"\1_\2", stem)  # camelCase -> camel_Case
    stem = re.sub(
        r"([A-Za-z])(\d)|(\d)([A-Za-z])", lambda m: "_".join(g for g in m.groups() if g), stem
    )
    return re.sub(r"[^A-Za-z0-9]+", "_", stem).strip("_").lower()


def classify_filename(name: str) -> str | None:
    """A weak kind hint from a file name ("path_report.pdf" -> pathology_report), or None."""
    tokens = _name_tokens(name)
    if not tokens:
        return None
    for kind, pattern in _NAME_HINTS:
        if pattern.search(tokens):
            return kind
    return None


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_MONTHS: Final[dict[str, int]] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MON = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE_RE: Final = re.compile(
    r"(?<![\d/.-])(?P<iy>(?:19|20)\d\d)[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?![\d])"
    rf"|(?<![\d/])(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?[-\s./]?(?P<dm>{_MON})\.?[-\s./,]*(?P<dy>(?:19|20)?\d\d)(?!\d)"
    rf"|\b(?P<mm>{_MON})\.?[-\s/]+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?[-\s/]+(?P<my>(?:19|20)\d\d)(?!\d)"
    r"|(?<![\d/.-])(?P<na>\d{1,2})(?P<sep>[/.-])(?P<nb>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d{2})(?![\d/]|\.\d)"
    r"|(?<![\d])(?P<cy>(?:19|20)\d\d)(?P<cm>0[1-9]|1[0-2])(?P<cd>0[1-9]|[12]\d|3[01])(?!\d)",
    re.IGNORECASE,
)

#: Date labels, best first: (priority, pattern). Priority < 0 means never a
#: service date (a birth date). Unlabelled dates rank at 20.
_DATE_LABELS: Final[tuple[tuple[int, str], ...]] = (
    (
        -1,
        r"\bD\.?\s?O\.?\s?B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b|\bborn\b|\bDOB/Age\b",
    ),
    (-1, r"\bexpir\w*|\bvalid\s+(?:through|thru|until)\b|\bnext\s+(?:appointment|visit)\b"),
    (100, r"\bdates?\s+of\s+service\b|\bDOS\b|\bservice\s+date\b"),
    (
        90,
        r"\bcollect(?:ed|ion)\b|\bdate\s+(?:collected|obtained|drawn|taken)\b|\bdrawn\b|"
        r"\b(?:sample|specimen|date)\s+taken\b|\b(?:blood\s+)?draw\s+date\b|\bblood\s+draw\b",
    ),
    (
        90,
        r"\bprocedure\s+date\b|\bdate\s+of\s+(?:procedure|surgery|operation|biopsy)\b|"
        r"\b(?:surgery|operation|operative|biopsy)\s+date\b",
    ),
    (
        90,
        r"\bexam(?:ination)?\s+date\b|\bdate\s+of\s+(?:exam(?:ination)?|study|scan|test)\b|"
        r"\b(?:study|scan|test|sample)\s+date\b",
    ),
    (
        90,
        r"\b(?:date\s+of\s+)?(?:visit|encounter|consultation|consult|appointment)(?:\s+date)?\b|\bseen\s+on\b|"
        r"\bclinic\s+date\b|\bdate\s+of\s+clinic\b",
    ),
    (
        85,
        r"\bspecimen\s+(?:received|collected|taken|date)\b|\bdate\s+(?:received|of\s+receipt)\b|\breceived\b",
    ),
    # A discharge summary is about the stay; it is dated by the discharge.
    (72, r"\bdischarge(?:d)?(?:\s+date)?\b|\bdate\s+of\s+discharge\b"),
    (70, r"\b(?:admission|admit|admitted)(?:\s+date)?\b|\bdate\s+of\s+admission\b"),
    (
        70,
        r"\b(?:start|plan|treatment)\s+date\b|\bdate\s+of\s+(?:note|letter|treatment)\b|\bnote\s+date\b",
    ),
    (
        50,
        r"\breport(?:ed)?\s+date\b|\bdate\s+(?:of\s+)?report(?:ed)?\b|\breported\b|\bsigned\b|"
        r"\bverified\b|\bfinali[sz]ed\b|\bresulted\b|\bfinal\b",
    ),
    (40, r"\bdate\b"),
    (
        10,
        r"\bprint(?:ed)?\b|\bgenerated\b|\bas\s+of\b|\brun\s+date\b|\bfax(?:ed)?\b|\bcreated\b|\bdownloaded\b|"
        r"\bexported\b|\bpage\s+\d",
    ),
)
# "Collection Date/Time:" is one label: the trailing "date"/"time" belongs to
# the specific word, not to the generic "date" label that would end closer.
_DATE_LABEL_RES: Final = tuple(
    (prio, re.compile(rf"(?:{pat})(?:\s+(?:date|time))?(?:\s*/\s*time)?\b", re.IGNORECASE))
    for prio, pat in _DATE_LABELS
)
_UNLABELLED: Final = 20


def _year(raw: str) -> int:
    y = int(raw)
    if len(raw) == 2:
        pivot = date.today().year % 100 + 1
        y += 2000 if y <= pivot else 1900
    return y


def _valid(y: int, m: int, d: int, *, today: date) -> date | None:
    try:
        value = date(y, m, d)
    except ValueError:
        return None
    # Not before 1900, and not (much) in the future: a record is about the past.
    if value.year < 1900 or value > today + timedelta(days=31):
        return None
    return value


#: Signs that a document comes from a country that writes dates day first
#: (UK, Ireland, Australia, New Zealand): national health numbers, company
#: forms, postcodes. A US "Medicare" alone is not one.
_DAY_FIRST_SIGNS: Final = re.compile(
    r"\bNHS\s*(?:No|Number|#|Trust|Foundation)|\bCHI\s*(?:No|Number)|\bIHI\b|\bPty\.?\s+Ltd\b|"
    r"\bABN\s*\d|\bUR\s*(?:No\b|Number\b|:)|\bMedicare\s*(?:No\.?|Number|Card)?\s*:?\s*\d{4}\s?\d{5}\s?\d\b|"
    r"\b(?:NSW|VIC|QLD|TAS|ACT)\s+\d{4}\b|\bNew\s+Zealand\b|\bNHI\s*(?:No|Number|:)|"
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b|\bdd/mm/yy|"
    # NHS vocabulary: repeat prescriptions, consultant titles, hospital numbers.
    r"\b(?i:repeat\s+prescriptions?)\b|\bConsultant\s+(?:[A-Z][a-z]+\s+)?[A-Z][a-z]*(?:ist|eon|ian)\b|"
    r"\bHosp(?:ital)?\.?\s*No\b",
)
_UK_SPELLING: Final = re.compile(
    r"\b(?:haem\w+|\w*tumour\w*|an?aesthe\w+|oesophag\w+|paediatr\w+|\w*isation|programme)\b",
    re.IGNORECASE,
)


DAY_FIRST: Final = "day_first"
MONTH_FIRST: Final = "month_first"


def day_first(text: str) -> bool:
    """Whether ambiguous numeric dates (03/04/2026) in ``text`` are day first.

    The document's own unambiguous dates decide (14/03/2026 against
    03/14/2026); failing those, signs of a UK or Australian origin do. US
    month-first is the default.
    """
    return date_order(text) == DAY_FIRST


def date_order(text: str) -> str | None:
    """How ``text`` shows its numeric dates are written, from evidence only.

    ``"day_first"`` or ``"month_first"`` when its unambiguous dates lean one
    way, ``"day_first"`` when signs of a UK or Australian origin say so, and
    None when nothing does (:func:`day_first` then reads month first).
    """
    votes = 0
    for m in _DATE_RE.finditer(text[:MAX_CLASSIFY_CHARS]):
        if not m.group("na"):
            continue
        a, b = int(m.group("na")), int(m.group("nb"))
        if a > 12 >= b:
            votes += 1
        elif b > 12 >= a:
            votes -= 1
    if votes:
        return DAY_FIRST if votes > 0 else MONTH_FIRST
    head = text[:MAX_PATIENT_CHARS]
    if _DAY_FIRST_SIGNS.search(head) or len(_UK_SPELLING.findall(head)) >= 2:
        return DAY_FIRST
    return None


def _match_date(m: re.Match[str], *, today: date, dayfirst: bool = False) -> date | None:
    g = m.groupdict()
    if g["iy"]:
        return _valid(int(g["iy"]), int(g["im"]), int(g["id"]), today=today)
    if g["dd"]:
        return _valid(_year(g["dy"]), _MONTHS[g["dm"][:3].lower()], int(g["dd"]), today=today)
    if g["mm"]:
        return _valid(int(g["my"]), _MONTHS[g["mm"][:3].lower()], int(g["md"]), today=today)
    if g["na"]:
        a, b, y = int(g["na"]), int(g["nb"]), _year(g["ny"])
        if a > 12 >= b or (dayfirst and b <= 12):  # day first (14/03/2026)
            a, b = b, a
        return _valid(y, a, b, today=today)
    if g["cy"]:
        return _valid(int(g["cy"]), int(g["cm"]), int(g["cd"]), today=today)
    return None


def parse_date(text: str, *, today: date | None = None, dayfirst: bool = False) -> str | None:
    """The first valid date written in ``text`` (many formats), as ISO ``YYYY-MM-DD``.

    ``dayfirst`` reads an ambiguous 03/04/2026 as 3 April (see :func:`day_first`).
    """
    today = today or date.today()
    for m in _DATE_RE.finditer(text):
        value = _match_date(m, today=today, dayfirst=dayfirst)
        if value is not None:
            return value.isoformat()
    return None


@dataclass(frozen=True)
class _DateFound:
    value: date
    priority: int
    label: str
    pos: int
    #: Written so that day-first and month-first are both valid (03/04/2026).
    ambiguous: bool = False


def _label_for(prefix: str) -> tuple[int, str]:
    """The priority and text of the label closest to the end of ``prefix``."""
    best: tuple[int, int, str] | None = None  # (end, priority, text)
    for prio, pattern in _DATE_LABEL_RES:
        for m in pattern.finditer(prefix):
            cand = (m.end(), prio, m.group())
            # Closest to the date wins; at equal distance the more specific
            # (listed first, birth dates before all) does.
            if best is None or cand[0] > best[0]:
                best = cand
    if best is None:
        return _UNLABELLED, ""
    return best[1], best[2]


_FAX_LINE: Final = re.compile(
    r"\bfax\b|\bpage\s*\d+\s*(?:/|of)\s*\d+|\bP\.\s*\d+/\d+|@\d{3}|\bprinted\b|\bprint\s+date\b",
    re.IGNORECASE,
)


def find_dates(
    text: str, *, today: date | None = None, dayfirst: bool | None = None
) -> list[_DateFound]:
    """Every valid date in ``text`` with the priority of its label.

    ``dayfirst`` None decides from the text itself (:func:`day_first`).
    """
    today = today or date.today()
    if dayfirst is None:
        dayfirst = day_first(text)
    found: list[_DateFound] = []
    prev_end = 0
    for m in _DATE_RE.finditer(text):
        value = _match_date(m, today=today, dayfirst=dayfirst)
        if value is None:
            continue
        # Compact 20260314 only counts with a label: otherwise it is an ID.
        line_start = text.rfind("\n", 0, m.start()) + 1
        lo = max(line_start, prev_end, m.start() - 60)
        prefix = text[lo : m.start()]
        if not prefix.strip(" \t:#-.,()") and line_start > 0 and line_start >= prev_end:
            # The label may stand on the line above ("Collected Date/Time:\n03/14/2026").
            above_start = text.rfind("\n", 0, line_start - 1) + 1
            prefix = (
                text[max(above_start, line_start - 61, prev_end) : line_start - 1] + " " + prefix
            )
        prio, label = _label_for(prefix)
        prev_end = m.end()
        if prio == _UNLABELLED:
            # A fax machine's or printer's stamp ("03/15/2026 10:02 FAX ... PAGE 2/5")
            # names its label after the date: it is when the paper moved, not the record.
            line_end = text.find("\n", m.end())
            line = text[line_start : len(text) if line_end == -1 else line_end]
            if _FAX_LINE.search(line):
                prio, label = 10, "fax/print stamp"
        if m.group("cy") and prio == _UNLABELLED:
            continue
        found.append(_DateFound(value, prio, label, m.start(), _ambiguous(m)))
    return found


def _ambiguous(m: re.Match[str]) -> bool:
    """A numeric date whose two first numbers could each be the month (03/04/2026)."""
    if not m.group("na"):
        return False
    a, b = int(m.group("na")), int(m.group("nb"))
    return a != b and a <= 12 and b <= 12


_SNAPSHOT_LABEL = re.compile(
    r"generated|created|exported|as\s+of|printed|downloaded", re.IGNORECASE
)


def _service_date(
    text: str, kind: str, *, today: date | None = None, dayfirst: bool | None = None
) -> tuple[_DateFound | None, str | None]:
    """The date the record is about, and how it was chosen (for the evidence)."""
    dates = [d for d in find_dates(text, today=today, dayfirst=dayfirst) if d.priority >= 0]
    if not dates:
        return None, None

    def rank(d: _DateFound) -> tuple[int, int]:
        # A whole-record summary is a snapshot: it is dated when it was made.
        if kind == "patient_summary" and _SNAPSHOT_LABEL.search(d.label):
            return (200, -d.pos)
        return (d.priority, -d.pos)

    best = max(dates, key=rank)
    how = (
        f"date '{_show(best.label)}: {best.value.isoformat()}'"
        if best.label
        else (f"date {best.value.isoformat()} (first date in the text, unlabelled)")
    )
    return best, how


@dataclass(frozen=True)
class DayFirstReading:
    """A document's dates read day first (see :func:`read_day_first`)."""

    date: str | None
    #: How the date was chosen, for the evidence ("date 'Collected: 2025-04-03'").
    how: str | None
    #: The birth date as read month first and as read day first.
    birth_date_month_first: str | None
    birth_date_day_first: str | None


def read_day_first(text: str, kind: str, *, today: date | None = None) -> DayFirstReading:
    """Read a document's service and birth dates with ambiguous dates day first.

    For a document whose own text does not say how its dates are written,
    when the rest of its folder does (``scan.dates``). ``text`` is the
    document's text as a scanner gave it to :func:`classify_text`.
    """
    today = today or date.today()
    text = normalize(text[:MAX_CLASSIFY_CHARS])
    best, how = _service_date(text, kind, today=today, dayfirst=True)
    head = text[:MAX_PATIENT_CHARS]
    return DayFirstReading(
        date=best.value.isoformat() if best else None,
        how=how,
        birth_date_month_first=_find_birth_date(head, today, dayfirst=False),
        birth_date_day_first=_find_birth_date(head, today, dayfirst=True),
    )


# --------------------------------------------------------------------------
# Patient
# --------------------------------------------------------------------------

# OCR reads "Patient" as "Patlent" or "Pat1ent": the labels tolerate it.
_PATIENT_WORD = r"pat[i1l|!]ent"
_NAME_LABEL = re.compile(
    r"(?:^|(?<=[\t|;])|(?<=\s\s))[ \t]*"
    rf"(?:(?P<full>{_PATIENT_WORD}(?:'s)?\s*(?:full\s+|legal\s+)?name|pt\.?\s*name|name\s+of\s+patient|"
    r"member\s+name)"
    r"(?:\s*\((?:last|first)[^)]*\))?(?:\s*[:#]|\s{2,}|\t|[ \t]+(?=[A-Z])|[ \t]*$)"
    rf"|(?P<short>{_PATIENT_WORD}|pt\.?|name|re|member)(?:\s*\((?:last|first)[^)]*\))?\s*:)"
    r"[ \t]*(?P<v>[^\n]{0,80})",
    re.IGNORECASE | re.MULTILINE,
)
#: "Surname: DOE   Given names: Jane" (UK, Australian forms): written "DOE, Jane".
_SPLIT_NAME = re.compile(
    r"\b(?:patient\s+)?(?:surname|family\s+name|last\s+name)\s*:\s*(?P<last>[^\n:]{1,40}?)"
    r"(?:\s{2,}|\t|\n|\s+(?=(?:given|fore|first)))\s*"
    r"(?:given\s+names?|forenames?(?:\s*\(s\))?|first\s+names?|christian\s+names?)\s*:\s*"
    r"(?P<first>[^\n]{1,40})",
    re.IGNORECASE,
)
#: A header block opened by "Patient Information" has the name on the next line, unlabelled.
_PATIENT_BLOCK = re.compile(
    rf"^[ \t]*{_PATIENT_WORD}\s+(?:information|details|demographics)\b[^\n]*\n[ \t]*(?P<v>[^\n]{{1,80}})",
    re.IGNORECASE | re.MULTILINE,
)
#: An unlabelled name that a header line follows with the birth date or record number.
_NAME_BEFORE_ID = re.compile(
    r"^[ \t]*(?P<v>[A-Z][^\n:]{2,50}?)(?:\s{2,}|\t|\s+(?=(?:DOB|D\.O\.B|MRN|Date\s+of\s+birth)\b))"
    r"(?:DOB|D\.O\.B|MRN|Date\s+of\s+birth)\b",
    re.IGNORECASE | re.MULTILINE,
)
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Master|Mme|M)\.?\s+(?=[A-Z])", re.IGNORECASE)
#: Words that end a field label ("Exam date:", "Ordering physician:"); the word
#: before them is part of the label too.
_LABEL_NOUNS: Final = frozenset(
    {
        "date", "time", "date/time", "no", "no.", "number", "num", "#", "id", "code", "type",
        "status", "name", "physician", "provider", "doctor", "dr", "location", "site",
        "address", "phone", "class", "unit", "source", "by",
    }
)  # fmt: skip
_NAME_STOP = re.compile(
    r"\s{2,}|\t|\||;|\(|\d|\b(?:DOB|D\.O\.B|Date|Birth|MRN|MR\s*#|Sex|Gender|Age|Acct|Account|Med(?:ical)?\.?\s*Rec|"
    r"Patient|ID|Accession|Visit|Room|Location|Phone|Address|SSN|Physician|Provider|Ordering|Referring|"
    r"Attending|Doctor|Pathologist|Surgeon|Service|Encounter|Case|Specimen|Collected|Received|Race|"
    r"Ethnicity|Unit|Chart|Insurance|Member|Home|Tel|Fax|Report|Health|NHS|Hosp(?:ital)?|"
    r"Exam|Admission|Admit|Discharged?|Plan|Resulted|Ordered|Treatment|Consultant|Requested|Lab)\b",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’\-.]*,?$")
_NAME_PARTICLES = {
    "de",
    "da",
    "del",
    "della",
    "di",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "bin",
    "al",
    "y",
    "st",
    "st.",
}
_NOT_NAMES = {
    "the",
    "is",
    "an",
    "was",
    "year",
    "old",
    "male",
    "female",
    "man",
    "woman",
    "patient",
    "unknown",
    "redacted",
    "none",
    "n/a",
    "na",
    "name",
    "not",
    "no",
    "yes",
    "and",
    "with",
    "for",
    "this",
    "who",
    "has",
    "had",
    "presents",
    "here",
    "seen",
    "information",
    "copy",
    "confidential",
    "history",
    "report",
    "dob",
    "mrn",
    "test",
    "sample",
    "anonymous",
    "removed",
    "withheld",
    "same",
    "above",
    "see",
    "of",
    "in",
    "on",
    "to",
    "from",
    "at",
    "by",
    "left",
    "right",
    "tissue",
    "specimen",
    "inpatient",
    "outpatient",
    "specimens",
    "submitted",
    "diagnosis",
    "final",
    "clinical",
    "surgical",
    "pathology",
    "gross",
    "deceased",
    "female,",
    "male,",
    "page",
    "address",
    "street",
    "hospital",
    "clinic",
    "center",
    "medical",
    "laboratory",
}
_PHYSICIAN = re.compile(
    r"\b(?:Dr|M\.?D|D\.?O|Ph\.?D|RN|NP|PA-C|FACS|FACP|MBBS|DNP|CRNP)\b\.?", re.IGNORECASE
)


def _cut_next_label(value: str) -> str:
    """The value before the next column's label: pypdf joins two-column headers
    with single spaces ("DOE, JANE Exam date: 10/08/2026")."""
    colon = value.find(":")
    if colon == -1:
        return value
    tokens = value[:colon].split()
    if not tokens:
        return ""
    drop = 1
    if tokens[-1].lower() in _LABEL_NOUNS and len(tokens) >= 2:
        drop = 2
        # "Date of Service:", "Date of Birth:": a three-word label.
        if len(tokens) >= 4 and tokens[-3].lower() == "of":
            drop = 4
    elif len(tokens) >= 3 and tokens[-2].lower() == "of":
        drop = 3
    return " ".join(tokens[:-drop]) if len(tokens) > drop else ""


def _clean_name(value: str) -> str | None:
    value = _HONORIFIC.sub("", value.strip())
    stop = _NAME_STOP.search(value)
    if stop:
        value = value[: stop.start()]
    value = _cut_next_label(value)
    value = value.strip(" \t,:;-_")
    if value.endswith(".") and not re.search(r"(?:^|\s)[A-Za-z]\.$", value):
        value = value[:-1].rstrip()
    if not value or _PHYSICIAN.search(value):
        return None
    tokens = value.split()
    if not 1 <= len(tokens) <= 5:
        return None
    letters = 0
    for tok in tokens:
        if not _NAME_TOKEN.match(tok):
            return None
        bare = tok.strip(",.").lower()
        if bare in _NOT_NAMES:
            return None
        if tok[0].islower() and bare not in _NAME_PARTICLES:
            return None
        letters += sum(ch.isalpha() for ch in tok)
    # One bare word is a name only when written "Last, First"-style elsewhere;
    # accept it only with a comma or when it is clearly a surname block.
    if len(tokens) == 1 and "," not in value:
        return None
    return value if letters >= 3 else None


def _find_name(text: str) -> str | None:
    split = _SPLIT_NAME.search(text)
    if split:
        name = _clean_name(f"{split.group('last').strip()}, {split.group('first').strip()}")
        if name:
            return name
    for m in _NAME_LABEL.finditer(text):
        name = _clean_name(m.group("v"))
        if name:
            return name
        # The value may stand on the next line ("Patient Name:\nDOE, JANE").
        if not m.group("v").strip():
            nxt = text[m.end() :].lstrip("\n").split("\n", 1)[0]
            name = None if ":" in nxt else _clean_name(nxt)
            if name:
                return name
    head = text[:TITLE_CHARS]
    for pattern in (_PATIENT_BLOCK, _NAME_BEFORE_ID):
        for m in pattern.finditer(head):
            name = _clean_name(m.group("v"))
            if name:
                return name
    return None


_DOB_LABEL = re.compile(
    r"(?:\bD\.?\s?[O0]\.?\s?B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthdate\b|\bborn(?:\s+on)?\b)"
    r"(?:\s*/\s*age)?\s*[:#-]?\s*",
    re.IGNORECASE,
)


def _find_birth_date(text: str, today: date, *, dayfirst: bool = False) -> str | None:
    for m in _DOB_LABEL.finditer(text):
        window = text[m.end() : m.end() + 40]
        d = _DATE_RE.search(window)
        if d and d.start() <= 12:
            value = _match_date(d, today=today, dayfirst=dayfirst)
            if value is not None and value <= today:
                return value.isoformat()
    return None


_MRN = re.compile(
    r"(?:^|(?<=[^\w]))(?:MRN|MR\s*#|MR\s*No\.?|Med(?:ical)?\.?\s*Rec(?:ord)?\.?\s*(?:#|No\.?|Number|Num\.?)?|"
    r"Patient\s*(?:ID|#|No\.?|Number)|Pt\.?\s*ID|Unit\s+(?:No\.?|Number)|Chart\s*(?:#|No\.?|Number)|"
    r"Hospital\s+(?:#|No\.?|Number))"
    r"(?![A-Za-z])\s*[:#.]?\s*(?:#\s*)?(?P<v>[A-Z0-9][A-Z0-9\-]{2,24})(?![\w-])",
    re.IGNORECASE | re.MULTILINE,
)


def _find_mrn(text: str) -> str | None:
    for m in _MRN.finditer(text):
        value = m.group("v").strip("-")
        if sum(ch.isdigit() for ch in value) >= 3:
            return value
    return None


def find_patient(text: str, *, today: date | None = None) -> Patient:
    """Name, birth date and record number as the text states them (None when absent)."""
    today = today or date.today()
    head = text[:MAX_PATIENT_CHARS]
    return Patient(
        name=_find_name(head),
        birth_date=_find_birth_date(head, today, dayfirst=day_first(text)),
        id=_find_mrn(head),
    )


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def _confidence(top: float, second: float) -> float:
    strength = 1.0 - math.exp(-top / 6.0)
    margin = (top - second) / top if top > 0 else 0.0
    return strength * (0.55 + 0.45 * margin)


def classify_text(
    text: str, *, name: str | None = None, ocr: bool = False, today: date | None = None
) -> Classification:
    """Classify a document from its text (and, weakly, its file name).

    ``ocr`` says the text was read by OCR (confidence is lowered); ``today``
    bounds plausible dates (tests). Never raises for any input string.
    """
    text = normalize(text[:MAX_CLASSIFY_CHARS])
    scores, hits = _score_kinds(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    patient = find_patient(text, today=today)
    hint = classify_filename(name) if name else None

    evidence: list[str] = []
    if ranked and ranked[0][1] >= MIN_SCORE:
        kind, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = _confidence(top, second)
        kind_hits = sorted(hits[kind], key=lambda h: h.score, reverse=True)
        evidence.extend(h.label for h in kind_hits[:6])
        if hint == kind:
            confidence = min(1.0, confidence + 0.05)
            evidence.append(f"file name '{name}'")
        titled = [h for h in kind_hits if h.title_pos is not None]
        if titled:
            first = min(titled, key=lambda h: h.title_pos or 0)
            title = first.rule.title or _sentence_case(first.matched)
        else:
            title = DEFAULT_TITLES[kind]
    elif hint is not None:
        kind, confidence = hint, 0.3
        evidence.append(f"file name '{name}' (the text says too little)")
        title = DEFAULT_TITLES[kind]
    else:
        kind = "other"
        top = ranked[0][1] if ranked else 0.0
        confidence = 0.1 + 0.05 * top
        if ranked:
            evidence.append(f"weak signs of {ranked[0][0]} only")
        title = DEFAULT_TITLES["other"]

    best_date, date_how = _service_date(text, kind, today=today)
    noise = noise_ratio(text)
    if noise > 0.03:
        # Noisy OCR layer: words may be wrong, headings may be missing.
        confidence *= 0.85 if noise < 0.15 else 0.7
        evidence.append("text looks like noisy OCR")
    if ocr:
        confidence *= 0.9
        evidence.append("text read by OCR")
    if date_how:
        evidence.append(date_how)
    return Classification(
        kind=kind,
        title=title,
        date=best_date.value.isoformat() if best_date else None,
        patient=patient,
        confidence=round(max(0.0, min(0.99, confidence)), 3),
        evidence=tuple(evidence),
        date_order=date_order(text),
        date_ambiguous=bool(best_date and best_date.ambiguous),
    )


def classify_unreadable(name: str | None, *, reason: str) -> Classification:
    """A low-confidence verdict for a file whose text cannot be read.

    The kind comes from the file name when it hints one, else ``other``;
    ``reason`` ("password-protected", "no text layer") goes into the evidence.
    """
    hint = classify_filename(name) if name else None
    if hint is not None:
        return Classification(
            hint,
            DEFAULT_TITLES[hint],
            None,
            Patient(),
            0.2,
            (f"file name '{name}'", f"contents not read: {reason}"),
        )
    return Classification(
        "other", DEFAULT_TITLES["other"], None, Patient(), 0.05, (f"contents not read: {reason}",)
    )
