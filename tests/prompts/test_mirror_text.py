"""``mirror_text``: the text side of the left/right mirror that ``align.mirror_gap`` scores."""

from __future__ import annotations

import pytest

from prompts import load_suite
from prompts.mirror import mirror_text


def test_swaps_sides_keeps_capitals_and_leaves_other_words() -> None:
    assert (
        mirror_text("Left of the bright ball, a car drives rightward.")
        == "Right of the bright ball, a car drives leftward."
    )
    assert mirror_text("A ball bounces upright.") == "A ball bounces upright."


@pytest.mark.parametrize("suite", ["core", "showcase"])
def test_every_suite_mirror_pair_is_the_text_mirror(suite: str) -> None:
    s = load_suite(suite)
    by_id = {p.id: p for p in s.prompts}
    pairs = [(p, by_id[p.mirror]) for p in s.prompts if p.mirror]
    assert pairs and all(mirror_text(p.text) == q.text for p, q in pairs)
