"""The package dependency rules of docs/DESIGN.md, checked on the import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bench", "prompts", "model", "metrics", "reports")
LEAVES = {"bench.errors", "bench.registry", "bench.video", "bench.files"}
ALLOWED = {
    "prompts": set(),
    "model": {"prompts"},
    "metrics": {"prompts", "model.encoder"},
    "reports": set(),
}


def project_imports(path: Path) -> set[str]:
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
    if name.split(".")[0] == pkg or name in LEAVES or name == "bench":  # bench/__init__ imports nothing
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED[pkg])


@pytest.mark.parametrize("pkg", [p for p in PACKAGES if p != "bench"])
def test_imports_follow_the_dependency_rules(pkg: str) -> None:
    bad = []
    for path in sorted((ROOT / pkg).rglob("*.py")):
        for name in project_imports(path):
            if not allowed(pkg, name):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_leaf_modules_import_no_project_package() -> None:
    for leaf in LEAVES:
        path = ROOT / (leaf.replace(".", "/") + ".py")
        others = {n for n in project_imports(path) if n not in LEAVES}
        assert not others, f"{leaf} imports {others}"


def test_bench_init_stays_empty_of_imports() -> None:
    assert project_imports(ROOT / "bench" / "__init__.py") == set()
