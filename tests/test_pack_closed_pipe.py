"""``pack -o -`` into a pipe whose reader stops: a clear message, not a silent exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from recordpack import age


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
