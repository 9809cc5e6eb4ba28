"""Frames in every form a pipeline returns them, as (T, H, W, 3) uint8 per video."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from model.frames import batch_frames, to_uint8_video
from t2vbase.errors import GeneratorError

RNG = np.random.default_rng(0)
VIDEOS = RNG.random((2, 5, 12, 16, 3), dtype=np.float32)  # (B, T, H, W, C) in [0, 1]
EXPECTED = (VIDEOS * 255).round().astype(np.uint8)


class Output:
    def __init__(self, frames: object) -> None:
        self.frames = frames


@pytest.mark.parametrize(
    "out",
    [
        Output(VIDEOS),  # output_type="np"
        Output(torch.from_numpy(VIDEOS).permute(0, 1, 4, 2, 3).contiguous()),  # "pt": (B, T, C, H, W)
        Output(torch.from_numpy(VIDEOS).to(torch.bfloat16).float()),  # a tensor of another dtype
        (VIDEOS,),  # return_dict=False
        Output([[Image.fromarray(f) for f in v] for v in EXPECTED]),  # "pil"
        Output([v for v in EXPECTED]),  # a list of uint8 videos
    ],
    ids=["np", "pt", "bf16", "tuple", "pil", "uint8-list"],
)
def test_every_output_form(out: object) -> None:
    got = batch_frames(out, 2)
    assert len(got) == 2 and all(v.shape == (5, 12, 16, 3) and v.dtype == np.uint8 for v in got)
    assert max(np.abs(g.astype(int) - e).max() for g, e in zip(got, EXPECTED, strict=True)) <= 1


def test_channels_and_ranges() -> None:
    gray = np.linspace(0, 1, 4 * 6 * 8).reshape(4, 6, 8, 1)
    assert to_uint8_video(gray).shape == (4, 6, 8, 3)
    rgba = np.zeros((3, 4, 4, 4), np.uint8)
    rgba[..., 3] = 255
    assert to_uint8_video(rgba).shape == (3, 4, 4, 3) and to_uint8_video(rgba).max() == 0
    wild = np.array([-0.5, 0.5, 1.7, np.nan]).reshape(4, 1, 1, 1)
    assert to_uint8_video(wild)[:, 0, 0, 0].tolist() == [0, 128, 255, 0]
    one = batch_frames(Output(VIDEOS[0]), 1)  # a 4-D array for a batch of one
    assert one[0].shape == (5, 12, 16, 3)


@pytest.mark.parametrize(
    "out, n, match",
    [
        (Output(VIDEOS), 3, r"shape \(2, 5, 12, 16, 3\) for a batch of 3"),
        (Output(np.zeros((2, 5, 12, 16, 7))), 2, "no channel axis of 1, 3 or 4"),
        (Output([[]]), 1, "no frames"),
        (Output([EXPECTED[0]]), 2, "returned 1 items for a batch of 2"),
    ],
)
def test_wrong_shapes_are_one_line_errors(out: object, n: int, match: str) -> None:
    with pytest.raises(GeneratorError, match=match):
        batch_frames(out, n)
