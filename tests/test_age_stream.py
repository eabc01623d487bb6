"""Round trips at chunk edges, random access, and damage: what a user of the files notices."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tracemalloc
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest

from recordpack import age

CHUNK = 64 * 1024
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7, 5 * 1024 * 1024 + 3]


def plaintext(size: int) -> bytes:
    # Position-dependent content, so a chunk returned twice or out of order is noticed.
    block = hashlib.sha256(str(size).encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


def encrypt_bytes(data: bytes, recipients: list[age.Recipient], piece: int | None = None) -> bytes:
    out = io.BytesIO()
    with age.encrypt_writer(out, recipients) as writer:
        if piece is None:
            writer.write(data)
        else:
            for start in range(0, len(data), piece):
                writer.write(data[start : start + piece])
    return out.getvalue()


def read_released(reader: BinaryIO, step: int = 10_000) -> tuple[bytes, Exception | None]:
    """Everything a reader hands out before it stops, and the error it stopped with."""
    parts = []
    try:
        while data := reader.read(step):
            parts.append(data)
    except age.AgeError as error:
        return b"".join(parts), error
    return b"".join(parts), None


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_at_chunk_edges(identity: age.X25519Identity, size: int) -> None:
    data = plaintext(size)
    for piece in (None, 1000, CHUNK, CHUNK + 1):
        encrypted = encrypt_bytes(data, [identity.recipient()], piece)
        released, error = read_released(age.decrypt_reader(io.BytesIO(encrypted), [identity]))
        assert error is None
        assert released == data


@pytest.mark.parametrize("size", SIZES)
def test_random_access_reads_across_chunk_boundaries(
    identity: age.X25519Identity, size: int
) -> None:
    data = plaintext(size)
    reader = age.open_random_access(
        io.BytesIO(encrypt_bytes(data, [identity.recipient()])), [identity]
    )
    assert isinstance(reader, age.RandomAccessReader)  # typed BinaryIO; .size is its own
    assert reader.size == size
    assert reader.seekable() and reader.readable()
    for start, length in [
        (0, 10),
        (CHUNK - 5, 10),
        (2 * CHUNK - 1, CHUNK + 2),
        (size - 1, 5),
        (size, 1),
    ]:
        if start < 0:
            continue
        reader.seek(start)
        assert reader.read(length) == data[start : start + length]
        assert reader.tell() == min(start + length, max(start, size))
    if size >= 3:
        reader.seek(-3, io.SEEK_END)
        assert reader.read() == data[-3:]
    reader.seek(0)
    assert reader.read() == data


def test_random_access_serves_a_zip_without_decrypting_everything(
    identity: age.X25519Identity,
) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.bin", os.urandom(3 * 1024 * 1024))
        zf.writestr("index.json", b'{"version": 1}')
    encrypted = encrypt_bytes(archive.getvalue(), [identity.recipient()])
    # Damage a chunk in the middle of big.bin: the index is still readable by random
    # access, because only the chunks holding it and the central directory are decrypted.
    damaged = bytearray(encrypted)
    damaged[len(encrypted) // 2] ^= 0x40
    reader = age.open_random_access(io.BytesIO(bytes(damaged)), [identity])
    with zipfile.ZipFile(reader) as zf:
        assert zf.read("index.json") == b'{"version": 1}'
        with pytest.raises(age.PayloadError):
            zf.read("big.bin")


def test_armored_round_trip(identity: age.X25519Identity) -> None:
    data = plaintext(3 * CHUNK + 7)
    out = io.BytesIO()
    with age.encrypt_writer(out, [identity.recipient()], armor=True) as writer:
        writer.write(data)
    text = out.getvalue()
    assert text.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert text.endswith(b"-----END AGE ENCRYPTED FILE-----\n")
    assert all(len(line) <= 64 for line in text.splitlines())
    assert age.decrypt_reader(io.BytesIO(text), [identity]).read() == data


def test_multiple_recipients_each_open(identity: age.X25519Identity) -> None:
    other = age.X25519Identity.generate()
    encrypted = encrypt_bytes(b"records", [identity.recipient(), other.recipient()])
    assert age.decrypt(encrypted, [identity]) == b"records"
    assert age.decrypt(encrypted, [other]) == b"records"


@pytest.mark.skipif(not age.PQ_SUPPORTED, reason="cryptography without ML-KEM HPKE")
def test_post_quantum_round_trip_and_mixed_recipients(identity: age.X25519Identity) -> None:
    pq_identity = age.MLKEM768X25519Identity.generate()
    recipient = age.parse_recipient(str(pq_identity.recipient()))
    encrypted = encrypt_bytes(plaintext(CHUNK + 1), [recipient, identity.recipient()])
    assert age.decrypt(encrypted, [pq_identity]) == plaintext(CHUNK + 1)
    assert age.decrypt(encrypted, [identity]) == plaintext(CHUNK + 1)
    reparsed = age.parse_identity(str(pq_identity))
    assert age.decrypt(encrypted, [reparsed]) == plaintext(CHUNK + 1)


def test_wrong_key_and_wrong_passphrase_are_told_apart(identity: age.X25519Identity) -> None:
    by_key = encrypt_bytes(b"x", [identity.recipient()])
    with pytest.raises(age.NoIdentityMatchError, match="not encrypted to any of your keys") as err:
        age.decrypt(by_key, [age.X25519Identity.generate()])
    assert not isinstance(err.value, age.WrongPassphraseError)

    by_passphrase = encrypt_bytes(b"x", [age.ScryptRecipient("correct horse", work_factor=10)])
    assert age.decrypt(by_passphrase, [age.ScryptIdentity("correct horse")]) == b"x"
    with pytest.raises(age.WrongPassphraseError):
        age.decrypt(by_passphrase, [age.ScryptIdentity("wrong horse")])
    with pytest.raises(age.NoIdentityMatchError, match="passphrase") as err2:
        age.decrypt(by_passphrase, [identity])
    assert not isinstance(err2.value, age.WrongPassphraseError)


def test_passphrase_must_be_the_only_recipient(identity: age.X25519Identity) -> None:
    with pytest.raises(age.AgeKeyError, match="only recipient"):
        age.encrypt_writer(io.BytesIO(), [age.ScryptRecipient("pw", 10), identity.recipient()])
    with pytest.raises(age.AgeKeyError):
        age.encrypt_writer(io.BytesIO(), [])


def test_scrypt_work_factor_limits() -> None:
    with pytest.raises(age.AgeKeyError):
        age.ScryptRecipient("pw", work_factor=23)
    encrypted = encrypt_bytes(b"x", [age.ScryptRecipient("pw", work_factor=12)])
    with pytest.raises(age.HeaderError, match="work factor 12"):
        age.decrypt(encrypted, [age.ScryptIdentity("pw", max_work_factor=11)])


def header_length(encrypted: bytes) -> int:
    return encrypted.index(b"\n---") + len(b"\n--- ") + 43 + 1


@pytest.mark.parametrize("cut", ["header", "mac", "nonce", "chunk_boundary", "mid_chunk", "tag"])
def test_truncation_is_detected_and_releases_only_whole_chunks(
    identity: age.X25519Identity, cut: str
) -> None:
    data = plaintext(3 * CHUNK + 7)
    encrypted = encrypt_bytes(data, [identity.recipient()])
    payload = header_length(encrypted) + 16
    at = {
        "header": 30,
        "mac": header_length(encrypted) - 10,
        "nonce": payload - 5,
        "chunk_boundary": payload + 2 * (CHUNK + 16),
        "mid_chunk": payload + CHUNK + 16 + 1000,
        "tag": len(encrypted) - 3,
    }[cut]
    truncated = encrypted[:at]
    if cut in ("header", "mac", "nonce"):
        with pytest.raises(age.HeaderError):
            age.decrypt_reader(io.BytesIO(truncated), [identity])
        with pytest.raises(age.HeaderError):
            age.open_random_access(io.BytesIO(truncated), [identity])
        return
    released, error = read_released(age.decrypt_reader(io.BytesIO(truncated), [identity]))
    assert isinstance(error, age.PayloadError)
    assert "truncated" in str(error)
    assert len(released) % CHUNK == 0 and released == data[: len(released)]
    with pytest.raises(age.PayloadError):
        age.open_random_access(io.BytesIO(truncated), [identity])


@pytest.mark.parametrize("chunk", [0, 1, 3])
def test_bit_flip_in_payload_stops_before_the_damaged_chunk(
    identity: age.X25519Identity, chunk: int
) -> None:
    data = plaintext(3 * CHUNK + 7)
    encrypted = bytearray(encrypt_bytes(data, [identity.recipient()]))
    payload = header_length(bytes(encrypted)) + 16
    encrypted[payload + chunk * (CHUNK + 16) + 5] ^= 0x01
    released, error = read_released(age.decrypt_reader(io.BytesIO(bytes(encrypted)), [identity]))
    assert isinstance(error, age.PayloadError)
    assert f"part {chunk + 1}" in str(error)
    assert released == data[: chunk * CHUNK]
    # Later reads keep failing rather than skipping the damaged part.
    reader = age.decrypt_reader(io.BytesIO(bytes(encrypted)), [identity])
    for _ in range(2):
        with pytest.raises(age.PayloadError):
            reader.read()


def flip_in_base64_line(text: bytes, prefix: bytes, byte: int) -> bytes:
    """Flip one bit of the decoded value on the line after ``prefix``, re-encoded validly."""
    start = text.index(prefix) + len(prefix)
    end = text.index(b"\n", start)
    value = bytearray(base64.b64decode(text[start:end] + b"=" * (-(end - start) % 4)))
    value[byte] ^= 0x01
    encoded = base64.b64encode(bytes(value)).rstrip(b"=")
    return text[:start] + encoded + text[end:]


def test_bit_flips_in_header_fields(identity: age.X25519Identity) -> None:
    encrypted = encrypt_bytes(plaintext(100), [identity.recipient()])
    stanza_body = encrypted.index(b"\n", encrypted.index(b"-> X25519")) + 1
    cases: list[tuple[bytes, type[Exception]]] = [
        # The version line.
        (bytes([encrypted[0] ^ 0x01]) + encrypted[1:], age.HeaderError),
        # The wrapped file key: no longer opens with this key.
        (
            encrypted[:stanza_body]
            + flip_in_base64_line(encrypted[stanza_body - 1 :], b"\n", 3)[1:],
            age.NoIdentityMatchError,
        ),
        # The header MAC itself.
        (flip_in_base64_line(encrypted, b"--- ", 5), age.HeaderMACError),
        # The payload nonce: a different payload key, so the first chunk fails.
        (
            encrypted[: header_length(encrypted) + 3]
            + bytes([encrypted[header_length(encrypted) + 3] ^ 0x01])
            + encrypted[header_length(encrypted) + 4 :],
            age.PayloadError,
        ),
    ]
    for damaged, expected in cases:
        assert damaged != encrypted and len(damaged) == len(encrypted)
        with pytest.raises(expected):
            age.decrypt(damaged, [identity])


def test_header_stanza_edit_is_caught_by_the_mac(identity: age.X25519Identity) -> None:
    encrypted = encrypt_bytes(b"x", [identity.recipient()])
    edited = encrypted.replace(b"-> X25519", b"-> grease extra\n\n-> X25519", 1)
    with pytest.raises(age.HeaderMACError):
        age.decrypt(edited, [identity])


def test_data_appended_after_the_end_is_refused(identity: age.X25519Identity) -> None:
    encrypted = encrypt_bytes(plaintext(100), [identity.recipient()])
    with pytest.raises(age.PayloadError):
        age.decrypt(encrypted + b"\0", [identity])
    with pytest.raises(age.PayloadError):
        age.open_random_access(io.BytesIO(encrypted + b"\0" * 20), [identity])


def test_interrupted_writer_does_not_leave_a_valid_file(identity: age.X25519Identity) -> None:
    out = io.BytesIO()
    with pytest.raises(RuntimeError), age.encrypt_writer(out, [identity.recipient()]) as writer:
        writer.write(plaintext(CHUNK * 2))
        raise RuntimeError("disk full")
    with pytest.raises(age.PayloadError):
        age.decrypt(out.getvalue(), [identity])
    assert not out.closed  # dst belongs to the caller


def test_streaming_memory_stays_flat(identity: age.X25519Identity, tmp_path: Path) -> None:
    size = 24 * 1024 * 1024
    piece = plaintext(CHUNK)
    path = tmp_path / "big.age"
    tracemalloc.start()
    try:
        with path.open("wb") as dst, age.encrypt_writer(dst, [identity.recipient()]) as writer:
            for _ in range(size // CHUNK):
                writer.write(piece)
        _, encrypt_peak = tracemalloc.get_traced_memory()
        del writer  # its buffers are not the decryptor's
        tracemalloc.reset_peak()
        total = 0
        with path.open("rb") as src:
            reader = age.decrypt_reader(src, [identity])
            while data := reader.read(CHUNK):
                total += len(data)
        _, decrypt_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size and path.stat().st_size > size
    # A few chunks in flight, whatever the size of the file: the encryptor's two
    # output buffers of 16 sealed chunks (about 1 MiB each) and one chunk of input.
    from recordpack.age.stream import ENCRYPTED_CHUNK_SIZE, WRITE_CHUNKS

    bound = 2 * ENCRYPTED_CHUNK_SIZE * WRITE_CHUNKS + 256 * 1024
    assert encrypt_peak < bound, f"encrypting {size} bytes peaked at {encrypt_peak}"
    assert decrypt_peak < 2 * 1024 * 1024, f"decrypting {size} bytes peaked at {decrypt_peak}"
