"""The patient a record's text names: name, birth date, record number."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from recordpack.classify.dates import DATE_RE, FOREIGN_BIRTH_LABELS, day_first, match_date
from recordpack.classify.text import MAX_PATIENT_CHARS, TITLE_CHARS
from recordpack.model import Patient

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
    r"(?:\bD\.?\s?[O0]\.?\s?B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthdate\b|\bborn(?:\s+on)?\b|"
    rf"{FOREIGN_BIRTH_LABELS})"
    r"(?:\s*/\s*age)?\s*[:#-]?\s*",
    re.IGNORECASE,
)


def find_birth_date(text: str, today: date, *, dayfirst: bool = False) -> str | None:
    """The first labelled birth date in ``text`` (ISO), or None."""
    for m in _DOB_LABEL.finditer(text):
        window = text[m.end() : m.end() + 40]
        d = DATE_RE.search(window)
        if d and d.start() <= 12:
            value = match_date(d, today=today, dayfirst=dayfirst)
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


def find_patient(text: str, *, today: date | None = None, dayfirst: bool | None = None) -> Patient:
    """Name, birth date and record number as the text states them (None when absent).

    ``dayfirst`` None decides from the text itself (:func:`recordpack.classify.dates.day_first`).
    """
    today = today or date.today()
    head = text[:MAX_PATIENT_CHARS]
    if dayfirst is None:
        dayfirst = day_first(text)
    return Patient(
        name=_find_name(head),
        birth_date=find_birth_date(head, today, dayfirst=dayfirst),
        id=_find_mrn(head),
    )
