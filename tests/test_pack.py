"""pack(): the bundle a specialist receives, checked with independent tools where they exist."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.bundle.pack import pack
from recordpack.errors import BundleError, UsageError
from recordpack.model import ScanResult
from tests.pack_folder import PATIENT, make_patient_folder, tree_snapshot
from tests.prerequisites import require_tool


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, ScanResult]:
    root = tmp_path / "records"
    return root, make_patient_folder(root)


def decrypt_zip(bundle: Path, identities: Sequence[age.Identity]) -> zipfile.ZipFile:
    with open(bundle, "rb") as src:
        data = age.decrypt_reader(src, identities).read()
    return zipfile.ZipFile(io.BytesIO(data))


def read_index(zf: zipfile.ZipFile) -> dict[str, Any]:
    (name,) = [n for n in zf.namelist() if n.endswith("/" + fmt.INDEX_JSON)]
    return json.loads(zf.read(name))  # type: ignore[no-any-return]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.interop
def test_round_trip_with_age_unzip_bagit_dcmtk_dicom3tools(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    """The whole promise of BUNDLE.md, checked by tools recordpack did not write."""
    age_tool = require_tool("age", "age")
    require_tool("unzip", "unzip")
    root, scan = folder
    before = tree_snapshot(root)
    key = tmp_path / "key.txt"
    age.write_identity_file(key, identity)
    bundle = tmp_path / "out" / "records.rpk"
    bundle.parent.mkdir()

    summary = pack(scan, bundle, recipients=[identity.recipient()])

    assert summary.path == bundle and bundle.stat().st_size == summary.size
    assert tree_snapshot(root) == before, "the source folder must not change"
    assert sorted(p.name for p in bundle.parent.iterdir()) == ["records.rpk"]  # no temp file left

    plain = tmp_path / "bundle.zip"
    subprocess.run([age_tool, "-d", "-i", str(key), "-o", str(plain), str(bundle)], check=True)
    extract = tmp_path / "x"
    subprocess.run(["unzip", "-q", str(plain), "-d", str(extract)], check=True)
    (bag,) = list(extract.iterdir())
    assert fmt.BAG_NAME_RE.match(bag.name) and bag.name.endswith("-avery-quill")

    validate = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(bag)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validate.returncode == 0, validate.stderr[-2000:]

    index = json.loads((bag / "index.json").read_text())
    source_digests = {
        p.relative_to(root).as_posix(): sha(p.read_bytes()) for p in root.rglob("*") if p.is_file()
    }
    members = {
        f"{p.relative_to(root).as_posix()}!{name}": sha(zipfile.ZipFile(p).read(name))
        for p in root.rglob("*.zip")
        for name in zipfile.ZipFile(p).namelist()
    }
    packed = {f["path"]: f for f in index["files"]}
    # Every payload file in the bag is listed, byte for byte, with its original path.
    on_disk = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    assert on_disk == set(packed)
    for path, entry in packed.items():
        data = (bag / path).read_bytes()
        assert sha(data) == entry["sha256"] and len(data) == entry["size"]
        if entry["original"] is not None:
            assert (source_digests | members)[entry["original"]] == entry["sha256"]
    # Every record file of the source is there (duplicates once), clutter is not.
    originals = {e["original"] for e in packed.values()}
    dups = {d["original"]: d["same_as"] for d in index["duplicates"]}
    for path, digest in source_digests.items():
        if path == ".DS_Store":
            assert path not in originals
            continue
        if path in dups:
            assert packed[dups[path]]["sha256"] == digest
        else:
            assert path in originals, path
    assert dups == {
        "Downloads/report(3) copy.pdf": "data/records/01-pathology_report/2026-08-20_surgical-pathology-report.pdf"
    }
    assert not any(".DS_Store" in p for p in on_disk)
    assert index["skipped"] == [{"path": ".DS_Store", "reason": "system file"}]

    dicomdir = bag / fmt.DICOMDIR_PATH
    dcmftest = require_tool("dcmftest", "dcmtk")
    result = subprocess.run([dcmftest, str(dicomdir)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("yes"), result.stdout + result.stderr
    dciodvfy = require_tool("dciodvfy", "dicom3tools")
    result = subprocess.run([dciodvfy, str(dicomdir)], capture_output=True, text=True, check=False)
    assert "Error" not in result.stdout + result.stderr, result.stdout + result.stderr

    from pydicom import dcmread
    from pydicom.fileset import FileSet

    fileset = FileSet(dcmread(dicomdir))
    uids = {inst.SOPInstanceUID for inst in fileset}
    study = next(r for r in scan.records if r.study is not None).study
    assert study is not None
    part10 = {i.sop_instance_uid for s in study.series for i in s.instances if i.part10}
    assert uids == part10
    for instance in fileset:
        assert instance.load().PatientID == PATIENT.id
    # The DICOM file without a PS3.10 header is kept with the records, and the index says why.
    raw = next(e for e in packed.values() if e["original"] == "CD/DICOM/S1/RAW9")
    assert raw["path"].startswith("data/records/02-imaging_study/") and "DICOMDIR" in raw["note"]


def test_index_maps_records_archives_and_problems(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    _root, scan = folder
    bundle = tmp_path / "b.rpk"
    pack(scan, bundle, recipients=[identity.recipient()])
    zf = decrypt_zip(bundle, [identity])
    index = read_index(zf)
    names = zf.namelist()
    bag = index["bag"]
    assert all(n.startswith(f"{bag}/") for n in names)
    # Payload first, then the tag files in the documented order (index.json near the end).
    tail = [n.split("/", 1)[1] for n in names[-len(fmt.TAG_FILES) :]]
    assert tail == list(fmt.TAG_FILES)
    assert index["version"] == fmt.INDEX_VERSION and index["check"] is None
    assert index["encryption"] == {"recipients": [str(identity.recipient())], "passphrase": False}
    # The folder's patient as check decides it; a DICOM name reads as people write it.
    assert index["patient"] == {**PATIENT.to_json(), "name": "QUILL, AVERY"}
    by_kind = {r["kind"]: r for r in index["records"]}
    ccd = by_kind["patient_summary"]
    # A record inside a zip is laid out like any other; the zip goes in as it was too.
    assert ccd["files"] == [
        "data/records/11-patient_summary/undated_continuity-of-care-document.xml"
    ]
    assert ccd["original_files"] == ["portal export.zip!ccd.xml"] and "archive_members" not in ccd
    files = {f["path"]: f for f in index["files"]}
    assert files[ccd["files"][0]]["original"] == "portal export.zip!ccd.xml"
    assert files["data/originals/portal export.zip"]["members"] == ["ccd.xml"]
    assert by_kind["imaging_study"]["study"]["dicomdir"] == fmt.DICOMDIR_PATH
    assert by_kind["lab_result"]["files"] == [
        "data/records/04-lab_result/2026-08-01_complete-blood-count.txt"
    ]
    broken = next(f for f in index["files"] if f["original"] == "broken.pdf")
    assert broken["role"] == fmt.FILE_ROLE_PROBLEM
    assert {
        "path": "broken.pdf",
        "code": "unreadable",
        "message": "PDF ends early: the file is incomplete",
    } in index["problems"]
    # Text is deflated, images and PDFs stored.
    infos = {i.filename.split("/", 1)[1]: i for i in zf.infolist()}
    assert (
        infos["data/records/04-lab_result/2026-08-01_complete-blood-count.txt"].compress_type
        == zipfile.ZIP_DEFLATED
    )
    assert (
        infos["data/imaging/PT000000/ST000000/SE000000/IM000000"].compress_type
        == zipfile.ZIP_STORED
    )
    assert (
        infos[
            "data/records/01-pathology_report/2026-08-20_surgical-pathology-report.pdf"
        ].compress_type
        == zipfile.ZIP_STORED
    )
    # The human index names the patient and links the files; untrusted text is escaped.
    html = zf.read(f"{bag}/index.html").decode()
    assert (
        "QUILL, AVERY" in html
        and 'href="data/records/04-lab_result/2026-08-01_complete-blood-count.txt"' in html
    )
    assert "<script" not in html and "http://" not in html.split("</style>")[0]
    readme = zf.read(f"{bag}/README.txt").decode()
    assert (
        "age -d -i key.txt" in readme and "DICOMDIR" in readme and "bagit.py --validate" in readme
    )


def test_untrusted_titles_are_escaped_in_index_html(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    import dataclasses

    _root, scan = folder
    hostile = dataclasses.replace(scan.records[3], title='<script>alert("x")</script> & <b>')
    scan = dataclasses.replace(scan, records=scan.records[:3] + (hostile,) + scan.records[4:])
    bundle = tmp_path / "b.rpk"
    pack(scan, bundle, recipients=[identity.recipient()])
    zf = decrypt_zip(bundle, [identity])
    html = zf.read(f"{read_index(zf)['bag']}/index.html").decode()
    assert (
        "<script>" not in html
        and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    )


def test_exclude_leaves_files_out_and_says_so(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    _root, scan = folder
    bundle = tmp_path / "b.rpk"
    summary = pack(scan, bundle, recipients=[identity.recipient()], exclude=["labs", "*.zip"])
    index = read_index(decrypt_zip(bundle, [identity]))
    originals = {f["original"] for f in index["files"]}
    assert "labs/cbc 2026-08-01.txt" not in originals and "portal export.zip" not in originals
    assert {x["original"] for x in index["excluded"]} == {
        "labs/cbc 2026-08-01.txt",
        "portal export.zip!ccd.xml",
    }
    assert "lab_result" not in summary.records_by_kind and summary.excluded == 2


def test_changed_file_stops_the_pack_and_leaves_nothing(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    root, scan = folder
    target = root / "labs/cbc 2026-08-01.txt"
    target.write_bytes(target.read_bytes().replace(b"6.1", b"9.9"))  # same size, other bytes
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BundleError, match="labs/cbc 2026-08-01.txt changed while packing") as info:
        pack(scan, out / "b.rpk", recipients=[identity.recipient()])
    assert "scan" in (info.value.hint or "").lower()
    assert list(out.iterdir()) == []


def test_failure_mid_pack_leaves_no_file_and_no_temp(
    folder: tuple[Path, ScanResult],
    identity: age.X25519Identity,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, scan = folder
    before = tree_snapshot(root)
    out = tmp_path / "out"
    out.mkdir()
    from recordpack.bundle import pack as pack_module

    real_copy = pack_module._copy_file
    calls = {"n": 0}

    def failing_copy(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # Ctrl-C half-way through
        return real_copy(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_module, "_copy_file", failing_copy)
    with pytest.raises(KeyboardInterrupt):
        pack(scan, out / "b.rpk", recipients=[identity.recipient()])
    assert list(out.iterdir()) == []
    assert tree_snapshot(root) == before


def test_unreadable_source_is_named(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    root, scan = folder
    (root / "MyChart/CT report.pdf").unlink()
    with pytest.raises(BundleError, match="MyChart/CT report.pdf disappeared"):
        pack(scan, tmp_path / "b.rpk", recipients=[identity.recipient()])
    assert not (tmp_path / "b.rpk").exists()


def test_existing_output_is_kept_unless_forced(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    _root, scan = folder
    out = tmp_path / "b.rpk"
    out.write_bytes(b"precious")
    with pytest.raises(UsageError, match="already exists"):
        pack(scan, out, recipients=[identity.recipient()])
    assert out.read_bytes() == b"precious"
    pack(scan, out, recipients=[identity.recipient()], force=True)
    assert read_index(decrypt_zip(out, [identity]))["bag"]


def test_output_inside_the_source_folder_is_refused(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity
) -> None:
    root, scan = folder
    before = tree_snapshot(root)
    with pytest.raises(UsageError, match="inside the folder being packed"):
        pack(scan, root / "MyChart" / "b.rpk", recipients=[identity.recipient()])
    assert tree_snapshot(root) == before


def test_passphrase_cannot_mix_with_keys(
    folder: tuple[Path, ScanResult], identity: age.X25519Identity, tmp_path: Path
) -> None:
    _root, scan = folder
    with pytest.raises(UsageError, match="passphrase cannot be combined"):
        pack(
            scan,
            tmp_path / "b.rpk",
            recipients=[identity.recipient(), age.ScryptRecipient("a b c d e")],
        )
    with pytest.raises(UsageError, match="no recipient"):
        pack(scan, tmp_path / "b.rpk", recipients=[])


@pytest.mark.interop
def test_passphrase_bundle_opens_with_age_through_a_terminal(
    folder: tuple[Path, ScanResult], tmp_path: Path
) -> None:
    """age reads a passphrase only from a terminal: drive it through script(1)'s pty."""
    age_tool = require_tool("age", "age")
    require_tool("script", "bsdutils")
    _root, scan = folder
    bundle = tmp_path / "b.rpk"
    passphrase = "lantern-otter-quilt-maple-harbor-violin-toast"
    summary = pack(scan, bundle, recipients=[age.ScryptRecipient(passphrase, work_factor=10)])
    assert summary.passphrase and summary.recipients == ()
    # recordpack itself opens it with the passphrase...
    assert read_index(decrypt_zip(bundle, [age.ScryptIdentity(passphrase)]))["encryption"] == {
        "recipients": [],
        "passphrase": True,
    }
    # ...and so does the standard age tool.
    plain = tmp_path / "b.zip"
    command = f"{age_tool} -d -o {plain} {bundle}"
    run = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        input=passphrase + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TERM": "dumb"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert zipfile.ZipFile(plain).testzip() is None


def test_the_bundle_is_flushed_to_disk_while_written_and_a_failed_flush_leaves_nothing(
    folder: tuple[Path, ScanResult],
    identity: age.X25519Identity,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    from recordpack.bundle import pack as pack_module

    _, scan = folder
    flushed: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(pack_module, "SYNC_EVERY", 4096)  # flush in the background often

    def counted_fdatasync(fd: int) -> None:
        flushed.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", counted_fdatasync)
    out = tmp_path / "ok.rpk"
    summary = pack(scan, out, recipients=[identity.recipient()])
    assert flushed, "the bundle was not flushed while it was written"
    assert summary.sha256 == sha(out.read_bytes())
    assert read_index(decrypt_zip(out, [identity]))["files"]

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdatasync", full_disk)
    failed = tmp_path / "failed.rpk"
    with pytest.raises(BundleError, match="No space left"):
        pack(scan, failed, recipients=[identity.recipient()])
    assert not failed.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_the_index_of_many_files_is_written_in_a_few_times_its_size_of_memory() -> None:
    """A bundle of 20,000 files: its index.json, as json.dumps would write it, without
    the million-token list json.dumps joins (five times the file's size at the end
    of a pack of 30,000 files, when memory peaks)."""
    import tracemalloc

    from recordpack.bundle.pack import _json_file

    document = {
        "version": 1,
        "title": "Records of an invented patient, résumé included",
        "files": [
            {
                "path": f"data/imaging/ST0001/SE{n // 500:04d}/IM{n:06d}.dcm",
                "original": f"CD/DICOM/ST0001/SE{n // 500:04d}/IM{n:06d}",
                "sha256": hashlib.sha256(str(n).encode()).hexdigest(),
                "size": 524_288 + n,
                "kind": "imaging_study",
                "record": n // 500,
                "role": "image",
            }
            for n in range(20_000)
        ],
    }
    tracemalloc.start()
    try:
        written = _json_file(document)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode()
    assert peak < 3 * len(written), (peak, len(written))
