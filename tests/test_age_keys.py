"""Key strings, key files and ``recordpack keygen``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from recordpack import age
from recordpack.cli import main

# From the CCTV vectors (public test keys, not anyone's real key).
VECTOR_IDENTITY = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
VECTOR_PQ_IDENTITY = "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG"


def test_identity_strings_round_trip() -> None:
    identity = age.parse_identity(VECTOR_IDENTITY)
    assert str(identity) == VECTOR_IDENTITY
    recipient = str(identity.recipient())
    assert recipient.startswith("age1") and len(recipient) == 62
    assert str(age.parse_recipient(recipient)) == recipient
    assert VECTOR_IDENTITY not in repr(identity)  # secrets stay out of logs


@pytest.mark.skipif(not age.PQ_SUPPORTED, reason="cryptography without ML-KEM HPKE")
def test_post_quantum_strings_round_trip() -> None:
    identity = age.parse_identity(VECTOR_PQ_IDENTITY)
    assert str(identity) == VECTOR_PQ_IDENTITY
    recipient = str(identity.recipient())
    assert recipient.startswith("age1pq1")
    assert str(age.parse_recipient(recipient)) == recipient


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not an age public key"),
        ("hello", "not an age public key"),
        (VECTOR_IDENTITY, "secret key, not a public key"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA", "SSH keys"),
        ("age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t", "plugin"),
    ],
)
def test_bad_recipients_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(age.AgeKeyError, match=message) as error:
        age.parse_recipient(text)
    assert error.value.hint


def test_a_mistyped_public_key_fails_its_checksum() -> None:
    good = str(age.X25519Identity.generate().recipient())
    typo = good[:10] + ("q" if good[10] != "q" else "p") + good[11:]
    with pytest.raises(age.AgeKeyError, match="checksum"):
        age.parse_recipient(typo)
    with pytest.raises(age.AgeKeyError):
        age.parse_recipient(good[:-1])


def test_load_identities_reads_age_keygen_format(tmp_path: Path) -> None:
    first, second = age.X25519Identity.generate(), age.X25519Identity.generate()
    key_file = tmp_path / "keys.txt"
    key_file.write_text(age.format_identity_file(first) + "\n# another\n" + str(second) + "\n")
    loaded = age.load_identities(key_file)
    assert [str(i) for i in loaded] == [str(first), str(second)]


def test_load_identities_errors_name_the_line_without_echoing_it(tmp_path: Path) -> None:
    key_file = tmp_path / "keys.txt"
    damaged = VECTOR_IDENTITY[:-2] + "QQ"
    key_file.write_text("# created: today\n" + damaged + "\n")
    with pytest.raises(age.AgeKeyError, match="line 2") as error:
        age.load_identities(key_file)
    assert damaged not in error.value.message

    public_file = tmp_path / "public.txt"
    public_file.write_text(str(age.X25519Identity.generate().recipient()) + "\n")
    with pytest.raises(age.AgeKeyError, match="line 1") as error2:
        age.load_identities(public_file)
    assert "public key file" in (error2.value.hint or "")

    with pytest.raises(age.AgeKeyError, match="no such"):
        age.load_identities(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(age.AgeKeyError, match="no secret key"):
        age.load_identities(tmp_path / "empty.txt")


def test_load_recipients(tmp_path: Path) -> None:
    ids = [age.X25519Identity.generate() for _ in range(2)]
    path = tmp_path / "recipients.txt"
    path.write_text("# the clinic\n" + "\n".join(str(i.recipient()) for i in ids) + "\n\n")
    assert [str(r) for r in age.load_recipients(path)] == [str(i.recipient()) for i in ids]
    path.write_text("age1notakey\n")
    with pytest.raises(age.AgeKeyError, match="line 1"):
        age.load_recipients(path)


def test_keygen_writes_a_private_key_file_and_prints_the_public_key(tmp_path: Path) -> None:
    target = tmp_path / "key.txt"
    result = CliRunner().invoke(main, ["keygen", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    lines = target.read_text().splitlines()
    assert lines[0].startswith("# created: ")
    assert lines[1].startswith("# public key: age1")
    assert lines[2].startswith("AGE-SECRET-KEY-1")
    public = lines[1].removeprefix("# public key: ")
    assert result.stdout == f"Public key: {public}\n"
    assert "Share only the public key" in result.stderr
    assert [str(i.recipient()) for i in age.load_identities(target)] == [public]
    assert not [p for p in tmp_path.iterdir() if p.name != "key.txt"]  # no temp file left


def test_keygen_is_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        result = CliRunner().invoke(main, ["keygen", "-o", str(tmp_path / "k.txt")])
    finally:
        os.umask(old)
    assert result.exit_code == 0
    assert stat.S_IMODE((tmp_path / "k.txt").stat().st_mode) == 0o600


def test_keygen_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "key.txt"
    target.write_text("precious\n")
    result = CliRunner().invoke(main, ["keygen", "-o", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text() == "precious\n"


def test_keygen_to_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["keygen"])
    assert result.exit_code == 0
    identity_line = result.stdout.splitlines()[-1]
    identity = age.parse_identity(identity_line)
    assert result.stderr == f"Public key: {identity.recipient()}\n"


@pytest.mark.skipif(not age.PQ_SUPPORTED, reason="cryptography without ML-KEM HPKE")
def test_keygen_pq(tmp_path: Path) -> None:
    target = tmp_path / "pq.txt"
    result = CliRunner().invoke(main, ["keygen", "--pq", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Public key: age1pq1")
    (identity,) = age.load_identities(target)
    recipient = age.parse_recipient(result.stdout.split()[-1])
    assert age.decrypt(age.encrypt(b"scan", [recipient]), [identity]) == b"scan"


def test_keygen_pq_without_support_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(age, "PQ_SUPPORTED", False)
    result = CliRunner().invoke(main, ["keygen", "--pq"])
    assert result.exit_code == 1
    assert "post-quantum" in result.stderr and "hint:" in result.stderr
    assert result.stdout == ""


def test_keygen_into_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["keygen", "-o", str(tmp_path / "nope" / "key.txt")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


# A cryptography whose modules import but whose OpenSSL lacks ML-KEM (a distribution's
# build on OpenSSL < 3.5): the backend says so before recordpack is imported.
_WITHOUT_MLKEM = """
import sys
from cryptography.hazmat.backends.openssl.backend import backend
backend.mlkem_supported = lambda: False
from recordpack.cli import main
main(sys.argv[1:], prog_name="recordpack")
"""


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["keygen", "--pq"], id="keygen"),
        pytest.param(["open", "--identity", "{key}", "{bundle}"], id="open-with-pq-key"),
    ],
)
def test_a_cryptography_built_without_mlkem_is_a_clear_error(
    tmp_path: Path, args: list[str]
) -> None:
    key = tmp_path / "pq.txt"
    key.write_text(VECTOR_PQ_IDENTITY + "\n")
    bundle = tmp_path / "b.rpk"
    bundle.write_bytes(age.encrypt(b"x", [age.parse_identity(VECTOR_IDENTITY).recipient()]))
    argv = [a.format(key=key, bundle=bundle) for a in args]
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_MLKEM, *argv],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "post-quantum" in result.stderr and "cryptography" in result.stderr


def test_a_passphrase_given_for_a_file_locked_with_keys_says_so() -> None:
    sealed = age.encrypt(b"x", [age.parse_identity(VECTOR_IDENTITY).recipient()])
    with pytest.raises(age.NoIdentityMatchError) as raised:
        age.decrypt(sealed, [age.ScryptIdentity("correct horse battery staple")])
    assert "public keys, not with a passphrase" in raised.value.message
    assert raised.value.hint is not None and "key file" in raised.value.hint
