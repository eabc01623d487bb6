"""What still stops the bundle, once the person's decisions are counted, record by record.

The workflow's gate knows one switch for "send another person's records"; the
page asks about each record instead. A record the person said is theirs settles
only the findings about its own files: another flagged record still blocks
until it is left out or claimed too. The checklist's heading, its next step
and the pack all read the same :class:`Standing`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from recordpack.checking import CheckReport, RequirementResult
from recordpack.findings import IDENTITY, Finding
from recordpack.model import ScanResult


@dataclass(frozen=True)
class FileKey:
    """One file as a reading of its folder saw it: the person's claim is about this file only."""

    folder: str
    path: str
    #: The file's SHA-256 from the scan (or, for a file read only in part, what the scan
    #: knows of it): another file under the same name in another folder never matches.
    content: str


def content_of(scan: ScanResult, path: str) -> str:
    """What this reading knows of the content of ``path`` (for a member of an archive,
    the archive's): its SHA-256, or for a file read only in part its first bytes' digest,
    size and time; "" when the reading has no such file."""
    info = scan.files.get(path) or scan.files.get(path.split("!", 1)[0])
    if info is None:
        return ""
    if info.sha256:
        return info.sha256
    return f"{info.head_sha256}:{info.size}:{info.mtime_ns}"


def changed_since(scan: ScanResult, paths: Iterable[str], contents: Mapping[str, str]) -> list[str]:
    """The ``paths`` this reading has whose content is not what ``contents`` saved when the
    person chose (or that have no content saved): a choice about them no longer applies."""
    return sorted(
        path for path in paths
        if (now := content_of(scan, path)) and contents.get(path) != now
    )


def file_key(folder: Path, scan: ScanResult, path: str) -> FileKey:
    """The identity of ``path`` in this reading of ``folder``."""
    return FileKey(str(folder), path, content_of(scan, path))


def claimed_paths(own: Iterable[FileKey], folder: Path, scan: ScanResult) -> set[str]:
    """The paths of this reading of ``folder`` that are the very files the person claimed."""
    return {key.path for key in own if key == file_key(folder, scan, key.path)}


@dataclass(frozen=True)
class Stranger:
    """A finding that some files may be another person's, and whether the person claimed them."""

    finding: Finding
    claimed: bool


@dataclass(frozen=True)
class Standing:
    """The check seen through the person's decisions."""

    #: Records that may be another person's, each with the person's answer.
    strangers: tuple[Stranger, ...]
    #: Required items not met, except those held back only for records now claimed.
    needs: tuple[RequirementResult, ...]
    #: Other blocking findings (a required file that cannot be opened).
    unopenable: tuple[Finding, ...]
    #: Every blocking finding no decision has settled yet.
    still_blocking: tuple[Finding, ...]
    #: Whether the person chose to send without what is missing.
    accepted_incomplete: bool

    @property
    def claimed(self) -> tuple[Stranger, ...]:
        return tuple(s for s in self.strangers if s.claimed)

    @property
    def settled_identity(self) -> bool:
        """True when no finding about whose records they are still waits for an answer."""
        return not any(f.concern == IDENTITY for f in self.still_blocking)


def is_claimed(finding: Finding, own: Collection[str]) -> bool:
    """True when every file of an identity finding is one the person said is theirs."""
    return bool(finding.paths) and all(path in own for path in finding.paths)


def standing(report: CheckReport, own: Collection[str], accepted_incomplete: bool) -> Standing:
    """What blocks ``report`` once the files in ``own`` are the person's and, when
    ``accepted_incomplete``, what is missing may be sent without."""

    def settled(finding: Finding) -> bool:
        if finding.concern == IDENTITY:
            return is_claimed(finding, own)
        return accepted_incomplete

    strangers = tuple(
        Stranger(f, is_claimed(f, own))
        for f in report.findings
        if f.blocks and f.concern == IDENTITY
    )
    needs = tuple(
        r
        for r in report.results
        if r.blocking and not (r.concern == IDENTITY and is_claimed(r.as_finding(), own))
    )
    return Standing(
        strangers=strangers,
        needs=needs,
        unopenable=tuple(f for f in report.findings if f.blocks and f.concern != IDENTITY),
        still_blocking=tuple(f for f in report.blocking if not settled(f)),
        accepted_incomplete=accepted_incomplete and any(
            f.concern != IDENTITY for f in report.blocking
        ),
    )
