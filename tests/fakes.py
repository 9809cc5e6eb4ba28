"""Generators and metrics that misbehave on purpose (used through ``module:tests.fakes:...``)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from model.reference import ReferenceGenerator
from t2vbase.errors import GeneratorError


class KillingReference(ReferenceGenerator):
    """The reference generator, which SIGKILLs its own process on the Nth generate() call when
    ``T2V_TEST_KILL_AT=N`` is set: a run killed mid-way, exactly where a test wants it."""

    name = "killing-reference"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls = 0

    def generate(self, prompt: Any, **kwargs: Any) -> Any:
        self.calls += 1
        kill_at = os.environ.get("T2V_TEST_KILL_AT")
        if kill_at and self.calls >= int(kill_at):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().generate(prompt, **kwargs)


class FailOn(ReferenceGenerator):
    """Raises for one prompt id; renders the others. ``interrupt=true`` raises KeyboardInterrupt."""

    name = "fail-on"

    def __init__(self, prompt: str = "", interrupt: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target, self.interrupt = prompt, interrupt

    def generate(self, prompt: Any, **kwargs: Any) -> Any:
        if getattr(prompt, "id", None) == self.target:
            if self.interrupt:
                raise KeyboardInterrupt
            raise GeneratorError(f"prompt {self.target!r}: out of memory (simulated)")
        return super().generate(prompt, **kwargs)


class NotAVideo:
    """A generator that returns the wrong type."""

    name = "not-a-video"
    version = "0"

    def generate(self, prompt: Any, **kwargs: Any) -> Any:
        return [[0]]


class Slow(ReferenceGenerator):
    """The reference generator, sleeping ``seconds`` (in Python, so a time limit can cut it) before
    each clip, or only before the clip of ``prompt``."""

    name = "slow-reference"

    def __init__(self, seconds: float = 1.0, prompt: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seconds, self.target = seconds, prompt

    def generate(self, prompt: Any, **kwargs: Any) -> Any:
        if not self.target or getattr(prompt, "id", None) == self.target:
            deadline = time.monotonic() + self.seconds
            while time.monotonic() < deadline:
                time.sleep(0.05)
        return super().generate(prompt, **kwargs)
