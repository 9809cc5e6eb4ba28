from __future__ import annotations

import pytest

from prompts.palette import COLOR_NAMES, PALETTE, parse_color


def test_palette_is_complete() -> None:
    assert set(PALETTE) == set(COLOR_NAMES)
    assert len(COLOR_NAMES) == 12


def test_parse_color() -> None:
    assert parse_color("red") == PALETTE["red"]
    assert parse_color("#0a0B10") == (10, 11, 16)
    with pytest.raises(ValueError, match="neither a palette colour"):
        parse_color("teal")
    with pytest.raises(ValueError):
        parse_color("#12345g")
