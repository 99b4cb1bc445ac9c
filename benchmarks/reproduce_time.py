"""How long `make reproduce` takes from a clean run directory, stage by stage (issue #17's time targets).

    python benchmarks/reproduce_time.py                      # tiny, this CPU
    ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 python benchmarks/reproduce_time.py
    python benchmarks/reproduce_time.py --profile classroom

It deletes ``runs/<profile>/`` (a clean run, as on a fresh clone after install), runs
``python -m s1kit reproduce`` (every stage, every chapter, the book) and prints the wall time,
the CPU setting and precision it ran with, the seconds of every stage (the main world's and each
contrast world's, from the stage records) and the time left for chapters and the book. With
``--reference DIR`` it then writes the run's reference there (``reference/tiny-avx2`` for the
AVX2 setting). Run it on a quiet machine: two jobs on two cores slow each other several-fold.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from s1kit.config import load_profile
from s1kit.hardware import cpu_kind
from s1kit.pipeline import open_run
from s1kit.reference import stage_times, write_reference
from s1kit.training import precision_name

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="tiny")
    parser.add_argument("--reference", default=None, help="write the run's reference here afterwards")
    args = parser.parse_args()
    profile = load_profile(args.profile)
    runs = REPO / "runs"
    shutil.rmtree(runs / profile.name, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "s1kit", "reproduce", "--profile", args.profile], cwd=REPO, check=True)
    wall = time.perf_counter() - start
    run = open_run(profile, runs)
    stages = stage_times(run)
    print(f"\nprofile {profile.name}: make reproduce from a clean run directory took {wall:.0f} s "
          f"({wall / 60:.1f} min)")
    print(f"CPU {cpu_kind()}; training precision {precision_name(profile.sft.train)}")
    print(stages.to_string(index=False))
    print(f"stages {stages['seconds'].sum():.0f} s; chapters and book {wall - stages['seconds'].sum():.0f} s")
    if args.reference:
        written = write_reference(run, REPO / args.reference)
        print(f"reference: {len(written)} files written to {args.reference}")


if __name__ == "__main__":
    main()
