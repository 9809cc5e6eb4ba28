"""Headless Chromium for the page tests: the system's browser (Debian's ``chromium``) driven by
playwright's Python API through ``executable_path`` (playwright's own browser download is not
used). Where no browser can be had, the tests skip with a message naming what is missing — or
fail, when ``T2V_REQUIRE_BROWSER=1`` (what ``.ci/run`` sets once it installed the browser)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# file: pages read back their own video pixels in one test (a canvas copy), so file URLs share an origin
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files"]


def chromium_path() -> str | None:
    env = os.environ.get("T2V_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


MISSING: list[str] = []  # why the browser could not be had (printed at the end of the session)


def unavailable(reason: str) -> None:
    """Skip (or, when the browser is required, fail) naming what is missing."""
    message = f"browser tests need {reason}"
    MISSING.append(message)
    if os.environ.get("T2V_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (T2V_REQUIRE_BROWSER=1)")
    pytest.skip(message)


@dataclass
class Page:
    """A page and everything that went wrong on it: console errors, uncaught exceptions, failed loads."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)


def open_page(browser: Any, path: Path, fragment: str = "", width: int = 1280) -> Page:
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = Page(ctx.new_page())
    page.page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.page.on("requestfailed", lambda r: page.problems.append(f"failed to load {r.url}: {r.failure}"))
    page.page.goto(path.resolve().as_uri() + fragment)
    page.page.wait_for_load_state("load")
    return page


# Every clip on screen has loaded and plays (clips of cards off screen are paused on purpose).
PLAYING = """(sel) => {
  const onScreen = (v) => { const r = v.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
  const vs = [...document.querySelectorAll(sel)].filter(onScreen);
  return vs.length > 0 && vs.every(v => v.readyState >= 2 && v.videoWidth > 0 && !v.paused && v.currentTime > 0.3);
}"""

# Seek the card's first player to frame k and report what is drawn once that frame is presented:
# the overlay's frame, its current box and trail, and where the white square really is in the
# pixels the video shows (a canvas copy of the presented frame).
SEEK_AND_LOOK = """async ([cardId, k]) => {
  const card = document.getElementById(cardId);
  const player = card.querySelector('.player');
  const v = player.querySelector('video');
  const fps = JSON.parse(document.getElementById('overlay-data').textContent)[player.dataset.overlay].fps;
  v.pause(); v.dataset.userPaused = '1';
  await new Promise(ok => { v.addEventListener('seeked', ok, {once: true}); v.currentTime = (k + 0.5) / fps; });
  // the presented frame (none comes when the seek lands on the frame already shown)
  await Promise.race([new Promise(ok => v.requestVideoFrameCallback(() => ok())), new Promise(ok => setTimeout(ok, 500))]);
  await new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(ok)));
  const c = document.createElement('canvas'); c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0);
  const row = g.getImageData(0, Math.floor(c.height / 2), c.width, 1).data;
  let x0 = -1; for (let x = 0; x < c.width; x++) if (row[4 * x] > 160) { x0 = x; break; }
  const cur = player.querySelector('svg.overlay rect.cur');
  const trail = player.querySelector('svg.overlay polyline.trail').getAttribute('points').trim();
  return {
    frame: Number(player.dataset.frame), marker: player.querySelector('.frame-marker').textContent,
    squareX0: x0 / c.width, curX: cur.style.display === 'none' ? null : Number(cur.getAttribute('x')),
    trail: trail ? trail.split(/\\s+/).length : 0, lit: player.querySelector('rect.evbox.lit') !== null,
    atEvent: player.classList.contains('at-event'),
  };
}"""
