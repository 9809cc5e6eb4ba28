"""Camera: pans, tilts, zooms over still things on textured ground (so the motion is visible on
the background too), and a static camera watching a moving subject."""

from __future__ import annotations

import random
from collections.abc import Callable

from prompts.gen.layout import (
    Case,
    Draft,
    base_slots,
    end_range,
    exp,
    heading,
    obj,
    r3,
    rest_y,
    retry,
    travel_ok,
)
from prompts.gen.vocab import Setting
from prompts.gen.words import Thing, fill, nouns, pick_thing, setting
from prompts.gen.words import thing_slots as ts

GROUNDED = ("table", "floor", "street", "field", "studio", "beach", "playroom", "warehouse", "court", "room")

PAN = (
    "The camera pans slowly to the {side} across {things} {on}.",
    "A slow pan to the {side} over {things} {on}.",
    "Panning shot moving {side}: {things} rest {on}.",
    "The camera sweeps to the {side}, passing {things}.",
    "{things} sit {on} as the camera glides to the {side}.",
    "Camera pans {side}. {things} stay exactly where they are.",
    "The view drifts to the {side} as the camera pans past {things}.",
    "{on}: a steady pan to the {side} across {things}.",
)
TILT_UP = (
    "The camera tilts up from {b} to {a} above it.",
    "Slow upward tilt from {b} {on} to {a} overhead.",
    "The camera tilts upward, past {b} toward {a}.",
    "Tilting up, the camera moves from {b} to {a} higher up.",
    "Starting on {b}, the camera tilts up to reveal {a}.",
)
TILT_DOWN = (
    "The camera tilts down from {a} to {b} below it.",
    "Slow downward tilt from {a} to {b} {on}.",
    "The camera tilts down past {a} toward {b}.",
    "Tilting down, the shot moves from {a} to {b} underneath.",
    "Starting on {a}, the camera tilts down to {b}.",
)
ZOOM_IN = (
    "The camera slowly zooms in on {a} {on}.",
    "Zoom in: {things} grow larger as the camera moves closer.",
    "Push-in shot toward {a} {on}.",
    "The camera moves in close to {a}.",
    "A slow zoom toward {things} {on}.",
    "The shot tightens on {a} as the camera zooms in.",
)
ZOOM_OUT = (
    "The camera slowly zooms out from {a} {on}.",
    "Zoom out: {things} shrink as the camera pulls back.",
    "The camera pulls back from {a}, showing more of the scene around it.",
    "Pull-back shot starting close on {a} {on}.",
    "A slow zoom out from {things} {on}.",
    "The view widens as the camera zooms out from {a}.",
)
BYSTANDER = ("{s} stays still in the background.", "Behind it, {s} does not move.", "{s} sits still nearby.")
STATIC = (
    "Static shot: {a} {a_verb} {dir} {place}.",
    "Locked-off camera. {a} {a_verb} {dir}.",
    "The camera stays perfectly still as {a} {a_verb} {dir} {place}.",
    "Tripod shot of {a} {a_ving} {dir} {place}.",
    "A fixed camera watches {a} as it {a_verb} {dir}.",
    "No camera movement: {a} {a_verb} {dir} {place}.",
    "Still camera, {a} {a_ving} {dir} {place}.",
)


def listing(things: list[Thing]) -> str:
    """``a red ball and a blue box`` / ``a, b, and c``."""
    words = [t.phrase for t in things]
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + ", and " + words[-1]


def _still(rng: random.Random, st: Setting, n: int, max_size: float = 0.2) -> list[Thing]:
    pool = [p for p in nouns(where=st.key) if p.size[1] <= max_size]
    out: list[Thing] = []
    for _ in range(n):
        out.append(pick_thing(rng, pool, avoid_colors=[t.color for t in out], avoid_nouns=[t.noun.key for t in out]))
    return out


def _spread(rng: random.Random, things: list[Thing], lo: float, hi: float) -> list[float] | None:
    """Non-overlapping x centres inside ``[lo, hi]`` (None if the draw does not fit)."""
    xs = sorted(rng.uniform(lo, hi) for _ in things)
    for i in range(1, len(xs)):
        if xs[i] - xs[i - 1] < (things[i].w + things[i - 1].w) / 2 + 0.05:
            return None
    return xs


def pan(rng: random.Random, template: str) -> list[Draft]:
    """The camera pans over two or three still things."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, GROUNDED)
        things = _still(rng, st, rng.choice((2, 2, 3)), 0.18)
        amount = rng.uniform(0.24, 0.34)
        margin = amount / 2 + max(t.w for t in things) / 2 + 0.05
        xs = _spread(rng, things, margin, 1 - margin)
        if xs is None:
            return None
        g = rng.uniform(*st.ground)
        objs = [obj(t, (x, rest_y(t, g - rng.uniform(0, 0.06)))) for t, x in zip(things, xs, strict=True)]
        scene = {
            "background": st.textured,
            "camera": {"motion": "pan_right", "amount": r3(amount)},
            "objects": objs,
        }
        expect = {"objects": [exp(t) for t in things], "camera": "pan_right"}
        slots = {**base_slots(rng, st), "things": listing(things)}
        return heading(rng, Draft("", ["pan"], scene, expect), slots, template)

    return retry(attempt)


def tilt(way: str) -> Callable[[random.Random, str], list[Draft]]:
    """The camera tilts between something high up and a thing on the ground."""

    def make(rng: random.Random, template: str) -> list[Draft]:
        def attempt() -> list[Draft] | None:
            st = setting(rng, ("field", "street", "room", "studio", "beach"))
            a = pick_thing(rng, [n for n in nouns("floater") + nouns("hanger") if n.size[1] <= 0.18])
            b = pick_thing(
                rng,
                [n for n in nouns(where=st.key) if n.move != "float" and n.size[1] <= 0.24],
                avoid_colors=[a.color],
                avoid_nouns=[a.noun.key],
            )
            amount = rng.uniform(0.2, 0.26)
            g = rng.uniform(*st.ground)
            yb, ya = rest_y(b, g), rng.uniform(0.26, 0.34)
            if yb + b.h / 2 + amount / 2 > 0.97 or ya - a.h / 2 - amount / 2 < 0.03 or yb - ya < a.h + b.h:
                return None
            x = rng.uniform(0.35, 0.65)
            scene = {
                "background": st.textured,
                "camera": {"motion": f"tilt_{way}", "amount": r3(amount)},
                "objects": [obj(a, (x + rng.uniform(-0.05, 0.05), ya)), obj(b, (x, yb))],
            }
            expect = {
                "objects": [exp(a), exp(b)],
                "camera": f"tilt_{way}",
                "relations": [{"subject": a.id, "relation": "above", "object": b.id, "when": "all"}],
            }
            slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
            return [Draft(fill(template, slots), ["tilt"], scene, expect)]

        return retry(attempt)

    return make


def zoom(way: str) -> Callable[[random.Random, str], list[Draft]]:
    """The camera zooms in on or out from one or two things near the centre."""

    def make(rng: random.Random, template: str) -> list[Draft]:
        def attempt() -> list[Draft] | None:
            st = setting(rng, GROUNDED)
            things = _still(rng, st, rng.choice((1, 2)), 0.16)
            amount = rng.uniform(0.45, 0.7)
            z = 1 + amount if way == "in" else 1.0
            a = things[0]
            objs = [obj(a, (0.5 + rng.uniform(-0.04, 0.04), 0.5 + rng.uniform(-0.04, 0.04)))]
            if len(things) == 2:
                b = things[1]
                dx = (a.w + b.w) / 2 + rng.uniform(0.04, 0.08)
                if (dx + b.w / 2) * z > 0.43 or a.size * z > 0.4:
                    return None
                objs.append(obj(b, (0.5 + rng.choice((-1, 1)) * dx, objs[0]["pos"][1] + rng.uniform(-0.04, 0.04))))
            scene = {
                "background": st.textured,
                "camera": {"motion": f"zoom_{way}", "amount": r3(amount)},
                "objects": objs,
            }
            expect = {"objects": [exp(t) for t in things], "camera": f"zoom_{way}"}
            slots = {**base_slots(rng, st), **ts(a, "a"), "things": listing(things)}
            if len(things) == 2:
                slots["a"] = f"{a.phrase} {rng.choice(('next to', 'beside'))} {things[1].phrase}"
            return [Draft(fill(template, slots), ["zoom"], scene, expect)]

        return retry(attempt)

    return make


def static(rng: random.Random, template: str) -> list[Draft]:
    """A still camera watches a subject move; sometimes something else stands still behind it."""

    def attempt() -> list[Draft] | None:
        st = setting(rng, [k for k in GROUNDED if nouns("mover", where=k)])
        t = pick_thing(rng, nouns("mover", where=st.key))
        x0, v = rng.uniform(t.w / 2 + 0.04, 0.3), rng.uniform(0.45, 0.6)
        if end_range(x0, v)[1] + t.w / 2 > 0.97 or not travel_ok(t, v):
            return None
        g = rng.uniform(*st.ground)
        objs = [obj(t, (x0, rest_y(t, g)), (v, 0), z=1)]
        things = [t]
        if rng.random() < 0.5:
            s = pick_thing(
                rng,
                [n for n in nouns(where=st.key) if n.size[1] <= 0.16],
                avoid_colors=[t.color],
                avoid_nouns=[t.noun.key],
            )
            ys = rest_y(t, g) - t.h / 2 - s.h / 2 - rng.uniform(0.04, 0.1)
            if ys - s.h / 2 < 0.05:
                return None
            objs.append(obj(s, (rng.uniform(0.35, 0.65), ys)))
            things.append(s)
        scene = {"background": rng.choice((st.textured, *st.backgrounds)), "objects": objs}
        expect = {
            "objects": [exp(x) for x in things],
            "camera": "static",
            "motion": [{"subject": t.id, "direction": "right"}],
        }
        slots = {**base_slots(rng, st), **ts(t, "a")}
        out = heading(rng, Draft("", ["static-camera", "moving-subject"], scene, expect), slots, template)
        if len(things) == 2:
            out[0].text += " " + fill(rng.choice(BYSTANDER), {"s": things[1].phrase})
        return out

    return retry(attempt)


CASES = (
    Case("camera", "cam-pan", 16, PAN, pan),
    Case("camera", "cam-tilt-up", 6, TILT_UP, tilt("up")),
    Case("camera", "cam-tilt-down", 6, TILT_DOWN, tilt("down")),
    Case("camera", "cam-zoom-in", 7, ZOOM_IN, zoom("in")),
    Case("camera", "cam-zoom-out", 7, ZOOM_OUT, zoom("out")),
    Case("camera", "cam-static", 14, STATIC, static),
)
