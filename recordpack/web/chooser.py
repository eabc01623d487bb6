"""The server-side folder and file chooser: the browser only ever sends back ids it was given.

Every folder or file the chooser shows gets a random id; a request names an id,
never a path, so no path the browser makes up (``../``, a link elsewhere) can
be opened. Listing starts at the person's home folder and can go up.
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

#: What each purpose lists besides folders (file name endings); None = folders only.
FILE_ENDINGS: dict[str, tuple[str, ...] | None] = {
    "records": None,
    "output": None,
    "bundle": (".rpk", ".age"),
    "identity": (".txt", ".key", ""),
}

MAX_ENTRIES = 2000


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    is_dir: bool


@dataclass(frozen=True)
class Listing:
    here: Entry
    path: Path
    parent: Entry | None
    home: Entry
    folders: list[Entry]
    files: list[Entry]
    truncated: bool
    error: str | None = None


class Chooser:
    """Issues ids for the folders and files it lists, and maps them back to paths."""

    def __init__(self) -> None:
        self._paths: dict[str, Path] = {}
        self._ids: dict[Path, str] = {}
        self._lock = threading.Lock()

    def issue(self, path: Path) -> str:
        path = Path(os.path.abspath(path))
        with self._lock:
            if path not in self._ids:
                token = secrets.token_urlsafe(9)
                self._ids[path] = token
                self._paths[token] = path
            return self._ids[path]

    def path(self, entry_id: str) -> Path | None:
        """The path behind an id this chooser issued, or None."""
        with self._lock:
            return self._paths.get(entry_id)

    def folder(self, entry_id: str) -> Path | None:
        path = self.path(entry_id)
        return path if path is not None and path.is_dir() else None

    def file(self, entry_id: str) -> Path | None:
        path = self.path(entry_id)
        if path is None:
            return None
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return None
        return path if stat.S_ISREG(mode) else None

    def list(self, folder: Path, purpose: str) -> Listing:
        """The readable sub-folders of ``folder`` (and files fit for ``purpose``), sorted."""
        endings = FILE_ENDINGS.get(purpose)
        folders: list[Entry] = []
        files: list[Entry] = []
        error = None
        truncated = False
        try:
            with os.scandir(folder) as entries:
                for count, entry in enumerate(sorted(entries, key=lambda e: e.name.lower())):
                    if count >= MAX_ENTRIES:
                        truncated = True
                        break
                    if entry.name.startswith("."):
                        continue
                    try:
                        is_dir = entry.is_dir()
                        is_file = entry.is_file()
                    except OSError:
                        continue
                    if is_dir:
                        folders.append(Entry(self.issue(Path(entry.path)), entry.name, True))
                    elif is_file and endings is not None and _fits(entry.name, endings):
                        files.append(Entry(self.issue(Path(entry.path)), entry.name, False))
        except OSError as exc:
            error = f"This folder cannot be opened ({exc.strerror or exc})."
        here = Entry(self.issue(folder), folder.name or str(folder), True)
        parent = folder.parent
        up = (
            Entry(self.issue(parent), parent.name or str(parent), True)
            if parent != folder
            else None
        )
        home = Path.home()
        return Listing(
            here,
            folder,
            up,
            Entry(self.issue(home), "Home", True),
            folders,
            files,
            truncated,
            error,
        )


def _fits(name: str, endings: tuple[str, ...]) -> bool:
    lower = name.lower()
    return any(lower.endswith(e) for e in endings if e) or ("" in endings and "." not in name)
