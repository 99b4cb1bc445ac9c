"""Stage ``parallel`` (chapter 10, the paper's Figure 4b): majority voting over temperature-1 samples.

Curves for the models of ``evaluation.vote_models``: the base model answering directly (s1 voted
Qwen2.5-32B-Instruct only) and, in the tiny study, the SFT model thinking first. The SFT model is
also sampled when Table 3 runs (``control.enabled``: its rejection sampling draws from these
samples), then only on ``control.benchmarks`` unless it votes too.

Every model is decoded first and released; then all samples are graded at once with the run's
grader (its judge, if any, loads after the evaluated models are gone) and voted on, equivalent
answers counted together (:mod:`s1kit.parallel`).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from s1kit.chat import ChatFormat
from s1kit.evaluation import FinishedPoints, benchmark_order, forcing_options
from s1kit.experiments._engine import engine_for
from s1kit.experiments._grader import grader_for, grading_settings
from s1kit.experiments._paths import base_model_path, checkpoint_dir, output, sft_model_path
from s1kit.jsonio import read_jsonl, write_json
from s1kit.judging import Grader, items_for
from s1kit.parallel import ModelSamples, sample_outputs, sampling_forcing, vote_on_samples
from s1kit.sources import benchmark_name
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.budget import Engine
    from s1kit.config import Profile
    from s1kit.control import ControlConfig
    from s1kit.evaluation import EvaluationConfig
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")
MODELS = ("base", "sft")


def settings(p: Profile) -> dict:
    e = p.evaluation
    return {"seed": p.seed, "vote_sizes": e.vote_sizes, "temperature": e.vote_temperature,
            "max_answer_tokens": e.max_answer_tokens, "base_max_answer_tokens": e.base_max_answer_tokens,
            "benchmark": e.benchmark, "engine": e.engine, "bootstrap_samples": e.bootstrap_samples,
            "hf_attn_implementation": e.hf_attn_implementation, "vote_models": e.vote_models,
            "vllm_kwargs": e.vllm_kwargs,  # dtype, prefix caching, context: they change the samples
            "control": {"enabled": p.control.enabled, "benchmarks": p.control.benchmarks},
            "grading": grading_settings(p), "forcing": forcing_options(e)}


def sampled(cfg: EvaluationConfig, control: ControlConfig) -> dict[str, list[str] | None]:
    """The models sampled and the benchmarks each is sampled on (None: every held-out question)."""
    plan: dict[str, list[str] | None] = {m: None for m in MODELS if m in cfg.vote_models}
    if "sft" not in plan and control.enabled:
        plan["sft"] = list(control.benchmarks) or None  # Table 3's rejection sampling only
    return {m: plan[m] for m in MODELS if m in plan}


def sample_and_vote(loaders: Mapping[str, Callable[[], Engine]], test: Sequence[dict], cfg: EvaluationConfig,
                    control: ControlConfig, seed: int, grader: Grader,
                    finished: FinishedPoints | None = None) -> tuple[dict, dict[str, dict]]:
    """Sample every model of :func:`sampled` (each loaded, decoded and closed in turn), then grade and vote.

    Returns ``parallel.json`` (``{model: points}`` for the models in ``cfg.vote_models``, then
    ``judge``: the grader's counts, and ``equivalence``: per benchmark, the pairs of answers the
    judge was asked about and those it joined) and, per model sampled, its samples: ``ids`` (the
    test ids in order), ``thinking_tokens[q][i]`` and ``correct[q][i]``. ``finished`` keeps each
    model's decoded samples, so an interrupted stage (a failed judge) decodes nothing again.
    """
    finished = finished or FinishedPoints(None)
    plan = sampled(cfg, control)
    models, records = [], {}
    for name, benchmarks in plan.items():
        mine = [t for t in test if benchmarks is None or benchmark_name(t) in benchmarks]
        if not mine:
            raise ValueError(f"no held-out question of benchmarks {benchmarks} to sample the {name} model on")
        think = name == "sft"

        def decode(name: str = name, mine: list = mine, think: bool = think) -> dict:
            engine = loaders[name]()
            try:
                answer_tokens = cfg.max_answer_tokens if think else cfg.base_max_answer_tokens
                forcing = sampling_forcing(ChatFormat.from_tokenizer(engine.tokenizer), cfg.vote_temperature, seed,
                                           answer_tokens, **forcing_options(cfg))
                outputs = sample_outputs(engine, [t["question"] for t in mine], max(cfg.vote_sizes), forcing, think)
            finally:
                engine.close()  # before the next model's engine, and the judge, load
            return {"answer_texts": [[r.answer_text for r in row] for row in outputs],
                    "thinking_tokens": [[r.thinking_tokens for r in row] for row in outputs]}

        done = finished.get_or_compute(f"samples-{name}", decode)
        log.info("majority voting: %s model sampled %d times on %d questions", name, max(cfg.vote_sizes), len(mine))
        records[name] = mine
        models.append(ModelSamples(items_for(mine, [""] * len(mine), cfg.benchmark), done["answer_texts"],
                                   done["thinking_tokens"], vote=name in cfg.vote_models))
    votes = vote_on_samples(models, cfg.vote_sizes, grader, cfg.bootstrap_samples, seed)
    curves, samples = {}, {}
    for name, model, points, correct in zip(plan, models, votes.points, votes.correct, strict=True):
        samples[name] = {"ids": [t["id"] for t in records[name]], "thinking_tokens": model.thinking_tokens,
                         "correct": correct}
        if points is not None:
            curves[name] = points
            log.info("majority voting (%s): %s", name, ", ".join(f"m={p['votes']} {p['accuracy']:.3f}" for p in points))
    curves["judge"] = {b: grader.counts[b] for b in benchmark_order(grader.counts)}
    curves["equivalence"] = votes.equivalence
    return curves, samples


def compute(run: RunDir, out: Path) -> None:
    cfg = run.profile.evaluation
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    paths = {"base": base_model_path(run), "sft": sft_model_path(run)}
    loaders = {name: (lambda path=path: engine_for(run, path, cfg.batch_size)) for name, path in paths.items()}
    finished = checkpoint_dir(run, "parallel")  # each model's samples kept as decoded: a failed grading resumes
    curves, samples = sample_and_vote(loaders, test, cfg, run.profile.control, run.profile.seed, grader_for(run),
                                      FinishedPoints(finished))
    for name, values in samples.items():
        write_json(out / f"{name}_samples.json", values)
    write_json(out / "parallel.json", curves)
    shutil.rmtree(finished, ignore_errors=True)  # what it kept for a resume is in the outputs now


STAGE = Stage("parallel", "experiments/parallel", ("sourcing", "base_model", "sft"), settings, compute,
              reference=("parallel.json",))
