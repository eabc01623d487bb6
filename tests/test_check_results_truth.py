"""A result that was never given never counts as a result.

A pathology report whose only words about the receptors or the lung biomarkers
say the test was sent out, requested, is reported elsewhere or could not be
done does not meet "pathology with receptor results" or "biomarker results",
and the folder is not READY. A real result still counts when the same report
says something else was sent out. Sentences are not cut at "Dr." and the like,
so what follows a doctor's name is read. Folders are built by code for an
invented patient (tests/breast_folder.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from recordpack import sentences
from tests.acceptance_folders import text_pdf
from tests.breast_folder import (
    BIRTH,
    MRN,
    PATIENT,
    breast_folder,
    check_json,
    check_text,
    mr_study,
    requirement,
)


def breast_with(folder: Path, receptor_lines: Sequence[str]) -> Path:
    """A complete breast folder (MR images too) whose pathology report says only
    ``receptor_lines`` about the receptors."""
    breast_folder(folder)
    text_pdf(
        folder / "pathology.pdf",
        [
            "SURGICAL PATHOLOGY REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958   MRN: 5520871",
            "Date of collection: 03/02/2026",
            "SPECIMEN: Left breast, core needle biopsy",
            "FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.",
            *receptor_lines,
            "GROSS DESCRIPTION: Three cores of tan tissue.",
        ],
    )
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 2)
    return folder


def lung_report(folder: Path, marker_lines: Sequence[str]) -> Path:
    text_pdf(
        folder / "lung pathology.pdf",
        [
            "SURGICAL PATHOLOGY REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
            "Date of collection: 03/03/2026",
            "SPECIMEN: Right upper lobe, CT-guided core biopsy",
            "FINAL DIAGNOSIS: Adenocarcinoma of lung, acinar predominant.",
            *marker_lines,
        ],
    )
    return folder


NOT_RESULTED_RECEPTORS = [
    "ER, PR and HER2: see separate report.",
    "ER, PR and HER2: insufficient for testing.",
    "Tissue is insufficient for ER, PR and HER2 testing.",
    "Block A1 has been sent to the reference laboratory for ER, PR and HER2 testing.",
    "Block A1 was forwarded to an outside laboratory for ER, PR and HER2 studies.",
    "ER, PR and HER2 studies were requested by the clinician.",
    "ER, PR and HER2: send-out.",
    "ER, PR and HER2 are not yet resulted.",
    "Unable to perform ER, PR and HER2 testing on this material.",
    "ER, PR and HER2 testing could not be performed.",
    "ER, PR and HER2 cannot be assessed on this specimen.",
    # what follows a title or an initial is part of the sentence
    "ER, PR and HER2 testing was requested by Dr. Strand and will be performed at the "
    "reference laboratory.",
    "ER, PR and HER2 per Dr. Strand will be performed at the reference laboratory.",
    "ER, PR and HER2 per Prof. Alder will be reported in an addendum.",
    "ER, PR and HER2 per J. Wendt will be reported in an addendum.",
    "ER, PR AND HER2 PER DR. STRAND WILL BE PERFORMED AT THE REFERENCE LABORATORY.",
    # a bare clause after a semicolon speaks of the clause before it
    "ER, PR and HER2 immunostains; results to follow in a separate report.",
]


@pytest.mark.parametrize("line", NOT_RESULTED_RECEPTORS)
def test_receptors_that_were_never_resulted_leave_the_folder_not_ready(
    tmp_path: Path, line: str
) -> None:
    folder = breast_with(tmp_path / "records", [line])
    code, doc = check_json(folder)
    pathology = requirement(doc, "pathology")
    assert (pathology["status"], pathology["reason"]) == ("incomplete", "lacks_results")
    assert (code, doc["ok"]) == (1, False)
    assert pathology["evidence"] == []


def test_the_text_report_says_not_ready_for_a_sent_out_test(tmp_path: Path) -> None:
    folder = breast_with(tmp_path / "records", [NOT_RESULTED_RECEPTORS[3]])
    code, text = check_text(folder)
    assert code == 1
    assert "NOT READY TO SEND YET" in text and "READY TO SEND." not in text


@pytest.mark.parametrize(
    "lines",
    [
        [
            "Estrogen receptor (ER): positive, 95% strong. Progesterone receptor (PR): "
            "positive, 40%.",
            "HER2 by IHC: 1+ (negative).",
            "Block A2 has been sent to the reference laboratory for Oncotype DX testing.",
        ],
        ["ER positive (95%), PR positive (40%), HER2 1+ (negative); Ki-67 pending."],
        [
            "ER positive (95%), PR positive (40%).",
            "HER2 by IHC 1+ (negative), reviewed with Dr. Strand.",
        ],
    ],
    ids=["with a send-out", "with a pending Ki-67", "after Dr."],
)
def test_real_receptor_results_still_count(tmp_path: Path, lines: list[str]) -> None:
    """The control: a report with the results is met and the folder is ready."""
    folder = breast_with(tmp_path / "records", lines)
    code, doc = check_json(folder)
    pathology = requirement(doc, "pathology")
    assert pathology["status"] == "met", pathology
    assert (code, doc["ok"]) == (0, True)
    quoted = " ".join(e["text"] for e in pathology["evidence"])
    assert "HER2" in quoted and "sent" not in quoted


NOT_RESULTED_MARKERS = [
    "Block A1 has been sent to Foundation Medicine for EGFR, ALK, ROS1, KRAS and PD-L1 testing.",
    "Block A1 was forwarded to NeoGenomics for EGFR, ALK, ROS1, KRAS and PD-L1 analysis; "
    "results to follow in a separate report.",
    "Molecular studies (EGFR, ALK, ROS1, KRAS, PD-L1) were requested by the clinician.",
    "Tissue is insufficient for EGFR, ALK, ROS1, KRAS and PD-L1 testing.",
    "EGFR, ALK, ROS1, KRAS and PD-L1 analysis; results to follow.",
    "EGFR, ALK, ROS1, KRAS and PD-L1 sequencing failed quality control.",
    "EGFR, ALK, ROS1, KRAS and PD-L1 testing could not be performed.",
]


@pytest.mark.parametrize("line", NOT_RESULTED_MARKERS)
def test_lung_biomarkers_that_were_never_resulted_are_incomplete(tmp_path: Path, line: str) -> None:
    _, doc = check_json(lung_report(tmp_path / "records", [line]), "lung")
    biomarkers = requirement(doc, "biomarkers")
    assert (biomarkers["status"], biomarkers["reason"]) == ("incomplete", "lacks_results")
    assert set(biomarkers["params"]["lacking"]) == {"EGFR", "ALK", "ROS1", "KRAS", "PD-L1"}


def test_real_lung_biomarkers_count_beside_a_send_out(tmp_path: Path) -> None:
    folder = lung_report(
        tmp_path / "records",
        [
            "EGFR: exon 19 deletion detected. ALK: negative by IHC (D5F3). ROS1: negative.",
            "KRAS G12C: not detected. PD-L1 (22C3): TPS 60%.",
            "Block A2 has been sent to Foundation Medicine for comprehensive genomic profiling.",
        ],
    )
    _, doc = check_json(folder, "lung")
    biomarkers = requirement(doc, "biomarkers")
    assert biomarkers["status"] == "met", biomarkers
    assert any("exon 19" in e["text"] for e in biomarkers["evidence"])


# --------------------------------------------------------------------------- sentence ends

_CHECK_END = re.compile(r"(?<=[.!?])\s+")


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        (
            "Requested by Dr. Strand and Mrs. Alder. ER positive.",
            ["Requested by Dr. Strand and Mrs. Alder.", "ER positive."],
        ),
        (
            "See Fig. 2 and case No. 14. Nothing else.",
            ["See Fig. 2 and case No. 14.", "Nothing else."],
        ),
        ("Signed by J. R. Wendt, MD. Done.", ["Signed by J. R. Wendt, MD.", "Done."]),
        (
            "Seen at St. Brendan's, e.g. for care, approx. 2 cm.",
            ["Seen at St. Brendan's, e.g. for care, approx. 2 cm."],
        ),
        # a stop that only looks like one ends the sentence
        ("Any more? No. She left.", ["Any more?", "No.", "She left."]),
        ("Positive in block A. HER2 negative.", ["Positive in block A.", "HER2 negative."]),
    ],
)
def test_sentences_are_not_cut_after_an_abbreviation(text: str, pieces: list[str]) -> None:
    assert sentences.split(_CHECK_END, text) == pieces
