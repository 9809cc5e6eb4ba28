"""A unit past ``--unit-timeout`` gets error rows naming the stage it was in; the run goes on."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bench.runner import RunConfig, run
from tests.conftest import SMOKE_IDS

SLOW = SMOKE_IDS[1]


def _run(suite: Path, out: Path, metrics: str) -> tuple[Any, list[dict[str, Any]]]:
    """A run of small clips with a 5 s limit per unit (imports done before: on a loaded machine
    they alone could take a second): its result and its rows."""
    import json

    import av  # noqa: F401
    import cv2  # noqa: F401
    import scipy.ndimage
    import scipy.optimize  # noqa: F401

    cfg = RunConfig(
        suite=str(suite), out=out, metrics=metrics, unit_timeout=5.0, progress=False, num_frames=8, height=64, width=64
    )
    res = run(cfg)
    return res, [json.loads(x) for x in (out / "samples.jsonl").read_text().splitlines() if x]


def _slow_for(target: str, real: Any) -> Any:
    def slow(self_or_clip: Any, *args: Any, **kwargs: Any) -> Any:
        clip = args[0] if args and hasattr(args[0], "prompt") else self_or_clip
        if getattr(getattr(clip, "prompt", None), "id", None) == target:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                time.sleep(0.05)
        return real(self_or_clip, *args, **kwargs)

    return slow


@pytest.mark.parametrize(
    ("where", "stage"),
    [("observe", "stage observe"), ("flicker", "stage metric:temporal.flicker"), ("decode", "stage decode")],
)
def test_a_slow_stage_is_named_and_the_run_goes_on(
    where: str, stage: str, tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench.execute
    import metrics.observe.color_pipeline as pipeline
    from metrics.temporal.flicker import FlickerScore

    if where == "observe":
        monkeypatch.setattr(pipeline, "observe_colors", _slow_for(SLOW, pipeline.observe_colors))
    elif where == "flicker":
        monkeypatch.setattr(FlickerScore, "score", _slow_for(SLOW, FlickerScore.score))
    else:
        real = bench.execute.read_video

        def slow_read(path: Path) -> Any:
            if f"/{SLOW}/" in str(path):
                time.sleep(30)
            return real(path)

        monkeypatch.setattr(bench.execute, "read_video", slow_read)
    t0 = time.monotonic()
    res, rows = _run(tiny_suite, tmp_path / "run", "physics.count,temporal.flicker")
    assert time.monotonic() - t0 < 28  # cut at 5 s, not 30
    assert res.counts["failed"] == 1 and res.counts["done"] == res.counts["units"] == 3
    bad = [r for r in rows if r["prompt_id"] == SLOW]
    assert {r["metric"] for r in bad} == {"physics.count", "temporal.flicker"}
    timed_out = [r for r in bad if r["error"]]
    assert timed_out and all(
        "timed out" in r["error"] and "5 s" in r["error"] and stage in r["error"] for r in timed_out
    )
    if where == "flicker":  # what finished before the limit is kept
        assert [r["verdict"] for r in bad if r["metric"] == "physics.count"] != [None]
    assert not any(r["error"] for r in rows if r["prompt_id"] != SLOW)
