"""A small archive that unpacks to far more than a records download is refused quickly,
also when no single file in it is large, and also when the work hides in zips inside
zips (one allowance of bytes and time per file on disk, every level together)."""

from __future__ import annotations

import io
import random
import tarfile
import zipfile
from pathlib import Path

import pytest

from recordpack.model import ARCHIVE_SEP
from recordpack.scan import archive, scan_folder

NOTE = (
    "PROGRESS NOTE\nPatient: QUILLFEATHER, MARISOL T  DOB: 04/03/1971\n"
    "Date of visit: 11/12/2026\nHISTORY OF PRESENT ILLNESS: breast cancer.\n"
)


def _zip(members: dict[str, tuple[bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, (data, method) in members.items():
            zf.writestr(name, data, method)
    return buffer.getvalue()


def test_many_small_members_that_unpack_far_beyond_the_zip_are_refused(tmp_path: Path) -> None:
    # Each member is under the size from which one member's ratio counts; together
    # they unpack to about a thousand times the zip.
    members = {f"img{n:03d}.bin": (bytes(1_000_000 + n), zipfile.ZIP_DEFLATED) for n in range(40)}
    (tmp_path / "portal.zip").write_bytes(_zip(members))
    (tmp_path / "note.txt").write_text(NOTE)
    result = scan_folder(tmp_path)
    (problem,) = result.problems
    assert (problem.path, problem.code) == ("portal.zip", archive.ZIP_BOMB)
    assert "40 files" in problem.message and "not opened" in problem.message
    assert [r.files for r in result.records] == [("note.txt",)]


def _nested_bomb(parts: int) -> bytes:
    """A zip of zips, each level within its own ratio, together ~18,000 times the file."""
    inner = {
        n: _zip({
            f"scan{n}.bin": (bytes(7_000_000), zipfile.ZIP_DEFLATED),  # under the ratio floor
            "pad.bin": (bytes(40_000), zipfile.ZIP_STORED),  # keeps this zip under 200x
        })
        for n in range(parts)
    }
    return _zip({f"part{n}.zip": (data, zipfile.ZIP_DEFLATED) for n, data in inner.items()})


def test_zips_inside_a_zip_share_one_allowance(tmp_path: Path) -> None:
    (tmp_path / "portal.zip").write_bytes(_nested_bomb(10))
    problems = {p.path: p for p in scan_folder(tmp_path).problems}
    assert problems["portal.zip"].code == archive.ZIP_BOMB
    assert "archives inside it" in problems["portal.zip"].message
    # Reading stopped early: the last parts were never opened.
    assert not any(path.startswith(f"portal.zip{ARCHIVE_SEP}part9.zip") for path in problems)


def test_tar_inside_a_zip_spends_the_same_allowance(tmp_path: Path) -> None:
    tars = {}
    for n in range(10):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tf:
            data = bytes(7_000_000)
            info = tarfile.TarInfo(f"scan{n}.bin")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        tars[f"part{n}.tar"] = (buffer.getvalue(), zipfile.ZIP_DEFLATED)
    # Pictures that do not compress keep the zip itself under 200 times its size.
    tars["photo.jpg"] = (random.Random(7).randbytes(400_000), zipfile.ZIP_STORED)
    (tmp_path / "portal.zip").write_bytes(_zip(tars))
    problems = {p.path: p for p in scan_folder(tmp_path).problems}
    # The zip itself is opened (within its ratio); its tars stop the reading.
    assert "archives inside it" in problems["portal.zip"].message
    assert archive.ZIP_BOMB in {p.code for path, p in problems.items() if path.endswith(".tar")}
    assert not any(path.startswith(f"portal.zip{ARCHIVE_SEP}part9.tar") for path in problems)


def test_an_archive_too_slow_to_unpack_is_said_to_be_read_only_partly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the machine were very slow: no time at all for unpacking.
    monkeypatch.setattr(archive, "MIN_READ_SECONDS", -1.0)
    members = {f"note{n}.txt": (NOTE.encode(), zipfile.ZIP_DEFLATED) for n in range(3)}
    (tmp_path / "portal.zip").write_bytes(_zip(members))
    (problem,) = scan_folder(tmp_path).problems
    assert (problem.path, problem.code) == ("portal.zip", "partly_read")
    assert "took too long" in problem.message and "3 files in it were not looked at" in problem.message


def test_a_records_zip_with_a_zip_inside_is_read_whole(tmp_path: Path) -> None:
    # A control: an ordinary download (text compresses a few times) is read to the end.
    inner = _zip({"labs/note.txt": (NOTE.replace("11/12", "10/01").encode(), zipfile.ZIP_DEFLATED)})
    (tmp_path / "portal.zip").write_bytes(
        _zip({"note.txt": (NOTE.encode(), zipfile.ZIP_DEFLATED), "older.zip": (inner, zipfile.ZIP_DEFLATED)})
    )
    result = scan_folder(tmp_path)
    assert result.problems == ()
    assert sorted(f for r in result.records for f in r.files) == [
        "portal.zip!note.txt",
        "portal.zip!older.zip!labs/note.txt",
    ]
