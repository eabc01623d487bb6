"""Where recordpack keeps its own state: never in a records folder.

The audit log, request tracking and saved corrections live in the user's data
directory (``platformdirs``), or under ``RECORDPACK_DATA_DIR`` when that is set
(tests, portable installs, a coordinator's shared drive). The front doors read
environment variables; this module only names the variable, so every door
agrees on it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

#: Environment variable that moves every piece of recordpack's own state.
DATA_DIR_ENV: Final = "RECORDPACK_DATA_DIR"


def data_dir(environ: dict[str, str] | None = None) -> Path:
    """The folder for recordpack's own state (not created here)."""
    env = os.environ if environ is None else environ
    override = env.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("recordpack", appauthor=False))
