"""Table 3 (control methods, chapter 9): budget forcing against conditional control and rejection sampling.

Every row of the paper's Table 3 is set beside ours and each of its claims checked the way
chapter 8 teaches: Control as a share, Scaling by its *sign* (the paper's Scaling has no stated
unit, ours is accuracy points per 100 thinking tokens), Performance by rank. Our Scaling is
guarded (:func:`s1kit.report.metrics.guarded_scaling`): two settings whose mean thinking tokens
differ by less than ``GAP_SHARE`` (10%) of the method's mean count as the same compute, and a
method whose settings all used the same tokens has no Scaling, because it ignored its budget.
:func:`findings` turns the claims into :class:`s1kit.report.robustness.Finding` s, read from a
run's (or a replicate's) ``experiments/control/control.json``.
"""

from __future__ import annotations

import re
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit import paper
from s1kit.report.figures import ACCURACY_LABEL, empty_figure, percent_axis
from s1kit.report.metrics import GAP_SHARE, guarded_scaling, token_spread
from s1kit.report.robustness import Finding, Results
from s1kit.report.words import NOT_RUN

MARKERS = {"BF": "o", "TCC": "v", "TCC + BF": "^", "SCC": "<", "SCC + BF": ">", "CCC": "D", "RS": "x"}
CONTROL_FILE = "experiments/control/control.json"
SAME_TOKENS = "undefined (the settings used the same tokens)"
PARTS = ("control", "scaling", "performance")  # the groups of :func:`findings`, in the order the chapter shows them


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


# -- one method's settings --------------------------------------------------------------------------
def asked_for(row: dict, method: str) -> str:
    """What a setting asked for, in words: "up to 16 tokens", "up to 1 step", "think short", "cap 64, k = 0"."""
    instruction = row.get("instruction")
    if method == "BF":
        cap = row.get("cap", row.get("budget"))
        return f"k = {row.get('num_ignore', 0)}" + ("" if cap is None else f", cap {cap}")
    if method == "RS":
        return f"at most {row['budget']} tokens"
    if not instruction:
        return "no instruction"
    counted = re.search(r"up to (\d+) (token|step)s?", instruction)
    if counted:
        n, unit = int(counted.group(1)), counted.group(2)
        return f"up to {n} {unit}" + ("" if n == 1 else "s")
    lowered = instruction.lower()
    return "think short" if "short" in lowered else "think long" if "long" in lowered else instruction


def scaling_of(control: dict, method: str, share: float = GAP_SHARE) -> float | None:
    """A method's guarded Scaling (points per 100 thinking tokens); None: its settings used the same tokens."""
    return guarded_scaling(control["rows"][method], share)


def ignores_budget(control: dict, method: str) -> bool:
    """True when the method's settings asked for different budgets and used the same tokens (no guarded Scaling)."""
    return len(control["rows"].get(method) or []) > 1 and scaling_of(control, method) is None


def spent(control: dict, method: str) -> str:
    """The range of thinking tokens a method's settings used and what they asked for, in words."""
    rows = control["rows"][method]
    low, high = token_spread(rows)
    asked = [asked_for(r, method) for r in rows]
    used = f"{low:.0f}" if round(low) == round(high) else f"{low:.0f}–{high:.0f}"
    if asked[0].startswith("think"):
        return f"{used} thinking tokens whether told to {asked[0]} or to {asked[-1]}"
    return f"{used} thinking tokens whether asked for {asked[0]} or {asked[-1]}"


def found_words(control: dict) -> str:
    """Rejection sampling's share of questions with an in-budget sample, at its smallest and largest budget."""
    rows = sorted(control["rows"]["RS"], key=lambda r: r["budget"])
    first, last = rows[0], rows[-1]
    return (f"an in-budget sample was found for {100 * first['found']:.1f}% of questions at {first['budget']} tokens "
            f"and {100 * last['found']:.1f}% at {last['budget']} (a question without one counts as wrong)")


# -- tables -----------------------------------------------------------------------------------------
def _scaling_cell(value: float | None) -> float | str:
    return SAME_TOKENS if value is None else round(value, 1)


def _same_sign(ours: float | None, theirs: float) -> str:
    if ours is None:
        return "-"
    return "yes" if (ours > 0) == (theirs > 0) else "no (flipped)"


def control_table(control: dict) -> pd.DataFrame:
    """Table 3 beside ours, in the paper's order: Control (%), Scaling (guarded; the paper's sign beside
    ours), Performance (%) and the number of settings, each as "ours" and "paper".

    A method the profile could not run (RS without the SFT model's samples) has no row; a profile
    that skipped the experiment gets one row saying so.
    """
    if not control["metrics"]:
        return pd.DataFrame({"note": [f"not run in this profile: {skipped(control)}"]}, index=["Table 3"])
    rows = {}
    for method in [m for m in paper.TABLE3 if m in control["metrics"]]:
        m, theirs = control["metrics"][method], paper.TABLE3[method]
        ours = scaling_of(control, method)
        rows[method] = {("Control (%)", "ours"): round(100 * m["control"]), ("Control (%)", "paper"): theirs["control"],
                        ("Scaling", "ours"): _scaling_cell(ours), ("Scaling", "paper"): theirs["scaling"],
                        ("Scaling", "same sign"): _same_sign(ours, theirs["scaling"]),
                        ("Performance (%)", "ours"): round(100 * m["performance"], 1),
                        ("Performance (%)", "paper"): theirs["performance"],
                        ("settings", "ours"): m["runs"], ("settings", "paper"): theirs["runs"]}
    table = pd.DataFrame(rows).T
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    return table


def control_runs(rows: Sequence[dict], method: str = "") -> pd.DataFrame:
    """One method's settings: what each asked for, thinking tokens used, accuracy (%), whether it stayed
    within its budget, and (rejection sampling) the share of questions with an in-budget sample."""
    def within(r: dict) -> str:
        if not r.get("budget"):
            return "no budget"
        return "yes" if r["thinking_tokens"] <= r["budget"] else "no"

    return pd.DataFrame([{"asked for": asked_for(r, method), "thinking tokens": round(r["thinking_tokens"], 1),
                          "accuracy (%)": round(100 * r["accuracy"], 1), "within budget": within(r),
                          "in-budget sample found (%)": round(100 * r["found"], 1) if "found" in r else "-"}
                         for r in rows])


ROW_NAMES = {"plain prompt": "conditional model, no instruction", "CCC plain prompt": "SFT model, no instruction"}


def method_runs(control: dict) -> pd.DataFrame | None:
    """:func:`control_runs` of every method but BF (its settings are the main sweep's), stacked, then the
    conditional model asked with no instruction; None when the experiment was skipped."""
    methods = [m for m in paper.TABLE3 if m != "BF" and m in control["rows"]]
    if not methods:
        return None
    frames = {m: control_runs(control["rows"][m], m) for m in methods}
    frames |= {ROW_NAMES[m]: control_runs(control["rows"][m], m) for m in ROW_NAMES if control["rows"].get(m)}
    table = pd.concat(frames).droplevel(1).set_index("asked for", append=True)
    return table.rename_axis(["method", "asked for"])


# -- the claims -------------------------------------------------------------------------------------
def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _control_findings(control: dict) -> list[Finding]:
    m, source = control["metrics"], paper.TABLE3_SOURCE
    found = [Finding("Budget forcing stays within every budget", f"{source}: BF Control {paper.TABLE3['BF']['control']}%",
                     holds=m["BF"]["control"] == 1,
                     evidence=f"Control {_pct(m['BF']['control'])} of its {m['BF']['runs']} settings.")]
    for plain, forced, name in (("TCC", "TCC + BF", "Token"), ("SCC", "SCC + BF", "Step")):
        ours, theirs = m[plain]["control"], m[forced]["control"]
        found.append(Finding(f"{name}-conditional control alone stays in budget less often than with budget forcing",
                             f"{source}: {plain} {paper.TABLE3[plain]['control']}%, {forced} "
                             f"{paper.TABLE3[forced]['control']}%",
                             holds=ours < theirs, tie=ours == theirs,
                             evidence=f"{plain} {_pct(ours)}, {forced} {_pct(theirs)}."))
    scc, tcc = m["SCC"]["control"], m["TCC"]["control"]
    found.append(Finding("Counting steps controls better than counting tokens",
                         f"{source}: SCC {paper.TABLE3['SCC']['control']}% against TCC {paper.TABLE3['TCC']['control']}%",
                         holds=scc > tcc, tie=scc == tcc,
                         evidence=f"SCC {_pct(scc)}, TCC {_pct(tcc)}" + (" (reversed)." if scc < tcc else ".")))
    return found


def _scaling_claim(method: str) -> str:
    theirs = paper.TABLE3[method]["scaling"]
    if method == "RS":
        return "Rejection sampling scales inversely (Scaling below zero)"
    return f"{method}'s Scaling is {'above' if theirs > 0 else 'below'} zero"


def _scaling_findings(control: dict) -> list[Finding]:
    found = []
    for method in [m for m in paper.TABLE3 if m in control["metrics"]]:
        theirs, ours = paper.TABLE3[method]["scaling"], scaling_of(control, method)
        label = f"{paper.TABLE3_SOURCE}: {method} {theirs:+d}"
        if ours is None:
            evidence = f"Scaling {SAME_TOKENS}: {spent(control, method)}" + (
                f"; {found_words(control)}." if method == "RS" else ", so the model ignores its budget.")
            found.append(Finding(_scaling_claim(method), label, holds=False, evidence=evidence))
            continue
        holds = (ours > 0) == (theirs > 0) and ours != 0
        evidence = f"{ours:+.1f} points per 100 thinking tokens" + (
            "" if holds else ": accuracy did not change with thinking" if ours == 0 else ", the sign flipped")
        if method == "RS":
            evidence += f"; {found_words(control)}"
        found.append(Finding(_scaling_claim(method), label, holds=holds, evidence=evidence + "."))
    return found


def _performance_findings(control: dict) -> list[Finding]:
    m = control["metrics"]
    others = {method: v["performance"] for method, v in m.items() if method != "BF"}
    rival = max(others, key=others.get)
    bf = m["BF"]["performance"]
    return [Finding("Budget forcing reaches the best Performance",
                    f"{paper.TABLE3_SOURCE}: BF {paper.TABLE3['BF']['performance']}%, the others at most "
                    f"{max(v['performance'] for k, v in paper.TABLE3.items() if k != 'BF')}%",
                    holds=bf > others[rival], tie=bf == others[rival],
                    evidence=f"BF {100 * bf:.1f}%, the next best {rival} {100 * others[rival]:.1f}%.")]


def findings(results: Results, part: str | None = None) -> list[Finding]:
    """Table 3's claims in ``results`` (its ``experiments/control/control.json``), in the paper's order.

    ``part`` picks one group: "control" (BF always in budget; TCC and SCC need BF; SCC above
    TCC), "scaling" (each method's Scaling has the paper's sign; undefined when its settings used
    the same tokens) or "performance" (BF best); None: all. None at all when the experiment was skipped.
    """
    control = results.read(CONTROL_FILE)
    if not control["metrics"]:
        return []
    groups = {"control": _control_findings, "scaling": _scaling_findings, "performance": _performance_findings}
    return [f for name in ([part] if part else PARTS) for f in groups[name](control)]


def notes(control: dict, sft_unforced: tuple[float, float] | None = None) -> list[str]:
    """What the verdicts rest on, in sentences: which questions (a Hub run), a method not run, CCC with s1's
    prompts, and the conditional model beside the SFT model, both unforced (``sft_unforced``: the SFT
    model's k = 0 accuracy and thinking tokens)."""
    if not control["metrics"]:
        return [f"Not run in this profile: {skipped(control)}."]
    lines = []
    if scope(control):
        lines.append(f"**Measured on {scope(control)}**" + (
            ", the paper's Table 3 questions: every method, BF's sweep points and RS's samples included, ran on "
            "the same questions." if like_the_paper(control) else
            ": the paper's Table 3 is AIME24 alone, so these Performance numbers are not like for like with "
            "the paper's (control.benchmarks: [aime24] makes them so)."))
    if "RS" not in control["metrics"]:
        why = control.get("skipped_methods", {}).get("RS", "no samples of the SFT model")
        lines.append(f"**Rejection sampling** was not run in this profile: {why}.")
    plain = (control["rows"].get("plain prompt") or [None])[0]
    if plain is not None and sft_unforced is not None:
        accuracy, tokens = sft_unforced
        lines.append(f"**The conditional model is a weaker model**: asked with no instruction it scores "
                     f"{100 * plain['accuracy']:.1f}% with {plain['thinking_tokens']:.0f} thinking tokens, against "
                     f"the SFT model's {100 * accuracy:.1f}% with {tokens:.0f}, both unforced. It saw each instruction "
                     f"style on about {'a third' if control.get('class_prompts') == 's1' else 'a quarter'} of s1K, so "
                     "part of every conditional method's gap to budget forcing is this weaker model, not its control.")
    if control.get("class_prompts") == "s1" and control["rows"].get("CCC plain prompt"):
        plain = control["rows"]["CCC plain prompt"][0]
        short, long = control["rows"]["CCC"]
        lines.append(f"**Class-conditional control ran s1's prompts on the SFT model**, untrained on them, as s1 ran "
                     f"s1-32B: {short['thinking_tokens']:.0f} thinking tokens asked for short thinking, "
                     f"{long['thinking_tokens']:.0f} for long, {plain['thinking_tokens']:.0f} with the plain prompt.")
    return lines


def budget_ignored(control: dict) -> list[str]:
    """The methods (paper order) whose settings asked for different budgets and used the same tokens."""
    return [m for m in paper.TABLE3 if m != "RS" and m in control.get("rows", {}) and m in control["metrics"]
            and ignores_budget(control, m)]  # RS asks nothing of the model: it only accepts or rejects samples


def control_figure(control: dict) -> plt.Figure:
    """Table 3 analogue: accuracy against thinking tokens for every way to control thinking.

    A method whose settings all used the same tokens (it ignored its budget) is drawn as a cluster
    of markers; its name in the legend says so.
    """
    if not control["metrics"]:  # a profile with no training (control.enabled: false) has no conditional model
        return empty_figure(f"not run in this profile: {skipped(control)}")
    ignored = budget_ignored(control)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for method, marker in MARKERS.items():
        rows = sorted(control["rows"].get(method) or [], key=lambda r: r["thinking_tokens"])
        if not rows:  # a method the profile could not run (RS without the SFT model's samples)
            continue
        label = method + (" (same tokens for every budget)" if method in ignored else "")
        ax.plot([r["thinking_tokens"] for r in rows], [100 * r["accuracy"] for r in rows], marker=marker,
                label=label, linestyle=":" if method in ignored else "-")
    ax.set_xlabel("mean thinking tokens per question")
    ax.set_ylabel(ACCURACY_LABEL)
    percent_axis(ax)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if scope(control):
        ax.set_title(f"on {scope(control)}", fontsize=9)
    fig.tight_layout()
    return fig


def exercise_numbers(control: dict) -> dict[str, float | str]:
    """Chapter 9's exercise solutions: TCC's Control with and without BF (%), the best-performing method,
    and each method's Scaling by the paper's formula (every pair of settings, ``ex_all_pairs_<method>``)."""
    m = control["metrics"]
    keys = ["ex_best_method", "ex_tcc_control", "ex_tcc_bf_control", "ex_best_performance",
            "ex_best_control_methods", "ex_guard_changed"]
    if not m:
        return {key: NOT_RUN for key in keys} | {f"ex_all_pairs_{_key(method)}": NOT_RUN for method in paper.TABLE3}
    best = max(m, key=lambda method: m[method]["performance"])
    perfect = [method for method in paper.TABLE3 if method in m and m[method]["control"] == 1]
    all_pairs = {method: scaling_of(control, method, share=0.0) for method in paper.TABLE3 if method in m}
    guarded = {method: scaling_of(control, method) for method in all_pairs}
    changed = [method for method in all_pairs if guarded[method] is None and all_pairs[method] is not None]
    return {"ex_best_method": best, "ex_tcc_control": 100 * m["TCC"]["control"],
            "ex_tcc_bf_control": 100 * m["TCC + BF"]["control"], "ex_best_performance": 100 * m[best]["performance"],
            "ex_best_control_methods": ", ".join(perfect) or "none",
            "ex_guard_changed": ", ".join(changed) or "none",
            **{f"ex_all_pairs_{_key(method)}": "not defined" if v is None else round(v, 1) for method, v in all_pairs.items()},
            **{f"ex_all_pairs_{_key(method)}": NOT_RUN for method in paper.TABLE3 if method not in m}}


def _key(method: str) -> str:
    """A method's name as a glue key: "TCC + BF" -> "tcc_bf"."""
    return re.sub(r"\W+", "_", method.lower()).strip("_")


def _range(control: dict, method: str) -> str:
    low, high = token_spread(control["rows"][method])
    return f"{low:.0f}" if round(low) == round(high) else f"{low:.0f}–{high:.0f}"


def prose_numbers(control: dict, sft_unforced: tuple[float, float] | None = None) -> dict[str, float | str]:
    """The numbers chapter 9's prose quotes: the guard (%), the token ranges of the methods that ignore
    their budget, rejection sampling's found shares and accuracies at its smallest and largest budget,
    the conditional model and the SFT model unforced (``sft_unforced``: accuracy 0..1, thinking tokens)."""
    keys = ["gap_pct", "ignored_methods", "tcc_tokens", "scc_tokens", "ccc_tokens", "rs_budget_first", "rs_budget_last",
            "rs_found_first", "rs_found_last", "rs_acc_first", "rs_acc_last", "rs_control", "plain_acc",
            "plain_tokens", "sft_k0_acc", "sft_k0_tokens", "bf_performance", "bf_runs"]
    m = control["metrics"]
    if not m:
        return {key: NOT_RUN for key in keys}
    out: dict[str, float | str] = {key: NOT_RUN for key in keys}
    out |= {"gap_pct": 100 * GAP_SHARE, "ignored_methods": ", ".join(budget_ignored(control)) or "none",
            "bf_performance": 100 * m["BF"]["performance"], "bf_runs": m["BF"]["runs"]}
    for method, key in (("TCC", "tcc_tokens"), ("SCC", "scc_tokens"), ("CCC", "ccc_tokens")):
        if control["rows"].get(method):
            out[key] = _range(control, method)
    if "RS" in m:
        rows = sorted(control["rows"]["RS"], key=lambda r: r["budget"])
        out |= {"rs_budget_first": rows[0]["budget"], "rs_budget_last": rows[-1]["budget"],
                "rs_found_first": 100 * rows[0]["found"], "rs_found_last": 100 * rows[-1]["found"],
                "rs_acc_first": 100 * rows[0]["accuracy"], "rs_acc_last": 100 * rows[-1]["accuracy"],
                "rs_control": 100 * m["RS"]["control"]}
    plain = (control["rows"].get("plain prompt") or [None])[0]
    if plain is not None:
        out |= {"plain_acc": 100 * plain["accuracy"], "plain_tokens": plain["thinking_tokens"]}
    if sft_unforced is not None:
        out |= {"sft_k0_acc": 100 * sft_unforced[0], "sft_k0_tokens": sft_unforced[1]}
    return out


def _names(methods: Sequence[str]) -> str:
    return methods[0] if len(methods) == 1 else ", ".join(methods[:-1]) + f" and {methods[-1]}"


def figure_reading(control: dict) -> str:
    """What the figure shows, in sentences decided by this run's rows: BF's range, the capped methods, the
    methods that ignore their budget, rejection sampling's climb."""
    if not control["metrics"]:
        return ""
    rows = control["rows"]
    caps = sorted((r for r in rows["BF"] if r.get("cap")), key=lambda r: r["cap"])
    forced = [r for r in rows["BF"] if not r.get("cap")]
    out = []
    if caps and forced:
        longest = max(forced, key=lambda r: r["thinking_tokens"])
        out.append(f"Budget forcing (BF) spans the x-axis: its caps cut thinking short, and accuracy goes from "
                   f"{100 * caps[0]['accuracy']:.1f}% at a cap of {caps[0]['cap']} tokens to "
                   f"{100 * caps[-1]['accuracy']:.1f}% at {caps[-1]['cap']}, because a thought cut short is an answer "
                   f"guessed early; its forced \"Wait\"s then extend thinking up to {longest['thinking_tokens']:.0f} "
                   f"tokens ({100 * longest['accuracy']:.1f}% there).")
    capped = [m for m in ("TCC + BF", "SCC + BF") if rows.get(m)]
    if capped:
        out.append(f"{_names(capped)} follow the caps: " + "; ".join(
            f"{m} {100 * min(rows[m], key=lambda r: r['thinking_tokens'])['accuracy']:.1f}% at its smallest budget, "
            f"{100 * max(rows[m], key=lambda r: r['thinking_tokens'])['accuracy']:.1f}% at its largest" for m in capped)
                   + ": the cap, not the instruction, decides their length.")
    ignored = budget_ignored(control)
    if ignored:
        out.append("The methods without a cap that ignore their budget are dotted clusters: "
                   + "; ".join(f"{m}, {spent(control, m)}" for m in ignored) + ".")
    if rows.get("RS") and "RS" in control["metrics"]:
        ordered = sorted(rows["RS"], key=lambda r: r["budget"])
        out.append(f"Rejection sampling (RS) climbs from {100 * ordered[0]['accuracy']:.1f}% to "
                   f"{100 * ordered[-1]['accuracy']:.1f}% while its mean thinking moves only from "
                   f"{ordered[0]['thinking_tokens']:.0f} to {ordered[-1]['thinking_tokens']:.0f} tokens; the next "
                   "table shows why.")
    return " ".join(out)


def how_to_read(control: dict) -> str:
    """The verdicts read together, in sentences decided by this run: what controls thinking, the paper's
    ordering of the self-controlled methods, the Scaling signs that could not be compared or flipped."""
    m = control["metrics"]
    if not m:
        return ""
    out = []
    with_cap = [x for x in ("TCC + BF", "SCC + BF") if x in m]
    if with_cap and all(m[x]["control"] == 1 for x in with_cap):
        out.append(f"Every method with a cap stays in budget ({_names(with_cap)}, and BF itself); without it, TCC "
                   f"stays in {_pct(m['TCC']['control'])} of its budgets and SCC in {_pct(m['SCC']['control'])}.")
    scc, tcc = m["SCC"]["control"], m["TCC"]["control"]
    out.append("So the paper's ordering of the self-controlled methods (counting steps above counting tokens) "
               + (f"cannot show here: both are at {_pct(scc)}, a tie." if scc == tcc else
                  "is reversed here." if scc < tcc else "holds here."))
    undefined = [x for x in paper.TABLE3 if x in m and scaling_of(control, x) is None]
    if undefined:
        out.append(f"Where the paper prints a Scaling for {_names(undefined)}, ours is undefined: those settings "
                   "did not change how long the model thought, so there is no slope to compare.")
    flipped = [x for x in paper.TABLE3 if x in m and scaling_of(control, x) not in (None, 0)
               and (scaling_of(control, x) > 0) != (paper.TABLE3[x]["scaling"] > 0)]
    if flipped:
        out.append(f"The sign flipped for {_names(flipped)}"
                   + (" (rejection sampling: see how few questions found a short sample)" if "RS" in flipped else "")
                   + ".")
    return " ".join(out)
