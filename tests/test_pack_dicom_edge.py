"""Pack on awkward real-world DICOM: every file packed, no traceback, a DICOMDIR
that dcmtk and dicom3tools accept, and the index saying why an image is not in it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pydicom.data
import pytest
from pydicom import dcmread
from pydicom.data.data_manager import DATA_ROOT
from pydicom.uid import UID, generate_uid

from recordpack import age
from recordpack.bundle.pack import pack
from recordpack.bundle.reader import open_bundle
from recordpack.scan import scan_folder
from tests.prerequisites import missing
from tests.scan_helpers import make_dataset, write_part10


def pack_and_open(folder: Path, tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    """Scan, pack and open ``folder``; returns the open result and the index."""
    identity = age.X25519Identity.generate()
    bundle = tmp_path / "bundle.rpk"
    pack(scan_folder(folder), bundle, recipients=[identity.recipient()])
    result = open_bundle(bundle, [identity], tmp_path / "opened")
    return result, result.index


def assert_tools_accept(dicomdir: Path) -> None:
    """dcmftest says yes and dciodvfy reports no error (when the tools are installed)."""
    if shutil.which("dcmftest"):
        done = subprocess.run(
            ["dcmftest", str(dicomdir)], check=False, capture_output=True, text=True
        )
        assert done.returncode == 0 and "yes" in done.stdout, done.stdout + done.stderr
    if shutil.which("dciodvfy"):
        done = subprocess.run(
            ["dciodvfy", "DICOMDIR"],
            cwd=dicomdir.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        output = done.stdout + done.stderr
        assert "BasicDirectory" in output and "Error" not in output, output


def referenced(dicomdir: Path) -> list[tuple[str, str]]:
    """(file ID, SOP Instance UID) of every IMAGE record."""
    ds = dcmread(dicomdir)
    return [
        ("/".join(r.ReferencedFileID), str(r.ReferencedSOPInstanceUIDInFile))
        for r in ds.DirectoryRecordSequence
        if r.DirectoryRecordType == "IMAGE"
    ]


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom notes each odd file; scan reports them
def test_pydicom_test_files_all_pack(tmp_path: Path) -> None:
    """Every pydicom test file present locally (odd UIDs, old time formats, bare datasets)."""
    root = Path(DATA_ROOT) / "test_files"
    source = tmp_path / "records"
    copied = 0
    for name in pydicom.data.get_testdata_files():
        if not os.path.isfile(name):
            continue
        target = source / Path(name).relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(name, target)
        copied += 1
    if copied < 20:
        missing("pydicom's test files are not installed")
    result, index = pack_and_open(source, tmp_path)
    assert result.dicomdir is not None
    assert_tools_accept(result.dicomdir)
    ids = referenced(result.dicomdir)
    assert len({uid for _, uid in ids}) == len(ids), "an instance is referenced twice"
    # An instance that cannot be in the DICOMDIR is still in the bag, and the index says why.
    notes = [f for f in index["files"] if "DICOMDIR" in (f.get("note") or "")]
    assert any("UID" in f["note"] for f in notes)


def _series(folder: Path, study: str, count: int, prefix: str = "IM", **kwargs: Any) -> list[Path]:
    series = generate_uid()
    return [
        write_part10(
            make_dataset(study_uid=study, series_uid=series, instance=i + 1, **kwargs),
            folder / f"{prefix}{i + 1:04d}",
        )
        for i in range(count)
    ]


def test_awkward_studies(tmp_path: Path) -> None:
    """One study split over two CDs, two patients in one folder, one UID on two different
    images, and an image with no SOP Instance UID: all packed, DICOMDIR valid."""
    source = tmp_path / "records"
    split = generate_uid()
    _series(source / "CD1", split, 2)
    _series(source / "CD2", split, 2)
    _series(
        source / "mixed", generate_uid(), 1, "BOB", patient="TESTPERSON^BOB", patient_id="TP0002"
    )
    _series(
        source / "mixed",
        generate_uid(),
        1,
        "CAROL",
        patient="TESTPERSON^CAROL",
        patient_id="TP0003",
    )
    # Same image twice with different bytes (re-exported): the UID is shared.
    twin = make_dataset(study_uid=generate_uid(), series_uid=generate_uid(), instance=1)
    write_part10(twin, source / "twins" / "a.dcm")
    twin.PixelData = b"\x02\x03" * 64
    write_part10(twin, source / "twins" / "b.dcm")
    shared_uid = str(twin.SOPInstanceUID)
    blank = make_dataset(study_uid=generate_uid(), series_uid=generate_uid(), instance=1)
    path = write_part10(blank, source / "blank" / "c.dcm")
    ds = dcmread(path)
    ds.SOPInstanceUID = ""
    ds.file_meta.MediaStorageSOPInstanceUID = UID("1.2.3")
    ds.save_as(path, enforce_file_format=False)

    result, index = pack_and_open(source, tmp_path)
    assert result.dicomdir is not None
    assert_tools_accept(result.dicomdir)
    ids = referenced(result.dicomdir)
    assert len(ids) == 4 + 2 + 1  # split study, two patients, first twin
    assert len({file_id for file_id, _ in ids}) == len(ids)
    assert [uid for _, uid in ids].count(shared_uid) == 1
    patients = [
        r
        for r in dcmread(result.dicomdir).DirectoryRecordSequence
        if r.DirectoryRecordType == "PATIENT"
    ]
    # Alice (split study, twins, blank) is one patient; Bob and Carol are their own.
    assert sorted(str(p.PatientID) for p in patients) == ["TP0001", "TP0002", "TP0003"]
    split_records = [
        r for r in index["records"] if r.get("study", {}).get("study_instance_uid") == split
    ]
    assert len(split_records) == 1 and len(split_records[0]["original_files"]) == 4

    by_original = {f["original"]: f for f in index["files"]}
    for name in ("twins/a.dcm", "twins/b.dcm", "blank/c.dcm"):
        assert name in by_original, name
        copy = result.bag_dir / by_original[name]["path"]
        assert copy.read_bytes() == (source / name).read_bytes()
    out = [by_original[n] for n in ("twins/a.dcm", "twins/b.dcm")]
    assert sum(f["path"].startswith("data/imaging/") for f in out) == 1
    left_out = next(f for f in out if not f["path"].startswith("data/imaging/"))
    assert (
        left_out["path"].startswith("data/records/") and "same SOP Instance UID" in left_out["note"]
    )
    blank_file = by_original["blank/c.dcm"]
    assert blank_file["path"].startswith("data/records/")
    assert "SOP Instance UID is missing" in blank_file["note"]
