"""`recordpack scan` as a user and a script see it: exit codes, stdout JSON, stderr."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydicom.data import get_testdata_file

from recordpack.cli import main
from recordpack.model import KINDS, PROBLEM_CODES

CT = Path(str(get_testdata_file("CT_small.dcm", download=False)))
RTPLAN = Path(str(get_testdata_file("rtplan.dcm", download=False)))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "My Records"
    (root / "CD").mkdir(parents=True)
    shutil.copy(CT, root / "CD" / "IM000001")
    shutil.copy(RTPLAN, root / "plan.dcm")
    shutil.copy(RTPLAN, root / "plan (1).dcm")
    (root / "broken.dcm").write_bytes(b"\x00" * 128 + b"DICM" + b"\xff" * 40)
    (root / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    return root


def _check_contract(document: dict[str, object]) -> None:
    assert set(document) == {"version", "root", "records", "problems", "skipped"}
    assert document["version"] == 1
    for record in document["records"]:  # type: ignore[attr-defined]
        assert {"kind", "title", "date", "files", "patient", "confidence", "evidence"} <= set(
            record
        )
        assert record["kind"] in KINDS
        assert isinstance(record["title"], str) and record["title"]
        assert record["date"] is None or len(record["date"]) == 10
        assert all(isinstance(f, str) and "\\" not in f for f in record["files"])
        assert set(record["patient"]) == {"name", "birth_date", "id"}
        assert 0 <= record["confidence"] <= 1
        assert isinstance(record["evidence"], list)
    for problem in document["problems"]:  # type: ignore[attr-defined]
        assert {"path", "code", "message"} <= set(problem)
        assert isinstance(problem["message"], str) and problem["message"]
        if problem["code"] == "duplicate":
            assert "duplicate_of" in problem
    for skipped in document["skipped"]:  # type: ignore[attr-defined]
        assert set(skipped) == {"path", "reason"}


def test_json_is_the_contract_on_stdout_only(folder: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "--json", str(folder)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    _check_contract(document)
    assert document["root"] == str(folder)
    assert result.stderr == ""  # not a terminal: no progress bar
    kinds = sorted(r["kind"] for r in document["records"])
    assert kinds == ["imaging_study", "treatment_plan"]
    codes = {p["path"]: p["code"] for p in document["problems"]}
    assert codes["plan (1).dcm"] == "duplicate"  # "plan.dcm" is the name a person would keep
    assert codes["broken.dcm"] in PROBLEM_CODES
    assert document["skipped"] == [{"path": "Thumbs.db", "reason": "system file"}]


def test_human_report_groups_by_kind_and_explains_problems(folder: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(folder)])
    assert result.exit_code == 0
    out = result.stdout
    assert "Imaging studies (DICOM images) (1)" in out
    assert "Treatment plans (1)" in out
    assert out.index("Imaging studies") < out.index("Treatment plans") < out.index("Problems")
    assert "broken.dcm" in out and "What to do:" in out
    assert "Skipped (1)" in out
    assert "Patient:" in out or "more than one person" in out


def test_label_option_and_its_errors(folder: Path, tmp_path: Path) -> None:
    ok = CliRunner().invoke(main, ["scan", "--json", "--label", "plan.dcm=other", str(folder)])
    assert ok.exit_code == 0
    record = next(r for r in json.loads(ok.stdout)["records"] if r["files"] == ["plan.dcm"])
    assert record["kind"] == "other" and record["corrected_from"] == "treatment_plan"

    bad = CliRunner().invoke(main, ["scan", "--label", "plan (1).dcm=xray", str(folder)])
    assert bad.exit_code == 2
    assert "'xray' is not a record kind" in bad.stderr and bad.stdout == ""

    corrections = tmp_path / "fix.csv"
    corrections.write_text("nowhere.pdf,lab_result\n")
    nomatch = CliRunner().invoke(main, ["scan", "--corrections", str(corrections), str(folder)])
    assert nomatch.exit_code == 2
    assert "line 1" in nomatch.stderr and "matches no file" in nomatch.stderr
    assert "Traceback" not in nomatch.stderr


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_help_documents_the_options() -> None:
    result = CliRunner().invoke(main, ["scan", "--help"])
    assert result.exit_code == 0
    for option in ("--json", "--label", "--corrections", "--quiet"):
        assert option in result.stdout


def test_report_merges_spellings_of_one_patient_and_flags_another() -> None:
    from recordpack.model import Patient, Record
    from recordpack.scan.report import patients

    def record(name: str, birth: str | None = None) -> Record:
        return Record("other", "t", None, ("a",), patient=Patient(name, birth, None))

    found = patients(
        [
            record("HARROWGATE, DELPHINE M", "1963-05-11"),
            record("Harrowgate^Delphine"),
            record("Delphine Maren Harrowgate"),
            record("PELLINORE, GORDON T"),
        ]
    )
    assert [(p.name, n) for p, n in found] == [
        ("HARROWGATE, DELPHINE M", 3),
        ("PELLINORE, GORDON T", 1),
    ]
    assert found[0][0].birth_date == "1963-05-11"


def test_a_line_break_in_a_file_name_cannot_forge_a_line_of_the_report(tmp_path: Path) -> None:
    root = tmp_path / "records"
    root.mkdir()
    (root / "note.txt").write_text("CLINIC NOTE\nSeen today for follow-up.\n")
    forged = "x.pdf\nSummary: 1 record, 0 problems, 0 skipped."
    (root / forged).write_bytes(b"")
    result = CliRunner().invoke(main, ["scan", str(root), "-q"])
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("Summary:")] == [lines[-1]]
    assert "x.pdf\\x0aSummary: 1 record" in result.stdout


def test_a_line_break_in_a_file_name_cannot_forge_a_line_of_the_check(tmp_path: Path) -> None:
    root = tmp_path / "records"
    root.mkdir()
    (root / "note.txt").write_text("CLINIC NOTE\nSeen today for follow-up.\n")
    (root / "x.pdf\nREADY TO SEND: everything the specialist asked for is here.").write_bytes(b"")
    result = CliRunner().invoke(main, ["check", str(root), "-m", "general"])
    assert result.exit_code == 1
    assert not any(line.startswith("READY TO SEND") for line in result.stdout.splitlines())
    assert "x.pdf\\x0aREADY TO SEND" in result.stdout


def test_a_duplicate_s_advice_never_tells_the_patient_to_change_the_folder(tmp_path: Path) -> None:
    from recordpack.scan import scan_folder

    (tmp_path / "a.txt").write_text("CLINIC NOTE\nDate of visit: 11/12/2026\nAll well.\n")
    (tmp_path / "b.txt").write_text("CLINIC NOTE\nDate of visit: 11/12/2026\nAll well.\n")
    [problem] = scan_folder(tmp_path).problems
    assert problem.code == "duplicate"
    assert problem.hint is not None and problem.hint.startswith("Nothing to do: it is sent once.")
    assert "recordpack never changes your folder" in problem.hint
