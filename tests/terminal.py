"""Run a program on a pseudo-terminal, typing answers to its prompts as a person would."""

from __future__ import annotations

import errno
import os
import pty
import select
import time

import pytest


def run_with_terminal(
    argv: list[str], answers: list[tuple[str, str]], timeout: float = 120
) -> bytes:
    """Run ``argv`` on a pseudo-terminal, typing each answer after its prompt appears.

    age reads passphrases from the terminal only (no environment variable in 1.1.1).
    Returns what the program printed on the terminal; fails on a non-zero exit.
    """
    pid, fd = pty.fork()
    if pid == 0:  # child: becomes the program, with the pty as its terminal
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if pending and pending[0][0].encode() in seen:
                os.write(fd, pending.pop(0)[1].encode() + b"\n")
                seen = b""
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, 9)
                pytest.fail(f"{argv[0]} did not finish; it printed {seen!r}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError as error:  # EIO: the child closed the terminal
                if error.errno != errno.EIO:
                    raise
                break
            if not data:
                break
            seen += data
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"{argv} failed: {seen!r}"
    return seen
