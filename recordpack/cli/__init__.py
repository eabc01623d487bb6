"""The recordpack command line: a thin layer over the library.

Each command lives in its own module and registers itself on :data:`main`.
"""

from recordpack.cli import check_cmd, keys_cmd, open_cmd, pack_cmd, scan_cmd  # noqa: F401  (registration)
from recordpack.cli.base import main

__all__ = ["main"]
