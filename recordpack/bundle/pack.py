"""Write a bundle: every scanned record, streamed once into a BagIt ZIP inside age.

The writer follows a :class:`~recordpack.bundle.layout.BagPlan`. Each source file
is read once, in 1 MiB chunks, straight into its ZIP member inside the age
encryption stream, and hashed on the way: a file whose bytes no longer match
what scan saw stops the pack (the index must never lie). Tag files come last,
once every digest is known. The bundle is written to a temporary file beside
the destination and renamed only when complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Final, Protocol, TypeVar, cast

from recordpack import __version__
from recordpack.atomic import replaceable, same_place, within
from recordpack.bundle import format as fmt
from recordpack.bundle.dicomdir import FileSetEntry, build_dicomdir, fill_missing
from recordpack.bundle.fhir import fhir_index_of
from recordpack.bundle.html import render_index_html, render_readme
from recordpack.bundle.index_model import parse_index_text
from recordpack.bundle.layout import (
    BagPlan,
    PlannedFile,
    bagit_encode,
    file_set_id,
    plan_bag,
)
from recordpack.bundle.leftovers import LeftoverReport, part_file, sweep
from recordpack.bundle.policy import member_problem, should_deflate
from recordpack.errors import BundleError, InputError, RecordpackError, UsageError
from recordpack.model import (
    ARCHIVE_SEP,
    KINDS,
    ImagingStudy,
    Record,
    ScanResult,
    Series,
    Skipped,
)
from recordpack.scan.archive import AmbiguousName, find_member, member_index
from recordpack.scan.paths import to_fs
from recordpack.scan.tarball import READ_ERRORS as TAR_READ_ERRORS
from recordpack.scan.tarball import is_tar_name, read_member
from recordpack.scan.walk import (
    HEADER_READ,
    SYMLINK_REASON,
    open_file,
    own_files_worded,
    start_reading,
)

#: How scan's walker begins the reason for a pipe, device or socket it skipped.
NOT_REGULAR_REASON = "not a regular file"

if TYPE_CHECKING:
    from recordpack.age.base import Recipient

#: Read and write size: large enough for full-speed I/O, small enough for flat memory.
CHUNK_SIZE = 1024 * 1024

#: progress(bytes_done, bytes_total, original_path)
ProgressFn = Callable[[int, int, str], None]

_T = TypeVar("_T")

#: A copied file's SHA-256 and, for a document, SHA-1: known once the lane has hashed it.
_FileDigests = Future[tuple[str, str | None]]


class CheckReportLike(Protocol):
    """What pack needs of a ``recordpack.checking.CheckReport``."""

    @property
    def ok(self) -> bool: ...

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PackSummary:
    """What went into a bundle, for the final message and ``--json``."""

    path: Path
    size: int
    bag: str
    patient: dict[str, str | None]
    records_by_kind: dict[str, int]
    files: int
    payload_bytes: int
    imaging_studies: int
    images: int
    images_in_dicomdir: int
    recipients: tuple[str, ...]
    passphrase: bool
    duplicates: int
    problems: int
    excluded: int
    check_ok: bool | None
    problem_files: tuple[str, ...] = field(default=())
    #: Links and special files (pipes, devices) in the folder that are not in the
    #: bundle: a link may point at a record the sender believes was sent.
    not_packed: tuple[str, ...] = field(default=())
    #: What scan skipped, worded from what went in (recordpack's own file in an
    #: archive that was not packed is not "sent with it"); as in index.json.
    skipped: tuple[Skipped, ...] = field(default=())
    #: SHA-256 of the bundle file as written (hex).
    sha256: str = ""
    #: (original path, SHA-256) of every source file in the bundle, as packed.
    packed_files: tuple[tuple[str, str], ...] = field(default=())
    #: Temporary files of interrupted earlier packs found beside the bundle.
    leftovers: LeftoverReport = field(default_factory=LeftoverReport)

    @property
    def record_count(self) -> int:
        return sum(self.records_by_kind.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "path": str(self.path),
            "size": self.size,
            "bag": self.bag,
            "patient": self.patient,
            "records": self.record_count,
            "records_by_kind": self.records_by_kind,
            "files": self.files,
            "payload_bytes": self.payload_bytes,
            "imaging_studies": self.imaging_studies,
            "images": self.images,
            "images_in_dicomdir": self.images_in_dicomdir,
            "encryption": {"recipients": list(self.recipients), "passphrase": self.passphrase},
            "duplicates": self.duplicates,
            "problems": self.problems,
            "problem_files": list(self.problem_files),
            "not_packed": list(self.not_packed),
            "excluded": self.excluded,
            "check_ok": self.check_ok,
            "sha256": self.sha256,
            "leftovers": {
                "removed": [str(p) for p in self.leftovers.removed],
                "kept": [{"path": str(p), "why": why} for p, why in self.leftovers.kept],
            },
        }


def describe_recipients(recipients: Sequence[Recipient]) -> tuple[tuple[str, ...], bool]:
    """Public keys as strings, and whether the bundle is protected by a passphrase."""
    from recordpack.age.scrypt import ScryptRecipient

    keys = tuple(str(r) for r in recipients if not isinstance(r, ScryptRecipient))
    passphrase = any(isinstance(r, ScryptRecipient) for r in recipients)
    return keys, passphrase


def pack(
    scan: ScanResult,
    out: Path,
    *,
    recipients: Sequence[Recipient],
    check_report: CheckReportLike | None = None,
    exclude: Sequence[str] = (),
    progress: ProgressFn | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> PackSummary:
    """Encrypt the scanned records into one bundle at ``out``; returns what went in.

    Raises ``UsageError`` for an unusable destination or recipients,
    ``BundleError`` when a source file changed or cannot be read, and leaves
    nothing under ``out`` (nor a temporary file) when anything fails.
    """
    from recordpack import age

    out = Path(out)
    root = Path(to_fs(scan.root))
    if not recipients:
        raise UsageError(
            "no recipient and no passphrase",
            hint="Give the specialist's public key (age1...) or a passphrase.",
        )
    keys, passphrase = describe_recipients(recipients)
    if passphrase and len(recipients) > 1:
        raise UsageError(
            "a passphrase cannot be combined with other recipients (the age format forbids it)",
            hint="Use either recipients' public keys or one passphrase.",
        )
    check_destination(out, root, force)

    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    plan = plan_bag(scan, created.strftime("%Y%m%d"), exclude)
    # What the index and the summary say is sent with an archive is what was placed.
    plan.scan = dataclasses.replace(
        scan, skipped=tuple(own_files_worded(scan.skipped, _placed_archives(plan)))
    )
    check = check_report.to_json() if check_report is not None else None
    encryption = {"recipients": list(keys), "passphrase": passphrase}

    # A pack killed with kill -9 (or a power cut) left its .part file: remove it now.
    leftovers = sweep(out.parent, ".part")
    try:
        # Not a with-block: the file must outlive the handle until os.replace.
        tmp_path, tmp = part_file(out.parent, out.name)
    except OSError as error:
        raise BundleError(f"cannot write in {out.parent}: {error.strerror}") from error
    try:
        with tmp:
            hashed = _BundleWriter(tmp)
            try:
                with age.encrypt_writer(
                    cast(BinaryIO, hashed), recipients, buffers=IN_FLIGHT + 1
                ) as encrypted:
                    index = write_bag(
                        plan,
                        root,
                        encrypted,
                        created=created,
                        check=check,
                        encryption=encryption,
                        progress=progress,
                    )
                hashed.finish()
            finally:
                hashed.close()
        if replaceable(out) and not force:  # appeared while we were packing
            raise DestinationExistsError(out)
        os.replace(tmp_path, out)
    except BaseException as error:
        with contextlib.suppress(OSError):
            tmp.close()
            tmp_path.unlink()
        if isinstance(error, OSError):
            raise BundleError(
                f"could not write {out}: {error.strerror or error}",
                hint="Check that the destination has enough free space and is writable.",
            ) from error
        raise
    _fsync_dir(out.parent)
    summary = _summary(plan, index, out, keys, passphrase, check_report)
    return dataclasses.replace(summary, sha256=hashed.hexdigest(), leftovers=leftovers)


#: Writes of about 1 MiB the bundle writer may have pending: a few, so that the
#: encryption does not wait each time the disk is briefly slower.
IN_FLIGHT = 3

#: Bytes written between two background flushes of the bundle to disk.
SYNC_EVERY = 64 * 1024 * 1024


class _BundleWriter:
    """The bundle file as it is written: written and hashed (its SHA-256, for the
    receipt) by a background thread while the next stretch is encrypted (hashlib
    and the write release the GIL), and flushed to disk in the background every
    :data:`SYNC_EVERY` bytes, so the final fsync waits for the last stretch only,
    not the whole bundle."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self._digest = hashlib.sha256()
        self._unsynced = 0
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="recordpack-write")
        self._writing: deque[Future[None]] = deque()
        self._syncer = ThreadPoolExecutor(1, thread_name_prefix="recordpack-sync")
        self._pending: Future[None] | None = None

    def write(self, data: bytes | memoryview) -> int:
        # No copy: the age writer (with IN_FLIGHT + 1 buffers) does not change a buffer
        # it handed over until IN_FLIGHT more write calls have returned, and a call
        # returns only once at most IN_FLIGHT writes, its own included, are pending.
        while len(self._writing) >= IN_FLIGHT:
            self._writing.popleft().result()
        self._writing.append(self._writer.submit(self._write_block, data))
        return len(data)

    def _write_block(self, block: bytes | memoryview) -> None:
        """On the writer thread: hash and write, and now and then start a flush to disk."""
        self._digest.update(block)
        self._target.write(block)
        self._unsynced += len(block)
        if self._unsynced >= SYNC_EVERY and (self._pending is None or self._pending.done()):
            self._collect()
            self._target.flush()
            self._pending = self._syncer.submit(os.fdatasync, self._target.fileno())
            self._unsynced = 0

    def _wait_writing(self) -> None:
        """Raise what the last background write raised (a full disk, an I/O error)."""
        while self._writing:
            self._writing.popleft().result()

    def flush(self) -> None:
        self._wait_writing()
        self._target.flush()

    def _collect(self) -> None:
        """Raise what a finished background flush raised (a full disk, an I/O error)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def finish(self) -> None:
        """Wait for the background writes and flush, and make the whole file durable."""
        try:
            self._wait_writing()
            self._collect()
            self._target.flush()
            os.fsync(self._target.fileno())
        finally:
            self.close()

    def close(self) -> None:
        """Stop the background threads without waiting for durability (on failure)."""
        self._writer.shutdown(wait=True)
        self._syncer.shutdown(wait=True)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


class DestinationExistsError(UsageError):
    """The bundle's destination already exists and replacing it was not asked for."""

    code = "destination_exists"

    def __init__(self, out: Path) -> None:
        super().__init__(
            f"{out} already exists", hint="Choose another name, or ask to replace it."
        )
        self.path = out


def check_destination(
    out: Path, root: Path, force: bool, *, audit_log: Path | None = None
) -> None:
    """Refuse a bundle destination that is a folder, not a regular file, inside ``root``
    (by any name), the ``audit_log``, in a missing folder, or that exists unless ``force``."""
    if not root.is_dir():
        raise InputError(f"{root} is not a folder", hint="Scan the folder again.")
    if out.is_dir():
        raise UsageError(f"{out} is a folder", hint="Give a file name, e.g. records.rpk.")
    if audit_log is not None and same_place(out, audit_log):
        raise UsageError(f"{out} is the audit log", hint="Give the bundle its own name.")
    # Only a regular file is ever replaced, and only when asked (never a device or a pipe).
    if replaceable(out) and not force:
        raise DestinationExistsError(out)
    if not out.parent.is_dir():
        raise UsageError(
            f"folder {out.parent} does not exist", hint="Create it first, or choose another place."
        )
    if within(out, root):  # by the folders' identity: a link or bind mount is no way round
        raise UsageError(
            f"{out} is inside the folder being packed ({root}); recordpack never writes there",
            hint="Write the bundle somewhere else, e.g. your Desktop.",
        )


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Study:
    """Where an image's study and series are, for DICOMDIR fallbacks."""

    def __init__(self, record: Record, study: ImagingStudy, series: Series) -> None:
        self.record = record
        self.study = study
        self.series = series


def _image_context(plan: BagPlan) -> dict[str, _Study]:
    context: dict[str, _Study] = {}
    for entry in plan.records:
        study = entry.record.study
        if study is None:
            continue
        for series in study.series:
            for instance in series.instances:
                context[instance.path] = _Study(entry.record, study, series)
    return context


def _fallback(planned: PlannedFile, ctx: _Study | None) -> dict[str, Any]:
    """Header values from what scan read, for elements a file leaves empty."""
    instance = planned.dicom
    values: dict[str, Any] = {}
    if instance is not None:
        values |= {
            "SOPClassUID": instance.sop_class_uid,
            "SOPInstanceUID": instance.sop_instance_uid,
            "InstanceNumber": instance.instance_number,
        }
    if ctx is not None:
        patient = ctx.record.patient
        values |= {
            "PatientName": patient.name,
            "PatientID": patient.id,
            "StudyInstanceUID": ctx.study.study_instance_uid,
            "StudyDate": ctx.record.date.replace("-", "") if ctx.record.date else None,
            "StudyTime": ctx.study.time,
            "StudyDescription": ctx.study.description,
            "StudyID": ctx.study.study_id,
            "AccessionNumber": ctx.study.accession_number,
            "SeriesInstanceUID": ctx.series.uid,
            "Modality": ctx.series.modality,
            "SeriesNumber": ctx.series.number,
        }
    return values


def _zip_time(mtime: float) -> tuple[int, int, int, int, int, int]:
    try:
        stamp = dt.datetime.fromtimestamp(mtime)
    except (OSError, ValueError, OverflowError):
        stamp = dt.datetime(1980, 1, 1)
    stamp = max(stamp, dt.datetime(1980, 1, 1))
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


def _member(
    bag: str, path: str, compress: bool, size: int, date_time: tuple[int, ...]
) -> zipfile.ZipInfo:
    # What pack writes, open opens: the same policy decides both.
    refusal = member_problem(path, size)
    if refusal is not None:
        raise BundleError(
            f"cannot pack {path}: it {refusal}, and recordpack would refuse to open such a bundle",
            hint="Leave this file out of the bundle, or report this as a bug.",
        )
    info = zipfile.ZipInfo(f"{bag}/{path}", date_time=date_time)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.file_size = size  # lets zipfile choose ZIP64 up front on a non-seekable stream
    info.external_attr = 0o644 << 16  # a plain, readable file once unzipped
    info.create_system = 3  # Unix, so the permissions above are honoured
    return info


def _changed(label: str, how: str) -> BundleError:
    return BundleError(
        f"{label} changed while packing ({how})", hint="Scan the folder again, then pack."
    )


class _Digest(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...


class _Hashes:
    """SHA-256 (BagIt, index.json) and SHA-1 (FHIR's ``Attachment.hash``) fed by one read.

    Only documents are FHIR attachments: images in the DICOM file-set (most of the
    bytes) get no SHA-1, so FHIR costs pack nothing on imaging.
    """

    def __init__(self, planned: PlannedFile, *, sha256: bool = True) -> None:
        self.sha256 = hashlib.sha256() if sha256 else None
        self.sha1 = (
            hashlib.sha1(usedforsecurity=False) if planned.role != fmt.FILE_ROLE_IMAGE else None
        )
        # For a file scan read only as far as its header: the same first bytes, again.
        self.head = hashlib.sha256() if planned.head_sha256 is not None else None
        self._head_left = HEADER_READ

    @property
    def needed(self) -> bool:
        return self.sha256 is not None or self.sha1 is not None

    def update(self, data: bytes | memoryview, /) -> None:
        if self.sha256 is not None:
            self.sha256.update(data)
        if self.sha1 is not None:
            self.sha1.update(data)
        if self.head is not None and self._head_left > 0:
            part = data[: self._head_left]
            self.head.update(part)
            self._head_left -= len(part)

    def sha1_hex(self) -> str | None:
        return self.sha1.hexdigest() if self.sha1 is not None else None


def _stream(
    src: BinaryIO,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    label: str,
    done: int,
    total: int,
    progress: ProgressFn | None,
    digest: _Digest | None,
    lane: _HashLane,
) -> int:
    """Copy ``src`` into the new member ``info`` in chunks, feeding ``digest`` if given.

    Returns the bytes copied; the member's CRC-32 (zipfile computes it anyway) is
    in ``info.CRC`` afterwards. A whole SHA-256 is fed on ``lane``, so it may still
    be hashing when this returns (see :meth:`_HashLane.then`); a small digest (a
    header, a document's SHA-1) is cheaper here than a hand-over to the lane.
    """
    background = isinstance(digest, _Hashes) and digest.sha256 is not None
    written = 0
    with zf.open(info, "w", force_zip64=info.file_size > zipfile.ZIP64_LIMIT // 2) as dst:
        while count := cast(io.BufferedIOBase, src).readinto(buffer := lane.buffer()):
            chunk = memoryview(buffer)[:count]
            if digest is not None:
                if background:
                    lane.hash(digest, chunk)
                else:
                    digest.update(chunk)
            dst.write(chunk)
            written += count
            if progress is not None:
                progress(done + written, total, label)
    return written


class _HashLane:
    """The SHA-256 of what pack copies, computed on one background thread.

    hashlib releases the GIL, so the hashing runs on the other core while the
    copying thread checksums, encrypts and writes. It runs behind the copy and
    across files: the copy never waits at the end of a file for its last chunk to
    be hashed. The copy reads into a ring of buffers, each read into again only
    once the lane has hashed the chunk it held, so memory stays at a few MiB.
    """

    RING: Final = 4

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="recordpack-sha256")
        self._buffers = [bytearray(CHUNK_SIZE) for _ in range(self.RING)]
        self._busy: list[Future[None] | None] = [None] * self.RING
        self._turn = 0

    def buffer(self) -> bytearray:
        """The next buffer of the ring to read into, once the lane is done with it."""
        self._turn = (self._turn + 1) % self.RING
        busy, self._busy[self._turn] = self._busy[self._turn], None
        if busy is not None:
            busy.result()
        return self._buffers[self._turn]

    def hash(self, digest: _Digest, chunk: memoryview) -> None:
        """Feed ``chunk``, read into the last buffer handed out, to ``digest`` on the lane."""
        self._busy[self._turn] = self._pool.submit(digest.update, chunk)

    def then(self, result: Callable[[], _T]) -> Future[_T]:
        """``result()``, called on the lane once everything handed to it so far is hashed."""
        return self._pool.submit(result)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _ready(value: _T) -> Future[_T]:
    """A future already holding ``value``."""
    future: Future[_T] = Future()
    future.set_result(value)
    return future


def _verify(planned: PlannedFile, label: str, written: int, hexdigest: str) -> None:
    if planned.sha256 is not None and (hexdigest != planned.sha256 or written != planned.size):
        raise _changed(label, "its content differs from what scan read")


@contextlib.contextmanager
def _reading(label: str) -> Iterator[None]:
    """Turn a source file that vanished or cannot be read into a plain BundleError."""
    try:
        yield
    except FileNotFoundError as error:
        raise BundleError(
            f"{label} disappeared while packing", hint="Scan the folder again, then pack."
        ) from error
    except PermissionError as error:
        raise BundleError(
            f"cannot read {label}: permission denied",
            hint="Make the file readable, or leave it out of the bundle.",
        ) from error


def _copy_file(
    zf: zipfile.ZipFile,
    bag: str,
    root: Path,
    planned: PlannedFile,
    done: int,
    total: int,
    progress: ProgressFn | None,
    lane: _HashLane,
) -> tuple[int, _FileDigests]:
    """Copy one source file into its member; returns its size and its digests.

    A file scan read only as far as its header is hashed on ``lane`` and checked
    there (see :func:`_settle`): its digests raise if it changed since the scan.
    """
    source = os.path.join(root, to_fs(planned.source))  # a str: no pathlib parse per file
    label = planned.original
    # Opened as scan opens it (O_NOATIME): packing changes no access time.
    with _reading(label), open_file(source) as src:
        status = os.fstat(src.fileno())
        size, before = status.st_size, status.st_mtime_ns
        if planned.sha256 is not None and size != planned.size:
            raise _changed(label, f"its size is now {size} bytes, scan saw {planned.size}")
        stamp = _zip_time(status.st_mtime)
        info = _member(bag, planned.path, planned.compress, size, stamp)
        if planned.sha256 is not None and planned.crc32 is not None:
            # Scan hashed this file moments ago: the CRC-32 the ZIP writer computes
            # anyway proves it unchanged, without hashing every byte again. (Any
            # change it missed would still fail the SHA-256 check when opened.)
            sha1_only = _Hashes(planned, sha256=False)
            feed = sha1_only if sha1_only.needed else None
            written = _stream(src, zf, info, label, done, total, progress, feed, lane)
            if written != planned.size or info.CRC != planned.crc32:
                raise _changed(label, "its content differs from what scan read")
            return written, _ready((planned.sha256, sha1_only.sha1_hex()))
        digest = _Hashes(planned)
        written = _stream(src, zf, info, label, done, total, progress, digest, lane)
        after = os.fstat(src.fileno()).st_mtime_ns

    def settled() -> tuple[str, str | None]:
        assert digest.sha256 is not None
        hexdigest = digest.sha256.hexdigest()
        if planned.head_sha256 is not None and planned.sha256 is None:
            assert digest.head is not None
            _settle(planned, written, digest.head.hexdigest(), (before, after))
        else:
            _verify(planned, label, written, hexdigest)
        return hexdigest, digest.sha1_hex()

    return written, lane.then(settled)


def _settle(planned: PlannedFile, written: int, head_sha256: str, times: tuple[int, int]) -> None:
    """Check a file scan read only as far as its header against what scan saw: the
    same size and header, and no change of modification time since the scan
    (before and after this copy). Its SHA-256 is then the one of the bytes packed."""
    label = planned.original
    if written != planned.size:
        raise _changed(label, f"its size is now {written} bytes, scan saw {planned.size}")
    if head_sha256 != planned.head_sha256:
        raise _changed(label, "its content differs from what scan read")
    stamps = {*times, planned.mtime_ns} if planned.mtime_ns is not None else {*times}
    if len(stamps) != 1:
        raise _changed(label, "it was modified after the scan")


#: What a source archive rewritten or damaged since the scan raises while being read.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError)


class _Archives:
    """Source archives opened once each, and closed after their last laid-out member."""

    def __init__(self, root: Path, files: Sequence[PlannedFile]) -> None:
        self._root = root
        self._left = Counter(f.source for f in files if f.member is not None)
        self._open: dict[str, tuple[zipfile.ZipFile, Mapping[str, list[zipfile.ZipInfo]]]] = {}
        self._streams: dict[str, BinaryIO] = {}  # what each archive reads (O_NOATIME)

    def member(self, planned: PlannedFile) -> tuple[zipfile.ZipFile, zipfile.ZipInfo | None]:
        """The open archive of ``planned`` and its member's entry (None when it is gone).

        Raises :class:`BundleError` when more than one member goes by its name.
        """
        if planned.source not in self._open:
            label = planned.source
            try:
                with _reading(label):
                    stream = open_file(self._root / to_fs(planned.source))
            except _ZIP_ERRORS as error:
                raise _changed(label, "it is no longer a readable zip") from error
            try:
                archive = zipfile.ZipFile(stream)
            except _ZIP_ERRORS as error:
                stream.close()
                raise _changed(label, "it is no longer a readable zip") from error
            self._streams[planned.source] = stream
            self._open[planned.source] = (archive, member_index(archive.infolist()))
        archive, index = self._open[planned.source]
        try:
            return archive, find_member(index, planned.member or "")
        except AmbiguousName:
            raise BundleError(
                f"{planned.original}: the archive holds more than one file by this name, "
                "so which one to pack cannot be told",
                hint="Unpack the archive with your computer, rename one of the files, "
                "then scan the folder again and pack.",
            ) from None

    def done(self, planned: PlannedFile) -> None:
        self._left[planned.source] -= 1
        if self._left[planned.source] <= 0 and planned.source in self._open:
            self._open.pop(planned.source)[0].close()
            self._streams.pop(planned.source).close()

    def close(self) -> None:
        for archive, _ in self._open.values():
            archive.close()
        for stream in self._streams.values():
            stream.close()
        self._open.clear()
        self._streams.clear()


def _copy_member(
    zf: zipfile.ZipFile,
    bag: str,
    archives: _Archives,
    planned: PlannedFile,
    done: int,
    total: int,
    progress: ProgressFn | None,
    lane: _HashLane,
) -> tuple[int, _FileDigests]:
    """Stream one archive member, inflated, into its own file in the bag."""
    label = planned.original
    archive, entry = archives.member(planned)
    if entry is None:
        raise _changed(label, "it is no longer in the archive")
    if planned.sha256 is not None and entry.file_size != planned.size:
        raise _changed(label, f"its size is now {entry.file_size} bytes, scan saw {planned.size}")
    stamp = max(entry.date_time, (1980, 1, 1, 0, 0, 0))
    info = _member(bag, planned.path, planned.compress, entry.file_size, stamp)
    try:
        digest = _Hashes(planned)
        with archive.open(entry) as src:
            written = _stream(src, zf, info, label, done, total, progress, digest, lane)  # type: ignore[arg-type]
    except _ZIP_ERRORS as error:
        raise _changed(label, f"the archive no longer reads back: {error}") from error
    archives.done(planned)

    def settled() -> tuple[str, str | None]:
        assert digest.sha256 is not None
        hexdigest = digest.sha256.hexdigest()
        _verify(planned, label, written, hexdigest)
        return hexdigest, digest.sha1_hex()

    return written, lane.then(settled)


class _ReadAhead:
    """Asks the system to start reading the source files a few places ahead of the
    copy, so that a cold disk fetches them while the copy encrypts (see
    :func:`recordpack.scan.walk.start_reading`)."""

    #: Files ahead of the copy, and how much of each (the kernel's own read-ahead
    #: takes over within a file).
    FILES: Final = 8
    BYTES: Final = 4 * 1024 * 1024

    def __init__(self, root: Path, files: Sequence[PlannedFile]) -> None:
        self._paths = [os.path.join(root, to_fs(f.source)) for f in files if f.member is None]
        start_reading(self._paths[: self.FILES], self.BYTES)
        self._next = self.FILES

    def next(self) -> None:
        """The copy moves on to its next file: hint the next one in the window."""
        if self._next < len(self._paths):
            start_reading([self._paths[self._next]], self.BYTES)
        self._next += 1


def _write_bytes(
    zf: zipfile.ZipFile, bag: str, path: str, data: bytes, date_time: tuple[int, ...]
) -> None:
    zf.writestr(_member(bag, path, should_deflate(path), len(data), date_time), data)


def write_bag(
    plan: BagPlan,
    root: Path,
    dst: BinaryIO,
    *,
    created: dt.datetime,
    check: dict[str, Any] | None,
    encryption: dict[str, Any],
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Write the bag as a ZIP to ``dst`` (any writable stream); returns the index document."""
    bag = plan.bag
    digests: dict[str, tuple[int, str]] = {}
    sha1s: dict[str, str] = {}  # bag path -> SHA-1, for index.fhir.json
    context = _image_context(plan)
    entries: list[FileSetEntry] = []
    total = plan.payload_bytes
    done = 0
    now = (created.year, created.month, created.day, created.hour, created.minute, created.second)
    archives = _Archives(root, plan.files)
    lane = _HashLane()
    with (
        zipfile.ZipFile(dst, "w", allowZip64=True) as zf,
        contextlib.closing(archives),
        contextlib.closing(lane),
    ):
        hashing: deque[tuple[PlannedFile, int, _FileDigests]] = deque()

        def settle(everything: bool) -> None:
            """Take the digests the lane has finished (all of them, at the end): a file
            changed since the scan stops the pack at once, and memory stays flat."""
            while hashing and (everything or hashing[0][2].done()):
                planned, size, digest = hashing.popleft()
                sha256, sha1 = digest.result()
                digests[planned.path] = (size, sha256)
                if sha1 is not None:
                    sha1s[planned.path] = sha1

        ahead = _ReadAhead(root, plan.files)
        for planned in plan.files:
            if planned.member is None:
                ahead.next()
                size, digest = _copy_file(zf, bag, root, planned, done, total, progress, lane)
            else:
                size, digest = _copy_member(
                    zf, bag, archives, planned, done, total, progress, lane
                )
            hashing.append((planned, size, digest))
            settle(everything=False)
            done += size
            if planned.file_set_position is not None:
                entries.append(_file_set_entry(planned, context))
        settle(everything=True)
        if entries:
            data = build_dicomdir(entries)
            _write_bytes(zf, bag, fmt.DICOMDIR_PATH, data, now)
            digests[fmt.DICOMDIR_PATH] = (len(data), hashlib.sha256(data).hexdigest())
            sha1s[fmt.DICOMDIR_PATH] = hashlib.sha1(data, usedforsecurity=False).hexdigest()

        previews, images = _previews(plan, root)
        for name, data in images.items():
            _write_bytes(zf, bag, name, data, now)

        index = _index(plan, created, check, encryption, digests, sha1s, previews)
        tags = _tag_files(plan, index, digests, created, images)
        for name in fmt.TAG_FILES:
            _write_bytes(zf, bag, name, tags[name], now)
    return index


def _previews(
    plan: BagPlan, root: Path
) -> tuple[dict[int, list[dict[str, Any]]], dict[str, bytes]]:
    """One preview per series, each from one slice read again from the source folder.

    Returns, per record number, what index.json says of each series' preview,
    and the PNG files by their path in the bag.
    """
    from recordpack.bundle.preview import representative

    packed = {original for f in plan.files for original in f.originals}
    facts: dict[int, list[dict[str, Any]]] = {}
    images: dict[str, bytes] = {}
    for number, entry in enumerate(plan.records):
        study = entry.record.study
        if study is None:
            continue
        facts[number] = []
        for series_number, series in enumerate(study.series):
            item: dict[str, Any] = {"series_uid": series.uid, "modality": series.modality}
            instance = representative(series, [p for p in entry.original_files if p in packed])
            if instance is None:
                item["problem"] = "none of its images is in the bundle"
            elif instance.path.count(ARCHIVE_SEP) > 1:
                item["problem"] = "its images are inside an archive within an archive"
            else:
                preview = _read_preview(root, instance.path, series)
                if preview.png is not None:
                    name = f"{fmt.PREVIEWS_DIR}/{number + 1:03d}-{series_number + 1:03d}.png"
                    images[name] = preview.png
                    item["path"] = name
                else:
                    item["problem"] = preview.problem
            facts[number].append(item)
    return facts, images


def _read_preview(root: Path, scan_path: str, series: Series) -> Any:
    from recordpack.bundle.preview import MAX_PREVIEW_SOURCE, Preview, series_preview

    archive, _, member = scan_path.partition(ARCHIVE_SEP)
    try:
        if not member:
            path = root / to_fs(archive)
            if path.stat().st_size > MAX_PREVIEW_SOURCE:
                return Preview(
                    series.uid, series.modality, None, "its images are too large to preview"
                )
            # Opened as scan opens it: the source's access times stay as they were.
            with open_file(path) as src:
                return series_preview(series, src)
        if is_tar_name(archive):
            with open_file(root / to_fs(archive)) as stream:
                data = read_member(stream, member, MAX_PREVIEW_SOURCE)
            if data is None:
                return Preview(
                    series.uid, series.modality, None, "its image could not be read again"
                )
            return series_preview(series, io.BytesIO(data))
        with open_file(root / to_fs(archive)) as stream, zipfile.ZipFile(stream) as zf:
            name = find_member(member_index(zf.infolist()), member)
            if name is None or name.file_size > MAX_PREVIEW_SOURCE:
                return Preview(
                    series.uid, series.modality, None, "its image could not be read again"
                )
            with zf.open(name) as src:
                return series_preview(series, src)  # type: ignore[arg-type]
    except (OSError, AmbiguousName, *_ZIP_ERRORS, *TAR_READ_ERRORS):
        return Preview(series.uid, series.modality, None, "its image could not be read again")


def _file_set_entry(planned: PlannedFile, context: dict[str, _Study]) -> FileSetEntry:
    """The DICOMDIR facts for an image, from what scan read of its header (no second read)."""
    assert planned.file_set_position is not None
    ctx = context.get(planned.originals[0]) if planned.originals else None
    values = _fallback(planned, ctx)
    if planned.dicom is not None and planned.dicom.transfer_syntax_uid:
        values["TransferSyntaxUID"] = planned.dicom.transfer_syntax_uid
    return FileSetEntry(
        file_id=file_set_id(planned.file_set_position), values=fill_missing({}, values)
    )


def _index(
    plan: BagPlan,
    created: dt.datetime,
    check: dict[str, Any] | None,
    encryption: dict[str, Any],
    digests: dict[str, tuple[int, str]],
    sha1s: dict[str, str],
    previews: dict[int, list[dict[str, Any]]],
) -> dict[str, Any]:
    from recordpack.bundle.layout import build_index

    return build_index(
        plan,
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        software=f"recordpack {__version__}",
        check=check,
        encryption=encryption,
        digests=digests,
        sha1=sha1s,
        previews=previews,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _json_file(document: dict[str, Any]) -> bytes:
    """``document`` as an indented JSON file, UTF-8.

    ``json.dumps`` with an indent joins a list of every token it wrote: about a
    million small strings for 30,000 files, 40 MiB for an 8.7 MB index. Encoded a
    few thousand tokens at a time, the peak is about twice the file.
    """
    data = bytearray()
    tokens: list[str] = []
    for token in json.JSONEncoder(indent=1, ensure_ascii=False).iterencode(document):
        tokens.append(token)
        if len(tokens) >= _JSON_BATCH:
            data += "".join(tokens).encode()
            tokens.clear()
    tokens.append("\n")
    data += "".join(tokens).encode()
    return bytes(data)


#: JSON tokens encoded at once by :func:`_json_file`.
_JSON_BATCH: Final = 4096


def _tag_files(
    plan: BagPlan,
    index: dict[str, Any],
    digests: dict[str, tuple[int, str]],
    created: dt.datetime,
    extra: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The tag files; ``extra`` (previews) are listed in the tag manifest too."""
    payload_bytes = sum(size for size, _ in digests.values())
    tags: dict[str, bytes] = {}
    tags[fmt.BAGIT_TXT] = (
        f"BagIt-Version: {fmt.BAGIT_VERSION}\nTag-File-Character-Encoding: {fmt.BAGIT_ENCODING}\n"
    ).encode()
    info = [
        ("Bagging-Date", created.strftime("%Y-%m-%d")),
        ("Bag-Software-Agent", f"recordpack/{__version__}"),
        ("Payload-Oxum", f"{payload_bytes}.{len(digests)}"),
        ("Bag-Size", fmt.human_size(payload_bytes)),
        (
            "External-Description",
            "Medical records gathered for a second opinion. See README.txt and index.html.",
        ),
    ]
    tags[fmt.BAG_INFO_TXT] = "".join(f"{k}: {_one_line(v)}\n" for k, v in info).encode()
    index_file = _json_file(index)
    # What open reads: the bytes written, schema-checked. The pages and the FHIR index
    # are made from it, so pack never writes an index, a page or a FHIR index that
    # open would refuse (open rebuilds index.fhir.json from the same checked copy).
    checked = parse_index_text(index_file)
    tags[fmt.README_TXT] = render_readme(checked).encode()
    tags[fmt.INDEX_HTML] = render_index_html(checked).encode()
    tags[fmt.INDEX_JSON] = index_file
    tags[fmt.INDEX_FHIR] = _json_file(fhir_index_of(checked))
    tags[fmt.MANIFEST] = "".join(
        f"{digest}  {bagit_encode(path)}\n" for path, (_, digest) in sorted(digests.items())
    ).encode()
    covered = {**(extra or {}), **{name: tags[name] for name in fmt.TAGMANIFEST_COVERS}}
    tags[fmt.TAGMANIFEST] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in covered.items()
    ).encode()
    return tags


def _placed_archives(plan: BagPlan) -> set[str]:
    """The archives in the folder that go into the bag whole (as originals)."""
    return {f.source for f in plan.files if f.role == fmt.FILE_ROLE_ORIGINAL and f.member is None}


def _summary(
    plan: BagPlan,
    index: dict[str, Any],
    out: Path,
    keys: tuple[str, ...],
    passphrase: bool,
    check_report: CheckReportLike | None,
) -> PackSummary:
    by_kind: dict[str, int] = {}
    studies = images = 0
    for entry in plan.records:
        by_kind[entry.record.kind] = by_kind.get(entry.record.kind, 0) + 1
        if entry.record.study is not None:
            studies += 1
            # One set per study, not per file: a 10,000-slice CT stays linear.
            instances = {i.path for s in entry.record.study.series for i in s.instances}
            images += sum(1 for path in entry.original_files if path in instances)
    ordered = {k: by_kind[k] for k in KINDS if k in by_kind} | {
        k: v for k, v in by_kind.items() if k not in KINDS
    }
    return PackSummary(
        path=out,
        size=out.stat().st_size,
        bag=plan.bag,
        patient=index["patient"],
        records_by_kind=ordered,
        files=len(index["files"]),
        payload_bytes=sum(f["size"] for f in index["files"]),
        imaging_studies=studies,
        images=images,
        images_in_dicomdir=sum(1 for f in plan.files if f.file_set_position is not None),
        recipients=keys,
        passphrase=passphrase,
        duplicates=len(plan.duplicates),
        problems=len(plan.scan.problems),
        excluded=len(plan.excluded),
        check_ok=check_report.ok if check_report is not None else None,
        problem_files=tuple(f.path for f in plan.files if f.role == fmt.FILE_ROLE_PROBLEM),
        packed_files=tuple(
            (str(f["original"]), str(f["sha256"])) for f in index["files"] if f.get("original")
        ),
        skipped=plan.scan.skipped,
        not_packed=tuple(
            s.path
            for s in plan.scan.skipped
            if s.reason == SYMLINK_REASON or s.reason.startswith(NOT_REGULAR_REASON)
        ),
    )


__all__ = ["CHUNK_SIZE", "DestinationExistsError", "PackSummary", "ProgressFn", "RecordpackError", "pack", "write_bag"]
