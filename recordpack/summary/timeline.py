"""Every record of a bundle by date, across kinds, so the case reads top to bottom."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def build_timeline(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timeline entries from ``index.json`` records: dated ones oldest first, then undated.

    Each entry names the record (its index in ``records``), its kind, title and
    the file a reader opens (the DICOMDIR for an imaging study in the file-set).
    """
    entries: list[dict[str, Any]] = []
    for number, record in enumerate(records):
        study = record.get("study") or {}
        files = record.get("files") or []
        entries.append(
            {
                "date": record.get("date"),
                "kind": record.get("kind"),
                "title": record.get("title"),
                "record": number,
                "path": study.get("dicomdir") or (files[0] if files else None),
            }
        )
    entries.sort(key=lambda e: (e["date"] is None, e["date"] or "", e["record"]))
    return entries
