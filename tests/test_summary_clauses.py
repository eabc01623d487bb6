"""The case summary reads each clause for itself and quotes a finding, not its lead-in.

A hedge ("history of", "not") covers its own clause only: "She has a history of
hypertension and is currently on letrozole" still gives the current treatment. All
patients invented.
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


# --------------------------------------------------------------------------- past results

PROSTATE_NOTE = """HISTORY OF PRESENT ILLNESS
Mr. Brackenridge has prostate adenocarcinoma. PSA 6.2 ng/mL on 01/10/2026.
PAST MEDICAL HISTORY
Appendectomy. PSA 0.05 ng/mL.
PSA 4.1 ng/mL in 2015.
PMH: CEA of 2.9 ng/mL.
ONCOLOGIC HISTORY
PSA 14.2 ng/mL at diagnosis.
"""


def test_a_tumour_marker_under_past_history_is_a_past_result_dated_only_by_its_own_clause() -> None:
    summary = note_summary(PROSTATE_NOTE)
    assert [(f["marker"], f["value"], f["date"]) for f in summary["tumor_markers"]] == [
        ("PSA", "6.2", "2026-01-10"),
        # The patient's own oncologic history: its value, but not dated by the note.
        ("PSA", "14.2", None),
    ]
    assert [(f["marker"], f["value"], f["unit"], f["date"]) for f in summary["history"]] == [
        ("PSA", "0.05", "ng/mL", None),
        ("PSA", "4.1", "ng/mL", "2015"),
        ("CEA", "2.9", "ng/mL", None),
    ]
    lines = render_summary({"summary": summary})
    assert "    past result: PSA 0.05 ng/mL  [undated, data/records/note.txt]" in lines
    assert "    past result: PSA 4.1 ng/mL  [2015, data/records/note.txt]" in lines
    assert not any(NOTE_DATE in line for line in lines if "0.05" in line or "14.2" in line)


def test_a_biomarker_under_past_history_is_a_past_result_not_this_cases() -> None:
    summary = note_summary(
        "RESULTS\nKRAS G12C: detected.\nPAST HISTORY\nEGFR exon 19 deletion detected (2019).\n"
        "ALK: negative.\n",
        "genomic_report",
    )
    assert [(f["marker"], f["result"]) for f in summary["biomarkers"]] == [("KRAS", "detected")]
    assert [(f["marker"], f["result"], f["date"]) for f in summary["history"]] == [
        ("EGFR", "exon 19 deletion detected (2019)", "2019"),
        ("ALK", "negative", None),
    ]
    lines = render_summary({"summary": summary})
    assert "    past result: ALK: negative  [undated, data/records/note.txt]" in lines


# --------------------------------------------------------------------------- end to end

FOLLOW_UP = """HARBOR ONCOLOGY GROUP
MEDICAL ONCOLOGY FOLLOW-UP NOTE

Patient: Ottilie Quillfeather    DOB: 10/27/1971
Date of service: 04/08/2026

HISTORY OF PRESENT ILLNESS
Ms. Quillfeather has invasive lobular carcinoma of the left breast.
She has a history of hypertension and is currently on letrozole since March 2026.

PAST MEDICAL HISTORY
Hypertension.
CA 15-3 was 47 U/mL.
"""

RE_EXCISION = """LAKEVIEW PATHOLOGY PARTNERS
SURGICAL PATHOLOGY REPORT

Patient: QUILLFEATHER, OTTILIE R      DOB: 10/27/1971
MRN: MR4471023
Collected: 04/06/2026
Procedure: Left breast re-excision

CLINICAL HISTORY
Previous biopsy showed invasive lobular carcinoma.

FINAL DIAGNOSIS
LEFT BREAST, RE-EXCISION:
- No residual carcinoma.

Electronically signed by Rupert K. Alvingham, MD, Pathologist, on 04/07/2026
"""


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return pack_and_open_with(
        tmp_path_factory,
        "summary-clauses",
        {"followup_clauses.txt": FOLLOW_UP, "re_excision.txt": RE_EXCISION},
    )


def _page_section(opened: dict[str, Any], title: str) -> str:
    html = (Path(opened["bag"]) / fmt.INDEX_HTML).read_text(encoding="utf-8")
    summary = html.split("<section id=summary>")[1].split("</section>")[0]
    return summary.split(f"<h3>{title}</h3>")[1].split("<h3>")[0]


def test_the_page_reads_each_clause_quotes_the_diagnosis_phrase_and_shows_past_results(
    opened: dict[str, Any],
) -> None:
    treatments = _page_section(opened, "Treatments")
    assert (
        "<td class=date>2026-03</td><td>She has a history of hypertension and is currently on "
        "letrozole since March 2026.</td>" in treatments
    )
    diagnosis = _page_section(opened, "Diagnosis")
    assert (
        "<td>invasive lobular carcinoma <span class=muted>(from a previous biopsy)</span></td>"
        in diagnosis
    )
    assert "<td>Previous biopsy" not in diagnosis
    past = _page_section(opened, "Past history")
    assert (
        "<td class=date>undated</td><td>CA 15-3 47 U/mL <span class=muted>(a result under a "
        "past history heading)</span></td>" in past
    )
    assert "47 U/mL" not in _page_section(opened, "Tumour markers")


def test_open_prints_the_same_from_the_checked_index(opened: dict[str, Any]) -> None:
    written = json.loads((Path(opened["bag"]) / fmt.INDEX_JSON).read_text(encoding="utf-8"))
    assert opened["index"]["summary"] == written["summary"]
    printed = printed_summary(opened)
    note = path_of(opened["index"], "followup_clauses.txt")
    report = path_of(opened["index"], "re_excision.txt")
    assert f"    past result: CA 15-3 47 U/mL  [undated, {note}]" in printed
    assert (
        f"    histology: invasive lobular carcinoma (from a previous biopsy)  [undated, {report}]"
        in printed
    )
