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


MAX_SEED = 2**32 - 1  # what numpy and most generators accept as a seed
MAX_SEEDS = 10_000


def parse_seeds(text: str | int | list[int]) -> list[int]:
    """``"3"`` -> ``[0, 1, 2]``; ``"3,7,11"`` -> ``[3, 7, 11]``; ``"0-4"`` -> ``[0..4]``; a list
    is checked as it is.

    Seeds are integers in ``0..2**32-1``, at most 10,000 of them, none repeated, none empty.
    """
    s = ",".join(map(str, text)) if isinstance(text, list) else str(text).strip()
    form = "expected a count (3), a list (3,7,11) or a range (0-4)"
    try:
        if isinstance(text, list):
            seeds = [int(x) for x in text]
        elif "," in s:  # a list; "5," is the list of seed 5
            parts = [x.strip() for x in (s[:-1] if s.endswith(",") and len(s) > 1 else s).split(",")]
            if not all(parts):
                raise UsageError(f"--seeds {s!r}: an empty item in the list; {form}")
            seeds = [int(x) for x in parts]
        elif "-" in s[1:]:
            lo, hi = (int(x) for x in s.split("-", 1))
            if hi < lo:
                raise UsageError(f"--seeds {s!r}: the range is empty ({hi} < {lo})")
            if hi - lo + 1 > MAX_SEEDS:
                raise UsageError(f"--seeds {s!r}: {hi - lo + 1} seeds; at most {MAX_SEEDS:,}")
            seeds = list(range(lo, hi + 1))
        else:
            n = int(s)
            if not 1 <= n <= MAX_SEEDS:
                raise UsageError(f"--seeds {s}: the count must be 1 to {MAX_SEEDS:,}")
            seeds = list(range(n))
    except ValueError:
        raise UsageError(f"--seeds {s!r}: {form}") from None
    if len(seeds) > MAX_SEEDS:
        raise UsageError(f"--seeds {s!r}: {len(seeds)} seeds; at most {MAX_SEEDS:,}")
    if bad := [x for x in seeds if not 0 <= x <= MAX_SEED]:
        raise UsageError(f"--seeds {s!r}: seed {bad[0]} is outside 0..{MAX_SEED}")
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


def gen_key(
    unit: WorkUnit, generator: dict[str, Any], video: dict[str, Any], source: dict[str, Any] | None = None
) -> str:
    """What identifies a unit's clip; ``source`` is a file-backed generator's file (path, size,
    mtime), so a replaced source clip is a new clip."""
    doc = {
        "prompt": unit.prompt.model_dump(mode="json", by_alias=True),
        "seed": unit.seed,
        "generator": generator,
        "video": video,
    }
    if source is not None:
        doc["source"] = source
    return content_sha256(doc)


def score_key(gen: str, metrics: list[dict[str, Any]]) -> str:
    return content_sha256({"gen_key": gen, "metrics": metrics})
