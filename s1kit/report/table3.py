"""Table 3 (control methods, chapter 9): budget forcing against conditional control and rejection sampling."""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, empty_figure, percent_axis
from s1kit.report.words import NOT_RUN, finite_or

MARKERS = {"BF": "o", "TCC": "v", "TCC + BF": "^", "SCC": "<", "SCC + BF": ">", "CCC": "D", "RS": "x"}


def skipped(control: dict) -> str:
    """Why the profile has no control results ("" when it has them)."""
    return "" if control["metrics"] else control.get("skipped", "no control methods")


def scope(control: dict) -> str:
    """The questions Table 3 ran on, e.g. "AIME24 (30 questions)"; "" in the tiny world (its one test
    set) or when the experiment did not run."""
    names = control.get("benchmarks") or []
    if not control["metrics"] or not names or names == ["tiny"]:
        return ""
    words = [paper.BENCHMARK_NAMES.get(n, n) for n in names]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and {words[-1]} pooled"
    return f"{listed} ({control['n_questions']} questions)"


def like_the_paper(control: dict) -> bool:
    """True when Table 3 ran on AIME24 alone, the paper's questions."""
    return control.get("benchmarks") == ["aime24"]


def control_table(control: dict) -> pd.DataFrame:
    """Table 3 beside ours: Control (%), Scaling, Performance (%) and runs per method, in the paper's order.

    The paper's numbers are AIME24's; ours are on the questions :func:`scope` names. A method the
    profile could not run (RS without the SFT model's samples) has no row. A Scaling with no slope
    (every run of the method used the same thinking tokens) reads "-"; a profile that skipped the
    experiment gets one row saying so.
    """
    if not control["metrics"]:
        return pd.DataFrame({"note": [f"not run in this profile: {skipped(control)}"]}, index=["Table 3"])
    rows = {}
    for method, m in control["metrics"].items():
        theirs = paper.TABLE3[method]
        rows[method] = {"ours: Control (%)": round(100 * m["control"]), "ours: Scaling": finite_or(round(m["scaling"], 1), "-"),
                        "ours: Performance (%)": round(100 * m["performance"], 1), "ours: runs": m["runs"],
                        "paper: Control (%)": theirs["control"], "paper: Scaling": theirs["scaling"],
                        "paper: Performance (%)": theirs["performance"], "paper: runs": theirs["runs"]}
    return pd.DataFrame(rows).T.loc[[m for m in paper.TABLE3 if m in rows]]


def control_runs(rows: Sequence[dict]) -> pd.DataFrame:
    """One method's settings: the budget asked for, thinking tokens used, accuracy."""
    return pd.DataFrame([{"budget": r.get("budget"), "instruction": r.get("instruction", ""),
                          "thinking tokens": round(r["thinking_tokens"], 1),
                          "accuracy (%)": round(100 * r["accuracy"], 1),
                          "within budget": (r["thinking_tokens"] <= r["budget"]) if r.get("budget") else None}
                         for r in rows])


def method_runs(control: dict) -> pd.DataFrame | None:
    """:func:`control_runs` of every method but BF (its runs are the main sweep's), stacked; None when skipped."""
    methods = [m for m in paper.TABLE3 if m != "BF" and m in control["rows"]]
    return pd.concat({m: control_runs(control["rows"][m]) for m in methods}) if methods else None


def _paper_pair(plain: str, forced: str) -> str:
    return f"{paper.TABLE3[plain]['control']}% and {paper.TABLE3[forced]['control']}%"


def control_verdicts(control: dict) -> list[str]:
    """Table 3's findings checked against this run, in the paper's order (paper numbers from ``paper.TABLE3``)."""
    m = control["metrics"]
    if not m:
        return [f"Not run in this profile: {skipped(control)}."]
    lines = []
    if scope(control):  # a Hub run: say which questions, and whether they are the paper's
        lines.append(f"**Measured on {scope(control)}**" + (
            ", the paper's Table 3 questions: every method, BF's sweep points and RS's samples included, ran on "
            "the same questions." if like_the_paper(control) else
            ": the paper's Table 3 is AIME24 alone, so these Performance numbers are not like for like with "
            "the paper's (control.benchmarks: [aime24] makes them so)."))
    lines.append(f"**Budget forcing has perfect control** ({paper.TABLE3_SOURCE}) - "
                 f"{'reproduced' if m['BF']['control'] == 1 else 'not reproduced'}: "
                 f"Control {100 * m['BF']['control']:.0f}% (the paper: {paper.TABLE3['BF']['control']}%).")
    tcc = m["TCC"]["control"] < m["TCC + BF"]["control"]
    lines.append(f"**Token-conditional control needs budget forcing to stay in budget** - "
                 f"{'reproduced' if tcc else 'not reproduced'}: TCC {100 * m['TCC']['control']:.0f}%, "
                 f"TCC + BF {100 * m['TCC + BF']['control']:.0f}% (the paper: {_paper_pair('TCC', 'TCC + BF')}).")
    scc = m["SCC"]["control"] < m["SCC + BF"]["control"]
    lines.append(f"**Step-conditional control needs it too** - {'reproduced' if scc else 'not reproduced'}: "
                 f"SCC {100 * m['SCC']['control']:.0f}%, SCC + BF {100 * m['SCC + BF']['control']:.0f}% "
                 f"(the paper: {_paper_pair('SCC', 'SCC + BF')}).")
    rs = m["RS"]["scaling"] if "RS" in m else None
    if rs is None:  # the SFT model's samples were not there to draw from
        why = control.get("skipped_methods", {}).get("RS", "no samples of the SFT model")
        lines.append(f"**Rejection sampling scales inversely** - not run in this profile: {why}.")
    elif math.isfinite(rs):
        lines.append(f"**Rejection sampling scales inversely** - {'reproduced' if rs < 0 else 'not reproduced'}: "
                     f"Scaling {rs:+.1f} (the paper: {paper.TABLE3['RS']['scaling']}): "
                     + ("shorter accepted samples are right more often." if rs < 0 else
                        "longer accepted samples are right more often here."))
    else:  # one budget, or every budget spent the same tokens: no slope to compare
        lines.append(f"**Rejection sampling scales inversely** - not shown: its Scaling is not defined in this run "
                     f"(the paper: {paper.TABLE3['RS']['scaling']}).")
    if control["rows"].get("plain prompt"):
        plain = control["rows"]["plain prompt"][0]
        lines.append(f"**The conditional model itself is weaker**: asked with the plain prompt it scores "
                     f"{100 * plain['accuracy']:.1f}%, while the s1K model of the BF rows reaches "
                     f"{100 * m['BF']['performance']:.1f}%. It saw each prompt style on about "
                     f"{'a third' if control.get('class_prompts') == 's1' else 'a quarter'} of s1K, so part of every "
                     "conditional method's gap to budget forcing is this weaker model, not its control.")
    if control.get("class_prompts") == "s1" and control["rows"].get("CCC plain prompt"):
        plain = control["rows"]["CCC plain prompt"][0]
        short, long = control["rows"]["CCC"]
        lines.append(f"**Class-conditional control ran s1's prompts on the SFT model**, untrained on them, as s1 ran "
                     f"s1-32B: {short['thinking_tokens']:.0f} thinking tokens asked for short thinking, "
                     f"{long['thinking_tokens']:.0f} for long, {plain['thinking_tokens']:.0f} with the plain prompt.")
    best = max(m, key=lambda method: m[method]["performance"])
    lines.append(f"**Best Performance**: {best} at {100 * m[best]['performance']:.1f}% "
                 + ("- as in the paper (budget forcing)." if best == "BF" else "- the paper: budget forcing."))
    return lines


def control_figure(control: dict) -> plt.Figure:
    """Table 3 analogue: accuracy against thinking tokens for every way to control thinking."""
    if not control["metrics"]:  # a profile with no training (control.enabled: false) has no conditional model
        return empty_figure(f"not run in this profile: {skipped(control)}")
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for method, marker in MARKERS.items():
        rows = sorted(control["rows"].get(method) or [], key=lambda r: r["thinking_tokens"])
        if not rows:  # a method the profile could not run (RS without the SFT model's samples)
            continue
        ax.plot([r["thinking_tokens"] for r in rows], [100 * r["accuracy"] for r in rows], marker=marker,
                label=method)
    ax.set_xlabel("mean thinking tokens per question")
    ax.set_ylabel(ACCURACY_LABEL)
    percent_axis(ax)
    ax.legend(fontsize=8, ncol=2)
    if scope(control):
        ax.set_title(f"on {scope(control)}", fontsize=9)
    fig.tight_layout()
    return fig


def exercise_numbers(control: dict) -> dict[str, float | str]:
    """Chapter 9's exercise solutions: TCC's Control with and without BF (%), the best-performing method."""
    m = control["metrics"]
    if not m:
        return {"ex_best_method": NOT_RUN, "ex_tcc_control": NOT_RUN, "ex_tcc_bf_control": NOT_RUN,
                "ex_best_performance": NOT_RUN}
    best = max(m, key=lambda method: m[method]["performance"])
    return {"ex_best_method": best, "ex_tcc_control": 100 * m["TCC"]["control"],
            "ex_tcc_bf_control": 100 * m["TCC + BF"]["control"], "ex_best_performance": 100 * m[best]["performance"]}
