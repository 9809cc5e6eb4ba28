"""Temporal metrics on injected faults, and their CPU cost per 16-frame 128x128 clip.

    python benchmarks/bench_temporal.py [--suite core] [--every 6] [--seeds 1]

Renders prompts of the suite with the reference world, clean and with one fault at a time
(``reference:faults=F,rate=1``: the same prompt and seed, so the clean twin differs only by the
fault), encodes both as H.264 and scores them:

- ``flicker``: the share of clips where ``temporal.flicker`` and ``temporal.warp_error`` rise;
- ``teleport``: the share where ``temporal.warp_error`` rises and ``temporal.smoothness`` falls;
- ``freeze``: ``temporal.dynamic_degree`` over the frozen span (the frame pairs where the object
  stands still), on clips where nothing else moves then (other objects and the camera), and the
  clip's value against its clean twin's;
- cost: CPU seconds of all ``temporal.*`` metrics together on the plain reference renders, pinned
  to one thread, one fresh clip cache per clip (as in a run), after one warm-up clip;
  ``temporal.feature_consistency``
  (a network) apart, on every fourth of those clips.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np

from metrics import Clip, build_metric, resolve_metrics
from model import get_generator
from prompts import load_suite
from t2vbase.video import read_video, write_video

RAISES = {
    "flicker": {"temporal.flicker": 1, "temporal.warp_error": 1},
    "teleport": {"temporal.warp_error": 1, "temporal.smoothness": -1},
}


def encoded(video: Any, tmp: Path, prompt: Any) -> Clip:
    frames = read_video(write_video(tmp / "c.mp4", video)).frames
    return Clip(frames, video.fps, prompt, video.metadata)


def pairs(fault: str, suite: Any, every: int, seeds: int, tmp: Path) -> list[tuple[Clip, Clip, dict[str, Any]]]:
    """(clean, faulty, label) for every prompt and seed where the fault applies."""
    clean, bad = get_generator("reference:profile=clean"), get_generator(f"reference:faults={fault},rate=1")
    out = []
    for p in suite.prompts[::every]:
        for seed in range(seeds):
            vb = bad.generate(p, seed=seed)
            if vb.metadata.get("faults"):
                out.append(
                    (encoded(clean.generate(p, seed=seed), tmp, p), encoded(vb, tmp, p), vb.metadata["faults"][0])
                )
    return out


def fault_rates(fault: str, data: list[tuple[Clip, Clip, dict[str, Any]]]) -> None:
    for name, sign in RAISES[fault].items():
        m = build_metric(name)
        ratios = np.array([m.score(b).value / max(m.score(c).value, 1e-9) for c, b, _ in data])
        worse = np.mean(ratios > 1) if sign > 0 else np.mean(ratios < 1)
        word = "rises" if sign > 0 else "falls"
        print(
            f"  {name:26s} {word} on {worse:6.1%} of {len(data)} clips (faulty/clean: min {ratios.min():.3f}, median {np.median(ratios):.3f})"
        )


def at_the_fault(data: list[tuple[Clip, Clip, dict[str, Any]]]) -> None:
    """Whether the metrics see the jump itself: the faulty clip's value at the teleport (the
    frame pair ``(s-1, s)``; smoothness: the worse of frames ``s-1`` and ``s``) against the
    clean twin's there, before the two clips' paths part."""
    warp, smooth = build_metric("temporal.warp_error"), build_metric("temporal.smoothness")
    w, m = [], []
    for clean, bad, label in data:
        s = label["start_frame"]
        pair = [r.detail["per_pair"][s - 1] or 0.0 for r in (warp.score(bad), warp.score(clean))]
        inner = [max(r.detail["per_frame"][max(s - 2, 0) : s]) for r in (smooth.score(bad), smooth.score(clean))]
        w.append(pair[0] > pair[1])
        m.append(inner[0] > inner[1])
    print(
        f"  at the jump itself: warp_error of pair (s-1, s) higher on {np.mean(w):.1%}, interpolation error of frame s-1 or s higher on {np.mean(m):.1%}"
    )


def still_elsewhere(meta: dict[str, Any], label: dict[str, Any], frames: range) -> bool:
    """Whether nothing but the frozen object moves over ``frames`` (truth of the clean twin)."""
    truth = meta["truth"]
    cam = np.array([truth["camera"][k] for k in ("cx", "cy", "zoom")])[:, list(frames)]
    if np.ptp(cam, axis=1).max() > 1e-4:
        return False
    for obj in truth["objects"]:
        if obj["id"] != label["object"] and np.ptp(np.array(obj["bbox"])[list(frames)], axis=0).max() > 0.002:
            return False
    return True


def freeze_span(data: list[tuple[Clip, Clip, dict[str, Any]]]) -> None:
    m = build_metric("temporal.dynamic_degree")
    spans, lower = [], []
    for clean, bad, label in data:
        s, n = label["start_frame"], max(1, round(4 * label["severity"]))
        pairs_frozen = range(s - 1, min(s - 1 + n, bad.num_frames - 1))
        rb = m.score(bad)
        lower.append(rb.value <= m.score(clean).value)
        if still_elsewhere(clean.meta, label, range(pairs_frozen.start, pairs_frozen.stop + 1)):
            spans.append(np.mean([rb.detail["moving"][i] for i in pairs_frozen]))
    print(f"  temporal.dynamic_degree at or below its clean twin on {np.mean(lower):.1%} of {len(data)} clips")
    if spans:
        sp = np.array(spans)
        print(
            f"  over the frozen span, on {sp.size} clips where nothing else moves: mean {sp.mean():.3f}, max {sp.max():.3f}, exactly 0 on {np.mean(sp == 0):.1%}"
        )


def cost(suite: Any, every: int, seeds: int, tmp: Path) -> None:
    names = [n for n in resolve_metrics("temporal.*") if n != "temporal.feature_consistency"]
    metrics = [build_metric(n) for n in names]
    gen = get_generator("reference")
    warm = suite.prompts[0]
    for m in metrics:  # first calls into OpenCV and numpy pay one-time set-up, not per-clip cost
        m.score(encoded(gen.generate(warm, seed=0), tmp, warm))
    total, per, ids = [], {n: [] for n in names}, []
    for p in suite.prompts[::every]:
        for seed in range(seeds):
            clip = encoded(gen.generate(p, seed=seed), tmp, p)
            ids.append(f"{p.id}/{seed}")
            t0 = time.process_time()
            for m in metrics:
                t1 = time.process_time()
                m.score(clip)
                per[m.name].append(time.process_time() - t1)
            total.append(time.process_time() - t0)
    t = np.array(total)
    print(f"cost of {', '.join(names)} on {t.size} clips of {clip.frames.shape}, 1 thread (gate 0.05 s):")
    print(
        f"  all together: median {np.median(t):.4f} s, mean {t.mean():.4f} s, max {t.max():.4f} s CPU per clip "
        f"({ids[int(t.argmax())]}; 99th percentile {np.percentile(t, 99):.4f} s)"
    )
    for n, v in per.items():
        print(f"  {n:26s} median {np.median(v):.4f} s (the first metric of a clip pays for its flows)")


def resolution_cost(suite: Any, tmp: Path) -> None:
    """The flow-based metrics (working size 64 px) at 128x128 and at 512x512 renders."""
    names = ["temporal.warp_error", "temporal.smoothness", "temporal.dynamic_degree"]
    line = []
    for side in (128, 512):
        gen = get_generator("reference")
        cpu = []
        for p in suite.prompts[::24]:
            v = gen.generate(p, seed=0, height=side, width=side)
            clip = encoded(v, tmp, p)
            t0 = time.process_time()
            for n in names:
                build_metric(n).score(clip)
            cpu.append(time.process_time() - t0)
        line.append(f"{side}x{side}: median {np.median(cpu):.4f} s")
    print(f"warp_error + smoothness + dynamic_degree by resolution (decoding excluded): {'; '.join(line)}")


def feature_cost(suite: Any, every: int, seeds: int, tmp: Path) -> None:
    """``temporal.feature_consistency`` with the embedded encoder (its committed weights, else a
    randomly initialised one of the same architecture: the same cost), whole frames and with
    subject/background regions (the colour observation's cost counted apart)."""
    import torch

    from metrics.encoder import DEFAULT_WEIGHTS, VideoTextEncoder, load_encoder
    from metrics.observe import observe
    from metrics.temporal.feature_consistency import FeatureConsistency
    from metrics.temporal.frame_features import EmbeddedFrames

    torch.set_num_threads(1)
    enc = load_encoder() if DEFAULT_WEIGHTS.is_file() else VideoTextEncoder()
    src = EmbeddedFrames(enc)
    gen = get_generator("reference")
    cost = {"whole frames": [], "regions (after observation)": [], "colour observation": []}
    for p in suite.prompts[::every]:
        for seed in range(seeds):
            clip = encoded(gen.generate(p, seed=seed), tmp, p)
            t0 = time.process_time()
            FeatureConsistency(source=src, regions=False).score(clip)
            t1 = time.process_time()
            observe(clip, "color")
            t2 = time.process_time()
            FeatureConsistency(source=src, regions=True).score(clip)
            t3 = time.process_time()
            for k, v in zip(cost, (t1 - t0, t3 - t2, t2 - t1), strict=True):
                cost[k].append(v)
    weights = "committed weights" if DEFAULT_WEIGHTS.is_file() else "random init"
    print(f"cost of temporal.feature_consistency, embedded encoder ({weights}, {src.protocol()['features_path']}):")
    for k, v in cost.items():
        print(f"  {k:28s} median {np.median(v):.4f} s, max {np.max(v):.4f} s CPU per clip")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="core")
    ap.add_argument("--every", type=int, default=6, help="take every n-th prompt of the suite")
    ap.add_argument("--seeds", type=int, default=1)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    suite = load_suite(args.suite)
    with tempfile.TemporaryDirectory() as tmp:
        for fault in ("flicker", "teleport", "freeze"):
            data = pairs(fault, suite, args.every, args.seeds, Path(tmp))
            print(f"{fault}: {len(data)} clips of suite {args.suite} (every {args.every}, {args.seeds} seed(s)), H.264")
            freeze_span(data) if fault == "freeze" else fault_rates(fault, data)
            if fault == "teleport":
                at_the_fault(data)
        cost(suite, args.every, args.seeds, Path(tmp))
        resolution_cost(suite, Path(tmp))
        feature_cost(suite, args.every * 4, args.seeds, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
