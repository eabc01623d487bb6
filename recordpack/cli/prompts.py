"""What the CLI asks at the keyboard, and what it reads from the environment for the library."""

from __future__ import annotations

import os

import click

from recordpack.errors import UsageError


def ask_new_passphrase() -> tuple[str, bool]:
    """Offer a generated passphrase, or let the user type one twice without echo.

    Returns the passphrase and whether it was the generated one. Called only
    once the check has passed, so a passphrase is never shown for nothing.
    """
    from recordpack.passphrase import generate_passphrase

    suggestion = generate_passphrase()
    try:
        click.echo(
            "\nrecordpack made this passphrase for you. It is shown only once: "
            f"write it down now.\n\n    {suggestion}\n",
            err=True,
        )
        if click.confirm("Use this passphrase?", default=True, err=True):
            return suggestion, True
        typed: str = click.prompt(
            "Type your own passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
    except click.exceptions.Abort:
        # End of input: no one at the keyboard (a script, a pipe, /dev/null).
        raise UsageError(
            "--passphrase asks at the keyboard, but there was no answer",
            hint="in a script, give the passphrase with --passphrase-file FILE "
            "or --passphrase-env VAR",
        ) from None
    from recordpack.passphrase import require_strong
    from recordpack.workflow import PASSPHRASE_CONTEXT

    require_strong(typed, PASSPHRASE_CONTEXT)
    return typed, False


def ask_passphrase() -> str:
    """Ask for a bundle's passphrase without echo."""
    answer: str = click.prompt("Passphrase", hide_input=True, err=True)
    return answer


def passphrase_from_env(variable: str | None, *, allow_empty: bool = False) -> str | None:
    """The passphrase held in an environment variable (the library never reads the environment)."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None or (not value and not allow_empty):
        raise UsageError(
            f"the environment variable {variable} is not set"
            + ("" if value is None else " or empty"),
            hint="export it first, or use --passphrase-file",
        )
    return value
