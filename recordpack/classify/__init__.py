"""Text -> kind, title, date and patient, with the evidence for each decision.

A package of four concerns: :mod:`.rules` (the rule table in ``rules.toml``,
prefiltered by keywords, and scoring), :mod:`.kinds` (the verdict),
:mod:`.dates` and :mod:`.patient`; :mod:`.text` prepares the text. See
docs/classification.md.
"""

from __future__ import annotations

from recordpack.classify.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    DateFound,
    date_order,
    day_first,
    find_dates,
    parse_date,
)
from recordpack.classify.kinds import (
    DEFAULT_TITLES,
    MIN_SCORE,
    Classification,
    DayFirstReading,
    classify_filename,
    classify_text,
    classify_unreadable,
    read_day_first,
)
from recordpack.classify.patient import find_patient
from recordpack.classify.rules import Rule, fuzzy, parse_rules
from recordpack.classify.text import (
    MAX_CLASSIFY_CHARS,
    MAX_PATIENT_CHARS,
    has_meaningful_text,
    noise_ratio,
    normalize,
)

__all__ = [
    "DAY_FIRST",
    "DEFAULT_TITLES",
    "MAX_CLASSIFY_CHARS",
    "MAX_PATIENT_CHARS",
    "MIN_SCORE",
    "MONTH_FIRST",
    "RULES",
    "Classification",
    "DateFound",
    "DayFirstReading",
    "Rule",
    "classify_filename",
    "classify_text",
    "classify_unreadable",
    "date_order",
    "day_first",
    "find_dates",
    "find_patient",
    "fuzzy",
    "has_meaningful_text",
    "noise_ratio",
    "normalize",
    "parse_date",
    "parse_rules",
    "read_day_first",
]


def __getattr__(name: str) -> object:
    """``RULES``: the built-in rule table, loaded on first use."""
    if name == "RULES":
        from recordpack.classify import rules

        return rules.table().rules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
