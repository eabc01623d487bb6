"""A receipt for a pack: what was sent, to whom, when, and by whom.

A receipt holds no record content and no secret: the bundle's name, size and
SHA-256, the recipients' public keys (or only that a passphrase was used), the
check's verdict and which acceptances the sender used, the number of records,
the SHA-256 of each source file as packed, recordpack's version, the time, the
operator, and the audit log's head hash after the pack was logged (so a log cut
short later is caught by comparing with the receipt), with the hash of that log's
first event (so a receipt checked against another log is told apart from a cut).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from recordpack import __version__
from recordpack.atomic import (
    REGULAR_FILE,
    existing_kind,
    replaceable,
    same_place,
    within,
    write_atomic,
)
from recordpack.audit import current_operator
from recordpack.bundle.pack import DestinationExistsError, PackSummary
from recordpack.errors import RecordpackError, UsageError

if TYPE_CHECKING:
    from recordpack.audit import AuditLog
    from recordpack.workflow import PackResult, Prepared


@dataclass(frozen=True)
class Receipt:
    """The record of one pack, safe to keep and to show (no content, no secret)."""

    bundle: str
    size: int
    sha256: str
    recipients: tuple[str, ...]
    passphrase: bool
    records: int
    source_files: tuple[tuple[str, str], ...]
    check: Mapping[str, object] | None
    accepted: tuple[str, ...] = ()
    patient: str | None = None
    audit_head: str | None = None
    #: The hash of the first event of the log the pack was logged in: which log it is.
    audit_origin: str | None = None
    operator: str = field(default_factory=current_operator)
    time: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    )
    version: str = __version__

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "receipt": True,
            "bundle": self.bundle,
            "size": self.size,
            "sha256": self.sha256,
            "encryption": {"recipients": list(self.recipients), "passphrase": self.passphrase},
            "patient": self.patient,
            "records": self.records,
            "check": self.check,
            "accepted": list(self.accepted),
            "source_files": [{"path": p, "sha256": h} for p, h in self.source_files],
            "recordpack_version": self.version,
            "time": self.time,
            "operator": self.operator,
            "audit_head": self.audit_head,
            "audit_origin": self.audit_origin,
        }


def check_verdict(check: Mapping[str, object] | None) -> dict[str, object] | None:
    """The parts of a check document a receipt keeps: verdict and each requirement's status."""
    if check is None:
        return None
    requirements = check.get("requirements")
    statuses = (
        {str(r.get("id")): str(r.get("status")) for r in requirements if isinstance(r, dict)}
        if isinstance(requirements, list)
        else {}
    )
    findings = check.get("findings")
    codes = (
        sorted({str(f.get("code")) for f in findings if isinstance(f, dict)})
        if isinstance(findings, list)
        else []
    )
    return {
        "manifest": check.get("manifest"),
        "ok": check.get("ok"),
        "requirements": statuses,
        "findings": codes,
    }


def make_receipt(
    summary: PackSummary,
    *,
    check: Mapping[str, object] | None,
    accepted: tuple[str, ...] = (),
    audit_head: str | None = None,
    audit: AuditLog | None = None,
) -> Receipt:
    """The receipt of a finished pack (``audit``: the log its ``audit_head`` is from)."""
    name = summary.patient.get("name") if summary.patient else None
    return Receipt(
        bundle=summary.path.name,
        size=summary.size,
        sha256=summary.sha256,
        recipients=summary.recipients,
        passphrase=summary.passphrase,
        records=summary.record_count,
        source_files=summary.packed_files,
        check=check_verdict(check),
        accepted=accepted,
        patient=name,
        audit_head=audit_head,
        audit_origin=_origin(audit) if audit_head is not None else None,
    )


def _origin(audit: AuditLog | None) -> str | None:
    """The log's first event hash; None when there is no log or it cannot be read now
    (the bundle is written: a receipt without it is still a receipt)."""
    from recordpack.audit import AuditLogError

    if audit is None:
        return None
    try:
        return audit.origin()
    except AuditLogError:
        return None


def receipt_for(prepared: Prepared, result: PackResult, audit: AuditLog | None = None) -> Receipt:
    """The receipt of a pack made through the workflow (check and acceptances included);
    ``audit`` is the log the pack was logged in."""
    decision = result.gate
    accepted = tuple(
        option
        for option, used in (
            ("accept_incomplete", decision is not None and decision.accepted_incomplete),
            ("accept_other_patient", decision is not None and decision.accepted_other_patient),
        )
        if used
    )
    return make_receipt(
        result.summary,
        check=prepared.report.to_json(),
        accepted=accepted,
        audit_head=result.audit_head,
        audit=audit,
    )


class ReceiptError(RecordpackError):
    """The receipt could not be written (the bundle, if any, is not affected)."""

    code = "receipt_not_written"

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"could not write the receipt {path}: {reason}",
            hint="Choose a writable place for the receipt.",
        )
        self.path = path
        self.reason = reason


def check_receipt_destination(
    path: Path,
    *,
    source: Path,
    bundle: Path | None = None,
    audit_log: Path | None = None,
    force: bool = False,
) -> None:
    """Refuse, before anything is packed, a receipt that could not or must not be written.

    Raises ``UsageError`` for a receipt inside the ``source`` folder (by any name),
    one that is the ``bundle`` or the ``audit_log``, anything there that is not a
    regular file, a folder that does not exist or cannot be written, and
    ``DestinationExistsError`` for an existing file unless ``force``.
    """
    path = Path(path)
    if within(path, source):
        raise UsageError(
            f"the receipt {path} is inside the folder being packed ({source}); "
            "recordpack never writes there",
            hint="Write the receipt somewhere else, e.g. beside the bundle.",
        )
    for other, what in ((bundle, "the bundle"), (audit_log, "the audit log")):
        if other is not None and same_place(path, other):
            raise UsageError(
                f"the receipt {path} would replace {what}",
                hint="Give the receipt its own name, e.g. records.receipt.json.",
            )
    if replaceable(path) and not force:
        raise DestinationExistsError(path)
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(
            f"the receipt's folder {folder} does not exist",
            hint="Create it first, or choose another place for the receipt.",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"the receipt cannot be written in {folder} (no permission, or a read-only disk)",
            hint="Choose a writable place for the receipt.",
        )


def write_receipt(receipt: Receipt, path: Path) -> Path:
    """Write the receipt as JSON, atomically (a temporary file, then a rename).

    Raises ``ReceiptError`` when it cannot be written, or when something other
    than a regular file has appeared under its name.
    """
    path = Path(path)
    text = json.dumps(receipt.to_json(), indent=2, ensure_ascii=False) + "\n"
    kind = existing_kind(path)
    if kind not in (None, REGULAR_FILE):  # appeared since the check before packing
        raise ReceiptError(path, f"it is {kind}, which recordpack never replaces")
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as error:
        raise ReceiptError(path, str(error.strerror or error)) from error
    return path
