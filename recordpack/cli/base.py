"""The click group, shared options, and the one place errors become text, JSON and exit codes."""

from __future__ import annotations

import functools
import gc
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

import click

from recordpack import __version__, forking
from recordpack.errors import OutputClosedError, RecordpackError

F = TypeVar("F", bound=Callable[..., Any])


#: The cyclic collector's thresholds while a command runs (Python's: 700, 10, 10): a
#: scan or pack keeps some 100,000 objects, which each full collection walks.
GC_THRESHOLDS: Final = (10_000, 10, 10)

#: Which module defines each command. Modules are imported only when their
#: command runs, so ``recordpack inspect`` does not pay for pydicom and the
#: scanners at start-up.
COMMAND_MODULES: dict[str, str] = {
    "scan": "recordpack.cli.scan_cmd",
    "check": "recordpack.cli.check_cmd",
    "manifests": "recordpack.cli.check_cmd",
    "pack": "recordpack.cli.pack_cmd",
    "demo": "recordpack.cli.demo_cmd",
    "open": "recordpack.cli.open_cmd",
    "verify": "recordpack.cli.open_cmd",
    "inspect": "recordpack.cli.open_cmd",
    "keygen": "recordpack.cli.keys_cmd",
    "batch": "recordpack.cli.batch_cmd",
    "log": "recordpack.cli.batch_cmd",
    "request": "recordpack.cli.request_cmd",
    "requests": "recordpack.cli.request_cmd",
    "ui": "recordpack.cli.ui_cmd",
}

#: One line per command for ``recordpack --help``, so listing the commands
#: imports none of them (the scanners and the classifier take most of a second).
#: tests/test_cli_conventions.py checks them against each command's own help.
COMMAND_SUMMARIES: dict[str, str] = {
    "scan": "Find and sort every medical record in FOLDER, without changing anything in it.",
    "check": "Check FOLDER against what the specialist needs, and say what is missing.",
    "manifests": "List the built-in required-records manifests.",
    "pack": "Encrypt the records in FOLDER into one bundle for the specialist.",
    "demo": "Show the whole path on the example folder: scan, check, pack, open.",
    "open": "Decrypt, verify and extract a bundle, then show what it holds.",
    "verify": "Check every layer of a bundle and write nothing.",
    "inspect": "Show a bundle's index without extracting it.",
    "keygen": "Make a new age key: a secret key file to keep, and a public key to share.",
    "batch": "Pack many patients' folders, one bundle each, as a roster lists them.",
    "log": "List what recordpack did: scans, checks, packs, opens, verifies.",
    "request": "Write letters asking each hospital or lab for the records FOLDER lacks.",
    "requests": "List records requests that are still open, with the days left to answer.",
    "ui": "Open recordpack in your web browser: choose, check and send your records.",
}

#: JSON document version of the error document every ``--json`` command prints on failure.
ERROR_DOCUMENT_VERSION = 1


class LazyGroup(click.Group):
    """A group whose commands register themselves when their module is imported."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self._summary(ctx, name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _summary(self, ctx: click.Context, name: str) -> str:
        if name in COMMAND_SUMMARIES:
            return COMMAND_SUMMARIES[name]
        command = self.get_command(ctx, name)  # a command without a summary: import it
        return command.get_short_help_str(limit=200) if command is not None else ""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        """Run the CLI; a usage error under ``--json`` is a JSON error document too."""
        previous = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)  # a caller running the CLI in-process gets its own back
        # The CLI's entry points (the script, ``-m``) are safe to import again in a
        # started worker: the web app's scans, or any on a system without fork, use
        # both cores too.
        was_allowed = forking.allow_started_workers()
        try:
            return self._main(args, prog_name, **extra)
        finally:
            gc.set_threshold(*previous)
            forking.allow_started_workers(was_allowed)

    def _main(self, args: Sequence[str] | None, prog_name: str | None, **extra: Any) -> Any:
        if extra.get("standalone_mode", True) is False:
            return super().main(args, prog_name, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        extra["standalone_mode"] = False
        try:
            value = super().main(argv, prog_name, **extra)
        except click.ClickException as error:
            if "--json" in argv:
                emit_error(
                    {"code": "usage", "message": error.format_message(), "hint": None},
                    error.exit_code,
                )
            else:
                error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        # Everything left is freed as the process ends: spare the final collection a
        # walk over it (a 10,000-file index is some 100,000 objects).
        gc.freeze()
        sys.exit(value if isinstance(value, int) else 0)


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
    """Write a JSON document to stdout (once per run: errors after it add nothing).

    Indented for a person on a terminal; on one line for a pipe or a file,
    where a program reads it (json's C encoder writes only the compact form,
    three times as fast on a 10,000-file index).
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().meta["recordpack.json_emitted"] = True
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(document, indent=indent, ensure_ascii=False))


def emit_error(error: dict[str, Any], exit_code: int, **extra: Any) -> None:
    """The JSON error document: ``{"version", "ok": false, "error": {code, message, hint}}``."""
    emit_json(
        {
            "version": ERROR_DOCUMENT_VERSION,
            "ok": False,
            "error": {**error, "exit_code": exit_code},
            **extra,
        }
    )


def warn(message: str) -> None:
    """A diagnostic line on stderr."""
    click.echo(message, err=True)


def _json_already_emitted() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get("recordpack.json_emitted"))


def handle_errors(func: F) -> F:
    """Turn recordpack errors into a message, a hint and an exit code; no traceback.

    Under ``--json`` the error is also a JSON document on stdout (unless the
    command already printed its own failed report there).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from recordpack.cli.terminal import silence_stdout
        from recordpack.cli.wording import error_hint, error_message, printable

        try:
            return func(*args, **kwargs)
        except RecordpackError as error:
            if isinstance(error, OutputClosedError):
                silence_stdout()  # nothing more can go there, and Python would say so at exit
            message, hint = error_message(error), error_hint(error)
            if kwargs.get("as_json") and not _json_already_emitted():
                emit_error(
                    {"code": error.code, "message": message, "hint": hint}, error.exit_code
                )
            click.echo(f"recordpack: error: {printable(message)}", err=True)
            if hint:
                click.echo(f"recordpack: hint: {printable(hint)}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("recordpack: interrupted; nothing was left half-written.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
