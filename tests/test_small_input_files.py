"""Files a person hands recordpack (a passphrase file, a corrections file) are read with a cap:
a wrong path such as /dev/zero is a clear error, not a process filling the memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recordpack.errors import InputError, UsageError
from recordpack.passphrase import MAX_PASSPHRASE_FILE, read_passphrase_file
from recordpack.scan.corrections import MAX_CORRECTIONS_FILE, load_corrections

ENDLESS = Path("/dev/zero")


def test_a_huge_passphrase_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"correct horse battery staple\n" + b"x" * MAX_PASSPHRASE_FILE)
    with pytest.raises(InputError, match="too large"):
        read_passphrase_file(big)


def test_a_passphrase_file_of_normal_size_is_read(tmp_path: Path) -> None:
    small = tmp_path / "pass.txt"
    small.write_text("\ufeffcorrect horse battery staple\r\nsecond line\n", encoding="utf-8")
    assert read_passphrase_file(small) == "correct horse battery staple"


def test_a_huge_corrections_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "labels.txt"
    big.write_bytes(b"a.pdf=lab_result\n" * (MAX_CORRECTIONS_FILE // 16 + 1))
    with pytest.raises(UsageError, match="too large"):
        load_corrections(big)


@pytest.mark.skipif(not ENDLESS.exists(), reason="no /dev/zero on this system")
@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["verify", "{bundle}", "--passphrase-file", "/dev/zero"], id="verify"),
        pytest.param(["scan", "{folder}", "--corrections", "/dev/zero"], id="scan"),
    ],
)
def test_an_endless_file_given_by_mistake_is_a_clear_error(
    tmp_path: Path, args: list[str]
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "note.txt").write_text("Clinic note. Seen today.\n")
    bundle = tmp_path / "b.rpk"
    bundle.write_bytes(b"age-encryption.org/v1\n")
    argv = [a.format(bundle=bundle, folder=folder) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "recordpack", *argv],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "RECORDPACK_DATA_DIR": str(tmp_path / "data")},
    )
    assert done.returncode in (1, 2)
    assert "too large" in done.stderr and "Traceback" not in done.stderr
