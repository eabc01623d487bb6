"""The case summary and timeline as short text for a terminal (``open``, ``inspect``).

Rendered from ``index.json`` (the sender wrote it): every string is cleaned of
control characters before it reaches the terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from recordpack.model import KIND_TITLES, RECORD_STATUS_WORDS
from recordpack.summary.findings import case_findings

ABSENT: Final = "not found in these records"

#: Past conditions (a prior cancer): never this case's diagnosis or stage, so said apart.
HISTORY_TITLE: Final = "Past history (earlier conditions, not this case's diagnosis or stage)"
#: A treatment's flags and the word each adds after it.
_TREATMENT_MARKS: Final = (("planned", "planned"), ("ended", "ended"))
#: A diagnosis fact's flags and the words each adds after it.
_DIAGNOSIS_MARKS: Final = (("previous", "from a previous biopsy"),)
#: What a past-history line is, by the first flag its fact carries (else a past condition).
_HISTORY_LABELS: Final = (("previous", "previous biopsy, quoted in a later report"),)

_DIAGNOSIS_ORDER: Final = ("histology", "site", "laterality", "grade")
_STAGE_ORDER: Final = ("tnm", "stage_group", "ajcc_edition")


def _clean(value: Any) -> str:
    from recordpack.render.text import clean

    return clean(value)


def facts(summary: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The facts of one section, whatever a hostile index put there (non-facts dropped)."""
    items = summary.get(key)
    return [f for f in items if isinstance(f, dict)] if isinstance(items, list) else []


def listed(document: Any, key: str) -> list[Any]:
    """``document[key]`` when it is a list (index.json is the sender's), else an empty list."""
    items = document.get(key) if isinstance(document, dict) else None
    return items if isinstance(items, list) else []


def other_patient_records(summary: Any) -> list[int]:
    """Indices of records the summary did not use because they may be another patient's."""
    items = summary.get("other_patient_records") if isinstance(summary, dict) else None
    if not isinstance(items, list):
        return []
    return [n for n in items if isinstance(n, int) and not isinstance(n, bool)]


def timeline_mark(index: dict[str, Any], number: Any, others: set[int]) -> str:
    """What a timeline entry adds after its title: the record may be another
    patient's, or its sender marked it not final or withdrawn; else nothing."""
    if not isinstance(number, int) or isinstance(number, bool):
        return ""
    if number in others:
        return " (may be another patient's)"
    records = index.get("records")
    record = records[number] if isinstance(records, list) and 0 <= number < len(records) else None
    status = record.get("status") if isinstance(record, dict) else None
    if isinstance(status, str) and status in RECORD_STATUS_WORDS:
        return f" (marked {RECORD_STATUS_WORDS[status]} by its sender)"
    return ""


def in_order(items: list[dict[str, Any]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """Facts by their ``field``'s place in ``order`` (unknown fields last)."""
    return sorted(
        items,
        key=lambda f: (
            order.index(str(f.get("field"))) if str(f.get("field")) in order else len(order)
        ),
    )


def newest_first(items: list[dict[str, Any]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """Facts newest first, undated last; one date's facts by ``order`` (a restaging on top)."""
    return sorted(in_order(items, order), key=lambda f: _clean(f.get("date")), reverse=True)


def _side_words(finding: dict[str, Any], base: str) -> str:
    organ = f" of the {_clean(finding['site'])}" if finding.get("site") else ""
    sources = "; ".join(f"{_clean(f['side'])} {_where(f, base)}" for f in finding["sources"])
    return (
        f"The records disagree on the side{organ}: {sources}. recordpack does not choose "
        "one: check these reports (or whether the disease is on both sides)."
    )


def _stages_words(finding: dict[str, Any], base: str) -> str:
    values = ", ".join(_clean(v) for v in finding["values"])
    return (
        f"The records give more than one stage ({values}): each is listed with its date "
        "and source, newest first, none merged into another."
    )


#: Each finding's section and its words for a terminal (codes: summary.findings).
_FINDING_WORDS: Final[dict[str, tuple[str, Callable[[dict[str, Any], str], str]]]] = {
    "side_disagrees": ("diagnosis", _side_words),
    "stages_differ": ("stage", _stages_words),
}


def _finding_lines(found: list[dict[str, Any]], section: str, base: str) -> list[str]:
    """The findings shown under ``section``, worded for a terminal."""
    return [
        words(finding, base)
        for finding in found
        for where, words in [_FINDING_WORDS[finding["code"]]]
        if where == section
    ]


def _marks(fact: dict[str, Any], marks: tuple[tuple[str, str], ...]) -> str:
    """The words a fact's flags add after it ("(planned)"), or nothing."""
    words = [word for flag, word in marks if fact.get(flag)]
    return f" ({', '.join(words)})" if words else ""


def _history_label(fact: dict[str, Any]) -> str:
    if fact.get("marker"):
        return "past result"
    return next((label for flag, label in _HISTORY_LABELS if fact.get(flag)), "past condition")


def past_value(fact: dict[str, Any]) -> str:
    """A past-history fact as shown, not yet cleaned: the statement as written, or a past
    result ("PSA 0.05 ng/mL", "EGFR: exon 19 deletion detected")."""
    if not fact.get("marker"):
        return str(fact.get("value") or "")
    if fact.get("result"):
        return f"{fact.get('marker')}: {fact.get('result')}"
    return " ".join(str(fact[k]) for k in ("marker", "value", "unit") if fact.get(k))


def _where(fact: dict[str, Any], base: str) -> str:
    return f"[{_clean(fact.get('date') or 'undated')}, {base}{_clean(fact.get('path'))}]"


def render_summary(index: dict[str, Any], *, base: str = "") -> list[str]:
    """Short lines: each fact as the records state it, with the date and file it comes from."""
    summary = index.get("summary")
    if not isinstance(summary, dict):
        return []
    lines = ["Case summary (as the records state it; each fact names its record):"]
    others = other_patient_records(summary)
    records = listed(index, "records")
    for n in others:
        if 0 <= n < len(records) and isinstance(records[n], dict):
            lines.append(
                f"  (not used: '{_clean(records[n].get('title'))}' may be another patient's record)"
            )

    notes = case_findings(summary)

    def fields(title: str, key: str, found: list[dict[str, Any]]) -> None:
        if not found:
            lines.append(f"  {title}: {ABSENT}")
            return
        lines.append(f"  {title}:")
        lines.extend(f"    ! {line}" for line in _finding_lines(notes, key, base))
        for f in found:
            label = _clean(f.get("field")).replace("_", " ")
            lines.append(
                f"    {label}: {_clean(f.get('value'))}{_marks(f, _DIAGNOSIS_MARKS)}"
                f"  {_where(f, base)}"
            )

    fields("Diagnosis", "diagnosis", in_order(facts(summary, "diagnosis"), _DIAGNOSIS_ORDER))
    fields("Stage", "stage", newest_first(facts(summary, "stage"), _STAGE_ORDER))
    past = facts(summary, "history")
    if past:
        lines.append(f"  {HISTORY_TITLE}:")
        lines.extend(
            f"    {_history_label(f)}: {_clean(past_value(f))}  {_where(f, base)}" for f in past
        )
    markers = facts(summary, "biomarkers")
    lines.append("  Biomarkers:" if markers else f"  Biomarkers: {ABSENT}")
    for f in markers:
        method = ", ".join(_clean(v) for v in (f.get("test"), f.get("method")) if v)
        lines.append(
            f"    {_clean(f.get('marker'))}: {_clean(f.get('result'))}"
            + (f" ({method})" if method else "")
            + f"  {_where(f, base)}"
        )
    values = facts(summary, "tumor_markers")
    lines.append("  Tumour markers:" if values else f"  Tumour markers: {ABSENT}")
    for f in values:
        lines.append(
            f"    {_clean(f.get('marker'))} {_clean(f.get('value'))} {_clean(f.get('unit'))}"
            f"  {_where(f, base)}"
        )
    for key, title in (("treatments", "Treatments"), ("procedures", "Surgery and biopsies")):
        items = facts(summary, key)
        lines.append(f"  {title}:" if items else f"  {title}: {ABSENT}")
        for f in items:
            lines.append(
                f"    {_clean(f.get('value'))}{_marks(f, _TREATMENT_MARKS)}  {_where(f, base)}"
            )
    return lines


def render_timeline(index: dict[str, Any]) -> list[str]:
    """One line per record, oldest first: date, kind, title."""
    timeline = [e for e in listed(index, "timeline") if isinstance(e, dict)]
    if not timeline:
        return []
    others = set(other_patient_records(index.get("summary")))
    lines = ["Timeline:"]
    for e in timeline:
        kind = KIND_TITLES.get(str(e.get("kind")), "Other documents")
        date = _clean(e.get("date")) or "undated   "
        mark = timeline_mark(index, e.get("record"), others)
        lines.append(f"  {date}  {kind}: {_clean(e.get('title'))}{mark}")
    return lines
