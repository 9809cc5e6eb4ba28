"""The temporal metrics on the reference world's labelled faults, against each clip's clean twin
(same prompt and seed, no fault), after H.264: the issue's acceptance criteria."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from metrics import Clip, build_metric
from model import get_generator
from prompts import load_suite
from t2vbase.video import read_video, write_video

PROMPTS = load_suite("core").prompts[::37]


def twins(fault: str, tmp: Path) -> list[tuple[Clip, Clip, dict[str, Any]]]:
    clean, bad = get_generator("reference:profile=clean"), get_generator(f"reference:faults={fault},rate=1")
    out = []
    for p in PROMPTS:
        vb = bad.generate(p, seed=0)
        if vb.metadata["faults"]:
            vc = clean.generate(p, seed=0)
            clips = [Clip(read_video(write_video(tmp / "c.mp4", v)).frames, v.fps, p, v.metadata) for v in (vc, vb)]
            out.append((*clips, vb.metadata["faults"][0]))
    return out


def values(name: str, clip: Clip) -> Any:
    return build_metric(name).score(clip)


@pytest.mark.parametrize("name", ["temporal.flicker", "temporal.warp_error"])
def test_flicker_raises_flicker_and_warp_error_on_every_clip(name: str, tmp_path: Path) -> None:
    data = twins("flicker", tmp_path)
    assert len(data) >= 8
    for clean, bad, label in data:
        assert values(name, bad).value > values(name, clean).value, (bad.prompt.id, label)


def test_teleport_is_worse_than_its_twin(tmp_path: Path) -> None:
    data = twins("teleport", tmp_path)
    assert len(data) >= 8
    for clean, bad, _ in data:
        assert values("temporal.warp_error", bad).value > values("temporal.warp_error", clean).value, bad.prompt.id
        assert values("temporal.smoothness", bad).value < values("temporal.smoothness", clean).value, bad.prompt.id


def test_freeze_is_still_over_its_span(tmp_path: Path) -> None:
    spans = []
    for clean, bad, label in twins("freeze", tmp_path):
        s, n = label["start_frame"], max(1, round(4 * label["severity"]))
        frozen = range(s - 1, min(s - 1 + n, bad.num_frames - 1))  # pairs where the object stands
        others = [o for o in clean.meta["truth"]["objects"] if o["id"] != label["object"]]
        boxes = [np.array(o["bbox"])[frozen.start : frozen.stop + 1] for o in others]
        camera = np.array(
            [clean.meta["truth"]["camera"][k][frozen.start : frozen.stop + 1] for k in ("cx", "cy", "zoom")]
        )
        bad_result, clean_result = values("temporal.dynamic_degree", bad), values("temporal.dynamic_degree", clean)
        assert bad_result.value <= clean_result.value
        if np.ptp(camera, axis=1).max() < 1e-4 and all(np.ptp(b, axis=0).max() < 0.002 for b in boxes):
            spans.append(np.mean([bad_result.detail["moving"][i] for i in frozen]))
            assert all(clean_result.detail["moving"][i] for i in frozen)  # it moved there in the clean twin
    assert len(spans) >= 5
    assert np.mean(spans) <= 0.05 and max(spans) <= 0.25
