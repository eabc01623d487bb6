"""What a document's own text says of its status: preliminary, withdrawn, replaced.

Only its header says so: one of its first lines ("*** PRELIMINARY REPORT - NOT FINAL
***", "THIS REPORT WAS ENTERED IN ERROR", "Surgical pathology report (preliminary)")
or a status field ("Report status: Preliminary"), at the start of a line or, in
the header block, after other fields on its row ("Accession: S26-11873   Report
Status: PRELIMINARY", the right column of a two-column header). A sentence of its
body ("a preliminary report was issued on 10/14; this final report ...") is
history, not the document's status, and a heading such as "FINAL REPORT" or
"AMENDED REPORT" says nothing.
"""

from __future__ import annotations

import re
from typing import Final

from recordpack.model import CANCELLED, ENTERED_IN_ERROR, PRELIMINARY, SUPERSEDED, most_telling

#: Non-blank lines at the top of a document read as its header.
HEADER_LINES: Final = 6
#: Lines from the top in which a status field is looked for.
FIELD_LINES: Final = 40
#: Longest header line read as a status line (a longer one is prose).
MAX_STATUS_LINE: Final = 120
#: Non-blank lines at most in the header block, where a status field may follow other
#: fields on its row; the block ends sooner at the first section heading.
HEADER_BLOCK_LINES: Final = 15
#: Most words in a status field's value within a row (a longer run is a sentence).
MAX_VALUE_WORDS: Final = 4

_LEAD = r"^[\W_]*"  # decoration before the words: "***", "--", "["
_THIS_SAID = r"this\s+(?:report|document|result|study|note)\s+(?:was|has\s+been|is)\s+"
_THIS = f"(?:{_THIS_SAID})?"
_REPORT = r"(?:(?:[\w-]+\s+){0,3}(?:report|result|diagnosis\s+report|document)s?)"
_END = r"\s*(?:$|[-\u2013\u2014:;(\[*!.,]|\bnot\s+final\b|\bdo\s+not\s+use\b)"

_DASH = r"\s*[-\u2013\u2014:(\[]\s*"  # between a title and the status after it

#: (status, pattern of a header line that states it), most telling first.
_HEADER_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (status, re.compile(pattern, re.IGNORECASE))
    for status, pattern in (
        (ENTERED_IN_ERROR, _LEAD + _THIS + r"(?:entered|filed|posted)\s+in\s+error\b"),
        (ENTERED_IN_ERROR, _LEAD + _REPORT + _DASH + r"entered\s+in\s+error\b"),
        (CANCELLED, _LEAD + _THIS_SAID + r"(?:cancell?ed|withdrawn|retracted)\b"),
        (CANCELLED, _LEAD + r"(?:(?:report|order|test|exam|study)\s+)?(?:cancell?ed|withdrawn)"
                    + _END),
        (CANCELLED, _LEAD + _REPORT + _DASH + r"(?:cancell?ed|withdrawn)\b"),
        (SUPERSEDED, _LEAD + _THIS_SAID + r"(?:superseded|replaced)\b"),
        (SUPERSEDED, _LEAD + r"superseded" + _END),
        (SUPERSEDED, _LEAD + _REPORT + _DASH + r"superseded\b"),
        (SUPERSEDED, r"\b(?:superseded|replaced)\s+by\s+(?:a|the|an)\s+"
                     r"(?:corrected|amended|revised|updated|newer|later|new)\s+"
                     r"(?:report|version|result)"),
        (SUPERSEDED, r"\b(?:corrected|amended|revised)\s+(?:report|version)\s+replaces\s+this\b"),
        (PRELIMINARY, _LEAD + r"(?:this\s+is\s+an?\s+)?(?:preliminary|interim)\s*"
                      r"(?:report|result|pathology\s+report)?" + _END),
        (PRELIMINARY, _LEAD + r"not\s+(?:a\s+)?final\b"),
        (PRELIMINARY, _LEAD + _REPORT + _DASH + r"(?:preliminary|not\s+final)\b"),
    )
)

#: A status field: "Status: Preliminary", "Report status: FINAL", "Result Status: Cancelled".
_FIELD: Final = re.compile(
    r"^\s*(?:(?:report|result|document|order|case)\s+)?status\s*:\s*(?P<value>[^\n]{1,60})$",
    re.IGNORECASE,
)
#: A status field within a row of the header block: at the start of the line or after a
#: column gap (two or more spaces, a tab, a bar), never after a single space inside a
#: sentence; its value ends at the next column gap. Layout text puts a two-column header's
#: right column on the left column's rows, and Word joins table cells with two spaces, so
#: the label may also be parted from its value by a gap instead of a colon.
_ROW_FIELD: Final = re.compile(
    r"(?:^|(?:\s{2,}|\t|\s*\|\s*))"
    r"(?P<field>(?:(?:report|result|document|order|case)\s+)?status"
    r"(?:\s*:|\s{2,}|\t)\s*(?P<value>\S(?:[^\S\t\n]?[^\s|])*))",
    re.IGNORECASE,
)
#: A section heading alone on its line ("FINAL DIAGNOSIS:", "Clinical history:"): the
#: header block ends before it.
_SECTION_HEADING: Final = re.compile(r"^[\W_]*[A-Za-z][A-Za-z ,&/()-]{1,60}:$")
#: A line of capitals and nothing else ("DIAGNOSIS"): a heading once a field was seen
#: (before that, it is the title or the letterhead).
_CAPS_HEADING: Final = re.compile(r"^[\W_]*[A-Z][A-Z ,&/()-]{1,60}$")
#: (status, pattern) of a status field's value; any other value (final, amended) says nothing.
_FIELD_VALUES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (status, re.compile(pattern, re.IGNORECASE))
    for status, pattern in (
        (ENTERED_IN_ERROR, r"^\W*entered\s+in\s+error\b"),
        (CANCELLED, r"^\W*(?:cancell?ed|withdrawn)\b"),
        (SUPERSEDED, r"^\W*(?:superseded|replaced)\b"),
        (PRELIMINARY, r"^\W*(?:preliminary|partial|interim|pending|not\s+final|in\s+progress)\b"),
    )
)
#: A word every rule above needs (lower case): text without one states no status.
_STATUS_WORDS: Final = (
    "error", "cancel", "withdrawn", "retracted", "supersed", "replace", "prelim", "interim",
    "final", "status",
)  # fmt: skip


def _may_state(text: str) -> bool:
    """Whether ``text`` has a word some rule needs (plain substring tests: most texts have none)."""
    folded = text.lower()
    return any(word in folded for word in _STATUS_WORDS)




def _header_block(lines: list[str]) -> list[str]:
    """The header block: the first non-blank lines, up to the first section heading."""
    block: list[str] = []
    fields = False
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if block and (_SECTION_HEADING.match(line) or (fields and _CAPS_HEADING.match(line))):
            break
        block.append(line)
        fields = fields or ":" in line
        if len(block) == HEADER_BLOCK_LINES:
            break
    return block


def _row_fields(line: str) -> list[tuple[str, str]]:
    """The (status, field text) of each status field on a header-block row."""
    found: list[tuple[str, str]] = []
    for field in _ROW_FIELD.finditer(line):
        value = field.group("value")
        if len(value.split()) > MAX_VALUE_WORDS:
            continue  # prose, not a field's value
        status = next((s for s, rule in _FIELD_VALUES if rule.search(value)), None)
        if status:
            found.append((status, field.group("field")))
    return found


def text_status(text: str) -> tuple[str | None, str | None]:
    """The status a document's header states (``model.RECORD_STATUSES``) and the
    evidence quoting it; ``(None, None)`` when it states none (a final report)."""
    found: list[tuple[str, str]] = []
    lines = text.split("\n", FIELD_LINES)[:FIELD_LINES]
    if not _may_state("\n".join(lines)):
        return None, None  # most documents: no rule could match
    header = [line.strip() for line in lines if line.strip()][:HEADER_LINES]
    for line in header:
        if len(line) > MAX_STATUS_LINE or not _may_state(line):
            continue
        status = next((s for s, rule in _HEADER_RULES if rule.search(line)), None)
        if status:
            found.append((status, f"header says '{line}'"))
    for line in lines:
        field = _FIELD.match(line)
        if field is None:
            continue
        value = field.group("value").strip()
        status = next((s for s, rule in _FIELD_VALUES if rule.search(value)), None)
        if status:
            found.append((status, f"status field '{line.strip()}'"))
    for line in _header_block(lines):
        if "status" in line.lower():
            found.extend((status, f"status field '{field}'") for status, field in _row_fields(line))
    if not found:
        return None, None
    best = most_telling(status for status, _ in found)
    return next(pair for pair in found if pair[0] == best)
