"""The observation layer's parameters: every threshold of colour keying, blobs, tracking,
explanations, camera and scenery, declared once with its unit.

A backend holds one of each group; its protocol (recorded in every run, hashed into the unit's
``score_key``, and the key under which a clip caches its observation) is derived from them, so
changing any threshold changes the protocol. This module imports nothing heavy: building a
check's protocol must not import OpenCV's or SciPy's pipelines.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from metrics.base import param


def protocol_value(value: Any) -> Any:
    """A parameter as the protocol records it: parameter groups as dicts, tuples as lists."""
    if isinstance(value, Params):
        return value.protocol()
    if isinstance(value, tuple):
        return [protocol_value(v) for v in value]
    if isinstance(value, dict):
        return {k: protocol_value(v) for k, v in value.items()}
    return value


def field_units(fields: tuple[dataclasses.Field, ...], prefix: str = "") -> dict[str, str]:
    """``name -> unit`` of dataclass ``fields``, descending into parameter groups
    (``lifecycle.jump_sizes``)."""
    out: dict[str, str] = {}
    for f in fields:
        if not f.metadata.get("protocol", True):
            continue
        if f.metadata.get("unit"):
            out[prefix + f.name] = f.metadata["unit"]
        default = f.default if f.default is not dataclasses.MISSING else None
        if default is None and f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        if isinstance(default, Params):
            out.update(field_units(dataclasses.fields(default), f"{prefix}{f.name}."))
    return out


#: The format the thresholds were tuned at (16 frames, 128x128, 8 fps): a threshold in fractions
#: of the frame's short side or in seconds equals its old pixel or frame value there.
TUNED_SIDE = 128
TUNED_FPS = 8.0


@dataclass(frozen=True)
class Scale:
    """How thresholds in physical units become pixels and frames of the frames being observed.

    ``short`` is the short side (pixels) of the frames the algorithm sees (the working frames),
    ``fps`` the clip's frame rate. The default is the tuned format, where each conversion gives
    back the value the threshold had in pixels or frames.
    """

    short: float = float(TUNED_SIDE)
    fps: float = TUNED_FPS

    def px(self, frac: float) -> float:
        """A length in fractions of the short side, in pixels."""
        return frac * self.short

    def kernel(self, frac: float) -> int:
        """An odd kernel size (pixels) about ``frac`` of the short side (3/128 -> 3 at 128 px)."""
        return 2 * int(self.px(frac) / 2) + 1

    def area(self, frac: float) -> float:
        """An area in squared short sides, in pixels."""
        return frac * self.short * self.short

    def frames(self, seconds: float) -> int:
        """A duration in seconds, in frames (at least 1)."""
        return max(1, round(seconds * self.fps))

    def per_step(self, per_second: float) -> float:
        """A rate per second, per frame step."""
        return per_second / self.fps


#: The tuned format's scale: thresholds give back their old pixel and frame values.
TUNED = Scale()


@dataclass(frozen=True, kw_only=True)
class Params:
    """A group of parameters (frozen: a group is shared by every object built from defaults)."""

    def protocol(self) -> dict[str, Any]:
        """The group's values, nested groups as dicts."""
        return {
            f.name: protocol_value(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.metadata.get("protocol", True)
        }

    @classmethod
    def units(cls) -> dict[str, str]:
        """``name -> unit`` of every parameter that has one."""
        return field_units(dataclasses.fields(cls))


@dataclass(frozen=True, kw_only=True)
class KeyingParams(Params):
    """Palette classes by hue and tolerance (see docs/DESIGN.md, "Colour keying")."""

    hue_windows: dict[str, tuple[float, float]] = param(
        {
            "red": (340.0, 14.0),
            "orange": (14.0, 40.0),
            "yellow": (40.0, 68.0),
            "green": (68.0, 165.0),
            "cyan": (165.0, 205.0),
            "blue": (205.0, 258.0),
            "purple": (258.0, 292.0),
            "magenta": (292.0, 340.0),
        },
        unit="degrees",
        doc="hue window [lo, hi) of each chromatic colour (red wraps around 0)",
    )
    min_sat: float = param(0.38, unit="saturation", doc="chromatic pixels are at least this saturated")
    min_val: float = param(0.30, unit="value", doc="...and at least this bright")
    brown_hue: tuple[float, float] = param((8.0, 45.0), unit="degrees", doc="hue window of brown")
    brown_sat: float = param(0.35, unit="saturation", doc="brown is at least this saturated")
    brown_val: tuple[float, float] = param((0.18, 0.58), unit="value", doc="brown's value band (orange above)")
    achromatic_sat: float = param(0.20, unit="saturation", doc="white and gray are less saturated")
    white_val: float = param(0.85, unit="value", doc="white is at least this bright")
    gray_val: tuple[float, float] = param((0.32, 0.66), unit="value", doc="gray's value band")
    black_val: float = param(0.22, unit="value", doc="black is darker (any saturation)")


@dataclass(frozen=True, kw_only=True)
class BlobParams(Params):
    """Connected regions of one colour and their descriptors."""

    open_short: float = param(
        3 / TUNED_SIDE, unit="short sides", doc="opening kernel (odd pixels): thinner structures are the codec's halo"
    )
    mark_luma: float = param(0.78, doc="a mark inside an object is darker than this share of its median luma")
    split_units: float = param(1.6, unit="object areas", doc="a blob this large may hold touching objects")
    split_neck: float = param(0.55, doc="two peaks are two objects when the distance dips below this share")
    split_peak: float = param(0.5, unit="object radii", doc="a centre peak of the distance transform is this deep")
    split_spacing: float = param(0.7, unit="object radii", doc="peaks are local maxima over this radius")
    min_piece_area: float = param(
        4 / TUNED_SIDE**2, unit="squared short sides", doc="smaller pieces of a split are dropped"
    )


@dataclass(frozen=True, kw_only=True)
class TrackingParams(Params):
    """Identities across frames (the motion model and the Hungarian association)."""

    fit_seconds: float = param(0.5, unit="seconds", doc="velocity fitted to as many last clean sightings as frames")
    area_seconds: float = param(0.375, unit="seconds", doc="reference area: median of as many last sightings")
    clean_area: float = param(0.8, doc="a sighting with less of its reference area does not move the model")
    reach_speed: float = param(1.5, unit="steps", doc="a track seen last frame may be found this far from there")
    gate: float = param(1.4, unit="object sizes", doc="largest distance from the prediction of a match")
    gate_growth: float = param(3.2, unit="object sizes per second", doc="the gate widens while lost...")
    gate_growth_seconds: float = param(0.625, unit="seconds", doc="...for at most this long")
    area_cost: float = param(0.5, doc="weight of the log area ratio in a match's cost")
    recolor_seconds: float = param(0.25, unit="seconds", doc="a track lost this long may continue in another colour")
    recolor_sizes: float = param(0.8, unit="object sizes", doc="...this near its prediction")
    recolor_ratio: float = param(1.8, doc="...at this area ratio at most")
    recolor_cost: float = param(1.0, unit="object sizes", doc="extra cost of a colour change")
    to_expected_sizes: float = param(0.6, unit="object sizes", doc="becoming an expected colour: this near")
    to_expected_ratio: float = param(1.5, doc="...at this area ratio at most")
    to_expected_cost: float = param(1.5, unit="object sizes", doc="...at this extra cost")
    beside_short: float = param(3 / TUNED_SIDE, unit="short sides", doc="a region this near a newborn blob is its part")
    beside_sizes: float = param(0.3, unit="object sizes", doc="...or this near, when small")
    beside_small: float = param(0.4, unit="object areas", doc="'small': under this share of the host")
    part_grow: float = param(0.25, unit="box extents", doc="a sliver lies inside the predicted box grown by this")
    part_grow_short: float = param(3 / TUNED_SIDE, unit="short sides", doc="...plus this")
    sliver_area: float = param(0.4, unit="object areas", doc="a sliver inside is smaller than this")
    sliver_total: float = param(1.3, unit="object areas", doc="...and leaves the object at most this large")
    part_near: float = param(0.3, unit="object sizes", doc="a part is within this of the predicted box")
    crumb_area: float = param(0.15, unit="object areas", doc="a region this small beside it is a sliver")
    cut_area: float = param(0.6, unit="object areas", doc="a piece cut off by an occluder is smaller")
    shared_area: float = param(1.25, unit="object areas", doc="a blob this large under a lost track holds it too")
    touch_short: float = param(3 / TUNED_SIDE, unit="short sides", doc="a region this near can cut an object")
    partial_area: float = param(0.75, unit="object areas", doc="smaller than this with a region beside: partial")
    partial_extent: float = param(
        0.85, unit="object extents", doc="shorter than this across the edge of a region beside it: partial"
    )
    cabin_above: float = param(0.8, unit="body heights", doc="a vehicle's cabin is looked for this far above")
    cabin_below: float = param(0.2, unit="body heights", doc="...down to this far into the body")
    cabin_min_area: float = param(4 / TUNED_SIDE**2, unit="squared short sides", doc="cabin area needed for a lean")
    cabin_lean: float = param(0.04, unit="body widths", doc="a cabin leaning further gives the facing")


@dataclass(frozen=True, kw_only=True)
class ExplainParams(Params):
    """Why a track is unseen and how it appeared."""

    seen_over: float = param(0.3, doc="seen with this share of its box over a region: in front of it")
    hidden_in: float = param(0.4, doc="a predicted box this much inside a region in front is hidden by it")
    outside: float = param(0.4, doc="a predicted box this much outside the frame has left it")
    cover: float = param(0.5, doc="a track whose box holds this share of the predicted box may hide it")
    born_touch_short: float = param(
        3 / TUNED_SIDE, unit="short sides", doc="born this near a region in front: out of it"
    )
    born_touch: float = param(0.01, doc="...touching it by this share of the grown box")
    split_pad: float = param(0.25, unit="object sizes", doc="born this near one of its kind: split off it")
    predict_sightings: int = param(4, unit="frames", doc="velocity of a lost track from this many sightings")


@dataclass(frozen=True, kw_only=True)
class CameraParams(Params):
    """Background motion: features, Lucas-Kanade, a RANSAC similarity per step; anchors."""

    max_corners: int = param(160, doc="features per frame")
    corner_quality: float = param(0.005, doc="goodFeaturesToTrack quality level")
    corner_spacing_short: float = param(5 / TUNED_SIDE, unit="short sides", doc="features at least this far apart")
    corner_block_short: float = param(5 / TUNED_SIDE, unit="short sides", doc="corner detection block (odd pixels)")
    flow_window_short: float = param(15 / TUNED_SIDE, unit="short sides", doc="Lucas-Kanade window (odd pixels)")
    flow_levels: int = param(2, doc="Lucas-Kanade pyramid levels above the frame")
    flow_min_eig: float = param(
        1e-4,
        unit="at the tuned short side, times (128 / short side)^2",
        doc="Lucas-Kanade's least gradient eigenvalue per window pixel (OpenCV's default at 128 px): "
        "a texture's gradients per pixel fall as the frame grows",
    )
    round_trip_short: float = param(
        0.5 / TUNED_SIDE, unit="short sides", doc="forward-backward error of a kept feature"
    )
    ransac_short: float = param(0.75 / TUNED_SIDE, unit="short sides", doc="RANSAC inlier distance")
    ransac_iters: int = param(500, doc="RANSAC iterations")
    min_inliers: int = param(10, doc="a step needs this many inliers")
    min_spread: float = param(0.2, unit="frame sizes", doc="inliers span this much of the frame in x or y")
    exclude_pad: float = param(0.25, unit="box extents", doc="followed objects' boxes grown by this...")
    exclude_pad_short: float = param(2 / TUNED_SIDE, unit="short sides", doc="...plus this, then dilated")
    exclude_dilate_short: float = param(5 / TUNED_SIDE, unit="short sides", doc="dilation of the excluded pixels (odd)")
    anchors_below: float = param(0.5, doc="anchors fill in when fewer steps than this share are measured")
    anchor_area_ratio: float = param(0.4, doc="an anchor's match differs in log area by less")
    anchor_reach: float = param(4.0, unit="object sizes per second", doc="an anchor moves slower than this...")
    anchor_reach_short: float = param(
        4 * TUNED_FPS / TUNED_SIDE, unit="short sides per second", doc="...plus this (the camera moves it)"
    )
    anchor_scale: tuple[float, float] = param((0.7, 1.4), doc="an anchor similarity scales within this")
    anchor_ransac_short: float = param(1.5 / TUNED_SIDE, unit="short sides", doc="RANSAC inlier distance of anchors")
    hold_seconds: float = param(
        1.0, unit="seconds", doc="an unmeasured step moves as the nearest measured one this near (still unmeasured)"
    )


@dataclass(frozen=True, kw_only=True)
class SceneryParams(Params):
    """The static scene and the occluders in it."""

    static_share: float = param(0.6, doc="a pixel is scenery when it shows one colour this share of its frames")
    static_min: float = param(0.5, doc="...and at least this share of all frames")
    open_short: float = param(3 / TUNED_SIDE, unit="short sides", doc="opening of an occluder's mask (odd pixels)")
    min_areas: float = param(2.0, unit="smallest blobs", doc="an occluder is at least this large")
    recolor_scenery: float = param(0.5, doc="a blob whose colour covered this share of it before is scenery")


@dataclass(frozen=True, kw_only=True)
class BoxParams(Params):
    """Detector boxes (the ``owl`` backend)."""

    continue_share: float = param(0.5, doc="a track continues on boxes scoring this share of the threshold")
    part_of: float = param(0.6, doc="a box this much inside a box matched in the same frame is part of it")
    min_color: float = param(0.3, doc="the dominant colour covers this share of the box's central half")
    exclude_short: float = param(
        2 / TUNED_SIDE, unit="short sides", doc="detected boxes grown by this aren't background"
    )
    partial_area: float = param(0.75, unit="object areas", doc="a box smaller than this is partial")
