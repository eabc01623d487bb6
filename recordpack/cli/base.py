"""The click group, shared output options and the one place errors become text."""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from recordpack import __version__
from recordpack.errors import RecordpackError

F = TypeVar("F", bound=Callable[..., Any])


#: Which module defines each command. Modules are imported only when their
#: command runs (or help lists it), so ``recordpack inspect`` does not pay for
#: pydicom and the scanners at start-up.
COMMAND_MODULES: dict[str, str] = {
    "scan": "recordpack.cli.scan_cmd",
    "check": "recordpack.cli.check_cmd",
    "manifests": "recordpack.cli.check_cmd",
    "pack": "recordpack.cli.pack_cmd",
    "demo": "recordpack.cli.pack_cmd",
    "open": "recordpack.cli.open_cmd",
    "verify": "recordpack.cli.open_cmd",
    "inspect": "recordpack.cli.open_cmd",
    "keygen": "recordpack.cli.keys_cmd",
}


class LazyGroup(click.Group):
    """A group whose commands register themselves when their module is imported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


_UNDECODABLE_BYTE = re.compile(r"[\udc80-\udcff]")


def _printable(text: str) -> str:
    """File names that are not UTF-8 print as ``\\xHH``, as in scan's path form."""
    return _UNDECODABLE_BYTE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", text)


def handle_errors(func: F) -> F:
    """Turn recordpack errors into a message, a hint and an exit code; no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecordpackError as error:
            click.echo(f"recordpack: error: {_printable(error.message)}", err=True)
            if error.hint:
                click.echo(f"recordpack: hint: {_printable(error.hint)}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("recordpack: interrupted; nothing was left half-written.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
