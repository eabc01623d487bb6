"""Dates in record text: every date with its label, the service date, day-first or month-first."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

from recordpack.classify.text import MAX_CLASSIFY_CHARS, MAX_PATIENT_CHARS, show

#: Birth-date labels in other languages ("née le 22/07/1959", "geboren am ...").
FOREIGN_BIRTH_LABELS: Final = (
    r"\bn[ée]e?\s+(?:le\b|en\b)?|\bdate\s+de\s+naissance\b|\bgeb(?:oren)?\b\.?(?:\s+am\b)?|"
    r"\bgeburtsdatum\b|\bfecha\s+de\s+nacimiento\b|\bf\.\s?nac\b\.?|\bnacid[oa]\b(?:\s+el\b)?|"
    r"\bdata\s+di\s+nascita\b|\bnat[oa]\s+il\b|\bgeboortedatum\b|\bdata\s+de\s+nascimento\b"
)

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
#: Every date shape, each alternative starting with a digit or a month name.
DATE_SHAPES: Final = (
    r"(?<![\d/.-])(?P<iy>(?:19|20)\d\d)[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?![\d])"
    rf"|(?<![\d/])(?P<dd>\d{{1,2}})(?:st|nd|rd|th)?[-\s./]?(?P<dm>{_MON})\.?[-\s./,]*(?P<dy>(?:19|20)?\d\d)(?!\d)"
    rf"|\b(?P<mm>{_MON})\.?[-\s/]+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?[-\s/]+(?P<my>(?:19|20)\d\d)(?!\d)"
    r"|(?<![\d/.-])(?P<na>\d{1,2})(?P<sep>[/.-])(?P<nb>\d{1,2})(?P=sep)(?P<ny>\d{4}|\d{2})(?![\d/]|\.\d)"
    r"|(?<![\d])(?P<cy>(?:19|20)\d\d)(?P<cm>0[1-9]|1[0-2])(?P<cd>0[1-9]|[12]\d|3[01])(?!\d)"
)
#: :data:`DATE_SHAPES`, behind a look-ahead for the first character any of them
#: can start with (a digit, or the first letter of a month): the same matches,
#: but ``re`` passes over the other characters of a text without trying each
#: shape there, twice as fast over a long record.
DATE_RE: Final = re.compile(rf"(?=[\djfmasond])(?:{DATE_SHAPES})", re.IGNORECASE)

#: Priority of a laboratory's "Date received" / "Specimen received".
_LAB_RECEIPT: Final = 85
#: Priority of a date that is never the record's own: a birth date, an
#: expiry, a visit still to come.
NEVER: Final = -1
#: Priority of a handling date: when the paper was received, faxed, printed,
#: scanned or copied, not when the care happened. Never a record's date (a
#: late copy of an old record is not a recent record), except the snapshot
#: date of a summary or medication list (see :func:`service_date`).
HANDLING: Final = 10

#: Date labels, best first: (priority, pattern). Unlabelled dates rank at 20.
#: A label ending where another ends goes by the one listed first.
_DATE_LABELS: Final[tuple[tuple[int, str], ...]] = (
    (
        NEVER,
        r"\bD\.?\s?O\.?\s?B\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b|\bborn\b|\bDOB/Age\b|"
        # French, Spanish, German, Italian, Dutch and Portuguese birth labels.
        + FOREIGN_BIRTH_LABELS,
    ),
    (NEVER, r"\bexpir\w*|\bvalid\s+(?:through|thru|until)\b"),
    # The future: a follow-up or a return visit is not the visit the note is about.
    (
        NEVER,
        (
            r"\bnext\s+(?:follow[-\s]?up\s+)?(?:appointment|appt|visit|review|scan|dose|cycle|follow[-\s]?up)\b|"
            r"\bfollow[-\s]?up\s+(?:appointment|appt|visit|date|scheduled)\b|"
            r"\breturn\s+(?:visit|appointment|appt|to\s+clinic|in)\b|\bRTC\b|"
            r"\bscheduled(?:\s+(?:for|on))?\b|\bupcoming\b|\bdue\s+(?:on|date|by)\b|\brecall\s+date\b"
        ),
    ),
    (100, r"\bdates?\s+of\s+service\b|\bDOS\b|\bservice\s+date\b"),
    (
        90,
        (
            r"\bcollect(?:ed|ion)\b|\bdate\s+(?:collected|obtained|drawn|taken)\b|\bdrawn\b|"
            r"\b(?:sample|specimen|date)\s+taken\b|\b(?:blood\s+)?draw\s+date\b|\bblood\s+draw\b"
        ),
    ),
    (
        90,
        (
            r"\bprocedure\s+date\b|\bdate\s+of\s+(?:procedure|surgery|operation|biopsy)\b|"
            r"\b(?:surgery|operation|operative|biopsy)\s+date\b"
        ),
    ),
    (
        90,
        (
            r"\bexam(?:ination)?\s+date\b|\bdate\s+of\s+(?:exam(?:ination)?|study|scan|test)\b|"
            r"\b(?:study|scan|test|sample)\s+date\b"
        ),
    ),
    (
        90,
        (
            r"\b(?:date\s+of\s+)?(?:visit|encounter|consultation|consult|appointment)(?:\s+date)?\b|\bseen\s+on\b|"
            r"\bclinic\s+date\b|\bdate\s+of\s+clinic\b"
        ),
    ),
    # A laboratory's receipt of the specimen, named as such: close to its collection.
    (
        _LAB_RECEIPT,
        r"\bspecimen\s+(?:received|collected|taken|date)\b|\bdate\s+(?:received|of\s+receipt)\b|"
        r"\breceived\s+date\b",
    ),
    # A discharge summary is about the stay; it is dated by the discharge.
    (72, r"\bdischarge(?:d)?(?:\s+date)?\b|\bdate\s+of\s+discharge\b"),
    (70, r"\b(?:admission|admit|admitted)(?:\s+date)?\b|\bdate\s+of\s+admission\b"),
    (
        70,
        r"\b(?:start|plan|treatment)\s+date\b|\bdate\s+of\s+(?:note|letter|treatment)\b|\bnote\s+date\b|"
        # Dictated at the visit (a transcription or signature may come months later).
        r"\bdictated\b|\bdate\s+dictated\b|\bdictation\s+date\b",
    ),
    (
        50,
        (
            r"\breport(?:ed)?\s+date\b|\bdate\s+(?:of\s+)?report(?:ed)?\b|\breported\b|\bsigned\b|"
            r"\bverified\b|\bfinali[sz]ed\b|\bresulted\b|\bfinal\b"
        ),
    ),
    (40, r"\bdate\b"),
    (
        HANDLING,
        (
            r"\bprint(?:ed)?\b|\bgenerated\b|\bas\s+of\b|\brun\s+date\b|\bfax(?:ed)?\b|\bcreated\b|\bdownloaded\b|"
            r"\bexported\b|\bpage\s+\d|\breceived\b|\bscanned\b|\bcop(?:y|ied)\b|\bmailed\b|\btranscribed\b"
        ),
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


#: How far past the day of the scan a record's date may be: a day, for a
#: record written in a time zone ahead of the scanning computer. A record is
#: about the past; a later date is a plan, an expiry or a typing error.
FUTURE_ALLOWANCE: Final = timedelta(days=1)


def _valid(y: int, m: int, d: int, *, today: date | None) -> date | None:
    """The date, if it exists, is not before 1900 and (``today`` given) not in the future."""
    try:
        value = date(y, m, d)
    except ValueError:
        return None
    if value.year < 1900 or (today is not None and value > today + FUTURE_ALLOWANCE):
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


def date_matches(text: str) -> list[re.Match[str]]:
    """Every date-shaped match in ``text`` (valid or not), found once for all uses."""
    return list(DATE_RE.finditer(text))


def date_order(text: str, matches: list[re.Match[str]] | None = None) -> str | None:
    """How ``text`` shows its numeric dates are written, from evidence only.

    ``"day_first"`` or ``"month_first"`` when its unambiguous dates lean one
    way, ``"day_first"`` when signs of a UK or Australian origin say so, and
    None when nothing does (:func:`day_first` then reads month first).
    ``matches`` are :func:`date_matches` of ``text`` when the caller has them.
    """
    votes = 0
    if matches is None:
        matches = date_matches(text[:MAX_CLASSIFY_CHARS])
    for m in matches:
        if m.start() >= MAX_CLASSIFY_CHARS:
            break
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


def match_date(m: re.Match[str], *, today: date | None, dayfirst: bool = False) -> date | None:
    """The date ``m`` writes, or None if impossible or (``today`` given) after ``today``."""
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
    for m in DATE_RE.finditer(text):
        value = match_date(m, today=today, dayfirst=dayfirst)
        if value is not None:
            return value.isoformat()
    return None


@dataclass(frozen=True)
class DateFound:
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


#: Priority of a date after the day of the scan (see :data:`FUTURE_ALLOWANCE`):
#: kept only to say why it was not taken.
AFTER_TODAY: Final = -2

#: A medical-records department's stamp on the date's line ("RECEIVED
#: 11/20/2026 HARBOR ONCOLOGY MEDICAL RECORDS"): when the paper arrived.
_RECORDS_STAMP: Final = re.compile(
    r"\bmedical\s+records\b|\bhealth\s+information\s+management\b|\bHIM\b|"
    r"\brecords\s+(?:dept|department|office)\b|\brelease\s+of\s+information\b",
    re.IGNORECASE,
)
#: Labels a records stamp turns into a handling date: none, or a receipt.
_STAMPABLE: Final = frozenset({_UNLABELLED, _LAB_RECEIPT})

#: What stands before a date on a header's name line, the line holding nothing but a
#: name and a date: "Vantreese, Rosalind K  09/22/1968", or after a name label
#: ("Patient: Rosalind K Vantreese 09/22/1968"). That date is the patient's birth
#: date, as a "DOB" label would say. Unlabelled, only "Surname, Given M" is a name
#: ("Lakeshore Medical Center  10/14/2026" is a letterhead); a credential is no given
#: name ("Strand, Evelyn MD  10/17/2026" is a signature).
_NAME_WORD = r"[A-Z][A-Za-zÀ-ÖØ-öø-ÿ'\u2019\-]*\.?"
_NAME_BEFORE_DATE: Final = re.compile(
    r"[ \t]*(?:"
    r"(?i:pat[i1l]ent(?:'s)?[ \t]*(?:full[ \t]+|legal[ \t]+)?name|pt\.?[ \t]*name|patient|name|re"
    r"|member(?:[ \t]+name)?)[ \t]*[:#\-][ \t]*"
    rf"(?P<labelled>{_NAME_WORD}(?:(?:,[ \t]*|[ \t]+){_NAME_WORD}){{1,4}})"
    rf"|(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?,[ \t]*{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})"
    r")[ \t]+"
)
_CREDENTIAL: Final = re.compile(
    r"\b(?:M\.?D|D\.?O|Ph\.?D|RN|NP|PA|MBBS|FACS|FACP|DNP|CRNP|Dr)\b\.?", re.IGNORECASE
)
#: How much later than a name line's date another date of the record must be for
#: that date to be read as the birth date: a person is born before their records.
BIRTH_GAP: Final = timedelta(days=365)
#: The label of a date read as a birth date because it stands beside the name.
BESIDE_NAME: Final = "beside the patient's name (a birth date)"


def name_before(text: str, line_start: int, start: int, end: int) -> str | None:
    """The name, as written, when the date at ``start:end`` ends a name line (a line
    holding only a name, perhaps after its label, and that date); else None."""
    line_end = text.find("\n", end)
    if text[end : len(text) if line_end == -1 else line_end].strip():
        return None
    m = _NAME_BEFORE_DATE.fullmatch(text, line_start, start)
    name = m and (m.group("labelled") or m.group("name"))
    if not name or _CREDENTIAL.search(name):
        return None
    return name


_FAX_LINE: Final = re.compile(
    r"\bfax\b|\bpage\s*\d+\s*(?:/|of)\s*\d+|\bP\.\s*\d+/\d+|@\d{3}|\bprinted\b|\bprint\s+date\b",
    re.IGNORECASE,
)


def find_dates(
    text: str,
    *,
    today: date | None = None,
    dayfirst: bool | None = None,
    matches: list[re.Match[str]] | None = None,
) -> list[DateFound]:
    """Every valid date in ``text`` with the priority of its label.

    A date after ``today`` (beyond :data:`FUTURE_ALLOWANCE`) has priority
    :data:`AFTER_TODAY`, whatever its label. ``dayfirst`` None decides from
    the text itself (:func:`day_first`); ``matches`` are :func:`date_matches`
    of ``text`` when the caller has them.
    """
    today = today or date.today()
    if dayfirst is None:
        dayfirst = day_first(text)
    found: list[DateFound] = []
    #: Dates on a name line (see :func:`name_before`), by their index in ``found``.
    beside_name: list[int] = []
    prev_end = 0
    for m in DATE_RE.finditer(text) if matches is None else matches:
        value = match_date(m, today=None, dayfirst=dayfirst)
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
        line_end = text.find("\n", m.end())
        line = text[line_start : len(text) if line_end == -1 else line_end]
        if prio == _UNLABELLED and _FAX_LINE.search(line):
            # A fax machine's or printer's stamp ("03/15/2026 10:02 FAX ... PAGE 2/5")
            # names its label after the date: it is when the paper moved, not the record.
            prio, label = HANDLING, "fax/print stamp"
        elif prio in _STAMPABLE and _RECORDS_STAMP.search(line):
            prio, label = HANDLING, "medical records stamp"
        if m.group("cy") and prio == _UNLABELLED:
            continue
        if value > today + FUTURE_ALLOWANCE:
            prio = AFTER_TODAY
        if (
            prio == _UNLABELLED
            and m.start() < MAX_PATIENT_CHARS
            and name_before(text, line_start, m.start(), m.end()) is not None
        ):
            beside_name.append(len(found))
        found.append(DateFound(value, prio, label, m.start(), _ambiguous(m)))
    return _births_beside_names(found, beside_name)


def _births_beside_names(found: list[DateFound], beside_name: list[int]) -> list[DateFound]:
    """``found`` with each name line's date that some other date of the record follows by
    :data:`BIRTH_GAP` or more read as a birth date (never the record's date). With no
    such later date the date stays as it was: it may be the record's own."""
    if not beside_name:
        return found
    latest = max(d.value for d in found)
    for i in beside_name:
        if latest - found[i].value >= BIRTH_GAP:
            found[i] = replace(found[i], priority=NEVER, label=BESIDE_NAME)
    return found


def birth_date_beside_name(
    text: str, *, today: date | None = None, dayfirst: bool = False
) -> tuple[str, date] | None:
    """The first name line of ``text`` whose date :func:`find_dates` reads as a birth
    date: the name as written and that date; None when there is none."""
    for d in find_dates(text[:MAX_PATIENT_CHARS], today=today, dayfirst=dayfirst):
        if d.label != BESIDE_NAME or (today is not None and d.value > today):
            continue
        line_start = text.rfind("\n", 0, d.pos) + 1
        m = DATE_RE.match(text, d.pos)
        name = name_before(text, line_start, d.pos, m.end()) if m else None
        if name is not None:
            return name, d.value
    return None


def _ambiguous(m: re.Match[str]) -> bool:
    """A numeric date whose two first numbers could each be the month (03/04/2026)."""
    if not m.group("na"):
        return False
    a, b = int(m.group("na")), int(m.group("nb"))
    return a != b and a <= 12 and b <= 12


_SNAPSHOT_LABEL = re.compile(
    r"generated|created|exported|as\s+of|printed|downloaded", re.IGNORECASE
)
#: Kinds that list what is true on one day (a summary, the current
#: medications): the day it was printed or generated is the day they are about.
_SNAPSHOT_KINDS: Final = frozenset({"patient_summary", "medication_list"})


def service_date(
    text: str,
    kind: str,
    *,
    today: date | None = None,
    dayfirst: bool | None = None,
    matches: list[re.Match[str]] | None = None,
) -> tuple[DateFound | None, str | None]:
    """The date the record is about, and how it was chosen (for the evidence).

    A handling date (received, faxed, printed...) is not when the care
    happened and a later date is a plan: neither is ever the record's date,
    so a record with no other is undated, and the evidence says why.
    """
    found = find_dates(text, today=today, dayfirst=dayfirst, matches=matches)
    dates = [d for d in found if d.priority > HANDLING or _snapshot(d, kind)]
    if not dates:
        return None, _why_undated(found)

    def rank(d: DateFound) -> tuple[int, int]:
        # A whole-record summary is a snapshot: it is dated when it was made.
        if kind == "patient_summary" and _SNAPSHOT_LABEL.search(d.label):
            return (200, -d.pos)
        return (d.priority, -d.pos)

    best = max(dates, key=rank)
    if kind == "lab_result" and best.priority == _UNLABELLED:
        newest = _newest_result(text, dates)
        if newest is not None:
            return newest
    how = (
        f"date '{show(best.label)}: {best.value.isoformat()}'"
        if best.label
        else (f"date {best.value.isoformat()} (first date in the text, unlabelled)")
    )
    return best, how


def _snapshot(d: DateFound, kind: str) -> bool:
    """A summary's or medication list's "printed" or "as of" date: the day its list is about."""
    return (
        d.priority == HANDLING and kind in _SNAPSHOT_KINDS and bool(_SNAPSHOT_LABEL.search(d.label))
    )


#: Why a record is undated, by the priority of the first date it does give.
_UNDATED_WHY: Final[dict[int, str]] = {
    AFTER_TODAY: "is after today: not taken as the record's date",
    HANDLING: "is when the paper was handled, not when the care happened: date unknown",
}


def _why_undated(found: list[DateFound]) -> str | None:
    """The evidence of an undated record whose only dates are handling or future ones."""
    for d in found:
        why = _UNDATED_WHY.get(d.priority)
        if why:
            label = show(d.label) if d.label else "unlabelled"
            return f"date '{label}: {d.value.isoformat()}' {why}"
    return None


#: A result's value right after its date on a cumulative printout's row
#: ("03/02/2026   4.1", "09/15/2025 5.6  03/10/2026 7.9"), after any time of
#: day; not the start of another date.
_VALUE_AFTER_DATE: Final = re.compile(
    r"(?:[ \t]+\d{1,2}:\d\d(?::\d\d)?(?:[ \t]*[AP]M)?)?[ \t]+[<>]?\d+(?:\.\d+)?\b(?![/.\-:]\d)",
    re.IGNORECASE,
)


def _newest_result(text: str, dates: list[DateFound]) -> tuple[DateFound, str] | None:
    """A cumulative lab printout's newest result, when its only dates are its results'.

    Such a printout (a PSA on 03/02/2026 and on 11/02/2026) is dated by its
    newest result: the folder does hold that recent result, so dating it by the
    first (often the oldest) would call the labs out of date when they are not.
    Only unlabelled dates each followed by a value count, and at least two.
    """
    rows = []
    for d in dates:
        if d.priority != _UNLABELLED:
            continue
        m = DATE_RE.match(text, d.pos)
        if m is not None and _VALUE_AFTER_DATE.match(text, m.end()):
            rows.append(d)
    if len({d.value for d in rows}) < 2:
        return None
    newest = max(rows, key=lambda d: (d.value, -d.pos))
    count = len({d.value for d in rows})
    return newest, f"date {newest.value.isoformat()} (the newest of {count} dated results)"
