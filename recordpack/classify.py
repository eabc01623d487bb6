"""Text -> kind, title, date and patient, with the evidence for each decision.

Placeholder: the interface other scanners call. Implemented in the scan work.
"""

from __future__ import annotations

from dataclasses import dataclass

from recordpack.model import Patient


@dataclass(frozen=True)
class Classification:
    """What a document's text says it is."""

    kind: str
    title: str
    date: str | None
    patient: Patient
    confidence: float
    evidence: tuple[str, ...]


def classify_text(text: str, *, name: str | None = None) -> Classification:
    """Classify a document from its text (and, weakly, its file name)."""
    return Classification("other", name or "Document", None, Patient(), 0.1, ())
