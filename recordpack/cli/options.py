"""Options shared by commands: how to decrypt, how to encrypt, dates; and what they resolve to."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from recordpack import workflow
from recordpack.cli.prompts import ask_passphrase, passphrase_from_env

if TYPE_CHECKING:
    from recordpack.age.base import Identity
    from recordpack.audit import AuditLog

F = TypeVar("F", bound=Callable[..., Any])


#: Environment variable naming a default identity (key) file.
IDENTITY_ENV = "RECORDPACK_IDENTITY"


def output_option(help_text: str, **kwargs: Any) -> Callable[[F], F]:
    """``-o/--output``: the one spelling of the output option across commands."""
    return click.option("-o", "--output", "output", help=help_text, **kwargs)


def manifest_option(help_text: str, dest: str = "manifest_name", **kwargs: Any) -> Callable[[F], F]:
    """``-m/--manifest NAME|PATH``: the one spelling of the checklist option across commands."""
    return click.option("-m", "--manifest", dest, metavar="NAME|PATH", help=help_text, **kwargs)


def _passphrase_options(for_scripts: str) -> list[Callable[[F], F]]:
    """``--passphrase-file`` and ``--passphrase-env``: a passphrase never typed on the command line."""
    return [
        click.option(
            "--passphrase-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Read the passphrase from the first line of this file{for_scripts}.",
        ),
        click.option(
            "--passphrase-env",
            metavar="VAR",
            help="Read the passphrase from this environment variable.",
        ),
    ]


def _apply(func: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def key_options(func: F) -> F:
    """The options that say how to decrypt: key files or a passphrase."""
    options: list[Callable[[F], F]] = [
        click.option(
            "-i",
            "--identity",
            "identity_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help=f"Your age key file (repeatable). Default: the file named by ${IDENTITY_ENV}.",
        ),
        *_passphrase_options(""),
    ]
    return _apply(func, options)


def identities_from_options(
    bundle: Path,
    identity_files: Sequence[Path],
    passphrase_file: Path | None,
    passphrase_env: str | None,
) -> list[Identity]:
    """Keys from the options, else $RECORDPACK_IDENTITY, else a passphrase typed at a terminal."""
    from recordpack.age.errors import EncryptedKeyFileError

    passphrase = passphrase_from_env(passphrase_env, allow_empty=True)
    files = list(identity_files)
    given_as = "-i"
    if not files and passphrase is None and passphrase_file is None:
        default = os.environ.get(IDENTITY_ENV)
        if default:
            files.append(Path(default))
            given_as = f"${IDENTITY_ENV}"
        elif workflow.is_passphrase_bundle(bundle) and sys.stdin.isatty():
            passphrase = ask_passphrase()
    try:
        return workflow.identities(
            bundle, key_files=files, passphrase=passphrase, passphrase_file=passphrase_file
        )
    except EncryptedKeyFileError as error:
        error.given_as = given_as  # the message names what the user typed
        raise


def encryption_options(func: F) -> F:
    """``--to``, ``--to-file``, ``--passphrase``, ``--passphrase-file``, ``--passphrase-env``."""
    options: list[Callable[[F], F]] = [
        click.option(
            "--to",
            "to",
            multiple=True,
            metavar="age1...",
            help="The specialist's public key (repeatable).",
        ),
        click.option(
            "--to-file",
            "to_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="A file of public keys, one per line (repeatable).",
        ),
        click.option(
            "--passphrase",
            "passphrase_prompt",
            is_flag=True,
            help="Protect with a passphrase: recordpack offers a strong one, or asks you twice.",
        ),
        *_passphrase_options(" (for scripts)"),
    ]
    return _apply(func, options)


def date_value(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> dt.date | None:
    """Click callback of a YYYY-MM-DD option: the date, or click's usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01."
        ) from None


def as_of_option(func: F) -> F:
    """``--as-of YYYY-MM-DD``: the day records' ages are judged against (check, pack, batch)."""
    return click.option(
        "--as-of",
        callback=date_value,
        metavar="YYYY-MM-DD",
        help="Judge how recent records are as of this date (default: today).",
    )(func)


#: Where ``--audit-log`` finds the raw FOLDER argument of its command (see _AuditLogOption).
_FOLDER_SEEN: Final = "recordpack.audit_log.folder"


class _AuditLogOption(click.Option):
    """``--audit-log``, which must know its command's FOLDER before it opens the log.

    Click processes parameters in the order they were typed, so the folder may
    not be converted yet; the parser's raw value is at hand here either way.
    """

    def handle_parse_result(
        self, ctx: click.Context, opts: Mapping[str, Any], args: list[str]
    ) -> tuple[Any, list[str]]:
        ctx.meta[_FOLDER_SEEN] = opts.get("folder")
        return super().handle_parse_result(ctx, opts, args)


def open_audit_log(path: Path, named: bool) -> AuditLog | None:
    """The audit log at ``path``, opened (made if needed). A log the user ``named`` that
    cannot be used raises ``AuditLogError``; the default place failing only warns."""
    from recordpack.audit import AuditLog, AuditLogError

    try:
        return AuditLog(path)
    except AuditLogError as error:
        if named:
            raise
        click.echo(f"recordpack: warning: {error.message}; this run is not logged.", err=True)
        return None


def _open_audit_log(ctx: click.Context, param: click.Parameter, value: Path | None) -> AuditLog | None:
    """The audit log to append to, opened before any work: one inside the command's FOLDER
    (named, or in a data folder there) or named and unusable is a usage error."""
    from recordpack.audit import AuditLogError, log_location, refuse_inside

    path, named = log_location(value)
    folder = ctx.params.get("folder") or ctx.meta.get(_FOLDER_SEEN)
    try:
        if isinstance(folder, str | os.PathLike):
            refuse_inside(path, Path(folder))
        return open_audit_log(path, named)
    except AuditLogError as error:  # "Invalid value for '--audit-log'" only when it was given
        words = f"{error.message}. {error.hint or ''}".strip()
        raise (click.BadParameter(words) if named else click.UsageError(words)) from None


#: The help of ``--audit-log``, on every command that takes it.
AUDIT_HELP: Final = (
    "The audit log to append to (default: $RECORDPACK_AUDIT_LOG, else recordpack's data "
    "folder); never inside the folder the command reads."
)


def audit_option(func: F) -> F:
    """``--audit-log PATH``: the audit log this command appends its event to."""
    return click.option(
        "--audit-log",
        "audit",
        cls=_AuditLogOption,
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_open_audit_log,
        help=AUDIT_HELP,
    )(func)
