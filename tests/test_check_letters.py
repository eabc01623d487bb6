"""check's "a letter mentions it" note: only where a letter names the item, and how to fix it.

A file read as someone's letter asking for records may be the record itself,
misread; check names it under a missing item only when the letter's words name
that item's record ("my pathology report", "blood test results"), never for a
topic ("medical records", "procedures"), once per item, the most specific letter
first. The note says how to file the letter as the record: the terminal gives a
`check --label` command to copy, the web page its "Kind of record" control.
Every person and place here is invented.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
from pathlib import Path

from click.testing import CliRunner

from recordpack import load_manifest, scan_folder
from recordpack.checking import check
from recordpack.cli import main
from tests.records_folders import folder_of
from tests.web_helpers import Client, Home, text_of

pytest_plugins = ("tests.web_helpers",)  # the home and signed_in fixtures

AS_OF = dt.date(2026, 11, 30)
PATIENT = "PATIENT: MERRIWEATHER, ODILE J\nDOB: 02/02/1970\n"

CONSULT = (
    "LAKEHOLM CANCER CLINIC\nMEDICAL ONCOLOGY CONSULTATION\n\n"
    f"{PATIENT}Date of service: 11/10/2026\n\n"
    "HISTORY OF PRESENT ILLNESS:\n56-year-old woman with a 2.1 cm left breast mass on "
    "mammogram. No tissue diagnosis yet.\n\n"
    "ASSESSMENT AND PLAN:\nSuspicious left breast mass, BI-RADS 5.\n"
)


def letter(to: str, request: str) -> str:
    """A patient's letter asking ``to`` for records: "I am writing to request ..."."""
    return (
        f"Odile Merriweather\n{PATIENT}\nDear {to},\n\n"
        f"I am writing to request a copy of {request}\n\nSincerely,\nOdile Merriweather\n"
    )


#: A folder of letters, most of them asking for records in general words.
MANY_LETTERS = {
    "consult.txt": CONSULT,
    "letter-fenwick.txt": letter(
        "Medical Records Department",
        "my medical records from Fenwick Hospital. Please include everything you hold.",
    ),
    "letter-lakeholm.txt": letter(
        "Health Information Management",
        "my health records, including any procedures and my summary of care.",
    ),
    "letter-lab.txt": letter(
        "Laboratory", "my pathology report for the left breast core biopsy, with ER, PR and HER2."
    ),
    "letter-imaging.txt": letter(
        "Radiology",
        "my imaging: the mammogram images on a disc, the radiology reports and my lab work.",
    ),
}

#: Two letters that name the pathology report; the broad one comes first in the folder.
BROAD_AND_SPECIFIC = {
    "consult.txt": CONSULT,
    "a-everything.txt": letter(
        "Fenwick Hospital",
        "my pathology report, my mammogram reports, my blood test results and my "
        "medication list.",
    ),
    "b-pathology.txt": letter(
        "Fenwick Pathology", "my pathology report for the left breast core biopsy."
    ),
}


def letter_notes(folder: Path) -> dict[str, str | None]:
    """Each unmet item of the general checklist and the letter its note names."""
    report = check(scan_folder(folder), load_manifest("general"), as_of=AS_OF)
    return {
        r.requirement.id: r.params.get("letter_file") for r in report.results if r.status != "met"
    }


def test_only_a_letter_that_names_the_items_record_is_noted(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, MANY_LETTERS)
    assert letter_notes(folder) == {
        "pathology": "letter-lab.txt",
        "imaging_reports": "letter-imaging.txt",
        "recent_labs": "letter-imaging.txt",
        # A letter is no scan's images, "medical records" and "summary of care" name
        # no medication list, "procedures" no operative report.
        "imaging_images": None,
        "medications": None,
        "treatment_history": None,
        "operative_reports": None,
        "genomic": None,
    }


def test_the_most_specific_letter_is_the_one_named(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, BROAD_AND_SPECIFIC)
    notes = letter_notes(folder)
    assert notes["pathology"] == "b-pathology.txt"
    # The broad letter still is the only one that names the others.
    assert notes["imaging_reports"] == notes["recent_labs"] == "a-everything.txt"


def test_the_terminal_note_gives_the_label_command_that_files_the_letter_as_the_record(
    tmp_path: Path,
) -> None:
    folder = folder_of(tmp_path, BROAD_AND_SPECIFIC)
    runner = CliRunner()
    shown = runner.invoke(main, ["check", str(folder), "-m", "general"])
    assert shown.exit_code == 1
    assert (
        "b-pathology.txt was read as a letter asking for records; if it holds the record "
        "itself, file it as a pathology report and check again:"
    ) in " ".join(shown.stdout.split())
    (line,) = [
        line.strip() for line in shown.stdout.splitlines() if "--label=b-pathology.txt" in line
    ]
    words = shlex.split(line)
    assert words == [
        "recordpack", "check", str(folder), "-m", "general",
        "--label=b-pathology.txt=pathology_report",
    ]  # fmt: skip
    # The command does what the note says: the item counts the letter as its record.
    relabelled = runner.invoke(main, [*words[1:], "--json"])
    (pathology,) = [
        r for r in json.loads(relabelled.stdout)["requirements"] if r["id"] == "pathology"
    ]
    assert (pathology["status"], pathology["files"]) == ("met", ["b-pathology.txt"])


def test_the_json_gives_scripts_the_letter_and_the_kind_to_file_it_as(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, BROAD_AND_SPECIFIC)
    result = CliRunner().invoke(main, ["check", str(folder), "-m", "general", "--json"])
    (pathology,) = [
        r for r in json.loads(result.stdout)["requirements"] if r["id"] == "pathology"
    ]
    params = pathology["params"]
    assert (params["letter_file"], params["letter_path"], params["letter_kind"]) == (
        "b-pathology.txt",
        "b-pathology.txt",
        "pathology_report",
    )
    assert pathology["detail"].endswith(
        "b-pathology.txt was read as a letter asking for records; if it holds the record "
        "itself, file it as a pathology report and check again."
    )


def test_the_web_checklist_names_its_own_control_for_filing_the_letter(
    signed_in: Client, home: Home
) -> None:
    for note in ("Consult note 2026-10-28.txt", "Visit 2026-11-12.pdf"):
        (home.records / "Harbor Oncology" / note).unlink()
    letters = home.records / "Letters"
    letters.mkdir()
    (letters / "to Harbor Oncology.txt").write_text(
        "Delphine Harrowgate\nPATIENT: HARROWGATE, DELPHINE M\nDOB: 05/11/1963\n\n"
        "Dear Harbor Oncology,\n\nI am writing to request a copy of my clinic notes "
        "from this autumn.\n\nSincerely,\nDelphine Harrowgate\n",
        encoding="utf-8",
    )
    answer = signed_in.post("/choose/records", {"id": signed_in.web.chooser.issue(home.records)})
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert signed_in.wait() == "done"
    signed_in.post("/check", {"manifest": "general"})
    page = text_of(signed_in.http.get("/check").text)
    assert (
        "Letters/to Harbor Oncology.txt was read as a letter asking for records; if it holds "
        "the record itself, file it as a clinic note and check again."
    ) in page
    assert (
        "To file Letters/to Harbor Oncology.txt as one: on the Records page, choose "
        "“Clinic notes” as its “Kind of record”, press “Save changes”, then come back to "
        "this checklist."
    ) in page
    assert "--label" not in page
