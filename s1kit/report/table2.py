"""Table 2 (data ablations, chapter 11): 1,000 examples chosen another way, fine-tuned and evaluated like s1K.

A run with several benchmarks is read benchmark by benchmark (:func:`on_benchmark`, the
``*_by_benchmark`` functions), each beside the paper's column for the same benchmark.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from s1kit import paper
from s1kit.report.figures import empty_figure
from s1kit.report.scaling import PAPER_COLUMN, benchmark_label
from s1kit.report.words import NOT_RUN, interval

NAMES = {"random": "1K-random", "diverse": "1K-diverse", "longest": "1K-longest", "full": "59K-full"}  # paper.TABLE2's rows
SKIPPED = "Not run in this profile: `ablations.kinds` is empty."


def _side(low: float, high: float) -> str:
    return "below s1K" if high < 0 else "above s1K" if low > 0 else "not distinguishable from s1K"


def ablation_table(ablations: dict) -> pd.DataFrame:
    """Table 2 beside ours: each selection's unforced accuracy and its paired gain over s1K ("-": no such column)."""
    rows = {}
    for row in ablations["rows"]:
        name = NAMES[row["selection"]]
        low, high = paper.TABLE2[name]["AIME vs s1K"]
        rows[name] = {"examples": row["examples"], "steps": row["steps"],
                      "trace tokens (mean)": round(row["mean_thinking_tokens_of_traces"], 1),
                      "wrong traces (%)": round(100 * row["teacher_wrong"], 1),
                      "ours: accuracy (%)": round(100 * row["accuracy"], 1),
                      "ours: vs s1K [95%]": interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"]),
                      "paper: AIME24 (%)": paper.TABLE2[name]["aime24"],
                      "paper: vs s1K [95%]": f"[{low:+.1f}, {high:+.1f}]"}
    rows["s1K"] = {"ours: accuracy (%)": round(100 * ablations["s1k_accuracy"], 1),
                   "paper: AIME24 (%)": paper.TABLE2["s1K"]["aime24"]}
    return pd.DataFrame(rows).T.fillna("-")


def ablation_verdicts(ablations: dict) -> list[str]:
    """Table 2's findings checked against this run, one line per alternative selection."""
    if not ablations["rows"]:
        return [SKIPPED]
    lines = []
    for row in ablations["rows"]:
        name = NAMES[row["selection"]]
        low, high = paper.TABLE2[name]["AIME vs s1K"]
        ours, theirs = _side(row["ci_low"], row["ci_high"]), _side(low, high)
        same = "as in the paper" if ours == theirs else f"the paper: {theirs}"
        lines.append(f"**{name}** is {ours} ({interval(row['gain_vs_s1k'], row['ci_low'], row['ci_high'])} points; "
                     f"{same}, [{low:+.1f}, {high:+.1f}] on AIME24, {paper.TABLE2_SOURCE}).")
    return lines


def ablation_figure(ablations: dict) -> plt.Figure:
    """Table 2 analogue: unforced accuracy of each selection, with its paired interval against s1K."""
    rows = ablations["rows"]
    if not rows:
        return empty_figure("not run in this profile: ablations.kinds is empty")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [r["selection"] for r in rows] + ["s1K"]
    gains = [100 * r["gain_vs_s1k"] for r in rows] + [0.0]
    errors = [[100 * (r["gain_vs_s1k"] - r["ci_low"]) for r in rows] + [0.0],
              [100 * (r["ci_high"] - r["gain_vs_s1k"]) for r in rows] + [0.0]]
    ax.bar(names, gains, yerr=errors, capsize=4, color=sns.color_palette()[:len(names)])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("accuracy minus s1K's (points)")
    ax.set_title("1,000 examples chosen another way, fine-tuned and evaluated like s1K")
    fig.tight_layout()
    return fig


def exercise_numbers(ablations: dict) -> dict[str, float | str]:
    """Chapter 11's exercise solutions: the most accurate selection, its accuracy and interval against s1K (%)."""
    rows = {r["selection"]: r for r in ablations["rows"]}
    if not rows:
        return {"ex_best_selection": NOT_RUN, "ex_best_selection_acc": NOT_RUN, "ex_best_gain_low": NOT_RUN,
                "ex_best_gain_high": NOT_RUN, "ex_s1k_acc": NOT_RUN}
    best = max(rows, key=lambda kind: rows[kind]["accuracy"])
    return {"ex_best_selection": best, "ex_best_selection_acc": 100 * rows[best]["accuracy"],
            "ex_best_gain_low": 100 * rows[best]["ci_low"], "ex_best_gain_high": 100 * rows[best]["ci_high"],
            "ex_s1k_acc": 100 * ablations["s1k_accuracy"]}


# -- benchmark by benchmark ---------------------------------------------------------------------------
def benchmarks(ablations: dict) -> list[str]:
    """The run's benchmarks (short names, the paper's order); none in an ``ablations.json`` written before them."""
    return list(ablations.get("s1k_accuracy_by_benchmark", {}))


def on_benchmark(ablations: dict, benchmark: str) -> dict:
    """``ablations.json`` seen on one benchmark: s1K's and every selection's accuracy, thinking tokens
    and paired gain over s1K are that benchmark's."""
    rows = [dict(row, accuracy=row["accuracy_by_benchmark"][benchmark],
                 thinking_tokens=row["thinking_tokens_by_benchmark"][benchmark],
                 gain_vs_s1k=row["paired_by_benchmark"][benchmark]["gain"],
                 ci_low=row["paired_by_benchmark"][benchmark]["ci_low"],
                 ci_high=row["paired_by_benchmark"][benchmark]["ci_high"]) for row in ablations["rows"]]
    return dict(ablations, rows=rows, s1k_accuracy=ablations["s1k_accuracy_by_benchmark"][benchmark])


def ablation_table_by_benchmark(ablations: dict) -> pd.DataFrame:
    """Table 2 per benchmark: each selection's unforced accuracy and paired gain over s1K on that
    benchmark's questions, beside the paper's accuracy in the same benchmark's column ("-": none)."""
    frames = {}
    for b in benchmarks(ablations):
        on, column = on_benchmark(ablations, b), PAPER_COLUMN.get(b)
        rows = {NAMES[row["selection"]]: {
            "ours: accuracy (%)": round(100 * row["accuracy"], 1),
            "ours: vs s1K [95%]": interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"]),
            "paper (%)": paper.TABLE2[NAMES[row["selection"]]].get(column, "-") if column else "-"}
            for row in on["rows"]}
        rows["s1K"] = {"ours: accuracy (%)": round(100 * on["s1k_accuracy"], 1),
                       "paper (%)": paper.TABLE2["s1K"].get(column, "-") if column else "-"}
        frames[benchmark_label(b)] = pd.DataFrame(rows).T.fillna("-")
    if not frames:
        return pd.DataFrame({"": {"": SKIPPED}})
    table = pd.concat(frames)
    table.index.names = ["benchmark", "selection"]
    return table


def ablation_verdicts_by_benchmark(ablations: dict) -> list[str]:
    """Table 2's findings per benchmark: where the paper gives a paired interval (AIME24), whether ours
    lies on the same side of s1K; elsewhere our interval beside the paper's two accuracies."""
    if not ablations["rows"]:
        return [SKIPPED]
    lines = []
    for b in benchmarks(ablations):
        on, column, label = on_benchmark(ablations, b), PAPER_COLUMN.get(b), benchmark_label(b)
        for row in on["rows"]:
            name = NAMES[row["selection"]]
            ours = _side(row["ci_low"], row["ci_high"])
            gain = interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"])
            if column == "aime24":
                low, high = paper.TABLE2[name]["AIME vs s1K"]
                theirs = _side(low, high)
                same = "as in the paper" if ours == theirs else f"the paper: {theirs}"
                lines.append(f"**{label}: {name}** is {ours} ({gain} points; {same}, [{low:+.1f}, {high:+.1f}] "
                             f"on AIME24, {paper.TABLE2_SOURCE}).")
            elif column:
                lines.append(f"**{label}: {name}** is {ours} ({gain} points; the paper: {paper.TABLE2[name][column]}% "
                             f"against s1K's {paper.TABLE2['s1K'][column]}%, with no interval, {paper.TABLE2_SOURCE}).")
            else:
                lines.append(f"**{label}: {name}** is {ours} ({gain} points; the paper has no such column).")
    return lines
