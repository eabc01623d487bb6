"""``recordpack keygen``: make an age key pair, as age-keygen does."""

from __future__ import annotations

from pathlib import Path

import click

from recordpack import age
from recordpack.age.keys import write_key_file
from recordpack.cli.base import handle_errors, main, warn
from recordpack.scan.paths import to_path_form


@main.command("keygen")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the secret key file here (created readable only by you; never overwritten).",
)
@click.option("--pq", is_flag=True, help="Make a post-quantum hybrid key (age1pq1...).")
@handle_errors
def keygen(output: Path | None, pq: bool) -> None:
    """Make a new age key: a secret key file to keep, and a public key to share.

    The file has age-keygen's format and works with the standard age tool
    (age -d -i key.txt). Give the public key (age1...) to whoever sends you
    records; keep the key file private and backed up: without it, files
    encrypted to you cannot be opened.
    """
    if pq and not age.PQ_SUPPORTED:
        raise age.AgeKeyError(
            "post-quantum keys need a newer 'cryptography' package than the one installed",
            hint="Upgrade it (pip install -U cryptography), or leave out --pq.",
        )
    identity = age.MLKEM768X25519Identity.generate() if pq else age.X25519Identity.generate()
    recipient = str(identity.recipient())
    if output is None:
        click.echo(age.format_identity_file(identity), nl=False)
        warn(f"Public key: {recipient}")
        return
    leftovers = write_key_file(output, identity)
    for path in leftovers.removed:
        warn(
            f"recordpack: removed {to_path_form(str(path))}, an unused secret key left by an "
            "interrupted earlier keygen"
        )
    for path, why in leftovers.kept:
        warn(
            f"recordpack: warning: {to_path_form(str(path))} holds a secret key left by an "
            f"interrupted keygen; kept: {why}. Delete it once that keygen has ended."
        )
    click.echo(f"Public key: {recipient}")
    warn(
        f"Your secret key is in {output} (only you can read it). Keep it private and make a "
        "backup: without it, files sent to you cannot be opened.\n"
        "Share only the public key above (it starts with 'age1') with whoever sends you records."
    )
