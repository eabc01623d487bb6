"""Keep third-party libraries quiet while recordpack reads untrusted files."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: Libraries that log a message for every odd file they read.
NOISY_LOGGERS = ("pydicom", "pypdf")


@contextmanager
def quiet_libraries() -> Iterator[None]:
    """pydicom and pypdf warn on every odd file; the scan reports problems itself."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def silence_libraries() -> None:
    """:func:`quiet_libraries` for the rest of the process (a worker started to parse files)."""
    warnings.simplefilter("ignore")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
