"""The one module of the web app that calls the recordpack library: its workflow API.

The web layer (``recordpack.web.app``) parses requests and renders pages; every
decision about records, checklists, recipients and bundles is made by
:mod:`recordpack.workflow`. This adapter only shapes the person's choices (kinds
corrected, files left out, the checklist chosen) into workflow calls and keeps
the names the pages use.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from recordpack import workflow
from recordpack.checking import UNSURE_KIND
from recordpack.errors import InputError, RecordpackError, UsageError
from recordpack.scan.paths import literal_pattern  # one rule for every front door
from recordpack.workflow import Cancelled, CancelToken, GateDecision, PackResult, Prepared

if TYPE_CHECKING:
    from recordpack.age.base import Recipient
    from recordpack.audit import AuditLog
    from recordpack.bundle.reader import OpenResult
    from recordpack.manifest import Manifest
    from recordpack.request import RequestsResult
    from recordpack.request.letters import Letter

#: progress(done, total) of a running step, as a progress bar shows it.
Progress = Callable[[int, int], None]

#: Where bundles go (in the home folder) unless the person chooses another folder.
DEFAULT_OUTPUT = "recordpack-bundles"

#: The gate's reason when every record was left out.
NOTHING_TO_PACK = workflow.REFUSED_EMPTY

#: Public key files are a few lines; an upload larger than this is not one.
MAX_KEY_FILE = 64 * 1024

__all__ = [
    "UNSURE_KIND",
    "CancelToken",
    "Cancelled",
    "GateDecision",
    "PackResult",
    "Prepared",
    "Progress",
    "RecordpackError",
    "bundle_needs_passphrase",
    "check_folder",
    "default_open_folder",
    "gate",
    "manifests",
    "open_received",
    "pack_folder",
    "parse_recipient",
    "recipients_from_upload",
    "scan",
]


def _progress(progress: Progress) -> workflow.Progress:
    def report(phase: str, done: int, total: int, detail: str = "") -> None:
        progress(done, total)

    return report


def scan(
    folder: Path,
    kinds: dict[str, str],
    progress: Progress,
    cancel: CancelToken,
    contents: Mapping[str, str] | None = None,
) -> tuple[Prepared, list[str]]:
    """Scan ``folder`` with the person's kind corrections (and check whose records they
    are); returns the prepared folder and the corrections that no longer apply.

    With ``contents`` (path -> the file's content when the kind was given, see
    ``decisions.content_of``), a correction whose file has changed since, or that has
    no content saved, no longer applies: the folder is read again without it.
    """
    # The CLI's wrapper keeps pydicom's and pypdf's warnings off the terminal.
    from recordpack.model import KINDS
    from recordpack.quiet import quiet_libraries
    from recordpack.scan import parse_labels
    from recordpack.scan.paths import to_fs
    from recordpack.web.decisions import changed_since

    dropped: list[str] = []
    labels: list[str] = []
    for path, kind in sorted(kinds.items()):
        on_disk = folder / to_fs(path.split("!", 1)[0])
        if kind in KINDS and on_disk.is_file():
            labels.append(f"{literal_pattern(path)}={kind}")
        else:
            dropped.append(path)
    with quiet_libraries():
        report = _progress(progress)
        try:
            prepared = workflow.prepare(
                folder, corrections=parse_labels(labels), progress=report, cancel=cancel
            )
        except UsageError:
            if not labels:
                raise
            # A saved correction names a file that is no longer a record: start afresh.
            dropped += [label.rsplit("=", 1)[0] for label in labels]
            prepared = workflow.prepare(folder, progress=report, cancel=cancel)
        else:
            changed = (
                changed_since(prepared.scan, kinds, contents) if contents is not None else []
            )
            if changed:
                # A kind given to another file under this name: read again without it.
                dropped += changed
                kept = [f"{literal_pattern(p)}={k}" for p, k in sorted(kinds.items())
                        if p not in dropped]
                prepared = workflow.prepare(
                    folder, corrections=parse_labels(kept), progress=report, cancel=cancel
                )
    if not folder.is_dir():
        raise FolderVanished(folder)
    return prepared, dropped


class FolderVanished(InputError):
    """The records folder was moved or deleted while it was being read."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"the folder “{folder.name}” disappeared while recordpack was reading it, "
            "so nothing found in it is shown",
            hint="If you moved or renamed it, choose it again where it is now.",
        )


def vanished(prepared: Prepared) -> list[str]:
    """Files the scan could not read because they were gone (moved or deleted meanwhile)."""
    import os

    from recordpack.model import UNREADABLE
    from recordpack.scan.paths import to_fs

    def gone(path: str) -> bool:
        # "a.zip!b.xml" is a member of a.zip; a name may hold "!" too: both must be gone.
        return not any(
            os.path.lexists(os.path.join(prepared.folder, to_fs(candidate)))
            for candidate in {path, path.split("!", 1)[0]}
        )

    return [p.path for p in prepared.scan.problems if p.code == UNREADABLE and gone(p.path)]


def manifests() -> list[Manifest]:
    """The built-in checklists, general first."""
    from recordpack.manifest import list_manifests

    return list_manifests()


def _exclusion(folder: Path, path: str) -> str:
    """How the workflow is told to leave out exactly one scanned path."""
    from recordpack.scan.paths import to_fs

    if "!" not in path and not any(c in path for c in "*?[") and (folder / to_fs(path)).exists():
        return str(folder / to_fs(path))  # absolute: never read against the current folder
    return literal_pattern(path)


def check_folder(
    prepared: Prepared, manifest_name: str | None, left_out: Sequence[str]
) -> Prepared:
    """The folder checked again (no new scan) against a checklist, without what was left out.

    Paths left out that the scan no longer has are ignored.
    """
    from recordpack.manifest import load_manifest

    scanned = prepared.scan
    known = {p for r in scanned.records for p in r.files} | {p.path for p in scanned.problems}
    # The page offers records only: leaving one out leaves out its copies, which the
    # person cannot name here (see records.html).
    chosen = set(left_out)
    copies = [p.path for p in scanned.problems if p.duplicate_of in chosen]
    wanted = [_exclusion(prepared.folder, p) for p in (*left_out, *copies) if p in known]
    manifest = load_manifest(manifest_name) if manifest_name else None
    return workflow.recheck(prepared, manifest, exclusions=wanted)


def gate(prepared: Prepared, every_stranger_claimed: bool, accept_incomplete: bool) -> GateDecision:
    """Whether the bundle may be made now, and what the person must decide first.

    ``every_stranger_claimed`` only when the person said each doubted record is
    theirs, one by one (:mod:`recordpack.web.decisions`): never one click for all.
    """
    return workflow.gate(
        prepared, accept_incomplete=accept_incomplete, accept_other_patient=every_stranger_claimed
    )


def parse_recipient(text: str) -> Recipient:
    """The specialist's public key from a pasted line; a usage error says what is wrong."""
    return workflow.choose_encryption(keys=[text]).keys[0]


def recipients_from_upload(data: bytes) -> list[Recipient]:
    """Public keys from an uploaded key file (one ``age1...`` a line)."""
    if len(data) > MAX_KEY_FILE:
        raise UsageError("this file is too large to be a key file")
    with tempfile.TemporaryDirectory(prefix="recordpack-key-") as folder:
        path = Path(folder) / "key.txt"
        path.write_bytes(data)
        try:
            return list(workflow.choose_encryption(key_files=[path]).keys)
        except RecordpackError as error:
            # The library names the temporary file; the person knows it as "the key file".
            raise UsageError(
                error.message.replace(str(path), "the key file"), hint=error.hint
            ) from None


def passphrase_recipients(passphrase: str) -> list[Recipient]:
    return workflow.recipients(workflow.choose_encryption(passphrase=passphrase))


def generate_passphrase() -> str:
    from recordpack.passphrase import generate_passphrase as generate

    return generate()


def pack_folder(
    prepared: Prepared,
    decision: GateDecision,
    out: Path,
    recipients: Sequence[Recipient],
    progress: Progress,
    cancel: CancelToken,
) -> PackResult:
    """Encrypt the records (minus what was left out) into ``out``; nothing is left on failure."""
    return workflow.pack_prepared(
        prepared, out, recipients, decision=decision, progress=_progress(progress), cancel=cancel,
        audit=audit_log(),
    )  # fmt: skip


def bundle_needs_passphrase(bundle: Path) -> bool:
    """True when the bundle was locked with a passphrase rather than a key."""
    return workflow.is_passphrase_bundle(bundle)


def default_open_folder(bundle: Path) -> Path:
    """Where to open a bundle: the workflow's place beside it, never over an existing folder."""
    first = workflow.default_destination(bundle)
    candidate = first
    number = 2
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        candidate = first.with_name(f"{first.name}-{number}")
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
    keys = workflow.identities(
        bundle, key_files=[key_file] if key_file else [], passphrase=passphrase or None
    )
    return workflow.open_bundle(
        bundle, keys, dest, progress=_progress(progress), cancel=cancel, audit=audit_log()
    )


def audit_log() -> AuditLog | None:
    """The audit log the CLI uses by default (``$RECORDPACK_AUDIT_LOG``, else the data
    folder); None when it cannot be used, so the page never fails over its log."""
    from recordpack.audit import AuditLog, AuditLogError, log_location

    try:
        return AuditLog(log_location()[0])
    except AuditLogError:
        return None


def human_size(size: int) -> str:
    from recordpack.bundle.format import human_size as size_words

    return size_words(size)


def open_source_file(folder: Path, path: str) -> int:
    """A read-only descriptor of a record's file in the source folder (no symlinks, no atime)."""
    import os

    from recordpack.scan.paths import to_fs
    from recordpack.scan.walk import open_fd

    return open_fd(os.path.join(folder, to_fs(path)))


@dataclass(frozen=True)
class FolderPatient:
    """Who the records are about, and the records that seem to be someone else's."""

    name: str | None
    birth_date: str | None
    others: dict[str, str]  # first file of a record -> why it may be someone else's


def folder_patient(prepared: Prepared) -> FolderPatient:
    """The folder's patient by the check's consensus, and the identity findings by file."""
    report = prepared.report
    others = {
        f.paths[0]: f.message
        for f in report.findings
        if f.paths and f.blocking and workflow.is_identity_finding(f)
    }
    return FolderPatient(report.patient_name, report.patient_birth_date, others)


def problem_title(code: str, path: str = "") -> str:
    """A problem code in plain words ("password-protected", "unsafe name inside a tar")."""
    from recordpack.scan.report import problem_title as title

    return title(code, path)


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


def bundle_path(out_dir: Path, prepared: Prepared) -> Path:
    """A new bundle name in ``out_dir``: the patient's name and today's date, never an old file."""
    name = prepared.report.patient_name or ""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    who = "-".join(words)[:40].strip("-")
    stem = "-".join(["records", *([who] if who else []), dt.date.today().isoformat()])
    candidate = out_dir / f"{stem}.rpk"
    number = 2
    while candidate.exists():
        candidate = out_dir / f"{stem}-{number}.rpk"
        number += 1
    return candidate


#: The folder (in the home folder) that holds one folder of letters per patient.
DEFAULT_LETTERS = "recordpack-letters"


def _slug(text: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return "-".join(words)[:40].strip("-")


def letters_folder(prepared: Prepared) -> Path:
    """This records folder's own letters folder: ~/recordpack-letters/<patient or folder>,
    numbered when that name already holds another records folder's letters (or other files)."""
    from recordpack.request.tracking import Tracker

    base = Path.home() / DEFAULT_LETTERS
    stem = _slug(prepared.report.patient_name or "") or _slug(prepared.folder.name) or "records"
    here = str(prepared.folder.resolve())
    owners: dict[Path, set[str]] = {}
    for request in Tracker().load():
        owners.setdefault(Path(request.letter).parent, set()).add(request.folder)
    number = 1
    while True:
        candidate = base / (stem if number == 1 else f"{stem}-{number}")
        mine = owners.get(candidate.resolve(), set()) | owners.get(candidate, set())
        if mine == {here} or (not mine and not (candidate.exists() and any(candidate.iterdir()))):
            return candidate
        number += 1


def write_letters(prepared: Prepared) -> RequestsResult:
    """Letters asking each hospital or lab for what the check found missing (PDF + text copy).

    Written to this folder's own letters folder (:func:`letters_folder`, never inside
    the records folder, never over another patient's letters) and tracked as
    ``recordpack request`` tracks them.
    """
    from recordpack.request import get_jurisdiction, write_requests
    from recordpack.request.jurisdiction import DEFAULT

    return write_requests(
        prepared.folder,
        prepared.scan,
        prepared.report,
        letters_folder(prepared),
        jurisdiction=get_jurisdiction(DEFAULT),
    )


def is_slides_letter(letter: Letter) -> bool:
    """True for a letter releasing pathology slides and blocks (not asking for records)."""
    from recordpack.request.letters import SLIDES_LETTER

    return letter.kind == SLIDES_LETTER
