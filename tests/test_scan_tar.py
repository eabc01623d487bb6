"""Tar downloads (.tar, .tar.gz, .tgz) are read in place, guarded like zips, and packed whole.

A portal or a colleague sends ``records.tgz``: scan must see the report and the
study inside it without unpacking anything to disk, refuse links, devices and
names that climb out, stop a tar bomb without unpacking it, and pack must carry
the archive byte for byte with the index mapping each member to it.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from recordpack.bundle import format as fmt
from recordpack.scan import scan_folder
from tests.cli_runs import pack_and_open
from tests.fuzz_helpers import tar_of
from tests.pack_folder import REPORT, SERIES_UIDS, dicom_bytes


def tar_bytes(members: dict[str, bytes], mode: str = "w:gz") -> bytes:
    return tar_of(members, mode)


def _study() -> dict[str, bytes]:
    return {f"CD/IM{i}": dicom_bytes(SERIES_UIDS[0], 1, i)[0] for i in (1, 2)}


def test_tgz_tar_gz_and_plain_tar_are_read_in_place(tmp_path: Path) -> None:
    members = {"Reports/pathology.pdf": REPORT, **_study()}
    (tmp_path / "a.tgz").write_bytes(tar_bytes(members))
    (tmp_path / "b.tar").write_bytes(tar_bytes({"x/pathology copy.pdf": REPORT + b"\n"}, "w"))
    before = sorted(p.name for p in tmp_path.iterdir())
    result = scan_folder(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted
    kinds = {r.kind: r.files for r in result.records}
    assert kinds["imaging_study"] == ("a.tgz!CD/IM1", "a.tgz!CD/IM2")
    assert [r.files for r in result.records if r.kind == "pathology_report"] == [
        ("a.tgz!Reports/pathology.pdf",),
        ("b.tar!x/pathology copy.pdf",),
    ]
    assert not result.problems


def test_a_tar_inside_a_zip_inside_a_zip_is_read(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("records.tar.gz", tar_bytes({"report.pdf": REPORT}))
    with zipfile.ZipFile(tmp_path / "download.zip", "w") as zf:
        zf.writestr("inner.zip", inner.getvalue())
    (record,) = scan_folder(tmp_path).records
    assert record.files == ("download.zip!inner.zip!records.tar.gz!report.pdf",)
    assert record.kind == "pathology_report"


def test_links_devices_and_climbing_names_are_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for name, kind in (
            ("link.pdf", tarfile.SYMTYPE),
            ("hard.pdf", tarfile.LNKTYPE),
            ("dev", tarfile.CHRTYPE),
            ("fifo", tarfile.FIFOTYPE),
        ):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/passwd"
            tf.addfile(info)
        for name in ("../escape.pdf", "/abs.pdf", "ok.pdf"):
            info = tarfile.TarInfo(name)
            info.size = len(REPORT)
            tf.addfile(info, io.BytesIO(REPORT))
    (tmp_path / "bad.tar").write_bytes(buffer.getvalue())
    result = scan_folder(tmp_path)
    refused = {p.path.split("!", 1)[1]: p.message for p in result.problems if p.code == "unsafe_name"}
    assert set(refused) == {"link.pdf", "hard.pdf", "dev", "fifo", "../escape.pdf", "/abs.pdf"}
    assert "link" in refused["link.pdf"] and "device" in refused["dev"]
    assert ".." in refused["../escape.pdf"]
    assert [r.files for r in result.records] == [("bad.tar!ok.pdf",)]


def test_a_tar_bomb_is_stopped_without_unpacking_it(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 64 * 1024 * 1024
        tf.addfile(info, io.BytesIO(bytes(info.size)))
    (tmp_path / "bomb.tgz").write_bytes(buffer.getvalue())
    result = scan_folder(tmp_path)
    assert not result.records
    assert [p.code for p in result.problems] == ["zip_bomb"]
    assert "far more" in result.problems[0].message


def test_a_truncated_tgz_keeps_what_was_read_and_reports_the_damage(tmp_path: Path) -> None:
    data = tar_bytes({"a_report.pdf": REPORT, "b_big.bin": bytes(range(256)) * 40_000}, "w")
    (tmp_path / "cut.tar").write_bytes(data[: len(data) // 2])
    result = scan_folder(tmp_path)
    assert [r.files for r in result.records] == [("cut.tar!a_report.pdf",)]
    (problem,) = result.problems
    assert problem.path == "cut.tar" and problem.code == "unreadable"
    assert "damaged or incomplete" in problem.message


def test_pack_carries_the_tar_whole_and_open_verifies(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    tgz = tar_bytes({"Reports/pathology.pdf": REPORT, **_study()})
    (folder / "download.tgz").write_bytes(tgz)
    bag, index = pack_and_open(folder, tmp_path)
    archive = f"{fmt.ORIGINALS_DIR}/download.tgz"
    assert (bag / archive).read_bytes() == tgz
    scanned = {p for r in scan_folder(folder).records for p in r.files}
    indexed = {p for r in index["records"] for p in r["original_files"]}
    assert scanned == indexed  # no record found by scan is dropped by pack
    for record in index["records"]:
        assert record["files"] == [archive]
        assert {m["archive"] for m in record["archive_members"]} == {archive}
    # The study's preview is drawn from an image read again from inside the tar.
    (study,) = [r["study"] for r in index["records"] if r.get("study")]
    (preview,) = study["previews"]
    assert "problem" not in preview, preview
    assert (bag / preview["path"]).read_bytes().startswith(b"\x89PNG")
