"""Letters that ask for records: never the records they ask for.

A request letter quotes what it asks for ("the pathology report with ER, PR,
HER2", "my medication list"), and a patient keeps it in the records folder.
recordpack marks the letters it writes (:data:`OWN_LETTER_LINE` in their
text, :data:`OWN_LETTER_KEYWORD` in a PDF's metadata); a letter anyone writes
to ask for a copy of records, or to authorise their release, is told by its
title or its first-person request near the top. Such a sign is only a sign:
a stamp, a header line or a quoted request on a real record, or a cover letter
in front of one, never makes the record a letter (``classify.kinds`` decides).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from recordpack import sentences

#: The token that marks a letter written by recordpack (text and PDF keywords).
OWN_LETTER_KEYWORD: Final = "recordpack-request-letter"
#: The line recordpack writes at the foot of each of its letters.
OWN_LETTER_LINE: Final = (
    f"Prepared with recordpack ({OWN_LETTER_KEYWORD}): a request for records, not a record."
)
#: The PDF Creator and Subject of recordpack's letters.
OWN_LETTER_CREATOR: Final = "recordpack"
OWN_LETTER_SUBJECT: Final = "recordpack request letter"
#: The PDF titles recordpack's letters have had (those written before the keyword).
OWN_LETTER_TITLES: Final = frozenset(
    {"Request for a copy of medical records", "Release of pathology slides and blocks"}
)

OWN_LETTER_EVIDENCE: Final = "a request letter written by recordpack"
REQUEST_LETTER_EVIDENCE: Final = "a letter asking for records, not the records it asks for"
CLINICAL_LETTER_EVIDENCE: Final = (
    "a doctor's letter about the patient, not only a request for records"
)

#: A letter's request is in its first page.
LETTER_CHARS: Final = 4_000


@dataclass(frozen=True)
class LetterVerdict:
    """What a letter asking for records is filed as, and why."""

    kind: str
    title: str
    evidence: str


#: recordpack's own letter: a paper the patient keeps, of no kind a manifest asks for.
OWN_LETTER: Final = LetterVerdict(
    "other", "Records request letter (written by recordpack)", OWN_LETTER_EVIDENCE
)
#: Anyone's request or release authorisation: an authorization letter (KINDS.md).
REQUEST_LETTER: Final = LetterVerdict("administrative", "Records request letter", REQUEST_LETTER_EVIDENCE)

_RECORDS: Final = r"(?:medical|health|patient|hospital|pathology|imaging|radiology)\s+records?"

#: Where a sign is looked for: the title area (the first lines) or the first page.
TITLE, PAGE = "title", "page"
#: Non-empty lines of the title area.
TITLE_LINES: Final = 15

#: Signs of a letter asking for records, in order; the first that matches decides.
LETTER_SIGNS: Final[tuple[tuple[str, re.Pattern[str], LetterVerdict], ...]] = (
    (PAGE, re.compile(rf"\(\s*{OWN_LETTER_KEYWORD}\s*\)"), OWN_LETTER),
    (
        TITLE,
        # "REQUEST FOR A COPY OF MY MEDICAL RECORDS", "Re: Medical records request".
        re.compile(
            r"^\W{0,3}(?:(?:re|subject)\s*:\s*)?(?:request\s+(?:for\s+)?(?:a\s+copy\s+of\s+"
            rf"|copies\s+of\s+|access\s+to\s+)?(?:my\s+|the\s+)?{_RECORDS}|{_RECORDS}\s+request"
            r"|release\s+of\s+pathology\s+slides\b"
            r"|authori[sz]ation\s+(?:for|to)\s+(?:the\s+)?(?:release|disclos\w+)\s+of\b)"
            r"[^\n:]{0,60}$",
            re.IGNORECASE | re.MULTILINE,
        ),
        REQUEST_LETTER,
    ),
    (
        PAGE,
        # Its request, in the first person.
        re.compile(
            r"\bI\s+(?:am\s+writing\s+to\s+|would\s+like\s+to\s+|wish\s+to\s+|hereby\s+)?"
            r"(?:request|ask\s+for)\s+(?:a\s+|an\s+electronic\s+)?cop(?:y|ies)\s+of\s+"
            r"(?:my|all\s+(?:of\s+)?my|the\s+following)\b"
            r"|\bI\s+ask\s+you\s+to\s+release\s+the\s+following\b"
            r"|\bI\s+(?:hereby\s+)?authori[sz]e\b[^.]{0,200}?\bto\s+(?:release|disclose)\b",
            re.IGNORECASE,
        ),
        REQUEST_LETTER,
    ),
)


@dataclass(frozen=True)
class LetterSign:
    """A sign of a letter asking for records, and where in the text it ends."""

    verdict: LetterVerdict
    end: int


def request_sign(text: str) -> LetterSign | None:
    """The first sign (:data:`LETTER_SIGNS`) that ``text`` is a letter asking for records, or None."""
    page = text[:LETTER_CHARS]
    title = "\n".join([line for line in page.splitlines() if line.strip()][:TITLE_LINES])
    where = {TITLE: title, PAGE: page}
    for at, sign, verdict in LETTER_SIGNS:
        found = sign.search(where[at])
        if found is not None:
            # A title line is whole in the page: find it there for its offset.
            start = found.start() if at == PAGE else max(0, page.find(found.group()))
            return LetterSign(verdict, start + len(found.group()))
    return None


def request_letter(text: str) -> LetterVerdict | None:
    """What ``text`` is filed as when it shows a sign of a letter asking for records; else None."""
    sign = request_sign(text)
    return sign.verdict if sign else None


# --------------------------------------------------------------------------- clinical letters

#: A request for records in any words: the passage it starts is not what the letter tells.
_REQUEST_WORDS: Final = re.compile(
    LETTER_SIGNS[2][1].pattern
    + r"|\b(?:request\w*|ask(?:ing)?\s+for|send\w*|forward\w*|provid\w*|releas\w*|obtain\w*)\b"
    r"[^.!?]{0,80}?\bcop(?:y|ies)\b"
    r"|\bplease\s+(?:send|forward|provide|release|fax|mail)\b"
    r"|\bauthori[sz]\w*\b[^.!?]{0,160}?\b(?:release|disclos\w*)\b",
    re.IGNORECASE,
)
#: Where a sentence or a paragraph ends.
_SENTENCE_END: Final = re.compile(r"[.!?](?=\s)|\n[ \t]*\n")
_PARAGRAPH_END: Final = re.compile(r"\n[ \t]*\n")
#: A paragraph that lists what is asked for: bullets or numbers, or short lines.
_BULLET: Final = re.compile(r"^\s*(?:[-*\u2022\u00b7]|\d{1,2}[.)]|[a-z][.)])\s+")
_LIST_LINE_CHARS: Final = 80
_BLANK: Final = re.compile(r"[\n \t]*")

_M: Final = re.IGNORECASE | re.MULTILINE


def _labelled(label: str) -> str:
    """A line that starts with ``label:`` and says something after it (not a bare heading)."""
    return rf"^[ \t]*(?:{label})[ \t]*:[ \t]*\w"


#: What a doctor's letter about a patient tells, part by part (the parts of a clinic
#: note, KINDS.md): each part is told in a sentence or a labelled line with content,
#: never by a noun alone ("clinic notes with history and examination" tells nothing).
CLINICAL_PARTS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "history",
        re.compile(
            _labelled(
                r"history(?:\s+of\s+(?:the\s+)?present(?:ing)?\s+(?:illness|complaint))?"
                r"|HPI|presenting\s+complaint|past\s+medical\s+history"
            )
            + r"|\bpresent(?:ed|s|ing)\s+with\b|\b\d{1,3}[- ](?:year|yr)[- ]old\b"
            r"|\b(?:a|an|\w+[- ](?:day|week|month|year))\s+history\s+of\b"
            r"|\bcomplain(?:s|ed|ing)?\s+of\b",
            _M,
        ),
    ),
    (
        "examination",
        re.compile(
            _labelled(r"(?:physical\s+)?exam(?:ination)?|O/E|on\s+examination")
            + r"|\bon\s+(?:clinical\s+|physical\s+)?examination\b|\bO/E\b"
            r"|\bexamination\s+(?:today\s+)?(?:showed|shows|revealed|reveals|was|is|found)\b"
            r"|\b(?:lymph)?adenopathy\b|\bwell[- ]appearing\b|\bchest\s+(?:was\s+|is\s+)?clear\b"
            r"|\bECOG\s+(?:performance\s+status\s+)?\d",
            _M,
        ),
    ),
    (
        "assessment",
        re.compile(
            _labelled(r"assessment(?:\s+and\s+plan)?|impression|diagnos[ie]s|A/P|A\s*&\s*P")
            + r"|\b(?:my|our|the)\s+(?:assessment|impression)\s+(?:is|was)\b"
            r"|\bstage\s+(?:[0IV]{1,4}[ABC]?\d?)\b|\b[cpy]?T[0-4][a-d]?\s*N[0-3][a-c]?\b"
            r"|\b(?:consistent|in\s+keeping)\s+with\b",
            _M,
        ),
    ),
    (
        "plan",
        re.compile(
            _labelled(r"plan|recommendations?|management|assessment\s+and\s+plan|A/P|A\s*&\s*P")
            + r"|\b(?:my|our|the)\s+plan\s+(?:is|was)\b"
            r"|\bwe\s+(?:will|shall|plan\s+to|have\s+agreed\s+to)\s+\w"
            r"|\bI\s+(?:have\s+|will\s+)?(?:recommend(?:ed)?|arrange[ds]?|start(?:ed)?|prescribed?"
            r"|book(?:ed)?)\b"
            r"|\b(?:follow[- ]up|review)\s+in\s+\d+\s+(?:days?|weeks?|months?)\b",
            _M,
        ),
    ),
)
#: The patient's own story, in the first person: a patient's letter, however much it
#: tells of the illness, is no clinic letter.
_OWN_STORY: Final = re.compile(
    r"\bI\s+(?:am|was)\s+(?:an?\s+\d{1,3}[- ]year[- ]old|diagnosed|told)\b"
    r"|\bmy\s+(?:cancer|diagnosis|tumou?r|biopsy|oncologist|doctors?|surgeon|treatment)\b",
    re.IGNORECASE,
)
#: A letter tells this many parts of a clinic note, outside its request, to be one.
CLINICAL_PARTS_MIN: Final = 3
#: Characters of a letter read for its clinical parts (a letter runs a few pages at most).
CLINICAL_LETTER_CHARS: Final = 20_000


def _is_list(paragraph: str) -> bool:
    lines = [line for line in paragraph.splitlines() if line.strip()]
    return bool(lines) and all(
        _BULLET.match(line) or len(line.strip()) <= _LIST_LINE_CHARS for line in lines
    )


def request_passages(text: str) -> list[tuple[int, int]]:
    """Where ``text`` asks for records: from the start of each request's sentence to the
    end of its paragraph, with the list of what is asked for that follows it."""
    passages: list[tuple[int, int]] = []
    # Found once: a hostile text of many short requests costs no more than one.
    sentence_ends = [m.end() for m in sentences.ends(_SENTENCE_END, text)]
    for found in _REQUEST_WORDS.finditer(text):
        if passages and found.start() < passages[-1][1]:
            continue
        before = bisect.bisect_right(sentence_ends, found.start())
        start = sentence_ends[before - 1] if before else 0
        end = _paragraph_end(text, found.end())
        # "... the following:" then a list, paragraph by paragraph.
        while text[max(0, end - _LIST_LINE_CHARS) : end].rstrip().endswith(":") or _bulleted(
            text, end
        ):
            after = _paragraph_end(text, _next_paragraph(text, end))
            if after <= end or not _is_list(text[end:after]):
                break
            end = after
        passages.append((start, end))
    return passages


def _paragraph_end(text: str, at: int) -> int:
    found = _PARAGRAPH_END.search(text, at)
    return found.start() if found else len(text)


def _next_paragraph(text: str, at: int) -> int:
    """Where the paragraph after ``at`` (past blank lines) starts."""
    blank = _BLANK.match(text, at)
    return blank.end() if blank else at


def _bulleted(text: str, at: int) -> bool:
    """Whether the paragraph after ``at`` starts with a bullet or a number."""
    return bool(_BULLET.match(text, _next_paragraph(text, at)))


def clinical_parts(text: str) -> tuple[str, ...]:
    """The parts of a clinic note (:data:`CLINICAL_PARTS`) a doctor's letter tells outside
    the passages where it asks for records, in order; none for a patient's own story."""
    text = text[:CLINICAL_LETTER_CHARS]
    told = list(text)
    for start, end in request_passages(text):
        told[start:end] = " " * (end - start)
    rest = "".join(told)
    if _OWN_STORY.search(rest):
        return ()
    return tuple(part for part, sign in CLINICAL_PARTS if sign.search(rest))


def clinical_letter(text: str) -> str | None:
    """Why ``text``, a letter that asks for records, is a clinic letter (a doctor's letter
    telling the patient's history, examination, assessment or plan: KINDS.md files it as
    a ``clinical_note``), or None when all it tells is its request."""
    parts = clinical_parts(text)
    if len(parts) < CLINICAL_PARTS_MIN:
        return None
    told = ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{CLINICAL_LETTER_EVIDENCE}: it tells the patient's {told}"


def written_by_recordpack(metadata: Mapping[str, object]) -> bool:
    """Whether a PDF's document information says recordpack wrote it as a request letter."""
    keywords = str(metadata.get("/Keywords") or "")
    creator = str(metadata.get("/Creator") or "")
    title = str(metadata.get("/Title") or "")
    return OWN_LETTER_KEYWORD in keywords or (
        creator == OWN_LETTER_CREATOR and title in OWN_LETTER_TITLES
    )


def is_request_letter(evidence: Iterable[str]) -> bool:
    """Whether a record's evidence says it is a letter asking for records."""
    return any(e in (OWN_LETTER_EVIDENCE, REQUEST_LETTER_EVIDENCE) for e in evidence)


def read_as_request_letter(evidence: Iterable[str]) -> bool:
    """Whether a record was filed as a letter asking for records by its words alone
    (not recordpack's own letter): a reading its owner may have to correct."""
    return REQUEST_LETTER_EVIDENCE in evidence


#: Up to this many words between what a record is about and the record itself
#: ("the breast pathology report", "mammogram and breast MRI reports").
_GAP: Final = r"(?:[\w'-]+\s+){0,3}?"


def _record_words(about: str, records: str, *, gap: str = _GAP, alone: str = "") -> str:
    """Words that name a record: what it is about, then the record ("blood test results"),
    or the record, then what of ("the results of my blood tests"), or a name used alone."""
    of = r"(?:my|the|her|his|your|all|any|recent)\s+"
    named = (
        rf"(?:{about})\s+{gap}(?:{records})\b"
        rf"|(?:{records})\s+(?:of|from|for)\s+(?:{of}){{0,2}}{gap}(?:{about})\b"
    )
    return rf"(?:{named}|{alone})" if alone else rf"(?:{named})"


#: The words that name each kind of record in a letter asking for it: a record,
#: never a topic ("my pathology slides" names no report, "medical records" no record
#: of any kind in particular, "procedures" no operative report).
ASKED_FOR_WORDS: Final[Mapping[str, re.Pattern[str]]] = {
    kind: re.compile(rf"\b{words}", re.IGNORECASE)
    for kind, words in (
        (
            "pathology_report",
            _record_words(
                r"patholog\w*|biops(?:y|ies)|cytolog\w*|histolog\w*",
                r"reports?|results?|findings|diagnos[ie]s",
            ),
        ),
        ("imaging_study", r"(?:images?|DICOM|films|(?:CD|DVD|disc|disk)s?)\b"),
        (
            "imaging_report",
            _record_words(
                r"imaging|radiology|radiologist'?s?|mammogra\w*|CT|MRI|PET(?:[- ]CT)?"
                r"|ultrasounds?|sonogra\w*|x-?rays?|scans?",
                r"reports?|results?|readings?",
            ),
        ),
        (
            "lab_result",
            _record_words(
                r"lab(?:oratory)?|blood(?:\s+tests?)?|tumou?r\s+markers?|CBC|CEA|PSA"
                r"|CA\s?(?:15-3|19-9|125)",
                r"results?|reports?|tests?|work|values?|panels?",
            ),
        ),
        (
            "genomic_report",
            _record_words(
                r"genomic\w*|genetic|molecular|germline|hereditary|biomarkers?|mutations?"
                r"|NGS|next[- ]generation\s+sequencing",
                r"tests?|testing|reports?|results?|profil\w*|panels?|assays?|sequencing",
                alone=r"Oncotype\w*|MammaPrint|FoundationOne\w*|Guardant\w*|BRCA[12]?\b",
            ),
        ),
        (
            "clinical_note",
            _record_words(
                r"clinic|progress|consultations?|consult|visits?|office|oncology"
                r"|oncologist'?s?|doctor'?s?|physician'?s?|follow[- ]up",
                r"notes?|letters?",
                gap="",
                alone=r"history\s+and\s+physical|after[- ]visit\s+summar\w*"
                r"|consultation\s+reports?",
            ),
        ),
        (
            "operative_report",
            _record_words(
                r"operative|operations?|surgery|surgical|procedures?|op",
                r"notes?|reports?|records?",
                gap="",
            ),
        ),
        (
            "treatment_plan",
            _record_words(
                r"treatment|chemotherapy|chemo|radiation|radiotherapy|immunotherapy"
                r"|end[- ]of[- ]treatment",
                r"plans?|summar\w*|regimens?",
                gap=r"(?:[\w'-]+\s+){0,1}?",
            ),
        ),
        (
            "medication_list",
            _record_words(
                r"medications?|medicines?|drugs?",
                r"lists?",
                gap=r"(?:and\s+allerg\w+\s+)?",
                alone=r"current\s+(?:medications|medicines)|allerg(?:y|ies)\b"
                r"|medications?\s+and\s+allerg\w+",
            ),
        ),
        ("discharge_summary", r"discharge\s+(?:summar\w*|notes?|letters?)\b"),
        (
            "patient_summary",
            r"(?:(?:continuity\s+of\s+care|care|health|patient|clinical|medical)\s+summar\w*"
            r"|summary\s+of\s+(?:my\s+)?care|CCD|C-CDA|international\s+patient\s+summary)\b",
        ),
    )
}


def asks_for(text: str, kinds: Iterable[str]) -> bool:
    """Whether a letter's ``text`` names a record of any of ``kinds`` (:data:`ASKED_FOR_WORDS`)."""
    return any((words := ASKED_FOR_WORDS.get(kind)) and words.search(text) for kind in kinds)


def kinds_asked_for(text: str) -> frozenset[str]:
    """The kinds of record a letter's ``text`` names: the fewer, the more specific it is."""
    return frozenset(kind for kind, words in ASKED_FOR_WORDS.items() if words.search(text))


__all__ = [
    "ASKED_FOR_WORDS",
    "LETTER_SIGNS",
    "OWN_LETTER",
    "OWN_LETTER_CREATOR",
    "OWN_LETTER_EVIDENCE",
    "OWN_LETTER_KEYWORD",
    "OWN_LETTER_LINE",
    "OWN_LETTER_SUBJECT",
    "OWN_LETTER_TITLES",
    "PAGE",
    "REQUEST_LETTER",
    "REQUEST_LETTER_EVIDENCE",
    "TITLE",
    "LetterSign",
    "LetterVerdict",
    "asks_for",
    "is_request_letter",
    "kinds_asked_for",
    "read_as_request_letter",
    "request_letter",
    "request_sign",
    "written_by_recordpack",
]
