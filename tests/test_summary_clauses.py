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


# --------------------------------------------------------------------------- previous biopsy


@pytest.mark.parametrize(
    ("sentence", "histology"),
    [
        ("Core biopsy revealed invasive lobular carcinoma.", "invasive lobular carcinoma"),
        (
            "Excision demonstrated poorly differentiated adenocarcinoma.",
            "poorly differentiated adenocarcinoma",
        ),
        ("Left breast core biopsy showed invasive ductal carcinoma.", "invasive ductal carcinoma"),
    ],
)
def test_a_histology_is_the_diagnosis_phrase_not_its_lead_in(sentence: str, histology: str) -> None:
    summary = note_summary(f"FINAL DIAGNOSIS\n{sentence}\n", "pathology_report")
    assert [f["value"] for f in summary["diagnosis"] if f["field"] == "histology"] == [histology]


PREVIOUS = "Previous biopsy showed invasive ductal carcinoma."


def test_a_previous_biopsys_finding_alone_is_the_histology_said_to_be_a_previous_biopsys() -> None:
    summary = note_summary(
        f"CLINICAL HISTORY\n{PREVIOUS}\nFINAL DIAGNOSIS\nLeft breast, re-excision: no residual "
        "carcinoma.\n",
        "pathology_report",
    )
    assert [
        (f["field"], f["value"], f["date"], f.get("previous")) for f in summary["diagnosis"]
    ] == [
        # The report's date is not when the earlier biopsy was.
        ("histology", "invasive ductal carcinoma", None, True)
    ]
    assert summary["history"] == []
    assert (
        "    histology: invasive ductal carcinoma (from a previous biopsy)"
        "  [undated, data/records/note.txt]" in render_summary({"summary": summary})
    )


@pytest.mark.parametrize(
    ("report", "quoted", "date"),
    [
        (
            "CLINICAL HISTORY\nPrevious biopsy (02/2026) showed invasive ductal carcinoma, "
            "grade 2.\nFINAL DIAGNOSIS\nLeft breast, excision: invasive lobular carcinoma.\n",
            "Previous biopsy (02/2026) showed invasive ductal carcinoma, grade 2.",
            "2026-02",
        ),
        (
            f"Left breast, excision: invasive lobular carcinoma.\n{PREVIOUS}\n",
            "Previous biopsy showed invasive ductal carcinoma",
            None,
        ),
    ],
)
def test_a_previous_biopsys_finding_beside_the_reports_own_is_history(
    report: str, quoted: str, date: str | None
) -> None:
    summary = note_summary(report, "pathology_report")
    assert [(f["field"], f["value"], f.get("previous")) for f in summary["diagnosis"]] == [
        ("histology", "invasive lobular carcinoma", None),
        ("site", "breast", None),
        ("laterality", "left", None),
    ]
    assert [(f["value"], f["date"], f["previous"]) for f in summary["history"]] == [
        (quoted, date, True)
    ]
    assert (
        f"    previous biopsy, quoted in a later report: {quoted}"
        f"  [{date or 'undated'}, data/records/note.txt]" in render_summary({"summary": summary})
    )
