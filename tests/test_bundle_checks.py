"""One crafted ZIP per structural check of the bundle reader (reader.py, safety.py, policy.py).

Each test breaks exactly one thing in an otherwise valid bag and asserts the
refusal a user sees (the member and the reason) and that nothing was written.
Every check was deleted in turn to see its test here (or in
test_hostile_bundles.py / test_bundle_trust.py) fail: see docs/trust-bundle.md.

The ZIPs are written byte by byte (``craft``), not with zipfile, so headers can
disagree with the central directory, bytes can sit between members and data
descriptors can lie.
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from recordpack.bundle.policy import Limits
from recordpack.bundle.reader import (
    BundleVerificationError,
    NotARecordpackBundleError,
    UnsafeMemberError,
    _PlainZip,
    open_bundle,
    verify_bundle,
)
from recordpack.bundle.safety import ChecksumMismatchError
from recordpack.errors import BundleError, RecordpackError
from tests.open_bundles import BAG, bag_members

#: A reader whose end-of-data checks were gone would loop forever: that must fail, not hang.
pytestmark = pytest.mark.timeout(120)

PDF = f"{BAG}/data/records/01-pathology_report/2026-08-20_surgical-pathology-report.pdf"
TXT = f"{BAG}/data/records/04-lab_result/2026-09-01_tumor-markers.txt"


@dataclass
class Entry:
    """One member as it will be written; the ``local_*``/``cd_*`` fields make them disagree."""

    name: str
    data: bytes
    deflate: bool = False
    descriptor: bool = False
    descriptor_bytes: bytes | None = None  # replaces the honest data descriptor
    local_name: str | None = None
    local_method: int | None = None
    cd_size: int | None = None  # declared uncompressed size in the central directory
    cd_crc: int | None = None
    flags: int = 0
    mode: int | None = None  # Unix st_mode in the external attributes
    after: bytes = b""  # stray bytes written after this member
    payload: bytes | None = None  # replaces the (compressed) data written


def entries(**changes: Callable[[Entry], Entry]) -> list[Entry]:
    """A valid bag's members as Entries; ``changes`` maps a bag-relative path to a change."""
    out = []
    for name, data in bag_members():
        entry = Entry(name, data, deflate=name.endswith((".txt", ".json", ".html")))
        relative = name.split("/", 1)[1]
        for key, change in changes.items():
            if key == relative:
                entry = change(entry)
        out.append(entry)
    return out


def craft(
    members: list[Entry],
    *,
    prefix: bytes = b"",
    before_directory: bytes = b"",
    count: int | None = None,
) -> bytes:
    """Write a ZIP by hand (no ZIP64), from ``members`` in order."""
    out = bytearray(prefix)
    central = bytearray()
    for m in members:
        stored = m.payload
        if stored is None:
            if m.deflate:
                packer = zlib.compressobj(6, zlib.DEFLATED, -15)
                stored = packer.compress(m.data) + packer.flush()
            else:
                stored = m.data
        method = 8 if m.deflate else 0
        crc = zlib.crc32(m.data)
        flags = m.flags | 0x800 | (0x08 if m.descriptor else 0)
        name = m.name.encode()
        local_name = (m.local_name if m.local_name is not None else m.name).encode()
        offset = len(out)
        local_sizes = (0, 0, 0) if m.descriptor else (crc, len(stored), len(m.data))
        out += struct.pack(
            "<4sHHHHHLLLHH",
            b"PK\x03\x04",
            20,
            flags,
            m.local_method if m.local_method is not None else method,
            0,
            0x5B78,
            *local_sizes,
            len(local_name),
            0,
        )
        out += local_name + stored
        if m.descriptor:
            out += (
                m.descriptor_bytes
                if m.descriptor_bytes is not None
                else struct.pack("<4sLLL", b"PK\x07\x08", crc, len(stored), len(m.data))
            )
        out += m.after
        system, attributes = (3, m.mode << 16) if m.mode is not None else (0, 0)
        central += struct.pack(
            "<4sHHHHHHLLLHHHHHLL",
            b"PK\x01\x02",
            (system << 8) | 20,
            20,
            flags,
            method,
            0,
            0x5B78,
            m.cd_crc if m.cd_crc is not None else crc,
            len(stored),
            m.cd_size if m.cd_size is not None else len(m.data),
            len(name),
            0,
            0,
            0,
            0,
            attributes,
            offset,
        )
        central += name
    out += before_directory
    start = len(out)
    total = len(members) if count is None else count
    out += central
    out += struct.pack("<4sHHHHLLH", b"PK\x05\x06", 0, 0, total, total, len(central), start, 0)
    return bytes(out)


class TwoFaced(_PlainZip):
    """A bundle whose bytes change between the index read and the full read."""

    def __init__(self, first: Path, second: Path) -> None:
        super().__init__(first)
        self.second = second

    def stream(self) -> Any:
        return _PlainZip(self.second).stream()


def refused(
    tmp_path: Path,
    data: bytes | Any,
    error: type[RecordpackError],
    *fragments: str,
    limits: Limits | None = None,
) -> RecordpackError:
    """Open and verify ``data``; both must raise ``error`` naming every fragment; nothing written."""
    if isinstance(data, bytes):
        path = tmp_path / "bundle.zip"
        path.write_bytes(data)
        bundle: Any = _PlainZip(path)
    else:
        bundle = data
    before = sorted(os.listdir(tmp_path))
    kwargs: dict[str, Any] = {"limits": limits} if limits is not None else {}
    with pytest.raises(error) as opened:
        open_bundle(bundle, [], tmp_path / "opened", **kwargs)
    with pytest.raises(error) as verified:
        verify_bundle(bundle, [], **kwargs)
    for caught in (opened.value, verified.value):
        for fragment in fragments:
            assert fragment in str(caught), str(caught)
        assert caught.hint
    assert sorted(os.listdir(tmp_path)) == before  # nothing half-written, no temp folder
    return opened.value


def problem_codes(error: RecordpackError) -> list[str]:
    assert isinstance(error, BundleVerificationError)
    return [p.code for p in error.problems]


# ---------------------------------------------------------------- the crafted baseline


def test_the_crafted_baseline_opens(tmp_path: Path) -> None:
    """Without this, every refusal below could come from a broken crafter."""
    for descriptor in (False, True):
        members = [replace(e, descriptor=descriptor) for e in entries()]
        path = tmp_path / f"ok-{descriptor}.zip"
        path.write_bytes(craft(members))
        result = open_bundle(_PlainZip(path), [], tmp_path / f"opened-{descriptor}")
        assert (result.bag_dir / PDF.split("/", 1)[1]).is_file()


# ---------------------------------------------------------------- bytes around and between members


def test_bytes_before_the_first_member(tmp_path: Path) -> None:
    refused(tmp_path, craft(entries(), prefix=b"MZ" + bytes(100)), BundleError, "unexpected bytes")


def test_bytes_between_members(tmp_path: Path) -> None:
    extra = {PDF.split("/", 1)[1]: lambda e: replace(e, after=b"#!/bin/sh\n")}
    refused(tmp_path, craft(entries(**extra)), BundleError, PDF, "unexpected bytes after")


def test_bytes_before_the_table_of_contents(tmp_path: Path) -> None:
    data = craft(entries(), before_directory=b"hidden payload")
    refused(tmp_path, data, BundleError, "tagmanifest-sha256.txt", "unexpected bytes after")


def test_local_header_signature_missing(tmp_path: Path) -> None:
    data = bytearray(craft(entries()))
    data[0:4] = b"XXXX"
    refused(tmp_path, bytes(data), BundleError, "header is missing")


def test_local_name_disagrees_with_the_directory(tmp_path: Path) -> None:
    change = {PDF.split("/", 1)[1]: lambda e: replace(e, local_name=e.name[:-3] + "exe")}
    refused(tmp_path, craft(entries(**change)), BundleError, PDF, "disagrees with the ZIP's table")


def test_local_method_disagrees_with_the_directory(tmp_path: Path) -> None:
    change = {PDF.split("/", 1)[1]: lambda e: replace(e, local_method=8)}
    refused(tmp_path, craft(entries(**change)), BundleError, PDF, "disagrees with the ZIP's table")


# ---------------------------------------------------------------- data descriptors


def test_data_descriptor_with_a_wrong_crc(tmp_path: Path) -> None:
    bad = struct.pack("<4sLLL", b"PK\x07\x08", 0xDEADBEEF, 1, 1)
    change = {PDF.split("/", 1)[1]: lambda e: replace(e, descriptor=True, descriptor_bytes=bad)}
    refused(tmp_path, craft(entries(**change)), BundleError, PDF, "data descriptor disagrees")


def test_data_descriptor_of_the_wrong_length(tmp_path: Path) -> None:
    bad = b"PK\x07\x08" + bytes(6)
    change = {PDF.split("/", 1)[1]: lambda e: replace(e, descriptor=True, descriptor_bytes=bad)}
    refused(tmp_path, craft(entries(**change)), BundleError, PDF, "descriptor is malformed")


# ---------------------------------------------------------------- the directory changes mid-read


def test_table_of_contents_that_changes_while_read(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "first.zip", tmp_path / "a" / "second.zip"
    first.parent.mkdir()
    first.write_bytes(craft(entries()))
    # Same members, one more byte of comment-free padding inside the directory's tail.
    second.write_bytes(craft(entries())[:-2] + b"\x01\x00!")
    refused(tmp_path, TwoFaced(first, second), BundleError, "changed while it was read")


def test_index_json_that_changes_while_read(tmp_path: Path) -> None:
    honest = entries(**{"index.json": lambda e: replace(e, deflate=False)})
    first, second = tmp_path / "a" / "first.zip", tmp_path / "a" / "second.zip"
    first.parent.mkdir()
    first.write_bytes(craft(honest))
    at = first.read_bytes().index(b"TESTPERSON, JANE Q")
    swapped = bytearray(first.read_bytes())
    swapped[at : at + 8] = b"SOMEBODY"  # same length, same directory
    second.write_bytes(bytes(swapped))
    error = refused(tmp_path, TwoFaced(first, second), BundleError, "changed while the bundle")
    assert "bad_zip_structure" in problem_codes(error)


# ---------------------------------------------------------------- member data


def test_member_data_cut_short(tmp_path: Path) -> None:
    data = craft(entries())
    cut = data.index(b"PK\x01\x02")
    # The directory still says the last members are complete; their bytes are gone.
    refused(tmp_path, data[: cut - 200] + data[cut:], BundleError)


@pytest.mark.parametrize(
    ("where", "words"), [("data", "ends in this member"), ("header", "ends early")]
)
def test_stream_that_ends_before_the_directory_says(tmp_path: Path, where: str, words: str) -> None:
    """The full read is cut short (a file truncated between the index read and the full read)."""
    first, second = tmp_path / "a" / "first.zip", tmp_path / "a" / "second.zip"
    first.parent.mkdir()
    whole = craft(entries())
    first.write_bytes(whole)
    header = whole.index(b"PK\x03\x04", 10)  # the second member's local header
    second.write_bytes(whole[: header - 100] if where == "data" else whole[: header + 10])
    refused(tmp_path, TwoFaced(first, second), BundleError, words)


def test_index_text_larger_than_the_limit_is_refused() -> None:
    from recordpack.bundle.index_model import IndexSchemaError, parse_index_text

    with pytest.raises(IndexSchemaError, match="far larger"):
        parse_index_text(b" " * 2000, Limits(max_tag_file_size=1000))


def test_corrupt_deflate_stream(tmp_path: Path) -> None:
    change = {TXT.split("/", 1)[1]: lambda e: replace(e, payload=b"\xff" * 40)}
    error = refused(tmp_path, craft(entries(**change)), BundleError, TXT, "damaged")
    assert "corrupt" in problem_codes(error)


def test_deflate_stream_that_ends_early(tmp_path: Path) -> None:
    def truncated(e: Entry) -> Entry:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        whole = packer.compress(e.data) + packer.flush()
        return replace(e, payload=whole[: len(whole) // 2])

    error = refused(
        tmp_path, craft(entries(**{TXT.split("/", 1)[1]: truncated})), BundleError, "incomplete"
    )
    assert "corrupt" in problem_codes(error)


def test_member_that_holds_fewer_bytes_than_it_declares(tmp_path: Path) -> None:
    def short(e: Entry) -> Entry:
        return replace(e, payload=e.data[:-10], data=e.data, deflate=False, cd_size=len(e.data))

    # Stored: the directory's compressed size is the real one, the declared size larger.
    change = {PDF.split("/", 1)[1]: short}
    refused(tmp_path, craft(entries(**change)), UnsafeMemberError, PDF, "two declared sizes differ")


def test_deflated_member_that_holds_fewer_bytes_than_it_declares(tmp_path: Path) -> None:
    def short(e: Entry) -> Entry:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = packer.compress(e.data[:-10]) + packer.flush()
        return replace(e, payload=payload)

    change = {TXT.split("/", 1)[1]: short}
    error = refused(tmp_path, craft(entries(**change)), BundleError, TXT, "holds")
    assert "size_mismatch" in problem_codes(error)


def test_member_whose_crc_fails(tmp_path: Path) -> None:
    change = {PDF.split("/", 1)[1]: lambda e: replace(e, cd_crc=zlib.crc32(e.data) ^ 1)}
    error = refused(tmp_path, craft(entries(**change)), BundleError, PDF, "CRC-32")
    assert "corrupt" in problem_codes(error)


def test_folder_entry_that_holds_data(tmp_path: Path) -> None:
    members = [*entries(), Entry(f"{BAG}/data/records/", b"hidden")]
    refused(tmp_path, craft(members), BundleError, "folder entry holds data")


# ---------------------------------------------------------------- names, types, counts, sizes


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (f"{BAG}/data/a\x01b.pdf", "control characters"),
        (f"{BAG}/data/a\x7fb.pdf", "control characters"),
        (f"{BAG}/data/report_\u202efdp.exe", "U+202E"),
        (f"{BAG}/data/zero\u200bwidth.pdf", "U+200B"),
        (f"{BAG}/data/x" + "y" * 300 + ".pdf", "component that is too long"),
        (f"{BAG}/data//double.pdf", "empty or '.' path component"),
        (f"{BAG}/data/./dot.pdf", "empty or '.' path component"),
        ("", "empty name"),
    ],
)
def test_unsafe_member_names(tmp_path: Path, name: str, reason: str) -> None:
    refused(tmp_path, craft([*entries(), Entry(name, b"x")]), UnsafeMemberError, reason)


def test_name_too_long(tmp_path: Path) -> None:
    name = f"{BAG}/data/" + "/".join(["d" * 200] * 25) + ".pdf"
    refused(
        tmp_path, craft([*entries(), Entry(name, b"x")]), UnsafeMemberError, "name that is too long"
    )


def test_member_marked_as_folder_with_a_file_name(tmp_path: Path) -> None:
    member = Entry(f"{BAG}/data/records/a.pdf", b"x", mode=stat.S_IFDIR | 0o755)
    refused(tmp_path, craft([*entries(), member]), UnsafeMemberError, "marked as a folder")


def test_zip_encrypted_member(tmp_path: Path) -> None:
    change = {PDF.split("/", 1)[1]: lambda e: replace(e, flags=0x1)}
    refused(tmp_path, craft(entries(**change)), UnsafeMemberError, PDF, "ZIP encryption")


def test_unsupported_compression_method(tmp_path: Path) -> None:
    data = bytearray(craft(entries()))
    at = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, at + 10, 12)  # bzip2
    refused(tmp_path, bytes(data), UnsafeMemberError, "compression method 12")


def test_too_many_members(tmp_path: Path) -> None:
    refused(tmp_path, craft(entries()), UnsafeMemberError, "holds", limits=Limits(max_members=5))


def test_member_larger_than_any_record(tmp_path: Path) -> None:
    refused(
        tmp_path,
        craft(entries()),
        UnsafeMemberError,
        PDF,
        "absurd size",
        limits=Limits(max_member_size=5000),
    )


def test_tag_file_too_large_to_read(tmp_path: Path) -> None:
    refused(
        tmp_path,
        craft(entries()),
        UnsafeMemberError,
        "tag file",
        limits=Limits(max_tag_file_size=1000),
    )


def test_total_size_too_large(tmp_path: Path) -> None:
    refused(
        tmp_path,
        craft(entries()),
        UnsafeMemberError,
        "bytes in all",
        limits=Limits(max_total_size=20_000),
    )


def test_file_and_folder_name_clash(tmp_path: Path) -> None:
    members = [*entries(), Entry(f"{PDF}/inner.txt", b"x")]
    refused(tmp_path, craft(members), UnsafeMemberError, "which is a file")


def test_index_json_too_large_to_read(tmp_path: Path) -> None:
    from recordpack.bundle.policy import DEFAULT_LIMITS

    limits = replace(DEFAULT_LIMITS, max_tag_file_size=2000)
    # index.json is the only tag file over 2000 bytes here, refused before it is read.
    refused(tmp_path, craft(entries()), UnsafeMemberError, "index.json", limits=limits)


def test_damaged_index_json_member(tmp_path: Path) -> None:
    change = {"index.json": lambda e: replace(e, payload=b"\xff" * 50)}
    refused(tmp_path, craft(entries(**change)), BundleVerificationError, "index.json")


# ---------------------------------------------------------------- not a bag


def test_empty_zip(tmp_path: Path) -> None:
    refused(tmp_path, craft([]), NotARecordpackBundleError, "empty")


@pytest.mark.parametrize("missing", ["bagit.txt", "manifest-sha256.txt", "index.json"])
def test_required_tag_file_missing(tmp_path: Path, missing: str) -> None:
    members = [e for e in entries() if not e.name.endswith("/" + missing)]
    refused(tmp_path, craft(members), NotARecordpackBundleError, missing, "missing")


# ---------------------------------------------------------------- tag files and manifests


def _tags(**replace_tag: bytes) -> list[Entry]:
    """Members with tag files replaced and the tag manifest made to match (an attacker's edit)."""
    import hashlib

    members = entries()
    for e in members:
        relative = e.name.split("/", 1)[1]
        if relative in replace_tag:
            e.data = replace_tag[relative]
    tagmanifest = "".join(
        f"{hashlib.sha256(e.data).hexdigest()}  {e.name.split('/', 1)[1]}\n"
        for e in members
        if e.name.count("/") == 1 and not e.name.endswith("tagmanifest-sha256.txt")
    ).encode()
    for e in members:
        if e.name.endswith("tagmanifest-sha256.txt"):
            e.data = tagmanifest
    return members


def test_bagit_txt_without_a_version(tmp_path: Path) -> None:
    data = craft(_tags(**{"bagit.txt": b"Hello\n"}))
    refused(tmp_path, data, BundleVerificationError, "bagit.txt", "BagIt version")


def test_tag_file_that_is_not_utf8(tmp_path: Path) -> None:
    data = craft(_tags(**{"bagit.txt": b"BagIt-Version: 1.0\n\xff\xfe\n"}))
    refused(tmp_path, data, BundleVerificationError, "bagit.txt", "not UTF-8")


def test_manifest_line_malformed(tmp_path: Path) -> None:
    manifest = {n.split("/", 1)[1]: d for n, d in bag_members()}["manifest-sha256.txt"]
    data = craft(_tags(**{"manifest-sha256.txt": manifest + b"not-a-digest  data/x\n"}))
    refused(tmp_path, data, BundleVerificationError, "line 5 is malformed")


def test_manifest_lists_a_file_twice(tmp_path: Path) -> None:
    manifest = {n.split("/", 1)[1]: d for n, d in bag_members()}["manifest-sha256.txt"]
    first = manifest.splitlines(keepends=True)[0]
    data = craft(_tags(**{"manifest-sha256.txt": manifest + first}))
    refused(tmp_path, data, BundleVerificationError, "twice")


def test_manifest_lists_a_file_that_is_not_there(tmp_path: Path) -> None:
    manifest = {n.split("/", 1)[1]: d for n, d in bag_members()}["manifest-sha256.txt"]
    data = craft(_tags(**{"manifest-sha256.txt": manifest + b"0" * 64 + b"  data/ghost.pdf\n"}))
    refused(tmp_path, data, BundleVerificationError, "ghost.pdf", "listed in the manifest")


def test_tag_manifest_missing(tmp_path: Path) -> None:
    members = [e for e in entries() if not e.name.endswith("tagmanifest-sha256.txt")]
    refused(tmp_path, craft(members), BundleVerificationError, "tagmanifest-sha256.txt", "missing")


def test_tag_file_altered_after_the_tag_manifest(tmp_path: Path) -> None:
    change = {"README.txt": lambda e: replace(e, data=b"Run evil.exe first.\n")}
    error = refused(
        tmp_path, craft(entries(**change)), ChecksumMismatchError, "README.txt", "tag manifest"
    )
    assert problem_codes(error) == ["checksum_mismatch"]


def test_tag_manifest_lists_a_missing_tag_file(tmp_path: Path) -> None:
    members = [e for e in _tags() if not e.name.endswith("README.txt")]
    refused(tmp_path, craft(members), BundleVerificationError, "README.txt", "listed in the tag")


def test_index_lists_a_file_with_a_different_sha256(tmp_path: Path) -> None:
    def patch(index: dict[str, Any]) -> None:
        index["files"][0]["sha256"] = "0" * 64

    members = [
        Entry(n, d, deflate=n.endswith((".txt", ".json")))
        for n, d in bag_members(index_patch=patch)
    ]
    refused(tmp_path, craft(members), BundleVerificationError, PDF, "SHA-256 in index.json")


def test_index_lists_a_file_that_is_not_there(tmp_path: Path) -> None:
    def patch(index: dict[str, Any]) -> None:
        index["files"].append({"path": "data/ghost.pdf", "size": 1, "sha256": "0" * 64})

    members = [Entry(n, d) for n, d in bag_members(index_patch=patch)]
    refused(tmp_path, craft(members), BundleVerificationError, "ghost.pdf", "not in the bundle")


def test_index_names_another_bag(tmp_path: Path) -> None:
    members = [Entry(n, d) for n, d in bag_members(index_patch=lambda i: i.update(bag="other"))]
    refused(tmp_path, craft(members), BundleVerificationError, "names the bag 'other'")


# ---------------------------------------------------------------- the destination


def test_not_enough_free_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(
        shutil,
        "disk_usage",
        lambda p: real(p)._replace(free=1000),
    )
    path = tmp_path / "b.zip"
    path.write_bytes(craft(entries()))
    with pytest.raises(BundleError, match="not enough free disk space") as caught:
        open_bundle(_PlainZip(path), [], tmp_path / "opened")
    assert caught.value.hint and sorted(os.listdir(tmp_path)) == ["b.zip"]


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("file", "exists and is not a folder"),
        ("full-folder", "is not empty"),
        ("symlink", "exists and is not a folder"),
        ("no-parent", "does not exist"),
    ],
)
def test_destination_must_be_absent_or_empty(tmp_path: Path, state: str, words: str) -> None:
    path = tmp_path / "b.zip"
    path.write_bytes(craft(entries()))
    dest = tmp_path / "opened"
    if state == "file":
        dest.write_text("mine")
    elif state == "full-folder":
        dest.mkdir()
        (dest / "mine.txt").write_text("mine")
    elif state == "symlink":
        (tmp_path / "elsewhere").mkdir()
        dest.symlink_to(tmp_path / "elsewhere")
    else:
        dest = tmp_path / "missing" / "opened"
    with pytest.raises(RecordpackError, match=words) as caught:
        open_bundle(_PlainZip(path), [], dest)
    assert caught.value.exit_code == 2 and caught.value.hint
    assert not (tmp_path / "elsewhere").exists() or not any((tmp_path / "elsewhere").iterdir())


@pytest.mark.parametrize("plant", ["symlink", "hardlink"])
def test_extraction_never_writes_through_a_file_planted_in_the_work_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plant: str
) -> None:
    """O_EXCL (and O_NOFOLLOW): a link already where a member goes stops the open."""
    from recordpack.bundle import reader

    real = reader._ExtractSink.file
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")

    def planting(self: Any, name: str) -> Any:
        target = self.root / name
        if "/" not in name and not target.exists():  # a tag file, in the bag folder made already
            if plant == "symlink":
                target.symlink_to(victim)
            else:
                os.link(victim, target)
        return real(self, name)

    monkeypatch.setattr(reader._ExtractSink, "file", planting)
    path = tmp_path / "b.zip"
    path.write_bytes(craft(entries()))
    with pytest.raises(RecordpackError):
        open_bundle(_PlainZip(path), [], tmp_path / "opened")
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "opened").exists()
