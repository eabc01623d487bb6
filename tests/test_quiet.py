"""Third-party libraries stay quiet while any scan runs, and only then."""

from __future__ import annotations

import logging
import threading
import warnings

from recordpack.quiet import NOISY_LOGGERS, quiet_libraries


def _silenced() -> bool:
    """Whether a library's warning and its critical log message would both be dropped."""
    with warnings.catch_warnings(record=True) as seen:
        # catch_warnings(record=True) keeps the filters in force; only "always"
        # entries added here would change them, and none is added.
        warnings.warn("odd file", UserWarning, stacklevel=1)
    logged = any(logging.getLogger(name).isEnabledFor(logging.CRITICAL) for name in NOISY_LOGGERS)
    return not seen and not logged


def test_two_threads_leaving_in_either_order_keep_each_other_quiet() -> None:
    """The web app scans on threads: when the first scan ends, the second is still
    quiet, and when both have ended the log levels and warning filters are back."""
    levels = [logging.getLogger(name).level for name in NOISY_LOGGERS]
    filters = list(warnings.filters)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen_by_second: list[bool] = []

    def first() -> None:
        with quiet_libraries():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with quiet_libraries():
            second_in.set()
            first_out.wait(5)
            seen_by_second.append(_silenced())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # a warning shows unless quiet_libraries drops it
        outer = list(warnings.filters)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert seen_by_second == [True], "the second scan was no longer quiet"
        assert warnings.filters == outer
        assert not _silenced()
    assert warnings.filters == filters
    assert [logging.getLogger(name).level for name in NOISY_LOGGERS] == levels


def test_nested_use_restores_on_the_last_exit() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with quiet_libraries():
            with quiet_libraries():
                assert _silenced()
            assert _silenced()
        assert not _silenced()
