"""Cost and mirror-sign accuracy of the alignment metrics with the embedded encoder.

    python benchmarks/bench_align.py [--clips 30] [--seed 7000] [--limit 0] [--skip-accuracy]

Cost: ``align.video_text`` on ``--clips`` 16-frame 128x128 clips, one thread, process CPU time
per clip (the first call, which loads the weights, is timed apart), and ``align.mirror_gap``
likewise. Accuracy: the share of prompts with a side (every core prompt whose text names left or
right, and the suite's ``mirror`` pairs among them) where ``align.mirror_gap`` > 0, on clips of
render seed ``--seed`` (never used in training) from

* ``world``: the reference world, clean, H.264 at the default crf (what a run stores);
* ``world-flipped``: the same clips mirrored (the gap must turn negative);
* ``synth``: the independent OpenCV renderer of ``tests/metrics/synth.py`` (shaded palette,
  sensor noise, textured background, H.264 at crf 32).
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "1"

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from metrics import Clip, build_metric
from model.reference import ReferenceGenerator
from prompts import Prompt, load_suite
from prompts.mirror import mirror_text
from t2vbase.video import read_video, write_video
from tests.metrics.encoder.worldsynth import synth_clip


def cpu_per_clip(metric_name: str, clips: list[np.ndarray], prompt: Prompt) -> tuple[float, float]:
    """(first call incl. loading, mean of the others) in CPU seconds per clip."""
    m = build_metric(metric_name)
    t = time.process_time()
    m.score(Clip(clips[0], 8.0, prompt))
    first = time.process_time() - t
    t = time.process_time()
    for c in clips[1:]:
        m.score(Clip(c, 8.0, prompt))
    return first, (time.process_time() - t) / max(1, len(clips) - 1)


def sided(limit: int) -> list[Prompt]:
    out = [p for p in load_suite("core").prompts if mirror_text(p.text) != p.text]
    return out[:limit] if limit else out


def accuracy(render: Callable[[Prompt], np.ndarray], prompts: list[Prompt], sign: int = 1) -> dict[str, list[bool]]:
    """Per group (``all``, ``mirror pairs``, each prompt family): whether sign * gap > 0."""
    m = build_metric("align.mirror_gap")
    out: dict[str, list[bool]] = {"all": [], "mirror pairs": []}
    for p in prompts:
        ok = sign * m.score(Clip(render(p), 8.0, p)).value > 0
        groups = ["all", p.family] + (["mirror pairs"] if p.mirror else [])
        for g in groups:
            out.setdefault(g, []).append(ok)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7000)
    ap.add_argument("--limit", type=int, default=0, help="first N prompts with a side (0: all)")
    ap.add_argument("--skip-accuracy", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    gen = ReferenceGenerator(profile="clean")
    prompts = sided(args.limit)
    clips = [gen.generate(p, seed=args.seed).frames for p in prompts[: args.clips]]
    print(f"cost, one thread, {len(clips)} clips of {clips[0].shape} (CPU seconds per clip)")
    for name in ("align.video_text", "align.mirror_gap"):
        first, rest = cpu_per_clip(name, clips, prompts[0])
        print(f"  {name:18s} {rest:.4f} s per clip   (first call, loading the weights: {first:.2f} s)")
    if args.skip_accuracy:
        return 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)

        def world(p: Prompt) -> np.ndarray:
            return read_video(write_video(tmp / "w.mp4", gen.generate(p, seed=args.seed).frames, fps=8)).frames

        rows = [
            ("world", world, 1),
            ("world-flipped", lambda p: world(p)[:, :, ::-1].copy(), -1),
            ("synth", lambda p: synth_clip(p, args.seed, tmp), 1),
        ]
        print(f"align.mirror_gap sign accuracy (core prompts with a side, render seed {args.seed})")
        for name, render, sign in rows:
            groups = accuracy(render, prompts, sign)
            shown = "  ".join(f"{g} {np.mean(ok):.3f} ({sum(ok)}/{len(ok)})" for g, ok in groups.items() if ok)
            print(f"  {name:14s} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
