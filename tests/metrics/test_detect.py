"""Observations from detections (the ``owl`` backend's tracking path), on synthetic detections."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from metrics import Clip
from metrics.observe import Observation
from metrics.observe.detect import Detections, box_color, nms, observe_with, prepare, query_text
from metrics.physics.count import CountCheck
from metrics.physics.direction import DirectionCheck
from tests.conftest import blank_prompt, disc_clip

RED = (215, 38, 38)
BALL = {"objects": [{"id": "ball", "noun": "ball", "color": "red"}]}
TWO = {"objects": [{"id": "ball", "noun": "ball", "color": "red", "count": 2}]}

Box = tuple[int, tuple[float, float, float, float], float]  # (label, box, score)


class FakeDetector:
    """Returns ``boxes[t]`` for frame t, keeping those scoring ``min_score`` or more."""

    def __init__(self, boxes: list[list[Box]]) -> None:
        self.boxes = boxes
        self.queries: list[str] = []

    def detect(self, frames: np.ndarray, queries: list[str], min_score: float) -> list[Detections]:
        self.queries = queries
        out = []
        for row in self.boxes[: len(frames)]:
            kept = [r for r in row if r[2] >= min_score]
            out.append(
                Detections(
                    np.array([r[1] for r in kept], float).reshape(-1, 4),
                    np.array([r[2] for r in kept], float),
                    np.array([r[0] for r in kept], int),
                )
            )
        return out


class FakeBackend:
    """A backend object around :func:`observe_with` and a :class:`FakeDetector`."""

    name = "fake"

    def __init__(self, detector: FakeDetector) -> None:
        self.detector = detector

    def protocol(self) -> dict[str, Any]:
        return {"backend": self.name}

    def observe(self, clip: Any) -> Observation:
        return observe_with(self.detector, clip, self.name, 0.2, 0.3)


def square(cx: float, cy: float, r: float = 8.0) -> tuple[float, float, float, float]:
    return (cx - r, cy - r, cx + r, cy + r)


def observe(boxes: list[list[Box]], expect: dict, frames: np.ndarray | None = None) -> Observation:
    T = len(boxes)
    clip = Clip(frames if frames is not None else np.full((T, 96, 96, 3), 200, np.uint8), 8.0, blank_prompt(expect))
    return observe_with(FakeDetector(boxes), clip, "fake", threshold=0.2, iou=0.3)


def test_query_text() -> None:
    assert query_text("ball", "red") == "a photo of a red ball"
    assert query_text("apple", None) == "a photo of an apple"
    assert query_text("cube", "orange") == "a photo of an orange cube"


def test_nms_keeps_the_best_of_overlapping_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [30, 30, 40, 40], [0, 0, 10, 10.5]], float)
    scores = np.array([0.5, 0.9, 0.4, 0.3])
    assert nms(boxes, scores, 0.3).tolist() == [1, 2]
    assert nms(boxes, scores, 1.0).tolist() == [1, 0, 2, 3]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.3).tolist() == []


def test_prepare_clips_to_the_frame_and_suppresses_per_label() -> None:
    d = Detections(
        np.array([[-5, 10, 20, 30], [-4, 10, 21, 30], [-4, 10, 21, 30], [200, 0, 260, 20]], float),
        np.array([0.9, 0.8, 0.7, 0.9]),
        np.array([0, 0, 1, 0]),
    )
    out = prepare(d, 96, 96, 0.3)
    assert out.boxes.tolist() == [[0, 10, 20, 30], [0, 10, 21, 30]]  # off-frame box dropped
    assert out.labels.tolist() == [0, 1] and out.scores.tolist() == [0.9, 0.7]


def test_box_color_reads_the_centre_of_the_box() -> None:
    frames = disc_clip([[(48, 48)]], [RED])
    from metrics.observe.color import class_map

    cmap = class_map(frames)[0]
    assert box_color(cmap, np.array(square(48, 48))) == "red"
    assert box_color(cmap, np.array([0.0, 0.0, 20.0, 20.0])) is None  # background: no palette colour


def test_one_moving_object_is_one_well_formed_track() -> None:
    T = 10
    boxes = [[(0, square(20 + 5 * t, 48), 0.9)] for t in range(T)]
    frames = disc_clip([[(20 + 5 * t, 48)] for t in range(T)], [RED])
    obs = observe(boxes, BALL, frames)
    assert obs.backend == "fake" and (obs.num_frames, obs.height, obs.width) == (T, 96, 96)
    assert obs.observed("ball") and obs.groups["ball"]["noun"] == "ball"
    assert obs.camera.steps.shape == (T - 1, 2, 3) and obs.occluders == []
    (tr,) = obs.tracks
    assert tr.id == "ball" and tr.group == "ball" and tr.visible.all() and tr.born_from == "start"
    assert tr.box.shape == (T, 4) and tr.center.shape == (T, 2) and tr.desc.shape[0] == T
    assert np.allclose(tr.center[:, 0], 20 + 5 * np.arange(T)) and np.allclose(tr.area, 256)
    assert tr.color == ["red"] * T and np.isnan(tr.desc).all()
    assert not tr.partial.any() and not tr.shared.any()
    assert obs.notes and "NaN" in obs.notes[0]


def test_a_score_dip_continues_a_track_but_starts_none() -> None:
    T = 10
    boxes = [[(0, square(20 + 5 * t, 48), 0.9)] for t in range(T)]
    boxes[4] = [(0, square(40, 48), 0.12)]  # under the threshold, over half of it: continues
    boxes[6] = []  # missed: unseen for a frame, then found again where predicted
    boxes[7] = [(0, square(55, 48), 0.9), (0, square(80, 20), 0.15)]  # a weak stray box starts nothing
    obs = observe(boxes, BALL)
    (tr,) = obs.tracks
    assert tr.visible.tolist() == [True] * 6 + [False] + [True] * 3
    assert tr.hidden_by[6] is None  # nothing explains it


def test_two_objects_keep_their_identities_when_they_pass_each_other() -> None:
    T = 12
    boxes = [[(0, square(16 + 6 * t, 40), 0.9), (0, square(82 - 6 * t, 56), 0.8)] for t in range(T)]
    obs = observe(boxes, TWO)
    assert sorted(tr.id for tr in obs.tracks) == ["ball#1", "ball#2"]
    for tr in obs.tracks:
        assert tr.visible.all()
        dx = np.diff(tr.center[:, 0])
        assert (dx > 0).all() or (dx < 0).all()  # each keeps its own direction through the crossing


def test_a_part_of_a_matched_box_is_not_a_new_object() -> None:
    T = 6
    boxes = [[(0, square(48, 48, 12), 0.9), (0, (40, 40, 52, 52), 0.5)] for _ in range(T)]
    obs = observe(boxes, BALL)
    assert len(obs.tracks) == 1


def test_other_queries_do_not_continue_a_track() -> None:
    expect = {"objects": [{"id": "ball", "noun": "ball", "color": "red"}, {"id": "cube", "noun": "cube"}]}
    det = FakeDetector([[(0, square(30, 48), 0.9)]] * 3 + [[(1, square(30, 48), 0.9)]] * 3)
    obs = observe_with(det, Clip(np.zeros((6, 96, 96, 3), np.uint8), 8.0, blank_prompt(expect)), "fake", 0.2, 0.3)
    assert det.queries == ["a photo of a red ball", "a photo of a cube"]
    ball, cube = obs.group("ball"), obs.group("cube")
    assert [tr.visible.tolist() for tr in ball] == [[True] * 3 + [False] * 3]
    assert [tr.visible.tolist() for tr in cube] == [[False] * 3 + [True] * 3]


def test_objects_with_the_same_words_share_a_query() -> None:
    expect = {"objects": [{"id": "a", "noun": "ball"}, {"id": "b", "noun": "ball"}]}
    det = FakeDetector([[(0, square(20, 48), 0.9), (0, square(70, 48), 0.9)]] * 4)
    obs = observe_with(det, Clip(np.zeros((4, 96, 96, 3), np.uint8), 8.0, blank_prompt(expect)), "fake", 0.2, 0.3)
    assert det.queries == ["a photo of a ball"]
    assert sorted(tr.id for tr in obs.tracks) == ["a", "b"]


def test_leaving_and_entering_at_the_edges_are_explained() -> None:
    T = 12
    leaving = [[(0, square(60 + 8 * t, 48), 0.9)] if 60 + 8 * t < 104 else [] for t in range(T)]
    obs = observe(leaving, BALL)
    (tr,) = obs.tracks
    assert tr.edge.any() and tr.partial[tr.edge].all()
    assert all(h == "edge" for h, v in zip(tr.hidden_by, tr.visible, strict=True) if not v)
    entering = [[(0, square(-8 + 8 * t, 48), 0.9)] if t >= 1 else [] for t in range(T)]
    (tr,) = observe(entering, BALL).tracks
    assert tr.born_from == "edge"


def test_checks_read_detections_through_a_backend_object() -> None:
    T = 10
    steady = [[(0, square(20 + 5 * t, 48), 0.9)] for t in range(T)]
    clip = Clip(
        np.full((T, 96, 96, 3), 200, np.uint8),
        8.0,
        blank_prompt({**BALL, "motion": [{"subject": "ball", "direction": "right"}]}),
    )
    count = CountCheck(backend=FakeBackend(FakeDetector(steady)))
    assert count.protocol()["backend_spec"] == "fake"
    assert count.score(clip).verdict == "pass"
    assert DirectionCheck(backend=FakeBackend(FakeDetector(steady))).score(clip).verdict == "pass"
    spawn = [row + ([(0, square(60, 70), 0.9)] if t >= 5 else []) for t, row in enumerate(steady)]
    clip.cache.clear()
    res = CountCheck(backend=FakeBackend(FakeDetector(spawn))).score(clip)
    assert res.verdict == "fail" and res.events[0].type == "count_extra" and res.events[0].frame == 5


@pytest.mark.parametrize("T", [1, 3])
def test_short_clips_and_no_objects(T: int) -> None:
    obs = observe([[] for _ in range(T)], {"camera": "static"})
    assert obs.tracks == [] and obs.camera.steps.shape == (T - 1, 2, 3)


def test_the_camera_is_measured_at_the_working_size(tmp_path: Path) -> None:
    """A pan on a 512 px clip is measured on 256 px frames and reported in the clip's pixels: 4x
    the pan of the same clip at 128 px."""
    from metrics.observe.detect import BoxObserving, _camera
    from tests.metrics import synth

    sc = synth.Scene([], background="texture", pan=lambda t: (-2.0 * t, 1.0 * t), noise=2.0)
    frames = synth.encode(synth.render(sc), tmp_path / "c.mp4")
    small = Clip(frames, 8.0, blank_prompt())
    big = Clip(frames.repeat(4, axis=1).repeat(4, axis=2), 8.0, blank_prompt())
    none = [Detections.empty() for _ in range(frames.shape[0])]
    a, b = _camera(small, none, BoxObserving()), _camera(big, none, BoxObserving())
    assert a.valid.mean() > 0.9 and b.valid.mean() > 0.9
    shift_a = np.median(a.translation((64, 64))[a.valid], axis=0)
    shift_b = np.median(b.translation((256, 256))[b.valid], axis=0)
    assert np.abs(shift_b - 4 * shift_a).max() < 0.5 and np.abs(shift_a - [-2.0, 1.0]).max() < 0.3
