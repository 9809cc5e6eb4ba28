"""Work units ``(prompt_id, seed)``, seed and shard parsing, and the keys that make resume safe.

``gen_key`` identifies a clip: the prompt's content, the generator (name, version, options), the
seed and the video size. ``score_key`` adds the metrics and their protocols. A unit is skipped on
``--resume`` when its stored ``score_key`` matches; its clip is reused when the ``gen_key`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prompts.loader import content_sha256
from prompts.schema import Prompt, Suite
from t2vbase.errors import UsageError


@dataclass(frozen=True)
class WorkUnit:
    prompt: Prompt
    seed: int

    @property
    def prompt_id(self) -> str:
        return self.prompt.id

    @property
    def key(self) -> str:
        return f"{self.prompt.id}/{self.seed}"


def parse_seeds(text: str | int) -> list[int]:
    """``"3"`` -> ``[0, 1, 2]``; ``"3,7,11"`` -> ``[3, 7, 11]``; ``"0-4"`` -> ``[0..4]``."""
    s = str(text).strip()
    try:
        if "," in s:
            seeds = [int(x) for x in s.split(",") if x.strip()]
        elif "-" in s[1:]:
            lo, hi = s.split("-", 1)
            seeds = list(range(int(lo), int(hi) + 1))
        else:
            n = int(s)
            if n < 1:
                raise UsageError(f"--seeds {s}: the count must be at least 1")
            seeds = list(range(n))
    except ValueError:
        raise UsageError(f"--seeds {s!r}: expected a count (3), a list (3,7,11) or a range (0-4)") from None
    if any(x < 0 for x in seeds):
        raise UsageError(f"--seeds {s!r}: seeds must be non-negative")
    if len(set(seeds)) != len(seeds):
        raise UsageError(f"--seeds {s!r}: repeated seed")
    return seeds


def parse_shard(text: str | None) -> tuple[int, int]:
    """``"1/4"`` -> ``(1, 4)`` (0-based index); ``None`` -> ``(0, 1)``."""
    if not text:
        return 0, 1
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected I/N, e.g. 0/4") from None
    if n < 1 or not 0 <= i < n:
        raise UsageError(f"--shard {text!r}: need 0 <= I < N")
    return i, n


def make_units(suite: Suite, seeds: list[int]) -> list[WorkUnit]:
    """All units in suite order, seeds inner."""
    return [WorkUnit(p, s) for p in suite.prompts for s in seeds]


def shard_units(units: list[WorkUnit], shard: tuple[int, int]) -> list[WorkUnit]:
    i, n = shard
    return [u for k, u in enumerate(units) if k % n == i]


def gen_key(unit: WorkUnit, generator: dict[str, Any], video: dict[str, Any]) -> str:
    return content_sha256(
        {
            "prompt": unit.prompt.model_dump(mode="json", by_alias=True),
            "seed": unit.seed,
            "generator": generator,
            "video": video,
        }
    )


def score_key(gen: str, metrics: list[dict[str, Any]]) -> str:
    return content_sha256({"gen_key": gen, "metrics": metrics})
