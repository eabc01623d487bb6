"""The click group, shared output options and the one place errors become text."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from recordpack import __version__
from recordpack.errors import RecordpackError

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="recordpack")
def main() -> None:
    """Gather medical records for a cancer second opinion, check them, and
    send them as one encrypted, verifiable bundle.

    \b
    Typical use:
      recordpack scan  MY-RECORDS/                 what is in the folder?
      recordpack check MY-RECORDS/ -m breast       what is missing?
      recordpack pack  MY-RECORDS/ -o records.rpk  encrypt it for the specialist
      recordpack open  records.rpk -i key.txt      (specialist) verify and read it
    """


def json_option(func: F) -> F:
    """Add ``--json``: print one machine-readable document on stdout."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document on stdout instead of text."
    )(func)


def emit_json(document: dict[str, Any]) -> None:
    """Write a JSON document to stdout."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def warn(message: str) -> None:
    """A diagnostic line on stderr."""
    click.echo(message, err=True)


def handle_errors(func: F) -> F:
    """Turn recordpack errors into a message, a hint and an exit code; no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecordpackError as error:
            click.echo(f"recordpack: error: {error.message}", err=True)
            if error.hint:
                click.echo(f"recordpack: hint: {error.hint}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("recordpack: interrupted; nothing was left half-written.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
