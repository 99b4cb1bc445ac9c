"""Small summaries the chapters show: trace statistics, headline numbers, per-point breakdowns."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import pandas as pd

from s1kit import paper
from s1kit.tiny.teacher import WAIT


def trace_table(records: Sequence[dict]) -> pd.DataFrame:
    """One row per traced question: domain, difficulty, trace length in characters, Waits, broken kind."""
    return pd.DataFrame({
        "domain": [r["domain"] for r in records],
        "source": [r["source"] for r in records],
        "difficulty": [r.get("difficulty") for r in records],
        "trace_chars": [len(r.get("trace") or "") for r in records],
        "waits": [(r.get("trace") or "").count(WAIT) for r in records],
        "teacher_correct": [str(r.get("attempt")) == str(r["answer"]) for r in records],
        "broken": [r.get("broken") or "" for r in records],
    })


def headline(summary: dict, cap_k: int) -> dict[str, float]:
    """The numbers the book's verdicts quote, all from summary.json (accuracies in %)."""
    points = summary["budget_forcing"]
    ignores = {p["num_ignore"]: p for p in points if p["max_thinking_tokens"] is None}
    caps = sorted((p for p in points if p["num_ignore"] == cap_k and p["max_thinking_tokens"] is not None),
                  key=lambda p: p["max_thinking_tokens"])
    full = ignores[cap_k]
    out = {
        "base": 100 * summary["base_model_accuracy"],
        "k0": 100 * ignores[0]["accuracy"] if 0 in ignores else float("nan"),
        "full": 100 * full["accuracy"],
        "full_tokens": full["mean_thinking_tokens"],
        "smallest_cap": caps[0]["max_thinking_tokens"] if caps else float("nan"),
        "smallest_cap_acc": 100 * caps[0]["accuracy"] if caps else float("nan"),
        "best_k": max(ignores, key=lambda k: ignores[k]["accuracy"]),
        "best_k_acc": 100 * max(p["accuracy"] for p in ignores.values()),
    }
    out["sft_gain"] = out["full"] - out["base"]
    out["cap_gain"] = out["full"] - out["smallest_cap_acc"]
    out["wait_gain"] = out["best_k_acc"] - out["k0"]
    return out


def point_examples(generations: Sequence[dict], test: Sequence[dict], point: int, count: int = 2,
                   correct: bool | None = None) -> list[dict]:
    """A few generations of one sweep point, with their question and gold answer."""
    by_id = {t["id"]: t for t in test}
    rows = [g for g in generations if g["point"] == point and (correct is None or g["correct"] == correct)]
    return [dict(g, question=by_id[g["id"]]["question"], gold=by_id[g["id"]]["answer"]) for g in rows[:count]]


def accuracy_by_difficulty(generations: Sequence[dict], test: Sequence[dict], points: dict[str, int]) -> pd.DataFrame:
    """Accuracy per number of terms for some sweep points (columns named by ``points``' keys)."""
    difficulty = {t["id"]: t["difficulty"] for t in test}
    table = {}
    for name, point in points.items():
        counts, right = Counter(), Counter()
        for g in generations:
            if g["point"] == point:
                counts[difficulty[g["id"]]] += 1
                right[difficulty[g["id"]]] += g["correct"]
        table[name] = {d: 100 * right[d] / counts[d] for d in sorted(counts)}
    frame = pd.DataFrame(table)
    frame.index.name = "terms"
    return frame.round(1)


def point_index(summary: dict, max_thinking_tokens: int | None, num_ignore: int) -> int:
    for index, p in enumerate(summary["budget_forcing"]):
        if p["max_thinking_tokens"] == max_thinking_tokens and p["num_ignore"] == num_ignore:
            return index
    raise KeyError(f"no sweep point with N={max_thinking_tokens}, k={num_ignore}")


def _aime(row: str) -> float:
    return paper.TABLE1[row]["AIME 2024"]


def verdicts(numbers: dict[str, float], margin: float = 5.0) -> list[str]:
    """The chapter's verdicts as sentences, decided by the run's numbers (never typed by hand).

    A difference counts as a gain or a loss only beyond ``margin`` points.
    """
    def compare(gain: float) -> str:
        if gain > margin:
            return "reproduced"
        if gain < -margin:
            return "reversed"
        return "not reproduced (within the margin)"

    return [
        f"**SFT on s1K beats the base model** - {compare(numbers['sft_gain'])}: the base model answering directly "
        f"scores {numbers['base']:.1f}%, the SFT model with full thinking {numbers['full']:.1f}% "
        f"({numbers['sft_gain']:+.1f} points; the paper: {_aime('Qwen2.5-32B-Instruct')}% → "
        f"{_aime('s1 w/o budget forcing')}% on AIME24, {paper.TABLE1_SOURCE}).",
        f"**More thinking budget, higher accuracy (cap sweep)** - {compare(numbers['cap_gain'])}: capped at "
        f"{numbers['smallest_cap']:.0f} thinking tokens the SFT model scores {numbers['smallest_cap_acc']:.1f}%, "
        f"uncapped {numbers['full']:.1f}% ({numbers['cap_gain']:+.1f} points). A cap shorter than the computation "
        "can only cut it off, so this half of the claim is the weak one ('scaling down').",
        f"**Extending thinking with 'Wait' helps** - {compare(numbers['wait_gain'])}: no forced Wait (k=0) "
        f"{numbers['k0']:.1f}%, best k={numbers['best_k']} {numbers['best_k_acc']:.1f}% "
        f"({numbers['wait_gain']:+.1f} points; the paper: {_aime('s1 w/o budget forcing')}% → "
        f"{_aime('s1-32B (budget forcing)')}% on AIME24, {paper.TABLE1_SOURCE}).",
    ]


def ignore_table(summaries: dict[str, dict]) -> pd.DataFrame:
    """Accuracy (%) with 95% bootstrap interval per world and number of forced Waits (no cap)."""
    rows = {}
    for name, summary in summaries.items():
        for p in summary["budget_forcing"]:
            if p["max_thinking_tokens"] is None:
                rows.setdefault(f"k={p['num_ignore']}", {})[name] = (
                    f"{100 * p['accuracy']:.1f} [{100 * p['ci_low']:.1f}, {100 * p['ci_high']:.1f}]")
    return pd.DataFrame(rows).T.sort_index(key=lambda index: [int(i[2:]) for i in index])


def wait_gains(summary: dict, ks: Sequence[int]) -> dict[int, float]:
    """Accuracy at k forced Waits minus accuracy at k=0, in points (no cap)."""
    ignores = {p["num_ignore"]: p["accuracy"] for p in summary["budget_forcing"] if p["max_thinking_tokens"] is None}
    return {k: 100 * (ignores[k] - ignores[0]) for k in ks if k in ignores}


def teacher_rates(records: Sequence[dict]) -> dict[str, float]:
    """How the teacher's traces look: give-up rate, Waits per trace, forced Waits per trace (%, means)."""
    table = trace_table([r for r in records if not r.get("broken")])
    forced = [len(r.get("forced_spans") or []) for r in records if not r.get("broken")]
    return {
        "wrong_answer_pct": round(100 * (1 - table["teacher_correct"].mean()), 1),
        "mean_waits": round(table["waits"].mean(), 2),
        "mean_forced_waits": round(sum(forced) / len(forced), 2),
        "traces_with_wait_pct": round(100 * (table["waits"] > 0).mean(), 1),
    }


def effect_word(gains: Sequence[float], margin: float = 5.0) -> str:
    """'helps', 'hurts', 'makes no difference' or 'has mixed effects', beyond ``margin`` points."""
    if all(g > margin for g in gains):
        return "helps"
    if all(g < -margin for g in gains):
        return "hurts"
    if all(abs(g) <= margin for g in gains):
        return "makes no difference"
    return "has mixed effects"


def world_verdicts(summaries: dict[str, dict], ks: Sequence[int] = (1, 2, 3), margin: float = 5.0) -> list[str]:
    """One sentence per world on what forcing "Wait" did, decided by the run's numbers."""
    lines = []
    for name, summary in summaries.items():
        gains = wait_gains(summary, ks)
        listed = ", ".join(f"{g:+.1f} (k={k})" for k, g in gains.items())
        lines.append(f"**{name}**: forcing 'Wait' {effect_word(list(gains.values()), margin)} - "
                     f"accuracy change against k=0, in points: {listed}.")
    return lines


def mark_forced(trace: str, forced_spans: Sequence[Sequence[int]]) -> str:
    """The trace with its forced spans (text the teacher did not choose) shown in [brackets]."""
    marked, last = "", 0
    for start, end in forced_spans or ():
        marked += trace[last:start] + "[" + trace[start:end] + "]"
        last = end
    return marked + trace[last:]
