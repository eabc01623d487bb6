"""Scanning many documents: ``recordpack scan`` next to a ``pdftotext`` loop.

    python benchmarks/make_document_folder.py --documents 2000 /tmp/docs-2000
    python benchmarks/bench_documents.py /tmp/docs-2000 [--rounds 3]

recordpack reads every file of the folder (PDF text layer, C-CDA, FHIR, HL7,
notes), classifies it and finds its date and patient; the peer command only
extracts the text of the folder's PDFs, one ``pdftotext -layout`` process per
file, as a script would. Medians of paired rounds (``paired.py``), warm page
cache, the scan's CPU time (its worker processes included) and peak RSS.

``--web`` times the scan a second way, as ``recordpack ui`` runs it: in a
process whose other threads (the web server's) are running, so that its
workers cannot be forked and are started by a fork server.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import compile_bytecode, load, machine, paired, run

#: The CLI's scan in a process running another thread, as the web app's scans run.
AS_THE_WEB_APP = (
    "import sys, threading\n"
    "from recordpack.cli import main\n"
    "threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
    "main(['scan', '--json', '-q', sys.argv[1]])\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--web", action="store_true", help="also time the scan as the web app runs it")
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
    # The fork server's workers are not the command's children: their CPU is not counted.
    ways = [("`recordpack scan`", ours, "")]
    if args.web:
        web = [sys.executable, "-c", AS_THE_WEB_APP, str(args.folder)]
        ways.append(("as in `recordpack ui`", web, " (main process only)"))
    print("| folder | files | PDFs | how | pdftotext loop | recordpack scan | files/s | scan / loop | scan CPU s | scan peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for how, command, cpu_note in ways:
        result = paired(lambda: run(peer, shell=True), lambda c=command: run(c), rounds=args.rounds)
        print(
            f"| {args.folder.name} | {len(files)} | {len(pdfs)} | {how} | {result.peer_s:.2f} s | "
            f"{result.ours_s:.2f} s | {len(files) / result.ours_s:.0f} | {result.ratio:.2f} | "
            f"{result.ours_cpu:.2f}{cpu_note} | {result.ours_rss / 2**20:.0f} MiB |"
        )
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
