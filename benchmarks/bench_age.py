"""Benchmark: recordpack's age encryption and decryption against the ``age`` tool.

Encrypts and decrypts one file (1 GiB by default) to an X25519 key with both
implementations, each run in its own child process, and reports throughput (MB/s,
10^6 bytes per second of wall time) and the child's peak resident memory.

    python benchmarks/bench_age.py                 # 1 GiB in a temporary folder
    python benchmarks/bench_age.py --size-mib 256 --dir /var/tmp --repeat 3

The files are written to disk and read back, as in real use; run it on an idle
machine for stable figures (the page cache usually holds files this size).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1024 * 1024


def child(mode: str, source: str, target: str, key: str) -> None:
    """Run one operation in this (child) process and print its own timings as JSON.

    Importing recordpack (which pulls in pydicom and numpy for the rest of the
    package) costs a fixed few hundred milliseconds and MiB; timing the operation
    itself keeps that constant out of the throughput figure.
    """
    from recordpack import age

    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    with open(source, "rb") as src, open(target, "wb") as dst:
        if mode == "encrypt":
            with age.encrypt_writer(dst, [age.parse_recipient(key)]) as writer:
                buffer = bytearray(BLOCK)
                view = memoryview(buffer)
                while n := src.readinto(buffer):
                    writer.write(view[:n])
        else:
            reader = age.decrypt_reader(src, age.load_identities(key))
            shutil.copyfileobj(reader, dst, BLOCK)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_before": before.ru_maxrss * 1024}))


@dataclass
class Run:
    wall: float  # seconds of the operation (whole process for age: it starts in ~1 ms)
    cpu: float  # user + system seconds of the operation
    rss: int  # peak resident bytes of the process
    rss_before: int  # resident bytes before the operation started (recordpack only)


def measure(argv: list[str]) -> Run:
    """Run one child process and measure it."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE)
    assert process.stdout is not None
    report = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed with exit code {os.waitstatus_to_exitcode(status)}")
    rss = usage.ru_maxrss * 1024  # Linux reports KiB
    if report.strip():
        own = json.loads(report)
        return Run(own["wall"], own["cpu"], rss, own["rss_before"])
    return Run(elapsed, usage.ru_utime + usage.ru_stime, rss, 0)


def make_input(path: Path, size: int) -> None:
    block = os.urandom(BLOCK)
    with path.open("wb") as out:
        for offset in range(0, size, BLOCK):
            out.write(block[: min(BLOCK, size - offset)])


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size-mib", type=int, default=1024, help="file size in MiB (default 1024)"
    )
    parser.add_argument("--dir", type=Path, default=None, help="folder for the temporary files")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; best is kept")
    args = parser.parse_args()

    age_tool, keygen = shutil.which("age"), shutil.which("age-keygen")
    if not age_tool or not keygen:
        raise SystemExit("age and age-keygen are needed (apt-get install age)")
    size = args.size_mib * BLOCK
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-age-") as tmp:
        folder = Path(tmp)
        plain, key = folder / "plain.bin", folder / "key.txt"
        subprocess.run([keygen, "-o", str(key)], check=True, capture_output=True)
        recipient = subprocess.run(
            [keygen, "-y", str(key)], check=True, capture_output=True, text=True
        ).stdout.strip()
        make_input(plain, size)
        ours_enc, ours_dec = folder / "ours.age", folder / "ours.out"
        ref_enc, ref_dec = folder / "age.age", folder / "age.out"
        runs = {
            ("encrypt", "age"): [age_tool, "-r", recipient, "-o", str(ref_enc), str(plain)],
            ("encrypt", "recordpack"): [*me, "encrypt", str(plain), str(ours_enc), recipient],
            ("decrypt", "age"): [age_tool, "-d", "-i", str(key), "-o", str(ref_dec), str(ours_enc)],
            ("decrypt", "recordpack"): [*me, "decrypt", str(ref_enc), str(ours_dec), str(key)],
        }
        results: dict[tuple[str, str], Run] = {}
        for _ in range(args.repeat):  # interleaved, so load changes hit both tools alike
            for name, argv in runs.items():
                run = measure(argv)
                if name not in results or run.wall < results[name].wall:
                    results[name] = run
        # Cross-check: each side decrypted the other's file back to the input.
        for produced in (ours_dec, ref_dec):
            if not filecmp.cmp(plain, produced, shallow=False):
                raise SystemExit(f"{produced.name} differs from the input")

    print(f"age benchmark: {args.size_mib} MiB, X25519, {machine()}")
    # MB/s per CPU second is steadier than wall-clock MB/s on a shared machine.
    print(
        f"{'operation':<10} {'tool':<11} {'MB/s wall':>10} {'MB/s CPU':>9}"
        f" {'peak RSS MiB':>13} {'growth MiB':>11}"
    )
    for (operation, tool), run in results.items():
        growth = f"{(run.rss - run.rss_before) / BLOCK:>11.1f}" if run.rss_before else f"{'':>11}"
        print(
            f"{operation:<10} {tool:<11} {size / run.wall / 1e6:>10.0f} {size / run.cpu / 1e6:>9.0f}"
            f" {run.rss / BLOCK:>13.1f} {growth}"
        )
    print("(growth: peak RSS minus RSS after imports, i.e. what the operation itself used)")
    for operation in ("encrypt", "decrypt"):
        ref, ours = results[(operation, "age")], results[(operation, "recordpack")]
        print(
            f"{operation}: recordpack at {ref.wall / ours.wall:.0%} of age's wall-clock throughput,"
            f" {ref.cpu / ours.cpu:.0%} per CPU second"
        )


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        main()
