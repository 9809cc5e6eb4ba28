from __future__ import annotations

import pytest

from bench.units import WorkUnit, gen_key, make_units, parse_seeds, parse_shard, score_key, shard_units
from prompts import load_suite
from t2vbase.errors import UsageError


@pytest.mark.parametrize(
    "text, seeds", [("1", [0]), ("3", [0, 1, 2]), ("3,7,11", [3, 7, 11]), ("2-4", [2, 3, 4]), ("5,", [5])]
)
def test_parse_seeds(text: str, seeds: list[int]) -> None:
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["0", "x", "1,1", "-2", "a-b"])
def test_bad_seeds(text: str) -> None:
    with pytest.raises(UsageError, match="--seeds"):
        parse_seeds(text)


def test_shards_partition_the_units() -> None:
    units = make_units(load_suite("smoke"), [0, 1])
    parts = [shard_units(units, parse_shard(f"{i}/3")) for i in range(3)]
    keys = sorted(u.key for p in parts for u in p)
    assert keys == sorted(u.key for u in units)
    assert all(abs(len(p) - len(units) / 3) <= 1 for p in parts)
    for bad in ("3/3", "1", "a/b", "0/0"):
        with pytest.raises(UsageError, match="--shard"):
            parse_shard(bad)


def test_keys_track_what_matters() -> None:
    suite = load_suite("smoke")
    p = suite.prompts[0]
    gen = {"name": "reference", "version": "1", "options": {}}
    video = {"num_frames": 16}
    base = gen_key(WorkUnit(p, 0), gen, video)
    assert base == gen_key(WorkUnit(p, 0), dict(gen), dict(video))
    assert base != gen_key(WorkUnit(p, 1), gen, video)
    assert base != gen_key(WorkUnit(p, 0), {**gen, "version": "2"}, video)
    assert base != gen_key(WorkUnit(p, 0), gen, {"num_frames": 8})
    changed = p.model_copy(update={"text": p.text + " Slowly."})
    assert base != gen_key(WorkUnit(changed, 0), gen, video)
    m1 = [{"name": "temporal.flicker", "version": "1"}]
    assert score_key(base, m1) != score_key(base, [{"name": "temporal.flicker", "version": "2"}])
