"""Benchmark ``pack`` on a large imaging folder against ``zip -r -0 | age -r``.

What a power user would type without recordpack::

    zip -q -r -0 - FOLDER | age -r age1... > out.age

Each is run in its own process; the figures are wall time, throughput (bytes
of source files per second) and peak RSS (``wait4``'s ``ru_maxrss``, the
largest process of the pipeline). pack is timed alone (after its scan, in the
same process) and as the whole ``recordpack pack`` command (scan + pack).
Run at two sizes to show memory does not grow with the imaging.

The folder is made by ``benchmarks/make_imaging_folder.py`` when it exists,
else here: CT "slices" of 512 KiB (valid PS3.10 files written with pydicom,
random pixels) in series of 200. Work files go to ``benchmarks/work/pack/``.

    python benchmarks/bench_pack.py --sizes-mb 256 1100
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "pack"
SLICE_PIXELS = 512 * 512  # 16-bit: 512 KiB of pixel data per file
PER_SERIES = 200


def make_folder(folder: Path, size: int) -> int:
    """A folder of about ``size`` bytes of CT slices; returns its byte count."""
    generator = HERE / "make_imaging_folder.py"
    if generator.exists():
        subprocess.run(
            [sys.executable, str(generator), str(folder), "--size-gb", f"{size / 1e9:.3f}"],
            check=True,
        )
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

    study = generate_uid()
    pixels = bytearray(os.urandom(SLICE_PIXELS * 2))
    count = max(1, size // len(pixels))
    total = 0
    series = ""
    for number in range(count):
        if number % PER_SERIES == 0:
            series = generate_uid()
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        uid = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, uid
        ds.PatientName, ds.PatientID, ds.PatientBirthDate = "BENCH^PATIENT", "BENCH0001", "19600101"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.StudyDate, ds.StudyTime, ds.StudyID, ds.AccessionNumber = "20260812", "101500", "1", "A1"
        ds.StudyDescription = "CT CHEST ABDOMEN PELVIS"
        ds.Modality, ds.SeriesNumber, ds.InstanceNumber = (
            "CT",
            number // PER_SERIES + 1,
            number % PER_SERIES + 1,
        )
        ds.Rows = ds.Columns = 512
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        pixels[:8] = number.to_bytes(8, "little")  # every file different (no duplicates)
        ds.PixelData = bytes(pixels)
        path = folder / f"SE{number // PER_SERIES:03d}" / f"IM{number % PER_SERIES:04d}.dcm"
        path.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(path, enforce_file_format=True)
        total += path.stat().st_size
    return total


def timed(command: list[str], **kwargs: object) -> tuple[float, int, str]:
    """Run a command; returns (seconds, peak RSS in KiB of it and its children, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, **kwargs)  # type: ignore[call-overload]
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss, out


def child(folder: str, out: str, recipient: str) -> None:
    """In a fresh process: scan, then pack (timed alone); prints JSON."""
    from recordpack import age
    from recordpack.bundle.pack import pack
    from recordpack.scan import scan_folder

    start = time.perf_counter()
    scan = scan_folder(folder)
    scanned = time.perf_counter()
    pack(scan, Path(out), recipients=[age.parse_recipient(recipient)], force=True)
    done = time.perf_counter()
    print(json.dumps({"scan_s": scanned - start, "pack_s": done - scanned}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[256, 1100])
    parser.add_argument("--runs", type=int, default=1, help="best of N runs")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    for tool in ("zip", "age"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")
    from recordpack import age

    WORK.mkdir(parents=True, exist_ok=True)
    recipient = str(age.X25519Identity.generate().recipient())
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    rows = []
    for size_mb in args.sizes_mb:
        folder = WORK / f"folder-{size_mb}mb"
        if not folder.exists():
            made = make_folder(folder, size_mb * 1_000_000)
        else:
            made = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        out = WORK / "out.rpk"
        best: dict[str, tuple[float, int]] = {}

        def keep(
            name: str, seconds: float, rss: int, best: dict[str, tuple[float, int]] = best
        ) -> None:
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, rss)

        for _ in range(args.runs):
            # Warm the page cache equally for both: each reads the folder once first.
            seconds, rss, text = timed(
                [sys.executable, __file__, "--child", str(folder), str(out), recipient]
            )
            parts = json.loads(text)
            keep("pack (after scan, same process)", parts["pack_s"], rss)
            keep("scan (same process)", parts["scan_s"], rss)
            out.unlink()
            seconds, rss, _ = timed(
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
                ]
            )
            keep("recordpack pack command (scan + pack)", seconds, rss)
            out.unlink()
            seconds, rss, _ = timed(
                [
                    "sh",
                    "-c",
                    f'cd "{folder.parent}" && zip -q -r -0 - "{folder.name}" | age -r {recipient} > "{out}"',
                ]
            )
            keep("zip -r -0 - | age -r", seconds, rss)
            out.unlink()
        for name, (seconds, rss) in best.items():
            rows.append((size_mb, made, files, name, seconds, made / seconds / 1e6, rss / 1024))
        if not args.keep:
            shutil.rmtree(folder)
    print("| folder | files | step | time | throughput | peak RSS |")
    print("|---|---|---|---|---|---|")
    for _size_mb, made, files, name, seconds, mbps, rss in rows:
        print(
            f"| {made / 1e6:,.0f} MB | {files} | {name} | {seconds:.2f} s | {mbps:.0f} MB/s | {rss:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
