"""Command line: ``t2vbench`` / ``python -m bench``.

Exit codes: 0 success; 1 a regression or gate failed; 2 bad usage or input the run could not
start with (one line names the file, prompt id, option or field); 3 the run finished but some
units failed; 130 interrupted (Ctrl-C), 143 terminated (SIGTERM); 70 an internal error (a bug).
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from t2vbase.errors import T2VError

EXIT_INTERNAL = 70


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="generate, score and report a suite", description="Generate, score and report a suite."
    )
    add_run_options(p)


def _add_dist_options(p: argparse.ArgumentParser) -> None:
    """The options of the ``dist.*`` distances (they enter their protocol)."""
    p.add_argument(
        "--reference",
        default=None,
        metavar="SPEC",
        help="what dist.* compare with: a generator spec (default: reference:profile=clean, on seeds disjoint "
        "from the run's) or folder:PATH of videos",
    )
    p.add_argument(
        "--backbone",
        default=None,
        metavar="SPEC",
        help="features of dist.fvd/dist.kvd: tiny (default, embedded), i3d[:path=FILE,sha256=HEX], videomae:path=DIR",
    )
    p.add_argument(
        "--align-model",
        default=None,
        metavar="NAME[:WEIGHTS]",
        help="alignment model of align.video_text and align.mirror_gap: tiny (default, the embedded encoder) "
        "or clip[:FOLDER] (CLIP from a local folder, $T2V_CLIP_PATH or the Hugging Face cache)",
    )


def add_run_options(p: argparse.ArgumentParser, launch: bool = False) -> None:
    """The options of ``run`` (``launch`` takes them too, but sets shards and resume itself)."""
    p.add_argument("--suite", default=None, help="bundled suite name or path to a suite YAML (default: smoke)")
    p.add_argument(
        "--generator",
        default=None,
        help="generator spec (default: reference); see `t2vbench generators`",
    )
    p.add_argument("--seeds", default=None, help="N runs seeds 0..N-1; a list 3,7,11; a range 0-4 (default: 1)")
    p.add_argument(
        "--metrics",
        default=None,
        help="all | none | comma-separated names or patterns: physics.*, *flicker* (default: all)",
    )
    p.add_argument(
        "--backend",
        default=None,
        metavar="SPEC",
        help="observation backend of the physics checks: color (default), oracle, owl[:path=DIR,key=value...]",
    )
    _add_dist_options(p)
    p.add_argument("--out", type=Path, default=None, help="run directory (default: runs/<suite>-<generator>-<time>)")
    if not launch:
        p.add_argument(
            "--resume",
            action="store_true",
            help="continue a run with its own options (from its manifest): skip finished units, retry failed ones",
        )
        p.add_argument(
            "--force-new", action="store_true", help="start afresh in --out; an existing run there is moved beside it"
        )
    p.add_argument(
        "--unit-timeout",
        type=float,
        default=3600.0,
        metavar="S",
        help="seconds a unit may take; past it its rows say which stage timed out (default: 3600; 0: none)",
    )
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    _add_scale_options(p, launch)
    p.add_argument("--frames", type=int, default=None, help="frames per clip (default: the generator's)")
    p.add_argument("--height", type=int, default=None)
    p.add_argument("--width", type=int, default=None)
    p.add_argument("--fps", type=float, default=None)
    p.add_argument("--no-report", action="store_true", help="skip report.html / report.md")
    p.add_argument(
        "--history", type=Path, default=None, metavar="DB", help="add the finished run to this history index"
    )
    bar = p.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="always show a progress bar"
    )
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show a progress bar")


def _add_scale_options(p: argparse.ArgumentParser, launch: bool) -> None:
    if not launch:
        p.add_argument(
            "--shard",
            default=None,
            metavar="I/N",
            help="run only units k with k %% N == I (0-based) in OUT/shards/I-of-N; the last shard merges into OUT",
        )
    p.add_argument(
        "--batch",
        type=int,
        default=None,
        metavar="N",
        help="units per generation call, for generators that take several prompts (default: the generator's)",
    )


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare run A (baseline) with run B (candidate); exit 1 with --fail-on-regression if B regressed",
        description="Per-metric Δ with paired bootstrap CIs, McNemar's exact test, per-family tables and a "
        "side-by-side gallery; writes compare.html, compare.md, compare.json. Runs of different suites, seeds or "
        "metric protocols are refused (exit 2) unless --force.",
    )
    p.add_argument("run_a", type=Path, metavar="RUN_A", help="baseline run directory")
    p.add_argument("run_b", type=Path, metavar="RUN_B", help="candidate run directory")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: <RUN_B's parent>/compare-A-vs-B)")
    p.add_argument("--fail-on-regression", action="store_true", help="exit 1 if any check or metric regressed")
    p.add_argument(
        "--force", action="store_true", help="compare runs that are not paired (different suite/seeds/protocols)"
    )
    p.add_argument("--confidence", type=float, default=0.95, help="level of CIs and tests (default: 0.95)")
    p.add_argument(
        "--min-rate-delta", type=float, default=0.05, help="smallest pass-rate change that counts (default: 0.05)"
    )
    p.add_argument(
        "--min-rel-delta", type=float, default=0.05, help="smallest relative score change that counts (default: 0.05)"
    )


def _add_history(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="index runs under RUNS_ROOT (SQLite) and write history.html: trends and change points",
        description="Index every run under RUNS_ROOT (or read an index file) into an SQLite database, then write "
        "history.html and history.json: each metric's trend over runs and the change points, named by the run "
        "where the step happened.",
    )
    p.add_argument(
        "root", type=Path, metavar="RUNS_ROOT", help="folder holding run directories, or an index .sqlite file"
    )
    p.add_argument("--db", type=Path, default=None, help="index database (default: RUNS_ROOT/history.sqlite)")
    p.add_argument(
        "--out", type=Path, default=None, help="where history.html/.json go (default: RUNS_ROOT or the db's folder)"
    )
    p.add_argument("--suite", default=None, help="only runs of this suite")
    p.add_argument("--generator", default=None, metavar="GLOB", help="only runs whose generator spec matches")
    p.add_argument("--json", action="store_true", help="print history.json's document to stdout")
    p.add_argument("--fail-on-regression", action="store_true", help="exit 1 if the latest run starts a worse level")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="t2vbench", description="Evaluate and benchmark text-to-video generators.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_run(sub)
    rp = sub.add_parser("report", help="(re)build summary.json, report.md and report.html of a run")
    rp.add_argument("run", type=Path)
    _add_compare(sub)
    _add_history(sub)
    sp = sub.add_parser(
        "suites",
        help="list bundled suites; `suites validate [FILE]` checks a suite file (default: all bundled)",
    )
    sp.add_argument("action", nargs="?", choices=["list", "validate"], default="list")
    sp.add_argument("file", nargs="?", type=Path, help="suite YAML file or bundled suite name to validate")
    vp = sub.add_parser("validate", help="measure the physics checks on labelled faults (exit 1 if a gate fails)")
    vp.add_argument("--out", type=Path, default=Path("runs/validate"))
    vp.add_argument(
        "--suite",
        default=None,
        help="suite whose prompts are rendered (default: core, with --distances nightly; smoke is a quick look)",
    )
    vp.add_argument("--seeds", type=int, default=2, help="clean renders per prompt (default: 2)")
    vp.add_argument("--severities", default="0.5,1,2", help="fault severities (gates use 1)")
    vp.add_argument("--per-fault", type=int, default=40, help="clips per fault and severity at most")
    vp.add_argument("--faults", default="", help="only these faults (a+b); default: all")
    vp.add_argument("--backend", default="color", help="observation backend (default: color)")
    vp.add_argument("--crf", type=int, default=18, help="H.264 quality of the rendered clips")
    vp.add_argument("--workers", type=int, default=0, help="processes (default: one per core)")
    vp.add_argument(
        "--format",
        default="tiny",
        help="clip format: a preset (tiny, cogvideox, wan, wan-portrait, ltx, hunyuan) or TxHxW@FPS (default: tiny)",
    )
    vp.add_argument("--formats", default="", help="all, or presets/specs a,b: validate at each, one table")
    vp.add_argument(
        "--distances",
        action="store_true",
        help="validate dist.fvd, dist.kvd and dist.motion instead of the checks (clean vs floor, growth with "
        "fault rate and severity, temporal vs appearance faults)",
    )
    vp.add_argument(
        "--backbone", default="tiny", help="with --distances: backbone of dist.fvd/dist.kvd (default: tiny)"
    )
    vp.add_argument("--n-boot", type=int, default=100, help="with --distances: bootstrap resamples (default: 100)")
    sub.add_parser("generators", help="list generator specs")
    sub.add_parser("metrics", help="list metrics")
    from bench import cli_scale

    cli_scale.add_parsers(sub, add_run_options)
    return parser


def run_config(args: argparse.Namespace, argv: list[str]) -> Any:
    """The RunConfig the ``run`` options say (``launch``'s lack --resume, --force-new, --shard)."""
    from bench.config import RunConfig

    return RunConfig(
        suite=args.suite,
        generator=args.generator,
        seeds=args.seeds,
        metrics=args.metrics,
        backend=args.backend,
        reference=args.reference,
        backbone=args.backbone,
        align_model=args.align_model,
        out=args.out,
        resume=getattr(args, "resume", False),
        force_new=getattr(args, "force_new", False),
        unit_timeout=args.unit_timeout,
        device=args.device,
        shard=getattr(args, "shard", None),
        batch=args.batch,
        num_frames=args.frames,
        height=args.height,
        width=args.width,
        fps=args.fps,
        report=not args.no_report,
        history=args.history,
        progress=args.progress,
        argv=["t2vbench", *argv],
    )


def cmd_run(args: argparse.Namespace, argv: list[str]) -> int:
    from bench.distributed import apply_rank_env, rank_env
    from bench.runner import run
    from bench.signals import terminate_as_interrupt
    from t2vbase.rundir import RunDir

    cfg = apply_rank_env(run_config(args, argv), rank_env())  # torchrun: this rank's shard and GPU
    with terminate_as_interrupt():
        out = run(cfg)
    if out.message:
        print(f"t2vbench: error: {out.message}", file=sys.stderr)
    c = out.counts
    print(
        f"{out.status}: {c.get('done', 0)}/{c.get('units', 0)} units done, {c.get('failed', 0)} failed "
        f"({out.processed} processed, {out.skipped} already finished) in {out.wall_s:.1f} s"
    )
    print(f"run directory: {out.run_dir}")
    report = RunDir(out.run_dir).report_html_path
    if report.is_file() and cfg.report:
        print(f"report: {report}")
    return out.exit_code


def cmd_report(args: argparse.Namespace) -> int:
    from reports import build_report

    path = build_report(args.run)
    print(f"report: {path}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from reports.compare import Thresholds
    from reports.compare_report import build_compare

    th = Thresholds(args.confidence, args.min_rate_delta, args.min_rel_delta)
    doc, path = build_compare(args.run_a, args.run_b, args.out, force=args.force, th=th)
    for w in doc["warnings"]:
        print(f"warning: {w}")
    for kind in ("regressions", "improvements"):
        print(f"{kind}: {', '.join(doc[kind]) or 'none'}")
    print(f"compare: {path}")
    return 1 if args.fail_on_regression and doc["regressions"] else 0


def cmd_history(args: argparse.Namespace) -> int:
    from reports.history import build_history

    doc, path = build_history(args.root, db=args.db, out=args.out, suite=args.suite, generator=args.generator)
    if args.json:
        import json

        print(json.dumps(doc, indent=2))
    else:
        for step in doc["latest_steps"]:
            print(f"{step['verdict']}: {step['label']}")
        print(f"history: {path} ({len(doc['runs'])} runs, {len(doc['series'])} series)")
    return 1 if args.fail_on_regression and any(s["verdict"] == "regression" for s in doc["latest_steps"]) else 0


def cmd_suites(args: argparse.Namespace) -> int:
    """List bundled suites, or validate suite files (schema, references, scenes, mirror pairs)."""
    from prompts import SUITES, load_suite
    from prompts.validate import validate_suite

    if args.action == "validate":
        targets = [str(args.file)] if args.file is not None else SUITES.names()
        for target in targets:
            s = load_suite(target)
            validate_suite(s)
            fams = ", ".join(f"{k} {v}" for k, v in sorted(s.family_counts().items()))
            head = f"{s.source}: ok — suite {s.suite} v{s.version}, {len(s.prompts)} prompts"
            print(f"{head} ({fams}), sha256 {s.sha256[:16]}")
        return 0
    rows = []
    for name in SUITES.names():
        s = load_suite(name)
        fams = " ".join(f"{k}:{v}" for k, v in sorted(s.family_counts().items()))
        rows.append((name, f"v{s.version}", str(len(s.prompts)), s.sha256[:12], fams))
    _table(("suite", "version", "prompts", "sha256", "families"), rows)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from bench.formats import parse_format, parse_formats
    from bench.validate import ValidateConfig, validate
    from reports.validate import build_validate_report

    if args.distances:
        return cmd_validate_distances(args)
    args.suite = args.suite or "core"
    check_validate_args(args)
    fmt = parse_format(args.format)
    formats = parse_formats(args.formats) if args.formats else None
    severities = tuple(float(x) for x in args.severities.split(","))
    cfg = ValidateConfig(
        suite=args.suite,
        seeds=args.seeds,
        severities=severities,
        per_fault=args.per_fault,
        backend=args.backend,
        crf=args.crf,
        workers=args.workers,
        out=args.out,
        faults=tuple(f for f in args.faults.split("+") if f),
        format=fmt,
    )
    if formats:
        return _validate_formats(cfg, formats)
    result = validate(cfg)
    report = build_validate_report(args.out)
    for name, c in result["checks"].items():
        state = ("pass" if c["passed"] else "FAIL") if c["measured"] else "not measured"
        print(f"{check_line(name, c)}  {state}")
    print(f"report: {report}")
    return 0 if result["overall"]["passed"] else 1


def check_line(name: str, c: dict[str, Any]) -> str:
    """One check's validate figures on a line (``-`` where nothing was measured)."""
    r = "-" if c["recall"] is None else f"{c['recall']:.3f}"
    p = "-" if c["precision"] is None else f"{c['precision']:.3f}"
    fa = "-" if c["false_alarms_per_100"] is None else f"{c['false_alarms_per_100']:.2f}"
    return f"{name:20s} recall {r:>6s} precision {p:>6s} false alarms/100 {fa:>6s}"


def _validate_formats(cfg: Any, formats: list[Any]) -> int:
    """``validate --formats``: each format in turn, then the table of all."""
    from bench.validate import validate_formats
    from reports.validate import build_validate_report

    result = validate_formats(cfg, formats)
    report = build_validate_report(cfg.out)
    for name, f in result["formats"].items():
        print(f"{name:14s} {f['spec']:18s} {'pass' if f['passed'] else 'FAIL'}")
        for check, c in f["checks"].items():
            print(f"  {check_line(check, c)}")
    print(f"report: {report}")
    return 0 if result["overall"]["passed"] else 1


def cmd_validate_distances(args: argparse.Namespace) -> int:
    from bench.validate_dist import DistValidateConfig, validate_distances

    if args.seeds < 1 or args.n_boot < 0:
        raise T2VError(f"--seeds {args.seeds} / --n-boot {args.n_boot}: need at least 1 seed and 0 resamples")
    out = args.out if args.out != Path("runs/validate") else Path("runs/validate-dist")
    cfg = DistValidateConfig(args.suite or "nightly", args.seeds, args.backbone, args.n_boot, out)
    doc = validate_distances(cfg)
    print((out / "validate_dist.md").read_text())
    return 0 if doc["passed"] else 1


def check_validate_args(args: argparse.Namespace) -> None:
    """One-line UsageError for a validate option out of range."""
    import math

    from t2vbase.errors import UsageError

    try:
        severities = [float(x) for x in args.severities.split(",")]
    except ValueError:
        raise UsageError(f"--severities {args.severities!r}: expected numbers like 0.5,1,2") from None
    if not severities or not all(math.isfinite(x) and x > 0 for x in severities):
        raise UsageError(f"--severities {args.severities!r}: severities are finite numbers above 0")
    for name, value, lo, hi in (
        ("--seeds", args.seeds, 1, 1000),
        ("--per-fault", args.per_fault, 0, 100_000),
        ("--crf", args.crf, 0, 51),
        ("--workers", args.workers, 0, 1024),
    ):
        if not lo <= value <= hi:
            raise UsageError(f"{name} {value}: must be {lo} to {hi}")


def cmd_generators() -> int:
    import model
    from model.registry import GENERATORS
    from model.world.faults import FAULTS

    model.get_generator("reference")  # loads the bundled registrations
    rows = [(e.name, e.meta.get("description", "")) for e in GENERATORS.entries()]
    _table(("generator", "what"), rows)
    print("\nreference options: profile=default|clean, faults=a+b, rate=R, severity=S, jitter=J, object=ID, start=F")
    print("  default profile: about 40% of clips get one fault the scene allows")
    print("\nfaults (severity 1 = clearly visible):")
    _table(("fault", "what a viewer sees"), [(e.name, e.meta.get("description", "")) for e in FAULTS.entries()])
    return 0


def cmd_metrics() -> int:
    from metrics.registry import METRICS, resolve_metrics

    resolve_metrics("all")
    rows = []
    for e in METRICS.entries():
        cls = e.obj
        kind = "check" if cls.is_check else "distance" if getattr(cls, "needs_reference", False) else "score"
        rows.append((e.name, kind, f"v{cls.version}", cls.description))
    _table(("metric", "kind", "version", "what"), rows)
    return 0


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    for line in (header, *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="t2vbench: %(message)s")
    if args.version:
        import t2vbase

        print(f"t2vbench {t2vbase.__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "run":
            return cmd_run(args, argv)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "compare":
            return cmd_compare(args)
        if args.command == "history":
            return cmd_history(args)
        if args.command == "suites":
            return cmd_suites(args)
        if args.command == "generators":
            return cmd_generators()
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "metrics":
            return cmd_metrics()
        if args.command in ("merge", "launch"):
            from bench import cli_scale

            return cli_scale.main(args, argv, run_config)
    except T2VError as err:
        print(f"t2vbench: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt as err:
        from bench.signals import exit_code

        print("t2vbench: interrupted", file=sys.stderr)
        return exit_code(err)
    except Exception:
        traceback.print_exc()
        print("t2vbench: internal error (a bug: please report it with the traceback above)", file=sys.stderr)
        return EXIT_INTERNAL
    parser.error(f"unknown command {args.command!r}")
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def console() -> None:
    """The ``t2vbench`` command: :func:`main`, then a quick exit. Python's own shutdown tears down
    every loaded module (torch, pandas, OpenCV, ...): about 0.4 s that every command would make
    its user wait for after its work is done. The exit handlers (temporary folders, logging, child
    processes) still run; only the teardown is skipped, and not while a non-daemon thread runs."""
    code = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
