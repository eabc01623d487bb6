"""``recordpack batch`` over 20 patients against a sequential loop of ``recordpack pack``.

    python benchmarks/bench_batch.py [--patients 20] [--rounds 3]

Each patient's folder is made by ``examples/synthetic.py`` (invented people:
PDF reports, a C-CDA, FHIR, HL7 and a DICOM CD). The loop is what a
coordinator wrote before ``batch``: one ``recordpack pack`` per folder, one
after another. ``batch`` runs the same packs on worker processes (``-j``, one
per core). Paired and reported as ``benchmarks/paired.py`` describes; peak RSS
is the largest single process's (the main process or one worker).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from paired import compile_bytecode, load, machine, paired, run  # noqa: E402


def make_patients(root: Path, count: int) -> list[Path]:
    from dataclasses import replace

    from examples.synthetic import CANCERS, INVENTED_PEOPLE, make_patient_folder

    folders = []
    for n in range(count):
        cancer = CANCERS[n % len(CANCERS)]
        base = INVENTED_PEOPLE[n % len(INVENTED_PEOPLE)]
        person = replace(base, mrn=f"{base.mrn}{n:02d}")  # twenty patients, eight invented names
        folder = root / f"patient-{n:02d}"
        make_patient_folder(folder, person=person, cancer=cancer, seed=n)
        folders.append(folder)
    return folders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from recordpack import age

    work = Path(tempfile.mkdtemp(prefix="recordpack-bench-batch-"))
    os.environ["RECORDPACK_DATA_DIR"] = str(work / "state")
    recipient = str(age.X25519Identity.generate().recipient())
    folders = make_patients(work / "patients", args.patients)
    size = sum(p.stat().st_size for f in folders for p in f.rglob("*") if p.is_file())
    roster = work / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["folder", "recipient", "name", "accept_other_patient", "accept_incomplete"])
        for folder in folders:
            writer.writerow([str(folder), recipient, folder.name, "no", "yes"])
    out_loop, out_batch = work / "loop", work / "batch"

    def fresh(folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()

    loop = " && ".join(
        f'"{sys.executable}" -m recordpack pack "{f}" -o "{out_loop / (f.name + ".rpk")}" '
        f"--to {recipient} --accept-incomplete -q"
        for f in folders
    )
    batch = [sys.executable, "-m", "recordpack", "batch", str(roster), "-o", str(out_batch), "-q"]
    compile_bytecode()
    print(f"machine: {machine()}")
    print(f"{args.patients} patients, {size / 1e6:.1f} MB in all; medians of {args.rounds} paired rounds")
    try:
        result = paired(
            lambda: run(loop, shell=True, setup=lambda: fresh(out_loop)),
            lambda: run(batch, setup=lambda: fresh(out_batch)),
            rounds=args.rounds,
        )
    finally:
        print("| command | time | peak RSS |")
        print("|---|---|---|")
    print(f"| sequential loop of recordpack pack | {result.peer_s:.2f} s | {result.peer_rss / 2**20:.0f} MiB |")
    print(f"| recordpack batch -j {os.cpu_count()} | {result.ours_s:.2f} s | {result.ours_rss / 2**20:.0f} MiB |")
    print(f"batch / loop: {result.ratio:.2f}")
    print(f"load average after: {load()}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
