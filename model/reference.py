"""The bundled reference generator: renders a prompt's scene, optionally with labelled faults.

Deterministic by (prompt, seed): separate random streams for the scene jitter, the background, the
fault choice and each fault operator, each seeded by a stable hash, so clean and faulty renders of
the same prompt and seed are identical outside the fault (minimal pairs), adding a fault to a plan
does not change how another is drawn, and re-rendering gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

import t2vbase
from model.registry import register_generator
from model.world.background import neutral_background
from model.world.compose import jitter_scene, rng_for, scene_from_expect
from model.world.faults import FAULTS, FaultLabel, inject
from model.world.raster import Rasterizer, Truth
from model.world.timeline import Timeline, simulate
from prompts.scene import Scene
from prompts.schema import Prompt
from t2vbase.errors import GeneratorError
from t2vbase.registry import did_you_mean
from t2vbase.video import Video

WORLD_VERSION = "2"


@dataclass(frozen=True)
class Profile:
    """A fault mix: with probability ``rate`` a clip gets one fault, drawn by ``weights`` among the
    faults its scene allows."""

    rate: float
    weights: dict[str, float] = field(default_factory=dict)


#: Fault profiles. ``default`` mirrors what users report of today's models: about 40% of clips
#: show a failure; permanence, shape and causal failures are the most common.
PROFILES: dict[str, Profile] = {
    "clean": Profile(0.0),
    "default": Profile(
        0.4,
        {
            "vanish": 3.0,
            "spawn": 2.0,
            "merge": 2.0,
            "split": 1.0,
            "duplicate": 2.0,
            "teleport": 1.5,
            "mirror": 2.0,
            "reverse": 1.5,
            "recolor": 2.0,
            "morph": 3.0,
            "resize": 2.0,
            "flip": 1.5,
            "freeze": 1.5,
            "flicker": 2.0,
            "camera_reverse": 1.5,
            "no_effect": 3.0,
            "early_effect": 1.0,
            "revert": 1.5,
            "gravity": 2.0,
            "speed": 1.5,
        },
    ),
}
EXPLICIT_RATE = 0.3


def _as_prompt(prompt: Prompt | str) -> Prompt:
    if isinstance(prompt, Prompt):
        return prompt
    return Prompt(id="adhoc", text=str(prompt), family="showcase")


def truth_dict(tl: Timeline, truths: list[Truth]) -> dict[str, Any]:
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
                "opacity": np.round(np.where(tr.visible, tr.opacity, 0.0), 4).tolist(),
                "bbox": np.round(gt.bbox, 5).tolist(),
                "area": np.round(gt.area, 6).tolist(),
                "visible_frac": np.round(gt.visible_frac, 4).tolist(),
                "in_frame_frac": np.round(gt.in_frame_frac, 4).tolist(),
                "occluded_by": gt.occluded_by,
                "color": list(tr.color),
                "shape": [b if f >= 0.5 else a for a, b, f in zip(tr.shape, tr.shape2, tr.blend, strict=True)],
                "facing": tr.facing.astype(int).tolist(),
                "bite": tr.bite.astype(bool).tolist(),
                "crack": tr.crack.astype(bool).tolist(),
                "mark_side": tr.mark if (tr.bite.any() or tr.crack.any()) else None,
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
        "collisions": dict(tl.collisions),
    }


@register_generator("reference", description="bundled procedural world with labelled fault injection")
class ReferenceGenerator:
    """Procedural renderer of prompt scenes with optional fault injection.

    Args:
        profile: ``default`` (a realistic mix of faults) or ``clean`` (none).
        faults: ``+``-separated fault names; overrides the profile. Each is applied independently
            with probability ``rate`` where the scene allows it, in the order given, never two on
            one object.
        rate: the profile's probability of a faulty clip, or each listed fault's (default 0.3).
        severity: magnitude of the faults (1.0 = clearly visible; see docs/DESIGN.md).
        jitter: scale of the per-seed scene variation (0 renders the scene exactly).
        object: with ``faults``, apply them only to this object (``camera`` for camera faults;
            for ``spawn``, the object copied).
        start: with ``faults``, the frame where they must first show.
    """

    name = "reference"
    version = f"{t2vbase.__version__}+world{WORLD_VERSION}"
    defaults: ClassVar[dict[str, Any]] = {"num_frames": 16, "height": 128, "width": 128, "fps": 8.0}

    def __init__(
        self,
        profile: str = "default",
        faults: str | None = None,
        rate: float | None = None,
        severity: float = 1.0,
        jitter: float = 1.0,
        object: str | None = None,
        start: int | None = None,
    ) -> None:
        if profile not in PROFILES:
            raise GeneratorError(f"reference: {did_you_mean(profile, list(PROFILES), 'profile')}")
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise GeneratorError(f"reference: rate must be in [0, 1], got {rate}")
        if severity <= 0:
            raise GeneratorError(f"reference: severity must be positive, got {severity}")
        if (object is not None or start is not None) and not faults:
            raise GeneratorError("reference: object= and start= need faults=")
        if faults:
            names = [f.strip() for f in faults.split("+") if f.strip()]
            for n in names:
                if n not in FAULTS:
                    raise GeneratorError(f"reference: {did_you_mean(n, FAULTS.names(), 'fault')}")
            self.plan = {n: EXPLICIT_RATE if rate is None else float(rate) for n in names}
            self.mix_rate = 0.0
        else:
            self.mix_rate = PROFILES[profile].rate if rate is None or profile == "clean" else float(rate)
            self.plan = dict(PROFILES[profile].weights) if self.mix_rate > 0 else {}
        self.profile, self.severity, self.jitter = profile, float(severity), float(jitter)
        self.target, self.start = object, start

    def options(self) -> dict[str, Any]:
        out = {"profile": self.profile, "plan": self.plan, "severity": self.severity, "jitter": self.jitter}
        if self.mix_rate:
            out["rate"] = self.mix_rate
        if self.target is not None or self.start is not None:
            out.update(object=self.target, start=self.start)
        return out

    def scene(self, prompt: Prompt | str, seed: int) -> Scene:
        """The scene as rendered for a prompt and seed: jittered, background in the keying gaps."""
        p = _as_prompt(prompt)
        scene = p.scene if p.scene is not None else scene_from_expect(p)
        scene = jitter_scene(scene, rng_for(p.id, seed, "scene"), self.jitter)
        return scene.model_copy(update={"background": neutral_background(scene.background)})

    def timeline(
        self, prompt: Prompt | str, num_frames: int, seed: int, aspect: float = 1.0, fps: float = 8.0
    ) -> Timeline:
        """The clean timeline of a prompt and seed (before faults) for frames of ``aspect`` (W/H) at
        ``fps``: a scene moves the same per second at every format."""
        return simulate(self.scene(prompt, seed), num_frames, aspect, fps)

    def inject_faults(self, tl: Timeline, prompt_id: str, seed: int) -> list[FaultLabel]:
        """Apply this generator's faults to ``tl`` in place; returns their labels.

        Each fault draws from its own stream, the same in a profile and in a plan: a fault the
        default profile injects is exactly what ``faults=<it>,rate=1`` renders for that prompt and
        seed.
        """
        labels: list[FaultLabel] = []
        if self.mix_rate > 0:
            pick = rng_for(prompt_id, seed, "faults")
            if pick.random() >= self.mix_rate:
                return labels
            names = list(self.plan)
            keys = pick.random(len(names)) ** (1.0 / np.array([self.plan[n] for n in names]))
            for i in np.argsort(-keys, kind="stable"):  # a weighted order: try until one fits
                rng = rng_for(prompt_id, seed, "fault", names[i])
                rng.random()  # the draw a plan makes for its rate
                label = inject(tl, names[i], self.severity, rng)
                if label is not None:
                    return [label]
            return labels
        for name, prob in self.plan.items():
            rng = rng_for(prompt_id, seed, "fault", name)
            if rng.random() >= prob:
                continue
            label = inject(tl, name, self.severity, rng, self.target, self.start)
            if label is not None:
                labels.append(label)
        return labels

    def fault_candidates(
        self,
        prompt: Prompt | str,
        seed: int = 0,
        num_frames: int | None = None,
        aspect: float = 1.0,
        fps: float | None = None,
    ) -> dict[str, dict[str, list[int]]]:
        """Where each fault can be injected on a prompt and seed at this generator's severity:
        fault -> object -> possible start frames (only faults the scene allows)."""
        p = _as_prompt(prompt)
        T, rate = int(num_frames or self.defaults["num_frames"]), float(fps or self.defaults["fps"])
        tl = self.timeline(p, T, seed, aspect, rate)
        out = {}
        for name in FAULTS.names():
            cands = {o: s for o, s in FAULTS.get(name).candidates(tl, self.severity).items() if s}
            if cands:
                out[name] = cands
        return out

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
        tl = self.timeline(p, T, seed, W / H, rate)
        labels = self.inject_faults(tl, p.id, seed)
        frames, truths = Rasterizer(H, W).render(tl, rng_for(p.id, seed, "background"))
        meta = {
            "generator": self.name,
            "generator_version": self.version,
            "prompt_id": p.id,
            "seed": seed,
            "scene": tl.scene.model_dump(mode="json"),
            "faults": [lab.to_dict() for lab in labels],
            "truth": truth_dict(tl, truths),
        }
        return Video(frames, rate, meta)
