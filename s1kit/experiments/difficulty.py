"""Stage ``difficulty`` (chapter 3): which pool questions the base model already solves, answering directly.

A property of the question and the base model, not of any trace, so contrast worlds share it.
With ``selection.difficulty_max_candidates`` set, a seeded sample of the pool is graded.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.chat import ChatFormat
from s1kit.experiments._engine import engine_for
from s1kit.experiments._paths import base_model_path, output, released_selection
from s1kit.jsonio import read_jsonl, write_jsonl
from s1kit.selection import solved_by_model
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    s = p.selection
    if released_selection(p):
        return {"released_selection": True}
    return {"seed": p.seed, "models": s.difficulty_models, "max_candidates": s.difficulty_max_candidates,
            "max_answer_tokens": s.difficulty_max_answer_tokens, "benchmark": p.evaluation.benchmark,
            "engine": p.evaluation.engine, "vllm_kwargs": p.evaluation.vllm_kwargs,
            "hf_attn_implementation": p.evaluation.hf_attn_implementation}


def compute(run: RunDir, out: Path) -> None:
    cfg, evaluation_cfg = run.profile.selection, run.profile.evaluation
    if released_selection(run.profile):
        log.info("training on the released selection %s: no difficulty filter", run.profile.sourcing.hub.selection_dataset)
        write_jsonl(out / "verdicts.jsonl", [])
        return
    pool = read_jsonl(output(run, "sourcing", "pool.jsonl"))
    if cfg.difficulty_max_candidates and len(pool) > cfg.difficulty_max_candidates:
        pool = sorted(random.Random(run.profile.seed).sample(pool, cfg.difficulty_max_candidates),
                      key=lambda r: r["id"])
    solved = [False] * len(pool)
    for model in cfg.difficulty_models or [base_model_path(run)]:  # solved by any of the models: dropped
        engine = engine_for(run, model, cfg.batch_size)
        verdicts = solved_by_model(engine, pool, cfg.difficulty_max_answer_tokens, evaluation_cfg.benchmark,
                                   ChatFormat.from_tokenizer(engine.tokenizer))
        log.info("%s solves %.1f%% of %d sampled pool questions", model if cfg.difficulty_models else "base model",
                 100 * sum(verdicts) / len(pool), len(pool))
        solved = [a or b for a, b in zip(solved, verdicts, strict=True)]
        engine.close()  # before the next model's engine loads
    write_jsonl(out / "verdicts.jsonl", [{"id": r["id"], "solved": c} for r, c in zip(pool, solved, strict=True)])


STAGE = Stage("difficulty", "difficulty", ("sourcing", "base_model"), settings, compute)
