"""recordpack batch tells the truth and stays safe: every row's outcome in the audit log,
no two rows racing for one bundle, no receipt overwritten, and a batch stopped by a
signal (or killed) leaves no worker behind and nothing half-written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from recordpack import age
from tests.acceptance_folders import clean_breast
from tests.batch_rosters import run_logged, write_roster

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A coordinator's work folder: a complete patient, a mixed-up one, a key."""
    root = tmp_path_factory.mktemp("clinic")
    clean_breast(root / "complete")
    shutil.copytree(EXAMPLE, root / "mixed")  # holds a stranger's lab report
    identity = age.X25519Identity.generate()
    key = age.write_identity_file(root / "specialist-key.txt", identity)
    return {"root": str(root), "key": str(key), "public": str(identity.recipient())}


def _events(log: Path) -> list[dict[str, object]]:
    code, stdout, stderr = run_logged(["log", "--json"], log)
    assert code == 0, stderr
    events: list[dict[str, object]] = json.loads(stdout)["events"]
    return events


# ----------------------------------------------------------------------------- the audit log


def test_every_row_that_was_not_packed_is_in_the_log_with_its_folder_and_reason(
    clinic: dict[str, str], tmp_path: Path
) -> None:
    root = Path(clinic["root"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "taken.rpk").write_bytes(b"a bundle sent last week")
    roster = write_roster(root, [
        {"folder": "complete", "recipient": clinic["public"], "name": "fine"},
        {"folder": "no-such-folder", "recipient": clinic["public"]},
        {"folder": "complete", "recipient": clinic["public"], "name": "taken"},
        {"folder": "mixed", "recipient": clinic["public"], "name": "stranger"},
    ], "roster-log.csv")
    log = tmp_path / "audit.sqlite3"
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out), "-j", "2", "--json"], log)
    assert code == 1, stderr
    rows = {r["line"]: r for r in json.loads(stdout)["rows"]}
    assert [rows[n]["status"] for n in (2, 3, 4, 5)] == ["packed", "failed", "failed", "refused"]
    assert rows[3]["reason_code"] == "folder_missing"
    assert rows[4]["reason_code"] == "destination_exists" and "taken.rpk" in rows[4]["reason"]
    assert (out / "taken.rpk").read_bytes() == b"a bundle sent last week"

    events = _events(log)
    rows_logged = {(e["subject"], e["outcome"]) for e in events if e["action"] == "pack"}
    assert rows_logged == {
        (str(out / "fine.rpk"), "packed"),
        (str(root / "no-such-folder"), "failed: folder_missing"),
        (str(root / "complete"), "failed: destination_exists"),
        (str(root / "mixed"), "refused: other_patient"),
    }
    batch = events[-1]
    assert batch["action"] == "batch" and batch["outcome"] == "not all packed"
    assert batch["counts"] == {"rows": 4, "packed": 1, "refused": 1, "failed": 2,
                               "cancelled": 0, "not_packed": 3}


# ----------------------------------------------------------------------------- bundle names


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        # Two copies of one patient's folder, no name: one would get the bundle, the other fail.
        ([{"folder": "complete"}, {"folder": "complete"}],
         "line 3, column 'name': the bundle name 'complete' (from its folder's name) is also line 2's"),
        # Folders of the same name in different places.
        ([{"folder": "a/records"}, {"folder": "b/records"}],
         "line 3, column 'name': the bundle name 'records' (from its folder's name) is also line 2's"),
        # A name that is another row's folder name, whatever its case.
        ([{"folder": "complete"}, {"folder": "mixed", "name": "Complete"}],
         "line 3, column 'name': the bundle name 'Complete' is also line 2's"),
    ],
)
def test_rows_that_would_write_the_same_bundle_are_refused_before_any_work(
    clinic: dict[str, str], tmp_path: Path, rows: list[dict[str, str]], says: str
) -> None:
    root = Path(clinic["root"])
    roster = write_roster(root, [{**row, "recipient": clinic["public"]} for row in rows], "roster-names.csv")
    out = tmp_path / "out"
    log = tmp_path / "audit.sqlite3"
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out)], log)
    assert code == 2, stdout + stderr
    assert says in stderr
    assert not out.exists() or not any(out.iterdir())
    assert not [e for e in _events(log) if e["action"] == "pack"]


def test_a_row_without_a_name_is_packed_under_its_folders_name(
    clinic: dict[str, str], tmp_path: Path
) -> None:
    root = Path(clinic["root"])
    roster = write_roster(root, [{"folder": "complete/Mary-Kate records", "recipient": clinic["public"]}],
                     "roster-default.csv")
    out = tmp_path / "out"
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out), "--json"], tmp_path / "a.db")
    assert code == 0, stderr
    assert json.loads(stdout)["rows"][0]["bundle"] == str(out / "Mary-Kate records.rpk")
    assert sorted(p.name for p in out.iterdir()) == [
        "Mary-Kate records.receipt.json", "Mary-Kate records.rpk"]


# ----------------------------------------------------------------------------- receipts


@pytest.mark.parametrize(
    ("row", "existing"),
    [
        ({"name": "sent", "recipient": "KEY"}, "sent.receipt.json"),
        ({"name": "sent", "passphrase": "yes"}, "sent.passphrase.txt"),
    ],
)
def test_an_existing_receipt_or_passphrase_file_is_never_replaced(
    clinic: dict[str, str], tmp_path: Path, row: dict[str, str], existing: str
) -> None:
    """As with pack: the row is refused before any work, the file kept, no bundle written."""
    root = Path(clinic["root"])
    row = {k: (clinic["public"] if v == "KEY" else v) for k, v in row.items()}
    roster = write_roster(root, [{"folder": "complete", **row}], "roster-receipt.csv")
    out = tmp_path / "out"
    out.mkdir()
    (out / existing).write_text("last week's, keep me\n")
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out), "--json"],
                                tmp_path / "audit.sqlite3")
    assert code == 1, stderr
    result = json.loads(stdout)["rows"][0]
    assert result["status"] == "failed" and result["reason_code"] == "destination_exists"
    assert existing in result["reason"]
    assert (out / existing).read_text() == "last week's, keep me\n"
    assert [p.name for p in out.iterdir()] == [existing]


# ----------------------------------------------------------------------------- signals


def _descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.fixture
def batch_run(clinic: dict[str, str], tmp_path: Path) -> Iterator[dict[str, object]]:
    """A batch of twelve patients on two workers, started as a coordinator would and
    stopped once a patient is being packed; every process it started is ended after."""
    rows = [{"folder": "complete", "recipient": clinic["public"], "name": f"p{i}"} for i in range(12)]
    roster = write_roster(Path(clinic["root"]), rows, "roster-signal.csv")
    out = tmp_path / "out"
    log = tmp_path / "audit.sqlite3"
    env = {**os.environ, "RECORDPACK_AUDIT_LOG": str(log)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "recordpack", "batch", str(roster), "-o", str(out), "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    for line in proc.stderr:  # wait until the first patient is being packed
        workers |= _descendants(proc.pid)
        if "packing" in line or time.monotonic() > deadline:
            break
    workers |= _descendants(proc.pid)
    run: dict[str, object] = {"proc": proc, "out": out, "log": log, "workers": workers}
    try:
        yield run
    finally:
        for pid in _alive(workers):  # only the processes this test started
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(pids)


def _assert_whole(out: Path, key: str) -> list[str]:
    """Nothing half-written in ``out``; each bundle there opens and has its receipt."""
    names = [p.name for p in out.iterdir()]
    assert not [n for n in names if n.endswith(".part") or n.startswith(".")]
    bundles = sorted(n for n in names if n.endswith(".rpk"))
    for name in bundles:
        assert (out / name.replace(".rpk", ".receipt.json")).is_file()
        with open(out / name, "rb") as handle:
            plain = age.decrypt_reader(handle, age.load_identities(Path(key)))
            while plain.read(1 << 20):
                pass
    return bundles


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_or_sighup_cancel_the_batch_as_ctrl_c_does(
    batch_run: dict[str, object], clinic: dict[str, str], signum: signal.Signals
) -> None:
    proc = batch_run["proc"]
    assert isinstance(proc, subprocess.Popen)
    workers = batch_run["workers"]
    assert isinstance(workers, set) and workers  # the batch runs worker processes
    out, log = Path(str(batch_run["out"])), Path(str(batch_run["log"]))
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "cancelled" in stderr and "Traceback" not in stderr
    # The resource tracker multiprocessing starts ends a moment after the batch.
    assert not _wait_until_gone(workers, 10), "a worker outlived its batch"
    before = _snapshot(out)
    time.sleep(2)
    assert _snapshot(out) == before, "something was written after the batch ended"
    bundles = _assert_whole(out, clinic["key"])
    assert len(bundles) < 12
    events = _events(log)
    assert events[-1]["action"] == "batch" and events[-1]["outcome"] == "cancelled"
    outcomes = [e["outcome"] for e in events if e["action"] == "pack"]
    assert len(outcomes) == 12  # every row, packed or cancelled
    assert outcomes.count("cancelled") == 12 - len(bundles)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_of_a_killed_batch_stop_their_row_and_exit(
    batch_run: dict[str, object], clinic: dict[str, str]
) -> None:
    """kill -9 leaves the batch no chance to stop its workers: they notice and stop themselves."""
    proc = batch_run["proc"]
    assert isinstance(proc, subprocess.Popen)
    workers = batch_run["workers"]
    assert isinstance(workers, set) and workers
    out = Path(str(batch_run["out"]))
    proc.kill()
    proc.communicate(timeout=30)
    assert not _wait_until_gone(workers, 30), "a worker outlived its batch"
    before = _snapshot(out)
    time.sleep(2)
    assert _snapshot(out) == before
    _assert_whole(out, clinic["key"])


def test_an_output_folder_inside_a_patients_folder_is_refused_before_it_is_made(
    clinic: dict[str, str], tmp_path: Path
) -> None:
    root = Path(clinic["root"])
    patient = tmp_path / "patient"
    shutil.copytree(root / "complete", patient)
    before = sorted(p.name for p in patient.rglob("*"))
    roster = write_roster(tmp_path, [{"folder": str(patient), "recipient": clinic["public"]}], "r.csv")
    out = patient / "bundles" / "today"
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out)], tmp_path / "audit.sqlite3")
    assert code == 2, stdout + stderr
    assert "never writes in a patient's folder" in stderr and "line 2" in stderr
    assert not (patient / "bundles").exists()
    assert sorted(p.name for p in patient.rglob("*")) == before
