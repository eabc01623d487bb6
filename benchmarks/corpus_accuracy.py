"""Kind accuracy of ``recordpack scan`` on the public corpus (``../shared/corpus/labels.csv``).

    python benchmarks/corpus_accuracy.py [CORPUS]

Counted: every labelled file except those the scanner skips by design
(DICOMDIR indexes) and those it reports as unreadable for a reason a person can
fix (damaged, password-protected, image-only without OCR): files with a
readable text layer or structure. A labelled file that gives no record, or only
an ``unsupported`` problem, counts as a miss. A file that yields several
records (a FHIR Bundle) is right when one of them has the labelled kind;
``strict`` counts it right only when all of them do.
"""

from __future__ import annotations

import csv
import sys
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from recordpack.model import ScanResult
from recordpack.scan import scan_folder

#: Problem codes that exclude a file from the figure: no text layer or structure to judge.
EXCLUDING_CODES = frozenset({"unreadable", "encrypted", "no_text"})


@dataclass
class Accuracy:
    """Counts overall and per top-level corpus folder, with the misses named."""

    total: int = 0
    correct: int = 0
    strict: int = 0
    by_format: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # path, expected, got
    excluded: list[tuple[str, str]] = field(default_factory=list)  # path, why

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0


def labels(corpus: Path) -> dict[str, str]:
    """path -> kind from labels.csv."""
    with (corpus / "labels.csv").open(newline="", encoding="utf-8") as stream:
        return {row["path"]: row["kind"] for row in csv.DictReader(stream)}


def evaluate(corpus: Path, result: ScanResult | None = None) -> Accuracy:
    """Scan the corpus (unless a result is given) and compare kinds with labels.csv."""
    if result is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = scan_folder(corpus)
    kinds: dict[str, list[str]] = defaultdict(list)
    for record in result.records:
        for path in record.files:
            kinds[path].append(record.kind)
    skipped = {s.path: s.reason for s in result.skipped}
    problems: dict[str, list[str]] = defaultdict(list)
    for problem in result.problems:
        problems[problem.path].append(problem.code)
    accuracy = Accuracy()
    for path, expected in sorted(labels(corpus).items()):
        got = kinds.get(path, [])
        if path in skipped:
            accuracy.excluded.append((path, f"skipped: {skipped[path]}"))
            continue
        if not got and EXCLUDING_CODES & set(problems.get(path, [])):
            accuracy.excluded.append((path, "problem: " + ", ".join(problems[path])))
            continue
        fmt = path.split("/", 1)[0]
        accuracy.total += 1
        accuracy.by_format[fmt][1] += 1
        if expected in got:
            accuracy.correct += 1
            accuracy.by_format[fmt][0] += 1
            accuracy.strict += all(kind == expected for kind in got)
        else:
            shown = ", ".join(f"{k} x{n}" if n > 1 else k for k, n in Counter(got).items())
            accuracy.misses.append(
                (path, expected, shown or "no record: " + ", ".join(problems.get(path, [])))
            )
    return accuracy


def report(accuracy: Accuracy) -> str:
    """The figures as printed by the script."""
    lines = [
        (
            f"kind accuracy: {accuracy.correct}/{accuracy.total} = {accuracy.ratio:.1%} "
            f"(strict: {accuracy.strict}/{accuracy.total})"
        ),
        "per format:",
    ]
    for fmt, (right, total) in sorted(accuracy.by_format.items()):
        lines.append(f"  {fmt:8} {right}/{total} = {right / total:.1%}")
    lines.append(f"misclassified ({len(accuracy.misses)}):")
    lines += [
        f"  {path}: expected {expected}, got {got}" for path, expected, got in accuracy.misses
    ]
    lines.append(f"excluded ({len(accuracy.excluded)}):")
    lines += [f"  {path}: {why}" for path, why in accuracy.excluded]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
    corpus = Path(argv[0]) if argv else default
    print(report(evaluate(corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
