"""Figure 4 (parallel scaling, chapter 10): majority voting against budget forcing.

``parallel.json`` holds a curve per model that voted (``base``, and ``sft`` where the profile votes
it: s1 voted Qwen2.5-32B-Instruct only, so the paper profiles have no ``sft`` curve), then the
grader's ``judge`` counts and the ``equivalence`` counts. A run with several benchmarks is read
benchmark by benchmark (the ``*_by_benchmark`` functions), never pooled beside AIME24's figure.

:func:`findings` decides Figure 4's claims from a run's (or a replicate's) result files: the base
model's votes against the SFT model unforced, and sequential against parallel at matched thinking
tokens over the *whole* voting curve (:func:`matched_points`: each vote beside the budget-forcing
point nearest in thinking tokens), not one chosen pair.
"""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, errorbar, percent_axis, points_errorbar
from s1kit.report.robustness import Finding, Results, interval_finding
from s1kit.report.scaling import benchmark_label, best_k_on_test
from s1kit.report.summary import Point, Summary
from s1kit.report.words import NOT_RUN, interval

MODELS = ("base", "sft")  # the keys of parallel.json that are curves
PARALLEL_FILE = "experiments/parallel/parallel.json"
SUMMARY_FILE = "results/summary.json"
SFT_NOT_RUN = ("not run in this profile: `evaluation.vote_models` leaves the SFT model out, as s1 voted "
               "Qwen2.5-32B-Instruct only")


def curves(parallel: dict) -> dict[str, list[dict]]:
    """The majority-voting curves of ``parallel.json``, by model (its other keys are counts)."""
    return {name: parallel[name] for name in MODELS if name in parallel}


def vote_table(points: Sequence[dict]) -> pd.DataFrame:
    """A majority-voting curve: accuracy, gain over one sample [95% paired interval], thinking tokens."""
    return pd.DataFrame({f"m = {int(p['votes'])}": {
        "accuracy (%)": round(100 * p["accuracy"], 1),
        "gain over m = 1 (points) [95%]": interval(p["gain_over_first"], p["ci_low"], p["ci_high"]),
        "thinking tokens per question": round(p["thinking_tokens"], 1)} for p in points}).T


def vote_tables(parallel: dict) -> pd.DataFrame:
    """:func:`vote_table` of the base model's and the SFT model's curves (those that voted), stacked."""
    names = {"base": "base model", "sft": "SFT model"}
    table = pd.concat({names[name]: vote_table(points) for name, points in curves(parallel).items()})
    return table.rename_axis(["model", "samples voted over"])


# -- matched compute over the whole curve ------------------------------------------------------------
def vote_interval(point: dict) -> tuple[float, float]:
    """A vote's accuracy with a 95% normal interval over its ``n`` questions (0..1): parallel.json keeps
    only the paired gain over one sample, so the accuracy's own interval is computed here."""
    p, n = point["accuracy"], point.get("n") or 1
    half = 1.96 * math.sqrt(max(p * (1 - p), 0.0) / n)
    return max(0.0, p - half), min(1.0, p + half)


def sequential_points(summary: Summary, cap_k: int) -> list[tuple[str, Point]]:
    """Budget forcing's points, each with its name ("N = 64", "k = 1"): the cap sweep and the forced "Wait"s."""
    points = [(f"N = {p.max_thinking_tokens}", p) for p in summary.caps(cap_k)]
    return points + [(f"k = {k}", p) for k, p in summary.uncapped().items()]


def matched_points(summary: Summary, votes: Sequence[dict], cap_k: int) -> list[dict]:
    """Each vote over m >= 2 samples beside the budget-forcing point nearest to it in thinking tokens.

    ``side`` says where sequential lies: "above" when the budget-forcing point's 95% interval lies
    above the vote's, "below" when under it, "tie" when they overlap. ``beyond`` marks a vote that
    spent more tokens than any budget-forcing point (its nearest point then spent fewer).
    """
    points = sequential_points(summary, cap_k)
    if not points:
        return []
    most = max(p.mean_thinking_tokens for _, p in points)
    out = []
    for vote in (v for v in votes if v["votes"] >= 2):
        name, point = min(points, key=lambda item: abs(item[1].mean_thinking_tokens - vote["thinking_tokens"]))
        low, high = vote_interval(vote)
        side = "above" if point.ci_low > high else "below" if point.ci_high < low else "tie"
        out.append({"votes": int(vote["votes"]), "vote_tokens": vote["thinking_tokens"], "vote_accuracy": vote["accuracy"],
                    "sequential": name, "sequential_tokens": point.mean_thinking_tokens,
                    "sequential_accuracy": point.accuracy, "side": side, "beyond": vote["thinking_tokens"] > most})
    return out


def matched_table(summary: Summary, parallel: dict, cap_k: int) -> pd.DataFrame | None:
    """:func:`matched_points` of the SFT model's votes as a table (accuracy in %); None when it did not vote."""
    if "sft" not in parallel:
        return None
    rows = {f"m = {m['votes']}": {
        "parallel: thinking tokens": round(m["vote_tokens"], 1), "parallel: accuracy (%)": round(100 * m["vote_accuracy"], 1),
        "sequential: nearest point": m["sequential"] + (" (the sweep's longest)" if m["beyond"] else ""),
        "sequential: thinking tokens": round(m["sequential_tokens"], 1),
        "sequential: accuracy (%)": round(100 * m["sequential_accuracy"], 1), "sequential is": m["side"]}
        for m in matched_points(summary, parallel["sft"], cap_k)}
    return pd.DataFrame(rows).T.rename_axis("vote")


def _matched_words(matched: Sequence[dict]) -> str:
    return "; ".join(f"m = {m['votes']} ({m['vote_tokens']:.0f} tokens) {100 * m['vote_accuracy']:.1f}% against "
                     f"{m['sequential']} ({m['sequential_tokens']:.0f} tokens"
                     + (", the sweep's longest" if m["beyond"] else "") + f") {100 * m['sequential_accuracy']:.1f}%: "
                     + {"above": "sequential above", "below": "sequential below", "tie": "a tie"}[m["side"]]
                     for m in matched)


def _sides(matched: Sequence[dict]) -> str:
    """ "all 2 matched points", "1 of the 2 matched points", "none of the 2 matched points"."""
    above, n = sum(m["side"] == "above" for m in matched), len(matched)
    points = "the one matched point" if n == 1 else f"{n} matched points"
    if above == n:
        return points if n == 1 else f"all {points}"
    return ("none of " if above == 0 else f"{above} of ") + ("the one matched point" if n == 1 else f"the {points}")


# -- the claims -------------------------------------------------------------------------------------
def _findings_on(summary: Summary, parallel: dict, cap_k: int, forced_k: int, label: str, where: str) -> list[Finding]:
    unforced, forced = summary.uncapped()[0], summary.uncapped()[forced_k]
    base = parallel["base"]
    best = max(base, key=lambda p: p["accuracy"])
    low, high = vote_interval(best)
    out = [Finding(f"{label}Voting over the base model cannot catch up with the fine-tuned model",
                   f"{paper.FIGURE4_SOURCE}{where}", holds=high < unforced.ci_low,
                   tie=not (high < unforced.ci_low or low > unforced.ci_high),
                   evidence=f"the best vote (m = {int(best['votes'])}) reaches {100 * best['accuracy']:.1f}%, the SFT model "
                            f"{100 * unforced.accuracy:.1f}% unforced and {100 * forced.accuracy:.1f}% with k = {forced_k}.")]
    if "sft" not in parallel:
        return out
    matched = matched_points(summary, parallel["sft"], cap_k)
    if matched:
        above = all(m["side"] == "above" for m in matched)
        out.append(Finding(f"{label}At matched thinking tokens, sequential scaling beats parallel scaling",
                           f"{paper.FIGURE4_SOURCE}{where}: the paper's reading of Figure 4",
                           holds=above, tie=not above and not any(m["side"] == "below" for m in matched),
                           evidence=f"sequential is above at {_sides(matched)} ({_matched_words(matched)})."))
    top = parallel["sft"][-1]
    out.append(interval_finding(f"{label}Voting over the SFT model's samples beats one sample",
                                f"{paper.FIGURE4_SOURCE}; Figure 4b's voting applied to the SFT model, where the paper "
                                "voted the base model only", top["ci_low"], top["ci_high"],
                                f"{100 * parallel['sft'][0]['accuracy']:.1f}% with one sample, "
                                f"{100 * top['accuracy']:.1f}% with m = {int(top['votes'])}, a gain of "
                                f"{interval(top['gain_over_first'], top['ci_low'], top['ci_high'])} points."))
    return out


def findings(results: Results, cap_k: int, benchmark: str | None = None) -> list[Finding]:
    """Figure 4's claims in ``results`` (``results/summary.json`` and ``experiments/parallel/parallel.json``).

    ``benchmark`` None: the run's one test set, forced at the best k chosen as the chapter chooses it
    (the dev split where there is one). A benchmark's short name: that benchmark's questions only,
    forced at its best k on the test set (as the paper's forced row), and every claim named by it.
    """
    summary = Summary.from_json(results.read(SUMMARY_FILE))
    parallel = results.read(PARALLEL_FILE)
    if benchmark is None:
        return _findings_on(summary, parallel, cap_k, summary.best_k()[0], "", "")
    on = summary.on(benchmark)
    seen = {name: on_benchmark(points, benchmark) for name, points in curves(parallel).items()}
    where = "" if benchmark == "aime24" else "; the paper voted on AIME24 only"
    return _findings_on(on, seen, cap_k, _forced_k(on), f"{benchmark_label(benchmark)}: ", where)


def findings_by_benchmark(results: Results, cap_k: int) -> list[Finding]:
    """:func:`findings` for every benchmark of the run, never pooled."""
    summary = Summary.from_json(results.read(SUMMARY_FILE))
    return [f for b in summary.benchmarks for f in findings(results, cap_k, b)]


def notes(parallel: dict) -> list[str]:
    """What the verdicts cannot say in this profile (the SFT model did not vote)."""
    return [] if "sft" in parallel else [f"**Voting over the SFT model's samples**: {SFT_NOT_RUN}."]


# -- the samples behind the votes (this run only) ----------------------------------------------------
def first_two(samples: dict) -> dict[str, float]:
    """How two samples vote (``sft_samples.json``: ``correct[q][i]``): the share of questions where exactly one
    of the first two is right, and where that one is the first (a 1-1 tie goes to the answer seen first)."""
    split = [marks for marks in samples["correct"] if len(marks) > 1 and marks[0] != marks[1]]
    n = len(samples["correct"]) or 1
    return {"split_pct": 100 * len(split) / n, "split_first_right_pct": 100 * sum(m[0] for m in split) / n,
            "split_second_right_pct": 100 * sum(m[1] for m in split) / n}


def any_right(samples: dict, m: int) -> float:
    """The share of questions (%) where at least one of the first ``m`` samples is right: what a perfect
    chooser among them would score, the most a vote over them can reach."""
    marks = samples["correct"]
    return 100 * sum(any(q[:m]) for q in marks) / (len(marks) or 1)


def parallel_figure(summary: Summary, parallel: dict, cap_k: int) -> plt.Figure:
    """Figure 4 analogue: sequential scaling (budget forcing) vs parallel scaling (majority voting).

    Left: accuracy against thinking tokens spent per question: the budget-forcing sweeps of the
    SFT model and majority voting over its temperature-1 samples (tokens summed over the votes).
    Right: majority voting over the base model's direct answers, against the number of votes,
    with the SFT model's unforced and best-k accuracy as lines (the paper's Figure 4b).
    """
    if "sft" not in parallel:
        fig, right = plt.subplots(figsize=(5.5, 4))
        _base_panel(right, summary, parallel["base"], summary.best_k()[0], ylabel=True)
        fig.tight_layout()
        return fig
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    caps, uncapped = summary.cap_curve(cap_k), summary.uncapped()
    points_errorbar(left, [p.mean_thinking_tokens for p in caps], caps, marker="o",
                    label=f"sequential: cap N (k = {cap_k})")
    points_errorbar(left, [p.mean_thinking_tokens for p in uncapped.values()], list(uncapped.values()), marker="s",
                    label='sequential: k forced "Wait"s')
    _votes_errorbar(left, parallel["sft"])
    left.set_xlabel("thinking tokens per question (all samples)")
    left.set_ylabel(ACCURACY_LABEL)
    left.set_title("SFT model")
    left.legend(fontsize=8)
    best_k, _ = summary.best_k()
    _base_panel(right, summary, parallel["base"], best_k)
    fig.tight_layout()
    return fig


def _votes_errorbar(ax: plt.Axes, votes: Sequence[dict], annotate: bool = True) -> None:
    """Majority voting's accuracy against all the thinking tokens it spent, with 95% intervals
    (:func:`vote_interval`), each point labelled with its m below the line."""
    bounds = [vote_interval(v) for v in votes]
    errorbar(ax, [v["thinking_tokens"] for v in votes], [v["accuracy"] for v in votes], [b[0] for b in bounds],
             [b[1] for b in bounds], marker="^", label="parallel: majority of m samples")
    if annotate:  # below and to the right of each point (the last one to its left), clear of the sweeps' lines
        for i, v in enumerate(votes):
            last = i == len(votes) - 1
            ax.annotate(f"m = {int(v['votes'])}", (v["thinking_tokens"], 100 * v["accuracy"]), textcoords="offset points",
                        xytext=(-6 if last else 6, -16), ha="right" if last else "left", fontsize=8)


def _base_panel(ax: plt.Axes, summary: Summary, base_points: Sequence[dict], best_k: int,
                title: str = "Base model, answering directly", ylabel: bool = False) -> None:
    """Majority voting over the base model against the number of votes, with the SFT model's
    unforced and forced accuracy as lines (the paper's Figure 4b)."""
    uncapped = summary.uncapped()
    base = pd.DataFrame(list(base_points))
    bounds = [vote_interval(v) for v in base_points]
    errorbar(ax, list(base["votes"]), list(base["accuracy"]), [b[0] for b in bounds], [b[1] for b in bounds],
             marker="^", label="base model: majority of m answers")
    ax.axhline(uncapped[0].accuracy * 100, color="grey", linestyle="--", label="SFT model, k = 0")
    ax.axhline(uncapped[best_k].accuracy * 100, color="black", linestyle=":", label=f"SFT model, best k ({best_k})")
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(base["votes"]), [str(int(m)) for m in base["votes"]])
    ax.set_xlabel("samples voted over (m)")
    if ylabel:
        ax.set_ylabel(ACCURACY_LABEL)
    ax.set_title(title)
    percent_axis(ax)
    ax.legend(fontsize=8)


# -- benchmark by benchmark (paper-scale runs) --------------------------------------------------------
def on_benchmark(points: Sequence[dict], benchmark: str) -> list[dict]:
    """A curve seen on one benchmark: each point's accuracy, gain and thinking tokens are that
    benchmark's (a curve written before per-benchmark numbers, of a one-benchmark run: as it is)."""
    out = []
    for p in points:
        if not p.get("accuracy_by_benchmark"):
            out.append(dict(p))
            continue
        paired = p["paired_by_benchmark"][benchmark]
        out.append(dict(p, accuracy=p["accuracy_by_benchmark"][benchmark],
                        thinking_tokens=p["thinking_tokens_by_benchmark"][benchmark], n=p["n_by_benchmark"][benchmark],
                        gain_over_first=paired["gain"], ci_low=paired["ci_low"], ci_high=paired["ci_high"]))
    return out


def _forced_k(on: Summary) -> int:
    return best_k_on_test(on)  # per benchmark, chosen as the paper chose its forced row (Table 1)


def vote_tables_by_benchmark(summary: Summary, parallel: dict) -> pd.DataFrame:
    """:func:`vote_table` per benchmark and model, with the SFT model's unforced and forced accuracy
    on the same benchmark beside the votes (``SFT model`` rows; forced at the best k on the test set)."""
    frames = {}
    for b in summary.benchmarks:
        on = summary.on(b)
        k = _forced_k(on)
        for name, points in curves(parallel).items():
            frames[(benchmark_label(b), f"{name} model, majority of m")] = vote_table(on_benchmark(points, b))
        frames[(benchmark_label(b), "SFT model, greedy")] = pd.DataFrame({
            label: {"accuracy (%)": round(100 * p.accuracy, 1), "gain over m = 1 (points) [95%]": "-",
                    "thinking tokens per question": round(p.mean_thinking_tokens, 1)}
            for label, p in (("k = 0", on.point(None, 0)), (f"k = {k} (best on test)", on.point(None, k)))}).T
    return pd.concat(frames)


def judge_table(parallel: dict) -> pd.DataFrame:
    """Per benchmark, the judge's share of this stage: samples it was asked to grade and verdicts it
    changed (``judge``), pairs of answers it was asked to compare and pairs it found the same
    (``equivalence``); empty when the profile has no judge."""
    judge, same = parallel.get("judge", {}), parallel.get("equivalence", {})
    rows = {benchmark_label(b): {"samples asked about": judge.get(b, {}).get("asked", 0),
                                 "verdicts it changed": judge.get(b, {}).get("changed", 0),
                                 "answer pairs asked about": same.get(b, {}).get("asked", 0),
                                 "pairs it joined": same.get(b, {}).get("merged", 0)}
            for b in dict.fromkeys([*judge, *same])}
    return pd.DataFrame(rows).T


def parallel_figures(summary: Summary, parallel: dict, cap_k: int) -> plt.Figure:
    """Figure 4b per benchmark: for each, the base model's votes against the SFT model's unforced and
    forced accuracy on that benchmark (forced: its best k on the test set), and, where the SFT model
    voted, its votes beside the budget-forcing sweeps (left). One benchmark: :func:`parallel_figure`."""
    if len(summary.benchmarks) == 1:
        return parallel_figure(summary, parallel, cap_k)
    names, sft = summary.benchmarks, "sft" in parallel
    fig, axes = plt.subplots(len(names), 2 if sft else 1, figsize=(10 if sft else 5.5, 3.8 * len(names)),
                             squeeze=False)
    for row, b in zip(axes, names, strict=True):
        on = summary.on(b)
        title = f"{benchmark_label(b)} ({on.n_test} questions)"
        if sft:
            _sft_panel(row[0], on, on_benchmark(parallel["sft"], b), cap_k, f"{title}: SFT model")
        _base_panel(row[-1], on, on_benchmark(parallel["base"], b), _forced_k(on), f"{title}: base model", ylabel=not sft)
    fig.tight_layout()
    return fig


def _sft_panel(ax: plt.Axes, summary: Summary, sft_points: Sequence[dict], cap_k: int, title: str) -> None:
    caps, uncapped = summary.cap_curve(cap_k), summary.uncapped()
    points_errorbar(ax, [p.mean_thinking_tokens for p in caps], caps, marker="o", label=f"sequential: cap N (k = {cap_k})")
    points_errorbar(ax, [p.mean_thinking_tokens for p in uncapped.values()], list(uncapped.values()), marker="s",
                    label='sequential: k forced "Wait"s')
    _votes_errorbar(ax, sft_points, annotate=False)
    ax.set_xlabel("thinking tokens per question (all samples)")
    ax.set_ylabel(ACCURACY_LABEL)
    ax.set_title(title)
    percent_axis(ax)
    ax.legend(fontsize=8)


def exercise_numbers(parallel: dict, model: str = "sft", benchmark: str | None = None) -> dict[str, float | int | str]:
    """Chapter 10's exercise solutions: a model's voting accuracy (%) at the two largest m, and tokens at the
    largest (``benchmark``: on that benchmark's questions only; "not run" where the model did not vote)."""
    sft = parallel.get(model, [])
    if benchmark is not None:
        sft = on_benchmark(sft, benchmark)
    last = sft[-1] if sft else None
    prev = sft[-2] if len(sft) > 1 else None
    return {"ex_votes_last": last["votes"] if last else NOT_RUN,
            "ex_votes_last_acc": 100 * last["accuracy"] if last else NOT_RUN,
            "ex_votes_prev": prev["votes"] if prev else NOT_RUN,
            "ex_votes_prev_acc": 100 * prev["accuracy"] if prev else NOT_RUN,
            "ex_votes_last_tokens": last["thinking_tokens"] if last else NOT_RUN}


def _listed(values: Sequence) -> str:
    values = [str(v) for v in values]
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" and {values[-1]}"


def prose_numbers(summary: Summary, parallel: dict, cap_k: int, samples: dict | None = None) -> dict[str, float | int | str]:
    """The numbers chapter 10's prose and exercises quote (tiny world: one test set): the vote sizes, the
    matched points in words, how two samples tie (``samples``: ``sft_samples.json``), and the share of
    questions with any right sample among the first m (%)."""
    keys = ["vote_sizes", "base_best_m", "base_best_acc", "sft_k0_acc", "sft_k0_tokens", "sft_m1_acc", "sft_m1_tokens",
            "sft_m2_acc", "m1_side", "split_pct", "split_first_right_pct", "split_second_right_pct", "matched_sides",
            "matched_words", "any_right_words", "votes_last", "votes_last_acc", "votes_last_any_right"]
    out: dict[str, float | int | str] = {key: NOT_RUN for key in keys}
    base = max(parallel["base"], key=lambda p: p["accuracy"])
    unforced = summary.uncapped()[0]
    out |= {"vote_sizes": _listed(int(p["votes"]) for p in parallel["base"]), "base_best_m": int(base["votes"]),
            "base_best_acc": 100 * base["accuracy"], "sft_k0_acc": 100 * unforced.accuracy,
            "sft_k0_tokens": unforced.mean_thinking_tokens}
    if "sft" not in parallel:
        return out
    votes = {int(p["votes"]): p for p in parallel["sft"]}
    last = parallel["sft"][-1]
    matched = matched_points(summary, parallel["sft"], cap_k)
    out |= {"sft_m1_acc": 100 * votes[1]["accuracy"] if 1 in votes else NOT_RUN,
            "sft_m1_tokens": votes[1]["thinking_tokens"] if 1 in votes else NOT_RUN,
            "sft_m2_acc": 100 * votes[2]["accuracy"] if 2 in votes else NOT_RUN,
            "m1_side": NOT_RUN if 1 not in votes else "below" if votes[1]["accuracy"] < unforced.accuracy else
            "above" if votes[1]["accuracy"] > unforced.accuracy else "level with",
            "votes_last": int(last["votes"]), "votes_last_acc": 100 * last["accuracy"],
            "matched_sides": _sides(matched) if matched else NOT_RUN,
            "matched_words": _matched_words(matched) if matched else NOT_RUN}
    if samples is not None and samples.get("correct"):
        out |= first_two(samples)
        out |= {"any_right_words": "; ".join(f"m = {m}: {any_right(samples, m):.1f}%" for m in sorted(votes)),
                "votes_last_any_right": any_right(samples, int(last["votes"]))}
    return out
