"""Scanning many documents: ``recordpack scan`` next to a ``pdftotext`` loop.

    python benchmarks/make_document_folder.py --documents 2000 /tmp/docs-2000
    python benchmarks/bench_documents.py /tmp/docs-2000 [--rounds 3]

recordpack reads every file of the folder (PDF text layer, C-CDA, FHIR, HL7,
notes), classifies it and finds its date and patient; the peer command only
extracts the text of the folder's PDFs, one ``pdftotext -layout`` process per
file, as a script would. Medians of paired rounds (``paired.py``), warm page
cache, the scan's CPU time (its worker processes included) and peak RSS.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import compile_bytecode, load, machine, paired, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext is not installed (poppler-utils)")
    files = [p for p in args.folder.rglob("*") if p.is_file()]
    pdfs = [p for p in files if p.suffix.lower() == ".pdf"]
    peer = (
        f"find {args.folder} -name '*.pdf' -print0 | sort -z | "
        "xargs -0 -I{} pdftotext -layout -q {} /dev/null"
    )
    ours = [sys.executable, "-m", "recordpack", "scan", "--json", "-q", str(args.folder)]
    compile_bytecode()
    print(f"machine: {machine()}")
    print(f"warm cache; medians of {args.rounds} paired rounds")
    result = paired(lambda: run(peer, shell=True), lambda: run(ours), rounds=args.rounds)
    print("| folder | files | PDFs | pdftotext loop | recordpack scan | files/s | scan / loop | scan CPU s | scan peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.folder.name} | {len(files)} | {len(pdfs)} | {result.peer_s:.2f} s | "
        f"{result.ours_s:.2f} s | {len(files) / result.ours_s:.0f} | {result.ratio:.2f} | "
        f"{result.ours_cpu:.2f} | {result.ours_rss / 2**20:.0f} MiB |"
    )
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
