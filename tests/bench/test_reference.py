"""The reference set: disjoint seeds, prompt-matched halves, a cache that is reused, keyed by
everything that changes the features, and safe when two processes fill it at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.reference import ReferenceSet, cache_root, reference_seeds
from bench.units import make_units
from metrics import build_metric
from prompts import load_suite
from t2vbase.errors import UsageError
from t2vbase.video import Video, write_video

ROOT = Path(__file__).resolve().parents[2]
VIDEO = {"num_frames": 8, "height": 64, "width": 64, "fps": 8.0}


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("T2VBENCH_REFERENCE_CACHE", raising=False)
    return tmp_path / "xdg" / "t2vbench" / "reference"


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    rendered: list[str] = []
    original = ReferenceSet.clips

    def clips(self, doc):  # type: ignore[no-untyped-def]
        for cid, clip in original(self, doc):
            rendered.append(cid)
            yield cid, clip

    monkeypatch.setattr(ReferenceSet, "clips", clips)
    return rendered


def test_reference_seeds_are_disjoint_from_the_run_and_twice_as_many() -> None:
    assert reference_seeds([0]) == [1_000_000, 1_000_001]
    assert reference_seeds([1_000_000, 3]) == [1_000_001, 1_000_002, 1_000_003, 1_000_004]


def test_halves_match_the_run_prompt_by_prompt(tiny_suite: Path, cache: Path, monkeypatch) -> None:
    suite = load_suite(str(tiny_suite))
    m = build_metric("dist.motion")
    rendered = counting(monkeypatch)
    ref = ReferenceSet(suite, [0, 1], VIDEO)
    units = make_units(suite, [0, 1])[:5]
    h = ref.halves(m, units)
    assert h.a.shape == h.b.shape == (5, m.feature_protocol()["dim"])
    assert len(rendered) == 3 * 4 and h.info["seeds_a"] == [1_000_000, 1_000_001]
    feats = ref.features(m, ref.key_doc(m))
    u = units[3]  # its run seed's position picks the reference seed of each half
    np.testing.assert_array_equal(h.a[3], feats[f"{u.prompt_id}/{1_000_000 + [0, 1].index(u.seed)}"])
    np.testing.assert_array_equal(h.b[3], feats[f"{u.prompt_id}/{1_000_002 + [0, 1].index(u.seed)}"])


def test_the_cache_is_reused_and_keyed_by_what_changes_features(tiny_suite: Path, cache: Path, monkeypatch) -> None:
    suite = load_suite(str(tiny_suite))
    rendered = counting(monkeypatch)
    m = build_metric("dist.motion")
    first = ReferenceSet(suite, [0], VIDEO).features(m, ReferenceSet(suite, [0], VIDEO).key_doc(m))
    assert len(rendered) == 6 and len(list(cache.glob("*.npz"))) == 1
    again = ReferenceSet(suite, [0], VIDEO)
    got = again.features(m, again.key_doc(m))
    assert len(rendered) == 6  # read back, nothing rendered
    assert all(np.array_equal(first[k], got[k]) for k in first)
    keys = {ReferenceSet(suite, [0], VIDEO).cache_path(ReferenceSet(suite, [0], VIDEO).key_doc(m)).stem}
    for changed in (
        ReferenceSet(suite, [0, 1], VIDEO).key_doc(m),  # more seeds (the reference for seeds 5 is that of 0)
        ReferenceSet(suite, [0], {**VIDEO, "fps": 12.0}).key_doc(m),  # other clips
        ReferenceSet(suite, [0], VIDEO).key_doc(build_metric("dist.motion", min_speed=0.1)),  # other features
        ReferenceSet(suite, [0], VIDEO).key_doc(
            build_metric("dist.motion", reference="reference:profile=clean,jitter=0")
        ),
        ReferenceSet(suite.model_copy(update={"sha256": "0" * 64}), [0], VIDEO).key_doc(m),  # other suite
    ):
        keys.add(ReferenceSet(suite, [0], VIDEO).cache_path(changed).stem)
    assert len(keys) == 6
    doc = json.loads(next(cache.glob("*.json")).read_text())
    assert doc["reference"] == "reference:profile=clean" and doc["seeds"] == [1_000_000, 1_000_001]


def test_an_unreadable_cache_file_is_computed_again(tiny_suite: Path, cache: Path, monkeypatch) -> None:
    suite = load_suite(str(tiny_suite))
    m = build_metric("dist.motion")
    ref = ReferenceSet(suite, [0], VIDEO)
    path = ref.cache_path(ref.key_doc(m))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"truncated")
    rendered = counting(monkeypatch)
    assert len(ref.features(m, ref.key_doc(m))) == 6 and len(rendered) == 6
    assert np.load(path)["features"].shape == (6, m.feature_protocol()["dim"])


FILL = """
import sys
from bench.reference import ReferenceSet
from metrics import build_metric
from prompts import load_suite
suite = load_suite(sys.argv[1])
ms = [build_metric("dist.motion", min_speed=float(s)) for s in sys.argv[2].split(",")]
ReferenceSet(suite, [0], {"num_frames": 8, "height": 64, "width": 64, "fps": 8.0}).prepare(ms)
"""


def test_two_processes_filling_the_cache_at_once_lose_nothing(tiny_suite: Path, cache: Path, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen([sys.executable, "-c", FILL, str(tiny_suite), speeds], cwd=ROOT, env=env)
        for speeds in ("0.06,0.1", "0.1,0.06,0.2")
    ]
    assert [p.wait(timeout=600) for p in procs] == [0, 0]
    suite = load_suite(str(tiny_suite))
    ref = ReferenceSet(suite, [0], VIDEO)
    for s in (0.06, 0.1, 0.2):
        m = build_metric("dist.motion", min_speed=s)
        with np.load(ref.cache_path(ref.key_doc(m))) as z:
            assert z["features"].shape == (6, m.feature_protocol()["dim"])
        fresh = ReferenceSet(suite, [0], VIDEO).compute([(m, ref.key_doc(m))])[0]
        with np.load(ref.cache_path(ref.key_doc(m))) as z:
            got = dict(zip(z["ids"].tolist(), z["features"], strict=True))
        assert all(np.allclose(fresh[k], got[k]) for k in fresh)
    assert sorted(p.suffix for p in cache.iterdir()) == [".json"] * 3 + [".npz"] * 3  # no temporary files left


def test_a_folder_of_videos_is_split_into_alternate_halves(tiny_suite: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for k in range(6):
        frames = rng.integers(0, 255, size=(8, 64, 64, 3), dtype=np.uint8)
        write_video(tmp_path / "real" / f"v{k}.mp4", Video(frames, 8.0))
    suite = load_suite(str(tiny_suite))
    m = build_metric("dist.motion", reference=f"folder:{tmp_path / 'real'}")
    h = ReferenceSet(suite, [0], VIDEO).halves(m, make_units(suite, [0])[:2])
    assert h.a.shape[0] == h.b.shape[0] == 2 and h.info["files"] == 6
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="empty holds 0 videos; the two halves need at least 4"):
        ReferenceSet(suite, [0], VIDEO).halves(build_metric("dist.motion", reference=f"folder:{tmp_path}/empty"), [])
    with pytest.raises(UsageError, match="x is not a folder"):
        ReferenceSet(suite, [0], VIDEO).halves(build_metric("dist.motion", reference=f"folder:{tmp_path}/x"), [])


def test_cache_root_is_overridable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_root() == tmp_path / "xdg" / "t2vbench" / "reference"
    monkeypatch.setenv("T2VBENCH_REFERENCE_CACHE", str(tmp_path / "elsewhere"))
    assert cache_root() == tmp_path / "elsewhere"
