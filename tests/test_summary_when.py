"""The case summary says when, notices disagreement, and reads the present illness.

A stage is dated by its own statement (a 2019 stage quoted in a 2026 note is 2019's),
different stages are each shown, newest first; two reports that put the cancer on
different sides of a paired organ are named together in a warning, neither chosen;
the history of present illness gives the patient's current treatment, while past
medical history, family history and medication lists still give none. All invented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle import format as fmt
from recordpack.summary import SourcedText, build_summary
from recordpack.summary.render import render_summary
from tests.summary_helpers import (
    NOTE_DATE,
    note_summary,
    pack_and_open_with,
    path_of,
    printed_summary,
)


def _stages(summary: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(f["value"], f["date"]) for f in summary["stage"]]


# --------------------------------------------------------------------------- a stage's date


#: (sentence, its stages with their dates as the summary gives them, newest first).
STAGE_DATES: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("Diagnosed in 2019 with stage IIA breast cancer.", [("stage IIA", "2019")]),
    ("Stage IV since March 2025.", [("Stage IV", "2025-03")]),
    ("Restaged on 03/02/2025: stage IV.", [("stage IV", "2025-03-02")]),
    ("In March 2025, PET showed progression, stage IV.", [("stage IV", "2025-03")]),
    (
        "Initially stage IIA (2021); stage IV disease now.",
        [("stage IV", NOTE_DATE), ("stage IIA", "2021")],
    ),
    (
        "Stage IIA in 2019, restaged in March 2025 as stage IV.",
        [("stage IV", "2025-03"), ("Stage IIA", "2019")],
    ),
    ("Stage IIA in 2019 and stage IV now.", [("stage IV", NOTE_DATE), ("Stage IIA", "2019")]),
    # A date that is no real date leaves the stage undated rather than misdated.
    ("Stage IIB (13/45/2025).", [("Stage IIB", None)]),
    # The year of an AJCC edition, a size or no date at all: the record's date.
    ("Pathologic stage: pT2 N0 M0, AJCC 8th edition (2017).", [("pT2 N0 M0", NOTE_DATE)]),
    ("pT1c (1.5-2.0 cm) N0 M0.", [("pT1c", NOTE_DATE)]),
    ("Clinical stage IA.", [("Clinical stage IA", NOTE_DATE)]),
]


def test_a_stage_is_dated_by_its_own_statement_else_by_its_record() -> None:
    given = {
        sentence: [s for s in _stages(note_summary(sentence)) if s[0] != "AJCC 8th edition"]
        for sentence, _ in STAGE_DATES
    }
    assert given == dict(STAGE_DATES)


def _report(record: int, date: str, text: str, kind: str = "clinical_note") -> SourcedText:
    return SourcedText(record, f"data/records/{record}.txt", kind, date, text)


def test_different_stages_from_different_reports_are_each_shown_newest_first() -> None:
    summary = build_summary(
        [
            _report(0, "2021-05-04", "Invasive ductal carcinoma, clinical stage IIA."),
            _report(1, "2025-09-30", "Restaging CT: stage IV disease."),
        ]
    )
    assert [(f["value"], f["date"], f["record"]) for f in summary["stage"]] == [
        ("stage IV", "2025-09-30", 1),
        ("clinical stage IIA", "2021-05-04", 0),
    ]
    lines = render_summary({"summary": summary})
    stage = lines.index("  Stage:")
    assert lines[stage + 1 : stage + 4] == [
        "    ! The records give more than one stage (stage IV, clinical stage IIA): each is "
        "listed with its date and source, newest first, none merged into another.",
        "    stage group: stage IV  [2025-09-30, data/records/1.txt]",
        "    stage group: clinical stage IIA  [2021-05-04, data/records/0.txt]",
    ]

    # One stage said twice, in other words, is no disagreement (both are still listed).
    same = build_summary(
        [
            _report(0, "2021-05-04", "Clinical stage IIA."),
            _report(1, "2025-09-30", "AJCC stage IIA."),
        ]
    )
    assert len(same["stage"]) == 2
    assert not any("more than one stage" in line for line in render_summary({"summary": same}))


# --------------------------------------------------------------------------- sides


def _pathology(record: int, date: str, header: str) -> SourcedText:
    return _report(
        record,
        date,
        f"FINAL DIAGNOSIS\n{header}\n- Invasive lobular carcinoma.",
        "pathology_report",
    )


def _side_warnings(*headers: str) -> list[str]:
    summary = build_summary(
        [_pathology(n, f"2026-0{n + 1}-10", header) for n, header in enumerate(headers)]
    )
    return [line for line in render_summary({"summary": summary}) if "disagree on the side" in line]


def test_reports_that_disagree_on_side_are_named_together_neither_chosen() -> None:
    (warning,) = _side_warnings("LEFT BREAST, CORE BIOPSY:", "RIGHT BREAST, EXCISION:")
    assert warning == (
        "    ! The records disagree on the side of the breast: left [2026-01-10, "
        "data/records/0.txt]; right [2026-02-10, data/records/1.txt]. recordpack does not "
        "choose one: check these reports (or whether the disease is on both sides)."
    )
    # No warning where the reports do not disagree.
    for agreeing in [
        ("LEFT BREAST, CORE BIOPSY:", "LEFT BREAST, EXCISION:"),  # the same side
        ("LEFT BREAST, CORE BIOPSY:", "RIGHT KIDNEY, NEPHRECTOMY:"),  # two organs
        ("PROSTATE, LEFT BASE, BIOPSY:", "PROSTATE, RIGHT APEX, BIOPSY:"),  # one gland
        ("LEFT BREAST, CORE BIOPSY:", "BILATERAL BREASTS, MASTECTOMY:"),  # both sides
    ]:
        assert _side_warnings(*agreeing) == [], agreeing


def test_a_synoptic_side_is_compared_under_its_reports_site() -> None:
    synoptic = "Tumor Site: Lung\nLaterality: Right\nHistologic Type: Adenocarcinoma\n"
    summary = build_summary(
        [
            _report(0, "2026-01-10", synoptic, "pathology_report"),
            _pathology(1, "2026-02-10", "LEFT LOWER LOBE, WEDGE RESECTION:"),
        ]
    )
    (warning,) = [line for line in render_summary({"summary": summary}) if "side" in line]
    assert "disagree on the side of the lung: right [2026-01-10" in warning
    assert "left [2026-02-10, data/records/1.txt]" in warning


# --------------------------------------------------------------------------- history sections

HPI_NOTE = """HISTORY OF PRESENT ILLNESS
Ms. Vantreece has stage IIA left breast cancer.
Currently on letrozole since March 2025.
Her sister was treated with tamoxifen.
If her bone density falls, she would switch to exemestane.
PAST MEDICAL HISTORY
Hodgkin lymphoma in 1990 treated with ABVD.
FAMILY HISTORY
Mother on anastrozole.
SOCIAL HISTORY
Works as a radiotherapy technician.
MEDICATIONS
Letrozole 2.5 mg daily.
"""


@pytest.mark.parametrize("heading", ["HISTORY OF PRESENT ILLNESS", "HPI:", "Interval History"])
def test_the_present_illness_gives_the_current_treatment_and_nothing_else(heading: str) -> None:
    text = HPI_NOTE.replace("HISTORY OF PRESENT ILLNESS", heading)
    treatments = note_summary(text)["treatments"]
    assert [(f["value"], f["date"], f["planned"]) for f in treatments] == [
        ("Currently on letrozole since March 2025.", "2025-03", False)
    ]


# --------------------------------------------------------------------------- end to end

RIGHT_PATHOLOGY = """LAKEVIEW PATHOLOGY PARTNERS
SURGICAL PATHOLOGY REPORT

Patient: QUILLFEATHER, OTTILIE R      DOB: 10/27/1971
MRN: MR4471023
Collected: 01/12/2026
Procedure: Right breast core needle biopsy

FINAL DIAGNOSIS
RIGHT BREAST, 10 O'CLOCK, CORE BIOPSY:
- INVASIVE LOBULAR CARCINOMA.

Electronically signed by Rupert K. Alvingham, MD, Pathologist, on 01/14/2026
"""

FOLLOW_UP = """HARBOR ONCOLOGY GROUP
MEDICAL ONCOLOGY FOLLOW-UP NOTE

Patient: Ottilie Quillfeather    DOB: 10/27/1971
Date of service: 04/09/2026

HISTORY OF PRESENT ILLNESS
Ms. Quillfeather was first diagnosed in 2019 with stage IIB breast cancer.
Currently on letrozole since March 2025.
Restaged in March 2026: stage IV.

PAST MEDICAL HISTORY
Hodgkin lymphoma in 1990, treated with ABVD.
"""


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return pack_and_open_with(
        tmp_path_factory,
        "summary-when",
        {"right_core_biopsy.txt": RIGHT_PATHOLOGY, "followup_2026.txt": FOLLOW_UP},
    )


def test_the_page_dates_each_stage_warns_of_the_sides_and_shows_the_current_treatment(
    opened: dict[str, Any],
) -> None:
    index = opened["index"]
    html = (Path(opened["bag"]) / fmt.INDEX_HTML).read_text(encoding="utf-8")
    summary = html.split("<section id=summary>")[1].split("</section>")[0]
    stage = summary.split("<h3>Stage</h3>")[1].split("<h3>")[0]
    # Each stage beside its own date, newest first: the 2019 stage quoted in a 2026 note last.
    assert "The records give more than one stage" in stage
    rows = stage.split("<table")[1]
    assert "<td>stage IV</td><td class=date>2026-03</td>" in rows
    assert "<td>stage IIB</td><td class=date>2019</td>" in rows
    dated = ("clinical stage IA</td><td class=date>2026-04-01", "stage IV</td>", "stage IIB</td>")
    assert [rows.index(d) for d in dated] == sorted(rows.index(d) for d in dated)
    # Both reports named in the warning, neither chosen.
    diagnosis = summary.split("<h3>Diagnosis</h3>")[1].split("<h3>")[0]
    warning = diagnosis.split("<div class=warn>")[1].split("</div>")[0]
    assert "The records disagree on the side of the breast:" in warning
    left = path_of(index, "pathology.txt")
    right = path_of(index, "right_core_biopsy.txt")
    assert f'<b>left</b> in <a href="{left}">' in warning
    assert f'<b>right</b> in <a href="{right}">' in warning
    # The present illness gives the current treatment; past history gives none.
    treatments = summary.split("<h3>Treatments</h3>")[1].split("<h3>")[0]
    assert "<td class=date>2025-03</td><td>Currently on letrozole since March 2025." in treatments
    assert "ABVD" not in treatments  # past medical history: a past condition, no treatment


def test_open_prints_the_dated_stages_and_the_side_warning(opened: dict[str, Any]) -> None:
    summary = printed_summary(opened)
    note = path_of(opened["index"], "followup_2026.txt")
    assert f"stage group: stage IV  [2026-03, {note}]" in summary
    assert f"stage group: stage IIB  [2019, {note}]" in summary
    assert summary.index("stage IV  [") < summary.index("stage IIB  [")
    left = path_of(opened["index"], "pathology.txt")
    right = path_of(opened["index"], "right_core_biopsy.txt")
    assert (
        f"! The records disagree on the side of the breast: right [2026-01-12, {right}]; "
        f"left [2026-03-03, {left}]. recordpack does not choose one" in summary
    )
    assert f"Currently on letrozole since March 2025.  [2025-03, {note}]" in summary
