"""`check` tells the truth (issue 9): each case runs `check --json` (or `scan --json`) end to end.

Every folder is built by code (tests/breast_folder.py) for an invented patient:
PDFs with a text layer (fpdf2) and DICOM images made from pydicom's bundled test
files, either re-labelled image by image or left exactly as pydicom ships them
(their patient names are codes: ``CompressedSamples^CT1``, ``JANCT000``). Each
test fails if the bug it names comes back.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydicom.uid import generate_uid

from recordpack.cli import main
from tests.acceptance_folders import text_pdf
from tests.breast_folder import (
    AS_OF,
    BIRTH,
    LABS,
    MRN,
    PATHOLOGY,
    PATIENT,
    breast_folder,
    check_json,
    check_text,
    dicom_image,
    mr_study,
    requirement,
    run,
    status,
)

STRANGER = "QUILLFEATHER^ROSALIND"



def findings(doc: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["code"] == code]


# --------------------------------------------------------------------------- control


def test_the_clean_folder_is_ready(tmp_path: Path) -> None:
    """The control for every case below: without the flaw, the folder is ready."""
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 3)
    code, doc = check_json(folder)
    assert (code, doc["ok"], doc["blocking"]) == (0, True, [])
    assert [f["code"] for f in doc["findings"]] == []
    code, text = check_text(folder)
    assert code == 0 and "READY TO SEND" in text


# --------------------------------------------------------------------------- item 2 and 4


def test_one_image_of_another_person_in_the_patients_study_blocks(tmp_path: Path) -> None:
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 4 + [(STRANGER, "19700101", "998877")])
    code, doc = check_json(folder)
    mismatches = findings(doc, "patient_mismatch")
    assert [f["paths"] for f in mismatches] == [["MR/IM00005"]]
    assert mismatches[0]["blocking"] is True and mismatches[0]["concern"] == "identity"
    assert mismatches[0]["params"]["differs"] == ["name", "birth_date", "id"]
    assert (code, doc["ok"]) == (1, False)
    # The patient's own images still count; the stranger's image does not.
    imaging = requirement(doc, "breast_imaging")["files"]
    assert "MR/IM00001" in imaging and "MR/IM00005" not in imaging
    code, text = check_text(folder)
    assert code == 1
    assert "READY TO SEND:" not in text and "NOT READY TO SEND YET: 1 thing" in text
    assert "QUILLFEATHER" in text and "MR/IM00005" in text


def test_a_mismatch_names_the_strangers_file_not_the_patients_first_image(
    tmp_path: Path,
) -> None:
    """Two images, one each: the old code named the study's first file, the patient's own."""
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN), (STRANGER, "19700101", "998877")])
    _, doc = check_json(folder)
    assert [f["paths"] for f in findings(doc, "patient_mismatch")] == [["MR/IM00002"]]
    params = findings(doc, "patient_mismatch")[0]["params"]
    assert params["found"]["name"] == STRANGER
    assert params["expected"]["birth_date"] == "1958-04-12"


@pytest.mark.parametrize(
    ("odd", "differs"),
    [
        ((PATIENT, "19600101", MRN), ["birth_date"]),
        ((PATIENT, BIRTH, "0000042"), ["id"]),
        ((STRANGER, BIRTH, MRN), ["name"]),
    ],
    ids=["birth-date", "patient-id", "name"],
)
def test_a_mismatch_says_what_differs(
    tmp_path: Path, odd: tuple[str, str, str], differs: list[str]
) -> None:
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 3 + [odd])
    code, doc = check_json(folder)
    mismatches = findings(doc, "patient_mismatch")
    assert [(f["paths"], f["params"]["differs"]) for f in mismatches] == [(["MR/IM00004"], differs)]
    assert code == 1 and not doc["ok"]


def test_a_whole_study_of_another_person_names_all_its_files(tmp_path: Path) -> None:
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 2)
    uid = generate_uid()
    for index in (1, 2, 3):
        dicom_image(
            folder / "OTHER" / f"IM{index}",
            name=STRANGER,
            birth="19700101",
            patient_id="998877",
            study_uid=uid,
            number=index,
        )
    _, doc = check_json(folder)
    assert [f["paths"] for f in findings(doc, "patient_mismatch")] == [
        ["OTHER/IM1", "OTHER/IM2", "OTHER/IM3"]
    ]
    assert "OTHER/IM1" not in requirement(doc, "breast_imaging")["files"]


# --------------------------------------------------------------------------- item 3


@pytest.mark.parametrize(
    ("source", "coded"),
    [("CT_small.dcm", "CompressedSamples^CT1"), ("liver_1frame.dcm", "JANCT000")],
)
def test_a_coded_patient_name_is_a_finding_not_a_met_item(
    tmp_path: Path, source: str, coded: str
) -> None:
    """pydicom's own files, unchanged: their names are codes nobody can compare."""
    folder = tmp_path / "records"
    text_pdf(folder / "pathology.pdf", PATHOLOGY)
    text_pdf(folder / "labs.pdf", LABS)
    dicom_image(folder / "CD" / "IMG0001", source, name=None)
    code, doc = check_json(folder, "general")
    unsure = findings(doc, "patient_unconfirmed")
    assert [(f["paths"], f["params"]["name"]) for f in unsure] == [(["CD/IMG0001"], coded)]
    assert unsure[0]["blocking"] is True and unsure[0]["concern"] == "identity"
    images = requirement(doc, "imaging_images")
    assert images["status"] != "met"
    assert images["unconfirmed_files"] == images["files"] == ["CD/IMG0001"]
    # Not a second patient: the folder's patient is still the one the records name.
    assert doc["patient"]["name"].upper().startswith("HARROWGATE")
    assert findings(doc, "patient_mismatch") == []
    assert code == 1 and not doc["ok"]
    _, text = check_text(folder, "general")
    assert "READY TO SEND:" not in text and coded in text


def test_images_that_name_nobody_are_not_counted_as_the_patients(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    text_pdf(folder / "pathology.pdf", PATHOLOGY)
    for index in (1, 2):
        dicom_image(folder / "CD" / f"IM{index}", name="", birth=None, patient_id=None)
    code, doc = check_json(folder, "general")
    unsure = findings(doc, "patient_unconfirmed")
    assert [f["paths"] for f in unsure] == [["CD/IM1"], ["CD/IM2"]]
    assert requirement(doc, "imaging_images")["status"] == "incomplete"
    assert "found no patient name" in requirement(doc, "imaging_images")["detail"]
    assert code == 1


# --------------------------------------------------------------------------- item 5

CT_REPORT = [
    "RADIOLOGY REPORT",
    "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
    "EXAM: CT CHEST WITH CONTRAST   Exam date: 03/01/2026",
    "TECHNIQUE: Axial images of the chest after intravenous contrast.",
    "FINDINGS: 2.1 cm spiculated mass in the right upper lobe.",
    "IMPRESSION: Right upper lobe mass, suspicious for primary lung cancer.",
]


@pytest.mark.parametrize(
    "sentence",
    [
        "Recommend PET-CT for staging.",
        "No PET-CT was performed.",
        "Prior PET-CT at another hospital, not available.",
        "The patient will undergo PET-CT next week.",
        "PET-CT is scheduled for 04/10/2026.",
        "We recommend a staging\nPET/CT in two weeks.",
        "The patient did not have a PET-CT.",
        "Plan: PET-CT after the next visit.",
        "Repeat PET-CT in 3 months.",
    ],
    ids=[
        "recommendation",
        "negation",
        "history",
        "future",
        "scheduled",
        "wrapped-line",
        "did-not-have",
        "plan",
        "in-3-months",
    ],
)
def test_a_pet_ct_that_was_not_done_does_not_meet_pet_ct(tmp_path: Path, sentence: str) -> None:
    folder = tmp_path / "records"
    text_pdf(folder / "ct report.pdf", [*CT_REPORT, *sentence.split("\n")])
    code, doc = check_json(folder, "lung")
    assert status(doc, "ct_chest") == "met"
    assert status(doc, "pet_ct") == "missing"
    assert code == 1


def test_a_real_pet_ct_report_is_met_and_says_which_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    text_pdf(folder / "ct report.pdf", [*CT_REPORT, "Recommend PET-CT for staging."])
    text_pdf(
        folder / "pet.pdf",
        [
            "NUCLEAR MEDICINE REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
            "EXAM: FDG PET-CT SKULL BASE TO MID-THIGH   Exam date: 03/08/2026",
            "FINDINGS: The right upper lobe mass is FDG avid, SUV max 9.2.",
            "IMPRESSION: Hypermetabolic right upper lobe mass without distant disease.",
        ],
    )
    _, doc = check_json(folder, "lung")
    pet = requirement(doc, "pet_ct")
    assert pet["status"] == "met" and pet["files"] == ["pet.pdf"]
    assert pet["evidence"] and pet["evidence"][0]["path"] == "pet.pdf"
    assert "PET" in pet["evidence"][0]["text"]
    assert "Recommend" not in json.dumps(pet["evidence"])
    ct = requirement(doc, "ct_chest")
    assert {e["path"] for e in ct["evidence"]} == {"ct report.pdf"}
    assert any("CT CHEST" in e["text"] for e in ct["evidence"])


def pathology_with(lines: Sequence[str]) -> list[str]:
    return [
        "SURGICAL PATHOLOGY REPORT",
        "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
        "Date of collection: 03/02/2026",
        "SPECIMEN: Left breast, core needle biopsy",
        "GROSS DESCRIPTION: Three cores of tan tissue.",
        *lines,
    ]


def test_near_miss_words_do_not_count_as_receptor_results(tmp_path: Path) -> None:
    """'PRIMARY' is not PR, 'after' and 'Emergency' are not ER."""
    folder = tmp_path / "records"
    text_pdf(
        folder / "pathology.pdf",
        pathology_with(
            [
                "FINAL DIAGNOSIS: PRIMARY invasive ductal carcinoma, grade 2.",
                "Tissue was fixed after 30 minutes in the er.",
                "HER2 (IHC): 1+, negative.",
            ]
        ),
    )
    _, doc = check_json(folder)
    result = requirement(doc, "pathology")
    assert result["status"] == "incomplete"
    assert "ER" in result["detail"] and "PR" in result["detail"]


def test_receptor_results_worded_as_results_count(tmp_path: Path) -> None:
    """Negative results and 'considered negative' are results, not negations of a test."""
    folder = breast_folder(tmp_path / "records")
    text_pdf(
        folder / "pathology.pdf",
        pathology_with(
            [
                "FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.",
                "Estrogen receptor: no nuclear staining in tumour cells (negative).",
                "Progesterone receptor (PR): negative, 0%.",
                "HER2 (IHC 1+) is considered negative.",
            ]
        ),
    )
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 2)
    code, doc = check_json(folder)
    result = requirement(doc, "pathology")
    assert result["status"] == "met", result
    quoted = " ".join(e["text"] for e in result["evidence"])
    assert "HER2 (IHC 1+)" in quoted and "Progesterone receptor" in quoted
    assert {e["path"] for e in result["evidence"]} == {"pathology.pdf"}
    assert code == 0 and doc["ok"]


def test_receptor_results_pending_do_not_count(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    text_pdf(
        folder / "pathology.pdf",
        pathology_with(
            [
                "FINAL DIAGNOSIS: Invasive ductal carcinoma, grade 2.",
                "ER: positive, 90%. PR: positive, 30%.",
                "HER2 testing is pending and will be reported in an addendum.",
            ]
        ),
    )
    _, doc = check_json(folder)
    assert requirement(doc, "pathology")["status"] == "incomplete"
    assert "HER2" in requirement(doc, "pathology")["detail"]


LUNG_MARKERS = "EGFR: not detected. ALK: negative. ROS1: negative. KRAS G12C: detected."


@pytest.mark.parametrize(
    ("pd_l1", "met"),
    [
        ("PD-L1 (22C3): TPS 60%.", True),
        ("PDL1 (22C3): TPS 60%.", True),
        ("PD L1 22C3 TPS 60%.", True),
        ("PD-1 inhibitor therapy discussed.", False),
    ],
    ids=["PD-L1", "PDL1", "PD L1", "PD-1 is not PD-L1"],
)
def test_pd_l1_both_spellings_count_and_pd_1_does_not(
    tmp_path: Path, pd_l1: str, met: bool
) -> None:
    folder = tmp_path / "records"
    text_pdf(
        folder / "molecular.pdf",
        [
            "MOLECULAR PATHOLOGY REPORT",
            "Patient: Harrowgate, Delphine M   DOB: 04/12/1958",
            "Specimen: right upper lobe core biopsy, collected 03/03/2026",
            "Next-generation sequencing panel, 52 genes.",
            LUNG_MARKERS,
            pd_l1,
        ],
    )
    _, doc = check_json(folder, "lung")
    result = requirement(doc, "biomarkers")
    assert (result["status"] == "met") is met, result
    if met:
        assert any("22C3" in e["text"] for e in result["evidence"])


# --------------------------------------------------------------------------- item 6


def test_headline_and_findings_agree_and_nothing_is_said_twice(tmp_path: Path) -> None:
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 2 + [(STRANGER, "19700101", "998877")] * 2)
    (folder / "labs.pdf").unlink()
    shutil.copy(folder / "pathology.pdf", folder / "pathology copy.pdf")
    code, doc = check_json(folder, "general")
    blockers = doc["blocking"]
    assert doc["ok"] is False and code == 1
    assert {b["code"] for b in blockers} >= {"patient_mismatch", "missing"}
    assert all(b["concern"] in ("identity", "completeness") for b in blockers)
    code, text = check_text(folder, "general")
    assert f"NOT READY TO SEND YET: {len(blockers)} things" in text
    assert "READY TO SEND:" not in text
    # Each finding once: the mismatch is not repeated under "Smaller things".
    mismatch = findings(doc, "patient_mismatch")[0]["message"]
    assert text.replace("\n", " ").count("QUILLFEATHER") == 1, text
    assert mismatch  # worded from its data
    steps = text.split("What to do next:")[1].strip().splitlines()
    numbered = [s.split(". ", 1)[1] for s in steps if s.strip()[:2].rstrip(".").isdigit()]
    assert len(numbered) == len(set(numbered))
    assert "exact copy" in text.split("Smaller things worth a look:")[1]


# --------------------------------------------------------------------------- item 8


def test_a_short_born_digital_pdf_is_read_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    text_pdf(
        folder / "psa.pdf",
        ["Patient: Harrowgate, Delphine M", "PSA 7.9 ng/mL collected 03/10/2026"],
    )
    code, doc = run(["scan", str(folder), "--json", "-q"])
    assert code == 0 and isinstance(doc, dict)
    assert doc["problems"] == []
    (record,) = doc["records"]
    assert record["kind"] == "lab_result"
    assert record["date"] == "2026-03-10"
    assert "Harrowgate" in record["patient"]["name"]
    assert "300 dpi" not in json.dumps(doc)


def test_scan_names_the_strangers_image_too(tmp_path: Path) -> None:
    """scan's own problem for a study naming two people points at the stranger's image."""
    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN), (STRANGER, "19700101", "998877")])
    _, doc = run(["scan", str(folder), "--json", "-q"])
    assert isinstance(doc, dict)
    flagged = [p for p in doc["problems"] if p["code"] == "patient_mismatch"]
    assert [(p["path"], p.get("paths")) for p in flagged] == [("MR/IM00002", ["MR/IM00002"])]


def test_the_gate_reads_what_blocks_and_which_acceptance_lifts_it(tmp_path: Path) -> None:
    """The library API a pack gate uses: each blocker's concern, and what is left once accepted."""
    from recordpack.checking import check
    from recordpack.findings import COMPLETENESS, IDENTITY
    from recordpack.manifest import load_manifest
    from recordpack.scan import scan_folder

    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 2 + [(STRANGER, "19700101", "998877")])
    dicom_image(folder / "CD" / "IMG0001", "CT_small.dcm", name=None)
    (folder / "labs.pdf").unlink()
    report = check(scan_folder(folder), load_manifest("breast"), as_of=dt.date(2026, 4, 1))
    assert not report.ok
    concerns = {(f.code, f.concern) for f in report.blocking}
    assert concerns == {
        ("patient_mismatch", IDENTITY),
        ("patient_unconfirmed", IDENTITY),
        ("missing", COMPLETENESS),
    }
    assert {f.code for f in report.still_blocking([COMPLETENESS])} == {
        "patient_mismatch",
        "patient_unconfirmed",
    }
    assert [f.code for f in report.still_blocking([IDENTITY])] == ["missing"]
    assert report.still_blocking([IDENTITY, COMPLETENESS]) == []


@pytest.mark.parametrize(
    ("accept", "packed"),
    [([], False), (["--accept-incomplete"], False), (["--accept-other-patient"], True)],
    ids=["no-flag", "accept-incomplete-is-not-enough", "accept-other-patient"],
)
def test_pack_refuses_one_image_of_another_person(
    tmp_path: Path, accept: list[str], packed: bool
) -> None:
    """Item 2 through the pack gate: only accepting another patient's record lets it through."""
    from recordpack import age

    folder = breast_folder(tmp_path / "records")
    mr_study(folder, [(PATIENT, BIRTH, MRN)] * 3 + [(STRANGER, "19700101", "998877")])
    out = tmp_path / "x.rpk"
    key = str(age.X25519Identity.generate().recipient())
    args = ["pack", str(folder), "-o", str(out), "--to", key, "-m", "breast"]
    result = CliRunner().invoke(main, [*args, "--as-of", AS_OF, "-q", *accept])
    assert (result.exit_code == 0, out.exists()) == (packed, packed), result.output
