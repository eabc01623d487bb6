"""Read a recordpack bundle safely: inspect its index, verify it, extract it.

A bundle is age v1 around a ZIP holding one BagIt bag (``BUNDLE.md``). Three
layers are checked, and nothing is written to the destination unless all of
them pass:

1. age authenticates every 64 KiB chunk. The whole file goes through the
   streaming decryptor, so truncation or tampering anywhere (even in the last
   byte) is found before anything is moved into place.
2. The ZIP central directory, read first with random access (a few chunks), is
   checked against :mod:`recordpack.bundle.safety` (paths, links, duplicates,
   sizes). Then the members are read *in stream order*, each local header is
   checked against the central directory, and the actual decompressed bytes are
   counted against the declared size and CRC: headers are never trusted.
3. The BagIt manifests, ``Payload-Oxum`` and ``index.json`` are checked
   against the SHA-256 of every file, computed while it streamed past.

Extraction goes to a private temporary folder beside the destination (same file
system) and is moved into place with one rename; any failure or Ctrl-C removes
it. Memory stays constant whatever the size of the images.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Final, Protocol, Union, cast
from urllib.parse import unquote

from recordpack.bundle import format as fmt
from recordpack.bundle.index_model import BundleIndex, IndexSchemaError, parse_index_text
from recordpack.bundle.leftovers import LeftoverReport, partial_folder, sweep
from recordpack.bundle.safety import (
    DEFAULT_LIMITS,
    BundleVerificationError,
    ChecksumMismatchError,
    Limits,
    MemberProblem,
    UnsafeMemberError,
    check_members,
)
from recordpack.display import printable
from recordpack.errors import BundleError, RecordpackError, UsageError

__all__ = [
    "BundleVerificationError",
    "ChecksumMismatchError",
    "DestinationNotEmptyError",
    "DestinationWriteError",
    "IndexSchemaError",
    "NotARecordpackBundleError",
    "Notice",
    "OpenResult",
    "Progress",
    "UnsafeMemberError",
    "VerifyResult",
    "inspect_bundle",
    "open_bundle",
    "read_index",
    "verify_bundle",
]

#: ``progress(done, total)`` in bytes of the decrypted ZIP.
Progress = Callable[[int, int], None]
BundleSource = Union[str, "os.PathLike[str]", BinaryIO]

_CHUNK: Final = 1024 * 1024
_LOCAL_HEADER: Final = struct.Struct("<4sHHHHHLLLHH")
_LOCAL_SIG: Final = b"PK\x03\x04"
_DESCRIPTOR_SIG: Final = b"PK\x07\x08"
#: The end-of-central-directory record without its comment (APPNOTE 4.3.16).
_END_RECORD_SIZE: Final = 22
_END_SIG: Final = b"PK\x05\x06"
_FLAG_DESCRIPTOR: Final = 0x08
_FLAG_UTF8: Final = 0x800


class NotARecordpackBundleError(BundleError):
    """The file decrypted correctly but does not hold a recordpack bag."""

    default_hint = (
        "the file was encrypted correctly, but what is inside is not a recordpack bundle: "
        "ask the sender how it was made (it may open with 'age -d')"
    )


class DestinationNotEmptyError(UsageError):
    """The destination folder exists and is not empty."""

    default_hint = "choose a new folder with -o, or empty this one first"


class DestinationWriteError(BundleError):
    """The destination folder cannot be written (permissions, read-only, full disk)."""

    code = "destination_not_writable"


@dataclass(frozen=True)
class Notice:
    """Something the reader of a verified bundle should know; worded by the renderers."""

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.params}


@dataclass(frozen=True)
class VerifyResult:
    """What a full verification found: the bag, its index and how much it holds."""

    bag: str
    index: dict[str, Any]  # the schema-checked index document (bundle_index.to_json())
    files: int  # payload files (under data/)
    payload_bytes: int
    members: int  # every file in the ZIP, tag files included
    bundle_index: BundleIndex | None = None
    notices: tuple[Notice, ...] = ()
    #: SHA-256 of the bundle file as received (the sender's receipt and log give
    #: it too); None when not computed (a bundle given as an open file).
    bundle_sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "ok": True,
            "bag": self.bag,
            "files": self.files,
            "payload_bytes": self.payload_bytes,
            "bundle_sha256": self.bundle_sha256,
            "problems": [],
            "warnings": [n.to_json() for n in self.notices],
        }


@dataclass(frozen=True)
class OpenResult:
    """Where an opened bundle now lives, and its index."""

    dest: Path
    bag_dir: Path
    index: dict[str, Any]  # the schema-checked index document (bundle_index.to_json())
    files: int
    payload_bytes: int
    dicomdir: Path | None
    #: index.html as recordpack rendered it from the verified index.json.
    index_html: Path | None
    bundle_index: BundleIndex | None = None
    #: True when the bundle's own index.html differed from that rendering and was replaced.
    index_html_replaced: bool = False
    #: True when the bundle's own README.txt differed from recordpack's and was replaced.
    readme_replaced: bool = False
    notices: tuple[Notice, ...] = ()
    leftovers: LeftoverReport | None = None
    #: SHA-256 of the bundle file as received (see :class:`VerifyResult`).
    bundle_sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "ok": True,
            "destination": str(self.dest),
            "bag_dir": str(self.bag_dir),
            "files": self.files,
            "payload_bytes": self.payload_bytes,
            "bundle_sha256": self.bundle_sha256,
            "dicomdir": str(self.dicomdir) if self.dicomdir else None,
            "index_html": str(self.index_html) if self.index_html else None,
            "index_html_replaced": self.index_html_replaced,
            "readme_replaced": self.readme_replaced,
            "warnings": [n.to_json() for n in self.notices],
        }


# --------------------------------------------------------------------------
# The decrypted ZIP, two ways: random access (index) and one sequential pass.


class _Plaintext(Protocol):
    def random_access(self) -> contextlib.AbstractContextManager[IO[bytes]]: ...

    def stream(self) -> contextlib.AbstractContextManager[IO[bytes]]: ...


@dataclass
class _AgeBundle:
    """An age-encrypted bundle on disk (or an open seekable file)."""

    source: BundleSource
    identities: Sequence[Any]

    @contextlib.contextmanager
    def _file(self) -> Iterator[IO[bytes]]:
        if isinstance(self.source, (str, os.PathLike)):
            with open(self.source, "rb") as handle:
                yield handle
        else:
            self.source.seek(0)
            yield self.source

    @contextlib.contextmanager
    def random_access(self) -> Iterator[IO[bytes]]:
        from recordpack import age

        with self._file() as handle:
            yield cast(IO[bytes], age.open_random_access(cast(BinaryIO, handle), self.identities))

    @contextlib.contextmanager
    def stream(self) -> Iterator[IO[bytes]]:
        from recordpack import age

        with self._file() as handle:
            yield cast(IO[bytes], age.decrypt_reader(cast(BinaryIO, handle), self.identities))


@dataclass
class _PlainZip:
    """An already-decrypted bundle ZIP (used by tests and by tools that ran ``age -d``)."""

    path: Path

    @contextlib.contextmanager
    def random_access(self) -> Iterator[IO[bytes]]:
        with open(self.path, "rb") as handle:
            yield handle

    @contextlib.contextmanager
    def stream(self) -> Iterator[IO[bytes]]:
        with open(self.path, "rb") as handle:
            yield handle


@dataclass(frozen=True)
class _Directory:
    """The checked central directory of a bundle's ZIP."""

    bag: str
    members: tuple[zipfile.ZipInfo, ...]  # in the order they appear in the file
    start_dir: int  # offset of the central directory
    size: int  # length of the whole ZIP
    tail_sha256: str  # SHA-256 of everything from start_dir to the end
    index: BundleIndex  # index.json, schema-checked before anything is extracted
    index_sha256: str


def _open_zip(handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except RecordpackError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
        raise NotARecordpackBundleError(
            "the bundle decrypted correctly but does not contain a ZIP archive"
        ) from None


def _read_directory(handle: IO[bytes], limits: Limits) -> _Directory:
    """Read and check the central directory; raise if any member is unsafe."""
    archive = _open_zip(handle)
    infos = archive.infolist()
    bag = _bag_of(infos, limits)
    names = {i.filename for i in infos}
    required = (fmt.BAGIT_TXT, fmt.MANIFEST, fmt.INDEX_JSON)
    missing = [name for name in required if f"{bag}/{name}" not in names]
    if missing:
        raise NotARecordpackBundleError(
            f"the ZIP inside the bundle is not a recordpack bag: {', '.join(missing)} "
            f"missing from folder {bag!r}"
        )
    index, raw_index = _load_index(archive, bag, limits)
    _check_declared_sizes(bag, infos, index)
    _check_accounted_for(bag, infos, index)
    size = handle.seek(0, os.SEEK_END)
    _check_end(handle, size, archive.comment)
    start_dir = archive.start_dir
    handle.seek(start_dir)
    tail = _hash_rest(handle)
    members = tuple(sorted((i for i in infos), key=lambda i: i.header_offset))
    index_sha = hashlib.sha256(raw_index).hexdigest()
    return _Directory(bag, members, start_dir, size, tail, index, index_sha)


def _bag_of(infos: Sequence[zipfile.ZipInfo], limits: Limits) -> str:
    """The bag folder of a ZIP whose members are all safe; raise otherwise."""
    bag, problems = check_members(infos, limits)
    if bag is None and problems and all(p.code == "outside_bag" for p in problems):
        # Loose files, or a ZIP inside the ZIP: nothing unsafe, just not a bag.
        shown = ", ".join(printable(i.filename) for i in infos[:3])
        more = f" and {len(infos) - 3:,} more" if len(infos) > 3 else ""
        raise NotARecordpackBundleError(
            f"the ZIP inside the bundle holds no recordpack bag folder, only {shown}{more}"
        )
    if problems:
        raise UnsafeMemberError(problems)
    if bag is None:
        raise NotARecordpackBundleError("the bundle's ZIP archive is empty")
    return bag


def _load_index(archive: zipfile.ZipFile, bag: str, limits: Limits) -> tuple[BundleIndex, bytes]:
    """Read ``index.json`` by random access and check it against the schema; returns
    the index and the bytes it was read from."""
    name = f"{bag}/{fmt.INDEX_JSON}"
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise NotARecordpackBundleError(
            f"the ZIP inside the bundle has no {name}: it is not a recordpack bundle"
        ) from None
    # Its declared size is within Limits.max_tag_file_size (check_members).
    try:
        with archive.open(info) as member:
            raw = member.read(limits.max_tag_file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise BundleVerificationError([MemberProblem(name, "corrupt", str(exc))]) from None
    return parse_index_text(raw, limits), raw


def _check_declared_sizes(bag: str, infos: Sequence[zipfile.ZipInfo], index: BundleIndex) -> None:
    """Every payload member must be in the index with the size the ZIP declares for it.

    This is what bounds extraction (with the streaming count of the real
    bytes): a member can never expand beyond the size the index declares.
    """
    problems: list[MemberProblem] = []
    declared = {f.path: f.size for f in index.files}
    prefix = f"{bag}/"
    present: set[str] = set()
    for info in infos:
        relative = info.filename[len(prefix) :]
        if info.is_dir() or not relative.startswith(fmt.PAYLOAD_DIR + "/"):
            continue
        present.add(relative)
        size = declared.get(relative)
        if size is None:
            problems.append(
                MemberProblem(
                    info.filename, "index_mismatch", "is in the bundle but not listed in index.json"
                )
            )
        elif size != info.file_size:
            problems.append(
                MemberProblem(
                    info.filename,
                    "index_mismatch",
                    f"declares {info.file_size:,} bytes but index.json says {size:,}",
                )
            )
    for path in sorted(set(declared) - present):
        problems.append(
            MemberProblem(
                prefix + path, "index_mismatch", "is listed in index.json but is not in the bundle"
            )
        )
    if index.bag not in (None, bag):
        problems.append(
            MemberProblem(
                prefix + fmt.INDEX_JSON,
                "index_mismatch",
                f"names the bag {index.bag!r}, not {bag!r}",
            )
        )
    if problems:
        raise BundleVerificationError(problems)


def _check_accounted_for(bag: str, infos: Sequence[zipfile.ZipInfo], index: BundleIndex) -> None:
    """Every member outside ``data/`` must be a tag file recordpack writes or a preview
    the index names, and every folder entry must hold such a file.

    A page beside index.html, listed only in the tag manifest (which anyone can
    rewrite), would otherwise be extracted into a folder recordpack calls verified.
    """
    prefix = f"{bag}/"
    previews = set(index.preview_paths())
    known = set(fmt.TAG_FILES) | previews | {f.path for f in index.files}
    folders = {""} | {p.rsplit("/", i)[0] for p in known for i in range(1, p.count("/") + 1)}
    problems: list[MemberProblem] = []
    for info in infos:
        relative = info.filename[len(prefix) :]
        if info.is_dir():
            if relative.rstrip("/") not in folders:
                problems.append(
                    MemberProblem(info.filename, "unexpected_file", _UNEXPECTED_FOLDER)
                )
        elif relative.startswith(fmt.PREVIEWS_DIR + "/") and relative not in previews:
            problems.append(MemberProblem(info.filename, "index_mismatch", _UNLISTED_PREVIEW))
        elif relative not in known and not relative.startswith(fmt.PAYLOAD_DIR + "/"):
            # data/ is _check_declared_sizes' part: each file there must be in the index.
            problems.append(MemberProblem(info.filename, "unexpected_file", _UNEXPECTED_FILE))
    if problems:
        raise BundleVerificationError(problems)


_UNEXPECTED_FILE: Final = (
    "is in the bundle but is neither listed in index.json nor a tag file recordpack writes"
)
_UNLISTED_PREVIEW: Final = "is a preview in the bundle that index.json does not name"
_UNEXPECTED_FOLDER: Final = "is a folder entry that holds none of the files index.json lists"


def _check_end(handle: IO[bytes], size: int, comment: bytes) -> None:
    """The ZIP must end with its end-of-central-directory record, with no comment.

    pack writes neither a comment nor anything after that record; bytes there
    would be a hidden channel that no check below reads (bytes before or
    between members are caught in the sequential pass).
    """
    # zipfile found an end record; it is the last 22 bytes only if nothing follows it.
    handle.seek(max(size - _END_RECORD_SIZE, 0))
    if handle.read(4) == _END_SIG:
        return
    if comment:
        message = f"carries a ZIP comment of {len(comment):,} bytes, which recordpack never writes"
    else:
        message = "has bytes after the end of its ZIP archive, which recordpack never writes"
    raise BundleVerificationError([MemberProblem("(bundle)", "bad_zip_structure", message)])


def _hash_rest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while block := handle.read(_CHUNK):
        digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------
# The sequential pass.


class _Sink(Protocol):
    def directory(self, name: str) -> None: ...

    def file(self, name: str) -> contextlib.AbstractContextManager[Callable[[bytes], None]]: ...


class _DiscardSink:
    """Verification only: every byte is checked, nothing is written."""

    def directory(self, name: str) -> None:
        pass

    @contextlib.contextmanager
    def file(self, name: str) -> Iterator[Callable[[bytes], None]]:
        yield lambda data: None


class _ExtractSink:
    """Write members under a private folder, never following or creating links."""

    _FLAGS: Final = (
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_BINARY", 0)
    )

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[str] = {""}

    def directory(self, name: str) -> None:
        parts = name.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            rel = "/".join(parts[:depth])
            if rel not in self._made:
                # mkdir fails on anything already there (a link included).
                os.mkdir(self.root / rel, 0o700)
                self._made.add(rel)

    @contextlib.contextmanager
    def file(self, name: str) -> Iterator[Callable[[bytes], None]]:
        parent = name.rpartition("/")[0]
        if parent:
            self.directory(parent)
        fd = os.open(self.root / name, self._FLAGS, 0o600)
        with open(fd, "wb", buffering=0) as out:

            def write(data: bytes) -> None:
                view = memoryview(data)
                while view:
                    written = out.write(view)
                    view = view[written or 0 :]

            yield write


@dataclass
class _Streamed:
    """What the sequential pass learned: each file's size and SHA-256, and the tag files."""

    digests: dict[str, tuple[int, str]] = field(default_factory=dict)  # bag-relative path
    tags: dict[str, bytes] = field(default_factory=dict)  # small top-level tag files
    problems: list[MemberProblem] = field(default_factory=list)
    #: SHA-1 of each document (not the file-set's images), to check index.fhir.json.
    sha1: dict[str, str] = field(default_factory=dict)


class _Sha1Sink:
    """Passes members on to ``inner``, taking the SHA-1 of each document on the way."""

    def __init__(self, inner: _Sink, sha1: dict[str, str]) -> None:
        self._inner = inner
        self._sha1 = sha1

    def directory(self, name: str) -> None:
        self._inner.directory(name)

    @contextlib.contextmanager
    def file(self, name: str) -> Iterator[Callable[[bytes], None]]:
        if name.startswith(fmt.IMAGING_DIR + "/") or not name.startswith(fmt.PAYLOAD_DIR + "/"):
            with self._inner.file(name) as write:
                yield write
            return
        digest = hashlib.sha1(usedforsecurity=False)
        with self._inner.file(name) as write:

            def hashed(data: bytes) -> None:
                digest.update(data)
                write(data)

            yield hashed
        self._sha1[name] = digest.hexdigest()


class _Reader:
    """Sequential reads with a position and strict end-of-data checks."""

    def __init__(self, stream: IO[bytes], total: int, progress: Progress | None) -> None:
        self._stream = stream
        self.pos = 0
        self._total = total
        self._progress = progress
        self._reported = 0

    def read(self, size: int) -> bytes:
        data = self._stream.read(size)
        self.pos += len(data)
        if self._progress is not None and self.pos - self._reported >= 8 * _CHUNK:
            self._reported = self.pos
            self._progress(self.pos, self._total)
        return data

    def exactly(self, size: int, what: str) -> bytes:
        chunks = []
        remaining = size
        while remaining:
            block = self.read(min(remaining, _CHUNK))
            if not block:
                raise BundleVerificationError(
                    [MemberProblem(what, "truncated", "the ZIP inside the bundle ends early")]
                )
            chunks.append(block)
            remaining -= len(block)
        return b"".join(chunks)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress(self.pos, self._total)


def _structural(member: str, message: str) -> BundleVerificationError:
    return BundleVerificationError([MemberProblem(member, "bad_zip_structure", message)])


def _stream_members(
    stream: IO[bytes],
    directory: _Directory,
    sink: _Sink,
    limits: Limits,
    progress: Progress | None,
) -> _Streamed:
    """Read the whole ZIP once, in order, checking every member as it passes."""
    reader = _Reader(stream, directory.size, progress)
    result = _Streamed()
    sink = _Sha1Sink(sink, result.sha1)
    prefix = directory.bag + "/"
    members = directory.members
    for number, info in enumerate(members):
        name = info.filename
        if info.header_offset != reader.pos:
            raise _structural(name, "unexpected bytes before this member")
        header = reader.exactly(_LOCAL_HEADER.size, name)
        sig, _, flags, method, _, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(header)
        if sig != _LOCAL_SIG:
            raise _structural(name, "the member's header is missing")
        raw_name = reader.exactly(name_len, name)
        local_name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", "replace")
        if local_name != info.orig_filename or method != info.compress_type:
            raise _structural(name, "its header disagrees with the ZIP's table of contents")
        reader.exactly(extra_len, name)

        relative = name[len(prefix) :]
        is_tag = "/" not in relative and not info.is_dir()
        keep = is_tag and info.file_size <= limits.max_tag_file_size
        if info.is_dir():
            if info.compress_size:
                raise _structural(name, "a folder entry holds data")
            if relative:
                sink.directory(relative)
        else:
            size, sha, kept = _copy_member(reader, info, sink, relative, keep, result.problems)
            result.digests[relative] = (size, sha)
            if kept is not None:
                result.tags[relative] = kept

        following = members[number + 1].header_offset if number + 1 < len(members) else None
        end = following if following is not None else directory.start_dir
        gap = end - reader.pos
        if flags & _FLAG_DESCRIPTOR:
            _check_descriptor(reader.exactly(gap, name) if 0 < gap <= 24 else b"", info)
        elif gap != 0:
            raise _structural(name, "unexpected bytes after this member")

    # Reading to the end makes the age layer authenticate the final chunk too.
    tail = hashlib.sha256()
    while block := reader.read(_CHUNK):
        tail.update(block)
    if tail.hexdigest() != directory.tail_sha256 or reader.pos != directory.size:
        raise _structural("(bundle)", "the ZIP's table of contents changed while it was read")
    reader.finish()
    return result


def _check_descriptor(data: bytes, info: zipfile.ZipInfo) -> None:
    if data.startswith(_DESCRIPTOR_SIG):
        data = data[4:]
    if len(data) not in (12, 20):
        raise _structural(info.filename, "its data descriptor is malformed")
    (crc,) = struct.unpack_from("<L", data)
    if crc != info.CRC:
        raise _structural(info.filename, "its data descriptor disagrees with the table of contents")


def _copy_member(
    reader: _Reader,
    info: zipfile.ZipInfo,
    sink: _Sink,
    relative: str,
    keep: bool,
    problems: list[MemberProblem],
) -> tuple[int, str, bytes | None]:
    """Copy one member's data to the sink; return its real size, SHA-256 and kept bytes.

    The decompressed bytes are counted as they come: a member that expands
    beyond its declared size is cut off at once (zip bomb), not after the fact.
    """
    digest = hashlib.sha256()
    crc = 0
    produced = 0
    kept: list[bytes] | None = [] if keep else None
    overflow = False
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    remaining = info.compress_size
    with sink.file(relative) as write:
        while remaining:
            block = reader.read(min(remaining, _CHUNK))
            if not block:
                raise _structural(info.filename, "the ZIP inside the bundle ends in this member")
            remaining -= len(block)
            if overflow:
                continue  # skip to the next member; this one is already condemned
            pending = block
            while pending:
                if inflater is None:
                    out, pending = pending, b""
                else:
                    try:
                        limit = min(info.file_size - produced + 1, 4 * _CHUNK)
                        out = inflater.decompress(pending, limit)
                    except zlib.error:
                        problems.append(
                            MemberProblem(
                                info.filename, "corrupt", "its compressed data is damaged"
                            )
                        )
                        overflow = True
                        break
                    pending = inflater.unconsumed_tail
                produced += len(out)
                if produced > info.file_size:
                    problems.append(
                        MemberProblem(
                            info.filename,
                            "size_mismatch",
                            f"holds more data than the {info.file_size:,} bytes it declares "
                            "(a zip bomb or a damaged file); extraction stopped",
                        )
                    )
                    overflow = True
                    break
                digest.update(out)
                crc = zlib.crc32(out, crc)
                write(out)
                if kept is not None:
                    kept.append(out)
                if inflater is not None and not out and pending:
                    break  # no progress possible: caught below as incomplete data
    if overflow:
        return produced, digest.hexdigest(), None
    if inflater is not None and (not inflater.eof or inflater.unused_data):
        problems.append(
            MemberProblem(info.filename, "corrupt", "its compressed data is incomplete")
        )
    elif produced != info.file_size:
        problems.append(
            MemberProblem(
                info.filename,
                "size_mismatch",
                f"holds {produced:,} bytes but declares {info.file_size:,}",
            )
        )
    elif crc != info.CRC:
        problems.append(MemberProblem(info.filename, "corrupt", "its CRC-32 check fails"))
    return produced, digest.hexdigest(), b"".join(kept) if kept is not None else None


# --------------------------------------------------------------------------
# BagIt and index.json checks (RFC 8493 section 3).


def _decode_bagit_path(path: str) -> str:
    # RFC 8493 percent-encodes only CR, LF and '%' in manifest paths.
    return unquote(path) if "%" in path else path


def _parse_manifest(text: str, source: str, problems: list[MemberProblem]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, _, path = line.partition(" ")
        path = _decode_bagit_path(path.lstrip(" \t"))
        digest = digest.lower()
        if len(digest) != 64 or not path or any(c not in "0123456789abcdef" for c in digest):
            problems.append(MemberProblem(source, "bad_manifest", f"line {number} is malformed"))
            continue
        if path in entries:
            problems.append(MemberProblem(source, "bad_manifest", f"lists {path!r} twice"))
        entries[path] = digest
    return entries


def _parse_bag_info(text: str) -> dict[str, str]:
    info: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key is not None:
            info[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            info.setdefault(key, value.strip())
    return info


def _text(streamed: _Streamed, name: str, problems: list[MemberProblem], bag: str) -> str | None:
    raw = streamed.tags.get(name)
    if raw is None:
        # Absent, or its bytes disagreed with its declared size (already a problem):
        # tag files larger than Limits.max_tag_file_size are refused before extraction.
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(MemberProblem(f"{bag}/{name}", "bad_encoding", "is not UTF-8 text"))
        return None


def _check_bag(directory: _Directory, streamed: _Streamed) -> list[MemberProblem]:
    """Check manifests, Payload-Oxum and index.json against the streamed files."""
    bag = directory.bag
    problems = list(streamed.problems)
    digests = streamed.digests
    where = f"{bag}/"

    bagit = _text(streamed, fmt.BAGIT_TXT, problems, bag) or ""
    if "BagIt-Version:" not in bagit:
        problems.append(
            MemberProblem(where + fmt.BAGIT_TXT, "bad_bagit", "does not declare a BagIt version")
        )

    payload = {p: v for p, v in digests.items() if p.startswith(fmt.PAYLOAD_DIR + "/")}
    manifest_text = _text(streamed, fmt.MANIFEST, problems, bag)
    manifest = _parse_manifest(manifest_text or "", where + fmt.MANIFEST, problems)
    for path, expected in sorted(manifest.items()):
        if path not in payload:
            problems.append(
                MemberProblem(
                    where + path,
                    "missing_file",
                    "is listed in the manifest but is not in the bundle",
                )
            )
        elif payload[path][1] != expected:
            problems.append(
                MemberProblem(
                    where + path,
                    "checksum_mismatch",
                    f"SHA-256 is {payload[path][1]} but the manifest says {expected}",
                )
            )
    for path in sorted(set(payload) - set(manifest)):
        problems.append(
            MemberProblem(
                where + path, "not_in_manifest", "is in the bundle but not in manifest-sha256.txt"
            )
        )

    info = _parse_bag_info(_text(streamed, fmt.BAG_INFO_TXT, problems, bag) or "")
    oxum = info.get("Payload-Oxum")
    actual = f"{sum(size for size, _ in payload.values())}.{len(payload)}"
    if oxum is not None and oxum != actual:
        problems.append(
            MemberProblem(
                where + fmt.BAG_INFO_TXT,
                "oxum_mismatch",
                f"Payload-Oxum says {oxum} (bytes.files) but the bundle holds {actual}",
            )
        )

    tagmanifest_text = _text(streamed, fmt.TAGMANIFEST, problems, bag)
    if tagmanifest_text is None:
        problems.append(MemberProblem(where + fmt.TAGMANIFEST, "missing_file", "is missing"))
    tagmanifest = _parse_manifest(tagmanifest_text or "", where + fmt.TAGMANIFEST, problems)
    tags = {p: v for p, v in digests.items() if not p.startswith(fmt.PAYLOAD_DIR + "/")}
    for path, expected in sorted(tagmanifest.items()):
        if path not in tags:
            problems.append(
                MemberProblem(
                    where + path, "missing_file", "is listed in the tag manifest but missing"
                )
            )
        elif tags[path][1] != expected:
            problems.append(
                MemberProblem(
                    where + path,
                    "checksum_mismatch",
                    f"SHA-256 is {tags[path][1]} but the tag manifest says {expected}",
                )
            )
    for path in sorted(set(tags) - set(tagmanifest) - {fmt.TAGMANIFEST}):
        if tagmanifest_text is not None:
            problems.append(
                MemberProblem(
                    where + path,
                    "not_in_manifest",
                    "is in the bundle but not in tagmanifest-sha256.txt",
                )
            )

    for path in directory.index.preview_paths():
        if path not in tagmanifest or path not in tags:
            problems.append(
                MemberProblem(
                    f"{where}{fmt.INDEX_JSON}",
                    "index_mismatch",
                    f"names a preview ({path}) that is not a verified file of the bundle",
                )
            )
    _check_index(directory, streamed, payload, problems)
    _check_fhir(directory.bag, streamed, directory.index.to_json(), payload, problems)
    return problems


def _check_fhir(
    bag: str,
    streamed: _Streamed,
    index: dict[str, Any],
    payload: dict[str, tuple[int, str]],
    problems: list[MemberProblem],
) -> None:
    """index.fhir.json, when the bundle has one, must point at the bag's files as index.json does."""
    from recordpack.bundle.fhir import check_fhir_index

    raw = _text(streamed, fmt.INDEX_FHIR, problems, bag)
    if raw is None:
        return
    where = f"{bag}/{fmt.INDEX_FHIR}"
    try:
        document = json.loads(raw)
    except json.JSONDecodeError:
        problems.append(MemberProblem(where, "bad_fhir_index", "is not valid JSON"))
        return
    for code, message in check_fhir_index(document, index, payload, streamed.sha1):
        problems.append(MemberProblem(where, code, message))


def _check_index(
    directory: _Directory,
    streamed: _Streamed,
    payload: dict[str, tuple[int, str]],
    problems: list[MemberProblem],
) -> None:
    """The index read before extraction must be the one that streamed past, and match it.

    Which files the index lists, and their sizes, were checked against the ZIP
    before extraction (:func:`_check_declared_sizes`); what is left is content.
    """
    bag = directory.bag
    if streamed.digests[fmt.INDEX_JSON][1] != directory.index_sha256:
        problems.append(
            MemberProblem(
                f"{bag}/{fmt.INDEX_JSON}", "bad_zip_structure", "changed while the bundle was read"
            )
        )
        return
    for entry in directory.index.files:
        if payload[entry.path][1] != entry.sha256:
            problems.append(
                MemberProblem(
                    f"{bag}/{entry.path}",
                    "index_mismatch",
                    "its SHA-256 in index.json differs from the file in the bundle",
                )
            )


def _raise_for(problems: list[MemberProblem]) -> None:
    if not problems:
        return
    checksum = [p for p in problems if p.code == "checksum_mismatch"]
    if checksum and len(checksum) == len(problems):
        raise ChecksumMismatchError(problems)
    raise BundleVerificationError(problems)


# --------------------------------------------------------------------------
# Public API.


def _source(bundle: BundleSource | _Plaintext, identities: Sequence[Any]) -> _Plaintext:
    if isinstance(bundle, (_AgeBundle, _PlainZip)):
        return bundle
    return _AgeBundle(bundle, identities)  # type: ignore[arg-type]


def _notices(plain: _Plaintext, replaced: Sequence[str]) -> list[Notice]:
    """What the reader should know about a bundle that verified."""
    from recordpack.age.scrypt import WEAK_WORK_FACTOR, ScryptIdentity

    notices: list[Notice] = []
    identities = plain.identities if isinstance(plain, _AgeBundle) else ()
    for identity in identities:
        factor = getattr(identity, "last_work_factor", None)
        if (
            isinstance(identity, ScryptIdentity)
            and factor is not None
            and factor < WEAK_WORK_FACTOR
        ):
            notices.append(
                Notice(
                    "weak_passphrase_protection",
                    f"the passphrase protecting this bundle was applied with scrypt work factor "
                    f"{factor} (2^{factor} rounds); age and recordpack use 18, and below "
                    f"{WEAK_WORK_FACTOR} a stolen copy can be guessed much faster: ask the sender "
                    "to use recordpack's or age's default setting next time",
                    {"work_factor": factor, "recommended": 18},
                )
            )
    if fmt.INDEX_HTML in replaced:
        notices.append(
            Notice(
                "index_html_replaced",
                "the bundle's own index.html is not the page recordpack renders from the "
                "verified index.json (it was altered, or made by another version); it is not "
                "shown: recordpack's own rendering replaces it",
            )
        )
    if fmt.README_TXT in replaced:
        notices.append(
            Notice(
                "readme_replaced",
                "the bundle's own README.txt is not the one recordpack writes from the "
                "verified index.json (it was altered, or made by another version); it is not "
                "shown: recordpack's own README replaces it",
            )
        )
    return notices


def _rendered(directory: _Directory) -> dict[str, bytes]:
    """The pages recordpack writes from the verified index, by bag path: what open
    puts in the opened folder whatever the bundle shipped under those names."""
    from recordpack.bundle.html import render_index_html, render_readme  # only open/verify

    return {
        fmt.INDEX_HTML: render_index_html(directory.index).encode(),
        fmt.README_TXT: render_readme(directory.index).encode(),
    }


def _replaced(streamed: _Streamed, rendered: dict[str, bytes]) -> list[str]:
    """The pages the bundle shipped that differ from recordpack's rendering of them."""
    return [
        name
        for name, page in rendered.items()
        if streamed.tags.get(name) is not None and streamed.tags[name] != page
    ]


def _counts(streamed: _Streamed) -> tuple[int, int]:
    payload = [size for path, (size, _) in streamed.digests.items() if path.startswith("data/")]
    return len(payload), sum(payload)


def verify_bundle(
    bundle: BundleSource | _Plaintext,
    identities: Sequence[Any] = (),
    *,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifyResult:
    """Check every layer of a bundle (age, ZIP, BagIt, index) and write nothing.

    Raises an age error for a wrong key or a damaged file,
    :class:`UnsafeMemberError`, :class:`BundleVerificationError` (every problem
    found, listed), :class:`IndexSchemaError` or :class:`NotARecordpackBundleError`.
    """
    plain = _source(bundle, identities)
    with plain.random_access() as handle:
        directory = _read_directory(handle, limits)
    with plain.stream() as stream:
        streamed = _stream_members(stream, directory, _DiscardSink(), limits, progress)
    _raise_for(_check_bag(directory, streamed))
    files, size = _counts(streamed)
    notices = _notices(plain, _replaced(streamed, _rendered(directory)))
    return VerifyResult(
        directory.bag,
        directory.index.to_json(),
        files,
        size,
        len(streamed.digests),
        directory.index,
        tuple(notices),
    )


def read_index(
    bundle: BundleSource | _Plaintext,
    identities: Sequence[Any] = (),
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> BundleIndex:
    """A bundle's schema-checked ``index.json``, without extracting or verifying every file.

    Only the age chunks holding the ZIP's table of contents and index.json are
    decrypted (each one authenticated), so this is fast whatever the bundle's size.
    """
    plain = _source(bundle, identities)
    with plain.random_access() as handle:
        archive = _open_zip(handle)
        index, _ = _load_index(archive, _bag_of(archive.infolist(), limits), limits)
    return index


def inspect_bundle(
    bundle: BundleSource | _Plaintext,
    identities: Sequence[Any] = (),
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """:func:`read_index` as the index document (what ``inspect --json`` prints)."""
    return read_index(bundle, identities, limits=limits).to_json()


def open_bundle(
    bundle: BundleSource | _Plaintext,
    identities: Sequence[Any],
    dest: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> OpenResult:
    """Verify a bundle completely and extract it to ``dest/<bag>/``, all or nothing.

    ``dest`` must be absent or an empty folder; its parent must exist. Nothing
    appears in ``dest`` unless every check passed; on any failure or Ctrl-C the
    temporary folder is removed. ``index.html`` and ``README.txt`` in the result
    are always recordpack's own rendering of the verified index. Raises what
    :func:`verify_bundle` raises, :class:`DestinationNotEmptyError` and
    :class:`DestinationWriteError`.
    """
    target = Path(os.path.abspath(dest))
    try:
        _check_destination(target)
    except OSError as error:  # e.g. a folder we may not list
        raise _write_error(error, target) from None
    leftovers = sweep(target.parent, ".partial")
    plain = _source(bundle, identities)
    with plain.random_access() as handle:
        directory = _read_directory(handle, limits)
    need = sum(i.file_size for i in directory.members)
    free = shutil.disk_usage(target.parent).free
    if need > free:
        raise BundleError(
            f"not enough free disk space to open the bundle: it needs {need:,} bytes, "
            f"{free:,} are free in {target.parent}",
            hint="free some space or choose another folder",
        )

    try:
        work = partial_folder(target.parent, target.name)
    except OSError as error:
        raise _write_error(error, target.parent) from None
    try:
        sink = _ExtractSink(work / directory.bag)
        os.mkdir(sink.root, 0o700)
        with plain.stream() as stream:
            streamed = _stream_members(stream, directory, sink, limits, progress)
        _raise_for(_check_bag(directory, streamed))
        rendered = _rendered(directory)
        replaced = _replaced(streamed, rendered)
        for name, page in rendered.items():
            _write_page(sink.root / name, page)
        notices = _notices(plain, replaced)
        _move_into_place(work, directory.bag, target)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise _write_error(error, target) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    bag_dir = target / directory.bag
    files, size = _counts(streamed)
    dicomdir = bag_dir / fmt.DICOMDIR_PATH
    return OpenResult(
        dest=target,
        bag_dir=bag_dir,
        index=directory.index.to_json(),
        files=files,
        payload_bytes=size,
        dicomdir=dicomdir if fmt.DICOMDIR_PATH in streamed.digests else None,
        index_html=bag_dir / fmt.INDEX_HTML,
        bundle_index=directory.index,
        index_html_replaced=fmt.INDEX_HTML in replaced,
        readme_replaced=fmt.README_TXT in replaced,
        notices=tuple(notices),
        leftovers=leftovers,
    )


def _write_page(path: Path, rendered: bytes) -> None:
    """Put recordpack's rendering at ``path``, in place of whatever the bundle shipped."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fd = os.open(path, _ExtractSink._FLAGS, 0o600)
    with open(fd, "wb") as out:
        out.write(rendered)


#: Plain words for the errors a destination folder can give, by errno.
_WRITE_ERRORS: Final[dict[int, tuple[str, str]]] = {
    errno.EACCES: ("permission denied", "choose a folder you can write to"),
    errno.EPERM: (
        "the folder does not allow changes (it may be locked or marked immutable)",
        "choose another folder",
    ),
    errno.EROFS: ("the disk is read-only", "choose a folder on a writable disk"),
    errno.ENOSPC: ("the disk is full", "free some space or choose another folder"),
    errno.EDQUOT: ("your disk quota is used up", "free some space or choose another folder"),
    errno.ENOTEMPTY: (
        "something else wrote into the folder meanwhile",
        "choose a new folder",
    ),
    errno.EEXIST: ("something else wrote into the folder meanwhile", "choose a new folder"),
}


def _write_error(error: OSError, where: Path) -> DestinationWriteError:
    reason, hint = _WRITE_ERRORS.get(
        error.errno or 0, (error.strerror or str(error), "choose another folder")
    )
    return DestinationWriteError(
        f"could not open the bundle into {where}: {reason}; nothing was written", hint=hint
    )


def _check_destination(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise DestinationNotEmptyError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise DestinationNotEmptyError(
            f"{target} is not empty; recordpack will not mix files into it"
        )
    if not target.parent.is_dir():
        raise UsageError(
            f"the folder {target.parent} does not exist",
            hint="create it first, or choose another destination",
        )


def _move_into_place(work: Path, bag: str, target: Path) -> None:
    """Make the verified bag appear at ``target/<bag>`` with one rename."""
    if target.is_dir() and not target.is_symlink():
        os.rename(work / bag, target / bag)
        os.rmdir(work)
    else:
        os.rename(work, target)
