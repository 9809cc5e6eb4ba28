"""Property-based fuzzing of the suite loader: whatever the file holds, loading it gives a suite
or a one-line SuiteError naming the file — never another exception (which would be exit 70)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prompts import load_suite
from t2vbase.errors import SuiteError

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12)
)
values = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4))
KEYS = ("suite", "version", "description", "prompts", "id", "text", "family", "expect", "scene", "objects", "pos")


def prompt_like() -> st.SearchStrategy[dict]:
    """Prompts close enough to valid that the schema's deeper fields get exercised."""
    obj = st.fixed_dictionaries(
        {"id": st.sampled_from(["ball", "cube", "Bad!"]), "shape": st.sampled_from(["circle", "blob"])},
        optional={"pos": st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3), "color": values},
    )
    return st.fixed_dictionaries(
        {
            "id": st.sampled_from(["p-one", "p-two", "x"]),
            "text": st.text(max_size=20),
            "family": st.sampled_from(["count", "nope"]),
        },
        optional={"scene": st.fixed_dictionaries({"objects": st.lists(obj, max_size=2)}), "expect": values},
    )


def check(path: Path) -> None:
    try:
        suite = load_suite(path)
    except SuiteError as err:
        text = str(err)
        assert "\n" not in text and str(path) in text
    else:
        assert len(suite.sha256) == 64


@SETTINGS
@given(doc=st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_any_mapping(tmp_path: Path, doc: dict) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    check(path)


@SETTINGS
@given(prompts=st.lists(prompt_like(), max_size=3), version=st.one_of(st.integers(), st.text(max_size=3)))
def test_near_valid_suites(tmp_path: Path, prompts: list, version: object) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"suite": "fuzz", "version": version, "description": "d", "prompts": prompts}))
    check(path)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(data)
    check(path)


@pytest.mark.parametrize(
    "text", ["suite: &a [*a]\n", "? [a]\n: b\n", "suite: !!binary AAAA\n", "%YAML 9.9\n---\na: 1\n"]
)
def test_odd_yaml_constructs(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    check(path)
