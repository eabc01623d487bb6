"""The patient a record's text names: name, birth date, record number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from recordpack.classify.dates import (
    DATE_RE,
    FOREIGN_BIRTH_LABELS,
    birth_date_beside_name,
    day_first,
    match_date,
)
from recordpack.classify.text import MAX_PATIENT_CHARS, TITLE_CHARS, normalize
from recordpack.identity import NameMatch, compare_names, parse_name
from recordpack.model import Patient

# OCR reads "Patient" as "Patlent" or "Pat1ent": the labels tolerate it.
_PATIENT_WORD = r"pat[i1l|!]ent"
#: What may follow a name label before its value: "Name/DOB:" and
#: "Patient Name / MRN:" carry more than the name on one line.
_MORE_LABELS = (
    r"(?:\s*/\s*(?:DOB|D\.O\.B\.?|MRN|ID|Age|Sex|Gender|Birth\s*date|Date\s+of\s+birth)){0,3}"
)
#: A dash set off by spaces separates a label from its value ("Patient - Jane Doe").
_DASH = r"[ \t]+[-\u2013\u2014](?=[ \t])"
_NAME_LABEL = re.compile(
    r"(?:^|(?<=[\t|;])|(?<=\s\s))[ \t]*"
    rf"(?:(?P<full>{_PATIENT_WORD}(?:'s)?\s*(?:full\s+|legal\s+)?name|pt\.?\s*name|name\s+of\s+patient|"
    r"member\s+name)"
    rf"(?:\s*\((?:last|first)[^)]*\))?{_MORE_LABELS}"
    rf"(?:\s*[:#]|{_DASH}|\s{{2,}}|\t|[ \t]+(?=[A-Z])|[ \t]*$)"
    rf"|(?P<short>{_PATIENT_WORD}|pt\.?|name|re|member)(?:\s*\((?:last|first)[^)]*\))?"
    rf"{_MORE_LABELS}(?:\s*:|{_DASH}))"
    r"[ \t]*(?P<v>[^\n]{0,80})",
    re.IGNORECASE | re.MULTILINE,
)
#: "Name DOE, JANE" or "Name   Jane Doe" at the start of a line: a bare label
#: with no colon, taken only before a "Last, First" name or a wide gap.
_BARE_NAME_LABEL = re.compile(
    r"^[ \t]*(?:Name|NAME)(?:[ \t]+(?=[A-Z][A-Za-z'\u2019\-]+,[ \t]*[A-Z])|[ \t]{2,}|\t)"
    r"[ \t]*(?P<v>[^\n]{0,80})",
    re.MULTILINE,
)
#: Labels that name the patient as such (not "RE:", "Name:" or "Member:").
_STRONG_LABEL = re.compile(rf"^\s*(?:{_PATIENT_WORD}|pt\b)", re.IGNORECASE)
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


@dataclass(frozen=True)
class _Named:
    """A name a label gives, where the label starts, and whether it says "patient"."""

    start: int
    name: str
    strong: bool


def _labelled_names(text: str) -> list[_Named]:
    """The first name a label gives in ``text`` and those patient labels give after it."""
    found: list[_Named] = []
    for m in _NAME_LABEL.finditer(text):
        name = _clean_name(m.group("v"))
        # The value may stand on the next line ("Patient Name:\nDOE, JANE").
        if name is None and not m.group("v").strip():
            nxt = text[m.end() :].lstrip("\n").split("\n", 1)[0]
            name = None if ":" in nxt else _clean_name(nxt)
        if name:
            found.append(_Named(m.start(), name, bool(_STRONG_LABEL.match(m.group()))))
    for m in _BARE_NAME_LABEL.finditer(text):
        name = _clean_name(m.group("v"))
        if name:
            found.append(_Named(m.start(), name, False))
    found.sort(key=lambda n: n.start)
    # Later "Name:", "RE:" or "Member:" fields may be someone else on purpose (an
    # emergency contact, a quoted letter): only patient labels count after the first.
    return found[:1] + [n for n in found[1:] if n.strong]


def _unlabelled_name(text: str) -> str | None:
    head = text[:TITLE_CHARS]
    for pattern in (_PATIENT_BLOCK, _NAME_BEFORE_ID):
        for m in pattern.finditer(head):
            name = _clean_name(m.group("v"))
            if name:
                return name
    return None


#: What may follow "City, " on a letterhead's place-and-date line ("Portland, Oregon
#: 10/14/2026"): US states and Canadian provinces, written out or as postal codes. A
#: name line whose given name is one of these is read as no name at all.
_PLACES: Final = frozenset(
    {
        "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
        "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa",
        "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan",
        "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada", "ohio",
        "oklahoma", "oregon", "pennsylvania", "tennessee", "texas", "utah", "vermont",
        "virginia", "washington", "wisconsin", "wyoming", "new hampshire", "new jersey",
        "new mexico", "new york", "north carolina", "north dakota", "rhode island",
        "south carolina", "south dakota", "west virginia", "district of columbia",
        "alberta", "british columbia", "manitoba", "new brunswick", "newfoundland and labrador",
        "northwest territories", "nova scotia", "nunavut", "ontario", "prince edward island",
        "quebec", "québec", "saskatchewan", "yukon", "england", "scotland", "wales", "ireland",
        "al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in",
        "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh",
        "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut",
        "vt", "va", "wa", "wv", "wi", "wy", "ab", "bc", "mb", "nb", "nl", "ns", "nt", "nu", "on",
        "pe", "qc", "sk", "yt", "usa", "uk",
    }
)  # fmt: skip


def _name_line(text: str, today: date, dayfirst: bool) -> tuple[str, str] | None:
    """The patient's name and birth date from a header's name line ("Vantreese,
    Rosalind K  09/22/1968"), read only when its date is a birth date by the
    record's other dates and the name is no place ("Portland, Oregon"); else None."""
    found = birth_date_beside_name(text, today=today, dayfirst=dayfirst)
    if found is None:
        return None
    written, born = found
    given = written.partition(",")[2]
    if " ".join(given.split()).lower().strip(".") in _PLACES:
        return None
    name = _clean_name(written)
    return (name, born.isoformat()) if name else None


def _same_person(name: str, other: str) -> bool:
    """Whether two names as written may be one person (not clearly two)."""
    return compare_names(parse_name(name), parse_name(other)) is not NameMatch.DIFFERENT


def _split_name(text: str) -> str | None:
    split = _SPLIT_NAME.search(text)
    if split:
        return _clean_name(f"{split.group('last').strip()}, {split.group('first').strip()}")
    return None


def _people(named: Sequence[_Named]) -> list[list[_Named]]:
    """The labelled names grouped by person: names that are clearly different people apart."""
    people: list[list[_Named]] = []
    for item in named:
        parsed = parse_name(item.name)
        for person in people:
            if compare_names(parse_name(person[0].name), parsed) is not NameMatch.DIFFERENT:
                person.append(item)
                break
        else:
            people.append([item])
    return people


def named_people(text: str) -> tuple[str, ...]:
    """Each different person a patient label of ``text`` names, in reading order.

    More than one means the text holds more than one person's record (a fax
    cover for one patient before another's report, two reports in one file).
    """
    head = normalize(text[:MAX_PATIENT_CHARS])
    return tuple(person[0].name for person in _people(_labelled_names(head)))


def _chosen(text: str) -> tuple[str | None, int, int]:
    """The patient's name and the part of ``text`` that is about them.

    When labels name more than one person, the first named by a patient label
    ("Patient Name:", not a letter's "RE:" line or a fax cover's) is chosen,
    and only its own part of the text (to the next label naming someone else)
    gives the birth date and record number: one person's name is never
    joined to another's birth date or number.
    """
    split = _split_name(text)
    if split:
        return split, 0, len(text)
    named = _labelled_names(text)
    if not named:
        return _unlabelled_name(text), 0, len(text)
    people = _people(named)
    if len(people) == 1:
        return named[0].name, 0, len(text)
    person = next((p for p in people if any(n.strong for n in p)), people[0])
    first = next((n for n in person if n.strong), person[0])
    others = [n.start for p in people if p is not person for n in p]
    start = 0 if first is named[0] else first.start
    end = min((s for s in others if s > first.start), default=len(text))
    return first.name, start, end


_DOB_LABEL = re.compile(
    r"(?:\bD\.?\s?[O0]\.?\s?B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthdate\b|\bborn(?:\s+on)?\b|"
    rf"{FOREIGN_BIRTH_LABELS})"
    r"(?:\s*/\s*age)?\s*[:#-]?\s*",
    re.IGNORECASE,
)


#: A birth-date label joined to a name label by a slash ("Name/DOB:").
_COMBINED_LABEL = re.compile(r"\bname\s*/\s*$", re.IGNORECASE)


def find_birth_date(text: str, today: date, *, dayfirst: bool = False) -> str | None:
    """The first labelled birth date in ``text`` (ISO), or None."""
    for m in _DOB_LABEL.finditer(text):
        window = text[m.end() : m.end() + 40]
        reach = 12
        if _COMBINED_LABEL.search(text, max(0, m.start() - 20), m.start()):
            # "Name/DOB: DOE, JANE  03/14/1962": the date follows the name on its line.
            window = text[m.end() : m.end() + 80].split("\n", 1)[0]
            reach = len(window)
        d = DATE_RE.search(window)
        if d and d.start() <= reach:
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
    name, start, end = _chosen(head)
    part = head[start:end]
    birth_date = find_birth_date(part, today, dayfirst=dayfirst)
    # A name line gives the birth date beside the name ("DOE, JANE  03/14/1962"), and
    # the name itself when no label names anyone.
    line = _name_line(head, today, dayfirst) if name is None or birth_date is None else None
    if line is not None and name is None:
        name, birth_date = line[0], birth_date or line[1]
    elif line is not None and name is not None and _same_person(name, line[0]):
        birth_date = line[1]
    return Patient(name=name, birth_date=birth_date, id=_find_mrn(part))


def birth_date_reads_both_ways(text: str, *, today: date | None = None) -> bool:
    """Whether the birth date :func:`find_patient` takes from ``text`` is written so
    that it reads as two dates, day first or month first (05/11/1963)."""
    today = today or date.today()
    head = normalize(text[:MAX_PATIENT_CHARS])
    _name, start, end = _chosen(head)
    part = head[start:end]
    month_first = find_birth_date(part, today, dayfirst=False)
    day_first_ = find_birth_date(part, today, dayfirst=True)
    return month_first is not None and day_first_ is not None and month_first != day_first_
