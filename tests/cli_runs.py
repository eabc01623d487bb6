"""Run recordpack's commands in-process (click's CliRunner) and look inside what they pack."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from recordpack import age
from recordpack.bundle import format as fmt
from recordpack.cli import main


def run(*args: str | Path, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def index_of(bundle: Path, identities: list[Any]) -> dict[str, Any]:
    with open(bundle, "rb") as src:
        zf = zipfile.ZipFile(io.BytesIO(age.decrypt_reader(src, identities).read()))
    (name,) = [n for n in zf.namelist() if n.endswith("/index.json")]
    return json.loads(zf.read(name))  # type: ignore[no-any-return]


def pack_and_open(folder: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """``folder`` packed and opened by the CLI: the opened bag and its index."""
    identity = age.X25519Identity.generate()
    key = tmp_path / "key.txt"
    age.write_identity_file(key, identity)
    runner = CliRunner()
    bundle = tmp_path / "b.rpk"
    packed = runner.invoke(
        main, ["pack", str(folder), "-o", str(bundle), "--to", str(identity.recipient())]
    )
    assert packed.exit_code == 0, packed.output
    opened = runner.invoke(main, ["open", str(bundle), "-i", str(key), "-o", str(tmp_path / "o")])
    assert opened.exit_code == 0, opened.output  # open verifies every file against the index
    (bag,) = (tmp_path / "o").iterdir()
    return bag, json.loads((bag / fmt.INDEX_JSON).read_text())
