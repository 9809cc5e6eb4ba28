"""docs/DESIGN.md's threshold table is the one the code generates."""

from __future__ import annotations

from metrics.physics.table import BEGIN, DESIGN, END, replace_in, threshold_table


def test_design_holds_the_current_threshold_table() -> None:
    text = DESIGN.read_text()
    assert replace_in(text, threshold_table()) == text, "run: python -m metrics.physics.table --write"


def test_every_threshold_states_its_unit() -> None:
    rows = [r.split(" | ") for r in threshold_table().splitlines()[2:]]
    assert len(rows) > 80
    named = {r[1].strip("`"): r[3] for r in rows}
    assert named["min_run"] == "seconds" and named["move_speed"] == "frame sizes per second"
    assert named["min_accel"] == "frame sizes per second²"
    # a threshold about time or space has a unit; only ratios and shares do not
    for r in rows:
        if any(w in r[1] for w in ("_time", "_frac", "_speed")):
            assert r[3] != "—", r


def test_the_table_replaces_only_its_block() -> None:
    text = f"a\n{BEGIN}\nold\n{END}\nb\n"
    assert replace_in(text, "new\n") == f"a\n{BEGIN}\nnew\n{END}\nb\n"
