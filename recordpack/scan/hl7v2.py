"""Scanner for hl7v2 files (placeholder until implemented)."""

from __future__ import annotations

from recordpack.scan.base import Outcome, Source

FORMAT = "hl7v2"


def sniff(source: Source) -> bool:
    """Whether this scanner should read the file."""
    return False


def scan(source: Source) -> list[Outcome]:
    """Read the file and say what it is."""
    return []
