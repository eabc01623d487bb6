"""``recordpack open``, ``inspect`` and ``verify``: the specialist's side of a bundle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recordpack import workflow
from recordpack.bundle.format import human_size
from recordpack.cli.base import emit_error, emit_json, handle_errors, json_option, main
from recordpack.cli.options import audit_option, key_options, output_option
from recordpack.cli.options import identities_from_options as _identities
from recordpack.cli.terminal import bars, interruptible
from recordpack.cli.wording import error_hint, error_message
from recordpack.errors import RecordpackError
from recordpack.render.json import (
    failure_document,
    inspect_document,
    open_document,
    verify_document,
)

if TYPE_CHECKING:
    from recordpack.audit import AuditLog  # opened by --audit-log; sqlite3 is loaded only then


def _run(command: str, bundle: Path, as_json: bool, action: Callable[[], dict[str, Any]]) -> None:
    """Run ``action``; on failure with --json, still print the failed report."""
    try:
        document = action()
    except RecordpackError as error:
        if as_json:
            emit_error(
                {"code": error.code, "message": error_message(error), "hint": error_hint(error)},
                error.exit_code,
                **failure_document(command, bundle, error),
            )
        raise
    if as_json:
        emit_json(document)


def _warn(lines: Sequence[str]) -> None:
    for line in lines:
        click.echo(line, err=True)


def _sha256_line(digest: str | None) -> list[str]:
    """The bundle's SHA-256, to compare with the sender's receipt."""
    return [f"bundle SHA-256: {digest} (the sender's receipt gives it too)"] if digest else []


def _echo(lines: Sequence[str]) -> None:
    for line in lines:
        click.echo(line)


@main.command("open")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_options
@output_option(
    "Folder to open the bundle into (absent or empty). Default: the bundle's name "
    "without .rpk, next to it.",
    type=click.Path(path_type=Path),
)
@click.option("-q", "--quiet", is_flag=True, help="No progress; print only the opened folder.")
@audit_option
@json_option
@handle_errors
def open_command(
    bundle: Path,
    identity_files: tuple[Path, ...],
    passphrase_file: Path | None,
    passphrase_env: str | None,
    output: Path | None,
    quiet: bool,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """Decrypt, verify and extract a bundle, then show what it holds.

    Every layer is checked first (age authentication, the BagIt manifests, the
    index); nothing is written to the folder unless all of it is intact.
    Exit 0 when opened, 1 when the bundle cannot be decrypted or fails a check,
    2 for usage errors.
    """

    def action() -> dict[str, Any]:
        from recordpack.render import text

        keys = _identities(bundle, identity_files, passphrase_file, passphrase_env)
        with interruptible() as token, bars(quiet) as progress:
            result = workflow.open_bundle(
                bundle, keys, output, progress=progress, cancel=token, audit=audit
            )
        _warn(text.render_open_warnings(result))
        if quiet and not as_json:
            click.echo(str(result.bag_dir))
        elif not as_json:
            _echo(
                [
                    f"Opened {bundle} into {result.bag_dir}",
                    f"verified: {result.files} files ({human_size(result.payload_bytes)}), "
                    "all intact",
                    *_sha256_line(result.bundle_sha256),
                    "",
                    *text.render_index(result.index),
                    "",
                ]
            )
            if result.index_html:
                click.echo(f"Start here (opens in any browser, offline): {result.index_html}")
                click.echo("  (recordpack made this page itself from the verified index)")
            if result.dicomdir:
                click.echo(f"DICOM images (open in a DICOM viewer):      {result.dicomdir}")
            click.echo(f"Record paths above are relative to {result.bag_dir}")
        return open_document(bundle, result)

    _run("open", bundle, as_json, action)


@main.command("verify")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_options
@audit_option
@json_option
@handle_errors
def verify_command(
    bundle: Path,
    identity_files: tuple[Path, ...],
    passphrase_file: Path | None,
    passphrase_env: str | None,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """Check every layer of a bundle and write nothing.

    Exit 0 when every file is intact, 1 when something is wrong (each problem
    is named), 2 for usage errors.
    """

    def action() -> dict[str, Any]:
        from recordpack.render import text

        keys = _identities(bundle, identity_files, passphrase_file, passphrase_env)
        with interruptible() as token, bars() as progress:
            result = workflow.verify_bundle(
                bundle, keys, progress=progress, cancel=token, audit=audit
            )
        _warn(text.render_open_warnings(result))
        if not as_json:
            click.echo(
                f"verified: {result.files} files ({human_size(result.payload_bytes)}), all intact"
            )
            _echo(_sha256_line(result.bundle_sha256))
        return verify_document(bundle, result)

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
        keys = _identities(bundle, identity_files, passphrase_file, passphrase_env)
        inspection = workflow.inspect_bundle(bundle, keys)
        if not as_json:  # the text renderer is imported only for a person's output
            from recordpack.render import text

            _echo(text.render_index(inspection.index.to_json()))
            click.echo("")
            click.echo(
                "(not verified or extracted: 'recordpack verify' checks every file, "
                "'recordpack open' extracts)"
            )
        return inspect_document(inspection)

    _run("inspect", bundle, as_json, action)


__all__ = ["inspect_command", "open_command", "verify_command"]
