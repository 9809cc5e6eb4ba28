"""``align.video_text`` and ``align.mirror_gap`` on models built here: a tiny random encoder
(interface, protocol, torchmetrics) and a scorer that knows where red is (known answers)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from metrics import Clip, build_metric
from metrics.align.models import ALIGN_MODELS, build_align_model
from metrics.encoder import EncoderConfig, VideoTextEncoder, save_encoder
from metrics.torchmetric import torchmetric
from prompts import Prompt
from t2vbase.errors import MetricError

VOCAB = ("<pad>", "<unk>", "a", "ball", "blue", "left", "of", "red", "right", "the", "to", "is")


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    cfg = EncoderConfig(frames=4, height=16, width=16, dim=8, patch=2, widths=(4, 8), frame_dim=8, text_dim=8,
                        text_layers=1, text_heads=2, max_len=12, vocab=VOCAB)  # fmt: skip
    return save_encoder(VideoTextEncoder(cfg), tmp_path_factory.mktemp("enc") / "tiny.pt")


def prompt(text: str) -> Prompt:
    return Prompt(id="align-test", text=text, family="spatial")


def red_at(x: float, T: int = 6, size: int = 32) -> np.ndarray:
    """A gray clip with a red square centred at ``x`` (fraction of the width)."""
    f = np.full((T, size, size, 3), 128, np.uint8)
    c = int(x * size)
    f[:, 12:20, max(0, c - 4) : c + 4] = (220, 30, 30)
    return f


class RedSide:
    """Knows where red is: 1 when the text puts the red ball on the side its pixels are on."""

    def score(self, frames: np.ndarray, texts: Sequence[str]) -> list[float]:
        out = []
        for i, text in enumerate(texts):
            f = frames[min(i, len(frames) - 1)].astype(int)
            cols = np.nonzero(((f[..., 0] - f[..., 1]) > 60).any(axis=(0, 1)))[0]
            side = "left" if cols.mean() < f.shape[2] / 2 else "right"
            out.append(1.0 if f"red ball is on the {side}" in text else 0.0)
        return out

    def protocol(self) -> dict[str, Any]:
        return {"model": "redside"}

    def to(self, device: Any) -> RedSide:
        return self


@pytest.fixture
def redside() -> Any:
    ALIGN_MODELS.add("redside", lambda weights: RedSide())
    yield "redside"
    ALIGN_MODELS.remove("redside")


def test_video_text_is_the_encoder_cosine(tiny_weights: Path) -> None:
    m = build_metric("align.video_text", weights=str(tiny_weights))
    clip = red_at(0.25)
    got = m.score(Clip(clip, 8.0, prompt("a red ball to the left"))).value
    from metrics.encoder import load_encoder

    want = load_encoder(tiny_weights).score(clip[None], ["a red ball to the left"])[0]
    assert got is not None and -1.0 <= got <= 1.0 and abs(got - want) < 1e-5


def test_protocol_names_the_model_and_weights_without_loading_it(tiny_weights: Path) -> None:
    import hashlib

    m = build_metric("align.video_text", weights=str(tiny_weights))
    proto = m.protocol()
    assert proto["align_model"]["weights_sha256"] == hashlib.sha256(tiny_weights.read_bytes()).hexdigest()
    assert proto["model"] == "tiny" and proto["higher_is_better"] is True
    assert m.aligner()._model is None  # type: ignore[attr-defined]


def test_mirror_gap_has_the_sign_of_the_clip_side(redside: str) -> None:
    m = build_metric("align.mirror_gap", model=redside)
    left = prompt("The red ball is on the left and a blue ball on the right.")
    follows = m.score(Clip(red_at(0.2), 8.0, left))
    mirrored = m.score(Clip(red_at(0.8), 8.0, left))
    assert follows.value == 1.0 and mirrored.value == -1.0
    assert follows.detail["mirrored"] == "The red ball is on the right and a blue ball on the left."


def test_mirror_gap_is_na_for_a_prompt_without_a_side(redside: str) -> None:
    res = build_metric("align.mirror_gap", model=redside).score(Clip(red_at(0.2), 8.0, prompt("A red ball bounces.")))
    assert res.value is None and "n/a" in res.detail["note"]


def test_mirror_gap_with_the_tiny_encoder_is_the_difference_of_scores(tiny_weights: Path) -> None:
    m = build_metric("align.mirror_gap", weights=str(tiny_weights))
    res = m.score(Clip(red_at(0.2), 8.0, prompt("a red ball to the left of a blue ball")))
    assert res.value is not None and abs(res.value - (res.detail["score"] - res.detail["mirrored_score"])) < 1e-5


def test_an_unknown_model_is_a_one_line_error() -> None:
    with pytest.raises(MetricError, match="model=clipp"):
        build_align_model("clipp")
    with pytest.raises(MetricError, match="not found"):
        build_metric("align.video_text", weights="/nonexistent/tiny.pt").protocol()


def test_usable_as_a_torchmetrics_metric(tiny_weights: Path) -> None:
    m = torchmetric("align.video_text")(weights=str(tiny_weights))
    clips = np.stack([red_at(0.2), red_at(0.8)])
    m.update(torch.from_numpy(clips), [prompt("a red ball to the left"), prompt("a red ball to the right")])
    direct = build_metric("align.video_text", weights=str(tiny_weights))
    want = np.mean(
        [
            direct.score(Clip(c, 8.0, prompt(t))).value
            for c, t in zip(clips, ["a red ball to the left", "a red ball to the right"], strict=True)
        ]
    )
    assert abs(float(m.compute()) - want) < 1e-5
