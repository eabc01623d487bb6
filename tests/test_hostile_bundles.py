"""Crafted bundles: valid encryption around a hostile or inconsistent ZIP.

Each must be refused with a message naming the member and the reason, and
nothing may be written inside or outside the destination.
"""

from __future__ import annotations

import os
import stat
import struct
import unicodedata
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle.reader import (
    BundleVerificationError,
    ChecksumMismatchError,
    NotARecordpackBundleError,
    UnsafeMemberError,
    inspect_bundle,
    open_bundle,
    verify_bundle,
)
from recordpack.errors import BundleError
from tests.open_bundles import BAG, PAYLOAD, Sealer, bag_members, sha256, zip_bytes

PDF = f"{BAG}/data/records/01-pathology_report/2026-08-20_surgical-pathology-report.pdf"


def info(name: str, *, mode: int | None = None, deflate: bool = False) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=(2026, 11, 24, 15, 0, 0))
    if mode is not None:
        zi.create_system = 3
        zi.external_attr = mode << 16
    if deflate:
        zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def with_extra(*extra: tuple[Any, bytes], first: bool = True) -> bytes:
    members: list[tuple[Any, bytes]] = list(bag_members())
    members = [*extra, *members] if first else [*members, *extra]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we want
        return zip_bytes(members)


def set_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite a member's uncompressed size in the central directory (a lying header)."""
    raw = bytearray(data)
    encoded = name.encode()
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if bytes(raw[at + 46 : at + 46 + name_len]) == encoded:
            struct.pack_into("<L", raw, at + 24, size)
            return bytes(raw)
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in the central directory")


def bomb_member() -> tuple[zipfile.ZipInfo, bytes]:
    return info(f"{BAG}/data/records/bomb.txt", deflate=True), bytes(40 * 1024 * 1024)


def lying_bomb() -> bytes:
    """small.txt is listed everywhere as 1,000 bytes; its deflate stream holds 8 MiB."""
    name = f"{BAG}/data/records/small.txt"
    listed = bag_members({**PAYLOAD, "data/records/small.txt": bytes(1000)})
    members = [
        (info(n, deflate=True), bytes(8 * 1024 * 1024)) if n == name else (n, d)
        for n, d in listed
    ]
    return set_declared_size(zip_bytes(members), name, 1000)


def replace_payload(path: str, new: bytes) -> bytes:
    members = [(n, new if n == path else d) for n, d in bag_members()]
    return zip_bytes(members)


def forged(path: str) -> bytes:
    """The file at ``path`` replaced by other bytes of the same length."""
    original = PAYLOAD[path.split("/", 1)[1]]
    return replace_payload(path, b"%PDF-1.4 forged".ljust(len(original), b" "))


def patch_first_manifest_hash(lines: list[str]) -> list[str]:
    _digest, path = lines[0].split("  ", 1)
    return [f"{'0' * 64}  {path}", *lines[1:]]


def bad_index_size(index: dict[str, Any]) -> None:
    index["files"][0]["size"] += 1


def drop_index_entry(index: dict[str, Any]) -> None:
    index["files"].pop()


NFC = unicodedata.normalize("NFC", "café")
NFD = unicodedata.normalize("NFD", "café")

# (id, zip bytes builder, error class, fragment naming the member, fragment of the reason)
CASES: list[tuple[str, Callable[[Path], bytes], type[BundleError], str, str]] = [
    (
        "dotdot-top",
        lambda t: with_extra(("../evil.txt", b"x")),
        UnsafeMemberError,
        "../evil.txt",
        "..",
    ),
    (
        "dotdot-inside",
        lambda t: with_extra((f"{BAG}/../../evil.txt", b"x")),
        UnsafeMemberError,
        "evil.txt",
        "..",
    ),
    (
        "absolute",
        lambda t: with_extra((f"{t}/abs-evil.txt", b"x")),
        UnsafeMemberError,
        "abs-evil.txt",
        "absolute",
    ),
    (
        "backslash",
        lambda t: with_extra((f"{BAG}\\..\\evil.txt", b"x")),
        UnsafeMemberError,
        "evil.txt",
        "backslash",
    ),
    (
        "drive",
        lambda t: with_extra(("C:/evil.txt", b"x")),
        UnsafeMemberError,
        "C:/evil.txt",
        "drive letter",
    ),
    (
        "nul",
        lambda t: with_extra((f"{BAG}/data/a.pdf#.txt", b"x")).replace(
            b"a.pdf#.txt", b"a.pdf\x00.txt"
        ),
        UnsafeMemberError,
        "a.pdf",
        "NUL",
    ),
    (
        "symlink",
        lambda t: with_extra((info(f"{BAG}/data/link", mode=0o120777), b"/etc/passwd")),
        UnsafeMemberError,
        f"{BAG}/data/link",
        "symbolic link",
    ),
    (
        "device",
        lambda t: with_extra((info(f"{BAG}/data/dev", mode=stat.S_IFCHR | 0o666), b"")),
        UnsafeMemberError,
        f"{BAG}/data/dev",
        "device",
    ),
    ("duplicate", lambda t: with_extra((PDF, b"evil twin")), UnsafeMemberError, PDF, "twice"),
    (
        "case-collision",
        lambda t: with_extra((PDF.upper().replace(BAG.upper(), BAG), b"x")),
        UnsafeMemberError,
        "2026-08-20_SURGICAL-PATHOLOGY-REPORT.PDF",
        "looks the same",
    ),
    (
        "unicode-collision",
        lambda t: with_extra((f"{BAG}/data/{NFC}.txt", b"x"), (f"{BAG}/data/{NFD}.txt", b"y")),
        UnsafeMemberError,
        f"{BAG}/data/",
        "looks the same",
    ),
    (
        "outside-bag",
        lambda t: with_extra(("elsewhere/evil.txt", b"x"), first=False),
        UnsafeMemberError,
        "elsewhere/evil.txt",
        "not inside",
    ),
    (
        "zip-bomb-not-in-index",
        lambda t: with_extra(bomb_member()),
        BundleVerificationError,
        "bomb.txt",
        "not listed in index.json",
    ),
    (
        "absurd-size",
        lambda t: set_declared_size(
            with_extra((info(f"{BAG}/data/huge.bin"), b"x")),
            f"{BAG}/data/huge.bin",
            0xFFFF_FFF0 - 1,
        ),
        UnsafeMemberError,
        "huge.bin",
        "sizes differ",
    ),
    (
        "lying-size-bomb",
        lambda t: lying_bomb(),
        BundleVerificationError,
        "small.txt",
        "more data than",
    ),
    (
        "missing-from-manifest",
        lambda t: zip_bytes(bag_members(manifest_patch=lambda lines: lines[1:])),
        BundleVerificationError,
        PDF,
        "not in manifest-sha256.txt",
    ),
    (
        "content-mismatch",
        lambda t: zip_bytes(bag_members(manifest_patch=patch_first_manifest_hash)),
        ChecksumMismatchError,
        PDF,
        "manifest says",
    ),
    (
        "swapped-file",
        lambda t: forged(PDF),
        BundleVerificationError,
        PDF,
        "SHA-256",
    ),
    (
        "extra-file",
        lambda t: with_extra((f"{BAG}/data/records/extra.pdf", b"%PDF extra")),
        BundleVerificationError,
        "extra.pdf",
        "not listed in index.json",
    ),
    (
        "extra-tag-file",
        lambda t: with_extra((f"{BAG}/run-me.sh", b"rm -rf ~"), first=False),
        BundleVerificationError,
        "run-me.sh",
        "neither listed in index.json nor a tag file",
    ),
    (
        "index-disagrees",
        lambda t: zip_bytes(bag_members(index_patch=bad_index_size)),
        BundleVerificationError,
        PDF,
        "index.json",
    ),
    (
        "index-missing-file",
        lambda t: zip_bytes(bag_members(index_patch=drop_index_entry)),
        BundleVerificationError,
        "IM000000",
        "not listed in index.json",
    ),
    (
        "oxum",
        lambda t: zip_bytes(
            bag_members(bag_info_patch=lambda lines: [*lines[:2], "Payload-Oxum: 1.1"])
        ),
        BundleVerificationError,
        "bag-info.txt",
        "Payload-Oxum",
    ),
    (
        "plain-text",
        lambda t: b"Dear doctor, here are my records.\n" * 100,
        NotARecordpackBundleError,
        "",
        "does not contain a ZIP",
    ),
    (
        "not-a-bag",
        lambda t: zip_bytes([("photos/holiday.jpg", b"\xff\xd8\xff")]),
        NotARecordpackBundleError,
        "",
        "not a recordpack bag",
    ),
]


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("build", "error", "member", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_hostile_bundle_is_refused_and_nothing_is_written(
    tmp_path: Path,
    build: Callable[[Path], bytes],
    error: type[BundleError],
    member: str,
    reason: str,
) -> None:
    seal = Sealer(tmp_path)
    bundle = seal(build(tmp_path))
    before = listing(tmp_path)
    dest = tmp_path / "opened"

    with pytest.raises(error) as caught:
        open_bundle(bundle, seal.identities, dest)
    message = str(caught.value)
    assert member in message and reason in message, message
    assert caught.value.hint  # every refusal tells the user what to do
    assert listing(tmp_path) == before  # no temp folder, no escaped file, no destination
    assert not (tmp_path.parent / "evil.txt").exists()

    with pytest.raises(error):
        verify_bundle(bundle, seal.identities)
    assert listing(tmp_path) == before


def test_refusal_into_existing_empty_destination_leaves_it_empty(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    bundle = seal(with_extra(("../evil.txt", b"x")))
    dest = tmp_path / "opened"
    dest.mkdir()
    with pytest.raises(UnsafeMemberError) as caught:
        open_bundle(bundle, seal.identities, dest)
    assert caught.value.member == "../evil.txt"
    assert list(dest.iterdir()) == []
    assert sorted(os.listdir(tmp_path)) == ["bundle.rpk", "opened"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    data = with_extra(
        ("../a.txt", b"x"), (info(f"{BAG}/data/link", mode=0o120777), b"/etc"), ("/b.txt", b"y")
    )
    with pytest.raises(UnsafeMemberError) as caught:
        verify_bundle(seal(data), seal.identities)
    assert {p.path for p in caught.value.problems} == {"../a.txt", f"{BAG}/data/link", "/b.txt"}


def test_inspect_refuses_unsafe_members_too(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    with pytest.raises(UnsafeMemberError):
        inspect_bundle(seal(with_extra(("../evil.txt", b"x"))), seal.identities)


def test_a_deflated_member_that_lies_about_its_size_is_cut_off_early(tmp_path: Path) -> None:
    # 8 MiB of zeros declared as 1000 bytes: the reader must stop at the lie,
    # not decompress everything first (constant memory against zip bombs).
    seal = Sealer(tmp_path)
    with pytest.raises(BundleVerificationError) as caught:
        verify_bundle(seal(lying_bomb()), seal.identities)
    assert next(p.code for p in caught.value.problems) == "size_mismatch"


def test_manifest_checksum_error_carries_the_path(tmp_path: Path) -> None:
    seal = Sealer(tmp_path)
    bundle = seal(zip_bytes(bag_members(manifest_patch=patch_first_manifest_hash)))
    with pytest.raises(ChecksumMismatchError) as caught:
        verify_bundle(bundle, seal.identities)
    assert caught.value.path == PDF
    assert sha256(PAYLOAD[PDF.split("/", 1)[1]]) in str(caught.value)
