"""Stage ``control`` (chapter 9, the paper's Table 3): budget forcing against the other ways to control thinking.

The conditional model (stage ``control_sft``: s1K with token-, step- and class-conditional
prompts, ``s1kit.control``) is evaluated with each kind of prompt; with ``control.class_prompts:
s1``, CCC runs s1's prompts on the SFT model instead, as s1 ran s1-32B. Budget forcing's rows
are the main sweep's points, rejection sampling draws from the parallel stage's samples.

Every method runs on the same questions: the test records of ``control.benchmarks`` (the paper:
AIME24 alone; ``[]``: all). BF's rows take the main sweep's accuracy on those benchmarks, RS's
the samples of those questions.

As every grading stage: everything is decoded first, each engine closed when its model is done,
and then all outputs are graded at once by the run's grader (``s1kit.judging``), whose judge (if
the profile names one) loads only after the evaluated models are gone.
"""

from __future__ import annotations

import dataclasses
import logging
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.control import (
    ControlConfig,
    benchmark_questions,
    class_prompts,
    method_metrics,
    rejection_sample,
    scc_decoding,
    step_instruction,
    token_instruction,
    tokens_before,
    with_instruction,
)
from s1kit.evaluation import benchmark_order, bootstrap_ci, forcing_options
from s1kit.experiments import evaluation, sft
from s1kit.experiments._engine import engine_for
from s1kit.experiments._grader import grader_for, grading_settings
from s1kit.experiments._paths import output, sft_model_path
from s1kit.jsonio import read_json, read_jsonl, write_json
from s1kit.judging import Grader, items_for
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.budget import Engine
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")

CONDITIONAL, SFT = "conditional", "sft"  # the models a setting runs on


@dataclass(frozen=True)
class Setting:
    """One decoding of Table 3's questions: a method's prompt on a model, with its forcing."""

    method: str  # the row list it belongs to ("TCC", ..., "CCC", "plain prompt", "CCC plain prompt")
    instruction: str | None  # appended to the question after a blank line; None: the plain question
    cap: int | None  # max_thinking_tokens
    budget: int | None  # the most thinking the run was asked for (its Control); None: no limit
    model: str = CONDITIONAL
    num_ignore: int = 0
    ignore_str: str | None = "Wait"
    count_to_answer: bool = False  # thinking counted up to the output's first answer delimiter (s1 markers)

    def row(self) -> dict:
        row = {"instruction": self.instruction, "cap": self.cap, "budget": self.budget}
        if self.ignore_str != "Wait":  # s1's step markers: the markers the model may write
            row["max_markers"] = self.num_ignore
        return row


def plan(config: ControlConfig, max_step_tokens: int) -> list[Setting]:
    """Every decoding the stage runs, in order: TCC and TCC + BF per token budget, SCC and SCC + BF
    per step budget, the conditional model's plain prompt, then CCC's short and long prompts (on
    the conditional model, or with ``class_prompts: s1`` on the SFT model, with its plain prompt
    as the reference CCC's control is judged against)."""
    settings = []
    for n in config.token_budgets:
        settings += [Setting("TCC", token_instruction(n), None, n), Setting("TCC + BF", token_instruction(n), n, n)]
    for n in config.step_budgets:
        for method, forced in (("SCC", False), ("SCC + BF", True)):
            d = scc_decoding(n, max_step_tokens, config.step_marker, forced)
            settings.append(Setting(method, step_instruction(n), d.max_thinking_tokens, d.budget,
                                    num_ignore=d.num_ignore, ignore_str=d.ignore_str,
                                    count_to_answer=d.count_to_answer))
    settings.append(Setting("plain prompt", None, None, None))
    model = CONDITIONAL if config.class_prompts == "s1kit" else SFT
    if model == SFT:
        settings.append(Setting("CCC plain prompt", None, None, None, model=SFT))
    settings += [Setting("CCC", prompt, None, None, model=model) for prompt in class_prompts(config.class_prompts)]
    return settings


def _load(engine: Engine | Callable[[], Engine]) -> Engine:
    return engine() if callable(engine) else engine


def decode(engine: Engine | Callable[[], Engine], settings: Sequence[Setting], questions: Sequence[str],
           max_answer_tokens: int | None, seed: int, options: dict) -> list[dict]:
    """Each setting's answer texts and thinking tokens on ``questions``; an engine given as a function
    that loads it is loaded here and closed when its settings are decoded."""
    model = _load(engine)
    chat = ChatFormat.from_tokenizer(model.tokenizer)
    delimiter = model.tokenizer.encode(chat.answer_delimiter, add_special_tokens=False)
    out = []
    for setting in settings:
        start = time.perf_counter()
        forcing = BudgetForcing(max_thinking_tokens=setting.cap, num_ignore=setting.num_ignore,
                                ignore_str=setting.ignore_str, max_answer_tokens=max_answer_tokens, seed=seed,
                                chat=chat, **options)
        prompts = [chat.thinking_prompt(with_instruction(q, setting.instruction) if setting.instruction else q)
                   for q in questions]
        results = budget_force(model, prompts, forcing)
        thinking = [tokens_before(r.output_ids, delimiter, r.thinking_tokens) if setting.count_to_answer
                    else r.thinking_tokens for r in results]
        out.append({"answers": [r.answer_text for r in results], "thinking_tokens": thinking})
        log.info("control %s (%s): decoded, %.1f thinking tokens (%.1fs)", setting.method, setting.instruction,
                 statistics.fmean(thinking), time.perf_counter() - start)
    if callable(engine):
        model.close()  # before the next model (or the judge) loads
    return out


def evaluate_control(engines: dict[str, Engine | Callable[[], Engine]], test: Sequence[dict], config: ControlConfig,
                     max_answer_tokens: int | None, benchmark: str, seed: int, max_step_tokens: int,
                     bootstrap_samples: int, grader: Grader | None = None,
                     options: dict | None = None) -> dict[str, list[dict]]:
    """Every conditional-control run of Table 3 on ``test``, as rows per method.

    ``engines``: the conditional model's (``"conditional"``) and, with ``class_prompts: s1``, the
    SFT model's (``"sft"``), each an engine or a function that loads it (then closed after its
    decodings). TCC and SCC run once per budget without and once with budget forcing
    (:func:`plan`); CCC runs the short and long prompts, and the plain prompt as the reference its
    control is judged against. Every output is graded after all decoding, in one call to
    ``grader`` (``benchmark``: the rules of records that name none). ``options``: the profile's
    forcing options (``s1kit.evaluation.forcing_options``).
    """
    grader = grader or Grader()
    settings = plan(config, max_step_tokens)
    questions = [t["question"] for t in test]
    decoded: dict[Setting, dict] = {}
    for model in (CONDITIONAL, SFT):
        mine = [s for s in settings if s.model == model]
        if mine:
            decoded.update(zip(mine, decode(engines[model], mine, questions, max_answer_tokens, seed, options or {}),
                               strict=True))
    verdicts = grader.grade_each([items_for(test, decoded[s]["answers"], benchmark) for s in settings])
    rows: dict[str, list[dict]] = {"TCC": [], "TCC + BF": [], "SCC": [], "SCC + BF": [], "CCC": []}
    for setting, correct in zip(settings, verdicts, strict=True):
        low, high = bootstrap_ci(correct, bootstrap_samples, seed=seed)
        thinking = decoded[setting]["thinking_tokens"]
        row = dict(setting.row(), accuracy=sum(correct) / len(correct), thinking_tokens=sum(thinking) / len(thinking),
                   ci_low=low, ci_high=high)
        rows.setdefault(setting.method, []).append(row)
        log.info("control %s (%s): accuracy %.3f, %.1f thinking tokens", setting.method, setting.instruction,
                 row["accuracy"], row["thinking_tokens"])
    short, _ = class_prompts(config.class_prompts)
    reference = rows.get("CCC plain prompt", rows["plain prompt"])[0]
    for row in rows["CCC"]:
        # the paper's CCC control: short thinks less than the plain prompt, long thinks more
        row["follows"] = (row["thinking_tokens"] < reference["thinking_tokens"]) == (row["instruction"] == short)
    return rows


def bf_rows(summary: dict, benchmarks: Sequence[str]) -> list[dict]:
    """BF's rows: every setting of the main sweep (caps and forced "Wait"s, Figure 4a's points), on
    ``benchmarks`` (their accuracy and thinking tokens, weighted by their questions when several;
    pooled when none is named)."""
    counts = summary.get("n_test_by_benchmark", {})
    total = sum(counts.get(b, 0) for b in benchmarks)

    def weighted(values: dict) -> float:  # several benchmarks: weighted by their questions
        return sum(values[b] * counts[b] for b in benchmarks) / total

    rows = []
    for p in summary["budget_forcing"]:
        row = {"cap": p["max_thinking_tokens"], "num_ignore": p["num_ignore"], "budget": p["max_thinking_tokens"]}
        if not benchmarks:
            row.update(accuracy=p["accuracy"], thinking_tokens=p["mean_thinking_tokens"], ci_low=p["ci_low"],
                       ci_high=p["ci_high"])
        elif len(benchmarks) == 1:
            (name,) = benchmarks
            low, high = p["ci_by_benchmark"][name]
            row.update(accuracy=p["accuracy_by_benchmark"][name],
                       thinking_tokens=p["thinking_tokens_by_benchmark"][name], ci_low=low, ci_high=high)
        else:
            row.update(accuracy=weighted(p["accuracy_by_benchmark"]),
                       thinking_tokens=weighted(p["thinking_tokens_by_benchmark"]),
                       ci_low=None, ci_high=None)  # no per-question verdicts here to bootstrap over
        rows.append(row)
    return rows


def rs_rows(samples: dict | None, ids: Sequence[str], test_ids: Sequence[str],
            budgets: Sequence[int]) -> tuple[list[dict], str]:
    """RS's rows from the SFT model's voting samples of Table 3's questions (``ids``), and "" - or
    no rows and why not, when the samples are not there.

    ``samples`` (the parallel stage's ``sft_samples.json``): ``thinking_tokens[q][i]`` and
    ``correct[q][i]`` of sample i of question q, the questions named by ``ids`` (those the stage
    sampled), or, in a file without ``ids``, every test question in test order (``test_ids``).
    """
    if not samples or not samples.get("thinking_tokens") or not samples.get("correct"):
        return [], "the parallel stage did not sample the SFT model (parallel/sft_samples.json has no samples)"
    thinking, correct = samples["thinking_tokens"], samples["correct"]
    sampled = samples.get("ids", test_ids)
    if len(thinking) != len(sampled) or len(correct) != len(sampled):
        return [], (f"parallel/sft_samples.json has samples of {len(thinking)} questions, not of the "
                    f"{len(sampled)} it names")
    where = {question: q for q, question in enumerate(sampled)}
    missing = [i for i in ids if i not in where]
    if missing:
        return [], (f"parallel/sft_samples.json has no samples of {len(missing)} of Table 3's {len(ids)} questions "
                    f"(the first: {missing[0]})")
    picks = [where[i] for i in ids]
    if any(not thinking[q] for q in picks):
        return [], "parallel/sft_samples.json has a question with no samples"
    mine_thinking, mine_correct = [thinking[q] for q in picks], [correct[q] for q in picks]
    return [dict(rejection_sample(mine_thinking, mine_correct, budget)) for budget in budgets], ""


def settings(p: Profile) -> dict:
    return {"seed": p.seed, "control": dataclasses.asdict(p.control), "sft": sft.settings(p),
            "evaluation": evaluation.settings(p), "grading": grading_settings(p)}


def compute(run: RunDir, out: Path) -> None:
    from s1kit.sources import benchmark_name

    cfg, seed, control = run.profile.evaluation, run.profile.seed, run.profile.control
    if not control.enabled:
        log.info("control methods: control.enabled is false in profile %s; nothing trained", run.profile.name)
        write_json(out / "control.json", {"rows": {}, "metrics": {}, "skipped": "control.enabled is false"})
        return
    report = read_json(output(run, "control_sft", "train_report.json"))
    max_step_tokens = report["max_step_tokens"]
    everything = read_jsonl(output(run, "sourcing", "test.jsonl"))
    keep = benchmark_questions(everything, control.benchmarks)
    test = [everything[i] for i in keep]
    names = benchmark_order([benchmark_name(t) for t in test])
    log.info("control methods: %d questions (%s)", len(test), ", ".join(names))

    def conditional() -> Engine:
        return engine_for(run, str(run.stage_dir("control_sft")), cfg.batch_size)

    def tuned() -> Engine:
        return engine_for(run, sft_model_path(run), cfg.batch_size)

    grader = grader_for(run)
    rows = evaluate_control({CONDITIONAL: conditional, SFT: tuned}, test, control, cfg.max_answer_tokens,
                            cfg.benchmark, seed, max_step_tokens, cfg.bootstrap_samples, grader, forcing_options(cfg))
    summary = read_json(output(run, "evaluation", "summary.json"))
    rows["BF"] = bf_rows(summary, names if control.benchmarks else [])
    samples_path = output(run, "parallel", "sft_samples.json")
    rows["RS"], rs_skipped = rs_rows(read_json(samples_path) if samples_path.exists() else None,
                                     [t["id"] for t in test], [t["id"] for t in everything],
                                     control.rejection_budgets)
    methods = ("BF", "TCC", "TCC + BF", "SCC", "SCC + BF") + (("RS",) if rows["RS"] else ())
    metrics = {method: method_metrics(rows[method]) for method in methods}
    metrics["CCC"] = dict(method_metrics(rows["CCC"]), control=sum(r["follows"] for r in rows["CCC"]) / 2)
    result = {"rows": rows, "metrics": metrics, "max_step_tokens": max_step_tokens, "train_seconds": report["wall_s"],
              "benchmarks": names, "n_questions": len(test), "class_prompts": control.class_prompts,
              "step_marker": control.step_marker,
              "judge": {b: grader.counts[b] for b in benchmark_order(grader.counts)}}
    if rs_skipped:
        log.warning("control methods: rejection sampling not run: %s", rs_skipped)
        result["skipped_methods"] = {"RS": rs_skipped}
    write_json(out / "control.json", result)


STAGE = Stage("control", "experiments/control", ("sourcing", "control_sft", "evaluation", "parallel"),
              settings, compute, reference=("control.json",))
