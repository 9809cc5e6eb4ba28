"""``t2vbench run --metrics dist.*``: rows with CIs, floor and protocol; the manifest records the
reference; resume keeps it; shards merge into the single run's distances."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.runner import RunConfig, run
from t2vbase.errors import UsageError

SMALL = {"num_frames": 8, "height": 64, "width": 64, "progress": False, "report": False}


@pytest.fixture
def encoder(tmp_path_factory: pytest.TempPathFactory) -> str:
    import torch

    from metrics.encoder import VideoTextEncoder, save_encoder

    torch.manual_seed(0)
    return f"tiny:path={save_encoder(VideoTextEncoder(), tmp_path_factory.mktemp('enc') / 'tiny.pt')}"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def set_rows(run_dir: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().splitlines() if x]
    return {r["metric"]: r for r in rows if r["prompt_id"] == "*"}


def test_three_distance_rows_with_ci_floor_and_protocol(tiny_suite: Path, tmp_path: Path, encoder: str) -> None:
    out = tmp_path / "run"
    common = {"suite": str(tiny_suite), "metrics": "dist.fvd,dist.kvd,dist.motion", "seeds": "2", "backbone": encoder}
    res = run(RunConfig(out=out, **common, **{**SMALL, "report": True}))
    assert res.exit_code == 0
    got = set_rows(out)
    assert sorted(got) == ["dist.fvd", "dist.kvd", "dist.motion"]
    for name, r in got.items():
        d = r["detail"]
        assert r["error"] is None and r["value"] is not None, name
        assert d["n"] == 6 and d["n_reference"] == 12 and len(d["ci95"]) == 2 and d["floor"] is not None
        assert d["protocol"]["reference"]["spec"] == "reference:profile=clean"
        assert d["protocol"]["reference"]["seeds_a"] == [1_000_000, 1_000_001]
        assert "below the feature dimension" in d["warning"]
    assert got["dist.fvd"]["detail"]["protocol"]["backbone_spec"] == encoder
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["reference"] == "reference:profile=clean" and manifest["config"]["backbone"] == encoder
    html = (out / "report.html").read_text()
    assert "dist.motion" in html and "below the feature dimension" in html
    with pytest.raises(
        UsageError, match=r"--reference folder:/x: the run in .* was made with --reference reference:profile=clean"
    ):
        run(RunConfig(out=out, resume=True, reference="folder:/x", **SMALL))
    again = run(RunConfig(out=out, resume=True, **SMALL))
    assert again.exit_code == 0 and again.processed == 0


def test_merged_shards_give_the_single_run_distances(tiny_suite: Path, tmp_path: Path) -> None:
    common = {"suite": str(tiny_suite), "metrics": "dist.motion", "seeds": "2", "generator": "reference"}
    run(RunConfig(out=tmp_path / "one", **common, **SMALL))
    for i in (1, 0):
        run(RunConfig(out=tmp_path / "two", shard=f"{i}/2", **common, **SMALL))
    one, two = set_rows(tmp_path / "one")["dist.motion"], set_rows(tmp_path / "two")["dist.motion"]
    assert one["value"] == two["value"] and one["detail"] == two["detail"]
