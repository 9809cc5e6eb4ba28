"""Stopping cleanly: SIGTERM handled like Ctrl-C, and a time limit per work unit.

Schedulers and ``timeout`` send SIGTERM; a run that gets it stops between units like an
interrupted one (status ``interrupted``, finished units kept, exit 143). A unit past its time
limit raises :class:`UnitTimeout` in the stage it is in; the executor turns that into the
unit's error rows and the run goes on.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

EXIT_SIGINT, EXIT_SIGTERM = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (a KeyboardInterrupt, so every ``except KeyboardInterrupt`` stops on it)."""


class UnitTimeout(Exception):
    """A unit ran past ``--unit-timeout``."""


def exit_code(err: BaseException) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return EXIT_SIGTERM if isinstance(err, Terminated) else EXIT_SIGINT


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` (main thread only; else a no-op)."""
    if not _main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Deadline:
    """A time limit for one unit: :meth:`running` arms a timer that raises :class:`UnitTimeout`
    naming the stage ``stage()`` reports; after it fired, :attr:`expired` says so.

    The timer is SIGALRM (main thread; elsewhere there is no limit). Python code is interrupted
    at once; a single native call (one decode batch, one optical-flow frame) finishes first.
    """

    def __init__(self, seconds: float, stage: Callable[[], str | None]) -> None:
        self.seconds, self.stage = float(seconds), stage
        self.expired: str | None = None
        self._start = 0.0

    def _fire(self, signum: int, frame: Any) -> None:
        self.expired = self.stage() or "setup"
        raise UnitTimeout(f"timed out after {self.seconds:g} s (--unit-timeout) in stage {self.expired}")

    @contextmanager
    def running(self) -> Iterator[None]:
        self.expired, self._start = None, time.monotonic()
        if self.seconds <= 0 or not _main_thread():
            yield
            return
        previous = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
