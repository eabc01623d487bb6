"""Every command and option is explained: in its --help and in the README or docs/."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import recordpack
from recordpack.cli import main
from recordpack.cli.base import COMMAND_MODULES

_ROOT = Path(__file__).resolve().parent.parent
#: The user documentation: the README and the reference pages under docs/.
README = "\n".join(
    path.read_text(encoding="utf-8")
    for path in [_ROOT / "README.md", *sorted((_ROOT / "docs").glob("*.md"))]
    if path.is_file()
)


def _commands() -> list[tuple[str, click.Command]]:
    """(full name, command) for every command and subcommand."""
    ctx = click.Context(main)
    found: list[tuple[str, click.Command]] = []
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None, f"{name} is listed but cannot be loaded"
        found.append((name, command))
        if isinstance(command, click.Group):
            sub_ctx = click.Context(command, parent=ctx)
            for sub in command.list_commands(sub_ctx):
                sub_command = command.get_command(sub_ctx, sub)
                assert sub_command is not None
                found.append((f"{name} {sub}", sub_command))
    return found


COMMANDS = _commands()


def test_every_lazily_registered_command_exists() -> None:
    ctx = click.Context(main)
    for name in COMMAND_MODULES:
        assert main.get_command(ctx, name) is not None, f"{name} is not defined by its module"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_and_runs_help(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"recordpack {name} has no help text"
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_option_has_help(name: str, command: click.Command) -> None:
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            if param.name in ("help", "version"):
                continue
            assert (param.help or "").strip(), f"recordpack {name} {param.opts[0]} has no help"


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_and_options_are_in_the_readme(name: str, command: click.Command) -> None:
    assert f"recordpack {name}" in README, f"the README never mentions 'recordpack {name}'"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            spellings = [*param.opts, *param.secondary_opts]
            if param.name in ("help", "version"):
                continue
            assert any(
                re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", README) for o in spellings
            ), f"the README never mentions {spellings[0]} of 'recordpack {name}'"


def test_public_api_resolves() -> None:
    for name in recordpack.__all__:
        assert getattr(recordpack, name) is not None
    with pytest.raises(AttributeError):
        recordpack.no_such_function  # noqa: B018


def test_public_names_are_what_they_say_after_any_submodule_import() -> None:
    """A name exported lazily must not be a submodule of the same name: after
    ``import recordpack.<module>`` the package attribute would be that module."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(recordpack.__path__, "recordpack."):
        if module.name.count(".") == 1 and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    from recordpack import check

    assert callable(check) and check.__module__ == "recordpack.checking"
    for name in recordpack.__all__:
        assert not isinstance(getattr(recordpack, name), type(recordpack)), name
