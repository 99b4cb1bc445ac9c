"""The paper's three measures of a way to control thinking (s1, Section 3.2), and paired bootstrap.

A test-time scaling method is run at several settings; each setting ``a`` uses some thinking
compute (mean thinking tokens) and reaches an accuracy ``f(a)``. The paper compares methods by:

* **Control**: the share of runs whose thinking stays inside the budget asked for,
  ``1/|A| * sum_a 1[a_min <= a <= a_max]`` (budget forcing: 100% by construction).
* **Scaling**: the average slope of accuracy against compute over every pair of settings,
  ``1/C(|A|, 2) * sum_{b > a} (f(b) - f(a)) / (b - a)``: how much accuracy each extra token buys.
* **Performance**: the best accuracy reached, ``max_a f(a)``.

:func:`paired_bootstrap` gives the interval of a difference between two settings scored on the
same questions, the comparison every verdict rests on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import combinations
from typing import Sequence


@dataclass(frozen=True)
class Run:
    """One evaluated setting: the thinking compute it used, its accuracy, and the budget it was given."""

    thinking_tokens: float
    accuracy: float
    budget_min: float = 0.0
    budget_max: float = float("inf")


def control(runs: Sequence[Run]) -> float:
    """Share of runs whose thinking compute stayed within their budget (0..1)."""
    if not runs:
        raise ValueError("control needs at least one run")
    return sum(r.budget_min <= r.thinking_tokens <= r.budget_max for r in runs) / len(runs)


def scaling(runs: Sequence[Run]) -> float:
    """Average slope (accuracy per thinking token) over all pairs of runs with different compute."""
    pairs = [(a, b) for a, b in combinations(sorted(runs, key=lambda r: r.thinking_tokens), 2)
             if b.thinking_tokens > a.thinking_tokens]
    if not pairs:
        raise ValueError("scaling needs two runs with different thinking compute")
    return sum((b.accuracy - a.accuracy) / (b.thinking_tokens - a.thinking_tokens) for a, b in pairs) / len(pairs)


def performance(runs: Sequence[Run]) -> float:
    """The best accuracy among the runs."""
    if not runs:
        raise ValueError("performance needs at least one run")
    return max(r.accuracy for r in runs)


def paired_bootstrap(correct_a: Sequence[bool], correct_b: Sequence[bool], samples: int = 2000,
                     seed: int = 0) -> tuple[float, float, float]:
    """Accuracy of b minus accuracy of a on the same questions, with a 95% percentile interval.

    Questions are resampled together for both settings, so the interval reflects how the two
    differ on the same problems, not how hard the sampled problems happen to be.
    """
    if len(correct_a) != len(correct_b) or not correct_a:
        raise ValueError(f"need two equally long, non-empty result lists, got {len(correct_a)} and {len(correct_b)}")
    n = len(correct_a)
    deltas = [float(b) - float(a) for a, b in zip(correct_a, correct_b, strict=True)]
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(deltas, k=n)) / n for _ in range(samples))
    return sum(deltas) / n, means[int(0.025 * (samples - 1))], means[int(0.975 * (samples - 1))]
