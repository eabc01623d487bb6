"""``pack -o -`` into a pipe whose reader stops: a clear message, not a silent exit 1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from recordpack import age
from recordpack.audit import AuditEvent, AuditLog


def test_a_reader_that_stops_early_is_told_about(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "note.txt").write_text("CLINIC NOTE\nDate: 2026-09-02\nSeen today.\n")
    recipient = str(age.X25519Identity.generate().recipient())
    process = subprocess.Popen(
        [sys.executable, "-m", "recordpack", "pack", str(folder), "-o", "-", "--to", recipient],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "RECORDPACK_DATA_DIR": str(tmp_path / "data")},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before the bundle is written
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "stopped before the end" in errors and "not a whole bundle" in errors
    assert "Traceback" not in errors and "Exception ignored" not in errors
    # The audit log says the bundle did not reach its reader: it was never "packed".
    events = _pack_events(tmp_path / "data")
    assert [e.outcome for e in events] == ["not delivered: the reader stopped before the end"]
    assert events[0].subject == "(standard output)"


def test_a_bundle_a_reader_took_whole_is_logged_as_packed_to_standard_output(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "note.txt").write_text("CLINIC NOTE\nDate: 2026-09-02\nSeen today.\n")
    recipient = str(age.X25519Identity.generate().recipient())
    done = subprocess.run(
        [sys.executable, "-m", "recordpack", "pack", str(folder), "-o", "-", "--to", recipient],
        capture_output=True,
        env={**os.environ, "RECORDPACK_DATA_DIR": str(tmp_path / "data")},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith(b"age-encryption.org/v1\n")
    events = _pack_events(tmp_path / "data")
    assert [(e.outcome, e.subject) for e in events] == [("packed", "(standard output)")]
    assert events[0].bundle_sha256 == hashlib.sha256(done.stdout).hexdigest()


def _pack_events(data: Path) -> list[AuditEvent]:
    [log] = data.rglob("*.sqlite3")
    return [logged.event for logged in AuditLog(log).events(action="pack")]
