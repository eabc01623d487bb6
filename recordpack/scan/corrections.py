"""User corrections of a record's kind: ``--label PATH=KIND`` and a corrections file.

The corrections file is CSV with two columns, ``path,kind`` (an optional header
row ``path,kind``; blank lines and lines starting with ``#`` are ignored).
``path`` is relative to the scanned folder, ``/``-separated, as ``recordpack
scan`` prints it (``portal.zip!doc.xml`` for a file inside a zip), or a glob
pattern such as ``MyChart/*.pdf``; a path that names a scanned file exactly is
that file only, even with ``[`` in its name (``paths.exact_pattern``). Quote a
path that contains a comma.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from recordpack.errors import UsageError
from recordpack.model import KINDS, Record
from recordpack.scan.paths import exact_pattern, normalise_typed, pattern_matches

EVIDENCE = "corrected by the user"
#: Evidence of a record whose kind the user confirmed (the same kind, given as a correction).
CONFIRMED = "kind confirmed by the user"


@dataclass(frozen=True)
class Correction:
    """One user correction, remembering where it was written (for error messages)."""

    pattern: str
    kind: str
    origin: str  # e.g. "corrections.csv line 3" or "--label 'a.pdf=lab_result'"

    def matches(self, path: str, scanned: Iterable[str] = ()) -> bool:
        """True when the pattern matches ``path``; a pattern naming one of ``scanned``
        exactly is that path only (``paths.exact_pattern``)."""
        return pattern_matches(exact_pattern(self.pattern, scanned), path)


@dataclass(frozen=True)
class Corrections:
    """An ordered list of corrections; a later one wins over an earlier one."""

    items: tuple[Correction, ...] = ()

    def __add__(self, other: Corrections) -> Corrections:
        return Corrections(self.items + other.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def _correction(path: str, kind: str, origin: str) -> Correction:
    path = normalise_typed(path.strip())
    kind = kind.strip().lower()
    while path.startswith("./"):
        path = path[2:]
    if not path:
        raise UsageError(
            f"{origin}: the path is empty.",
            hint="Write PATH=KIND, e.g. 'report(3).pdf=lab_result'.",
        )
    if kind not in KINDS:
        raise UsageError(
            f"{origin}: '{kind}' is not a record kind.",
            hint="Use one of: " + ", ".join(KINDS) + ".",
        )
    return Correction(path, kind, origin)


def parse_labels(labels: list[str] | tuple[str, ...], *, given_as: str = "label") -> Corrections:
    """Corrections from ``PATH=KIND`` labels (the last ``=`` splits).

    ``given_as`` names where a label came from in messages (a front door may name its option).
    """
    items = []
    for label in labels:
        origin = f"{given_as} '{label}'"
        if "=" not in label:
            raise UsageError(
                f"{origin}: expected PATH=KIND.",
                hint=f"For example: {given_as} 'scan 2.pdf=pathology_report'.",
            )
        path, kind = label.rsplit("=", 1)
        items.append(_correction(path, kind, origin))
    return Corrections(tuple(items))


def parse_corrections(text: str, name: str = "corrections file") -> Corrections:
    """Corrections from the text of a corrections file (format in the module docstring)."""
    items = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] == ["path", "kind"]:
            continue
        origin = f"{name} line {number}"
        if len(cells) != 2:
            raise UsageError(
                f"{origin}: expected two columns, path and kind; found {len(cells)}.",
                hint="Write one correction per line, e.g. report(3).pdf,lab_result (quote paths with commas).",
            )
        items.append(_correction(cells[0], cells[1], origin))
    return Corrections(tuple(items))


#: Largest corrections file read (one short line a file).
MAX_CORRECTIONS_FILE: Final = 4 * 1024 * 1024


def load_corrections(path: str | Path) -> Corrections:
    """Read a corrections file; :class:`UsageError` naming the line for a bad one."""
    from recordpack.textfiles import TooLarge, read_small_text

    try:
        text = read_small_text(Path(path), MAX_CORRECTIONS_FILE)
    except TooLarge:
        raise UsageError(
            f"{path}: this is far too large to be a corrections file "
            f"(at most {MAX_CORRECTIONS_FILE // 1024 // 1024} MB).",
            hint="Give the file of PATH=KIND lines that recordpack's corrections use.",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the corrections file ({error}).") from None
    return parse_corrections(text, name=str(path))


def apply(corrections: Corrections, records: list[Record], correctable: set[str]) -> list[Record]:
    """Records with the user's kinds applied.

    ``correctable`` are files that were read but gave no record (a scanned PDF
    without OCR, say): a correction naming one creates a record of that kind.
    Raises :class:`UsageError` for a correction that matches nothing.
    """
    if not corrections:
        return records
    result = list(records)
    scanned = {path for record in records for path in record.files} | correctable
    for given in corrections.items:
        # A name that exists is that file only, not a glob that also hits another one.
        correction = replace(given, pattern=exact_pattern(given.pattern, scanned))
        matched = False
        for index, record in enumerate(result):
            if any(correction.matches(path) for path in record.files):
                matched = True
                if record.kind != correction.kind:
                    result[index] = replace(
                        record,
                        kind=correction.kind,
                        corrected_from=record.corrected_from or record.kind,
                        confidence=1.0,
                        evidence=(EVIDENCE, *record.evidence),
                    )
                elif record.confidence < 1.0:
                    # The person confirms the kind scan was not sure of: it counts now.
                    result[index] = replace(
                        record, confidence=1.0, evidence=(CONFIRMED, *record.evidence)
                    )
        covered = {path for record in result for path in record.files}
        for path in sorted(correctable - covered):
            if correction.matches(path):
                matched = True
                result.append(
                    Record(
                        kind=correction.kind,
                        title=path.rsplit("/", 1)[-1].rsplit("!", 1)[-1],
                        date=None,
                        files=(path,),
                        confidence=1.0,
                        evidence=(EVIDENCE,),
                        corrected_from="other",
                    )
                )
        if not matched:
            raise UsageError(
                f"{given.origin}: '{given.pattern}' matches no file that was scanned.",
                hint="Use the path exactly as 'recordpack scan' prints it, relative to the folder.",
            )
    return result
