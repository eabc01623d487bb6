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
from pydicom.data import get_testdata_file

from recordpack.model import Problem
from recordpack.scan import scan_folder
from recordpack.scan.base import Source
from recordpack.scan.walk import dispatch
from tests.hostile_files import many_image_pdf, overlapping_zip
from tests.prerequisites import missing

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


def _run_cli_with_stuck_scanner(tmp_path: Path, command: str) -> subprocess.Popen[bytes]:
    """``recordpack COMMAND`` in which the text scanner never returns (a stand-in for any stuck file)."""
    for n in range(6):
        (tmp_path / f"note{n}.txt").write_text("Clinic note\n")
    script = textwrap.dedent(
        """
        import os, sys, time
        from recordpack.scan import text
        def stuck(source):
            os.write(1, b"stuck\\n")  # one write: two workers may get stuck at once
            while True:
                sum(range(1000))
        text.scan = stuck
        from recordpack.cli import main
        sys.argv = ["recordpack", sys.argv[2], sys.argv[1]]
        main()
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path), command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )


@pytest.mark.timeout(60)
@pytest.mark.parametrize("command", ["scan", "check"])
def test_first_ctrl_c_stops_a_stuck_scan(tmp_path: Path, command: str) -> None:
    process = _run_cli_with_stuck_scanner(tmp_path, command)
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


# --- defect 4: a lone surrogate in a JSON record -------------------------------------

_SURROGATE_REPORT = (
    b'{"resourceType":"DiagnosticReport","id":"r1","status":"final",'
    b'"code":{"text":"Surgical pathology report \\ud800"},'
    b'"conclusion":"Invasive carcinoma \\udfff","subject":{"display":"Quill \\udbff Avery"},'
    b'"effectiveDateTime":"2024-03-05"}'
)


def test_lone_surrogate_is_replaced_where_the_record_is_read(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_bytes(_SURROGATE_REPORT)
    [record] = scan_folder(tmp_path).records
    assert record.title == "Surgical pathology report \ufffd"
    assert record.patient.name == "Quill \ufffd Avery"
    for value in (record.title, record.text, record.patient.name or "", *record.evidence):
        value.encode("utf-8")  # would raise UnicodeEncodeError on a lone surrogate


def test_lone_surrogate_scan_json_and_pack(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "report.json").write_bytes(_SURROGATE_REPORT)
    env = dict(os.environ, RP_PASS="violet tractor umbrella harbour 1917")
    scanned = subprocess.run(
        [sys.executable, "-m", "recordpack", "scan", "--json", str(folder)],
        capture_output=True, env=env, cwd=ROOT, timeout=60, check=False,
    )
    assert scanned.returncode == 0, scanned.stderr.decode()
    assert "Surgical pathology report \ufffd" in scanned.stdout.decode("utf-8")
    packed = subprocess.run(
        [sys.executable, "-m", "recordpack", "pack", str(folder), "-o", str(tmp_path / "o.rpk"),
         "--passphrase-env", "RP_PASS", "--accept-incomplete"],
        capture_output=True, env=env, cwd=ROOT, timeout=60, check=False,
    )
    assert packed.returncode == 0, packed.stderr.decode()
    assert b"Traceback" not in packed.stderr


# --- defect 10: the source folder's access times -------------------------------------

_OLD = 1_000_000_000  # 2001: relatime would update an access time this old on any read


def _fingerprint(folder: Path, names: list[str]) -> dict[str, tuple[int, bytes]]:
    """Access time and bytes of each named path, found without listing a folder."""
    state: dict[str, tuple[int, bytes]] = {}
    for name in names:
        path = folder / name if name else folder
        atime = path.lstat().st_atime_ns  # stat does not change an access time
        data = b""
        if path.is_file():
            # Read under O_NOATIME so the check itself changes nothing.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
            with os.fdopen(fd, "rb") as stream:
                data = stream.read()
        state[name or "."] = (atime, data)
    return state


def test_scan_check_and_pack_leave_access_times_and_bytes_alone(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    (folder / "labs").mkdir(parents=True)
    (folder / "note.txt").write_text("CLINIC NOTE\nPatient: Quill, Avery\nSeen 2024-03-05.\n")
    (folder / "labs" / "psa.csv").write_text("test,value,date\nPSA,4.1,2024-03-01\n")
    (folder / "report.json").write_bytes(_SURROGATE_REPORT.replace(b"\\ud800", b"").replace(
        b"\\udfff", b"").replace(b"\\udbff", b""))
    (folder / "download.zip").write_bytes(
        _zip({"portal/summary.txt": b"DISCHARGE SUMMARY\nAdmitted 2024-02-01.\n"}))
    ct = get_testdata_file("CT_small.dcm", download=False)
    if ct is None:
        missing("pydicom's test file CT_small.dcm is not installed")
    (folder / "CD").mkdir()
    (folder / "CD" / "IM0001").write_bytes(Path(str(ct)).read_bytes())
    names = ["", "labs", "CD", "note.txt", "labs/psa.csv", "report.json", "download.zip",
             "CD/IM0001"]
    for name in names:
        path = folder / name if name else folder
        os.utime(path, (_OLD, path.stat().st_mtime), follow_symlinks=False)
    before = _fingerprint(folder, names)
    assert all(atime == _OLD * 10**9 for atime, _ in before.values())
    env = dict(os.environ, RP_PASS="violet tractor umbrella harbour 1917")
    for args in (
        ["scan", str(folder)],
        ["check", str(folder)],
        # CT_small.dcm names its patient by a code: confirmed as the patient's to pack it.
        ["pack", str(folder), "-o", str(tmp_path / "o.rpk"), "--passphrase-env", "RP_PASS",
         "--accept-incomplete", "--accept-other-patient"],
    ):
        done = subprocess.run([sys.executable, "-m", "recordpack", *args], capture_output=True,
                              env=env, cwd=ROOT, timeout=60, check=False)
        assert done.returncode in (0, 1), done.stderr.decode()
        assert _fingerprint(folder, names) == before, f"{args[0]} changed the source folder"
    assert (tmp_path / "o.rpk").stat().st_size > 0
    assert folder.stat().st_atime_ns == _OLD * 10**9


# --- defect 8: cost bombs --------------------------------------------------------------


def test_ocr_work_per_document_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from recordpack import ocr
    from recordpack.scan import pdf

    calls: list[float] = []

    def fake_ocr(data: bytes, *, timeout: float = 0, lang: str = "eng") -> str:
        calls.append(timeout)
        return ""

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "image_to_text", fake_ocr)
    outcomes = pdf.scan(Source.from_bytes("scan.pdf", many_image_pdf(200)))
    assert len(calls) == ocr.MAX_IMAGES_PER_DOCUMENT
    assert all(0 < timeout <= ocr.DEFAULT_TIMEOUT for timeout in calls)
    [partly] = [o for o in outcomes if getattr(o, "code", None) == "partly_read"]
    assert isinstance(partly, Problem)
    assert "page 1" in partly.message and "not read" in partly.message


def test_ocr_pages_beyond_the_limit_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from recordpack import ocr
    from recordpack.scan import pdf

    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "image_to_text", lambda data, **_: "")
    outcomes = pdf.scan(Source.from_bytes("scan.pdf", many_image_pdf(1, pages=pdf.MAX_OCR_PAGES + 2)))
    [partly] = [o for o in outcomes if getattr(o, "code", None) == "partly_read"]
    assert isinstance(partly, Problem)
    assert f"pages {pdf.MAX_OCR_PAGES + 1}-{pdf.MAX_OCR_PAGES + 2} were not read" in partly.message


@pytest.mark.timeout(30)
def test_overlapping_zip_entries_are_refused_and_say_what_was_not_read(tmp_path: Path) -> None:
    (tmp_path / "download.zip").write_bytes(overlapping_zip(2000))
    started = time.process_time()
    result = scan_folder(tmp_path)
    assert time.process_time() - started < 10
    [problem] = result.problems
    assert (problem.path, problem.code) == ("download.zip", "zip_bomb")
    assert "2000 files" in problem.message and "copy00000.txt" in problem.message
    assert "and 1997 more" in problem.message
    assert [r.files for r in result.records] == [("download.zip!report.txt",)]


def test_ocr_of_a_many_page_tiff_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    from recordpack import ocr
    from recordpack.scan import image

    frames = [Image.new("L", (300, 300), color=255 - n) for n in range(8)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    reads: list[float] = []
    monkeypatch.setattr(ocr, "available", lambda: True)

    def fake_ocr(data: bytes, *, timeout: float = 0.0, lang: str = "eng") -> str:
        reads.append(timeout)
        return ""

    monkeypatch.setattr(ocr, "image_to_text", fake_ocr)
    monkeypatch.setattr(ocr, "MAX_IMAGES_PER_DOCUMENT", 3)
    outcomes = image.scan(Source.from_bytes("scan.tiff", buffer.getvalue()))
    assert len(reads) == 3
    [partly] = [o for o in outcomes if getattr(o, "code", None) == "partly_read"]
    assert isinstance(partly, Problem)
    assert "OCR read 3 of the 8 pages" in partly.message


def test_a_picture_declaring_too_many_pixels_is_not_decoded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image

    from recordpack import ocr
    from recordpack.scan import image

    buffer = io.BytesIO()
    Image.new("1", (10_000, 8_000), color=1).save(buffer, format="PNG")  # 80 million pixels
    monkeypatch.setattr(ocr, "available", lambda: True)
    monkeypatch.setattr(ocr, "image_to_text", lambda data, **_: pytest.fail("OCR was run"))
    outcomes = image.scan(Source.from_bytes("huge.png", buffer.getvalue()))
    [problem] = [o for o in outcomes if getattr(o, "code", None) == "unreadable"]
    assert isinstance(problem, Problem)
    assert "10000 x 8000 pixels" in problem.message


def test_a_cancel_token_stops_a_scan_stuck_in_one_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A front door without signals (a web page's Cancel button) stops the scan at once."""
    import threading

    from recordpack.scan import text
    from recordpack.workflow import Cancelled, CancelToken

    release = threading.Event()
    monkeypatch.setattr(text, "scan", lambda source: release.wait(30) and [])
    (tmp_path / "note.txt").write_text("Clinic note\n")
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    try:
        with pytest.raises(Cancelled):
            scan_folder(tmp_path, cancel=token)
        assert time.monotonic() - started < 5
    finally:
        release.set()
