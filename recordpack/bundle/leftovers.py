"""Temporary files of a pack or open that was killed, found and cleaned by the next run.

Pack writes ``.<name>.recordpack-tmp-<pid>-<random>-<check>.part`` beside the
bundle; open extracts into ``.<name>.recordpack-tmp-<pid>-<random>-<check>.partial``
beside the destination. ``<check>`` is a digest of the name, the process number
and the suffix, so a name recordpack made proves itself: a file or folder of the
user's that merely looks alike (``.thesis.2019.final.part``) is never touched,
nor a ``.part`` file that does not begin as a bundle does. A normal failure or
Ctrl-C (and SIGTERM/SIGHUP, see :mod:`recordpack.bundle.interrupt`) removes them.
``kill -9`` or a power cut cannot: the next pack or open in the same folder
removes every such leftover whose process is gone and that belongs to the same
user, and reports the ones it cannot remove (another user's, or a process with
that number still running: after a reboot a new process may have the same
number), with where they are.

Every other file recordpack writes whole (a receipt, a request letter, the
requests index, the web app's saved state: :func:`recordpack.atomic.write_atomic`)
is written as ``.<name>.recordpack-tmp-<pid>-<random>-<check>.tmp`` beside it,
and the next write of the same name sweeps that name's leftovers the same way.

What a leftover holds: a ``.part`` file is an incomplete encrypted bundle (no
use to anyone); a ``.partial`` folder holds decrypted records that were *not yet
verified*, readable only by their owner (mode 0700); a ``.tmp`` file is an
incomplete copy of what was being written (a receipt, a letter: it may name the
patient), readable only by its owner (mode 0600).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final

__all__ = [
    "WRITE",
    "LeftoverReport",
    "part_file",
    "partial_folder",
    "sweep",
    "temporary_file",
    "temporary_name",
]

#: The word in every temporary name recordpack makes, so a person sees whose it is.
MARKER: Final = "recordpack-tmp"

#: The suffix of a file :func:`recordpack.atomic.write_atomic` is writing.
WRITE: Final = ".tmp"

_OWNED: Final = re.compile(
    r"^\.(?P<name>.+)\." + MARKER + r"-(?P<pid>[0-9]+)-(?P<token>[a-z0-9_]{8})"
    r"-(?P<check>[0-9a-f]{8})(?P<suffix>\.partial|\.part|\.tmp)$",
    re.DOTALL,
)

#: How every bundle pack writes begins (binary age v1): a ``.part`` file that does
#: not begin so (or with a piece of it, when killed at once) is not pack's.
_AGE_START: Final = b"age-encryption.org/v1\n"

#: At most this many bytes of the destination's name go into a temporary name,
#: which must stay within the usual 255-byte limit of a file name.
_NAME_BYTES: Final = 150


@dataclass(frozen=True)
class LeftoverReport:
    """Leftovers found beside a destination: removed, and kept (with why)."""

    removed: tuple[Path, ...] = ()
    kept: tuple[tuple[Path, str], ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.removed or self.kept)


def _check(name: str, pid: int, suffix: str) -> str:
    text = "\0".join((MARKER, name, str(pid), suffix))
    return hashlib.sha256(os.fsencode(text)).hexdigest()[:8]


def _affixes(name: str, suffix: str, pid: int | None = None) -> tuple[str, str]:
    """The prefix and suffix around the random part of a temporary name for ``name``."""
    short = os.fsdecode(os.fsencode(name)[:_NAME_BYTES])
    pid = os.getpid() if pid is None else pid
    return f".{short}.{MARKER}-{pid}-", f"-{_check(short, pid, suffix)}{suffix}"


def temporary_name(name: str, suffix: str, pid: int | None = None, token: str = "abcd1234") -> str:
    """The temporary name for ``name`` (``suffix`` ``.part`` or ``.partial``) of process
    ``pid`` (default: this one) with the random part ``token``."""
    prefix, end = _affixes(name, suffix, pid)
    return prefix + token + end


def temporary_file(parent: Path, name: str, suffix: str) -> tuple[Path, int]:
    """Create the temporary file (mode 0600) that becomes ``parent / name``: its path and
    an open descriptor, which the caller closes."""
    import tempfile  # only when something is written, not inspected

    prefix, end = _affixes(name, suffix)
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=end, dir=parent)
    return Path(path), fd


def part_file(parent: Path, name: str) -> tuple[Path, IO[bytes]]:
    """Create and open the temporary file pack writes the bundle ``name`` into (mode 0600)."""
    path, fd = temporary_file(parent, name, ".part")
    return path, open(fd, "wb")  # the caller closes it before the rename


def partial_folder(parent: Path, name: str) -> Path:
    """Create the private folder an open extracts into (mode 0700)."""
    import tempfile  # only when a bundle is opened, not inspected

    prefix, suffix = _affixes(name, ".partial")
    return Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))


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


def _made_by_recordpack(path: Path, suffix: str, mode: int) -> bool:
    """Whether what is at ``path`` is what pack or open makes under such a name."""
    if suffix == ".partial":
        return stat.S_ISDIR(mode)
    if not stat.S_ISREG(mode):
        return False
    if suffix == WRITE:
        return True  # any content: a receipt, a letter, an index; the name's check proves it
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        start = os.read(fd, len(_AGE_START))
    except OSError:
        return False
    finally:
        os.close(fd)
    return _AGE_START.startswith(start)


def _proven(entry: os.DirEntry[str], suffix: str, name: str | None) -> int | None:
    """The process number in a name recordpack made with ``suffix`` (for the final name
    ``name``, when given), else None."""
    match = _OWNED.match(entry.name)
    if match is None or match["suffix"] != suffix:
        return None
    if name is not None and match["name"] != os.fsdecode(os.fsencode(name)[:_NAME_BYTES]):
        return None
    pid = int(match["pid"])
    if match["check"] != _check(match["name"], pid, suffix):
        return None
    return pid


def sweep(folder: Path, suffix: str, name: str | None = None) -> LeftoverReport:
    """Remove stale ``.part`` or ``.tmp`` files or ``.partial`` folders of dead recordpack
    runs in ``folder`` (only those for the final name ``name``, when given).

    Only a name recordpack made (marker, process number, random part and the
    check digit that binds them) is considered, only when it is what that name
    holds (a folder; an encrypted bundle's start; a regular file), and never a link.
    """
    removed: list[Path] = []
    kept: list[tuple[Path, str]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return LeftoverReport()
    for entry in entries:
        pid = _proven(entry, suffix, name)
        if pid is None:
            continue
        path = Path(entry.path)
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            kept.append((path, "it belongs to another user"))
            continue
        if not _made_by_recordpack(path, suffix, info.st_mode):
            continue
        if _alive(pid):
            kept.append((path, f"process {pid} may still be using it"))
            continue
        try:
            if suffix == ".partial":
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as error:
            kept.append((path, f"it could not be removed: {error.strerror or error}"))
            continue
        removed.append(path)
    return LeftoverReport(tuple(removed), tuple(kept))
