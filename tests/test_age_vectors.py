"""Every CCTV age test vector (C2SP/CCTV age/testdata) gives its expected outcome.

The vectors are the judge of conformance: success with the right plaintext, or
the right class of failure having released exactly the plaintext the vector
allows (its ``payload`` hash covers everything released before the failure).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from recordpack import age
from recordpack.age.base import Identity

# Same place the age_vectors fixture looks; needed at collection time to parametrize.
AGE_VECTORS = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "vectors" / "age" / "testdata"
)

EXPECTED_ERROR: dict[str, type[age.AgeError]] = {
    "no match": age.NoIdentityMatchError,
    "HMAC failure": age.HeaderMACError,
    "header failure": age.HeaderError,
    "payload failure": age.PayloadError,
    "armor failure": age.ArmorError,
}


@dataclass
class Vector:
    name: str
    expect: str
    payload: str | None = None
    identities: list[str] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    armored: bool = False
    body: bytes = b""


def load_vector(path: Path) -> Vector:
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\n\n")
    vector = Vector(name=path.name, expect="")
    compressed = False
    for line in head.decode("utf-8").splitlines():
        key, _, value = line.partition(": ")
        if key == "expect":
            vector.expect = value
        elif key == "payload":
            vector.payload = value
        elif key == "identity":
            vector.identities.append(value)
        elif key == "passphrase":
            vector.passphrases.append(value)
        elif key == "armored":
            vector.armored = value == "yes"
        elif key == "compressed":
            assert value == "zlib", f"unknown compression {value}"
            compressed = True
        # "file key" and "comment" are informative; unknown keys are ignored (testkit rule).
    vector.body = zlib.decompress(body) if compressed else body
    assert vector.expect, f"{path.name} has no expect line"
    return vector


def identities_of(vector: Vector) -> list[Identity]:
    ids: list[Identity] = [age.parse_identity(text) for text in vector.identities]
    ids += [age.ScryptIdentity(p) for p in vector.passphrases]
    return ids


def vector_names() -> list[str]:
    return sorted(p.name for p in AGE_VECTORS.iterdir()) if AGE_VECTORS.is_dir() else []


#: Stands for the vectors when they are absent: the ``age_vectors`` fixture then
#: skips (fails under CI) saying why, where an empty parameter list would not.
ABSENT = [pytest.param("", id="vectors-absent")]


def test_all_143_vectors_are_present(age_vectors: Path) -> None:
    assert len(vector_names()) == 143


@pytest.mark.parametrize("name", vector_names() or ABSENT)
def test_vector_streaming(age_vectors: Path, name: str) -> None:
    vector = load_vector(age_vectors / name)
    released = hashlib.sha256()
    released_any = False
    error: Exception | None = None
    try:
        reader = age.decrypt_reader(
            io.BytesIO(vector.body), identities_of(vector), armored=vector.armored
        )
        while True:
            # 7,000 is not a chunk multiple: partial reads must not change what is released.
            data = reader.read(7_000)
            if not data:
                break
            released.update(data)
            released_any = True
    except age.AgeError as caught:
        error = caught

    if vector.expect == "success":
        assert error is None, f"{name}: unexpected {type(error).__name__}: {error}"
    else:
        expected = EXPECTED_ERROR[vector.expect]
        assert isinstance(error, expected), f"{name}: expected {expected.__name__}, got {error!r}"
        if vector.expect == "header failure":
            assert not isinstance(error, age.HeaderMACError)
        assert error.hint, "every failure must carry a hint for the user"
    if vector.payload is not None:
        assert released.hexdigest() == vector.payload
    else:
        assert not released_any, f"{name}: plaintext released although the vector allows none"


def success_vectors() -> list[str]:
    names = []
    for name in vector_names():
        vector = load_vector(AGE_VECTORS / name)
        if vector.expect == "success":
            names.append(name)
    return names


@pytest.mark.parametrize("name", success_vectors() or ABSENT)
def test_success_vector_random_access(age_vectors: Path, name: str) -> None:
    vector = load_vector(age_vectors / name)
    if vector.armored:
        # Random access needs byte offsets into the binary form; armored input is refused
        # with a clear error instead (streaming decryption handles it, tested above).
        with pytest.raises(age.ArmorError):
            age.open_random_access(io.BytesIO(vector.body), identities_of(vector))
        return
    reader = age.open_random_access(io.BytesIO(vector.body), identities_of(vector))
    assert isinstance(reader, age.RandomAccessReader)  # typed BinaryIO; .size is its own
    whole = reader.read()
    assert hashlib.sha256(whole).hexdigest() == vector.payload
    assert reader.size == len(whole)
    # Ranges that straddle chunk boundaries and the end give the same bytes.
    for start, length in [
        (0, 1),
        (65535, 2),
        (65536, 65536),
        (len(whole) - 3, 10),
        (len(whole) // 2, 100_000),
    ]:
        start = max(0, min(start, len(whole)))
        reader.seek(start)
        assert reader.read(length) == whole[start : start + length]
