"""Run recordpack's commands in-process (click's CliRunner) and look inside what they pack."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from recordpack import age
from recordpack.cli import main


def run(*args: str | Path, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def index_of(bundle: Path, identities: list[Any]) -> dict[str, Any]:
    with open(bundle, "rb") as src:
        zf = zipfile.ZipFile(io.BytesIO(age.decrypt_reader(src, identities).read()))
    (name,) = [n for n in zf.namelist() if n.endswith("/index.json")]
    return json.loads(zf.read(name))  # type: ignore[no-any-return]
