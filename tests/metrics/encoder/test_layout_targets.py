"""The layout heads' training targets (``scripts/encoder_data.py``, ``scripts/train_layout.py``):
which colours each half of the frame shows, per sampled frame and per span, from ground truth."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

import encoder_data as data
import train_layout as tl

from model.reference import ReferenceGenerator
from prompts import COLOR_NAMES

RED, BLUE = COLOR_NAMES.index("red"), COLOR_NAMES.index("blue")


def track(color: str, x0: list[float], width: float, visible: list[float]) -> dict:
    """A truth track of ``len(x0)`` frames: boxes from ``x0`` to ``x0 + width``."""
    return {
        "group": color,
        "color": [color] * len(x0),
        "bbox": [[x, 0.4, x + width, 0.6] for x in x0],
        "visible_frac": visible,
    }


def test_a_thing_crossing_the_frame_is_left_early_and_right_late() -> None:
    n = 8  # the sampled frames are the clip's frames
    red = track("red", [0.1 * t for t in range(n)], 0.2, [1.0] * n)
    blue = track("blue", [0.7] * n, 0.2, [1.0, 1.0, 1.0, 0.1, 0.1, 1.0, 1.0, 1.0])  # hidden in frames 3-4
    got = data.frame_layout({"objects": [red, blue]}, n, COLOR_NAMES)
    assert got.shape == (8, 2, len(COLOR_NAMES))
    assert got[0, :, RED].tolist() == [1, 0] and got[7, :, RED].tolist() == [0, 1]
    assert got[3, :, RED].tolist() == [1, 0] and got[4, :, RED].tolist() == [1, 1]  # 0.4-0.6: on both sides
    assert got[:, 1, BLUE].tolist() == [1, 1, 1, 0, 0, 1, 1, 1] and not got[:, 0, BLUE].any()
    spans = tl.spans(got, 2)  # (span 0 left, right, span 1 left, right)
    assert spans[:, RED].tolist() == [1, 0, 1, 1] and spans[:, BLUE].tolist() == [0, 1, 0, 1]
    assert tl.flip_halves(spans)[:, BLUE].tolist() == [1, 0, 1, 0]


def test_the_world_truth_of_a_still_relation_matches_its_scene() -> None:
    """On a still scene the per-frame layout is the scene's halves (``halves_target``) in every frame."""
    from prompts import load_suite

    p = next(p for p in load_suite("core").prompts if p.id.startswith("spat-lr"))
    want = data.halves_target(p, COLOR_NAMES)
    video = ReferenceGenerator(profile="clean", jitter=0.0).generate(p, seed=0, height=32, width=32)
    got = data.frame_layout(video.metadata["truth"], len(video.frames), COLOR_NAMES)
    assert want is not None and want.any()
    assert all((f == want).all() for f in got), (got[0], want)


def test_fitting_the_tagger_moves_the_tagger_only() -> None:
    """``fit_tagger`` (both training scripts' word-tagger loop) trains the text tower's tagger and
    leaves every weight that ``dist``, ``temporal`` or the cosine read as it was."""
    import argparse

    import torch

    from tests.metrics.encoder.test_model import tiny

    model = tiny(halves=2, colours=("red", "blue"))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    tagger = {n for m in ("words", "colour", "side") for n, _ in getattr(model.text, m).named_parameters(prefix=m)}
    args = argparse.Namespace(tagger_steps=3, tagger_lr=1e-2, seed=0)
    loss = lambda rng: sum((p**2).sum() for n, p in model.text.named_parameters() if n in tagger)  # noqa: E731
    tl.te.fit_tagger(model, loss, args, None, warmup=1)
    moved = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert moved and moved == {f"text.{n}" for n in tagger}
    assert not model.training
