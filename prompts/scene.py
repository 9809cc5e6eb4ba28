"""Scene schema (version 1): what the reference world renders for a prompt.

Units: positions are normalised image coordinates of the world at camera rest, ``x`` right and
``y`` down, ``(0.5, 0.5)`` the frame centre. Time ``t`` runs over the clip from 0 (first frame) to
1 (last frame), so a scene means the same motion whatever the frame count; velocities are frame
widths/heights per clip and accelerations per clip squared (``pos(t) = pos + vel t + acc t^2 / 2``).
Sizes are fractions of the frame's shorter side. The full contract is in docs/DESIGN.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from prompts.palette import ColorName, parse_color

ShapeName = Literal["circle", "square", "triangle", "rectangle", "star", "vehicle"]
CameraMotion = Literal["static", "pan_left", "pan_right", "tilt_up", "tilt_down", "zoom_in", "zoom_out"]
ChangeKind = Literal["color", "bite", "crack", "fall"]
ObjectIdStr = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
Vec2 = tuple[float, float]


class Strict(BaseModel):
    """Base for schema models: unknown fields are errors (typos name their field)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Background(Strict):
    """What is behind everything. ``kind``: flat colour, vertical gradient, sky over ground with a
    horizon at ``horizon`` (y), or a procedural texture (seeded by the clip)."""

    kind: Literal["flat", "gradient", "sky_ground", "texture"] = "flat"
    color: str = "#c9cdd2"
    color2: str = "#aab2bb"
    horizon: float = Field(0.72, ge=0.0, le=1.0)

    @field_validator("color", "color2")
    @classmethod
    def _colour(cls, v: str) -> str:
        parse_color(v)
        return v


class SceneObject(Strict):
    """One moving or resting object."""

    id: str = ObjectIdStr
    group: str | None = None  # the expect object id it realises (default: its own id)
    shape: ShapeName
    color: ColorName
    size: float = Field(0.16, gt=0.0, le=1.0)  # longer extent, fraction of the shorter frame side
    aspect: float = Field(1.0, gt=0.1, le=10.0)  # width / height (rectangle, vehicle)
    pos: Vec2 = (0.5, 0.5)
    vel: Vec2 = (0.0, 0.0)
    acc: Vec2 = (0.0, 0.0)
    gravity: bool = False  # adds the scene's gravity to acc
    bounce: float | None = Field(None, ge=0.0, le=1.0)  # restitution at the scene's ground
    mass: float = Field(1.0, gt=0.0)
    start: float = Field(0.0, ge=0.0, le=1.0)  # rests at pos until t=start
    stop: float | None = Field(None, ge=0.0, le=1.0)  # rests from t=stop on
    facing: Literal["left", "right"] | None = None  # vehicle front; default: direction of travel
    texture: Literal["none", "stripes", "dots", "checker"] = "none"
    outline: bool = False
    z: int = 0  # draw order: larger is nearer the viewer

    @property
    def group_id(self) -> str:
        return self.group or self.id


class Occluder(Strict):
    """A static wall or box drawn in front of objects with a smaller ``z``."""

    id: str = ObjectIdStr
    shape: Literal["rectangle", "square"] = "rectangle"
    color: ColorName = "gray"
    pos: Vec2 = (0.5, 0.5)
    size: float = Field(0.3, gt=0.0, le=2.0)  # height, fraction of the shorter frame side
    aspect: float = Field(0.35, gt=0.05, le=20.0)  # width / height
    texture: Literal["none", "bricks", "planks"] = "none"
    z: int = 10


class CameraSpec(Strict):
    """Camera motion over the clip. ``amount``: pan/tilt travel in frame widths/heights, or for a
    zoom the relative change of scale (``zoom_in`` 0.5 ends 1.5x larger)."""

    motion: CameraMotion = "static"
    amount: float = Field(0.3, ge=0.0, le=2.0)


class StateChange(Strict):
    """A causal event: when ``subject`` touches ``object``, the object changes and stays changed.
    ``on_contact`` says what the subject does at the contact."""

    type: Literal["state_change"] = "state_change"
    subject: str
    object: str
    change: ChangeKind
    to: ColorName | None = None  # the new colour for change: color
    on_contact: Literal["stop", "bounce", "pass"] = "stop"

    @model_validator(mode="after")
    def _to_for_colour(self) -> StateChange:
        if self.change == "color" and self.to is None:
            raise ValueError("change 'color' needs 'to' (the new colour)")
        return self


class Collision(Strict):
    """Declared elastic collision between two objects (momentum and energy conserved along x)."""

    a: str
    b: str
    restitution: float = Field(1.0, ge=0.0, le=1.0)


class Scene(Strict):
    """Everything the reference world needs to render a prompt."""

    background: Background = Background()
    camera: CameraSpec = CameraSpec()
    objects: list[SceneObject] = Field(default_factory=list)
    occluders: list[Occluder] = Field(default_factory=list)
    events: list[StateChange] = Field(default_factory=list)
    collisions: list[Collision] = Field(default_factory=list)
    gravity: float = Field(1.6, ge=0.0, le=20.0)  # frame heights per clip^2, pointing down
    ground: float = Field(0.9, ge=0.0, le=1.0)  # y of the floor for bounces

    @model_validator(mode="after")
    def _references(self) -> Scene:
        ids = [o.id for o in self.objects] + [o.id for o in self.occluders]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate scene ids: {', '.join(dup)}")
        movers = {o.id for o in self.objects}
        for i, ev in enumerate(self.events):
            for role in ("subject", "object"):
                ref = getattr(ev, role)
                if ref not in movers:
                    raise ValueError(f"events[{i}].{role}: {ref!r} is not a scene object")
        for i, col in enumerate(self.collisions):
            for role in ("a", "b"):
                ref = getattr(col, role)
                if ref not in movers:
                    raise ValueError(f"collisions[{i}].{role}: {ref!r} is not a scene object")
        return self
