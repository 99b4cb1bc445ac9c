"""Evaluation: the base model answering directly, and budget-forcing sweeps of the SFT model.

A sweep point is one :class:`s1kit.budget.BudgetForcing` setting run over the whole held-out
set. It reports accuracy (with a percentile-bootstrap 95% interval over questions), the mean
number of thinking tokens (the x-axis of the paper's Figure 1), how often the cap fired and
how many ignores were used.

Differences that a verdict rests on (SFT against the base model, k forced "Wait"s against
none) get a paired bootstrap interval (:func:`s1kit.metrics.paired_bootstrap`). Choices, such
as the best number of "Wait"s, are made on a separate dev split, never on the test set.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Sequence

from s1kit.budget import BudgetForcing, Engine, ForcingResult, answer_directly, budget_force
from s1kit.chat import ChatFormat
from s1kit.grading import Benchmark, GradingOptions, Judge, grade
from s1kit.judging import Grader, items_for
from s1kit.metrics import paired_bootstrap
from s1kit.sources import benchmark_name

log = logging.getLogger("s1kit")


@dataclass(frozen=True)
class EvaluationConfig:
    """The held-out evaluation: base model answering directly, then two budget-forcing sweeps.

    Defaults: the tiny profile. ``batch_size`` and ``vllm_kwargs`` change how fast the sweeps
    run, not their results, so they are not part of the stage's cache key.
    """

    engine: Literal["hf", "vllm"] = "hf"
    batch_size: int = 256
    max_answer_tokens: int | None = 32  # None: the answer may use the rest of the context, as in s1
    base_max_answer_tokens: int | None = 48
    caps: list[int] = field(default_factory=lambda: [16, 32, 48, 64, 96])
    num_ignores: list[int] = field(default_factory=lambda: [0, 1, 2, 4, 6, 8])
    cap_sweep_num_ignore: int = 0  # the cap sweep of Figure 1 (left) cuts the model's own thinking
    dev_sweep: bool = True  # run the ignore sweep on the dev split too and pick the best k there
    ignore_str: str = "Wait"
    # Table 4: other strings appended instead of "Wait" (None: suppress the end, append nothing)
    extrapolation_strings: list[str | None] = field(default_factory=lambda: ["Hmm", "Alternatively", None])
    extrapolation_num_ignore: int = 2  # the paper's "2x"
    # Figure 4b: majority voting over temperature-1 samples, the base model and the SFT model
    vote_sizes: list[int] = field(default_factory=lambda: [1, 2, 4])
    vote_temperature: float = 1.0
    benchmark: Benchmark = "tiny"  # how answers are graded (s1kit.grading.grade)
    bootstrap_samples: int = 1000
    vllm_kwargs: dict = field(default_factory=dict)  # passed to vllm.LLM (tensor_parallel_size, ...)
    # the HF engine's attention kernel ("" keeps the model's own); for the tiny model on a CPU, eager
    # decoded a 500-prompt k = 2 sweep in 5.8 s against sdpa's 6.8-7.4 s, with the same tokens
    hf_attn_implementation: str = "eager"
    # An LLM judge for answers math-verify cannot decide (s1 used gpt-4o-mini); {} = off, the default.
    # {"base_url": "http://127.0.0.1:8000/v1", "model": "...", "api_key_env": "OPENAI_API_KEY"}
    # {"model": "base"} asks the profile's base model, served in-process by the evaluation engine;
    # {"model": DIR-or-Hub-id} another local model; s1's paper profiles turn it on (s1kit.judging).
    judge: dict = field(default_factory=dict)
    # s1's grading and forcing details, each listed in the README's "Where s1kit differs from s1";
    # the defaults are s1kit's, the paper recipes take s1's side
    answer_after: Literal["last", "first"] = "last"  # nothing boxed: the answer follows the last/first "Answer:"
    gpqa_unreadable: str | None = None  # s1 counts a GPQA answer nobody can read as "A"; None: wrong
    forced_answer_newline: Literal["always", "if_missing"] = "always"  # "\n" before the cap's forced answer
    # Figure 4b: which models vote (s1 voted the base model only; the tiny study also votes the SFT model)
    vote_models: list[str] = field(default_factory=lambda: ["base", "sft"])
    # pass@1 as a mean over n samples (with its spread), beside greedy, on the named benchmarks ([]: all)
    samples: int = 0
    sample_temperature: float = 0.6
    sample_top_p: float = 0.95
    sample_benchmarks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.gpqa_unreadable is not None and self.gpqa_unreadable not in ("A", "B", "C", "D"):
            raise ValueError(f"evaluation.gpqa_unreadable must be a letter A-D or null, got {self.gpqa_unreadable!r}")
        unknown = [m for m in self.vote_models if m not in ("base", "sft")]
        if unknown:
            raise ValueError(f"evaluation.vote_models may name 'base' and 'sft', got {self.vote_models}")
        if self.samples < 0:
            raise ValueError(f"evaluation.samples must be >= 0, got {self.samples}")
        if self.samples and (self.sample_temperature <= 0 or not 0 < self.sample_top_p <= 1):
            raise ValueError("evaluation.samples needs sample_temperature > 0 and 0 < sample_top_p <= 1")
        for cap in self.caps:
            if cap <= 0:
                raise ValueError(f"evaluation.caps must be positive, got {cap}")
        for k in self.num_ignores:
            if k < 0:
                raise ValueError(f"evaluation.num_ignores must be >= 0, got {k}")
        if "" in self.extrapolation_strings:
            raise ValueError("evaluation.extrapolation_strings: use null, not '', for 'append nothing'")
        if not self.vote_sizes or min(self.vote_sizes) <= 0:
            raise ValueError(f"evaluation.vote_sizes must be positive, got {self.vote_sizes}")
        if self.vote_temperature <= 0:
            raise ValueError(f"evaluation.vote_temperature must be > 0, got {self.vote_temperature}")


def bootstrap_ci(correct: Sequence[bool], samples: int, seed: int) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean of ``correct``."""
    if not correct:
        raise ValueError("cannot bootstrap an empty result")
    rng = random.Random(seed)
    n = len(correct)
    values = [float(c) for c in correct]
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(samples))
    return means[int(0.025 * (samples - 1))], means[int(0.975 * (samples - 1))]


@dataclass
class SweepPoint:
    max_thinking_tokens: int | None
    num_ignore: int
    accuracy: float
    ci_low: float
    ci_high: float
    mean_thinking_tokens: float
    n: int
    cap_fired_rate: float
    mean_ignores_used: float
    seconds: float
    # the same per benchmark (by short name): accuracy, its 95% bootstrap interval, mean thinking tokens
    accuracy_by_benchmark: dict[str, float] = field(default_factory=dict)
    ci_by_benchmark: dict[str, list[float]] = field(default_factory=dict)
    thinking_tokens_by_benchmark: dict[str, float] = field(default_factory=dict)


def grade_results(results: Sequence[ForcingResult], answers: Sequence[str],
                  benchmark: Benchmark | Sequence[Benchmark], judge: Judge | None = None,
                  questions: Sequence[str] | None = None) -> list[bool]:
    """Grade each output's answer section against its reference (:func:`s1kit.grading.grade`).

    ``benchmark`` is one name for all, or one per question (a test set mixing AIME24, MATH500 and
    GPQA). ``judge`` (optional) decides what the rules cannot, seeing the question.
    """
    benchmarks = [benchmark] * len(results) if isinstance(benchmark, str) else list(benchmark)
    questions = list(questions) if questions is not None else [""] * len(results)
    return [grade(r.answer_text, a, b, judge, q)
            for r, a, b, q in zip(results, answers, benchmarks, questions, strict=True)]


def judge_from_config(settings: dict) -> Judge | None:
    """The optional judge of an ``evaluation.judge`` mapping (its key is read from the named variable)."""
    if not settings:
        return None
    from s1kit.chat_client import ChatClient

    return Judge(ChatClient.from_settings(settings, "evaluation.judge"))


def run_point(
    engine: Engine,
    questions: Sequence[str],
    answers: Sequence[str],
    config: BudgetForcing,
    benchmark: Benchmark | Sequence[Benchmark] = "tiny",
    bootstrap_samples: int = 1000,
    judge: Judge | None = None,
) -> tuple[SweepPoint, list[ForcingResult], list[bool]]:
    """Budget-force every question with ``config`` and grade the answers."""
    start = time.perf_counter()
    prompts = [config.chat.thinking_prompt(q) for q in questions]
    results = budget_force(engine, prompts, config)
    correct = grade_results(results, answers, benchmark, judge, questions)
    low, high = bootstrap_ci(correct, bootstrap_samples, seed=config.seed)
    n = len(results)
    point = SweepPoint(
        max_thinking_tokens=config.max_thinking_tokens,
        num_ignore=config.num_ignore,
        accuracy=sum(correct) / n,
        ci_low=low,
        ci_high=high,
        mean_thinking_tokens=sum(r.thinking_tokens for r in results) / n,
        n=n,
        cap_fired_rate=sum(r.cap_fired for r in results) / n,
        mean_ignores_used=sum(r.ignores_used for r in results) / n,
        seconds=round(time.perf_counter() - start, 2),
    )
    log.info(
        "budget forcing N=%s k=%d: accuracy %.3f, %.1f thinking tokens (%.1fs)",
        config.max_thinking_tokens, config.num_ignore, point.accuracy, point.mean_thinking_tokens, point.seconds,
    )
    return point, results, correct


def direct_accuracy(
    engine: Engine,
    questions: Sequence[str],
    answers: Sequence[str],
    max_answer_tokens: int | None,
    benchmark: Benchmark | Sequence[Benchmark] = "tiny",
    chat: ChatFormat | None = None,
    judge: Judge | None = None,
) -> tuple[float, list[ForcingResult], list[bool]]:
    """Accuracy of a model answering the plain chat prompt with no thinking phase."""
    chat = chat or ChatFormat()
    results = answer_directly(engine, [chat.user_prompt(q) for q in questions],
                              BudgetForcing(max_answer_tokens=max_answer_tokens, chat=chat))
    correct = grade_results(results, answers, benchmark, judge, questions)
    return sum(correct) / len(correct), results, correct


def held_out_columns(records: Sequence[dict], default_benchmark: Benchmark) -> tuple[list, list, list]:
    """Questions, reference answers and graders of held-out records (Hub records name their own benchmark)."""
    return ([r["question"] for r in records], [r["answer"] for r in records],
            [r.get("benchmark", default_benchmark) for r in records])


def point_index(summary: dict, max_thinking_tokens: int | None, num_ignore: int) -> int:
    """Where the sweep point (N, k) is in ``summary["budget_forcing"]`` (and in ``generations.jsonl``)."""
    for index, p in enumerate(summary["budget_forcing"]):
        if p["max_thinking_tokens"] == max_thinking_tokens and p["num_ignore"] == num_ignore:
            return index
    raise KeyError(f"no sweep point with N={max_thinking_tokens}, k={num_ignore}")


def best_num_ignore(accuracy_by_k: dict[int, float]) -> int:
    """The number of forced "Wait"s with the highest (dev) accuracy; the smallest such k on a tie."""
    if not accuracy_by_k:
        raise ValueError("no accuracies to choose the best k from")
    return min(accuracy_by_k, key=lambda k: (-accuracy_by_k[k], k))


def sweep_configs(config: EvaluationConfig, seed: int, chat: ChatFormat | None = None) -> list[BudgetForcing]:
    """The cap sweep (k = ``cap_sweep_num_ignore``, growing N, then no cap) and the ignore sweep (no cap, growing k)."""
    chat = chat or ChatFormat()

    def make(n: int | None, k: int) -> BudgetForcing:
        return BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=config.ignore_str,
                             max_answer_tokens=config.max_answer_tokens, seed=seed, chat=chat,
                             **forcing_options(config))

    points = [make(n, config.cap_sweep_num_ignore) for n in sorted(config.caps)]
    points.append(make(None, config.cap_sweep_num_ignore))
    points += [make(None, k) for k in sorted(config.num_ignores) if k != config.cap_sweep_num_ignore]
    return points


class FinishedPoints:
    """Sweep points already decoded, each kept on disk the moment it finishes: an interrupted
    evaluation (a multi-hour sweep at paper scale) resumes at the first point it had not finished.

    ``directory`` must be named by everything the points depend on (the stage's key does that,
    ``s1kit.experiments._paths.checkpoint_dir``); None keeps nothing. A point is written to a
    temporary file and renamed, so a point is either whole on disk or absent.
    """

    def __init__(self, directory: Path | str | None):
        self.directory = Path(directory) if directory else None
        self.reused: list[str] = []

    def get_or_compute(self, name: str, compute: Callable[[], dict]) -> dict:
        if self.directory is None:
            return compute()
        path = self.directory / f"{name}.json"
        if path.exists():
            self.reused.append(name)
            log.info("%s: finished before the interruption, reused", name)
            return json.loads(path.read_text())
        value = compute()
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".partial-{os.getpid()}")
        partial.write_text(json.dumps(value))
        partial.replace(path)
        return value


@dataclass
class SweepRun:
    """Everything one evaluation wrote: the summary (the results contract) and per-question rows."""

    summary: dict
    generations: list[dict]
    base_generations: list[dict]
    seconds: list[float]


ALL_BENCHMARKS = "all"  # the name of paired rows over every held-out question together


def grading_options(config: EvaluationConfig) -> GradingOptions:
    """The grading options a profile sets (s1's answer position and GPQA fallback, or s1kit's)."""
    return GradingOptions(answer_after=config.answer_after, gpqa_unreadable=config.gpqa_unreadable)


def forcing_options(config: EvaluationConfig) -> dict:
    """The forcing settings every stage's :class:`s1kit.budget.BudgetForcing` takes from the profile."""
    return {"cap_newline": config.forced_answer_newline}


def _load(engine: Engine | Callable[[], Engine]) -> Engine:
    return engine() if callable(engine) else engine


def benchmark_order(names: Sequence[str]) -> list[str]:
    """Benchmark names in the paper's column order (AIME24, MATH500, GPQA Diamond), then the rest."""
    from s1kit.paper import BENCHMARK_NAMES

    known = list(BENCHMARK_NAMES)
    return sorted(set(names), key=lambda n: (known.index(n) if n in known else len(known), n))


def _mean(values: Sequence[bool]) -> float:
    return sum(values) / len(values)


def evaluate(base_engine: Engine | Callable[[], Engine], tuned_engine: Engine | Callable[[], Engine],
             test: Sequence[dict], config: EvaluationConfig,
             seed: int, profile_name: str, dev: Sequence[dict] = (),
             finished: FinishedPoints | None = None, grader: Grader | None = None) -> SweepRun:
    """The base model answering directly, then every sweep point on the fine-tuned model; then grading.

    Decoding comes first and grading after, as s1 graded: the evaluated models are released
    before ``grader`` (:class:`s1kit.judging.Grader`; rules only by default) asks its judge, in one
    batch, about what the rules leave open. ``summary`` keeps the results contract: ``profile``,
    ``n_test``, ``base_model_accuracy`` and a ``budget_forcing`` list of :class:`SweepPoint` fields
    (wall times go to ``seconds`` instead, so that two runs of the same config give byte-identical
    summaries). Every accuracy also comes per benchmark, keyed by short name (``aime24``,
    ``math500``, ``gpqa_diamond``; ``tiny``): ``base_model_accuracy_by_benchmark``,
    ``n_test_by_benchmark`` and each point's ``accuracy_by_benchmark``. ``paired``: per
    benchmark, the SFT model at k = 0 against the base model and every k against k = 0, each with
    a paired bootstrap interval. ``judge``: per benchmark, how many outputs went to the judge and
    how many verdicts it changed. With ``config.samples`` = n, each point also reports, on
    ``config.sample_benchmarks``, pass@1 as the mean over n sampled runs and its spread
    (``accuracy_samples``). With a ``dev`` split, ``dev``: the ignore sweep's accuracy there and
    the best k it picks (:func:`best_num_ignore`). ``finished``: the decodings an interrupted
    run already kept, reused (the summary is the same either way). An engine may be given as a
    function that loads it: it is then loaded only when needed and closed when done (two vLLM
    engines at paper scale do not fit the GPUs at once).
    """
    finished = finished or FinishedPoints(None)
    grader = grader or Grader(grading_options(config))
    questions = [t["question"] for t in test]

    def base_decoding() -> dict:
        engine = _load(base_engine)
        chat = ChatFormat.from_tokenizer(engine.tokenizer)
        results = answer_directly(engine, [chat.user_prompt(q) for q in questions],
                                  BudgetForcing(max_answer_tokens=config.base_max_answer_tokens, chat=chat))
        if callable(base_engine):
            engine.close()
        return {"rows": [{"id": t["id"], "answer_text": r.answer_text, "hit_answer_budget": r.hit_answer_budget}
                         for t, r in zip(test, results, strict=True)]}

    base = finished.get_or_compute("base", base_decoding)
    tuned = _load(tuned_engine)
    chat = ChatFormat.from_tokenizer(tuned.tokenizer)
    forcings = sweep_configs(config, seed, chat)
    decoded = []
    for index, forcing in enumerate(forcings):
        def sweep_decoding(forcing: BudgetForcing = forcing, index: int = index) -> dict:
            start = time.perf_counter()
            results = budget_force(tuned, [chat.thinking_prompt(q) for q in questions], forcing)
            return {"seconds": round(time.perf_counter() - start, 2),
                    "rows": [{"point": index, "id": t["id"], "thinking": r.thinking_text,
                              "answer_text": r.answer_text, "thinking_tokens": r.thinking_tokens,
                              "ignores_used": r.ignores_used, "cap_fired": r.cap_fired}
                             for t, r in zip(test, results, strict=True)]}

        decoded.append(finished.get_or_compute(
            f"point-{index}-N{forcing.max_thinking_tokens}-k{forcing.num_ignore}", sweep_decoding))
        log.info("budget forcing N=%s k=%d decoded (%.1fs)", forcing.max_thinking_tokens, forcing.num_ignore,
                 decoded[-1]["seconds"])
    sampled_test = [t for t in test if not config.sample_benchmarks or benchmark_name(t) in config.sample_benchmarks]
    sampled = []
    if config.samples and sampled_test:
        for index, forcing in enumerate(forcings):
            sampling = dataclasses.replace(forcing, temperature=config.sample_temperature, top_p=config.sample_top_p)

            def sample_decoding(sampling: BudgetForcing = sampling) -> dict:
                prompts = [chat.thinking_prompt(t["question"]) for t in sampled_test for _ in range(config.samples)]
                return {"answers": [r.answer_text for r in budget_force(tuned, prompts, sampling)]}

            sampled.append(finished.get_or_compute(f"samples-{index}", sample_decoding)["answers"])
    dev_decoded = {}
    if dev and config.dev_sweep:
        dev_decoded = decode_dev(tuned, dev, config, seed, finished)
    if callable(tuned_engine):
        tuned.close()  # released before the judge loads

    # grading: every output at once, so that the judge (if any) is loaded once and asked in one batch
    groups = [items_for(test, [r["answer_text"] for r in base["rows"]], config.benchmark)]
    groups += [items_for(test, [r["answer_text"] for r in d["rows"]], config.benchmark) for d in decoded]
    repeated = [t for t in sampled_test for _ in range(config.samples)]
    groups += [items_for(repeated, answers, config.benchmark) for answers in sampled]
    groups += [items_for(dev, answers, config.benchmark) for answers in dev_decoded.values()]
    verdicts = grader.grade_each(groups)
    base_correct, verdicts = verdicts[0], verdicts[1:]
    correct_by_point, verdicts = verdicts[:len(decoded)], verdicts[len(decoded):]
    sample_correct, dev_correct = verdicts[:len(sampled)], verdicts[len(sampled):]

    names = [benchmark_name(t) for t in test]
    benchmarks = benchmark_order(names)

    def on(values: Sequence, benchmark: str) -> list:
        """The entries of a per-question list that belong to ``benchmark``."""
        return [v for v, n in zip(values, names, strict=True) if n == benchmark]

    def by_benchmark(correct: Sequence[bool]) -> dict[str, float]:
        return {b: _mean(on(correct, b)) for b in benchmarks}

    points, generations = [], []
    for forcing, done, correct in zip(forcings, decoded, correct_by_point, strict=True):
        rows = done["rows"]
        low, high = bootstrap_ci(correct, config.bootstrap_samples, seed=forcing.seed)
        point = SweepPoint(
            max_thinking_tokens=forcing.max_thinking_tokens, num_ignore=forcing.num_ignore,
            accuracy=_mean(correct), ci_low=low, ci_high=high,
            mean_thinking_tokens=sum(r["thinking_tokens"] for r in rows) / len(rows), n=len(rows),
            cap_fired_rate=sum(r["cap_fired"] for r in rows) / len(rows),
            mean_ignores_used=sum(r["ignores_used"] for r in rows) / len(rows), seconds=done["seconds"],
            accuracy_by_benchmark=by_benchmark(correct),
            ci_by_benchmark={b: list(bootstrap_ci(on(correct, b), config.bootstrap_samples, seed=forcing.seed))
                             for b in benchmarks},
            thinking_tokens_by_benchmark={b: statistics.fmean(r["thinking_tokens"] for r in on(rows, b))
                                          for b in benchmarks})
        points.append(point)
        generations += [dict(row, correct=c) for row, c in zip(rows, correct, strict=True)]
        log.info("budget forcing N=%s k=%d: accuracy %.3f, %.1f thinking tokens", point.max_thinking_tokens,
                 point.num_ignore, point.accuracy, point.mean_thinking_tokens)
    base_rows = [dict(row, correct=c) for row, c in zip(base["rows"], base_correct, strict=True)]
    summary = {
        "profile": profile_name,
        "n_test": len(test),
        "n_test_by_benchmark": {b: names.count(b) for b in benchmarks},
        "base_model_accuracy": _mean(base_correct),
        "base_model_accuracy_by_benchmark": by_benchmark(base_correct),
        # answers the base model did not finish within base_max_answer_tokens: a cut-off answer is
        # graded wrong, so a high rate would make the base point a truncation, not a skill
        "base_model_cut_off_rate": sum(r["hit_answer_budget"] for r in base["rows"]) / len(base["rows"]),
        "budget_forcing": [{k: v for k, v in dataclasses.asdict(p).items() if k != "seconds"} for p in points],
        # per benchmark: outputs the judge was asked about, verdicts it changed ({} when there is no judge)
        "judge": {b: grader.counts.get(b, {"asked": 0, "changed": 0}) for b in benchmarks} if grader.judge else {},
    }
    if sampled:
        sampled_names = [benchmark_name(t) for t in repeated]
        for point, correct in zip(summary["budget_forcing"], sample_correct, strict=True):
            point["accuracy_samples"] = sample_spread(correct, sampled_names, config.samples)
    summary["paired"] = [dict(row, benchmark=b) for b in benchmarks for row in paired_comparisons(
        points, [on(cs, b) for cs in correct_by_point], on(base_correct, b), config.bootstrap_samples, seed)]
    if len(benchmarks) > 1:  # also over all questions together ("all"): to describe the run, never set beside a paper cell
        summary["paired"] += [dict(row, benchmark=ALL_BENCHMARKS) for row in paired_comparisons(
            points, correct_by_point, base_correct, config.bootstrap_samples, seed)]
    if dev_decoded:
        accuracy = {k: _mean(c) for k, c in zip(dev_decoded, dev_correct, strict=True)}
        best = best_num_ignore(accuracy)
        log.info("dev split (%d questions): best k = %d (%.3f)", len(dev), best, accuracy[best])
        summary["dev"] = {"n": len(dev), "accuracy_by_num_ignore": {str(k): a for k, a in sorted(accuracy.items())},
                          "best_num_ignore": best}
    return SweepRun(summary, generations, base_rows, [p.seconds for p in points])


def sample_spread(correct: Sequence[bool], names: Sequence[str], samples: int) -> dict[str, dict]:
    """Per benchmark, pass@1 over ``samples`` sampled runs: the mean of the runs' accuracies and their
    standard deviation (``correct`` is question-major: each question's samples together)."""
    out = {}
    for b in benchmark_order(names):
        mine = [c for c, n in zip(correct, names, strict=True) if n == b]
        runs = [_mean(mine[s::samples]) for s in range(samples)]
        out[b] = {"mean": statistics.fmean(runs), "std": statistics.pstdev(runs) if samples > 1 else 0.0,
                  "n": samples}
    return out


def decode_dev(engine: Engine, dev: Sequence[dict], config: EvaluationConfig, seed: int,
               finished: FinishedPoints | None = None) -> dict[int, list[str]]:
    """The ignore sweep (no cap) on the dev split: each k's answer texts, to be graded."""
    finished = finished or FinishedPoints(None)
    chat = ChatFormat.from_tokenizer(engine.tokenizer)
    prompts = [chat.thinking_prompt(d["question"]) for d in dev]
    out = {}
    for forcing in sweep_configs(config, seed, chat):
        if forcing.max_thinking_tokens is None:
            def dev_decoding(forcing: BudgetForcing = forcing) -> dict:
                return {"answers": [r.answer_text for r in budget_force(engine, prompts, forcing)]}

            out[forcing.num_ignore] = finished.get_or_compute(f"dev-k{forcing.num_ignore}", dev_decoding)["answers"]
    return out


def paired_comparisons(points: Sequence[SweepPoint], correct_by_point: Sequence[Sequence[bool]],
                       base_correct: Sequence[bool], samples: int, seed: int) -> list[dict]:
    """Gains a verdict rests on, in accuracy (0..1) with paired 95% intervals, like for like.

    ``sft_vs_base``: the SFT model with no forcing (k = 0, no cap) against the base model; the
    paper's Table 1 step from Qwen2.5-32B-Instruct to "s1 w/o budget forcing".
    ``k_vs_0``: k forced "Wait"s against none, both uncapped; Table 1's step to s1 with forcing.
    """
    uncapped = {p.num_ignore: i for i, p in enumerate(points) if p.max_thinking_tokens is None}
    if 0 not in uncapped:
        return []
    unforced = correct_by_point[uncapped[0]]
    rows = []
    gain, low, high = paired_bootstrap(base_correct, unforced, samples, seed)
    rows.append({"comparison": "sft_vs_base", "num_ignore": 0, "gain": gain, "ci_low": low, "ci_high": high})
    for k, index in sorted(uncapped.items()):
        if k:
            gain, low, high = paired_bootstrap(unforced, correct_by_point[index], samples, seed)
            rows.append({"comparison": "k_vs_0", "num_ignore": k, "gain": gain, "ci_low": low, "ci_high": high})
    return rows


def dev_choice(engine: Engine, dev: Sequence[dict], config: EvaluationConfig, seed: int,
               finished: FinishedPoints | None = None, grader: Grader | None = None) -> dict:
    """The ignore sweep (no cap) on the dev split, and the best k it picks."""
    grader = grader or Grader(grading_options(config))
    decoded = decode_dev(engine, dev, config, seed, finished)
    correct = grader.grade_each([items_for(dev, answers, config.benchmark) for answers in decoded.values()])
    accuracy = {k: _mean(c) for k, c in zip(decoded, correct, strict=True)}
    best = best_num_ignore(accuracy)
    return {"n": len(dev), "accuracy_by_num_ignore": {str(k): a for k, a in sorted(accuracy.items())},
            "best_num_ignore": best}
