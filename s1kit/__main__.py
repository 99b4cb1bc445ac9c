"""Command line: ``python -m s1kit check|reproduce|notebooks|book|stage|reference|serve`` (the Makefile's targets call these).

It parses and dispatches; the work lives in ``s1kit.pipeline`` (stages), ``s1kit.chapters``
(executing the notebooks), ``s1kit.bookbuild`` (the book) and ``s1kit.reference``.
``--profile`` takes a recipe name (``tiny``) or a YAML path (``my-recipe.yaml``); either way
it reaches the notebooks as given, so a path profile works end to end.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from s1kit import pipeline, preflight
from s1kit.config import ConfigError, load_profile
from s1kit.jsonio import write_json
from s1kit.launch import LaunchRequired, launch_stages
from s1kit.stages import setup_logging

log = logging.getLogger("s1kit")
REPO = Path(__file__).resolve().parent.parent


def print_plan(run) -> None:
    """The profile's models, data, devices and time, then its stages with what each needs and would reuse."""
    print(f"profile {run.profile.name} (seed {run.profile.seed}); runs in {run.root}")
    for line in preflight.plan_lines(run.profile):
        print(f"  {line}")
    for row in run.plan():
        state = "reuse" if row["current"] else f"compute ({row['why']})"
        needs = ", ".join(row["needs"]) or "-"
        print(f"  {row['stage']:<14} needs {needs:<45} {state}")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m s1kit")
    sub = parser.add_subparsers(dest="command", required=True)
    commands = {
        "check": "the profile's plan: what it needs, and which stages a run would reuse (and why not)",
        "reproduce": "every stage, every chapter, then the book",
        "notebooks": "every stage, then every changed chapter",
        "book": "the book from the executed chapters",
        "reference": "write the run's small results to reference/<profile>/ (to commit)",
        "stage": "one stage and what it needs",
    }
    sub.add_parser("serve", help="vLLM's OpenAI-compatible server with budget forcing (s1kit.service.server; "
                                 "run from the environment that has vLLM)", add_help=False)
    for name, help_text in commands.items():
        p = sub.add_parser(name, help=help_text)
        if name == "stage":
            p.add_argument("name", choices=pipeline.STAGES)
        p.add_argument("--profile", default="tiny")
        p.add_argument("--runs", default=str(REPO / "runs"))
        p.add_argument("--gpus", type=int, default=0,
                       help="adapt a GPU profile to this many GPUs, the global batch kept (make ... GPUS=n)")
        if name in ("reproduce", "book"):
            p.add_argument("--book-dir", default=str(REPO / "book"), help="book sources (default: book/)")
        if name == "reference":
            p.add_argument("--out", default=None, help="default: reference/<profile name>/")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # vLLM's server with budget forcing (its own arguments, passed on to vLLM)
        from s1kit.service.server import main as serve

        return serve(argv[1:])
    args = parser().parse_args(argv)
    setup_logging()
    try:
        profile = load_profile(args.profile)  # refuse a bad profile before any work
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    runs = Path(args.runs).resolve()
    if args.gpus:  # the adapted profile is saved, so that launched stages and the chapters read the same one
        from s1kit.config import write_profile
        from s1kit.launch import with_gpus

        try:
            profile, said = with_gpus(profile, args.gpus)
        except ValueError as error:
            print(f"error: GPUS={args.gpus}: {error}", file=sys.stderr)
            return 2
        log.info("%s", said)
        args.profile = str(write_profile(profile, runs / profile.name / ".launch" / f"profile-gpus{args.gpus}.yaml"))
    problems = preflight.missing(profile.requires)
    endpoint = profile.distillation.endpoint
    if (args.command in ("check", "reproduce", "notebooks") and profile.distillation.kind == "endpoint"
            and not endpoint.serve_locally and not pipeline.open_run(profile, runs).is_current("distillation")):
        from s1kit.teacher_endpoint import endpoint_problems  # a teacher that must answer: checked before any work

        problems += endpoint_problems(endpoint)
    if args.command == "check":
        print_plan(pipeline.open_run(profile, runs))
    if problems:  # stop before any download or training, naming everything that is missing
        print(f"error: profile {profile.name} cannot run on this machine:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 3
    if args.command == "check":
        return 0
    if args.command == "reference":
        from s1kit.book import reference_dir
        from s1kit.reference import write_reference

        out = Path(args.out) if args.out else reference_dir(profile.name)
        written = write_reference(pipeline.open_run(profile, runs), out)
        log.info("reference: %d result files and run.json written to %s", len(written), out)
        return 0
    if args.command == "stage":
        try:
            pipeline.open_run(profile, runs).ensure(args.name)
        except LaunchRequired as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    from s1kit.bookbuild import build_book
    from s1kit.chapters import execute_notebooks

    start = time.perf_counter()
    timings = {}
    if args.command in ("reproduce", "notebooks"):
        # the fine-tunes a GPU profile runs on every GPU first, each under accelerate; then the rest here
        timings["launched"] = launch_stages(pipeline.open_run(profile, runs), args.profile)
        timings["notebooks"] = execute_notebooks(args.profile, profile.name, runs)
    if args.command in ("reproduce", "book"):
        timings["book_s"] = build_book(profile.name, runs, Path(args.book_dir).resolve())
    timings["total_s"] = round(time.perf_counter() - start, 1)
    timings["stages"] = pipeline.timings(pipeline.open_run(profile, runs))  # when each cached stage last ran
    write_json(runs / profile.name / "timings.json", timings)
    log.info("%s finished in %.1fs", args.command, timings["total_s"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
