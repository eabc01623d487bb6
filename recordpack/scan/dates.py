"""The folder's date order: a UK folder's ambiguous dates are read day first.

A document's own dates usually say how it writes them (23/04/2025 can only be
day first), and so do signs of its origin (an NHS number). A short letter
with only 03/04/2025 and no such sign is read month first, as in the US. When
the rest of its folder clearly writes dates day first, that letter is from the
same place: its dates (service date and birth date) are read again day first,
and its evidence says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Final

from recordpack.classify import DAY_FIRST, MONTH_FIRST, read_day_first
from recordpack.scan.base import Document

#: Documents (files) that must show day-first dates by their own evidence
#: before the folder's undecided ones are read day first.
MIN_DAY_FIRST_FILES: Final = 3

#: What the evidence of a re-read document says.
FOLDER_EVIDENCE: Final = "date read day-first like the rest of the folder"


def folder_date_order(documents: Sequence[Document]) -> str | None:
    """``"day_first"`` when the folder clearly leans that way, else None.

    Clearly: at least :data:`MIN_DAY_FIRST_FILES` files decided day first by
    their own evidence, and not one decided month first (a mixed folder, such
    as a US patient with one UK letter, keeps each document's own reading).
    """
    day = {d.path for d in documents if d.date_order == DAY_FIRST}
    month = {d.path for d in documents if d.date_order == MONTH_FIRST}
    if len(day) >= MIN_DAY_FIRST_FILES and not month:
        return DAY_FIRST
    return None


def apply_folder_date_order(documents: Sequence[Document]) -> list[Document]:
    """The documents, with undecided ones read day first when the folder is day first."""
    if folder_date_order(documents) != DAY_FIRST:
        return list(documents)
    return [_read_day_first(d) if d.date_order is None else d for d in documents]


def _read_day_first(document: Document) -> Document:
    changes: dict[str, Any] = {"date_order": DAY_FIRST}
    if not document.text:
        return replace(document, **changes)
    reading = read_day_first(document.text, document.kind)
    evidence = document.evidence
    old = document.date
    # An undated document may be undated only because its month-first
    # reading (12/11/2026 as 11 December) lay in the future.
    rereadable = document.date_ambiguous or old is None
    if rereadable and reading.date is not None and reading.date != old:
        changes["date"] = reading.date
        changes["date_ambiguous"] = False
        # The evidence named the date as first read (or why there was none); name it as read now.
        evidence = tuple(
            reading.how if reading.how and e.startswith("date") and (old is None or old in e) else e
            for e in evidence
        )
        if reading.how and reading.how not in evidence:
            evidence += (reading.how,)
    birth = document.patient.birth_date
    if (
        birth is not None
        and birth == reading.birth_date_month_first
        and reading.birth_date_day_first not in (None, birth)
    ):
        changes["patient"] = replace(document.patient, birth_date=reading.birth_date_day_first)
    if len(changes) > 1:
        evidence += (FOLDER_EVIDENCE,)
    return replace(document, **changes, evidence=evidence)
