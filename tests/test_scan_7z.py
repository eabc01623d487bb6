"""7z downloads are read in place (py7zr), guarded like zips, and packed whole.

Archives made here by py7zr; nothing is unpacked to disk.
"""

from __future__ import annotations

import io
from pathlib import Path

import py7zr
import pytest

from recordpack.bundle import format as fmt
from recordpack.scan import scan_folder
from tests.cli_runs import pack_and_open
from tests.fuzz_helpers import sevenzip_bytes
from tests.pack_folder import REPORT, SERIES_UIDS, dicom_bytes


def test_a_7z_download_is_read_in_place(tmp_path: Path) -> None:
    members = {"Reports/pathology.pdf": REPORT, "empty.txt": b"", ".DS_Store": b"x",
               **{f"CD/IM{i}": dicom_bytes(SERIES_UIDS[0], 1, i)[0] for i in (1, 2, 3)}}
    (tmp_path / "records.7z").write_bytes(sevenzip_bytes(members))
    before = sorted(p.name for p in tmp_path.iterdir())
    result = scan_folder(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    kinds = {r.kind: r.files for r in result.records}
    assert kinds["imaging_study"] == ("records.7z!CD/IM1", "records.7z!CD/IM2", "records.7z!CD/IM3")
    assert kinds["pathology_report"] == ("records.7z!Reports/pathology.pdf",)
    assert ("records.7z!.DS_Store", "system file") in {(s.path, s.reason) for s in result.skipped}


def test_a_password_protected_7z_is_encrypted(tmp_path: Path) -> None:
    (tmp_path / "locked.7z").write_bytes(sevenzip_bytes({"report.pdf": REPORT}, password="pw"))
    (problem,) = scan_folder(tmp_path).problems
    assert problem.code == "encrypted" and "password" in problem.message


def test_a_damaged_7z_is_one_unreadable_problem(tmp_path: Path) -> None:
    data = sevenzip_bytes({"report.pdf": REPORT})
    (tmp_path / "cut.7z").write_bytes(data[: len(data) // 2])
    result = scan_folder(tmp_path)
    assert not result.records
    (problem,) = result.problems
    assert problem.code == "unreadable" and problem.path == "cut.7z"


def test_a_7z_bomb_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "bomb.7z").write_bytes(sevenzip_bytes({"zeros.bin": bytes(64 * 1024 * 1024)}))
    result = scan_folder(tmp_path)
    assert not result.records
    assert [p.code for p in result.problems] == ["zip_bomb"]


def test_pack_carries_the_7z_whole_and_open_verifies(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    data = sevenzip_bytes({"Reports/pathology.pdf": REPORT})
    (folder / "download.7z").write_bytes(data)
    bag, index = pack_and_open(folder, tmp_path)
    (record,) = index["records"]
    assert record["original_files"] == ["download.7z!Reports/pathology.pdf"]
    assert record["files"] == [f"{fmt.ORIGINALS_DIR}/download.7z"]
    assert (bag / fmt.ORIGINALS_DIR / "download.7z").read_bytes() == data


def test_members_too_large_to_keep_are_decompressed_again_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recordpack.scan import sevenzip
    from recordpack.scan.base import Source

    monkeypatch.setattr(sevenzip, "MEMBER_IN_MEMORY", 16)  # every member is "large"
    big = bytes(range(256)) * 2048  # larger than the head scan keeps
    archive = sevenzip_bytes({"a/pathology.pdf": REPORT, "b/big.bin": big})
    members = list(sevenzip.members(Source.from_bytes("x.7z", archive)))
    by_name = {m.path: m for m in members if isinstance(m, Source)}
    with by_name["x.7z!b/big.bin"].open() as stream:
        assert stream.read() == big
    (tmp_path / "records.7z").write_bytes(archive)
    assert [r.kind for r in scan_folder(tmp_path).records if r.kind != "other"] == [
        "pathology_report"
    ]


def test_a_link_inside_a_7z_is_refused_and_the_rest_read(tmp_path: Path) -> None:
    made = tmp_path / "made"
    made.mkdir()
    (made / "link.pdf").symlink_to("/etc/passwd")
    (made / "report.pdf").write_bytes(REPORT)
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.write(made / "link.pdf", "link.pdf")
        archive.write(made / "report.pdf", "report.pdf")
    folder = tmp_path / "scan"
    folder.mkdir()
    (folder / "mixed.7z").write_bytes(buffer.getvalue())
    result = scan_folder(folder)
    (problem,) = result.problems
    assert problem.code == "unsafe_name" and problem.path == "mixed.7z!link.pdf"
    assert "link" in problem.message
    assert [r.files for r in result.records] == [("mixed.7z!report.pdf",)]
