"""The terminal: progress bars on stderr, colour (honouring NO_COLOR), Ctrl-C as a cancel token."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from recordpack.bundle.interrupt import termination_as_interrupt
from recordpack.workflow import PHASE_CHECK, CancelToken

#: What each phase's bar says.
LABELS: dict[str, str] = {
    "scan": "Reading files",
    "pack": "Packing",
    "open": "Opening",
    "verify": "Verifying",
}


class Bars:
    """A :class:`recordpack.workflow.Progress` that draws one bar per phase on stderr.

    Only on a terminal and unless quiet; a finished bar's line is cleared.
    """

    def __init__(self, quiet: bool = False) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._phase: str | None = None
        self._bar: Any = None
        self._shown = 0

    def __call__(self, phase: str, done: int, total: int, detail: str = "") -> None:
        if not self.enabled or phase == PHASE_CHECK:
            return
        if phase != self._phase:
            self.close()
            self._phase = phase
            self._bar = click.progressbar(
                length=max(total, 1), label=LABELS.get(phase, phase), file=sys.stderr
            )
            self._bar.__enter__()
            self._shown = 0
        self._bar.length = max(total, 1)
        self._bar.update(done - self._shown)
        self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            click.echo("\r\033[K", file=sys.stderr, nl=False)  # clear the finished bar's line
            self._bar = None
            self._phase = None


@contextmanager
def bars(quiet: bool = False) -> Iterator[Bars]:
    """Progress bars for the block, closed at its end whatever happens."""
    shown = Bars(quiet)
    try:
        yield shown
    finally:
        shown.close()


@contextmanager
def interruptible() -> Iterator[CancelToken]:
    """A cancel token that Ctrl-C sets, and interrupts the main thread at once.

    The main thread stops where it is and cleans up (nothing half-written);
    worker threads see the token at their next progress point. Waiting for a
    progress point alone is not enough: a file that takes long to read has
    none, and the first Ctrl-C must stop the command. SIGTERM and SIGHUP
    interrupt too (see :mod:`recordpack.bundle.interrupt`).
    """
    token = CancelToken()
    if threading.current_thread() is not threading.main_thread():
        yield token
        return

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        token.cancel()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        with termination_as_interrupt():
            yield token
    finally:
        signal.signal(signal.SIGINT, previous)


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


#: Headlines a reader should see at a glance, and their colour on a terminal.
HEADLINE_COLOURS: dict[str, str] = {"NOT READY TO SEND": "red", "READY TO SEND": "green"}


def colour_headline(text: str) -> str:
    """The report with its READY / NOT READY headline in colour (terminal, no NO_COLOR only)."""
    if not use_color():
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines):
        for prefix, colour in HEADLINE_COLOURS.items():
            if line.startswith(prefix):
                lines[number] = click.style(line, fg=colour, bold=True)
                break
    return "\n".join(lines)


def silence_stdout() -> None:
    """Send what is left for stdout nowhere: its reader has gone (a closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
