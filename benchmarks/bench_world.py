"""Frames per second of the reference world on one core, rendering alone (before encoding).

    python benchmarks/bench_world.py [--clips 40] [--repeat 3] [--frames 16] [--size 128]

Pins one thread (OMP_NUM_THREADS=1, cv2.setNumThreads(1), torch.set_num_threads(1) if torch is
loaded) and renders whole clips of several three-object scene types, timed in process CPU time
(other work on the machine is not counted, though it still slows shared caches). ``render`` times
the rasterizer (background, sprites, compositing, ground truth) with the sprite caches cleared
before every clip, so each clip pays for its own sprites; ``warm`` keeps the caches, as a long run
does; ``generate`` is the whole ``ReferenceGenerator.generate`` (scene, motion, default fault
profile, rendering), still before encoding. Each figure is the best of ``--repeat`` runs.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "1"

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.reference import ReferenceGenerator
from model.world.compose import rng_for
from model.world.raster import Rasterizer
from model.world.sprites import clear_caches
from prompts import Prompt, load_suite


def _prompt(pid: str, scene: dict) -> Prompt:
    return Prompt.model_validate({"id": pid, "text": pid, "family": "showcase", "scene": scene})


SKY = {"kind": "sky_ground", "color": "#bcd4ea", "color2": "#8c8f94", "horizon": 0.55}
SCENES = {
    "3 circles, flat, static": {
        "objects": [
            {
                "id": f"b{i}",
                "shape": "circle",
                "color": c,
                "size": 0.16,
                "pos": [0.2 + 0.3 * i, 0.5],
                "vel": [0.2, 0.1],
            }
            for i, c in enumerate(("red", "green", "blue"))
        ]
    },
    "3 textured shapes, texture bg, occluder": {
        "background": {"kind": "texture", "color": "#d9d2c4", "color2": "#c4bcae"},
        "objects": [
            {
                "id": "a",
                "shape": "star",
                "color": "purple",
                "size": 0.2,
                "pos": [0.1, 0.3],
                "vel": [0.8, 0.0],
                "texture": "dots",
                "outline": True,
            },
            {
                "id": "b",
                "shape": "triangle",
                "color": "orange",
                "size": 0.2,
                "pos": [0.8, 0.62],
                "vel": [-0.6, 0.0],
                "texture": "stripes",
            },
            {
                "id": "c",
                "shape": "square",
                "color": "cyan",
                "size": 0.18,
                "pos": [0.3, 0.8],
                "vel": [0.4, -0.2],
                "texture": "checker",
                "outline": True,
            },
        ],
        "occluders": [{"id": "wall", "pos": [0.5, 0.5], "size": 0.6, "aspect": 0.3, "texture": "bricks"}],
    },
    "3 vehicles, sky/ground, pan": {
        "background": SKY,
        "camera": {"motion": "pan_right", "amount": 0.4},
        "objects": [
            {
                "id": f"car{i}",
                "shape": "vehicle",
                "color": c,
                "size": 0.26,
                "aspect": 2.0,
                "pos": [0.15 + 0.35 * i, 0.6 + 0.12 * i],
                "vel": [0.5 - 0.4 * i, 0.0],
                "texture": t,
                "outline": i == 1,
                "z": i,
            }
            for i, (c, t) in enumerate((("red", "stripes"), ("yellow", "none"), ("blue", "dots")))
        ],
    },
    "3 textured shapes, zoom in": {
        "background": {"kind": "texture", "color": "#d9d2c4", "color2": "#c4bcae"},
        "camera": {"motion": "zoom_in", "amount": 0.8},
        "objects": [
            {
                "id": "a",
                "shape": "vehicle",
                "color": "red",
                "size": 0.24,
                "aspect": 2.0,
                "pos": [0.3, 0.35],
                "vel": [0.2, 0.0],
                "texture": "stripes",
            },
            {
                "id": "b",
                "shape": "star",
                "color": "green",
                "size": 0.2,
                "pos": [0.7, 0.4],
                "texture": "dots",
                "outline": True,
            },
            {
                "id": "c",
                "shape": "circle",
                "color": "magenta",
                "size": 0.18,
                "pos": [0.5, 0.7],
                "vel": [0.0, -0.1],
                "texture": "checker",
            },
        ],
    },
    "3 balls, gravity, bounce, collision": {
        "background": {"kind": "sky_ground", "color": "#dfe6ec", "color2": "#b5a283", "horizon": 0.88},
        "objects": [
            {
                "id": "a",
                "shape": "circle",
                "color": "orange",
                "size": 0.14,
                "pos": [0.2, 0.15],
                "gravity": True,
                "bounce": 0.7,
            },
            {
                "id": "b",
                "shape": "circle",
                "color": "blue",
                "size": 0.14,
                "pos": [0.1, 0.5],
                "vel": [0.8, 0.0],
            },
            {
                "id": "c",
                "shape": "circle",
                "color": "red",
                "size": 0.14,
                "pos": [0.8, 0.5],
                "vel": [-0.4, 0.0],
                "mass": 2.0,
            },
        ],
        "collisions": [{"a": "b", "b": "c"}],
        "gravity": 5.0,
        "ground": 0.88,
    },
}


def _pin_threads() -> None:
    cv2.setNumThreads(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def bench(prompts: list[Prompt], clips: int, T: int, size: int) -> tuple[float, float, float]:
    """Frames/s of (cold render, warm render, generate) over ``clips`` clips cycling ``prompts``."""
    gen = ReferenceGenerator(profile="clean")
    faulty = ReferenceGenerator()
    raster = Rasterizer(size, size)
    tls = [gen.timeline(p, T, seed) for seed in range(2) for p in prompts]
    cold = warm = total = 0.0
    for c in range(clips):
        tl = tls[c % len(tls)]
        clear_caches()
        t0 = time.process_time()
        raster.render(tl, rng_for(c))
        t1 = time.process_time()
        raster.render(tl, rng_for(c))
        t2 = time.process_time()
        faulty.generate(prompts[c % len(prompts)], seed=c, num_frames=T, height=size, width=size)
        t3 = time.process_time()
        cold, warm, total = cold + t1 - t0, warm + t2 - t1, total + t3 - t2
    n = clips * T
    return n / cold, n / warm, n / total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--size", type=int, default=128)
    args = ap.parse_args()
    _pin_threads()
    rows = [(name, [_prompt(f"bench-{i}", sc)]) for i, (name, sc) in enumerate(SCENES.items())]
    rows.append(("smoke suite (typical mix, 1-3 objects)", list(load_suite("smoke").prompts)))
    size = f"{args.frames} frames of {args.size}x{args.size}"
    print(f"reference world, {size}, one thread, {args.clips} clips per row, best of {args.repeat}")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{'scene':44s} {'render fps':>10s} {'warm fps':>10s} {'generate fps':>13s}")
    cold_all = []
    for name, prompts in rows:
        runs = [bench(prompts, args.clips, args.frames, args.size) for _ in range(args.repeat)]
        cold, warm, total = np.max(runs, axis=0)
        cold_all.append(cold)
        print(f"{name:44s} {cold:10.0f} {warm:10.0f} {total:13.0f}")
    print(f"worst render fps {min(cold_all):.0f}, median {statistics.median(cold_all):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
