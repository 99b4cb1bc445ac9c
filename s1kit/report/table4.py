"""Table 4 (extrapolation, chapter 12): which string, appended when the end of thinking is suppressed, helps.

A run with several benchmarks is read benchmark by benchmark (:func:`on_benchmark` with
:meth:`s1kit.report.summary.Summary.on`; the ``*_by_benchmark`` functions), each beside the
paper's column for the same benchmark, never pooled.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from s1kit import paper
from s1kit.jsonio import read_jsonl
from s1kit.metrics import paired_bootstrap
from s1kit.report.robustness import Finding, Results, interval_finding
from s1kit.report.scaling import PAPER_COLUMN, benchmark_label
from s1kit.report.summary import Summary
from s1kit.report.words import NOT_RUN, interval
from s1kit.sources import benchmark_name


def _paper_row(ignore_str: str | None) -> dict:
    return paper.TABLE4["2x without string" if ignore_str is None else f'2x "{ignore_str}"']


def _paper_cell(name: str, column: str | None) -> float | str:
    """The paper's Table 4 cell of a row (by our row's name at k = 2) in ``column``; "-" if none."""
    return paper.TABLE4.get(name, {}).get(column, "-") if column else "-"


def on_benchmark(extrapolation: dict, benchmark: str) -> dict:
    """``extrapolation.json`` seen on one benchmark: each row's accuracy, thinking tokens and paired
    gain are that benchmark's (rows written before per-benchmark numbers: as they are)."""
    rows = []
    for row in extrapolation["rows"]:
        if not row.get("accuracy_by_benchmark"):
            rows.append(dict(row))
            continue
        paired = row["paired_by_benchmark"][benchmark]
        rows.append(dict(row, accuracy=row["accuracy_by_benchmark"][benchmark],
                         mean_thinking_tokens=row["thinking_tokens_by_benchmark"][benchmark],
                         gain_vs_unforced=paired["gain"], ci_low=paired["ci_low"], ci_high=paired["ci_high"]))
    generations = extrapolation.get("generations")
    return dict(extrapolation, rows=rows, **({"generations": generations} if generations is not None else {}))


def extrapolation_table(extrapolation: dict, summary: Summary, benchmark: str | None = None,
                        published: bool = True) -> pd.DataFrame:
    """Table 4 beside ours: no forcing, and the end suppressed k times appending each string.

    ``benchmark``: the paper's column for it beside ours (``extrapolation`` and ``summary`` already
    seen on it); None: the paper's AIME24 column, as the tiny world's chapter sets it.
    ``published``: False when the run's model is not the one Table 4 reports (s1-32B): no paper cells.
    """
    k = extrapolation["num_ignore"]
    uncapped, wait = summary.uncapped(), summary.paired(k)
    ours = {"No extrapolation": (uncapped[0].accuracy, uncapped[0].mean_thinking_tokens, "-")}
    for row in extrapolation["rows"]:
        name = f"{k}x without string" if row["ignore_str"] is None else f'{k}x "{row["ignore_str"]}"'
        ours[name] = (row["accuracy"], row["mean_thinking_tokens"],
                      interval(row["gain_vs_unforced"], row["ci_low"], row["ci_high"]))
    ours[f'{k}x "Wait"'] = (uncapped[k].accuracy, uncapped[k].mean_thinking_tokens,
                           "-" if wait is None else interval(wait.gain, wait.ci_low, wait.ci_high))
    column = None if not published else "aime24" if benchmark is None else PAPER_COLUMN.get(benchmark)
    paper_label = "paper: AIME24 (%)" if benchmark is None else (
        f"paper: {benchmark_label(column)} (%)" if column else "paper (%)")
    return pd.DataFrame({name: {"ours: accuracy (%)": round(100 * acc, 1), "ours: thinking tokens": round(tokens, 1),
                                "ours: gain over no forcing (points) [95%]": gain,
                                paper_label: _paper_cell(name.replace(f"{k}x", "2x"), column)}
                         for name, (acc, tokens, gain) in ours.items()}).T


def extrapolation_table_by_benchmark(extrapolation: dict, summary: Summary,
                                     paper_model: str = paper.TABLE4_MODEL) -> pd.DataFrame:
    """:func:`extrapolation_table` for every benchmark of the run, each beside the paper's column for it
    (none when the run's ``paper_model`` is not the model Table 4 reports)."""
    frames = {}
    for b in summary.benchmarks:
        table = extrapolation_table(on_benchmark(extrapolation, b), summary.on(b), b,
                                    published=paper_model == paper.TABLE4_MODEL)
        frames[benchmark_label(b)] = table.rename(columns={c: "paper (%)" for c in table.columns
                                                           if c.startswith("paper")})
    table = pd.concat(frames)
    table.index.names = ["benchmark", "setting"]
    return table


# -- the claims -------------------------------------------------------------------------------------
SUMMARY_FILE = "results/summary.json"
EXTRAPOLATION_FILE = "experiments/extrapolation/extrapolation.json"
OUTCOME_FILES = ("results/generations.jsonl", "experiments/extrapolation/generations.jsonl", "data/test.jsonl")
WAIT = '"Wait"'


def _string_name(ignore_str: str | None) -> str:
    return "no string" if ignore_str is None else f'"{ignore_str}"'


def outcomes(root: Path, summary: Summary, k: int, benchmark: str | None = None) -> dict[str, dict[str, bool]] | None:
    """Per-question correctness by string at k suppressed ends ('"Wait"' from the main sweep, the others
    from the extrapolation stage), keyed by question id, on ``benchmark``'s questions (None: all); None
    when the run directory ``root`` does not hold the outputs (a committed reference keeps only results)."""
    main, extra, test = (root / name for name in OUTCOME_FILES)
    if not (main.exists() and extra.exists()):
        return None
    try:
        index = summary.point(None, k).index
    except KeyError:
        return None
    keep = None
    if benchmark is not None:
        if not test.exists():
            return None
        keep = {t["id"] for t in read_jsonl(test) if benchmark_name(t) == benchmark}
    out: dict[str, dict[str, bool]] = {WAIT: {}}
    for g in read_jsonl(main):
        if g["point"] == index and (keep is None or g["id"] in keep):
            out[WAIT][g["id"]] = bool(g["correct"])
    for g in read_jsonl(extra):
        if keep is None or g["id"] in keep:
            out.setdefault(_string_name(g["ignore_str"]), {})[g["id"]] = bool(g["correct"])
    return out


def difference(first: tuple[float, int], second: tuple[float, int], paired: tuple[dict, dict] | None,
               samples: int = 1000, seed: int = 0) -> tuple[float, float, float, bool]:
    """Accuracy of ``first`` minus ``second`` (0..1) with a 95% interval, and whether it is paired.

    ``paired``: the two settings' per-question correctness by id; then the paired bootstrap over the
    questions both answered (:func:`s1kit.metrics.paired_bootstrap`). Without it (a committed
    reference keeps no per-question outputs): the normal interval of a difference of two independent
    accuracies (``(accuracy, n)`` each), wider than the paired one when the two agree on most
    questions, so it calls a tie more readily, never a difference the paired interval would not.
    """
    if paired is not None:
        a, b = paired
        ids = sorted(set(a) & set(b))
        if ids:
            gain, low, high = paired_bootstrap([b[i] for i in ids], [a[i] for i in ids], samples, seed)
            return gain, low, high, True
    (p, n), (q, m) = first, second
    half = 1.96 * math.sqrt(p * (1 - p) / max(n, 1) + q * (1 - q) / max(m, 1))
    return p - q, p - q - half, p - q + half, False


def _relation(name_a: str, name_b: str, paper_a: float, paper_b: float, low: float, high: float) -> tuple[str, bool, bool]:
    """The paper's relation between two settings as a claim, and whether ours (a - b in [low, high]) bears it out:
    (claim, holds, tie)."""
    inside = low <= 0 <= high
    if paper_a > paper_b:
        return f"{name_a} beats {name_b}", low > 0, inside
    if paper_a < paper_b:
        return f"{name_b} beats {name_a}", high < 0, inside
    return f"{name_a} and {name_b} tie", inside, False


def findings(results: Results, benchmark: str | None = None, published: bool = True) -> list[Finding]:
    """Table 4's and Figure 4a's claims in ``results`` (``results/summary.json``,
    ``experiments/extrapolation/extrapolation.json``; the per-question outputs where the run has them).

    Each claim is the paper's relation between two settings in its cell for the benchmark (AIME24
    for the tiny world's one test set): "Wait" against no forcing, each other string against no
    forcing, "Wait" against each other string; then Figure 4a (the most-forced point keeps a gain).
    A difference counts when its 95% interval excludes zero; two strings whose interval includes zero
    are tied. ``published``: False for a model Table 4 does not report; its AIME24 cells are then the
    claims, labelled as s1-32B's.
    """
    summary = Summary.from_json(results.read(SUMMARY_FILE))
    extrapolation = results.read(EXTRAPOLATION_FILE)
    label = "" if benchmark is None else f"{benchmark_label(benchmark)}: "
    if benchmark is not None:
        summary, extrapolation = summary.on(benchmark), on_benchmark(extrapolation, benchmark)
    column = "aime24" if benchmark is None or not published else PAPER_COLUMN.get(benchmark)
    if column is None:
        return []
    on = benchmark_label(column) + ("" if published else f", {paper.TABLE4_MODEL}; not this run's model")
    k, uncapped = extrapolation["num_ignore"], summary.uncapped()
    if k not in uncapped:
        return []
    cells = {WAIT: _paper_row("Wait")[column], "no forcing": paper.TABLE4["No extrapolation"][column],
             **{_string_name(r["ignore_str"]): _paper_cell(f'2x {_string_name(r["ignore_str"])}'.replace(
                 "2x no string", "2x without string"), column) for r in extrapolation["rows"]}}
    rows = [r for r in extrapolation["rows"] if cells[_string_name(r["ignore_str"])] != "-"]  # a string Table 4 has
    source = f"{paper.TABLE4_SOURCE} ({on})"
    out = []
    wait = summary.paired(k, benchmark)
    if wait is not None:
        claim, holds, tie = _relation(f"{k}x {WAIT}", "no forcing", cells[WAIT], cells["no forcing"],
                                      wait.ci_low, wait.ci_high)
        out.append(Finding(label + claim, f"{source}: {cells[WAIT]}% against {cells['no forcing']}%", holds,
                           f"{interval(wait.gain, wait.ci_low, wait.ci_high)} points.", tie))
    for row in rows:
        name = _string_name(row["ignore_str"])
        claim, holds, tie = _relation(f"{k}x {name}", "no forcing", cells[name], cells["no forcing"],
                                      row["ci_low"], row["ci_high"])
        out.append(Finding(label + claim, f"{source}: {cells[name]}% against {cells['no forcing']}%", holds,
                           f"{interval(row['gain_vs_unforced'], row['ci_low'], row['ci_high'])} points.", tie))
    per_question = outcomes(results.root, summary, k, benchmark)
    forced = uncapped[k]
    for row in rows:
        name = _string_name(row["ignore_str"])
        pair = None if per_question is None or name not in per_question else (per_question[WAIT], per_question[name])
        gain, low, high, paired = difference((forced.accuracy, forced.n), (row["accuracy"], forced.n), pair)  # the same questions
        claim, holds, tie = _relation(f"{k}x {WAIT}", f"{k}x {name}", cells[WAIT], cells[name], low, high)
        out.append(Finding(label + claim, f"{source}: {cells[WAIT]}% against {cells[name]}%", holds,
                           f"{WAIT} {100 * forced.accuracy:.1f}%, {name} {100 * row['accuracy']:.1f}%: "
                           f"{interval(gain, low, high)} points"
                           + (" (paired over the same questions)." if paired else
                              " (an unpaired interval: this run's files hold no per-question outputs)."), tie))
    top = max(uncapped)
    last = summary.paired(top, benchmark)
    if last is not None and top > k:
        curve = {j: p.accuracy for j, p in uncapped.items()}
        best = max(curve, key=curve.get)
        out.append(interval_finding(f'{label}Forcing "Wait" more often keeps a gain over no forcing',
                                    "s1 paper, Figure 4a: the curve flattens after six forced Waits",
                                    last.ci_low, last.ci_high,
                                    f"{100 * curve[0]:.1f}% at k = 0, {100 * curve[best]:.1f}% at its best (k = {best}), "
                                    f"{100 * curve[top]:.1f}% at k = {top}: {interval(last.gain, last.ci_low, last.ci_high)} "
                                    "points over no forcing there."))
    return out


def findings_by_benchmark(results: Results, paper_model: str = paper.TABLE4_MODEL) -> list[Finding]:
    """:func:`findings` for every benchmark of the run, each against the paper's cell for it."""
    summary = Summary.from_json(results.read(SUMMARY_FILE))
    return [f for b in summary.benchmarks for f in findings(results, b, published=paper_model == paper.TABLE4_MODEL)]


def judge_table(extrapolation: dict) -> pd.DataFrame:
    """Per benchmark, the outputs of this stage the judge was asked about and the verdicts it changed
    (``judge`` in ``extrapolation.json``); empty when the profile has no judge."""
    return pd.DataFrame({benchmark_label(b): {"outputs asked about": c["asked"], "verdicts it changed": c["changed"]}
                         for b, c in extrapolation.get("judge", {}).items()}).T


def example_outputs(extrapolation: dict) -> dict[str | None, dict]:
    """One output per appended string: a wrong one when there is one (they show what went astray)."""
    out = {}
    for row in extrapolation["rows"]:
        generations = [g for g in extrapolation["generations"] if g["ignore_str"] == row["ignore_str"]]
        out[row["ignore_str"]] = next((g for g in generations if not g["correct"]), generations[0])
    return out


def extrapolation_figure(summary: Summary, extrapolation: dict, axes=None, title: str = "") -> plt.Figure:
    """Table 4 and Figure 4a analogues, both as the paired gain over no forcing (points, 95% intervals):
    left, each string appended at the extrapolation's k (horizontal bars); right, "Wait" forced k times
    (``axes``: the two axes to draw on; ``title``: what the panels' titles start with)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4)) if axes is None else (axes[0].figure, axes)
    k = extrapolation["num_ignore"]
    bars = [(f"{k}x {_string_name(r['ignore_str'])}", r["gain_vs_unforced"], r["ci_low"], r["ci_high"])
            for r in extrapolation["rows"]]
    wait = summary.paired(k)
    if wait is not None:
        bars.append((f"{k}x {WAIT}", wait.gain, wait.ci_low, wait.ci_high))
    names = [b[0] for b in bars]
    gains = [100 * b[1] for b in bars]
    left.barh(names, gains, xerr=[[100 * (b[1] - b[2]) for b in bars], [100 * (b[3] - b[1]) for b in bars]],
              capsize=4, color=sns.color_palette()[:len(bars)])
    left.axvline(0, color="black", linewidth=0.8)
    left.invert_yaxis()
    left.set_xlabel("accuracy gain over no forcing (points)")
    left.set_title(f"{title}end of thinking suppressed {k} times, appending...", fontsize=10)
    curve = [(j, summary.paired(j)) for j in summary.uncapped() if j > 0]
    curve = [(j, p) for j, p in curve if p is not None]
    if curve:
        x = [0] + [j for j, _ in curve]
        gain = [0.0] + [100 * p.gain for _, p in curve]
        low = [0.0] + [100 * (p.gain - p.ci_low) for _, p in curve]
        high = [0.0] + [100 * (p.ci_high - p.gain) for _, p in curve]
        right.errorbar(x, gain, yerr=[low, high], marker="o", capsize=3)
        right.set_xticks(x)
    right.axhline(0, color="black", linewidth=0.8)
    right.set_xlabel('forced "Wait"s k (no cap)')
    right.set_ylabel("accuracy gain over k = 0 (points)")
    right.set_title(f'{title}"Wait" forced k times', fontsize=10)
    fig.tight_layout()
    return fig


def extrapolation_figures(summary: Summary, extrapolation: dict) -> plt.Figure:
    """:func:`extrapolation_figure` per benchmark, one row each (one benchmark: the figure itself)."""
    if len(summary.benchmarks) == 1:
        return extrapolation_figure(summary, extrapolation)
    names = summary.benchmarks
    fig, axes = plt.subplots(len(names), 2, figsize=(10, 4 * len(names)), squeeze=False)
    for row, b in zip(axes, names, strict=True):
        extrapolation_figure(summary.on(b), on_benchmark(extrapolation, b), row, f"{benchmark_label(b)}: ")
    fig.tight_layout()
    return fig


def exercise_numbers(extrapolation: dict, summary: Summary, generations: Sequence[dict] | None = None
                     ) -> dict[str, float | int | str]:
    """Chapter 12's exercise solutions: accuracy (%) with "Wait", "Hmm" and no string at the extrapolation's k
    (on one benchmark: pass ``on_benchmark(extrapolation, b)`` and ``summary.on(b)``); with the main sweep's
    ``generations`` (and the stage's, in ``extrapolation["generations"]``) also "Wait" minus "Hmm" with its
    paired interval and its word, and how many questions' thinking with no string equals that with "Wait"."""
    k = extrapolation["num_ignore"]
    uncapped = summary.uncapped()
    strings = {r["ignore_str"]: r for r in extrapolation["rows"]}
    out: dict[str, float | int | str] = {
        "ex_wait_k": k, "ex_wait_acc": 100 * uncapped[k].accuracy if k in uncapped else NOT_RUN,
        "ex_hmm_acc": 100 * strings["Hmm"]["accuracy"] if "Hmm" in strings else NOT_RUN,
        "ex_none_acc": 100 * strings[None]["accuracy"] if None in strings else NOT_RUN,
        "ex_wait_vs_hmm": NOT_RUN, "ex_wait_vs_hmm_word": NOT_RUN, "ex_none_same": NOT_RUN, "ex_none_n": NOT_RUN}
    if generations is None or k not in uncapped or not extrapolation.get("generations"):
        return out
    index = summary.point(None, k).index
    wait = {g["id"]: bool(g["correct"]) for g in generations if g["point"] == index}
    if "Hmm" in strings:
        hmm = {g["id"]: bool(g["correct"]) for g in extrapolation["generations"] if g["ignore_str"] == "Hmm"}
        gain, low, high, _ = difference((uncapped[k].accuracy, uncapped[k].n), (strings["Hmm"]["accuracy"], strings["Hmm"]["n"]),
                                        (wait, hmm))
        out["ex_wait_vs_hmm"] = interval(gain, low, high)
        out["ex_wait_vs_hmm_word"] = ('"Wait" ahead' if low > 0 else '"Hmm" ahead' if high < 0 else "a tie")
    same, n = same_as_wait(generations, extrapolation, summary)
    if n:
        out |= {"ex_none_same": same, "ex_none_n": n}
    return out


# -- what the run's outputs say (this run only: the chapter's prose) -------------------------------
CHECK = re.compile(r"\+0=")  # a tiny-world check line: "Wait, 42+0=42"


def same_as_wait(generations: Sequence[dict], extrapolation: dict, summary: Summary) -> tuple[int, int]:
    """How many questions' thinking with no string appended is identical to the thinking with "Wait"
    appended, at the extrapolation's k, and of how many."""
    k = extrapolation["num_ignore"]
    if k not in summary.uncapped():
        return 0, 0
    wait = {g["id"]: g["thinking"] for g in generations if g["point"] == summary.point(None, k).index}
    none = {g["id"]: g["thinking"] for g in extrapolation.get("generations", []) if g["ignore_str"] is None}
    shared = set(wait) & set(none)
    return sum(wait[i] == none[i] for i in shared), len(shared)


def strings_reading(extrapolation: dict, summary: Summary, generations: Sequence[dict]) -> str:
    """The left panel in sentences: each string's gain over no forcing, and what appending nothing wrote."""
    k = extrapolation["num_ignore"]
    wait = summary.paired(k)
    parts = [f'{_string_name(r["ignore_str"])} {interval(r["gain_vs_unforced"], r["ci_low"], r["ci_high"])}'
             for r in extrapolation["rows"]]
    out = [f"Against no forcing, in points: {WAIT} " + (interval(wait.gain, wait.ci_low, wait.ci_high) if wait else "-")
           + ", " + ", ".join(parts) + "."]
    same, n = same_as_wait(generations, extrapolation, summary)
    if n:
        out.append(f"With no string appended, the model's thinking is identical, token for token, to its thinking with "
                   f"{WAIT} appended in {same} of {n} questions: barred from stopping, it writes \"Wait\" itself.")
    return " ".join(out)


def checks_per_trace(traces: Sequence[dict]) -> dict[int, int]:
    """How many training traces hold 0, 1, 2, ... check lines ("+0=")."""
    counts: dict[int, int] = {}
    for r in traces:
        n = len(CHECK.findall(r["trace"]))
        counts[n] = counts.get(n, 0) + 1
    return dict(sorted(counts.items()))


def curve_reading(summary: Summary, generations: Sequence[dict], test: Sequence[dict], s1k: Sequence[dict]) -> str:
    """Figure 4a's curve explained from this run's outputs (tiny world): why it rises, where it flattens, why it falls.

    Rises: the questions the first forced "Wait"s fixed and broke against k = 0. Falls: the answers
    right at the best k (chosen on the dev split when the run has one, as chapter 6 chooses it) and
    wrong at the most-forced k, what went wrong in them
    (:func:`s1kit.report.flips.failure_reasons`), set beside the most checks any s1K trace holds.
    """
    from s1kit.report.flips import TERM, failure_reasons, flips

    uncapped = summary.uncapped()
    if len(uncapped) < 2:
        return ""
    curve = {k: p.accuracy for k, p in uncapped.items()}
    best, top = summary.best_k()[0], max(curve)  # the chosen k, and the most-forced one
    out = []
    if best > 0:
        fixed, broken = flips(generations, uncapped[0], uncapped[best])
        before = {g["id"]: g["thinking"] for g in generations if g["point"] == uncapped[0].index}
        terms = {t["id"]: len(t.get("terms") or []) for t in test}
        early = sum(len(TERM.findall(before[i])) < terms.get(i, 0) for i in fixed)
        out.append(f"**It rises** from {100 * curve[0]:.1f}% at k = 0 to {100 * curve[best]:.1f}% at k = {best}: "
                   f"{len(fixed)} questions wrong without forcing are right with it, {len(broken)} go the other way. "
                   f"In {early} of the {len(fixed)} the model had stopped thinking before the question's last term (the "
                   "habit of the teacher's impatient domains); a forced \"Wait\" is followed, as in training, by the "
                   "next line of the sum.")
    flat = [k for k in uncapped if k > best and abs(curve[k] - curve[best]) < 0.005]
    if flat:
        out.append(f"**It stays flat** at k = {', '.join(map(str, flat))}: once the sum is finished, a forced "
                   "\"Wait\" starts a check (\"Wait, 42+0=42\") that keeps the total, as the teacher's checks do.")
    if top > best and curve[top] < curve[best]:
        reasons = failure_reasons(generations, test, uncapped[best], uncapped[top])
        counts = checks_per_trace(s1k)
        most = max(counts)
        many = sum(v for c, v in counts.items() if c >= 3)
        out.append(f"**It falls** after that, to {100 * curve[top]:.1f}% at k = {top}: {reasons['lost']} answers right at "
                   f"k = {best} are wrong at k = {top}. In {reasons['answer_in_thinking_pct']:.0f}% of them the model "
                   f"wrote \"Final Answer:\" inside its thinking, and in {reasons['right_total_pct']:.0f}% its thinking "
                   "still ended on the right total: the sum was right, the answer after it was not. No s1K trace "
                   f"holds more than {most} checks ({100 * many / len(s1k):.0f}% hold three or more), so after many "
                   "forced checks the model is further from anything it was trained on, and its answer habit leaks "
                   "into its thinking.")
    return " ".join(out)
