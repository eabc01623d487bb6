"""A folder of real PDFs: the public corpus's PDFs, each copied many times.

    python benchmarks/make_real_pdf_folder.py --copies 30 /tmp/real-pdfs
    python benchmarks/bench_documents.py /tmp/real-pdfs --rounds 3

The generated document folder (``make_document_folder.py``) prints one-page
reports with a few text runs each. Records that reach a patient are often
longer, and many are scans made searchable by OCR, whose text layer places
each word or glyph on its own: text extraction then costs several times as
much a page. This folder times what such files cost: the PDFs of
``../shared/corpus`` (pathology reports from TCGA, OCR'd by Acrobat, and other
public documents; see its ``SOURCES.md``), copied ``--copies`` times.

Each copy ends with one PDF comment line naming its copy (``%% copy 7``),
after the file's ``%%EOF``, where readers ignore it: every copy is still the
same document, but no two files are byte-identical, so none is set aside as
a duplicate. The corpus itself is read, never changed, and its files stay
out of this repository: this script reads them from beside the project.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def copy_pdfs(corpus: Path, out: Path, copies: int) -> int:
    """Write ``copies`` marked copies of every PDF under ``corpus`` into ``out``; returns the count."""
    sources = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    if not sources:
        raise SystemExit(f"no PDF under {corpus}")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    for copy in range(copies):
        for source in sources:
            data = source.read_bytes()
            (out / f"{copy:03d}-{source.name}").write_bytes(data + b"\n%% copy %d\n" % copy)
    return copies * len(sources)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must be absent or empty)")
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="default: ../shared/corpus")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        raise SystemExit(f"{args.corpus} is absent: this benchmark needs the shared corpus")
    count = copy_pdfs(args.corpus, args.out, args.copies)
    print(f"{count} PDFs in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
