"""Kinematics: falling under gravity, bouncing, uniform motion, projectiles, rising, and declared
elastic collisions (``scene.collisions``: momentum and energy conserved along x)."""

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
from prompts.gen.vocab import NOUN
from prompts.gen.words import SIDE_SWAP, direction, distinct, fill, make_thing, nouns, pick_thing, setting
from prompts.gen.words import thing_slots as ts

FALL = (
    "{a} drops from near the top of the frame and falls straight down.",
    "{a} slips off a {ledge} and falls, picking up speed.",
    "{a} is let go and falls toward the ground.",
    "{a} falls from a height, speeding up as it drops.",
    "Gravity pulls {a} straight down from the top of the frame.",
    "{a} is released from above and plummets.",
    "{a} drops like a stone {on}.",
    "Released from above, {a} falls faster and faster.",
)
BOUNCE = (
    "{a} is dropped and bounces off the {surface}{drift}.",
    "{a} falls, hits the {surface}, and bounces back up{drift}.",
    "{a} bounces on the {surface}{drift}.",
    "{a} drops onto the {surface} and rebounds{drift}.",
    "{a} hits the {surface} and springs back up, not quite as high{drift}.",
    "Someone lets go of {a}; it lands on the {surface} and bounces{drift}.",
)
UNIFORM = (
    "{a} {a_verb} {dir} at a steady speed {place}.",
    "{a} {a_verb} {dir} {place} at a constant pace, neither speeding up nor slowing down.",
    "A conveyor belt carries {a} {dir} at an even speed.",
    "{a} {a_verb} {dir} {place}, its speed never changing.",
    "{a} moves {dir} at exactly the same speed the whole time.",
    "{on}, {a} {a_verb} {dir} at a perfectly even pace.",
)
PROJECTILE = (
    "{a} is tossed from the {from_side} and arcs through the air to the {side}.",
    "Someone throws {a}; it flies up in an arc and comes down on the {side}.",
    "{a} is launched up and to the {side}, following a curved path.",
    "{a} sails through the air in a high arc, {from_to}.",
    "{a} is lobbed {dir} and falls back down in a smooth curve.",
    "{on}, {a} flies in a parabola from the {from_side} side to the {side}.",
)
RISE = (
    "{a} {a_verb} {dir} {on}.",
    "{a} {a_verb} steadily upward.",
    "{a} is let go and begins to rise.",
    "{a} lifts off and keeps climbing.",
    "{on}, {a} {a_verb} higher and higher.",
)
CRADLE = (
    "{a} {a_verb} into {b}, which is sitting still; {the_a} stops dead and {the_b} moves away {dir}.",
    "{a} strikes {b} head-on; {the_a} stops and {the_b} moves off to the {side}.",
    "Like a Newton's cradle: {a} hits {b} and stops while {the_b} carries on {dir}.",
    "{a} {a_verb} {dir} into {b} at rest, passing all of its motion on to it.",
)
HEADON = (
    "{a} and {b} move toward each other, collide, and bounce apart.",
    "{a} heading {side} meets {b} heading {from_side}; they collide head-on and both reverse direction.",
)
HEAVY = (
    "{a} runs into {b}; after the hit both keep moving {dir}, {the_b} faster than {the_a}.",
    "{a} knocks into {b}, sending it ahead {dir} while {the_a} follows more slowly.",
)
LEDGES = ("ledge", "shelf", "tree branch", "windowsill", "rooftop")
SURFACES = {
    "floor": "floor",
    "court": "floor",
    "playroom": "floor",
    "table": "table",
    "street": "pavement",
    "field": "grass",
    "beach": "sand",
}
OPEN = ("studio", "room", "field", "street", "beach")


def falls(rng: random.Random, template: str) -> list[Draft]:
    st = setting(rng, OPEN)
    pool = sorted(
        {n.key: n for n in nouns("faller") + nouns("dropper") + [NOUN["ball"], NOUN["apple"]]}.values(),
        key=lambda n: n.key,
    )
    t = pick_thing(rng, pool)
    y0 = rng.uniform(0.1, 0.18) + t.h / 2
    drop = rng.uniform(0.9, 0.95) - t.h / 2 - y0
    gravity = r3(2 * drop)
    scene = {
        "background": rng.choice(st.backgrounds),
        "objects": [obj(t, (rng.uniform(0.3, 0.7), y0), gravity=True)],
        "gravity": gravity,
    }
    expect = {
        "objects": [exp(t)],
        "kinematics": [{"subject": t.id, "motion": "falls"}],
        "motion": [{"subject": t.id, "direction": "down"}],
    }
    slots = {**base_slots(rng, st), **ts(t, "a"), "ledge": rng.choice(LEDGES)}
    return [Draft(fill(template, slots), ["gravity", "fall"], scene, expect)]


def bounces(rng: random.Random, template: str) -> list[Draft]:
    st = setting(rng, sorted(SURFACES))
    t = pick_thing(rng, nouns("bouncer"))
    ground = rng.uniform(*st.ground) + 0.06
    y0 = rng.uniform(0.12, 0.2) + t.h / 2
    hit = rng.uniform(0.42, 0.62)
    gravity = r3(2 * (ground - t.h / 2 - y0) / hit**2)
    drift = rng.random() < 0.5
    vx = rng.uniform(0.2, 0.3) if drift else 0.0
    x0 = rng.uniform(0.2, 0.3) if drift else rng.uniform(0.35, 0.65)
    scene = {
        "background": rng.choice(st.backgrounds),
        "gravity": gravity,
        "ground": r3(ground),
        "objects": [obj(t, (x0, y0), (vx, 0), gravity=True, bounce=r3(rng.uniform(0.55, 0.75)))],
    }
    expect = {"objects": [exp(t)], "kinematics": [{"subject": t.id, "motion": "bounces"}]}
    slots = {**base_slots(rng, st), **ts(t, "a"), "surface": SURFACES[st.key]}
    draft = Draft("", ["gravity", "bounce"], scene, expect)
    if not drift:
        draft.text = fill(template, {**slots, "drift": ""})
        return [draft]
    return heading(rng, draft, slots, template, lambda d: {"drift": f" as it drifts to the {d}"})


def uniform(rng: random.Random, template: str) -> list[Draft]:
    def attempt() -> list[Draft] | None:
        st = setting(rng, ("table", "floor", "street", "field", "warehouse", "studio", "court"))
        t = pick_thing(rng, nouns("mover", where=st.key))
        x0, v = rng.uniform(t.w / 2 + 0.04, 0.3), rng.uniform(0.45, 0.6)
        if end_range(x0, v)[1] + t.w / 2 > 0.97 or not travel_ok(t, v):
            return None
        scene = {
            "background": rng.choice(st.backgrounds),
            "objects": [obj(t, (x0, rest_y(t, rng.uniform(*st.ground))), (v, 0))],
        }
        expect = {
            "objects": [exp(t)],
            "kinematics": [{"subject": t.id, "motion": "uniform"}],
            "motion": [{"subject": t.id, "direction": "right"}],
        }
        slots = {**base_slots(rng, st), **ts(t, "a")}
        return heading(rng, Draft("", ["uniform"], scene, expect), slots, template)

    return retry(attempt)


def projectile(rng: random.Random, template: str) -> list[Draft]:
    st = setting(rng, ("field", "beach", "court", "street", "studio"))
    t = pick_thing(rng, nouns("thrown"))
    vy = -rng.uniform(1.0, 1.25)
    gravity = r3(-vy / rng.uniform(0.47, 0.53))
    y0 = rng.uniform(0.68, 0.74)
    scene = {
        "background": rng.choice(st.backgrounds),
        "gravity": gravity,
        "objects": [obj(t, (rng.uniform(0.14, 0.2), y0), (rng.uniform(0.52, 0.62), vy), gravity=True)],
    }
    expect = {
        "objects": [exp(t)],
        "kinematics": [{"subject": t.id, "motion": "projectile"}],
        "motion": [{"subject": t.id, "direction": "right"}],
    }
    slots = {**base_slots(rng, st), **ts(t, "a")}
    return heading(
        rng,
        Draft("", ["gravity", "projectile"], scene, expect),
        slots,
        template,
        lambda d: {"from_to": f"from {SIDE_SWAP[d]} to {d}"},
    )


def rises(rng: random.Random, template: str) -> list[Draft]:
    st = setting(rng, ("sky", "field", "room"))
    t = pick_thing(rng, nouns("riser"))
    y0 = rng.uniform(0.74, 0.8)
    if t.noun.key == "rocket":
        vel, acc = (0.0, -rng.uniform(0.05, 0.1)), (0.0, -rng.uniform(0.8, 0.95))
    else:
        vel, acc = (0.0, -rng.uniform(0.45, 0.52)), None
    scene = {
        "background": rng.choice(st.backgrounds),
        "objects": [obj(t, (rng.uniform(0.3, 0.7), y0), vel, acc=acc)],
    }
    expect = {
        "objects": [exp(t)],
        "kinematics": [{"subject": t.id, "motion": "rises"}],
        "motion": [{"subject": t.id, "direction": "up"}],
    }
    slots = {**base_slots(rng, st), **ts(t, "a"), "dir": direction(rng, "up")}
    slots["a_verb"] = rng.choice(("rises", "climbs", "floats up", "drifts up"))
    return [Draft(fill(template, slots), ["rise"], scene, expect)]


def collide(mode: str) -> Callable[[random.Random, str], list[Draft]]:
    """Two things meet on one line: ``cradle`` (one at rest, equal masses), ``headon`` (equal
    masses toward each other) or ``heavy`` (a heavier one hits a lighter one at rest)."""

    def make(rng: random.Random, template: str) -> list[Draft]:
        def attempt() -> list[Draft] | None:
            st = setting(rng, ("table", "floor", "court"))
            pool = [n for n in nouns("collider") if st.key in n.where or n.key in ("puck", "block")]
            if mode == "heavy":
                a = make_thing(rng, NOUN["bowling ball"], rng.choice(NOUN["bowling ball"].colors))
                b = pick_thing(rng, [NOUN["marble"], NOUN["billiard ball"], NOUN["puck"]], avoid_colors=[a.color])
            else:
                a = pick_thing(rng, [n for n in pool if mode == "cradle" or n.shape != "vehicle"])
                b = make_thing(rng, a.noun, rng.choice([c for c in a.noun.colors if c != a.color]), size=a.size)
            a, b = distinct(a, b)
            g = rng.uniform(*st.ground)
            xa, v = rng.uniform(a.w / 2 + 0.04, 0.18), rng.uniform(0.45, 0.6)
            xb = xa + (a.w + b.w) / 2 + rng.uniform(0.18, 0.24)
            front = "right" if a.shape == "vehicle" else None  # the struck car moves off nose first
            objs = [
                obj(a, (xa, rest_y(a, g)), (v, 0), mass=3.0 if mode == "heavy" else None, facing=front),
                obj(b, (xb, rest_y(b, g)), (0, 0), mass=1.0 if mode == "heavy" else None, facing=front),
            ]
            t_hit = (xb - xa - (a.w + b.w) / 2) / v
            after = v * (1 - t_hit) * (1.5 if mode == "heavy" else 1.0)
            if mode == "headon":
                objs[1]["vel"] = [r3(-v), 0.0]
                objs[1]["pos"][0] = r3(1 - xa)
            elif xb + after * 1.08 + b.w / 2 > 0.95 or after * 0.92 < max(0.15, 1.5 * b.w):  # seeds vary speed 8%
                return None
            scene = {
                "background": rng.choice(st.backgrounds),
                "objects": objs,
                "collisions": [{"a": a.id, "b": b.id, "restitution": 1.0}],
            }
            expect: dict[str, object] = {
                "objects": [exp(a), exp(b)],
                "kinematics": [{"subject": a.id, "motion": "collides", "with": b.id}],
            }
            if mode != "headon":
                expect["motion"] = [{"subject": b.id, "direction": "right"}]
            slots = {**base_slots(rng, st), **ts(a, "a"), **ts(b, "b")}
            return heading(rng, Draft("", ["collision", mode], scene, expect), slots, template)

        return retry(attempt)

    return make


CASES = (
    Case("kinematics", "kin-fall", 12, FALL, falls),
    Case("kinematics", "kin-bounce", 12, BOUNCE, bounces),
    Case("kinematics", "kin-uniform", 10, UNIFORM, uniform),
    Case("kinematics", "kin-projectile", 8, PROJECTILE, projectile),
    Case("kinematics", "kin-rise", 6, RISE, rises),
    Case("kinematics", "kin-cradle", 4, CRADLE, collide("cradle")),
    Case("kinematics", "kin-headon", 2, HEADON, collide("headon")),
    Case("kinematics", "kin-heavy", 2, HEAVY, collide("heavy")),
)
