"""Small summaries the chapters show: trace statistics, headline numbers, per-point breakdowns."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import pandas as pd

from s1kit import paper
from s1kit.evaluation import point_index  # noqa: F401  (chapters look sweep points up through analysis)
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


def ignore_curve(summary: dict) -> dict[int, float]:
    """Accuracy (%) of each uncapped sweep point, by number of forced "Wait"s k."""
    return {p["num_ignore"]: 100 * p["accuracy"] for p in summary["budget_forcing"] if p["max_thinking_tokens"] is None}


def without_cap(summary: dict, cap: int) -> dict:
    """``summary`` with the sweep points capped at ``cap`` left out (what a sweep without that cap reports)."""
    return dict(summary, budget_forcing=[p for p in summary["budget_forcing"] if p["max_thinking_tokens"] != cap])


def headline(summary: dict, cap_k: int) -> dict[str, float]:
    """The numbers the book's verdicts quote, all from summary.json (accuracies and gains in %).

    ``best_k`` is the dev split's choice (``summary["dev"]``) when the run has one, so the test
    accuracy it is reported with is not chosen on the test set; ``best_k_source`` says which.
    Gains carry their paired 95% intervals (``summary["paired"]``).
    """
    points = summary["budget_forcing"]
    ignores = {p["num_ignore"]: p for p in points if p["max_thinking_tokens"] is None}
    caps = sorted((p for p in points if p["num_ignore"] == cap_k and p["max_thinking_tokens"] is not None),
                  key=lambda p: p["max_thinking_tokens"])
    if "dev" in summary:
        best_k, source = summary["dev"]["best_num_ignore"], "dev split"
    else:
        best_k, source = max(ignores, key=lambda k: ignores[k]["accuracy"]), "test set (no dev split)"
    paired = {(row["comparison"], row["num_ignore"]): row for row in summary.get("paired", [])}
    out = {
        "base": 100 * summary["base_model_accuracy"],
        "k0": 100 * ignores[0]["accuracy"] if 0 in ignores else float("nan"),
        "full": 100 * ignores[cap_k]["accuracy"],
        "full_tokens": ignores[cap_k]["mean_thinking_tokens"],
        "smallest_cap": caps[0]["max_thinking_tokens"] if caps else float("nan"),
        "smallest_cap_acc": 100 * caps[0]["accuracy"] if caps else float("nan"),
        "best_k": best_k,
        "best_k_source": source,
        "best_k_acc": 100 * ignores[best_k]["accuracy"],
        "n": summary["n_test"],
    }
    out["cap_gain"] = out["full"] - out["smallest_cap_acc"]
    for name, key in (("sft", ("sft_vs_base", 0)), ("wait", ("k_vs_0", best_k))):
        row = paired.get(key)
        out[f"{name}_gain"] = 100 * row["gain"] if row else float("nan")
        out[f"{name}_ci_low"] = 100 * row["ci_low"] if row else float("nan")
        out[f"{name}_ci_high"] = 100 * row["ci_high"] if row else float("nan")
    return out


def change_word(low: float, high: float) -> str:
    """A neutral description of a paired 95% interval: a gain, a loss, or no clear change."""
    if low > 0:
        return "a gain"
    if high < 0:
        return "a loss"
    return "no clear change"


def interval_word(low: float, high: float) -> str:
    """A verdict on a claimed gain from its paired 95% interval (:func:`change_word`'s three cases)."""
    return {"a gain": "reproduced", "a loss": "reversed",
            "no clear change": "not reproduced (the interval includes no change)"}[change_word(low, high)]


def point_examples(generations: Sequence[dict], test: Sequence[dict], point: int, count: int = 2,
                   correct: bool | None = None) -> list[dict]:
    """A few generations of one sweep point, with their question and gold answer."""
    by_id = {t["id"]: t for t in test}
    rows = [g for g in generations
            if g["point"] == point and g["id"] in by_id and (correct is None or g["correct"] == correct)]
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


def _aime(row: str) -> float:
    return paper.TABLE1[row]["AIME 2024"]


def verdicts(numbers: dict[str, float]) -> list[str]:
    """The chapter's verdicts as sentences, decided by the run's numbers (never typed by hand).

    Each compares the same quantity as the paper: unforced with unforced (Table 1, "s1 w/o
    budget forcing" against Qwen2.5-32B-Instruct), forced with unforced on the same model (Table 1,
    s1-32B against s1 w/o budget forcing), and accuracy against the thinking cap (Figure 1, left).
    A gain counts when its paired 95% interval lies above zero.
    """
    sft_paper = _aime("s1 w/o budget forcing") - _aime("Qwen2.5-32B-Instruct")
    wait_paper = _aime("s1-32B (budget forcing)") - _aime("s1 w/o budget forcing")
    return [
        f"**Fine-tuning on s1K beats the base model, both unforced** ({paper.TABLE1_SOURCE}) - "
        f"{interval_word(numbers['sft_ci_low'], numbers['sft_ci_high'])}: base model answering directly "
        f"{numbers['base']:.1f}%, SFT model with no forcing (k = 0) {numbers['k0']:.1f}%, a gain of "
        f"{numbers['sft_gain']:+.1f} points [95% paired interval {numbers['sft_ci_low']:+.1f}, "
        f"{numbers['sft_ci_high']:+.1f}]; the paper: {_aime('Qwen2.5-32B-Instruct')}% → "
        f"{_aime('s1 w/o budget forcing')}% on AIME24 ({sft_paper:+.1f}).",
        f"**Budget forcing adds accuracy on top of fine-tuning** ({paper.TABLE1_SOURCE}) - "
        f"{interval_word(numbers['wait_ci_low'], numbers['wait_ci_high'])}: the same SFT model with no forcing "
        f"{numbers['k0']:.1f}%, with k = {numbers['best_k']} forced \"Wait\"s (chosen on the "
        f"{numbers['best_k_source']}) {numbers['best_k_acc']:.1f}%, a gain of {numbers['wait_gain']:+.1f} points "
        f"[{numbers['wait_ci_low']:+.1f}, {numbers['wait_ci_high']:+.1f}]; the paper: "
        f"{_aime('s1 w/o budget forcing')}% → {_aime('s1-32B (budget forcing)')}% on AIME24 ({wait_paper:+.1f}).",
        f"**Accuracy rises with the thinking cap** (s1 paper, Figure 1 left) - "
        f"{'reproduced' if numbers['cap_gain'] > 0 else 'not reproduced'}: capped at "
        f"{numbers['smallest_cap']:.0f} thinking tokens the SFT model scores {numbers['smallest_cap_acc']:.1f}%, "
        f"uncapped {numbers['full']:.1f}% ({numbers['cap_gain']:+.1f} points). A cap shorter than the computation "
        "can only cut it off, so this half of the claim is the weak one ('scaling down', chapter 7).",
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


def effect_word(gains: Sequence[tuple[float, float]]) -> str:
    """'helps', 'hurts', 'makes no difference' or 'has mixed effects', from paired 95% intervals (low, high)."""
    if all(low > 0 for low, _ in gains):
        return "helps"
    if all(high < 0 for _, high in gains):
        return "hurts"
    if all(low <= 0 <= high for low, high in gains):
        return "makes no difference"
    return "has mixed effects"


def world_verdicts(summaries: dict[str, dict], ks: Sequence[int] = (1, 2)) -> list[str]:
    """One sentence per world on what forcing "Wait" did, decided by paired intervals against k=0."""
    lines = []
    for name, summary in summaries.items():
        rows = {r["num_ignore"]: r for r in summary["paired"] if r["comparison"] == "k_vs_0" and r["num_ignore"] in ks}
        listed = ", ".join(f"{_interval(r['gain'], r['ci_low'], r['ci_high'])} (k={k})" for k, r in sorted(rows.items()))
        unforced = next(p["accuracy"] for p in summary["budget_forcing"]
                        if p["max_thinking_tokens"] is None and p["num_ignore"] == 0)
        lines.append(f"**{name}** (unforced {100 * unforced:.1f}%): forcing 'Wait' "
                     f"{effect_word([(r['ci_low'], r['ci_high']) for r in rows.values()])} - change against k=0, "
                     f"in points [95% paired interval]: {listed}.")
    return lines


def scaling_down_and_up(summary: dict, cap_k: int, best_k: int) -> dict[str, float]:
    """How much of the accuracy range comes from cutting thinking short and how much from extending it.

    *Scaling down* (arXiv:2507.14419): from the smallest cap to the model's own, uncapped thinking
    (k = ``cap_k``). *Scaling up*: from there to ``best_k`` forced "Wait"s. In points and shares.
    """
    h = headline(summary, cap_k)
    ignores = {p["num_ignore"]: p["accuracy"] for p in summary["budget_forcing"] if p["max_thinking_tokens"] is None}
    down = h["full"] - h["smallest_cap_acc"]
    up = 100 * (ignores[best_k] - ignores[cap_k])
    total = down + up
    return {"scaling_down_points": down, "scaling_up_points": up,
            "scaling_down_share_pct": 100 * down / total if total else float("nan"),
            "scaling_up_share_pct": 100 * up / total if total else float("nan")}


def mark_forced(trace: str, forced_spans: Sequence[Sequence[int]]) -> str:
    """The trace with its forced spans (text the teacher did not choose) shown in [brackets]."""
    marked, last = "", 0
    for start, end in forced_spans or ():
        marked += trace[last:start] + "[" + trace[start:end] + "]"
        last = end
    return marked + trace[last:]


def _interval(gain: float, low: float, high: float) -> str:
    return f"{100 * gain:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}]"


def paired_table(summary: dict) -> pd.DataFrame:
    """Every paired comparison of the main evaluation: gain in points with its 95% interval."""
    rows = {}
    for row in summary.get("paired", []):
        name = "SFT (k=0) vs base model" if row["comparison"] == "sft_vs_base" else f"k={row['num_ignore']} vs k=0"
        rows[name] = {"gain, points [95% paired interval]": _interval(row["gain"], row["ci_low"], row["ci_high"]),
                      "verdict": interval_word(row["ci_low"], row["ci_high"])}
    return pd.DataFrame(rows).T


def extrapolation_table(extrapolation: dict, summary: dict) -> pd.DataFrame:
    """Table 4 beside ours: no forcing, and the end suppressed k times appending each string."""
    k = extrapolation["num_ignore"]
    ignores = {p["num_ignore"]: p for p in summary["budget_forcing"] if p["max_thinking_tokens"] is None}
    wait = next(r for r in summary["paired"] if r["comparison"] == "k_vs_0" and r["num_ignore"] == k)
    ours = {"No extrapolation": (ignores[0]["accuracy"], ignores[0]["mean_thinking_tokens"], "-")}
    for row in extrapolation["rows"]:
        name = f"{k}x without string" if row["ignore_str"] is None else f'{k}x "{row["ignore_str"]}"'
        ours[name] = (row["accuracy"], row["mean_thinking_tokens"],
                      _interval(row["gain_vs_unforced"], row["ci_low"], row["ci_high"]))
    ours[f'{k}x "Wait"'] = (ignores[k]["accuracy"], ignores[k]["mean_thinking_tokens"],
                           _interval(wait["gain"], wait["ci_low"], wait["ci_high"]))
    frame = pd.DataFrame({name: {"ours: accuracy (%)": round(100 * acc, 1), "ours: thinking tokens": round(tokens, 1),
                                 "ours: gain vs no forcing [95%]": gain,
                                 "paper: AIME24 (%)": paper.TABLE4.get(name.replace(f"{k}x", "2x"), {}).get("AIME 2024")}
                          for name, (acc, tokens, gain) in ours.items()}).T
    return frame


def ablation_table(ablations: dict) -> pd.DataFrame:
    """Table 2 beside ours: each selection's unforced accuracy and its paired gain over s1K."""
    names = {"random": "1K-random", "diverse": "1K-diverse", "longest": "1K-longest", "full": "59K-full"}
    rows = {}
    for row in ablations["rows"]:
        name = names[row["selection"]]
        low, high = paper.TABLE2[name]["AIME vs s1K"]
        rows[name] = {"examples": row["examples"], "steps": row["steps"],
                      "trace tokens (mean)": round(row["mean_thinking_tokens_of_traces"], 1),
                      "wrong traces (%)": round(100 * row["teacher_wrong"], 1),
                      "ours: accuracy (%)": round(100 * row["accuracy"], 1),
                      "ours: vs s1K [95%]": _interval(row["gain_vs_s1k"], row["ci_low"], row["ci_high"]),
                      "paper: AIME24 (%)": paper.TABLE2[name]["AIME 2024"],
                      "paper: vs s1K [95%]": f"[{low:+.1f}, {high:+.1f}]"}
    rows["s1K"] = {"ours: accuracy (%)": round(100 * ablations["s1k_accuracy"], 1),
                   "paper: AIME24 (%)": paper.TABLE2["s1K"]["AIME 2024"]}
    return pd.DataFrame(rows).T


def control_table(control: dict) -> pd.DataFrame:
    """Table 3 beside ours: Control (%), Scaling, Performance (%) and runs per method."""
    rows = {}
    for method, m in control["metrics"].items():
        theirs = paper.TABLE3[method]
        rows[method] = {"ours: Control (%)": round(100 * m["control"]), "ours: Scaling": round(m["scaling"], 1),
                        "ours: Performance (%)": round(100 * m["performance"], 1), "ours: runs": m["runs"],
                        "paper: Control (%)": theirs["control"], "paper: Scaling": theirs["scaling"],
                        "paper: Performance (%)": theirs["performance"], "paper: runs": theirs["runs"]}
    order = [m for m in paper.TABLE3 if m in rows]
    return pd.DataFrame(rows).T.loc[order]


def extrapolation_verdicts(extrapolation: dict, summary: dict) -> list[str]:
    """Table 4's findings checked against this run: which string extends thinking usefully."""
    k = extrapolation["num_ignore"]
    wait = next(r for r in summary["paired"] if r["comparison"] == "k_vs_0" and r["num_ignore"] == k)
    theirs = paper.TABLE4
    paper_wait = theirs['2x "Wait"']['AIME 2024']
    lines = [f'**{k}x "Wait" beats no forcing** ({paper.TABLE4_SOURCE}) - '
             f"{interval_word(wait['ci_low'], wait['ci_high'])}: {_interval(wait['gain'], wait['ci_low'], wait['ci_high'])}"
             f" points; the paper: {theirs['No extrapolation']['AIME 2024']}% → {paper_wait}%"
             " on AIME24."]
    accuracy = {"Wait": next(p["accuracy"] for p in summary["budget_forcing"]
                             if p["max_thinking_tokens"] is None and p["num_ignore"] == k)}
    for row in extrapolation["rows"]:
        name = "no string" if row["ignore_str"] is None else f'"{row["ignore_str"]}"'
        accuracy[name] = row["accuracy"]
        paper_row = theirs["2x without string" if row["ignore_str"] is None else f'2x "{row["ignore_str"]}"']
        lines.append(f"**{k}x {name} against no forcing**: {change_word(row['ci_low'], row['ci_high'])}, "
                     f"{_interval(row['gain_vs_unforced'], row['ci_low'], row['ci_high'])} points "
                     f"(the paper: {theirs['No extrapolation']['AIME 2024']}% → {paper_row['AIME 2024']}%).")
    wait_tokens = next(p["mean_thinking_tokens"] for p in summary["budget_forcing"]
                       if p["max_thinking_tokens"] is None and p["num_ignore"] == k)
    for row in extrapolation["rows"]:
        if row["ignore_str"] is None and row["accuracy"] == accuracy["Wait"] and \
                row["mean_thinking_tokens"] == wait_tokens:
            lines.append("**Appending nothing matched appending \"Wait\"** in accuracy and in thinking length: "
                         "with its end of thinking banned once, the model writes the \"Wait\" it was trained on "
                         "by itself.")
    top_accuracy = max(accuracy.values())
    best = [name for name, value in accuracy.items() if value == top_accuracy]
    if len(best) > 1:
        lines.append(f"**No single best string**: {' and '.join(best)} tie at {100 * top_accuracy:.1f}%"
                     " - the paper found \"Wait\" best.")
    else:
        lines.append(f"**The best string** is {best[0]} at {100 * top_accuracy:.1f}%"
                     + (" - as in the paper." if best[0] == "Wait" else " - the paper found \"Wait\" best."))
    ignores = {p["num_ignore"]: p["accuracy"] for p in summary["budget_forcing"] if p["max_thinking_tokens"] is None}
    top = max(ignores)
    last = next((r for r in summary["paired"] if r["comparison"] == "k_vs_0" and r["num_ignore"] == top), None)
    # the paper's curve flattens: its most-forced point stays above no forcing; ours must too
    word = ("not reproduced, it falls below no forcing" if last and last["ci_high"] < 0 else
            "reproduced" if last and last["ci_low"] > 0 else "not distinguishable from no forcing at the end")
    lines.append(f"**Repeating \"Wait\" keeps its gain** (s1 paper, Figure 4a: the curve flattens) - {word}: "
                 f"up to k = {top}, accuracy {100 * ignores[0]:.1f}% at k = 0, "
                 f"{100 * max(ignores.values()):.1f}% at its best (k = {max(ignores, key=ignores.get)}), "
                 f"{100 * ignores[top]:.1f}% at k = {top}.")
    return lines


def vote_table(points: Sequence[dict]) -> pd.DataFrame:
    """A majority-voting curve: accuracy, gain over one sample [95% paired interval], thinking tokens."""
    return pd.DataFrame({f"m={p['votes']}": {
        "accuracy (%)": round(100 * p["accuracy"], 1),
        "gain over m=1 [95%]": _interval(p["gain_over_first"], p["ci_low"], p["ci_high"]),
        "thinking tokens per question": round(p["thinking_tokens"], 1)} for p in points}).T


def parallel_verdicts(summary: dict, parallel: dict) -> list[str]:
    """Figure 4's claim checked against this run: can voting catch up with budget forcing?"""
    ignores = {p["num_ignore"]: p for p in summary["budget_forcing"] if p["max_thinking_tokens"] is None}
    best_k = summary["dev"]["best_num_ignore"] if "dev" in summary else max(ignores, key=lambda k: ignores[k]["accuracy"])
    forced = ignores[best_k]
    base_best = max(parallel["base"], key=lambda p: p["accuracy"])
    sft_top = parallel["sft"][-1]
    lines = [f"**Voting over the base model cannot catch up with the fine-tuned model** ({paper.FIGURE4_SOURCE}) - "
             f"{'reproduced' if base_best['accuracy'] < ignores[0]['accuracy'] else 'not reproduced'}: the best vote "
             f"(m = {base_best['votes']}) reaches {100 * base_best['accuracy']:.1f}%, the SFT model "
             f"{100 * ignores[0]['accuracy']:.1f}% unforced and {100 * forced['accuracy']:.1f}% with k = {best_k}."]
    cheaper = [p for p in parallel["sft"] if p["thinking_tokens"] >= forced["mean_thinking_tokens"]]
    if cheaper:
        match = cheaper[0]
        word = "more" if forced["accuracy"] > match["accuracy"] else "not more"
        lines.append(f"**At matched thinking tokens, sequential is {word} effective than parallel**: budget forcing "
                     f"(k = {best_k}) spends {forced['mean_thinking_tokens']:.0f} tokens per question for "
                     f"{100 * forced['accuracy']:.1f}%; voting over {match['votes']} samples spends "
                     f"{match['thinking_tokens']:.0f} for {100 * match['accuracy']:.1f}%.")
    lines.append(f"**Voting over the SFT model's samples** moves accuracy from {100 * parallel['sft'][0]['accuracy']:.1f}% "
                 f"(one sample) to {100 * sft_top['accuracy']:.1f}% (m = {sft_top['votes']}), a gain of "
                 f"{_interval(sft_top['gain_over_first'], sft_top['ci_low'], sft_top['ci_high'])} points.")
    return lines


def ablation_verdicts(ablations: dict) -> list[str]:
    """Table 2's findings checked against this run, one line per alternative selection."""
    if not ablations["rows"]:
        return ["Not run in this profile: `ablations.kinds` is empty."]
    names = {"random": "1K-random", "diverse": "1K-diverse", "longest": "1K-longest", "full": "59K-full"}
    lines = []
    for row in ablations["rows"]:
        name = names[row["selection"]]
        low, high = paper.TABLE2[name]["AIME vs s1K"]
        ours = "below s1K" if row["ci_high"] < 0 else "above s1K" if row["ci_low"] > 0 else "not distinguishable from s1K"
        theirs = "below s1K" if high < 0 else "above s1K" if low > 0 else "not distinguishable from s1K"
        same = "as in the paper" if ours == theirs else f"the paper: {theirs}"
        lines.append(f"**{name}** is {ours} ({_interval(row['gain_vs_s1k'], row['ci_low'], row['ci_high'])} points; "
                     f"{same}, [{low:+.1f}, {high:+.1f}] on AIME24, {paper.TABLE2_SOURCE}).")
    return lines


def budget_forcing_metrics(summary: dict, cap_k: int) -> dict[str, dict]:
    """Control / Scaling (points per 100 thinking tokens) / Performance (%) of the two budget-forcing sweeps."""
    from s1kit.control import method_metrics

    def run(p: dict) -> dict:
        return {"thinking_tokens": p["mean_thinking_tokens"], "accuracy": p["accuracy"],
                "budget": p["max_thinking_tokens"]}

    points = summary["budget_forcing"]
    sweeps = {"cap_sweep": [run(p) for p in points if p["num_ignore"] == cap_k and p["max_thinking_tokens"] is not None],
              "wait_sweep": [run(p) for p in points if p["max_thinking_tokens"] is None]}
    out = {}
    for name, runs in sweeps.items():
        m = method_metrics(runs)
        out[name] = {"control_pct": 100 * m["control"], "scaling_per_100_tokens": m["scaling"],
                     "performance_pct": 100 * m["performance"], "runs": m["runs"]}
    return out


def control_runs(rows: Sequence[dict]) -> pd.DataFrame:
    """One method's settings: the budget asked for, thinking tokens used, accuracy."""
    return pd.DataFrame([{"budget": r.get("budget"), "instruction": r.get("instruction", ""),
                          "thinking tokens": round(r["thinking_tokens"], 1),
                          "accuracy (%)": round(100 * r["accuracy"], 1),
                          "within budget": (r["thinking_tokens"] <= r["budget"]) if r.get("budget") else None}
                         for r in rows])


def control_verdicts(control: dict) -> list[str]:
    """Table 3's findings checked against this run, in the paper's order."""
    m = control["metrics"]
    if not m:
        return [f"Not run in this profile: {control.get('skipped', 'no control methods')}."]

    def best_by(key: str) -> str:
        return max(m, key=lambda method: m[method][key])

    lines = [f"**Budget forcing has perfect control** ({paper.TABLE3_SOURCE}) - "
             f"{'reproduced' if m['BF']['control'] == 1 else 'not reproduced'}: Control {100 * m['BF']['control']:.0f}%."]
    tcc = m["TCC"]["control"] < m["TCC + BF"]["control"]
    lines.append(f"**Token-conditional control needs budget forcing to stay in budget** - "
                 f"{'reproduced' if tcc else 'not reproduced'}: TCC {100 * m['TCC']['control']:.0f}%, "
                 f"TCC + BF {100 * m['TCC + BF']['control']:.0f}% (the paper: 40% and 100%).")
    scc = m["SCC"]["control"] < m["SCC + BF"]["control"]
    lines.append(f"**Step-conditional control needs it too** - {'reproduced' if scc else 'not reproduced'}: "
                 f"SCC {100 * m['SCC']['control']:.0f}%, SCC + BF {100 * m['SCC + BF']['control']:.0f}% "
                 "(the paper: 60% and 100%).")
    rs = m["RS"]["scaling"]
    lines.append(f"**Rejection sampling scales inversely** - {'reproduced' if rs < 0 else 'not reproduced'}: "
                 f"Scaling {rs:+.1f} (the paper: -35): "
                 + ("shorter accepted samples are right more often." if rs < 0 else
                    "longer accepted samples are right more often here."))
    if control["rows"].get("plain prompt"):
        plain = control["rows"]["plain prompt"][0]
        lines.append(f"**The conditional model itself is weaker**: asked with the plain prompt it scores "
                     f"{100 * plain['accuracy']:.1f}%, while the s1K model of the BF rows reaches "
                     f"{100 * m['BF']['performance']:.1f}%. It saw each prompt style on about a quarter of s1K, so "
                     "part of every conditional method's gap to budget forcing is this weaker model, not its control.")
    best = best_by("performance")
    lines.append(f"**Best Performance**: {best} at {100 * m[best]['performance']:.1f}% "
                 + ("- as in the paper (budget forcing)." if best == "BF" else "- the paper: budget forcing."))
    return lines
