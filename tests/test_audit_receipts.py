"""A receipt checked against the audit log: this log cut short, or another log's receipt;
and a passphrase pack's event says a passphrase protects the bundle."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.audit import AuditEvent, AuditLog
from recordpack.cli import main
from tests.acceptance_folders import clean_breast
from tests.batch_rosters import run_logged

SECRET = "correct-horse-battery-staple-7"  # an invented passphrase


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One pack with a receipt, logged in a log that had an event before it."""
    root = tmp_path_factory.mktemp("receipts")
    folder = clean_breast(root)
    log = root / "clinic-a.sqlite3"
    AuditLog(log).append(AuditEvent("scan", "/elsewhere", "scanned"))
    receipt = root / "sent.receipt.json"
    recipient = str(age.X25519Identity.generate().recipient())
    code, stdout, stderr = run_logged(
        ["pack", "-q", str(folder), "-o", str(root / "b.rpk"), "--to", recipient,
         "--accept-incomplete", "--accept-other-patient", "--receipt", str(receipt)], log,
    )  # fmt: skip
    assert code == 0, stdout + stderr
    return {"root": root, "folder": folder, "log": log, "receipt": receipt}


def test_a_receipt_checked_against_another_log_is_said_to_be_another_logs(
    packed: dict[str, Path],
) -> None:
    other = packed["root"] / "clinic-b.sqlite3"
    for n in range(3):
        AuditLog(other).append(AuditEvent("scan", f"/other/{n}", "scanned"))
    code, stdout, _ = run_logged(["log", "verify", "--receipt", str(packed["receipt"])], other)
    assert code == 1
    assert "another audit log" in stdout and "cut short" not in stdout
    code, stdout, _ = run_logged(
        ["log", "verify", "--json", "--receipt", str(packed["receipt"])], other
    )
    doc = json.loads(stdout)
    assert (doc["ok"], doc["receipt_found"], doc["receipt_other_log"]) == (False, False, True)
    # Its own log, cut short after its first event, is still said to be cut short.
    cut = packed["root"] / "cut.sqlite3"
    cut.write_bytes(packed["log"].read_bytes())
    with sqlite3.connect(cut) as db:
        db.execute("DELETE FROM events WHERE seq > 1")
    code, stdout, _ = run_logged(["log", "verify", "--receipt", str(packed["receipt"])], cut)
    assert code == 1
    assert "the log was cut short" in stdout and "another" not in stdout


def test_a_receipt_made_without_a_log_is_not_taken_for_a_cut(packed: dict[str, Path]) -> None:
    unlogged = packed["root"] / "unlogged.receipt.json"
    doc = json.loads(packed["receipt"].read_text())
    unlogged.write_text(json.dumps({**doc, "audit_head": None, "audit_origin": None}))
    code, stdout, stderr = run_logged(["log", "verify", "--receipt", str(unlogged)], packed["log"])
    assert code == 2
    assert "without an audit log" in stderr and "cut short" not in stdout + stderr


def test_a_passphrase_pack_is_logged_as_protected_by_a_passphrase(
    packed: dict[str, Path], tmp_path: Path
) -> None:
    log = tmp_path / "audit.sqlite3"
    result = CliRunner().invoke(
        main,
        ["pack", "-q", str(packed["folder"]), "-o", str(tmp_path / "p.rpk"),
         "--passphrase-env", "RP_TEST_SECRET", "--accept-incomplete", "--accept-other-patient",
         "--audit-log", str(log)],
        env={"RP_TEST_SECRET": SECRET},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    _, stdout, _ = run_logged(["log", "--json", "--action", "pack"], log)
    (event,) = json.loads(stdout)["events"]
    assert event["recipients"] == ["passphrase"]
    with sqlite3.connect(log) as db:
        assert SECRET not in "\n".join(db.iterdump())
    assert run_logged(["log", "verify"], log)[0] == 0
