"""recordpack's data folder inside the records a command reads: refused before any work.

Its audit log lives there by default; written there, it would change the patient's
folder (and travel with it). The message names both folders and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recordpack import age
from tests.batch_rosters import write_roster
from tests.cli_runs import run


def _listing(folder: Path) -> list[tuple[str, int, int]]:
    """Every name under ``folder`` with its size and modification time."""
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    )


@pytest.fixture
def patient(tmp_path: Path) -> Path:
    folder = tmp_path / "Wenna Trelawney"
    folder.mkdir()
    (folder / "note.txt").write_text(
        "CLINIC NOTE\nPatient: Wenna Trelawney  DOB 02/03/1970\n\n"
        "HISTORY OF PRESENT ILLNESS\nSeen today for follow-up.\n"
    )
    return folder


def _assert_refused(code: int, stderr: str, folder: Path, data: Path, before: object) -> None:
    assert code == 2, stderr
    assert f"recordpack's data folder {data} (RECORDPACK_DATA_DIR)" in stderr
    assert str(folder) in stderr and "never changes" in stderr
    assert "Set RECORDPACK_DATA_DIR to a folder outside the records" in stderr
    assert "--audit-log" not in stderr  # an option the person never gave is not blamed
    assert _listing(folder) == before  # not even the data folder was made


@pytest.mark.parametrize("command", ["scan", "check"])
def test_scan_and_check_refuse_a_data_folder_inside_the_records(
    patient: Path, command: str
) -> None:
    data = patient / ".recordpack"
    before = _listing(patient)
    result = run(command, patient, env={"RECORDPACK_DATA_DIR": str(data)})
    _assert_refused(result.exit_code, result.stderr, patient, data, before)
    assert result.stdout == ""


def test_pack_refuses_a_data_folder_inside_the_records(patient: Path, tmp_path: Path) -> None:
    data = patient / "deep" / "state"  # however deep, and not made yet
    before = _listing(patient)
    public = str(age.X25519Identity.generate().recipient())
    out = tmp_path / "b.rpk"
    result = run(
        "pack", patient, "-o", out, "--to", public, "--accept-incomplete", "--json",
        env={"RECORDPACK_DATA_DIR": str(data)},
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    message = json.loads(result.stdout)["error"]["message"]
    assert f"recordpack's data folder {data} (RECORDPACK_DATA_DIR)" in message
    assert str(patient) in message
    assert _listing(patient) == before and not out.exists()


def test_a_data_folder_outside_the_records_is_used(patient: Path, tmp_path: Path) -> None:
    data = tmp_path / "state"
    result = run("scan", patient, env={"RECORDPACK_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    assert (data / "audit.sqlite3").exists()


def test_batch_refuses_a_data_folder_inside_a_roster_folder(
    patient: Path, tmp_path: Path
) -> None:
    public = str(age.X25519Identity.generate().recipient())
    roster = write_roster(tmp_path, [
        {"folder": patient.name, "recipient": public, "accept_incomplete": "yes"},
    ])  # fmt: skip
    data = patient / ".recordpack"
    before = _listing(patient)
    out = tmp_path / "out"
    result = run("batch", roster, "-o", out, "-j", "1", env={"RECORDPACK_DATA_DIR": str(data)})
    _assert_refused(result.exit_code, result.stderr, patient, data, before)
    assert "roster line 2" in result.stderr
    assert not out.exists()
