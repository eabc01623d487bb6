"""Request letters say only what the records support, and are never taken for records.

Every folder is built here from invented people and institutions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recordpack import load_manifest, scan_folder
from recordpack.checking import check
from recordpack.request import get_jurisdiction, plan_requests, write_requests
from recordpack.request.letters import Letter, RequestItem
from recordpack.request.tracking import DATA_DIR_ENV, Tracker

AS_OF = dt.date(2026, 11, 30)
PATIENT = "PATIENT: MERRIWEATHER, ODILE J\nDOB: 02/02/1970\n"

CONSULT = (
    "LAKEHOLM CANCER CLINIC\n44 Shore Drive, Lakeholm\n\nMEDICAL ONCOLOGY CONSULTATION\n\n"
    f"{PATIENT}MRN: LHC-100\nDate of service: 11/10/2026\n\n"
    "HISTORY OF PRESENT ILLNESS:\n56-year-old woman with a 2.1 cm left breast mass on "
    "mammogram. {biopsy}\nNo tissue diagnosis yet.\n\n"
    "ASSESSMENT AND PLAN:\nSuspicious left breast mass, BI-RADS 5.\n"
)

CT_REPORT = (
    "FENWICK HOSPITAL\nDepartment of Radiology\n\nRADIOLOGY REPORT\n\n"
    f"{PATIENT}Date of exam: 10/30/2026\nAccession: FW-55120\n\n"
    "EXAM: CT CHEST WITH CONTRAST\nFINDINGS: No pulmonary nodules. No adenopathy.\n"
    "IMPRESSION: No evidence of metastatic disease in the chest.\n"
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test keeps its requests state in its own folder, never the user's."""
    state = tmp_path / "state"
    monkeypatch.setenv(DATA_DIR_ENV, str(state))
    return state


def folder_of(root: Path, files: dict[str, str]) -> Path:
    folder = root / "records"
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def letters_for(folder: Path, manifest: str = "breast") -> list[Letter]:
    scan = scan_folder(folder)
    report = check(scan, load_manifest(manifest), as_of=AS_OF)
    return plan_requests(folder, scan, report, jurisdiction=get_jurisdiction("US"), today=AS_OF)


def items_of(letters: list[Letter]) -> list[RequestItem]:
    return [item for letter in letters for item in letter.items]


# --------------------------------------------------------------------------- the exam's name


def test_the_images_asked_for_are_named_by_the_exam_field_not_the_exam_date(
    tmp_path: Path,
) -> None:
    folder = folder_of(tmp_path, {"ct_report.txt": CT_REPORT})
    asked = [
        i.what for i in items_of(letters_for(folder, "general")) if i.reason == "images_missing"
    ]
    assert asked == ["the images of my CT CHEST WITH CONTRAST exam"]


# --------------------------------------------------------------------------- holders


@pytest.mark.parametrize(
    "biopsy",
    [
        "Core biopsy at Riverbend General Hospital was cancelled.",
        "The patient declined biopsy at Riverbend General Hospital.",
        "No biopsy was performed at Riverbend General Hospital.",
    ],
)
def test_a_holder_is_never_read_from_a_sentence_saying_the_event_did_not_happen(
    tmp_path: Path, biopsy: str
) -> None:
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy=biopsy)})
    letters = letters_for(folder)
    assert all("Riverbend" not in (letter.addressee or "") for letter in letters)
    assert all("Riverbend" not in item.because for item in items_of(letters))


@pytest.mark.parametrize(
    ("biopsy", "holder"),
    [
        (
            "Core biopsy at Riverbend General Hospital on 11/02/2026 showed carcinoma.",
            "Riverbend General Hospital",
        ),
        (
            "The patient declined biopsy at Riverbend General Hospital. Biopsy at St. Ives "
            "Hospital on 11/20/2026 showed carcinoma.",
            "St. Ives Hospital",
        ),
    ],
)
def test_a_holder_is_read_from_the_sentence_saying_the_event_happened(
    tmp_path: Path, biopsy: str, holder: str
) -> None:
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy=biopsy)})
    letters = letters_for(folder)
    pathology = [i for i in items_of(letters) if i.requirement_id == "pathology"]
    assert [i.holder.name if i.holder else None for i in pathology] == [holder]
    slides = [letter for letter in letters if letter.kind == "slides"]
    assert [letter.addressee for letter in slides] == [holder]


# --------------------------------------------------------------------------- terminal output


def test_why_this_address_shows_hidden_characters_of_a_file_name_escaped(
    tmp_path: Path,
) -> None:
    from recordpack.render.requests import render_written

    name = "Consult \u202etxt.exe\u202c 2026-11-01.txt"
    folder = folder_of(tmp_path, {name: CONSULT.format(biopsy="")})
    scan = scan_folder(folder)
    report = check(scan, load_manifest("breast"), as_of=AS_OF)
    result = write_requests(
        folder,
        scan,
        report,
        tmp_path / "letters",
        jurisdiction=get_jurisdiction("US"),
        today=AS_OF,
        tracker=Tracker(),
    )
    words = render_written(result)
    assert "\u202e" not in words and "\u202c" not in words
    assert "Consult \\u202etxt.exe\\u202c 2026-11-01.txt" in " ".join(words.split())
