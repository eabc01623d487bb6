"""recordpack and the reference ``age`` / ``age-keygen`` read each other's files and keys."""

from __future__ import annotations

import hashlib
import io
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.cli import main
from tests.prerequisites import require_tool
from tests.terminal import run_with_terminal

pytestmark = pytest.mark.interop

CHUNK = 64 * 1024
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * 1024 * 1024 + 5]
PASSPHRASE = "invented test passphrase 42"


def plaintext(size: int) -> bytes:
    block = hashlib.sha256(f"interop {size}".encode()).digest() * 1024
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture(scope="module")
def age_tool() -> str:
    tool: str = require_tool("age", "age")
    return tool


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, age.X25519Identity]:
    identity = age.X25519Identity.generate()
    path = tmp_path_factory.mktemp("keys") / "key.txt"
    age.write_identity_file(path, identity)
    return path, identity


def encrypt_file(
    path: Path, data: bytes, recipients: list[age.Recipient], armor: bool = False
) -> None:
    with path.open("wb") as dst, age.encrypt_writer(dst, recipients, armor=armor) as writer:
        writer.write(data)


def decrypt_file(path: Path, identities: Sequence[age.Identity]) -> bytes:
    with path.open("rb") as src:
        return age.decrypt_reader(src, identities).read()


@pytest.mark.parametrize("size", SIZES)
def test_age_decrypts_recordpack_files(
    age_tool: str, key_pair: tuple[Path, age.X25519Identity], tmp_path: Path, size: int
) -> None:
    key_file, identity = key_pair
    data = plaintext(size)
    for armor in (False, True):
        encrypted = tmp_path / f"file-{armor}.age"
        encrypt_file(encrypted, data, [identity.recipient()], armor=armor)
        result = subprocess.run(
            [age_tool, "-d", "-i", str(key_file), str(encrypted)], capture_output=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == data


@pytest.mark.parametrize("size", SIZES)
def test_age_decrypts_recordpack_passphrase_files(age_tool: str, tmp_path: Path, size: int) -> None:
    data = plaintext(size)
    encrypted, out = tmp_path / "file.age", tmp_path / "out"
    # A low work factor keeps the test fast; age accepts any factor up to its limit.
    encrypt_file(encrypted, data, [age.ScryptRecipient(PASSPHRASE, work_factor=10)])
    run_with_terminal(
        [age_tool, "-d", "-o", str(out), str(encrypted)], [("passphrase", PASSPHRASE)]
    )
    # age opens its output lazily: an empty plaintext leaves no file at all.
    assert (out.read_bytes() if out.exists() or size else b"") == data


def test_age_decrypts_recordpack_passphrase_at_default_work_factor(
    age_tool: str, tmp_path: Path
) -> None:
    encrypted, out = tmp_path / "file.age", tmp_path / "out"
    encrypt_file(encrypted, b"records", [age.ScryptRecipient(PASSPHRASE)])
    run_with_terminal(
        [age_tool, "-d", "-o", str(out), str(encrypted)], [("passphrase", PASSPHRASE)]
    )
    assert out.read_bytes() == b"records"


@pytest.mark.parametrize("size", SIZES)
def test_recordpack_decrypts_age_files(
    age_tool: str, key_pair: tuple[Path, age.X25519Identity], tmp_path: Path, size: int
) -> None:
    _, identity = key_pair
    data = plaintext(size)
    plain = tmp_path / "plain"
    plain.write_bytes(data)
    for extra in ([], ["-a"]):
        encrypted = tmp_path / "from-age.age"
        subprocess.run(
            [
                age_tool,
                "-e",
                *extra,
                "-r",
                str(identity.recipient()),
                "-o",
                str(encrypted),
                str(plain),
            ],
            check=True,
        )
        assert decrypt_file(encrypted, [identity]) == data
        if not extra:
            with encrypted.open("rb") as src:
                reader = age.open_random_access(src, [identity])
                reader.seek(max(0, size - CHUNK - 3))
                assert reader.read() == data[max(0, size - CHUNK - 3) :]


# Each case costs two scrypt runs at age's fixed work factor 18 (about 1 s each).
@pytest.mark.parametrize("size", [CHUNK + 1, 3 * 1024 * 1024 + 5])
def test_recordpack_decrypts_age_passphrase_files(age_tool: str, tmp_path: Path, size: int) -> None:
    data = plaintext(size)
    plain, encrypted = tmp_path / "plain", tmp_path / "from-age.age"
    plain.write_bytes(data)
    run_with_terminal(
        [age_tool, "-p", "-o", str(encrypted), str(plain)],
        [("Enter passphrase", PASSPHRASE), ("Confirm passphrase", PASSPHRASE)],
    )
    assert decrypt_file(encrypted, [age.ScryptIdentity(PASSPHRASE)]) == data
    if size == CHUNK + 1:
        with pytest.raises(age.WrongPassphraseError):
            decrypt_file(encrypted, [age.ScryptIdentity(PASSPHRASE + "!")])


def test_age_keygen_key_files_load(age_tool: str, tmp_path: Path) -> None:
    keygen = require_tool("age-keygen", "age")
    key_file = tmp_path / "specialist.txt"
    subprocess.run([keygen, "-o", str(key_file)], check=True, capture_output=True)
    public = subprocess.run(
        [keygen, "-y", str(key_file)], check=True, capture_output=True, text=True
    ).stdout.strip()
    (identity,) = age.load_identities(key_file)
    assert str(identity.recipient()) == public
    encrypted = tmp_path / "f.age"
    encrypt_file(encrypted, b"pathology report", [age.parse_recipient(public)])
    assert decrypt_file(encrypted, age.load_identities(key_file)) == b"pathology report"


def test_recordpack_keygen_keys_work_with_age(age_tool: str, tmp_path: Path) -> None:
    keygen = require_tool("age-keygen", "age")
    key_file = tmp_path / "key.txt"
    result = CliRunner().invoke(main, ["keygen", "-o", str(key_file)])
    assert result.exit_code == 0
    public = result.stdout.split()[-1]
    # age-keygen derives the same public key from our file.
    derived = subprocess.run(
        [keygen, "-y", str(key_file)], check=True, capture_output=True, text=True
    )
    assert derived.stdout.strip() == public
    encrypted = tmp_path / "f.age"
    subprocess.run([age_tool, "-r", public, "-o", str(encrypted)], input=b"scan", check=True)
    out = subprocess.run(
        [age_tool, "-d", "-i", str(key_file), str(encrypted)], capture_output=True, check=False
    )
    assert out.returncode == 0 and out.stdout == b"scan"


def test_age_refuses_a_recordpack_file_we_damaged(
    age_tool: str, key_pair: tuple[Path, age.X25519Identity], tmp_path: Path
) -> None:
    """Our damage tests mean something: age, too, rejects the same damage."""
    key_file, identity = key_pair
    buffer = io.BytesIO()
    with age.encrypt_writer(buffer, [identity.recipient()]) as writer:
        writer.write(plaintext(3 * CHUNK))
    damaged = tmp_path / "damaged.age"
    damaged.write_bytes(buffer.getvalue()[:-1])
    result = subprocess.run(
        [age_tool, "-d", "-i", str(key_file), str(damaged)], capture_output=True, check=False
    )
    assert result.returncode != 0
    with pytest.raises(age.PayloadError):
        decrypt_file(damaged, [identity])
