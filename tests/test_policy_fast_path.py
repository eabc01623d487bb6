"""The one-match fast path of ``path_problem`` says exactly what the full rules say."""

from __future__ import annotations

import random
import re

import pytest

from recordpack.bundle import policy

NAMES = [
    "a/b", "bag/data/x.pdf", "a//b", "./a", "a/./b", "a/..", "../a", "a/../b", "..", "...",
    "a/...b", "/abs", "a\\b", "C:x", "a" * 256, "a/" + "b" * 255, "dir/", "a/b/", "a\x01",
    "ok name (1).pdf", "a/.hidden", "x/...", "", "a\x7fb", "é/x", "a/\u202eb",
]


def _random_names(count: int) -> list[str]:
    rng = random.Random(16)
    alphabet = "ab./\\:- _\x00\x1f\x7f~é"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))) for _ in range(count)]


def test_fast_path_agrees_with_the_full_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    names = NAMES + _random_names(3000)
    fast = [policy.path_problem(name) for name in names]
    assert fast.count(None) > 100  # the fast path is taken
    monkeypatch.setattr(policy, "_PLAIN_PATH", re.compile(r"(?!)"))  # never matches
    assert [policy.path_problem(name) for name in names] == fast
