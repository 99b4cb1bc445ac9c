"""Stage ``control`` (chapter 9, the paper's Table 3): budget forcing against the other ways to control thinking.

The conditional model (stage ``control_sft``: s1K with token-, step- and class-conditional
prompts, ``s1kit.control``) is evaluated with each kind of prompt; budget forcing's rows are the main sweep's points,
rejection sampling draws from the parallel stage's samples.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from s1kit.budget import BudgetForcing
from s1kit.chat import ChatFormat
from s1kit.control import (
    LONG_PROMPT,
    SHORT_PROMPT,
    ControlConfig,
    method_metrics,
    rejection_sample,
    step_instruction,
    token_instruction,
    with_instruction,
)
from s1kit.evaluation import held_out_columns, run_point
from s1kit.experiments import evaluation, sft
from s1kit.experiments._engine import engine_for
from s1kit.experiments._paths import output
from s1kit.jsonio import read_json, read_jsonl, write_json
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def evaluate_control(engine, test: Sequence[dict], config: ControlConfig, max_answer_tokens: int | None,
                     benchmark: str, seed: int, max_step_tokens: int, bootstrap_samples: int) -> dict[str, list[dict]]:
    """Every conditional-control run of Table 3 on the conditional model, as rows per method.

    TCC and SCC run once per budget without and once with budget forcing (a cap of N tokens, or
    N steps' worth: N x ``max_step_tokens``); CCC runs the short and long prompts, and the plain
    prompt as the reference its control is judged against.
    """
    chat = ChatFormat.from_tokenizer(engine.tokenizer)
    _, answers, graders = held_out_columns(test, benchmark)  # each record graded by its own benchmark

    def run(instruction: str | None, cap: int | None, budget: int | None) -> dict:
        questions = [with_instruction(t["question"], instruction) if instruction else t["question"] for t in test]
        forcing = BudgetForcing(max_thinking_tokens=cap, max_answer_tokens=max_answer_tokens, seed=seed, chat=chat)
        point, _, _ = run_point(engine, questions, answers, forcing, graders, bootstrap_samples)
        return {"instruction": instruction, "cap": cap, "budget": budget, "accuracy": point.accuracy,
                "thinking_tokens": point.mean_thinking_tokens, "ci_low": point.ci_low, "ci_high": point.ci_high}

    rows: dict[str, list[dict]] = {"TCC": [], "TCC + BF": [], "SCC": [], "SCC + BF": [], "CCC": []}
    for n in config.token_budgets:
        rows["TCC"].append(run(token_instruction(n), None, n))
        rows["TCC + BF"].append(run(token_instruction(n), n, n))
    for n in config.step_budgets:
        rows["SCC"].append(run(step_instruction(n), None, n * max_step_tokens))
        rows["SCC + BF"].append(run(step_instruction(n), n * max_step_tokens, n * max_step_tokens))
    plain = run(None, None, None)
    for prompt in (SHORT_PROMPT, LONG_PROMPT):
        row = run(prompt, None, None)
        # the paper's CCC control: short thinks less than the plain prompt, long thinks more
        row["follows"] = (row["thinking_tokens"] < plain["thinking_tokens"]) == (prompt == SHORT_PROMPT)
        rows["CCC"].append(row)
    rows["plain prompt"] = [plain]
    return rows


def settings(p: Profile) -> dict:
    return {"seed": p.seed, "control": dataclasses.asdict(p.control), "sft": sft.settings(p),
            "evaluation": evaluation.settings(p)}


def compute(run: RunDir, out: Path) -> None:
    cfg, seed = run.profile.evaluation, run.profile.seed
    if not run.profile.control.enabled:
        log.info("control methods: control.enabled is false in profile %s; nothing trained", run.profile.name)
        write_json(out / "control.json", {"rows": {}, "metrics": {}, "skipped": "control.enabled is false"})
        return
    report = read_json(output(run, "control_sft", "train_report.json"))
    max_step_tokens = report["max_step_tokens"]
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    engine = engine_for(run, str(run.stage_dir("control_sft")), cfg.batch_size)
    rows = evaluate_control(engine, test, run.profile.control, cfg.max_answer_tokens, cfg.benchmark, seed,
                            max_step_tokens, cfg.bootstrap_samples)
    summary = read_json(output(run, "evaluation", "summary.json"))
    # BF: every setting of the main sweep, caps and forced "Wait"s (Figure 4a's points are both kinds)
    rows["BF"] = [{"cap": p["max_thinking_tokens"], "num_ignore": p["num_ignore"], "budget": p["max_thinking_tokens"],
                   "accuracy": p["accuracy"], "thinking_tokens": p["mean_thinking_tokens"], "ci_low": p["ci_low"],
                   "ci_high": p["ci_high"]} for p in summary["budget_forcing"]]
    samples = read_json(output(run, "parallel", "sft_samples.json"))
    rows["RS"] = [dict(rejection_sample(samples["thinking_tokens"], samples["correct"], budget))
                  for budget in run.profile.control.rejection_budgets]
    metrics = {method: method_metrics(rows[method]) for method in ("BF", "TCC", "TCC + BF", "SCC", "SCC + BF", "RS")}
    metrics["CCC"] = dict(method_metrics(rows["CCC"]), control=sum(r["follows"] for r in rows["CCC"]) / 2)
    write_json(out / "control.json", {"rows": rows, "metrics": metrics, "max_step_tokens": max_step_tokens,
                                      "train_seconds": report["wall_s"]})


STAGE = Stage("control", "experiments/control", ("sourcing", "control_sft", "evaluation", "parallel"),
              settings, compute, reference=("control.json",))
