"""Scan throughput next to ``sha256sum`` over the same files, and peak memory.

    python benchmarks/bench_scan.py FOLDER [FOLDER ...]

For each folder: ``sha256sum`` over every regular file (sorted, via xargs) and
``recordpack scan --json -q`` (which reads, hashes and parses every file), each
run twice in a fresh process; the second (warm page cache) run is reported.
Peak RSS is the child process's maximum resident set (``wait4``). Give two
folders of different sizes (see make_imaging_folder.py) to see that memory
stays flat as the folder grows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _run(command: list[str], stdin: bytes | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one child process; output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    if stdin is not None and process.stdin is not None:
        process.stdin.write(stdin)
    if process.stdin is not None:
        process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {error}")
    return elapsed, usage.ru_maxrss * 1024


def bench(folder: Path) -> dict[str, float]:
    """Warm figures for one folder."""
    files = _files(folder)
    total = sum(p.stat().st_size for p in files)
    listing = b"\0".join(str(p).encode() for p in files)
    sha = shutil.which("sha256sum")
    if sha is None:
        raise SystemExit("sha256sum is not installed (coreutils)")
    hash_cmd = ["xargs", "-0", sha]
    scan_cmd = [sys.executable, "-m", "recordpack", "scan", "--json", "-q", str(folder)]
    runs = {
        "sha": [_run(hash_cmd, listing) for _ in range(2)],
        "scan": [_run(scan_cmd) for _ in range(2)],
    }
    sha_time, sha_rss = runs["sha"][-1]
    scan_time, _ = runs["scan"][-1]
    scan_rss = max(rss for _, rss in runs["scan"])
    return {
        "files": len(files),
        "mb": total / 1e6,
        "sha_s": sha_time,
        "sha_mbs": total / 1e6 / sha_time,
        "sha_rss": sha_rss / 2**20,
        "scan_s": scan_time,
        "scan_mbs": total / 1e6 / scan_time,
        "scan_rss": scan_rss / 2**20,
        "ratio": sha_time / scan_time,
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        "| folder | files | MB | sha256sum | recordpack scan | scan / sha256sum | scan peak RSS |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in argv:
        r = bench(Path(name))
        print(
            f"| {Path(name).name} | {r['files']:.0f} | {r['mb']:.0f} | {r['sha_s']:.2f} s, "
            f"{r['sha_mbs']:.0f} MB/s | {r['scan_s']:.2f} s, {r['scan_mbs']:.0f} MB/s | "
            f"{r['ratio']:.0%} | {r['scan_rss']:.0f} MiB |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
