"""Big folders: parsing in worker processes, and DICOM images read only as far as
their header (pack reads the pixel data once, and proves it is what scan saw)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from recordpack import age, forking, open_bundle, pack, scan_folder
from recordpack.errors import BundleError
from recordpack.model import DUPLICATE
from recordpack.scan import walk
from recordpack.scan.base import Outcome, Scanner, Source
from recordpack.workflow import Cancelled, CancelToken
from tests.scan_helpers import make_dataset, write_part10

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-patient"
#: 128 x 128 16-bit pixels: 32 KiB; twice that and more makes a file larger than
#: walk.HEADER_READ, so scan reads only its header.
BIG_PIXELS = 256 * 256 * 2


def _image(folder: Path, name: str, *, instance: int, seed: int, uids: tuple[str, str]) -> Path:
    ds = make_dataset(study_uid=uids[0], series_uid=uids[1], instance=instance)
    ds.Rows = ds.Columns = 256
    ds.PixelData = hashlib.shake_256(seed.to_bytes(4, "big")).digest(BIG_PIXELS)
    path: Path = write_part10(ds, folder / name)
    return path


def _imaging_folder(tmp_path: Path, count: int = 6) -> Path:
    folder = tmp_path / "records"
    uids = ("1.2.826.0.1.3680043.8.498.1", "1.2.826.0.1.3680043.8.498.2")
    for n in range(count):
        _image(folder, f"CD/IM{n:04d}", instance=n + 1, seed=n, uids=uids)
    return folder



@pytest.fixture
def in_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every scan in the test uses two worker processes, however small the folder."""
    monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 2)


def test_worker_processes_give_the_same_scan_as_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLE, folder)
    shutil.copytree(_imaging_folder(tmp_path), folder / "imaging")
    monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 0)
    threads = scan_folder(folder)
    monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 2)
    workers = tmp_path / "workers"
    workers.mkdir()
    real = walk.run_scanner

    def note_the_process(scanner: Scanner, source: Source) -> list[Outcome]:
        (workers / str(os.getpid())).touch()
        return real(scanner, source)

    monkeypatch.setattr(walk, "run_scanner", note_the_process)
    assert scan_folder(folder) == threads
    assert len(threads.records) > 10
    pids = {int(p.name) for p in workers.iterdir()}
    assert pids and os.getpid() not in pids  # worker processes parsed, not this one
    assert not multiprocessing.active_children()


def test_workers_only_where_forking_is_safe() -> None:
    import threading

    many = walk.PROCESS_THRESHOLD
    assert walk.scan_processes(walk.FORK_THRESHOLD - 1) == 0  # too few files to be worth it
    if (os.cpu_count() or 1) >= 2 and threading.active_count() == 1:
        assert walk.scan_processes(walk.FORK_THRESHOLD) >= 2  # forked: cheap
        assert walk.scan_processes(many) >= 2
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)  # as a web app's server threads
    helper.start()
    try:
        assert walk.scan_processes(many) == 0
    finally:
        stop.set()
        helper.join()


def test_workers_from_a_few_files_when_forked_more_when_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forking is cheap, so a folder of a few dozen documents is read on every core;
    a worker the fork server starts rebuilds a scan's caches, a spawned one loads
    everything: they are used from more files (or for two large ones)."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    thresholds = walk.WORKER_THRESHOLDS
    assert thresholds["fork"] < thresholds["forkserver"] < thresholds["spawn"]
    for method, threshold in thresholds.items():
        context = multiprocessing.get_context(method)
        monkeypatch.setattr(forking, "worker_context", lambda context=context: context)
        assert walk.scan_processes(threshold - 1) == 0, method
        assert walk.scan_processes(threshold) == 2, method
        assert walk.scan_processes(3, large_files=2) == 2, method
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert walk.scan_processes(walk.PROCESS_THRESHOLD) == 0  # one core: threads


def test_the_fork_server_compiles_the_rule_table_once_for_its_workers() -> None:
    """Its workers inherit the compiled table and keyword automaton: a scan does
    not build them in each."""
    code = (
        "from recordpack.classify import rules\n"
        "from recordpack.scan import walk\n"
        "built = lambda: (rules.compiled.cache_info().currsize, "
        "rules._keyword_index.cache_info().currsize)\n"
        "before = built()\n"
        "for name in walk.WORKER_PRELOAD:\n"
        "    __import__(name)\n"
        "print(*before, *built())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["0", "0", "1", "1"]


def _cpu_of_this_process(work: object) -> tuple[object, float]:
    started = time.process_time()
    result = work()  # type: ignore[operator]
    return result, time.process_time() - started


def test_a_process_running_threads_starts_its_workers_where_allowed(tmp_path: Path) -> None:
    """The web app runs threads, so it cannot fork: once its entry point allows
    it, its scans start workers (a fork server) and use every core, as the CLI's do."""
    import threading

    folder = tmp_path / "notes"
    folder.mkdir()
    note = (EXAMPLE / "Harbor Oncology" / "Consult note 2026-10-28.txt").read_text("utf-8")
    for n in range(walk.PROCESS_THRESHOLD + 2):
        (folder / f"note-{n:03d}.txt").write_text(f"{note}\nAddendum {n}: no change.\n", "utf-8")
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)  # as the web app's server threads
    server.start()
    previous = forking.allow_started_workers(False)
    try:
        assert walk.scan_processes(walk.PROCESS_THRESHOLD) == 0  # not allowed: threads
        threads, threads_cpu = _cpu_of_this_process(lambda: scan_folder(folder))
        forking.allow_started_workers()
        context = forking.worker_context()
        assert context is not None and context.get_start_method() in ("forkserver", "spawn")
        assert walk.scan_processes(walk.PROCESS_THRESHOLD) >= 2
        seen: set[int] = set()

        def note_workers(done: int, total: int) -> None:
            seen.update(p.pid for p in multiprocessing.active_children() if p.pid is not None)

        started, started_cpu = _cpu_of_this_process(lambda: scan_folder(folder, progress=note_workers))
        token = CancelToken()  # the page's Cancel button: the started workers stop too
        with pytest.raises(Cancelled):
            scan_folder(folder, progress=lambda done, total: token.cancel(), cancel=token)
        deadline = time.monotonic() + 5
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not multiprocessing.active_children()
    finally:
        forking.allow_started_workers(previous)
        stop.set()
        server.join()
    assert started == threads
    assert len(threads.records) == walk.PROCESS_THRESHOLD + 2  # type: ignore[attr-defined]
    assert seen and os.getpid() not in seen  # worker processes were running
    # The notes were parsed in the workers, not on this process's one core.
    assert started_cpu < threads_cpu / 2, (started_cpu, threads_cpu)


def test_a_worker_that_dies_loses_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_processes: None
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLE, folder)
    expected = scan_folder(folder)
    main = os.getpid()
    real = walk.run_scanner

    def crash_in_workers(scanner: Scanner, source: Source) -> list[Outcome]:
        if os.getpid() != main and source.path.endswith(".pdf"):
            (tmp_path / "crashed").touch()
            os._exit(3)  # a library crashing the process on a hostile file
        return real(scanner, source)

    monkeypatch.setattr(walk, "run_scanner", crash_in_workers)
    assert scan_folder(folder) == expected
    assert (tmp_path / "crashed").exists()  # a worker did die


def test_a_system_that_refuses_new_processes_still_gets_its_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_processes: None
) -> None:
    """At its limit of processes the system refuses a worker (fork fails with
    EAGAIN), or has no semaphores for a pool: the scan reads the files itself."""
    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLE, folder)
    monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 0)
    expected = scan_folder(folder)
    monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 2)

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fork", refused)
        assert scan_folder(folder) == expected

    def no_semaphores(workers: int, preload: object = ()) -> object:
        raise OSError(38, "Function not implemented")

    with monkeypatch.context() as patch:
        patch.setattr(forking, "worker_pool", no_semaphores)
        assert scan_folder(folder) == expected
    assert not multiprocessing.active_children()


def test_cancel_stops_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_processes: None
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLE, folder)
    main = os.getpid()
    real = walk.run_scanner

    def slow_in_workers(scanner: Scanner, source: Source) -> list[Outcome]:
        if os.getpid() != main:
            time.sleep(30)
        return real(scanner, source)

    monkeypatch.setattr(walk, "run_scanner", slow_in_workers)
    token = CancelToken()
    started = time.monotonic()

    def cancel_soon(done: int, total: int) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        scan_folder(folder, progress=cancel_soon, cancel=token)
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()


def test_dicom_images_are_read_as_far_as_their_header(tmp_path: Path) -> None:
    folder = _imaging_folder(tmp_path, count=1)
    path = folder / "CD" / "IM0000"
    read = walk.read_file(path)
    assert read.sha256 is None and len(read.head) == walk.HEADER_READ
    assert read.size == path.stat().st_size > walk.HEADER_READ
    whole = walk.read_file(path, whole=True)
    assert whole.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    info = scan_folder(folder).files["CD/IM0000"]
    assert info.sha256 is None
    assert info.head_sha256 == hashlib.sha256(path.read_bytes()[: walk.HEADER_READ]).hexdigest()


def test_copies_of_images_read_in_part_are_still_duplicates(tmp_path: Path) -> None:
    folder = _imaging_folder(tmp_path, count=3)
    shutil.copy(folder / "CD" / "IM0001", folder / "IM0001 copy")
    with zipfile.ZipFile(folder / "export.zip", "w") as archive:
        archive.write(folder / "CD" / "IM0002", "DICOM/IM0002")
    scan = scan_folder(folder)
    duplicates = {p.path: p.duplicate_of for p in scan.problems if p.code == DUPLICATE}
    assert duplicates == {"IM0001 copy": "CD/IM0001", "export.zip!DICOM/IM0002": "CD/IM0002"}
    # The copies were read whole to prove it; the image like no other was not.
    assert scan.files["CD/IM0001"].sha256 is not None
    assert scan.files["CD/IM0000"].sha256 is None
    [study] = [r for r in scan.records if r.kind == "imaging_study"]
    assert study.study is not None and study.study.instance_count == 3


def test_same_header_different_pixels_are_not_duplicates(tmp_path: Path) -> None:
    folder = _imaging_folder(tmp_path, count=1)
    data = bytearray((folder / "CD" / "IM0000").read_bytes())
    data[-1] ^= 0xFF  # the same header and size, other pixel bytes
    (folder / "CD" / "IM0000b").write_bytes(bytes(data))
    scan = scan_folder(folder)
    assert not [p for p in scan.problems if p.code == DUPLICATE]
    assert scan.files["CD/IM0000"].sha256 != scan.files["CD/IM0000b"].sha256


def _recipient() -> tuple[age.X25519Identity, list[age.X25519Recipient]]:
    identity = age.X25519Identity.generate()
    return identity, [identity.recipient()]


def test_pack_hashes_images_read_in_part_and_open_verifies_them(tmp_path: Path) -> None:
    folder = _imaging_folder(tmp_path, count=3)
    scan = scan_folder(folder)
    identity, recipients = _recipient()
    pack(scan, tmp_path / "b.rpk", recipients=recipients)
    opened = open_bundle(tmp_path / "b.rpk", [identity], tmp_path / "opened")
    manifest = (opened.bag_dir / "manifest-sha256.txt").read_text()
    for n in range(3):
        digest = hashlib.sha256((folder / "CD" / f"IM{n:04d}").read_bytes()).hexdigest()
        assert digest in manifest


def test_hashing_behind_the_copy_never_hashes_a_reused_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pack hashes on a background thread, behind the copy and across files, from a
    ring of read buffers: with tiny buffers and a slow hasher, each buffer is read
    into again many times while chunks wait to be hashed, and every digest must
    still be of the file's own bytes."""
    from recordpack.bundle import pack as packing

    monkeypatch.setattr(packing, "CHUNK_SIZE", 4096)
    real_update = packing._Hashes.update

    def slow_update(self: packing._Hashes, data: bytes | memoryview, /) -> None:
        time.sleep(0.0005)
        real_update(self, data)

    monkeypatch.setattr(packing._Hashes, "update", slow_update)
    folder = _imaging_folder(tmp_path, count=5)
    identity, recipients = _recipient()
    summary = pack(scan_folder(folder), tmp_path / "b.rpk", recipients=recipients)
    opened = open_bundle(tmp_path / "b.rpk", [identity], tmp_path / "opened")  # verifies
    manifest = (opened.bag_dir / "manifest-sha256.txt").read_text()
    for n in range(5):
        assert hashlib.sha256((folder / "CD" / f"IM{n:04d}").read_bytes()).hexdigest() in manifest
    assert summary.sha256 == hashlib.sha256((tmp_path / "b.rpk").read_bytes()).hexdigest()


def test_a_slow_disk_never_gets_a_buffer_the_encryption_reuses(tmp_path: Path) -> None:
    """The bundle writer keeps up to IN_FLIGHT writes pending on its thread without
    copying them: the age writer must not seal into a buffer still being written."""
    from recordpack.bundle import pack as packing

    class SlowFile:
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def write(self, data: bytes | memoryview) -> int:
            time.sleep(0.002)
            self.chunks.append(bytes(data))
            return len(data)

        def flush(self) -> None:
            pass

    target = SlowFile()
    writer = packing._BundleWriter(target)  # type: ignore[arg-type]
    identity = age.X25519Identity.generate()
    plain = hashlib.shake_256(b"slow disk").digest(6 * 1024 * 1024 + 123)
    with age.encrypt_writer(
        writer, [identity.recipient()], buffers=packing.IN_FLIGHT + 1  # type: ignore[arg-type]
    ) as encrypted:
        for start in range(0, len(plain), 100_000):
            encrypted.write(plain[start : start + 100_000])
    writer.flush()
    writer.close()
    data = b"".join(target.chunks)
    assert writer.hexdigest() == hashlib.sha256(data).hexdigest()
    assert age.decrypt(data, [identity]) == plain


def _pack_fails_after(tmp_path: Path, change: object) -> None:
    folder = _imaging_folder(tmp_path, count=2)
    scan = scan_folder(folder)
    assert scan.files["CD/IM0001"].sha256 is None
    change(folder / "CD" / "IM0001")  # type: ignore[operator]
    out = tmp_path / "out"
    out.mkdir()
    _, recipients = _recipient()
    with pytest.raises(BundleError, match="CD/IM0001 changed while packing"):
        pack(scan, out / "b.rpk", recipients=recipients)
    assert list(out.iterdir()) == []


def test_a_file_changed_since_the_scan_stops_the_pack_soon_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digests are taken as the hashing thread finishes them, not all at the end:
    a changed first image stops the pack a few files later (the hashing thread is at
    most a ring of buffers behind), not after copying the whole folder."""
    from recordpack.bundle import pack as packing

    folder = _imaging_folder(tmp_path, count=16)
    scan = scan_folder(folder)
    first = folder / "CD" / "IM0000"
    data = bytearray(first.read_bytes())
    data[-100] ^= 0xFF
    first.write_bytes(bytes(data))
    copied: list[str] = []
    real = packing._copy_file

    def counted(*args: object, **kwargs: object) -> object:
        copied.append("x")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(packing, "_copy_file", counted)
    _, recipients = _recipient()
    with pytest.raises(BundleError, match="CD/IM0000 changed while packing"):
        pack(scan, tmp_path / "b.rpk", recipients=recipients)
    assert len(copied) <= 2 * packing._HashLane.RING < 16


def test_pixels_changed_after_the_scan_stop_the_pack(tmp_path: Path) -> None:
    def change_pixels(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[-100] ^= 0xFF  # same size, same header
        path.write_bytes(bytes(data))

    _pack_fails_after(tmp_path, change_pixels)


def test_header_changed_with_its_time_restored_stops_the_pack(tmp_path: Path) -> None:
    def change_header(path: Path) -> None:
        status = path.stat()
        data = path.read_bytes().replace(b"TESTPERSON^ALICE", b"OTHERPERSON^BOB_")
        path.write_bytes(data)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    _pack_fails_after(tmp_path, change_header)


def test_image_cut_short_after_the_scan_stops_the_pack(tmp_path: Path) -> None:
    def truncate(path: Path) -> None:
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size - 10)

    _pack_fails_after(tmp_path, truncate)


def _signal_handlers() -> tuple[object, object, object]:
    import signal

    return (
        signal.getsignal(signal.SIGINT),
        signal.getsignal(signal.SIGTERM),
        signal.getsignal(signal.SIGHUP),
    )


def test_workers_leave_signals_to_the_main_process() -> None:
    import signal

    def main_handler(signum: int, frame: object) -> None:  # as the CLI's, when it forks
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, main_handler)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(1, initializer=forking.start_worker) as pool:
            handlers = pool.apply(_signal_handlers)
    finally:
        signal.signal(signal.SIGTERM, previous)
    # Ctrl-C is the main process's to handle; a SIGTERM or SIGHUP ends a worker quietly.
    assert handlers == (signal.SIG_IGN, signal.SIG_DFL, signal.SIG_DFL)


def test_pack_hints_reads_ahead_without_touching_access_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pack asks the system to start reading each source file a few files before it
    copies it (posix_fadvise), once each, and the source folder keeps its access times."""
    from recordpack.bundle import pack as packing

    folder = _imaging_folder(tmp_path, count=12)
    old = 1_000_000_000
    for path in folder.rglob("*"):
        os.utime(path, (old, path.stat().st_mtime), follow_symlinks=False)
    scan = scan_folder(folder)
    hinted: list[str] = []
    real = packing.start_reading  # type: ignore[attr-defined]  # patched below

    def note_hints(paths: list[str], length: int) -> None:
        hinted.extend(Path(p).name for p in paths)
        real(paths, length)

    monkeypatch.setattr(packing, "start_reading", note_hints)
    _, recipients = _recipient()
    pack(scan, tmp_path / "b.rpk", recipients=recipients)
    assert sorted(hinted) == sorted(f"IM{n:04d}" for n in range(12))
    assert all(p.stat().st_atime_ns == old * 10**9 for p in folder.rglob("*") if p.is_file())


def test_workers_hint_reads_without_touching_access_times(
    tmp_path: Path, in_processes: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-ahead hint given for each chunk (posix_fadvise) changes nothing
    in the source folder, and a file gone before it is read is still reported."""
    folder = _imaging_folder(tmp_path, count=10)
    old = 1_000_000_000
    for path in folder.rglob("*"):
        os.utime(path, (old, path.stat().st_mtime), follow_symlinks=False)
    hinted = tmp_path / "hinted"
    hinted.mkdir()
    real = walk.start_reading

    def note_hints(paths: list[str]) -> None:  # runs in the worker processes
        for path in paths:
            (hinted / Path(path).name).touch()
        real(paths)

    monkeypatch.setattr(walk, "start_reading", note_hints)
    result = scan_folder(folder)
    assert len(list(hinted.iterdir())) == 10
    assert sum(len(r.files) for r in result.records) == 10
    assert all(p.stat().st_atime_ns == old * 10**9 for p in folder.rglob("*") if p.is_file())

    walk.start_reading([str(folder / "gone"), str(folder / "CD")])  # no error for either


def test_chunk_size_follows_how_long_files_take() -> None:
    quick, slow = walk.PROCESS_CHUNK_MAX, walk.PROCESS_CHUNK
    assert walk._next_chunk_size(8, 0.004) == quick  # CT headers: 0.5 ms each
    assert walk._next_chunk_size(8, 40.0) == slow  # OCR: seconds each
    assert walk._next_chunk_size(8, 0.02) == 20  # 2.5 ms each: 50 ms a chunk
    assert walk._next_chunk_size(8, 0.0) == quick  # too fast to time


def test_workers_get_bigger_chunks_of_quick_files_and_small_ones_of_slow_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many quick files go out in chunks of up to PROCESS_CHUNK_MAX (fewer round
    trips); slow ones stay in small chunks (both workers busy to the end); the
    scan is the same either way."""
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(400):
        (folder / f"note-{n:03d}.txt").write_text(f"Clinic note {n}\nSeen today.\n")
    monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 0)
    expected = scan_folder(folder)

    def sizes_handed_out(seconds_per_file: float) -> list[int]:
        handed: list[int] = []
        real = walk._read_chunk

        def recording(chunk: list[tuple[int, str, str]]) -> tuple[list[walk._Item], float]:
            handed.append(len(chunk))
            items, _ = real(chunk)
            return items, seconds_per_file * len(chunk)  # as if each file took that long

        # Threads stand in for the worker processes, so the chunks can be counted
        # here; like a new process, each scan starts with no claims.
        monkeypatch.setattr(forking, "worker_pool", lambda workers, preload: ThreadPoolExecutor(workers))
        monkeypatch.setattr(walk, "_PROCESS_CLAIMS", None)
        monkeypatch.setattr(walk, "_read_chunk", recording)
        monkeypatch.setattr(walk, "scan_processes", lambda count, large=0: 2)
        assert scan_folder(folder) == expected
        return handed

    quick = sizes_handed_out(0.0005)  # a CT slice's header
    assert quick[0] == walk.PROCESS_CHUNK and max(quick) == walk.PROCESS_CHUNK_MAX
    assert sum(quick) == 400 and len(quick) < 400 // walk.PROCESS_CHUNK
    slow = sizes_handed_out(2.0)  # a scanned page's OCR
    assert set(slow) == {walk.PROCESS_CHUNK} and sum(slow) == 400


def test_a_few_large_files_are_parsed_one_to_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of a few files, two of them large exports: worker processes are
    worth starting, and each large file goes to a worker of its own (chunks of one
    file), so they are read at the same time; the scan is the same as on threads."""
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_path / "exports"
    folder.mkdir()
    note = (EXAMPLE / "Harbor Oncology" / "Consult note 2026-10-28.txt").read_text("utf-8")
    for n in range(3):
        (folder / f"export-{n}.txt").write_text(note + f"\nExport {n}.\n" + "Seen again.\n" * 400)
    (folder / "small.txt").write_text("PSA 7.9 ng/mL, drawn 2026-10-01.\n")
    monkeypatch.setattr(walk, "LARGE_FILE", 4096)  # the exports above are ~8 KB
    files = [(p.name, str(p)) for p in sorted(folder.iterdir())]
    assert len(walk.list_folder(folder).large) == 3  # sizes from the listing's own stat
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(forking, "worker_context", lambda: multiprocessing.get_context("fork"))
    assert walk.scan_processes(len(files), 3) == 2
    assert walk.scan_processes(len(files), 1) == 0  # one large file: nothing to share
    assert walk.scan_processes(len(files), 0) == 0
    with monkeypatch.context() as patch:
        patch.setattr(walk, "scan_processes", lambda count, large=0: 0)
        expected = scan_folder(folder)  # on threads
    handed: list[int] = []
    real = walk._read_chunk

    def recording(chunk: list[tuple[int, str, str]]) -> tuple[list[walk._Item], float]:
        handed.append(len(chunk))
        items, _ = real(chunk)
        return items, 0.0001 * len(chunk)  # quick: a folder of many would get big chunks

    # Threads stand in for the worker processes, so the chunks can be counted here.
    monkeypatch.setattr(forking, "worker_pool", lambda workers, preload: ThreadPoolExecutor(workers))
    monkeypatch.setattr(walk, "_PROCESS_CLAIMS", None)
    monkeypatch.setattr(walk, "_read_chunk", recording)
    assert scan_folder(folder) == expected
    assert handed == [1, 1, 1, 1]
