"""Stage ``data_ablations`` (chapter 11, the paper's Table 2): other selections, fine-tuned like s1K.

Each selection (random, diverse, longest, full) trains a variant exactly as the SFT stage does
and is decoded with no forcing; once every variant is decoded (and released), all outputs are
graded at once with the run's grader, and each variant is paired against the s1K model's
unforced point, overall and per benchmark.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.evaluation import benchmark_order
from s1kit.experiments import evaluation, sft
from s1kit.experiments._grader import grader_for, grading_settings
from s1kit.experiments._paths import base_model_path, output
from s1kit.experiments._variants import by_benchmark, decode_unforced, train_variant, uncapped_correct
from s1kit.jsonio import read_jsonl, write_json
from s1kit.judging import items_for
from s1kit.metrics import paired_bootstrap
from s1kit.selection import ablation_selection, quality_filter, thinking_lengths
from s1kit.sources import benchmark_name
from s1kit.stages import Stage
from s1kit.tokenizer import load_tokenizer
from s1kit.training import batch_plan

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    return {"seed": p.seed, **dataclasses.asdict(p.ablations), "sft": sft.settings(p),
            "evaluation": evaluation.settings(p), "grading": grading_settings(p)}


def compute(run: RunDir, out: Path) -> None:
    cfg, seed = run.profile.evaluation, run.profile.seed
    records = read_jsonl(output(run, "distillation", "traces.jsonl"))
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    kept, _ = quality_filter(records, [t["question"] for t in test])
    lengths = thinking_lengths(kept, load_tokenizer(base_model_path(run)))
    s1k_steps = batch_plan(run.profile.sft.train, run.profile.selection.size, 1)["steps"]
    s1k_correct = uncapped_correct(run, 0, [t["id"] for t in test])
    variants = []
    for kind in run.profile.ablations.kinds:
        chosen = ablation_selection(kind, kept, run.profile.selection.size, lambda r: lengths[r["id"]], seed)
        steps = s1k_steps if kind == "full" and run.profile.ablations.full_steps_as_s1k else None
        log.info("data ablation %s: %d questions, fine-tuning", kind, len(chosen))
        report = train_variant(run, chosen, out / kind, steps)
        variants.append((kind, chosen, report, decode_unforced(run, out / kind, test)))
    # graded after every variant is decoded and released: the judge (if any) loads once, last
    grader = grader_for(run)
    verdicts = grader.grade_each([items_for(test, [d["answer_text"] for d in decoded], cfg.benchmark)
                                  for _, _, _, decoded in variants])
    rows = []
    for (kind, chosen, report, decoded), correct in zip(variants, verdicts, strict=True):
        tokens = [d["thinking_tokens"] for d in decoded]
        gain, low, high = paired_bootstrap(s1k_correct, correct, cfg.bootstrap_samples, seed)
        rows.append({"selection": kind, "examples": len(chosen), "steps": report["steps"],
                     "mean_thinking_tokens_of_traces": sum(lengths[r["id"]] for r in chosen) / len(chosen),
                     "teacher_wrong": sum(str(r["attempt"]) != str(r["answer"]) for r in chosen) / len(chosen),
                     "accuracy": sum(correct) / len(correct), "thinking_tokens": sum(tokens) / len(tokens),
                     "gain_vs_s1k": gain, "ci_low": low, "ci_high": high, "train_seconds": report["wall_s"],
                     **by_benchmark(test, correct, tokens, s1k_correct, cfg.bootstrap_samples, seed)})
    names = [benchmark_name(t) for t in test]
    s1k_by_benchmark = {b: sum(c for c, n in zip(s1k_correct, names, strict=True) if n == b) / names.count(b)
                        for b in benchmark_order(names)}
    write_json(out / "ablations.json", {"s1k_accuracy": sum(s1k_correct) / len(s1k_correct),
                                        "s1k_accuracy_by_benchmark": s1k_by_benchmark, "rows": rows,
                                        "judge": {b: grader.counts[b] for b in benchmark_order(grader.counts)}})


STAGE = Stage("data_ablations", "experiments/data_ablations", ("sourcing", "base_model", "distillation", "evaluation"),
              settings, compute, reference=("ablations.json",))
