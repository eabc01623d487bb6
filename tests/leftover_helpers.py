"""Killing a child process while its temporary exists, for the tests of leftovers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def kill_when_stalled(script: str, *args: str | Path, marker: Path) -> None:
    """Run ``python -c SCRIPT ARGS`` and SIGKILL it once it has written ``marker``.

    The script writes ``marker`` where it stalls (just before a rename, say), so that the
    kill lands while its temporary exists; ``marker`` is removed afterwards.
    """
    # This checkout's recordpack, not an installed one, is the one under test.
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", script, *map(str, args)], env=environment)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, "the child ended before it could be killed"
            assert time.monotonic() < deadline, "the child never reached its stall"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    marker.unlink()


def dead_pid() -> int:
    """The process id of a process that has ended."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    return int(done.stdout)
