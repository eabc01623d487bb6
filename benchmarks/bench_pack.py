"""The whole ``recordpack pack`` command against ``zip -r -0 | age -r``: medians of paired runs.

What a power user would type without recordpack::

    zip -q -r -0 - FOLDER | age -r age1... > out.age

    python benchmarks/make_imaging_folder.py --size-gb 1 /tmp/ct-1g
    python benchmarks/bench_pack.py /tmp/ct-1g [--rounds 5]

Both write to a file in ``--work`` (default: a temporary folder on the same
disk as the system's temporary files). recordpack's time includes its scan
(headers parsed; DICOM pixel data is not read by the scan), the check of whose
records these are, the pack (each byte read once: SHA-256, CRC-32, encrypt,
write) and the final fsync. The pipeline does no fsync, so it is timed twice:
as typed, and followed by ``sync FILE`` (durable, as pack's bundle is). Paired
and reported as ``benchmarks/paired.py`` describes; peak RSS is the largest
process's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import compile_bytecode, load, machine, paired, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="where the bundles are written")
    args = parser.parse_args(argv)
    for tool in ("zip", "age"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    from recordpack import age

    recipient = str(age.X25519Identity.generate().recipient())
    work = Path(tempfile.mkdtemp(prefix="recordpack-bench-", dir=args.work))
    os.environ["RECORDPACK_DATA_DIR"] = str(work / "state")  # the audit log goes here
    out = work / "out.rpk"

    def clear() -> None:
        out.unlink(missing_ok=True)

    compile_bytecode()
    print(f"machine: {machine()}")
    print(f"medians of {args.rounds} paired rounds, warm page cache")
    print("| folder | files | MB | peer command | peer | recordpack pack | pack / peer | pack CPU s | pack peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    try:
        for folder in args.folders:
            folder = folder.resolve()
            files = [p for p in folder.rglob("*") if p.is_file()]
            total = sum(p.stat().st_size for p in files)
            pipeline = f'cd "{folder.parent}" && zip -q -r -0 - "{folder.name}" | age -r {recipient} > "{out}"'
            # pack makes its bundle durable (fsync) before it names it; the pipeline
            # does not, so it is timed both as typed and followed by `sync FILE`.
            peers = (("zip -r -0 \\| age -r", pipeline), ("the same, then sync FILE", f'{pipeline} && sync "{out}"'))
            ours = [sys.executable, "-m", "recordpack", "pack", str(folder), "-o", str(out),
                    "--to", recipient, "-q"]  # fmt: skip
            for label, peer in peers:
                result = paired(
                    lambda peer=peer: run(peer, shell=True, setup=clear),
                    lambda ours=ours: run(ours, setup=clear),
                    rounds=args.rounds,
                )
                print(
                    f"| {folder.name} | {len(files)} | {total / 1e6:.0f} | {label} | {result.peer_s:.2f} s | "
                    f"{result.ours_s:.2f} s, {total / 1e6 / result.ours_s:.0f} MB/s | {result.ratio:.2f} | "
                    f"{result.ours_cpu:.2f} | {result.ours_rss / 2**20:.0f} MiB |"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
