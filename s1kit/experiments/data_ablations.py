"""Stage ``data_ablations`` (chapter 11, the paper's Table 2): other selections, fine-tuned like s1K.

Each selection (random, diverse, longest, full) trains a variant exactly as the SFT stage does
and is evaluated with no forcing, paired against the s1K model's unforced point.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.experiments import evaluation, sft
from s1kit.experiments._paths import base_model_path, output
from s1kit.experiments._variants import train_variant, uncapped_correct, unforced_point
from s1kit.jsonio import read_jsonl, write_json
from s1kit.metrics import paired_bootstrap
from s1kit.selection import ablation_selection, quality_filter, thinking_lengths
from s1kit.stages import Stage
from s1kit.tokenizer import load_tokenizer
from s1kit.training import batch_plan

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    return {"seed": p.seed, **dataclasses.asdict(p.ablations), "sft": sft.settings(p),
            "evaluation": evaluation.settings(p)}


def compute(run: RunDir, out: Path) -> None:
    records = read_jsonl(output(run, "distillation", "traces.jsonl"))
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    kept, _ = quality_filter(records, [t["question"] for t in test])
    lengths = thinking_lengths(kept, load_tokenizer(base_model_path(run)))
    s1k_steps = batch_plan(run.profile.sft.train, run.profile.selection.size, 1)["steps"]
    s1k_correct = uncapped_correct(run, 0)
    rows = []
    for kind in run.profile.ablations.kinds:
        chosen = ablation_selection(kind, kept, run.profile.selection.size, lambda r: lengths[r["id"]],
                                    run.profile.seed)
        steps = s1k_steps if kind == "full" and run.profile.ablations.full_steps_as_s1k else None
        log.info("data ablation %s: %d questions, fine-tuning", kind, len(chosen))
        report = train_variant(run, chosen, out / kind, steps)
        point, correct = unforced_point(run, out / kind, [t["question"] for t in test])
        gain, low, high = paired_bootstrap(s1k_correct, correct, run.profile.evaluation.bootstrap_samples,
                                           run.profile.seed)
        rows.append({"selection": kind, "examples": len(chosen), "steps": report["steps"],
                     "mean_thinking_tokens_of_traces": sum(lengths[r["id"]] for r in chosen) / len(chosen),
                     "teacher_wrong": sum(str(r["attempt"]) != str(r["answer"]) for r in chosen) / len(chosen),
                     "accuracy": point["accuracy"], "thinking_tokens": point["mean_thinking_tokens"],
                     "gain_vs_s1k": gain, "ci_low": low, "ci_high": high, "train_seconds": report["wall_s"]})
    write_json(out / "ablations.json", {"s1k_accuracy": sum(s1k_correct) / len(s1k_correct), "rows": rows})


STAGE = Stage("data_ablations", "experiments/data_ablations", ("sourcing", "base_model", "distillation", "evaluation"),
              settings, compute, reference=("ablations.json",))
