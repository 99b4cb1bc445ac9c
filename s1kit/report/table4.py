"""Table 4 (extrapolation, chapter 12): which string, appended when the end of thinking is suppressed, helps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, change_word, interval, interval_word


def _paper_row(ignore_str: str | None) -> dict:
    return paper.TABLE4["2x without string" if ignore_str is None else f'2x "{ignore_str}"']


def extrapolation_table(extrapolation: dict, summary: Summary) -> pd.DataFrame:
    """Table 4 beside ours: no forcing, and the end suppressed k times appending each string."""
    k = extrapolation["num_ignore"]
    uncapped, wait = summary.uncapped(), summary.paired(k)
    ours = {"No extrapolation": (uncapped[0].accuracy, uncapped[0].mean_thinking_tokens, "-")}
    for row in extrapolation["rows"]:
        name = f"{k}x without string" if row["ignore_str"] is None else f'{k}x "{row["ignore_str"]}"'
        ours[name] = (row["accuracy"], row["mean_thinking_tokens"],
                      interval(row["gain_vs_unforced"], row["ci_low"], row["ci_high"]))
    ours[f'{k}x "Wait"'] = (uncapped[k].accuracy, uncapped[k].mean_thinking_tokens,
                           interval(wait.gain, wait.ci_low, wait.ci_high))
    return pd.DataFrame({name: {"ours: accuracy (%)": round(100 * acc, 1), "ours: thinking tokens": round(tokens, 1),
                                "ours: gain vs no forcing [95%]": gain,
                                "paper: AIME24 (%)": paper.TABLE4.get(name.replace(f"{k}x", "2x"), {}).get("AIME 2024", "-")}
                         for name, (acc, tokens, gain) in ours.items()}).T


def extrapolation_verdicts(extrapolation: dict, summary: Summary) -> list[str]:
    """Table 4's findings checked against this run: which string extends thinking usefully."""
    k = extrapolation["num_ignore"]
    uncapped, wait = summary.uncapped(), summary.paired(k)
    unforced_paper = paper.TABLE4["No extrapolation"]["AIME 2024"]
    lines = [f'**{k}x "Wait" beats no forcing** ({paper.TABLE4_SOURCE}) - '
             f"{interval_word(wait.ci_low, wait.ci_high)}: {interval(wait.gain, wait.ci_low, wait.ci_high)}"
             f" points; the paper: {unforced_paper}% → {_paper_row('Wait')['AIME 2024']}% on AIME24."]
    accuracy = {"Wait": uncapped[k].accuracy}
    for row in extrapolation["rows"]:
        name = "no string" if row["ignore_str"] is None else f'"{row["ignore_str"]}"'
        accuracy[name] = row["accuracy"]
        lines.append(f"**{k}x {name} against no forcing**: {change_word(row['ci_low'], row['ci_high'])}, "
                     f"{interval(row['gain_vs_unforced'], row['ci_low'], row['ci_high'])} points "
                     f"(the paper: {unforced_paper}% → {_paper_row(row['ignore_str'])['AIME 2024']}%).")
    for row in extrapolation["rows"]:
        if row["ignore_str"] is None and row["accuracy"] == accuracy["Wait"] and \
                row["mean_thinking_tokens"] == uncapped[k].mean_thinking_tokens:
            lines.append("**Appending nothing matched appending \"Wait\"** in accuracy and in thinking length: "
                         "with its end of thinking banned once, the model writes the \"Wait\" it was trained on "
                         "by itself.")
    top_accuracy = max(accuracy.values())
    best = [name for name, value in accuracy.items() if value == top_accuracy]
    if len(best) > 1:
        lines.append(f"**No single best string**: {' and '.join(best)} tie at {100 * top_accuracy:.1f}%"
                     " - the paper found \"Wait\" best.")
    else:
        lines.append(f"**The best string** is {best[0]} at {100 * top_accuracy:.1f}%"
                     + (" - as in the paper." if best[0] == "Wait" else " - the paper found \"Wait\" best."))
    curve = {k: p.accuracy for k, p in uncapped.items()}
    top = max(curve)
    last = summary.paired(top)
    # the paper's curve flattens: its most-forced point stays above no forcing; ours must too
    word = ("not reproduced, it falls below no forcing" if last and last.ci_high < 0 else
            "reproduced" if last and last.ci_low > 0 else "not distinguishable from no forcing at the end")
    lines.append(f"**Repeating \"Wait\" keeps its gain** (s1 paper, Figure 4a: the curve flattens) - {word}: "
                 f"up to k = {top}, accuracy {100 * curve[0]:.1f}% at k = 0, "
                 f"{100 * max(curve.values()):.1f}% at its best (k = {max(curve, key=curve.get)}), "
                 f"{100 * curve[top]:.1f}% at k = {top}.")
    return lines


def example_outputs(extrapolation: dict) -> dict[str | None, dict]:
    """One output per appended string: a wrong one when there is one (they show what went astray)."""
    out = {}
    for row in extrapolation["rows"]:
        generations = [g for g in extrapolation["generations"] if g["ignore_str"] == row["ignore_str"]]
        out[row["ignore_str"]] = next((g for g in generations if not g["correct"]), generations[0])
    return out


def extrapolation_figure(summary: Summary, extrapolation: dict) -> plt.Figure:
    """Table 4 analogue: accuracy at each forced-string setting, and the "Wait" curve over k."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    uncapped = summary.uncapped()
    k = extrapolation["num_ignore"]
    labels = (["none (k=0)"] + [f'"{r["ignore_str"]}"' if r["ignore_str"] else "no string" for r in extrapolation["rows"]]
              + ['"Wait"'])
    values = [uncapped[0].accuracy] + [r["accuracy"] for r in extrapolation["rows"]] + [uncapped[k].accuracy]
    left.bar(labels, [100 * v for v in values], color=sns.color_palette()[:len(values)])
    left.set_ylabel(ACCURACY_LABEL)
    left.set_title(f"end of thinking suppressed {k} times, appending...")
    points_errorbar(right, list(uncapped), list(uncapped.values()), marker="o")
    right.set_xlabel('forced "Wait"s k (no cap)')
    right.set_title('"Wait", k = 0, 1, 2, ...')
    percent_axis(right)
    fig.tight_layout()
    return fig


def exercise_numbers(extrapolation: dict, summary: Summary) -> dict[str, float | int | str]:
    """Chapter 12's exercise solutions: accuracy (%) with "Wait", "Hmm" and no string at the extrapolation's k."""
    k = extrapolation["num_ignore"]
    uncapped = summary.uncapped()
    strings = {r["ignore_str"]: r for r in extrapolation["rows"]}
    return {"ex_wait_k": k, "ex_wait_acc": 100 * uncapped[k].accuracy if k in uncapped else NOT_RUN,
            "ex_hmm_acc": 100 * strings["Hmm"]["accuracy"] if "Hmm" in strings else NOT_RUN,
            "ex_none_acc": 100 * strings[None]["accuracy"] if None in strings else NOT_RUN}
