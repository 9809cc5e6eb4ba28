from __future__ import annotations

import pytest

from t2vbase.errors import UnknownNameError
from t2vbase.registry import Registry, did_you_mean


def test_register_and_lookup() -> None:
    reg: Registry[type] = Registry("widget")

    @reg.register("round", description="a round one")
    class Round:
        pass

    assert reg.get("round") is Round
    assert reg.entry("round").meta == {"description": "a round one"}
    assert "round" in reg and len(reg) == 1 and reg.names() == ["round"]
    reg.remove("round")
    assert "round" not in reg


def test_unknown_name_suggests_the_closest() -> None:
    reg: Registry[int] = Registry("widget")
    reg.add("reference", 1)
    reg.add("folder", 2)
    with pytest.raises(UnknownNameError) as err:
        reg.get("refrence")
    msg = str(err.value)
    assert msg == "unknown widget 'refrence'; did you mean 'reference'? (known: folder, reference)"


def test_no_suggestion_when_nothing_is_close() -> None:
    assert "did you mean" not in did_you_mean("zzz", ["alpha", "beta"], "thing")
    assert "none registered" in did_you_mean("x", [], "thing")


def test_name_from_attribute() -> None:
    reg: Registry[type] = Registry("metric")

    @reg.register()
    class M:
        name = "temporal.x"

    assert reg.get("temporal.x") is M


def test_a_name_taken_by_another_object_is_an_error() -> None:
    from t2vbase.registry import DuplicateNameError

    reg: Registry[type] = Registry("widget")

    class A:
        pass

    class B:
        pass

    reg.add("a", A)
    reg.add("a", A)  # the same object again (a module reloaded) is fine
    with pytest.raises(DuplicateNameError, match=r"widget 'a' is already registered by .*A; .*B cannot"):
        reg.add("a", B)
    reg.add("a", B, replace=True)
    assert reg.get("a") is B


def test_match_takes_shell_patterns() -> None:
    reg: Registry[int] = Registry("metric")
    for i, name in enumerate(("physics.count", "physics.shape", "temporal.flicker")):
        reg.add(name, i)
    assert reg.match("physics.*") == ["physics.count", "physics.shape"]
    assert reg.match("*flicker*") == ["temporal.flicker"]
    assert reg.match("physics.?ount") == ["physics.count"] and reg.match("nope*") == []
