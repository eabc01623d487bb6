"""Code tables and small parsers shared by the structured scanners (C-CDA, FHIR, HL7 v2).

* document codes (LOINC), C-CDA template ids and HL7 v2 tables -> record kind;
* a title/display-name matcher for when codes are missing or local;
* HL7 TS / CDA TS / FHIR dates -> ISO ``YYYY-MM-DD``;
* patient names in one style and identifiers that are never a social security number.

Patient names from structured sources are written ``"Family, Given Middle"``
(case as the source has it), the order HL7 XPN and most printed reports use,
so that one patient reads the same whatever format the record came in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Final

from recordpack.classify import Classification, classify_text
from recordpack.model import Patient
from recordpack.scan.base import Document, Source

LOINC_SYSTEMS: Final = frozenset({"http://loinc.org", "2.16.840.1.113883.6.1", "LN", "LNC", "LOINC"})

#: LOINC document, report and section codes -> kind. Codes a user's record can
#: carry at document level (C-CDA ClinicalDocument/code, FHIR Composition.type,
#: DocumentReference.type, DiagnosticReport.code, HL7 OBR-4).
LOINC_KINDS: Final[dict[str, str]] = {
    # whole-record summaries
    "34133-9": "patient_summary",  # Summarization of episode note (CCD)
    "60591-5": "patient_summary",  # Patient summary document (IPS)
    # discharge and transfer
    "18842-5": "discharge_summary",
    "11490-0": "discharge_summary",  # Physician discharge summary
    "28655-9": "discharge_summary",  # Physician attending discharge summary
    "34745-0": "discharge_summary",  # Nurse discharge summary
    "18761-7": "discharge_summary",  # Transfer summary note
    # notes
    "11488-4": "clinical_note",  # Consult note
    "34847-4": "clinical_note",  # Surgery consult note
    "34117-2": "clinical_note",  # History and physical note
    "47039-3": "clinical_note",  # Inpatient admission history and physical
    "34095-0": "clinical_note",  # Comprehensive history and physical
    "11506-3": "clinical_note",  # Progress note
    "57133-1": "clinical_note",  # Referral note
    "34109-9": "clinical_note",  # Note
    "34108-1": "clinical_note",  # Outpatient note
    "34111-5": "clinical_note",  # Emergency department note
    "34746-8": "clinical_note",  # Nurse note
    "51847-2": "clinical_note",  # Evaluation + plan note
    "68609-7": "clinical_note",  # Hospital consult note
    # imaging reports
    "18748-4": "imaging_report",  # Diagnostic imaging study
    "18747-6": "imaging_report",  # CT study report
    "18755-9": "imaging_report",  # MRI study report
    "18760-9": "imaging_report",  # Ultrasound study report
    "18782-3": "imaging_report",  # Radiology study observation
    "18726-0": "imaging_report",  # Radiology studies (set)
    "38269-7": "imaging_report",  # DXA bone densitometry
    "24627-2": "imaging_report",  # CT chest
    "24725-4": "imaging_report",  # CT head
    "36643-5": "imaging_report",  # XR chest 2 views
    "24606-6": "imaging_report",  # MG breast screening
    "44136-0": "imaging_report",  # PET whole body
    # operations and procedures
    "11504-8": "operative_report",  # Surgical operation note
    "28570-0": "operative_report",  # Procedure note
    "34137-0": "operative_report",  # Surgical operation note (outpatient)
    # plans
    "52521-2": "treatment_plan",  # Overall plan of care
    "18776-5": "treatment_plan",  # Plan of care note
    "61145-9": "treatment_plan",  # Plan of care (set)
    "81334-5": "other",  # Patient personal advance care plan: wishes, not treatment
    # pathology
    "11526-1": "pathology_report",  # Pathology study
    "11529-5": "pathology_report",  # Surgical pathology study
    "60568-3": "pathology_report",  # Pathology synoptic report
    "60567-5": "pathology_report",  # Comprehensive pathology report panel
    "22637-3": "pathology_report",  # Pathology report final diagnosis
    "22634-0": "pathology_report",  # Pathology report gross observation
    "33717-0": "pathology_report",  # Cytology study
    "47527-7": "pathology_report",  # Cytology report of cervical or vaginal smear
    "18743-5": "pathology_report",  # Autopsy report
    # laboratory
    "11502-2": "lab_result",  # Laboratory report
    "26436-6": "lab_result",  # Laboratory studies (set)
    "30954-2": "lab_result",  # Relevant diagnostic tests/laboratory data (results section)
    # genomics
    "51969-4": "genomic_report",  # Genetic analysis report
    "81247-9": "genomic_report",  # Master HL7 genetic variant reporting panel
    "55232-3": "genomic_report",  # Genetic analysis summary panel
    # medications and allergies
    "10160-0": "medication_list",  # History of medication use
    "29549-3": "medication_list",  # Medications administered
    "48765-2": "medication_list",  # Allergies and adverse reactions
    "56445-0": "medication_list",  # Medication summary
}

#: Plain-language titles for LOINC document codes when a file has no title.
LOINC_TITLES: Final[dict[str, str]] = {
    "34133-9": "Continuity of care document",
    "18842-5": "Discharge summary",
    "11488-4": "Consultation note",
    "34117-2": "History and physical",
    "11506-3": "Progress note",
    "18748-4": "Diagnostic imaging report",
    "11504-8": "Operative note",
    "28570-0": "Procedure note",
    "52521-2": "Care plan",
    "11526-1": "Pathology report",
    "51969-4": "Genetic analysis report",
    "11502-2": "Laboratory report",
    "47527-7": "Cervical cytology (Pap) report",
    "22637-3": "Pathology report: final diagnosis",
    "60568-3": "Pathology synoptic report",
    "11529-5": "Surgical pathology report",
    "11490-0": "Discharge summary",
    "38269-7": "Bone densitometry (DXA) report",
}

_CDA = "2.16.840.1.113883.10.20.22."
#: C-CDA R2.1 document and section template ids -> kind (None: says nothing).
CDA_TEMPLATE_KINDS: Final[dict[str, str | None]] = {
    _CDA + "1.1": None,  # US Realm header: every document has it
    _CDA + "1.10": None,  # Unstructured document: the attachment decides
    _CDA + "1.2": "patient_summary",  # Continuity of Care Document
    _CDA + "1.3": "clinical_note",  # History and physical
    _CDA + "1.4": "clinical_note",  # Consultation note
    _CDA + "1.5": "imaging_report",  # Diagnostic imaging report
    _CDA + "1.6": "operative_report",  # Procedure note
    _CDA + "1.7": "operative_report",  # Operative note
    _CDA + "1.8": "discharge_summary",  # Discharge summary
    _CDA + "1.9": "clinical_note",  # Progress note
    _CDA + "1.13": "discharge_summary",  # Transfer summary
    _CDA + "1.14": "clinical_note",  # Referral note
    _CDA + "1.15": "treatment_plan",  # Care plan
    # sections (for fragments)
    _CDA + "2.3": "lab_result",  # Results (entries optional)
    _CDA + "2.3.1": "lab_result",  # Results (entries required)
    _CDA + "2.1": "medication_list",
    _CDA + "2.1.1": "medication_list",
    _CDA + "2.6": "medication_list",  # Allergies
    _CDA + "2.6.1": "medication_list",
    _CDA + "2.65": "clinical_note",  # Notes section
    _CDA + "2.10": "treatment_plan",  # Plan of treatment
    "2.16.840.1.113883.10.20.6.1.1": "imaging_report",  # DICOM object catalog (DIR)
    "2.16.840.1.113883.10.20.6.1.2": "imaging_report",  # Findings (DIR)
    "2.16.840.1.113883.10.20.6": "imaging_report",  # Diagnostic imaging report (older)
}

#: HL7 v2 table 0270 (TXA-2 document type) -> kind.
HL7_DOCUMENT_TYPES: Final[dict[str, str]] = {
    "AR": "pathology_report",  # Autopsy report
    "CD": "clinical_note",  # Cardiodiagnostics
    "CN": "clinical_note",  # Consultation
    "DI": "imaging_report",  # Diagnostic imaging
    "DS": "discharge_summary",  # Discharge summary
    "ED": "clinical_note",  # Emergency department report
    "HP": "clinical_note",  # History and physical
    "OP": "operative_report",  # Operative report
    "PC": "clinical_note",  # Psychiatric consultation
    "PH": "clinical_note",  # Psychiatric history and physical
    "PN": "operative_report",  # Procedure note
    "PR": "clinical_note",  # Progress note
    "SP": "pathology_report",  # Surgical pathology
    "TS": "discharge_summary",  # Transfer summary
}

#: HL7 v2 table 0074 diagnostic service sections (OBR-24, FHIR DiagnosticReport.category).
DIAGNOSTIC_SERVICE_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys(("LAB", "CH", "HM", "SR", "BG", "BLB", "IMM", "MB", "MCB", "MYC", "OSL", "TX", "VR"), "lab_result"),
    **dict.fromkeys(("RAD", "RX", "CT", "NMR", "NMS", "RUS", "OUS", "VUS", "CUS", "XRC"), "imaging_report"),
    **dict.fromkeys(("PAT", "SP", "CP"), "pathology_report"),
    "GE": "genomic_report",  # genetics
    "CG": "genomic_report",  # cytogenetics
    "RT": "treatment_plan",  # radiation therapy
    "OTH": "other",
}

# Title / display-name matcher: ordered (kind, pattern) rows, first match wins.
# Specific subjects come before generic words ("surgical pathology" is pathology,
# "discharge medications" is a medication list only when nothing else says more).
_TITLE_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("other", r"advance (care|directive)"),
        ("pathology_report", (r"patholog|cytolog|biops|histolog|pap (smear|test)|bone marrow|"
                             r"immunohisto|flow cytometry")),
        ("genomic_report", (r"genom|genetic|pharmacogen|molecular profil|sequenc|\bvariants?\b|"
                           r"\bngs\b|germline|somatic|\bpgx")),
        ("discharge_summary", r"discharge summ|transfer summ|discharge note"),
        ("patient_summary", (r"summar(y|ization) of (an )?episode|continuity of care|health summary|"
                            r"patient summary|chart summary|summary of (patient )?chart")),
        ("imaging_report", (r"radiolog|imaging|x-?ray|radiograph|\bct\b|computed tomograph|\bmri?\b|"
                           r"magnetic resonance|ultraso|sonogra|mammogra|\bpet\b|densitometry|"
                           r"\bdxa\b|\bdexa\b|echocardio|\becho\b")),
        ("operative_report", (r"operative|surgical operation|operation note|procedure note|"
                             r"op note")),
        ("treatment_plan", (r"plan of (care|treatment)|care plan|treatment (plan|summary)|"
                           r"radiotherapy|radiation (therapy|treatment)|chemotherapy")),
        ("medication_list", r"medication|allerg|prescri"),
        ("lab_result", (r"laborator|\blabs?\b|\bpanel\b|blood count|\bcbc\b|chemistry|hematolog|"
                       r"urinalysis|culture|tumou?r marker")),
        ("clinical_note", (r"consult|progress note|history (and|&) physical|\bh&p\b|referral|"
                          r"clinic note|office visit|visit note|nurs(e|ing) note|\bnotes?\b")),
    )
)


def kind_from_title(*texts: str | None) -> tuple[str, str] | None:
    """The kind a title or code display name suggests, with the words that matched."""
    for text in texts:
        if not text:
            continue
        for kind, pattern in _TITLE_RULES:
            match = pattern.search(text)
            if match:
                return kind, match.group(0)
    return None


def loinc_kind(codes: Iterable[tuple[str | None, str | None]]) -> tuple[str, str] | None:
    """The kind of the first (system, code) pair found in the LOINC table, with the code."""
    for system, code in codes:
        if code and code in LOINC_KINDS and (system is None or system in LOINC_SYSTEMS):
            return LOINC_KINDS[code], code
    return None


# --- dates -------------------------------------------------------------------

_TS = re.compile(r"^\s*(\d{4})(\d{2})?(\d{2})?")
_ISO = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _iso(year: str, month: str | None, day: str | None) -> str | None:
    if month is None or day is None:
        return None  # a partial date cannot be shown as a day without inventing one
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def hl7_date(value: str | None) -> str | None:
    """ISO date of an HL7 v2 / CDA timestamp (``YYYYMMDD[HHMM[SS]][+ZZZZ]``), as written.

    The date is the one the source wrote (its local time): converting to UTC
    would move a late-evening visit to the next day.
    """
    if not value:
        return None
    match = _TS.match(value)
    if not match:
        return None
    return _iso(match.group(1), match.group(2), match.group(3))


def fhir_date(value: str | None) -> str | None:
    """ISO date of a FHIR ``date``/``dateTime``/``instant`` as written (no time zone shift)."""
    if not value or not isinstance(value, str):
        return None
    return _fhir_date(value)


@functools.lru_cache(maxsize=4096)
def _fhir_date(value: str) -> str | None:
    """:func:`fhir_date` of a string: an export of 400,000 resources holds a few
    thousand distinct dates, each parsed once."""
    match = _ISO.match(value)
    if not match:
        return None
    return _iso(match.group(1), match.group(2), match.group(3))


# --- patients ----------------------------------------------------------------

#: Identifier roots, systems and types that hold a social security number: never output.
SSN_MARKERS: Final = frozenset({
    "2.16.840.1.113883.4.1",
    "http://hl7.org/fhir/sid/us-ssn",
    "urn:oid:2.16.840.1.113883.4.1",
    "SS",
    "SSN",
    "SSA",
    "USSSA",
})


def format_name(family: str | None, given: Sequence[str] = ()) -> str | None:
    """``"Family, Given Middle"`` from name parts; None when there is nothing."""
    family = (family or "").strip()
    given_text = " ".join(g.strip() for g in given if g and g.strip())
    if family and given_text:
        return f"{family}, {given_text}"
    return family or given_text or None


def merge_patients(first: Patient, second: Patient) -> Patient:
    """``first`` with its unknown fields filled from ``second``."""
    return Patient(
        name=first.name or second.name,
        birth_date=first.birth_date or second.birth_date,
        id=first.id or second.id,
    )


_SSN_SHAPE = re.compile(r"^\d{3}-\d{2}-\d{4}$")


def is_ssn(value: str, *markers: str | None) -> bool:
    """Whether an identifier is (or looks like) a US social security number.

    ``markers`` are its root, system, type or assigning authority. An untyped
    ``123-45-6789`` is treated as one too: leaking it costs more than losing it.
    """
    if any(m and m.strip() in SSN_MARKERS for m in markers):
        return True
    return bool(_SSN_SHAPE.match(value.strip()))


# --- free text inside structured files ----------------------------------------

#: Below this, classify_text's verdict is not trusted over a document's codes.
STRONG_TEXT_CONFIDENCE: Final = 0.6

#: Extracted text kept per record (for content checks); more is cut.
MAX_TEXT_CHARS: Final = 200_000


def classify(text: str, *, name: str | None = None) -> Classification | None:
    """``classify_text`` on narrative text; None when there is no text or it fails.

    A scanner must not stop on a classifier bug, so any exception is swallowed
    here and the caller falls back to the document's codes.
    """
    if not text or not text.strip():
        return None
    try:
        return classify_text(text[:MAX_TEXT_CHARS], name=name)
    except Exception:  # noqa: BLE001 - a classifier bug must not stop a scan
        return None


def scan_pdf_bytes(path: str, data: bytes) -> Document | None:
    """The PDF scanner's verdict on an embedded PDF, or None when it has none."""
    from recordpack.scan import pdf  # late: pdf imports heavy dependencies

    try:
        outcomes = pdf.scan(Source.from_bytes(path, data))
    except Exception:  # noqa: BLE001 - the embedded file is secondary evidence
        return None
    for outcome in outcomes:
        if isinstance(outcome, Document):
            return outcome
    return None


_RTF_DESTINATIONS = re.compile(
    r"\{\\\*[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\{\\(?:fonttbl|colortbl|stylesheet|info|pict)"
    r"[^{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^{}]*)*\}"
)
_RTF_HEX = re.compile(r"\\'([0-9a-fA-F]{2})")
_RTF_BREAK = re.compile(r"\\(?:par|line|row|cell|tab)\b ?")
_RTF_CONTROL = re.compile(r"\\[a-zA-Z]+-?\d* ?|\\[^a-zA-Z']")


def rtf_to_text(rtf: str) -> str:
    """Readable text of an RTF document: good enough to classify, not to render."""
    text = _RTF_DESTINATIONS.sub("", rtf)
    text = _RTF_BREAK.sub("\n", text)
    text = _RTF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]).decode("cp1252", "replace"), text)
    text = _RTF_CONTROL.sub("", text)
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def decode_text(data: bytes) -> str:
    """Bytes of a text attachment as text: UTF-8 (with or without BOM), else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
