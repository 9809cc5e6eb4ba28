"""Suite prompts drawn by the independent OpenCV renderer (``tests/metrics/synth.py``).

A prompt's scene (positions, velocities, gravity, colours, shapes, occluders, camera pans) is
redrawn with other primitives, shaded colours, sensor noise, a textured background and harder
compression, so an encoder trained on the reference world meets clips it has never seen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from prompts import Prompt
from prompts.scene import Scene as WorldScene
from tests.metrics import synth

T, H, W = 16, 128, 128


def _path(o: Any, sc: WorldScene, cam: float) -> Callable[[int], tuple[float, float]]:
    ax, ay = o.acc[0], o.acc[1] + (sc.gravity if o.gravity else 0.0)

    def at(t: int) -> tuple[float, float]:
        tau = min(max(t / (T - 1), o.start), o.stop if o.stop is not None else 1.0) - o.start
        x = o.pos[0] + o.vel[0] * tau + ax * tau * tau / 2
        y = min(o.pos[1] + o.vel[1] * tau + ay * tau * tau / 2, sc.ground)
        return ((x - cam * (t / (T - 1) - 0.5)) * W, y * H)

    return at


def synth_scene(prompt: Prompt, seed: int, noise: float = 3.0) -> synth.Scene:
    """The prompt's scene as a ``synth.Scene`` (textured background, shaded palette)."""
    sc = prompt.scene
    assert sc is not None, prompt.id
    rng = np.random.default_rng(seed)
    amount = sc.camera.amount if sc.camera.motion in ("pan_left", "pan_right") else 0.0
    cam = amount if sc.camera.motion == "pan_right" else -amount  # camera travel, frame widths
    objects = [
        synth.Obj(
            shape=o.shape,
            color=synth.shade(o.color, rng),
            path=_path(o, sc, cam),
            size=o.size * min(H, W),
            facing=(lambda t, f=(-1 if (o.facing or ("left" if o.vel[0] < 0 else "right")) == "left" else 1): f),
            z=o.z,
        )
        for o in sc.objects
    ]
    occluders = []
    for oc in sc.occluders:
        h = oc.size * H
        w = h * oc.aspect
        x, y = oc.pos[0] * W, oc.pos[1] * H
        occluders.append(
            ((round(x - w / 2), round(y - h / 2), round(x + w / 2), round(y + h / 2)), synth.shade(oc.color, rng))
        )
    pan = (lambda t: (-cam * W * (t / (T - 1) - 0.5), 0.0)) if amount else (lambda t: (0.0, 0.0))
    bg = tuple(int(v) for v in rng.integers(150, 215, 3))
    return synth.Scene(objects, T, H, W, "texture", bg, noise, occluders=occluders, pan=pan, seed=seed)


def synth_clip(prompt: Prompt, seed: int, tmp: Path, crf: int = 32) -> np.ndarray:
    """``(16, 128, 128, 3)`` uint8 frames of ``prompt`` by the OpenCV renderer, H.264 at ``crf``."""
    return synth.encode(synth.render(synth_scene(prompt, seed)), tmp / f"{prompt.id}-{seed}.mp4", crf=crf)
