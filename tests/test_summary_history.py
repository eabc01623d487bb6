"""The case summary never presents an old cancer's facts as this case's.

A cancer in past medical or surgical history ("PMH: stage IIIB colon cancer 2012,
resected"), or one a sentence calls prior ("history of ...", "prior ...", "h/o ..."),
is a past condition: shown apart, as written, with the date its statement gives and its
source, never as the current stage or diagnosis. A restaging of the same cancer still
lists both stages. Treatments under an oncologic (oncology, treatment) history heading are
the patient's own past treatments: dated by their own clause (never by the note's date),
marked ended where the text says so, never planned; a relative's or a hypothetical one
still never counts. All patients invented.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle import format as fmt
from recordpack.summary.render import render_summary
from tests.summary_helpers import (
    NOTE_DATE,
    note_summary,
    pack_and_open_with,
    path_of,
    printed_summary,
)


def _stages(summary: dict[str, Any]) -> list[str]:
    return [f["value"] for f in summary["stage"]]


def _history(summary: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["value"], f["date"]) for f in summary["history"]]


# --------------------------------------------------------------------------- past conditions

CURRENT = "HISTORY OF PRESENT ILLNESS\nMs. Pellingham has stage IIA left breast cancer.\n"

#: (how a note gives the patient's past medical history, the past condition as shown).
PAST_HISTORY: list[tuple[str, tuple[str, str | None]]] = [
    (
        "PAST MEDICAL HISTORY\nStage IIIB colon cancer in 2012, resected.\nHypertension.\n",
        ("Stage IIIB colon cancer in 2012, resected", "2012"),
    ),
    (
        "Past medical history\nColon cancer, stage IIIB, 2012.\n",
        ("Colon cancer, stage IIIB, 2012.", "2012"),
    ),
    (
        "PMH: stage IIIB colon cancer 2012, resected.\n",
        ("PMH: stage IIIB colon cancer 2012, resected", "2012"),
    ),
    (
        "PAST SURGICAL HISTORY\nRight hemicolectomy for pT3 N1 colon adenocarcinoma.\n",
        ("Right hemicolectomy for pT3 N1 colon adenocarcinoma", None),
    ),
]


@pytest.mark.parametrize(("history", "shown"), PAST_HISTORY)
def test_a_cancer_in_past_medical_history_is_a_past_condition_not_this_cases_stage(
    history: str, shown: tuple[str, str | None]
) -> None:
    summary = note_summary(CURRENT + history)
    assert _stages(summary) == ["stage IIA"]
    # Undated unless its statement gives a date: the note's date is not when it was.
    assert _history(summary) == [shown]
    lines = render_summary({"summary": summary})
    assert not any("more than one stage" in line for line in lines)
    past = lines.index("  Past history (earlier conditions, not this case's diagnosis or stage):")
    assert lines[past + 1] == (
        f"    past condition: {shown[0]}  [{shown[1] or 'undated'}, data/records/note.txt]"
    )


#: (a sentence of the present illness naming a prior cancer, the past condition as shown).
PRIOR_CANCER: list[tuple[str, tuple[str, str | None]]] = [
    (
        "Prior stage IIIB colon cancer (2012), resected.",
        ("Prior stage IIIB colon cancer (2012), resected", "2012"),
    ),
    (
        "She has a history of stage IIIB colon cancer, resected in 2012.",
        ("She has a history of stage IIIB colon cancer, resected in 2012.", "2012"),
    ),
    (
        "h/o pT3 N1 colon adenocarcinoma in 2012.",
        ("h/o pT3 N1 colon adenocarcinoma in 2012.", "2012"),
    ),
    (
        "Remote stage IB melanoma of the back, excised.",
        ("Remote stage IB melanoma of the back, excised", None),
    ),
]


@pytest.mark.parametrize(("sentence", "shown"), PRIOR_CANCER)
def test_a_prior_cancer_in_the_present_illness_is_history_not_this_cases_stage(
    sentence: str, shown: tuple[str, str | None]
) -> None:
    summary = note_summary(f"{CURRENT}{sentence}\n")
    assert _stages(summary) == ["stage IIA"]
    assert _history(summary) == [shown]


def test_a_prior_cancer_in_a_pathology_report_is_no_diagnosis() -> None:
    summary = note_summary(
        "CLINICAL HISTORY\nPrior colon adenocarcinoma (2012), pT3 N1.\n"
        "Left breast mass: invasive ductal carcinoma, pT1c N0.\n",
        "pathology_report",
    )
    assert [(f["field"], f["value"]) for f in summary["diagnosis"]] == [
        ("histology", "invasive ductal carcinoma"),
        ("site", "breast"),
        ("laterality", "left"),
    ]
    assert _stages(summary) == ["pT1c N0"]
    assert _history(summary) == [("Prior colon adenocarcinoma (2012), pT3 N1.", "2012")]


@pytest.mark.parametrize(
    "text",
    [
        "Previously stage IIA (2021); restaged in March 2025: stage IV.",
        "Initially stage IIA (2021); stage IV disease now.",
        "Previously treated for stage IIA breast cancer in 2021; now stage IV.",
        "Prior to surgery she was stage IIA (2021); restaged in 2025 as stage IV.",
    ],
)
def test_a_restaging_of_the_same_cancer_still_lists_both_stages(text: str) -> None:
    summary = note_summary(text)
    assert sorted(_stages(summary), key=str.lower) == ["stage IIA", "stage IV"]
    assert summary["history"] == []


@pytest.mark.parametrize(
    "text",
    [
        "PAST MEDICAL HISTORY\nNo history of cancer.\nHypertension.\n",
        "PAST MEDICAL HISTORY\nHer mother had stage IIIB colon cancer.\n",
        "PMH: negative for malignancy.\n",
        "If she had prior stage IIIB colon cancer, she would need a colonoscopy.\n",
        "FAMILY HISTORY\nSister with a history of stage IIIB colon cancer in 2012.\n",
    ],
)
def test_no_past_condition_from_a_relative_a_hypothesis_or_a_negation(text: str) -> None:
    summary = note_summary(CURRENT + text)
    assert summary["history"] == []
    assert _stages(summary) == ["stage IIA"]


# --------------------------------------------------------------------------- past treatment

ONCOLOGIC_HISTORY = """HISTORY OF PRESENT ILLNESS
Ms. Pellingham has stage IV left breast cancer.
ONCOLOGIC HISTORY
03/2019: Diagnosed with stage IIA left breast cancer.
04/2019 - 08/2019: AC-T x 8 cycles.
Radiation 50 Gy completed in October 2019.
Tamoxifen from 2019, stopped in 2023 for arthralgia.
Adjuvant capecitabine.
Her sister was treated with letrozole.
If she progresses she would receive fulvestrant.
ASSESSMENT AND PLAN
Plan: start letrozole.
"""

#: (as written, date, planned, ended) for each treatment of ONCOLOGIC_HISTORY.
PAST_TREATMENTS: list[tuple[str, str | None, bool, bool]] = [
    ("04/2019 - 08/2019: AC-T x 8 cycles", "2019-04", False, True),
    ("Radiation 50 Gy completed in October 2019.", "2019-10", False, True),
    ("Tamoxifen from 2019, stopped in 2023 for arthralgia", "2019", False, True),
    # No date of its own: undated, never the note's date (which would make it current).
    ("Adjuvant capecitabine", None, False, False),
    ("Plan: start letrozole", NOTE_DATE, True, False),
]


@pytest.mark.parametrize(
    "heading", ["ONCOLOGIC HISTORY", "Oncology history", "Treatment History", "Cancer history:"]
)
def test_an_oncologic_history_gives_the_patients_past_treatments_ended_where_said(
    heading: str,
) -> None:
    summary = note_summary(ONCOLOGIC_HISTORY.replace("ONCOLOGIC HISTORY", heading))
    assert [
        (f["value"], f["date"], f["planned"], f["ended"]) for f in summary["treatments"]
    ] == PAST_TREATMENTS
    # The same cancer's first stage, from the oncologic history, with its own date.
    assert [(f["value"], f["date"]) for f in summary["stage"]] == [
        ("stage IV", NOTE_DATE),
        ("stage IIA", "2019-03"),
    ]
    lines = render_summary({"summary": summary})
    assert (
        "    Radiation 50 Gy completed in October 2019. (ended)  [2019-10, data/records/note.txt]"
        in (lines)
    )
    assert "    Adjuvant capecitabine  [undated, data/records/note.txt]" in lines


def test_a_treatment_history_line_label_counts_and_an_open_span_is_not_ended() -> None:
    summary = note_summary(
        "HISTORY OF PRESENT ILLNESS\nMs. Pellingham has stage IV breast cancer.\n"
        "Oncology history: trastuzumab 2021-2022.\n"
        "Treatment history: letrozole 2024-2027.\n"
    )
    assert [(f["value"], f["date"], f["ended"]) for f in summary["treatments"]] == [
        ("Oncology history: trastuzumab 2021-2022.", "2021", True),
        # A span that ends after the note is not over.
        ("Treatment history: letrozole 2024-2027.", "2024", False),
    ]


# --------------------------------------------------------------------------- end to end

FOLLOW_UP = """HARBOR ONCOLOGY GROUP
MEDICAL ONCOLOGY FOLLOW-UP NOTE

Patient: Ottilie Quillfeather    DOB: 10/27/1971
Date of service: 04/09/2026

HISTORY OF PRESENT ILLNESS
Ms. Quillfeather has invasive lobular carcinoma of the left breast.
Prior stage IIIB melanoma (2009), excised.

ONCOLOGIC HISTORY
04/2026: Anastrozole started.
Radiation 40 Gy completed in March 2026.

PAST MEDICAL HISTORY
Stage IIB Hodgkin lymphoma in 1990, treated with ABVD.
"""


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return pack_and_open_with(
        tmp_path_factory, "summary-history", {"followup_history.txt": FOLLOW_UP}
    )


def test_the_page_shows_past_conditions_apart_and_past_treatments_as_ended(
    opened: dict[str, Any],
) -> None:
    html = (Path(opened["bag"]) / fmt.INDEX_HTML).read_text(encoding="utf-8")
    summary = html.split("<section id=summary>")[1].split("</section>")[0]
    stage = summary.split("<h3>Stage</h3>")[1].split("<h3>")[0]
    assert "IIIB" not in stage and "IIB<" not in stage
    assert "more than one stage" not in stage
    past = summary.split("<h3>Past history</h3>")[1].split("<h3>")[0]
    assert "not this case's diagnosis or stage" in past
    assert "<td class=date>2009</td><td>Prior stage IIIB melanoma (2009), excised</td>" in past
    assert (
        "<td class=date>1990</td><td>Stage IIB Hodgkin lymphoma in 1990, treated with ABVD</td>"
        in past
    )
    treatments = summary.split("<h3>Treatments</h3>")[1].split("<h3>")[0]
    assert (
        "<td class=date>2026-03</td><td>Radiation 40 Gy completed in March 2026. "
        "<span class=muted>(ended)</span></td>" in treatments
    )
    assert "<td class=date>2026-04</td><td>04/2026: Anastrozole started</td>" in treatments
    assert "ABVD" not in treatments  # past medical history gives no treatment


def test_open_prints_the_past_conditions_and_keeps_them_in_the_checked_index(
    opened: dict[str, Any],
) -> None:
    written = json.loads((Path(opened["bag"]) / fmt.INDEX_JSON).read_text(encoding="utf-8"))
    assert opened["index"]["summary"] == written["summary"]
    summary = printed_summary(opened)
    note = path_of(opened["index"], "followup_history.txt")
    stage = summary.split("  Stage:")[1].split("\n  Past history")[0]
    assert "IIIB" not in stage
    assert (
        f"    past condition: Prior stage IIIB melanoma (2009), excised  [2009, {note}]" in summary
    )
    assert f"    Radiation 40 Gy completed in March 2026. (ended)  [2026-03, {note}]" in summary
