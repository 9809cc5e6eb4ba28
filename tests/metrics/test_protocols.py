"""Every threshold is in the protocol: changing any one changes the unit's ``score_key``; the
protocol can be built without importing the observation pipeline."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from typing import Any

import pytest

from bench.units import score_key
from metrics import build_metric, resolve_metrics
from metrics.observe import get_backend
from metrics.observe.color_backend import ColorBackend
from metrics.observe.params import Params
from metrics.physics.base import PhysicsCheck
from t2vbase.errors import MetricError

CHECKS = resolve_metrics("physics.*")


def bump(v: Any) -> Any:
    """A different value of the same kind."""
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        return v * 1.25 + 0.01
    if isinstance(v, tuple):
        return (bump(v[0]), *v[1:])
    if isinstance(v, dict):
        k = next(iter(v))
        return {**v, k: bump(v[k])}
    if isinstance(v, str):
        return v + "x"
    raise TypeError(type(v))


def protocol_fields(obj: Any) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(obj) if f.init and f.metadata.get("protocol", True)]


def variants(obj: Any) -> list[tuple[str, Any]]:
    """``(name, copy with that one threshold changed)`` for every threshold, in groups too."""
    out = []
    for f in protocol_fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, Params):
            for name, inner in variants(value):
                out.append((f"{f.name}.{name}", dataclasses.replace(obj, **{f.name: inner})))
        else:
            out.append((f.name, dataclasses.replace(obj, **{f.name: bump(value)})))
    return out


def key(metric: Any) -> str:
    return score_key("gen", [metric.protocol()])


@pytest.mark.parametrize(
    "name", [*CHECKS, "temporal.flicker", "temporal.warp_error", "temporal.smoothness", "temporal.dynamic_degree"]
)
def test_every_check_threshold_changes_the_score_key(name: str) -> None:
    m = build_metric(name)
    changed = variants(m)
    assert len(changed) >= 2
    same = [n for n, v in changed if key(v) == key(m)]
    assert not same, f"{name}: thresholds missing from the protocol: {same}"


def test_every_backend_threshold_changes_every_checks_score_key() -> None:
    be = ColorBackend()
    changed = variants(be)
    assert len(changed) > 60  # keying, blobs, tracking, explain, camera, scenery
    for name in ("physics.permanence", "physics.camera"):
        base = key(build_metric(name, backend=be))
        same = [n for n, v in changed if key(build_metric(name, backend=v)) == base]
        assert not same, f"{name}: backend thresholds missing from the protocol: {same}"


def test_units_are_stated_in_the_protocol() -> None:
    p = build_metric("physics.count").protocol()
    assert p["units"]["lifecycle.jump_sizes"] == "object sizes"
    assert p["backend_units"]["tracking.gate"] == "object sizes"
    assert p["lifecycle"]["jump_sizes"] == p["lifecycle"]["jump_sizes"]  # a group is a dict
    json.dumps(p)  # and all of it is JSON


def test_permanence_and_count_share_their_lifecycle_parameters() -> None:
    perm, count = build_metric("physics.permanence"), build_metric("physics.count")
    assert isinstance(perm, PhysicsCheck)
    assert perm.protocol()["lifecycle"] == count.protocol()["lifecycle"]


def test_backend_groups_take_dotted_options() -> None:
    be = get_backend("color:explain.hidden_in=0.5,tracking.gate_growth_seconds=0.375,min_area_frac=0.001")
    assert be.explain.hidden_in == 0.5 and be.tracking.gate_growth_seconds == 0.375 and be.min_area_frac == 0.001
    assert be.explain.seen_over == ColorBackend().explain.seen_over
    with pytest.raises(MetricError, match="did you mean 'explain'"):
        get_backend("color:explian.hidden_in=0.5")
    with pytest.raises(MetricError, match="did you mean 'hidden_in'"):
        get_backend("color:explain.hiden_in=0.5")
    with pytest.raises(MetricError, match="not a valid"):
        get_backend("color:explain.hidden_in=much")


def test_protocols_import_no_pipeline() -> None:
    """Listing metrics and building their protocols (what resume and the CLI do) imports neither
    SciPy nor OpenCV: only scoring a clip does."""
    code = (
        "import sys\n"
        "from metrics.registry import build_metrics, resolve_metrics\n"
        "for m in build_metrics(resolve_metrics('all')):\n"
        "    m.protocol()\n"
        "print(sorted({k.split('.')[0] for k in sys.modules} & {'scipy', 'cv2', 'torch'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
