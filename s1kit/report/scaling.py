"""Table 1 and Figure 1: budget forcing's two sweeps, the headline numbers and their verdicts (chapters 5, 6)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, percent_axis, points_errorbar
from s1kit.report.robustness import Finding, Results, interval_finding
from s1kit.report.summary import Point, Summary
from s1kit.report.words import NOT_RUN, change_word, interval

NAN = float("nan")


def _frame(points: Sequence[Point]) -> pd.DataFrame:
    frame = pd.DataFrame([dataclasses.asdict(p) for p in points])
    frame["label"] = [f"N={'∞' if p.max_thinking_tokens is None else p.max_thinking_tokens}, k={p.num_ignore}"
                      for p in points]
    return frame


def shown_table(points: Sequence[Point]) -> pd.DataFrame:
    """Sweep points as the book shows them: one row per setting ("N=64, k=0"; N=∞: no cap), accuracies
    and rates in %, headers in words."""
    return pd.DataFrame({
        "accuracy (%)": [round(100 * p.accuracy, 1) for p in points],
        "95% interval (%)": [f"{100 * p.ci_low:.1f}-{100 * p.ci_high:.1f}" for p in points],
        "thinking tokens (mean)": [round(p.mean_thinking_tokens, 1) for p in points],
        "cap fired (%)": [round(100 * p.cap_fired_rate, 1) for p in points],
        "Waits used (mean)": [round(p.mean_ignores_used, 2) for p in points],
        "questions": [p.n for p in points],
    }, index=pd.Index(_frame(points)["label"], name="setting"))


def cap_points(summary: Summary, cap_k: int) -> pd.DataFrame:
    """:meth:`s1kit.report.summary.Summary.cap_curve` as a table."""
    return _frame(summary.cap_curve(cap_k))


def ignore_points(summary: Summary) -> pd.DataFrame:
    """The ignore sweep (no cap, k = 0, 1, 2, ...) as a table."""
    return _frame(list(summary.uncapped().values()))


def headline(summary: Summary, cap_k: int) -> dict[str, float | int | str]:
    """The numbers the book's verdicts quote, all from summary.json (accuracies and gains in %).

    ``best_k`` is :meth:`s1kit.report.summary.Summary.best_k` (the dev split's choice when the run has one);
    ``best_k_source`` says where it was chosen. Gains carry their paired 95% intervals.
    """
    uncapped, caps = summary.uncapped(), summary.caps(cap_k)
    best_k, source = summary.best_k()
    out = {
        "base": 100 * summary.base_model_accuracy,
        "k0": 100 * uncapped[0].accuracy if 0 in uncapped else NAN,
        "full": 100 * uncapped[cap_k].accuracy,
        "full_tokens": uncapped[cap_k].mean_thinking_tokens,
        "smallest_cap": caps[0].max_thinking_tokens if caps else NAN,
        "smallest_cap_acc": 100 * caps[0].accuracy if caps else NAN,
        "best_k": best_k,
        "best_k_source": source,
        "best_k_acc": 100 * uncapped[best_k].accuracy,
        "n": summary.n_test,
    }
    out["cap_gain"] = out["full"] - out["smallest_cap_acc"]
    for name, row in (("sft", summary.sft_vs_base()), ("wait", summary.paired(best_k))):
        out[f"{name}_gain"] = 100 * row.gain if row else NAN
        out[f"{name}_ci_low"] = 100 * row.ci_low if row else NAN
        out[f"{name}_ci_high"] = 100 * row.ci_high if row else NAN
    if best_k == 0:  # no forcing was best: k = 0 against itself gains exactly nothing
        out.update(wait_gain=0.0, wait_ci_low=0.0, wait_ci_high=0.0)
    return out


def shape_checks(summary: Summary, cap_k: int = 0) -> list[dict]:
    """The tiny study's targets for the paper's shape, each measured on this run (issue #17).

    Base model under 10%, with at most 5% of its answers cut off by the answer budget; SFT
    unforced at least 25 points above it; k = 1 and k = 2 each at least 5 points above k = 0 with
    paired 95% intervals above zero; a plateau (for every k <= 6 the paired k-vs-0 interval
    reaches zero or above); the cap sweep rising at least 25 points from the smallest cap to the
    uncapped point. Accuracies in %.
    """
    uncapped, caps = summary.uncapped(), summary.caps(cap_k)
    base, k0 = 100 * summary.base_model_accuracy, 100 * uncapped[0].accuracy
    cut = summary.base_cut_off_rate
    rows = [{"target": "base < 10%", "measured": f"{base:.1f}%", "met": base < 10},
            {"target": "base answers cut off <= 5%", "met": cut is not None and cut <= 0.05,
             "measured": NOT_RUN if cut is None else f"{100 * cut:.1f}%"},
            {"target": "SFT k=0 >= base + 25", "measured": f"{k0:.1f}% ({k0 - base:+.1f})", "met": k0 - base >= 25}]
    for k in (1, 2):
        row = summary.paired(k)
        met = row is not None and 100 * row.gain >= 5 and row.ci_low > 0
        rows.append({"target": f"k={k} >= k=0 + 5, interval above 0",
                     "measured": interval(row.gain, row.ci_low, row.ci_high) if row else NOT_RUN, "met": met})
    plateau = [row for row in (summary.paired(k) for k in sorted(uncapped) if 0 < k <= 6) if row is not None]
    falls = [row.num_ignore for row in plateau if row.ci_high < 0]
    measured = (NOT_RUN if not plateau else f"below at k = {falls}" if falls else
                f"no fall up to k = {plateau[-1].num_ignore}")
    rows.append({"target": "plateau: no k <= 6 below k=0", "met": bool(plateau) and not falls, "measured": measured})
    rise = k0 - 100 * caps[0].accuracy if caps else NAN
    rows.append({"target": "cap sweep rises >= 25", "met": rise >= 25,
                 "measured": f"{rise:+.1f} (N = {caps[0].max_thinking_tokens} to no cap)" if caps else NOT_RUN})
    return rows


def _aime(row: str) -> float:
    return paper.TABLE1[row]["aime24"]


def findings(results: Results, cap_k: int) -> list[Finding]:
    """Chapter 6's claims on one run's ``results/summary.json``, each decided by that run's numbers.

    Each compares the same quantity as the paper: unforced with unforced (Table 1, "s1 w/o
    budget forcing" against Qwen2.5-32B-Instruct), forced with unforced on the same model (Table 1,
    s1-32B against s1 w/o budget forcing, k chosen on the dev split), and accuracy against the
    thinking cap (the capped, low-token end of Figure 1's curves). A gain holds when its paired 95%
    interval lies above zero; the cap's rise when the smallest cap's 95% interval lies wholly
    below the uncapped point's. :mod:`s1kit.report.robustness` words them.
    """
    summary = Summary.from_json(results.read("results/summary.json"))
    numbers = headline(summary, cap_k)
    sft_paper = _aime("s1 w/o budget forcing") - _aime("Qwen2.5-32B-Instruct")
    wait_paper = _aime("s1-32B (budget forcing)") - _aime("s1 w/o budget forcing")
    out = [
        interval_finding(
            "Fine-tuning on s1K beats the base model, both unforced", paper.TABLE1_SOURCE,
            numbers["sft_ci_low"], numbers["sft_ci_high"],
            f"base model answering directly {numbers['base']:.1f}%, SFT model with no forcing (k = 0) "
            f"{numbers['k0']:.1f}%, {numbers['sft_gain']:+.1f} points [95% paired interval "
            f"{numbers['sft_ci_low']:+.1f}, {numbers['sft_ci_high']:+.1f}]; the paper: "
            f"{_aime('Qwen2.5-32B-Instruct')}% → {_aime('s1 w/o budget forcing')}% on AIME24 ({sft_paper:+.1f})."),
        interval_finding(
            "Budget forcing adds accuracy on top of fine-tuning", paper.TABLE1_SOURCE,
            numbers["wait_ci_low"], numbers["wait_ci_high"],
            f"the same SFT model with no forcing {numbers['k0']:.1f}%, with k = {numbers['best_k']} forced "
            f"\"Wait\"s (chosen on the {numbers['best_k_source']}) {numbers['best_k_acc']:.1f}%, "
            f"{numbers['wait_gain']:+.1f} points [{numbers['wait_ci_low']:+.1f}, {numbers['wait_ci_high']:+.1f}]; "
            f"the paper: {_aime('s1 w/o budget forcing')}% → {_aime('s1-32B (budget forcing)')}% on AIME24 "
            f"({wait_paper:+.1f})."),
    ]
    caps, uncapped = summary.caps(cap_k), summary.uncapped()
    if caps and cap_k in uncapped:
        small, full = caps[0], uncapped[cap_k]
        out.append(Finding(
            "Accuracy rises with the thinking cap", "s1 paper, Figure 1: the capped, low-token end of its curves",
            holds=small.ci_high < full.ci_low,
            evidence=f"capped at {small.max_thinking_tokens} thinking tokens the SFT model scores "
                     f"{100 * small.accuracy:.1f}% [{100 * small.ci_low:.1f}, {100 * small.ci_high:.1f}], uncapped "
                     f"{100 * full.accuracy:.1f}% [{100 * full.ci_low:.1f}, {100 * full.ci_high:.1f}]. A cap shorter than "
                     "the computation can only cut it off, so this is the weak half of the claim ('scaling down', chapter 7).",
            tie=not (small.ci_high < full.ci_low or small.ci_low > full.ci_high)))
    return out


def table1(summary: Summary, numbers: dict) -> pd.DataFrame:
    """Table 1's three AIME24 rows beside ours, row for row (the same quantity per row), in %."""
    rows = {  # paper.TABLE1 row -> (our label, our number)
        "Qwen2.5-32B-Instruct": ("base model, answering directly", numbers["base"]),
        "s1 w/o budget forcing": ("SFT model, no forcing (k=0)", numbers["k0"]),
        "s1-32B (budget forcing)": (f"SFT model, k={numbers['best_k']} forced Waits (chosen on the "
                                    f"{numbers['best_k_source']})", numbers["best_k_acc"]),
    }
    return pd.DataFrame({label: {"paper: AIME24 (%)": paper.TABLE1[row]["aime24"],
                                 f"ours: {summary.profile} held-out (%)": round(ours, 1)}
                         for row, (label, ours) in rows.items()}).T


# The paper's column a run's benchmark is set beside: its own; the tiny world stands in for AIME24
PAPER_COLUMN = {"aime24": "aime24", "math500": "math500", "gpqa_diamond": "gpqa_diamond", "tiny": "aime24"}
STEPS = {"base": "base model, answering directly", "unforced": "SFT model, no forcing (k=0)",
         "forced": "SFT model with forcing (k as the published row)"}


def benchmark_label(name: str) -> str:
    """A benchmark's printed name (AIME24, MATH500, GPQA Diamond, tiny world)."""
    return paper.BENCHMARK_NAMES.get(name, name)


def paper_cells(paper_model: str, benchmark: str) -> dict[str, float | None]:
    """The published numbers a run's ``benchmark`` is set beside, per step (``STEPS``), in %;
    None where the paper has no such cell. ``paper_model``: ``Profile.paper_model``."""
    column = PAPER_COLUMN.get(benchmark)
    return {step: (values.get(column) if column else None)
            for step, (_, values, _) in paper.PAPER_ROWS[paper_model].items()}


def forced_k(summary: Summary, paper_model: str) -> int:
    """The k set beside ``paper_model``'s published forced row: the same k when the source names one
    (s1.1-32B: 2), else the best on the test set, as the paper chose its (:func:`best_k_on_test`)."""
    k = paper.FORCED_K[paper_model]
    return best_k_on_test(summary) if k is None or k not in summary.uncapped() else k


def best_k_on_test(summary: Summary) -> int:
    """The k with the best test accuracy (the smallest on a tie): how the paper's forced row was chosen."""
    from s1kit.evaluation import best_num_ignore

    return best_num_ignore({k: p.accuracy for k, p in summary.uncapped().items()})


def table1_by_benchmark(summary: Summary, paper_model: str) -> pd.DataFrame:
    """Table 1 like for like, per benchmark: the paper's cell beside ours on the same benchmark, in %.

    Two rows per benchmark of the run (the paper's, then ours); columns: the base model answering
    directly, the fine-tuned model unforced (k = 0), and with forcing at the k of the published row
    (:func:`forced_k`: s1-32B's Table 1 took its best k per benchmark on the test set, so ours is
    chosen alike; s1.1-32B's card gives 2x "Wait"), each naming its k. Pooled accuracy over
    benchmarks is never shown here.
    """
    rows = {}
    for name in summary.benchmarks:
        on = summary.on(name)
        cells = paper_cells(paper_model, name)
        column = PAPER_COLUMN.get(name)
        k = forced_k(on, paper_model)
        label = benchmark_label(name)
        paper_label = f"paper: {benchmark_label(column)}" if column and column != name else "paper"
        rows[(label, f"{paper_label} (%)")] = {STEPS[s]: "-" if v is None else v for s, v in cells.items()}
        rows[(label, f"ours, {on.n_test} questions (%)")] = {
            STEPS["base"]: round(100 * on.base_model_accuracy, 1),
            STEPS["unforced"]: round(100 * on.point(None, 0).accuracy, 1),
            STEPS["forced"]: f"{100 * on.point(None, k).accuracy:.1f} (k={k})"}
    table = pd.DataFrame(rows).T
    table.index.names = ["benchmark", ""]
    return table


def points_by_benchmark(summary: Summary, points: dict[str, Point | None]) -> pd.DataFrame:
    """Accuracy (%) per benchmark (rows) for some sweep points (columns; None: the base model answering directly)."""
    frame = pd.DataFrame({label: summary.base_model_accuracy_by_benchmark() if point is None
                          else summary.accuracy_by_benchmark(point) for label, point in points.items()})
    frame.index = [benchmark_label(b) for b in frame.index]
    frame.index.name = "benchmark"
    return (100 * frame).round(1)


def ignore_sweep_by_benchmark(summary: Summary) -> pd.DataFrame:
    """Every k of the uncapped sweep, per benchmark: accuracy (%) and, below it, the paired gain over k = 0."""
    rows = {}
    for name in summary.benchmarks:
        on = summary.on(name)
        label = benchmark_label(name)
        rows[(label, "accuracy (%)")] = {f"k={k}": f"{100 * p.accuracy:.1f}" for k, p in on.uncapped().items()}
        gains = {}
        for k in on.uncapped():
            row = on.paired(k, name) if k else None
            gains[f"k={k}"] = "-" if row is None else interval(row.gain, row.ci_low, row.ci_high)
        rows[(label, "vs k=0, points [95%]")] = gains
    table = pd.DataFrame(rows).T
    table.index.names = ["benchmark", ""]
    return table


def judge_table(summary: Summary) -> pd.DataFrame:
    """Per benchmark: the judge's share of the grading (outputs it was asked about, verdicts it changed)."""
    from s1kit.evaluation import benchmark_order

    rows = {benchmark_label(b): {"outputs asked about": summary.judge[b]["asked"],
                                 "verdicts it changed": summary.judge[b]["changed"]}
            for b in benchmark_order(summary.judge)}
    return pd.DataFrame(rows).T


def samples_table(summary: Summary) -> pd.DataFrame:
    """Pass@1 over n samples (mean and standard deviation of the runs' accuracies) beside greedy, per
    uncapped point and benchmark, in %; empty when the run sampled nothing."""
    rows = {}
    for k, p in summary.uncapped().items():
        for name, spread in p.accuracy_samples.items():
            rows[(benchmark_label(name), f"k={k}")] = {
                "greedy (%)": round(100 * p.accuracy_by_benchmark[name], 1),
                f"sampled: mean of {spread['n']} runs (%)": round(100 * spread["mean"], 1),
                "sampled: std (points)": round(100 * spread["std"], 1)}
    return pd.DataFrame(rows).T


def findings_by_benchmark(results: Results, paper_model: str, cap_k: int) -> list[Finding]:
    """Table 1's and Figure 1's claims, benchmark by benchmark, each beside the paper's cell on the same
    benchmark and decided by its own paired 95% interval; the forced k is chosen on the test set, as
    the paper chose it, and every k's interval is in :func:`ignore_sweep_by_benchmark`."""
    summary = Summary.from_json(results.read("results/summary.json"))
    source = paper.PAPER_ROWS[paper_model]["forced"][2]
    out = []
    for name in summary.benchmarks:
        on, label, cells = summary.on(name), benchmark_label(name), paper_cells(paper_model, name)
        uncapped, caps = on.uncapped(), on.caps(cap_k)
        sft = on.sft_vs_base(name)
        k = forced_k(on, paper_model)
        chosen = ("the best on the test set" if paper.FORCED_K[paper_model] is None
                  else "the published row's")
        wait = on.paired(k, name) if k else None
        paper_sft = (f"the paper: {cells['base']}% → {cells['unforced']}%" if cells["unforced"] is not None
                     else "the paper has no such cell")
        if sft is not None:
            out.append(interval_finding(
                f"{label}: fine-tuning beats the base model, both unforced", source, sft.ci_low, sft.ci_high,
                f"{100 * on.base_model_accuracy:.1f}% → {100 * uncapped[0].accuracy:.1f}%, "
                f"{interval(sft.gain, sft.ci_low, sft.ci_high)} points; {paper_sft}."))
        paper_wait = "the paper has no such cell" if cells["forced"] is None else (
            f"the paper: {cells['unforced']}% → {cells['forced']}%, its k also chosen on the test set"
            if paper.FORCED_K[paper_model] is None else
            f"published: {cells['unforced']}% → {cells['forced']}% at k = {paper.FORCED_K[paper_model]}")
        claim = f"{label}: forced \"Wait\"s add accuracy on top of fine-tuning"
        if wait is not None:
            out.append(interval_finding(
                claim, source, wait.ci_low, wait.ci_high,
                f"at {chosen} k (k = {k}): {100 * uncapped[0].accuracy:.1f}% → {100 * uncapped[k].accuracy:.1f}%, "
                f"{interval(wait.gain, wait.ci_low, wait.ci_high)} points; {paper_wait}."))
        else:
            out.append(Finding(claim, source, holds=False,
                               evidence=f"no k scores above k = 0 on the test set ({paper_wait})."))
        if caps and cap_k in uncapped:
            rise = 100 * (uncapped[cap_k].accuracy - caps[0].accuracy)
            out.append(Finding(
                f"{label}: accuracy rises with the thinking cap", "s1 paper, Figure 1", holds=rise > 0,
                evidence=f"{100 * caps[0].accuracy:.1f}% at N = {caps[0].max_thinking_tokens}, "
                         f"{100 * uncapped[cap_k].accuracy:.1f}% uncapped ({rise:+.1f} points)."))
    return out


def paired_table(summary: Summary) -> pd.DataFrame:
    """Every paired comparison of the main evaluation: gain in points with its 95% interval."""
    rows = {}
    several = len(summary.benchmarks) > 1
    for row in summary.comparisons:
        name = "SFT (k=0) vs base model" if row.comparison == "sft_vs_base" else f"k={row.num_ignore} vs k=0"
        key = (benchmark_label(row.benchmark), name) if several else name  # never pooled over benchmarks
        rows[key] = {"gain, points [95% paired interval]": interval(row.gain, row.ci_low, row.ci_high),
                     "change": change_word(row.ci_low, row.ci_high)}
    return pd.DataFrame(rows).T


def longest_questions(test: Sequence[dict]) -> list[dict]:
    """The held-out questions with the most terms: where stopping early shows most."""
    most = max(t["difficulty"] for t in test)
    return [t for t in test if t["difficulty"] == most]


def point_examples(generations: Sequence[dict], test: Sequence[dict], point: Point, count: int = 2,
                   correct: bool | None = None) -> list[dict]:
    """A few generations of one sweep point, with their question and gold answer."""
    by_id = {t["id"]: t for t in test}
    rows = [g for g in generations
            if g["point"] == point.index and g["id"] in by_id and (correct is None or g["correct"] == correct)]
    return [dict(g, question=by_id[g["id"]]["question"], gold=by_id[g["id"]]["answer"]) for g in rows[:count]]


def accuracy_by_difficulty(generations: Sequence[dict], test: Sequence[dict], points: dict[str, Point]) -> pd.DataFrame:
    """Accuracy per number of terms for some sweep points (columns named by ``points``' keys)."""
    difficulty = {t["id"]: t["difficulty"] for t in test}
    table = {}
    for name, point in points.items():
        counts, right = Counter(), Counter()
        for g in generations:
            if g["point"] == point.index:
                counts[difficulty[g["id"]]] += 1
                right[difficulty[g["id"]]] += g["correct"]
        table[name] = {d: 100 * right[d] / counts[d] for d in sorted(counts)}
    frame = pd.DataFrame(table)
    frame.index.name = "terms"
    return frame.round(1)


def scaling_down_and_up(summary: Summary, cap_k: int, best_k: int) -> dict[str, float]:
    """How much of the accuracy range comes from cutting thinking short and how much from extending it.

    *Scaling down* (arXiv:2507.14419): from the smallest cap to the model's own, uncapped thinking
    (k = ``cap_k``). *Scaling up*: from there to ``best_k`` forced "Wait"s. In points and shares.
    """
    uncapped, caps = summary.uncapped(), summary.caps(cap_k)
    down = 100 * (uncapped[cap_k].accuracy - caps[0].accuracy) if caps else NAN  # no cap sweep: not measured
    up = 100 * (uncapped[best_k].accuracy - uncapped[cap_k].accuracy)
    total = down + up
    return {"scaling_down_points": down, "scaling_up_points": up,
            "scaling_down_share_pct": 100 * down / total if total else NAN,
            "scaling_up_share_pct": 100 * up / total if total else NAN}


def exercise_numbers(summary: Summary) -> dict[str, float | int]:
    """Chapter 6's exercise solutions: accuracy (%) at the sweep's two largest k."""
    uncapped = summary.uncapped()
    (k_before, before), (k_last, last) = list(uncapped.items())[-2:]
    return {"k_last": k_last, "k_last_acc": 100 * last.accuracy, "k_before": k_before,
            "k_before_acc": 100 * before.accuracy}


def scaling_figures(summary: Summary, cap_k: int) -> plt.Figure:
    """Figure 1 per benchmark: one panel each (:func:`scaling_figure` on :meth:`s1kit.report.summary.Summary.on`); one
    benchmark: :func:`scaling_figure` itself."""
    if len(summary.benchmarks) == 1:
        return scaling_figure(summary, cap_k)
    names = summary.benchmarks
    fig, axes = plt.subplots(len(names), 1, figsize=(7, 3.6 * len(names)))
    for ax, name in zip(axes, names, strict=True):
        on = summary.on(name)
        scaling_figure(on, cap_k, f"{benchmark_label(name)} ({on.n_test} questions)", ax=ax)
    fig.tight_layout()
    return fig


def scaling_figure(summary: Summary, cap_k: int, title: str = "", ax: plt.Axes | None = None) -> plt.Figure:
    """The paper's Figure 1 analogue: accuracy vs mean thinking tokens, both sweeps (``ax``: draw there)."""
    fig, ax = plt.subplots(figsize=(7, 4.2)) if ax is None else (ax.figure, ax)
    caps, ignores = summary.cap_curve(cap_k), list(summary.uncapped().values())
    for points, label, marker in ((caps, f"cap N (k={cap_k})", "o"), (ignores, "ignore end k times (no cap)", "s")):
        points_errorbar(ax, [p.mean_thinking_tokens for p in points], points, marker=marker, label=label)
    for p in ignores:  # below and right of each point; the uncapped k = cap_k point is also the cap curve's end
        name = f"k={p.num_ignore}" + (" (N=∞)" if p.num_ignore == cap_k else "")
        ax.annotate(name, (p.mean_thinking_tokens, p.accuracy * 100),
                    textcoords="offset points", xytext=(5, -12), fontsize=8)
    # caps the model's own thinking never reaches land on one point: one label names them all;
    # labels sit left of their point, clear of its error bar
    groups: list[tuple[Point, list[str]]] = []
    for p in caps:
        if p.max_thinking_tokens is None:
            continue  # named by its k label
        cap = str(p.max_thinking_tokens)
        last = groups[-1][0] if groups else None
        if last is not None and last.accuracy == p.accuracy and abs(last.mean_thinking_tokens - p.mean_thinking_tokens) < 3:
            groups[-1][1].append(cap)
        else:
            groups.append((p, [cap]))
    for p, names in groups:
        ax.annotate(f"N={', '.join(names)}", (p.mean_thinking_tokens, p.accuracy * 100),
                    textcoords="offset points", xytext=(-7, 2), fontsize=8, ha="right")
    ax.margins(x=0.1)  # room for the last point's label
    ax.axhline(summary.base_model_accuracy * 100, color="grey", linestyle="--", label="base model, no thinking")
    ax.set_xlabel("mean thinking tokens per question")
    ax.set_ylabel(ACCURACY_LABEL)
    percent_axis(ax)
    ax.set_title(title or f"Budget forcing, profile {summary.profile}")
    ax.legend(loc="center right", fontsize=8)
    fig.tight_layout()
    return fig
