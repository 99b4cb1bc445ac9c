"""Comparing sampled budget forcing across engines whose draws differ: thinking lengths and a two-sample KS test.

Shared by ``tests/test_service_rows.py`` and ``tests/vllm/test_in_engine.py`` (plain Python, importable in both
environments).
"""

from __future__ import annotations

from s1kit.budget import BudgetForcing, budget_force


def ks_distance(a, b) -> float:
    """The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs."""
    return max(abs(sum(x <= v for x in a) / len(a) - sum(y <= v for y in b) / len(b)) for v in set(a) | set(b))


def ks_critical(count: int) -> float:
    """The KS statistic two samples of ``count`` each stay under at about the 0.1% level."""
    return 1.95 * (2 / count) ** 0.5


def thinking_lengths(engine, texts, num_ignore, seeds=6):
    """Thinking tokens of every prompt under ``seeds`` seeds, sampled (temperature 1, top-p 0.9), no cap."""
    lengths = []
    for seed in range(seeds):
        config = BudgetForcing(num_ignore=num_ignore, temperature=1.0, top_p=0.9, seed=seed * 97)
        lengths += [r.thinking_tokens for r in budget_force(engine, texts, config)]
    return lengths
