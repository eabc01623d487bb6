"""Whose record it is and what kind it is are two questions, each settled only by its own answer.

A record scan is not sure of (its kind) that also names nobody the folder can
match waits for both answers: "It is mine" (``--accept-other-patient``) settles
whose it is, "This kind is right" (``--label``) what it is; neither lifts the
other. A date beside the name on a header's name line is the birth date, never
the record's date, and such a line names the patient.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack import age, workflow
from recordpack.check_words import finding_message
from recordpack.classify import classify_text
from recordpack.findings import COMPLETENESS, IDENTITY
from recordpack.manifest import load_manifest
from recordpack.scan.corrections import parse_labels
from recordpack.web import decisions
from tests.breast_folder import AS_OF, breast_folder, check_json, dicom_image, requirement, run

TODAY = dt.date(2026, 12, 1)
#: A short unlabelled pathology note naming nobody: scan files it as a pathology
#: report from its file name and a few words, and is not sure of it.
NAMELESS_NOTE = (
    "Left breast core: invasive ductal carcinoma, grade 2. ER positive 95 percent, "
    "PR positive 40 percent, HER2 1+ negative.\n03/02/2026\n"
)
NOTE_FILE = "path_report.txt"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The invented breast folder, its pathology report only the unsure nameless note."""
    root = breast_folder(tmp_path / "records")
    (root / "pathology.pdf").unlink()
    (root / NOTE_FILE).write_text(NAMELESS_NOTE)
    dicom_image(root / "CD" / "IM1")
    return root


def _prepared(folder: Path, labels: tuple[str, ...] = ()) -> workflow.Prepared:
    return workflow.prepare(
        folder,
        load_manifest("breast"),
        corrections=parse_labels(labels),
        as_of=dt.date.fromisoformat(AS_OF),
    )


def test_the_unsure_kind_is_reported_beside_the_unconfirmed_patient(folder: Path) -> None:
    code, doc = check_json(folder)
    assert code == 1 and not doc["ok"]
    pathology = requirement(doc, "pathology")
    assert (pathology["status"], pathology["reason"]) == ("incomplete", "unsure_kind")
    concerns = {(b["code"], b["concern"]) for b in doc["blocking"] if NOTE_FILE in b["paths"]}
    assert concerns == {("patient_unconfirmed", IDENTITY), ("incomplete", COMPLETENESS)}


def test_each_answer_settles_only_its_own_concern(folder: Path) -> None:
    unsure = _prepared(folder)
    # "It is mine" alone (CLI --accept-other-patient, the web page's button on the note):
    # the pathology item still waits for its kind.
    assert workflow.gate(unsure, accept_other_patient=True).refused == (
        workflow.REFUSED_INCOMPLETE,
    )
    view = decisions.standing(unsure.report, {NOTE_FILE}, accepted_incomplete=False)
    assert view.settled_identity
    assert [r.requirement.id for r in view.needs] == ["pathology"]
    assert view.still_blocking
    # "This kind is right" alone (--label with the same kind): it still waits for "mine".
    labelled = _prepared(folder, (f"{NOTE_FILE}=pathology_report",))
    result = labelled.report.result("pathology")
    assert (result.status, result.reason) == ("incomplete", "unconfirmed_patient")
    assert workflow.gate(labelled).refused == (workflow.REFUSED_OTHER_PATIENT,)
    assert not decisions.standing(labelled.report, set(), False).settled_identity
    # Both answers: it counts, and nothing else was accepted.
    assert workflow.gate(labelled, accept_other_patient=True).allowed
    both = decisions.standing(labelled.report, {NOTE_FILE}, accepted_incomplete=False)
    assert both.still_blocking == () and both.needs == ()


def test_pack_with_accept_other_patient_alone_packs_nothing(
    folder: Path, tmp_path: Path, identity: age.X25519Identity
) -> None:
    out = tmp_path / "out.rpk"
    to = str(identity.recipient())
    code, doc = run(
        ["pack", str(folder), "-o", str(out), "--to", to, "-m", "breast", "--as-of", AS_OF,
         "--accept-other-patient", "--json", "-q"]
    )  # fmt: skip
    assert code == 1 and not doc["packed"]
    assert not out.exists()


def test_a_file_scan_read_no_name_in_is_not_said_to_name_nobody(folder: Path) -> None:
    prepared = _prepared(folder)
    (unconfirmed,) = [f for f in prepared.report.findings if f.code == "patient_unconfirmed"]
    message = finding_message(unconfirmed)
    assert "names no patient" not in message
    assert f"recordpack found no patient name, birth date or matching ID in {NOTE_FILE}" in message


# ------------------------------------------------------------------ the name line


NOTE_BODY = (
    "Left breast core: invasive ductal carcinoma, grade 2. ER positive 95 percent, "
    "PR positive 40 percent, HER2 1+ negative.\n10/14/2026\n"
)


@pytest.mark.parametrize(
    ("first_line", "name"),
    [
        ("Quillfeather, Odalys K  09/22/1968", "Quillfeather, Odalys K"),
        ("QUILLFEATHER, ODALYS K 09/22/1968", "QUILLFEATHER, ODALYS K"),
        ("Patient: Quillfeather, Odalys K  09/22/1968", "Quillfeather, Odalys K"),
        ("Name: Odalys K Quillfeather  09/22/1968", "Odalys K Quillfeather"),
    ],
)
def test_a_date_beside_the_name_is_the_birth_date_not_the_records(
    first_line: str, name: str
) -> None:
    c = classify_text(f"{first_line}\n{NOTE_BODY}", today=TODAY, name="path_report.txt")
    assert c.date == "2026-10-14"
    assert (c.patient.name, c.patient.birth_date) == (name, "1968-09-22")


def test_a_name_line_in_the_folder_confirms_the_patient(folder: Path) -> None:
    (folder / NOTE_FILE).write_text("Harrowgate, Delphine M  04/12/1958\n" + NAMELESS_NOTE)
    prepared = _prepared(folder)
    assert not [f for f in prepared.report.findings if f.code == "patient_unconfirmed"]
    assert prepared.report.result("pathology").reason == "unsure_kind"
    assert workflow.gate(prepared, accept_other_patient=True).refused == (
        workflow.REFUSED_INCOMPLETE,
    )


@pytest.mark.parametrize(
    ("text", "date"),
    [
        # The only date beside the name: it may be the record's own (a one-line result).
        ("Quillfeather, Odalys K  03/10/2026\nPSA 7.9 ng/mL\n", "2026-03-10"),
        # A date within a year of another is no birth date.
        ("Quillfeather, Odalys K  03/10/2026\nPSA 7.9 ng/mL\nReviewed 03/12/2026\n", "2026-03-10"),
        # A signature's date is the record's: a credential is no given name.
        ("Biopsy report. Invasive carcinoma.\nStrand, Evelyn MD  10/17/2024\n"
         "Seen again 10/20/2026\n", "2024-10-17"),
    ],
)  # fmt: skip
def test_a_date_beside_a_name_stays_the_records_when_nothing_says_birth(
    text: str, date: str
) -> None:
    assert classify_text(text, today=TODAY).date == date


def test_a_place_and_date_line_names_nobody() -> None:
    text = (
        "Portland, Oregon  03/14/2019\nDear Dr. Amsel,\nI saw your patient in clinic on "
        "10/20/2026 for her breast cancer.\n"
    )
    c = classify_text(text, today=TODAY)
    assert c.patient.name is None and c.patient.birth_date is None
