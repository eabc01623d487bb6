"""``recordpack demo``: the whole path on the example folder, as a user would walk it."""

from __future__ import annotations

import shlex
import tempfile
from pathlib import Path

import click

from recordpack import workflow
from recordpack.cli.base import handle_errors, main
from recordpack.cli.options import output_option
from recordpack.cli.scan_cmd import run_prepare
from recordpack.cli.wording import check_step_command
from recordpack.errors import InputError, UsageError
from recordpack.model import KIND_TITLES
from recordpack.render.text import render_pack
from recordpack.scan.report import plural

#: Where ``recordpack demo`` looks for the example folder by default (relative to cwd).
DEMO_FOLDER = Path("examples/sample-patient")
#: Manifest the demo checks the example against.
DEMO_MANIFEST = "breast"


def _step(title: str) -> None:
    click.echo(f"\n== {title} ==")


def _out_dir(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise UsageError(f"{out_dir} is not empty", hint="Give a new or empty folder to --output.")
    return out_dir


def _settle_gate(prepared: workflow.Prepared) -> tuple[workflow.Prepared, workflow.GateDecision]:
    """Do what a careful user does with the gate: take out others' records, then accept gaps.

    Each step is shown with the command a user would type, so the demo never
    packs past a warning silently.
    """
    decision = workflow.gate(prepared)
    foreign = sorted({p for f in decision.other_patient for p in f.paths})
    if foreign:
        click.echo(
            "pack refuses this folder as it is: "
            f"{plural(len(foreign), 'record seems', 'records seem')} to belong to another "
            f"person ({', '.join(foreign)}). As the check advises, the demo leaves "
            + ("it" if len(foreign) == 1 else "them")
            + " out: "
            + " ".join(f"--exclude {shlex.quote(p)}" for p in foreign)
        )
        manifest = prepared.manifest
        prepared = workflow.prepare(
            prepared.folder,
            manifest,
            exclusions=[*prepared.exclusions, *foreign],
            as_of=prepared.report.as_of,
        )
        decision = workflow.gate(prepared)
    if workflow.REFUSED_INCOMPLETE in decision.refused:
        click.echo(
            "The checklist is not complete (see above); the demo packs anyway, as "
            "--accept-incomplete would. A real sender would first ask for what is missing."
        )
        decision = workflow.gate(prepared, accept_incomplete=True)
    if not decision.allowed:
        raise UsageError(f"the example folder cannot be packed: {', '.join(decision.refused)}")
    return prepared, decision


@main.command("demo")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@output_option(
    "Where to put the key, the bundle and the opened copy (default: a new temporary folder).",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--out", "out_alias", hidden=True, type=click.Path(file_okay=False, path_type=Path))
@handle_errors
def demo_command(folder: Path | None, output: Path | None, out_alias: Path | None) -> None:
    """Show the whole path on the example folder: scan, check, pack, open.

    FOLDER defaults to examples/sample-patient (invented patients, and one
    stranger's lab report filed among them on purpose: the demo shows pack
    refusing it, then leaves it out). Nothing in FOLDER is changed;
    everything made goes to --output.
    """
    from recordpack import age
    from recordpack.checking import render_check
    from recordpack.manifest import load_manifest

    source = folder or DEMO_FOLDER
    if not source.is_dir():
        raise InputError(
            f"the example folder {source} does not exist",
            hint="Run this from the recordpack checkout, or give a folder: recordpack demo MY-RECORDS.",
        )
    given = output or out_alias
    out_dir = _out_dir(given) if given is not None else None  # a given one is checked first

    _step(f"1. scan {source}")
    prepared = run_prepare(source, load_manifest(DEMO_MANIFEST), quiet=True)
    scan = prepared.scan
    counts: dict[str, int] = {}
    for record in scan.records:
        counts[record.kind] = counts.get(record.kind, 0) + 1
    click.echo(
        f"{plural(len(scan.records), 'record')}, {plural(len(scan.problems), 'problem')}, "
        f"{plural(len(scan.skipped), 'file')} skipped:"
    )
    for kind, count in counts.items():
        click.echo(f"  {KIND_TITLES.get(kind, kind):<40} {count}")

    _step(f"2. check against the '{DEMO_MANIFEST}' checklist")
    click.echo(render_check(prepared.report, check_step_command))

    _step("3. pack, encrypted to a new key")
    prepared, decision = _settle_gate(prepared)
    if out_dir is None:  # made only now: a demo stopped while scanning leaves nothing behind
        out_dir = Path(tempfile.mkdtemp(prefix="recordpack-demo-"))
    identity = age.X25519Identity.generate()
    key_file = age.write_identity_file(out_dir / "specialist-key.txt", identity)
    click.echo(f"A new key for the specialist: {key_file} (public key {identity.recipient()})")
    bundle = out_dir / "records.rpk"
    result = workflow.pack_prepared(prepared, bundle, [identity.recipient()], decision=decision)
    click.echo(render_pack(result, False))

    _step("4. open it, as the specialist would")
    opened = workflow.open_bundle(bundle, [identity], out_dir / "opened")
    click.echo(f"Verified and opened into {opened.bag_dir}")
    if opened.index_html is not None:
        click.echo(f"  the index to read:      {opened.index_html}")
    if opened.dicomdir is not None:
        click.echo(f"  for a DICOM viewer:     {opened.dicomdir}")
    click.echo(f"\nEverything is in {out_dir}. Try: recordpack inspect {bundle} -i {key_file}")
