"""A typed view of the evaluation stage's ``summary.json`` (written by :func:`s1kit.evaluation.evaluate`).

Every report module reads sweep points, paired comparisons and the best k through
:class:`Summary`, so the rules (which points are the uncapped ones, which k is "best") live once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from s1kit.evaluation import ALL_BENCHMARKS, benchmark_order, best_num_ignore

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
    # per benchmark (short names); an old summary has none
    accuracy_by_benchmark: Mapping[str, float] = field(default_factory=dict)
    ci_by_benchmark: Mapping[str, Sequence[float]] = field(default_factory=dict)
    thinking_tokens_by_benchmark: Mapping[str, float] = field(default_factory=dict)
    accuracy_samples: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # pass@1 over n samples

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
    benchmark: str = ""  # the benchmark it is on (short name); "" in summaries older than per-benchmark pairs


@dataclass(frozen=True)
class Summary:
    profile: str
    n_test: int
    base_model_accuracy: float
    points: tuple[Point, ...]
    comparisons: tuple[Paired, ...] = ()
    dev_accuracy: Mapping[int, float] | None = None  # the dev split's ignore sweep, when the run has one
    dev_best_k: int | None = None
    benchmark: str = "held-out set"  # the one benchmark's name when a summary has no per-benchmark keys
    base_by_benchmark: Mapping[str, float] = field(default_factory=dict)
    base_cut_off_rate: float | None = None  # share of base answers cut off by their token budget (absent in old runs)
    n_by_benchmark: Mapping[str, int] = field(default_factory=dict)
    judge: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # per benchmark: asked, changed

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
            base_by_benchmark=data.get("base_model_accuracy_by_benchmark", {}),
            base_cut_off_rate=data.get("base_model_cut_off_rate"),
            n_by_benchmark=data.get("n_test_by_benchmark", {}), judge=data.get("judge", {}))

    @property
    def benchmarks(self) -> list[str]:
        """The run's benchmarks by short name, in the paper's column order (one name for an old summary)."""
        return benchmark_order(self.n_by_benchmark) or [self.benchmark]

    def _only(self, benchmark: str | None) -> str:
        """The benchmark a paired row is looked up on: the one named; else the run's only one, or with
        several, "all" (every question together: a description of the run, never beside a paper cell)."""
        if benchmark is not None:
            return benchmark
        return self.benchmarks[0] if len(self.benchmarks) == 1 else ALL_BENCHMARKS

    def on(self, benchmark: str) -> Summary:
        """The same run seen on one benchmark: every point's accuracy, interval and thinking tokens, the
        base model and the paired rows are that benchmark's (a one-benchmark run: itself)."""
        if not self.n_by_benchmark:
            if benchmark != self.benchmark:
                raise KeyError(f"no benchmark {benchmark!r} in this summary ({self.benchmark})")
            return self
        if benchmark not in self.n_by_benchmark:
            raise KeyError(f"no benchmark {benchmark!r} in this run; it has {self.benchmarks}")

        def narrowed(p: Point) -> Point:
            low, high = p.ci_by_benchmark.get(benchmark, (p.ci_low, p.ci_high))
            return dataclasses.replace(p, accuracy=p.accuracy_by_benchmark[benchmark], ci_low=low, ci_high=high,
                                       mean_thinking_tokens=p.thinking_tokens_by_benchmark.get(
                                           benchmark, p.mean_thinking_tokens),
                                       n=self.n_by_benchmark[benchmark])

        return dataclasses.replace(
            self, n_test=self.n_by_benchmark[benchmark], base_model_accuracy=self.base_by_benchmark[benchmark],
            points=tuple(narrowed(p) for p in self.points), benchmark=benchmark,
            comparisons=tuple(r for r in self.comparisons if r.benchmark in (benchmark, "")),
            base_by_benchmark={benchmark: self.base_by_benchmark[benchmark]},
            n_by_benchmark={benchmark: self.n_by_benchmark[benchmark]},
            judge={k: v for k, v in self.judge.items() if k == benchmark})

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

    def paired(self, k: int, benchmark: str | None = None) -> Paired | None:
        """k forced "Wait"s against none, both uncapped, on ``benchmark`` (default: the run's only one);
        None when the run has no such row."""
        name = self._only(benchmark)
        return next((r for r in self.comparisons if r.comparison == "k_vs_0" and r.num_ignore == k
                     and r.benchmark in (name, "")), None)

    def sft_vs_base(self, benchmark: str | None = None) -> Paired | None:
        name = self._only(benchmark)
        return next((r for r in self.comparisons if r.comparison == "sft_vs_base" and r.benchmark in (name, "")), None)

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
        """One point's accuracy per benchmark (a summary without them: its one accuracy)."""
        return dict(point.accuracy_by_benchmark) or {self.benchmark: point.accuracy}

    def base_model_accuracy_by_benchmark(self) -> dict[str, float]:
        return dict(self.base_by_benchmark) or {self.benchmark: self.base_model_accuracy}

    def without_cap(self, cap: int) -> Summary:
        """The same run with the points capped at ``cap`` left out (what a sweep without that cap reports)."""
        return dataclasses.replace(self, points=tuple(p for p in self.points if p.max_thinking_tokens != cap))
