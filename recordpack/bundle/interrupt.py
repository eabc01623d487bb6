"""Termination signals become KeyboardInterrupt while a bundle is written.

Packing and opening clean up their temporary file or folder when interrupted
(``except BaseException``), but Python's default for SIGTERM (``kill``, a job
scheduler's time limit) and SIGHUP (the terminal window closed) is to die on the
spot, leaving a hidden ``.part`` file as big as the bundle next to OUT. Raising
KeyboardInterrupt instead runs that cleanup and the CLI's "interrupted" message.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: The signals turned into KeyboardInterrupt (SIGHUP does not exist on Windows).
SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def termination_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise KeyboardInterrupt; restored after.

    Only the main thread may install handlers; elsewhere (an embedding
    application's worker thread) the block runs unchanged. Signals that are
    ignored (``nohup``) or already handled keep their handler.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal already ignored (nohup) or handled by the caller is left as it is.
    previous = {
        sig: signal.signal(sig, _raise_interrupt)
        for sig in SIGNALS
        if signal.getsignal(sig) is signal.SIG_DFL
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
