"""Temporary files of a pack or open that was killed, found and cleaned by the next run.

Pack writes ``.<name>.<pid>.<random>.part`` beside the bundle; open extracts into
``.<name>.<pid>.<random>.partial`` beside the destination. A normal failure or
Ctrl-C (and SIGTERM/SIGHUP, see :mod:`recordpack.bundle.interrupt`) removes them.
``kill -9`` or a power cut cannot: the next pack or open in the same folder
removes every such leftover whose process is gone and that belongs to the same
user, and reports the ones it cannot remove (another user's, or a process with
that number still running: after a reboot a new process may have the same
number), with where they are.

What a leftover holds: a ``.part`` file is an incomplete encrypted bundle (no
use to anyone); a ``.partial`` folder holds decrypted records that were *not yet
verified*, readable only by their owner (mode 0700).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = ["LeftoverReport", "part_prefix", "partial_folder", "sweep"]

_OWNED: Final = re.compile(r"^\..+\.(?P<pid>[0-9]+)\.[A-Za-z0-9_]+\.(?P<suffix>partial|part)$")


@dataclass(frozen=True)
class LeftoverReport:
    """Leftovers found beside a destination: removed, and kept (with why)."""

    removed: tuple[Path, ...] = ()
    kept: tuple[tuple[Path, str], ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.removed or self.kept)


def part_prefix(name: str) -> str:
    """Prefix of the temporary file pack writes for the bundle ``name``."""
    return f".{name}.{os.getpid()}."


def partial_folder(parent: Path, name: str) -> Path:
    """Create the private folder an open extracts into (mode 0700)."""
    import tempfile  # only when a bundle is opened, not inspected

    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", suffix=".partial", dir=parent))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists but is someone else's (or unknowable): leave it
    return True


def sweep(folder: Path, suffix: str) -> LeftoverReport:
    """Remove stale ``*.part`` or ``*.partial`` leftovers of dead recordpack runs in ``folder``."""
    removed: list[Path] = []
    kept: list[tuple[Path, str]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return LeftoverReport()
    for entry in entries:
        match = _OWNED.match(entry.name)
        if match is None or "." + match["suffix"] != suffix:
            continue
        path = Path(entry.path)
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            kept.append((path, "it belongs to another user"))
            continue
        if _alive(int(match["pid"])):
            kept.append((path, f"process {match['pid']} may still be using it"))
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as error:
            kept.append((path, f"it could not be removed: {error.strerror or error}"))
            continue
        removed.append(path)
    return LeftoverReport(tuple(removed), tuple(kept))
