"""Scenes for prompts: seed jitter of a given scene, or a scene composed from ``expect`` alone."""

from __future__ import annotations

import hashlib

import numpy as np

from prompts.palette import ACHROMATIC, COLOR_NAMES
from prompts.scene import CameraSpec, Scene, SceneObject
from prompts.schema import Prompt

_CHROMATIC = [c for c in COLOR_NAMES if c not in ACHROMATIC and c != "brown"]
_DIRS = {"left": (-0.5, 0.0), "right": (0.5, 0.0), "up": (0.0, -0.5), "down": (0.0, 0.5)}


def rng_for(*parts: object) -> np.random.Generator:
    """A generator seeded by a stable hash of ``parts`` (never Python's salted ``hash``)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def _stable_color(noun: str) -> str:
    return _CHROMATIC[int(hashlib.sha256(noun.encode()).hexdigest(), 16) % len(_CHROMATIC)]


def scene_from_expect(prompt: Prompt) -> Scene:
    """A plausible scene for a prompt without one: its expected objects in a row, moving as
    ``expect.motion`` says, ordered as ``expect.relations`` say, under ``expect.camera``."""
    exp = prompt.expect
    if exp is None or not exp.objects:
        return Scene()
    order = [o.id for o in exp.objects]
    for rel in exp.relations:  # put subjects left of / right of their objects
        if rel.relation in ("left_of", "right_of") and rel.subject in order and rel.object in order:
            order.remove(rel.subject)
            j = order.index(rel.object)
            order.insert(j if rel.relation == "left_of" else j + 1, rel.subject)
    instances: list[tuple[str, int]] = [(oid, k) for oid in order for k in range(exp.object(oid).count)]
    n = max(len(instances), 1)
    motion = {m.subject: m.direction for m in exp.motion}
    falls = {k.subject for k in exp.kinematics if k.motion in ("falls", "bounces", "projectile")}
    objects = []
    for slot, (oid, k) in enumerate(instances):
        eo = exp.object(oid)
        y = 0.55
        for rel in exp.relations:
            if rel.subject == oid and rel.relation in ("above", "below"):
                y = 0.3 if rel.relation == "above" else 0.75
            if rel.object == oid and rel.relation in ("above", "below"):
                y = 0.75 if rel.relation == "above" else 0.3
        vel = _DIRS.get(motion.get(oid, ""), (0.0, 0.0))
        objects.append(
            SceneObject(
                id=oid if eo.count == 1 else f"{oid}_{k + 1}",
                group=oid,
                shape=eo.shape or "circle",
                color=eo.color or _stable_color(eo.noun),
                size=min(0.2, 0.7 / n),
                aspect=2.0 if eo.shape == "vehicle" else 1.0,
                pos=((slot + 0.5) / n, 0.2 if oid in falls else y),
                vel=vel,
                gravity=oid in falls,
            )
        )
    return Scene(objects=objects, camera=CameraSpec(motion=exp.camera or "static"))


def jitter_scene(scene: Scene, rng: np.random.Generator, amount: float) -> Scene:
    """Small per-seed variation that keeps every expectation true: positions shift by up to
    ``0.02 * amount`` (relations keep their sign), speeds scale by up to ``±8% * amount``."""
    if amount <= 0 or not scene.objects:
        return scene
    shift = rng.uniform(-0.02, 0.02, size=(len(scene.objects), 2)) * amount
    common = rng.uniform(-1.0, 1.0, size=2) * 0.02 * amount  # whole-scene shift keeps relations
    speed = 1.0 + rng.uniform(-0.08, 0.08, size=len(scene.objects)) * amount
    objs = []
    for o, d, s in zip(scene.objects, shift, speed, strict=True):
        pos = (o.pos[0] + common[0] + 0.25 * d[0], o.pos[1] + common[1] + 0.25 * d[1])
        objs.append(o.model_copy(update={"pos": pos, "vel": (o.vel[0] * s, o.vel[1] * s)}))
    return scene.model_copy(update={"objects": objs})
