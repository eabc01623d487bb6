"""The one module of the web app that calls the recordpack library.

The web layer (``recordpack.web.app``) parses requests and renders pages; every
decision about records, checklists, recipients and bundles is made here, by
calling the library as the CLI does. When the library's workflow API lands,
this file is the one to switch over to it.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recordpack.errors import AgeError, RecordpackError, UsageError
from recordpack.model import KIND_TITLES, KINDS, ScanResult

if TYPE_CHECKING:
    from recordpack.age.base import Recipient
    from recordpack.bundle.pack import PackSummary
    from recordpack.bundle.reader import OpenResult
    from recordpack.check import CheckReport
    from recordpack.manifest import Manifest

#: progress(done, total) from a running step.
Progress = Callable[[int, int], None]

#: Where bundles go (in the home folder) unless the person chooses another folder.
DEFAULT_OUTPUT = "recordpack-bundles"

#: Public key files are a few lines; an upload larger than this is not one.
MAX_KEY_FILE = 64 * 1024

__all__ = [
    "KINDS",
    "KIND_TITLES",
    "CancelToken",
    "Cancelled",
    "Gate",
    "Progress",
    "RecordpackError",
    "bundle_needs_passphrase",
    "check_folder",
    "default_open_folder",
    "gate",
    "generate_passphrase",
    "manifests",
    "open_received",
    "pack_folder",
    "parse_recipient",
    "recipients_from_upload",
    "scan",
]


class Cancelled(Exception):
    """The person pressed Cancel; the step stopped and left nothing half-written."""


class CancelToken:
    """Set by the web layer; checked by every progress callback."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def guard(self, progress: Progress) -> Progress:
        """A progress callback that stops the step (raises :class:`Cancelled`) once cancelled."""

        def update(done: int, total: int) -> None:
            if self._event.is_set():
                raise Cancelled()
            progress(done, total)

        return update


def literal_pattern(path: str) -> str:
    """A correction or exclusion pattern that matches exactly this path (no glob)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def scan(
    folder: Path, kinds: dict[str, str], progress: Progress, cancel: CancelToken
) -> tuple[ScanResult, list[str]]:
    """Scan ``folder`` with the person's kind corrections; returns the scan and the
    corrections that no longer apply (their file is gone) and were dropped."""
    # Until the workflow API lands, the CLI's wrapper keeps pydicom and pypdf quiet.
    from recordpack.cli.scan_cmd import _quiet_libraries
    from recordpack.scan import parse_labels, scan_folder
    from recordpack.scan.paths import to_fs

    dropped: list[str] = []
    labels: list[str] = []
    for path, kind in sorted(kinds.items()):
        on_disk = folder / to_fs(path.split("!", 1)[0])
        if kind in KINDS and on_disk.is_file():
            labels.append(f"{literal_pattern(path)}={kind}")
        else:
            dropped.append(path)
    with _quiet_libraries():
        try:
            result = scan_folder(
                folder, corrections=parse_labels(labels) or None, progress=cancel.guard(progress)
            )
        except UsageError:
            if not labels:
                raise
            # A saved correction names a file that is no longer a record: start afresh.
            dropped += [label.rsplit("=", 1)[0] for label in labels]
            result = scan_folder(folder, progress=cancel.guard(progress))
    return result, dropped


def manifests() -> list[Manifest]:
    """The built-in checklists, general first."""
    from recordpack.manifest import list_manifests

    return list_manifests()


def without(result: ScanResult, left_out: Sequence[str]) -> ScanResult:
    """The scan as the bundle will hold it: records and problems the person left out removed."""
    gone = set(left_out)
    return dataclasses.replace(
        result,
        records=tuple(r for r in result.records if not gone.intersection(r.files)),
        problems=tuple(p for p in result.problems if p.path not in gone),
    )


def check_folder(result: ScanResult, manifest_name: str, left_out: Sequence[str]) -> CheckReport:
    """Check what will be sent (the scan minus what was left out) against a checklist."""
    from recordpack.check import check
    from recordpack.manifest import load_manifest

    return check(without(result, left_out), load_manifest(manifest_name))


@dataclass(frozen=True)
class Gate:
    """Whether the bundle may be made now, and what the person must decide first."""

    other_patient: tuple[str, ...]  # files that may be someone else's
    incomplete: bool  # something required is missing or needs attention
    accepted_other_patient: bool
    accepted_incomplete: bool

    @property
    def open(self) -> bool:
        return (not self.other_patient or self.accepted_other_patient) and (
            not self.incomplete or self.accepted_incomplete
        )


def gate(report: CheckReport, accept_other_patient: bool, accept_incomplete: bool) -> Gate:
    """The CLI's rule (pack --accept-other-patient / --accept-incomplete) for the web app."""
    blocking = report.blocking
    mismatch = tuple(p for f in blocking if f.code == "patient_mismatch" for p in f.paths)
    other = any(f.code != "patient_mismatch" for f in blocking)
    return Gate(mismatch, other, accept_other_patient, accept_incomplete)


def parse_recipient(text: str) -> Recipient:
    """The specialist's public key from a pasted line; ``AgeError`` says what is wrong."""
    from recordpack import age

    return age.parse_recipient(text)


def recipients_from_upload(data: bytes) -> list[Recipient]:
    """Public keys from an uploaded key file (one ``age1...`` a line)."""
    from recordpack import age

    if len(data) > MAX_KEY_FILE:
        raise AgeError("this file is too large to be a key file")
    with tempfile.TemporaryDirectory(prefix="recordpack-key-") as folder:
        path = Path(folder) / "key.txt"
        path.write_bytes(data)
        try:
            return age.load_recipients(path)
        except AgeError as error:
            # The library names the temporary file; the person knows it as "the file".
            raise AgeError(
                error.message.replace(str(path), "the key file"), hint=error.hint
            ) from None


def passphrase_recipient(passphrase: str) -> Recipient:
    from recordpack import age

    return age.ScryptRecipient(passphrase)


def generate_passphrase() -> str:
    from recordpack.passphrase import generate_passphrase as generate

    return generate()


def pack_folder(
    result: ScanResult,
    report: CheckReport,
    left_out: Sequence[str],
    out: Path,
    recipients: Sequence[Recipient],
    progress: Progress,
    cancel: CancelToken,
) -> PackSummary:
    """Encrypt the records (minus what was left out) into ``out``; nothing is left on failure."""
    from recordpack.bundle.pack import pack

    guarded = cancel.guard(progress)
    return pack(
        result,
        out,
        recipients=recipients,
        check_report=report,
        exclude=[literal_pattern(p) for p in left_out],
        progress=lambda done, total, _path: guarded(done, total),
    )


def bundle_needs_passphrase(bundle: Path) -> bool:
    """True when the bundle was locked with a passphrase rather than a key."""
    from recordpack.cli.open_cmd import _is_passphrase_bundle

    return _is_passphrase_bundle(bundle)


def default_open_folder(bundle: Path) -> Path:
    """Where to open a bundle: beside it, named after it, never over an existing folder."""
    from recordpack.bundle.format import BUNDLE_SUFFIX

    name = bundle.name
    stem = name[: -len(BUNDLE_SUFFIX)] if name.endswith(BUNDLE_SUFFIX) else name + ".opened"
    candidate = bundle.parent / stem
    number = 2
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        candidate = bundle.parent / f"{stem}-{number}"
        number += 1
    return candidate


def open_received(
    bundle: Path,
    key_file: Path | None,
    passphrase: str | None,
    dest: Path,
    progress: Progress,
    cancel: CancelToken,
) -> OpenResult:
    """Decrypt, verify every file and extract the bundle into ``dest``, all or nothing."""
    from recordpack import age
    from recordpack.bundle.reader import open_bundle

    identities: list[Any] = []
    if key_file is not None:
        identities.extend(age.load_identities(key_file))
    if passphrase:
        identities.append(age.ScryptIdentity(passphrase))
    if not identities:
        raise UsageError(
            "no key or passphrase was given",
            hint="Choose your key file, or type the passphrase the sender gave you.",
        )
    return open_bundle(bundle, identities, dest, progress=cancel.guard(progress))


def human_size(size: int) -> str:
    from recordpack.bundle.format import human_size as size_words

    return size_words(size)


def open_source_file(folder: Path, path: str) -> int:
    """A read-only descriptor of a record's file in the source folder (no symlinks, no atime)."""
    from recordpack.scan.paths import to_fs
    from recordpack.scan.walk import open_fd

    return open_fd(os.path.join(folder, to_fs(path)))


@dataclass(frozen=True)
class FolderPatient:
    """Who the records are about, and the records that seem to be someone else's."""

    name: str | None
    birth_date: str | None
    others: dict[str, str]  # first file of a record -> why it may be someone else's


def folder_patient(result: ScanResult, left_out: Sequence[str] = ()) -> FolderPatient:
    """The folder's patient by the records' consensus (the records left out do not vote)."""
    from recordpack.names import find_mismatches

    consensus = find_mismatches(without(result, left_out).records)
    others = {m.record.files[0]: m.message for m in consensus.mismatches if m.record.files}
    return FolderPatient(consensus.name, consensus.birth_date, others)


def problem_title(code: str) -> str:
    """A problem code in plain words ("password-protected")."""
    from recordpack.scan.report import PROBLEM_TITLES

    return PROBLEM_TITLES.get(code, code.replace("_", " "))


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or inside it (links resolved)."""
    root, target = folder.resolve(), path.resolve()
    return target == root or root in target.parents


def default_output(source: Path | None) -> Path | None:
    """~/recordpack-bundles, unless that is inside the records folder (then None: ask)."""
    candidate = Path.home() / DEFAULT_OUTPUT
    if source is not None and is_inside(candidate, source):
        return None
    return candidate


def bundle_path(out_dir: Path, result: ScanResult) -> Path:
    """A new bundle name in ``out_dir``: the patient's name and today's date, never an old file."""
    import datetime as dt

    name = folder_patient(result).name or ""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    who = "-".join(words)[:40].strip("-")
    stem = "-".join(["records", *([who] if who else []), dt.date.today().isoformat()])
    candidate = out_dir / f"{stem}.rpk"
    number = 2
    while candidate.exists():
        candidate = out_dir / f"{stem}-{number}.rpk"
        number += 1
    return candidate
