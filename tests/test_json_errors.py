"""Errors as a script and a person meet them: every ``--json`` command fails with one
document shape, and a bundle given where the key file belongs is named as such."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from recordpack import age
from recordpack.cli import main
from recordpack.cli.base import COMMAND_MODULES, LazyGroup

_Setup = Callable[[Path], list[str]]


def _run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, args, env=env)


def _bundle(folder: Path, recipient: age.Recipient, name: str = "records.rpk") -> Path:
    bundle = folder / name
    with open(bundle, "wb") as out, age.encrypt_writer(out, [recipient]) as writer:
        writer.write(b"not a zip archive")  # decrypts, then fails the bundle's checks
    return bundle


def _keyed_bundle(folder: Path) -> tuple[Path, Path]:
    identity = age.X25519Identity.generate()
    key = folder / "key.txt"
    key.write_text(f"{identity}\n")
    return _bundle(folder, identity.recipient()), key


def _records(folder: Path) -> Path:
    records = folder / "records"
    records.mkdir()
    (records / "note.txt").write_text("CLINIC NOTE\nPatient: TESTPERSON, JANE Q\n")
    return records


def _roster(folder: Path) -> Path:
    roster = folder / "roster.csv"
    roster.write_text("name,folder\n")  # a roster that lists no patient
    return roster


def _bundle_failure(command: str) -> _Setup:
    def setup(folder: Path) -> list[str]:
        bundle, key = _keyed_bundle(folder)
        return [command, str(bundle), "-i", str(key)]

    return setup


def _not_a_receipt(folder: Path) -> list[str]:
    (folder / "receipt.json").write_text("{}")
    return ["log", "verify", "--receipt", str(folder / "receipt.json")]


def _damaged_requests_file(folder: Path) -> list[str]:
    (folder / "requests.json").write_text("{not json")
    return ["requests"]


#: Each command that takes --json, and a way to make it fail (its arguments, without --json).
FAILURES: dict[str, _Setup] = {
    "scan": lambda f: ["scan", str(_records(f)), "--label", "note.txt=no-such-kind"],
    "check": lambda f: ["check", str(_records(f)), "-m", "no-such-manifest"],
    "manifests": lambda f: ["manifests", "show", "no-such-manifest"],
    "pack": lambda f: ["pack", str(_records(f)), "-o", str(f / "out.rpk")],  # no recipient
    "open": _bundle_failure("open"),
    "verify": _bundle_failure("verify"),
    "inspect": _bundle_failure("inspect"),
    "batch": lambda f: ["batch", str(_roster(f)), "-o", str(f / "bundles")],
    "log": _not_a_receipt,
    "request": lambda f: ["request", str(_records(f)), "-m", "no-such-manifest"],
    "requests": _damaged_requests_file,
}


def _commands_with_json() -> set[str]:
    group = main
    assert isinstance(group, LazyGroup)
    ctx = click.Context(group)
    names = set()
    for name in COMMAND_MODULES:
        command = group.get_command(ctx, name)
        assert command is not None
        sub = command.commands.values() if isinstance(command, click.Group) else ()
        for each in (command, *sub):
            if any("--json" in p.opts for p in each.params if isinstance(p, click.Option)):
                names.add(name)
    return names


def test_every_command_with_json_has_an_error_case_here() -> None:
    assert _commands_with_json() == set(FAILURES)


@pytest.mark.parametrize("command", sorted(FAILURES))
def test_every_json_error_is_one_document_of_one_shape(command: str, tmp_path: Path) -> None:
    args = [*FAILURES[command](tmp_path), "--json"]
    result = _run(args, env={"RECORDPACK_DATA_DIR": str(tmp_path)})

    assert result.exit_code in (1, 2), result.output
    document = json.loads(result.stdout)  # one document, nothing else on stdout
    assert document["version"] == 1 and document["ok"] is False
    error = document["error"]
    assert isinstance(error, dict), f"{command}: 'error' is {type(error).__name__}"
    assert set(error) == {"code", "message", "hint", "exit_code"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert error["hint"] is None or isinstance(error["hint"], str)
    assert error["exit_code"] == result.exit_code
    assert "error_code" not in document and "hint" not in document
    # The person at a terminal reads the same message on stderr.
    assert f"recordpack: error: {error['message']}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["open", "verify", "inspect"])
def test_a_failed_bundle_command_keeps_its_details_beside_the_error(
    command: str, tmp_path: Path
) -> None:
    bundle, key = _keyed_bundle(tmp_path)
    result = _run([command, str(bundle), "-i", str(key), "--json"])
    document = json.loads(result.stdout)
    assert document["command"] == command and document["bundle"] == str(bundle)
    assert document["problems"] == [] and document["error"]["code"] == "bundle"
    assert "does not contain a ZIP archive" in document["error"]["message"]


# ------------------------------------------------- a bundle given where the key file belongs


@pytest.mark.parametrize("command", ["open", "verify", "inspect"])
def test_the_bundle_given_as_the_key_file_is_named_as_the_bundle(
    command: str, tmp_path: Path
) -> None:
    bundle, _ = _keyed_bundle(tmp_path)
    result = _run([command, str(bundle), "-i", str(bundle), "--json"])

    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "key_file_encrypted"
    assert error["message"] == (
        f"the file given to -i, {bundle}, is the bundle itself, an age-encrypted file, not a key"
    )
    assert "as the first argument" in error["hint"] and "AGE-SECRET-KEY-1" in error["hint"]
    assert "Passphrase-protected key files" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.txt", "records.rpk"]


def test_a_passphrase_bundle_given_as_the_key_file_says_to_give_the_passphrase(
    tmp_path: Path,
) -> None:
    bundle = _bundle(tmp_path, age.ScryptRecipient("tulip orbit canyon", work_factor=10))
    result = _run(["verify", str(bundle), "-i", str(bundle)])

    assert result.exit_code == 1
    assert "is the bundle itself, an age-encrypted file, not a key" in result.stderr
    assert "protected by a passphrase" in result.stderr
    assert "leave out -i" in result.stderr and "--passphrase-file" in result.stderr


def test_another_encrypted_file_as_the_key_file_says_what_minus_i_takes(tmp_path: Path) -> None:
    bundle, _ = _keyed_bundle(tmp_path)
    other = _bundle(tmp_path, age.X25519Identity.generate().recipient(), "other.rpk")
    result = _run(["inspect", str(bundle), "-i", str(other)])

    assert result.exit_code == 1
    assert f"the file given to -i, {other}, is an age-encrypted file, not a key" in result.stderr
    assert "-i takes the secret key file" in result.stderr
    assert "age -d -o key.txt other.rpk" in result.stderr  # a passphrase-protected key file


def test_the_bundle_named_by_recordpack_identity_is_named_so(tmp_path: Path) -> None:
    bundle, _ = _keyed_bundle(tmp_path)
    result = _run(["verify", str(bundle)], env={"RECORDPACK_IDENTITY": str(bundle)})

    assert result.exit_code == 1
    assert f"the file given to $RECORDPACK_IDENTITY, {bundle}, is the bundle itself" in (
        result.stderr
    )


def test_an_encrypted_file_given_as_recipients_is_not_called_a_key_file(tmp_path: Path) -> None:
    bundle, _ = _keyed_bundle(tmp_path)
    records = _records(tmp_path)
    result = _run(["pack", str(records), "-o", str(tmp_path / "b.rpk"), "--to-file", str(bundle)])

    assert result.exit_code == 2, result.stderr
    assert f"{bundle} is an age-encrypted file, not a recipients file" in result.stderr
    assert "public keys (age1...)" in result.stderr and "key.txt" not in result.stderr
