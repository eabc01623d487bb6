"""``recordpack pack`` (folder -> encrypted bundle) and ``recordpack demo`` (the whole path)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recordpack.bundle.format import human_size
from recordpack.bundle.interrupt import termination_as_interrupt
from recordpack.bundle.pack import PackSummary, pack
from recordpack.cli.base import emit_json, handle_errors, json_option, main, warn
from recordpack.cli.scan_cmd import correction_options, run_scan
from recordpack.errors import AgeError, InputError, RecordpackError, UsageError
from recordpack.model import KIND_TITLES, ScanResult
from recordpack.scan.paths import printable, to_path_form
from recordpack.scan.report import plural

if TYPE_CHECKING:
    from recordpack.age.base import Recipient
    from recordpack.check import CheckReport

#: Where ``recordpack demo`` looks for the example folder by default (relative to cwd).
DEMO_FOLDER = Path("examples/sample-patient")
#: Manifest the demo checks the example against.
DEMO_MANIFEST = "breast"

SEND_PASSPHRASE = (
    "Send {file} to the specialist. Give them the passphrase by another channel "
    "(phone, text), never in the same email."
)
#: Links and special files named in the pack summary before "and N more".
NOT_PACKED_SHOWN = 5
SEND_KEY = "Send {file} to the specialist. Only the holder of the matching secret key can open it."


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


@contextmanager
def _bar(enabled: bool, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (terminal only); yields update(done, total)."""
    if not enabled:
        yield lambda done, total: None
        return
    state = {"shown": 0}
    bar: Any = None
    try:

        def update(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
                bar.__enter__()
            bar.update(done - state["shown"])
            state["shown"] = done

        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _recipients(
    to: Sequence[str],
    to_files: Sequence[Path],
    passphrase_prompt: bool,
    passphrase_file: Path | None,
    passphrase_env: str | None,
) -> tuple[list[Recipient], str | None]:
    """The age recipients, and a generated passphrase to remember (or None)."""
    from recordpack import age

    passphrase_ways = sum(
        [passphrase_prompt, passphrase_file is not None, passphrase_env is not None]
    )
    keys_given = bool(to or to_files)
    if passphrase_ways and keys_given:
        raise UsageError(
            "a passphrase cannot be combined with --to/--to-file (the age format allows a "
            "passphrase only on its own)",
            hint="Choose either the specialist's public key(s) or one passphrase.",
        )
    if passphrase_ways > 1:
        raise UsageError(
            "give the passphrase one way only (--passphrase, --passphrase-file or --passphrase-env)"
        )
    if not passphrase_ways and not keys_given:
        raise UsageError(
            "say who may open the bundle",
            hint="Use --to age1... (the specialist's public key), --to-file FILE, or --passphrase.",
        )
    if keys_given:
        recipients: list[Recipient] = []
        try:
            recipients += [age.parse_recipient(text) for text in to]
            for path in to_files:
                recipients += age.load_recipients(path)
        except AgeError as error:
            raise UsageError(error.message, hint=error.hint) from error
        return recipients, None

    generated: str | None = None
    if passphrase_file is not None:
        from recordpack.passphrase import read_passphrase_file

        passphrase = read_passphrase_file(passphrase_file)
    elif passphrase_env is not None:
        passphrase = os.environ.get(passphrase_env, "")
        if not passphrase:
            raise UsageError(f"the environment variable {passphrase_env} is not set or empty")
    else:
        try:
            passphrase, generated = _ask_passphrase()
        except click.exceptions.Abort:
            # End of input: no one at the keyboard (a script, a pipe, /dev/null).
            raise UsageError(
                "--passphrase asks at the keyboard, but there was no answer",
                hint="in a script, give the passphrase with --passphrase-file FILE "
                "or --passphrase-env VAR",
            ) from None
    return [age.ScryptRecipient(passphrase)], generated


def _ask_passphrase() -> tuple[str, str | None]:
    """Offer a generated passphrase, or let the user type one twice without echo."""
    from recordpack.passphrase import generate_passphrase

    suggestion = generate_passphrase()
    click.echo(
        "\nrecordpack made this passphrase for you. It is shown only once: write it down now.\n\n"
        f"    {suggestion}\n",
        err=True,
    )
    if click.confirm("Use this passphrase?", default=True, err=True):
        return suggestion, suggestion
    typed: str = click.prompt(
        "Type your own passphrase", hide_input=True, confirmation_prompt=True, err=True
    )
    if len(typed) < 12:
        warn("recordpack: warning: a short passphrase is easy to guess; several words are safer.")
    return typed, None


def _check_gate(
    report: CheckReport, accept_incomplete: bool, accept_other_patient: bool, as_json: bool
) -> None:
    """Stop (exit 1, report printed) when the check blocks sending and the user did not accept it."""
    from recordpack.check import render_check

    blocking = report.blocking
    mismatch = [f for f in blocking if f.code == "patient_mismatch"]
    other = [f for f in blocking if f.code != "patient_mismatch"]
    refused = (mismatch and not accept_other_patient) or (other and not accept_incomplete)
    if not refused:
        return
    if as_json:
        emit_json({"version": 1, "packed": False, "check": report.to_json()})
    else:
        click.echo(render_check(report))
    reasons = []
    if mismatch and not accept_other_patient:
        reasons.append(
            "some records seem to belong to another person (add --accept-other-patient if they do not)"
        )
    if other and not accept_incomplete:
        reasons.append(
            "something required is missing or needs attention (add --accept-incomplete to send anyway)"
        )
    warn("recordpack: nothing was packed: " + "; ".join(reasons) + ".")
    sys.exit(1)


def _exclusions(folder: Path, excludes: Sequence[str], scan: ScanResult) -> list[str]:
    """Exclusion patterns relative to FOLDER; each must match something (typos are errors)."""
    from recordpack.bundle.layout import is_excluded

    patterns: list[str] = []
    known = [p for r in scan.records for p in r.files] + [p.path for p in scan.problems]
    root = folder.resolve()
    for raw in excludes:
        pattern = raw
        candidate = Path(raw)
        if candidate.exists():  # a path typed relative to the current folder, or absolute
            try:
                pattern = to_path_form(candidate.resolve().relative_to(root).as_posix())
            except ValueError:
                raise UsageError(f"--exclude {raw}: this is not inside {folder}") from None
        if not any(is_excluded(path, [pattern]) for path in known):
            raise UsageError(
                f"--exclude {raw} matches no record in {folder}",
                hint="Give a path relative to the folder (as `recordpack scan` shows it), or a pattern like '*.txt'.",
            )
        patterns.append(pattern)
    return patterns


def render_summary(summary: PackSummary, generated_passphrase: bool) -> str:
    """The human summary of a pack: what went in, how big, for whom, what to do next."""
    noun = "record" if summary.record_count == 1 else "records"
    size = human_size(summary.size)
    shown = to_path_form(str(summary.path))  # printable even for a Latin-1 name
    lines = [f"Packed {summary.record_count} {noun} into {shown} ({size})."]
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
    if summary.not_packed:
        shown_names = ", ".join(to_path_form(p) for p in summary.not_packed[:NOT_PACKED_SHOWN])
        more = len(summary.not_packed) - NOT_PACKED_SHOWN
        lines.append(
            f"  Not packed: {plural(len(summary.not_packed), 'link or special file', 'links or special files')} "
            f"({shown_names}{f' and {more} more' if more > 0 else ''}). If one stands for a "
            "record, copy the file itself into the folder and pack again."
        )
    if summary.check_ok is True:
        lines.append("Checklist: everything required is there.")
    elif summary.check_ok is False:
        lines.append("Checklist: not complete; the bundle's index says what is missing.")
    if summary.passphrase:
        lines.append(
            "Encrypted with the passphrase "
            + ("shown above." if generated_passphrase else "you chose.")
        )
        lines += ["", SEND_PASSPHRASE.format(file=to_path_form(summary.path.name))]
    else:
        lines.append("Encrypted to: " + ", ".join(summary.recipients))
        lines += ["", SEND_KEY.format(file=to_path_form(summary.path.name))]
    return "\n".join(lines)


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of {value}: not a date", hint="Write it as YYYY-MM-DD.") from None


@main.command("pack")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The bundle file to write, e.g. records.rpk.",
)
@click.option(
    "--to", "to", multiple=True, metavar="age1...", help="The specialist's public key (repeatable)."
)
@click.option(
    "--to-file",
    "to_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of public keys, one per line (repeatable).",
)
@click.option(
    "--passphrase",
    "passphrase_prompt",
    is_flag=True,
    help="Protect with a passphrase: recordpack offers a strong one, or asks you twice.",
)
@click.option(
    "--passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the passphrase from the first line of this file (for scripts).",
)
@click.option(
    "--passphrase-env", metavar="VAR", help="Read the passphrase from this environment variable."
)
@click.option(
    "-m",
    "--manifest",
    metavar="NAME|PATH",
    help="Check against this list of required records first (e.g. breast).",
)
@click.option("--as-of", metavar="YYYY-MM-DD", help="Judge how recent records are as of this date.")
@click.option(
    "--accept-incomplete",
    is_flag=True,
    help="Pack even when the check says something required is missing or outdated.",
)
@click.option(
    "--accept-other-patient",
    is_flag=True,
    help="Pack even when the check finds records that seem to belong to someone else.",
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="PATH",
    help="Leave this file, folder or pattern out (repeatable).",
)
@correction_options
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; print only the bundle's path.")
@json_option
@handle_errors
def pack_command(
    folder: Path,
    out: Path,
    to: tuple[str, ...],
    to_files: tuple[Path, ...],
    passphrase_prompt: bool,
    passphrase_file: Path | None,
    passphrase_env: str | None,
    manifest: str | None,
    as_of: str | None,
    accept_incomplete: bool,
    accept_other_patient: bool,
    excludes: tuple[str, ...],
    labels: tuple[str, ...],
    corrections_file: Path | None,
    force: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Encrypt the records in FOLDER into one bundle for the specialist.

    \b
    Examples:
      recordpack pack MY-RECORDS -o records.rpk --to age1...
      recordpack pack MY-RECORDS -o records.rpk --passphrase -m breast

    The folder is never changed. The bundle appears under OUT only when it is
    complete. Exit status: 0 packed, 1 nothing packed (check failed or an
    error), 2 usage error.
    """
    if out.exists() and not force:
        raise UsageError(
            f"{out} already exists", hint="Choose another name, or add --force to replace it."
        )
    as_of_date = _parse_date(as_of)
    loaded_manifest = None
    if manifest is not None:
        from recordpack.manifest import load_manifest

        loaded_manifest = load_manifest(manifest)
    # Ask for keys before the (possibly long) scan, so a mistake shows at once.
    recipients, generated = _recipients(
        to, to_files, passphrase_prompt, passphrase_file, passphrase_env
    )

    scan = run_scan(folder, labels, corrections_file, quiet)
    report = None
    if loaded_manifest is not None:
        from recordpack.check import check

        report = check(scan, loaded_manifest, as_of=as_of_date)
        _check_gate(report, accept_incomplete, accept_other_patient, as_json)
    patterns = _exclusions(folder, excludes, scan)

    with termination_as_interrupt(), _bar(_show_progress(quiet), "Packing") as update:
        summary = pack(
            scan,
            out,
            recipients=recipients,
            check_report=report,
            exclude=patterns,
            progress=lambda done, total, _path: update(done, total),
            force=force,
        )
    if as_json:
        emit_json(printable(summary.to_json()))
    elif quiet:
        click.echo(to_path_form(str(summary.path)))
    else:
        click.echo(render_summary(summary, generated is not None))


@main.command("demo")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the key, the bundle and the opened copy (default: a new temporary folder).",
)
@handle_errors
def demo_command(folder: Path | None, out_dir: Path | None) -> None:
    """Show the whole path on the example folder: scan, check, pack, open.

    FOLDER defaults to examples/sample-patient (invented patients). Nothing in
    it is changed; everything made goes to --out.
    """
    from recordpack import age
    from recordpack.check import check, render_check
    from recordpack.manifest import load_manifest

    source = folder or DEMO_FOLDER
    if not source.is_dir():
        raise InputError(
            f"the example folder {source} does not exist",
            hint="Run this from the recordpack checkout, or give a folder: recordpack demo MY-RECORDS.",
        )
    if out_dir is None:
        out_dir = Path(tempfile.mkdtemp(prefix="recordpack-demo-"))
    else:
        out_dir.mkdir(parents=True, exist_ok=True)
        if any(out_dir.iterdir()):
            raise UsageError(f"{out_dir} is not empty", hint="Give a new or empty folder to --out.")

    def step(title: str) -> None:
        click.echo(f"\n== {title} ==")

    step(f"1. scan {source}")
    scan = run_scan(source)
    counts: dict[str, int] = {}
    for record in scan.records:
        counts[record.kind] = counts.get(record.kind, 0) + 1
    click.echo(
        f"{plural(len(scan.records), 'record')}, {plural(len(scan.problems), 'problem')}, "
        f"{plural(len(scan.skipped), 'file')} skipped:"
    )
    for kind, count in counts.items():
        click.echo(f"  {KIND_TITLES.get(kind, kind):<40} {count}")

    step(f"2. check against the '{DEMO_MANIFEST}' checklist")
    report = check(scan, load_manifest(DEMO_MANIFEST))
    click.echo(render_check(report))

    step("3. pack, encrypted to a new key")
    identity = age.X25519Identity.generate()
    key_file = age.write_identity_file(out_dir / "specialist-key.txt", identity)
    click.echo(f"A new key for the specialist: {key_file} (public key {identity.recipient()})")
    bundle = out_dir / "records.rpk"
    summary = pack(scan, bundle, recipients=[identity.recipient()], check_report=report)
    click.echo(render_summary(summary, False))

    step("4. open it, as the specialist would")
    opened = out_dir / "opened"
    try:
        from recordpack.bundle.reader import open_bundle
    except ImportError:
        click.echo("(opening is not available in this version of recordpack)")
        return
    result = open_bundle(bundle, [identity], opened)
    click.echo(f"Verified and opened into {result.bag_dir}")
    if result.index_html is not None:
        click.echo(f"  the index to read:      {result.index_html}")
    if result.dicomdir is not None:
        click.echo(f"  for a DICOM viewer:     {result.dicomdir}")
    click.echo(f"\nEverything is in {out_dir}. Try: recordpack inspect {bundle} -i {key_file}")


__all__ = ["RecordpackError", "demo_command", "pack_command", "render_summary"]
