"""Generators and metrics that misbehave on purpose (used through ``module:tests.fakes:...``)."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from metrics.base import Clip, ClipResult, SetMetric
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
    each clip, or only before the clip of ``prompt``; each call is a line ``<pid> <prompt id>/<seed>``
    in ``$T2V_TEST_GEN_LOG`` when set."""

    name = "slow-reference"

    def __init__(self, seconds: float = 1.0, prompt: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seconds, self.target = seconds, prompt

    def generate(self, prompt: Any, **kwargs: Any) -> Any:
        log = os.environ.get("T2V_TEST_GEN_LOG")
        if log:
            with open(log, "a") as fh:
                fh.write(f"{os.getpid()} {getattr(prompt, 'id', prompt)}/{kwargs.get('seed')}\n")
        if not self.target or getattr(prompt, "id", None) == self.target:
            deadline = time.monotonic() + self.seconds
            while time.monotonic() < deadline:
                time.sleep(0.05)
        return super().generate(prompt, **kwargs)


class BatchReference(ReferenceGenerator):
    """The reference generator with ``generate_batch`` (each clip exactly its unit's), counting
    its batch calls in ``$T2V_TEST_BATCH_LOG`` (one line per call: the batch size).
    ``fail_batch=true`` makes every batch call raise (units then run one by one)."""

    name = "batch-reference"

    def __init__(self, batch: int = 1, fail_batch: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.batch_size, self.fail_batch = batch, fail_batch

    def generate_batch(self, prompts: list[Any], *, seeds: list[int], **kwargs: Any) -> list[Any]:
        log = os.environ.get("T2V_TEST_BATCH_LOG")
        if log:
            with open(log, "a") as fh:
                fh.write(f"{len(prompts)}\n")
        if self.fail_batch:
            raise GeneratorError("out of memory (simulated batch)")
        return [super(BatchReference, self).generate(p, seed=s, **kwargs) for p, s in zip(prompts, seeds, strict=True)]


@dataclass(kw_only=True)
class MeanLuma(SetMetric):
    """A set-level metric for tests: the mean over clips of each clip's mean luma (its features
    are one number per clip, so a set value is easy to check)."""

    name: ClassVar[str] = "test.mean_luma"

    def features(self, clip: Clip) -> np.ndarray:
        return np.array([clip.gray().mean()])

    def compute_set(self, features: np.ndarray) -> ClipResult:
        return ClipResult(value=float(features[:, 0].mean()), detail={"n": len(features)})
