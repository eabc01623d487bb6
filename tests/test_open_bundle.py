"""open_bundle / verify_bundle / inspect_bundle on real encrypted bundles.

Valid bundles open byte for byte, all-or-nothing; any flipped byte or
truncation anywhere in the file fails with a clear message and leaves nothing.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle.index_model import parse_index
from recordpack.bundle.reader import (
    DestinationNotEmptyError,
    inspect_bundle,
    open_bundle,
    verify_bundle,
)
from recordpack.errors import AgeError, BundleError, RecordpackError
from tests.open_bundles import (
    BAG,
    PAYLOAD,
    Sealer,
    age_encrypt_cli,
    age_keygen_cli,
    bag_members,
    recordpack_age_ready,
    valid_zip,
    zip_bytes,
)
from tests.prerequisites import require_tool

pytestmark = pytest.mark.skipif(not recordpack_age_ready(), reason="recordpack.age not ready")

#: Big enough for several 64 KiB age chunks, so first/middle/last chunks differ.
BIG = {**PAYLOAD, "data/records/13-other/2026-10-01_scan.pdf": os.urandom(5 * 65536 + 123)}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def sealed(tmp_path: Path) -> tuple[Path, list[Any]]:
    seal = Sealer(tmp_path)
    return seal(valid_zip(payload=BIG)), seal.identities


def test_open_extracts_every_file_byte_for_byte(
    tmp_path: Path, sealed: tuple[Path, list[Any]]
) -> None:
    bundle, identities = sealed
    result = open_bundle(bundle, identities, tmp_path / "opened")
    assert result.bag_dir == tmp_path / "opened" / BAG
    for path, data in BIG.items():
        assert (result.bag_dir / path).read_bytes() == data
    assert result.files == len(BIG)
    assert result.payload_bytes == sum(len(d) for d in BIG.values())
    assert result.dicomdir == result.bag_dir / "data/imaging/DICOMDIR"
    assert result.index_html is not None and result.index_html.is_file()
    assert result.index["patient"]["name"] == "TESTPERSON, JANE Q"
    # Only the destination appeared: no leftover temporary folder.
    assert sorted(os.listdir(tmp_path)) == ["bundle.rpk", "opened"]


def test_open_into_an_existing_empty_folder(tmp_path: Path, sealed: tuple[Path, list[Any]]) -> None:
    bundle, identities = sealed
    (tmp_path / "empty").mkdir()
    result = open_bundle(bundle, identities, tmp_path / "empty")
    assert os.listdir(tmp_path / "empty") == [BAG]
    assert (result.bag_dir / "index.json").is_file()


def test_open_refuses_a_non_empty_destination(
    tmp_path: Path, sealed: tuple[Path, list[Any]]
) -> None:
    bundle, identities = sealed
    dest = tmp_path / "full"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(DestinationNotEmptyError) as caught:
        open_bundle(bundle, identities, dest)
    assert "not empty" in str(caught.value)
    assert os.listdir(dest) == ["notes.txt"]
    assert sorted(os.listdir(tmp_path)) == ["bundle.rpk", "full"]


def test_verify_writes_nothing(tmp_path: Path, sealed: tuple[Path, list[Any]]) -> None:
    bundle, identities = sealed
    before = listing(tmp_path)
    result = verify_bundle(bundle, identities)
    assert result.files == len(BIG)
    assert result.bag == BAG
    assert listing(tmp_path) == before


def test_wrong_key_is_named(tmp_path: Path, sealed: tuple[Path, list[Any]]) -> None:
    from recordpack import age

    bundle, _ = sealed
    with pytest.raises(age.NoIdentityMatchError) as caught:
        open_bundle(bundle, [age.X25519Identity.generate()], tmp_path / "out")
    assert "not encrypted to any of your keys" in str(caught.value)
    hint = caught.value.hint or ""
    assert "key file whose public key you gave" in hint
    assert "not encrypted to any" not in hint  # the hint adds what to do, not the message again
    assert not (tmp_path / "out").exists()


def test_wrong_passphrase(tmp_path: Path) -> None:
    from recordpack import age

    bundle = tmp_path / "p.rpk"
    with (
        open(bundle, "wb") as out,
        age.encrypt_writer(
            out, [age.ScryptRecipient("correct horse battery", work_factor=10)]
        ) as writer,
    ):
        writer.write(valid_zip())
    with pytest.raises(age.WrongPassphraseError):
        verify_bundle(bundle, [age.ScryptIdentity("wrong horse")])
    assert verify_bundle(bundle, [age.ScryptIdentity("correct horse battery")]).files == 4


def _payload_start(data: bytes) -> int:
    mac = data.index(b"\n--- ")
    return data.index(b"\n", mac + 1) + 1


def _damaged(data: bytes) -> dict[str, bytes]:
    start = _payload_start(data)
    chunk = 65536 + 16
    flips = {
        "header-version": 3,
        "header-stanza": 30,
        "header-mac": start - 10,
        "nonce": start + 2,
        "first-chunk": start + 16 + 100,
        "second-chunk": start + 16 + chunk + 5,
        "middle": len(data) // 2,
        "last-chunk": len(data) - 40,
        "last-byte": len(data) - 1,
    }
    cases = {
        f"flip-{name}": data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
        for name, at in flips.items()
    }
    cases.update(
        {
            "truncated-last-byte": data[:-1],
            "truncated-last-tag": data[:-16],
            "truncated-at-chunk-boundary": data[: start + 16 + chunk],
            "truncated-header-only": data[:start],
            "truncated-half": data[: len(data) // 2],
            "appended-byte": data + b"\0",
        }
    )
    return cases


DAMAGE = list(_damaged(b"\n--- x\n" + bytes(6 * 65536)).keys())


@pytest.mark.parametrize("damage", DAMAGE)
def test_any_damage_fails_open_and_verify_and_leaves_nothing(
    tmp_path: Path, sealed: tuple[Path, list[Any]], damage: str
) -> None:
    bundle, identities = sealed
    bundle.write_bytes(_damaged(bundle.read_bytes())[damage])
    before = listing(tmp_path)
    dest = tmp_path / "opened"

    with pytest.raises(RecordpackError) as caught:
        open_bundle(bundle, identities, dest)
    assert isinstance(caught.value, (AgeError, BundleError))
    assert caught.value.message and caught.value.hint
    assert listing(tmp_path) == before  # no destination, no temporary folder

    dest.mkdir()
    with pytest.raises(RecordpackError):
        open_bundle(bundle, identities, dest)
    assert os.listdir(dest) == []
    dest.rmdir()

    with pytest.raises(RecordpackError):
        verify_bundle(bundle, identities)
    assert listing(tmp_path) == before


class CountingFile(io.RawIOBase):
    """A file wrapper that counts the bytes read through it."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 (closed in close())
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer: Any) -> int:
        count = self._file.readinto(buffer)
        self.bytes_read += count or 0
        return count or 0

    def close(self) -> None:
        self._file.close()
        super().close()


def test_inspect_reads_only_a_small_part_of_a_large_bundle(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    payload = {**PAYLOAD, "data/imaging/PT000000/ST000000/SE000000/IM000001": os.urandom(8 << 20)}
    bundle = seal(valid_zip(payload=payload))
    size = bundle.stat().st_size
    with CountingFile(bundle) as counted:
        index = inspect_bundle(counted, seal.identities)  # type: ignore[arg-type]
        assert index["bag"] == BAG
        assert len(index["files"]) == len(payload)
        assert counted.bytes_read < size / 20, (counted.bytes_read, size)


def test_inspect_matches_the_index_inside(tmp_path: Path, sealed: tuple[Path, list[Any]]) -> None:
    bundle, identities = sealed
    index = inspect_bundle(bundle, identities)
    inside = json.loads(dict(bag_members(payload=BIG))[f"{BAG}/index.json"])
    # inspect gives the index as the schema checked it: the same data, every key present.
    assert index == parse_index(inside).to_json()
    assert index["patient"] == inside["patient"] and index["check"] == inside["check"]
    assert [f["sha256"] for f in index["files"]] == [f["sha256"] for f in inside["files"]]


def test_unknown_index_version_is_refused_by_open(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    data = zip_bytes(bag_members(index_patch=lambda i: i.update(version=2)))
    with pytest.raises(BundleError) as caught:
        open_bundle(seal(data), seal.identities, tmp_path / "out")
    assert "version 2" in str(caught.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.interop
def test_bundle_encrypted_by_the_age_tool_opens(tmp_path: Path) -> None:
    require_tool("age", "age")
    from recordpack import age

    recipient = age_keygen_cli(tmp_path / "key.txt")
    bundle = age_encrypt_cli(valid_zip(payload=BIG), tmp_path / "from-age.rpk", recipient)
    identities = age.load_identities(tmp_path / "key.txt")
    result = open_bundle(bundle, identities, tmp_path / "opened")
    for path, data in BIG.items():
        assert (result.bag_dir / path).read_bytes() == data


@pytest.mark.interop
def test_the_age_tool_and_unzip_read_what_we_accept(tmp_path: Path) -> None:
    # The reverse direction: what age -d gives is the very ZIP we verified.
    require_tool("age", "age")
    unzip = require_tool("unzip", "unzip")
    import subprocess

    recipient = age_keygen_cli(tmp_path / "key.txt")
    bundle = age_encrypt_cli(valid_zip(), tmp_path / "b.rpk", recipient)
    subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "key.txt"), "-o", str(tmp_path / "b.zip"), str(bundle)],
        check=True,
    )
    subprocess.run([unzip, "-q", str(tmp_path / "b.zip"), "-d", str(tmp_path / "u")], check=True)
    assert (tmp_path / "u" / BAG / "index.json").is_file()


def test_ctrl_c_during_extraction_leaves_nothing(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    payload = {**PAYLOAD, "data/records/13-other/big.pdf": os.urandom(12 << 20)}
    bundle = seal(valid_zip(payload=payload))
    before = listing(tmp_path)

    def interrupt(done: int, total: int) -> None:
        if done < total:  # mid-way: some files are already extracted
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        open_bundle(bundle, seal.identities, tmp_path / "opened", progress=interrupt)
    assert listing(tmp_path) == before
