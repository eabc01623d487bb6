"""One recordpack command under two installations, paired: did a change make it faster?

    python -m venv /tmp/before && /tmp/before/bin/pip install .   # at the old commit
    python -m venv /tmp/after && /tmp/after/bin/pip install .     # at the new one
    python benchmarks/compare.py /tmp/before/bin/python /tmp/after/bin/python \\
        --rounds 7 -- scan --json -q /tmp/ct-10k

Each round runs ``PYTHON -m recordpack ARGS...`` with both interpreters, the
order alternating (``paired.py``), and prints the medians, the median of the
per-round ratios (after / before) and each side's CPU time and peak RSS. Both
commands run with ``PYTHONSAFEPATH=1``, so each times the recordpack its own
venv has installed, never a checkout in the working directory, and with
``RECORDPACK_DATA_DIR`` in a temporary folder (pack's audit log). A command that
writes a file (``pack -o OUT``) gets ``--clear OUT``, removed before each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import load, machine, paired, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], usage="%(prog)s BEFORE AFTER [--rounds N] [--clear FILE] -- ARGS..."
    )
    parser.add_argument("before", help="the Python of the installation to compare against")
    parser.add_argument("after", help="the Python of the installation under test")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clear", type=Path, default=None, help="a file to remove before each run")
    argv = sys.argv[1:] if argv is None else argv
    if "--" not in argv:
        parser.error("give recordpack's arguments after --")
    cut = argv.index("--")
    options, args = parser.parse_args(argv[:cut]), argv[cut + 1 :]
    if not args:
        parser.error("give recordpack's arguments after --")

    def clear() -> None:
        if options.clear is not None:
            options.clear.unlink(missing_ok=True)

    def command(python: str) -> list[str]:
        return [python, "-m", "recordpack", *args]

    print(f"machine: {machine()}")
    state = Path(tempfile.mkdtemp(prefix="recordpack-compare-"))
    os.environ["RECORDPACK_DATA_DIR"] = str(state)  # the audit log, not the user's own
    try:
        result = paired(
            lambda: run(command(options.before), setup=clear),
            lambda: run(command(options.after), setup=clear),
            rounds=options.rounds,
        )
    finally:
        clear()
        shutil.rmtree(state, ignore_errors=True)
    before_cpu = sorted(r.cpu_seconds for r in result.peer)[len(result.peer) // 2]
    print(f"recordpack {' '.join(args)}: medians of {options.rounds} paired rounds")
    print("| | time | CPU s | peak RSS |")
    print("|---|---|---|---|")
    print(f"| before | {result.peer_s:.3f} s | {before_cpu:.2f} | {result.peer_rss / 2**20:.0f} MiB |")
    print(f"| after | {result.ours_s:.3f} s | {result.ours_cpu:.2f} | {result.ours_rss / 2**20:.0f} MiB |")
    print(f"after / before: {result.ratio:.3f} (median of the rounds' ratios)")
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
