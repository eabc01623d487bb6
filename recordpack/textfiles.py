"""Small text files a person writes for recordpack (a passphrase, corrections), read with a cap.

Such a file is a few lines; a path given by mistake (``/dev/zero``, a disk image)
must get a clear error, not fill the memory.
"""

from __future__ import annotations

from pathlib import Path


class TooLarge(ValueError):
    """The file is larger than any file of its sort should be."""


def read_small_text(path: Path, limit: int) -> str:
    """``path``'s UTF-8 text without a byte-order mark; :class:`TooLarge` beyond
    ``limit`` bytes, ``OSError`` or ``UnicodeDecodeError`` as reading raises them."""
    with open(path, "rb") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(f"{path} is larger than {limit} bytes")
    return raw.decode("utf-8-sig")
