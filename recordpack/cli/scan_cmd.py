"""``recordpack scan``, and the scan options that ``check`` and ``pack`` reuse."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from recordpack.cli.base import emit_json, handle_errors, json_option, main
from recordpack.model import KINDS, ScanResult
from recordpack.scan import Corrections, load_corrections, parse_labels, scan_folder
from recordpack.scan.paths import printable
from recordpack.scan.report import render_scan

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
        help="Correct the kind of the record at PATH (relative to the folder). Repeatable. "
        "Kinds: " + ", ".join(KINDS) + ".",
    )(func)
    return func


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """pydicom and pypdf warn on every odd file; the scan reports problems itself."""
    loggers = [logging.getLogger(name) for name in ("pydicom", "pypdf")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


def run_scan(
    folder: str | Path,
    labels: tuple[str, ...] | list[str] = (),
    corrections_file: str | Path | None = None,
    quiet: bool = False,
) -> ScanResult:
    """Scan a folder with the user's corrections, showing progress on a terminal's stderr."""
    corrections = parse_labels(labels)
    if corrections_file is not None:
        corrections = load_corrections(corrections_file) + corrections
    show = not quiet and sys.stderr.isatty()
    with _quiet_libraries():
        if not show:
            return scan_folder(folder, corrections=corrections or None)
        with click.progressbar(
            length=1, label="Reading files", file=sys.stderr, show_pos=True
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            result = scan_folder(folder, corrections=corrections or None, progress=progress)
        click.echo("\r\033[K", file=sys.stderr, nl=False)  # clear the finished bar's line
        return result


@main.command("scan")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@scan_options
@json_option
@handle_errors
def scan_command(
    folder: Path, labels: tuple[str, ...], corrections_file: Path | None, quiet: bool, as_json: bool
) -> None:
    """Find and sort every medical record in FOLDER, without changing anything in it.

    Lists the records by kind (with date, title and files), then the files
    that need attention and what to do about each, then what was skipped.
    Exit status 0 even when problems are found: they are part of the report.
    """
    result = run_scan(folder, labels, corrections_file, quiet)
    if as_json:
        emit_json(printable(result.to_json()))
    else:
        click.echo(render_scan(result))


__all__ = ["Corrections", "correction_options", "run_scan", "scan_command", "scan_options"]
