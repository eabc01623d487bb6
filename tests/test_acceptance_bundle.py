"""Acceptance of pack / open / verify / inspect as users run them, judged by independent tools.

Folders come from ``acceptance_bundle_folders`` (a hospital CD, a portal zip, awkward
names and paths). The judges are the Debian ``age`` tool, ``unzip``, bagit-python,
dcmtk's ``dcmftest`` and dicom3tools' ``dciodvfy``; each test also states a defect
found in acceptance that it guards against.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from acceptance_bundle_folders import build_awkward_folder
from click.testing import CliRunner, Result
from conftest import require_tool
from test_age_interop import run_with_terminal

from recordpack import age
from recordpack.cli import main


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An age key file (age-keygen format) and its public key."""
    identity = age.X25519Identity.generate()
    path = tmp_path_factory.mktemp("key") / "key.txt"
    age.write_identity_file(path, identity)
    return path, str(identity.recipient())


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- interruption

KILL_SELF = """
import os, signal, sys
import recordpack.bundle.{module} as target
real = target.{function}
def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.{signal})  # as if the user closed the terminal mid-way
    return real(*args, **kwargs)
target.{function} = killed
from recordpack.cli import main
sys.argv = ["recordpack", *sys.argv[1:]]
main()
"""


def run_killed(
    module: str, function: str, sig: str, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    code = KILL_SELF.format(module=module, function=function, signal=sig)
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_pack_killed_midway_leaves_no_partial_file(
    tmp_path: Path, corpus: Path, key: tuple[Path, str], sig: str
) -> None:
    """Defect: SIGTERM/SIGHUP killed pack outright, leaving a hidden OUT.part as big as the bundle."""
    folder = build_awkward_folder(tmp_path / "records", corpus)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    done = run_killed(
        "pack", "write_bag", sig, "pack", folder, "-o", out_dir / "b.rpk", "--to", key[1]
    )
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(out_dir.iterdir()) == []


def test_open_killed_midway_leaves_nothing(
    tmp_path: Path, corpus: Path, key: tuple[Path, str]
) -> None:
    folder = build_awkward_folder(tmp_path / "records", corpus)
    bundle = tmp_path / "b.rpk"
    assert run("pack", folder, "-o", bundle, "--to", key[1], "-q").exit_code == 0
    out_dir = tmp_path / "opened"
    out_dir.mkdir()
    done = run_killed(
        "reader", "_stream_members", "SIGTERM", "open", bundle, "-i", key[0], "-o", out_dir / "x"
    )
    assert done.returncode == 130, done.stderr
    assert list(out_dir.iterdir()) == []


# --------------------------------------------------------------------------- passphrase files

PASSPHRASE = "invented meadow lantern 42"


@pytest.mark.interop
def test_passphrase_file_saved_by_notepad_opens_with_age(tmp_path: Path, corpus: Path) -> None:
    """Defect: a UTF-8 byte-order mark became part of the passphrase, so the words
    the specialist typed at age's prompt were 'wrong'."""
    age_tool = require_tool("age", "age")
    folder = build_awkward_folder(tmp_path / "records", corpus)
    secret = tmp_path / "passphrase.txt"
    secret.write_bytes(b"\xef\xbb\xbf" + PASSPHRASE.encode() + b"\r\n")
    bundle = tmp_path / "b.rpk"
    packed = run("pack", folder, "-o", bundle, "--passphrase-file", secret, "-q")
    assert packed.exit_code == 0, packed.output
    plain = tmp_path / "b.zip"
    run_with_terminal([age_tool, "-d", "-o", str(plain), str(bundle)], [("passphrase", PASSPHRASE)])
    assert zipfile.is_zipfile(plain)
    typed = tmp_path / "typed.txt"
    typed.write_text(PASSPHRASE + "\n")
    assert run("verify", bundle, "--passphrase-file", typed).exit_code == 0


@pytest.mark.parametrize("command", ["open", "verify", "inspect"])
def test_unreadable_passphrase_file_is_a_plain_error(
    tmp_path: Path, key: tuple[Path, str], command: str
) -> None:
    """Defect: a passphrase file in Latin-1 crashed open/verify/inspect with a traceback."""
    secret = tmp_path / "passphrase.txt"
    secret.write_bytes("mot de passe \xe9t\xe9\n".encode("latin-1"))
    bundle = tmp_path / "b.rpk"
    bundle.write_bytes(b"age-encryption.org/v1\n")
    result = run(command, bundle, "--passphrase-file", secret)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "passphrase.txt is not UTF-8" in result.output
