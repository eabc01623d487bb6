"""The case summary states only the patient's own facts.

A sentence about a relative, a hypothetical, a question, a retracted statement
or a treatment that was rejected is not a fact of the patient: it never reaches
the Stage, Tumour markers, Treatments (or any other) section. A tumour marker is
dated by the date written beside it, else by its record. All notes are invented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle import format as fmt
from recordpack.summary import SourcedText, build_summary
from tests import summary_folder as case
from tests.summary_helpers import NOTE_DATE, note_summary, pack_and_open_with, printed_summary


def _values(summary: dict[str, Any], section: str) -> set[str]:
    return {f["value"] for f in summary[section]}


# --------------------------------------------------------------------------- stage


@pytest.mark.parametrize(
    "text",
    [
        "FAMILY HISTORY:\nSister diagnosed at 45 with breast cancer, pT2 pN1a M0, stage IIB.",
        "Sister diagnosed at 45 with breast cancer, pT2 pN1a M0, stage IIB.",
        "Mother had breast cancer at 52, stage IIIA.",
        "Family history: breast cancer in a maternal aunt. Stage IIIA disease.",
        "FHx: breast cancer at 40, stage IIIA.",
        "Her brother had colon cancer. He had stage IIIB disease.",
        "If nodes are positive on surgery, she would be at least stage IIA.",
        "Should the re-excision margin be involved, the tumour is upstaged to pT3.",
        "Clinical stage IIA? No - stage unknown until surgery.",
    ],
)
def test_a_relatives_or_hypothetical_stage_is_not_the_patients(text: str) -> None:
    assert note_summary(text)["stage"] == []


def test_the_patients_own_stage_stays_beside_a_relatives() -> None:
    summary = note_summary(
        "HISTORY OF PRESENT ILLNESS:\n"
        "Invasive lobular carcinoma of the right breast, clinical stage IA.\n"
        "FAMILY HISTORY:\n"
        "Mother had breast cancer at 52, stage IIIA.\n"
        "ASSESSMENT AND PLAN:\n"
        "If nodes are positive on surgery, she would be at least stage IIA.\n"
    )
    assert [(f["field"], f["value"]) for f in summary["stage"]] == [
        ("stage_group", "clinical stage IA")
    ]


# --------------------------------------------------------------------------- tumour markers


def test_a_relatives_tumour_marker_is_not_shown() -> None:
    summary = note_summary(
        "FAMILY HISTORY:\nFather had prostate cancer; his PSA 14.2 ng/mL in 2015.\n"
        "Uncle with colon cancer, CEA 40 ng/mL.\n"
    )
    assert summary["tumor_markers"] == []
    summary = note_summary("Father had prostate cancer; his PSA 14.2 ng/mL in 2015.")
    assert summary["tumor_markers"] == []


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("PSA 14.2 ng/mL in 2015.", "2015"),
        ("PSA 14.2 ng/mL in March 2025.", "2025-03"),
        ("PSA 14.2 ng/mL on 03/02/2025.", "2025-03-02"),
        ("PSA 14.2 ng/mL (2025-03-02), down from before.", "2025-03-02"),
        ("On 03/02/2025, PSA 14.2 ng/mL.", "2025-03-02"),
        ("03/02/2025: PSA 14.2 ng/mL.", "2025-03-02"),
        ("Restaged; in March 2025, PSA 14.2 ng/mL.", "2025-03"),
        ("Prostatectomy in 2019, PSA 14.2 ng/mL at this visit.", NOTE_DATE),
        ("Seen on 03/02/2025 for PSA 14.2 ng/mL.", NOTE_DATE),
        ("Surgery (2019), PSA 14.2 ng/mL now.", NOTE_DATE),
        ("PSA 14.2 ng/mL today.", NOTE_DATE),
    ],
)
def test_a_tumour_markers_date_is_the_one_written_beside_it(sentence: str, date: str) -> None:
    (marker,) = note_summary(sentence, "lab_result")["tumor_markers"]
    assert (marker["marker"], marker["value"], marker["date"]) == ("PSA", "14.2", date)


# --------------------------------------------------------------------------- treatments


@pytest.mark.parametrize(
    "text",
    [
        "Paclitaxel was considered and is not recommended.",
        "Consider docetaxel and cyclophosphamide only if recurrence score is high.",
        "Previously treated with letrozole 2.5 mg daily in 2010 for a different cancer? "
        "No - that was her sister.",
        "Tamoxifen was started in 2019. No – that was her sister.",
        "The patient declined tamoxifen.",
        "Trastuzumab is not indicated.",
        "Her mother received tamoxifen for 5 years.",
        "FAMILY HISTORY:\nSister: mastectomy, then docetaxel x 4 cycles.",
        "Would benefit from letrozole if she tolerates it.",
        "Anastrozole could be offered later.",
    ],
)
def test_a_rejected_conditional_or_relatives_treatment_is_not_the_patients(text: str) -> None:
    assert note_summary(text)["treatments"] == []


def test_the_patients_plan_and_past_treatment_are_kept() -> None:
    summary = note_summary(
        "ASSESSMENT AND PLAN:\n"
        "Paclitaxel was considered and is not recommended.\n"
        "Plan: letrozole 2.5 mg daily for 5 years.\n"
        "FAMILY HISTORY:\n"
        "Sister treated with docetaxel.\n",
        "clinical_note",
    )
    assert [(f["value"], f["planned"]) for f in summary["treatments"]] == [
        ("Plan: letrozole 2.5 mg daily for 5 years", True)
    ]
    given = note_summary("She completed docetaxel and cyclophosphamide x 4 cycles.")["treatments"]
    assert [(f["cycles"], f["planned"]) for f in given] == [("4", False)]


# --------------------------------------------------------------------------- other sections


def test_a_relatives_biomarker_or_diagnosis_is_not_the_patients() -> None:
    genomic = note_summary(
        "RESULTS\nBRCA2: no pathogenic variant detected.\n"
        "FAMILY HISTORY\nSister: BRCA1 pathogenic variant detected.\n",
        "genomic_report",
    )
    assert {(f["marker"], f["result"]) for f in genomic["biomarkers"]} == {
        ("BRCA2", "no pathogenic variant detected")
    }
    pathology = note_summary(
        "CLINICAL HISTORY\nMother with invasive ductal carcinoma.\n"
        "FINAL DIAGNOSIS\nLeft breast, core biopsy: invasive lobular carcinoma.\n",
        "pathology_report",
    )
    assert _values(pathology, "diagnosis") == {"invasive lobular carcinoma", "breast", "left"}


# --------------------------------------------------------------------------- end to end

FAMILY_NOTE = """HARBOR ONCOLOGY GROUP
MEDICAL ONCOLOGY FOLLOW-UP NOTE

Patient: Ottilie Quillfeather    DOB: 10/27/1971
Date of service: 04/08/2026

HISTORY OF PRESENT ILLNESS
Ms. Quillfeather returns to discuss adjuvant therapy for her left breast cancer.

FAMILY HISTORY
Sister diagnosed at 45 with breast cancer, pT2 pN1a M0, stage IIB.
Father had prostate cancer; his PSA 14.2 ng/mL in 2015.

ASSESSMENT AND PLAN
If nodes are positive on surgery, she would be at least stage IIA.
Paclitaxel was considered and is not recommended.
Consider docetaxel and cyclophosphamide only if recurrence score is high.
"""


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return pack_and_open_with(tmp_path_factory, "summary-truth", {"followup_note.txt": FAMILY_NOTE})


def test_a_packed_note_about_relatives_and_hypotheses_adds_nothing(
    opened: dict[str, Any],
) -> None:
    index = opened["index"]
    assert any(r["original_files"] == ["followup_note.txt"] for r in index["records"])
    summary = index["summary"]
    assert {(f["field"], f["value"]) for f in summary["stage"]} == case.EXPECTED_STAGE
    assert {
        (f["marker"], f["value"], f["unit"], f["date"]) for f in summary["tumor_markers"]
    } == case.EXPECTED_TUMOR_MARKERS
    assert _values(summary, "treatments") == case.EXPECTED_TREATMENTS
    html = (Path(opened["bag"]) / fmt.INDEX_HTML).read_text(encoding="utf-8")
    for words in ("stage IIB", "pN1a", "stage IIA", "14.2", "Paclitaxel", "docetaxel"):
        assert words not in html.split("<section id=timeline>")[0], words
    # The first screen still says where each fact comes from.
    assert "each with the record it comes from" in html


def test_open_prints_no_relatives_or_hypothetical_facts(opened: dict[str, Any]) -> None:
    summary = printed_summary(opened)
    assert "Case summary (as the records state it; each fact names its record)" in summary
    assert "stage group: clinical stage IA" in summary
    for words in ("stage IIB", "stage IIA", "PSA", "Paclitaxel", "docetaxel"):
        assert words not in summary, words


def test_a_gene_named_like_a_family_label_is_still_the_patients_diagnosis() -> None:
    summary = note_summary(
        "FINAL DIAGNOSIS\nFH-deficient renal cell carcinoma, left kidney.\n", "pathology_report"
    )
    assert "FH-deficient renal cell carcinoma" in _values(summary, "diagnosis")


# --------------------------------------------------------------------------- relatives by any name


@pytest.mark.parametrize(
    "text",
    [
        "Stepfather's PSA 14.2 ng/mL at diagnosis.",
        "Grandpa had pT3a N1 M1 disease, PSA 90 ng/mL.",
        "Grandma: stage IIIA breast cancer, CA 15-3 80 U/mL.",
        "Her stepmother had stage IIB disease with CEA 12 ng/mL.",
        "Half-brother with pT2 N0 M0, PSA 9 ng/mL.",
        "Her partner had stage IIIA disease, CEA 7 ng/mL.",
        "Husband: pT1c N0 M0, PSA 5.5 ng/mL.",
        "His wife had pT2 N1 M0 breast cancer, CA 15-3 40 U/mL.",
        "Fiancée's CA-125 was 300 U/mL, pT3a N0 M0.",
        "Son had pT1 N0 M0 testicular cancer, AFP 400 ng/mL.",
        "Her daughter, pT2 N0 M0, CA-125 35 U/mL.",
        "Niece: pT1 N0 M0, CEA 3 ng/mL.",
        "Nephew had pT2 N1 M0 colon cancer, CEA 9 ng/mL.",
        "Her twin had pT2 N0 M0, CA 15-3 30 U/mL.",
        "Family history\nProstate cancer at age 60, stage IV, pT3 N1 M1, PSA 250 ng/mL.",
        "Family history:\nProstate cancer at age 60, stage IV, pT3 N1 M1, PSA 250 ng/mL.",
    ],
)
def test_a_relative_by_any_name_gives_the_patient_no_stage_or_marker(text: str) -> None:
    summary = note_summary(text)
    assert (summary["stage"], summary["tumor_markers"]) == ([], [])


def test_a_section_after_a_family_history_heading_is_the_patients_again() -> None:
    summary = note_summary(
        "Family history\nProstate cancer at age 60, PSA 250 ng/mL.\n"
        "Assessment and plan\nPSA 0.05 ng/mL today; stage pT2 N0 M0.\n"
    )
    assert [(f["marker"], f["value"]) for f in summary["tumor_markers"]] == [("PSA", "0.05")]
    assert _values(summary, "stage") == {"pT2 N0 M0"}


# --------------------------------------------------------------------------- clause by clause


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        (
            "She has a family history of breast cancer; she was diagnosed with stage IIIC in 2019.",
            "stage IIIC",
        ),
        (
            "Her brother had colon cancer, and she was diagnosed with stage IIB disease.",
            "stage IIB",
        ),
        ("Mother had breast cancer, and the patient has stage IIA disease.", "stage IIA"),
        ("Her brother had colon cancer. She has stage IIB disease.", "stage IIB"),
    ],
)
def test_a_clause_about_a_relative_leaves_the_patients_clause_shown(text: str, stage: str) -> None:
    assert _values(note_summary(text), "stage") == {stage}


@pytest.mark.parametrize(
    "text",
    [
        "Mother had breast cancer, and she was diagnosed with stage IIIA at 50.",
        "Her mother had ovarian cancer. She had stage IIIC disease.",
        "Father had prostate cancer; his stage was pT3 N1 M0.",
    ],
)
def test_a_clause_that_goes_on_about_the_relative_stays_hidden(text: str) -> None:
    assert note_summary(text)["stage"] == []


# --------------------------------------------------------------------------- negation after


@pytest.mark.parametrize(
    "text",
    [
        "Stage IV disease was ruled out by PSMA PET.",
        "Metastatic stage IV disease excluded on bone scan.",
        "Stage IV disease, suggested on CT, was ruled out by biopsy.",
        "No evidence of stage IV disease.",
        "pT3 was not confirmed on review.",
        "Never staged as pT3 N1 M1.",
    ],
)
def test_a_stage_ruled_out_or_excluded_is_not_shown(text: str) -> None:
    assert note_summary(text)["stage"] == []


@pytest.mark.parametrize(
    "text",
    ["Docetaxel was never given.", "Docetaxel never started.", "Never received docetaxel."],
)
def test_a_treatment_never_given_is_not_listed(text: str) -> None:
    assert note_summary(text)["treatments"] == []


def test_a_negation_elsewhere_leaves_the_finding_shown() -> None:
    summary = note_summary(
        "Biochemical recurrence is not confirmed; stage pT2 N0 M0 remains.\n"
        "Stage IIA lung adenocarcinoma in a never smoker.\n"
        "Stage IIB, but metastasis was ruled out.\n"
    )
    assert _values(summary, "stage") == {"pT2 N0 M0", "Stage IIA", "Stage IIB"}


@pytest.mark.parametrize(
    ("sentence", "marker", "value", "date"),
    [
        ("The patient's CA-125 was 88 U/mL on 01/15/2025.", "CA-125", "88", "2025-01-15"),
        ("Her CEA is 3.2 ng/mL.", "CEA", "3.2", NOTE_DATE),
        ("A PSA of 0.9 ng/mL in 2024.", "PSA", "0.9", "2024"),
        ("PSA level measured at 4.5 ng/mL.", "PSA", "4.5", NOTE_DATE),
    ],
)
def test_a_tumour_marker_written_with_was_is_or_of_is_shown(
    sentence: str, marker: str, value: str, date: str
) -> None:
    (fact,) = note_summary(sentence)["tumor_markers"]
    assert (fact["marker"], fact["value"], fact["date"]) == (marker, value, date)


def test_a_relatives_marker_written_with_was_stays_hidden() -> None:
    summary = note_summary("Her mother's PSA was 22.1 ng/mL. Mom's CA-125 was 900 U/mL.")
    assert summary["tumor_markers"] == []


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("Enzalutamide was stopped in 2024 after 3 cycles.", "2024"),
        ("Docetaxel completed in March 2025.", "2025-03"),
        ("Docetaxel started on 03/02/2025.", "2025-03-02"),
        ("Carboplatin received 2000 mg in total.", "2025-06-02"),  # a dose, not a year
        ("Leuprolide given today.", "2025-06-02"),
    ],
)
def test_a_treatments_date_is_the_one_its_sentence_gives_else_its_records(
    sentence: str, date: str
) -> None:
    text = f"ONCOLOGY FOLLOW-UP NOTE\nDate of service: 06/02/2025\nASSESSMENT:\n{sentence}\n"
    summary = build_summary(
        [SourcedText(record=0, path="n.txt", kind="clinical_note", date="2025-06-02", text=text)]
    )
    assert [t["date"] for t in summary["treatments"]] == [date]
