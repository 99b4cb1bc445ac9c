"""Control, Scaling and Performance of budget forcing's own sweeps, and the dev split's choice (chapter 8);
Scaling guarded against settings that used the same tokens (:func:`guarded_scaling`, chapter 9)."""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import pandas as pd

from s1kit.control import method_metrics
from s1kit.evaluation import best_num_ignore
from s1kit.report.summary import Point, Summary
from s1kit.report.words import finite_or


def _run(p: Point) -> dict:
    return {"thinking_tokens": p.mean_thinking_tokens, "accuracy": p.accuracy, "budget": p.max_thinking_tokens}


def budget_forcing_metrics(summary: Summary, cap_k: int) -> dict[str, dict]:
    """Control / Scaling (points per 100 thinking tokens) / Performance (%) of the two budget-forcing sweeps."""
    sweeps = {"cap_sweep": summary.caps(cap_k), "wait_sweep": list(summary.uncapped().values())}
    out = {}
    for name, points in sweeps.items():
        m = method_metrics([_run(p) for p in points])
        out[name] = {"control_pct": 100 * m["control"], "scaling_per_100_tokens": m["scaling"],
                     "performance_pct": 100 * m["performance"], "runs": m["runs"]}
    return out


def quoted_metrics(metrics: dict[str, dict]) -> dict[str, float | str]:
    """:func:`budget_forcing_metrics` flattened for the prose ("cap_sweep_control_pct"); a Scaling with no slope reads "not defined"."""
    return {f"{name}_{key}": finite_or(value, "not defined") for name, row in metrics.items() for key, value in row.items()}


def dev_table(summary: Summary) -> pd.DataFrame | None:
    """Accuracy (%) per k on the dev split beside the test set's; None when the run has no dev split."""
    if summary.dev_accuracy is None:
        return None
    dev = pd.Series({str(k): v for k, v in summary.dev_accuracy.items()}, name="dev accuracy")
    test = pd.Series({str(k): p.accuracy for k, p in summary.uncapped().items()}, name="test accuracy")
    return pd.concat([dev.mul(100).round(1), test.mul(100).round(1)], axis=1).rename_axis("k")


def exercise_numbers(summary: Summary, cap_k: int) -> dict[str, float | int | str]:
    """Chapter 8's exercise solutions: the test set's own best k, the chosen k's accuracy, Scaling without the smallest cap."""
    curve = {k: 100 * p.accuracy for k, p in summary.uncapped().items()}
    test_best = best_num_ignore(curve)  # the choice the dev split exists to avoid: made on the test set
    chosen, _ = summary.best_k()
    caps = summary.caps(cap_k)
    without = summary.without_cap(caps[0].max_thinking_tokens) if caps else summary
    scaling = budget_forcing_metrics(without, cap_k)["cap_sweep"]["scaling_per_100_tokens"]
    return {"ex_test_best_k": test_best, "ex_test_best_acc": curve[test_best], "ex_dev_k_acc": curve[chosen],
            "ex_scaling_without_smallest": finite_or(scaling, "not defined (every cap used the same tokens)")}


# -- Scaling guarded against settings that used (nearly) the same tokens (Table 3, chapter 9) ---------
GAP_SHARE = 0.10  # two settings closer in mean thinking tokens than this share of the method's mean are "the same tokens"


def token_gap(runs: Sequence[dict], share: float = GAP_SHARE) -> float:
    """The smallest difference in mean thinking tokens that counts as different compute: ``share`` of the runs' mean."""
    return share * sum(r["thinking_tokens"] for r in runs) / len(runs)


def guarded_scaling(runs: Sequence[dict], share: float = GAP_SHARE) -> float | None:
    """Scaling (accuracy points per 100 thinking tokens) over the pairs of runs whose thinking differs by at least
    :func:`token_gap`; None when no pair does (the runs used the same tokens, so there is no slope to measure).

    The paper's Scaling averages the slope over *every* pair with different compute
    (:func:`s1kit.metrics.scaling`); two settings a token apart then divide an accuracy
    difference by one token and swamp the average. Each run is a dict with ``thinking_tokens``
    (mean over questions) and ``accuracy`` (0..1).
    """
    if len(runs) < 2:
        return None
    gap = token_gap(runs, share)
    ordered = sorted(runs, key=lambda r: r["thinking_tokens"])
    slopes = [(b["accuracy"] - a["accuracy"]) / (b["thinking_tokens"] - a["thinking_tokens"])
              for a, b in combinations(ordered, 2) if b["thinking_tokens"] - a["thinking_tokens"] >= max(gap, 1e-9)]
    return 100 * 100 * sum(slopes) / len(slopes) if slopes else None


def token_spread(runs: Sequence[dict]) -> tuple[float, float]:
    """The fewest and the most mean thinking tokens among ``runs``."""
    tokens = [r["thinking_tokens"] for r in runs]
    return min(tokens), max(tokens)
