"""Request letters say only what the records support, and are never taken for records.

Every folder is built here from invented people and institutions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from recordpack import load_manifest, scan_folder
from recordpack.checking import check
from recordpack.classify.letters import (
    OWN_LETTER_EVIDENCE,
    OWN_LETTER_LINE,
    REQUEST_LETTER_EVIDENCE,
)
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


# --------------------------------------------------------------------------- letters in the folder

HAPPENED = "Core biopsy at Riverbend General Hospital on 11/02/2026 showed carcinoma."

LETTERS_BY_OTHERS = {
    "request": (
        "Dear Medical Records Department,\n\nI am writing to request a copy of my medical "
        "records, including my breast pathology report with the receptor results (ER, PR, "
        "HER2 and Ki-67), my mammogram and breast MRI reports and images, my latest blood "
        "test results and my current medication and allergy list.\n\n"
        f"{PATIENT}\nSincerely,\nOdile Merriweather\n"
    ),
    "authorization": (
        "AUTHORIZATION FOR RELEASE OF PROTECTED HEALTH INFORMATION\n\n"
        f"{PATIENT}\nI authorize Fenwick Hospital to release to Dr Ada Quimby the following: "
        "surgical pathology report with ER, PR, HER2 and Ki-67 results; current medication "
        "list; mammogram report; laboratory results.\n\nSignature: ______________\n"
    ),
}


def statuses(folder: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each requirement's status and the files that meet it."""
    report = check(scan_folder(folder), load_manifest("breast"), as_of=AS_OF)
    return {
        r.requirement.id: (r.status, tuple(f for rec in r.records for f in rec.files))
        for r in report.results
    }


def write_letters(folder: Path, outdir: Path) -> list[Path]:
    scan = scan_folder(folder)
    report = check(scan, load_manifest("breast"), as_of=AS_OF)
    result = write_requests(
        folder, scan, report, outdir, jurisdiction=get_jurisdiction("US"), today=AS_OF
    )
    assert any(w.letter.kind == "slides" for w in result.letters)
    return [path for w in result.letters for path in (w.pdf, w.text)]


def test_recordpacks_own_letters_in_the_folder_count_as_no_record(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy=HAPPENED)})
    before = statuses(folder)
    letters = write_letters(folder, tmp_path / "letters")
    joined = "\n".join(p.read_text("utf-8") for p in letters if p.suffix == ".txt")
    assert "Ki-67" in joined and "medication and allergy list" in joined
    (folder / "Letters").mkdir()
    for path in letters:
        (folder / "Letters" / path.name).write_bytes(path.read_bytes())

    records = [r for r in scan_folder(folder).records if r.files[0].startswith("Letters/")]
    assert len(records) == len(letters)
    assert {r.kind for r in records} == {"other"}
    assert all(OWN_LETTER_EVIDENCE in r.evidence for r in records)
    assert statuses(folder) == before


def test_a_letter_of_an_older_recordpack_without_its_mark_counts_as_no_record(
    tmp_path: Path,
) -> None:
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy=HAPPENED)})
    before = statuses(folder)
    for path in write_letters(folder, tmp_path / "letters"):
        if path.suffix == ".txt":
            text = path.read_text("utf-8").replace(OWN_LETTER_LINE, "")
            (folder / path.name).write_text(text, encoding="utf-8")
    assert statuses(folder) == before


@pytest.mark.parametrize("which", sorted(LETTERS_BY_OTHERS))
def test_a_letter_asking_for_records_counts_as_none_of_them(tmp_path: Path, which: str) -> None:
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy=HAPPENED)})
    before = statuses(folder)
    (folder / "letter.txt").write_text(LETTERS_BY_OTHERS[which], encoding="utf-8")
    (letter,) = [r for r in scan_folder(folder).records if r.files == ("letter.txt",)]
    assert letter.kind == "administrative" and REQUEST_LETTER_EVIDENCE in letter.evidence
    assert statuses(folder) == before


def test_a_letter_in_the_folder_never_names_who_holds_a_record(tmp_path: Path) -> None:
    first = folder_of(tmp_path / "first", {"consult.txt": CONSULT.format(biopsy=HAPPENED)})
    letters = write_letters(first, tmp_path / "letters")
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy="")})
    for path in letters:
        (folder / path.name).write_bytes(path.read_bytes())
    planned = letters_for(folder)
    assert all("Riverbend" not in (letter.addressee or "") for letter in planned)
    assert all("Riverbend" not in item.because for item in items_of(planned))


def test_a_pdf_letter_is_known_as_recordpacks_by_its_metadata_alone(tmp_path: Path) -> None:
    from recordpack.request.letters import compose
    from recordpack.request.render_pdf import render_pdf

    first = folder_of(tmp_path / "first", {"consult.txt": CONSULT.format(biopsy=HAPPENED)})
    (slides,) = [letter for letter in letters_for(first) if letter.kind == "slides"]
    words = compose(slides)
    unmarked = replace(words, blocks=tuple(b for b in words.blocks if b.style != "footer"))
    folder = folder_of(tmp_path, {"consult.txt": CONSULT.format(biopsy=HAPPENED)})
    (folder / "slides.pdf").write_bytes(render_pdf(unmarked))
    (record,) = [r for r in scan_folder(folder).records if r.files == ("slides.pdf",)]
    assert record.kind == "other" and OWN_LETTER_EVIDENCE in record.evidence


# --------------------------------------------------------------------------- records that mention a request

PATHOLOGY = (
    "SURGICAL PATHOLOGY REPORT\nFenwick Hospital, Department of Pathology\n"
    f"{PATIENT}Accession: FW26-04410   Collected: 10/20/2026\n"
    "SPECIMEN: Left breast, core biopsy\nFINAL DIAGNOSIS:\n"
    "Invasive ductal carcinoma, grade 2. ER positive (90%), PR positive (40%), HER2 negative.\n"
    "GROSS DESCRIPTION: Three tan cores.\n"
    "Electronically signed by: Tobias Wrenfield, MD, Pathologist 10/22/2026\n"
)
PROGRESS_NOTE = (
    "LAKEHOLM CANCER CLINIC\nPROGRESS NOTE\n"
    f"{PATIENT}Date of service: 11/18/2026\n"
    "HISTORY OF PRESENT ILLNESS: {history}\n"
    "PHYSICAL EXAMINATION: Well appearing. No axillary adenopathy.\n"
    "ASSESSMENT AND PLAN: Stage IA breast cancer. Continue anastrozole.\n"
    "Ada Quimby, MD, Medical Oncology\n"
)
ON_TREATMENT = "56-year-old woman on anastrozole, tolerating it well."
COVER_LETTER = (
    "Fenwick Hospital\nHealth Information Management - Release of Information\n\n"
    "November 2, 2026\n\nOdile Merriweather\n3 Gull Row, Lakeholm\n\n"
    "RE: Medical records request #RQ-40125\n\nDear Ms. Merriweather,\n"
    "Enclosed please find the records you requested: surgical pathology report.\n"
    "Sincerely,\nRelease of Information Specialist\n\n"
)
FAX_COVER = (
    "FAX\nFenwick Hospital - HIM Department\nTo: Odile Merriweather   Pages: 2\n"
    "Re: Medical records request\nCONFIDENTIAL: this facsimile contains health information.\n\n"
)
REQUEST_FORM = (
    "Lakeholm Cancer Clinic\nRequest for Copies of Medical Records\n"
    "Requested by: Odile Merriweather\nRecords: progress notes 11/2026\n"
    "Status: Completed, released 11/25/2026\n\n"
)

RECORDS_WITH_A_REQUEST_SIGN = {
    "release stamp on the pathology page": (
        "Medical Records Request #RQ-40125 released 11/02/2026 by Fenwick HIM\n" + PATHOLOGY,
        "pathology_report",
    ),
    "cover letter, then the pathology report": (COVER_LETTER + PATHOLOGY, "pathology_report"),
    "signed authorisation, then the pathology report": (
        LETTERS_BY_OTHERS["authorization"] + "\n" + PATHOLOGY,
        "pathology_report",
    ),
    "fax cover about a records request, then the report": (
        FAX_COVER + PATHOLOGY,
        "pathology_report",
    ),
    "note quoting the patient's letter": (
        PROGRESS_NOTE.format(
            history='Patient brought a letter that reads "I am writing to request a copy of my '
            'pathology slides for a second opinion"; we discussed how to obtain them.'
        ),
        "clinical_note",
    ),
    "note with an authorisation line in its header": (
        PROGRESS_NOTE.format(history=ON_TREATMENT).replace(
            "Date of service: 11/18/2026\n",
            "Date of service: 11/18/2026\n"
            "Authorization for release of records to Harbor Oncology signed today\n",
        ),
        "clinical_note",
    ),
    "records office's request form, then the note": (
        REQUEST_FORM + PROGRESS_NOTE.format(history=ON_TREATMENT),
        "clinical_note",
    ),
}


@pytest.mark.parametrize("case", sorted(RECORDS_WITH_A_REQUEST_SIGN))
def test_a_record_with_a_request_for_records_on_it_is_filed_as_the_record(
    tmp_path: Path, case: str
) -> None:
    text, kind = RECORDS_WITH_A_REQUEST_SIGN[case]
    folder = folder_of(tmp_path, {"record.txt": text})
    (record,) = scan_folder(folder).records
    assert record.kind == kind
    assert REQUEST_LETTER_EVIDENCE not in record.evidence
    report = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    met = {r.requirement.id for r in report.results if r.status == "met"}
    assert ("pathology" if kind == "pathology_report" else "clinic_notes") in met


def test_a_record_after_a_cover_letter_gives_the_records_date_not_the_letters(
    tmp_path: Path,
) -> None:
    folder = folder_of(tmp_path, {"packet.txt": COVER_LETTER + PATHOLOGY})
    (record,) = scan_folder(folder).records
    assert (record.kind, record.date) == ("pathology_report", "2026-10-20")


def test_recordpacks_own_letter_stays_a_letter_whatever_follows_it(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, {"letter.txt": f"{OWN_LETTER_LINE}\n\n{PATHOLOGY}"})
    (record,) = scan_folder(folder).records
    assert record.kind == "other" and OWN_LETTER_EVIDENCE in record.evidence


def test_a_missing_item_names_the_letter_that_may_be_it(tmp_path: Path) -> None:
    from recordpack.check_words import requirement_detail

    folder = folder_of(
        tmp_path,
        {"consult.txt": CONSULT.format(biopsy=""), "letter.txt": LETTERS_BY_OTHERS["request"]},
    )
    report = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    details = {r.requirement.id: requirement_detail(r) for r in report.results}
    assert details["pathology"].startswith(
        "letter.txt was read as a letter asking for records; if it holds the record itself"
    )
    # The letter does not name a genomic test: nothing is said of it there.
    assert "letter.txt" not in details["genomic"]
