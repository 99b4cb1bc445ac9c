"""Figures of the book. Notebooks call these; they hold no logic of their own."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

sns.set_theme(style="whitegrid", context="notebook")


def sweep_frame(summary: dict) -> pd.DataFrame:
    """summary.json's budget_forcing list as a table with a readable label per point."""
    frame = pd.DataFrame(summary["budget_forcing"])
    frame["label"] = [
        f"N={'∞' if pd.isna(n) else int(n)}, k={k}" for n, k in zip(frame["max_thinking_tokens"], frame["num_ignore"], strict=True)
    ]
    return frame


def cap_points(summary: dict, cap_k: int) -> pd.DataFrame:
    frame = sweep_frame(summary)
    return frame[frame["num_ignore"] == cap_k].sort_values("mean_thinking_tokens")


def ignore_points(summary: dict) -> pd.DataFrame:
    frame = sweep_frame(summary)
    return frame[frame["max_thinking_tokens"].isna()].sort_values("num_ignore")


def scaling_figure(summary: dict, cap_k: int, title: str = "") -> plt.Figure:
    """The paper's Figure 1 analogue: accuracy vs mean thinking tokens, both sweeps."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    caps, ignores = cap_points(summary, cap_k), ignore_points(summary)
    for frame, label, marker in ((caps, f"cap N (k={cap_k})", "o"), (ignores, "ignore end k times (no cap)", "s")):
        ax.errorbar(frame["mean_thinking_tokens"], frame["accuracy"] * 100,
                    yerr=[(frame["accuracy"] - frame["ci_low"]) * 100, (frame["ci_high"] - frame["accuracy"]) * 100],
                    marker=marker, capsize=3, label=label)
    for _, row in ignores.iterrows():
        ax.annotate(f"k={row['num_ignore']}", (row["mean_thinking_tokens"], row["accuracy"] * 100),
                    textcoords="offset points", xytext=(4, -12), fontsize=8)
    # caps the model's own thinking never reaches land on one point: one label names them all
    groups: list[list] = []
    for _, row in caps.iterrows():
        cap = "∞" if pd.isna(row["max_thinking_tokens"]) else str(int(row["max_thinking_tokens"]))
        last = groups[-1][0] if groups else None
        if last is not None and last["accuracy"] == row["accuracy"] and \
                abs(last["mean_thinking_tokens"] - row["mean_thinking_tokens"]) < 3:
            groups[-1][1].append(cap)
        else:
            groups.append([row, [cap]])
    for row, names in groups:
        ax.annotate(f"N={', '.join(names)}", (row["mean_thinking_tokens"], row["accuracy"] * 100),
                    textcoords="offset points", xytext=(-10, 6), fontsize=8)
    ax.axhline(summary["base_model_accuracy"] * 100, color="grey", linestyle="--", label="base model, no thinking")
    ax.set_xlabel("mean thinking tokens per question")
    ax.set_ylabel("accuracy on held-out set (%)")
    ax.set_ylim(-3, 103)
    ax.set_title(title or f"Budget forcing, profile {summary['profile']}")
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def funnel_figure(funnel: Sequence[dict]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 3))
    steps = [f["step"] for f in funnel]
    ax.barh(steps[::-1], [f["kept"] for f in funnel][::-1], color=sns.color_palette()[0])
    ax.set_xscale("log")
    ax.set_xlabel("questions kept (log scale)")
    for i, f in enumerate(funnel[::-1]):
        ax.text(f["kept"], i, f" {f['kept']:,}", va="center", fontsize=9)
    fig.tight_layout()
    return fig


def count_figure(frame: pd.DataFrame, column: str, hue: str | None = None, title: str = "") -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    sns.countplot(data=frame, x=column, hue=hue, ax=ax)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def loss_figure(reports: dict[str, dict]) -> plt.Figure:
    """Training loss per logged step for one or more training reports."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for name, report in reports.items():
        history = pd.DataFrame(report["loss_history"])
        if not history.empty:
            ax.plot(history["step"], history["loss"], marker=".", label=name)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("training loss (completion tokens)")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


def worlds_figure(summaries: dict[str, dict], cap_k: int) -> plt.Figure:
    """Three worlds on one figure: accuracy vs forced Waits (left) and vs thinking cap (right)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for name, summary in summaries.items():
        ignores, caps = ignore_points(summary), cap_points(summary, cap_k)
        left.errorbar(ignores["num_ignore"], ignores["accuracy"] * 100,
                      yerr=[(ignores["accuracy"] - ignores["ci_low"]) * 100,
                            (ignores["ci_high"] - ignores["accuracy"]) * 100],
                      marker="o", capsize=3, label=name)
        _errorbar(right, caps["mean_thinking_tokens"], caps["accuracy"], caps["ci_low"], caps["ci_high"],
                  marker="o", label=name)
    left.set_xlabel('forced "Wait"s k (no cap)')
    left.set_ylabel("accuracy on held-out set (%)")
    right.set_xlabel(f"mean thinking tokens, cap sweep (k={cap_k})")
    left.set_ylim(-3, 103)
    left.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _errorbar(ax, x, accuracy, low, high, **kwargs) -> None:
    accuracy, low, high = (pd.Series(v, dtype=float) * 100 for v in (accuracy, low, high))
    ax.errorbar(x, accuracy, yerr=[accuracy - low, high - accuracy], capsize=3, **kwargs)


def parallel_figure(summary: dict, parallel: dict, cap_k: int) -> plt.Figure:
    """Figure 4 analogue: sequential scaling (budget forcing) vs parallel scaling (majority voting).

    Left: accuracy against thinking tokens spent per question: the budget-forcing sweeps of the
    SFT model and majority voting over its temperature-1 samples (tokens summed over the votes).
    Right: majority voting over the base model's direct answers, against the number of votes,
    with the SFT model's unforced and forced accuracy as lines (the paper's Figure 4b).
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    caps, ignores = cap_points(summary, cap_k), ignore_points(summary)
    _errorbar(left, caps["mean_thinking_tokens"], caps["accuracy"], caps["ci_low"], caps["ci_high"],
              marker="o", label=f"sequential: cap N (k={cap_k})")
    _errorbar(left, ignores["mean_thinking_tokens"], ignores["accuracy"], ignores["ci_low"], ignores["ci_high"],
              marker="s", label='sequential: k forced "Wait"s')
    votes = pd.DataFrame(parallel["sft"])
    left.plot(votes["thinking_tokens"], votes["accuracy"] * 100, marker="^", label="parallel: majority of m samples")
    for _, row in votes.iterrows():
        left.annotate(f"m={row['votes']}", (row["thinking_tokens"], row["accuracy"] * 100),
                      textcoords="offset points", xytext=(3, 5), fontsize=8)
    left.set_xlabel("thinking tokens per question (all samples)")
    left.set_ylabel("accuracy on held-out set (%)")
    left.set_title("SFT model")
    left.legend(fontsize=8)
    base = pd.DataFrame(parallel["base"])
    right.plot(base["votes"], base["accuracy"] * 100, marker="^", label="base model: majority of m answers")
    right.axhline(ignores.iloc[0]["accuracy"] * 100, color="grey", linestyle="--", label="SFT model, k=0")
    right.axhline(ignores["accuracy"].max() * 100, color="black", linestyle=":", label="SFT model, best k")
    right.set_xscale("log", base=2)
    right.set_xlabel("samples voted over (m)")
    right.set_title("Base model, answering directly")
    right.set_ylim(-3, 103)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def extrapolation_figure(summary: dict, extrapolation: dict) -> plt.Figure:
    """Table 4 analogue: accuracy at each forced-string setting, and the "Wait" curve over k."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    ignores = ignore_points(summary)
    k = extrapolation["num_ignore"]
    labels = ["none (k=0)"] + [f'"{r["ignore_str"]}"' if r["ignore_str"] else "no string"
                              for r in extrapolation["rows"]] + ['"Wait"']
    wait = ignores[ignores["num_ignore"] == k].iloc[0]
    values = [ignores.iloc[0]["accuracy"]] + [r["accuracy"] for r in extrapolation["rows"]] + [wait["accuracy"]]
    left.bar(labels, [100 * v for v in values], color=sns.color_palette()[:len(values)])
    left.set_ylabel("accuracy on held-out set (%)")
    left.set_title(f"end of thinking suppressed {k} times, appending...")
    _errorbar(right, ignores["num_ignore"], ignores["accuracy"], ignores["ci_low"], ignores["ci_high"], marker="o")
    right.set_xlabel('forced "Wait"s k (no cap)')
    right.set_title('"Wait", k = 0, 1, 2, ...')
    right.set_ylim(-3, 103)
    fig.tight_layout()
    return fig


def control_figure(control: dict) -> plt.Figure:
    """Table 3 analogue: accuracy against thinking tokens for every way to control thinking."""
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    markers = {"BF": "o", "TCC": "v", "TCC + BF": "^", "SCC": "<", "SCC + BF": ">", "CCC": "D", "RS": "x"}
    for method, marker in markers.items():
        rows = sorted(control["rows"][method], key=lambda r: r["thinking_tokens"])
        ax.plot([r["thinking_tokens"] for r in rows], [100 * r["accuracy"] for r in rows], marker=marker,
                label=method)
    ax.set_xlabel("mean thinking tokens per question")
    ax.set_ylabel("accuracy on held-out set (%)")
    ax.set_ylim(-3, 103)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def ablation_figure(ablations: dict) -> plt.Figure:
    """Table 2 analogue: unforced accuracy of each selection, with its paired interval against s1K."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    rows = ablations["rows"]
    names = [r["selection"] for r in rows] + ["s1K"]
    gains = [100 * r["gain_vs_s1k"] for r in rows] + [0.0]
    errors = [[100 * (r["gain_vs_s1k"] - r["ci_low"]) for r in rows] + [0.0],
              [100 * (r["ci_high"] - r["gain_vs_s1k"]) for r in rows] + [0.0]]
    ax.bar(names, gains, yerr=errors, capsize=4, color=sns.color_palette()[:len(names)])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("accuracy minus s1K's (points)")
    ax.set_title("1,000 examples chosen another way, fine-tuned and evaluated like s1K")
    fig.tight_layout()
    return fig


def table1_figure(table: pd.DataFrame) -> plt.Figure:
    """Table 1 drawn: the paper's three AIME24 numbers beside ours, row for row (same quantity per row).

    ``table`` has one row per Table 1 step (base, SFT unforced, SFT forced) and two columns,
    the paper's and ours, in percent.
    """
    fig, ax = plt.subplots(figsize=(8, 3.4))
    frame = table.reset_index(names="step").melt(id_vars="step", var_name="source", value_name="accuracy")
    sns.barplot(data=frame, y="step", x="accuracy", hue="source", ax=ax, orient="h")
    for container in ax.containers:
        ax.bar_label(container, fmt="%.1f", fontsize=8, padding=2)
    ax.set_xlim(0, 110)
    ax.set_xlabel("accuracy (%)")
    ax.set_ylabel("")
    # below the axes: inside them it covered the longest bars and their labels
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    fig.tight_layout()
    return fig


def empty_figure(message: str) -> plt.Figure:
    """A small figure that says why an experiment has nothing to show in this profile."""
    fig, ax = plt.subplots(figsize=(6, 1.2))
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.axis("off")
    return fig


def forcing_diagram() -> plt.Figure:
    """Budget forcing's state machine (``s1kit.budget.ForcingState``): think, answer, done, and the rules' arrows."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.axis("off")
    boxes = {"THINK": (1.6, 2.0), "ANSWER": (6.0, 2.0), "DONE": (9.0, 2.0)}
    for name, (x, y) in boxes.items():
        ax.add_patch(FancyBboxPatch((x - 0.8, y - 0.35), 1.6, 0.7, boxstyle="round,pad=0.05",
                                    facecolor=sns.color_palette("pastel")[list(boxes).index(name)], edgecolor="black"))
        ax.text(x, y, name, ha="center", va="center", fontsize=11, weight="bold")

    def arrow(start, end, label, label_xy, rad=0.0):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, linewidth=1.2,
                                     connectionstyle=f"arc3,rad={rad}", color="black"))
        ax.text(*label_xy, label, ha="center", va="center", fontsize=8.5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})

    arrow((1.2, 2.35), (2.0, 2.35), 'model picks a stop token, ignores left (< k):\ndrop it, append "Wait", go on',
          (1.6, 3.55), rad=-2.2)
    arrow((2.4, 2.1), (5.2, 2.1), "model stops, no ignores left:\nappend <|im_start|>answer", (3.8, 2.75))
    arrow((2.4, 1.85), (5.2, 1.85), 'thinking reaches the cap N:\nappend "\\n<|im_start|>answer\\nFinal Answer:"',
          (3.8, 1.1))
    arrow((6.8, 2.0), (8.2, 2.0), "<|im_end|>, eos or\nmax_answer_tokens", (7.5, 2.7))
    ax.text(1.6, 0.35, "every token counts toward the cap, forced \"Wait\"s included", ha="center", fontsize=8.5,
            style="italic")
    fig.tight_layout()
    return fig
