"""A file whose bytes are all zero (a failed copy, a power cut) is said to be damaged,
whatever its name: never "recordpack cannot read '.json' files", never a record."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from recordpack.model import UNREADABLE
from recordpack.scan import scan_folder
from tests.cli_runs import run

NOTE = (
    "PROGRESS NOTE\nPatient: QUILLFEATHER, MARISOL T  DOB: 04/03/1971\n"
    "Date of visit: 11/12/2026\nHISTORY OF PRESENT ILLNESS: breast cancer.\n"
)
SUFFIXES = (".json", ".xml", ".ndjson", ".png", ".jpg", ".pdf", ".dcm", ".docx", ".txt", ".zip", "")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    recs = tmp_path / "recs"
    recs.mkdir()
    (recs / "note.txt").write_text(NOTE)
    # Sizes differ, so no two are copies of each other; one is larger than what scan keeps
    # in memory, its zeros read on to the end.
    for n, suffix in enumerate(SUFFIXES):
        (recs / f"export{n}{suffix}").write_bytes(bytes(4000 + n))
    (recs / "big-scan.pdf").write_bytes(bytes(3 * 1024 * 1024))
    # Two failed copies of one size: each is damaged, neither "a copy sent once".
    (recs / "ccd-a.xml").write_bytes(bytes(5000))
    (recs / "ccd-b.xml").write_bytes(bytes(5000))
    return recs


def test_zero_filled_files_are_damaged_not_unsupported(folder: Path) -> None:
    doc = json.loads(run("scan", folder, "--json").stdout)
    problems = {p["path"]: p for p in doc["problems"]}
    zeroed = sorted(p.name for p in folder.iterdir() if p.name != "note.txt")
    assert sorted(problems) == zeroed
    for problem in problems.values():
        assert problem["code"] == "unreadable"
        assert "only zero bytes" in problem["message"]
        assert "new copy" in problem["hint"]
        assert "cannot read" not in problem["message"] and "PDF" not in problem["hint"]
    assert [r["files"] for r in doc["records"]] == [["note.txt"]]  # no record from zeros


def test_zero_filled_member_of_a_zip_is_damaged(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("fhir.json", bytes(300_000))  # beyond the in-memory head
        zf.writestr("note.txt", NOTE)
    (tmp_path / "portal.zip").write_bytes(buffer.getvalue())
    result = scan_folder(tmp_path)
    assert [(p.path, p.code) for p in result.problems] == [("portal.zip!fhir.json", UNREADABLE)]


def test_zeros_then_data_is_not_called_zero_filled(tmp_path: Path) -> None:
    # A control: a file that only starts with zeros is left to its scanner.
    (tmp_path / "odd.json").write_bytes(bytes(300_000) + b'{"resourceType": "Patient"}')
    result = scan_folder(tmp_path)
    assert all("only zero bytes" not in p.message for p in result.problems)


def test_a_file_named_as_a_format_recordpack_reads_but_holding_other_bytes_is_damaged(
    tmp_path: Path,
) -> None:
    """Never "recordpack cannot read '.json' files": it reads them; this one is not one."""
    recs = tmp_path / "recs"
    recs.mkdir()
    noise = bytes((n * 151 + 7) % 256 for n in range(3000))  # not zeros, not text
    (recs / "export.json").write_bytes(noise)
    (recs / "summary.xml").write_bytes(noise[1:])
    (recs / "half.json").write_bytes(bytes(4096) + b'{"resourceType": "Patient"}')
    (recs / "settings.xml").write_text('<?xml version="1.0"?><settings><a>1</a></settings>')
    problems = {p.path: p for p in scan_folder(recs).problems}
    for name in ("export.json", "summary.xml", "half.json"):
        assert problems[name].code == UNREADABLE, problems[name]
        assert "what is inside is not one" in problems[name].message
        assert "Get a new copy" in (problems[name].hint or "")
    other = problems["settings.xml"]  # well-formed XML of another kind: not read, not damaged
    assert other.code != UNREADABLE and "another kind of data" in other.message
    assert all("cannot read '." not in p.message for p in problems.values())
