"""The ``--json`` documents of pack, open, verify and inspect, built from the workflow's results.

scan and check documents come from the models' own ``to_json`` (the contract of
KINDS.md); this module adds the documents of the later steps, each with a
``"version"`` key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from recordpack.bundle.reader import OpenResult, VerifyResult
    from recordpack.errors import RecordpackError
    from recordpack.workflow import GateDecision, Inspection, PackResult, Prepared


def pack_document(result: PackResult) -> dict[str, Any]:
    """``pack --json`` on success: the summary, ``packed``, ``sha256`` and what was left out."""
    from recordpack.scan.paths import printable

    return printable(result.to_json())  # type: ignore[no-any-return]


def refused_document(prepared: Prepared, decision: GateDecision) -> dict[str, Any]:
    """``pack --json`` when the gate refuses: the check's report and why nothing was packed."""
    return {
        "version": 1,
        "packed": False,
        "refused": list(decision.refused),
        "gate": decision.to_json(),
        "check": prepared.report.to_json(),
    }


def open_document(bundle: Path, result: OpenResult) -> dict[str, Any]:
    return {"command": "open", "bundle": str(bundle), **result.to_json(), "index": result.index}


#: Warnings that ``open --json`` also carries as a field of their own (true or false).
REPLACED_FIELDS: tuple[str, ...] = ("index_html_replaced", "readme_replaced")


def verify_document(bundle: Path, result: VerifyResult) -> dict[str, Any]:
    """The ``verify --json`` document: with the same replaced-page fields as ``open``'s."""
    codes = {n.code for n in result.notices}
    replaced = {name: name in codes for name in REPLACED_FIELDS}
    return {"command": "verify", "bundle": str(bundle), **result.to_json(), **replaced}


def inspect_document(inspection: Inspection) -> dict[str, Any]:
    return {
        "version": 1,
        "command": "inspect",
        "ok": True,
        "bundle": str(inspection.bundle),
        "verified": inspection.verified,
        "index": inspection.index.to_json(),
    }


def failure_document(command: str, bundle: Path, error: RecordpackError) -> dict[str, Any]:
    """What open/verify/inspect add to the error document when they fail: the command,
    the bundle, and each problem a verification found."""
    problems = getattr(error, "problems", ())
    return {
        "command": command,
        "bundle": str(bundle),
        "problems": [p.to_json() for p in problems],
    }
