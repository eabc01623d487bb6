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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

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


#: The words that name each kind of record in a letter asking for it.
ASKED_FOR_WORDS: Final[Mapping[str, re.Pattern[str]]] = {
    kind: re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    for kind, words in (
        ("pathology_report", r"patholog\w*|biops\w*|cytolog\w*|histolog\w*"),
        ("imaging_study", r"images?|imaging|scans?|DICOM|CDs?"),
        (
            "imaging_report",
            r"imaging|radiology|mammogra\w*|CT|MRI|PET|ultrasound|x-?rays?|scan\s+reports?",
        ),
        ("lab_result", r"lab\w*|blood\s+tests?|test\s+results|tumou?r\s+markers?"),
        ("genomic_report", r"genomic\w*|genetic\w*|molecular|NGS|Oncotype\w*"),
        ("clinical_note", r"notes?|consultations?|visit\s+summar\w*|clinic\s+letters?"),
        ("operative_report", r"operative|operations?|surgery|surgical|procedures?"),
        ("treatment_plan", r"treatment\s+plans?|treatment\s+summar\w*|chemotherapy|radiation"),
        ("medication_list", r"medications?|allerg\w*"),
        ("discharge_summary", r"discharge\s+summar\w*"),
        ("patient_summary", r"summary|health\s+records?|medical\s+records?"),
    )
}


def asks_for(text: str, kinds: Iterable[str]) -> bool:
    """Whether a letter's ``text`` names a record of any of ``kinds``."""
    return any((words := ASKED_FOR_WORDS.get(kind)) and words.search(text) for kind in kinds)


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
    "read_as_request_letter",
    "request_letter",
    "request_sign",
    "written_by_recordpack",
]
