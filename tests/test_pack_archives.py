"""pack: records inside zipped downloads reach the specialist laid out, not only zipped.

An image-exchange portal delivers a CT study as ``imaging.zip``; a patient portal
delivers a report as ``portal.zip``. The specialist's DICOM viewer must find the
study in the bundle's DICOMDIR and index.html must link the report, while the
zips themselves still travel byte for byte. Judged by ``age``, ``unzip``,
bagit-python, dcmtk, dicom3tools and pydicom.
"""

from __future__ import annotations

import hashlib
import html.parser
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.bundle.pack import pack
from recordpack.errors import BundleError
from recordpack.scan import scan_folder
from tests.cli_runs import run
from tests.pack_folder import PATIENT, REPORT, SERIES_UIDS, dicom_bytes, pdf_bytes
from tests.prerequisites import require_tool

OLD_LETTER = pdf_bytes(
    "CLINIC LETTER",
    "Patient: QUILL, AVERY   DOB: 1970-05-06",
    "Date: 2025-02-03",
    "Seen in the breast clinic for follow-up.",
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def build_folder(root: Path) -> dict[str, dict[str, bytes]]:
    """imaging.zip (a 2-series CT study), portal.zip (a report, and an older zip inside)."""
    imaging: dict[str, bytes] = {}
    for s, series_uid in enumerate(SERIES_UIDS):
        for i in range(3 - s):
            data, _uid = dicom_bytes(series_uid, s + 1, i + 1)
            imaging[f"STUDY1/SERIES{s + 1}/IM{i + 1:04d}"] = data
    portal = {
        "Reports/Surgical pathology.pdf": REPORT,
        "older/previous download.zip": zip_bytes({"letter.pdf": OLD_LETTER}),
    }
    root.mkdir(parents=True)
    (root / "imaging.zip").write_bytes(zip_bytes(imaging))
    (root / "Downloads").mkdir()
    (root / "Downloads" / "portal.zip").write_bytes(zip_bytes(portal))
    return {"imaging.zip": imaging, "Downloads/portal.zip": portal}


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if tag == "a" and k == "href" and v]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory, key: tuple[Path, str]) -> dict[str, Any]:
    """The folder packed by the CLI, decrypted by ``age`` and unzipped by ``unzip``."""
    age_tool = require_tool("age", "age")
    unzip = require_tool("unzip", "unzip")
    work = tmp_path_factory.mktemp("zipped")
    folder = work / "records"
    contents = build_folder(folder)
    bundle = work / "b.rpk"
    packed = run("pack", folder, "-o", bundle, "--to", key[1], "--json")
    assert packed.exit_code == 0, packed.output
    plain = work / "b.zip"
    subprocess.run([age_tool, "-d", "-i", key[0], "-o", plain, bundle], check=True)
    subprocess.run([unzip, "-q", plain, "-d", work / "unzipped"], check=True)
    (bag,) = (work / "unzipped").iterdir()
    return {
        "folder": folder,
        "contents": contents,
        "bundle": bundle,
        "bag": bag,
        "summary": json.loads(packed.stdout),
        "index": json.loads((bag / fmt.INDEX_JSON).read_text()),
    }


@pytest.mark.interop
def test_zipped_study_is_in_the_dicomdir_that_dcmtk_dicom3tools_and_pydicom_accept(
    unpacked: dict[str, Any],
) -> None:
    from pydicom import dcmread
    from pydicom.fileset import FileSet

    dicomdir = unpacked["bag"] / fmt.DICOMDIR_PATH
    assert dicomdir.is_file(), "no DICOMDIR: the zipped study is invisible to a viewer"
    dcmftest = require_tool("dcmftest", "dcmtk")
    done = subprocess.run([dcmftest, dicomdir], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("yes"), done.stdout + done.stderr
    dciodvfy = require_tool("dciodvfy", "dicom3tools")
    done = subprocess.run([dciodvfy, dicomdir], capture_output=True, text=True, check=False)
    assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr

    zipped = unpacked["contents"]["imaging.zip"]
    expected = {dcmread(io.BytesIO(data)).SOPInstanceUID for data in zipped.values()}
    fileset = FileSet(dcmread(dicomdir))
    assert {i.SOPInstanceUID for i in fileset} == expected
    assert {i.SeriesInstanceUID for i in fileset} == set(SERIES_UIDS)
    for instance in fileset:
        assert instance.load().PatientID == PATIENT.id  # the viewer loads the real file
    assert unpacked["summary"]["images_in_dicomdir"] == len(zipped)
    (study,) = [r for r in unpacked["index"]["records"] if r.get("study")]
    assert study["study"]["dicomdir"] == fmt.DICOMDIR_PATH


def test_each_member_is_in_the_bag_byte_for_byte_where_the_index_says(
    unpacked: dict[str, Any],
) -> None:
    bag, index = unpacked["bag"], unpacked["index"]
    files = {f["original"]: f for f in index["files"] if f["original"]}
    for archive, members in unpacked["contents"].items():
        # The download itself travels as it was.
        original = files[archive]
        assert original["path"].startswith(fmt.ORIGINALS_DIR + "/")
        assert sha((bag / original["path"]).read_bytes()) == sha(
            (unpacked["folder"] / archive).read_bytes()
        )
        for name, data in members.items():
            if name.endswith(".zip"):
                continue  # a zip inside the zip stays inside it
            entry = files[f"{archive}!{name}"]
            assert not entry["path"].startswith(fmt.ORIGINALS_DIR)
            assert (bag / entry["path"]).read_bytes() == data
            assert entry["sha256"] == sha(data) and entry["size"] == len(data)
    report = next(r for r in index["records"] if r["kind"] == "pathology_report")
    assert report["original_files"] == ["Downloads/portal.zip!Reports/Surgical pathology.pdf"]
    (path,) = report["files"]
    assert path.startswith(f"{fmt.RECORDS_DIR}/01-pathology_report/") and path.endswith(".pdf")
    assert (bag / path).read_bytes() == REPORT


def test_a_record_two_zips_deep_stays_in_its_download(unpacked: dict[str, Any]) -> None:
    index = unpacked["index"]
    inner = "Downloads/portal.zip!older/previous download.zip!letter.pdf"
    (letter,) = [r for r in index["records"] if inner in r["original_files"]]
    assert letter["files"] == [f"{fmt.ORIGINALS_DIR}/Downloads/portal.zip"]
    assert letter["archive_members"] == [
        {
            "archive": f"{fmt.ORIGINALS_DIR}/Downloads/portal.zip",
            "member": "older/previous download.zip!letter.pdf",
        }
    ]
    assert not any(f["original"] == inner for f in index["files"])


def test_index_html_links_the_zipped_report(unpacked: dict[str, Any]) -> None:
    bag, index = unpacked["bag"], unpacked["index"]
    parser = _Links()
    parser.feed((bag / fmt.INDEX_HTML).read_text())
    report = next(r for r in index["records"] if r["kind"] == "pathology_report")
    from urllib.parse import unquote

    targets = {unquote(link) for link in parser.links}
    assert report["files"][0] in targets and report["files"][0].endswith(".pdf")
    assert all((bag / t).is_file() for t in targets if not t.startswith("#"))


@pytest.mark.interop
def test_bagit_validates_and_recordpack_opens_and_verifies(
    unpacked: dict[str, Any], key: tuple[Path, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", unpacked["bag"]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verified = run("verify", unpacked["bundle"], "-i", key[0])
    assert verified.exit_code == 0, verified.output
    opened = run("open", unpacked["bundle"], "-i", key[0], "-o", tmp_path / "opened")
    assert opened.exit_code == 0, opened.output
    report = next(r for r in unpacked["index"]["records"] if r["kind"] == "pathology_report")
    bag = tmp_path / "opened" / unpacked["index"]["bag"]
    assert (bag / report["files"][0]).read_bytes() == REPORT


def test_a_zip_rewritten_after_the_scan_stops_the_pack(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    build_folder(folder)
    scan = scan_folder(folder)
    # The portal download is fetched again between scan and pack: same names, new report.
    changed = zip_bytes(
        {
            "Reports/Surgical pathology.pdf": pdf_bytes("SURGICAL PATHOLOGY REPORT", "ADDENDUM"),
            "older/previous download.zip": zip_bytes({"letter.pdf": OLD_LETTER}),
        }
    )
    (folder / "Downloads" / "portal.zip").write_bytes(changed)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(BundleError, match="changed while packing") as raised:
        pack(scan, out_dir / "b.rpk", recipients=[age.X25519Identity.generate().recipient()])
    assert "portal.zip" in str(raised.value)
    assert "Scan the folder again" in (raised.value.hint or "")
    assert list(out_dir.iterdir()) == []


def test_a_zip_rewritten_during_the_pack_is_caught_in_its_members(tmp_path: Path) -> None:
    """The zip is read twice (copied whole, then member by member): a new download
    landing in between must not put unchecked images in the DICOMDIR."""
    folder = tmp_path / "records"
    contents = build_folder(folder)
    scan = scan_folder(folder)
    rewritten = {name: dicom_bytes(SERIES_UIDS[0], 1, 7)[0] for name in contents["imaging.zip"]}
    replaced: list[str] = []

    def progress(done: int, total: int, label: str) -> None:
        # The whole zip has just been copied (and matched scan): now it changes.
        if label == "imaging.zip" and not replaced:
            fresh = folder / "imaging.zip.part"
            fresh.write_bytes(zip_bytes(rewritten))
            os.replace(fresh, folder / "imaging.zip")  # as a browser finishes a download
            replaced.append(label)

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(BundleError, match="changed while packing") as raised:
        pack(
            scan,
            out_dir / "b.rpk",
            recipients=[age.X25519Identity.generate().recipient()],
            progress=progress,
        )
    assert replaced and str(raised.value).startswith("imaging.zip!STUDY1/")
    assert list(out_dir.iterdir()) == []
