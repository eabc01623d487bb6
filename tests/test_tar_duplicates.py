"""Tar downloads with two members of one name: never guessed at, never indexed twice.

A tar made by appending (``tar -r``) may hold ``results/result.hl7`` twice: a
pathology report, then an old blood count. As for a zip, scan reads neither and
says so on the archive; the bundle then carries the tar whole and its index names
each member it maps once. A member re-read later (a large one) is found by the
place of its header, so another member of the same name is never read instead.
"""

from __future__ import annotations

import io
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from recordpack.bundle import format as fmt
from recordpack.model import Problem
from recordpack.scan import scan_folder, tarball
from recordpack.scan.base import HEAD_SIZE, Source
from tests.cli_runs import pack_and_open, run
from tests.pack_folder import SERIES_UIDS, dicom_bytes
from tests.test_archive_duplicate_names import CBC, NOTE, PATHOLOGY, SAME_NAMES


def tar_of(entries: list[tuple[str, bytes]], mode: str = "w:gz") -> bytes:
    """A tar holding ``entries`` in order, repeated names included."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["w:gz", "w"], ids=["tgz", "tar"])
@pytest.mark.parametrize(("first", "second"), SAME_NAMES)
def test_scan_reads_neither_member_and_says_why_on_the_tar(
    tmp_path: Path, first: str, second: str, mode: str
) -> None:
    name = "portal.tgz" if mode == "w:gz" else "portal.tar"
    entries = [(first, PATHOLOGY), ("note.txt", NOTE), (second, CBC)]
    (tmp_path / name).write_bytes(tar_of(entries, mode))
    scan = scan_folder(tmp_path)
    assert [f for r in scan.records for f in r.files] == [f"{name}!note.txt"]
    (problem,) = scan.problems
    assert problem.code == "duplicate_name" and problem.path == name
    assert "none of them was read" in problem.message
    assert {p.split("!", 1)[1] for p in problem.paths} == {first.replace("\\", "/"), second}
    assert problem.hint is not None and "rename" in problem.hint


def test_pack_open_and_verify_a_folder_holding_such_a_tar(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    images = [(f"CD/IM{i}", dicom_bytes(SERIES_UIDS[0], 1, i)[0]) for i in (1, 2)]
    entries = [("results/result.hl7", PATHOLOGY), *images, ("results/result.hl7", CBC)]
    note = b"CLINIC NOTE\nPatient: QUILL, AVERY  DOB: 1970-05-06\nDate: 2026-11-02\n"
    tgz = tar_of([*entries, ("note.txt", note)])
    (folder / "portal.tgz").write_bytes(tgz)
    bag, index = pack_and_open(folder, tmp_path)
    assert (bag / fmt.ORIGINALS_DIR / "portal.tgz").read_bytes() == tgz
    named = Counter(p for r in index["records"] for p in r["original_files"])
    assert named and max(named.values()) == 1, named
    mapped = Counter(m["member"] for r in index["records"] for m in r.get("archive_members", []))
    assert set(mapped) == {"CD/IM1", "CD/IM2", "note.txt"} and max(mapped.values()) == 1
    verified = run("verify", tmp_path / "b.rpk", "-i", tmp_path / "key.txt")
    assert verified.exit_code == 0, verified.output


def test_a_member_read_again_is_found_by_its_place_not_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member too large to keep in memory is read again when its scanner opens it:
    if the archive no longer holds it where scan read it, it is gone, not swapped
    for another member of the same name."""
    monkeypatch.setattr(tarball, "MEMBER_IN_MEMORY", 0)
    scanned, other = b"A" * (HEAD_SIZE + 1), b"B" * (HEAD_SIZE + 1)  # more than the head kept
    path = tmp_path / "portal.tar"
    path.write_bytes(tar_of([("scan.bin", scanned)], "w"))
    source = Source("portal.tar", path.stat().st_size, None, path.read_bytes()[:HEAD_SIZE],
                    opener=lambda: path.open("rb"))
    (member,) = tarball.members(source)
    assert isinstance(member, Source)
    with member.open() as stream:
        assert stream.read() == scanned
    path.write_bytes(tar_of([("note.txt", NOTE), ("scan.bin", other)], "w"))
    with pytest.raises(FileNotFoundError):
        member.open()


def _tar_declaring(size: int, mode: str) -> bytes:
    """A tar whose second member's header declares ``size`` bytes (it holds 5)."""
    data = bytearray(tar_of([("note.txt", NOTE), ("huge.bin", b"12345")], "w"))
    at = 512 + -(-len(NOTE) // 512) * 512  # the second header
    assert data[at : at + 8] == b"huge.bin"
    if 0 <= size < 8**11:
        field = b"%011o\0" % size
    else:  # GNU base-256: a leading 0x80 (positive) or 0xff (negative) byte
        value = size % 256**11
        field = bytes([0x80 if size >= 0 else 0xFF]) + value.to_bytes(11, "big")
    data[at + 124 : at + 136] = field
    data[at + 148 : at + 156] = b" " * 8
    data[at + 148 : at + 156] = b"%06o\0 " % sum(data[at : at + 512])
    if mode == "w":
        return bytes(data)
    buffer = io.BytesIO()
    import gzip

    with gzip.GzipFile(fileobj=buffer, mode="wb") as packed:
        packed.write(data)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["w:gz", "w"], ids=["tgz", "tar"])
@pytest.mark.parametrize(
    "size", [2**62, 20 * 1024**3, -5], ids=["base-256 huge", "20 GB", "negative"]
)
def test_a_member_declaring_an_absurd_size_is_damage_not_a_file(
    tmp_path: Path, size: int, mode: str
) -> None:
    name = "portal.tgz" if mode == "w:gz" else "portal.tar"
    (tmp_path / name).write_bytes(_tar_declaring(size, mode))
    scan = scan_folder(tmp_path)
    assert [f for r in scan.records for f in r.files] == [f"{name}!note.txt"]
    assert [(p.path, p.code) for p in scan.problems] == [(name, "unreadable")]
    assert "damaged or incomplete" in scan.problems[0].message
    assert not any(isinstance(p, Problem) and "huge.bin" in p.path for p in scan.problems)
