"""Box geometry: the vectorised outside fraction is the scalar one, number for number."""

from __future__ import annotations

import numpy as np

from metrics.observe.geometry import inside_fraction, outside_fraction, outside_fractions, overlap


def test_outside_fraction_of_known_boxes() -> None:
    assert outside_fraction(np.array([10.0, 10, 20, 20]), 64, 64) == 0.0
    assert outside_fraction(np.array([-10.0, 0, 10, 10]), 64, 64) == 0.5
    assert outside_fraction(np.array([70.0, 0, 80, 10]), 64, 64) == 1.0
    assert inside_fraction(np.array([0.0, 0, 10, 10]), np.array([5.0, 0, 20, 20])) == 0.5


def test_outside_fractions_equal_the_scalar_ones() -> None:
    rng = np.random.default_rng(0)
    xy = rng.uniform(-40, 120, (500, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(0, 30, (500, 2))], 1)
    many = outside_fractions(boxes, 64, 96)
    assert [float(v) for v in many] == [outside_fraction(b, 64, 96) for b in boxes]


def test_overlap_of_intervals() -> None:
    assert overlap(0, 10, 4, 20) == 6 and overlap(4, 20, 0, 10) == 6
    assert overlap(0, 10, 2, 3) == 1  # one inside the other
    assert overlap(0, 10, 10, 20) == 0 and overlap(0, 10, 12, 20) == 0  # touching, apart
