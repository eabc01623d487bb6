"""The classifier faces hostile and odd text: deterministic random documents.

``classify_text`` is the parser every document's text goes through (PDF text
layers, OCR output, notes, messages). Each generated text mixes the rule
table's own keywords, dates in every shape, OCR junk, Unicode oddities (lone
surrogates, combining marks, right-to-left text, astral characters, NULs)
and long runs. For each: no exception, a known kind, bounded time and
memory, and the fast paths (keyword automaton, date look-ahead) give what
their plain forms give. ``RECORDPACK_FUZZ_ITERATIONS`` sets texts per seed.
"""

from __future__ import annotations

import random
import re
import time
import tracemalloc

import pytest

from recordpack.classify import classify_text
from recordpack.classify import rules as rule_module
from recordpack.classify.dates import DATE_RE, DATE_SHAPES
from recordpack.classify.text import fold
from recordpack.model import KINDS
from tests.fuzz_helpers import iterations, seed_for
from tests.notes_devset import NOTES

#: Seconds one text may take (a typical record takes a few milliseconds).
MAX_SECONDS = 2.0
#: Python memory one classification may peak at.
MAX_TRACED_BYTES = 64 * 1024 * 1024

ODD = [
    "\ud800", "\udfff", "\x00", "\u0301", "\u202e", "\u200b", "\ufeff", "𝔸", "🩺", "ſ", "\u212a",
    "\u2028", "\x85", "ﬁ", "\u00ad", "|||||||", "IIIIIIIIII", "0O0O", "\t\t\t", "\r\n", "   ",
    "مرحبا", "患者", "٠٣/٠٥/٢٠٢٤", "Ⅻ", "\uffff",
]  # fmt: skip
DATES = ["2024-03-05", "03/05/2024", "5 March 2024", "Mar 5, 2024", "20240305", "5.3.24",
         "31/12/1999", "Sept 31st, 2019", "12-31-99", "1/2/2003/4"]  # fmt: skip


def _vocabulary() -> list[str]:
    words = list(rule_module._keyword_index().by_keyword)
    return words + [w for note in NOTES[:40] for w in note.text.split()[:60]]


def _text(rng: random.Random, vocabulary: list[str]) -> str:
    """One document: lines of words, dates, odd characters, sometimes a very long run."""
    lines = []
    for _ in range(rng.randint(0, 60)):
        parts = []
        for _ in range(rng.randint(0, 14)):
            roll = rng.random()
            if roll < 0.6:
                word = rng.choice(vocabulary)
                parts.append(word.upper() if rng.random() < 0.2 else word)
            elif roll < 0.75:
                parts.append(rng.choice(DATES))
            elif roll < 0.9:
                parts.append(rng.choice(ODD))
            else:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 9))))
        lines.append(rng.choice([" ", "  ", "   ", ": ", "\t"]).join(parts))
    text = "\n".join(lines)
    if rng.random() < 0.15:  # a long run: a barcode, a table rule, a word without spaces
        at = rng.randint(0, len(text))
        text = (
            text[:at]
            + rng.choice(["I", "-", "a", "9", "patholog"]) * rng.randint(500, 30_000)
            + text[at:]
        )
    return text


@pytest.mark.parametrize("seed_name", ["classify-a", "classify-b", "classify-c"])
def test_classify_text_survives_hostile_text(seed_name: str) -> None:
    rng = random.Random(seed_for(seed_name))
    vocabulary = _vocabulary()
    bare_dates = re.compile(DATE_SHAPES, re.IGNORECASE)
    index = rule_module._keyword_index()
    words = index.every_word
    for number in range(iterations() * 4):
        text = _text(rng, vocabulary)
        where = f"{seed_name} text {number}"
        tracemalloc.start()
        started = time.perf_counter()
        try:
            result = classify_text(text, name=rng.choice([None, "scan.pdf", "labs.txt"]))
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.kind in KINDS, where
        assert 0.0 <= result.confidence <= 0.99, where
        assert seconds < MAX_SECONDS, f"{where}: {seconds:.2f} s"
        assert peak < MAX_TRACED_BYTES, f"{where}: {peak:,} bytes"
        # The fast paths find what their plain forms find.
        folded = fold(text[:12_000])
        expected = {w: at for w in words if (at := folded.find(w)) >= 0}
        assert rule_module._first_places(folded, index.words) == expected, where
        assert [m.span() for m in DATE_RE.finditer(text)] == [
            m.span() for m in bare_dates.finditer(text)
        ], where
