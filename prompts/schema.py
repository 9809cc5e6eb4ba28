"""Prompt suite schema (version 1): suites, prompts and the ``expect`` block the checks verify.

``expect`` must be usable without ``scene``: it says what a viewer should see, in the viewer's
frame, and every field is optional (a check whose fields are absent gives ``n/a``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from prompts.palette import ColorName
from prompts.scene import CameraMotion, ChangeKind, Scene, ShapeName, Strict

Family = Literal[
    "permanence", "spatial", "direction", "camera", "shape", "causal", "kinematics", "count", "showcase",
]  # fmt: skip
FAMILIES: tuple[str, ...] = (
    "permanence", "spatial", "direction", "camera", "shape", "causal", "kinematics", "count", "showcase",
)  # fmt: skip
PHYSICS_FAMILIES: tuple[str, ...] = FAMILIES[:-1]

PROMPT_ID = r"^[a-z0-9-]{3,64}$"
SUITE_NAME = r"^[a-z0-9][a-z0-9_-]{1,63}$"


class ExpectObject(Strict):
    """An object the checks should find and follow."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    noun: str = Field(min_length=1)
    color: ColorName | None = None
    shape: ShapeName | None = None
    count: int = Field(1, ge=0, le=64)


class Relation(Strict):
    """A static spatial relation in the viewer's frame."""

    subject: str
    relation: Literal["left_of", "right_of", "above", "below"]
    object: str
    when: Literal["start", "end", "all"] = "all"


class MotionExpect(Strict):
    """Net direction of a subject's motion after removing camera motion."""

    subject: str
    direction: Literal["left", "right", "up", "down"]


class KinematicsExpect(Strict):
    """How a subject moves: ``falls`` (y grows quadratically), ``bounces``, ``collides`` (with)..."""

    subject: str
    motion: Literal["falls", "rises", "projectile", "bounces", "uniform", "collides"]
    with_: str | None = Field(None, alias="with")

    @model_validator(mode="after")
    def _with_for_collides(self) -> KinematicsExpect:
        if self.motion == "collides" and not self.with_:
            raise ValueError("motion 'collides' needs 'with' (the other object's id)")
        return self


class ContactEvent(Strict):
    type: Literal["contact"]
    subject: str
    object: str


class StateChangeEvent(Strict):
    """The effect of a cause: must follow it and persist to the end of the clip."""

    type: Literal["state_change"]
    object: str
    after: str = "contact"
    change: ChangeKind
    to: ColorName | None = None


Event = Annotated[ContactEvent | StateChangeEvent, Field(discriminator="type")]


class Expect(Strict):
    """What the physics checks verify."""

    objects: list[ExpectObject] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    motion: list[MotionExpect] = Field(default_factory=list)
    camera: CameraMotion | None = None
    kinematics: list[KinematicsExpect] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    def object(self, oid: str) -> ExpectObject | None:
        return next((o for o in self.objects if o.id == oid), None)

    @model_validator(mode="after")
    def _references(self) -> Expect:
        ids = [o.id for o in self.objects]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"objects: duplicate ids {', '.join(dup)}")
        known = set(ids)

        def need(field: str, ref: str | None) -> None:
            if ref is not None and ref not in known:
                raise ValueError(f"{field}: {ref!r} is not a declared object (declared: {sorted(known)})")

        for i, r in enumerate(self.relations):
            need(f"relations[{i}].subject", r.subject)
            need(f"relations[{i}].object", r.object)
            if r.subject == r.object:
                raise ValueError(f"relations[{i}]: subject and object are the same")
        for i, m in enumerate(self.motion):
            need(f"motion[{i}].subject", m.subject)
        for i, k in enumerate(self.kinematics):
            need(f"kinematics[{i}].subject", k.subject)
            need(f"kinematics[{i}].with", k.with_)
        for i, e in enumerate(self.events):
            need(f"events[{i}].object", e.object)
            if isinstance(e, ContactEvent):
                need(f"events[{i}].subject", e.subject)
        return self


class Prompt(Strict):
    """One prompt of a suite."""

    id: str = Field(pattern=PROMPT_ID)
    text: str = Field(min_length=1)
    family: Family
    tags: list[str] = Field(default_factory=list)
    scene: Scene | None = None
    expect: Expect | None = None
    mirror: str | None = Field(None, pattern=PROMPT_ID)  # id of this prompt's left/right mirror


class Suite(Strict):
    """A versioned prompt suite. ``sha256`` is set by the loader from the canonical content."""

    suite: str = Field(pattern=SUITE_NAME)
    version: int = Field(ge=1)
    description: str = ""
    prompts: list[Prompt] = Field(min_length=1)
    sha256: str = Field("", exclude=True)
    source: str = Field("", exclude=True)

    @model_validator(mode="after")
    def _unique_and_mirrors(self) -> Suite:
        seen: set[str] = set()
        for p in self.prompts:
            if p.id in seen:
                raise ValueError(f"prompt {p.id!r}: id: duplicate prompt id")
            seen.add(p.id)
        by_id = {p.id: p for p in self.prompts}
        for p in self.prompts:
            if p.mirror is None:
                continue
            other = by_id.get(p.mirror)
            if other is None:
                raise ValueError(f"prompt {p.id!r}: mirror: {p.mirror!r} is not a prompt of this suite")
            if other.mirror != p.id:
                raise ValueError(f"prompt {p.id!r}: mirror: {p.mirror!r} does not name {p.id!r} back")
        return self

    def prompt(self, pid: str) -> Prompt:
        for p in self.prompts:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def family_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.prompts:
            out[p.family] = out.get(p.family, 0) + 1
        return out
