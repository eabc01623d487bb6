"""Conservative case facts from the records' text: diagnosis, stage, biomarkers, treatments.

Each rule is a table entry, not an if-chain. A fact is kept only when a
sentence states it plainly: a biomarker needs a result next to its name ("ALK
fusion: not detected" keeps its negation; "sent for EGFR testing" gives
nothing), a histology is never taken from a negated or hedged sentence, a
stage is taken as written. Only sentences that state the patient's own facts
are read (:mod:`recordpack.summary.whose`): nothing comes from a relative, a
hypothesis, a question or a retracted sentence. Every fact carries the record it
came from (its index in ``index.json``'s records and its path in the bag) and the
sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from recordpack import sentences as sentence_ends
from recordpack.bundle.format import SUMMARY_SECTIONS
from recordpack.summary.whose import FAMILY_LABEL, clauses, not_the_patients

#: Version of the ``summary`` document in ``index.json``.
SUMMARY_VERSION: Final = 1

#: Longest sentence kept as a fact's source (characters).
MAX_SENTENCE: Final = 300
#: Longest biomarker result kept (characters).
MAX_RESULT: Final = 120


@dataclass(frozen=True)
class SourcedText:
    """A document record's text and where it lives in the bag."""

    record: int  # index of the record in index.json's "records"
    path: str  # the record's (first) file in the bag
    kind: str
    date: str | None
    text: str
    day_first: bool = False

    @cached_property
    def sentences(self) -> tuple[_Sentence, ...]:
        """The text's sentences, split once for every section's rules."""
        return tuple(_sentences(self.text))

    @cached_property
    def statements(self) -> tuple[_Sentence, ...]:
        """The sentences that state the patient's own facts (the only ones facts come from).

        A sentence is judged clause by clause: when one of its clauses is about someone
        else, only the others are kept, each as a sentence of its own.
        """
        parts = [(s, clauses(s.text)) for s in self.sentences]
        flat = [(clause, s.section) for s, found in parts for clause in found]
        reasons = iter(not_the_patients(flat))
        kept: list[_Sentence] = []
        for s, found in parts:
            own = [clause for clause in found if next(reasons) is None]
            if len(own) == len(found):
                kept.append(s)
            else:
                kept.extend(_Sentence(clause, s.line, s.section) for clause in own)
        return tuple(kept)


# --------------------------------------------------------------------------- sentences


@dataclass(frozen=True)
class _Sentence:
    text: str
    line: int  # line number in the document
    section: str | None  # the heading above it, upper-case


_HEADING = re.compile(
    r"^(?:[A-Z][A-Za-z/&()'-]*|and|of|the|or|to|for)(?: (?:[A-Z][A-Za-z/&()'-]*|and|of|the|or|to|for))*:?$"
)
#: Section names a note may write in any case ("Family history", "Assessment and plan").
SECTION_NAMES: Final = (
    r"family (?:history|hx)", r"fhx?", r"social history", r"(?:past )?medical history",
    r"(?:past )?surgical history", r"past history", r"p[ms]hx?",
    r"(?:past |prior |previous )?(?:oncologic(?:al)?|oncology|cancer|treatment) (?:history|hx)",
    r"history of present illness",
    r"hpi", r"assessment(?: and plan)?", r"impression(?: and plan)?", r"plan",
    r"(?:final )?diagnosis", r"medications", r"allergies", r"review of systems",
    r"physical exam(?:ination)?",
)  # fmt: skip
_NAMED_HEADING: Final = re.compile(rf"^(?:{'|'.join(SECTION_NAMES)})\s*:?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"'-])|\s{3,}(?=[A-Z][A-Za-z ()/#-]{1,30}:\s)")


def _sentences(text: str) -> Iterator[_Sentence]:
    """The document's sentences, each with the section heading above it."""
    section: str | None = None
    for number, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line:
            continue
        if _is_heading(line):
            section = line.rstrip(":").upper()
            continue
        # "Family history: ...", "PMH: ..." make their whole line that section's, not the lines below.
        where = "FAMILY HISTORY" if FAMILY_LABEL.match(line) else _line_section(line) or section
        # Not cut after an abbreviation ("Ms. Quillfeather").
        for part in sentence_ends.split(_SENTENCE_END, line):
            part = " ".join(part.split())
            if part:
                yield _Sentence(part[:MAX_SENTENCE], number, where)


#: A line that opens with a history section's name ("PMH: stage I colon cancer 2012",
#: "Oncology history: AC x4 in 2019") is that section's, whatever heading is above it.
_HISTORY_LABEL: Final = re.compile(
    r"^\s*((?:past |prior |previous )?(?:medical|surgical|oncologic(?:al)?|oncology|cancer|"
    r"treatment) (?:history|hx)|past history|(?-i:P[MS]H[Xx]?))\s*:",
    re.IGNORECASE,
)


def _line_section(line: str) -> str | None:
    """The history section a line's own label names, or None."""
    label = _HISTORY_LABEL.match(line)
    return label.group(1).upper() if label else None


def _is_heading(line: str) -> bool:
    """A short title line ("FINAL DIAGNOSIS", "Discharge Medications"), not a specimen label."""
    if len(line.split()) > 5 or len(line) > 60 or (line.endswith(":") and "," in line):
        return False
    return _HEADING.match(line) is not None or _NAMED_HEADING.match(line) is not None


def _clip(value: str, limit: int = MAX_RESULT) -> str:
    value = " ".join(value.split()).strip(" ,;:-")
    if value.count("(") > value.count(")"):
        value = value.rsplit("(", 1)[0].rstrip(" ,;:-")
    if value.endswith(".") and not re.search(r"\d\.$", value):
        value = value[:-1]
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# Hedged or negated statements: nothing in such a sentence is taken as a finding.
_NEGATION: Final = re.compile(
    r"\b(?:no|not|negative for|without|free of|rule out|r/o|suspicious for|suspected|"
    r"concerning for|possible|possibly|probable|probably|likely|presumed|presumptive|may|might|"
    r"could|cannot be excluded|excluded|ruled out|never(?![- ]?smok)|history of|differential|"
    r"versus|vs\.?)\b",
    re.IGNORECASE,
)
# Orders and plans for a test are not results.
_PENDING: Final = re.compile(
    r"\b(?:pending|ordered|sent (?:out )?for|will be|to be|requested|awaited|if (?:positive|negative)|"
    r"consider(?:ed)? (?:testing|sending)|recommend(?:ed)? (?:testing|sending))\b",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- diagnosis

_HISTOLOGY: Final = re.compile(
    r"\b\w*(?:carcinoma|sarcoma|lymphoma|melanoma|leukemia|leukaemia|myeloma|mesothelioma|"
    r"blastoma|glioma|seminoma|germinoma|astrocytoma|ependymoma|carcinoid)s?\b(?:\s+in\s+situ)?|"
    r"\b(?:neuroendocrine|gastrointestinal stromal|germ cell|phyllodes) tumou?rs?\b",
    re.IGNORECASE,
)
#: Words that make a "tumor" mention something other than a diagnosis.
_NOT_HISTOLOGY: Final = re.compile(
    r"\b(?:tumou?r (?:size|cells|content|proportion|board|marker|mutational|bed|site|"
    r"focality|extent|deposits?|budding|necrosis|infiltrating)|markers?|size|cellularity)\b",
    re.IGNORECASE,
)
_ORGANS: Final = (
    r"breast|lung|prostate|(?:sigmoid |ascending |descending |transverse )?colon|cecum|caecum|"
    r"rectosigmoid|rectum|pancreas|liver|stomach|esophagus|oesophagus|ovary|ovaries|uterus|"
    r"endometrium|cervix|kidney|bladder|thyroid|skin|lymph nodes?|bone marrow|brain|"
    r"(?:right|left) (?:upper|middle|lower) lobe"
)
_SITE: Final = re.compile(rf"\b({_ORGANS})\b", re.IGNORECASE)
_LATERALITY: Final = re.compile(r"\b(left|right|bilateral)\b", re.IGNORECASE)
_GRADE: Final = re.compile(
    r"\b(?:Nottingham (?:histologic )?grade\s*:?\s*(?:[1-3]|I{1,3})\b(?:\s*\([^)]{0,60}\))?|"
    r"(?:histologic|nuclear|FIGO|WHO|tumou?r) grade\s*:?\s*(?:[1-4]|I{1,3}V?)\b|"
    r"grade\s*[1-4](?:\s*(?:of|/)\s*[34])?\b|"
    r"Gleason (?:score|grade|sum)?\s*:?\s*\d\s*\+\s*\d\s*=\s*\d{1,2}(?:\s*\(grade group \d\))?|"
    r"grade group\s*\d|"
    r"(?:well|moderately|poorly|un)[- ]differentiated|"
    r"(?:low|intermediate|high)[- ](?:nuclear )?grade)",
    re.IGNORECASE,
)
# CAP synoptic lines: "Histologic Type: Invasive ductal carcinoma".
_SYNOPTIC: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("histology", re.compile(r"^\s*histologic(?:al)? type\s*:\s*(.+)$", re.IGNORECASE)),
    ("site", re.compile(r"^\s*(?:tumou?r|primary) site\s*:\s*(.+)$", re.IGNORECASE)),
    ("laterality", re.compile(r"^\s*(?:specimen |tumou?r )?laterality\s*:\s*(.+)$", re.IGNORECASE)),
    ("grade", re.compile(r"^\s*(?:histologic(?:al)? |overall )?grade\s*:\s*(.+)$", re.IGNORECASE)),
)
_DIAGNOSIS_SECTION: Final = re.compile(r"\bDIAGNOS[IE]S\b|\bINTERPRETATION\b")


#: Words after a finding that take it back for the rest of its clause, commas and all
#: ("Stage IV disease, seen on CT, was ruled out by PSMA PET"; "Docetaxel was never given").
_DENIED_AFTER: Final = re.compile(
    # "a never smoker" says nothing of the finding.
    r"\b(?:ruled out|excluded|never(?![- ]?smok)|disproven|disproved)\b",
    re.IGNORECASE,
)
#: Words after a finding that negate it up to the next comma ("pT3 was not confirmed").
_NOT_AFTER: Final = re.compile(
    r"\b(?:(?:was|were|is|are|has been|have been|had been)\s+not|absent|unlikely|"
    r"not (?:confirmed|present|seen|found|identified|detected|given|received|administered))\b",
    re.IGNORECASE,
)
#: Where a clause turns to something else ("..., but ...").
_CONTRAST: Final = re.compile(r"\b(?:but|however|although|though|whereas|while)\b", re.IGNORECASE)


#: Where a hedge's or a negation's clause ends: "She has a history of hypertension and is
#: currently on letrozole" states two things, and "history of" hedges only the first. A bare
#: "and" joins a list ("no carcinoma, sarcoma and lymphoma"): it ends a clause only before a
#: verb or a subject of its own.
_CLAUSE_END: Final = re.compile(
    r";|\b(?:and|but)\s+(?=(?:is|was|are|were|has|had|have|now|currently|presently|remains|"
    r"continues|started|began|she|he|they|the patient|patient)\b)|\b(?:but|however|whereas)\b",
    re.IGNORECASE,
)


def _is_negated(sentence: str, start: int, end: int) -> bool:
    """True when the finding at ``sentence[start:end]`` is negated or hedged in its clause.

    A negation before it ("no evidence of stage IV") or one after it that takes it
    back ("Stage IV disease was ruled out", "Docetaxel was never given") counts; one in
    clause before it does not (:data:`_CLAUSE_END`).
    """
    ends = [m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)]
    clause_start = ends[-1] if ends else 0
    if _NEGATION.search(sentence, clause_start, start) is not None:
        return True
    # After it, "and was never given" still speaks of the finding: only ";" ends its reach.
    rest = sentence[end:].split(";", 1)[0]
    turn = _CONTRAST.search(rest)
    rest = rest[: turn.start()] if turn else rest
    return (
        _DENIED_AFTER.search(rest) is not None
        or _NOT_AFTER.search(rest.split(",", 1)[0]) is not None
    )


#: Sentences about margins or spread say where a tumour reaches, not what it is.
_ABOUT_MARGINS: Final = re.compile(r"\bmargins?\b|\b(?:un)?involved by\b", re.IGNORECASE)

#: Words that end what comes before a histology noun ("ovary with | serous carcinoma").
_PHRASE_BREAK: Final = re.compile(
    r"^(?:with|of|in|to|and|or|shows?|showing|by|for|is|are|was|were|histology|diagnosis|"
    r"type|consistent|compatible|c/w|see|"
    # A lead-in's verb or specimen ("Previous biopsy showed | invasive ductal carcinoma").
    r"showed|shown|reveal(?:s|ed|ing)?|demonstrat(?:es|ed|ing)|confirm(?:s|ed|ing)?|"
    r"diagnosed|found|identified|noted|has|had|have|represents?|representing|indicat\w*|"
    r"favou?r(?:s|ed|ing)?|biops(?:y|ies)|specimens?|excision|resection|FNA|aspirate|cytology)$",
    re.IGNORECASE,
)
#: Most words a histology may have before its noun ("invasive lobular carcinoma").
_MAX_MODIFIERS: Final = 5


def _noun_phrase(text: str, start: int, end: int) -> str | None:
    """The histology as written: the noun and the modifiers just before it, or None."""
    clause_start = max(text.rfind(sep, 0, start) for sep in (",", ";", ":", "(", "- ", "."))
    words = text[clause_start + 1 : start].split()
    kept: list[str] = []
    for word in reversed(words):
        word = word.lstrip("-")
        if _PHRASE_BREAK.match(word) or not re.match(r"^[A-Za-z][A-Za-z/-]*$", word):
            break
        kept.insert(0, word)
    while kept and kept[0].lower() in ("a", "an", "the"):
        kept.pop(0)
    if len(kept) > _MAX_MODIFIERS:
        return None
    return _clip(" ".join([*kept, text[start:end]]))


#: A previous biopsy's finding quoted in a later report ("Previous biopsy showed invasive
#: ductal carcinoma"): up to where the sentence turns back to the present.
_PREVIOUS_FINDING: Final = re.compile(
    r"\b(?:prior|previous|earlier|initial)\s+(?:\S+\s+){0,3}?(?:biops(?:y|ies)|specimens?|FNA|"
    r"fine[- ]needle aspirat\w*|excision(?:al)?|resection|cytology|pathology)\b|"
    r"\b(?:biops(?:y|ies)|FNA|specimens?)\s+(?:\S+\s+){0,2}?previously\b",
    re.IGNORECASE,
)


def _previous_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` quotes a previous biopsy's finding (to ";", "now", "current", ...)."""
    spans: list[tuple[int, int]] = []
    for m in _PREVIOUS_FINDING.finditer(text):
        stop = _PRIOR_ENDS.search(text, m.end())
        spans.append((m.start(), stop.start() if stop else len(text)))
    return spans


def _histologies(s: _Sentence) -> Iterator[tuple[re.Match[str], str]]:
    """Each histology ``s`` states plainly of the patient's cancer (not a prior cancer): its
    match and the diagnosis phrase as written."""
    if _ABOUT_MARGINS.search(s.text):
        return
    past = _prior_spans(s.text)
    for m in _HISTOLOGY.finditer(s.text):
        if _is_negated(s.text, m.start(), m.end()):
            continue
        if any(a <= m.start() < b for a, b in past):
            continue  # "prior colon adenocarcinoma": an old cancer, shown as history
        clause = _noun_phrase(s.text, m.start(), m.end())
        if clause is not None and not _NOT_HISTOLOGY.search(clause):
            yield m, clause


def _in_spans(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= at < b for a, b in spans)


#: Record kinds a diagnosis is read from.
DIAGNOSIS_KINDS: Final = frozenset({"pathology_report"})


def _diagnosis(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    # A cancer in past medical history is a past condition (the history section), not this one.
    sentences = [s for s in doc.statements if _role(s.section) != "past_history"]
    in_section = [s for s in sentences if s.section and _DIAGNOSIS_SECTION.search(s.section)]
    scope = in_section or sentences
    header: _Sentence | None = None  # "A. LEFT BREAST, CORE BIOPSY:" above its findings
    current = False  # whether this report gives a histology of its own
    for s in sentences:
        for field_name, pattern in _SYNOPTIC:
            m = pattern.match(s.text)
            if m and not _PENDING.search(s.text):
                _add(out, doc, s, field=field_name, value=_clip(m.group(1)))
                current = current or field_name == "histology"
    for s in scope:
        if s.text.rstrip().endswith(":") and _SITE.search(s.text):
            header = s
            continue
        before = _previous_spans(s.text)
        for m, clause in _histologies(s):
            if _in_spans(m.start(), before):
                continue  # a previous biopsy's finding: see below
            current = True
            where = s if _SITE.search(s.text) else header
            if where is header and header is not None and header.line < s.line - 8:
                where = None
            _diagnosed(out, doc, s, clause, where)
    if not current:
        # Nothing else gives this report's histology: a previous biopsy's, said to be one,
        # wherever the report quotes it (else it is history: _previous_findings).
        for s in sentences:
            before = _previous_spans(s.text)
            for m, clause in _histologies(s):
                if _in_spans(m.start(), before):
                    where = s if _SITE.search(s.text) else None
                    date = _span_date(s.text, before, m.start(), doc)
                    _diagnosed(out, doc, s, clause, where, previous=True, date=date)
    # Grades stated on their own line under the diagnosis ("Gleason 3+4=7 in core B").
    for s in scope:
        if _HISTOLOGY.search(s.text):
            continue
        for g in _GRADE.finditer(s.text):
            if not _is_negated(s.text, g.start(), g.end()) and not _PENDING.search(s.text):
                _add(out, doc, s, field="grade", value=_clip(g.group(0)))


def _diagnosed(
    out: list[dict[str, Any]],
    doc: SourcedText,
    s: _Sentence,
    histology: str,
    where: _Sentence | None,
    *,
    previous: bool = False,
    date: str | None = None,
) -> None:
    """A histology of ``s`` and the site, side and grade that go with it. A ``previous``
    biopsy's finding is flagged so and dated by ``date`` (its own, not its report's)."""
    flags: dict[str, Any] = {"previous": True, "date": date} if previous else {}
    _add(out, doc, s, field="histology", value=_clip(histology), **flags)
    if where is not None:
        site = _SITE.search(where.text)
        if site:
            _add(out, doc, where, field="site", value=_clip(site.group(1)), **flags)
        side = _LATERALITY.search(where.text)
        if side:
            _add(out, doc, where, field="laterality", value=side.group(1).lower(), **flags)
    for g in _GRADE.finditer(s.text):
        _add(out, doc, s, field="grade", value=_clip(g.group(0)), **flags)


def _span_date(text: str, spans: list[tuple[int, int]], at: int, doc: SourcedText) -> str | None:
    """The date written in the span around ``at`` ("Previous biopsy (03/2025) showed ..."),
    or None: the report's own date is not when the earlier biopsy was."""
    start, end = next((a, b) for a, b in spans if a <= at < b)
    when = _HISTORY_DATE.search(text, start, end)
    return _written_date(when, doc.day_first) if when else None


# --------------------------------------------------------------------------- dates

_MONTHS: Final = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
)  # fmt: skip
_MONTH: Final = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: A date as a note writes it: in full, a month ("March 2025", "03/2025") or a year.
_WRITTEN_DATE: Final = (
    rf"(?P<day>\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|"
    rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
    rf"|(?P<month_name>{_MONTH})\s+(?P<month_year>\d{{4}})"
    r"|(?P<month>\d{1,2})/(?P<month_of>\d{4})"
    r"|(?P<year>(?:19|20)\d{2})"
)
_DATE_WORD: Final = r"(?:on|dated|collected|drawn|in|from|of)"


def _written_date(found: re.Match[str], day_first: bool) -> str | None:
    """The ISO date (or month, or year) a written date says; None when it says no real date."""
    from recordpack.classify import parse_date

    if found.group("day"):
        return parse_date(found.group("day"), dayfirst=day_first)
    if found.group("month_name"):
        month = _MONTHS.index(found.group("month_name")[:3].lower()) + 1
        return f"{found.group('month_year')}-{month:02d}"
    if found.group("month"):
        month = int(found.group("month"))
        return f"{found.group('month_of')}-{month:02d}" if 1 <= month <= 12 else None
    return found.group("year")


# --------------------------------------------------------------------------- stage

_TNM: Final = re.compile(
    r"(?<![A-Za-z0-9])("
    r"(?:y|r|yp|yc|rp)?[cp]T(?:[0-4X]|is)[a-d]?(?:\((?:m|\d+)\))?"
    r"(?:\s*,?\s*(?:y?[cp])?N[0-3X][a-c]?(?:\((?:sn|i[+-]|mol[+-]|f)\))?)?"
    r"(?:\s*,?\s*(?:[cp])?M[01X][a-c]?(?:\(i\+\))?)?"
    r"|T(?:[0-4X]|is)[a-d]?\s*N[0-3X][a-c]?\s*M[01X][a-c]?"
    r")(?![A-Za-z0-9])"
)
_STAGE_GROUP: Final = re.compile(
    r"\b((?:AJCC |Ann Arbor |FIGO |clinical |pathologic(?:al)? |prognostic |anatomic )*"
    r"stage(?: group)?\s*:?\s*(?-i:(?:IV|I{1,3}|0)[ABC]?[12]?))(?![A-Za-z0-9])"
    # "At this stage I would ...": a bare "I" followed by a word is the pronoun.
    r"(?!(?<=[\s:]I)\s+(?!(?:disease|cancer|carcinoma|lymphoma|per|by|according|\(|AJCC|FIGO)\b)[a-z])",
    re.IGNORECASE,
)
_EDITION: Final = re.compile(
    r"\bAJCC[^.\n]{0,40}?\b(\d{1,2})(?:st|nd|rd|th)\s*ed(?:ition|\.)?|"
    r"\b(\d{1,2})(?:st|nd|rd|th)\s*ed(?:ition|\.)?[^.\n]{0,20}?\bAJCC\b",
    re.IGNORECASE,
)


#: Where a stage's own statement ends: "Stage IIA in 2019, now stage IV" states two.
_PART_BREAK: Final = re.compile(
    r"\s*[;,]\s*|\s+(?:and|but|then|now|whereas|while|until)\s+", re.IGNORECASE
)
#: A date in a stage's statement ("diagnosed in 2019 with stage IIA", "stage IV since
#: March 2025", "stage IV (03/2025)"). A bare year counts only after a date word or in
#: brackets: "pT2 N1, 2000 cGy" gives no year.
_STAGE_DATE: Final = re.compile(
    rf"(?P<lead>\b(?:{_DATE_WORD}|since|as of)\s+|\()?(?:{_WRITTEN_DATE})(?![\w/-])",
    re.IGNORECASE,
)
#: A date that opens a clause and dates what follows it ("In March 2025, restaged: stage IV").
_DATE_OPENS: Final = re.compile(
    rf"\s*(?:{_DATE_WORD}\s+|since\s+)?\(?(?:{_WRITTEN_DATE})\)?\s*[:,-]", re.IGNORECASE
)
#: Words that put a stage in the present, whatever date opened its clause.
_NOW: Final = re.compile(r"\b(?:now|currently|presently|today|at present|this visit)\b", re.I)
#: The year of an AJCC edition is not the stage's date ("AJCC 8th edition (2017)").
_EDITION_YEAR: Final = re.compile(
    r"\b(?:AJCC|UICC|edition|ed\.)[\s()]{0,3}(?:19|20)\d{2}\b", re.IGNORECASE
)


def _stage_date(text: str, start: int, end: int, doc: SourcedText) -> str | None:
    """The date of the stage at ``text[start:end]``: the one its own statement gives, else
    the one opening its clause, else its record's. A written date that is no real date
    leaves the stage undated rather than misdated."""
    return _own_date(text, start, end, doc, doc.date)


#: What joins the two ends of a span of time ("04/2019 - 08/2019", "2020 to 2023").
_RANGE_JOIN: Final = re.compile(r"\s*(?:-|–|—|to|through|until)\s*", re.IGNORECASE)


def _own_date(
    text: str, start: int, end: int, doc: SourcedText, fallback: str | None
) -> str | None:
    """The date of the finding at ``text[start:end]``: the one its own statement gives (the
    start of a span of time), else the one opening its clause, else ``fallback``."""
    masked = _EDITION_YEAR.sub(lambda m: " " * len(m.group(0)), text)
    for edition in _EDITION.finditer(masked):
        masked = masked[: edition.start()] + " " * len(edition.group(0)) + masked[edition.end() :]
    before = [b.end() for b in _PART_BREAK.finditer(masked, 0, start)]
    part_start = before[-1] if before else 0
    after = _PART_BREAK.search(masked, end)
    part_end = after.start() if after else len(masked)
    dates = [
        d
        for d in _STAGE_DATE.finditer(masked, part_start, part_end)
        if not (d.group("year") and not d.group("lead"))
        # "pT1c (1.5-2.0 cm)": a full date needs its year in four digits (or a month's name)
        and not (d.group("day") and not re.search(r"\d{4}|[A-Za-z]", d.group("day")))
        and not start <= d.start() < end
    ]
    later = [d for d in dates if d.start() >= end]
    found = later[0] if later else (dates[-1] if dates else None)
    if found is not None:
        # "04/2019 - 08/2019: AC-T": a span of time is dated by its start.
        found = next(
            (
                d
                for d in dates
                if d.end() <= found.start()
                and _RANGE_JOIN.fullmatch(masked, d.end(), found.start())
            ),
            found,
        )
    else:
        clause_start = masked.rfind(";", 0, start) + 1
        opening = _DATE_OPENS.match(masked, clause_start)
        if opening is None or _NOW.search(masked, opening.end(), start):
            return fallback
        found = opening
    return _written_date(found, doc.day_first)


def _stage(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    """TNM, stage groups and the AJCC edition, each dated by its own statement.

    A stage said in many records is kept once, from the earliest; different stages
    (a 2019 stage IIA, a 2025 stage IV) are each kept with their own date and source.
    """
    for s in doc.statements:
        if _PENDING.search(s.text) or _role(s.section) == "past_history":
            continue  # past medical history: a past condition (history), not this case's stage
        past = _prior_spans(s.text)
        found: list[tuple[str, str, re.Match[str]]] = [
            (
                "tnm",
                " ".join(m.group(1).split()).strip(", "),
                m,
            )
            for m in _TNM.finditer(s.text)
            if not _is_negated(s.text, m.start(), m.end())
        ]
        found += [
            ("stage_group", _clip(m.group(1)), m)
            for m in _STAGE_GROUP.finditer(s.text)
            if not _is_negated(s.text, m.start(), m.end())
        ]
        for field_name, value, m in found:
            if any(a <= m.start() < b for a, b in past):
                continue  # "prior stage I colon cancer": an old cancer's stage, shown as history
            fact = _fact(doc, s, field=field_name, value=value)
            fact["date"] = _stage_date(s.text, m.start(), m.end(), doc)
            _append(out, fact, ("field", "value"))
        for m in _EDITION.finditer(s.text):
            edition = m.group(1) or m.group(2)
            _add(
                out,
                doc,
                s,
                field="ajcc_edition",
                value=f"AJCC {_ordinal(int(edition))} edition",
                per_record=False,
            )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --------------------------------------------------------------------------- past history

#: What a section's heading says of the sentences under it (first match wins):
#: ``present`` the present illness, read like the rest of the note; ``treatment_history``
#: the patient's own past cancer treatment (its treatments are past, dated only by their
#: own clause); ``past_history`` past medical or surgical history (a cancer there is a past
#: condition, shown as history, never as this case's diagnosis, stage or treatment);
#: ``no_treatment`` a medication or allergy list or another history (social, family,
#: clinical), whose drugs are no treatment of this cancer.
SECTION_ROLES: Final[tuple[tuple[str, str], ...]] = (
    ("present", r"\bHISTORY OF (?:THE )?PRESENT ILLNESS\b|^HPI\b|^INTERVAL HISTORY\b"),
    ("treatment_history", r"\b(?:ONCOLOGIC(?:AL)?|ONCOLOGY|CANCER|TREATMENT) (?:HISTORY|HX)\b"),
    ("past_history", r"^(?:(?:PAST|PREVIOUS|PRIOR)\b.*\b|MEDICAL |SURGICAL )(?:HISTORY|HX)\b|^P[MS]HX?\b"),
    ("no_treatment", r"MEDICATION|ALLERG|HISTORY"),
)  # fmt: skip
_SECTION_ROLES: Final = tuple((role, re.compile(pattern)) for role, pattern in SECTION_ROLES)


def _role(section: str | None) -> str | None:
    """The role (:data:`SECTION_ROLES`) of a section heading, or None for any other."""
    if not section:
        return None
    return next((role for role, pattern in _SECTION_ROLES if pattern.search(section)), None)


_CANCER_NOUN: Final = (
    rf"(?:{_HISTOLOGY.pattern})|\b(?:cancers?|malignan(?:cy|cies)|malignant neoplasms?)\b"
)
_CANCER: Final = re.compile(_CANCER_NOUN, re.IGNORECASE)
#: A prior cancer named as such: "history of", "prior", "previous", "remote" just before
#: it ("prior stage I colon cancer", "h/o Hodgkin lymphoma"). "Previously stage IIA" (no
#: cancer named) and "prior to surgery" are not; nor "previous biopsy showed carcinoma".
_PRIOR_CANCER: Final = re.compile(
    r"\b(?:history of|hx of|h/o|prior(?!\s+to\b)|previous|remote)\s+"
    rf"(?P<between>(?:\S+\s+){{0,6}}?)(?:{_CANCER_NOUN})",
    re.IGNORECASE,
)
#: Words between "prior" and a cancer that make it something else than an old cancer.
_NOT_A_CONDITION: Final = re.compile(
    r"\b(?:biops\w*|specimens?|show\w*|reveal\w*|demonstrat\w*|excision|resection|surgery|"
    r"imaging|scans?|CT|MRI|PET|reports?|treated|treatment|for|with|was|were|is|had|has|to|in|on)\b",
    re.IGNORECASE,
)
#: Where what a sentence says of a prior cancer ends and this case begins again.
_PRIOR_ENDS: Final = re.compile(
    r";|\b(?:now|currently|presently|today|at present|this visit|but|however|new|newly|"
    r"presents?|presented|recent(?:ly)?|subsequently|then|later|current)\b",
    re.IGNORECASE,
)
#: Words that name a past condition: masked before a negation is looked for in history
#: ("history of" hedges a finding elsewhere, but here it is the very point).
_HISTORY_WORDS: Final = re.compile(r"\b(?:history of|hx of|h/o)(?=\s)", re.IGNORECASE)
#: A date in a past condition's statement ("colon cancer 2012", "(1990)", "2021-2022");
#: a number followed by a unit ("2000 cGy") is none.
_HISTORY_DATE: Final = re.compile(
    rf"(?<![\w/.])(?:{_WRITTEN_DATE})(?![\w/]|-(?!(?:19|20)\d\d\b))"
    r"(?!\s*(?:c?Gy|mg|ml|cm|mm|%|units?)\b)",
    re.IGNORECASE,
)


def _prior_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` speaks of a prior cancer: from "prior" ("history of", ...) to where the
    sentence turns back to the present (";", "now", "new", "but", ...)."""
    spans: list[tuple[int, int]] = []
    for m in _PRIOR_CANCER.finditer(text):
        if _NOT_A_CONDITION.search(m.group("between")):
            continue
        stop = _PRIOR_ENDS.search(text, m.end())
        spans.append((m.start(), stop.start() if stop else len(text)))
    return spans


def _names_cancer(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` states a cancer or a stage, neither negated nor hedged."""
    masked = _HISTORY_WORDS.sub(lambda m: " " * len(m.group(0)), text)
    return any(
        start <= m.start() < end and not _is_negated(masked, m.start(), m.end())
        for pattern in (_CANCER, _STAGE_GROUP, _TNM)
        for m in pattern.finditer(masked)
    )


def _history(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    """Past conditions: a cancer in past medical or surgical history, or one a sentence calls
    prior ("history of", "prior"), as written, dated only by a date its statement gives."""
    said: set[str] = set()  # the sentences given as past conditions
    for s in doc.statements:
        spans = [(0, len(s.text))] if _role(s.section) == "past_history" else _prior_spans(s.text)
        for start, end in spans:
            if _names_cancer(s.text, start, end):
                # The record's date is not when a past condition was: undated unless written.
                when = _HISTORY_DATE.search(s.text, start, end)
                fact = _fact(doc, s, value=_clip(s.text, MAX_SENTENCE))
                fact["date"] = _written_date(when, doc.day_first) if when else None
                _append(out, fact, ("value",))
                said.add(s.text)
                break
    _past_results(doc, out, said)
    if doc.kind in DIAGNOSIS_KINDS:
        _previous_findings(doc, out)


def _past_results(doc: SourcedText, out: list[dict[str, Any]], said: set[str]) -> None:
    """Tumour markers and biomarkers under a past medical or surgical history heading: past
    results (history), each dated by its own clause or not at all, never by the note's date.
    A sentence already given as a past condition ("Melanoma 2010, BRAF V600E mutated") is
    shown once, as that."""
    for s in doc.statements:
        if _role(s.section) != "past_history" or s.text in said:
            continue
        found = list(_tumor_marker_facts(doc, s, None))
        if doc.kind in BIOMARKER_KINDS:
            found += _marker_facts(doc, s, by_record=False)
        for fact in found:
            _append(out, fact, ("marker", "value", "result", "unit", "date", "record"))


def _previous_findings(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    """A previous biopsy's finding that a pathology report quotes beside a diagnosis of its
    own: history (flagged ``previous``), not that report's histology."""
    shown = _Facts()
    _diagnosis(doc, shown)
    quoted = {f["sentence"] for f in shown if f.get("previous")}
    for s in doc.statements:
        if s.text in quoted or _role(s.section) == "past_history":
            continue  # the diagnosis shows it; past medical history is read above
        spans = _previous_spans(s.text)
        found = next((m for m, _ in _histologies(s) if _in_spans(m.start(), spans)), None)
        if found is not None:
            fact = _fact(doc, s, value=_clip(s.text, MAX_SENTENCE), previous=True)
            fact["date"] = _span_date(s.text, spans, found.start(), doc)
            _append(out, fact, ("value",))


# --------------------------------------------------------------------------- biomarkers

#: (label, name as records write it). Order matters only for display.
BIOMARKERS: Final[tuple[tuple[str, str], ...]] = (
    ("ER", r"estrogen receptors?(?:\s*\(ER\))?|oestrogen receptors?(?:\s*\(ER\))?|\bER\b"),
    ("PR", r"progesterone receptors?(?:\s*\(PR\))?|\bPg?R\b"),
    ("HER2", r"\bHER-?2(?:/neu)?\b(?!/CEP)|\bERBB2\b"),
    ("Ki-67", r"\bKi-?67\b(?:\s*proliferation index)?"),
    ("PD-L1", r"\bPD-?L1\b"),
    ("EGFR", r"\bEGFR\b"),
    ("ALK", r"\bALK\b"),
    ("ROS1", r"\bROS-?1\b"),
    ("KRAS", r"\bKRAS\b"),
    ("NRAS", r"\bNRAS\b"),
    ("BRAF", r"\bBRAF\b"),
    ("MET", r"\bMET\b(?! (?:criteria|with))"),
    ("RET", r"\bRET\b"),
    ("NTRK", r"\bNTRK[1-3]?\b"),
    ("PIK3CA", r"\bPIK3CA\b"),
    ("BRCA1", r"\bBRCA1\b"),
    ("BRCA2", r"\bBRCA2\b"),
    ("TP53", r"\bTP53\b"),
    ("ESR1", r"\bESR1\b"),
    ("MSI", r"microsatellite instability(?:\s*\(MSI\))?|\bMSI\b(?:[- ]status)?(?!-)"),
    ("MMR", r"mismatch repair(?: proteins?)?(?:\s*\([dp]?MMR\))?|\b[dp]?MMR\b"),
    ("TMB", r"tumou?r mutational burden(?:\s*\(TMB\))?|\bTMB\b"),
)
_MARKER_RES: Final = [(label, re.compile(name, re.IGNORECASE)) for label, name in BIOMARKERS]
_MARKER_CASE: Final = {"ER", "PR", "MET", "RET", "ALK"}  # short names written in capitals only
_RESULT: Final = re.compile(
    r"\bno (?:\w+ )?(?:mutations?|variants?|alterations?|fusions?) (?:detected|identified)\b|"
    r"\b(?:positive|negative|not detected|detected|not identified|wild[- ]?type|mutated|mutant|"
    r"amplified|not amplified|non-amplified|equivocal|intact|retained|lost|loss|deficient|proficient|"
    r"stable|unstable|MSS|MSI-H|MSI-L|high|low|fusion detected|rearranged|"
    r"pathogenic|likely pathogenic|uncertain significance|VUS)\b|"
    r"\d+(?:\.\d+)?\s*%|(?<![\w.])[0-3]\+|\bscore\s*:?\s*\d|\d+(?:\.\d+)?\s*mut(?:ations)?/Mb|"
    r"\bexon\s*\d+\s*(?:deletion|insertion|skipping|mutation)|\bp\.[A-Z][a-z]{0,2}\d+|\bc\.\d+",
    re.IGNORECASE,
)
_METHOD: Final = re.compile(
    r"\b(?:IHC|FISH|ISH|SISH|NGS|PCR|clone|22C3|SP263|SP142|28-8|4B5|Ventana|Dako|assay|"
    r"immunohistochemistry|sequencing)\b",
    re.IGNORECASE,
)
_NEGATIVE_RESULT: Final = re.compile(
    r"\b(?:negative|not detected|not identified|wild[- ]?type|not amplified|non-amplified|absent|"
    r"no (?:\w+ )?(?:mutations?|variants?|alterations?|fusions?) (?:detected|identified))\b",
    re.IGNORECASE,
)
_QUALIFIER: Final = re.compile(
    r"^(fusion|rearrangement|mutation(?: status)?|amplification|status|expression|gene|"
    r"tumou?r proportion score(?:\s*\(TPS\))?|TPS|combined positive score(?:\s*\(CPS\))?|CPS)\b\s*:?\s*",
    re.IGNORECASE,
)


#: Words that may come between a marker's name and its result ("Ki-67 labeling index is 12%").
_LEAD_WORDS: Final = frozenset(
    (
        *("is", "are", "was", "were", "status", "result", "results", "score", "expression"),
        *("staining", "index", "labeling", "labelling", "proliferation", "protein", "proteins"),
        *("gene", "mutation", "fusion", "rearrangement", "amplification", "tumor", "tumour"),
        *("proportion", "ihc", "fish", "ngs", "by", "receptor", "receptors", "level", "overall"),
    )
)


def _plain_lead(lead: str) -> bool:
    """True when what precedes a result is only a few connecting words (not "and", "tested")."""
    words = [w.strip("():,-").lower() for w in lead.split()]
    return len(words) <= 3 and all(not w or w in _LEAD_WORDS for w in words)


_ANY_MARKER: Final = re.compile("|".join(f"(?:{name})" for _, name in BIOMARKERS), re.IGNORECASE)


def _marker_mentions(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    if not _ANY_MARKER.search(text):
        return found
    for label, pattern in _MARKER_RES:
        for m in pattern.finditer(text):
            if label in _MARKER_CASE and m.group(0).isalpha() and not m.group(0).isupper():
                continue
            if any(start <= m.start() < end for start, end, _ in found):
                continue
            found.append((m.start(), m.end(), label))
    found.sort()
    kept: list[tuple[int, int, str]] = []
    for mention in found:
        if kept:
            between = text[kept[-1][1] : mention[0]]
            if between.count("(") > between.count(")"):
                continue  # "MMR proficient (pMMR)": the same marker named again
        kept.append(mention)
    return kept


def _marker_result(segment: str) -> tuple[str, str | None, str | None] | None:
    """(result, test, method) from the words after a marker's name, or None without a result."""
    method = test = None
    segment = segment.split(";", 1)[0]
    paren = re.match(r"\s*[(\[]([^)\]]{1,60})[)\]]", segment)
    if paren:
        if _METHOD.search(paren.group(1)):
            method = _clip(paren.group(1))
        segment = segment[paren.end() :]
    segment = segment.strip(" :,-")
    qualifier = _QUALIFIER.match(segment)
    if qualifier:
        test = _clip(qualifier.group(1))
        segment = segment[qualifier.end() :]
    if ":" in segment:
        before, _, after = segment.partition(":")
        if _RESULT.search(before):
            segment = before
        else:
            if method is None and _METHOD.search(before):
                method = _clip(before)  # "HER2 FISH: not amplified"
            elif before.strip() and len(before.split()) <= 4:
                test = _clip(before)  # "BRAF V600E: not detected"
            segment = after
    segment = re.sub(
        r"^\s*in (?:tissue|serum|plasma|blood|tumou?r)\b", "", segment, flags=re.IGNORECASE
    )
    result = _clip(segment)
    found = _RESULT.search(result)
    if not found or result.startswith(")") or not _plain_lead(result[: found.start()]):
        return None
    return result, test, method


#: Record kinds biomarker results are read from.
BIOMARKER_KINDS: Final = frozenset({"pathology_report", "genomic_report", "lab_result"})


def _marker_facts(doc: SourcedText, s: _Sentence, *, by_record: bool) -> Iterator[dict[str, Any]]:
    """The biomarker results ``s`` states, each dated by its record or (not ``by_record``)
    only by a date its own clause gives."""
    if _PENDING.search(s.text):
        return
    mentions = _marker_mentions(s.text)
    results: list[tuple[str, str | None, str | None] | None] = []
    for n, (_, end, _label) in enumerate(mentions):
        stop = mentions[n + 1][0] if n + 1 < len(mentions) else len(s.text)
        results.append(_marker_result(s.text[end:stop]))
    for n in range(len(mentions) - 2, -1, -1):
        between = s.text[mentions[n][1] : mentions[n + 1][0]]
        if results[n] is None and re.fullmatch(r"\s*(?:,|and|&|/|or)\s*", between):
            shared = results[n + 1]
            if shared is not None:  # "NRAS and BRAF V600E: not detected": not NRAS V600E
                results[n] = (shared[0], None, shared[2])
    for (start, end, label), found in zip(mentions, results, strict=True):
        if found is None:
            continue
        result, test, method = found
        fact = _fact(doc, s, marker=label, result=result)
        fact["method"] = method
        fact["test"] = test
        fact["negative"] = bool(_NEGATIVE_RESULT.search(result))
        if not by_record:
            fact["date"] = _own_date(s.text, start, end, doc, None)
        yield fact


def _biomarkers(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    for s in doc.statements:
        role = _role(s.section)
        if role == "past_history":
            continue  # past medical history: a past result, shown as history (_past_results)
        # An oncologic history's result is the patient's own, but the note's date is not its.
        for fact in _marker_facts(doc, s, by_record=role != "treatment_history"):
            _append(out, fact, ("marker", "result", "record"))


# --------------------------------------------------------------------------- tumour markers

TUMOR_MARKERS: Final[tuple[tuple[str, str], ...]] = (
    ("PSA", r"PSA(?:,?\s*total)?|prostate[- ]specific antigen"),
    ("CEA", r"CEA|carcinoembryonic antigen"),
    ("CA-125", r"CA[- ]?125"),
    ("CA 19-9", r"CA[- ]?19-9"),
    ("CA 15-3", r"CA[- ]?15-3"),
    ("CA 27.29", r"CA[- ]?27[.-]29"),
    ("AFP", r"AFP|alpha[- ]fetoprotein"),
)
_UNIT: Final = r"(ng/mL|ng/ml|U/mL|U/ml|IU/mL|kU/L|IU/L|ug/L|µg/L)"
#: What may stand between a marker's name and its value ("PSA: 4.1", "CA-125 was 88",
#: "CEA of 3.2", "PSA level measured at 0.9").
_VALUE_LEAD: Final = r"(?:\s*[:=]\s*|\s+(?:level\s+)?(?:was|is|of|measured at)\s+|\s*)"
_TUMOR_MARKER_RES: Final = [
    (
        label,
        re.compile(
            rf"(?<![\w-])(?:{name})(?![\w-]){_VALUE_LEAD}(<?\d+(?:\.\d+)?)\s*"
            rf"(?:(?:H|L|HH|LL|A|\*)\s+)?(?:\(?(?:ref\.?\s*)?\d+(?:\.\d+)?\s*-\s*\d+(?:\.\d+)?\)?\s*)?{_UNIT}",
            re.IGNORECASE,
        ),
    )
    for label, name in TUMOR_MARKERS
]
_ANY_TUMOR_MARKER: Final = re.compile(
    "|".join(f"(?:{name})" for _, name in TUMOR_MARKERS), re.IGNORECASE
)
#: The date written just after a value ("14.2 ng/mL in 2015", "2.1 ng/mL (2025-03-02)").
_DATE_AFTER: Final = re.compile(
    rf"\s*,?\s*(?:{_DATE_WORD}\s+|\()(?:{_WRITTEN_DATE})(?![\w/-])", re.IGNORECASE
)
#: The date that opens a marker's own clause ("On 03/02/2025, PSA ..."). A date
#: before it in another clause ("Prostatectomy in 2019, PSA 0.05 ng/mL") is not its date.
_DATE_BEFORE: Final = re.compile(
    rf"(?:^|;\s*)(?:{_DATE_WORD}\s+)?\(?(?:{_WRITTEN_DATE})\)?\s*[:,-]?\s*$", re.IGNORECASE
)


def _tumor_marker_facts(
    doc: SourcedText, s: _Sentence, undated: str | None
) -> Iterator[dict[str, Any]]:
    """The tumour marker values ``s`` states, each dated by the date written beside it, else
    ``undated``. A written date that is no real date leaves the value undated, not misdated."""
    if not _ANY_TUMOR_MARKER.search(s.text):
        return
    for label, pattern in _TUMOR_MARKER_RES:
        for m in pattern.finditer(s.text):
            written = _DATE_AFTER.match(s.text, m.end()) or _DATE_BEFORE.search(
                s.text, 0, m.start()
            )
            fact = _fact(doc, s, marker=label, value=m.group(1), unit=m.group(2))
            fact["date"] = _written_date(written, doc.day_first) if written else undated
            yield fact


def _tumor_markers(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    for s in doc.statements:
        role = _role(s.section)
        if role == "past_history":
            continue  # past medical history: a past result, shown as history (_past_results)
        # Under an oncologic history the note's date is not the value's: its own, or none.
        undated = None if role == "treatment_history" else doc.date
        for fact in _tumor_marker_facts(doc, s, undated):
            _append(out, fact, ("marker", "value", "unit", "date"))


# --------------------------------------------------------------------------- treatments

#: Anticancer agents and regimens, as records name them.
AGENTS: Final = (
    "docetaxel|paclitaxel|nab-paclitaxel|cabazitaxel|carboplatin|cisplatin|oxaliplatin|"
    "cyclophosphamide|doxorubicin|epirubicin|fluorouracil|5-FU|capecitabine|gemcitabine|pemetrexed|"
    "irinotecan|etoposide|vinorelbine|vincristine|bendamustine|methotrexate|temozolomide|"
    "trastuzumab|pertuzumab|trastuzumab deruxtecan|T-DXd|T-DM1|bevacizumab|cetuximab|panitumumab|"
    "rituximab|obinutuzumab|pembrolizumab|nivolumab|atezolizumab|durvalumab|ipilimumab|cemiplimab|"
    "osimertinib|erlotinib|gefitinib|afatinib|alectinib|brigatinib|lorlatinib|crizotinib|"
    "sotorasib|adagrasib|dabrafenib|trametinib|olaparib|niraparib|talazoparib|palbociclib|"
    "ribociclib|abemaciclib|tamoxifen|anastrozole|letrozole|exemestane|fulvestrant|leuprolide|"
    "goserelin|degarelix|relugolix|abiraterone|enzalutamide|apalutamide|darolutamide|ibrutinib|"
    "acalabrutinib|venetoclax|lenalidomide|bortezomib|FOLFOX|FOLFIRI|FOLFIRINOX|CAPOX|XELOX|"
    "R-CHOP|CHOP|ABVD|AC-T|TCHP|radiation|radiotherapy|SBRT|chemoradiation"
)
_AGENT: Final = re.compile(
    rf"(?<![\w-])(?:{AGENTS})(?![\w-])|\b\d+(?:\.\d+)?\s*Gy\b|^\s*Regimen\s*:", re.IGNORECASE
)
_CYCLES: Final = re.compile(r"(?:x|×)\s*(\d+)\s*cycles?|\b(\d+)\s*cycles\b", re.IGNORECASE)
_PLANNED: Final = re.compile(r"\b(?:plan(?:ned)?|will|recommend(?:ed)?|to start)\b", re.IGNORECASE)
#: A treatment refused, ruled out or only talked about: not one given or planned.
_NOT_GIVEN: Final = re.compile(
    r"\b(?:not (?:started|recommended|indicated|offered|pursued|given|be given)|declined|refused|"
    r"rejected|deferred|(?:opted|decided) against|allerg\w*|contraindicated|held|"
    r"not a candidate|candidate for|eligible for|options?|discuss(?:ed|ing)?|offer(?:ed)?|"
    r"(?:may|might) benefit|no prior|approved for dates)\b",
    re.IGNORECASE,
)
#: Record kinds whose sentences about treatment are kept.
TREATMENT_KINDS: Final = frozenset(
    {"treatment_plan", "clinical_note", "discharge_summary", "operative_report"}
)


#: When a treatment sentence says it was given: "started on 03/02/2025", "stopped in
#: 2024", "completed in March 2025". Without one, the treatment takes its record's date.
_TREATMENT_DATE: Final = re.compile(
    r"\b(?:started|began|begun|given|completed|finished|stopped|discontinued|ended|received|on|"
    r"since)"
    rf"\s+(?:(?:on|in)\s+)?(?:{_WRITTEN_DATE})(?![\w/-])",
    re.IGNORECASE,
)


#: Words that say a treatment is over ("completed 4 cycles", "stopped in 2023", "s/p").
_ENDED: Final = re.compile(
    r"\b(?:completed|completion|finished|stopped|discontinued|ended|ceased|s/p|status post)\b",
    re.IGNORECASE,
)
#: A span of time that ends on a date ("2020-2023", "04/2019 - 08/2019", "until 2023").
_PLAIN_DATE: Final = re.sub(r"\(\?P<\w+>", "(?:", _WRITTEN_DATE)
_UNTIL: Final = re.compile(
    rf"(?:(?<![\w/.-])(?:{_PLAIN_DATE})\s*(?:-|–|—)|\b(?:to|through|until|till))\s*"
    rf"(?P<until>{_PLAIN_DATE})(?![\w/-])",
    re.IGNORECASE,
)
#: Where a treatment sentence passes to another treatment ("AC x4, then tamoxifen since 2020").
_TREATMENT_PART: Final = re.compile(
    r"\s*[;,]\s*|\s+(?:then|now|but|whereas|while|followed by|currently)\s+", re.IGNORECASE
)


def _ended(text: str, doc: SourcedText) -> bool:
    """True when the sentence says each treatment it names is over: an ending word, or a span
    of time that ended by its record's date, in that treatment's own part of the sentence."""
    groups: list[str] = []
    for part in _TREATMENT_PART.split(text):
        if _AGENT.search(part) or not groups:
            groups.append(part)
        else:
            groups[-1] += f", {part}"  # "Letrozole 2020, stopped in 2023": still letrozole's

    def over(group: str) -> bool:
        if _PLANNED.search(group):
            return False
        if _ENDED.search(group):
            return True
        for until in _UNTIL.finditer(group):
            written = re.fullmatch(_WRITTEN_DATE, until.group("until"), re.IGNORECASE)
            end = _written_date(written, doc.day_first) if written else None
            if end and doc.date and end <= doc.date[: len(end)]:
                return True
        return False

    return all(over(g) for g in groups if _AGENT.search(g))


def _part_year(text: str, at: int, doc: SourcedText) -> str | None:
    """The first date written in the part of ``text`` around ``at``, a bare year included
    ("trastuzumab 2021-2022"; "2000 mg" is no year), or None."""
    starts = [p.end() for p in _TREATMENT_PART.finditer(text, 0, at)]
    stop = _TREATMENT_PART.search(text, at)
    when = _HISTORY_DATE.search(
        text, starts[-1] if starts else 0, stop.start() if stop else len(text)
    )
    return _written_date(when, doc.day_first) if when else None


def _treatments(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    for s in doc.statements:
        # The first treatment the sentence states plainly: in "She is not on tamoxifen and is
        # currently on letrozole" the negation is tamoxifen's alone.
        m = next(
            (a for a in _AGENT.finditer(s.text) if not _is_negated(s.text, a.start(), a.end())),
            None,
        )
        if not m or _NOT_GIVEN.search(s.text):
            continue
        role = _role(s.section)
        if role in ("past_history", "no_treatment"):
            continue  # a medication list, past medical history (a past condition), ...
        cycles = _CYCLES.search(s.text)
        fact = _fact(doc, s, value=_clip(s.text, MAX_SENTENCE))
        fact["cycles"] = next((g for g in cycles.groups() if g), None) if cycles else None
        if role == "treatment_history":
            # The patient's own past treatment: dated by its own clause only (the note's date
            # is not when it was given), never a plan.
            fact["date"] = _own_date(s.text, m.start(), m.end(), doc, None) or _part_year(
                s.text, m.start(), doc
            )
            fact["planned"] = False
        else:
            on = _TREATMENT_DATE.search(s.text)
            if on and on.group("year") and on.group(0).lower().split()[-2] not in ("in", "since"):
                on = None  # "received 2000 mg": a bare number is a year only after "in" or "since"
            fact["date"] = (_written_date(on, doc.day_first) if on else None) or doc.date
            fact["planned"] = (
                doc.kind == "treatment_plan"
                or bool(_PLANNED.search(s.text))
                or bool(s.section and "PLAN" in s.section)
            )
        fact["ended"] = not fact["planned"] and _ended(s.text, doc)
        _append(out, fact, ("value", "record"))


# --------------------------------------------------------------------------- procedures

_PROCEDURE_FIELD: Final = re.compile(
    r"(?:^|\s{2,})(?:procedures?|operations?)(?: performed)?\s*:\s*(.+?)(?=\s{3,}[A-Z][\w /#]{1,30}:|$)",
    re.IGNORECASE,
)
_PROCEDURE_HEADING: Final = re.compile(r"^(?:PROCEDURES?|OPERATIONS?)(?: PERFORMED)?$")


def _procedures(doc: SourcedText, out: list[dict[str, Any]]) -> None:
    previous: str | None = None
    for s in doc.statements:
        first_in_section = s.section != previous
        previous = s.section
        m = _PROCEDURE_FIELD.search(s.text)
        value = m.group(1) if m else None
        if value is None and first_in_section and s.section and _PROCEDURE_HEADING.match(s.section):
            value = s.text  # the section's first sentence names it; the rest describes it
        if (
            value
            and not _PENDING.search(value)
            and not re.search(r"finding|:\s*$", value, re.IGNORECASE)
        ):
            _append(out, _fact(doc, s, value=_clip(value, MAX_SENTENCE)), ("value", "record"))


# --------------------------------------------------------------------------- assembly


def _fact(doc: SourcedText, s: _Sentence, **values: Any) -> dict[str, Any]:
    return {**values, "date": doc.date, "record": doc.record, "path": doc.path, "sentence": s.text}


def _add(
    out: list[dict[str, Any]],
    doc: SourcedText,
    s: _Sentence,
    *,
    field: str,
    value: str,
    per_record: bool = True,
    **more: Any,
) -> None:
    """Add a (field, value) fact once per record, or once overall (its earliest source);
    ``more`` adds to it or replaces its values (a ``date``, a flag)."""
    key = ("field", "value", "record") if per_record else ("field", "value")
    if value:
        _append(out, {**_fact(doc, s, field=field, value=value), **more}, key)


class _Facts(list[dict[str, Any]]):
    """A section's facts, with the keys already in it (so adding one stays O(1))."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: set[tuple[str, ...]] = set()


def _append(out: list[dict[str, Any]], fact: dict[str, Any], key: Sequence[str]) -> None:
    """Add ``fact`` unless one with the same ``key`` values (case aside) is there."""
    ident = tuple(str(fact.get(k)).casefold() for k in key)
    seen = (
        out.keys
        if isinstance(out, _Facts)
        else {tuple(str(f.get(k)).casefold() for k in key) for f in out}
    )
    if ident not in seen:
        out.append(fact)
        seen.add(ident)


#: What fills each summary section (bundle.format.SUMMARY_SECTIONS), and from
#: which record kinds (None: every document kind).
_READERS: Final[dict[str, tuple[Any, frozenset[str] | None]]] = {
    "diagnosis": (_diagnosis, DIAGNOSIS_KINDS),
    "stage": (_stage, None),
    "history": (_history, None),
    "biomarkers": (_biomarkers, BIOMARKER_KINDS),
    "tumor_markers": (_tumor_markers, None),
    "treatments": (_treatments, TREATMENT_KINDS),
    "procedures": (_procedures, frozenset({"operative_report", "pathology_report"})),
}

#: Section keys of the summary, in display order.
SECTIONS: Final = SUMMARY_SECTIONS


def build_summary(documents: Sequence[SourcedText]) -> dict[str, Any]:
    """The case summary: each section a list of facts with their source, oldest record
    first (the stage newest first)."""
    ordered = sorted(documents, key=lambda d: (d.date or "9999", d.record))
    summary: dict[str, Any] = {"version": SUMMARY_VERSION}
    for name in SECTIONS:
        extract, kinds = _READERS[name]
        facts = _Facts()
        for doc in ordered:
            if doc.text and (kinds is None or doc.kind in kinds):
                extract(doc, facts)
        summary[name] = list(facts)
    # A trend reads best marker by marker, oldest value first.
    summary["tumor_markers"].sort(key=lambda f: (f["marker"], f["date"] or "9999"))
    # A restaging reads first: the newest stage on top, undated last (a stable sort
    # keeps each record's TNM, group and edition together in the order written).
    summary["stage"].sort(key=lambda f: f["date"] or "", reverse=True)
    return summary
