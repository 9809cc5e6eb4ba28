from __future__ import annotations

from pathlib import Path

from t2vbase.rundir import CompareDir, HistoryDir, RunDir


def test_find_lists_runs_at_any_depth_and_not_inside_a_run(tmp_path: Path) -> None:
    for rel in ("a", "nightly/2026-01-02/b", "a/clips/x", ".hidden/c"):
        (tmp_path / rel).mkdir(parents=True)
    for rel in ("a", "nightly/2026-01-02/b", "a/clips/x", ".hidden/c"):
        (tmp_path / rel / RunDir.MANIFEST).write_text("{}")
    found = [r.root.relative_to(tmp_path).as_posix() for r in RunDir.find(tmp_path)]
    assert found == ["a", "nightly/2026-01-02/b"]  # not a run's own sub-folders, not hidden ones
    assert RunDir.find(tmp_path / "missing") == []
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "b").symlink_to(tmp_path / "nightly" / "2026-01-02" / "b")
    (tmp_path / "links" / "loop").symlink_to(tmp_path / "links")
    assert [r.root.name for r in RunDir.find(tmp_path / "links")] == ["b"]  # a linked run, a loop walked once


def test_compare_and_history_folders_link_relatively(tmp_path: Path) -> None:
    cd = CompareDir(tmp_path / "cmp" / "x")
    clip = RunDir(tmp_path / "runs" / "a").clip_path("p", 0)
    assert cd.link_to(clip) == "../../runs/a/clips/p/0.mp4"
    page = cd.write("md", "<html>", {"k": 1})
    assert page == cd.html_path and cd.json_path.read_text().strip().startswith("{")
    hd = HistoryDir(tmp_path / "runs")
    assert (
        hd.db_path.name == "history.sqlite"
        and hd.link_to(RunDir(tmp_path / "runs" / "a").report_html_path) == "a/report.html"
    )


def test_a_corrupt_samples_line_is_named(tmp_path: Path) -> None:
    import pytest

    from t2vbase.rundir import RunDirError, make_row

    rd = RunDir(tmp_path)
    rd.write_tables([make_row("p", 0, "count", "physics.count", 1.0, "pass")])
    assert rd.read_samples()[0]["metric"] == "physics.count"
    with open(rd.samples_path, "a") as fh:
        fh.write('{"prompt_id": "q", "seed": 0, "metric": "physics.co\n')
    with pytest.raises(RunDirError, match=r"samples.jsonl:2: not JSON"):
        rd.read_samples()
    rd.samples_path.write_text("[1, 2]\n")
    with pytest.raises(RunDirError, match=r"samples.jsonl:1: not a row"):
        rd.read_samples()
