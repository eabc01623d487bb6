"""The workflow every front door calls: prepare -> gate -> encryption -> pack; open, verify, inspect.

The CLI, the web app and a batch runner all do the same steps in the same
order, so they live here, once:

1. :func:`prepare` scans a folder (with the user's corrections), applies the
   user's exclusions and checks what is left: against a manifest when one is
   given, and always for the patient's identity.
2. :func:`gate` decides, as data, what stops the records being packed and
   which of those stops the user accepted.
3. :func:`choose_encryption` validates who may open the bundle (public keys or
   one passphrase) before any long work; :func:`recipients` turns the choice
   into age recipients once the gate has passed (so a passphrase is made or
   asked for only when something will be packed).
4. :func:`pack_prepared` writes the bundle and says what went in and what did not.

Progress is reported through one :class:`Progress` callback ``(phase, done,
total, detail)``; a :class:`CancelToken` stops any step at its next progress
point (a signal reaches only the main thread; a web server's worker needs a
token). Nothing here reads the environment, prompts, prints or names a
command-line option: front doors do that, and word the codes returned here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, Protocol

from recordpack.errors import RecordpackError, UsageError

if TYPE_CHECKING:
    from recordpack.age.base import Identity, Recipient
    from recordpack.audit import AuditLog
    from recordpack.bundle.index_model import BundleIndex
    from recordpack.bundle.pack import PackSummary
    from recordpack.bundle.reader import OpenResult, VerifyResult
    from recordpack.checking import CheckReport, Finding
    from recordpack.manifest import Manifest
    from recordpack.model import ScanResult
    from recordpack.scan.corrections import Corrections

# ----------------------------------------------------------------------------- progress, cancel

#: Phases a :class:`Progress` callback hears about.
PHASE_SCAN: Final = "scan"  # files read of files found
PHASE_CHECK: Final = "check"  # 0 of 1, then 1 of 1
PHASE_PACK: Final = "pack"  # bytes written of bytes to write; detail: the file being packed
PHASE_OPEN: Final = "open"  # bytes of the decrypted ZIP read
PHASE_VERIFY: Final = "verify"  # bytes of the decrypted ZIP read


class Progress(Protocol):
    """Told how far a step has come: ``(phase, done, total, detail)``."""

    def __call__(self, phase: str, done: int, total: int, detail: str = "") -> None: ...


class Cancelled(RecordpackError):
    """The user cancelled; nothing was left half-written."""

    exit_code = 130
    code = "cancelled"


class Flag(Protocol):
    """What a cancel token keeps its state in: ``threading.Event``, ``multiprocessing.Event``."""

    def set(self) -> None: ...

    def is_set(self) -> bool: ...


class CancelToken:
    """A flag a front door sets (Ctrl-C, a Cancel button) and the workflow checks.

    ``flag`` lets several processes share one token (a ``multiprocessing.Event``);
    by default it is a ``threading.Event``.
    """

    def __init__(self, flag: Flag | None = None) -> None:
        self._event: Flag = flag if flag is not None else threading.Event()

    def cancel(self) -> None:
        """Ask the running step to stop at its next progress point."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` when :meth:`cancel` was called."""
        if self._event.is_set():
            raise Cancelled("interrupted; nothing was left half-written")


def _reporter(
    phase: str, progress: Progress | None, cancel: CancelToken | None
) -> Callable[[int, int, str], None]:
    """A ``(done, total, detail)`` callback for one phase that also honours the token."""

    def report(done: int, total: int, detail: str = "") -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        if progress is not None:
            progress(phase, done, total, detail)

    return report


# ----------------------------------------------------------------------------- prepare

#: The manifest used when none is given: no requirements, so the check is
#: about who the records belong to (and which files cannot be opened).
IDENTITY_MANIFEST_NAME: Final = "identity"


def identity_manifest() -> Manifest:
    """A manifest with no requirements: checking against it checks identity only."""
    from recordpack.manifest import Manifest

    return Manifest(
        name=IDENTITY_MANIFEST_NAME,
        title="Patient identity only",
        description="No list of required records: only whose records these are.",
        requirements=(),
    )


@dataclass(frozen=True)
class Prepared:
    """A scanned and checked folder, ready for :func:`gate` and :func:`pack_prepared`."""

    folder: Path
    #: Everything in the folder, exclusions included (pack lists what it left out).
    scan: ScanResult
    #: The check of what will be packed (exclusions removed): against the manifest
    #: when one was given, otherwise against :func:`identity_manifest`.
    report: CheckReport
    #: The manifest the user asked for; None when only identity was checked.
    manifest: Manifest | None
    #: Exclusion patterns, relative to the folder, each matching something.
    exclusions: tuple[str, ...] = ()
    #: Records left once the exclusions are taken out.
    record_count: int = 0


class ExclusionError(UsageError):
    """An exclusion matches nothing in the folder, or points outside it."""

    code = "exclusion_matches_nothing"

    def __init__(self, message: str, *, pattern: str, folder: Path, code: str) -> None:
        super().__init__(message)
        self.pattern = pattern
        self.folder = folder
        self.code = code


def prepare(
    folder: str | Path,
    manifest: Manifest | None = None,
    *,
    corrections: Corrections | None = None,
    exclusions: Sequence[str] = (),
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Prepared:
    """Scan ``folder``, take out ``exclusions`` and check the rest; returns a :class:`Prepared`.

    Raises what :func:`recordpack.scan.scan_folder` raises, :class:`ExclusionError`
    for an exclusion that matches nothing, :class:`Cancelled` when cancelled.
    """
    from recordpack.scan import scan_folder

    given, folder = folder, Path(folder)
    if cancel is not None:
        cancel.raise_if_cancelled()
    scan_report = _reporter(PHASE_SCAN, progress, cancel)
    scan = scan_folder(
        given,  # the report's root is the folder as given, not Path's normal form
        corrections=corrections or None,
        progress=lambda done, total: scan_report(done, total, ""),
        cancel=cancel,
    )
    return _checked(folder, scan, manifest, exclusions, as_of, progress, cancel)


def recheck(
    prepared: Prepared,
    manifest: Manifest | None = None,
    *,
    exclusions: Sequence[str] = (),
    as_of: dt.date | None = None,
) -> Prepared:
    """The same scan checked again, against ``manifest`` and without ``exclusions``.

    No file is read again: a front door that lets the user change the checklist
    or leave a file out calls this instead of :func:`prepare`. Raises
    :class:`ExclusionError` for an exclusion that matches nothing.
    """
    return _checked(prepared.folder, prepared.scan, manifest, exclusions, as_of, None, None)


def _checked(
    folder: Path,
    scan: ScanResult,
    manifest: Manifest | None,
    exclusions: Sequence[str],
    as_of: dt.date | None,
    progress: Progress | None,
    cancel: CancelToken | None,
) -> Prepared:
    """Take the exclusions out of a scan and check what is left."""
    from recordpack.checking import check

    patterns = tuple(resolve_exclusions(folder, exclusions, scan))
    kept = without_excluded(scan, patterns)
    check_report = _reporter(PHASE_CHECK, progress, cancel)
    check_report(0, 1, "")
    report = check(kept, manifest or identity_manifest(), as_of=as_of)
    check_report(1, 1, "")
    return Prepared(
        folder=folder,
        scan=scan,
        report=report,
        manifest=manifest,
        exclusions=patterns,
        record_count=len(kept.records),
    )


def resolve_exclusions(folder: Path, exclusions: Sequence[str], scan: ScanResult) -> list[str]:
    """Exclusions as patterns relative to ``folder``; each must match something (typos are errors).

    An exclusion is a path (relative to the current folder, or absolute) inside
    ``folder``, or a path or pattern relative to ``folder`` as scan shows it.
    """
    from recordpack.bundle.layout import is_excluded
    from recordpack.scan.paths import (
        exact_pattern,
        literal_pattern,
        normalise_typed,
        to_path_form,
    )

    patterns: list[str] = []
    known = [p for r in scan.records for p in r.files] + [p.path for p in scan.problems]
    root = folder.resolve()
    for raw in exclusions:
        pattern = raw
        candidate = Path(raw)
        if candidate.exists():  # a path typed relative to the current folder, or absolute
            try:
                pattern = literal_pattern(
                    to_path_form(candidate.resolve().relative_to(root).as_posix())
                )
            except ValueError:
                raise ExclusionError(
                    f"{raw} is not inside {folder}",
                    pattern=raw,
                    folder=folder,
                    code="exclusion_outside",
                ) from None
        # A path scan printed is that file only, even with "[" in its name (one rule
        # with --label and corrections files).
        pattern = exact_pattern(normalise_typed(pattern.strip()).strip("/"), known)
        if not any(is_excluded(path, [pattern]) for path in known):
            raise ExclusionError(
                f"{raw} matches no record in {folder}",
                pattern=raw,
                folder=folder,
                code="exclusion_matches_nothing",
            )
        patterns.append(pattern)
    return patterns


def without_excluded(scan: ScanResult, patterns: Sequence[str]) -> ScanResult:
    """The scan as pack will see it: records and problems the patterns leave out removed,
    a kept copy of a left-out file standing in for it (see :func:`with_stand_ins`)."""
    if not patterns:
        return scan
    from recordpack.bundle.layout import is_excluded

    scan = with_stand_ins(scan, patterns, keep_left_out=False)
    records = tuple(r for r in scan.records if not all(is_excluded(p, patterns) for p in r.files))
    problems = tuple(p for p in scan.problems if not is_excluded(p.path, patterns))
    return replace(scan, records=records, problems=problems)


def stand_ins(scan: ScanResult, patterns: Sequence[str]) -> dict[str, str]:
    """Each file the patterns leave out that has a kept copy: the copy that stands in for it.

    scan lists a copy only as a ``duplicate`` of the file it keeps; of the kept
    copies, the one scan would have preferred stands in.
    """
    from recordpack.bundle.layout import is_excluded
    from recordpack.model import ARCHIVE_SEP, DUPLICATE
    from recordpack.scan.walk import copy_marks

    copies: dict[str, list[str]] = {}
    for problem in scan.problems:
        original = problem.duplicate_of
        if (
            problem.code == DUPLICATE
            and original is not None
            and is_excluded(original, patterns)
            and not is_excluded(problem.path, patterns)
        ):
            copies.setdefault(original, []).append(problem.path)

    def rank(path: str) -> tuple[bool, int, int, str]:  # as scan prefers a copy
        inner = path.rsplit(ARCHIVE_SEP, 1)[-1]
        return (ARCHIVE_SEP in path, copy_marks(inner.rsplit("/", 1)[-1]), inner.count("/"), path)

    return {original: min(paths, key=rank) for original, paths in copies.items()}


def with_stand_ins(
    scan: ScanResult, patterns: Sequence[str], *, keep_left_out: bool = True
) -> ScanResult:
    """The scan where a kept copy of each file the patterns leave out stands in for it
    (:func:`stand_ins`).

    Otherwise the copy would be sent as a bare duplicate of a file not sent, and its
    record be missing from the check. The copy is the record instead, with the
    left-out file's problems; the other copies are duplicates of it.
    ``keep_left_out`` keeps the left-out path in its record's files (for pack, which
    lists it as left out), before its stand-in.
    """
    from recordpack.model import DUPLICATE
    from recordpack.scan.walk import duplicate_problem

    heir = stand_ins(scan, patterns)
    if not heir:
        return scan
    records = []
    for record in scan.records:
        if not heir.keys() & set(record.files):
            records.append(record)
            continue
        files: list[str] = []
        for path in record.files:
            if path not in heir or keep_left_out:
                files.append(path)
            if path in heir:
                files.append(heir[path])
        records.append(replace(record, files=tuple(files)))
    problems = []
    for problem in scan.problems:
        if problem.path in heir.values() and problem.code == DUPLICATE:
            continue  # the stand-in: sent as the file it copies
        original = problem.duplicate_of
        if problem.code == DUPLICATE and original in heir:
            problems.append(duplicate_problem(problem.path, heir[original]))
            continue
        problems.append(problem)
        if problem.path in heir and problem.code != DUPLICATE:
            problems.append(replace(problem, path=heir[problem.path]))
    problems.sort(key=lambda p: p.path)
    return replace(scan, records=tuple(records), problems=tuple(problems))


# ----------------------------------------------------------------------------- gate

#: Why the gate refuses: one code per reason; front doors word them.
REFUSED_OTHER_PATIENT: Final = "other_patient"
REFUSED_INCOMPLETE: Final = "incomplete"
REFUSED_EMPTY: Final = "empty"

def is_identity_finding(finding: Finding) -> bool:
    """True when the finding is about whose record it is, not about what is missing.

    Only the user's explicit acceptance of another patient's records lets such
    a finding through; accepting an incomplete folder never does.
    """
    from recordpack.findings import IDENTITY

    return finding.concern == IDENTITY


@dataclass(frozen=True)
class GateDecision:
    """What stops the records being packed, as data: the findings, and what the user accepted."""

    #: Blocking findings about identity (another person's record).
    other_patient: tuple[Finding, ...]
    #: Every other blocking finding (something required missing, outdated, unopenable).
    incomplete: tuple[Finding, ...]
    #: Why packing is refused (``REFUSED_*`` codes), empty when it may go ahead.
    refused: tuple[str, ...]
    accepted_other_patient: bool = False
    accepted_incomplete: bool = False

    @property
    def allowed(self) -> bool:
        return not self.refused

    @property
    def accepted(self) -> tuple[Finding, ...]:
        """Blocking findings the user chose to send anyway (the bundle's index keeps them)."""
        out: tuple[Finding, ...] = ()
        if self.accepted_other_patient:
            out += self.other_patient
        if self.accepted_incomplete:
            out += self.incomplete
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "refused": list(self.refused),
            "other_patient": [f.to_json() for f in self.other_patient],
            "incomplete": [f.to_json() for f in self.incomplete],
            "accepted_other_patient": self.accepted_other_patient,
            "accepted_incomplete": self.accepted_incomplete,
        }


def gate(
    prepared: Prepared, *, accept_incomplete: bool = False, accept_other_patient: bool = False
) -> GateDecision:
    """Decide whether the prepared records may be packed.

    Another patient's record blocks unless ``accept_other_patient``, whether or
    not a manifest was given; ``accept_incomplete`` lets through what is
    missing or outdated, never another person's record. A folder with no
    record left to pack is refused whatever was accepted.
    """
    blocking = prepared.report.blocking
    other = tuple(f for f in blocking if is_identity_finding(f))
    rest = tuple(f for f in blocking if not is_identity_finding(f))
    refused: list[str] = []
    if other and not accept_other_patient:
        refused.append(REFUSED_OTHER_PATIENT)
    if rest and not accept_incomplete:
        refused.append(REFUSED_INCOMPLETE)
    if prepared.record_count == 0:
        refused.append(REFUSED_EMPTY)
    return GateDecision(
        other_patient=other,
        incomplete=rest,
        refused=tuple(refused),
        accepted_other_patient=accept_other_patient and bool(other),
        accepted_incomplete=accept_incomplete and bool(rest),
    )


class GateRefused(RecordpackError):
    """Packing was refused by the gate; ``decision`` says why."""

    code = "gate_refused"

    def __init__(self, decision: GateDecision, prepared: Prepared) -> None:
        super().__init__("nothing was packed: " + ", ".join(decision.refused))
        self.decision = decision
        self.prepared = prepared


# ----------------------------------------------------------------------------- encryption


class EncryptionChoiceError(UsageError):
    """Who may open the bundle was given in a way that cannot work; ``code`` says how."""

    def __init__(self, message: str, *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


#: Codes of :class:`EncryptionChoiceError`.
NO_RECIPIENT: Final = "no_recipient"
PASSPHRASE_WITH_KEYS: Final = "passphrase_with_keys"
PASSPHRASE_TWICE: Final = "passphrase_given_twice"
BAD_RECIPIENT: Final = "bad_recipient"
EMPTY_PASSPHRASE: Final = "empty_passphrase"
#: Words an attacker of a recordpack bundle would try first.
PASSPHRASE_CONTEXT: Final = ("recordpack", "records", "medical", "bundle")


@dataclass(frozen=True)
class EncryptionChoice:
    """Who may open the bundle: public keys, a passphrase already known, or one still to ask."""

    keys: tuple[Recipient, ...] = ()
    passphrase: str | None = None
    #: True when the front door must make or ask for the passphrase (after the gate).
    ask_passphrase: bool = False


def choose_encryption(
    *,
    keys: Sequence[str] = (),
    key_files: Sequence[Path] = (),
    passphrase: str | None = None,
    passphrase_file: Path | None = None,
    ask_passphrase: bool = False,
) -> EncryptionChoice:
    """Validate who may open the bundle, before any long work.

    ``keys`` are public keys (``age1...``), ``key_files`` files of them;
    otherwise exactly one passphrase source: the text itself (a front door
    read it from wherever the user keeps it), a file whose first line it is, or
    ``ask_passphrase`` (the front door asks later). Raises
    :class:`EncryptionChoiceError` (a usage error) with a code when the
    combination cannot work.
    """
    from recordpack import age

    ways = sum([passphrase is not None, passphrase_file is not None, ask_passphrase])
    if ways and (keys or key_files):
        raise EncryptionChoiceError(
            "a passphrase cannot be combined with public keys (the age format allows a "
            "passphrase only on its own)",
            code=PASSPHRASE_WITH_KEYS,
            hint="Choose either the specialist's public key(s) or one passphrase.",
        )
    if ways > 1:
        raise EncryptionChoiceError("give the passphrase one way only", code=PASSPHRASE_TWICE)
    if not ways and not (keys or key_files):
        raise EncryptionChoiceError(
            "say who may open the bundle",
            code=NO_RECIPIENT,
            hint="Give the specialist's public key (age1...) or choose a passphrase.",
        )
    if keys or key_files:
        recipients: list[Recipient] = []
        try:
            recipients += [age.parse_recipient(text) for text in keys]
            for path in key_files:
                recipients += age.load_recipients(path)
        except age.AgeError as error:
            raise EncryptionChoiceError(
                error.message, code=BAD_RECIPIENT, hint=error.hint
            ) from error
        return EncryptionChoice(keys=tuple(recipients))
    if passphrase_file is not None:
        from recordpack.passphrase import read_passphrase_file

        passphrase = read_passphrase_file(passphrase_file)
    if passphrase is not None and not passphrase:
        raise EncryptionChoiceError("the passphrase is empty", code=EMPTY_PASSPHRASE)
    if passphrase is not None:
        from recordpack.passphrase import require_strong

        require_strong(passphrase, PASSPHRASE_CONTEXT)  # a person chose it: judge it first
    return EncryptionChoice(passphrase=passphrase, ask_passphrase=ask_passphrase)


def recipients(choice: EncryptionChoice, passphrase: str | None = None) -> list[Recipient]:
    """The age recipients for a choice; ``passphrase`` is the one asked for when it had to be."""
    from recordpack import age

    if choice.keys:
        return list(choice.keys)
    secret = passphrase if choice.ask_passphrase else choice.passphrase
    if not secret:
        raise EncryptionChoiceError("no passphrase was given", code=EMPTY_PASSPHRASE)
    return [age.ScryptRecipient(secret)]


# ----------------------------------------------------------------------------- pack

#: Why something in the folder is not in the bundle (codes of :class:`Omission`).
OMITTED_SKIPPED: Final = "skipped"  # not a record (clutter, viewer software, a link)
OMITTED_UNREADABLE: Final = "unreadable"  # a folder or file that could not be read
OMITTED_EXCLUDED: Final = "excluded"  # the user left it out


@dataclass(frozen=True)
class Omission:
    """Something in the folder that is not in the bundle, and why."""

    path: str
    code: str
    #: The scan's own words for it (a skip reason or a problem message).
    reason: str
    #: For a file left out as asked: the exclusion that matched it, as the user names it.
    exclusion: str | None = None

    def to_json(self) -> dict[str, str]:
        doc = {"path": self.path, "code": self.code, "reason": self.reason}
        if self.exclusion is not None:
            doc["exclusion"] = self.exclusion
        return doc


@dataclass(frozen=True)
class PackResult:
    """A written bundle: what went in (``summary``), what did not, and the bundle's digest."""

    summary: PackSummary
    sha256: str
    omitted: tuple[Omission, ...] = ()
    gate: GateDecision | None = None
    #: The audit log's head hash after this pack was logged (None when not logged).
    audit_head: str | None = None

    @property
    def path(self) -> Path:
        return self.summary.path

    def to_json(self) -> dict[str, object]:
        """The ``pack --json`` document: the summary's keys plus ``packed``, ``sha256``, ``omitted``."""
        doc: dict[str, object] = dict(self.summary.to_json())
        doc["packed"] = True
        doc["sha256"] = self.sha256
        doc["omitted"] = [o.to_json() for o in self.omitted]
        if self.gate is not None:
            doc["accepted"] = [f.to_json() for f in self.gate.accepted]
        return doc


def omissions(prepared: Prepared, summary: PackSummary) -> tuple[Omission, ...]:
    """What the folder holds that the bundle does not: skipped, unreadable and excluded paths."""
    from recordpack.bundle.layout import is_excluded

    packed_problems = set(summary.problem_files)
    out: list[Omission] = [
        # As pack worded them: an --exclude can leave an archive out, and what is in it.
        Omission(s.path, OMITTED_SKIPPED, s.reason) for s in summary.skipped
    ]
    for problem in prepared.scan.problems:
        if problem.path in packed_problems or problem.path in prepared.scan.files:
            continue  # the file itself went in (marked), or is a duplicate packed once
        if is_excluded(problem.path, prepared.exclusions):
            continue
        out.append(Omission(problem.path, OMITTED_UNREADABLE, problem.message))
    if prepared.exclusions:
        from recordpack.scan.paths import literal_path

        for record in prepared.scan.records:
            for path in record.files:
                matched = next((p for p in prepared.exclusions if is_excluded(path, [p])), None)
                if matched is not None:
                    # Said as typed: a literal "lab[[]1].txt" is the path "lab[1].txt".
                    said = literal_path(matched) or matched
                    out.append(Omission(path, OMITTED_EXCLUDED, "left out as asked", said))
    return tuple(out)


def pack_prepared(
    prepared: Prepared,
    out: Path,
    recipients: Sequence[Recipient],
    *,
    decision: GateDecision | None = None,
    force: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    now: dt.datetime | None = None,
    audit: AuditLog | None = None,
) -> PackResult:
    """Pack the prepared records into an encrypted bundle at ``out``.

    The gate is decided here when ``decision`` is not given (nothing accepted);
    a refused gate raises :class:`GateRefused` before anything is written (and
    is logged to ``audit`` as a refused pack, like a written bundle is).
    Raises what :func:`recordpack.bundle.pack.pack` raises, and
    :class:`Cancelled`; nothing is left under ``out`` on failure.
    """
    from recordpack.bundle.pack import pack

    decision = decision if decision is not None else gate(prepared)
    if not decision.allowed:
        log_refused(audit, prepared, decision)
        raise GateRefused(decision, prepared)
    # The bundle keeps the manifest check; without a manifest it keeps the identity
    # check only when the user accepted another patient's records (the specialist must know).
    report = prepared.report if prepared.manifest is not None or decision.accepted else None
    report_progress = _reporter(PHASE_PACK, progress, cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    summary = pack(
        with_stand_ins(prepared.scan, prepared.exclusions) if prepared.exclusions else prepared.scan,
        out,
        recipients=recipients,
        check_report=report,
        exclude=prepared.exclusions,
        progress=report_progress,
        force=force,
        now=now,
    )
    head = _log_pack(audit, summary, str(summary.path), "packed")
    return PackResult(
        summary=summary,
        sha256=summary.sha256,  # hashed as it was written, not read again
        omitted=omissions(prepared, summary),
        gate=decision,
        audit_head=head,
    )


#: What the audit log names as a bundle's place when it went to a stream (``pack -o -``).
STREAM_SUBJECT: Final = "(standard output)"
#: The outcome logged when the stream's reader stopped before the bundle's end.
NOT_DELIVERED: Final = "not delivered: the reader stopped before the end"


def _log_pack(
    audit: AuditLog | None, summary: PackSummary, subject: str, outcome: str
) -> str | None:
    """Log a written bundle (``subject``: where it went); the log's new head, if logged."""
    if audit is None:
        return None
    from recordpack.audit import bundle_event

    return audit.append(
        bundle_event(
            "pack",
            subject,
            outcome,
            patient=summary.patient.get("name"),
            sha256=summary.sha256,
            recipients=summary.recipients,
            passphrase=summary.passphrase,
            counts={"records": summary.record_count, "files": summary.files},
        )
    )


def log_scan(audit: AuditLog | None, folder: str | Path, scan: ScanResult) -> str | None:
    """Log a scan of a folder (what it found, in counts, and whose records they seem to be)."""
    if audit is None:
        return None
    from recordpack.audit import folder_event

    patients = {r.patient.name for r in scan.records if r.patient.name}
    counts = {"records": len(scan.records), "problems": len(scan.problems), "people": len(patients)}
    name = next(iter(patients)) if len(patients) == 1 else None
    return audit.append(folder_event("scan", str(folder), "scanned", name, counts))


def log_prepared(audit: AuditLog | None, action: str, prepared: Prepared) -> str | None:
    """Log a scan or a check of a prepared folder; returns the log's new head."""
    if audit is None:
        return None
    from recordpack.audit import folder_event

    outcome = "ready" if prepared.report.ok else "not ready"
    counts = {"records": len(prepared.scan.records), "problems": len(prepared.scan.problems)}
    return audit.append(
        folder_event(action, str(prepared.folder), outcome, prepared.report.patient_name, counts)
    )


def log_refused(audit: AuditLog | None, prepared: Prepared, decision: GateDecision) -> str | None:
    """Log a pack the gate refused (what refused it, as codes)."""
    if audit is None:
        return None
    from recordpack.audit import folder_event

    return audit.append(
        folder_event(
            "pack",
            str(prepared.folder),
            "refused: " + ", ".join(decision.refused),
            prepared.report.patient_name,
            {"records": prepared.record_count},
        )
    )


def pack_to_stream(
    prepared: Prepared,
    stream: IO[bytes],
    recipients: Sequence[Recipient],
    *,
    decision: GateDecision | None = None,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    scratch: Path | None = None,
    audit: AuditLog | None = None,
) -> PackResult:
    """Pack into a temporary file, then copy the finished bundle to ``stream`` (e.g. stdout).

    Nothing reaches ``stream`` until the bundle is complete, so a failed pack
    never leaves half a bundle in a pipe. ``scratch`` is the folder for the
    temporary file (default: the system's).
    """
    import shutil
    import tempfile

    decision = decision if decision is not None else gate(prepared)
    if not decision.allowed:
        log_refused(audit, prepared, decision)
        raise GateRefused(decision, prepared)
    with tempfile.TemporaryDirectory(prefix="recordpack-", dir=scratch) as tmp:
        name = prepared.folder.resolve().name or "records"
        # Logged once the reader has the whole bundle, not when the temporary file is done.
        result = pack_prepared(
            prepared,
            Path(tmp) / f"{name}.rpk",
            recipients,
            decision=decision,
            progress=progress,
            cancel=cancel,
        )
        try:
            with open(result.path, "rb") as bundle:
                shutil.copyfileobj(bundle, stream, 1024 * 1024)
            stream.flush()
            head = _log_pack(audit, result.summary, STREAM_SUBJECT, "packed")
        except BrokenPipeError:
            from recordpack.errors import OutputClosedError

            _log_pack(audit, result.summary, STREAM_SUBJECT, NOT_DELIVERED)
            raise OutputClosedError(
                "the program reading the bundle stopped before the end: what it received "
                "is not a whole bundle",
                hint="Write the bundle to a file instead (-o records.rpk), or check the "
                "command after the '|'.",
            ) from None
    return replace(result, audit_head=head)


# ----------------------------------------------------------------------------- open, verify, inspect


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def is_passphrase_bundle(bundle: Path) -> bool:
    """True when the bundle's age header holds a passphrase (scrypt) stanza."""
    try:
        with open(bundle, "rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    header = head.split(b"\n---", 1)[0]
    return head.startswith(b"age-encryption.org/v1\n") and b"\n-> scrypt " in header


class NoKeyError(UsageError):
    """No key or passphrase was given to decrypt a bundle."""

    code = "no_key"

    def __init__(self, message: str, *, passphrase_bundle: bool) -> None:
        super().__init__(message)
        self.passphrase_bundle = passphrase_bundle


def identities(
    bundle: Path,
    *,
    key_files: Sequence[Path] = (),
    passphrase: str | None = None,
    passphrase_file: Path | None = None,
) -> list[Identity]:
    """The age identities to open ``bundle`` with: key files, then a passphrase.

    Raises :class:`NoKeyError` when neither is given.
    """
    from recordpack import age

    found: list[Identity] = []
    for path in key_files:
        try:
            found.extend(age.load_identities(path))
        except age.EncryptedKeyFileError:
            # Say whether it is the bundle itself, and what opens that bundle instead.
            raise age.EncryptedKeyFileError(
                Path(path),
                is_bundle=_same_file(path, bundle),
                passphrase_bundle=is_passphrase_bundle(bundle),
            ) from None
    if passphrase_file is not None:
        from recordpack.passphrase import read_passphrase_file

        passphrase = read_passphrase_file(passphrase_file)
    if passphrase is not None:
        found.append(age.ScryptIdentity(passphrase))
    if not found:
        raise NoKeyError(
            "no key or passphrase given to decrypt the bundle",
            passphrase_bundle=is_passphrase_bundle(bundle),
        )
    return found


def _byte_progress(
    phase: str, progress: Progress | None, cancel: CancelToken | None
) -> Callable[[int, int], None] | None:
    if progress is None and cancel is None:
        return None
    report = _reporter(phase, progress, cancel)
    return lambda done, total: report(done, total, "")


def default_destination(bundle: Path) -> Path:
    """Where a bundle opens by default: its name without ``.rpk``, beside it."""
    from recordpack.bundle import format as fmt

    if bundle.name.endswith(fmt.BUNDLE_SUFFIX):
        return bundle.parent / bundle.name[: -len(fmt.BUNDLE_SUFFIX)]
    return bundle.parent / (bundle.name + ".opened")


def open_bundle(
    bundle: Path,
    keys: Sequence[Identity],
    dest: Path | None = None,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    audit: AuditLog | None = None,
) -> OpenResult:
    """Verify every layer of ``bundle`` and extract it to ``dest`` (all or nothing).

    The outcome, success or refusal, is logged to ``audit``.
    """
    from recordpack.bundle import reader

    with _logged(audit, "open", bundle) as log, _FileDigest(bundle) as digest:
        result = reader.open_bundle(
            bundle,
            keys,
            dest if dest is not None else default_destination(bundle),
            progress=_byte_progress(PHASE_OPEN, progress, cancel),
        )
        result = replace(result, bundle_sha256=digest.hexdigest())
        log(_index_patient(result.index), {"files": result.files}, result.bundle_sha256)
    return result


def verify_bundle(
    bundle: Path,
    keys: Sequence[Identity],
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    audit: AuditLog | None = None,
) -> VerifyResult:
    """Check every layer of ``bundle``; write nothing. The outcome is logged to ``audit``."""
    from recordpack.bundle import reader

    with _logged(audit, "verify", bundle) as log, _FileDigest(bundle) as digest:
        result = reader.verify_bundle(
            bundle, keys, progress=_byte_progress(PHASE_VERIFY, progress, cancel)
        )
        result = replace(result, bundle_sha256=digest.hexdigest())
        log(_index_patient(result.index), {"files": result.files}, result.bundle_sha256)
    return result


class _FileDigest:
    """The SHA-256 of a file, computed on a background thread while the caller
    reads the same file (from the page cache: the bundle is decrypted on one core
    and hashed on the other). The thread stops early when the block fails."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stop = threading.Event()
        self._digest: str | None = None
        self._thread = threading.Thread(target=self._run, name="recordpack-bundle-sha256", daemon=True)

    def _run(self) -> None:
        digest = hashlib.sha256()
        buffer = bytearray(1024 * 1024)
        view = memoryview(buffer)
        try:
            with open(self._path, "rb", buffering=0) as handle:
                while not self._stop.is_set() and (count := handle.readinto(buffer)):
                    digest.update(view[:count])
        except OSError:
            return  # the reader itself reports an unreadable bundle
        if not self._stop.is_set():
            self._digest = digest.hexdigest()

    def __enter__(self) -> _FileDigest:
        self._thread.start()
        return self

    def hexdigest(self) -> str | None:
        """The file's SHA-256 (waits for the hash to finish), or None if it could not be read."""
        self._thread.join()
        return self._digest

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()


def _index_patient(index: object) -> str | None:
    """The patient's name as a bundle's index gives it (None when it gives none)."""
    patient = index.get("patient") if isinstance(index, dict) else getattr(index, "patient", None)
    name = patient.get("name") if isinstance(patient, dict) else getattr(patient, "name", None)
    return name if isinstance(name, str) else None


@contextlib.contextmanager
def _logged(
    audit: AuditLog | None, action: str, bundle: Path
) -> Iterator[Callable[[str | None, dict[str, int], str | None], None]]:
    """Log an open or verify: 'verified' with what the step reports, or why it failed."""
    from recordpack.audit import bundle_event

    def success(patient: str | None, counts: dict[str, int], sha256: str | None = None) -> None:
        if audit is not None:
            audit.append(
                bundle_event(
                    action, str(bundle), "verified", patient=patient, sha256=sha256, counts=counts
                )
            )

    try:
        yield success
    except RecordpackError as error:
        if audit is not None:
            code = getattr(error, "code", None) or type(error).__name__
            audit.append(bundle_event(action, str(bundle), f"refused: {code}"))
        raise


@dataclass(frozen=True)
class Inspection:
    """A bundle's schema-checked index, read without verifying the whole bundle."""

    bundle: Path
    index: BundleIndex
    verified: bool = False


def inspect_bundle(bundle: Path, keys: Sequence[Identity]) -> Inspection:
    """Read a bundle's index without extracting it (only the index's chunks are decrypted)."""
    from recordpack.bundle import reader

    return Inspection(bundle=bundle, index=reader.read_index(bundle, keys))


__all__ = [
    "CancelToken",
    "Cancelled",
    "EncryptionChoice",
    "EncryptionChoiceError",
    "ExclusionError",
    "Flag",
    "GateDecision",
    "GateRefused",
    "Inspection",
    "NoKeyError",
    "Omission",
    "PackResult",
    "Prepared",
    "Progress",
    "choose_encryption",
    "default_destination",
    "gate",
    "identities",
    "identity_manifest",
    "inspect_bundle",
    "is_passphrase_bundle",
    "log_prepared",
    "log_refused",
    "log_scan",
    "omissions",
    "open_bundle",
    "pack_prepared",
    "pack_to_stream",
    "prepare",
    "recheck",
    "recipients",
    "verify_bundle",
]
