"""A records folder of text files, for the tests that scan and check one."""

from __future__ import annotations

from pathlib import Path


def folder_of(root: Path, files: dict[str, str]) -> Path:
    """A new folder ``root/records`` holding each of ``files`` (name to text, UTF-8)."""
    folder = root / "records"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
