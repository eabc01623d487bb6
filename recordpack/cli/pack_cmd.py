"""``recordpack pack``: parse the options, run the workflow, word the result."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from recordpack import workflow
from recordpack.audit import AuditLog
from recordpack.bundle.pack import check_destination
from recordpack.cli.base import emit_json, handle_errors, json_option, main, warn
from recordpack.cli.options import (
    as_of_option,
    audit_option,
    encryption_options,
    manifest_option,
    output_option,
)
from recordpack.cli.prompts import ask_new_passphrase, passphrase_from_env
from recordpack.cli.scan_cmd import correction_options, run_prepare
from recordpack.cli.terminal import bars, colour_headline, interruptible
from recordpack.cli.wording import check_step_command, refusal_reasons
from recordpack.errors import UsageError
from recordpack.receipt import ReceiptError, check_receipt_destination, receipt_for, write_receipt
from recordpack.render.json import pack_document, refused_document
from recordpack.render.text import render_pack
from recordpack.scan.paths import to_path_form


def _check_output(output: Path, folder: Path, force: bool, as_json: bool, log: Path | None) -> bool:
    """True when the bundle goes to stdout (``-o -``); usage errors before any work."""
    if str(output) != "-":
        check_destination(output, folder, force, audit_log=log)
        return False
    if as_json:
        raise UsageError("-o - writes the bundle to stdout, so --json cannot go there too")
    if sys.stdout.isatty():
        raise UsageError(
            "refusing to write an encrypted bundle to the terminal",
            hint="Redirect it (-o - > records.rpk) or give a file name.",
        )
    return True


def _receipt_failure(where: str, error: ReceiptError) -> dict[str, object]:
    """The error when the bundle is written but its receipt is not (exit 1, not "nothing packed")."""
    hint = (
        "The bundle is complete and can be sent; only its receipt is missing. For one, pack "
        "again with --receipt in a writable place (--force replaces the bundle)."
    )
    message = f"the bundle was written to {where}; the receipt could not be written: {error.reason}"
    return {**error.to_json(), "message": message, "hint": hint}


def refuse(
    prepared: workflow.Prepared,
    decision: workflow.GateDecision,
    as_json: bool,
    audit: AuditLog | None = None,
) -> None:
    """Log the refusal, print the check (or its JSON) and why nothing was packed; exit 1."""
    from recordpack.checking import render_check

    workflow.log_refused(audit, prepared, decision)
    if as_json:
        emit_json(refused_document(prepared, decision))
    elif prepared.report.blocking:
        click.echo(colour_headline(render_check(prepared.report, check_step_command)))
    warn("recordpack: nothing was packed: " + "; ".join(refusal_reasons(decision, prepared)) + ".")
    sys.exit(1)


@main.command("pack")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@output_option(
    "The bundle file to write, e.g. records.rpk; '-' writes it to stdout.",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
)
@encryption_options
@manifest_option("Check against this list of required records first (e.g. breast).", "manifest")
@as_of_option
@click.option(
    "--accept-incomplete",
    is_flag=True,
    help="Pack even when the check says something required is missing or outdated "
    "(never when a record seems to be another person's).",
)
@click.option(
    "--accept-other-patient",
    is_flag=True,
    help="Pack even when some records seem to belong to someone else.",
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="PATH",
    help="Leave this file, folder or pattern out (repeatable).",
)
@correction_options
@click.option("--force", is_flag=True, help="Replace an existing output (and receipt) file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; print only the bundle's path.")
@click.option(
    "--receipt",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a receipt (what was sent, to whom; no content, no secret) to this file "
    "(not inside FOLDER; an existing file is replaced only with --force).",
)
@audit_option
@json_option
@handle_errors
def pack_command(
    folder: Path,
    output: Path,
    to: tuple[str, ...],
    to_files: tuple[Path, ...],
    passphrase_prompt: bool,
    passphrase_file: Path | None,
    passphrase_env: str | None,
    manifest: str | None,
    as_of: dt.date | None,
    accept_incomplete: bool,
    accept_other_patient: bool,
    excludes: tuple[str, ...],
    labels: tuple[str, ...],
    corrections_file: Path | None,
    force: bool,
    quiet: bool,
    receipt: Path | None,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """Encrypt the records in FOLDER into one bundle for the specialist.

    \b
    Examples:
      recordpack pack MY-RECORDS -o records.rpk --to age1...
      recordpack pack MY-RECORDS -o records.rpk --passphrase -m breast
      recordpack pack MY-RECORDS -o - --to-file keys.txt > records.rpk

    Whose records these are is always checked: a record that seems to be
    another person's stops the pack unless --accept-other-patient. The folder
    is never changed; the bundle appears only when it is complete. A
    passphrase is made or asked for only once the check has passed. Exit
    status: 0 packed, 1 nothing packed (check refused or an error) or packed
    but the receipt could not be written (the message says which), 2 usage
    error.
    """
    log = audit.path if audit is not None else None
    to_stdout = _check_output(output, folder, force, as_json, log)
    if receipt is not None:  # refused, like the bundle's destination, before any work
        bundle = None if to_stdout else output
        check_receipt_destination(receipt, source=folder, bundle=bundle, audit_log=log, force=force)
    loaded = None
    if manifest is not None:
        from recordpack.manifest import load_manifest

        loaded = load_manifest(manifest)
    # Who may open the bundle is settled before the (possibly long) scan.
    choice = workflow.choose_encryption(
        keys=to,
        key_files=to_files,
        passphrase=passphrase_from_env(passphrase_env),
        passphrase_file=passphrase_file,
        ask_passphrase=passphrase_prompt,
    )
    prepared = run_prepare(
        folder,
        loaded,
        labels=labels,
        corrections_file=corrections_file,
        exclusions=excludes,
        as_of=as_of,
        quiet=quiet,
    )
    decision = workflow.gate(
        prepared, accept_incomplete=accept_incomplete, accept_other_patient=accept_other_patient
    )
    if not decision.allowed:
        refuse(prepared, decision, as_json, audit)
    typed, generated = ask_new_passphrase() if choice.ask_passphrase else (None, False)
    recipients = workflow.recipients(choice, typed)
    with interruptible() as token, bars(quiet) as progress:
        if to_stdout:
            result = workflow.pack_to_stream(
                prepared, sys.stdout.buffer, recipients, decision=decision,
                progress=progress, cancel=token, audit=audit,
            )  # fmt: skip
        else:
            result = workflow.pack_prepared(
                prepared, output, recipients, decision=decision, force=force,
                progress=progress, cancel=token, audit=audit,
            )  # fmt: skip
    for path in result.summary.leftovers.removed:
        warn(f"recordpack: removed {to_path_form(str(path))}, left by an interrupted earlier pack")
    made = receipt_for(prepared, result, audit)
    failed: dict[str, object] | None = None
    try:
        if receipt is not None:
            write_receipt(made, receipt)
    except ReceiptError as error:
        where = "standard output" if to_stdout else to_path_form(str(result.path))
        failed = _receipt_failure(where, error)
    if to_stdout:
        if not quiet:
            warn(render_pack(result, generated, shown_as="standard output"))
    elif as_json:
        failure = {"ok": False, "receipt_written": False, "error": failed} if failed else {}
        emit_json({**pack_document(result), "receipt": made.to_json(), **failure})
    elif quiet:
        click.echo(to_path_form(str(result.path)))
    else:
        click.echo(render_pack(result, generated))
    if failed is not None:
        warn(f"recordpack: error: {failed['message']}\nrecordpack: hint: {failed['hint']}")
        sys.exit(1)
