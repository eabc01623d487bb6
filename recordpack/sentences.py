"""Where sentences end: a stop after a common abbreviation does not end one.

Every reader that cuts text into sentences (check, the case summary, request
letters, where a record was made) keeps its own idea of a sentence end (a
pattern) and asks this module which of that pattern's matches are real ends:
"requested by Dr. Strand and will be performed at the reference laboratory"
is one sentence, so the future tense after the doctor's name is still seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

#: Abbreviations whose stop does not end a sentence: (abbreviation, what must
#: follow the stop for it to be one, flags). "No." and "Fig." are numbered
#: ("No. 3"); a single capital is an initial only before a name ("J. Wendt").
_ABBREVIATIONS: Final[tuple[tuple[str, str, re.RegexFlag], ...]] = (
    (r"Mr|Mrs|Ms|Dr|Drs|Prof|St", r"", re.IGNORECASE),  # titles, saints
    (r"vs|approx|e\.g|i\.e|cf", r"", re.IGNORECASE),
    (r"No|Fig|Figs", r"\s*[#\d]", re.IGNORECASE),
    (r"[A-Z]", r"\s*[A-Z](?:[a-z]|\.)", re.NOFLAG),  # an initial
)
_TABLE: Final = tuple(
    (re.compile(rf"(?<![\w.])(?:{word})\.\Z", flags), re.compile(follow))
    for word, follow, flags in _ABBREVIATIONS
)
#: Longest text before a stop an abbreviation needs to be seen whole ("approx.").
_LOOK_BACK: Final = 10


def is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``text[stop]`` ends an abbreviation, not a sentence."""
    if text[stop : stop + 1] != ".":
        return False
    before = text[max(0, stop - _LOOK_BACK) : stop + 1]
    return any(word.search(before) and follow.match(text, stop + 1) for word, follow in _TABLE)


def _ends_abbreviation(text: str, end: re.Match[str]) -> bool:
    """Whether the sentence end ``end`` (a match in ``text``) is an abbreviation's stop:
    the stop is in the match, or just before it (a pattern that matches the space after)."""
    dot = end.group().find(".")
    if dot >= 0:
        return is_abbreviation(text, end.start() + dot)
    return end.start() > 0 and is_abbreviation(text, end.start() - 1)


def ends(
    pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` (a sentence end) in ``text[pos:endpos]`` that are not
    an abbreviation's stop."""
    found = pattern.finditer(text, pos) if endpos is None else pattern.finditer(text, pos, endpos)
    for end in found:
        if not _ends_abbreviation(text, end):
            yield end


def split(pattern: re.Pattern[str], text: str) -> list[str]:
    """``text`` cut at the matches of ``pattern`` (a sentence end, without groups) that
    are not an abbreviation's stop, as :func:`re.split` cuts it."""
    pieces: list[str] = []
    start = 0
    for end in ends(pattern, text):
        if end.end() == end.start():
            continue  # an empty match cuts nothing
        pieces.append(text[start : end.start()])
        start = end.end()
    pieces.append(text[start:])
    return pieces
