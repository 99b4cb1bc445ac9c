"""The teacher's reasoning traces as tables and rates (chapters 2, 3 and 7).

Waits are counted with the thinking-extension string the profile forces
(``evaluation.ignore_str``), passed in as ``wait``: a hub profile's traces are counted with its
own string, not the tiny world's.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from s1kit.evaluation import EvaluationConfig
from s1kit.report.words import NOT_RUN

WAIT = EvaluationConfig.ignore_str  # the default profile's string, "Wait"


def trace_table(records: Sequence[dict], wait: str = WAIT) -> pd.DataFrame:
    """One row per traced question: domain, difficulty, trace length in characters, Waits, broken kind."""
    return pd.DataFrame({
        "domain": [r["domain"] for r in records],
        "source": [r["source"] for r in records],
        "difficulty": [r.get("difficulty") for r in records],
        "trace_chars": [len(r.get("trace") or "") for r in records],
        "waits": [(r.get("trace") or "").count(wait) for r in records],
        "teacher_correct": [str(r.get("attempt")) == str(r["answer"]) for r in records],
        "broken": [r.get("broken") or "" for r in records],
    })


def teacher_rates(records: Sequence[dict], wait: str = WAIT) -> dict[str, float]:
    """How the teacher's traces look (%, means).

    ``wrong_answer_pct`` counts every trace, broken ones included: s1 kept traces whatever their
    answer, so this is the share of wrong traces a selection trains on. The Wait counts are over
    the intact traces, the ones whose habits a student can learn.
    """
    if not records:
        raise ValueError("no traces to describe")
    table = trace_table(records, wait)
    intact = table[table["broken"] == ""]
    forced = [len(r.get("forced_spans") or []) for r in records if not r.get("broken")]
    return {
        "wrong_answer_pct": round(100 * (1 - table["teacher_correct"].mean()), 1),
        "mean_waits": round(intact["waits"].mean(), 2),
        "mean_forced_waits": round(sum(forced) / len(forced), 2) if forced else 0.0,
        "traces_with_wait_pct": round(100 * (intact["waits"] > 0).mean(), 1),
    }


def mark_forced(trace: str, forced_spans: Sequence[Sequence[int]]) -> str:
    """The trace with its forced spans (text the teacher did not choose) shown in [brackets]."""
    marked, last = "", 0
    for start, end in forced_spans or ():
        marked += trace[last:start] + "[" + trace[start:end] + "]"
        last = end
    return marked + trace[last:]


def selected_by_domain(candidates: Sequence[dict], selected: Sequence[dict]) -> pd.DataFrame:
    """Per domain: how many candidates (after the difficulty filter) and selected questions, and their trace lengths."""
    before, after = pd.DataFrame(candidates), pd.DataFrame(selected)
    return pd.DataFrame({
        "candidates (after difficulty)": before.groupby("domain").size(),
        "selected": after.groupby("domain").size(),
        "mean trace tokens, candidates": before.groupby("domain")["thinking_tokens"].mean().round(1),
        "mean trace tokens, selected": after.groupby("domain")["thinking_tokens"].mean().round(1),
    })


def exercise_numbers(traces: Sequence[dict], wait: str = WAIT) -> dict[str, float]:
    """Chapter 2's exercise solutions: wrong traces split by broken or not, Waits over all traces (%, means)."""
    table = trace_table(traces, wait)
    wrong, broken = ~table["teacher_correct"], table["broken"] != ""
    return {"ex_wrong_broken_pct": float(100 * (wrong & broken).mean()),
            "ex_wrong_intact_pct": float(100 * (wrong & ~broken).mean()),
            "ex_mean_waits": float(table["waits"].mean()), "ex_wait_share": float(100 * (table["waits"] > 0).mean())}


def selection_exercise_numbers(pool_traces: Sequence[dict], solved: dict[str, bool],
                               wait: str = WAIT) -> dict[str, float | str]:
    """Chapter 3's exercise solutions: wrong traces in the pool (%), and how much of the difficulty
    sample the base model already solves (%; "not run" for a released selection, which has none)."""
    return {"ex_pool_wrong_pct": teacher_rates(pool_traces, wait)["wrong_answer_pct"],
            "ex_solved_pct": 100 * sum(solved.values()) / len(solved) if solved else NOT_RUN,
            "ex_sampled": len(solved)}
