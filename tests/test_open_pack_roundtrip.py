"""End to end on real records: scan the public corpus, pack it, open it.

Every record file comes back byte for byte under its mapped path, and the
opened bag passes bagit-python's own validation (library and ``bagit.py``).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle.reader import inspect_bundle, open_bundle, verify_bundle
from recordpack.model import ARCHIVE_SEP
from tests.prerequisites import missing, require_tool


@pytest.fixture(scope="module")
def packed(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from recordpack import age
    from recordpack.bundle.pack import pack
    from recordpack.scan import scan_folder

    folder = tmp_path_factory.mktemp("roundtrip")
    # The whole corpus, including UN_sequence.dcm (a Part 10 file with an empty
    # SOP Instance UID): pack keeps such an image out of the DICOMDIR, not out of the bag.
    identity = age.X25519Identity.generate()
    scan = scan_folder(corpus)
    bundle = folder / "corpus.rpk"
    pack(scan, bundle, recipients=[identity.recipient()])
    result = open_bundle(bundle, [identity], folder / "opened")
    return {"scan": scan, "bundle": bundle, "identity": identity, "result": result}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_record_file_comes_back_byte_for_byte(packed: dict[str, Any]) -> None:
    result = packed["result"]
    corpus = Path(packed["scan"].root)
    index = result.index
    by_original = {f["original"]: f for f in index["files"] if f.get("original")}
    duplicates = {d["original"] for d in index.get("duplicates", [])}
    record_files = {
        path.split(ARCHIVE_SEP, 1)[0] for record in packed["scan"].records for path in record.files
    }
    assert record_files, "the corpus scan found no records"
    for original in sorted(record_files):
        if original in duplicates:
            continue
        assert original in by_original, f"{original} is not in the bundle's index"
        packed_file = result.bag_dir / by_original[original]["path"]
        assert sha256(packed_file) == sha256(corpus / original), original


def test_opened_bag_passes_bagit_validation(packed: dict[str, Any]) -> None:
    import bagit  # a declared test dependency: missing, the test fails
    bag = bagit.Bag(str(packed["result"].bag_dir))
    bag.validate()  # raises BagValidationError on any problem
    assert bag.info["Payload-Oxum"].endswith(f".{packed['result'].files}")


@pytest.mark.interop
def test_bagit_py_validate_accepts_the_opened_bag(packed: dict[str, Any]) -> None:
    tool = require_tool("bagit.py", "bagit (pip install bagit)")
    done = subprocess.run(
        [tool, "--validate", str(packed["result"].bag_dir)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.interop
def test_dcmftest_accepts_the_opened_dicomdir(packed: dict[str, Any]) -> None:
    tool = require_tool("dcmftest", "dcmtk")
    dicomdir = packed["result"].dicomdir
    if dicomdir is None:
        missing("the corpus produced no DICOM file-set")
    done = subprocess.run([tool, str(dicomdir)], check=False, capture_output=True, text=True)
    assert done.returncode == 0 and "yes" in done.stdout, done.stdout + done.stderr


@pytest.mark.interop
def test_dciodvfy_finds_no_error_in_the_opened_dicomdir(packed: dict[str, Any]) -> None:
    tool = require_tool("dciodvfy", "dicom3tools")
    dicomdir = packed["result"].dicomdir
    assert dicomdir is not None
    done = subprocess.run(
        [tool, "DICOMDIR"], cwd=dicomdir.parent, check=False, capture_output=True, text=True
    )
    output = done.stdout + done.stderr
    assert "BasicDirectory" in output and "Error" not in output, output


def test_images_left_out_of_the_dicomdir_are_in_the_bag_with_a_reason(
    packed: dict[str, Any],
) -> None:
    by_original = {f["original"]: f for f in packed["result"].index["files"]}
    entry = by_original["dicom/pydicom/UN_sequence.dcm"]
    assert entry["path"].startswith("data/records/")
    assert "SOP Instance UID" in entry["note"]


def test_verify_and_inspect_agree_with_open(packed: dict[str, Any]) -> None:
    verified = verify_bundle(packed["bundle"], [packed["identity"]])
    assert verified.files == packed["result"].files
    assert inspect_bundle(packed["bundle"], [packed["identity"]]) == packed["result"].index
