"""Semantic checks of a suite beyond the schema (``t2vbench suites validate``).

The schema (:mod:`prompts.schema`) already checks field types, unique ids, that every ``expect``
reference names a declared object, that scene events and collisions name scene objects, and that
mirrors name each other back. This module adds what needs a whole prompt or a pair of prompts:

* a scene realises its ``expect``: every scene object's ``group`` is a declared object, every
  declared object is rendered (by scene objects of that group, or an occluder of that id) as many
  times as its ``count`` says, in its colour and shape; expected events and collisions have their
  scene counterparts;
* the colour checks can key every expected object: different expected objects (and occluders)
  have different colours, and scene backgrounds stay in the neutral zone of docs/DESIGN.md;
* mirror pairs: every prompt with a left/right relation has a mirror, and a mirror shows the same
  objects with left and right swapped (relations, motion, pans, and the scene's x coordinates).

Every problem is reported as ``prompt '<id>': <field>: <message>``.
"""

from __future__ import annotations

import colorsys
import math
from collections import Counter
from typing import Any

from prompts.mirror import mirror_expect
from prompts.mirror import mirror_scene as mirror_scene_data
from prompts.palette import parse_color
from prompts.scene import Background, Scene
from prompts.schema import ContactEvent, Expect, Prompt, StateChangeEvent, Suite
from t2vbase.errors import SuiteError

MIRROR_TOL = 1e-6
SKY_TOP_SHADE = 0.92  # the reference world darkens a sky_ground sky by up to this factor


class Problem(ValueError):
    """One semantic problem of one prompt: ``field`` is a path inside the prompt."""

    def __init__(self, pid: str, field: str, message: str) -> None:
        super().__init__(f"prompt {pid!r}: {field}: {message}")
        self.pid, self.field, self.message = pid, field, message


def validate_suite(suite: Suite) -> None:
    """Raise :class:`SuiteError` naming the file, prompt id and field of the first problem."""
    problems = suite_problems(suite)
    if problems:
        extra = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SuiteError(f"{suite.source or suite.suite}: {problems[0]}{extra}")


def suite_problems(suite: Suite) -> list[Problem]:
    """Every semantic problem of ``suite``, in prompt order."""
    out: list[Problem] = []
    by_id = {p.id: p for p in suite.prompts}
    for p in suite.prompts:
        out += prompt_problems(p)
        if p.mirror is None:
            if p.expect and any(r.relation in ("left_of", "right_of") for r in p.expect.relations):
                out.append(Problem(p.id, "mirror", "a prompt with a left/right relation needs a mirror"))
        elif p.mirror in by_id:
            out += [Problem(p.id, f, m) for f, m in mirror_problems(p, by_id[p.mirror])]
    return out


def prompt_problems(p: Prompt) -> list[Problem]:
    """Problems of one prompt on its own (scene against expect, colours, background)."""
    exp = p.expect
    issues: list[tuple[str, str]] = []
    if exp is not None:
        issues += _colour_clashes(exp, p.scene)
    if p.scene is not None:
        issues += background_problems(p.scene.background)
        if exp is not None:
            issues += _scene_realises_expect(p.scene, exp)
    return [Problem(p.id, f, m) for f, m in issues]


# ---------------------------------------------------------------------------------------------
# colours


def _colour_clashes(exp: Expect, scene: Scene | None) -> list[tuple[str, str]]:
    """Different expected objects (and occluders) must differ in colour, or keying merges them."""
    owner: dict[str, str] = {}
    out = []
    for i, o in enumerate(exp.objects):
        if o.color is None:
            continue
        if o.color in owner:
            out.append((f"expect.objects[{i}].color", f"{o.color!r} is also the colour of {owner[o.color]!r}"))
        owner.setdefault(o.color, o.id)
    declared = {o.id for o in exp.objects}
    for i, occ in enumerate(scene.occluders if scene else []):
        if occ.id not in declared and occ.color in owner:
            out.append((f"scene.occluders[{i}].color", f"{occ.color!r} is the colour of {owner[occ.color]!r}"))
    for i, e in enumerate(exp.events):
        if isinstance(e, StateChangeEvent) and e.to is not None:
            mine = exp.object(e.object)
            if mine is not None and mine.color == e.to:
                out.append((f"expect.events[{i}].to", f"{e.to!r} is already the colour of {e.object!r}"))
            elif owner.get(e.to, e.object) != e.object:
                out.append((f"expect.events[{i}].to", f"{e.to!r} is the colour of {owner[e.to]!r}"))
    return out


def key_class(rgb: tuple[float, float, float]) -> str | None:
    """What the colour keying of docs/DESIGN.md calls an sRGB colour: a palette name or None."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255.0 for c in rgb))
    hue = h * 360.0
    if v < 0.22:
        return "black"
    if s < 0.20:
        return "white" if v >= 0.88 else "gray" if 0.32 <= v <= 0.68 else None
    if 8.0 <= hue < 45.0 and s >= 0.35 and v < 0.58:
        return "brown"
    if s >= 0.38 and v >= 0.30:
        return "chromatic"
    return None


def neutral(rgb: tuple[float, float, float]) -> bool:
    """In the background zone: unsaturated with value about 0.70-0.82, or a tint (saturation
    0.20-0.38) with value 0.60-0.92, well clear of every keyed colour."""
    _, s, v = colorsys.rgb_to_hsv(*(c / 255.0 for c in rgb))
    if s < 0.20:
        return 0.70 <= v <= 0.83  # "about 0.82": the default background #c9cdd2 is 0.824
    return s < 0.38 and 0.60 <= v <= 0.92


def background_problems(bg: Background) -> list[tuple[str, str]]:
    """Background tones outside the neutral zone (endpoints, their blend, a shaded sky)."""
    c1 = parse_color(bg.color)
    c2 = parse_color(bg.color2)
    samples: list[tuple[str, tuple[float, float, float]]] = [("color", c1)]
    if bg.kind != "flat":
        samples.append(("color2", c2))
    if bg.kind in ("gradient", "texture"):
        samples.append(("color", tuple((a + b) / 2 for a, b in zip(c1, c2, strict=True))))
    if bg.kind == "sky_ground":
        samples.append(("color", tuple(a * SKY_TOP_SHADE for a in c1)))
    out = []
    for name, rgb in samples:
        if not neutral(rgb):
            what = key_class(rgb) or "too close to a keyed colour"
            out.append((f"scene.background.{name}", f"{getattr(bg, name)!r} is not neutral ({what})"))
            break
    return out


# ---------------------------------------------------------------------------------------------
# scene against expect


def _scene_realises_expect(scene: Scene, exp: Expect) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    declared = {o.id for o in exp.objects}
    for i, so in enumerate(scene.objects):
        if so.group_id not in declared:
            out.append((f"scene.objects[{i}].group", f"{so.group_id!r} is not a declared expect object"))
    groups = Counter(so.group_id for so in scene.objects)
    occluders = {occ.id: occ for occ in scene.occluders}
    for i, eo in enumerate(exp.objects):
        where = f"expect.objects[{i}]"
        if eo.id in occluders:
            occ = occluders[eo.id]
            if eo.count != 1:
                out.append((f"{where}.count", f"occluder {eo.id!r} is rendered once, not {eo.count} times"))
            if eo.color is not None and occ.color != eo.color:
                out.append((f"{where}.color", f"{eo.color!r} but occluder {eo.id!r} is {occ.color!r}"))
            if eo.shape is not None and eo.shape != occ.shape:
                out.append((f"{where}.shape", f"{eo.shape!r} but occluder {eo.id!r} is a {occ.shape}"))
            continue
        if groups[eo.id] != eo.count:
            out.append((f"{where}.count", f"{eo.count} but the scene renders {groups[eo.id]} of {eo.id!r}"))
        for j, so in enumerate(scene.objects):
            if so.group_id != eo.id:
                continue
            if eo.color is not None and so.color != eo.color:
                out.append((f"{where}.color", f"{eo.color!r} but scene.objects[{j}] is {so.color!r}"))
            if eo.shape is not None and so.shape != eo.shape:
                out.append((f"{where}.shape", f"{eo.shape!r} but scene.objects[{j}] is a {so.shape}"))
    out += _events_realised(scene, exp)
    return out


def _events_realised(scene: Scene, exp: Expect) -> list[tuple[str, str]]:
    group = {so.id: so.group_id for so in scene.objects}
    changes = {(group[e.object], e.change, e.to) for e in scene.events}
    touches = {(group[e.subject], group[e.object]) for e in scene.events}
    hits = {frozenset((group[c.a], group[c.b])) for c in scene.collisions}
    out = []
    for i, e in enumerate(exp.events):
        if isinstance(e, ContactEvent) and (e.subject, e.object) not in touches | {(b, a) for a, b in touches}:
            out.append((f"expect.events[{i}]", f"no scene event brings {e.subject!r} and {e.object!r} together"))
        if isinstance(e, StateChangeEvent) and (e.object, e.change, e.to) not in changes:
            what = e.change + (f" to {e.to}" if e.to else "")
            out.append((f"expect.events[{i}]", f"no scene event makes {e.object!r} {what}"))
    for i, k in enumerate(exp.kinematics):
        if k.motion == "collides" and frozenset((k.subject, k.with_)) not in hits:
            out.append((f"expect.kinematics[{i}]", f"no scene collision between {k.subject!r} and {k.with_!r}"))
    return out


# ---------------------------------------------------------------------------------------------
# mirror pairs


def _swap_expect(exp: Expect | None) -> dict[str, Any] | None:
    if exp is None:
        return None
    return mirror_expect(exp.model_dump(mode="json", by_alias=True, exclude_none=True))


def mirror_scene(scene: Scene) -> dict[str, Any]:
    """The scene seen in a horizontal mirror, as plain data (x -> 1 - x, x velocities negated)."""
    return mirror_scene_data(scene.model_dump(mode="json"))


def _first_difference(a: Any, b: Any, path: str) -> str | None:
    """Path and values of the first place where plain data ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            diff = _first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items, expected {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff = _first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return None if math.isclose(a, b, abs_tol=MIRROR_TOL) else f"{path} is {a}, expected {b}"
    return None if a == b else f"{path} is {a!r}, expected {b!r}"


def mirror_problems(p: Prompt, q: Prompt) -> list[tuple[str, str]]:
    """How ``q`` fails to be ``p`` seen in a mirror (as ``(field, message)`` of ``p``)."""
    out = []
    if p.family != q.family:
        out.append(("mirror", f"{q.id!r} is a {q.family} prompt, this one {p.family}"))
    if p.text == q.text:
        out.append(("mirror", f"{q.id!r} has the same text"))
    want = _swap_expect(p.expect)
    got = q.expect.model_dump(mode="json", by_alias=True, exclude_none=True) if q.expect else None
    diff = _first_difference(got, want, "expect")
    if diff:
        out.append(("mirror", f"{q.id!r} does not mirror the expectations: {diff}"))
    if (p.scene is None) != (q.scene is None):
        out.append(("mirror", f"{q.id!r} and this prompt must both have a scene or neither"))
    elif p.scene is not None and q.scene is not None:
        diff = _first_difference(q.scene.model_dump(mode="json"), mirror_scene(p.scene), "scene")
        if diff:
            out.append(("mirror", f"{q.id!r} does not mirror the scene: {diff}"))
    return out
