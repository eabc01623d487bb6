"""Errors at the CLI edge: plain text on stderr, no traceback, valid UTF-8."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse non-UTF-8 names")
def test_error_naming_a_latin1_file_is_valid_utf8_and_shows_the_byte(tmp_path: Path) -> None:
    key = os.fsdecode(bytes(tmp_path) + b"/cl\xe9.txt")  # a name burned on a Windows CD
    Path(key).write_text("not a key, but it exists\n")
    result = subprocess.run(
        [sys.executable, "-m", "recordpack", "keygen", "-o", key], check=False, capture_output=True
    )
    assert result.returncode == 1
    stderr = result.stderr.decode("utf-8")  # raises if not valid UTF-8
    assert "cl\\xe9.txt already exists" in stderr
    assert "Traceback" not in stderr
    assert Path(key).read_text() == "not a key, but it exists\n"
