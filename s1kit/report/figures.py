"""Plotting pieces every artifact's figures share: error bars, the axes' ending, small stand-in figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

if TYPE_CHECKING:
    from s1kit.report.summary import Point

sns.set_theme(style="whitegrid", context="notebook")

ACCURACY_LABEL = "accuracy on held-out set (%)"


def errorbar(ax, x, accuracy, low, high, **kwargs) -> None:
    """Accuracies (0..1) in percent with their 95% intervals as error bars."""
    accuracy, low, high = (pd.Series(list(v), dtype=float) * 100 for v in (accuracy, low, high))
    ax.errorbar(list(x), accuracy, yerr=[accuracy - low, high - accuracy], capsize=3, **kwargs)


def points_errorbar(ax, x, points: Sequence[Point], **kwargs) -> None:
    """:func:`errorbar` for sweep points."""
    errorbar(ax, x, [p.accuracy for p in points], [p.ci_low for p in points], [p.ci_high for p in points], **kwargs)


def percent_axis(ax) -> None:
    """An accuracy axis from 0 to 100% with a little room at both ends for markers and error bars."""
    ax.set_ylim(-3, 103)


def empty_figure(message: str) -> plt.Figure:
    """A small figure that says why an experiment has nothing to show in this profile."""
    fig, ax = plt.subplots(figsize=(6, 1.2))
    ax.text(0.5, 0.5, message, ha="center", va="center")
    ax.axis("off")
    return fig


def count_figure(frame: pd.DataFrame, column: str, hue: str | None = None, title: str = "",
                 xlabel: str | None = None, ylabel: str = "questions") -> plt.Figure:
    """Bars: how many rows of ``frame`` have each value of ``column`` (coloured by ``hue``).

    The axes are labelled in words (``xlabel``, else the column's name); a legend goes beside the
    plot, where it cannot cover a bar.
    """
    fig, ax = plt.subplots(figsize=(7, 3.2))
    sns.countplot(data=frame, x=column, hue=hue, ax=ax)
    ax.set_title(title)
    ax.set_xlabel(xlabel or column)
    ax.set_ylabel(ylabel)
    if hue is not None:
        ax.legend(title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def funnel_figure(funnel: Sequence[dict]) -> plt.Figure:
    """Questions kept after each selection step, as bars on a log scale with their counts.

    The axis starts well below the smallest count, so the last bar is as visible as the others,
    and ends well past the largest, so every count's label fits inside the plot.
    """
    fig, ax = plt.subplots(figsize=(6, 3))
    steps, kept = [f["step"] for f in funnel], [f["kept"] for f in funnel]
    ax.barh(steps[::-1], kept[::-1], color=sns.color_palette()[0])
    ax.set_xscale("log")
    ax.set_xlim(max(min(kept), 1) / 5, max(kept) * 4)
    ax.set_xlabel("questions kept (log scale)")
    for i, f in enumerate(funnel[::-1]):
        ax.text(f["kept"], i, f" {f['kept']:,}", va="center", fontsize=9)
    fig.tight_layout()
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
