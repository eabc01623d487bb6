"""recordpack's own files left in a patient's folder (an audit log, a receipt) are never packed."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from recordpack.audit import AuditEvent, AuditLog
from tests.acceptance_folders import clean_breast
from tests.cli_runs import pack_and_open, run

STRANGER = "Quentin Zarathustra-Oakes"  # another patient, named only in the coordinator's log


@pytest.fixture(scope="module")
def folder_with_own_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A patient's folder where an older recordpack left its audit log and a receipt
    (under names that say nothing), and the log's write-ahead file."""
    root = tmp_path_factory.mktemp("own")
    folder = clean_breast(root)
    elsewhere = root / "made-elsewhere"
    elsewhere.mkdir()
    log = AuditLog(elsewhere / "audit.sqlite3")
    log.append(AuditEvent("pack", "/clinic/out/qzo.rpk", "packed", patient=STRANGER))
    shutil.copy(log.path, folder / "backup.db")
    receipt = folder / "sent.json"
    receipt.write_text(json.dumps({"version": 1, "receipt": True, "bundle": "qzo.rpk",
                                   "patient": STRANGER, "audit_head": log.head()}, indent=2))
    log.append(AuditEvent("verify", "/clinic/out/qzo.rpk", "verified"))
    with sqlite3.connect(folder / "glucose.sqlite3") as db:  # the patient's own, not a log
        db.execute("CREATE TABLE events (day TEXT, mg_dl INTEGER)")
    with zipfile.ZipFile(folder / "old portal download.zip", "w") as zf:
        zf.write(log.path, "audit copy.sqlite3")  # a later copy, inside an archive
    return folder


def test_scan_lists_them_as_skipped_saying_what_they_are(folder_with_own_files: Path) -> None:
    result = run("scan", folder_with_own_files, "--json")
    doc = json.loads(result.stdout)
    skipped = {s["path"]: s["reason"] for s in doc["skipped"]}
    assert "recordpack's audit log" in skipped["backup.db"]
    assert "never packed" in skipped["backup.db"]
    assert "receipt" in skipped["sent.json"] and "never packed" in skipped["sent.json"]
    # Alone in an archive, it leaves the archive out too (nothing else in it to send):
    # said so (tests/test_sent_truth.py has one that an archive takes along).
    (inner,) = [p for p in skipped if p.endswith("audit copy.sqlite3")]
    assert "audit log" in skipped[inner] and "never packed" in skipped[inner]
    assert "not packed" in skipped["old portal download.zip"]
    problems = {p["path"] for p in doc["problems"]}
    assert not {"backup.db", "sent.json", inner} & problems
    assert "glucose.sqlite3" in problems  # any other SQLite file is still sent, as unreadable


def test_pack_leaves_them_out_of_the_bundle(folder_with_own_files: Path, tmp_path: Path) -> None:
    bag, _ = pack_and_open(folder_with_own_files, tmp_path)
    names = {p.name for p in bag.rglob("*")}
    assert not {"backup.db", "sent.json", "audit copy.sqlite3"} & names
    for path in bag.rglob("*"):
        if path.is_file():  # the archive holding only the log copy is not sent either
            assert STRANGER.encode() not in path.read_bytes(), path

