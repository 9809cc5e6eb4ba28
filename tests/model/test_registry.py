from __future__ import annotations

from pathlib import Path

import pytest

from model import get_generator
from model.folder import FolderGenerator
from model.reference import ReferenceGenerator
from model.registry import parse_options
from t2vbase.errors import GeneratorError


def test_specs_build_generators(tmp_path: Path) -> None:
    assert isinstance(get_generator("reference"), ReferenceGenerator)
    clean = get_generator("reference:profile=clean")
    assert clean.plan == {}
    g = get_generator("reference:faults=vanish,rate=0.5,severity=2")
    assert g.plan == {"vanish": 0.5} and g.severity == 2.0
    assert isinstance(get_generator(f"folder:{tmp_path}"), FolderGenerator)
    m = get_generator("module:tests.fakes:FailOn,prompt=abc")
    assert m.target == "abc"


def test_parse_options() -> None:
    assert parse_options("faults=vanish+mirror,rate=0.3", "s") == {"faults": "vanish+mirror", "rate": "0.3"}
    assert parse_options("", "s") == {}
    with pytest.raises(GeneratorError, match="not key=value"):
        parse_options("rate", "s")
    with pytest.raises(GeneratorError, match="given twice"):
        parse_options("rate=1,rate=2", "s")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("refrence", "unknown generator 'refrence'; did you mean 'reference'?"),
        ("reference:profle=clean", "unknown option 'profle'; did you mean 'profile'?"),
        ("reference:profile=dirty", "unknown profile 'dirty'"),
        ("reference:faults=vansh", "unknown fault 'vansh'; did you mean 'vanish'?"),
        ("reference:rate=abc", "rate='abc' is not a valid"),
        ("folder:/no/such/folder", "no such folder"),
        ("folder", "needs an argument"),
        ("module:tests.fakes", "expected module:package.module:Factory"),
        ("module:no_such_module_xyz:F", "cannot import 'no_such_module_xyz'"),
        ("module:tests.fakes:Missing", "has no callable 'Missing'"),
        ("module:tests.fakes:FailOn,bogus=1", "unknown option 'bogus'"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(GeneratorError) as err:
        get_generator(spec)
    assert message in str(err.value)
