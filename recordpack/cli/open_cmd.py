"""``recordpack open``, ``inspect`` and ``verify``: the specialist's side of a bundle."""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from recordpack.bundle import format as fmt
from recordpack.bundle.interrupt import termination_as_interrupt
from recordpack.bundle.reader import (
    BundleVerificationError,
    Progress,
    inspect_bundle,
    open_bundle,
    verify_bundle,
)
from recordpack.cli.base import emit_json, handle_errors, json_option, main
from recordpack.errors import RecordpackError, UsageError
from recordpack.model import KIND_TITLES, KINDS

F = TypeVar("F", bound=Callable[..., Any])

#: Environment variable naming a default identity (key) file.
IDENTITY_ENV = "RECORDPACK_IDENTITY"


def key_options(func: F) -> F:
    """The options that say how to decrypt: key files or a passphrase."""
    options = [
        click.option(
            "-i",
            "--identity",
            "identity_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Your age key file (repeatable). Default: the file named by ${IDENTITY_ENV}.",
        ),
        click.option(
            "--passphrase-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Read the passphrase from the first line of this file.",
        ),
        click.option(
            "--passphrase-env",
            metavar="VAR",
            help="Read the passphrase from this environment variable.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _is_passphrase_bundle(bundle: Path) -> bool:
    """True when the age header holds a scrypt (passphrase) stanza."""
    try:
        with open(bundle, "rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    header = head.split(b"\n---", 1)[0]
    return head.startswith(b"age-encryption.org/v1\n") and b"\n-> scrypt " in header


def _identities(
    bundle: Path,
    identity_files: Sequence[Path],
    passphrase_file: Path | None,
    passphrase_env: str | None,
) -> list[Any]:
    from recordpack import age

    identities: list[Any] = []
    for path in identity_files:
        identities.extend(age.load_identities(path))
    passphrase: str | None = None
    if passphrase_file is not None:
        from recordpack.passphrase import read_passphrase_file

        passphrase = read_passphrase_file(passphrase_file)
    elif passphrase_env is not None:
        if passphrase_env not in os.environ:
            raise UsageError(
                f"the environment variable {passphrase_env} is not set",
                hint="export it first, or use --passphrase-file",
            )
        passphrase = os.environ[passphrase_env]
    if passphrase is None and not identities:
        default = os.environ.get(IDENTITY_ENV)
        if default:
            identities.extend(age.load_identities(Path(default)))
        elif _is_passphrase_bundle(bundle) and sys.stdin.isatty():
            passphrase = click.prompt("Passphrase", hide_input=True, err=True)
    if passphrase is not None:
        identities.append(age.ScryptIdentity(passphrase))
    if not identities:
        hint = (
            "this bundle is protected by a passphrase: use --passphrase-file or --passphrase-env"
            if _is_passphrase_bundle(bundle)
            else "give your age key file with -i KEYFILE (made with 'recordpack keygen' or age-keygen)"
        )
        raise UsageError("no key or passphrase given to decrypt the bundle", hint=hint)
    return identities


class _Bar:
    """A progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: Any = None
        self._done = 0

    @property
    def callback(self) -> Progress | None:
        return self.update if sys.stderr.isatty() else None

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _failure_json(command: str, bundle: Path, error: RecordpackError) -> dict[str, Any]:
    problems = error.problems if isinstance(error, BundleVerificationError) else ()
    return {
        "version": 1,
        "command": command,
        "ok": False,
        "bundle": str(bundle),
        "error": error.message,
        "hint": error.hint,
        "problems": [p.to_json() for p in problems],
    }


def _run(command: str, bundle: Path, as_json: bool, action: Callable[[], dict[str, Any]]) -> None:
    """Run ``action``; on failure with --json, still print the failed report."""
    try:
        with termination_as_interrupt():  # a killed open removes its partial folder too
            document = action()
    except RecordpackError as error:
        if as_json:
            emit_json(_failure_json(command, bundle, error))
        raise
    if as_json:
        emit_json(document)


# --------------------------------------------------------------------------
# Human rendering of index.json (the sender wrote it: never trust its strings).


def _clean(value: Any) -> str:
    """Text safe for a terminal: no escape sequences from the bundle's index."""
    text = "" if value is None else str(value)
    return "".join(c if c.isprintable() else "?" for c in text)


def render_index(index: dict[str, Any], *, base: str = "") -> list[str]:
    """The index as lines for a reader: patient, check, records by kind and date."""
    lines: list[str] = []
    patient = index.get("patient") or {}
    who = [_clean(patient.get("name")) or "name not recorded"]
    if patient.get("birth_date"):
        who.append(f"born {_clean(patient['birth_date'])}")
    if patient.get("id"):
        who.append(f"ID {_clean(patient['id'])}")
    lines.append(f"Patient: {', '.join(who)}")
    if index.get("created"):
        lines.append(f"Packed:  {_clean(index.get('created'))} by {_clean(index.get('software'))}")

    check = index.get("check")
    if isinstance(check, dict):
        lines.append("")
        lines.extend(_render_check(check))

    lines.append("")
    lines.append("Records:")
    records = [r for r in index.get("records") or [] if isinstance(r, dict)]
    order = {kind: n for n, kind in enumerate(KINDS)}
    records.sort(
        key=lambda r: (order.get(str(r.get("kind")), len(KINDS)), str(r.get("date") or "9999"))
    )
    current = None
    for record in records:
        kind = record.get("kind")
        if kind != current:
            current = kind
            lines.append(f"  {KIND_TITLES.get(str(kind), _clean(kind))}")
        date = _clean(record.get("date")) or "undated   "
        title = _clean(record.get("title"))
        # An imaging study's title already gives modality, series and image counts.
        lines.append(f"    {date}  {title}")
        files = [str(p) for p in record.get("files") or []]
        if isinstance(record.get("study"), dict) and len(files) > 1:
            # Thousands of slices: name the folder, not every file.
            folder = posixpath.commonpath(files)
            lines.append(f"                {len(files)} files in {base}{_clean(folder)}/")
        else:
            for file in files:
                lines.append(f"                {base}{_clean(file)}")
        for problem in record.get("problems") or []:
            if isinstance(problem, dict):
                lines.append(f"                note: {_clean(problem.get('message'))}")
    if not records:
        lines.append("  (none)")

    for key, label in (
        ("problems", "Problems the sender's scan noted"),
        ("duplicates", "Duplicates left out (same bytes as a packed file)"),
    ):
        items = [i for i in index.get(key) or [] if isinstance(i, dict)]
        if items:
            lines.append("")
            lines.append(f"{label}:")
            for item in items:
                path = item.get("path") or item.get("original")
                detail = item.get("message") or (
                    f"same as {_clean(item.get('same_as'))}" if item.get("same_as") else ""
                )
                lines.append(f"  {_clean(path)}: {_clean(detail)}")
    return lines


def _render_check(check: dict[str, Any]) -> list[str]:
    manifest = _clean(check.get("manifest")) or "required records"
    requirements = [r for r in check.get("requirements") or [] if isinstance(r, dict)]
    not_met = [r for r in requirements if r.get("status") not in ("met", "optional_missing")]
    findings = [f for f in check.get("findings") or [] if isinstance(f, dict)]
    if check.get("ok") and not findings:
        return [f"Check against the '{manifest}' list: everything required is there."]
    lines = [
        (
            f"Check against the '{manifest}' list: {len(not_met)} required item(s) not met, "
            f"{len(findings)} finding(s)."
        )
    ]
    for requirement in not_met:
        lines.append(f"  {_clean(requirement.get('status'))}: {_clean(requirement.get('title'))}")
    for finding in findings:
        lines.append(f"  finding: {_clean(finding.get('message') or finding.get('code'))}")
    return lines


def _echo(lines: Sequence[str]) -> None:
    for line in lines:
        click.echo(line)


# --------------------------------------------------------------------------
# Commands.


@main.command("open")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_options
@click.option(
    "-o",
    "--output",
    "dest",
    type=click.Path(path_type=Path),
    help="Folder to open the bundle into (absent or empty). Default: the bundle's name "
    "without .rpk, next to it.",
)
@json_option
@handle_errors
def open_command(
    bundle: Path,
    identity_files: tuple[Path, ...],
    passphrase_file: Path | None,
    passphrase_env: str | None,
    dest: Path | None,
    as_json: bool,
) -> None:
    """Decrypt, verify and extract a bundle, then show what it holds.

    Every layer is checked first (age authentication, the BagIt manifests, the
    index); nothing is written to the folder unless all of it is intact.
    Exit 0 when opened, 1 when the bundle cannot be decrypted or fails a check,
    2 for usage errors.
    """
    if dest is None:
        name = (
            bundle.name[: -len(fmt.BUNDLE_SUFFIX)]
            if bundle.name.endswith(fmt.BUNDLE_SUFFIX)
            else (bundle.name + ".opened")
        )
        dest = bundle.parent / name

    def action() -> dict[str, Any]:
        identities = _identities(bundle, identity_files, passphrase_file, passphrase_env)
        bar = _Bar("Opening")
        try:
            result = open_bundle(bundle, identities, dest, progress=bar.callback)
        finally:
            bar.close()
        if not as_json:
            _echo(
                [
                    f"Opened {bundle} into {result.bag_dir}",
                    f"verified: {result.files} files ({fmt.human_size(result.payload_bytes)}), all intact",
                    "",
                ]
            )
            _echo(render_index(result.index))
            click.echo("")
            if result.index_html:
                click.echo(f"Start here (opens in any browser, offline): {result.index_html}")
            if result.dicomdir:
                click.echo(f"DICOM images (open in a DICOM viewer):      {result.dicomdir}")
            click.echo(f"Record paths above are relative to {result.bag_dir}")
        return {"command": "open", "bundle": str(bundle), **result.to_json(), "index": result.index}

    _run("open", bundle, as_json, action)


@main.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_options
@json_option
@handle_errors
def verify_command(
    bundle: Path,
    identity_files: tuple[Path, ...],
    passphrase_file: Path | None,
    passphrase_env: str | None,
    as_json: bool,
) -> None:
    """Check every layer of a bundle and write nothing.

    Exit 0 when every file is intact, 1 when something is wrong (each problem
    is named), 2 for usage errors.
    """

    def action() -> dict[str, Any]:
        identities = _identities(bundle, identity_files, passphrase_file, passphrase_env)
        bar = _Bar("Verifying")
        try:
            result = verify_bundle(bundle, identities, progress=bar.callback)
        finally:
            bar.close()
        if not as_json:
            click.echo(
                f"verified: {result.files} files ({fmt.human_size(result.payload_bytes)}), all intact"
            )
        return {"command": "verify", "bundle": str(bundle), **result.to_json()}

    _run("verify", bundle, as_json, action)


@main.command("inspect")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_options
@json_option
@handle_errors
def inspect_command(
    bundle: Path,
    identity_files: tuple[Path, ...],
    passphrase_file: Path | None,
    passphrase_env: str | None,
    as_json: bool,
) -> None:
    """Show a bundle's index without extracting it.

    Fast whatever the bundle's size: only the few encrypted chunks holding the
    index are decrypted. This does not check every file: use 'verify' or 'open'.
    """

    def action() -> dict[str, Any]:
        identities = _identities(bundle, identity_files, passphrase_file, passphrase_env)
        index = inspect_bundle(bundle, identities)
        if not as_json:
            _echo(render_index(index))
            click.echo("")
            click.echo(
                "(not verified or extracted: 'recordpack verify' checks every file, "
                "'recordpack open' extracts)"
            )
        return {
            "version": 1,
            "command": "inspect",
            "ok": True,
            "bundle": str(bundle),
            "verified": False,
            "index": index,
        }

    _run("inspect", bundle, as_json, action)
