"""Figure 4 (parallel scaling, chapter 10): majority voting against budget forcing.

``parallel.json`` holds a curve per model that voted (``base``, and ``sft`` where the profile votes
it: s1 voted Qwen2.5-32B-Instruct only, so the paper profiles have no ``sft`` curve), then the
grader's ``judge`` counts and the ``equivalence`` counts. A run with several benchmarks is read
benchmark by benchmark (the ``*_by_benchmark`` functions), never pooled beside AIME24's figure.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.scaling import benchmark_label, best_k_on_test
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, interval

MODELS = ("base", "sft")  # the keys of parallel.json that are curves
SFT_NOT_RUN = ("not run in this profile: `evaluation.vote_models` leaves the SFT model out, as s1 voted "
               "Qwen2.5-32B-Instruct only")


def curves(parallel: dict) -> dict[str, list[dict]]:
    """The majority-voting curves of ``parallel.json``, by model (its other keys are counts)."""
    return {name: parallel[name] for name in MODELS if name in parallel}


def vote_table(points: Sequence[dict]) -> pd.DataFrame:
    """A majority-voting curve: accuracy, gain over one sample [95% paired interval], thinking tokens."""
    return pd.DataFrame({f"m={p['votes']}": {
        "accuracy (%)": round(100 * p["accuracy"], 1),
        "gain over m=1 [95%]": interval(p["gain_over_first"], p["ci_low"], p["ci_high"]),
        "thinking tokens per question": round(p["thinking_tokens"], 1)} for p in points}).T


def vote_tables(parallel: dict) -> pd.DataFrame:
    """:func:`vote_table` of the base model's and the SFT model's curves (those that voted), stacked."""
    return pd.concat({name: vote_table(points) for name, points in curves(parallel).items()})


def parallel_verdicts(summary: Summary, parallel: dict) -> list[str]:
    """Figure 4's claim checked against this run: can voting catch up with budget forcing?"""
    uncapped = summary.uncapped()
    best_k, _ = summary.best_k()
    unforced, forced = uncapped[0], uncapped[best_k]
    base_best = max(parallel["base"], key=lambda p: p["accuracy"])
    lines = [f"**Voting over the base model cannot catch up with the fine-tuned model** ({paper.FIGURE4_SOURCE}) - "
             f"{'reproduced' if base_best['accuracy'] < unforced.accuracy else 'not reproduced'}: the best vote "
             f"(m = {base_best['votes']}) reaches {100 * base_best['accuracy']:.1f}%, the SFT model "
             f"{100 * unforced.accuracy:.1f}% unforced and {100 * forced.accuracy:.1f}% with k = {best_k}."]
    if "sft" not in parallel:
        return lines + [f"**Voting over the SFT model's samples**: {SFT_NOT_RUN}."]
    sft_top = parallel["sft"][-1]
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
    if "sft" not in parallel:
        fig, right = plt.subplots(figsize=(5.5, 4))
        _base_panel(right, summary, parallel["base"], summary.best_k()[0], ylabel=True)
        fig.tight_layout()
        return fig
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
    best_k, _ = summary.best_k()
    _base_panel(right, summary, parallel["base"], best_k)
    fig.tight_layout()
    return fig


def _base_panel(ax: plt.Axes, summary: Summary, base_points: Sequence[dict], best_k: int,
                title: str = "Base model, answering directly", ylabel: bool = False) -> None:
    """Majority voting over the base model against the number of votes, with the SFT model's
    unforced and forced accuracy as lines (the paper's Figure 4b)."""
    uncapped = summary.uncapped()
    base = pd.DataFrame(list(base_points))
    ax.plot(base["votes"], base["accuracy"] * 100, marker="^", label="base model: majority of m answers")
    ax.axhline(uncapped[0].accuracy * 100, color="grey", linestyle="--", label="SFT model, k=0")
    ax.axhline(uncapped[best_k].accuracy * 100, color="black", linestyle=":", label=f"SFT model, best k ({best_k})")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("samples voted over (m)")
    if ylabel:
        ax.set_ylabel(ACCURACY_LABEL)
    ax.set_title(title)
    percent_axis(ax)
    ax.legend(fontsize=8)


# -- benchmark by benchmark (paper-scale runs) --------------------------------------------------------
def on_benchmark(points: Sequence[dict], benchmark: str) -> list[dict]:
    """A curve seen on one benchmark: each point's accuracy, gain and thinking tokens are that
    benchmark's (a curve written before per-benchmark numbers, of a one-benchmark run: as it is)."""
    out = []
    for p in points:
        if not p.get("accuracy_by_benchmark"):
            out.append(dict(p))
            continue
        paired = p["paired_by_benchmark"][benchmark]
        out.append(dict(p, accuracy=p["accuracy_by_benchmark"][benchmark],
                        thinking_tokens=p["thinking_tokens_by_benchmark"][benchmark], n=p["n_by_benchmark"][benchmark],
                        gain_over_first=paired["gain"], ci_low=paired["ci_low"], ci_high=paired["ci_high"]))
    return out


def _forced_k(on: Summary) -> int:
    return best_k_on_test(on)  # per benchmark, chosen as the paper chose its forced row (Table 1)


def vote_tables_by_benchmark(summary: Summary, parallel: dict) -> pd.DataFrame:
    """:func:`vote_table` per benchmark and model, with the SFT model's unforced and forced accuracy
    on the same benchmark beside the votes (``SFT model`` rows; forced at the best k on the test set)."""
    frames = {}
    for b in summary.benchmarks:
        on = summary.on(b)
        k = _forced_k(on)
        for name, points in curves(parallel).items():
            frames[(benchmark_label(b), f"{name} model, majority of m")] = vote_table(on_benchmark(points, b))
        frames[(benchmark_label(b), "SFT model, greedy")] = pd.DataFrame({
            label: {"accuracy (%)": round(100 * p.accuracy, 1), "gain over m=1 [95%]": "-",
                    "thinking tokens per question": round(p.mean_thinking_tokens, 1)}
            for label, p in (("k=0", on.point(None, 0)), (f"k={k} (best on test)", on.point(None, k)))}).T
    return pd.concat(frames)


def judge_table(parallel: dict) -> pd.DataFrame:
    """Per benchmark, the judge's share of this stage: samples it was asked to grade and verdicts it
    changed (``judge``), pairs of answers it was asked to compare and pairs it found the same
    (``equivalence``); empty when the profile has no judge."""
    judge, same = parallel.get("judge", {}), parallel.get("equivalence", {})
    rows = {benchmark_label(b): {"samples asked about": judge.get(b, {}).get("asked", 0),
                                 "verdicts it changed": judge.get(b, {}).get("changed", 0),
                                 "answer pairs asked about": same.get(b, {}).get("asked", 0),
                                 "pairs it joined": same.get(b, {}).get("merged", 0)}
            for b in dict.fromkeys([*judge, *same])}
    return pd.DataFrame(rows).T


def parallel_verdicts_by_benchmark(summary: Summary, parallel: dict) -> list[str]:
    """Figure 4b's claim benchmark by benchmark: the base model's best vote against the SFT model,
    unforced and forced at its best k on the test set, on the same benchmark's questions."""
    lines = []
    for b in summary.benchmarks:
        on, label = summary.on(b), benchmark_label(b)
        k = _forced_k(on)
        unforced, forced = on.point(None, 0), on.point(None, k)
        base = on_benchmark(parallel["base"], b)
        best = max(base, key=lambda p: p["accuracy"])
        where = "" if b == "aime24" else "; the paper voted on AIME24 only"
        lines.append(f"**{label}: voting over the base model cannot catch up with the fine-tuned model** "
                     f"({paper.FIGURE4_SOURCE}{where}) - "
                     f"{'reproduced' if best['accuracy'] < unforced.accuracy else 'not reproduced'}: the best vote "
                     f"(m = {best['votes']}) reaches {100 * best['accuracy']:.1f}%, the SFT model "
                     f"{100 * unforced.accuracy:.1f}% unforced and {100 * forced.accuracy:.1f}% with k = {k}.")
        if "sft" in parallel:
            sft = on_benchmark(parallel["sft"], b)
            matched = [p for p in sft if p["thinking_tokens"] >= forced.mean_thinking_tokens]
            if matched:
                word = "more" if forced.accuracy > matched[0]["accuracy"] else "not more"
                lines.append(f"**{label}: at matched thinking tokens, sequential is {word} effective than parallel**: "
                             f"budget forcing (k = {k}) spends {forced.mean_thinking_tokens:.0f} tokens per question "
                             f"for {100 * forced.accuracy:.1f}%; voting over {matched[0]['votes']} samples spends "
                             f"{matched[0]['thinking_tokens']:.0f} for {100 * matched[0]['accuracy']:.1f}%.")
            top = sft[-1]
            lines.append(f"**{label}: voting over the SFT model's samples** moves accuracy from "
                         f"{100 * sft[0]['accuracy']:.1f}% (one sample) to {100 * top['accuracy']:.1f}% "
                         f"(m = {top['votes']}), a gain of "
                         f"{interval(top['gain_over_first'], top['ci_low'], top['ci_high'])} points.")
    if "sft" not in parallel:
        lines.append(f"**Voting over the SFT model's samples**: {SFT_NOT_RUN}.")
    return lines


def parallel_figures(summary: Summary, parallel: dict, cap_k: int) -> plt.Figure:
    """Figure 4b per benchmark: for each, the base model's votes against the SFT model's unforced and
    forced accuracy on that benchmark (forced: its best k on the test set), and, where the SFT model
    voted, its votes beside the budget-forcing sweeps (left). One benchmark: :func:`parallel_figure`."""
    if len(summary.benchmarks) == 1:
        return parallel_figure(summary, parallel, cap_k)
    names, sft = summary.benchmarks, "sft" in parallel
    fig, axes = plt.subplots(len(names), 2 if sft else 1, figsize=(10 if sft else 5.5, 3.8 * len(names)),
                             squeeze=False)
    for row, b in zip(axes, names, strict=True):
        on = summary.on(b)
        title = f"{benchmark_label(b)} ({on.n_test} questions)"
        if sft:
            _sft_panel(row[0], on, on_benchmark(parallel["sft"], b), cap_k, f"{title}: SFT model")
        _base_panel(row[-1], on, on_benchmark(parallel["base"], b), _forced_k(on), f"{title}: base model", ylabel=not sft)
    fig.tight_layout()
    return fig


def _sft_panel(ax: plt.Axes, summary: Summary, sft_points: Sequence[dict], cap_k: int, title: str) -> None:
    caps, uncapped = summary.cap_curve(cap_k), summary.uncapped()
    points_errorbar(ax, [p.mean_thinking_tokens for p in caps], caps, marker="o", label=f"sequential: cap N (k={cap_k})")
    points_errorbar(ax, [p.mean_thinking_tokens for p in uncapped.values()], list(uncapped.values()), marker="s",
                    label='sequential: k forced "Wait"s')
    votes = pd.DataFrame(list(sft_points))
    ax.plot(votes["thinking_tokens"], votes["accuracy"] * 100, marker="^", label="parallel: majority of m samples")
    ax.set_xlabel("thinking tokens per question (all samples)")
    ax.set_ylabel(ACCURACY_LABEL)
    ax.set_title(title)
    percent_axis(ax)
    ax.legend(fontsize=8)


def exercise_numbers(parallel: dict, model: str = "sft", benchmark: str | None = None) -> dict[str, float | int | str]:
    """Chapter 10's exercise solutions: a model's voting accuracy (%) at the two largest m, and tokens at the
    largest (``benchmark``: on that benchmark's questions only; "not run" where the model did not vote)."""
    sft = parallel.get(model, [])
    if benchmark is not None:
        sft = on_benchmark(sft, benchmark)
    last = sft[-1] if sft else None
    prev = sft[-2] if len(sft) > 1 else None
    return {"ex_votes_last": last["votes"] if last else NOT_RUN,
            "ex_votes_last_acc": 100 * last["accuracy"] if last else NOT_RUN,
            "ex_votes_prev": prev["votes"] if prev else NOT_RUN,
            "ex_votes_prev_acc": 100 * prev["accuracy"] if prev else NOT_RUN,
            "ex_votes_last_tokens": last["thinking_tokens"] if last else NOT_RUN}
