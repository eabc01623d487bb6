"""Scanner for text files (placeholder until implemented)."""

from __future__ import annotations

from recordpack.scan.base import Outcome, Source

FORMAT = "text"


def sniff(source: Source) -> bool:
    """Whether this scanner should read the file."""
    return False


def scan(source: Source) -> list[Outcome]:
    """Read the file and say what it is."""
    return []
