"""Which kind a document is: the rule scores, the file-name hint, and the verdict."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from recordpack.classify.dates import DAY_FIRST, date_matches, date_order, service_date
from recordpack.classify.letters import OWN_LETTER, LetterVerdict, clinical_letter, request_sign
from recordpack.classify.patient import find_birth_date, find_patient
from recordpack.classify.rules import requirements, score_kinds, sentence_case
from recordpack.classify.status import text_status
from recordpack.classify.text import (
    MAX_CLASSIFY_CHARS,
    MAX_PATIENT_CHARS,
    fold,
    noise_ratio,
    normalize,
)
from recordpack.model import KIND_WORDING, Patient, with_article

#: Characters of a document its kind is read from (about four pages).
SCORE_CHARS: Final = 12_000
#: Below this score the text says too little to name a kind.
MIN_SCORE: Final = 3.0

#: Default titles, when the document's own heading gives none.
DEFAULT_TITLES: Final[dict[str, str]] = {k: w.title for k, w in KIND_WORDING.items()}

P, IR, LAB, GEN = "pathology_report", "imaging_report", "lab_result", "genomic_report"
NOTE, OP, TX, MED = "clinical_note", "operative_report", "treatment_plan", "medication_list"
DS, SUM, ADM = "discharge_summary", "patient_summary", "administrative"


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
    #: True when nothing in the text is medical (a bank statement, a recipe,
    #: source code): scanners skip it as "not a medical record".
    not_record: bool = False
    #: What its own header says when it is not final (``model.RECORD_STATUSES``).
    status: str | None = None


_NAME_HINTS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            P,
            (
                r"(?:^|_)(?:path(?:ology)?|surg_?path|biopsy|bx|cytology|cyto|histology|ihc|"
                r"hemepath|bone_?marrow|flow_?cytometry)(?:_|$)"
            ),
        ),
        (
            GEN,
            (
                r"(?:^|_)(?:genomic\w*|genetic\w*|ngs|foundation\w*|guardant\w*|tempus|caris|oncotype\w*|"
                r"molecular|brca\w*|germline|mutation\w*)(?:_|$)"
            ),
        ),
        (
            IR,
            (
                r"(?:^|_)(?:radiology|imaging|ct|cat_?scan|mri|mr|pet|pet_?ct|pet_?scan|x_?ray|xr|cxr|"
                r"mammo\w*|ultrasound|us|sono\w*|bone_?scan)(?:_|$)"
            ),
        ),
        (
            LAB,
            (
                r"(?:^|_)(?:labs?|lab_?results?|laboratory|bloodwork|blood_?work|cbc|cmp|bmp|psa|cea|"
                r"tumor_?markers?)(?:_|$)"
            ),
        ),
        (
            OP,
            (
                r"(?:^|_)(?:op_?note|operative\w*|operation|surgery|surgical|procedure|colonoscopy|"
                r"endoscopy|bronchoscopy)(?:_|$)"
            ),
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
            (
                r"(?:^|_)(?:insurance|ins_?card|card|referral|authori[sz]ation|prior_?auth|consent|billing|"
                r"bill|invoice|eob|statement|claim)(?:_|$)"
            ),
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


#: Words that show a text is about health care; a medical record has several.
_MEDICAL_WORDS: Final = re.compile(
    r"\b(?:patient|pt|diagnos\w*|physician|doctor|dr|m\.?d|hospital\w*|clinic\w*|medic\w*|mg|mcg|"
    r"ng/ml|mg/dl|g/dl|mmol/l|treatment|therap\w*|symptoms?|exam(?:s|ination\w*|ined|iner)?|history|laborator\w*|lab|blood|"
    r"surg\w*|pain|diseases?|cancer|carcinoma\w*|tumou?rs?|prescri\w*|nurs\w*|health|dob|"
    r"date\s+of\s+birth|mrn|allerg\w*|biops\w*|scans?|x-?rays?|radiolog\w*|patholog\w*|specimens?|"
    r"insurance|member\s+id|vitals?|pulse|blood\s+pressure|dose|infection|chronic|acute|chemo\w*|"
    r"radiation|oncolog\w*|imaging|ultrasound|mri|ct|pet|ecg|ekg|heart|lungs?|kidneys?|liver|breast|"
    r"prostate|colon|vaccin\w*|immuni[sz]\w*|pharmac\w*|cholesterol|glucose|hemoglobin|platelets?|"
    r"wbc|psa|cea|provider|encounter|visit|consent|procedure|anesthe\w*|referral|fever|cough|nausea|"
    r"copay|deductible|claim|prior\s+authori[sz]ation|medicare|medicaid|hba1c|bmi|weight|rx|"
    r"cbc|hgb|hct|plt|bmp|cmp|inr|a1c|tsh|ldl|hdl|consult\w*|mammogra\w*|sonogra\w*)\b",
    re.IGNORECASE,
)
#: Signs of papers that are not records: money, cooking, software, licences, config files.
_NON_RECORD_SIGNS: Final = (
    re.compile(
        r"\b(?:opening|closing|available|ending)\s+balance\b|\bstatement\s+period\b", re.IGNORECASE
    ),
    re.compile(r"\bwithdrawals?\b|\bdeposits?\b|\binterest\s+(?:earned|rate)\b", re.IGNORECASE),
    re.compile(
        r"\bingredients\b|\bpreheat\b|\b(?:tablespoons?|teaspoons?|tbsp|tsp)\b", re.IGNORECASE
    ),
    re.compile(r"\bbak(?:e|ing)\b|\bserves\s+\d|\boven\b|\bwhisk\b", re.IGNORECASE),
    re.compile(r"^#{1,6} \S|^```", re.MULTILINE),
    re.compile(
        r"\bpermission\s+is\s+hereby\s+granted\b|\bredistributions?\b|\bcopyright\s+\(c\)",
        re.IGNORECASE,
    ),
    re.compile(r"\bwithout\s+warrant(?:y|ies)\b|\blicen[cs]e[ds]?\b", re.IGNORECASE),
    re.compile(
        r"^\s*(?:def|class|import|from|function|const|var|let|public|private|#include)\b",
        re.MULTILINE,
    ),
    re.compile(r"[{};]\s*$|\breturn\b|==|\)\s*\{|=>", re.MULTILINE),
    re.compile(r"^\s*[\w.-]+:\s*(?:\S+)?\s*$(?:\n^\s+[\w.-]+:\s.*$){2,}", re.MULTILINE),
    re.compile(r"\bpip\s+install\b|\bnpm\b|\bgit\s+clone\b|\bpull\s+requests?\b", re.IGNORECASE),
)
#: A text with at most this many distinct medical words is not a record when it
#: also shows NON_RECORD_MIN signs of another kind of paper.
MEDICAL_FEW: Final = 3
NON_RECORD_MIN: Final = 2
#: A text judged by the absence of medical words has at least this many words.
MIN_WORDS: Final = 8
_ANY_WORD: Final = re.compile(r"[^\W\d_]{2,}")
#: Confidence factor for a kind that rests on words alone.
THIN_EVIDENCE_FACTOR: Final = 0.8


def _not_a_record(text: str, top: float, *, ocr: bool, hint: str | None) -> bool:
    """Whether ``text`` shows no sign of being a medical record (KINDS.md).

    Another kind of paper (bank statement, recipe, code, licence) with few
    medical words, or, for a text layer that is not OCR, not one medical word
    and no kind's evidence at all. Noisy OCR of a real record can lose
    its words, and a file named like a record ("path_report.pdf") may be a
    poor scan: those are skipped only on signs of another kind of paper.
    """
    medical: set[str] = set()
    for m in _MEDICAL_WORDS.finditer(text[:20_000]):
        medical.add(m.group().lower())
        if len(medical) > MEDICAL_FEW:
            return False
    others = sum(1 for sign in _NON_RECORD_SIGNS if sign.search(text[:20_000]))
    if others >= NON_RECORD_MIN:
        return True
    # A few characters with nothing to go on are not judged a paper of any kind.
    words = len(_ANY_WORD.findall(text[:2_000]))
    return not ocr and hint is None and not medical and top < MIN_SCORE and words >= MIN_WORDS


def _confidence(top: float, second: float) -> float:
    strength = 1.0 - math.exp(-top / 6.0)
    margin = (top - second) / top if top > 0 else 0.0
    return strength * (0.55 + 0.45 * margin)


def _letter(text: str, verdict: LetterVerdict, today: date | None) -> Classification:
    """A letter asking for records: filed as itself, never as what it asks for."""
    order = date_order(text, date_matches(text))
    best, how = service_date(text, verdict.kind, today=today, dayfirst=order == DAY_FIRST)
    return Classification(
        kind=verdict.kind,
        title=verdict.title,
        date=best.value.isoformat() if best else None,
        patient=find_patient(text, today=today, dayfirst=order == DAY_FIRST),
        confidence=0.9,
        evidence=(verdict.evidence, *((how,) if how else ())),
        date_order=order,
        date_ambiguous=bool(best and best.ambiguous),
    )


#: A doctor's letter telling a clinic note's parts is as sure a clinic note as its parts make it.
CLINICAL_LETTER_CONFIDENCE: Final = 0.75
CLINICAL_LETTER_TITLE: Final = "Clinic letter"


def _clinical_letter(
    found: Classification, why: str, text: str, today: date | None
) -> Classification:
    """A doctor's letter about the patient that also asks for records: a clinic letter,
    a ``clinical_note`` (KINDS.md), whatever its words scored."""
    if found.kind == NOTE:
        return replace(
            found,
            title=CLINICAL_LETTER_TITLE if found.title == DEFAULT_TITLES[NOTE] else found.title,
            confidence=max(found.confidence, CLINICAL_LETTER_CONFIDENCE),
            evidence=(*found.evidence, why),
        )
    order = date_order(text, date_matches(text))
    best, how = service_date(text, NOTE, today=today, dayfirst=order == DAY_FIRST)
    return replace(
        found,
        kind=NOTE,
        title=CLINICAL_LETTER_TITLE,
        date=best.value.isoformat() if best else None,
        confidence=CLINICAL_LETTER_CONFIDENCE,
        evidence=(why, *((how,) if how else ())),
        date_order=order,
        date_ambiguous=bool(best and best.ambiguous),
        not_record=False,
    )


#: A record's own structure: its title and its sections, this many at least,
#: outweighs a request for records written on it or in front of it.
RECORD_STRUCTURE: Final = 2
#: Kinds that are no record a letter could be mistaken for.
_NOT_RECORDS: Final = frozenset({ADM, "other"})
QUOTED_REQUEST_EVIDENCE: Final = (
    "a request for records in its text, but its own title and sections say what it is"
)
AFTER_LETTER_EVIDENCE: Final = "the record follows a letter about records in the same file"


@dataclass(frozen=True)
class _Reading:
    """A text's kind as its rules read it, and how much of a record's structure it shows."""

    classification: Classification
    #: The kind's own title (1) and distinct sections at a line's start.
    structure: int
    #: Where each title or section of a record kind starts, in order.
    record_starts: tuple[int, ...]

    def is_record(self) -> bool:
        return (
            self.classification.kind not in _NOT_RECORDS
            and not self.classification.not_record
            and self.structure >= RECORD_STRUCTURE
        )


def _with_evidence(found: Classification, why: str) -> Classification:
    return replace(found, evidence=(*found.evidence, why))


def classify_text(
    text: str,
    *,
    name: str | None = None,
    ocr: bool = False,
    today: date | None = None,
    own_letter: bool = False,
) -> Classification:
    """Classify a document from its text (and, weakly, its file name).

    ``ocr`` says the text was read by OCR (confidence is lowered); ``today``
    bounds plausible dates (tests); ``own_letter`` says the file's container
    (a PDF's metadata) marks it as a request letter recordpack wrote. Never
    raises for any input string.
    """
    text = normalize(text[:MAX_CLASSIFY_CHARS])
    sign = None if own_letter else request_sign(text)
    if own_letter or (sign is not None and sign.verdict is OWN_LETTER):
        return _letter(text, OWN_LETTER, today)
    found = _read_kind(text, name=name, ocr=ocr, today=today)
    if sign is None:
        return found.classification
    if found.is_record():
        # A stamp, a header line or a quoted request on a record.
        return _with_evidence(found.classification, QUOTED_REQUEST_EVIDENCE)
    # A cover letter or an authorisation in front of the record, in one file.
    after = next((start for start in found.record_starts if start >= sign.end), None)
    if after is not None:
        rest = _read_kind(text[text.rfind("\n", 0, after) + 1 :], name=name, ocr=ocr, today=today)
        if rest.is_record():
            return _with_evidence(rest.classification, AFTER_LETTER_EVIDENCE)
    why = clinical_letter(text)
    if why is not None:
        return _clinical_letter(found.classification, why, text, today)
    return _letter(text, sign.verdict, today)


def _read_kind(text: str, *, name: str | None, ocr: bool, today: date | None) -> _Reading:
    """What the rules read ``text`` (normalized) as, with the file name as a weak hint."""
    matches = date_matches(text)
    order = date_order(text, matches)
    # The kind is read from the first pages, as a person reads it: title,
    # header, first sections. This also bounds the cost of a 50-page record.
    head = text[:SCORE_CHARS]
    scores, hits = score_kinds(head, fold(head))
    evidence: list[str] = []
    # A kind that needs an issuer's structure (pathology, genomics, imaging)
    # and lacks it is out of the running, however often its words are mentioned.
    ruled_out: set[str] = set()
    for required_kind, requirement in requirements().items():
        if scores.get(required_kind, 0.0) >= MIN_SCORE and not requirement.met(head):
            del scores[required_kind]
            ruled_out.add(required_kind)
            title = DEFAULT_TITLES[required_kind].lower()
            evidence.append(f"not {with_article(title)}: {requirement.why}")
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    patient = find_patient(text, today=today, dayfirst=order == DAY_FIRST)
    hint = classify_filename(name) if name else None
    if hint in ruled_out:
        # "mammo_report.txt" holding a message about the mammogram: the text said what it is not.
        hint = None
    top = ranked[0][1] if ranked else 0.0
    titled_kind: str | None = None

    if ranked and top >= MIN_SCORE:
        kind = ranked[0][0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = _confidence(top, second)
        kind_hits = sorted(hits[kind], key=lambda h: h.score, reverse=True)
        evidence[:0] = [h.label for h in kind_hits[:6]]
        if hint == kind:
            confidence = min(1.0, confidence + 0.05)
            evidence.append(f"file name '{name}'")
        titled = [h for h in kind_hits if h.title_pos is not None]
        if titled:
            first = min(titled, key=lambda h: h.title_pos or 0)
            title = first.rule.title or sentence_case(first.matched)
            titled_kind = kind
        else:
            title = DEFAULT_TITLES[kind]
            if not any(h.anchored for h in kind_hits):
                # Words only: no title and no section of its own.
                confidence *= THIN_EVIDENCE_FACTOR
                evidence.append("no title or section of its own (thin evidence)")
    elif hint is not None:
        kind, confidence = hint, 0.3
        evidence.append(f"file name '{name}' (the text says too little)")
        title = DEFAULT_TITLES[kind]
    else:
        kind = "other"
        confidence = 0.1 + 0.05 * top
        if ranked:
            evidence.append(f"weak signs of {ranked[0][0]} only")
        title = DEFAULT_TITLES["other"]

    not_record = titled_kind is None and _not_a_record(text, top, ocr=ocr, hint=hint)
    if not_record:
        kind, title, confidence = "other", DEFAULT_TITLES["other"], 0.1
        evidence = ["no sign of being a medical record"]

    best_date, date_how = service_date(
        text, kind, today=today, dayfirst=order == DAY_FIRST, matches=matches
    )
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
    status, status_how = (None, None) if not_record else text_status(text)
    if status_how:
        evidence.append(status_how)
    classification = Classification(
        kind=kind,
        title=title,
        date=best_date.value.isoformat() if best_date else None,
        patient=patient,
        confidence=round(max(0.0, min(0.99, confidence)), 3),
        evidence=tuple(evidence),
        date_order=order,
        date_ambiguous=bool(best_date and best_date.ambiguous),
        not_record=not_record,
        status=status,
    )
    own = [h for h in hits.get(kind, ()) if h.anchored or h.title_pos is not None]
    structure = len({h.rule.pattern for h in own if h.anchored}) + (titled_kind is not None)
    starts = sorted(
        h.span[0]
        for other, kind_hits in hits.items()
        if other not in _NOT_RECORDS
        for h in kind_hits
        if h.anchored or h.title_pos is not None
    )
    return _Reading(classification, structure, tuple(starts))


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
    best, how = service_date(text, kind, today=today, dayfirst=True)
    head = text[:MAX_PATIENT_CHARS]
    return DayFirstReading(
        date=best.value.isoformat() if best else None,
        how=how,
        birth_date_month_first=find_birth_date(head, today, dayfirst=False),
        birth_date_day_first=find_birth_date(head, today, dayfirst=True),
    )
