"""Plain-text renderings for a terminal: a pack's summary, what it left out, a bundle's index.

Nothing here names a command-line option: a front door adds what its user
must type (the CLI's words live in :mod:`recordpack.cli.wording`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

from recordpack.display import printable
from recordpack.model import KIND_TITLES, KINDS, RECORD_STATUS_WORDS
from recordpack.scan.report import plural

if TYPE_CHECKING:
    from recordpack.bundle.reader import OpenResult, VerifyResult
    from recordpack.workflow import Omission, PackResult

#: Names shown in one line of the pack summary before "and N more".
SHOWN: Final = 5

SEND_PASSPHRASE: Final = (
    "Send {file} to the specialist. Give them the passphrase by another channel "
    "(phone, text), never in the same email."
)
SEND_KEY: Final = (
    "Send {file} to the specialist. Only the holder of the matching secret key can open it."
)


def _names(paths: Sequence[str]) -> str:
    """Scan paths (already in path form: ``caf\\xe9.txt``), as scan and check print them."""
    shown = ", ".join(clean(p) for p in paths[:SHOWN])
    more = len(paths) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def render_pack(
    result: PackResult, generated_passphrase: bool, *, shown_as: str | None = None
) -> str:
    """The human summary of a pack: what went in, what did not, for whom, what to do next.

    ``shown_as`` names where the bundle went when it is not a file the user named.
    """
    from recordpack.scan.paths import to_path_form

    summary = result.summary
    noun = "record" if summary.record_count == 1 else "records"
    from recordpack.bundle.format import human_size

    where = shown_as or to_path_form(str(summary.path))
    lines = [f"Packed {summary.record_count} {noun} into {where} ({human_size(summary.size)})."]
    for kind, count in summary.records_by_kind.items():
        extra = ""
        if kind == "imaging_study":
            extra = (
                f"  ({plural(summary.images, 'image')}, {summary.images_in_dicomdir} "
                "in the DICOMDIR for viewers)"
            )
        lines.append(f"  {KIND_TITLES.get(kind, kind):<40} {count}{extra}")
    notes = []
    if summary.duplicates:
        notes.append(f"{plural(summary.duplicates, 'duplicate file')} packed once")
    if summary.problem_files:
        notes.append(
            f"{plural(len(summary.problem_files), 'file')} with problems included and marked "
            "in the index"
        )
    if summary.excluded:
        notes.append(f"{plural(summary.excluded, 'file')} left out as you asked")
    if notes:
        lines.append("  " + "; ".join(notes) + ".")
    lines += render_omissions(result.omitted, summary.not_packed)
    lines += [
        f"  Left by an interrupted earlier pack, kept: {clean(path)} ({why})"
        for path, why in summary.leftovers.kept
    ]
    if summary.check_ok is True:
        lines.append("Checklist: everything required is there.")
    elif summary.check_ok is False:
        lines.append("Checklist: not complete; the bundle's index says what is missing.")
    if result.gate is not None and result.gate.accepted_other_patient:
        lines.append(
            "Sent anyway, as you accepted: records that seem to belong to another person "
            f"({_names([p for f in result.gate.other_patient for p in f.paths])})."
        )
    name = "the bundle" if shown_as else to_path_form(summary.path.name)
    if summary.passphrase:
        lines.append(
            "Encrypted with the passphrase "
            + ("shown above." if generated_passphrase else "you chose.")
        )
        lines += ["", SEND_PASSPHRASE.format(file=name)]
    else:
        lines.append("Encrypted to: " + ", ".join(summary.recipients))
        lines += ["", SEND_KEY.format(file=name)]
    return "\n".join(lines)


def render_omissions(omitted: Sequence[Omission], links: Sequence[str]) -> list[str]:
    """Lines naming what is in the folder but not in the bundle, and why."""
    from recordpack.workflow import OMITTED_EXCLUDED, OMITTED_SKIPPED, OMITTED_UNREADABLE

    lines: list[str] = []
    if links:
        lines.append(
            f"  Not packed: "
            f"{plural(len(links), 'link or special file', 'links or special files')} "
            f"({_names(links)}). If one stands for a record, copy the file itself into the "
            "folder and pack again."
        )
    unreadable = [o for o in omitted if o.code == OMITTED_UNREADABLE]
    if unreadable:
        lines.append(
            f"  Could not be read, so left out: {_names([o.path for o in unreadable])}. "
            "If a record is there, make it readable and pack again."
        )
    asked: dict[str, list[str]] = {}
    for o in omitted:
        if o.code == OMITTED_EXCLUDED:
            asked.setdefault(o.exclusion or "", []).append(o.path)
    lines += [  # what each exclusion matched, so a pattern that caught more is seen
        f"  Left out as you asked ('{clean(pattern)}'): {_names(paths)}."
        for pattern, paths in asked.items()
    ]
    skipped = [o for o in omitted if o.code == OMITTED_SKIPPED and o.path not in set(links)]
    if skipped:
        lines.append(
            f"  Left out as not medical records: {plural(len(skipped), 'file')} "
            f"({_names([o.path for o in skipped])})."
        )
    return lines


# ----------------------------------------------------------------------------- bundle index


def clean(value: object) -> str:
    """Text safe for a terminal: no escape sequences from the bundle's index."""
    return printable("" if value is None else str(value))


def _dicts(value: object) -> list[Mapping[str, object]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def render_index(index: Mapping[str, object], *, base: str = "") -> list[str]:
    """The index as lines for a reader: patient, check, records by kind and date.

    The sender wrote the index: every string is cleaned before it is shown.
    """
    lines: list[str] = []
    patient = index.get("patient")
    patient = patient if isinstance(patient, dict) else {}
    who = [clean(patient.get("name")) or "name not recorded"]
    if patient.get("birth_date"):
        who.append(f"born {clean(patient['birth_date'])}")
    if patient.get("id"):
        who.append(f"ID {clean(patient['id'])}")
    lines.append(f"Patient: {', '.join(who)}")
    if index.get("created"):
        lines.append(f"Packed:  {clean(index.get('created'))} by {clean(index.get('software'))}")

    from recordpack.summary.render import render_summary, render_timeline

    for block in (render_summary(dict(index), base=base), render_timeline(dict(index))):
        if block:
            lines += ["", *block]

    check = index.get("check")
    if isinstance(check, dict):
        lines.append("")
        lines.extend(_render_check(check))

    lines.append("")
    lines.append("Records:")
    records = _dicts(index.get("records"))
    order = {kind: n for n, kind in enumerate(KINDS)}
    records.sort(
        key=lambda r: (order.get(str(r.get("kind")), len(KINDS)), str(r.get("date") or "9999"))
    )
    current: object = None
    for record in records:
        kind = record.get("kind")
        if kind != current:
            current = kind
            lines.append(f"  {KIND_TITLES.get(str(kind), clean(kind))}")
        date = clean(record.get("date")) or "undated   "
        # An imaging study's title already gives modality, series and image counts.
        lines.append(f"    {date}  {clean(record.get('title'))}")
        raw_files = record.get("files")
        files = [str(p) for p in raw_files] if isinstance(raw_files, list) else []
        if isinstance(record.get("study"), dict) and len(files) > 1:
            # Thousands of slices: name the folder, not every file.
            folder = posixpath.commonpath(files)
            lines.append(f"                {len(files)} files in {base}{clean(folder)}/")
        else:
            for file in files:
                lines.append(f"                {base}{clean(file)}")
        status = record.get("status")
        if isinstance(status, str) and status in RECORD_STATUS_WORDS:
            lines.append(f"                note: marked {RECORD_STATUS_WORDS[status]} by its sender")
        for problem in _dicts(record.get("problems")):
            lines.append(f"                note: {clean(problem.get('message'))}")
    if not records:
        lines.append("  (none)")

    for key, label in (
        ("problems", "Problems the sender's scan noted"),
        ("duplicates", "Duplicates left out (same bytes as a packed file)"),
    ):
        items = _dicts(index.get(key))
        if items:
            lines.append("")
            lines.append(f"{label}:")
            for item in items:
                path = item.get("path") or item.get("original")
                detail = item.get("message") or (
                    f"same as {clean(item.get('same_as'))}" if item.get("same_as") else ""
                )
                lines.append(f"  {clean(path)}: {clean(detail)}")
    return lines


def _render_check(check: Mapping[str, object]) -> list[str]:
    manifest = clean(check.get("manifest")) or "required records"
    requirements = _dicts(check.get("requirements"))
    not_met = [r for r in requirements if r.get("status") not in ("met", "optional_missing")]
    findings = _dicts(check.get("findings"))
    if check.get("ok") and not findings:
        return [f"Check against the '{manifest}' list: everything required is there."]
    lines = [
        (
            f"Check against the '{manifest}' list: {len(not_met)} required item(s) not met, "
            f"{len(findings)} finding(s)."
        )
    ]
    for requirement in not_met:
        lines.append(f"  {clean(requirement.get('status'))}: {clean(requirement.get('title'))}")
    for finding in findings:
        lines.append(f"  finding: {clean(finding.get('message') or finding.get('code'))}")
    return lines


def render_open_warnings(result: OpenResult | VerifyResult) -> list[str]:
    """Lines for stderr: what an opened or verified bundle's reader should know."""
    lines = [f"recordpack: warning: {clean(n.message)}" for n in result.notices]
    leftovers = getattr(result, "leftovers", None)
    if leftovers is not None:
        lines += [
            f"recordpack: removed {clean(path)}, left by an interrupted earlier run"
            for path in leftovers.removed
        ]
        lines += [
            f"recordpack: warning: {clean(path)} was left by an interrupted run; kept: {why}"
            for path, why in leftovers.kept
        ]
    return lines
