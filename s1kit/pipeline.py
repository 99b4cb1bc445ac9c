"""The study's stages, each cached in ``runs/<profile>/`` (see ``s1kit.stages``).

Each function runs its stage if its cache key changed (or it never finished) and returns its
artifacts. Notebooks call these; so does ``python -m s1kit stage NAME``. A stage's key hashes
its own config section and the keys of the stages it reads, so changing the teacher redoes
distillation, selection, SFT and evaluation, but not sourcing or the base model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import random
from pathlib import Path

import torch

from s1kit.budget import BudgetForcing
from s1kit.chat import ChatFormat
from s1kit.config import Profile, load_profile
from s1kit.evaluation import direct_accuracy, run_point
from s1kit.stages import STAGES, RunDir, read_json, read_jsonl, setup_logging, write_json, write_jsonl

log = logging.getLogger("s1kit")
CHAT = ChatFormat()


def open_run(profile: str | Profile, root: str | Path = "runs") -> RunDir:
    """Load (and validate) a profile, fix threads and seeds, and open its run directory."""
    setup_logging()
    profile = load_profile(profile) if isinstance(profile, str) else profile
    torch.set_num_threads(profile.torch_threads)
    torch.manual_seed(profile.seed)
    random.seed(profile.seed)
    return RunDir(profile, root)


def world_variant(run: RunDir, style: str) -> RunDir:
    """A contrast world: the same profile with another teacher style (one config switch).

    It lives in ``runs/<profile>/worlds/<style>/`` and shares the parent's pool, test set and
    base model, so only distillation, selection, SFT and evaluation run again.
    """
    teacher = dataclasses.replace(run.profile.distillation.teacher, style=style)
    profile = dataclasses.replace(
        run.profile,
        name=f"{run.profile.name}/worlds/{style}",
        distillation=dataclasses.replace(run.profile.distillation, teacher=teacher),
    )
    return RunDir(profile, run.root.parent, shared={"sourcing": run, "base_model": run, "difficulty": run})


def _key(run: RunDir, sections: tuple[str, ...], *upstream: str) -> str:
    own = run.profile.section_hash("seed", *sections)
    return hashlib.sha256("|".join((own,) + upstream).encode()).hexdigest()[:16]


# -- 01 sourcing ------------------------------------------------------------------------------
def sourcing_key(run: RunDir) -> str:
    return _key(run, ("sourcing",))


def sourcing(run: RunDir) -> dict:
    """The question pool and the held-out test set (``data/pool.jsonl``, ``data/test.jsonl``)."""
    from s1kit.sources import hub_pool, tiny_pool

    key = sourcing_key(run)
    if not run.is_done("sourcing", key):
        cfg = run.profile.sourcing
        with run.stage("sourcing", key) as out:
            pool, test = tiny_pool(cfg.tiny, run.profile.seed) if cfg.kind == "tiny" else hub_pool(cfg.hub)
            log.info("sourced %d pool questions and %d test questions", len(pool), len(test))
            write_jsonl(out / "pool.jsonl", pool)
            write_jsonl(out / "test.jsonl", test)
    data = run.stage_dir("sourcing")
    return {"pool": read_jsonl(data / "pool.jsonl"), "test": read_jsonl(data / "test.jsonl")}


def base_model_key(run: RunDir) -> str:
    return _key(run, ("base_model",))


def base_model(run: RunDir) -> dict:
    """The base model: trained here (tiny stand-in for an instruct model) or a pretrained path."""
    from s1kit.instruct import instruct_examples
    from s1kit.modeling import build_tiny_model, count_parameters
    from s1kit.tokenizer import build_char_tokenizer
    from s1kit.training import train_sft

    cfg = run.profile.base_model
    key = base_model_key(run)
    if not run.is_done("base_model", key):
        with run.stage("base_model", key) as out:
            if cfg.kind == "pretrained":
                write_json(out / "source.json", {"path": cfg.path})
            else:
                tokenizer = build_char_tokenizer()
                model = build_tiny_model(cfg.model, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id,
                                         run.profile.seed)
                log.info("base model: Qwen2 with %d parameters, trained on an instruct-style corpus",
                         count_parameters(model))
                examples = instruct_examples(cfg.corpus, CHAT)
                report = train_sft(model, tokenizer, examples, cfg.train, out)
                write_json(out / "train_report.json", report)
    return {"path": base_model_path(run), "report": _maybe_json(run.stage_dir("base_model") / "train_report.json")}


def base_model_path(run: RunDir) -> str:
    if run.profile.base_model.kind == "pretrained":
        return run.profile.base_model.path
    return str(run.stage_dir("base_model"))


def _maybe_json(path: Path):
    return read_json(path) if path.exists() else None


def engine_for(run: RunDir, model_path: str, batch_size: int):
    from s1kit.engines import load_engine

    cfg = run.profile.evaluation
    return load_engine(cfg.engine, model_path, batch_size=batch_size, **(cfg.vllm_kwargs if cfg.engine == "vllm" else {}))


# -- 02 distillation --------------------------------------------------------------------------
def distillation_key(run: RunDir) -> str:
    return _key(run, ("distillation",), sourcing_key(run))


def distillation(run: RunDir) -> list[dict]:
    """A reasoning trace for every pool question (``traces/traces.jsonl``)."""
    from s1kit.teacher import distill
    from s1kit.world import Problem

    pool = sourcing(run)["pool"]
    key = distillation_key(run)
    if not run.is_done("distillation", key):
        cfg = run.profile.distillation
        with run.stage("distillation", key) as out:
            if cfg.kind == "tiny_teacher":
                problems = [Problem(r["id"], r["domain"], r["source"], tuple(r["terms"])) for r in pool]
                traces = distill(problems, cfg.teacher)
                rows = [dict(r, trace=t.trace, attempt=t.attempt, forced_spans=[list(s) for s in t.forced_spans],
                             broken=t.broken) for r, t in zip(pool, traces)]
            else:  # the pool already carries its teacher's traces
                rows = pool
            log.info("distilled %d traces", len(rows))
            write_jsonl(out / "traces.jsonl", rows)
    return read_jsonl(run.stage_dir("distillation") / "traces.jsonl")


# -- 03 selection -----------------------------------------------------------------------------
def difficulty_key(run: RunDir) -> str:
    cfg = run.profile.selection
    params = f"{cfg.difficulty_max_candidates}-{cfg.difficulty_max_answer_tokens}-{run.profile.evaluation.grading}"
    return _key(run, (), sourcing_key(run), base_model_key(run), params)


def difficulty(run: RunDir) -> dict[str, bool]:
    """Which pool questions the base model already solves, answering directly (``difficulty/``).

    A property of the question and the base model, not of any trace, so contrast worlds share it.
    With ``selection.difficulty_max_candidates`` set, a seeded sample of the pool is graded.
    """
    key = difficulty_key(run)
    if not run.is_done("difficulty", key):
        cfg = run.profile.selection
        pool = sourcing(run)["pool"]
        with run.stage("difficulty", key) as out:
            if cfg.difficulty_max_candidates and len(pool) > cfg.difficulty_max_candidates:
                pool = sorted(random.Random(run.profile.seed).sample(pool, cfg.difficulty_max_candidates),
                              key=lambda r: r["id"])
            engine = engine_for(run, base_model(run)["path"], cfg.batch_size)
            accuracy, _, correct = direct_accuracy(
                engine, [r["question"] for r in pool], [r["answer"] for r in pool],
                cfg.difficulty_max_answer_tokens, run.profile.evaluation.grading)
            log.info("base model solves %.1f%% of %d sampled pool questions", 100 * accuracy, len(pool))
            write_jsonl(out / "verdicts.jsonl", [{"id": r["id"], "solved": c} for r, c in zip(pool, correct)])
    return {row["id"]: row["solved"] for row in read_jsonl(run.stage_dir("difficulty") / "verdicts.jsonl")}


def selection_key(run: RunDir) -> str:
    return _key(run, ("selection",), distillation_key(run), difficulty_key(run), base_model_key(run))


def selection(run: RunDir) -> dict:
    """Quality, difficulty and diversity filtering down to s1K (``s1k/s1k.jsonl``, ``s1k/funnel.json``)."""
    from s1kit.selection import difficulty_filter, diversity_select, quality_filter
    from s1kit.tokenizer import load_tokenizer

    key = selection_key(run)
    if not run.is_done("selection", key):
        cfg = run.profile.selection
        records = distillation(run)
        test = sourcing(run)["test"]
        solved = difficulty(run)
        with run.stage("selection", key) as out:
            funnel = [{"step": "pool", "kept": len(records)}]
            kept, dropped = quality_filter(records, [t["question"] for t in test])
            funnel.append({"step": "quality", "kept": len(kept), "dropped": dict(dropped)})
            if len(solved) < len(records):  # the base model graded a sample of the pool
                kept = [r for r in kept if r["id"] in solved]
                funnel.append({"step": "difficulty sample", "kept": len(kept)})
            kept, dropped = difficulty_filter(kept, lambda batch: [solved[r["id"]] for r in batch])
            funnel.append({"step": "difficulty", "kept": len(kept), "dropped": dict(dropped)})
            base = base_model(run)["path"]
            tokenizer = load_tokenizer(base)
            lengths = {r["id"]: len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in kept}
            chosen = diversity_select(kept, cfg.size, lambda r: lengths[r["id"]], run.profile.seed, cfg.seed_sources)
            for record in chosen:
                record["thinking_tokens"] = lengths[record["id"]]
            funnel.append({"step": "diversity", "kept": len(chosen)})
            log.info("selected %d of %d questions", len(chosen), len(records))
            write_jsonl(out / "s1k.jsonl", chosen)
            write_jsonl(out / "candidates.jsonl",
                        [{"id": r["id"], "domain": r["domain"], "thinking_tokens": lengths[r["id"]],
                          "difficulty": r.get("difficulty")} for r in kept])
            write_json(out / "funnel.json", funnel)
    stage = run.stage_dir("selection")
    return {"s1k": read_jsonl(stage / "s1k.jsonl"), "candidates": read_jsonl(stage / "candidates.jsonl"),
            "funnel": read_json(stage / "funnel.json")}


# -- 04 SFT -----------------------------------------------------------------------------------
def sft_key(run: RunDir) -> str:
    return _key(run, ("sft",), selection_key(run), base_model_key(run))


def sft_examples(records: list[dict]):
    """s1K records as training examples; forced spans move from trace to completion offsets."""
    from s1kit.training import Example

    offset = len(CHAT.think_delimiter) + 1  # the completion starts with "<|im_start|>think\n"
    return [
        Example(CHAT.user_prompt(r["question"]), CHAT.thinking_completion(r["trace"], r["attempt"]),
                tuple((a + offset, b + offset) for a, b in r.get("forced_spans") or ()))
        for r in records
    ]


def sft(run: RunDir) -> dict:
    """Fine-tune the base model on s1K (``models/sft``)."""
    from s1kit.modeling import load_model
    from s1kit.tokenizer import load_tokenizer
    from s1kit.training import train_sft

    key = sft_key(run)
    if not run.is_done("sft", key):
        s1k = selection(run)["s1k"]
        base = base_model(run)["path"]
        with run.stage("sft", key) as out:
            model, tokenizer = load_model(base), load_tokenizer(base)
            report = train_sft(model, tokenizer, sft_examples(s1k), run.profile.sft.train, out)
            write_json(out / "train_report.json", report)
    return {"path": str(run.stage_dir("sft")), "report": read_json(run.stage_dir("sft") / "train_report.json")}


# -- 05 budget forcing ------------------------------------------------------------------------
def evaluation_key(run: RunDir) -> str:
    return _key(run, ("evaluation",), sft_key(run), base_model_key(run), sourcing_key(run))


def sweep_configs(run: RunDir) -> list[BudgetForcing]:
    """The cap sweep (fixed k, growing N, then no cap) and the ignore sweep (no cap, growing k)."""
    cfg = run.profile.evaluation
    make = lambda n, k: BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=cfg.ignore_str,  # noqa: E731
                                      max_answer_tokens=cfg.max_answer_tokens, seed=run.profile.seed)
    points = [make(n, cfg.cap_sweep_num_ignore) for n in sorted(cfg.caps)] + [make(None, cfg.cap_sweep_num_ignore)]
    points += [make(None, k) for k in sorted(cfg.num_ignores) if k != cfg.cap_sweep_num_ignore]
    return points


def evaluation(run: RunDir) -> dict:
    """Base model answering directly, then both sweeps on the SFT model (``results/``)."""
    key = evaluation_key(run)
    if not run.is_done("evaluation", key):
        cfg = run.profile.evaluation
        test = sourcing(run)["test"]
        questions, answers = [t["question"] for t in test], [t["answer"] for t in test]
        base, tuned = base_model(run)["path"], sft(run)["path"]
        with run.stage("evaluation", key) as out:
            base_acc, base_results, base_correct = direct_accuracy(
                engine_for(run, base, cfg.batch_size), questions, answers, cfg.base_max_answer_tokens, cfg.grading)
            log.info("base model answering directly: accuracy %.3f", base_acc)
            engine = engine_for(run, tuned, cfg.batch_size)
            points, generations = [], []
            for index, config in enumerate(sweep_configs(run)):
                point, results, correct = run_point(engine, questions, answers, config, cfg.grading,
                                                    cfg.bootstrap_samples)
                points.append(point)
                for t, r, c in zip(test, results, correct):
                    generations.append({"point": index, "id": t["id"], "thinking": r.thinking_text,
                                        "answer_text": r.answer_text, "correct": c,
                                        "thinking_tokens": r.thinking_tokens, "ignores_used": r.ignores_used,
                                        "cap_fired": r.cap_fired})
            write_jsonl(out / "generations.jsonl", generations)
            write_jsonl(out / "base_generations.jsonl",
                        [{"id": t["id"], "answer_text": r.answer_text, "correct": c}
                         for t, r, c in zip(test, base_results, base_correct)])
            summary = {
                "profile": run.profile.name,
                "n_test": len(test),
                "base_model_accuracy": base_acc,
                # wall times vary between runs; they go to sweep_seconds.json, not the summary
                "budget_forcing": [{k: v for k, v in dataclasses.asdict(p).items() if k != "seconds"}
                                   for p in points],
            }
            write_json(out / "summary.json", summary)
            write_json(out / "sweep_seconds.json", [p.seconds for p in points])
    results = run.stage_dir("evaluation")
    return {"summary": read_json(results / "summary.json"),
            "generations": read_jsonl(results / "generations.jsonl")}


def timings(run: RunDir) -> dict[str, float]:
    """Seconds each finished stage took when it last ran (from the stage markers)."""
    out = {}
    for stage in STAGES:
        marker = run.marker(stage)
        if marker:
            out[stage] = marker["seconds"]
    return out
