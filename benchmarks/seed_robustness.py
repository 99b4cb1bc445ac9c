"""Does the tiny study's shape survive another seed, or another precision? (issue #17's seed table)

    python benchmarks/seed_robustness.py                      # tiny, seeds 0 1 2, the recipe's precision
    python benchmarks/seed_robustness.py --seeds 0 --fp32     # the same recipe trained in float32
    python benchmarks/seed_robustness.py --seeds 1 2 --reference   # every stage, then reference/tiny-seedN/

For each seed the profile runs from sourcing to evaluation (no contrast worlds, no dev sweep:
the checks read the test set only) in its own run directory, ``runs/seed-robustness/<name>``,
so finished seeds are reused. It prints one table: the headline numbers and, for each of the
paper-shape targets (:func:`s1kit.report.scaling.shape_checks`), whether the run meets it.
With ``--reference`` each seed runs every stage of the recipe (contrast worlds and dev split
included) in ``runs/seed-robustness/<profile>-seed<N>-full`` and writes its small results to
``reference/<profile>-seed<N>/``: the replicates the book's verdicts are checked against
(:mod:`s1kit.report.robustness`). Set ``ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2`` to run it as a CPU without native
bf16 would (slowly, for bf16).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from s1kit.book import reference_dir
from s1kit.chapters import compute_stages
from s1kit.config import load_profile
from s1kit.hardware import cpu_kind
from s1kit.jsonio import read_json
from s1kit.pipeline import open_run
from s1kit.reference import write_reference
from s1kit.report.scaling import shape_checks
from s1kit.report.summary import Summary


def variant(profile, seed: int, fp32: bool, full: bool = False):
    """The profile with this seed (and float32 training): evaluated on the test set alone, or
    (``full``) with every stage and contrast world of the recipe."""
    name = f"seed-robustness/{profile.name}-seed{seed}{'-fp32' if fp32 else ''}{'-full' if full else ''}"
    changes = {"name": name, "seed": seed}
    if not full:
        changes.update(worlds=[], evaluation=dataclasses.replace(profile.evaluation, dev_sweep=False))
    if fp32:
        for stage in ("base_model", "sft"):
            section = getattr(profile, stage)
            changes[stage] = dataclasses.replace(section, train=dataclasses.replace(section.train, bf16=False))
    return dataclasses.replace(profile, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="tiny")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--fp32", action="store_true", help="train the base model and SFT in float32")
    parser.add_argument("--runs", default="runs")
    parser.add_argument("--reference", action="store_true",
                        help="run every stage and write reference/<profile>-seed<N>/ (the book's replicates)")
    args = parser.parse_args()
    base = load_profile(args.profile)
    rows = []
    for seed in args.seeds:
        profile = variant(base, seed, args.fp32, full=args.reference)
        run = open_run(profile, args.runs)
        if args.reference:
            compute_stages(profile, Path(args.runs))
            suffix = f"-seed{seed}" + ("-fp32" if args.fp32 else "")
            write_reference(run, reference_dir(base.name + suffix))
        start = time.perf_counter()
        summary = Summary.from_json(read_json(run.ensure("evaluation") / "summary.json"))
        seconds = time.perf_counter() - start
        uncapped = summary.uncapped()
        checks = shape_checks(summary, profile.evaluation.cap_sweep_num_ignore)
        rows.append((seed, summary, uncapped, checks, seconds))
    print(f"\nprofile {base.name}, {'float32' if args.fp32 else 'the recipe precision'} training, CPU {cpu_kind()}")
    ks = sorted(rows[0][2])
    print("seed  n    base   " + "  ".join(f"k={k:<4}" for k in ks) + "  seconds  targets met")
    for seed, summary, uncapped, checks, seconds in rows:
        accuracies = "  ".join(f"{100 * uncapped[k].accuracy:5.1f}%" if k in uncapped else "   -  " for k in ks)
        met = sum(c["met"] for c in checks)
        print(f"{seed:<5} {summary.n_test:<4} {100 * summary.base_model_accuracy:5.1f}%  {accuracies}  {seconds:7.0f}"
              f"  {met}/{len(checks)}")
    for seed, _, _, checks, _ in rows:
        print(f"\nseed {seed}:")
        for c in checks:
            print(f"  {'met    ' if c['met'] else 'NOT met'}  {c['target']:<36} {c['measured']}")


if __name__ == "__main__":
    main()
