"""Find a headed section in a record's text and tell whether it holds anything.

A portal's health summary prints every section it has, loaded or not:
``MEDICATIONS`` followed by "This section could not be loaded", ``Allergies:
Not on file``, a table's header row with no rows, or straight away the next
section's title. Such a record is no medication list, whatever its kind. This
module reads a section's first line of content after its heading and says
whether the section is there, and if so whether that line holds anything;
then its entries, to tell a list whose every entry is marked as no longer
current ("Metoprolol 25 mg (discontinued)", "Status: Inactive").

A line counts as saying "nothing here" only when it is *all* such a
statement ("Not on file", "--", "No medications found"), never when one
field of an entry is unknown ("Penicillin - reaction not documented").
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

#: How a section was found: not headed at all, headed but saying nothing, headed with content.
ABSENT: Final = "absent"
EMPTY: Final = "empty"
SHOWN: Final = "shown"

#: The line a scanner writes under a section's title when the record's own
#: structure says the section holds nothing (a C-CDA section with no text, a
#: table with a header row and no rows, a ``nullFlavor``, a FHIR section's
#: ``emptyReason``); it may go on with why: "(no entries in this section: unavailable)".
EMPTY_SECTION_MARKER: Final = "(no entries in this section)"


def empty_section_line(why: str) -> str:
    """The marker line with why the section is empty: "(no entries in this section: unavailable)"."""
    return f"{EMPTY_SECTION_MARKER[:-1]}: {why})"


#: The line a scanner writes under a section's title when the record's structure says
#: that it lists entries but none is current (every medicine stopped, completed,
#: discontinued): a list of those is another list than the current one. It goes on
#: with their statuses, "(no current entries in this section: 2 stopped)", and the
#: entries follow it, each with its status.
NO_CURRENT_MARKER: Final = "(no current entries in this section)"

#: Statuses of a medicine that say the patient does not take it now, lower case: the
#: words of a medication table's Status column ("Discontinued", "Inactive") and the
#: FHIR R4 codes (medicationrequest-status, medication-statement-status) with their
#: hyphens as spaces, and those of an allergy ("Resolved", "Inactive"). "On hold" is not here: a paused medicine is expected to resume,
#: so it stays on the current list (shown with its status).
NOT_CURRENT_STATUSES: Final = frozenset({
    "stopped", "discontinued", "d/c", "dc'd", "completed", "complete", "cancelled", "canceled",
    "inactive", "expired", "ended", "finished", "past", "historical", "not taking", "not taken",
    "draft", "intended", "entered in error", "unknown", "status unknown",
    # An allergy's (FHIR allergyintolerance-clinical and -verification): no current allergy.
    "resolved", "refuted", "no longer active",
})  # fmt: skip


def not_current(status: str) -> bool:
    """Whether a medicine's stated status says it is not taken now ("Discontinued",
    "stopped", "not-taken", "unknown": the sender does not know that she takes it); an
    empty word, or one not listed ("Active", "On hold"), says nothing of that."""
    word = re.sub(r"[\s_-]+", " ", status.strip(" \t.()[]").lower())
    return word in NOT_CURRENT_STATUSES


def no_current_line(statuses: Iterable[str]) -> str:
    """The marker line with the entries' statuses: "(no current entries in this section:
    2 stopped, 1 completed)"."""
    counts = Counter(status.strip().lower() for status in statuses)
    said = ", ".join(f"{count} {status}" for status, count in counts.items())
    return f"{NO_CURRENT_MARKER[:-1]}: {said})" if said else NO_CURRENT_MARKER

# --- what a line that says "nothing here" looks like: whole-sentence forms ------

#: Words that may name what is missing: "This section", "Current outpatient medications".
_WHAT: Final = (
    r"(?:this|the|that|your|these|all|any|current|active|home|outpatient|patient'?s?"
    r"|medications?|medicines?|prescriptions?|drugs?|allerg(?:y|ies)|section|information"
    r"|info|data|list|contents?|details|records?|entries|history)"
)
_SUBJECT: Final = rf"(?:{_WHAT}\s+){{0,4}}"
_OBJECT: Final = rf"(?:\s+{_WHAT}){{0,4}}"
_BE: Final = r"(?:(?:is|are|was|were|has\s+been|have\s+been)\s+)?"
_WHEN: Final = (
    r"(?:\s+(?:at\s+this\s+time|at\s+present|currently|yet|here|now|for\s+this\s+patient"
    r"|in\s+this\s+(?:record|summary|document|view)))?"
    # why, or what to do about it: "... because of an error", "... - contact your clinic"
    r"(?:\s*[,;\-\u2013]?\s*(?:because|due\s+to|please|contact|call|try)\b.*)?"
)
_DONE: Final = r"(?:reviewed|reconciled|updated|verified|confirmed)"

#: First sentences that say a section's content is not there: unknown, which is
#: not the same as "None". Each must match the whole sentence.
_UNAVAILABLE_FORMS: Final[tuple[str, ...]] = (
    # "This section could not be loaded", "Unable to display medications at this time"
    _SUBJECT + _BE + r"(?:could\s+not|cannot|can\s*'?t|unable\s+to|failed\s+to)\s+(?:be\s+)?"
    r"(?:load|display|retriev|show|access|open|assess|obtain|determin|verif)\w*" + _OBJECT + _WHEN,
    # "Not on file", "This information is not shown", "Not Assessed"
    _SUBJECT
    + _BE
    + r"(?:not|never)\s+(?:yet\s+|currently\s+)?(?:on\s+file|available|loaded|recorded"
    r"|documented|reviewed|obtained|entered|provided|reported|known|shown|assessed"
    r"|displayed|accessible|asked|applicable)" + _WHEN,
    _SUBJECT + _BE + r"(?:temporarily\s+|currently\s+)?unavailable" + _WHEN,
    # "No information available", "No data"
    r"no\s+"
    + _SUBJECT
    + r"(?:information|info|data|entries|entry|details|records?)(?:\s+(?:available|found"
    r"|on\s+file|recorded|documented|entered|to\s+(?:display|show|report)))?" + _WHEN,
    # "No medications found", "No current outpatient medications on file": a search
    # that came back empty says nothing about whether the patient takes any.
    r"no\s+"
    + _SUBJECT
    + r"(?:medications?|medicines?|prescriptions?|drugs?|allerg(?:y|ies))\s+(?:found|on\s+file"
    r"|available|recorded|documented|entered|listed|to\s+(?:display|show))" + _WHEN,
    r"none\s+(?:recorded|documented|entered|on\s+file|available|reported|found|listed)" + _WHEN,
    r"(?:information\s+)?unknown|n\s*/\s*a|tbd|pending|error",
    # A pointer elsewhere: "See attached", "Refer to medication administration record".
    r"(?:please\s+)?(?:see|refer\s+to)\b.*",
    # A note that a list was looked at, without the list: "Medication list reviewed".
    _SUBJECT
    + _BE
    + _DONE
    + rf"(?:\s*(?:,|and|&)\s*{_DONE})*(?:\s+(?:with|by|on|at|during|today)\b.*)?",
)
_UNAVAILABLE: Final = re.compile("|".join(f"(?:{f})" for f in _UNAVAILABLE_FORMS), re.IGNORECASE)

#: Where a line's first sentence ends.
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

# --- what another section's title looks like ----------------------------------

#: A line that is the title of a section a summary commonly has, in any case.
_COMMON_HEADING: Final = re.compile(
    r"\s*(?:active\s+|current\s+)?(?:problems?(?:\s+list)?"
    r"|allerg(?:y|ies)(?:\s*(?:,|/|and|&)\s*[a-z ,/&]{0,40})?"
    r"|medications?|immunizations?|vaccinations?|results?|vital\s+signs|vitals|procedures?"
    r"|surgical\s+history|encounters?|plan\s+of\s+(?:care|treatment)|care\s+plan|social\s+history"
    r"|family\s+history|care\s+team|insurance|payers?|functional\s+status|mental\s+status"
    r"|medical\s+equipment|goals|health\s+concerns|reason\s+for\s+(?:visit|referral)"
    r"|instructions|assessments?|history\s+of\s+present\s+illness|diagnos[ei]s)\s*:?\s*",
    re.IGNORECASE,
)

#: Nouns that section titles are made of ("Past Medical History", "Last Filed
#: Vital Signs", "Advance Directives"); a drug or an allergen has none of them.
# fmt: off
_HEADING_NOUNS: Final = frozenset({
    "history", "problems", "problem", "diagnoses", "diagnosis", "vitals", "vital", "signs",
    "directives", "directive", "results", "procedures", "immunizations", "vaccinations",
    "encounters", "encounter", "plan", "care", "team", "goals", "notes", "instructions", "orders",
    "referrals", "assessment", "assessments", "findings", "labs", "laboratory", "imaging",
    "appointments", "visits", "visit", "insurance", "demographics", "contacts", "summary",
    "medications", "medication", "allergies", "reactions", "concerns", "equipment", "devices",
    "implants", "payers", "alerts", "screenings", "tests", "documents", "providers",
    "hospitalizations", "admissions", "surgeries", "pregnancy", "nutrition", "systems",
    "examination", "exam", "complaint", "illness",
})
# fmt: on

#: Words a Title Case heading leaves in lower case.
# fmt: off
_SMALL_WORDS: Final = frozenset({
    "of", "and", "the", "for", "to", "in", "at", "on", "or", "with", "by", "a", "an", "as",
})
# fmt: on

#: The longest line, and the most words, a section title has.
_TITLE_CHARS: Final = 60
_TITLE_WORDS: Final = 7

# --- what a table's header row looks like -------------------------------------

#: Column names of medication and allergy tables ("Medication  Sig  Start Date",
#: "Allergen  Reaction  Severity").
# fmt: off
_COLUMN_WORDS: Final = frozenset({
    "medication", "medications", "medicine", "drug", "name", "generic", "brand", "dose", "dosage",
    "strength", "route", "frequency", "sig", "instructions", "directions", "start", "end", "stop",
    "date", "dates", "prescriber", "prescribed", "provider", "status", "allergen", "allergy",
    "substance", "agent", "reaction", "reactions", "severity", "type", "onset", "comments",
    "notes", "quantity", "qty", "refills", "last", "filled", "indication", "reason",
    "criticality", "taking", "form", "product", "description", "code", "noted", "by", "category",
})
# fmt: on
_CELL: Final = re.compile(r"[^\s,|/;]+")

# --- headings of the section asked for -----------------------------------------

#: Words that may come before a section's name in its heading ("Current Outpatient
#: Medications", "Drug Allergies", "Your Medication List").
_QUALIFIERS: Final = (
    r"(?:current|active|home|outpatient|my|your|patient'?s?|prescription|prescribed|drug"
    r"|known|reconciled|scheduled|oral|medication|food|all|ongoing|list\s+of)"
)

#: Words in a heading that make it another list than the current one: medicines
#: given in clinic, stopped or past ones.
_NOT_CURRENT: Final = re.compile(
    r"\b(?:administered|given|discontinued|stopped|held|past|previous|prior|historical"
    r"|inactive|expired|completed|ordered|in\s+clinic|during\s+(?:this\s+)?visit)\b",
    re.IGNORECASE,
)

#: Other names of a section, added when an alternative asked for matches the first
#: word: a summary may head its allergies "Adverse Reactions".
_ALSO_HEADED: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("allergies", ("adverse reactions", "adverse drug reactions", "drug intolerances")),
)

#: How many characters after a heading's words may still belong to the heading
#: ("Medications (3)", "Current Medications as of 11.20.2026").
_HEADING_TAIL: Final = 40

#: Space between two columns of a page laid out side by side.
_COLUMN_GAP: Final = re.compile(r"[ \t]{3,}|\t")

#: A document's header field under its title ("Patient: ...", "Printed: ..."), not content.
_HEADER_FIELD: Final = re.compile(
    r"\s*(?:patient|name|dob|date\s+of\s+birth|birth\s*date|mrn|printed|generated|run\s+date"
    r"|date|page|as\s+of)\b[^:\n]{0,20}:",
    re.IGNORECASE,
)

#: A page's footer ("Page 1 of 2"), which may fall between a heading and its content.
_PAGE_FOOTER: Final = re.compile(r"\s*page\s+\d+(?:\s+(?:of|/)\s+\d+)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    """What a record says under a heading: its state, the heading and first line as written."""

    state: str
    heading: str = ""
    first_line: str = ""


@functools.lru_cache(maxsize=256)
def _heading(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(
        re.escape(a.rstrip("*")).replace(r"\ ", r"\s+") + (r"\w*" if a.endswith("*") else "")
        for a in sorted(_with_other_names(alternatives), key=len, reverse=True)
    )
    return re.compile(
        rf"[ \t\-*#•]*(?P<qualifiers>(?:{_QUALIFIERS}\s+){{0,3}})"
        rf"(?:{words})(?![A-Za-z0-9])"
        rf"(?P<tail>(?:[^:.\n]|(?<=\d)\.(?=\d)){{0,{_HEADING_TAIL}}})"
        r"(?::[ \t]*(?P<inline>.*))?",
        re.IGNORECASE,
    )


def _with_other_names(alternatives: tuple[str, ...]) -> tuple[str, ...]:
    added = [
        other
        for name, others in _ALSO_HEADED
        if any(_names(alternative, name) for alternative in alternatives)
        for other in others
    ]
    return (*alternatives, *added)


def _names(alternative: str, word: str) -> bool:
    if alternative.endswith("*"):
        return word.lower().startswith(alternative[:-1].lower())
    return word.lower() == alternative.lower()


def find_section(text: str, alternatives: Iterable[str]) -> Section:
    """The first section of ``text`` headed by one of ``alternatives`` that holds
    something; else the first one found, empty; else :data:`ABSENT`.

    A heading is a line (or, on a page laid out in columns, one column of a
    line of headings) that starts with one of the words, maybe after a few
    such as "Current", "My", "Drug", with no sentence after them:
    ``MEDICATIONS``, ``Current Outpatient Medications``, ``Allergies: NKDA``.
    Headings of medicines given in clinic, stopped or past are other lists.
    Its content is what follows a colon on the same line, or else the next
    non-blank line (past a page footer); another section's title there, a
    table's header row with no rows, or a line that only says the content is
    not there (:data:`_UNAVAILABLE_FORMS`) means it is empty.
    """
    pattern = _heading(tuple(alternatives))
    lines = text.split("\n")
    empty: Section | None = None
    for index, line in enumerate(lines):
        for column, cell in _heading_cells(line, pattern):
            match = pattern.fullmatch(cell)
            if (
                match is None
                or _NOT_CURRENT.search(match.group("qualifiers") + match.group("tail"))
                # "Medication  Sig  Start Date" names a table's columns, not a section.
                or _after_column_names(cell) == ""
            ):
                continue
            heading = cell[: match.end("tail")].strip(" \t-*#•")
            section = _read(heading, (match.group("inline") or "").strip(), lines, index, column)
            if section.state == SHOWN:
                return section
            empty = empty or section
    return empty if empty is not None else Section(ABSENT)


def _heading_cells(line: str, pattern: re.Pattern[str]) -> list[tuple[int | None, str]]:
    """The line as one heading candidate, or, when it is a row of headings side by
    side ("Medications   Allergies"), each of them with its column."""
    cells = _COLUMN_GAP.split(line.strip())
    if len(cells) > 1 and all(pattern.fullmatch(c) or is_section_title(c) for c in cells):
        return list(enumerate(cells))
    return [(None, line)]


def _read(
    heading: str,
    inline: str,
    lines: list[str],
    index: int,
    column: int | None,
) -> Section:
    if says_unavailable(heading):
        # "Medication information could not be loaded" is no heading with content.
        return Section(EMPTY, heading, heading)
    if inline:
        if says_unavailable(inline):
            return Section(EMPTY, heading, inline)
        rest = _after_column_names(inline)
        if rest is None or rest:
            if rest and says_unavailable(rest):
                return Section(EMPTY, heading, inline)
            return _shown(heading, inline, inline, lines, index, column)
        # "Allergies: Allergen, Reaction" is a table's header row: its rows follow.
    return _read_next(heading, lines, index, column, header_seen=bool(inline))


def _read_next(
    heading: str,
    lines: list[str],
    index: int,
    column: int | None,
    *,
    header_seen: bool,
) -> Section:
    found = _next_content(lines, index, column)
    if found is None:
        return Section(EMPTY, heading, "")
    at, first = found
    if first.startswith(EMPTY_SECTION_MARKER[:-1]):
        # The scanner's own marker, maybe with why: "(no entries in this section: unavailable)".
        return Section(EMPTY, heading, first if first != EMPTY_SECTION_MARKER else "")
    if first.startswith(NO_CURRENT_MARKER[:-1]):
        # Its entries are all stopped, completed, ...: no current list.
        return Section(EMPTY, heading, first)
    rest = None if header_seen else _after_column_names(first)
    if rest == "" and len(_COLUMN_GAP.split(first)) > 1:
        # A table's header row laid out in columns ("Medication   Sig   Status"), which
        # would pass for a section's title: the section holds what its first row holds.
        return _read_next(heading, lines, at, column, header_seen=True)
    if is_section_title(first):
        return Section(EMPTY, heading, "")
    if says_unavailable(first):
        return Section(EMPTY, heading, first)
    if rest == "":
        # A table's header row: the section holds what its first row holds.
        return _read_next(heading, lines, at, column, header_seen=True)
    if rest and says_unavailable(rest):
        return Section(EMPTY, heading, first)
    return _shown(heading, first, first, lines, at, column)


def _shown(heading: str, first_line: str, entry: str, lines: list[str], at: int,
           column: int | None) -> Section:
    """The section whose content starts with ``entry`` on line ``at``: shown, unless
    each of its entries is marked as no longer current, when it is empty and says so
    with :data:`NO_CURRENT_MARKER` ("(no current entries in this section: 2 discontinued)")."""
    statuses = _not_current_entries(entry, lines, at, column)
    if statuses:
        return Section(EMPTY, heading, no_current_line(statuses))
    return Section(SHOWN, heading, first_line)


def says_unavailable(line: str) -> bool:
    """Whether ``line`` only says that a section's content is not there: its first
    sentence is wholly such a statement, or it has no letters or digits at all
    ("--", "[ ]")."""
    if not re.search(r"[^\W_]", line):
        return True
    sentence = _SENTENCE_END.split(line.strip(), maxsplit=1)[0]
    core = sentence.strip(" \t-*•#>:;,.!?()[]")
    return _UNAVAILABLE.fullmatch(core) is not None


def is_section_title(line: str) -> bool:
    """Whether ``line`` looks like a section's title: short, Title Case or capitals,
    no digits, made with a section noun ("Past Medical History", "LAST FILED
    VITAL SIGNS"), and no answer such as "No Known Allergies"."""
    text = line.strip().rstrip(":").strip()
    if _COMMON_HEADING.fullmatch(text):
        return True
    if len(text) > _TITLE_CHARS or not re.fullmatch(r"[A-Za-z][A-Za-z &/,'()\-]*", text):
        return False
    words = re.findall(r"[A-Za-z']+", text)
    if len(words) > _TITLE_WORDS or words[0].lower() in ("no", "none", "not"):
        return False
    titled = text.isupper() or all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)
    return titled and any(w.lower() in _HEADING_NOUNS for w in words)


def _after_column_names(line: str) -> str | None:
    """What follows a table's header row at the start of ``line``: None when the
    line starts with no header row, "" when it is nothing else."""
    cells = list(_CELL.finditer(line))
    named = 0
    while named < len(cells) and cells[named].group(0).lower() in _COLUMN_WORDS:
        named += 1
    if named < 2:
        return None
    return "" if named == len(cells) else line[cells[named].start() :].strip()


def _next_content(lines: list[str], index: int, column: int | None) -> tuple[int, str] | None:
    """The next line after ``index`` that is content (or its cell in ``column``), with its index."""
    return next(_content_lines(lines, index, column), None)


def _content_lines(lines: list[str], index: int, column: int | None
                   ) -> Iterator[tuple[int, str]]:
    """The lines after ``index`` that are content (or their cells in ``column``), with their
    indexes: no blank line, header field or page footer."""
    for at in range(index + 1, len(lines)):
        line = lines[at]
        if not line.strip() or _HEADER_FIELD.match(line) or _PAGE_FOOTER.fullmatch(line):
            continue
        if column is None:
            yield at, line.strip()
        else:
            cells = _COLUMN_GAP.split(line.strip())
            yield at, cells[column] if column < len(cells) else ""


# --- entries marked as no longer current ---------------------------------------

#: How many lines of a section are read for its entries' statuses. A section that
#: goes on past them is taken as current: its rest may list a current entry.
_MAX_ENTRY_LINES: Final = 80

#: Statuses that mark an entry as not current in a printed list's own words, outside
#: a "Status:" field. "Unknown", "Past", "Draft", ... are left to the field: after a
#: dash or in brackets they may say something else ("Penicillin - unknown" reaction).
_MARKED_STATUSES: Final = NOT_CURRENT_STATUSES - {
    "unknown", "status unknown", "draft", "intended", "past", "complete", "ended", "finished",
}
_WORD: Final = "|".join(
    re.escape(word).replace(r"\ ", r"[\s_-]+")
    for word in sorted(_MARKED_STATUSES, key=len, reverse=True)
)
#: A date that may follow a status: "stopped 03/2025", "discontinued on March 3, 2025".
_STATUS_DATE: Final = (
    r"(?:[\s,:]+(?:(?:on|since|as\s+of|in)\s+)?"
    r"(?:\d{1,4}(?:[/.\-]\d{1,4}){0,2}|[A-Za-z]{3,9}\.?\s+(?:\d{1,2},?\s+)?\d{4}))?"
)
#: An entry's status as a list writes it: "(discontinued)", "[Stopped 03/2025]", "- stopped
#: 03/2025" at its end, "Status: Inactive" anywhere ("Medication: ...; Status: Completed").
_ENTRY_STATUS: Final = re.compile(
    rf"[(\[]\s*(?P<bracketed>{_WORD}){_STATUS_DATE}\s*[)\]]"
    rf"|(?:^|\s)[-\u2013\u2014,;]\s*(?P<trailing>{_WORD}){_STATUS_DATE}\s*\.?\s*$"
    r"|\bstatus\s*(?:[:=]|-\s)\s*(?P<field>[A-Za-z][A-Za-z'/ _-]*?)\s*(?:[;|(\[]|$|[ \t]{2,})",
    re.IGNORECASE,
)
#: A line, or a table's cell, that is only a status: "Discontinued", "Stopped 03/2025".
_STATUS_ONLY: Final = re.compile(rf"\s*(?P<status>{_WORD}){_STATUS_DATE}\s*\.?\s*", re.IGNORECASE)
#: A line that goes on with the entry above it: a field of it ("Sig: ...", "Reaction:
#: Hives") or an instruction ("Take 1 tablet by mouth daily"). Any other line starts an
#: entry, so that a medicine is never taken for a detail of the one above it.
_ENTRY_DETAIL: Final = re.compile(
    r"\s*(?:(?:status|sig|instructions?|directions?|dose|dosage|strength|route|frequency"
    r"|prescribed(?:\s+by)?|prescriber|ordered(?:\s+by)?|provider|start(?:ed)?(?:\s+date)?"
    r"|end(?:ed)?(?:\s+date)?|stop(?:ped)?(?:\s+date)?|discontinued(?:\s+date)?|refills?"
    r"|quantity|qty|dispense|last\s+filled|reactions?|severity|criticality|onset|notes?"
    r"|comments?|indication|reason|type|category)\s*:"
    r"|(?:take|apply|inject|inhale|instill|dissolve|chew|insert|place|use)\s)",
    re.IGNORECASE,
)


def _statuses_of(line: str) -> list[str]:
    """The statuses ``line`` gives its entry, in lower case ("discontinued", "active")."""
    found = [
        (m.group("bracketed") or m.group("trailing") or m.group("field") or "")
        for m in _ENTRY_STATUS.finditer(line)
    ]
    cells = _COLUMN_GAP.split(line.strip())
    if len(cells) > 1:  # a table's row: a Status column's cell
        found += [m.group("status") for c in cells if (m := _STATUS_ONLY.fullmatch(c))]
    return [re.sub(r"[\s_-]+", " ", s.strip().lower()) for s in found if s.strip()]


def _not_current_entries(first: str, lines: list[str], at: int, column: int | None
                         ) -> list[str] | None:
    """One status per entry of the section whose content starts with ``first`` (line
    ``at``), read up to the next section title, when every entry is marked as no longer
    current; None when one is not, or states no status (an ordinary list), or the section
    runs past :data:`_MAX_ENTRY_LINES`."""
    entries: list[list[str]] = []
    content = _content_lines(lines, at, column)
    for count in range(_MAX_ENTRY_LINES + 1):
        if count:
            found = next(content, None)
            if found is None:
                break
            line = found[1]
            if line.startswith("(and ") or line.endswith("entries without text)"):
                return None  # the scanner's note of entries not shown: they may be current
            if line.startswith(EMPTY_SECTION_MARKER[:-1]) or is_section_title(line):
                break
        else:
            line = first
        statuses = _statuses_of(line)
        if entries and (_ENTRY_DETAIL.match(line) or _STATUS_ONLY.fullmatch(line)):
            entries[-1] += statuses
        else:
            entries.append(statuses)
        if entries[:-1] and not _all_not_current(entries[-2]):
            return None  # an entry before this one is current: no need to read on
    else:
        return None  # longer than read: its rest may list a current entry
    if not all(_all_not_current(e) for e in entries):
        return None
    return [e[0] for e in entries]


def _all_not_current(statuses: list[str]) -> bool:
    return bool(statuses) and all(not_current(s) for s in statuses)
