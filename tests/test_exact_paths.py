"""A path that exists is that file only: ``--exclude``, ``--label`` and corrections files
never read it as a glob that also catches another record (``lab[1].txt`` vs ``lab1.txt``);
and scan reports its root as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from tests.cli_runs import run

LAB = (
    "LABORATORY REPORT\nPatient: {name}\nDOB: {dob}\nCollected: 11/2{day}/2026\n"
    "Test  Result  Units  Reference Range\nCA 15-3  2{day}  U/mL  0-30\n"
)
NOTE = (
    "PROGRESS NOTE\nPatient: QUILLFEATHER, MARISOL T  DOB: 04/03/1971\n"
    "Date of visit: 11/12/2026\nHISTORY OF PRESENT ILLNESS: breast cancer.\n"
    "ASSESSMENT AND PLAN: surgery.\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """``lab[1].txt`` is another person's lab, ``lab1.txt`` the patient's own (invented people)."""
    recs = tmp_path / "recs"
    recs.mkdir()
    (recs / "lab[1].txt").write_text(LAB.format(name="OSTERBROOK, PELL V", dob="02/02/1949", day=1))
    (recs / "lab1.txt").write_text(LAB.format(name="QUILLFEATHER, MARISOL T", dob="04/03/1971", day=2))
    (recs / "note.txt").write_text(NOTE)
    return recs


def _pack(folder: Path, tmp_path: Path, *excludes: str) -> tuple[int, dict[str, Any], str]:
    key = str(age.X25519Identity.generate().recipient())
    args = [a for e in excludes for a in ("--exclude", e)]
    result = run("pack", folder, "-o", tmp_path / "b.rpk", "--to", key, *args, "--json")
    text = run("pack", folder, "-o", tmp_path / "c.rpk", "--to", key, *args)
    return result.exit_code, json.loads(result.stdout), text.stdout


def test_exclude_exact_path_leaves_out_that_file_only(folder: Path, tmp_path: Path) -> None:
    code, doc, text = _pack(folder, tmp_path, "lab[1].txt")
    assert code == 0, doc
    omitted = [o for o in doc["omitted"] if o["code"] == "excluded"]
    assert [(o["path"], o["exclusion"]) for o in omitted] == [("lab[1].txt", "lab[1].txt")]
    assert "Left out as you asked ('lab[1].txt'): lab[1].txt." in text
    assert "lab1.txt" not in text  # the patient's own lab is packed, not left out


def test_exclude_glob_still_a_glob_when_no_file_has_that_name(folder: Path, tmp_path: Path) -> None:
    (folder / "lab[1].txt").unlink()
    (folder / "lab2.txt").write_text(LAB.format(name="QUILLFEATHER, MARISOL T", dob="04/03/1971", day=3))
    code, doc, text = _pack(folder, tmp_path, "lab[12].txt")
    assert code == 0, doc
    omitted = {o["path"] for o in doc["omitted"] if o["code"] == "excluded"}
    assert omitted == {"lab1.txt", "lab2.txt"}
    assert "Left out as you asked ('lab[12].txt'): lab1.txt, lab2.txt." in text


def test_exclude_exact_folder_name_is_that_folder(folder: Path, tmp_path: Path) -> None:
    (folder / "visit[1]").mkdir()
    (folder / "visit1").mkdir()
    (folder / "lab1.txt").rename(folder / "visit1" / "lab1.txt")
    (folder / "lab[1].txt").rename(folder / "visit[1]" / "lab.txt")
    code, doc, _ = _pack(folder, tmp_path, "visit[1]")
    assert code == 0, doc
    omitted = {o["path"] for o in doc["omitted"] if o["code"] == "excluded"}
    assert omitted == {"visit[1]/lab.txt"}


@pytest.mark.parametrize("how", ["label", "corrections"])
def test_label_exact_path_corrects_that_file_only(folder: Path, tmp_path: Path, how: str) -> None:
    if how == "label":
        args: list[str | Path] = ["--label", "lab[1].txt=other"]
    else:
        csv = tmp_path / "fix.csv"
        csv.write_text("path,kind\nlab[1].txt,other\n")
        args = ["--corrections", csv]
    doc = json.loads(run("scan", folder, *args, "--json").stdout)
    kinds = {r["files"][0]: r["kind"] for r in doc["records"]}
    assert kinds["lab[1].txt"] == "other"
    assert kinds["lab1.txt"] == "lab_result"


def test_scan_json_root_is_the_folder_as_given(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.parent)
    for command in (["scan"], ["check", "-m", "breast"]):
        doc = json.loads(run(*command, "./recs/", "--json").stdout)
        assert doc["root"] == "./recs/"


def test_pack_names_a_file_as_scan_and_check_do_never_escaped_twice(
    folder: Path, tmp_path: Path
) -> None:
    # A name from a disc burned on Windows (Latin-1 byte) and one with a '!' (not a zip member).
    (folder / "lab[1].txt").rename(folder / "lab!copy.txt")
    stranger = LAB.format(name="OSTERBROOK, PELL V", dob="02/02/1949", day=4)
    (folder / "caf\udce9.txt").write_text(stranger, errors="surrogateescape")
    key = str(age.X25519Identity.generate().recipient())
    scanned = run("scan", folder).stdout
    assert "caf\\xe9.txt" in scanned and "lab\\x21copy.txt" in scanned
    text = run(
        "pack", folder, "-o", tmp_path / "b.rpk", "--to", key, "--accept-other-patient",
        "--exclude", "caf\\xe9.txt",
    ).stdout
    sent_anyway = next(line for line in text.splitlines() if line.startswith("Sent anyway"))
    assert "lab\\x21copy.txt" in sent_anyway and "\\x5c" not in text
    assert "Left out as you asked ('caf\\xe9.txt'): caf\\xe9.txt." in text
