"""Keep third-party libraries quiet while recordpack reads untrusted files."""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: Libraries that log a message for every odd file they read.
NOISY_LOGGERS = ("pydicom", "pypdf")
#: Above every level a library logs at: not even a "critical" message gets out.
_SILENT = logging.CRITICAL + 1

_lock = threading.Lock()
_depth = 0
_saved_levels: list[int] = []
_saved_warnings: warnings.catch_warnings | None = None


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """pydicom and pypdf warn on every odd file; the scan reports problems itself.

    Safe to nest and to enter from several threads at once (the web app scans
    on threads): the first to enter silences the libraries, and the last to
    leave puts back the log levels and warning filters found on entry. (Each
    thread entering ``warnings.catch_warnings`` on its own would put back, when
    the first leaves, the filters the others still rely on.)
    """
    global _depth, _saved_levels, _saved_warnings
    with _lock:
        if _depth == 0:
            loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
            _saved_levels = [logger.level for logger in loggers]
            _saved_warnings = warnings.catch_warnings()
            _saved_warnings.__enter__()
            warnings.simplefilter("ignore")
            for logger in loggers:
                logger.setLevel(_SILENT)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for name, level in zip(NOISY_LOGGERS, _saved_levels, strict=True):
                    logging.getLogger(name).setLevel(level)
                if _saved_warnings is not None:
                    _saved_warnings.__exit__(None, None, None)
                    _saved_warnings = None


def silence_libraries() -> None:
    """:func:`quiet_libraries` for the rest of the process (a worker started to parse files)."""
    warnings.simplefilter("ignore")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(_SILENT)
