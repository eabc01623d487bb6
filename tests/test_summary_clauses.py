"""The case summary reads each clause for itself and quotes a finding, not its lead-in.

A hedge ("history of", "not") covers its own clause only: "She has a history of
hypertension and is currently on letrozole" still gives the current treatment. All
patients invented.
"""

from __future__ import annotations

import pytest

from recordpack.summary.render import render_summary
from tests.summary_helpers import NOTE_DATE, note_summary

HPI = "HISTORY OF PRESENT ILLNESS\nMs. Brackenridge has stage IIA left breast cancer.\n"


@pytest.mark.parametrize(
    "sentence",
    [
        "She has a history of hypertension and is currently on letrozole since March 2025.",
        "History of hypothyroidism and now on letrozole since March 2025.",
        "She is not on tamoxifen and is currently on letrozole since March 2025.",
    ],
)
def test_a_hedge_in_one_clause_does_not_drop_the_current_treatment_in_the_next(
    sentence: str,
) -> None:
    summary = note_summary(HPI + sentence + "\n")
    assert [(f["value"], f["date"], f["planned"], f["ended"]) for f in summary["treatments"]] == [
        (sentence, "2025-03", False, False)
    ]
    assert f"    {sentence}  [2025-03, data/records/note.txt]" in render_summary(
        {"summary": summary}
    )
    # "history of hypertension" is no past cancer.
    assert summary["history"] == []


def test_a_hedge_still_covers_its_own_clause() -> None:
    summary = note_summary(
        HPI
        + "She has a history of hypertension and was diagnosed with stage IIIA in March 2025.\n"
        + "Tamoxifen was prescribed and was never taken.\n"
        + "Possibly letrozole and is on no other medicine.\n"
        + "She has no history of breast cancer and lymphoma.\n"
    )
    assert [(f["value"], f["date"]) for f in summary["stage"]] == [
        ("stage IIA", NOTE_DATE),
        ("stage IIIA", "2025-03"),
    ]
    assert summary["treatments"] == []
    assert summary["history"] == []
