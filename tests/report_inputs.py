"""Inputs of the report tests: the committed reference runs' results, and small hand-made summaries."""

from __future__ import annotations

import json
import math
from pathlib import Path

from s1kit.report.summary import Summary

REFERENCE = Path(__file__).resolve().parent.parent / "reference"


def reference_json(profile: str, path: str) -> dict:
    return json.loads((REFERENCE / profile / path).read_text())


def reference_summary(profile: str, world: str | None = None) -> Summary:
    prefix = f"worlds/{world}/" if world else ""
    return Summary.from_json(reference_json(profile, f"{prefix}results/summary.json"))


def summary_json(base, ks, caps, paired=(), dev_best=None, cap_k=0):
    """A summary.json dict: uncapped accuracies by k, capped accuracies by N (with ``cap_k`` Waits), paired rows."""
    points = [{"max_thinking_tokens": None, "num_ignore": k, "accuracy": a, "ci_low": a - 0.05, "ci_high": a + 0.05,
               "mean_thinking_tokens": 20.0 * (k + 1), "n": 200} for k, a in ks.items()]
    points += [{"max_thinking_tokens": n, "num_ignore": cap_k, "accuracy": a, "ci_low": a, "ci_high": a,
                "mean_thinking_tokens": float(n), "n": 200} for n, a in caps.items()]
    out = {"profile": "t", "n_test": 200, "base_model_accuracy": base, "budget_forcing": points,
           "paired": [{"comparison": c, "num_ignore": k, "gain": g, "ci_low": lo, "ci_high": hi}
                      for c, k, g, lo, hi in paired]}
    if dev_best is not None:
        out["dev"] = {"n": 50, "accuracy_by_num_ignore": {str(k): 0.0 for k in ks}, "best_num_ignore": dev_best}
    return out


def summary(*args, **kwargs) -> Summary:
    return Summary.from_json(summary_json(*args, **kwargs))


def quotable(values: dict) -> bool:
    """Every value is a finite number or a non-empty word (what {glue:text} may print: never nan)."""
    return all(isinstance(v, str) and v or isinstance(v, (int, float)) and math.isfinite(v) for v in values.values())


def all_numbers(values: dict) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values.values())


def benchmarks_json(base: dict, ks: dict, caps: dict, n: dict, paired=()):
    """A per-benchmark summary.json dict: ``base`` {benchmark: acc}, ``ks`` {k: {benchmark: acc}}, ``caps``
    {N: {benchmark: acc}} (k = 0), ``n`` {benchmark: questions}, ``paired`` (benchmark, comparison, k, gain, lo, hi).
    Pooled accuracies are the question-weighted means, as evaluate() writes them."""
    total = sum(n.values())

    def point(cap, k, by):
        pooled = sum(by[b] * n[b] for b in n) / total
        return {"max_thinking_tokens": cap, "num_ignore": k, "accuracy": pooled, "ci_low": pooled - 0.05,
                "ci_high": pooled + 0.05, "mean_thinking_tokens": 100.0 * (k + 1) if cap is None else float(cap),
                "n": total, "accuracy_by_benchmark": by, "ci_by_benchmark": {b: [a - 0.1, a + 0.1] for b, a in by.items()},
                "thinking_tokens_by_benchmark": {b: (100.0 if cap is None else float(cap)) * (k + 1 if cap is None else 1)
                                                 + i for i, b in enumerate(by)}}

    points = [point(None, k, by) for k, by in ks.items()] + [point(cap, 0, by) for cap, by in caps.items()]
    return {"profile": "t", "n_test": total, "n_test_by_benchmark": n,
            "base_model_accuracy": sum(base[b] * n[b] for b in n) / total, "base_model_accuracy_by_benchmark": base,
            "budget_forcing": points, "judge": {},
            "paired": [{"benchmark": b, "comparison": c, "num_ignore": k, "gain": g, "ci_low": lo, "ci_high": hi}
                       for b, c, k, g, lo, hi in paired]}


def results_of(tmp_path, files: dict):
    """A run's result files (``{"results/summary.json": {...}}``) written under ``tmp_path``, as
    :class:`s1kit.report.robustness.Results`."""
    import json

    from s1kit.report.robustness import Results

    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(json.dumps(data))
    return Results(tmp_path, "this run", 0, "bf16")
