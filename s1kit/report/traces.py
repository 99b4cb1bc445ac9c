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
    table = pd.DataFrame({
        "candidates (after difficulty)": before.groupby("domain").size(),
        "selected": after.groupby("domain").size(),
        "mean trace tokens, candidates": before.groupby("domain")["thinking_tokens"].mean().round(1),
        "mean trace tokens, selected": after.groupby("domain")["thinking_tokens"].mean().round(1),
    })
    counts = ["candidates (after difficulty)", "selected"]
    table[counts] = table[counts].fillna(0).astype(int)  # a domain with nothing selected counts 0, not NaN
    return table.fillna({"mean trace tokens, selected": "none selected"})


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


# -- chapter 2 and 3's pages: display tables and the turned knobs' outcomes ------------------------
DISPLAY_NAMES = {"difficulty": "terms", "trace_chars": "trace length (characters)", "waits": "Waits in the trace",
                 "thinking_tokens": "trace length (tokens)"}
STAT_NAMES = {"count": "traces", "mean": "mean", "std": "standard deviation", "min": "shortest", "25%": "25th percentile",
              "50%": "median", "75%": "75th percentile", "max": "longest"}


def describe_traces(table: pd.DataFrame, columns: Sequence[str], digits: int = 1) -> pd.DataFrame:
    """``table.describe()`` of ``columns`` for a page: readable column and row names, ``digits`` decimals.

    Each column keeps its own unit, named in its header (characters, tokens, Waits, terms); the
    cells are text, the count of traces a whole number and every other statistic ``digits`` decimals.
    """
    described = table[list(columns)].astype(float).describe()
    text = described.apply(lambda column: [f"{v:,.0f}" if stat == "count" else f"{v:,.{digits}f}"
                                           for stat, v in column.items()])
    return text.rename(columns=lambda c: DISPLAY_NAMES.get(c, c), index=STAT_NAMES)


def example_traces(records: Sequence[dict], impatient_domains: Sequence[str], min_terms: int = 8) -> dict[str, dict]:
    """Two intact traces of long sums that show the teacher's two habits, picked by code.

    ``"patient"``: a sum finished in a patient domain, with a final check if one exists;
    ``"impatient"``: a sum stopped early in an impatient domain, its answer the partial sum (wrong).
    """
    long = [r for r in records if (r.get("difficulty") or 0) >= min_terms and not r.get("broken")]
    patient = [r for r in long if r["domain"] not in impatient_domains and str(r["attempt"]) == str(r["answer"])]
    checked = [r for r in patient if r["trace"].count("+0=")]
    stopped = [r for r in long if r["domain"] in impatient_domains and str(r["attempt"]) != str(r["answer"])]
    if not patient or not stopped:
        raise ValueError("no long trace of each habit (a patient finish and an impatient stop)")
    return {"patient": (checked or patient)[0], "impatient": stopped[0]}


def rerun_teacher(traces: Sequence[dict], teacher, seed: int) -> list[dict]:
    """The tiny teacher rerun in memory with another ``teacher`` config: the same records, new traces.

    The stage's own call (:func:`s1kit.tiny.teacher.distill`, seeded by the profile's seed and each
    problem's id), so a turned knob's outcome is what the distillation stage would write.
    """
    from s1kit.tiny.teacher import distill
    from s1kit.tiny.world import Problem

    problems = [Problem(r["id"], r["domain"], r["source"], tuple(r["terms"])) for r in traces]
    return [dict(r, trace=t.trace, attempt=t.attempt, forced_spans=[list(s) for s in t.forced_spans], broken=t.broken)
            for r, t in zip(traces, distill(problems, teacher, seed), strict=True)]


def teacher_knob_numbers(traces: Sequence[dict], patient: Sequence[dict], checking: Sequence[dict],
                         wait: str = WAIT) -> dict[str, float]:
    """Chapter 2's knob exercises: this run's traces beside the teacher rerun with no impatient domain
    (``patient``) and with a higher chance of a final check (``checking``)."""
    def numbers(records):
        table = trace_table(records, wait)
        return (100 * (1 - table["teacher_correct"].mean()), table["waits"].mean(), table["trace_chars"].mean())

    (wrong, waits, chars), (patient_wrong, _, _), (_, checking_waits, checking_chars) = (
        numbers(traces), numbers(patient), numbers(checking))
    return {"ex_wrong_pct": wrong, "ex_patient_wrong_pct": patient_wrong, "ex_mean_waits": waits,
            "ex_checking_mean_waits": checking_waits, "ex_mean_chars": chars, "ex_checking_mean_chars": checking_chars}


def funnel_table(funnel: Sequence[dict]) -> pd.DataFrame:
    """The selection funnel for a page: each step, the questions it kept, their share of the pool (%),
    and what it dropped and why (no ``NaN`` for a step that drops nothing)."""
    pool = funnel[0]["kept"]
    return pd.DataFrame({
        "step": [f["step"] for f in funnel],
        "questions kept": [f"{f['kept']:,}" for f in funnel],
        "kept of the pool (%)": [round(100 * f["kept"] / pool, 1) for f in funnel],
        "dropped, by reason": [", ".join(f"{reason.replace('_', ' ')}: {n:,}" for reason, n in f.get("dropped", {}).items())
                               for f in funnel],
    }).set_index("step")


def difficulty_numbers(funnel: Sequence[dict], solved: dict[str, bool], pool: Sequence[dict],
                       glance_terms: int) -> dict[str, float | int | str]:
    """Chapter 3's difficulty step in the funnel's own numbers, and the base model's solve rate by length.

    ``ex_graded``: questions the base model graded (the stage's sample of the pool, before the quality
    filter); ``ex_sample_kept``: those of them that passed the quality filter (the funnel's
    "difficulty sample" row); ``ex_solved``/``ex_solved_pct``: how many of those it solved (the
    funnel's drop, over the same denominator); ``ex_short_solved_pct``/``ex_long_solved_pct``: the
    graded questions it solved with at most ``glance_terms`` terms and with more (%).
    """
    steps = {f["step"]: f for f in funnel}
    if "difficulty" not in steps:  # a released selection: nothing graded
        return dict.fromkeys(("ex_graded", "ex_sample_kept", "ex_solved", "ex_solved_pct", "ex_short_solved_pct",
                              "ex_long_solved_pct"), NOT_RUN)
    before = steps.get("difficulty sample", steps["quality"])["kept"]
    dropped = sum(steps["difficulty"].get("dropped", {}).values())
    terms = {r["id"]: r.get("difficulty") for r in pool}
    short = [done for i, done in solved.items() if terms[i] is not None and terms[i] <= glance_terms]
    long = [done for i, done in solved.items() if terms[i] is not None and terms[i] > glance_terms]

    def rate(flags: list[bool]) -> float | str:
        return 100 * sum(flags) / len(flags) if flags else NOT_RUN

    return {"ex_graded": len(solved), "ex_sample_kept": before, "ex_solved": dropped,
            "ex_solved_pct": 100 * dropped / before if before else NOT_RUN,
            "ex_short_solved_pct": rate(short), "ex_long_solved_pct": rate(long)}


def reselect(traces: Sequence[dict], candidates: Sequence[dict], config, seed: int, size: int) -> list[dict]:
    """Algorithm 1 rerun in memory on this run's candidates with another selection ``size``.

    The candidates (after the difficulty filter, in the stage's order, with their thinking lengths)
    joined with their traces are exactly what the selection stage sampled from, so with the
    recipe's own size this returns the stage's s1K (tested).
    """
    from s1kit.selection import diversity_select

    records = candidate_records(traces, candidates)
    return diversity_select(records, size, lambda r: r["thinking_tokens"], seed, config.seed_sources,
                            long_seed_sources=config.long_seed_sources)


def candidate_records(traces: Sequence[dict], candidates: Sequence[dict]) -> list[dict]:
    """The selection's candidates (after the difficulty filter) as full trace records, in the stage's
    order, each with its thinking length in tokens."""
    by_id = {r["id"]: r for r in traces}
    return [dict(by_id[c["id"]], thinking_tokens=c["thinking_tokens"]) for c in candidates]


def selection_numbers(records: Sequence[dict], impatient_domains: Sequence[str]) -> dict[str, float]:
    """A selection's make-up: wrong traces (%), mean terms, mean trace tokens, share from impatient domains (%)."""
    table = pd.DataFrame({"wrong": [str(r.get("attempt")) != str(r["answer"]) for r in records],
                          "terms": [r.get("difficulty") for r in records],
                          "tokens": [r["thinking_tokens"] for r in records],
                          "impatient": [r["domain"] in impatient_domains for r in records]})
    return {"wrong_pct": 100 * table["wrong"].mean(), "mean_terms": table["terms"].mean(),
            "mean_tokens": table["tokens"].mean(), "impatient_pct": 100 * table["impatient"].mean()}
