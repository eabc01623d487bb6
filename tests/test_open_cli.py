"""The open / verify / inspect commands: exit codes, stdout, stderr, --json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordpack.cli import main
from tests.open_bundles import BAG, bag_members, recordpack_age_ready, valid_zip, zip_bytes

pytestmark = pytest.mark.skipif(not recordpack_age_ready(), reason="recordpack.age not ready")


@pytest.fixture
def keyed(tmp_path: Path) -> tuple[Path, Path]:
    """A key file and a bundle encrypted to it."""
    from recordpack import age

    identity = age.X25519Identity.generate()
    key = tmp_path / "key.txt"
    key.write_text(f"# test key\n{identity}\n")
    bundle = tmp_path / "records.rpk"
    with open(bundle, "wb") as out, age.encrypt_writer(out, [identity.recipient()]) as writer:
        writer.write(valid_zip())
    return bundle, key


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_open_default_destination_and_summary(keyed: tuple[Path, Path]) -> None:
    bundle, key = keyed
    code, out, err = run("open", str(bundle), "-i", str(key))
    assert code == 0, err
    dest = bundle.parent / "records"
    assert (dest / BAG / "index.json").is_file()
    assert "verified: 4 files" in out
    assert "TESTPERSON, JANE Q" in out
    assert "Pathology reports" in out and "2026-08-20" in out
    assert "missing: Genomic test report" in out
    assert str(dest / BAG / "index.html") in out
    assert str(dest / BAG / "data" / "imaging" / "DICOMDIR") in out


def test_open_json(keyed: tuple[Path, Path], tmp_path: Path) -> None:
    bundle, key = keyed
    code, out, _ = run("open", str(bundle), "-i", str(key), "-o", str(tmp_path / "x"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["ok"] is True
    assert doc["bag_dir"] == str(tmp_path / "x" / BAG)
    assert doc["index"]["bag"] == BAG
    assert doc["files"] == 4


def test_open_refuses_non_empty_destination_with_usage_exit(
    keyed: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, key = keyed
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "mine.txt").write_text("x")
    code, out, err = run("open", str(bundle), "-i", str(key))
    assert code == 2
    assert "not empty" in err and out == ""


def test_verify_ok_and_identity_from_environment(keyed: tuple[Path, Path]) -> None:
    bundle, key = keyed
    code, out, err = run("verify", str(bundle), env={"RECORDPACK_IDENTITY": str(key)})
    assert code == 0, err
    import hashlib

    sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert out.strip().splitlines() == [
        "verified: 4 files (17.9 KB), all intact",
        f"bundle SHA-256: {sha} (the sender's receipt gives it too)",
    ]
    assert sorted(os.listdir(bundle.parent)) == ["key.txt", "records.rpk"]


def test_verify_tampered_names_the_problem(keyed: tuple[Path, Path]) -> None:
    bundle, key = keyed
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x80
    bundle.write_bytes(bytes(data))
    code, out, err = run("verify", str(bundle), "-i", str(key), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["ok"] is False and doc["version"] == 1
    assert "authentication" in doc["error"]["message"]
    assert "recordpack: error:" in err and "recordpack: hint:" in err
    assert "Traceback" not in err


def test_verify_json_lists_every_problem(tmp_path: Path, keyed: tuple[Path, Path]) -> None:
    from recordpack import age

    _, key = keyed
    identity = age.load_identities(key)[0]
    bundle = tmp_path / "bad.rpk"
    data = zip_bytes(bag_members(manifest_patch=lambda lines: lines[1:]))
    with open(bundle, "wb") as sink, age.encrypt_writer(sink, [identity.recipient()]) as w:
        w.write(data)
    code, out, _ = run("verify", str(bundle), "-i", str(key), "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert [p["code"] for p in problems] == ["not_in_manifest"]
    assert problems[0]["path"].endswith("surgical-pathology-report.pdf")


def test_wrong_key_message(keyed: tuple[Path, Path], tmp_path: Path) -> None:
    from recordpack import age

    bundle, _ = keyed
    other = tmp_path / "other.txt"
    other.write_text(f"{age.X25519Identity.generate()}\n")
    code, out, err = run("open", str(bundle), "-i", str(other))
    assert code == 1 and out == ""
    assert "not encrypted to any of your keys" in err
    assert not (tmp_path / "records").exists()


def test_no_key_is_a_usage_error(keyed: tuple[Path, Path]) -> None:
    bundle, _ = keyed
    code, _, err = run("verify", str(bundle), env={"RECORDPACK_IDENTITY": ""})
    assert code == 2
    assert "-i KEYFILE" in err


def test_passphrase_from_file_and_env(tmp_path: Path) -> None:
    from recordpack import age

    bundle = tmp_path / "p.rpk"
    with (
        open(bundle, "wb") as out,
        age.encrypt_writer(
            out, [age.ScryptRecipient("tulip orbit canyon", work_factor=10)]
        ) as writer,
    ):
        writer.write(valid_zip())
    (tmp_path / "pass.txt").write_text("tulip orbit canyon\n")
    code, _, err = run("verify", str(bundle), "--passphrase-file", str(tmp_path / "pass.txt"))
    assert code == 0, err
    code, _, err = run(
        "verify", str(bundle), "--passphrase-env", "RP_PASS", env={"RP_PASS": "nope"}
    )
    assert code == 1 and "passphrase" in err.lower()
    code, _, err = run("verify", str(bundle))  # not a terminal: no prompt
    assert code == 2 and "--passphrase-file" in err


def test_inspect_human_and_json(keyed: tuple[Path, Path]) -> None:
    bundle, key = keyed
    code, out, _ = run("inspect", str(bundle), "-i", str(key))
    assert code == 0
    assert "TESTPERSON, JANE Q" in out and "not verified" in out
    code, out, _ = run("inspect", str(bundle), "-i", str(key), "--json")
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["index"]["patient"]["id"] == "T0001"
    assert sorted(os.listdir(bundle.parent)) == ["key.txt", "records.rpk"]


def test_index_strings_cannot_drive_the_terminal(tmp_path: Path, keyed: tuple[Path, Path]) -> None:
    from recordpack import age

    _, key = keyed
    identity = age.load_identities(key)[0]

    def hostile(index: dict[str, object]) -> None:
        index["patient"] = {"name": "EVIL\x1b[2J\x1b]0;pwned\x07", "birth_date": None, "id": None}

    bundle = tmp_path / "esc.rpk"
    data = zip_bytes(bag_members(index_patch=hostile))
    with open(bundle, "wb") as sink, age.encrypt_writer(sink, [identity.recipient()]) as w:
        w.write(data)
    code, out, _ = run("inspect", str(bundle), "-i", str(key))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "EVIL" in out


def test_missing_bundle_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("verify", str(tmp_path / "nope.rpk"))
    assert code == 2 and "nope.rpk" in err


def test_open_and_verify_give_the_bundles_sha256_to_match_the_receipt(tmp_path: Path) -> None:
    import hashlib
    import json
    import shutil

    from click.testing import CliRunner

    from recordpack import age
    from recordpack.cli import main

    folder = tmp_path / "records"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "sample-patient", folder)
    identity = age.X25519Identity.generate()
    key = age.write_identity_file(tmp_path / "key.txt", identity)
    bundle = tmp_path / "records.rpk"
    packed = CliRunner().invoke(
        main,
        ["pack", "-q", str(folder), "-o", str(bundle), "--to", str(identity.recipient()),
         "--accept-other-patient", "--json"],
    )  # fmt: skip
    sha = json.loads(packed.stdout)["sha256"]
    assert sha == hashlib.sha256(bundle.read_bytes()).hexdigest()
    verified = CliRunner().invoke(main, ["verify", str(bundle), "-i", str(key), "--json"])
    assert json.loads(verified.stdout)["bundle_sha256"] == sha
    opened = CliRunner().invoke(
        main, ["open", str(bundle), "-i", str(key), "-o", str(tmp_path / "opened")]
    )
    assert f"bundle SHA-256: {sha}" in opened.stdout
