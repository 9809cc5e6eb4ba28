"""Functions stay short: none in ``metrics/`` or ``bench/`` runs over 60 lines (docs/DESIGN.md,
the standard): long ones hide several steps that each deserve a name and a test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 60


def long_functions(package: str, limit: int = MAX_LINES) -> list[str]:
    """``path:line name (n lines)`` of every function or method of ``package`` over ``limit`` lines."""
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    return out


@pytest.mark.parametrize("package", ["metrics", "bench"])
def test_no_function_over_60_lines(package: str) -> None:
    too_long = long_functions(package)
    assert not too_long, "split these:\n" + "\n".join(too_long)


def test_the_measure_sees_long_functions() -> None:
    """The walk finds methods and nested functions (so the test above can fail)."""
    found = long_functions("metrics", limit=5)
    assert any(" score " in f for f in found) and any("lifecycle.py" in f for f in found)
