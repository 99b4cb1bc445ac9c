"""Stage ``parallel`` (chapter 10, the paper's Figure 4b): majority voting over temperature-1 samples.

Curves for the base model (answering directly) and the SFT model (thinking first); the SFT
model's samples are kept, since Table 3's rejection sampling draws from them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.chat import ChatFormat
from s1kit.evaluation import held_out_columns
from s1kit.experiments._engine import engine_for
from s1kit.experiments._paths import base_model_path, output, sft_model_path
from s1kit.jsonio import read_jsonl, write_json
from s1kit.parallel import majority_vote_curve, sampling_forcing
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    e = p.evaluation
    return {"seed": p.seed, "vote_sizes": e.vote_sizes, "temperature": e.vote_temperature,
            "max_answer_tokens": e.max_answer_tokens, "base_max_answer_tokens": e.base_max_answer_tokens,
            "benchmark": e.benchmark, "engine": e.engine, "bootstrap_samples": e.bootstrap_samples,
            "hf_attn_implementation": e.hf_attn_implementation}


def compute(run: RunDir, out: Path) -> None:
    cfg, seed = run.profile.evaluation, run.profile.seed
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    questions, answers, graders = held_out_columns(test, cfg.benchmark)  # each record its own benchmark
    curves = {}
    for name, path, think, answer_tokens in (("base", base_model_path(run), False, cfg.base_max_answer_tokens),
                                             ("sft", sft_model_path(run), True, cfg.max_answer_tokens)):
        engine = engine_for(run, path, cfg.batch_size)
        forcing = sampling_forcing(ChatFormat.from_tokenizer(engine.tokenizer), cfg.vote_temperature, seed,
                                   answer_tokens)
        points, samples = majority_vote_curve(engine, questions, answers, cfg.vote_sizes, forcing, think,
                                              graders, cfg.bootstrap_samples, seed)
        log.info("majority voting (%s): %s", name, ", ".join(f"m={p['votes']} {p['accuracy']:.3f}" for p in points))
        curves[name] = points
        write_json(out / f"{name}_samples.json", samples)
        engine.close()  # before the next model's engine loads
    write_json(out / "parallel.json", curves)


STAGE = Stage("parallel", "experiments/parallel", ("sourcing", "base_model", "sft"), settings, compute,
              reference=("parallel.json",))
