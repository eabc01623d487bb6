"""Archives with two entries of one name: never guessed at, never the wrong bytes packed.

A zip may hold ``results/result.hl7`` twice (a pathology report, then an old
blood count). Which one a tool picks by name depends on the tool, so scan reads
neither, says so on the archive, and pack never copies a member by a name that
two entries share; what it copies is checked against what scan read.
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pytest

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.bundle.pack import pack
from recordpack.bundle.reader import open_bundle
from recordpack.checking import check
from recordpack.errors import BundleError
from recordpack.manifest import load_manifest
from recordpack.model import ScanResult
from recordpack.scan import scan_folder

PATHOLOGY = "\r".join(
    [
        "MSH|^~\\&|PATH|NB|PORTAL|PT|20260815120000||ORU^R01|9|P|2.5.1",
        "PID|1||00512873^^^NB^MR||FENWICK^ROSALIND^J||19640229|F",
        "OBR|1|||60567-5^Surgical pathology report^LN|||20260814||||||||||||||||SP|F",
        "OBX|1|TX|22634-0^Pathology report final diagnosis^LN||SURGICAL PATHOLOGY REPORT. "
        "FINAL DIAGNOSIS: Invasive ductal carcinoma grade 2. ER positive, PR positive, "
        "HER2 negative.||||||F",
    ]
).encode() + b"\r"


def blood_count(name: str, date: str) -> bytes:
    """An HL7 complete blood count for ``name`` (FAMILY^GIVEN) collected on ``date``."""
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|NB|PORTAL|PT|{date}0800||ORU^R01|7|P|2.5.1",
            f"PID|1||00512873^^^NB^MR||{name}||19640229|F",
            f"OBR|1|||58410-2^CBC panel^LN|||{date}0730||||||||||||||||HM|F",
            "OBX|1|NM|718-7^Hemoglobin^LN||12.9|g/dL|12.0-16.0|N|||F",
            "OBX|2|NM|6690-2^Leukocytes^LN||6.1|10*3/uL|4.0-11.0|N|||F",
        ]
    ).encode() + b"\r"


CBC = blood_count("FENWICK^ROSALIND^J", "20260601")
NOTE = b"CLINIC NOTE\nPatient: FENWICK, ROSALIND J  DOB: 1964-02-29\nDate: 2026-11-02\n"


def zip_of(entries: list[tuple[str, bytes]]) -> bytes:
    """A zip holding ``entries`` in order, duplicate names included."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return buffer.getvalue()


def folder_with(root: Path, entries: list[tuple[str, bytes]]) -> Path:
    (root / "Downloads").mkdir(parents=True)
    (root / "Downloads" / "portal.zip").write_bytes(zip_of(entries))
    return root


def from_zip(scan: ScanResult) -> list[str]:
    return [f for r in scan.records for f in r.files if f.startswith("Downloads/portal.zip!")]


SAME_NAMES = [
    pytest.param("results/result.hl7", "results/result.hl7", id="identical"),
    pytest.param("Results/Result.HL7", "results/result.hl7", id="case"),
    pytest.param("results/./result.hl7", "results/result.hl7", id="dot-part"),
    pytest.param("results\\result.hl7", "results/result.hl7", id="backslash"),
    pytest.param(
        unicodedata.normalize("NFD", "résultats/r.hl7"),
        unicodedata.normalize("NFC", "résultats/r.hl7"),
        id="unicode-form",
    ),
]


@pytest.mark.parametrize(("first", "second"), SAME_NAMES)
def test_scan_reads_neither_entry_and_says_why_on_the_archive(
    tmp_path: Path, first: str, second: str
) -> None:
    root = folder_with(tmp_path / "f", [(first, PATHOLOGY), (second, CBC), ("note.txt", NOTE)])
    scan = scan_folder(root)
    assert from_zip(scan) == ["Downloads/portal.zip!note.txt"]
    (problem,) = [p for p in scan.problems if p.code == "duplicate_name"]
    assert problem.path == "Downloads/portal.zip"
    assert problem.paths and all(p.startswith("Downloads/portal.zip!") for p in problem.paths)
    assert "none of them was read" in problem.message
    shown = {p.split("!", 1)[1] for p in problem.paths}
    assert shown == {first.replace("\\", "/"), second}
    assert problem.hint is not None and "rename" in problem.hint


def test_check_does_not_count_the_pathology_report_it_cannot_tell_apart(tmp_path: Path) -> None:
    root = folder_with(
        tmp_path / "f", [("results/result.hl7", PATHOLOGY), ("results/result.hl7", CBC)]
    )
    report = check(scan_folder(root), load_manifest("general"), as_of=None)
    pathology = next(r for r in report.to_json()["requirements"] if r["id"] == "pathology")
    assert pathology["status"] != "met" and pathology["files"] == []
    assert not report.ok
    (finding,) = [f for f in report.findings if f.code == "duplicate_name"]
    assert "results/result.hl7" in finding.message


@pytest.fixture(scope="module")
def identity() -> age.X25519Identity:
    return age.X25519Identity.generate()


def test_the_bundle_holds_the_zip_as_it_was_and_no_guessed_member(
    tmp_path: Path, identity: age.X25519Identity
) -> None:
    entries = [("results/result.hl7", PATHOLOGY), ("results/result.hl7", CBC), ("note.txt", NOTE)]
    root = folder_with(tmp_path / "f", entries)
    bundle = tmp_path / "b.rpk"
    pack(scan_folder(root), bundle, recipients=[identity.recipient()])
    opened = open_bundle(bundle, [identity], tmp_path / "opened")
    files = {f["original"]: f for f in opened.index["files"] if f.get("original")}
    assert not any(o.startswith("Downloads/portal.zip!results/") for o in files)
    # The member scan could tell apart is laid out, byte for byte.
    note = files["Downloads/portal.zip!note.txt"]
    assert not note["path"].startswith(fmt.ORIGINALS_DIR)
    assert (opened.bag_dir / note["path"]).read_bytes() == NOTE
    # The download itself travels whole, both entries in it.
    original = opened.bag_dir / files["Downloads/portal.zip"]["path"]
    assert original.read_bytes() == (root / "Downloads" / "portal.zip").read_bytes()


def test_pack_never_copies_a_member_by_a_name_two_entries_share(
    tmp_path: Path, identity: age.X25519Identity
) -> None:
    """A scan made before the rule (or saved then) names a member two entries share."""
    member = "Downloads/portal.zip!results/result.hl7"
    before = scan_folder(folder_with(tmp_path / "a", [("results/result.hl7", PATHOLOGY)]))
    root = folder_with(
        tmp_path / "b", [("results/result.hl7", PATHOLOGY), ("Results/result.hl7", PATHOLOGY)]
    )
    now = scan_folder(root)
    assert from_zip(now) == []
    old_style = dataclasses.replace(
        now,
        records=(*now.records, *(r for r in before.records if member in r.files)),
        files={**now.files, member: before.files[member]},
    )
    bundle = tmp_path / "b.rpk"
    with pytest.raises(BundleError, match="more than one file by this name") as raised:
        pack(old_style, bundle, recipients=[identity.recipient()])
    assert member in str(raised.value)
    assert not bundle.exists()


def test_an_unsafe_name_is_shown_as_it_is_in_the_archive(tmp_path: Path) -> None:
    root = folder_with(tmp_path / "f", [("../../evil.hl7", CBC)])
    report = check(scan_folder(root), load_manifest("general"), as_of=None)
    (finding,) = [f for f in report.findings if f.code == "unsafe_name"]
    assert finding.paths == ("Downloads/portal.zip!../../evil.hl7",)
    assert finding.message.startswith("Downloads/portal.zip!../../evil.hl7: ")
    assert "'..'" in finding.message


def test_a_7z_with_two_entries_of_one_name_reads_neither(tmp_path: Path) -> None:
    py7zr = pytest.importorskip("py7zr")
    (tmp_path / "f").mkdir()
    with py7zr.SevenZipFile(tmp_path / "f" / "portal.7z", "w") as archive:
        archive.writestr(PATHOLOGY, "results/result.hl7")
        archive.writestr(CBC, "results/result.hl7")
        archive.writestr(NOTE, "note.txt")
    scan = scan_folder(tmp_path / "f")
    assert [f for r in scan.records for f in r.files] == ["portal.7z!note.txt"]
    (problem,) = [p for p in scan.problems if p.code == "duplicate_name"]
    assert problem.path == "portal.7z" and "results/result.hl7" in problem.message
