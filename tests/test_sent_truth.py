"""What scan says is sent is what pack sends: archives, their copies, and what is inside them."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from tests.cli_runs import index_of, pack_and_open, run

OTHER = "Ysolde Brannigan-Fenwick"  # another patient, named only in an old receipt
RECEIPT = json.dumps({"version": 1, "receipt": True, "bundle": "yb.rpk", "patient": OTHER})


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A patient's report, an old download holding only a receipt and clutter (and a
    copy of it), and a portal zip holding a report and a receipt."""
    root = tmp_path_factory.mktemp("sent") / "Tobiah Quillfeather"
    root.mkdir()
    (root / "pathology.txt").write_text(
        "SURGICAL PATHOLOGY REPORT\nPatient: QUILLFEATHER, TOBIAH   MRN: 5519034\n"
        "DOB: 02/14/1961\nCollected: 03/11/2025\nFINAL DIAGNOSIS: Invasive ductal carcinoma.\n"
    )
    with zipfile.ZipFile(root / "old download.zip", "w") as zf:
        zf.writestr("sent.json", RECEIPT)
        zf.writestr(".DS_Store", b"\0\0\0\1Bud1")
    shutil.copy(root / "old download.zip", root / "old download (1).zip")
    with zipfile.ZipFile(root / "portal.zip", "w") as zf:
        zf.writestr("receipt copy.json", RECEIPT + "\n")
        zf.writestr(
            "radiology.txt",
            "RADIOLOGY REPORT\nPatient: QUILLFEATHER, TOBIAH   MRN: 5519034\n"
            "Exam date: 03/02/2025\nCT CHEST WITH CONTRAST\nIMPRESSION: No metastatic disease.\n",
        )
    return root


def _pack(folder: Path, tmp_path: Path, *extra: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``pack --json`` of ``folder`` and the bundle's index.json."""
    identity = age.X25519Identity.generate()
    bundle = tmp_path / "b.rpk"
    packed = run("pack", folder, "-o", bundle, "--to", str(identity.recipient()), "--json", *extra)
    assert packed.exit_code == 0, packed.output
    return json.loads(packed.stdout), index_of(bundle, [identity])


def _sent_archives(index: dict[str, Any]) -> set[str]:
    return {f["original"] for f in index["files"] if f["role"] == "original"}


def _assert_words_match_bundle(reasons: dict[str, str], index: dict[str, Any]) -> None:
    """Every "sent with it" is an archive in the bundle; every "never packed" or "not
    packed" is not."""
    sent = _sent_archives(index)
    originals = {f["original"] for f in index["files"]}
    for path, reason in reasons.items():
        archive = path.split("!", 1)[0]
        if "sent with it" in reason:
            assert archive in sent, (path, reason)
        if "never packed" in reason or "not packed" in reason:
            assert archive not in originals, (path, reason)


def test_an_archive_holding_only_skipped_files_is_said_not_packed(folder: Path) -> None:
    doc = json.loads(run("scan", folder, "--json").stdout)
    skipped = {s["path"]: s["reason"] for s in doc["skipped"]}
    problems = {p["path"]: p for p in doc["problems"]}
    # The receipt inside it is not "sent with" an archive pack leaves out.
    inner = skipped["old download.zip!sent.json"]
    assert "never packed" in inner and "packed whole" not in inner
    # The archive is listed as skipped, saying so; its copy is not "sent once".
    assert "not packed" in skipped["old download.zip"]
    assert "old download (1).zip" not in problems
    copy = skipped["old download (1).zip"]
    assert "same content as old download.zip" in copy and "not packed" in copy
    # In an archive that goes (it holds a report), the receipt goes with it: said so.
    assert "packed whole" in skipped["portal.zip!receipt copy.json"]


def test_pack_sends_what_scan_said(folder: Path, tmp_path: Path) -> None:
    scanned = json.loads(run("scan", folder, "--json").stdout)
    packed, index = _pack(folder, tmp_path)
    omitted = {o["path"]: o["reason"] for o in packed["omitted"] if o["code"] == "skipped"}
    in_index = {s["path"]: s["reason"] for s in index["skipped"]}
    assert omitted == in_index == {s["path"]: s["reason"] for s in scanned["skipped"]}
    originals = {f["original"] for f in index["files"]}
    assert not {"old download.zip", "old download (1).zip"} & originals
    assert not {"old download.zip", "old download (1).zip"} & set(packed["problem_files"])
    assert "portal.zip" in _sent_archives(index)
    _assert_words_match_bundle(in_index, index)
    _assert_words_match_bundle(omitted, index)
    for problem in scanned["problems"]:  # "sent once": the original is in the bundle
        if problem["code"] == "duplicate":
            assert problem["duplicate_of"].split("!", 1)[0] in originals, problem


def test_an_archive_left_out_by_exclude_takes_its_receipt_note_along(
    folder: Path, tmp_path: Path
) -> None:
    packed, index = _pack(folder, tmp_path, "--exclude", "portal.zip!radiology.txt")
    assert "portal.zip" not in _sent_archives(index)
    omitted = {o["path"]: o["reason"] for o in packed["omitted"] if o["code"] == "skipped"}
    in_index = {s["path"]: s["reason"] for s in index["skipped"]}
    assert omitted == in_index
    assert "never packed" in omitted["portal.zip!receipt copy.json"]
    _assert_words_match_bundle(omitted, index)


def test_pack_builds_the_fhir_index_open_checks_it_against(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field the schema check normalises (here, as a later version might, the
    patient's name in small letters) must not make pack write a bundle open refuses."""
    from recordpack.bundle.index_model import IndexPatient

    def normalised(self: IndexPatient) -> dict[str, Any]:
        name = self.name.lower() if self.name else self.name
        return {"name": name, "birth_date": self.birth_date, "id": self.id}

    monkeypatch.setattr(IndexPatient, "to_json", normalised)
    bag, index = pack_and_open(folder, tmp_path)  # open refuses any FHIR difference
    fhir = (bag / "index.fhir.json").read_text()
    assert "QUILLFEATHER" in index["patient"]["name"]  # index.json as packed
    assert "quillfeather" in fhir and "QUILLFEATHER" not in fhir  # as open rebuilds it
