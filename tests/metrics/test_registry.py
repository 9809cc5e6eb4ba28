from __future__ import annotations

import pytest

from metrics import build_metric, resolve_metrics
from t2vbase.errors import MetricError


def test_selection() -> None:
    assert resolve_metrics("none") == []
    everything = resolve_metrics("all")
    assert {"physics.count", "temporal.flicker"} <= set(everything)
    assert resolve_metrics("physics.*") == [n for n in everything if n.startswith("physics.")]
    assert resolve_metrics("temporal.flicker,physics.count,temporal.flicker") == [
        "temporal.flicker",
        "physics.count",
    ]


def test_unknown_metric_suggests() -> None:
    with pytest.raises(MetricError, match=r"did you mean 'temporal\.flicker'"):
        resolve_metrics("temporal.flick")
    with pytest.raises(MetricError, match="no metric matches"):
        resolve_metrics("nothing.*")
    with pytest.raises(MetricError):
        build_metric("nope.nope")


def test_protocol_names_the_metric() -> None:
    m = build_metric("physics.count")
    p = m.protocol()
    assert p["name"] == "physics.count" and p["version"] == "2" and p["backend"] == "color" and p["min_run"] == 0.25
    assert p["higher_is_better"] is True and p["unit"] == ""  # reports read the direction here
    flicker = build_metric("temporal.flicker").protocol()
    assert flicker["higher_is_better"] is False and flicker["unit"] == "gray levels"


def test_selection_takes_shell_patterns() -> None:
    assert resolve_metrics("*flicker*") == ["temporal.flicker"]
    assert resolve_metrics("physics.c*") == ["physics.camera", "physics.causal", "physics.count"]
    with pytest.raises(MetricError, match="names no metric"):
        resolve_metrics(" , ")


def test_changing_a_parameter_changes_the_score_key() -> None:
    from bench.units import score_key

    base = build_metric("physics.spatial")
    moved = build_metric("physics.spatial", dead_zone=0.3)
    assert moved.protocol()["dead_zone"] == 0.3 and moved.protocol()["units"]["dead_zone"] == "object sizes"
    assert score_key("g", [base.protocol()]) != score_key("g", [moved.protocol()])


def test_a_bad_option_is_a_one_line_error() -> None:
    with pytest.raises(MetricError, match=r"physics\.spatial: .*no_such_option"):
        build_metric("physics.spatial", no_such_option=1)
