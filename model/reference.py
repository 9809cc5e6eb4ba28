"""The bundled reference generator: renders a prompt's scene, optionally with labelled faults.

Deterministic by (prompt, seed): separate random streams for the scene jitter, the background and
the faults, each seeded by a stable hash, so clean and faulty renders of the same prompt and seed
are identical outside the fault (minimal pairs), and re-rendering gives byte-identical files.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

import bench
from bench.errors import GeneratorError
from bench.registry import did_you_mean
from bench.video import Video
from model.registry import register_generator
from model.world.compose import jitter_scene, rng_for, scene_from_expect
from model.world.faults import FAULTS, apply_faults
from model.world.raster import Rasterizer
from model.world.timeline import Timeline, simulate
from prompts.schema import Prompt

WORLD_VERSION = "1"

#: Fault profiles: fault name -> probability that a clip gets it (where the scene allows it).
PROFILES: dict[str, dict[str, float]] = {
    "clean": {},
    "default": {"vanish": 0.25},
}


def _as_prompt(prompt: Prompt | str) -> Prompt:
    if isinstance(prompt, Prompt):
        return prompt
    return Prompt(id="adhoc", text=str(prompt), family="showcase")


def truth_dict(tl: Timeline, truths: list[Any]) -> dict[str, Any]:
    """Per-frame ground truth of every track, as JSON-ready lists (see docs/DESIGN.md)."""
    objects = []
    for tr, gt in zip(tl.tracks, truths, strict=True):
        objects.append(
            {
                "id": tr.id,
                "group": tr.group,
                "kind": tr.kind,
                "z": tr.z,
                "visible": tr.visible.astype(bool).tolist(),
                "bbox": np.round(gt.bbox, 5).tolist(),
                "area": np.round(gt.area, 6).tolist(),
                "visible_frac": np.round(gt.visible_frac, 4).tolist(),
                "in_frame_frac": np.round(gt.in_frame_frac, 4).tolist(),
                "occluded_by": gt.occluded_by,
                "color": list(tr.color),
                "shape": list(tr.shape),
                "facing": tr.facing.astype(int).tolist(),
                "bite": tr.bite.astype(bool).tolist(),
                "crack": tr.crack.astype(bool).tolist(),
            }
        )
    return {
        "objects": objects,
        "camera": {
            "cx": np.round(tl.cx, 6).tolist(),
            "cy": np.round(tl.cy, 6).tolist(),
            "zoom": np.round(tl.zoom, 6).tolist(),
        },
        "contacts": dict(tl.contacts),
    }


@register_generator("reference", description="bundled procedural world with labelled fault injection")
class ReferenceGenerator:
    """Procedural renderer of prompt scenes with optional fault injection.

    Args:
        profile: ``default`` (a realistic mix of faults) or ``clean`` (none).
        faults: ``+``-separated fault names; overrides the profile.
        rate: probability that each listed fault is applied to a clip (default 0.3).
        severity: magnitude of the faults (1.0 = default).
        jitter: scale of the per-seed scene variation (0 renders the scene exactly).
    """

    name = "reference"
    version = f"{bench.__version__}+world{WORLD_VERSION}"
    defaults: ClassVar[dict[str, Any]] = {"num_frames": 16, "height": 128, "width": 128, "fps": 8.0}

    def __init__(
        self,
        profile: str = "default",
        faults: str | None = None,
        rate: float | None = None,
        severity: float = 1.0,
        jitter: float = 1.0,
    ) -> None:
        if profile not in PROFILES:
            raise GeneratorError(f"reference: {did_you_mean(profile, list(PROFILES), 'profile')}")
        if faults:
            names = [f.strip() for f in faults.split("+") if f.strip()]
            for n in names:
                if n not in FAULTS:
                    raise GeneratorError(f"reference: {did_you_mean(n, FAULTS.names(), 'fault')}")
            self.plan = {n: 0.3 if rate is None else float(rate) for n in names}
        else:
            base = PROFILES[profile]
            self.plan = {n: (p if rate is None else float(rate)) for n, p in base.items()}
        if not 0.0 <= (rate if rate is not None else 0.0) <= 1.0:
            raise GeneratorError(f"reference: rate must be in [0, 1], got {rate}")
        self.profile, self.severity, self.jitter = profile, float(severity), float(jitter)

    def options(self) -> dict[str, Any]:
        return {"profile": self.profile, "plan": self.plan, "severity": self.severity, "jitter": self.jitter}

    def timeline(self, prompt: Prompt | str, num_frames: int, seed: int) -> Timeline:
        """The clean timeline of a prompt and seed (before faults)."""
        p = _as_prompt(prompt)
        scene = p.scene if p.scene is not None else scene_from_expect(p)
        scene = jitter_scene(scene, rng_for(p.id, seed, "scene"), self.jitter)
        return simulate(scene, num_frames)

    def generate(
        self,
        prompt: Prompt | str,
        *,
        num_frames: int | None = None,
        height: int | None = None,
        width: int | None = None,
        fps: float | None = None,
        seed: int = 0,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
    ) -> Video:
        p = _as_prompt(prompt)
        T = int(num_frames or self.defaults["num_frames"])
        H = int(height or self.defaults["height"])
        W = int(width or self.defaults["width"])
        rate = float(fps or self.defaults["fps"])
        if T < 1 or H < 8 or W < 8:
            raise GeneratorError(f"prompt {p.id!r}: bad video size {T}x{H}x{W}")
        tl = self.timeline(p, T, seed)
        labels = []
        fault_rng = rng_for(p.id, seed, "faults")
        for name, prob in self.plan.items():  # one stream per fault: plans compose predictably
            labels += apply_faults(tl, [name], prob, self.severity, fault_rng)
        frames, truths = Rasterizer(H, W).render(tl, rng_for(p.id, seed, "background"))
        meta = {
            "generator": self.name,
            "generator_version": self.version,
            "prompt_id": p.id,
            "seed": seed,
            "scene": (p.scene if p.scene is not None else scene_from_expect(p)).model_dump(mode="json"),
            "faults": [lab.to_dict() for lab in labels],
            "truth": truth_dict(tl, truths),
        }
        return Video(frames, rate, meta)
