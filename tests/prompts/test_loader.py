from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from prompts import PHYSICS_FAMILIES, load_suite, load_suite_file, parse_suite
from prompts.loader import SUITES_DIR
from t2vbase.errors import SuiteError


def smoke_raw() -> dict[str, Any]:
    return yaml.safe_load((SUITES_DIR / "smoke.yaml").read_text())


def test_smoke_covers_every_physics_family() -> None:
    s = load_suite("smoke")
    assert 12 <= len(s.prompts) <= 16
    counts = s.family_counts()
    assert all(counts.get(f, 0) >= 1 for f in PHYSICS_FAMILIES)
    assert len({p.id for p in s.prompts}) == len(s.prompts)


def test_load_by_path_and_by_name_agree() -> None:
    assert load_suite(str(SUITES_DIR / "smoke.yaml")).sha256 == load_suite("smoke").sha256


def test_hash_ignores_layout_but_not_content(tmp_path: Path) -> None:
    raw = smoke_raw()
    flow = tmp_path / "flow.yaml"
    flow.write_text("# a comment\n" + yaml.safe_dump(raw, default_flow_style=True, sort_keys=True))
    assert load_suite_file(flow).sha256 == load_suite("smoke").sha256
    raw["prompts"][0]["text"] += " Slowly."
    assert parse_suite(raw).sha256 != load_suite("smoke").sha256


def test_schema_round_trip() -> None:
    s = load_suite("smoke")
    dumped = s.model_dump(mode="json", by_alias=True, exclude_none=True)
    again = parse_suite(dumped)
    assert again.model_dump() == s.model_dump()


def _mutate(path: list[Any], value: Any) -> dict[str, Any]:
    raw = smoke_raw()
    node = raw
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            ["prompts", 2, "expect", "relations", 0, "when"],
            "middle",
            "prompt 'smoke-spatial-left': expect.relations[0].when: Input should be",
        ),
        (
            ["prompts", 2, "expect", "relations", 0, "object"],
            "bal",
            "prompt 'smoke-spatial-left': expect.relations[0].object: 'bal' is not a declared object",
        ),
        (["prompts", 0, "family"], "physic", "prompt 'smoke-perm-occlude': family: Input should be"),
        (["prompts", 0, "id"], "Perm Occlude", "prompt 'Perm Occlude': id: String should match pattern"),
        (["prompts", 1, "id"], "smoke-perm-occlude", "prompt 'smoke-perm-occlude': id: duplicate prompt id"),
        (
            ["prompts", 4, "scene", "objects", 0, "colour"],
            "red",
            "prompt 'smoke-dir-star': scene.objects[0].colour: Extra inputs",
        ),
        (
            ["prompts", 4, "expect", "objects", 0, "color"],
            "teal",
            "prompt 'smoke-dir-star': expect.objects[0].color: Input should be",
        ),
        (
            ["prompts", 9, "expect", "events", 1, "change"],
            "explode",
            "prompt 'smoke-causal-color': expect.events[1].change",
        ),
        (
            ["prompts", 9, "scene", "events", 0, "to"],
            KeyError,
            "prompt 'smoke-causal-color': scene.events[0]: Value error, change 'color' needs 'to'",
        ),
        (
            ["prompts", 2, "mirror"],
            "smoke-dir-star",
            "prompt 'smoke-spatial-left': mirror: 'smoke-dir-star' does not name 'smoke-spatial-left' back",
        ),
        (["version"], 0, "version: Input should be greater than or equal to 1"),
        (["prompts"], [], "prompts: List should have at least 1 item"),
        (["prompts", 0, "text"], KeyError, "prompt 'smoke-perm-occlude': text: Field required"),
    ],
)
def test_errors_name_file_prompt_and_field(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(SuiteError) as err:
        parse_suite(_mutate(path, value), "suites/x.yaml")
    text = str(err.value)
    assert text.startswith("suites/x.yaml: ")
    assert message.replace("Value error, ", "") in text
    assert "\n" not in text


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("suite: x\nversion: 1\nprompts:\n  - id: [unclosed\n")
    with pytest.raises(SuiteError, match=r"bad\.yaml: line \d+: not valid YAML"):
        load_suite_file(bad)


def test_unknown_suite_suggests() -> None:
    with pytest.raises(SuiteError, match="did you mean 'smoke'"):
        load_suite("smok")
    with pytest.raises(SuiteError, match="no such suite file"):
        load_suite("missing/suite.yaml")


def test_not_a_mapping(tmp_path: Path) -> None:
    p = tmp_path / "list.yaml"
    p.write_text("- a\n- b\n")
    with pytest.raises(SuiteError, match="must be a mapping"):
        load_suite_file(p)
