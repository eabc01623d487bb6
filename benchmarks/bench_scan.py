"""Scan time next to ``sha256sum`` over the same files: medians of paired runs, peak memory.

    python benchmarks/make_imaging_folder.py --size-gb 1 /tmp/ct-1g
    python benchmarks/bench_scan.py /tmp/ct-1g [--rounds 5] [--cold]

For each folder: coreutils ``sha256sum`` over every regular file (sorted, via
xargs) and ``recordpack scan --json -q`` (which reads, hashes and parses every
file), paired as ``benchmarks/paired.py`` describes. Warm page cache by
default; ``--cold`` empties it before every run (needs root). Give two folders
of different sizes to see that memory stays flat as the folder grows.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import compile_bytecode, drop_caches, load, machine, paired, run


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(files), sum(p.stat().st_size for p in files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="empty the page cache before each run")
    args = parser.parse_args(argv)
    sha = shutil.which("sha256sum")
    if sha is None:
        raise SystemExit("sha256sum is not installed (coreutils)")
    setup = drop_caches if args.cold else None
    compile_bytecode()
    print(f"machine: {machine()}")
    print(f"cache: {'cold' if args.cold else 'warm'}; medians of {args.rounds} paired rounds")
    print("| folder | files | MB | sha256sum | recordpack scan | scan / sha256sum | scan CPU s | scan peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for folder in args.folders:
        files, total = _size(folder)
        peer = f"find {folder} -type f -print0 | sort -z | xargs -0 {sha} > /dev/null"
        ours = [sys.executable, "-m", "recordpack", "scan", "--json", "-q", str(folder)]
        result = paired(
            lambda peer=peer: run(peer, shell=True, setup=setup),
            lambda ours=ours: run(ours, setup=setup),
            rounds=args.rounds,
        )
        print(
            f"| {folder.name} | {files} | {total / 1e6:.0f} | {result.peer_s:.2f} s | "
            f"{result.ours_s:.2f} s, {total / 1e6 / result.ours_s:.0f} MB/s | {result.ratio:.2f} | "
            f"{result.ours_cpu:.2f} | {result.ours_rss / 2**20:.0f} MiB |"
        )
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
