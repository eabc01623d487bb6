"""Free-text classification: time per document, and the same PDFs through pdftotext.

    python benchmarks/bench_classify.py [--documents 2000] [--pdfs 200]

A mixed folder of ``--documents`` invented records (the development set of
tests/notes_devset.py generated with several seeds, plus the red-team
documents of tests/realworld_docs.py): ``classify_text`` over each, timed per
document (mean, median, 95th percentile, CPU time). Then ``--pdfs`` of them
printed to PDF: recordpack's PDF scanner (text extraction + classification)
and a ``pdftotext -layout`` loop (one process per file, as a shell loop would)
over the same files. Accuracy on the development set (text and PDF) is
printed too, so speed is never bought with wrong answers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recordpack.classify import classify_text  # noqa: E402
from recordpack.scan import pdf  # noqa: E402
from recordpack.scan.base import Document, Source  # noqa: E402
from tests.notes_devset import NOTES, Note, build, note_pdf  # noqa: E402
from tests.realworld_docs import DOCS  # noqa: E402


def documents(count: int) -> list[Note]:
    """``count`` invented records of every kind, in many styles."""
    pool: list[Note] = [Note(d.id, d.kind, d.text) for d in DOCS]
    seed = 1
    while len(pool) < count:
        pool.extend(build(seed))
        seed += 1
    return pool[:count]


def time_classify(notes: list[Note]) -> tuple[list[float], float, float]:
    """Per-document wall times (ms), total CPU seconds, accuracy."""
    times: list[float] = []
    right = 0
    cpu = time.process_time()
    for note in notes:
        start = time.perf_counter()
        got = classify_text(note.text)
        times.append((time.perf_counter() - start) * 1000)
        right += got.kind == note.kind
    return times, time.process_time() - cpu, right / len(notes)


def time_pdfs(notes: list[Note], folder: Path) -> tuple[float, float, float]:
    """recordpack's PDF scanner and a pdftotext loop over the same files: seconds, accuracy."""
    paths = []
    for i, note in enumerate(notes):
        path = folder / f"{i:05d}.pdf"
        path.write_bytes(note_pdf(note))
        paths.append(path)
    right = 0
    start = time.perf_counter()
    for note, path in zip(notes, paths, strict=True):
        [found] = [
            o
            for o in pdf.scan(Source.from_bytes(path.name, path.read_bytes()))
            if isinstance(o, Document)
        ]
        right += found.kind == note.kind
    ours = time.perf_counter() - start
    tool = shutil.which("pdftotext")
    if tool is None:
        return ours, float("nan"), right / len(notes)
    start = time.perf_counter()
    for path in paths:
        subprocess.run([tool, "-layout", str(path), "-"], check=True, stdout=subprocess.DEVNULL)
    return ours, time.perf_counter() - start, right / len(notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--pdfs", type=int, default=200)
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, {os.cpu_count()} CPUs")
    classify_text(NOTES[0].text)  # import and compile once, outside the timing
    notes = documents(args.documents)
    chars = statistics.mean(len(n.text) for n in notes)
    times, cpu, accuracy = time_classify(notes)
    times.sort()
    print(
        f"classify_text: {len(notes)} documents (mean {chars:.0f} characters): "
        f"mean {statistics.mean(times):.2f} ms, median {statistics.median(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95)]:.2f} ms, CPU {cpu / len(notes) * 1000:.2f} ms/document; "
        f"kind right {accuracy:.1%}"
    )
    # Long documents (multi-page records): 20 notes end to end, first one's kind.
    long_notes = [
        Note(f"long-{i}", notes[i].kind, "\n\n".join(n.text for n in notes[i : i + 20]))
        for i in range(0, min(len(notes), 4000), 20)
    ]
    long_times, long_cpu, _ = time_classify(long_notes)
    print(
        f"classify_text: {len(long_notes)} long documents "
        f"(mean {statistics.mean(len(n.text) for n in long_notes):.0f} characters): "
        f"median {statistics.median(long_times):.2f} ms, CPU {long_cpu / len(long_notes) * 1000:.2f} ms/document"
    )
    with tempfile.TemporaryDirectory() as work:
        subset = notes[: args.pdfs]
        ours, poppler, pdf_accuracy = time_pdfs(subset, Path(work))
        print(
            f"{len(subset)} PDFs: recordpack pdf scanner (extract + classify) {ours:.2f} s "
            f"({ours / len(subset) * 1000:.1f} ms/file, kind right {pdf_accuracy:.1%}); "
            f"pdftotext -layout loop {poppler:.2f} s ({poppler / len(subset) * 1000:.1f} ms/file)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
