"""Contrast worlds (chapter 7): the same study with one teacher habit changed, and what forcing "Wait" does in each."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.robustness import Finding, Results
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, interval

EXERCISE_WORLDS = ("main", "no_checks", "no_wait")  # the worlds chapter 7's exercises ask about


def ignore_table(summaries: dict[str, Summary]) -> pd.DataFrame:
    """Accuracy (%) with 95% bootstrap interval per world and number of forced Waits (no cap)."""
    rows: dict[str, dict[str, str]] = {}
    for name, summary in summaries.items():
        for k, p in summary.uncapped().items():
            rows.setdefault(f"k={k}", {})[name] = f"{100 * p.accuracy:.1f} [{100 * p.ci_low:.1f}, {100 * p.ci_high:.1f}]"
    return pd.DataFrame(rows).T.sort_index(key=lambda index: [int(i[2:]) for i in index]).fillna("not swept")


#: What each world was built to show about one or two forced "Wait"s (chapter 7's table of
#: worlds), as the change it should make against k = 0 ("gain", "loss" or "none") and why.
EXPECTED = {
    "main": ("gain", "the traces continue after \"Wait\" (the next line, or a check that keeps the total)"),
    "no_wait": ("loss", "nothing in the traces follows \"Wait\""),
    "patient": ("none", "no trace stops early, so nothing is left for \"Wait\" to finish"),
    "no_checks": ("loss", "nothing in the traces follows a finished sum"),
}
WORKS_UNFORCED_POINTS = 25  # a world's model "works" when k = 0 beats its base model by this many points


def world_summaries(results: Results, worlds: Sequence[str]) -> dict[str, Summary]:
    """The main world's summary and each contrast world's, from one run's (or reference's) result files."""
    out = {"main": Summary.from_json(results.read("results/summary.json"))}
    for name in worlds:
        out[name] = Summary.from_json(results.read(f"worlds/{name}/results/summary.json"))
    return out


def findings(results: Results, worlds: Sequence[str], ks: Sequence[int] = (1, 2)) -> list[Finding]:
    """Chapter 7's claims: each world's model works unforced, and one or two forced "Wait"s do what the
    world was built to show (:data:`s1kit.report.worlds.EXPECTED`), decided by paired 95% intervals against k = 0.

    These are this book's own experiment, not the paper's; the paper's claim they probe is that
    "Wait" helps because of what follows it in the training traces (Section 3.1, Table 4).
    """
    out = []
    for name, summary in world_summaries(results, worlds).items():
        uncapped = summary.uncapped()
        rows = {k: row for k in ks if (row := summary.paired(k)) is not None}
        if 0 not in uncapped or not rows:
            continue
        margin = 100 * (uncapped[0].accuracy - summary.base_model_accuracy)
        if name != "main":
            out.append(Finding(
                f"{name}: the model works unforced", "a precondition of this book's contrast",
                holds=margin >= WORKS_UNFORCED_POINTS,
                evidence=f"k = 0 scores {100 * uncapped[0].accuracy:.1f}%, {margin:+.1f} points over its base model "
                         f"({100 * summary.base_model_accuracy:.1f}%); at least {WORKS_UNFORCED_POINTS} needed."))
        expected, why = EXPECTED.get(name, ("gain", "its traces"))
        decide = {"gain": lambda r: r.ci_low > 0, "loss": lambda r: r.ci_high < 0,
                  "none": lambda r: r.ci_low <= 0 <= r.ci_high}[expected]
        effect = {"gain": "helps", "loss": "hurts", "none": "changes nothing"}[expected]
        listed = ", ".join(f"{interval(r.gain, r.ci_low, r.ci_high)} (k={k})" for k, r in rows.items())
        out.append(Finding(
            f"{name}: forcing \"Wait\" {effect}", "this book's contrast; the paper's Section 3.1 and Table 4",
            holds=all(decide(r) for r in rows.values()),
            evidence=f"because {why}. Unforced {100 * uncapped[0].accuracy:.1f}%; change against k = 0 in points "
                     f"[95% paired interval]: {listed}.",
            tie=expected != "none" and all(r.ci_low <= 0 <= r.ci_high for r in rows.values())))
    return out


def worlds_figure(summaries: dict[str, Summary], cap_k: int) -> plt.Figure:
    """Several worlds on one figure: accuracy vs forced Waits (left) and vs thinking cap (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for name, summary in summaries.items():
        ignores, caps = list(summary.uncapped().values()), summary.cap_curve(cap_k)
        points_errorbar(left, [p.num_ignore for p in ignores], ignores, marker="o", label=name)
        points_errorbar(right, [p.mean_thinking_tokens for p in caps], caps, marker="o", label=name)
    left.set_title('Forcing "Wait" (no cap)', fontsize=10)
    right.set_title(f"Capping thinking (k={cap_k})", fontsize=10)
    left.set_xlabel('forced "Wait"s k (no cap)')
    left.set_ylabel(ACCURACY_LABEL)
    right.set_xlabel(f"mean thinking tokens, cap sweep (k={cap_k})")
    percent_axis(left)
    left.legend(fontsize=9)
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
