"""Failure gallery: one card per failed check with a poster frame (event box drawn) and the clip."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from t2vbase.rundir import RunDir
from t2vbase.video import read_video

MAX_CARDS = 60
BOX = (255, 0, 200)  # RGB


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)


def poster(clip: Path, frame: int, bbox: list[float] | None, dest: Path, scale: int = 2) -> bool:
    """Write frame ``frame`` of ``clip`` (upscaled, ``bbox`` drawn) as PNG; False if unreadable."""
    try:
        video = read_video(clip, [min(max(frame, 0), 10**9)] if frame >= 0 else [0])
    except Exception:
        try:
            video = read_video(clip, [0])
        except Exception:
            return False
    img = np.ascontiguousarray(video.frames[0])
    h, w = img.shape[:2]
    img = cv2.resize(img, (w * scale, h * scale), interpolation=cv2.INTER_NEAREST)
    if bbox is not None and len(bbox) == 4:
        x0, y0, x1, y1 = (float(v) for v in bbox)
        p0 = (round(x0 * w * scale), round(y0 * h * scale))
        p1 = (round(x1 * w * scale), round(y1 * h * scale))
        cv2.rectangle(img, p0, p1, BOX, 2)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return bool(cv2.imwrite(str(dest), cv2.cvtColor(img, cv2.COLOR_RGB2BGR)))


def build_gallery(rd: RunDir, rows: list[dict[str, Any]], prompts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Cards for failed rows (at most :data:`MAX_CARDS`), posters written under ``assets/``."""
    cards = []
    fails = [r for r in rows if r.get("verdict") == "fail" and r.get("prompt_id") != "*"]
    for r in fails[:MAX_CARDS]:
        pid, seed = r["prompt_id"], r["seed"]
        events = r.get("events") or []
        first = events[0] if events else {}
        frame = int(first.get("frame", 0) or 0)
        poster_path, poster_rel = rd.asset_path(f"poster-{_safe(pid)}-{seed}-{_safe(r['metric'])}.png")
        has_poster = poster(rd.clip_path(pid, seed), frame, first.get("bbox"), poster_path)
        cards.append(
            {
                "prompt_id": pid,
                "seed": seed,
                "metric": r["metric"],
                "family": r.get("family"),
                "text": (prompts.get(pid) or {}).get("text", ""),
                "frame": frame,
                "events": events,
                "clip": rd.clip_rel(pid, seed),
                "poster": poster_rel if has_poster else None,
            }
        )
    return cards
