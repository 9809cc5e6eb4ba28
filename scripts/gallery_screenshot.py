"""Make the README's picture of the failure gallery: docs/gallery.png.

    python scripts/gallery_screenshot.py [--run DIR] [--out docs/gallery.png] [--cards 6]

Runs the smoke suite with the default reference world (faults in about 40% of clips) unless
``--run`` names a finished run, rebuilds its report, opens report.html in headless Chromium (the
system's ``chromium``, driven by playwright), steps every card to the frame of its first event so
the picture shows the overlay (event box, object box and trail, frame marker), and saves the first
``--cards`` cards. Needs what the browser tests need: ``pip install playwright`` and Debian's
``chromium`` (or ``T2V_CHROMIUM=/path/to/chrome``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chromium() -> str:
    import os

    exe = os.environ.get("T2V_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        raise SystemExit("needs a Chromium executable: apt-get install chromium, or set T2V_CHROMIUM")
    return exe


def shoot(report: Path, out: Path, cards: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1180, "height": 1000}, device_scale_factor=1)
        page.goto(report.resolve().as_uri())
        page.locator(".gallery").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.card video')].slice(0, 3).every(v => v.readyState >= 2)"
        )
        for button in page.locator(".gallery .card button[data-act=event]").all()[:cards]:
            button.click()
        page.wait_for_timeout(600)
        page.evaluate(
            """(n) => {  // only the first n cards, with the filter bar above them, in one box
              document.querySelectorAll('.gallery .card').forEach((c, i) => { if (i >= n) c.remove(); });
              const bar = document.querySelector('.filters'), gallery = document.querySelector('.gallery');
              const shot = document.createElement('div');
              shot.id = 'shot'; shot.style.padding = '4px';
              bar.before(shot); shot.append(bar, gallery); bar.style.position = 'static';
            }""",
            cards,
        )
        page.wait_for_timeout(300)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.locator("#shot").screenshot(path=str(out))
        browser.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, default=None, help="a finished run (default: run the smoke suite)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery.png")
    ap.add_argument("--cards", type=int, default=6)
    args = ap.parse_args()
    run = args.run
    t2v = [sys.executable, "-m", "bench"]
    if run is None:
        run = Path(tempfile.mkdtemp(prefix="t2v-gallery-")) / "smoke"
        subprocess.run([*t2v, "run", "--out", str(run), "--no-progress"], check=True)
    subprocess.run([*t2v, "report", str(run)], check=True)
    shoot(run / "report.html", args.out, args.cards)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
