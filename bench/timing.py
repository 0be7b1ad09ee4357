"""The parser benches' one timing harness: best-of-N CPU time, stopped past a timeout.

Timings live in ``make bench``, never in tests; both parser benches time hostile
bodies with this, so their numbers mean the same thing.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable


class Stopped(Exception):
    """A body ran past ``--timeout``."""


def best_ms(work: Callable[[], object], runs: int, timeout: float) -> tuple[float, float]:
    """Best of ``runs`` (CPU, wall-clock) timings of ``work`` in ms; ``inf`` past ``timeout``.

    The verdict is on CPU time, the parse's own cost: on a shared machine the
    wall clock also counts the time other processes held the CPU. Both are shown.
    """

    def stop(signum: int, frame: object) -> None:
        raise Stopped

    previous = signal.signal(signal.SIGALRM, stop)
    cpu, wall = [], []
    try:
        for _ in range(runs):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            started, started_cpu = time.perf_counter(), time.thread_time()
            try:
                work()
            except Stopped:
                return float("inf"), float("inf")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return min(cpu), min(wall)


def shown(ms: float, timeout: float) -> str:
    return f"{ms:8.1f}" if ms != float("inf") else f">{timeout * 1000:7.0f}"
