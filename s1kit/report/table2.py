"""Table 2 (data ablations, chapter 11): 1,000 examples chosen another way, fine-tuned and evaluated like s1K.

A run with several benchmarks is read benchmark by benchmark (:func:`on_benchmark`, the
``*_by_benchmark`` functions), each beside the paper's column for the same benchmark.
:func:`findings` decides Table 2's claims, one per alternative selection, from a run's (or a
replicate's) ``experiments/data_ablations/ablations.json``; :func:`reading` says in sentences what
the run's own data show about the selections that beat s1K.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from s1kit import paper
from s1kit.report.figures import empty_figure
from s1kit.report.robustness import Finding, Results
from s1kit.report.scaling import PAPER_COLUMN, benchmark_label
from s1kit.report.words import NOT_RUN, interval

NAMES = {"random": "1K-random", "diverse": "1K-diverse", "longest": "1K-longest", "full": "59K-full"}  # paper.TABLE2's rows
SKIPPED = "Not run in this profile: `ablations.kinds` is empty."
ABLATIONS_FILE = "experiments/data_ablations/ablations.json"


def _side(low: float, high: float) -> str:
    return "below s1K" if high < 0 else "above s1K" if low > 0 else "not distinguishable from s1K"


def s1k_stats(s1k: list[dict]) -> dict[str, float]:
    """s1K's own training data as the selections' columns: examples, mean trace tokens, wrong traces (0..1)."""
    return {"examples": len(s1k), "mean_thinking_tokens_of_traces": sum(r["thinking_tokens"] for r in s1k) / len(s1k),
            "teacher_wrong": sum(str(r["attempt"]) != str(r["answer"]) for r in s1k) / len(s1k)}


def ablation_table(ablations: dict, s1k: dict | None = None, s1k_thinking_tokens: float | None = None) -> pd.DataFrame:
    """Table 2 beside ours: each selection's training data, its model's unforced thinking and accuracy, and its
    paired gain over s1K, with the paper's AIME24 accuracy and interval ("-": no such cell).

    ``s1k``: :func:`s1k_stats` of this run's s1K (its row's training-data columns); ``s1k_thinking_tokens``:
    the s1K model's unforced thinking tokens (the main sweep's k = 0). Without them those cells read "-".
    """
    rows = {}
    for row in ablations["rows"]:
        name = NAMES[row["selection"]]
        low, high = paper.TABLE2[name]["AIME vs s1K"]
        rows[name] = {("training data", "examples"): row["examples"], ("training data", "steps"): row["steps"],
                      ("training data", "trace tokens (mean)"): round(row["mean_thinking_tokens_of_traces"], 1),
                      ("training data", "wrong traces (%)"): round(100 * row["teacher_wrong"], 1),
                      ("ours", "thinking tokens (unforced)"): round(row["thinking_tokens"], 1),
                      ("ours", "accuracy (%)"): round(100 * row["accuracy"], 1),
                      ("ours", "vs s1K (points) [95%]"): interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"]),
                      ("paper", "AIME24 (%)"): paper.TABLE2[name]["aime24"],
                      ("paper", "vs s1K (points) [95%]"): f"[{low:+.1f}, {high:+.1f}]"}
    ours = {("ours", "accuracy (%)"): round(100 * ablations["s1k_accuracy"], 1),
            ("paper", "AIME24 (%)"): paper.TABLE2["s1K"]["aime24"]}
    if s1k is not None:
        steps = next((r["steps"] for r in ablations["rows"] if r["examples"] == s1k["examples"]), None)
        ours |= {("training data", "examples"): s1k["examples"],
                 ("training data", "trace tokens (mean)"): round(s1k["mean_thinking_tokens_of_traces"], 1),
                 ("training data", "wrong traces (%)"): round(100 * s1k["teacher_wrong"], 1)}
        if steps is not None:
            ours[("training data", "steps")] = steps
    if s1k_thinking_tokens is not None:
        ours[("ours", "thinking tokens (unforced)")] = round(s1k_thinking_tokens, 1)
    rows["s1K"] = ours
    columns = list(dict.fromkeys(column for row in rows.values() for column in row))
    table = pd.DataFrame([[row.get(column, "-") for column in columns] for row in rows.values()], index=list(rows),
                         columns=pd.MultiIndex.from_tuples(columns), dtype=object)
    return table.rename_axis("selection")


def finding_of(row: dict) -> Finding:
    """One alternative selection's claim, worded by the side of s1K the paper's AIME24 interval lies on:
    "below s1K" (the interval under zero) or "no clear gain over s1K" (an interval that reaches zero)."""
    name = NAMES[row["selection"]]
    low, high = paper.TABLE2[name]["AIME vs s1K"]
    theirs = (f"{paper.TABLE2_SOURCE}: {name} {paper.TABLE2[name]['aime24']}% against s1K "
              f"{paper.TABLE2['s1K']['aime24']}%, [{low:+.1f}, {high:+.1f}]")
    gain = interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"])
    evidence = f"{100 * row['accuracy']:.1f}% unforced, {gain} points against s1K ({_side(row['ci_low'], row['ci_high'])})"
    if row["selection"] == "full":
        ratio = round(paper.FULL_POOL_GPU_HOURS["59K-full"] / paper.FULL_POOL_GPU_HOURS["s1K"])
        evidence += f", trained for the same {row['steps']} steps as s1K (the paper: {ratio} times s1K's compute)"
    if high < 0:
        return Finding(f"{name} is below s1K", theirs, holds=row["ci_high"] < 0, evidence=evidence + ".",
                       tie=row["ci_low"] <= 0 <= row["ci_high"])
    return Finding(f"{name} gains nothing clear over s1K", theirs, holds=row["ci_low"] <= 0, evidence=evidence + ".")


def findings(results: Results) -> list[Finding]:
    """Table 2's claims in ``results`` (``experiments/data_ablations/ablations.json``), one per selection run."""
    return [finding_of(row) for row in results.read(ABLATIONS_FILE)["rows"]]


def ranking(ablations: dict) -> list[tuple[str, float]]:
    """Every selection and s1K by unforced accuracy (0..1), best first."""
    pairs = [(NAMES[r["selection"]], r["accuracy"]) for r in ablations["rows"]] + [("s1K", ablations["s1k_accuracy"])]
    return sorted(pairs, key=lambda pair: -pair[1])


def reading(ablations: dict, s1k: dict, s1k_thinking_tokens: float, forced: tuple[int, float] | None = None) -> str:
    """What this run's data say about the selections against s1K unforced, in sentences ("" when none ran).

    ``s1k``: :func:`s1k_stats`; ``s1k_thinking_tokens``: the s1K model's unforced thinking; ``forced``: the
    chapter's chosen k and s1K's accuracy with it (0..1).
    """
    if not ablations["rows"]:
        return ""
    order = ranking(ablations)
    place = [name for name, _ in order].index("s1K") + 1
    out = [f"Unforced, s1K ranks {place} of {len(order)} here: " + ", ".join(f"{n} {100 * a:.1f}%" for n, a in order) + "."]
    for row in (r for r in ablations["rows"] if r["ci_low"] > 0):
        name = NAMES[row["selection"]]
        out.append(f"{name} beats s1K ({interval(row['gain_vs_s1k'], row['ci_low'], row['ci_high'])} points). Its traces "
                   f"average {row['mean_thinking_tokens_of_traces']:.0f} tokens with {100 * row['teacher_wrong']:.1f}% wrong, "
                   f"s1K's {s1k['mean_thinking_tokens_of_traces']:.0f} tokens with {100 * s1k['teacher_wrong']:.1f}% wrong; its "
                   f"model thinks for {row['thinking_tokens']:.0f} tokens unforced, s1K's for {s1k_thinking_tokens:.0f}.")
        if row["teacher_wrong"] < s1k["teacher_wrong"] and row["thinking_tokens"] > s1k_thinking_tokens:
            out.append("A wrong trace in this world is, apart from the broken ones the quality filter drops, a sum the "
                       "teacher stopped early; a model trained on fewer of them stops early less often, so it thinks "
                       "longer and finishes more sums by itself. s1K's diversity criterion takes questions from every "
                       "domain, the impatient ones with their early-stopping traces, and its model learns that habit too.")
        if forced is not None:
            k, accuracy = forced
            out.append(f"Budget forcing repairs exactly that habit: s1K with k = {k} forced \"Wait\" reaches "
                       f"{100 * accuracy:.1f}%, against {name}'s {100 * row['accuracy']:.1f}% unforced.")
    return " ".join(out)


def ablation_figure(ablations: dict) -> plt.Figure:
    """Table 2 analogue: unforced accuracy of each selection, with its paired interval against s1K."""
    rows = ablations["rows"]
    if not rows:
        return empty_figure("not run in this profile: ablations.kinds is empty")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = [NAMES[r["selection"]] for r in rows] + ["s1K"]
    gains = [100 * r["gain_vs_s1k"] for r in rows] + [0.0]
    errors = [[100 * (r["gain_vs_s1k"] - r["ci_low"]) for r in rows] + [0.0],
              [100 * (r["ci_high"] - r["gain_vs_s1k"]) for r in rows] + [0.0]]
    ax.bar(names, gains, yerr=errors, capsize=4, color=sns.color_palette()[:len(names)])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("accuracy minus s1K's (points)")
    ax.set_title("each selection fine-tuned and evaluated like s1K, no forcing")
    fig.tight_layout()
    return fig


def exercise_numbers(ablations: dict) -> dict[str, float | str]:
    """Chapter 11's exercise solutions: the most accurate selection, its accuracy and interval against s1K (%), the
    ranking in words, and the longest selection's model (its unforced accuracy (%) and thinking tokens)."""
    rows = {r["selection"]: r for r in ablations["rows"]}
    keys = ["ex_best_selection", "ex_best_selection_name", "ex_best_selection_acc", "ex_best_gain_low", "ex_best_gain_high",
            "ex_s1k_acc", "ex_ranking", "ex_longest_acc", "ex_longest_tokens", "ex_longest_wrong", "ex_longest_gain",
            "longest_side"]
    if not rows:
        return {key: NOT_RUN for key in keys}
    best = max(rows, key=lambda kind: rows[kind]["accuracy"])
    out = {key: NOT_RUN for key in keys}
    out |= {"ex_best_selection": best, "ex_best_selection_name": NAMES[best], "ex_best_selection_acc": 100 * rows[best]["accuracy"],
            "ex_best_gain_low": 100 * rows[best]["ci_low"], "ex_best_gain_high": 100 * rows[best]["ci_high"],
            "ex_s1k_acc": 100 * ablations["s1k_accuracy"],
            "ex_ranking": ", ".join(f"{name} {100 * accuracy:.1f}%" for name, accuracy in ranking(ablations))}
    if "longest" in rows:
        row = rows["longest"]
        out |= {"ex_longest_acc": 100 * row["accuracy"], "ex_longest_tokens": row["thinking_tokens"],
                "ex_longest_wrong": 100 * row["teacher_wrong"],
                "ex_longest_gain": interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"]),
                "longest_side": "beats" if row["ci_low"] > 0 else "trails" if row["ci_high"] < 0 else "ties with"}
    return out


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
