"""Box and size geometry shared by the observation layer and the physics checks.

Boxes are ``x0, y0, x1, y1`` in pixels (``x`` right, ``y`` down); NaN marks an unknown box, and
every predicate below is false for one. An object's *size* is the square root of its area, the
unit of every threshold "in object sizes".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: the smallest size (pixels) an object is given, so a speck does not make every distance huge
MIN_SIZE_PX = 4.0


def object_size(area: float, floor: float = MIN_SIZE_PX) -> float:
    """An object's size: the square root of its area (pixels), at least ``floor``."""
    return max(float(np.sqrt(max(area, 1.0))), floor)


def box_center(box: np.ndarray) -> np.ndarray:
    """Centre of ``(..., 4)`` boxes, ``(..., 2)``."""
    return (box[..., :2] + box[..., 2:]) / 2


def box_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Empty space between two boxes along the axis where they are furthest apart (negative
    when they overlap)."""
    return max(a[0] - b[2], b[0] - a[2], a[1] - b[3], b[1] - a[3])


def boxes_overlap(a: np.ndarray, b: np.ndarray, pad: float = 0.0) -> bool:
    """Whether the boxes, ``a`` grown by ``pad``, share some area (strictly)."""
    return bool(a[0] - pad < b[2] and b[0] - pad < a[2] and a[1] - pad < b[3] and b[1] - pad < a[3])


def boxes_touch(a: np.ndarray, b: np.ndarray, pad: float = 0.0) -> bool:
    """Whether the boxes, ``a`` grown by ``pad``, overlap or touch (edges included)."""
    return bool(a[0] - pad <= b[2] and b[0] - pad <= a[2] and a[1] - pad <= b[3] and b[1] - pad <= a[3])


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length the intervals ``[a0, a1]`` and ``[b0, b1]`` share (0 when apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))


def inside_fraction(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of box ``a`` inside box ``b``."""
    a0, a1, a2, a3 = _floats(a)
    b0, b1, b2, b3 = _floats(b)
    return overlap(a0, a2, b0, b2) * overlap(a1, a3, b1, b3) / max((a2 - a0) * (a3 - a1), 1e-6)


def _floats(box: Any) -> list[float]:
    """A box's four numbers as Python floats (the same values; scalar arithmetic on them is
    many times faster than on NumPy scalars, and these run once per track and frame)."""
    return box.tolist() if isinstance(box, np.ndarray) else [float(v) for v in box]


def outside_fraction(box: np.ndarray, H: int, W: int) -> float:
    """Fraction of ``box`` outside an ``H x W`` frame."""
    x0, y0, x1, y1 = _floats(box)
    w, h = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
    return 1.0 - overlap(x0, x1, 0.0, W) * overlap(y0, y1, 0.0, H) / (w * h)


def outside_fractions(boxes: np.ndarray, H: int, W: int) -> np.ndarray:
    """``(N,)`` :func:`outside_fraction` of each of ``(N, 4)`` boxes (the same numbers, at once)."""
    w = np.maximum(boxes[:, 2] - boxes[:, 0], 1e-6)
    h = np.maximum(boxes[:, 3] - boxes[:, 1], 1e-6)
    iw = np.maximum(0.0, np.minimum(boxes[:, 2], W) - np.maximum(boxes[:, 0], 0.0))
    ih = np.maximum(0.0, np.minimum(boxes[:, 3], H) - np.maximum(boxes[:, 1], 0.0))
    return 1.0 - (iw * ih) / (w * h)


def warp_box(box: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The box holding ``box``'s corners mapped by the 2x3 similarity ``m``."""
    pts = np.array([[box[0], box[1]], [box[2], box[3]]]) @ m[:, :2].T + m[:, 2]
    return np.concatenate([pts.min(0), pts.max(0)])


def normalised_box(box: Any, H: int, W: int) -> list[float] | None:
    """A pixel box as fractions of the frame (``None`` for an unknown one)."""
    if box is None or not all(math.isfinite(float(v)) for v in box):
        return None
    return [box[0] / W, box[1] / H, box[2] / W, box[3] / H]
