"""``recordpack scan``, and the scan options that ``check`` and ``pack`` reuse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from recordpack.cli.base import emit_json, handle_errors, json_option, main
from recordpack.cli.options import audit_option
from recordpack.cli.terminal import bars, interruptible
from recordpack.model import KINDS, ScanResult
from recordpack.quiet import quiet_libraries
from recordpack.scan import Corrections, load_corrections, parse_labels, scan_folder
from recordpack.scan.paths import printable
from recordpack.scan.report import render_scan

if TYPE_CHECKING:
    import datetime as dt

    from recordpack.audit import AuditLog
    from recordpack.manifest import Manifest
    from recordpack.workflow import Prepared

F = TypeVar("F", bound=Callable[..., Any])


def scan_options(func: F) -> F:
    """``--label PATH=KIND`` (repeatable), ``--corrections FILE`` and ``-q/--quiet``."""
    func = click.option("-q", "--quiet", is_flag=True, help="No progress bar on stderr.")(func)
    return correction_options(func)


def correction_options(func: F) -> F:
    """``--label PATH=KIND`` (repeatable) and ``--corrections FILE``, for every command that scans."""
    func = click.option(
        "--corrections",
        "corrections_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="CSV file of corrections, one 'path,kind' per line (see README).",
    )(func)
    func = click.option(
        "--label",
        "labels",
        multiple=True,
        metavar="PATH=KIND",
        help="Correct the kind of the record at PATH (relative to the folder), or confirm "
        "one scan is not sure of by giving the same kind. Repeatable. "
        "Kinds: " + ", ".join(KINDS) + ".",
    )(func)
    return func


def user_corrections(
    labels: Sequence[str], corrections_file: str | Path | None
) -> Corrections | None:
    """The user's corrections: the file's, then the labels' (a label wins)."""
    corrections = parse_labels(tuple(labels), given_as="--label")
    if corrections_file is not None:
        corrections = load_corrections(corrections_file) + corrections
    return corrections or None


def run_scan(
    folder: str | Path,
    labels: Sequence[str] = (),
    corrections_file: str | Path | None = None,
    quiet: bool = False,
) -> ScanResult:
    """Scan a folder with the user's corrections, showing progress on a terminal's stderr."""
    corrections = user_corrections(labels, corrections_file)
    with quiet_libraries(), interruptible() as token, bars(quiet) as progress:

        def report(done: int, total: int) -> None:
            token.raise_if_cancelled()
            progress("scan", done, total)

        return scan_folder(folder, corrections=corrections, progress=report, cancel=token)


def run_prepare(
    folder: str | Path,
    manifest: Manifest | None,
    *,
    labels: Sequence[str] = (),
    corrections_file: str | Path | None = None,
    exclusions: Sequence[str] = (),
    as_of: dt.date | None = None,
    quiet: bool = False,
) -> Prepared:
    """:func:`recordpack.workflow.prepare` with progress bars, Ctrl-C as cancel, quiet libraries."""
    from recordpack import workflow

    corrections = user_corrections(labels, corrections_file)
    with quiet_libraries(), interruptible() as token, bars(quiet) as progress:
        return workflow.prepare(
            folder,
            manifest,
            corrections=corrections,
            exclusions=exclusions,
            as_of=as_of,
            progress=progress,
            cancel=token,
        )


@main.command("scan")
# The folder stays a string as typed: the report's "root" is FOLDER as given (KINDS.md).
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@scan_options
@audit_option
@json_option
@handle_errors
def scan_command(
    folder: str,
    labels: tuple[str, ...],
    corrections_file: Path | None,
    quiet: bool,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """Find and sort every medical record in FOLDER, without changing anything in it.

    Lists the records by kind (with date, title and files), then the files
    that need attention and what to do about each, then what was skipped.
    Exit status 0 even when problems are found: they are part of the report.
    """
    result = run_scan(folder, labels, corrections_file, quiet)
    from recordpack.workflow import log_scan

    log_scan(audit, folder, result)
    if as_json:
        emit_json(printable(result.to_json()))
    else:
        click.echo(
            render_scan(
                result,
                correct="correct it with --label",
                name_in="--label, --corrections or --exclude",
                include="--label '{path}=KIND'",
            )
        )


__all__ = [
    "Corrections",
    "correction_options",
    "quiet_libraries",
    "run_prepare",
    "run_scan",
    "scan_command",
    "scan_options",
    "user_corrections",
]
