"""The recordpack command line: a thin layer over the library.

Each command lives in its own module and registers itself on :data:`main`;
:class:`~recordpack.cli.base.LazyGroup` imports a module only when needed.
"""

from recordpack.cli.base import main

__all__ = ["main"]
