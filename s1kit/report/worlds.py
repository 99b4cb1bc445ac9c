"""Contrast worlds (chapter 7): the same study with one teacher habit changed, and what forcing "Wait" does in each."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, effect_word, interval

EXERCISE_WORLDS = ("main", "no_checks", "no_wait")  # the worlds chapter 7's exercises ask about


def ignore_table(summaries: dict[str, Summary]) -> pd.DataFrame:
    """Accuracy (%) with 95% bootstrap interval per world and number of forced Waits (no cap)."""
    rows: dict[str, dict[str, str]] = {}
    for name, summary in summaries.items():
        for k, p in summary.uncapped().items():
            rows.setdefault(f"k={k}", {})[name] = f"{100 * p.accuracy:.1f} [{100 * p.ci_low:.1f}, {100 * p.ci_high:.1f}]"
    return pd.DataFrame(rows).T.sort_index(key=lambda index: [int(i[2:]) for i in index]).fillna("not swept")


def world_verdicts(summaries: dict[str, Summary], ks: Sequence[int] = (1, 2)) -> list[str]:
    """One sentence per world on what forcing "Wait" did, decided by paired intervals against k=0."""
    lines = []
    for name, summary in summaries.items():
        rows = {k: row for k in ks if (row := summary.paired(k)) is not None}
        listed = ", ".join(f"{interval(r.gain, r.ci_low, r.ci_high)} (k={k})" for k, r in rows.items())
        lines.append(f"**{name}** (unforced {100 * summary.uncapped()[0].accuracy:.1f}%): forcing 'Wait' "
                     f"{effect_word([(r.ci_low, r.ci_high) for r in rows.values()])} - change against k=0, "
                     f"in points [95% paired interval]: {listed}.")
    return lines


def worlds_figure(summaries: dict[str, Summary], cap_k: int) -> plt.Figure:
    """Several worlds on one figure: accuracy vs forced Waits (left) and vs thinking cap (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for name, summary in summaries.items():
        ignores, caps = list(summary.uncapped().values()), summary.cap_curve(cap_k)
        points_errorbar(left, [p.num_ignore for p in ignores], ignores, marker="o", label=name)
        points_errorbar(right, [p.mean_thinking_tokens for p in caps], caps, marker="o", label=name)
    left.set_xlabel('forced "Wait"s k (no cap)')
    left.set_ylabel(ACCURACY_LABEL)
    right.set_xlabel(f"mean thinking tokens, cap sweep (k={cap_k})")
    percent_axis(left)
    left.legend(fontsize=8)
    fig.tight_layout()
    return fig


def exercise_numbers(summaries: dict[str, Summary]) -> dict[str, float | str]:
    """Chapter 7's exercise solutions: accuracy (%) at k = 0 and 1 per world (``NOT_RUN`` for a world the profile skips)."""
    out: dict[str, float | str] = {}
    for name in EXERCISE_WORLDS:
        uncapped = summaries[name].uncapped() if name in summaries else {}
        for k in (0, 1):
            out[f"ex_{name}_k{k}"] = 100 * uncapped[k].accuracy if k in uncapped else NOT_RUN
    return out
