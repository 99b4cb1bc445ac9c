"""The study as a graph of cached stages, and the functions notebooks call to get their results.

``GRAPH`` below is the one declaration of the stages: what each needs, which profile settings
and which s1kit modules it depends on, and what it writes in ``runs/<profile>/``. Keys, order,
``python -m s1kit stage NAME`` and the timings table all derive from it (``s1kit.stages``).

Each compute function only wires a stage's inputs to the method's functions, which live with
the modules that own them (``s1kit.selection``, ``s1kit.training``, ``s1kit.evaluation``, and
the tiny world's stand-ins in ``s1kit.tiny``). The accessor functions at the bottom
(:func:`sourcing`, :func:`sft`, :func:`evaluation`, ...) make a stage current, reusing it when
nothing it depends on changed, and return its artifacts.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from pathlib import Path

import torch

from s1kit.chat import ChatFormat
from s1kit.chat_client import result_settings
from s1kit.config import Profile, load_profile
from s1kit.stages import (
    RunDir,
    Stage,
    is_main_process,
    process_rank,
    read_json,
    read_jsonl,
    resolve_runs_root,
    setup_logging,
    write_json,
    write_jsonl,
)

log = logging.getLogger("s1kit")
CHAT = ChatFormat()


def _asdict(config) -> dict:
    return dataclasses.asdict(config)


def _output(run: RunDir, stage: str, filename: str) -> Path:
    return run.stage_dir(stage) / filename


# -- 01 sourcing --------------------------------------------------------------------------------
def _sourcing_settings(p: Profile) -> dict:
    cfg = p.sourcing
    if cfg.kind == "tiny":
        return {"kind": "tiny", "seed": p.seed, "tiny": _asdict(cfg.tiny)}
    hub = _asdict(cfg.hub)
    hub["domain_classifier"] = result_settings(hub["domain_classifier"])
    return {"kind": "hub", "hub": hub}


def released_selection(p: Profile) -> bool:
    """True when the profile trains on a released s1K instead of selecting one (no difficulty, no Algorithm 1)."""
    return p.sourcing.kind == "hub" and bool(p.sourcing.hub.selection_dataset)


def _compute_sourcing(run: RunDir, out: Path) -> None:
    from s1kit.chat_client import ChatClient
    from s1kit.domains import classify_domains
    from s1kit.sources import hub_pool
    from s1kit.tiny.world import tiny_pool

    cfg = run.profile.sourcing
    if cfg.kind == "tiny":
        pool, test, dev = tiny_pool(cfg.tiny, run.profile.seed)
    else:  # the paper has no dev split: at paper scale choices are reported for every setting instead
        (pool, test), dev = hub_pool(cfg.hub), []
    classifier = cfg.hub.domain_classifier if cfg.kind == "hub" else {}
    if classifier:  # MSC labels; the cache lives outside the stage so that an interrupted run resumes
        client = ChatClient.from_settings(classifier, "sourcing.hub.domain_classifier")
        labels = classify_domains([r["question"] for r in pool], client.ask, run.path("cache", "msc.jsonl"))
        for record, label in zip(pool, labels, strict=True):
            record["domain"] = label
    log.info("sourced %d pool questions, %d test and %d dev questions", len(pool), len(test), len(dev))
    write_jsonl(out / "pool.jsonl", pool)
    write_jsonl(out / "test.jsonl", test)
    write_jsonl(out / "dev.jsonl", dev)


# -- 01 base model ------------------------------------------------------------------------------
def _base_model_settings(p: Profile) -> dict:
    cfg = p.base_model
    if cfg.kind == "pretrained":
        return {"kind": "pretrained", "path": cfg.path}
    return {"kind": "train_tiny", "seed": p.seed, "model": _asdict(cfg.model), "corpus": _asdict(cfg.corpus),
            "train": _asdict(cfg.train)}


def _compute_base_model(run: RunDir, out: Path) -> None:
    from s1kit.modeling import count_parameters
    from s1kit.tiny.instruct import instruct_examples
    from s1kit.tiny.model import build_tiny_model
    from s1kit.tiny.tokenizer import build_tiny_tokenizer
    from s1kit.training import train_sft

    cfg, seed = run.profile.base_model, run.profile.seed
    if cfg.kind == "pretrained":
        write_json(out / "source.json", {"path": cfg.path})
        return
    tokenizer = build_tiny_tokenizer()
    model = build_tiny_model(cfg.model, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, seed)
    log.info("base model: Qwen2 with %d parameters, trained on an instruct-style corpus", count_parameters(model))
    report = train_sft(model, tokenizer, instruct_examples(cfg.corpus, CHAT, seed), cfg.train, out, seed)
    write_json(out / "train_report.json", report)


# -- 02 distillation ----------------------------------------------------------------------------
def _distillation_settings(p: Profile) -> dict:
    cfg = p.distillation
    if cfg.kind == "dataset":
        return {"kind": "dataset"}
    return {"kind": "tiny_teacher", "seed": p.seed, "teacher": _asdict(cfg.teacher)}


def _compute_distillation(run: RunDir, out: Path) -> None:
    from s1kit.tiny.teacher import distill
    from s1kit.tiny.world import Problem

    pool = read_jsonl(_output(run, "sourcing", "pool.jsonl"))
    cfg = run.profile.distillation
    if cfg.kind == "tiny_teacher":
        problems = [Problem(r["id"], r["domain"], r["source"], tuple(r["terms"])) for r in pool]
        traces = distill(problems, cfg.teacher, run.profile.seed)
        rows = [dict(r, trace=t.trace, attempt=t.attempt, forced_spans=[list(s) for s in t.forced_spans],
                     broken=t.broken) for r, t in zip(pool, traces, strict=True)]
    else:  # the pool already carries its teacher's traces
        rows = pool
    log.info("distilled %d traces", len(rows))
    write_jsonl(out / "traces.jsonl", rows)


# -- 03 difficulty and selection ----------------------------------------------------------------
def _difficulty_settings(p: Profile) -> dict:
    s = p.selection
    if released_selection(p):
        return {"released_selection": True}
    return {"seed": p.seed, "models": s.difficulty_models, "max_candidates": s.difficulty_max_candidates,
            "max_answer_tokens": s.difficulty_max_answer_tokens, "benchmark": p.evaluation.benchmark,
            "engine": p.evaluation.engine, "vllm_kwargs": p.evaluation.vllm_kwargs,
            "hf_attn_implementation": p.evaluation.hf_attn_implementation}


def _compute_difficulty(run: RunDir, out: Path) -> None:
    """Which pool questions the base model already solves, answering directly.

    A property of the question and the base model, not of any trace, so contrast worlds share it.
    With ``selection.difficulty_max_candidates`` set, a seeded sample of the pool is graded.
    """
    from s1kit.selection import solved_by_model

    cfg, evaluation_cfg = run.profile.selection, run.profile.evaluation
    if released_selection(run.profile):
        log.info("training on the released selection %s: no difficulty filter", run.profile.sourcing.hub.selection_dataset)
        write_jsonl(out / "verdicts.jsonl", [])
        return
    pool = read_jsonl(_output(run, "sourcing", "pool.jsonl"))
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
        del engine
    write_jsonl(out / "verdicts.jsonl", [{"id": r["id"], "solved": c} for r, c in zip(pool, solved, strict=True)])


def _selection_settings(p: Profile) -> dict:
    if released_selection(p):
        return {"released_selection": True}
    return {"seed": p.seed, "size": p.selection.size, "seed_sources": p.selection.seed_sources,
            "long_seed_sources": p.selection.long_seed_sources}


def _compute_selection(run: RunDir, out: Path) -> None:
    from s1kit.selection import released_s1k, select_s1k
    from s1kit.tokenizer import load_tokenizer

    records = read_jsonl(_output(run, "distillation", "traces.jsonl"))
    tokenizer = load_tokenizer(base_model_path(run))  # thinking length is counted in the base model's tokens
    if released_selection(run.profile):
        chosen, candidates, funnel = released_s1k(records, tokenizer)
    else:
        test = read_jsonl(_output(run, "sourcing", "test.jsonl"))
        solved = {r["id"]: r["solved"] for r in read_jsonl(_output(run, "difficulty", "verdicts.jsonl"))}
        chosen, candidates, funnel = select_s1k(records, [t["question"] for t in test], solved, tokenizer,
                                                run.profile.selection, run.profile.seed)
    write_jsonl(out / "s1k.jsonl", chosen)
    write_jsonl(out / "candidates.jsonl", candidates)
    write_json(out / "funnel.json", funnel)


# -- 04 SFT ---------------------------------------------------------------------------------------
def _sft_settings(p: Profile) -> dict:
    if p.sft.kind == "pretrained":
        return {"kind": "pretrained", "path": p.sft.path}
    return {"seed": p.seed, **_asdict(p.sft)}


def sft_model_path(run: RunDir) -> str:
    """Where the fine-tuned model is: the SFT stage's directory, or the profile's released checkpoint."""
    if run.profile.sft.kind == "pretrained":
        return run.profile.sft.path
    return str(run.stage_dir("sft"))


def _compute_sft(run: RunDir, out: Path) -> None:
    from s1kit.modeling import load_model
    from s1kit.tokenizer import load_tokenizer
    from s1kit.training import sft_examples, train_sft

    if run.profile.sft.kind == "pretrained":  # a released checkpoint: nothing to train
        if is_main_process():
            write_json(out / "source.json", {"path": run.profile.sft.path})
        return
    s1k = read_jsonl(_output(run, "selection", "s1k.jsonl"))
    base = base_model_path(run)
    tokenizer = load_tokenizer(base)
    chat = ChatFormat.from_tokenizer(tokenizer)  # the model's own template: Qwen's default system prompt included
    examples = sft_examples(s1k, chat, run.profile.sft.answer_prefix)
    # float32 weights, bf16 autocast: as s1, whose Adam states stay fp32 (a bf16 checkpoint would
    # otherwise load as bf16 and lose lr-1e-5 updates to rounding)
    model = load_model(base, dtype=torch.float32)
    report = train_sft(model, tokenizer, examples, run.profile.sft.train, out, run.profile.seed)
    if is_main_process():
        write_json(out / "train_report.json", report)


# -- 05 evaluation --------------------------------------------------------------------------------
def _evaluation_settings(p: Profile) -> dict:
    settings = _asdict(p.evaluation)
    settings.pop("batch_size")  # how fast, not what
    settings["judge"] = result_settings(settings["judge"])
    return {"seed": p.seed, **settings}


def _compute_evaluation(run: RunDir, out: Path) -> None:
    from s1kit.evaluation import evaluate

    cfg = run.profile.evaluation
    test = read_jsonl(_output(run, "sourcing", "test.jsonl"))
    dev = read_jsonl(_output(run, "sourcing", "dev.jsonl"))
    base = engine_for(run, base_model_path(run), cfg.batch_size)
    tuned = engine_for(run, sft_model_path(run), cfg.batch_size)
    result = evaluate(base, tuned, test, cfg, run.profile.seed, run.profile.name, dev)
    write_jsonl(out / "generations.jsonl", result.generations)
    write_jsonl(out / "base_generations.jsonl", result.base_generations)
    write_json(out / "summary.json", result.summary)
    write_json(out / "sweep_seconds.json", result.seconds)  # wall times vary; they stay out of the summary


# -- 06 the paper's other experiments ------------------------------------------------------------
def _uncapped_correct(run: RunDir, num_ignore: int) -> list[bool]:
    """Per-question correctness of the main sweep's uncapped point with ``num_ignore`` Waits."""
    from s1kit.evaluation import point_index

    stage = run.stage_dir("evaluation")
    index = point_index(read_json(stage / "summary.json"), None, num_ignore)
    return [g["correct"] for g in read_jsonl(stage / "generations.jsonl") if g["point"] == index]


def _extrapolation_settings(p: Profile) -> dict:
    e = p.evaluation
    return {"seed": p.seed, "strings": e.extrapolation_strings, "num_ignore": e.extrapolation_num_ignore,
            "max_answer_tokens": e.max_answer_tokens, "benchmark": e.benchmark, "engine": e.engine,
            "hf_attn_implementation": e.hf_attn_implementation,
            "bootstrap_samples": e.bootstrap_samples}


def _compute_extrapolation(run: RunDir, out: Path) -> None:
    """Table 4: other strings than "Wait" appended at the same number of suppressed ends."""
    from s1kit.evaluation import extrapolation

    cfg = run.profile.evaluation
    test = read_jsonl(_output(run, "sourcing", "test.jsonl"))
    engine = engine_for(run, sft_model_path(run), cfg.batch_size)
    rows, generations = extrapolation(engine, test, cfg, run.profile.seed, _uncapped_correct(run, 0))
    write_json(out / "extrapolation.json", {"num_ignore": cfg.extrapolation_num_ignore, "rows": rows})
    write_jsonl(out / "generations.jsonl", generations)


def _parallel_settings(p: Profile) -> dict:
    e = p.evaluation
    return {"seed": p.seed, "vote_sizes": e.vote_sizes, "temperature": e.vote_temperature,
            "max_answer_tokens": e.max_answer_tokens, "base_max_answer_tokens": e.base_max_answer_tokens,
            "benchmark": e.benchmark, "engine": e.engine, "bootstrap_samples": e.bootstrap_samples,
            "hf_attn_implementation": e.hf_attn_implementation}


def _compute_parallel(run: RunDir, out: Path) -> None:
    """Figure 4b: majority voting over temperature-1 samples, of the base model and the SFT model."""
    from s1kit.chat import ChatFormat
    from s1kit.parallel import majority_vote_curve, sampling_forcing

    cfg, seed = run.profile.evaluation, run.profile.seed
    test = read_jsonl(_output(run, "sourcing", "test.jsonl"))
    questions, answers = [t["question"] for t in test], [t["answer"] for t in test]
    curves = {}
    for name, path, think, answer_tokens in (("base", base_model_path(run), False, cfg.base_max_answer_tokens),
                                             ("sft", sft_model_path(run), True, cfg.max_answer_tokens)):
        engine = engine_for(run, path, cfg.batch_size)
        forcing = sampling_forcing(ChatFormat.from_tokenizer(engine.tokenizer), cfg.vote_temperature, seed,
                                   answer_tokens)
        points, samples = majority_vote_curve(engine, questions, answers, cfg.vote_sizes, forcing, think,
                                              cfg.benchmark, cfg.bootstrap_samples, seed)
        log.info("majority voting (%s): %s", name, ", ".join(f"m={p['votes']} {p['accuracy']:.3f}" for p in points))
        curves[name] = points
        write_json(out / f"{name}_samples.json", samples)
    write_json(out / "parallel.json", curves)


def _train_variant(run: RunDir, records: list[dict], out: Path, max_steps: int | None = None) -> dict:
    """Fine-tune the base model on ``records`` exactly as the SFT stage does (``max_steps``: override)."""
    from s1kit.modeling import load_model
    from s1kit.tokenizer import load_tokenizer
    from s1kit.training import sft_examples, train_sft

    base = base_model_path(run)
    tokenizer = load_tokenizer(base)
    config = run.profile.sft.train
    if max_steps is not None:
        config = dataclasses.replace(config, max_steps=max_steps)
    examples = sft_examples(records, ChatFormat.from_tokenizer(tokenizer), run.profile.sft.answer_prefix)
    return train_sft(load_model(base, dtype=torch.float32), tokenizer, examples, config, out, run.profile.seed)


def _unforced_point(run: RunDir, model_dir: Path | str, questions: list[str]) -> tuple[dict, list[bool]]:
    """A model's accuracy on the test set with no forcing (k = 0, no cap), the main sweep's setting."""
    from s1kit.budget import BudgetForcing
    from s1kit.evaluation import held_out_columns, run_point

    cfg = run.profile.evaluation
    _, answers, benchmarks = held_out_columns(read_jsonl(_output(run, "sourcing", "test.jsonl")), cfg.benchmark)
    engine = engine_for(run, str(model_dir), cfg.batch_size)
    forcing = BudgetForcing(max_answer_tokens=cfg.max_answer_tokens, seed=run.profile.seed,
                            chat=ChatFormat.from_tokenizer(engine.tokenizer))
    point, _, correct = run_point(engine, questions, answers, forcing, benchmarks, cfg.bootstrap_samples)
    return dataclasses.asdict(point), correct


def _ablations_settings(p: Profile) -> dict:
    return {"seed": p.seed, **_asdict(p.ablations), "sft": _sft_settings(p), "evaluation": _evaluation_settings(p)}


def _compute_data_ablations(run: RunDir, out: Path) -> None:
    """Table 2: the other selections, fine-tuned like s1K and evaluated with no forcing."""
    from s1kit.metrics import paired_bootstrap
    from s1kit.selection import ablation_selection, quality_filter, thinking_lengths
    from s1kit.tokenizer import load_tokenizer
    from s1kit.training import batch_plan

    records = read_jsonl(_output(run, "distillation", "traces.jsonl"))
    test = read_jsonl(_output(run, "sourcing", "test.jsonl"))
    kept, _ = quality_filter(records, [t["question"] for t in test])
    lengths = thinking_lengths(kept, load_tokenizer(base_model_path(run)))
    s1k_steps = batch_plan(run.profile.sft.train, run.profile.selection.size, 1)["steps"]
    s1k_correct = _uncapped_correct(run, 0)
    rows = []
    for kind in run.profile.ablations.kinds:
        chosen = ablation_selection(kind, kept, run.profile.selection.size, lambda r: lengths[r["id"]],
                                    run.profile.seed)
        steps = s1k_steps if kind == "full" and run.profile.ablations.full_steps_as_s1k else None
        log.info("data ablation %s: %d questions, fine-tuning", kind, len(chosen))
        report = _train_variant(run, chosen, out / kind, steps)
        point, correct = _unforced_point(run, out / kind, [t["question"] for t in test])
        gain, low, high = paired_bootstrap(s1k_correct, correct, run.profile.evaluation.bootstrap_samples,
                                           run.profile.seed)
        rows.append({"selection": kind, "examples": len(chosen), "steps": report["steps"],
                     "mean_thinking_tokens_of_traces": sum(lengths[r["id"]] for r in chosen) / len(chosen),
                     "teacher_wrong": sum(str(r["attempt"]) != str(r["answer"]) for r in chosen) / len(chosen),
                     "accuracy": point["accuracy"], "thinking_tokens": point["mean_thinking_tokens"],
                     "gain_vs_s1k": gain, "ci_low": low, "ci_high": high, "train_seconds": report["wall_s"]})
    write_json(out / "ablations.json", {"s1k_accuracy": sum(s1k_correct) / len(s1k_correct), "rows": rows})


def _control_settings(p: Profile) -> dict:
    return {"seed": p.seed, "control": _asdict(p.control), "sft": _sft_settings(p),
            "evaluation": _evaluation_settings(p)}


def _compute_control(run: RunDir, out: Path) -> None:
    """Table 3: budget forcing against token-, step- and class-conditional control and rejection sampling."""
    import statistics

    from s1kit.control import conditional_records, method_metrics, rejection_sample, steps_of
    from s1kit.evaluation import evaluate_control
    from s1kit.tokenizer import load_tokenizer

    cfg, seed = run.profile.evaluation, run.profile.seed
    if not run.profile.control.enabled:
        log.info("control methods: control.enabled is false in profile %s; nothing trained", run.profile.name)
        write_json(out / "control.json", {"rows": {}, "metrics": {}, "skipped": "control.enabled is false"})
        return
    s1k = read_jsonl(_output(run, "selection", "s1k.jsonl"))
    tokenizer = load_tokenizer(base_model_path(run))
    lengths = {r["id"]: len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in s1k}
    records = conditional_records(s1k, lengths, statistics.median(lengths.values()), seed)
    report = _train_variant(run, records, out / "model")
    # SCC + BF's cap: N steps of the longest step (countdown line included) the training data holds
    max_step_tokens = max(len(tokenizer.encode(line + "\n", add_special_tokens=False))
                          for r in records if r["control"] == "steps" for line in steps_of(r["trace"]))
    test = read_jsonl(_output(run, "sourcing", "test.jsonl"))
    engine = engine_for(run, str(out / "model"), cfg.batch_size)
    rows = evaluate_control(engine, test, run.profile.control, cfg.max_answer_tokens, cfg.benchmark, seed,
                            max_step_tokens, cfg.bootstrap_samples)
    summary = read_json(_output(run, "evaluation", "summary.json"))
    # BF: every setting of the main sweep, caps and forced "Wait"s (Figure 4a's points are both kinds)
    rows["BF"] = [{"cap": p["max_thinking_tokens"], "num_ignore": p["num_ignore"], "budget": p["max_thinking_tokens"],
                   "accuracy": p["accuracy"], "thinking_tokens": p["mean_thinking_tokens"], "ci_low": p["ci_low"],
                   "ci_high": p["ci_high"]} for p in summary["budget_forcing"]]
    samples = read_json(_output(run, "parallel", "sft_samples.json"))
    rows["RS"] = [dict(rejection_sample(samples["thinking_tokens"], samples["correct"], budget))
                  for budget in run.profile.control.rejection_budgets]
    metrics = {method: method_metrics(rows[method]) for method in ("BF", "TCC", "TCC + BF", "SCC", "SCC + BF", "RS")}
    metrics["CCC"] = dict(method_metrics(rows["CCC"]), control=sum(r["follows"] for r in rows["CCC"]) / 2)
    write_json(out / "control.json", {"rows": rows, "metrics": metrics, "max_step_tokens": max_step_tokens,
                                      "train_seconds": report["wall_s"]})


# -- the graph ------------------------------------------------------------------------------------
def _tiny_or(kind_is_tiny, tiny: tuple[str, ...], other: tuple[str, ...]):
    return lambda p: tiny if kind_is_tiny(p) else other


GRAPH: dict[str, Stage] = {stage.name: stage for stage in (
    Stage("sourcing", "data", (), _sourcing_settings,
          _tiny_or(lambda p: p.sourcing.kind == "tiny", ("s1kit.tiny.world",),
                   ("s1kit.sources", "s1kit.domains", "s1kit.chat_client")),
          _compute_sourcing, ("pool.jsonl", "test.jsonl", "dev.jsonl")),
    Stage("base_model", "models/base", (), _base_model_settings,
          _tiny_or(lambda p: p.base_model.kind == "train_tiny",
                   ("s1kit.tiny.instruct", "s1kit.tiny.model", "s1kit.tiny.tokenizer", "s1kit.training",
                    "s1kit.modeling"), ()),
          _compute_base_model, ("model.safetensors", "tokenizer.json", "train_report.json")),
    Stage("distillation", "traces", ("sourcing",), _distillation_settings,
          _tiny_or(lambda p: p.distillation.kind == "tiny_teacher", ("s1kit.tiny.teacher", "s1kit.tiny.world"), ()),
          _compute_distillation, ("traces.jsonl",)),
    Stage("difficulty", "difficulty", ("sourcing", "base_model"), _difficulty_settings,
          lambda p: ("s1kit.selection", "s1kit.engines", "s1kit.chat"), _compute_difficulty, ("verdicts.jsonl",)),
    Stage("selection", "s1k", ("sourcing", "base_model", "distillation", "difficulty"), _selection_settings,
          lambda p: ("s1kit.selection", "s1kit.tokenizer"), _compute_selection,
          ("s1k.jsonl", "candidates.jsonl", "funnel.json")),
    Stage("sft", "models/sft", ("base_model", "selection"), _sft_settings,
          lambda p: ("s1kit.training", "s1kit.modeling", "s1kit.tokenizer"), _compute_sft,
          ("model.safetensors", "tokenizer.json", "train_report.json"), all_ranks=True),
    Stage("evaluation", "results", ("sourcing", "base_model", "sft"), _evaluation_settings,
          lambda p: ("s1kit.evaluation", "s1kit.engines"), _compute_evaluation,
          ("summary.json", "generations.jsonl", "base_generations.jsonl", "sweep_seconds.json")),
    Stage("extrapolation", "experiments/extrapolation", ("sourcing", "sft", "evaluation"), _extrapolation_settings,
          lambda p: ("s1kit.evaluation", "s1kit.engines"), _compute_extrapolation,
          ("extrapolation.json", "generations.jsonl")),
    Stage("parallel", "experiments/parallel", ("sourcing", "base_model", "sft"), _parallel_settings,
          lambda p: ("s1kit.parallel", "s1kit.engines"), _compute_parallel,
          ("parallel.json", "base_samples.json", "sft_samples.json")),
    Stage("data_ablations", "experiments/data_ablations", ("sourcing", "base_model", "distillation", "evaluation"),
          _ablations_settings, lambda p: ("s1kit.selection", "s1kit.training", "s1kit.evaluation", "s1kit.engines",
                                          "s1kit.modeling", "s1kit.tokenizer", "s1kit.metrics"),
          _compute_data_ablations, ("ablations.json",)),
    Stage("control", "experiments/control", ("sourcing", "base_model", "selection", "evaluation", "parallel"),
          _control_settings, lambda p: ("s1kit.control", "s1kit.training", "s1kit.evaluation", "s1kit.engines",
                                        "s1kit.modeling", "s1kit.tokenizer"),
          _compute_control, ("control.json",)),
)}
STAGES = tuple(GRAPH)  # the pipeline's order


# -- opening a run --------------------------------------------------------------------------------
def open_run(profile: str | Profile, root: str | Path = "runs") -> RunDir:
    """Load (and validate) a profile, fix threads and seeds, and open its run directory.

    A relative ``root`` is taken from the repository root, so a notebook finds the same run
    whether Jupyter was started in the repository or in ``notebooks/``.
    """
    setup_logging()
    profile = load_profile(profile) if isinstance(profile, str) else profile
    # Several processes on one CPU machine (a gloo launch) share its threads.
    unknown = sorted(set(profile.worlds) - set(WORLDS))
    if unknown:
        from s1kit.config import ConfigError

        raise ConfigError(f"profile {profile.name}: worlds {unknown} are not contrast worlds; known: {sorted(WORLDS)}")
    torch.set_num_threads(max(1, profile.torch_threads // process_rank()[1]))
    torch.manual_seed(profile.seed)
    random.seed(profile.seed)
    return RunDir(profile, resolve_runs_root(root), GRAPH)


# The contrast worlds of chapter 7: each is the main world with one teacher setting changed.
WORLDS: dict[str, dict] = {
    "no_wait": {"style": "no_wait"},  # the teacher goes on silently: nothing in s1K follows "Wait"
    "weak_check": {"style": "weak_check"},  # never stops early; its check after "Wait" is weaker than its first pass
    "masked_wait": {"train_on_wait": False},  # the "Wait"s in s1K carry no loss: SFT teaches stopping at every pause
}


def world_variant(run: RunDir, world: str) -> RunDir:
    """A contrast world (one of ``WORLDS``): the same profile with one teacher setting changed.

    It lives in ``runs/<profile>/worlds/<world>/`` and shares the parent's pool, test set,
    base model and difficulty verdicts, so only distillation, selection, SFT and evaluation run
    again. Its evaluation sweeps k up to 2 (the k its verdicts compare), every other cap, and
    skips the dev split: a contrast world is read for the shape of its curves, and no choice is
    made on it.
    """
    if world not in WORLDS:
        raise ValueError(f"unknown world {world!r}; known worlds: {sorted(WORLDS)}")
    teacher = dataclasses.replace(run.profile.distillation.teacher, **WORLDS[world])
    main = run.profile.evaluation
    evaluation = dataclasses.replace(main, dev_sweep=False, caps=sorted(main.caps)[::2],
                                     num_ignores=[k for k in main.num_ignores if k <= 2])
    profile = dataclasses.replace(
        run.profile,
        name=f"{run.profile.name}/worlds/{world}",
        distillation=dataclasses.replace(run.profile.distillation, teacher=teacher),
        evaluation=evaluation,
    )
    return RunDir(profile, run.root.parent, GRAPH,
                  shared={"sourcing": run, "base_model": run, "difficulty": run})


# -- what notebooks call: make a stage current and return its artifacts ---------------------------
def sourcing(run: RunDir) -> dict:
    """The question pool and the held-out test and dev sets (``data/{pool,test,dev}.jsonl``)."""
    data = run.ensure("sourcing")
    return {name: read_jsonl(data / f"{name}.jsonl") for name in ("pool", "test", "dev")}


def base_model(run: RunDir) -> dict:
    """The base model: trained here (tiny stand-in for an instruct model) or a pretrained path."""
    stage = run.ensure("base_model")
    report = stage / "train_report.json"
    return {"path": base_model_path(run), "report": read_json(report) if report.exists() else None}


def base_model_path(run: RunDir) -> str:
    """Where the base model is: the profile's pretrained path, or the base-model stage's directory."""
    if run.profile.base_model.kind == "pretrained":
        return run.profile.base_model.path
    return str(run.stage_dir("base_model"))


def distillation(run: RunDir) -> list[dict]:
    """A reasoning trace for every pool question (``traces/traces.jsonl``)."""
    return read_jsonl(run.ensure("distillation") / "traces.jsonl")


def difficulty(run: RunDir) -> dict[str, bool]:
    """Which (sampled) pool questions the base model already solves (``difficulty/verdicts.jsonl``)."""
    return {row["id"]: row["solved"] for row in read_jsonl(run.ensure("difficulty") / "verdicts.jsonl")}


def selection(run: RunDir) -> dict:
    """Quality, difficulty and diversity filtering down to s1K (``s1k/s1k.jsonl``, ``s1k/funnel.json``)."""
    stage = run.ensure("selection")
    return {"s1k": read_jsonl(stage / "s1k.jsonl"), "candidates": read_jsonl(stage / "candidates.jsonl"),
            "funnel": read_json(stage / "funnel.json")}


def sft(run: RunDir) -> dict:
    """The base model fine-tuned on s1K (``models/sft``) and its training report."""
    stage = run.ensure("sft")
    report = stage / "train_report.json"
    return {"path": sft_model_path(run), "report": read_json(report) if report.exists() else None}


def extrapolation(run: RunDir) -> dict:
    """Table 4: "Hmm", "Alternatively" and no string in place of "Wait" (``experiments/extrapolation``).

    The rows of ``extrapolation.json``, plus ``generations``: every output, tagged with its string.
    """
    stage = run.ensure("extrapolation")
    return dict(read_json(stage / "extrapolation.json"), generations=read_jsonl(stage / "generations.jsonl"))


def parallel(run: RunDir) -> dict:
    """Figure 4b: majority-voting curves of the base and SFT models (``experiments/parallel``)."""
    return read_json(run.ensure("parallel") / "parallel.json")


def data_ablations(run: RunDir) -> dict:
    """Table 2: random, diverse, longest and full selections against s1K (``experiments/data_ablations``)."""
    return read_json(run.ensure("data_ablations") / "ablations.json")


def control(run: RunDir) -> dict:
    """Table 3: ways to control thinking, with Control / Scaling / Performance (``experiments/control``)."""
    return read_json(run.ensure("control") / "control.json")


def evaluation(run: RunDir) -> dict:
    """Base model answering directly, then both budget-forcing sweeps on the SFT model (``results/``)."""
    stage = run.ensure("evaluation")
    return {"summary": read_json(stage / "summary.json"), "generations": read_jsonl(stage / "generations.jsonl")}


def engine_for(run: RunDir, model_path: str, batch_size: int):
    """A decoding engine of the profile's kind (``evaluation.engine``) for a saved model."""
    from s1kit.engines import load_engine

    cfg = run.profile.evaluation
    return load_engine(cfg.engine, model_path, batch_size, cfg.vllm_kwargs, cfg.hf_attn_implementation)


def timings(run: RunDir) -> dict[str, float]:
    """Seconds each finished stage took when it last ran (from the stage records), in graph order."""
    out = {}
    for name in GRAPH:
        marker = run.marker(name)
        if marker:
            out[name] = marker["seconds"]
    return out
