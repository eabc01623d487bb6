"""ZIP archives: members in place, unsafe names, bombs, damage, duplicates, nesting."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from recordpack.model import Problem
from recordpack.scan import archive, scan_folder, walk
from recordpack.scan.base import Source
from tests.prerequisites import require_tool
from tests.scan_helpers import make_dataset, snapshot, write_part10

CT = Path(str(get_testdata_file("CT_small.dcm", download=False)))
RTPLAN = Path(str(get_testdata_file("rtplan.dcm", download=False)))


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as out:
        for name, data in members.items():
            out.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return path


def test_members_are_scanned_in_place_as_archive_bang_member(tmp_path: Path) -> None:
    ct, plan = CT.read_bytes(), RTPLAN.read_bytes()
    _zip(
        tmp_path / "portal.zip",
        {
            "IHE_XDM/SUBSET01/CT_SMALL": ct,
            "IHE_XDM/SUBSET01/PLAN.DCM": plan,
            "IHE_XDM/SUBSET01/METADATA.XML": b"<xml/>",
            "INDEX.HTM": b"<html>",
        },
    )
    before = snapshot(tmp_path)
    result = scan_folder(tmp_path)
    assert snapshot(tmp_path) == before  # nothing extracted next to the zip
    files = {r.files[0]: r.kind for r in result.records}
    assert files == {
        "portal.zip!IHE_XDM/SUBSET01/CT_SMALL": "imaging_study",
        "portal.zip!IHE_XDM/SUBSET01/PLAN.DCM": "treatment_plan",
    }
    assert (
        result.files["portal.zip!IHE_XDM/SUBSET01/CT_SMALL"].sha256
        == hashlib.sha256(ct).hexdigest()
    )
    assert "portal.zip" in result.files  # pack needs the archive itself
    reasons = {s.path: s.reason for s in result.skipped}
    assert reasons["portal.zip!IHE_XDM/SUBSET01/METADATA.XML"] == "portal download index"
    assert reasons["portal.zip!INDEX.HTM"] == "portal download index"
    assert not result.problems


def test_traversal_and_absolute_names_are_refused(tmp_path: Path) -> None:
    ct = CT.read_bytes()
    _zip(
        tmp_path / "evil.zip",
        {"../../etc/evil.dcm": ct, "/abs.dcm": ct, "C:/win.dcm": ct, "ok/fine.dcm": ct},
    )
    result = scan_folder(tmp_path)
    refused = {p.path for p in result.problems if p.code == "unsafe_name"}
    assert refused == {"evil.zip!../../etc/evil.dcm", "evil.zip!/abs.dcm", "evil.zip!C:/win.dcm"}
    assert [r.files for r in result.records] == [("evil.zip!ok/fine.dcm",)]
    assert not any(name.startswith(("evil.zip!..", "evil.zip!/")) for name in result.files)


def test_high_ratio_member_is_refused_as_zip_bomb(tmp_path: Path) -> None:
    _zip(
        tmp_path / "bomb.zip",
        {"zeros.txt": b"\x00" * (64 * 1024 * 1024), "ok.dcm": CT.read_bytes()},
    )
    result = scan_folder(tmp_path)
    (problem,) = [p for p in result.problems if p.code == "zip_bomb"]
    assert problem.path == "bomb.zip!zeros.txt"
    assert "bomb.zip!zeros.txt" not in result.files
    assert [r.files for r in result.records] == [("bomb.zip!ok.dcm",)]


def test_too_many_members_refuses_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    _zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(6)})
    result = scan_folder(tmp_path)
    (problem,) = result.problems
    assert problem.code == "zip_bomb" and problem.path == "many.zip"


def test_corrupt_zip_is_unreadable(tmp_path: Path) -> None:
    good = _zip(tmp_path / "x.zip", {"a.dcm": CT.read_bytes()}).read_bytes()
    (tmp_path / "x.zip").write_bytes(good[: len(good) // 2])  # cut in half: no central directory
    (tmp_path / "fake.zip").write_bytes(b"this is not a zip")
    result = scan_folder(tmp_path)
    codes = {p.path: p.code for p in result.problems}
    assert codes == {"x.zip": "unreadable", "fake.zip": "unreadable"}
    assert "damaged" in result.problems[0].message


def test_damaged_member_is_unreadable_and_others_still_read(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "p.zip",
        {"a.dcm": CT.read_bytes(), "b.dcm": RTPLAN.read_bytes()},
        method=zipfile.ZIP_STORED,
    )
    data = bytearray(path.read_bytes())
    offset = data.find(b"CompressedSamples")  # inside a.dcm: breaks its CRC
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    result = scan_folder(tmp_path)
    assert {p.path: p.code for p in result.problems} == {"p.zip!a.dcm": "unreadable"}
    assert [r.kind for r in result.records] == ["treatment_plan"]


def test_duplicate_inside_zip_of_an_outside_file(tmp_path: Path) -> None:
    ds = make_dataset(study_uid=generate_uid(), series_uid=generate_uid(), instance=1)
    outside = write_part10(ds, tmp_path / "z_images" / "IM1")
    _zip(tmp_path / "a_portal.zip", {"copy/IM1.dcm": outside.read_bytes()})
    result = scan_folder(tmp_path)
    (problem,) = result.problems
    # The zip sorts first, but a file on disk is the copy a person would name:
    # it is the record, and the member inside the zip the duplicate.
    assert problem.code == "duplicate"
    assert problem.path == "a_portal.zip!copy/IM1.dcm" and problem.duplicate_of == "z_images/IM1"
    assert {"a_portal.zip", "a_portal.zip!copy/IM1.dcm", "z_images/IM1"} <= set(result.files)
    (record,) = result.records
    assert record.files == ("z_images/IM1",)


def test_nested_zip_one_level(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as out:
        out.writestr("CT.dcm", CT.read_bytes())
    _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    result = scan_folder(tmp_path)
    (record,) = result.records
    assert record.files == ("outer.zip!inner.zip!CT.dcm",)
    assert "outer.zip!inner.zip" in result.files


def test_too_deep_nesting_is_reported(tmp_path: Path) -> None:
    data = CT.read_bytes()
    name = "CT.dcm"
    for level in range(4):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            out.writestr(name, data)
        data, name = buffer.getvalue(), f"level{level}.zip"
    (tmp_path / "deep.zip").write_bytes(data)
    result = scan_folder(tmp_path)
    assert not result.records
    assert any(p.code == "unsupported" and "too many" in p.message for p in result.problems)


def test_encrypted_member_is_reported(tmp_path: Path) -> None:
    zip_tool = require_tool("zip", "zip")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "report.txt").write_text("FINAL DIAGNOSIS: benign\n")
    out = tmp_path / "scan" / "locked.zip"
    out.parent.mkdir()
    subprocess.run(
        [zip_tool, "-q", "-P", "secret", "-j", str(out), str(tmp_path / "src" / "report.txt")],
        check=True,
    )
    result = scan_folder(out.parent)
    (problem,) = result.problems
    assert problem.code == "encrypted" and problem.path == "locked.zip!report.txt"
    assert "password" in problem.message


def test_docx_is_not_treated_as_an_archive() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("word/document.xml", "<w:document/>")
    assert not archive.sniff(Source.from_bytes("letter.docx", buffer.getvalue()))
    assert archive.sniff(Source.from_bytes("download", buffer.getvalue()))


def test_standalone_scan_uses_the_folder_dispatch() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("CT.dcm", CT.read_bytes())
        out.writestr("../x", b"1")
    outcomes = walk.ARCHIVE.scan(Source.from_bytes("a.zip", buffer.getvalue()))
    assert any(getattr(o, "path", "") == "a.zip!CT.dcm" for o in outcomes)
    assert any(isinstance(o, Problem) and o.code == "unsafe_name" for o in outcomes)


@pytest.mark.parametrize("in_memory", [True, False])
def test_large_member_is_reread_through_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_memory: bool
) -> None:
    # The header is larger than the head kept in memory, so the scanner must
    # reopen the member inside the zip (seeking in a compressed stream).
    from recordpack.scan.base import HEAD_SIZE

    if not in_memory:  # reread as a stream seeking inside the compressed member
        monkeypatch.setattr(archive, "MEMBER_IN_MEMORY", 0)
    ds = make_dataset(study_uid=generate_uid(), series_uid=generate_uid(), instance=9)
    ds.add_new(0x00091010, "OB", bytes(range(256)) * (HEAD_SIZE // 256 + 100))
    member = write_part10(ds, tmp_path / "src" / "big.dcm").read_bytes()
    (tmp_path / "scan").mkdir()
    _zip(tmp_path / "scan" / "big.zip", {"big.dcm": member})
    result = scan_folder(tmp_path / "scan")
    assert not result.problems
    (record,) = result.records
    assert record.files == ("big.zip!big.dcm",)
    assert record.study is not None and record.study.series[0].instances[0].instance_number == 9
