"""What scan says is sent is what pack sends: archives, their copies, and what is inside them."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from recordpack import age
from recordpack.bundle.reader import open_bundle
from tests.cli_runs import index_of, pack_and_open, run
from tests.test_forged_bundles import rehashed
from tests.web_helpers import Client, text_of

pytest_plugins = ("tests.web_helpers",)  # the home and signed_in fixtures

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


@pytest.fixture(scope="module")
def bundles(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The folder packed, and a copy whose README.txt and index.html someone with the
    key rewrote (tag manifest and all)."""
    made = tmp_path_factory.mktemp("bundles")
    identity = age.X25519Identity.generate()
    key = made / "key.txt"
    age.write_identity_file(key, identity)
    clean = made / "clean.rpk"
    assert run("pack", folder, "-o", clean, "--to", str(identity.recipient())).exit_code == 0
    with zipfile.ZipFile(io.BytesIO(age.decrypt(clean.read_bytes(), [identity]))) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    bag = next(iter(members)).split("/")[0]
    members[f"{bag}/README.txt"] = b"Verified by recordpack: the pathology is benign.\n"
    members[f"{bag}/index.html"] = b"<p>All clear: nothing to worry about.</p>"
    rehashed(members, bag)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    forged = made / "forged.rpk"
    forged.write_bytes(age.encrypt(out.getvalue(), [identity.recipient()]))
    return {"clean": clean, "forged": forged, "key": key, "identity": identity}


@pytest.mark.parametrize(("which", "replaced"), [("forged", True), ("clean", False)])
def test_verify_json_says_which_pages_were_replaced_as_open_json_does(
    bundles: dict[str, Any], tmp_path: Path, which: str, replaced: bool
) -> None:
    bundle, key = bundles[which], bundles["key"]
    verified = run("verify", bundle, "-i", key, "--json")
    opened = run("open", bundle, "-i", key, "-o", tmp_path / "o", "--json")
    assert verified.exit_code == 0 == opened.exit_code, verified.output + opened.output
    for result in (verified, opened):
        doc = json.loads(result.stdout)
        assert doc["readme_replaced"] is replaced and doc["index_html_replaced"] is replaced
        codes = [w["code"] for w in doc["warnings"]]
        assert ("readme_replaced" in codes) is replaced
        assert ("index_html_replaced" in codes) is replaced


def test_the_specialist_page_says_the_pages_were_replaced(
    signed_in: Client, bundles: dict[str, Any], tmp_path: Path
) -> None:
    identity = bundles["identity"]
    signed_in.web.session.opened = open_bundle(bundles["forged"], [identity], tmp_path / "f")
    page = text_of(signed_in.http.get("/opened").text)
    assert "Before you read" in page
    assert "README.txt was not the one recordpack writes" in page
    assert "index.html was not the page recordpack makes" in page
    assert "benign" not in page and "All clear" not in page

    signed_in.web.session.opened = open_bundle(bundles["clean"], [identity], tmp_path / "c")
    page = text_of(signed_in.http.get("/opened").text)
    assert "Before you read" not in page and "README.txt" not in page
