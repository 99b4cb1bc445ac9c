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
        right.plot(caps["mean_thinking_tokens"], caps["accuracy"] * 100, marker="o", label=name)
    left.set_xlabel('forced "Wait"s k (no cap)')
    left.set_ylabel("accuracy on held-out set (%)")
    right.set_xlabel(f"mean thinking tokens, cap sweep (k={cap_k})")
    left.set_ylim(-3, 103)
    left.legend(fontsize=8)
    fig.tight_layout()
    return fig
