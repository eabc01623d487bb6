"""Files that appear whole or not at all, and only where recordpack may put them."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from recordpack.bundle.leftovers import WRITE, LeftoverReport, sweep, temporary_file
from recordpack.errors import UsageError

#: What a name that is not a regular file is, worded for a message (checked in order).
_KINDS: Final = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)


def write_atomic(path: Path, data: bytes) -> LeftoverReport:
    """Write ``data`` to ``path`` all at once: a temporary file beside it (readable only
    by its owner), flushed to disk, then a rename.

    The temporary's name says it is recordpack's and which process wrote it
    (``.NAME.recordpack-tmp-PID-RANDOM-CHECK.tmp``). A write killed outright
    (``kill -9``, a power cut) leaves it behind: the next write of the same name
    first removes every such leftover of a process that no longer runs, and
    returns what it removed and what it had to keep (see
    :mod:`recordpack.bundle.leftovers`).
    """
    leftovers = sweep(path.parent, WRITE, path.name)
    temporary, fd = temporary_file(path.parent, path.name, WRITE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return leftovers


#: What :func:`existing_kind` calls a regular file.
REGULAR_FILE: Final = "a regular file"


def existing_kind(path: Path) -> str | None:
    """What is at ``path`` (not following a link), worded: "a regular file", "a folder",
    "a named pipe"...; None when nothing is."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError:
        return REGULAR_FILE  # cannot be looked at: treat as present, the write itself will tell
    if stat.S_ISREG(mode):
        return REGULAR_FILE
    return next((word for test, word in _KINDS if test(mode)), "not a regular file")


def replaceable(path: Path) -> bool:
    """Whether something is already at ``path``: False when nothing is, True for a
    regular file (which ``--force`` may replace).

    Raises ``UsageError`` for anything else there (a folder, a symbolic link, a
    device, a named pipe, a socket): recordpack never replaces those, forced or not.
    """
    kind = existing_kind(path)
    if kind is None or kind == REGULAR_FILE:
        return kind is not None
    raise UsageError(
        f"{path} is {kind}; recordpack only ever replaces a regular file",
        hint="Choose another name.",
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or anywhere under it, by whatever name.

    Compares identities (device and inode), not spellings: a link, a bind mount or
    another alias of the folder (or of a folder above it) is seen through.
    """
    target = _identity(folder)
    if target is None:
        return False
    if _identity(path) == target:
        return True
    parent = Path(os.path.realpath(Path(os.path.abspath(path)).parent))
    return any(_identity(above) == target for above in (parent, *parent.parents))


def same_place(first: Path, second: Path) -> bool:
    """Whether two names would write the same file: the same name in the same folder
    (by the folder's identity), or two names of one existing file."""
    try:
        if os.path.samefile(first, second):
            return True
    except OSError:
        pass
    if first.name != second.name:
        return False
    one, other = _identity(first.absolute().parent), _identity(second.absolute().parent)
    return one is not None and one == other
