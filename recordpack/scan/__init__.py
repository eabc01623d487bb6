"""Folder -> records: the walker and one scanner module per source format.

Public API::

    scan_folder(root, *, corrections=None, progress=None) -> ScanResult
    Corrections, load_corrections(path), parse_labels(["a.pdf=lab_result"])
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from recordpack.identity import refine_study_problems
from recordpack.model import KINDS, UNREADABLE, Problem, Record, ScanResult, Skipped
from recordpack.scan.base import DicomHeader, Document
from recordpack.scan.corrections import (
    Corrections,
    apply,
    load_corrections,
    parse_corrections,
    parse_labels,
)
from recordpack.scan.paths import to_path_form

if TYPE_CHECKING:
    from recordpack.scan.walk import Cancellable

__all__ = [
    "Corrections",
    "load_corrections",
    "parse_corrections",
    "parse_labels",
    "record_sort_key",
    "scan_folder",
]

_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}


def record_sort_key(record: Record) -> tuple[int, bool, str, str]:
    """Kind order (model.KINDS), then date (undated last), then first path."""
    return (
        _KIND_ORDER.get(record.kind, len(KINDS)),
        record.date is None,
        record.date or "",
        record.files[0] if record.files else "",
    )


def _document_record(document: Document) -> Record:
    return Record(
        kind=document.kind,
        title=document.title,
        date=document.date,
        files=(document.path,),
        patient=document.patient,
        confidence=document.confidence,
        evidence=document.evidence,
        format=document.format,
        text=document.text,
        date_order=document.date_order,
        status=document.status,
    )


def scan_folder(
    root: str | Path,
    *,
    corrections: Corrections | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Cancellable | None = None,
) -> ScanResult:
    """Scan a folder of medical records without changing anything in it.

    Every file is read once (hashed, sniffed, scanned by its format; a DICOM
    image only as far as its header, see ``walk.read_file``); DICOM
    images become one ``imaging_study`` record per study; exact duplicates are
    reported once. ``progress(files_done, files_total)`` is called as files are
    done. ``cancel.raise_if_cancelled()`` is called while a file takes long (a
    Ctrl-C stops the scan within a fraction of a second, whatever file is being
    read). Raises :class:`~recordpack.errors.InputError` when ``root`` is not a
    readable folder and :class:`~recordpack.errors.UsageError` for a correction
    that names an unknown kind or matches no file.
    """
    from recordpack.scan import dates, studies, walk

    folder = walk.check_root(root)
    listing = walk.list_folder(folder)
    if progress is not None:
        progress(0, len(listing.files))
    collected = walk.collect(
        walk.read_items(listing.files, progress, cancel, large_files=len(listing.large))
    )

    headers: list[DicomHeader] = []
    documents: list[Document] = []
    records: list[Record] = []
    problems: list[Problem] = list(listing.problems)
    skipped: list[Skipped] = list(listing.skipped)
    for outcome in collected.outcomes:
        if isinstance(outcome, DicomHeader):
            headers.append(outcome)
        elif isinstance(outcome, Document):
            documents.append(outcome)
        elif isinstance(outcome, Problem):
            problems.append(outcome)
        else:
            skipped.append(outcome)
    # Only now is the whole folder known: it may decide how undecided dates read.
    records.extend(_document_record(d) for d in dates.apply_folder_date_order(documents))
    # An image whose data scan found damaged stays in its study, but not as an image.
    damaged = {p.path for p in problems if p.code == UNREADABLE}
    study_records, study_problems = studies.group_studies(headers, damaged)
    records.extend(study_records)
    problems.extend(refine_study_problems(study_problems, records))

    if corrections:
        with_record = {path for record in records for path in record.files}
        records = apply(corrections, records, collected.scanned - with_record)
        # A paper skipped as "not a medical record" that the user labelled is one now,
        # and its copies are duplicates of it.
        skipped, copies = walk.relabel_copies(
            collected, skipped, (path for record in records for path in record.files)
        )
        problems.extend(copies)

    # Only now is it known which archives pack sends: their members' notes say so.
    problems, skipped = walk.settle_archives(
        (path for record in records for path in record.files), problems, skipped
    )
    records.sort(key=record_sort_key)
    problems.sort(key=lambda p: p.path)
    skipped.sort(key=lambda s: s.path)
    return ScanResult(
        # In path form (valid UTF-8 even for a folder named in Latin-1); pack maps it back.
        root=to_path_form(str(root)),
        records=tuple(records),
        problems=tuple(problems),
        skipped=tuple(skipped),
        files=collected.files,
    )
