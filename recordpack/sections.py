"""Find a headed section in a record's text and tell whether it holds anything.

A portal's health summary prints every section it has, loaded or not:
``MEDICATIONS`` followed by "This section could not be loaded", ``Allergies:
Not on file``. Such a record is no medication list, whatever its kind. This
module reads a section's first line of content after its heading and says
whether the section is there, and if so whether that line says the section's
content is unavailable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

#: How a section was found: not headed at all, headed but saying nothing, headed with content.
ABSENT: Final = "absent"
EMPTY: Final = "empty"
SHOWN: Final = "shown"

#: A first line that says the section's content is not there (a portal that failed
#: to load it, a field never filled in): unknown, which is not the same as "None".
_UNAVAILABLE: Final = re.compile(
    r"^\W*(?:"
    r".*\b(?:could\s+not|cannot|can't|unable\s+to|failed\s+to)\s+(?:be\s+)?"
    r"(?:load|display|retriev|show|access|open)\w*"
    r"|.*\b(?:not|never)\s+(?:on\s+file|available|loaded|recorded|documented|reviewed"
    r"|obtained|entered|provided|reported|known)\b"
    r"|.*\b(?:temporarily\s+)?unavailable\b"
    r"|no\s+(?:information|info|data|entries|details|records?)\b"
    r"|none\s+(?:recorded|documented|entered|on\s+file|available|reported)\b"
    r"|(?:information\s+)?unknown\b"
    r"|(?:error|n/?a|tbd|pending|see\s+(?:attached|below|above|separate))\b"
    r")",
    re.IGNORECASE,
)

#: A document's header field under its title ("Patient: ...", "Printed: ..."), not content.
_HEADER_FIELD: Final = re.compile(
    r"^\s*(?:patient|name|dob|date\s+of\s+birth|birth\s*date|mrn|printed|generated|run\s+date"
    r"|date|page|as\s+of)\b[^:\n]{0,20}:",
    re.IGNORECASE,
)

#: A line that is the title of a section a summary commonly has: where an empty
#: section's heading is followed directly by the next one ("Medications",
#: then "Problems"), as in a C-CDA's narrative.
_COMMON_HEADING: Final = re.compile(
    r"^\s*(?:active\s+|current\s+)?(?:problems?(?:\s+list)?|allerg\w*(?:[\s,]+[\w ,]{0,40})?"
    r"|medications?|immunizations?|vaccinations?|results?|vital\s+signs|vitals|procedures?"
    r"|surgical\s+history|encounters?|plan\s+of\s+(?:care|treatment)|care\s+plan|social\s+history"
    r"|family\s+history|care\s+team|insurance|payers?|functional\s+status|mental\s+status"
    r"|medical\s+equipment|goals|health\s+concerns|reason\s+for\s+(?:visit|referral)"
    r"|instructions|assessments?|history\s+of\s+present\s+illness|diagnos[ei]s)\s*:?\s*$",
    re.IGNORECASE,
)

#: How many characters after a heading's words may still belong to the heading
#: ("Medications (3)", "Current Medications as of 11/25/2026").
_HEADING_TAIL: Final = 40


@dataclass(frozen=True)
class Section:
    """What a record says under a heading: its state, the heading and first line as written."""

    state: str
    heading: str = ""
    first_line: str = ""


@functools.lru_cache(maxsize=256)
def _heading(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(
        re.escape(a.rstrip("*")) + (r"\w*" if a.endswith("*") else "")
        for a in sorted(alternatives, key=len, reverse=True)
    )
    return re.compile(
        r"^[ \t\-*#•]*(?:current\s+|active\s+|home\s+|outpatient\s+)?"
        rf"(?:{words})(?![A-Za-z0-9])"
        rf"(?P<tail>[^:.\n]{{0,{_HEADING_TAIL}}})"
        r"(?::[ \t]*(?P<inline>.*))?$",
        re.IGNORECASE | re.MULTILINE,
    )


def find_section(text: str, alternatives: Iterable[str]) -> Section:
    """The first section of ``text`` headed by one of ``alternatives`` that holds
    something; else the first one found, empty; else :data:`ABSENT`.

    A heading is a line that starts with one of the words (optionally after
    "Current", "Active"), with no sentence after them: ``MEDICATIONS``,
    ``Medications:``, ``Current Medications (3)``, ``Allergies: NKDA``. Its
    content is what follows a colon on the same line, or else the next
    non-blank line; another common section's title there means it is empty.
    """
    empty: Section | None = None
    lines = text.split("\n")
    offsets = _line_starts(lines)
    for match in _heading(tuple(alternatives)).finditer(text):
        heading = match.group(0)[: match.end("tail") - match.start()].strip(" \t-*#•")
        first = (match.group("inline") or "").strip()
        if _UNAVAILABLE.match(heading):
            # "Medication information could not be loaded" is no heading with content.
            first = heading
        elif not first:
            index = offsets.get(match.start(), -1)
            first = _next_content(lines, index)
        if first and not any(p.match(first) for p in (_UNAVAILABLE, _COMMON_HEADING)):
            return Section(SHOWN, heading, first)
        if empty is None:
            empty = Section(EMPTY, heading, first)
    return empty if empty is not None else Section(ABSENT)


def _line_starts(lines: list[str]) -> dict[int, int]:
    starts: dict[int, int] = {}
    offset = 0
    for index, line in enumerate(lines):
        starts[offset] = index
        offset += len(line) + 1
    return starts


def _next_content(lines: list[str], index: int) -> str:
    if index < 0:
        return ""
    for line in lines[index + 1 :]:
        if line.strip() and not _HEADER_FIELD.match(line):
            return line.strip()
    return ""
