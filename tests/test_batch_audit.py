"""recordpack batch and its audit log: never in a patient's folder, and every run logged."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.cli import main
from tests.batch_rosters import run_logged, write_roster


def _listing(folder: Path) -> list[tuple[str, int, int]]:
    """Every name under ``folder`` with its size and modification time."""
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    )


@pytest.fixture
def clinic(tmp_path: Path) -> dict[str, Path | str]:
    """Two patients' folders (a note each) and a specialist's public key."""
    for name in ("Patient A", "Patient B"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "note.txt").write_text(f"Clinic note for {name}.\n")
    public = str(age.X25519Identity.generate().recipient())
    return {"root": tmp_path, "public": public}


def _roster(clinic: dict[str, Path | str], extra: str = "") -> Path:
    return write_roster(Path(clinic["root"]), [
        {"folder": "Patient A", "recipient": str(clinic["public"]), "accept_incomplete": "yes"},
        {"folder": "Patient B", "recipient": str(clinic["public"]), "accept_incomplete": extra or "yes"},
    ])  # fmt: skip


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_audit_log_inside_a_patients_folder_is_refused_before_any_work(
    clinic: dict[str, Path | str], how: str
) -> None:
    root = Path(clinic["root"])
    patient = root / "Patient B"
    before = _listing(patient)
    log = patient / "audit.sqlite3"
    out = root / "out"
    args = ["batch", str(_roster(clinic)), "-o", str(out), "-j", "1"]
    if how == "option":
        result = CliRunner().invoke(main, [*args, "--audit-log", str(log)])
    else:
        result = CliRunner().invoke(main, args, env={"RECORDPACK_AUDIT_LOG": str(log)})
    assert result.exit_code == 2, result.output
    assert "roster line 3" in result.stderr and str(log) in result.stderr
    assert "never changes" in result.stderr
    assert _listing(patient) == before  # the patient's folder is exactly as it was
    assert not out.exists()  # nothing was packed, not even the output folder made


def test_a_refused_roster_does_not_write_its_log_into_a_folder_it_names(
    clinic: dict[str, Path | str],
) -> None:
    """Line 3 is wrong; the log named inside line 2's folder is still never made."""
    root = Path(clinic["root"])
    patient = root / "Patient A"
    before = _listing(patient)
    roster = _roster(clinic, extra="maybe")
    code, _, stderr = run_logged(
        ["batch", str(roster), "-o", str(root / "out")], patient / "logs" / "audit.sqlite3"
    )
    assert code == 2
    assert "roster line 2" in stderr and "audit log" in stderr
    assert _listing(patient) == before


def _events(log: Path) -> list[dict[str, object]]:
    code, stdout, stderr = run_logged(["log", "--json"], log)
    assert code == 0, stderr
    return json.loads(stdout)["events"]  # type: ignore[no-any-return]


def test_a_batch_refused_for_two_rows_with_one_bundle_name_is_logged(tmp_path: Path) -> None:
    for folder in ("a/records", "b/records"):
        (tmp_path / folder).mkdir(parents=True)
    public = str(age.X25519Identity.generate().recipient())
    roster = write_roster(tmp_path, [
        {"folder": "a/records", "recipient": public},
        {"folder": "b/records", "recipient": public},
    ], "clash.csv")  # fmt: skip
    log = tmp_path / "audit.sqlite3"
    code, _, stderr = run_logged(["batch", str(roster), "-o", str(tmp_path / "out")], log)
    assert code == 2 and "line 3" in stderr
    (event,) = _events(log)
    assert event["action"] == "batch"
    assert event["subject"] == str(roster)
    assert event["outcome"] == "refused: shared_bundle_name"
    assert event["counts"] == {"roster_line": 3}
    assert run_logged(["log", "verify"], log)[0] == 0


def test_a_batch_refused_for_its_output_folder_inside_a_patients_folder_is_logged(
    clinic: dict[str, Path | str],
) -> None:
    root = Path(clinic["root"])
    log = root / "audit.sqlite3"
    code, _, stderr = run_logged(
        ["batch", str(_roster(clinic)), "-o", str(root / "Patient A" / "outgoing")], log
    )
    assert code == 2 and "roster line 2" in stderr
    assert not (root / "Patient A" / "outgoing").exists()
    (event,) = _events(log)
    assert (event["action"], event["outcome"]) == ("batch", "refused: output_inside_folder")
    assert event["counts"] == {"roster_line": 2}


def test_a_bad_roster_is_logged_by_its_code_not_by_the_cell_it_quotes(tmp_path: Path) -> None:
    """The refusal's message quotes the roster's cell; the log keeps only the code and line."""
    (tmp_path / "p").mkdir()
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,passphrase\np,Tr0ub4dor-and-3\n")
    log = tmp_path / "audit.sqlite3"
    code, _, stderr = run_logged(["batch", str(roster), "-o", str(tmp_path / "out")], log)
    assert code == 2 and "Tr0ub4dor-and-3" in stderr  # the coordinator sees what is wrong
    (event,) = _events(log)
    assert (event["outcome"], event["counts"]) == ("refused: bad_roster", {"roster_line": 2})
    with sqlite3.connect(log) as db:
        assert "Tr0ub4dor" not in "\n".join(db.iterdump())


def test_a_missing_roster_is_logged(tmp_path: Path) -> None:
    log = tmp_path / "audit.sqlite3"
    code, _, _ = run_logged(["batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out")], log)
    assert code == 2
    (event,) = _events(log)
    assert event["outcome"] == "refused: roster_unreadable"

