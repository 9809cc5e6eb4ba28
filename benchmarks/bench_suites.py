"""Render every prompt of a suite clean with the reference world and check ``expect`` against truth.

    python benchmarks/bench_suites.py [--suite core] [--seeds 0,1,2] [--frames 16] [--json out.json]
                                      [--checks [--h264]] [--strict]

For each (prompt, seed) it times the clean render, runs ``prompts.consistency.check_truth`` on the
sidecar ``truth`` and lists every inconsistency (the prompt id, the expect field and why). It also
prints the suite's stats: version, hash, prompts per family and sub-case, distinct nouns, colours
and sentence openings. ``--checks`` also runs every registered ``physics.*`` check on the clean
clips (after an H.264 round trip with ``--h264``) and lists their false alarms. Exit status: 0, or
1 with ``--strict`` when some prompt is inconsistent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metrics.base import Clip  # noqa: E402
from metrics.registry import build_metric, resolve_metrics  # noqa: E402
from model.reference import ReferenceGenerator  # noqa: E402
from prompts import Suite, load_suite  # noqa: E402
from prompts.consistency import check_truth  # noqa: E402
from t2vbase.video import Video, read_video, write_video  # noqa: E402


def suite_stats(suite: Suite) -> list[str]:
    """Lines describing the suite: families, sub-cases, vocabulary and sentence variety."""
    cases = Counter(p.id.rsplit("-", 1)[0] for p in suite.prompts)
    nouns = Counter(o.noun for p in suite.prompts if p.expect for o in p.expect.objects)
    colours = Counter(o.color for p in suite.prompts if p.expect for o in p.expect.objects if o.color)
    openings = Counter(" ".join(p.text.split()[:2]).lower() for p in suite.prompts)
    words = [len(p.text.split()) for p in suite.prompts]
    fams = ", ".join(f"{k} {v}" for k, v in suite.family_counts().items())
    return [
        f"suite {suite.suite} v{suite.version}: {len(suite.prompts)} prompts, sha256 {suite.sha256}",
        f"families: {fams}",
        f"sub-cases ({len(cases)}): " + ", ".join(f"{k} {v}" for k, v in cases.items()),
        f"distinct texts {len({p.text for p in suite.prompts})}, nouns {len(nouns)}, colours {len(colours)}, "
        f"two-word openings {len(openings)} (most common: {openings.most_common(1)[0]})",
        f"words per prompt: median {statistics.median(words):.0f}, range {min(words)}-{max(words)}",
        f"mirror pairs: {sum(1 for p in suite.prompts if p.mirror) // 2}",
    ]


def false_alarms(checks: dict[str, object], p: object, video: Video, h264: bool, tmp: Path) -> list[str]:
    """Names and first events of the physics checks that fail a clean clip."""
    if h264:
        video = read_video(write_video(tmp / "clip.mp4", video))
    clip = Clip(video.frames, video.fps, p, video.metadata)  # type: ignore[arg-type]
    out = []
    for name, check in checks.items():
        res = check.score(clip)  # type: ignore[attr-defined]
        if res.verdict == "fail":
            out.append(f"{name}: {res.events[0].detail if res.events else 'fail'}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", default="core")
    ap.add_argument("--seeds", default="0", help="comma-separated seeds (default: 0)")
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--json", type=Path, default=None, help="also write the findings and timings as JSON")
    ap.add_argument("--checks", action="store_true", help="also run the physics checks on the clean clips")
    ap.add_argument("--h264", action="store_true", help="with --checks: encode and decode each clip first")
    ap.add_argument("--strict", action="store_true", help="exit 1 when some prompt is inconsistent")
    args = ap.parse_args(argv)
    suite = load_suite(args.suite)
    seeds = [int(s) for s in args.seeds.split(",")]
    gen = ReferenceGenerator(profile="clean")
    times: list[float] = []
    findings: dict[str, list[str]] = defaultdict(list)
    per_family: dict[str, Counter[str]] = defaultdict(Counter)
    checks = {n: build_metric(n) for n in resolve_metrics("physics.*")} if args.checks else {}
    alarms: dict[str, list[str]] = defaultdict(list)
    tmp = Path(tempfile.mkdtemp(prefix="t2v-suites-"))
    t_all = time.perf_counter()
    for p in suite.prompts:
        ok = True
        for seed in seeds:
            t0 = time.perf_counter()
            video = gen.generate(p, seed=seed, num_frames=args.frames)
            times.append(time.perf_counter() - t0)
            for f in check_truth(p, video.metadata["truth"]) if p.expect else []:
                findings[p.id].append(f"seed {seed}: {f.field}: {f.message}")
                ok = False
            if checks:
                alarms[p.id] += [f"seed {seed}: {a}" for a in false_alarms(checks, p, video, args.h264, tmp)]
        per_family[p.family]["consistent" if ok else "inconsistent"] += 1
    wall = time.perf_counter() - t_all
    for line in suite_stats(suite):
        print(line)
    ms = sorted(t * 1000 for t in times)
    print(
        f"rendered {len(times)} clips ({len(suite.prompts)} prompts x {len(seeds)} seeds, "
        f"{args.frames} frames) "
        f"in {wall:.1f} s: {statistics.mean(ms):.1f} ms per clip (median {statistics.median(ms):.1f}, "
        f"p90 {ms[int(0.9 * (len(ms) - 1))]:.1f}, max {ms[-1]:.1f})"
    )
    for fam, c in per_family.items():
        print(f"  {fam:<11} consistent {c['consistent']:>3}  inconsistent {c['inconsistent']:>3}")
    total_bad = sum(c["inconsistent"] for c in per_family.values())
    n = len(suite.prompts)
    print(f"expect vs truth: {n - total_bad}/{n} prompts consistent on every seed")
    for pid, lines in findings.items():
        print(f"  {pid}:")
        for line in lines[:6]:
            print(f"    {line}")
    if checks:
        n_alarms = sum(bool(v) for v in alarms.values())
        codec = "after H.264" if args.h264 else "raw frames"
        names = ", ".join(checks)
        print(f"physics checks ({names}) on clean clips, {codec}: {n_alarms} prompts with false alarms")
        for pid, lines in alarms.items():
            for line in lines[:3]:
                print(f"  {pid}: {line}")
    if args.json:
        out = {
            "suite": suite.suite,
            "version": suite.version,
            "sha256": suite.sha256,
            "seeds": seeds,
            "frames": args.frames,
            "ms_per_clip": ms,
            "findings": findings,
        }
        args.json.write_text(json.dumps(out, indent=1))
    return 1 if args.strict and total_bad else 0


if __name__ == "__main__":
    sys.exit(main())
