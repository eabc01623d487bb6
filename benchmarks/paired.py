"""Paired timing of a recordpack command against its peer command.

Each round runs the peer and recordpack back to back (the order alternates
between rounds, so neither always gets the warmer cache or the quieter
moment); the figures are the medians over the rounds, with the ratio of each
round's pair. Peak RSS is the largest child's ``ru_maxrss`` (``wait4``). The
machine and its load average before and after are printed with the table, so
a reader can tell a quiet run from a busy one.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float
    peak_rss: int  # bytes


def timed_env() -> dict[str, str]:
    """The environment of a timed command: this process's as it is now (a script may
    have set ``RECORDPACK_DATA_DIR``), with ``PYTHONSAFEPATH=1``. ``python -m
    recordpack`` would otherwise put the working directory first on its path: run
    from the repository's root, it would time the checkout (with whatever bytecode
    it has) instead of the recordpack this Python has installed, which
    :func:`compile_bytecode` compiled."""
    return {**os.environ, "PYTHONSAFEPATH": "1"}


def run(command: Sequence[str] | str, *, shell: bool = False, setup: Callable[[], None] | None = None) -> Run:
    """Wall time, CPU time (user + sys of all children) and peak RSS of one command."""
    if setup is not None:
        setup()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=timed_env()
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        error = process.stderr.read().decode(errors="replace") if process.stderr else ""
        raise SystemExit(f"{command!r} failed ({code}): {error}")
    if process.stderr is not None:
        process.stderr.close()
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


@dataclass(frozen=True)
class Paired:
    peer: list[Run]
    ours: list[Run]

    @property
    def peer_s(self) -> float:
        return statistics.median(r.seconds for r in self.peer)

    @property
    def ours_s(self) -> float:
        return statistics.median(r.seconds for r in self.ours)

    @property
    def ours_cpu(self) -> float:
        """recordpack's CPU seconds in its median round (the upper median for an even count)."""
        return sorted(r.cpu_seconds for r in self.ours)[len(self.ours) // 2]

    @property
    def ratio(self) -> float:
        """Median of the per-round ratios recordpack time / peer time (below 1: faster)."""
        return statistics.median(o.seconds / p.seconds for o, p in zip(self.ours, self.peer, strict=True))

    @property
    def ours_rss(self) -> int:
        return max(r.peak_rss for r in self.ours)

    @property
    def peer_rss(self) -> int:
        return max(r.peak_rss for r in self.peer)


def paired(
    peer: Callable[[], Run], ours: Callable[[], Run], *, rounds: int = 5, warmup: bool = True
) -> Paired:
    """Run both ``rounds`` times, alternating which goes first; one unrecorded warm-up each."""
    if warmup:
        peer()
        ours()
    peer_runs: list[Run] = []
    our_runs: list[Run] = []
    for index in range(rounds):
        if index % 2 == 0:
            peer_runs.append(peer())
            our_runs.append(ours())
        else:
            our_runs.append(ours())
            peer_runs.append(peer())
    return Paired(peer_runs, our_runs)


def compile_bytecode() -> None:
    """Write recordpack's bytecode cache, as ``pip install`` does, so that no
    timed run compiles the sources (with PYTHONDONTWRITEBYTECODE set, an
    editable checkout would be compiled again by every run)."""
    import compileall

    import recordpack

    compileall.compile_dir(os.path.dirname(recordpack.__file__), quiet=1)


def machine() -> str:
    """One line: CPU model, cores, memory, Python, load average."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (
        f"{model}, {os.cpu_count()} cores{memory}, Python {sys.version.split()[0]}, "
        f"load average {load()}"
    )


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def drop_caches() -> None:
    """Empty the page cache when allowed (root on Linux); otherwise a no-op."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w", encoding="ascii") as handle:
            handle.write("3\n")
    except OSError:
        pass
