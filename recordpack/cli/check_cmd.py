"""Commands ``check`` and ``manifests``: what is missing before the records are sent."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import click

from recordpack.audit import AuditLog
from recordpack.checking import render_check
from recordpack.cli.base import emit_json, handle_errors, json_option, main
from recordpack.cli.options import as_of_option, audit_option, manifest_option
from recordpack.cli.scan_cmd import run_prepare, scan_options
from recordpack.cli.terminal import colour_headline
from recordpack.cli.wording import check_step_command
from recordpack.manifest import Manifest, Requirement, list_manifests, load_manifest
from recordpack.workflow import log_prepared


@main.command("check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@manifest_option(
    "A built-in manifest (see `recordpack manifests`) or the path to your own .toml file.",
    default="general",
    show_default=True,
)
@as_of_option
@scan_options
@audit_option
@json_option
@handle_errors
def check_command(
    folder: str,
    manifest_name: str,
    as_of: dt.date | None,
    labels: tuple[str, ...],
    corrections_file: Path | None,
    quiet: bool,
    audit: AuditLog | None,
    as_json: bool,
) -> None:
    """Check FOLDER against what the specialist needs, and say what is missing.

    Scans the folder, then reports each required record as met, missing,
    outdated, incomplete or optional-missing, and anything that should stop
    the records being sent (a record of another patient, one whose patient
    name is a code that cannot be confirmed, a file that cannot be opened).
    Each met item quotes the sentence that meets it. The report is printed
    in every case.

    \b
    Exit status:
      0  everything required is there and nothing blocks sending
      1  something is missing or needs attention
      2  usage error (unknown or malformed manifest, bad date or folder)
    """
    manifest = load_manifest(manifest_name)  # usage errors before a long scan
    prepared = run_prepare(
        folder, manifest, labels=labels, corrections_file=corrections_file, as_of=as_of, quiet=quiet
    )
    log_prepared(audit, "check", prepared)
    report = prepared.report
    from recordpack.cli.request_cmd import close_found_requests  # (it imports this module)

    close_found_requests(Path(folder), prepared.scan, report)
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(colour_headline(render_check(report, check_step_command)), nl=False)
    raise SystemExit(0 if report.ok else 1)


@main.group("manifests", invoke_without_command=True)
@json_option
@click.pass_context
@handle_errors
def manifests_command(ctx: click.Context, as_json: bool) -> None:
    """List the built-in required-records manifests.

    Use one with `recordpack check FOLDER -m NAME`; see what it asks for with
    `recordpack manifests show NAME`.
    """
    if ctx.invoked_subcommand is not None:
        return
    manifests = list_manifests()
    if as_json:
        emit_json(
            {
                "version": 1,
                "manifests": [
                    {
                        "name": m.name,
                        "title": m.title,
                        "description": m.description,
                        "extends": m.extends,
                    }
                    for m in manifests
                ],
            }
        )
        return
    width = max(len(m.name) for m in manifests)
    for m in manifests:
        adds = f"  (adds to {m.extends})" if m.extends else ""
        click.echo(f"{m.name:<{width}}  {m.title}{adds}")


@manifests_command.command("show")
@click.argument("name", metavar="NAME|PATH")
@json_option
@handle_errors
def show_command(name: str, as_json: bool) -> None:
    """Print one manifest, with the requirements it inherits."""
    manifest = load_manifest(name)
    if as_json:
        emit_json(manifest.to_json())
    else:
        click.echo(render_manifest(manifest), nl=False)


def render_manifest(manifest: Manifest) -> str:
    """A manifest in plain words: required, optional, then things to arrange separately."""
    out = [f"{manifest.name}: {manifest.title}"]
    if manifest.extends:
        out.append(f"Adds to: {manifest.extends}")
    if manifest.source != "built-in":
        out.append(f"From: {manifest.source}")
    if manifest.description:
        out += [""] + textwrap.wrap(manifest.description, 78)
    sections: list[tuple[str, list[Requirement]]] = [
        ("Required", [r for r in manifest.requirements if r.required and not r.physical]),
        ("Optional", [r for r in manifest.requirements if not r.required and not r.physical]),
        (
            "Arrange separately (cannot be in a folder)",
            [r for r in manifest.requirements if r.physical],
        ),
    ]
    for heading, items in sections:
        if not items:
            continue
        out += ["", f"{heading}:"]
        for r in items:
            out.append(f"  {r.id}: {r.title}")
            facts = []
            if r.kinds:
                facts.append("kinds: " + ", ".join(r.kinds))
            if r.count > 1:
                facts.append(f"at least {r.count}")
            if r.max_age_days:
                facts.append(f"no older than {r.max_age_days} days")
            if r.matches:
                facts.append("about: " + " and ".join("/".join(g) for g in r.matches))
            if r.must_mention:
                facts.append("must mention: " + ", ".join(g[0] for g in r.must_mention))
            indent = " " * 6
            if facts:
                out += textwrap.wrap(
                    "; ".join(facts), 78, initial_indent=indent, subsequent_indent=indent
                )
            if r.why:
                out += textwrap.wrap(
                    "Why: " + r.why, 78, initial_indent=indent, subsequent_indent=indent
                )
            if r.how_to_get:
                out += textwrap.wrap(
                    "How to get it: " + r.how_to_get,
                    78,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
    return "\n".join(out) + "\n"


__all__ = ["check_command", "manifests_command", "render_manifest", "show_command"]
