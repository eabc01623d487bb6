"""Worker processes for CPU-bound work: forked, only where forking is safe.

Parsing (pydicom, pypdf, the classifier) holds the GIL, so scan uses a second
core through a second process. (Hashing and encryption release the GIL: pack
uses threads.)
Workers are forked: ``spawn`` and ``forkserver`` re-run the caller's main
module in every worker, which a script without a main guard does not expect.
Forking is safe only on Linux from a process that runs no other thread (a web
app's threads may hold locks a child would inherit locked) and that is not
itself a worker (a batch worker starts none).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor


def can_fork() -> bool:
    """Whether worker processes may be forked from this process now."""
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and multiprocessing.parent_process() is None
    )


def ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the main process, which stops the workers; a
    SIGTERM or SIGHUP (a closed terminal) ends a worker quietly, without the
    handlers the main process had when it forked it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def fork_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes (call only when :func:`can_fork`)."""
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=ignore_interrupts
    )


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the workers at once (a Ctrl-C must not wait for a long OCR run) and reap them."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    kill = getattr(pool, "kill_workers", None)  # Python 3.14
    if kill is not None:
        kill()
    else:
        for worker in workers:
            with contextlib.suppress(OSError, AttributeError):
                worker.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        with contextlib.suppress(OSError, AttributeError, ValueError, AssertionError):
            worker.join(timeout=1)
