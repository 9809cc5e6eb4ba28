"""Observation backend specs ``name[:key=value,...]`` and how metrics receive them."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from metrics import Clip
from metrics.observe import BACKENDS, get_backend, observe
from metrics.observe.color_backend import ColorBackend
from metrics.registry import build_metrics
from t2vbase.errors import MetricError
from tests.conftest import blank_prompt, disc_clip

ROOT = Path(__file__).resolve().parents[2]


def test_specs_build_backends_with_typed_options() -> None:
    assert BACKENDS.names() == ["color", "oracle", "owl"]
    be = get_backend("color")
    assert isinstance(be, ColorBackend) and be.min_area_frac == 0.0006
    assert get_backend("color:min_area_frac=0.002").min_area_frac == 0.002
    assert get_backend("color", min_area_frac=0.003).min_area_frac == 0.003


@pytest.mark.parametrize(
    "spec, message",
    [
        ("colr", "backend spec 'colr': unknown observation backend 'colr'; did you mean 'color'"),
        ("color:min_area=1", "unknown option 'min_area'; did you mean 'min_area_frac'?"),
        ("color:min_area_frac=big", "option min_area_frac='big' is not a valid float"),
        ("color:min_area_frac=1,min_area_frac=2", "option 'min_area_frac' given twice"),
        ("color:min_area_frac", "option 'min_area_frac' is not key=value"),
    ],
)
def test_bad_specs_are_one_line_errors(spec: str, message: str) -> None:
    with pytest.raises(MetricError) as err:
        get_backend(spec)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_an_option_given_twice_across_spec_and_keywords() -> None:
    with pytest.raises(MetricError, match="'min_area_frac' given twice"):
        get_backend("color:min_area_frac=0.1", min_area_frac=0.2)


def test_only_observing_metrics_get_the_backend() -> None:
    flicker, count = build_metrics(["temporal.flicker", "physics.count"], backend="oracle")
    assert not hasattr(flicker, "backend")
    assert count.backend == "oracle" and count.observer.name == "oracle"
    assert count.protocol()["backend_spec"] == "oracle" and count.protocol()["backend"] == "oracle"
    (default,) = build_metrics(["physics.count"])
    assert default.protocol()["backend_spec"] == "color"


def test_observations_are_cached_per_protocol() -> None:
    clip = Clip(
        disc_clip([[(30, 48)]] * 4, [(215, 38, 38)]),
        8.0,
        blank_prompt({"objects": [{"id": "b", "noun": "ball", "color": "red"}]}),
    )
    a = observe(clip, "color")
    assert observe(clip, ColorBackend()) is a
    b = observe(clip, "color:min_area_frac=0.01")
    assert b is not a and len([k for k in clip.cache if k.startswith("observation:")]) == 2
    assert np.array_equal(a.tracks[0].visible, b.tracks[0].visible)


class _ImportTimeImports(ast.NodeVisitor):
    """Modules imported when a file is imported (not inside functions, which run later)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: ast.AST) -> None:
        pass

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        self.names |= {a.name.split(".")[0] for a in node.names}

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.names.add((node.module or "").split(".")[0])


def test_metrics_import_without_transformers() -> None:
    """transformers is optional (the ``detect`` extra): only function bodies may import it."""
    bad = []
    for path in sorted((ROOT / "metrics").rglob("*.py")):
        found = _ImportTimeImports()
        found.visit(ast.parse(path.read_text(), str(path)))
        if "transformers" in found.names:
            bad.append(str(path.relative_to(ROOT)))
    assert not bad
