"""Where recordpack keeps its own state: RECORDPACK_DATA_DIR, else the user's data folder.

The rest of the suite always sets RECORDPACK_DATA_DIR (conftest), so this is the
one place that asks platformdirs, as a person's computer does.
"""

from __future__ import annotations

from pathlib import Path

from recordpack.userdata import DATA_DIR_ENV, data_dir


def test_the_variable_moves_the_state(tmp_path: Path) -> None:
    assert data_dir({DATA_DIR_ENV: str(tmp_path)}) == tmp_path
    assert data_dir({DATA_DIR_ENV: "~/records-state"}) == Path.home() / "records-state"


def test_without_the_variable_the_state_is_in_the_users_data_folder() -> None:
    from platformdirs import user_data_dir

    folder = data_dir({})
    assert folder == Path(user_data_dir("recordpack", appauthor=False))
    assert folder.is_absolute() and folder.name == "recordpack"
    assert data_dir({DATA_DIR_ENV: ""}) == folder  # an empty value is no override
