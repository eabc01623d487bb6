"""Long steps (scan, pack, open) in a background thread, with progress and cancel."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recordpack.errors import RecordpackError
from recordpack.web.service import Cancelled, CancelToken, Progress

RUNNING = "running"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass
class Job:
    """One step running in the background; the page polls its state."""

    id: str
    title: str  # what the person sees: "Finding your records"
    unit: str  # "files"
    done_url: str  # where to go when it finishes
    back_url: str  # where to go after a cancel or failure
    cancel: CancelToken = field(default_factory=CancelToken)
    state: str = RUNNING
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)
    result: Any = None
    error: str | None = None
    hint: str | None = None

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "seconds": round(time.monotonic() - self.started),
            "next": self.done_url if self.state == DONE else None,
        }


class Jobs:
    """The app's jobs by id; one thread each."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(
        self,
        title: str,
        unit: str,
        done_url: str,
        back_url: str,
        work: Callable[[Progress, CancelToken], Any],
        on_done: Callable[[Any], None] = lambda result: None,
    ) -> Job:
        """Run ``work(progress, cancel)`` in a thread; ``on_done(result)`` when it succeeds."""
        job = Job(secrets.token_urlsafe(12), title, unit, done_url, back_url)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.result = work(job.progress, job.cancel)
                on_done(job.result)
                job.state = DONE
            except Cancelled:
                job.state = CANCELLED
            except RecordpackError as error:
                job.error, job.hint = error.message, error.hint
                job.state = FAILED
            except Exception as error:  # noqa: BLE001 - a page must say something, never hang
                job.error = f"something went wrong: {type(error).__name__}: {error}"
                job.hint = "Try again; if it happens again, please report it."
                job.state = FAILED

        threading.Thread(target=run, name=f"recordpack-web-{job.id}", daemon=True).start()
        return job

    def cancel_all(self) -> None:
        with self._lock:
            for job in self._jobs.values():
                job.cancel.cancel()

    def join_all(self, timeout: float = 10.0) -> None:
        """Wait (bounded) for running jobs to stop, so that temporary files are removed."""
        deadline = time.monotonic() + timeout
        for thread in threading.enumerate():
            if thread.name.startswith("recordpack-web-"):
                thread.join(max(0.0, deadline - time.monotonic()))
