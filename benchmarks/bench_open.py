"""Benchmark ``recordpack open`` / ``verify`` / ``inspect`` on a large bundle.

Compares with what a power user would type without recordpack::

    age -d -i key.txt -o tmp.zip bundle.rpk && unzip -q tmp.zip -d out

(unzip needs a seekable file, so the ZIP is written out first.) Reports
throughput, peak RSS of each process and the time ``inspect`` takes.

The bundle is either given (``--bundle B --key K``), made with ``recordpack
pack`` over ``benchmarks/make_imaging_folder.py`` output when both exist, or
built here: a bag of random "DICOM slices" in a ZIP, encrypted with
recordpack's age writer (same format, no pack needed).

    python benchmarks/bench_open.py --size-gb 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import timed_env

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "open"
BAG = "recordpack-20261124-bench-patient"
SLICE = 512 * 1024  # a typical CT slice


def build_bundle(size: int, out: Path, key: Path) -> Path:
    """A valid bundle of about ``size`` bytes, streamed (constant memory)."""
    from recordpack import age

    identity = age.X25519Identity.generate()
    key.write_text(f"{identity}\n")
    count = max(1, size // SLICE)
    manifest, files = [], []
    total = 0
    block = os.urandom(SLICE)
    with (
        open(out, "wb") as raw,
        age.encrypt_writer(raw, [identity.recipient()]) as enc,
        zipfile.ZipFile(enc, "w") as archive,  # type: ignore[arg-type]
    ):
        for number in range(count):
            # Vary each slice cheaply so files differ (and do not compress).
            data = number.to_bytes(8, "little") + block[8:]
            path = f"data/imaging/PT000000/ST000000/SE{number // 1000:06d}/IM{number % 1000:06d}"
            info = zipfile.ZipInfo(f"{BAG}/{path}", date_time=(2026, 11, 24, 15, 0, 0))
            info.file_size = len(data)
            with archive.open(info, "w") as member:
                member.write(data)
            digest = hashlib.sha256(data).hexdigest()
            manifest.append(f"{digest}  {path}\n")
            files.append({"path": path, "original": path, "size": len(data), "sha256": digest})
            total += len(data)
        index = {
            "version": 1,
            "software": "bench",
            "created": "2026-11-24T15:00:00Z",
            "bag": BAG,
            "patient": {"name": "BENCH, PATIENT", "birth_date": None, "id": None},
            "check": None,
            "records": [],
            "files": files,
        }
        tags = {
            "bagit.txt": "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bag-info.txt": f"Payload-Oxum: {total}.{count}\n",
            "index.json": json.dumps(index),
            "manifest-sha256.txt": "".join(manifest),
        }
        lines = []
        for name, text in tags.items():
            data = text.encode()
            archive.writestr(f"{BAG}/{name}", data, zipfile.ZIP_DEFLATED)
            lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
        archive.writestr(f"{BAG}/tagmanifest-sha256.txt", "".join(lines), zipfile.ZIP_DEFLATED)
    return out


def pack_bundle(size_gb: float, out: Path, key: Path) -> Path | None:
    """Use the real pipeline when the imaging-folder generator exists."""
    maker = HERE / "make_imaging_folder.py"
    if not maker.exists():
        return None
    folder = WORK / "imaging"
    if not folder.exists():
        made = subprocess.run(
            [sys.executable, str(maker), str(folder), "--size-gb", str(size_gb)], check=False
        )
        if made.returncode != 0:
            return None
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    recipient = next(
        line.split(": ", 1)[1]
        for line in key.read_text().splitlines()
        if line.startswith("# public key: ")
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "recordpack",
            "pack",
            str(folder),
            "-o",
            str(out),
            "--to",
            recipient,
            "-q",
        ],
        check=False,
        capture_output=True,
        env=timed_env(),  # the installed recordpack, not the checkout
    )
    return out if result.returncode == 0 and out.exists() else None


def timed(command: list[str] | str, shell: bool = False) -> tuple[float, int]:
    """Wall time and peak RSS (KiB, the largest process) of a command."""
    start = time.perf_counter()
    # The installed recordpack, not a checkout in the working directory.
    process = subprocess.Popen(command, shell=shell, stdout=subprocess.DEVNULL, env=timed_env())
    _, status, usage = os.wait4(process.pid, 0)
    peak = usage.ru_maxrss
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {command}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--key", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    if args.bundle:
        bundle, key, origin = args.bundle, args.key, "given"
    else:
        bundle, key = WORK / "bench.rpk", WORK / "key.txt"
        if not bundle.exists():
            made = pack_bundle(args.size_gb, bundle, key)
            origin = "recordpack pack"
            if made is None:
                build_bundle(int(args.size_gb * 1024**3), bundle, key)
                origin = "built by bench_open.py"
        else:
            origin = "cached"
    size = bundle.stat().st_size
    rp = [sys.executable, "-m", "recordpack"]
    results: dict[str, list[tuple[float, int]]] = {"open": [], "pipeline": [], "verify": []}
    for _ in range(args.runs):
        for name in ("out-rp", "out-pipe", "tmp.zip"):
            path = WORK / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        results["open"].append(
            timed([*rp, "open", str(bundle), "-i", str(key), "-o", str(WORK / "out-rp"), "--json"])
        )
        results["verify"].append(timed([*rp, "verify", str(bundle), "-i", str(key)]))
        age_t, age_rss = timed(
            ["age", "-d", "-i", str(key), "-o", str(WORK / "tmp.zip"), str(bundle)]
        )
        unzip_t, unzip_rss = timed(
            ["unzip", "-q", str(WORK / "tmp.zip"), "-d", str(WORK / "out-pipe")]
        )
        results["pipeline"].append((age_t + unzip_t, max(age_rss, unzip_rss)))

    sys.path.insert(0, str(HERE.parent))
    from recordpack import age
    from recordpack.bundle.reader import inspect_bundle

    identities = age.load_identities(key)
    inspect_times = []
    for _ in range(5):
        start = time.perf_counter()
        inspect_bundle(bundle, identities)
        inspect_times.append(time.perf_counter() - start)
    cli_inspect, _ = timed([*rp, "inspect", str(bundle), "-i", str(key), "--json"])

    mb = size / 1e6
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"bundle: {mb:,.0f} MB ({origin})")
    print("| step | best time | throughput | peak RSS |")
    print("|---|---|---|---|")
    for name, label in (
        ("open", "recordpack open (decrypt + verify + extract)"),
        ("pipeline", "age -d -o tmp.zip && unzip -q tmp.zip"),
        ("verify", "recordpack verify (writes nothing)"),
    ):
        best = min(t for t, _ in results[name])
        rss = max(r for _, r in results[name])
        print(f"| {label} | {best:.2f} s | {mb / best:,.0f} MB/s | {rss / 1024:,.0f} MiB |")
    ratio = min(t for t, _ in results["pipeline"]) / min(t for t, _ in results["open"])
    print(f"open throughput vs pipeline: {ratio:.0%}")
    print(f"inspect_bundle (in process, best of 5): {min(inspect_times) * 1000:.1f} ms")
    print(f"recordpack inspect --json (CLI, incl. Python start-up): {cli_inspect:.2f} s")


if __name__ == "__main__":
    main()
