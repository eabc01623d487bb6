"""pack proves each file is what scan read, without hashing it a second time."""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import pytest

from recordpack import age, open_bundle, pack, scan_folder
from recordpack.errors import BundleError

REPORT = (
    "SURGICAL PATHOLOGY REPORT\nPatient: Quill, Avery\nDOB: 05/06/1970\n"
    "Collected: 08/01/2026\nFINAL DIAGNOSIS\nInvasive ductal carcinoma, grade 2 of 3.\n"
)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "pathology.txt").write_text(REPORT)
    return folder


def test_scan_records_a_crc_for_files_on_disk(tmp_path: Path) -> None:
    scan = scan_folder(_folder(tmp_path))
    info = scan.files["pathology.txt"]
    assert info.crc32 == zlib.crc32(REPORT.encode())


def test_same_size_change_after_scan_stops_the_pack(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    scan = scan_folder(folder)
    (folder / "pathology.txt").write_text(REPORT.replace("grade 2", "grade 3"))  # same size
    out = tmp_path / "out"
    out.mkdir()
    identity = age.X25519Identity.generate()
    with pytest.raises(BundleError, match="pathology.txt changed while packing"):
        pack(scan, out / "b.rpk", recipients=[identity.recipient()])
    assert list(out.iterdir()) == []


def test_unchanged_files_carry_the_scans_sha256_into_the_bag(tmp_path: Path) -> None:
    scan = scan_folder(_folder(tmp_path))
    identity = age.X25519Identity.generate()
    pack(scan, tmp_path / "b.rpk", recipients=[identity.recipient()])
    opened = open_bundle(tmp_path / "b.rpk", [identity], tmp_path / "opened")  # verifies SHA-256
    index = json.loads((opened.bag_dir / "index.json").read_text())
    [entry] = [f for f in index["files"] if f["original"] == "pathology.txt"]
    assert entry["sha256"] == hashlib.sha256(REPORT.encode()).hexdigest()
    assert (opened.bag_dir / entry["path"]).read_text() == REPORT
