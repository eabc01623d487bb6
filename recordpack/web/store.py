"""The person's choices for a folder (kinds corrected, files left out), kept outside it.

Saved in recordpack's user data folder (``recordpack.userdata``; ``RECORDPACK_DATA_DIR``
moves it) as one small JSON file per records folder, readable only by the user, and
reused next time, but only for the very files they were made on: each choice
keeps the file's content (its SHA-256 as the scan saw it), and a file replaced
since loses the choice (a kind given to one report never passes to another one
saved under its name). Choices saved without contents (by an older version) are
forgotten the same way.
Nothing is ever written into the records folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from recordpack.atomic import write_atomic
from recordpack.userdata import data_dir


@dataclass
class Choices:
    """Kind corrections (path -> kind) and files left out, for one records folder."""

    folder: str
    kinds: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    #: path -> the file's content when the choice was made (``decisions.file_key``).
    contents: dict[str, str] = field(default_factory=dict)

    def chosen_paths(self) -> set[str]:
        """Every path a choice is about."""
        return set(self.kinds) | set(self.left_out)

    def forget(self, paths: set[str]) -> None:
        """Drop every choice about ``paths``."""
        for path in paths:
            self.kinds.pop(path, None)
            self.contents.pop(path, None)
        self.left_out = [p for p in self.left_out if p not in paths]


def _file(folder: Path) -> Path:
    digest = hashlib.sha256(os.fsencode(str(folder.resolve()))).hexdigest()[:24]
    return data_dir() / "folders" / f"{digest}.json"


def load(folder: Path) -> Choices:
    """The saved choices for ``folder`` (none saved, or unreadable: no choices)."""
    try:
        raw = json.loads(_file(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Choices(str(folder))
    kinds = raw.get("kinds") if isinstance(raw, dict) else None
    left_out = raw.get("left_out") if isinstance(raw, dict) else None
    contents = raw.get("contents") if isinstance(raw, dict) else None
    return Choices(
        str(folder),
        {str(k): str(v) for k, v in kinds.items()} if isinstance(kinds, dict) else {},
        [str(p) for p in left_out] if isinstance(left_out, list) else [],
        {str(k): str(v) for k, v in contents.items()} if isinstance(contents, dict) else {},
    )


def save(choices: Choices) -> Path:
    """Write the choices atomically (readable only by the user); returns the file."""
    target = _file(Path(choices.folder))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    chosen = choices.chosen_paths()
    document = {
        "version": 2,
        "folder": choices.folder,
        "kinds": dict(sorted(choices.kinds.items())),
        "left_out": sorted(set(choices.left_out)),
        "contents": {p: c for p, c in sorted(choices.contents.items()) if p in chosen},
    }
    # write_atomic creates the file readable only by its owner.
    write_atomic(target, json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"))
    return target
