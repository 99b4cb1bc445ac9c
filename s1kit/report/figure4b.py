"""Figure 4 (parallel scaling, chapter 10): majority voting against budget forcing."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, interval


def vote_table(points: Sequence[dict]) -> pd.DataFrame:
    """A majority-voting curve: accuracy, gain over one sample [95% paired interval], thinking tokens."""
    return pd.DataFrame({f"m={p['votes']}": {
        "accuracy (%)": round(100 * p["accuracy"], 1),
        "gain over m=1 [95%]": interval(p["gain_over_first"], p["ci_low"], p["ci_high"]),
        "thinking tokens per question": round(p["thinking_tokens"], 1)} for p in points}).T


def vote_tables(parallel: dict) -> pd.DataFrame:
    """:func:`vote_table` of the base model's and the SFT model's curves, stacked."""
    return pd.concat({name: vote_table(points) for name, points in parallel.items()})


def parallel_verdicts(summary: Summary, parallel: dict) -> list[str]:
    """Figure 4's claim checked against this run: can voting catch up with budget forcing?"""
    uncapped = summary.uncapped()
    best_k, _ = summary.best_k()
    unforced, forced = uncapped[0], uncapped[best_k]
    base_best = max(parallel["base"], key=lambda p: p["accuracy"])
    sft_top = parallel["sft"][-1]
    lines = [f"**Voting over the base model cannot catch up with the fine-tuned model** ({paper.FIGURE4_SOURCE}) - "
             f"{'reproduced' if base_best['accuracy'] < unforced.accuracy else 'not reproduced'}: the best vote "
             f"(m = {base_best['votes']}) reaches {100 * base_best['accuracy']:.1f}%, the SFT model "
             f"{100 * unforced.accuracy:.1f}% unforced and {100 * forced.accuracy:.1f}% with k = {best_k}."]
    matched = [p for p in parallel["sft"] if p["thinking_tokens"] >= forced.mean_thinking_tokens]
    if matched:
        match = matched[0]
        word = "more" if forced.accuracy > match["accuracy"] else "not more"
        lines.append(f"**At matched thinking tokens, sequential is {word} effective than parallel**: budget forcing "
                     f"(k = {best_k}) spends {forced.mean_thinking_tokens:.0f} tokens per question for "
                     f"{100 * forced.accuracy:.1f}%; voting over {match['votes']} samples spends "
                     f"{match['thinking_tokens']:.0f} for {100 * match['accuracy']:.1f}%.")
    lines.append(f"**Voting over the SFT model's samples** moves accuracy from {100 * parallel['sft'][0]['accuracy']:.1f}% "
                 f"(one sample) to {100 * sft_top['accuracy']:.1f}% (m = {sft_top['votes']}), a gain of "
                 f"{interval(sft_top['gain_over_first'], sft_top['ci_low'], sft_top['ci_high'])} points.")
    return lines


def parallel_figure(summary: Summary, parallel: dict, cap_k: int) -> plt.Figure:
    """Figure 4 analogue: sequential scaling (budget forcing) vs parallel scaling (majority voting).

    Left: accuracy against thinking tokens spent per question: the budget-forcing sweeps of the
    SFT model and majority voting over its temperature-1 samples (tokens summed over the votes).
    Right: majority voting over the base model's direct answers, against the number of votes,
    with the SFT model's unforced and best-k accuracy as lines (the paper's Figure 4b).
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    caps, uncapped = summary.cap_curve(cap_k), summary.uncapped()
    points_errorbar(left, [p.mean_thinking_tokens for p in caps], caps, marker="o",
                    label=f"sequential: cap N (k={cap_k})")
    points_errorbar(left, [p.mean_thinking_tokens for p in uncapped.values()], list(uncapped.values()), marker="s",
                    label='sequential: k forced "Wait"s')
    votes = pd.DataFrame(parallel["sft"])
    left.plot(votes["thinking_tokens"], votes["accuracy"] * 100, marker="^", label="parallel: majority of m samples")
    for _, row in votes.iterrows():
        left.annotate(f"m={row['votes']}", (row["thinking_tokens"], row["accuracy"] * 100),
                      textcoords="offset points", xytext=(3, 5), fontsize=8)
    left.set_xlabel("thinking tokens per question (all samples)")
    left.set_ylabel(ACCURACY_LABEL)
    left.set_title("SFT model")
    left.legend(fontsize=8)
    base = pd.DataFrame(parallel["base"])
    best_k, _ = summary.best_k()
    right.plot(base["votes"], base["accuracy"] * 100, marker="^", label="base model: majority of m answers")
    right.axhline(uncapped[0].accuracy * 100, color="grey", linestyle="--", label="SFT model, k=0")
    right.axhline(uncapped[best_k].accuracy * 100, color="black", linestyle=":", label=f"SFT model, best k ({best_k})")
    right.set_xscale("log", base=2)
    right.set_xlabel("samples voted over (m)")
    right.set_title("Base model, answering directly")
    percent_axis(right)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def exercise_numbers(parallel: dict) -> dict[str, float | int | str]:
    """Chapter 10's exercise solutions: the SFT model's voting accuracy (%) at the two largest m, and tokens at the largest."""
    sft = parallel.get("sft", [])
    last = sft[-1] if sft else None
    prev = sft[-2] if len(sft) > 1 else None
    return {"ex_votes_last": last["votes"] if last else NOT_RUN,
            "ex_votes_last_acc": 100 * last["accuracy"] if last else NOT_RUN,
            "ex_votes_prev": prev["votes"] if prev else NOT_RUN,
            "ex_votes_prev_acc": 100 * prev["accuracy"] if prev else NOT_RUN,
            "ex_votes_last_tokens": last["thinking_tokens"] if last else NOT_RUN}
