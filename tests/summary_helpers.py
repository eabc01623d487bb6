"""The case summary of one note, and of a packed and opened folder, for the summary tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recordpack.summary import SourcedText, build_summary
from tests import summary_folder as case

#: The date of the note :func:`note_summary` summarises.
NOTE_DATE = "2026-11-05"


def note_summary(text: str, kind: str = "clinical_note") -> dict[str, Any]:
    """The case summary of one record of ``kind`` dated :data:`NOTE_DATE` holding ``text``."""
    return build_summary([SourcedText(0, "data/records/note.txt", kind, NOTE_DATE, text)])


def pack_and_open_with(
    tmp_path_factory: pytest.TempPathFactory, name: str, notes: dict[str, str]
) -> dict[str, Any]:
    """:func:`summary_folder.pack_and_open` of the case folder with ``notes`` added to it.

    ``notes`` maps a file name in the records folder to its text.
    """
    work = tmp_path_factory.mktemp(name)
    records = work / "records"
    records.mkdir()
    for file_name, text in notes.items():
        (records / file_name).write_text(text, encoding="utf-8")
    return case.pack_and_open(work)


def path_of(index: dict[str, Any], original: str) -> str:
    """The bag path of the one record packed from the file ``original``."""
    (record,) = [r for r in index["records"] if r["original_files"] == [original]]
    path: str = record["files"][0]
    return path


def printed_summary(opened: dict[str, Any]) -> str:
    """What ``recordpack open`` prints before the timeline, for a :func:`pack_and_open_with`."""
    from recordpack.cli import main

    work: Path = opened["work"]
    key = work / "key.txt"
    key.write_text(str(opened["identity"]) + "\n")
    done = CliRunner().invoke(
        main, ["open", str(opened["bundle"]), "-i", str(key), "-o", str(work / "again")]
    )
    assert done.exit_code == 0, done.stderr
    return done.stdout.split("Timeline:")[0]
