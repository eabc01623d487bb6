"""Issue 8, scan side: files that used to hang, crash or cost without bound."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from recordpack.scan import scan_folder
from recordpack.scan.base import Source
from recordpack.scan.walk import dispatch

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parent.parent


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- defect 1: unclosed '<?' / '<!--' looped forever --------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "data",
    [b"x<?", b"xx<!--", b"<?xml", b"<!-- cut short in the leading comment", b"ab<!DOCTYPE",
     b"<?xml version='1.0'?>\n<!-- a C-CDA cut here", b"\xff\xfex\x00<\x00?\x00"],
)
def test_unclosed_xml_openings_do_not_hang(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "a.txt").write_bytes(data)
    (tmp_path / "b.xml").write_bytes(data)
    (tmp_path / "c.zip").write_bytes(_zip({"inner.txt": data, "inner.xml": data}))
    result = scan_folder(tmp_path)
    seen = {p for r in result.records for p in r.files} | {p.path for p in result.problems}
    assert {"a.txt", "b.xml", "c.zip!inner.txt", "c.zip!inner.xml"} <= seen


def _run_cli_with_stuck_scanner(tmp_path: Path) -> subprocess.Popen[bytes]:
    """``recordpack scan`` in which the text scanner never returns (a stand-in for any stuck file)."""
    for n in range(6):
        (tmp_path / f"note{n}.txt").write_text("Clinic note\n")
    script = textwrap.dedent(
        """
        import sys, time
        from recordpack.scan import text
        def stuck(source):
            print("stuck", flush=True)
            while True:
                sum(range(1000))
        text.scan = stuck
        from recordpack.cli import main
        sys.argv = ["recordpack", "scan", sys.argv[1]]
        main()
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )


@pytest.mark.timeout(60)
def test_first_ctrl_c_stops_a_stuck_scan(tmp_path: Path) -> None:
    process = _run_cli_with_stuck_scanner(tmp_path)
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"stuck\n"
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = process.wait(timeout=15)
        assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr is not None
    assert code == 130
    assert "interrupted" in process.stderr.read().decode()


# --- defect 2: a corrupt deflate stream in a zip member ------------------------------


def _zip_with_corrupt_member() -> bytes:
    report = b"PATHOLOGY REPORT\nDiagnosis: invasive ductal carcinoma\n" * 200
    note = b"CLINIC NOTE\nSeen in clinic on 2024-01-02 for follow-up.\n" * 50
    data = bytearray(_zip({"a/report.txt": report, "a/note.txt": note}))
    start = data.index(b"a/report.txt") + len(b"a/report.txt")
    for offset in range(start + 5, start + 40):
        data[offset] ^= 0x5A
    return bytes(data)


def test_corrupt_deflate_member_is_one_unreadable_problem(tmp_path: Path) -> None:
    (tmp_path / "download.zip").write_bytes(_zip_with_corrupt_member())
    (tmp_path / "letter.txt").write_text("Clinic note\nSeen today.\n")
    result = scan_folder(tmp_path)
    problems = [(p.path, p.code) for p in result.problems]
    assert problems == [("download.zip!a/report.txt", "unreadable")]
    assert "damaged" in result.problems[0].message
    files = {path for record in result.records for path in record.files}
    assert {"download.zip!a/note.txt", "letter.txt"} <= files


def test_corrupt_member_through_scan_check_and_pack_cli(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "download.zip").write_bytes(_zip_with_corrupt_member())
    env = dict(os.environ, RP_PASS="violet tractor umbrella harbour 1917")
    for args in (
        ["scan", str(folder)],
        ["check", str(folder)],
        ["pack", str(folder), "-o", str(tmp_path / "out.rpk"), "--passphrase-env", "RP_PASS",
         "--accept-incomplete"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "recordpack", *args],
            capture_output=True, env=env, cwd=ROOT, timeout=60, check=False,
        )
        assert b"Traceback" not in done.stderr, done.stderr.decode()
        assert done.returncode in (0, 1), (args, done.stderr.decode())
    assert (tmp_path / "out.rpk").is_file()


def test_corrupt_member_dispatched_alone_is_unreadable() -> None:
    outcomes = dispatch(Source.from_bytes("download.zip", _zip_with_corrupt_member()))
    codes = {getattr(o, "path", ""): getattr(o, "code", None) for o in outcomes}
    assert codes["download.zip!a/report.txt"] == "unreadable"
