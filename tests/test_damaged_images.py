"""An image whose data is cut short is not counted as an image, nor listed in the DICOMDIR.

A study of three CT slices, two of them cut short (as a CD copied halfway leaves
them): scan says the study has 1 image and 2 damaged files; pack keeps the
damaged files in the bag as they came, with the records and marked, and the
DICOMDIR lists only the slice a viewer can show, which dcmftest and dciodvfy accept.
"""

from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from recordpack.bundle import format as fmt
from recordpack.bundle.index_model import parse_index
from tests.cli_runs import pack_and_open, run
from tests.prerequisites import missing, require_tool

STUDY = "1.2.826.0.1.3680043.8.498.4211"
SERIES = "1.2.826.0.1.3680043.8.498.4212"


def _slices(folder: Path) -> dict[str, bytes]:
    """pydicom's CT_small as three slices of one series: CD/IM1 whole, IM2 and IM3 cut short."""
    path = get_testdata_file("CT_small.dcm", download=False)
    if path is None:
        missing("pydicom test file CT_small.dcm is not installed")
    written: dict[str, bytes] = {}
    for number in (1, 2, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(str(path))
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyInstanceUID, ds.SeriesInstanceUID = STUDY, SERIES
        ds.InstanceNumber = number
        ds.PatientName, ds.PatientID = "TESTPERSON^ALICE", "TP0001"  # invented
        ds.StudyDescription = "CT CHEST"
        target = folder / "CD" / f"IM{number}"
        target.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(target, enforce_file_format=True)
        data = target.read_bytes()
        if number > 1:
            data = data[: len(data) - 20_000]  # the pixel data ends early
            target.write_bytes(data)
        written[f"CD/IM{number}"] = data
    return written


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    records = tmp_path / "records"
    _slices(records)
    return records


def test_scan_counts_only_the_images_that_can_be_looked_at(folder: Path) -> None:
    result = run("scan", folder, "--json")
    doc = json.loads(result.stdout)
    (study,) = [r for r in doc["records"] if r["kind"] == "imaging_study"]
    assert study["files"] == ["CD/IM1", "CD/IM2", "CD/IM3"]  # the damaged still belong to it
    assert "1 series, 1 image, 2 damaged)" in study["title"]
    assert study["study"]["instance_count"] == 1
    assert study["study"]["damaged_count"] == 2
    assert study["study"]["series"][0]["instances"] == 1
    assert sorted((p["path"], p["code"]) for p in doc["problems"]) == [
        ("CD/IM2", "unreadable"),
        ("CD/IM3", "unreadable"),
    ]
    assert all("ends early" in p["message"] for p in doc["problems"])


def _dicomdir_images(dicomdir: Path) -> list[tuple[str, ...]]:
    ds = pydicom.dcmread(dicomdir)
    return [
        tuple(item.ReferencedFileID)
        for item in ds.DirectoryRecordSequence
        if item.DirectoryRecordType == "IMAGE"
    ]


def test_pack_keeps_damaged_images_out_of_the_dicomdir_but_in_the_bag(
    tmp_path: Path, folder: Path
) -> None:
    originals = {f"CD/IM{n}": (folder / "CD" / f"IM{n}").read_bytes() for n in (1, 2, 3)}
    bag, index = pack_and_open(folder, tmp_path)

    dicomdir = bag / fmt.DICOMDIR_PATH
    images = _dicomdir_images(dicomdir)
    assert len(images) == 1
    (whole,) = [f for f in index["files"] if f["original"] == "CD/IM1"]
    assert whole["path"] == f"{fmt.IMAGING_DIR}/" + "/".join(images[0])

    for name in ("CD/IM2", "CD/IM3"):
        (entry,) = [f for f in index["files"] if f["original"] == name]
        assert entry["path"].startswith(f"{fmt.RECORDS_DIR}/")  # with the records
        assert "damaged" in entry["note"] and "not in the DICOMDIR" in entry["note"]
        assert (bag / entry["path"]).read_bytes() == originals[name]  # byte for byte
    assert (bag / whole["path"]).read_bytes() == originals["CD/IM1"]

    (record,) = [r for r in index["records"] if r["kind"] == "imaging_study"]
    assert record["study"]["instance_count"] == 1
    assert record["study"]["damaged_count"] == 2
    # open reads the index through its schema and keeps the count (what pack writes, open shows).
    (shown,) = [r.study for r in parse_index(index).records if r.study is not None]
    assert shown.damaged_count == 2 and shown.instance_count == 1
    assert record["study"]["dicomdir"] == fmt.DICOMDIR_PATH
    assert sorted(p["code"] for p in record["problems"]) == ["unreadable", "unreadable"]
    (preview,) = record["study"]["previews"]
    assert "path" in preview, preview  # drawn from the whole slice, not a damaged one

    folder_of_dicomdir = dicomdir.parent
    dcmftest = require_tool("dcmftest", "dcmtk")
    checked = subprocess.run(
        [dcmftest, "DICOMDIR"], cwd=folder_of_dicomdir, capture_output=True, text=True
    )
    assert checked.returncode == 0 and "yes:" in checked.stdout, checked.stdout + checked.stderr
    dciodvfy = require_tool("dciodvfy", "dicom3tools")
    checked = subprocess.run(
        [dciodvfy, "DICOMDIR"], cwd=folder_of_dicomdir, capture_output=True, text=True
    )
    assert "Error" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr
