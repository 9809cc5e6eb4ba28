from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.cli import main
from reports.compare import Thresholds, compare_runs
from reports.compare_report import build_compare
from t2vbase.errors import UsageError
from t2vbase.rundir import make_row
from tests.reports.rundirs import CHECK, ENV, SCORE, check_rows, make_run, square_clip, square_track

UNITS = [f"p{i:02d}" for i in range(30)]


def runs_with_flips(tmp: Path, n_flips: int, **kw) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """A passes everything; B fails ``n_flips`` of 30 units."""
    a = make_run(tmp / "a", check_rows(dict.fromkeys(UNITS, "pass")), **kw)
    fails = {u: ("fail" if k < n_flips else "pass") for k, u in enumerate(UNITS)}
    b = make_run(tmp / "b", check_rows(fails), **kw)
    return a, b


def test_a_clear_pass_rate_drop_is_a_regression_and_its_reverse_an_improvement(tmp_path: Path) -> None:
    a, b = runs_with_flips(tmp_path, 10)
    doc, *_ = compare_runs(a, b)
    m = next(x for x in doc["metrics"] if x["metric"] == "physics.count")
    assert m["delta"] == pytest.approx(-10 / 30) and m["delta_ci95"][1] < 0
    assert m["mcnemar"] == {"pass_to_fail": 10, "fail_to_pass": 0, "p": pytest.approx(2 * 0.5**10)}
    assert m["verdict"] == "regression" and "physics.count" in doc["regressions"]
    assert "physics: all checks" in doc["regressions"]  # the family, pooled
    back, *_ = compare_runs(b, a)
    assert back["regressions"] == [] and "physics.count" in back["improvements"]
    assert main(["compare", str(a), str(b), "--fail-on-regression", "--out", str(tmp_path / "c1")]) == 1
    assert main(["compare", str(b), str(a), "--fail-on-regression", "--out", str(tmp_path / "c2")]) == 0
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c3")]) == 0  # without the flag: report only


def test_a_few_flips_are_not_a_regression(tmp_path: Path) -> None:
    """Two of 30 units flipping: McNemar's p is 0.5, so the change is not called, whatever the bootstrap says."""
    a, b = runs_with_flips(tmp_path, 2)
    doc, *_ = compare_runs(a, b)
    m = next(x for x in doc["metrics"] if x["metric"] == "physics.count")
    assert m["mcnemar"]["p"] == pytest.approx(0.5) and m["verdict"] == "same" and doc["regressions"] == []


def test_a_threshold_keeps_tiny_changes_out(tmp_path: Path) -> None:
    a, b = runs_with_flips(tmp_path, 10)
    doc, *_ = compare_runs(a, b, th=Thresholds(min_rate_delta=0.5))  # the drop is 0.33
    assert doc["regressions"] == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"suite_sha": "b" * 64}, "different suites"),
        ({"seeds": [0, 1]}, "different seeds"),
        (
            {"protocols": [{**CHECK, "min_run": 3}, SCORE]},
            "metric physics.count has different protocols: min_run 2 vs 3",
        ),
    ],
)
def test_unpaired_runs_are_refused_with_one_line_unless_forced(
    tmp_path: Path, change: dict, reason: str, capsys
) -> None:  # type: ignore[no-untyped-def]
    a = make_run(tmp_path / "a", check_rows(dict.fromkeys(UNITS, "pass")))
    b = make_run(tmp_path / "b", check_rows(dict.fromkeys(UNITS, "pass")), **change)
    with pytest.raises(UsageError, match=reason) as err:
        compare_runs(a, b)
    assert "\n" not in str(err.value) and "--force" in str(err.value)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "c")]) == 2
    assert reason in capsys.readouterr().err
    doc, *_ = compare_runs(a, b, force=True)
    assert doc["forced"] and reason in doc["unpaired_reasons"][0]


def test_forced_across_suites_pairs_only_identical_prompts(tmp_path: Path) -> None:
    rows = check_rows({"p00": "pass", "p01": "pass"})
    a = make_run(tmp_path / "a", rows)
    from tests.reports.rundirs import prompt

    b = make_run(
        tmp_path / "b", rows, suite_sha="c" * 64, prompts=[prompt("p00"), prompt("p01", text="something else")]
    )
    doc, *_ = compare_runs(a, b, force=True)
    assert doc["n_units_paired"] == 1


def test_scores_follow_their_direction(tmp_path: Path) -> None:
    """temporal.flicker is lower-is-better: up by 50% on every unit is a regression; a metric with
    no known direction is 'changed', never a regression."""

    def rows(level: float, name: str) -> list[dict]:
        return [make_row(u, 0, "count", name, level + 0.01 * (k % 3)) for k, u in enumerate(UNITS)]

    a = make_run(tmp_path / "a", rows(1.0, "temporal.flicker"))
    b = make_run(tmp_path / "b", rows(1.5, "temporal.flicker"))
    doc, *_ = compare_runs(a, b)
    m = doc["metrics"][0]
    assert m["delta"] == pytest.approx(0.5) and m["verdict"] == "regression" and m["p"] < 0.001
    odd = {"name": "temporal.mystery", "version": "1", "higher_is_better": None, "unit": ""}
    c = make_run(tmp_path / "c", rows(1.0, "temporal.mystery"), protocols=[odd])
    d = make_run(tmp_path / "d", rows(1.5, "temporal.mystery"), protocols=[odd])
    doc, *_ = compare_runs(c, d)
    assert doc["metrics"][0]["verdict"] == "changed" and doc["regressions"] == []


def dist_row(value: float, ci: list[float], floor: float) -> dict:
    detail = {"ci95": ci, "n": 200, "floor": floor, "floor_ci95": [floor * 0.8, floor * 1.2], "warning": "N below 500"}
    return make_row("*", None, "*", "dist.fvd", value, detail=detail)


FVD = {"name": "dist.fvd", "version": "1", "higher_is_better": False, "unit": ""}


@pytest.mark.parametrize(
    ("b_value", "b_ci", "verdict"),
    [
        (130.0, [120.0, 140.0], "regression"),  # 30 up, beyond the floor (20), CIs apart
        (110.0, [100.0, 120.0], "same"),  # 10 up: within the floor
        (125.0, [100.0, 150.0], "same"),  # beyond the floor, but the CIs overlap
        (70.0, [60.0, 80.0], "improvement"),
    ],
)
def test_distances_are_judged_against_their_floor(tmp_path: Path, b_value: float, b_ci: list, verdict: str) -> None:
    base = check_rows({"p00": "pass", "p01": "pass"})
    a = make_run(tmp_path / "a", [*base, dist_row(100.0, [95.0, 105.0], 20.0)], protocols=[CHECK, FVD])
    b = make_run(tmp_path / "b", [*base, dist_row(b_value, b_ci, 20.0)], protocols=[CHECK, FVD])
    doc, *_ = compare_runs(a, b)
    m = next(x for x in doc["metrics"] if x["metric"] == "dist.fvd")
    assert m["kind"] == "distance" and m["floor"] == 20.0 and m["verdict"] == verdict
    assert m["delta_over_floor"] == pytest.approx((b_value - 100.0) / 20.0)
    assert m["a"]["warning"] == "N below 500"


def test_environment_fingerprints_are_compared_key_by_key(tmp_path: Path) -> None:
    rows = check_rows(dict.fromkeys(UNITS[:3], "pass"))
    env_b = {**ENV, "gpu": "NVIDIA H100", "git_commit": "other"}
    shards = [{"env": {"gpu": "NVIDIA H100", "driver": "550.1", "batch_size": 4}},
              {"env": {"gpu": "NVIDIA H100", "driver": "535.2", "batch_size": 4}}]  # fmt: skip
    a = make_run(tmp_path / "a", rows, env={**ENV, "cudnn": {"benchmark": False}})
    b = make_run(tmp_path / "b", rows, env={**env_b, "cudnn": {"benchmark": True}}, extra={"shards": shards})
    doc, *_ = compare_runs(a, b)
    text = " | ".join(doc["warnings"])
    assert "run B's shards ran in different environments: driver" in text
    assert "gpu – vs NVIDIA H100" in text and "cudnn.benchmark false vs true" in text
    assert "driver" in text and "batch_size" in text and "git_commit" not in text
    same, *_ = compare_runs(a, a)
    assert same["warnings"] == []


def test_compare_pages_show_both_clips_of_each_flip(tmp_path: Path) -> None:
    clip = square_clip(24)
    track = square_track(24)
    ev = {
        "type": "count_missing",
        "frame": 9,
        "object": "sq",
        "bbox": track[9][1:],
        "detail": "gone",
        "track": track[:9],
    }
    a = make_run(tmp_path / "a", check_rows({"p00": "pass", "p01": "pass"}), clips={("p00", 0): clip, ("p01", 0): clip})
    b = make_run(tmp_path / "b", check_rows({"p00": "fail", "p01": "pass"}, events={"p00": [ev]}),
                 clips={("p00", 0): clip, ("p01", 0): clip})  # fmt: skip
    doc, html_path = build_compare(a, b, tmp_path / "out" / "cmp")
    html = html_path.read_text()
    assert html.count('class="card pair"') == 1 and 'data-change="regressed"' in html
    links = [s.split('"')[1] for s in html.split(" src=")[1:] if s.startswith('"')]
    clips = [x for x in links if x.endswith(".mp4")]
    assert len(clips) == 2 and all((html_path.parent / x).resolve().is_file() for x in clips)
    assert {Path(x).parts[-4] for x in clips} == {"a", "b"}  # A's clip and B's clip, linked where they are
    on_disk = json.loads((html_path.parent / "compare.json").read_text())
    assert on_disk["flipped"] == {"regressed": 1, "fixed": 0} and on_disk == json.loads(json.dumps(doc))
    md = (html_path.parent / "compare.md").read_text()
    assert "physics.count" in md and "(compare.html#gallery)" in md


def test_na_transitions_are_counted_but_not_paired(tmp_path: Path) -> None:
    a = make_run(tmp_path / "a", check_rows({"p00": "pass", "p01": "pass", "p02": "fail"}))
    b = make_run(tmp_path / "b", check_rows({"p00": "n/a", "p01": "pass", "p02": "fail"}))
    doc, *_ = compare_runs(a, b)
    m = doc["metrics"][0]
    assert m["transitions"] == {"pass→n/a": 1} and m["n_paired"] == 2 and m["delta"] == 0


def test_a_missing_or_broken_run_is_a_one_line_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a = make_run(tmp_path / "a", check_rows({"p00": "pass"}))
    assert main(["compare", str(tmp_path / "nope"), str(a)]) == 2
    assert "nope: no manifest.json" in capsys.readouterr().err
    b = make_run(tmp_path / "b", check_rows({"p00": "pass"}))
    (b / "samples.jsonl").write_text("{truncated\n")
    assert main(["compare", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert "samples.jsonl:1: not JSON" in err and err.count("\n") == 1
