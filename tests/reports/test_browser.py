"""report.html, compare.html and history.html opened in headless Chromium: no console errors,
clips that load and play, an overlay synchronised to the presented frame, filters and links that
work from the file system (no server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reports import build_report
from reports.compare_report import build_compare
from reports.history import build_history
from t2vbase.rundir import make_row
from tests.reports.browser import PLAYING, SEEK_AND_LOOK, open_page
from tests.reports.rundirs import make_run, prompt, square_clip, square_track

T, FPS = 24, 8.0
TRACK = square_track(T)
XSS = "<script>alert(1)</script>"


def playing(page: Any, videos: str) -> None:
    """Bring the gallery on screen (clips play while their card is visible) and wait until every
    clip has loaded and is playing."""
    page.locator(videos).first.scroll_into_view_if_needed()
    page.wait_for_function(PLAYING, arg=videos, timeout=20000)
    off = page.evaluate(
        "(sel) => [...document.querySelectorAll(sel)].filter(v => v.getBoundingClientRect().top > 2 * innerHeight).map(v => v.paused)",
        videos,
    )
    assert all(off)  # cards far below the fold wait


def event(kind: str, frame: int) -> dict[str, Any]:
    return {
        "type": kind,
        "frame": frame,
        "object": "sq",
        "bbox": TRACK[frame][1:],
        "detail": f"{kind} {XSS}",
        "track": TRACK[: frame + 1],
    }


def gallery_run(root: Path, verdicts: dict[str, str]) -> Path:
    """Three units of a moving white square; the check fails where ``verdicts`` says."""
    fams = {"p00": "count", "p01": "permanence", "p02": "count"}
    kinds = {"p00": ("count_missing", 9), "p01": ("vanish", 12), "p02": ("count_extra", 5)}
    rows = []
    for pid, v in verdicts.items():
        ev = [event(*kinds[pid])] if v == "fail" else []
        rows.append(make_row(pid, 0, fams[pid], "physics.count", 0.5 if v == "fail" else 1.0, v, ev))
    prompts = [prompt(p, fams[p], text=f"square {XSS}") for p in verdicts]
    clips = {(p, 0): square_clip(T) for p in verdicts}
    return make_run(root, rows, prompts=prompts, clips=clips, fps=FPS)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = gallery_run(tmp_path_factory.mktemp("browser") / "run", {"p00": "fail", "p01": "fail", "p02": "pass"})
    return build_report(run)


def test_report_has_no_errors_and_its_clips_play(browser, report: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(browser, report)
    assert page.locator(".gallery .card").count() == 2
    playing(page, ".card video")
    frames = set()
    for _ in range(12):  # the overlay follows the playing clip
        frames.add(page.get_attribute("#card-p00-0-physics-count .player", "data-frame"))
        page.wait_for_timeout(100)
    assert len(frames) >= 4
    assert page.evaluate("() => document.querySelectorAll('script:not([id])').length") == 1  # no injected script
    assert page.problems == []


@pytest.mark.parametrize("k", [2, 5, 8])
def test_overlay_draws_the_presented_frame(browser, report: Path, k: int) -> None:  # type: ignore[no-untyped-def]
    page = open_page(browser, report)
    playing(page, ".card video")
    got = page.evaluate(SEEK_AND_LOOK, ["card-p00-0-physics-count", k])
    assert got["frame"] == k and got["marker"] == f"frame {k} / {T - 1}"
    assert got["squareX0"] == pytest.approx(TRACK[k][1], abs=2 / 160)  # the pixels show frame k ...
    assert got["curX"] == pytest.approx(TRACK[k][1], abs=1e-6)  # ... and the box is frame k's
    assert got["trail"] == k + 1 and not got["lit"] and not got["atEvent"]
    assert page.problems == []


@pytest.fixture(scope="module")
def portrait(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generator's format: 480×854 (9:16), 24 fps, 49 frames."""
    T2, W, H = 49, 480, 854
    track = square_track(T2, W, H, side=40, step=8)
    ev = {"type": "teleport", "frame": 30, "object": "sq", "bbox": track[30][1:], "detail": "", "track": track}
    rows = [make_row("p00", 0, "permanence", "physics.permanence", 0.5, "fail", [ev])]
    run = make_run(
        tmp_path_factory.mktemp("portrait") / "run", rows, clips={("p00", 0): square_clip(T2, W, H, 40, 8)}, fps=24.0
    )
    return build_report(run)


@pytest.mark.parametrize("k", [1, 30, 48])
def test_overlay_keeps_frame_accuracy_at_24_fps_in_portrait(browser, portrait: Path, k: int) -> None:  # type: ignore[no-untyped-def]
    track = square_track(49, 480, 854, side=40, step=8)
    page = open_page(browser, portrait, width=900)
    playing(page, ".card video")
    got = page.evaluate(SEEK_AND_LOOK, ["card-p00-0-physics-permanence", k])
    assert got["frame"] == k and got["marker"] == f"frame {k} / 48"
    assert got["squareX0"] == pytest.approx(track[k][1], abs=2 / 480) and got["curX"] == pytest.approx(track[k][1])
    assert got["lit"] == (30 <= k <= 36)  # the event's box stays lit a quarter of a second (6 frames at 24 fps)
    assert page.problems == []


def test_the_event_frame_lights_the_event_box(browser, report: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(browser, report)
    playing(page, ".card video")
    page.click("#card-p01-0-physics-count button[data-act=event]")
    page.wait_for_function("() => document.querySelector('#card-p01-0-physics-count .player').dataset.frame === '12'")
    player = page.locator("#card-p01-0-physics-count .player")
    assert "at-event" in player.get_attribute("class")
    assert player.locator("rect.evbox.lit").count() == 1 and player.locator(".timeline .tick").count() == 1
    got = page.evaluate(SEEK_AND_LOOK, ["card-p01-0-physics-count", 12])
    assert got["lit"] and got["squareX0"] == pytest.approx(TRACK[12][1], abs=2 / 160)
    assert page.problems == []


def test_filters_and_card_links_work_without_a_server(browser, report: Path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(browser, report)
    page.select_option("select[data-filter=family]", "permanence")
    assert page.locator(".gallery .card:visible").count() == 1
    assert page.locator(".gallery .card:visible").get_attribute("id") == "card-p01-0-physics-count"
    assert page.text_content(".filters .shown") == "1 of 2 shown"
    page.select_option("select[data-filter=family]", "")
    page.select_option("select[data-filter=events]", "count_missing")
    assert [page.locator(".gallery .card:visible").get_attribute("id")] == ["card-p00-0-physics-count"]
    # a link to a card hidden by the filters shows it, marked and scrolled into view
    page.evaluate("() => { location.hash = '#card-p01-0-physics-count'; }")
    page.wait_for_function("() => document.getElementById('card-p01-0-physics-count').classList.contains('targeted')")
    box = page.locator("#card-p01-0-physics-count").bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    fresh = open_page(browser, report, "#card-p00-0-physics-count")
    assert "targeted" in fresh.get_attribute("#card-p00-0-physics-count", "class")
    assert page.problems == [] and fresh.problems == []


def test_compare_page_plays_both_clips_together(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = gallery_run(tmp_path / "a", {"p00": "pass", "p01": "pass", "p02": "fail"})
    b = gallery_run(tmp_path / "b", {"p00": "fail", "p01": "pass", "p02": "pass"})
    _, html = build_compare(a, b, tmp_path / "cmp")
    page = open_page(browser, html)
    assert page.locator(".card.pair").count() == 2
    playing(page, ".card.pair video")
    pair = "#pair-p00-0-physics-count"
    page.click(f"{pair} button[data-act=event]")
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel + ' .player')].every(p => p.dataset.frame === '9')", arg=pair
    )
    assert page.locator(f"{pair} .player").nth(1).locator("rect.evbox.lit").count() == 1  # B failed: its box
    page.click(f"{pair} button[data-act=play]")
    page.wait_for_timeout(800)
    times = page.evaluate("(sel) => [...document.querySelectorAll(sel + ' video')].map(v => v.currentTime)", pair)
    assert abs(times[0] - times[1]) < 1.5 / FPS  # B follows A
    page.select_option("select[data-filter=change]", "fixed")
    assert page.locator(".card.pair:visible").count() == 1
    assert page.locator(".card.pair:visible").get_attribute("data-change") == "fixed"
    assert page.problems == []


def test_history_page_shows_trends_and_the_step(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "runs"
    units = [f"u{i:02d}" for i in range(30)]
    for day in range(1, 7):
        k = 27 if day < 6 else 12
        rows = [make_row(u, 0, "count", "physics.count", 1.0, "pass" if i < k else "fail") for i, u in enumerate(units)]
        make_run(root / f"night{day}", rows, created=f"2026-02-{day:02d}T03:00:00+00:00")
        build_report(root / f"night{day}")
    _, html = build_history(root)
    page = open_page(browser, html)
    card = page.locator(".card.series", has_text="physics.count").first
    assert card.locator("svg circle").count() == 6 and "regression at night6" in card.inner_text()
    page.select_option("select[data-filter=change]", "regression")
    visible = page.locator(".card.series:visible")
    assert visible.count() >= 1 and all("regression" in visible.nth(i).inner_text() for i in range(visible.count()))
    card.locator("svg a").first.click()  # a point links to its run's report
    page.wait_for_load_state("load")
    assert page.url.endswith("/report.html") and "t2vbench run" in page.title() + page.inner_text("h1")
    assert page.problems == []


def test_a_real_run_report_plays_with_its_events(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Clips and events from the pipeline itself: vanish faults on two prompts, two seeds."""
    from bench.runner import RunConfig, run
    from prompts import load_suite
    from tests.conftest import write_suite

    smoke = load_suite("smoke")
    ps = [
        smoke.prompt(p).model_dump(mode="json", by_alias=True, exclude_none=True)
        for p in ("smoke-count-three", "smoke-kin-fall")
    ]
    suite = write_suite(tmp_path / "s.yaml", ps)
    out = tmp_path / "run"
    run(RunConfig(suite=str(suite), generator="reference:faults=vanish,rate=1", seeds="2", out=out, progress=False))
    page = open_page(browser, out / "report.html")
    n = page.locator(".gallery .card").count()
    assert n >= 4
    playing(page, ".card video")
    card = page.locator(".gallery .card").first
    card.locator("button[data-act=event]").click()
    page.wait_for_function(
        "(id) => document.getElementById(id).querySelector('.player').classList.contains('at-event')",
        arg=card.get_attribute("id"),
    )
    assert card.locator("polyline.trail").first.get_attribute("points").count(",") >= 2  # the object's path so far
    assert page.problems == []
