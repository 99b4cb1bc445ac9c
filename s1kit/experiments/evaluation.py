"""Stage ``evaluation`` (chapters 5-8): the base model answering directly, then both budget-forcing sweeps,
graded as s1 graded (``s1kit.judging``).

Writes the results contract, ``results/summary.json`` (``s1kit.evaluation.evaluate``).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.chat_client import result_settings
from s1kit.evaluation import FinishedPoints, evaluate
from s1kit.experiments._engine import engine_for
from s1kit.experiments._grader import grader_for
from s1kit.experiments._paths import base_model_path, checkpoint_dir, output, sft_model_path
from s1kit.jsonio import read_jsonl, write_json, write_jsonl
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def settings(p: Profile) -> dict:
    values = dataclasses.asdict(p.evaluation)
    values.pop("batch_size")  # how fast, not what
    values["judge"] = result_settings(values["judge"])
    return {"seed": p.seed, **values}


def compute(run: RunDir, out: Path) -> None:
    cfg = run.profile.evaluation
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    dev = read_jsonl(output(run, "sourcing", "dev.jsonl"))
    # loaded when needed, one at a time (evaluate closes the base model's engine first)
    def base() -> object:
        return engine_for(run, base_model_path(run), cfg.batch_size)

    def tuned() -> object:
        return engine_for(run, sft_model_path(run), cfg.batch_size)

    finished = checkpoint_dir(run, "evaluation")  # each point kept as it finishes: an interrupted sweep resumes
    # graded after decoding, the evaluated models released first; the judge (if any) answers last
    result = evaluate(base, tuned, test, cfg, run.profile.seed, run.profile.name, dev, FinishedPoints(finished),
                      grader_for(run))
    write_jsonl(out / "generations.jsonl", result.generations)
    write_jsonl(out / "base_generations.jsonl", result.base_generations)
    write_json(out / "summary.json", result.summary)
    write_json(out / "sweep_seconds.json", result.seconds)  # wall times vary; they stay out of the summary
    shutil.rmtree(finished, ignore_errors=True)  # what it kept for a resume is in the outputs now


STAGE = Stage("evaluation", "results", ("sourcing", "base_model", "sft"), settings, compute,
              reference=("summary.json",))
