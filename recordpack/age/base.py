"""What every recipient (encrypt side) and identity (decrypt side) provides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from recordpack.age.format import Stanza


@runtime_checkable
class Recipient(Protocol):
    """Something a file can be encrypted to."""

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Stanzas that let the matching identity recover ``file_key``."""
        ...


@runtime_checkable
class Identity(Protocol):
    """Something that may open a file."""

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """The file key, or None when no stanza is for this identity.

        Raises HeaderError when a stanza of this identity's type is malformed.
        """
        ...
