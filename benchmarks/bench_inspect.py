"""``recordpack inspect`` on a bundle of many files, and ``recordpack --help``.

    python benchmarks/make_imaging_folder.py --files 10000 --rows 64 /tmp/ct-10k
    python benchmarks/bench_inspect.py /tmp/ct-10k [--rounds 7]

Packs the folder once (10,000 small CT slices with real 256-element headers),
then times the whole ``recordpack inspect BUNDLE -i KEY --json`` command
(Python start-up included: it decrypts only the chunks holding the ZIP's
central directory and index.json, and checks the index's schema and every
member name) and ``recordpack --help``: medians of ``--rounds`` runs, with
the peak RSS of each command.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import compile_bytecode, load, machine, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    from recordpack import age

    identity = age.X25519Identity.generate()
    work = Path(tempfile.mkdtemp(prefix="recordpack-bench-"))
    os.environ["RECORDPACK_DATA_DIR"] = str(work / "state")
    try:
        key = work / "key.txt"
        key.write_text(str(identity) + "\n")
        bundle = work / "bundle.rpk"
        rp = [sys.executable, "-m", "recordpack"]
        run([*rp, "pack", str(args.folder), "-o", str(bundle), "--to", str(identity.recipient()), "-q"])
        files = sum(1 for p in args.folder.rglob("*") if p.is_file())
        compile_bytecode()
        print(f"machine: {machine()}")
        print(f"medians of {args.rounds} runs, warm page cache; bundle of {files:,} files, "
              f"{bundle.stat().st_size / 1e6:.0f} MB")
        print("| command | time | peak RSS |")
        print("|---|---|---|")
        for label, command in (
            ("recordpack inspect --json", [*rp, "inspect", str(bundle), "-i", str(key), "--json"]),
            ("recordpack --help", [*rp, "--help"]),
        ):
            run(command)  # warm-up
            runs = [run(command) for _ in range(args.rounds)]
            seconds = statistics.median(r.seconds for r in runs)
            rss = max(r.peak_rss for r in runs)
            print(f"| {label} | {seconds:.2f} s | {rss / 2**20:.0f} MiB |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
