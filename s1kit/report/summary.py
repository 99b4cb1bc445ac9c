"""A typed view of the evaluation stage's ``summary.json`` (written by :func:`s1kit.evaluation.evaluate`).

Every report module reads sweep points, paired comparisons and the best k through
:class:`Summary`, so the rules (which points are the uncapped ones, which k is "best") live once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping

from s1kit.evaluation import best_num_ignore

DEV_SPLIT = "dev split"
TEST_SET = "test set (no dev split)"


@dataclass(frozen=True)
class Point:
    """One sweep point: budget forcing with thinking cap N (None: no cap) and k forced "Wait"s."""

    index: int  # its place in summary["budget_forcing"], and the "point" of generations.jsonl
    max_thinking_tokens: int | None
    num_ignore: int
    accuracy: float
    ci_low: float
    ci_high: float
    mean_thinking_tokens: float
    n: int
    cap_fired_rate: float = 0.0
    mean_ignores_used: float = 0.0

    @property
    def capped(self) -> bool:
        return self.max_thinking_tokens is not None


@dataclass(frozen=True)
class Paired:
    """A paired comparison on the same questions: gain (0..1) with its paired 95% bootstrap interval."""

    comparison: str  # "sft_vs_base" (SFT at k = 0 against the base model) or "k_vs_0"
    num_ignore: int
    gain: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Summary:
    profile: str
    n_test: int
    base_model_accuracy: float
    points: tuple[Point, ...]
    comparisons: tuple[Paired, ...] = ()
    dev_accuracy: Mapping[int, float] | None = None  # the dev split's ignore sweep, when the run has one
    dev_best_k: int | None = None
    benchmark: str = "held-out set"
    by_benchmark: Mapping[str, list[float]] = field(default_factory=dict)  # accuracy per point, per benchmark
    base_by_benchmark: Mapping[str, float] = field(default_factory=dict)
    base_cut_off_rate: float | None = None  # share of base answers cut off by their token budget (absent in old runs)

    @classmethod
    def from_json(cls, data: Mapping) -> Summary:
        """The view of a ``summary.json`` dict; ``paired``, ``dev`` and per-benchmark keys may be absent."""
        names = {f.name for f in dataclasses.fields(Point)} - {"index"}
        points = tuple(Point(index=i, **{k: v for k, v in p.items() if k in names})
                       for i, p in enumerate(data["budget_forcing"]))
        dev = data.get("dev")
        return cls(
            profile=data["profile"], n_test=data["n_test"], base_model_accuracy=data["base_model_accuracy"],
            points=points, comparisons=tuple(Paired(**row) for row in data.get("paired", [])),
            dev_accuracy={int(k): v for k, v in dev["accuracy_by_num_ignore"].items()} if dev else None,
            dev_best_k=dev["best_num_ignore"] if dev else None,
            benchmark=data.get("benchmark", "held-out set"),
            by_benchmark=data.get("accuracy_by_benchmark", {}),
            base_by_benchmark=data.get("base_model_accuracy_by_benchmark", {}),
            base_cut_off_rate=data.get("base_model_cut_off_rate"))

    def uncapped(self) -> dict[int, Point]:
        """The uncapped points (the ignore sweep), keyed by k, ascending."""
        return {p.num_ignore: p for p in sorted(self.points, key=lambda p: p.num_ignore) if not p.capped}

    def point(self, cap: int | None, k: int) -> Point:
        for p in self.points:
            if p.max_thinking_tokens == cap and p.num_ignore == k:
                return p
        raise KeyError(f"no sweep point with N={cap}, k={k}")

    def caps(self, k: int) -> list[Point]:
        """The capped points with k forced "Wait"s (the cap sweep), by ascending cap."""
        return sorted((p for p in self.points if p.capped and p.num_ignore == k), key=lambda p: p.max_thinking_tokens)

    def cap_curve(self, k: int) -> list[Point]:
        """The cap sweep as Figure 1 draws it: growing caps N, ending at no cap, all with k forced Waits (by thinking tokens)."""
        uncapped = self.uncapped()
        ending = [uncapped[k]] if k in uncapped else []
        return sorted(self.caps(k) + ending, key=lambda p: p.mean_thinking_tokens)

    def paired(self, k: int) -> Paired | None:
        """k forced "Wait"s against none, both uncapped; None when the run has no such row."""
        return next((r for r in self.comparisons if r.comparison == "k_vs_0" and r.num_ignore == k), None)

    def sft_vs_base(self) -> Paired | None:
        return next((r for r in self.comparisons if r.comparison == "sft_vs_base"), None)

    def best_k(self) -> tuple[int, str]:
        """The best number of forced "Wait"s and where it was chosen.

        The dev split's choice when the run has one, so that the test accuracy reported with it
        is not chosen on the test set; otherwise :func:`s1kit.evaluation.best_num_ignore` over the
        test accuracies (the smallest k on a tie), the same rule the dev split uses.
        """
        if self.dev_best_k is not None:
            return self.dev_best_k, DEV_SPLIT
        return best_num_ignore({k: p.accuracy for k, p in self.uncapped().items()}), TEST_SET

    def accuracy_by_benchmark(self, point: Point) -> dict[str, float]:
        """One point's accuracy per benchmark (a single-benchmark run: its one accuracy)."""
        if self.by_benchmark:
            return {name: values[point.index] for name, values in self.by_benchmark.items()}
        return {self.benchmark: point.accuracy}

    def base_model_accuracy_by_benchmark(self) -> dict[str, float]:
        return dict(self.base_by_benchmark) or {self.benchmark: self.base_model_accuracy}

    def without_cap(self, cap: int) -> Summary:
        """The same run with the points capped at ``cap`` left out (what a sweep without that cap reports)."""
        return dataclasses.replace(self, points=tuple(p for p in self.points if p.max_thinking_tokens != cap))
