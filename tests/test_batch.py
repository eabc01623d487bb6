"""recordpack batch: a roster of patients, worker processes, receipts, the audit log."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from recordpack import age
from tests.acceptance_folders import clean_breast
from tests.batch_rosters import run_logged, write_roster
from tests.prerequisites import require_tool

AS_OF = "2025-04-01"  # the complete folder's records are recent as of this day
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | str]:
    """A coordinator's work folder: a complete patient, a mixed-up one, a key."""
    root = tmp_path_factory.mktemp("clinic")
    complete = clean_breast(root / "complete")
    mixed = root / "mixed"
    shutil.copytree(EXAMPLE, mixed)  # holds a stranger's lab report
    identity = age.X25519Identity.generate()
    key = age.write_identity_file(root / "specialist-key.txt", identity)
    return {"root": root, "complete": complete, "mixed": mixed, "key": key,
            "public": str(identity.recipient())}


def test_a_roster_packs_what_it_may_and_says_why_the_rest_was_not(
    clinic: dict[str, Path | str], tmp_path: Path
) -> None:
    root = Path(clinic["root"])
    roster = write_roster(root, [
        {"folder": "complete", "manifest": "breast", "recipient": str(clinic["public"]), "name": "p-complete"},
        {"folder": "mixed", "recipient": str(clinic["public"]), "name": "p-mixed"},
        {"folder": "no-such-folder", "recipient": str(clinic["public"])},
        {"folder": "mixed", "recipient": str(clinic["public"]), "name": "p-mixed-accepted",
         "accept_other_patient": "yes"},
    ], "roster-main.csv")
    out = tmp_path / "out"
    log = tmp_path / "audit.sqlite3"
    code, stdout, stderr = run_logged(
        ["batch", str(roster), "-o", str(out), "-j", "2", "--json", "--as-of", AS_OF], log
    )
    assert code == 1, stderr  # not every row packed
    doc = json.loads(stdout)
    rows = {r["line"]: r for r in doc["rows"]}
    assert [rows[n]["status"] for n in (2, 3, 4, 5)] == ["packed", "refused", "failed", "packed"]
    assert "another person" in rows[3]["reason"]
    assert "no-such-folder" in rows[4]["reason"]
    assert "[4/4]" in stderr  # overall progress on stderr
    # Nothing half-written, no bundle for the refused rows.
    assert sorted(p.name for p in out.iterdir()) == [
        "p-complete.receipt.json", "p-complete.rpk",
        "p-mixed-accepted.receipt.json", "p-mixed-accepted.rpk",
    ]
    # The standard age tool opens what batch wrote, and the digest is the file's.
    age_bin = require_tool("age", "age")
    for line in (2, 5):
        bundle = Path(rows[line]["bundle"])
        plain = subprocess.run(
            [age_bin, "-d", "-i", str(clinic["key"]), str(bundle)], capture_output=True, check=True
        ).stdout
        assert plain.startswith(b"PK")
        import hashlib

        assert hashlib.sha256(bundle.read_bytes()).hexdigest() == rows[line]["sha256"]
    # The receipt: no content, no secret, the coordinator's decision recorded.
    receipt = json.loads((out / "p-mixed-accepted.receipt.json").read_text())
    assert receipt["accepted"] == ["accept_other_patient"]
    assert receipt["sha256"] == rows[5]["sha256"]
    assert receipt["encryption"]["recipients"] == [clinic["public"]]
    assert all(len(f["sha256"]) == 64 for f in receipt["source_files"])
    assert len(receipt["source_files"]) >= receipt["records"]
    # The audit log holds one pack event per row and the batch itself, and verifies.
    code, stdout, _ = run_logged(["log", "--json"], log)
    events = json.loads(stdout)["events"]
    packs = [e for e in events if e["action"] == "pack"]
    assert sorted(e["outcome"] for e in packs) == [
        "failed: folder_missing", "packed", "packed", "refused: other_patient"]
    assert events[-1]["action"] == "batch"
    assert {e["bundle_sha256"] for e in packs if e["outcome"] == "packed"} == {
        rows[2]["sha256"], rows[5]["sha256"]}
    assert receipt["audit_head"] in {e["hash"] for e in events}
    assert run_logged(["log", "verify"], log)[0] == 0


def test_a_passphrase_row_writes_the_passphrase_only_to_a_private_file(
    clinic: dict[str, Path | str], tmp_path: Path
) -> None:
    root = Path(clinic["root"])
    roster = write_roster(root, [
        {"folder": "complete", "passphrase": "yes", "name": "by-phone"}], "roster-pass.csv")
    out = tmp_path / "out"
    log = tmp_path / "audit.sqlite3"
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out), "--csv"], log)
    assert code == 0, stdout + stderr
    secret_file = out / "by-phone.passphrase.txt"
    secret = secret_file.read_text().strip()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert secret not in stdout and secret not in stderr
    dump = "\n".join(sqlite3.connect(log).iterdump())
    assert secret not in dump
    assert secret not in (out / "by-phone.receipt.json").read_text()
    rows = list(csv.DictReader(stdout.splitlines()))
    assert rows[0]["status"] == "packed" and rows[0]["passphrase_file"] == str(secret_file)
    # The passphrase opens the bundle.
    with open(out / "by-phone.rpk", "rb") as handle:
        head = age.decrypt_reader(handle, [age.ScryptIdentity(secret)]).read(2)
    assert head == b"PK"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("name,recipient\nx,age1abc\n", "column 'folder'"),
        ("folder,recipent\nx,age1abc\n", "column 'recipent'"),
        ("folder,recipient\nx,\n", "line 2, column 'recipient'"),
        ("folder,recipient,passphrase\nx,age1abc,yes\n", "line 2, column 'passphrase'"),
        ("folder,recipient,accept_incomplete\nx,age1abc,maybe\n", "line 2, column 'accept_incomplete'"),
        ("folder,passphrase,name\na,yes,same\nb,yes,same\n", "line 3, column 'name'"),
        ("folder,passphrase,name\na,yes,../escape\n", "line 2, column 'name'"),
        ("folder,passphrase\n", "no patient"),
    ],
)
def test_a_bad_roster_is_refused_before_any_work_naming_line_and_column(
    tmp_path: Path, content: str, where: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(content)
    out = tmp_path / "out"
    code, stdout, stderr = run_logged(["batch", str(roster), "-o", str(out)], tmp_path / "audit.sqlite3")
    assert code == 2, stdout + stderr
    assert where in stderr
    assert not out.exists() or not any(out.iterdir())


def test_an_unusable_audit_log_stops_the_batch_before_any_work(
    clinic: dict[str, Path | str], tmp_path: Path
) -> None:
    roster = write_roster(Path(clinic["root"]), [
        {"folder": "complete", "recipient": str(clinic["public"])}], "roster-log.csv")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = tmp_path / "out"
    code, _, stderr = run_logged(["batch", str(roster), "-o", str(out)], blocker / "audit.sqlite3")
    assert code == 2 and "audit log" in stderr
    assert not out.exists() or not any(out.iterdir())


def test_log_verify_names_the_event_edited_behind_its_back(
    clinic: dict[str, Path | str], tmp_path: Path
) -> None:
    roster = write_roster(Path(clinic["root"]), [
        {"folder": "complete", "recipient": str(clinic["public"]), "name": "one"}], "roster-edit.csv")
    log = tmp_path / "audit.sqlite3"
    assert run_logged(["batch", str(roster), "-o", str(tmp_path / "out")], log)[0] == 0
    receipt = tmp_path / "out" / "one.receipt.json"
    assert run_logged(["log", "verify", "--receipt", str(receipt)], log)[0] == 0
    with sqlite3.connect(log) as db:
        db.execute("UPDATE events SET recipients = '[\"age1someoneelse\"]' WHERE seq = 1")
    code, stdout, _ = run_logged(["log", "verify", "--json"], log)
    assert code == 1
    assert json.loads(stdout)["first_bad_event"] == 1
    # Cut the log short instead: the chain left is intact, the receipt proves the cut.
    with sqlite3.connect(log) as db:
        db.execute("DELETE FROM events")
    assert run_logged(["log", "verify"], log)[0] == 0
    code, stdout, _ = run_logged(["log", "verify", "--receipt", str(receipt)], log)
    assert code == 1 and "cut short" in stdout


def test_ctrl_c_keeps_finished_bundles_and_leaves_no_partial_one(
    clinic: dict[str, Path | str], tmp_path: Path
) -> None:
    import os
    import signal
    import sys
    import time

    root = Path(clinic["root"])
    rows = [{"folder": "complete", "recipient": str(clinic["public"]), "name": f"p{i}"}
            for i in range(12)]
    roster = write_roster(root, rows, "roster-many.csv")
    out = tmp_path / "out"
    env = {**os.environ, "RECORDPACK_AUDIT_LOG": str(tmp_path / "audit.sqlite3")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "recordpack", "batch", str(roster), "-o", str(out), "-j", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    for line in proc.stderr:  # wait until the first patient is being packed
        if "packing" in line or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "cancelled" in stderr and "Traceback" not in stderr
    names = [p.name for p in out.iterdir()]
    assert not [n for n in names if n.endswith(".part") or n.startswith(".")]
    bundles = sorted(n for n in names if n.endswith(".rpk"))
    assert len(bundles) < 12  # it stopped early ...
    for name in bundles:  # ... and each bundle left is whole, with its receipt
        assert (out / name.replace(".rpk", ".receipt.json")).is_file()
        with open(out / name, "rb") as handle:
            plain = age.decrypt_reader(handle, age.load_identities(Path(clinic["key"])))
            while plain.read(1 << 20):
                pass


def test_a_system_that_will_not_start_workers_fails_the_rows_with_a_reason(
    clinic: dict[str, Path | str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At its limit of processes the system refuses the batch's workers: each row is
    reported as failed, saying why, and nothing is written; no traceback."""
    from concurrent.futures import ProcessPoolExecutor

    from recordpack import batch

    class NoProcesses(ProcessPoolExecutor):
        def submit(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
            raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", NoProcesses)
    root = Path(clinic["root"])
    roster = write_roster(root, [
        {"folder": "complete", "manifest": "breast", "recipient": str(clinic["public"]), "name": "a"},
        {"folder": "mixed", "recipient": str(clinic["public"]), "name": "b"},
    ], "roster-no-workers.csv")
    out = tmp_path / "out"
    code, stdout, stderr = run_logged(
        ["batch", str(roster), "-o", str(out), "--json", "--as-of", AS_OF], tmp_path / "audit.sqlite3"
    )
    assert code == 1, stderr
    assert "Traceback" not in stderr
    rows = json.loads(stdout)["rows"]
    assert [r["status"] for r in rows] == ["failed", "failed"]
    assert all(r["reason_code"] == "worker_not_started" for r in rows)
    assert all("no worker process could be started" in r["reason"] for r in rows)
    assert not any(out.iterdir())
