"""Semantic suite validation: every problem names the file, the prompt id and the field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.cli import main
from prompts import parse_suite
from prompts.validate import key_class, neutral, validate_suite
from t2vbase.errors import SuiteError
from tests.prompts.suites import CORE


def raw(*pids: str) -> dict[str, Any]:
    """A small suite (as plain data) made of core prompts."""
    prompts = [CORE.prompt(p).model_dump(mode="json", by_alias=True, exclude_none=True) for p in pids]
    return {"suite": "mini", "version": 1, "prompts": prompts}


def first(prefix: str) -> str:
    return next(p.id for p in CORE.prompts if p.id.startswith(prefix))


LR = first("spat-lr-")
LR_MIRROR = CORE.prompt(LR).mirror or ""
CAUSAL = first("causal-color-")
COLLIDE = first("kin-cradle-")
SINGLE = first("dir-horiz-")


def _add_ghost(p: dict[str, Any]) -> None:
    p["scene"]["objects"].append({**p["scene"]["objects"][0], "id": "ghost", "group": "ghost"})


def _clash(p: dict[str, Any]) -> None:
    p["expect"]["objects"][1]["color"] = p["expect"]["objects"][0]["color"]
    p["scene"]["objects"][1]["color"] = p["expect"]["objects"][0]["color"]


def _unmirror_x(p: dict[str, Any]) -> None:
    p["scene"]["objects"][0]["pos"][0] = round(1 - p["scene"]["objects"][0]["pos"][0], 3)


WHITE = {"kind": "flat", "color": "#ffffff"}
GRAY_BOTTOM = {"kind": "gradient", "color": "#c9cdd2", "color2": "#777777"}


@pytest.mark.parametrize(
    "pids, target, mutate, field",
    [
        ((SINGLE,), 0, _add_ghost, "scene.objects[1].group: 'ghost' is not a declared expect object"),
        ((SINGLE,), 0, lambda p: p["expect"]["objects"][0].update(count=2), "expect.objects[0].count: 2 but"),
        ((SINGLE,), 0, lambda p: p["scene"]["objects"][0].update(color="gray"), "expect.objects[0].color:"),
        ((SINGLE,), 0, lambda p: p["scene"]["objects"][0].update(shape="star"), "expect.objects[0].shape"),
        ((CAUSAL,), 0, _clash, "expect.objects[1].color"),
        ((SINGLE,), 0, lambda p: p["scene"].update(background=WHITE), "scene.background.color: '#ffffff'"),
        ((SINGLE,), 0, lambda p: p["scene"].update(background=GRAY_BOTTOM), "scene.background.color2"),
        ((CAUSAL,), 0, lambda p: p["scene"].update(events=[]), "expect.events[0]: no scene event brings"),
        ((COLLIDE,), 0, lambda p: p["scene"].update(collisions=[]), "expect.kinematics[0]: no scene"),
        ((LR,), 0, lambda p: None, "mirror: a prompt with a left/right relation needs a mirror"),
        ((LR, LR_MIRROR), 1, lambda p: p["expect"]["relations"][0].update(relation="left_of"),
         f"mirror: '{LR_MIRROR}' does not mirror the expectations"),
        ((LR, LR_MIRROR), 1, _unmirror_x, f"mirror: '{LR_MIRROR}' does not mirror the scene: scene.objects"),
        ((LR, LR_MIRROR), 1, lambda p: p.update(text=CORE.prompt(LR).text), f"mirror: '{LR_MIRROR}' has the"),
    ],
)  # fmt: skip
def test_problems_name_file_prompt_and_field(
    pids: tuple[str, ...], target: int, mutate: Callable[[dict[str, Any]], None], field: str
) -> None:
    data = raw(*pids)
    if pids == (LR,):
        data["prompts"][0].pop("mirror")  # its mirror is not in this suite
    else:
        validate_suite(parse_suite(copy.deepcopy(data), "suites/mini.yaml"))  # valid before the mutation
    mutate(data["prompts"][target])
    with pytest.raises(SuiteError) as err:
        validate_suite(parse_suite(data, "suites/mini.yaml"))
    text = str(err.value)
    assert text.startswith(f"suites/mini.yaml: prompt '{pids[0]}': {field}"), text
    assert "\n" not in text


def test_neutral_zone_matches_the_design() -> None:
    assert neutral((201, 205, 210)) and key_class((201, 205, 210)) is None  # the default background
    assert not neutral((244, 244, 244)) and key_class((244, 244, 244)) == "white"
    assert not neutral((128, 128, 128)) and key_class((128, 128, 128)) == "gray"
    assert not neutral((124, 76, 38)) and key_class((124, 76, 38)) == "brown"
    assert neutral((169, 198, 220))  # a tint with saturation 0.23


def test_cli_validate_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = raw(SINGLE)
    _add_ghost(data["prompts"][0])
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["suites", "validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{bad}: prompt '{SINGLE}': scene.objects[1].group" in err


def test_cli_lists_and_validates_every_bundled_suite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows["core"][1:3] == [f"v{CORE.version}", "448"] and rows["core"][3] == CORE.sha256[:12]
    assert "permanence:56" in rows["core"] and {"nightly", "showcase", "smoke"} <= set(rows)
    assert main(["suites", "validate"]) == 0
    assert capsys.readouterr().out.count(": ok — suite ") == len(rows)
