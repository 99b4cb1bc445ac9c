"""Table 4 (extrapolation, chapter 12): which string, appended when the end of thinking is suppressed, helps.

A run with several benchmarks is read benchmark by benchmark (:func:`on_benchmark` with
:meth:`s1kit.report.summary.Summary.on`; the ``*_by_benchmark`` functions), each beside the
paper's column for the same benchmark, never pooled.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.scaling import PAPER_COLUMN, benchmark_label
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, change_word, interval, interval_word


def _paper_row(ignore_str: str | None) -> dict:
    return paper.TABLE4["2x without string" if ignore_str is None else f'2x "{ignore_str}"']


def _paper_cell(name: str, column: str | None) -> float | str:
    """The paper's Table 4 cell of a row (by our row's name at k = 2) in ``column``; "-" if none."""
    return paper.TABLE4.get(name, {}).get(column, "-") if column else "-"


def on_benchmark(extrapolation: dict, benchmark: str) -> dict:
    """``extrapolation.json`` seen on one benchmark: each row's accuracy, thinking tokens and paired
    gain are that benchmark's (rows written before per-benchmark numbers: as they are)."""
    rows = []
    for row in extrapolation["rows"]:
        if not row.get("accuracy_by_benchmark"):
            rows.append(dict(row))
            continue
        paired = row["paired_by_benchmark"][benchmark]
        rows.append(dict(row, accuracy=row["accuracy_by_benchmark"][benchmark],
                         mean_thinking_tokens=row["thinking_tokens_by_benchmark"][benchmark],
                         gain_vs_unforced=paired["gain"], ci_low=paired["ci_low"], ci_high=paired["ci_high"]))
    generations = extrapolation.get("generations")
    return dict(extrapolation, rows=rows, **({"generations": generations} if generations is not None else {}))


def extrapolation_table(extrapolation: dict, summary: Summary, benchmark: str | None = None,
                        published: bool = True) -> pd.DataFrame:
    """Table 4 beside ours: no forcing, and the end suppressed k times appending each string.

    ``benchmark``: the paper's column for it beside ours (``extrapolation`` and ``summary`` already
    seen on it); None: the paper's AIME24 column, as the tiny world's chapter sets it.
    ``published``: False when the run's model is not the one Table 4 reports (s1-32B): no paper cells.
    """
    k = extrapolation["num_ignore"]
    uncapped, wait = summary.uncapped(), summary.paired(k)
    ours = {"No extrapolation": (uncapped[0].accuracy, uncapped[0].mean_thinking_tokens, "-")}
    for row in extrapolation["rows"]:
        name = f"{k}x without string" if row["ignore_str"] is None else f'{k}x "{row["ignore_str"]}"'
        ours[name] = (row["accuracy"], row["mean_thinking_tokens"],
                      interval(row["gain_vs_unforced"], row["ci_low"], row["ci_high"]))
    ours[f'{k}x "Wait"'] = (uncapped[k].accuracy, uncapped[k].mean_thinking_tokens,
                           "-" if wait is None else interval(wait.gain, wait.ci_low, wait.ci_high))
    column = None if not published else "aime24" if benchmark is None else PAPER_COLUMN.get(benchmark)
    paper_label = "paper: AIME24 (%)" if benchmark is None else (
        f"paper: {benchmark_label(column)} (%)" if column else "paper (%)")
    return pd.DataFrame({name: {"ours: accuracy (%)": round(100 * acc, 1), "ours: thinking tokens": round(tokens, 1),
                                "ours: gain vs no forcing [95%]": gain,
                                paper_label: _paper_cell(name.replace(f"{k}x", "2x"), column)}
                         for name, (acc, tokens, gain) in ours.items()}).T


def extrapolation_table_by_benchmark(extrapolation: dict, summary: Summary,
                                     paper_model: str = paper.TABLE4_MODEL) -> pd.DataFrame:
    """:func:`extrapolation_table` for every benchmark of the run, each beside the paper's column for it
    (none when the run's ``paper_model`` is not the model Table 4 reports)."""
    frames = {}
    for b in summary.benchmarks:
        table = extrapolation_table(on_benchmark(extrapolation, b), summary.on(b), b,
                                    published=paper_model == paper.TABLE4_MODEL)
        frames[benchmark_label(b)] = table.rename(columns={c: "paper (%)" for c in table.columns
                                                           if c.startswith("paper")})
    table = pd.concat(frames)
    table.index.names = ["benchmark", "setting"]
    return table


def extrapolation_verdicts(extrapolation: dict, summary: Summary, benchmark: str | None = None,
                           published: bool = True) -> list[str]:
    """Table 4's findings checked against this run: which string extends thinking usefully.

    ``benchmark``: the lines are that benchmark's, each set beside the paper's cell for it
    (``extrapolation`` and ``summary`` already seen on it); None: beside AIME24's, unnamed.
    ``published``: False when the run's model is not the one Table 4 reports: no paper cells quoted.
    """
    k = extrapolation["num_ignore"]
    uncapped, wait = summary.uncapped(), summary.paired(k)
    column = None if not published else "aime24" if benchmark is None else PAPER_COLUMN.get(benchmark)
    label = "" if benchmark is None else f"{benchmark_label(benchmark)}: "
    on = "AIME24" if benchmark is None else benchmark_label(column) if column else ""

    def quoted(ignore_str: str | None, end: str = "") -> str:
        if not column:
            return "the paper has no such cell" if published else f"Table 4 reports {paper.TABLE4_MODEL} only"
        return f"{paper.TABLE4['No extrapolation'][column]}% → {_paper_row(ignore_str)[column]}%{end}"

    lines = []
    if wait is not None:
        lines.append(f'**{label}{k}x "Wait" beats no forcing** ({paper.TABLE4_SOURCE}) - '
                     f"{interval_word(wait.ci_low, wait.ci_high)}: {interval(wait.gain, wait.ci_low, wait.ci_high)}"
                     f" points; the paper: {quoted('Wait', f' on {on}')}.")
    accuracy = {"Wait": uncapped[k].accuracy}
    for row in extrapolation["rows"]:
        name = "no string" if row["ignore_str"] is None else f'"{row["ignore_str"]}"'
        accuracy[name] = row["accuracy"]
        lines.append(f"**{label}{k}x {name} against no forcing**: {change_word(row['ci_low'], row['ci_high'])}, "
                     f"{interval(row['gain_vs_unforced'], row['ci_low'], row['ci_high'])} points "
                     f"(the paper: {quoted(row['ignore_str'])}).")
    for row in extrapolation["rows"]:
        if row["ignore_str"] is None and row["accuracy"] == accuracy["Wait"] and \
                row["mean_thinking_tokens"] == uncapped[k].mean_thinking_tokens:
            lines.append(f"**{label}Appending nothing matched appending \"Wait\"** in accuracy and in thinking "
                         "length: with its end of thinking banned once, the model writes the \"Wait\" it was trained "
                         "on by itself.")
    top_accuracy = max(accuracy.values())
    best = [name for name, value in accuracy.items() if value == top_accuracy]
    theirs = _paper_best(column)
    if theirs == ["Wait"]:
        found = " - the paper found \"Wait\" best."
    elif theirs:
        found = f" - the paper's best on {on}: {' and '.join(theirs)} (Table 4)."
    else:
        found = " - the paper has no such column."
    if len(best) > 1:
        lines.append(f"**{label}No single best string**: {' and '.join(best)} tie at {100 * top_accuracy:.1f}%{found}")
    else:
        lines.append(f"**{label}The best string** is {best[0]} at {100 * top_accuracy:.1f}%"
                     + (" - as in the paper." if best == theirs else found))
    curve = {k: p.accuracy for k, p in uncapped.items()}
    top = max(curve)
    last = summary.paired(top)
    # the paper's curve flattens: its most-forced point stays above no forcing; ours must too
    word = ("not reproduced, it falls below no forcing" if last and last.ci_high < 0 else
            "reproduced" if last and last.ci_low > 0 else "not distinguishable from no forcing at the end")
    lines.append(f"**{label}Repeating \"Wait\" keeps its gain** (s1 paper, Figure 4a: the curve flattens) - {word}: "
                 f"up to k = {top}, accuracy {100 * curve[0]:.1f}% at k = 0, "
                 f"{100 * max(curve.values()):.1f}% at its best (k = {max(curve, key=curve.get)}), "
                 f"{100 * curve[top]:.1f}% at k = {top}.")
    return lines


def _paper_best(column: str | None) -> list[str]:
    """The strings with the paper's best accuracy in ``column`` (named as the verdicts name ours)."""
    if not column:
        return []
    cells = {"Wait": _paper_row("Wait")[column],
             **{"no string" if text is None else f'"{text}"': _paper_row(text)[column]
                for text in ("Hmm", "Alternatively", None)}}
    return [name for name, value in cells.items() if value == max(cells.values())]


def extrapolation_verdicts_by_benchmark(extrapolation: dict, summary: Summary,
                                        paper_model: str = paper.TABLE4_MODEL) -> list[str]:
    """:func:`extrapolation_verdicts` benchmark by benchmark, each against the paper's cell for it
    (none when the run's ``paper_model`` is not the model Table 4 reports)."""
    return [line for b in summary.benchmarks
            for line in extrapolation_verdicts(on_benchmark(extrapolation, b), summary.on(b), b,
                                               published=paper_model == paper.TABLE4_MODEL)]


def judge_table(extrapolation: dict) -> pd.DataFrame:
    """Per benchmark, the outputs of this stage the judge was asked about and the verdicts it changed
    (``judge`` in ``extrapolation.json``); empty when the profile has no judge."""
    return pd.DataFrame({benchmark_label(b): {"outputs asked about": c["asked"], "verdicts it changed": c["changed"]}
                         for b, c in extrapolation.get("judge", {}).items()}).T


def example_outputs(extrapolation: dict) -> dict[str | None, dict]:
    """One output per appended string: a wrong one when there is one (they show what went astray)."""
    out = {}
    for row in extrapolation["rows"]:
        generations = [g for g in extrapolation["generations"] if g["ignore_str"] == row["ignore_str"]]
        out[row["ignore_str"]] = next((g for g in generations if not g["correct"]), generations[0])
    return out


def extrapolation_figure(summary: Summary, extrapolation: dict, axes=None, title: str = "") -> plt.Figure:
    """Table 4 analogue: accuracy at each forced-string setting, and the "Wait" curve over k
    (``axes``: the two axes to draw on; ``title``: what the panels' titles start with)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True) if axes is None else (axes[0].figure, axes)
    uncapped = summary.uncapped()
    k = extrapolation["num_ignore"]
    labels = (["none (k=0)"] + [f'"{r["ignore_str"]}"' if r["ignore_str"] else "no string" for r in extrapolation["rows"]]
              + ['"Wait"'])
    values = [uncapped[0].accuracy] + [r["accuracy"] for r in extrapolation["rows"]] + [uncapped[k].accuracy]
    left.bar(labels, [100 * v for v in values], color=sns.color_palette()[:len(values)])
    left.set_ylabel(ACCURACY_LABEL)
    left.set_title(f"{title}end of thinking suppressed {k} times, appending...")
    points_errorbar(right, list(uncapped), list(uncapped.values()), marker="o")
    right.set_xlabel('forced "Wait"s k (no cap)')
    right.set_title(f'{title}"Wait", k = 0, 1, 2, ...')
    percent_axis(right)
    fig.tight_layout()
    return fig


def extrapolation_figures(summary: Summary, extrapolation: dict) -> plt.Figure:
    """:func:`extrapolation_figure` per benchmark, one row each (one benchmark: the figure itself)."""
    if len(summary.benchmarks) == 1:
        return extrapolation_figure(summary, extrapolation)
    names = summary.benchmarks
    fig, axes = plt.subplots(len(names), 2, figsize=(10, 4 * len(names)), squeeze=False)
    for row, b in zip(axes, names, strict=True):
        extrapolation_figure(summary.on(b), on_benchmark(extrapolation, b), row, f"{benchmark_label(b)}: ")
        row[1].sharey(row[0])
    fig.tight_layout()
    return fig


def exercise_numbers(extrapolation: dict, summary: Summary) -> dict[str, float | int | str]:
    """Chapter 12's exercise solutions: accuracy (%) with "Wait", "Hmm" and no string at the extrapolation's k
    (on one benchmark: pass ``on_benchmark(extrapolation, b)`` and ``summary.on(b)``)."""
    k = extrapolation["num_ignore"]
    uncapped = summary.uncapped()
    strings = {r["ignore_str"]: r for r in extrapolation["rows"]}
    return {"ex_wait_k": k, "ex_wait_acc": 100 * uncapped[k].accuracy if k in uncapped else NOT_RUN,
            "ex_hmm_acc": 100 * strings["Hmm"]["accuracy"] if "Hmm" in strings else NOT_RUN,
            "ex_none_acc": 100 * strings[None]["accuracy"] if None in strings else NOT_RUN}
