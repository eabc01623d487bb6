"""Worker processes for CPU-bound work: forked where that is safe, else started.

Parsing (pydicom, pypdf, the classifier) holds the GIL, so scan uses a second
core through a second process. (Hashing and encryption release the GIL: pack
uses threads.)

Workers are forked when that is safe: on Linux, from a process that runs no
other thread (a web app's threads may hold locks a child would inherit
locked) and that is not itself a worker (a batch worker starts none).
Elsewhere, or in a process running threads (``recordpack ui``), workers are
*started* instead (multiprocessing's ``forkserver``, or ``spawn`` where there is
none), but only once an entry point has called :func:`allow_started_workers`:
a started worker imports the caller's main module again, which recordpack's
own entry points (the ``recordpack`` script, ``python -m recordpack``) allow and
a script without a main guard would not.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # multiprocessing is imported when workers are asked for, not by every command
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext

#: Whether an entry point has said worker processes may be started (not forked).
_started_workers_allowed = False


def can_fork() -> bool:
    """Whether worker processes may be forked from this process now."""
    import multiprocessing

    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and multiprocessing.parent_process() is None
    )


def allow_started_workers(allowed: bool = True) -> bool:
    """Let worker processes be started where they cannot be forked; returns the
    previous setting. Call only from an entry point whose main module is safe to
    import again (guarded by ``if __name__ == "__main__"``, or run with ``-m``)."""
    global _started_workers_allowed
    previous, _started_workers_allowed = _started_workers_allowed, allowed
    return previous


def worker_context() -> BaseContext | None:
    """How worker processes may be created now: forked, started, or not at all (None)."""
    import multiprocessing

    if can_fork():
        return multiprocessing.get_context("fork")
    if not _started_workers_allowed or multiprocessing.parent_process() is not None:
        return None
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def start_worker() -> None:
    """In a new worker: leave Ctrl-C to the main process, which stops the workers; a
    SIGTERM or SIGHUP (a closed terminal) ends a worker quietly, without the
    handlers the main process had when it forked it. Third-party warnings about
    odd files stay quiet, as in the main process (a started worker does not
    inherit its filters)."""
    import signal

    from recordpack.quiet import silence_libraries

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    silence_libraries()


def worker_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, made as :func:`worker_context` says (forked
    where it says none: a caller that asked for workers all the same, as tests do).

    ``preload``: modules a fork server imports once, so that each worker it
    starts has them already.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = worker_context() or multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    if preload and context.get_start_method() == "forkserver":
        context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(workers, mp_context=context, initializer=start_worker)


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
