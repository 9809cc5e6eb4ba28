"""The package dependency rules of docs/DESIGN.md, checked on the import statements.

``t2vbase <- prompts <- {model, metrics} <- bench`` and ``t2vbase <- reports``: every package
may import the ones to its left and nothing else of the project; nothing imports ``bench``
(bench's own deprecated alias ``bench.video`` aside, which only re-exports ``t2vbase.video``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("t2vbase", "bench", "prompts", "model", "metrics", "reports")
ALLOWED = {
    "t2vbase": set(),
    "prompts": {"t2vbase"},
    "model": {"t2vbase", "prompts"},
    "metrics": {"t2vbase", "prompts", "model.encoder"},
    "reports": {"t2vbase"},
    "bench": {"t2vbase", "prompts", "model", "metrics", "reports"},
}


def project_imports(path: Path) -> set[str]:
    """Project modules ``path`` imports (anywhere in the file, functions included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        out |= {n for n in names if n.split(".")[0] in PACKAGES}
    return out


def allowed(pkg: str, name: str) -> bool:
    if name.split(".")[0] == pkg:
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED[pkg])


@pytest.mark.parametrize("pkg", PACKAGES)
def test_imports_follow_the_dependency_rules(pkg: str) -> None:
    bad = []
    for path in sorted((ROOT / pkg).rglob("*.py")):
        for name in project_imports(path):
            if not allowed(pkg, name):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_nothing_outside_bench_imports_bench() -> None:
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for pkg in PACKAGES
        if pkg != "bench"
        for path in sorted((ROOT / pkg).rglob("*.py"))
        for name in project_imports(path)
        if name.split(".")[0] == "bench"
    ]
    assert not bad, "\n".join(bad)


def test_the_rules_catch_a_violation(tmp_path: Path) -> None:
    """The checker itself sees an upward import, in a function body too."""
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from bench.runner import run\n    import reports.build\n")
    found = project_imports(f)
    assert found == {"bench.runner", "reports.build"}
    assert not allowed("metrics", "bench.runner") and not allowed("t2vbase", "prompts")
    assert allowed("metrics", "model.encoder.weights") and not allowed("metrics", "model.reference")
