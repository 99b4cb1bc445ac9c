"""A training run's report as the book shows it: the loss curve, a size-and-speed table, epochs, and the exercise numbers (chapters 1, 4)."""

from __future__ import annotations

import math
from typing import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from s1kit.report import figures as _figures  # noqa: F401  (the book's plot style, as every other figure)
from s1kit.report.words import NOT_RUN


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


def loss_milestones(report: dict | None) -> dict[str, float | int | str]:
    """The logged step nearest half-way, its loss, and the last logged loss (``NOT_RUN`` with no history)."""
    losses = {h["step"]: h["loss"] for h in (report or {}).get("loss_history", [])}
    if not losses:
        return {"half_step": NOT_RUN, "half_loss": NOT_RUN, "final_loss": NOT_RUN}
    half = min(losses, key=lambda s: abs(s - max(losses) / 2))
    return {"half_step": half, "half_loss": losses[half], "final_loss": losses[max(losses)]}


def epochs(report: dict) -> float:
    """Passes over the training set: optimizer steps × global batch / examples.

    The global batch comes from the report's batch plan (per-device batch × processes ×
    accumulation), so a GPU profile with per-device batch 1 and global batch 16 counts right.
    """
    return report["steps"] * report["batch_plan"]["global_batch"] / report["examples"]


def epoch_steps(report: dict, epochs: float) -> int:
    """Optimizer steps for ``epochs`` passes with ``max_steps: 0``, by the Trainer's arithmetic.

    As :func:`s1kit.training.batch_plan`: per-process batches per epoch rounded up, then
    accumulated and rounded up, so s1K's 1,000 examples at batch 16 are 63 steps an epoch and 5
    epochs are 315 (the paper's count), not 312.5.
    """
    plan = report["batch_plan"]
    accumulation = plan.get("accumulation", 1)
    batches = math.ceil(report["examples"] / (plan["global_batch"] // accumulation))
    return math.ceil(epochs * max(math.ceil(batches / accumulation), 1))


def exercise_numbers(report: dict | None, epochs: float = 5) -> dict[str, float | int | str]:
    """Chapter 4's exercise solutions: steps for ``epochs`` (the paper's 5), this run's steps, loss
    milestones, tokens in one epoch and in the whole run (their time: :func:`time_numbers`)."""
    milestones = loss_milestones(report)
    out = {"ex_half_step": milestones["half_step"], "ex_loss_half": milestones["half_loss"],
           "ex_loss_final": milestones["final_loss"]}
    if not report:
        return {**out, **dict.fromkeys(("ex_five_epoch_steps", "ex_run_steps", "ex_epoch_tokens", "ex_run_tokens"),
                                       NOT_RUN)}
    return {**out, "ex_five_epoch_steps": epoch_steps(report, epochs), "ex_run_steps": report["steps"],
            "ex_epoch_tokens": report["examples"] * report["mean_example_tokens"],
            "ex_run_tokens": report.get("train_tokens", NOT_RUN)}


def time_numbers(report: dict | None, epochs: float = 5) -> dict[str, float | str]:
    """This run's training seconds and the seconds ``epochs`` would take at its speed (``NOT_RUN`` for a
    report without a wall time, such as a committed reference run's)."""
    wall_s = (report or {}).get("wall_s")
    if wall_s is None:
        return {"ex_run_s": NOT_RUN, "ex_five_epoch_s": NOT_RUN}
    return {"ex_run_s": wall_s, "ex_five_epoch_s": epoch_steps(report, epochs) * wall_s / report["steps"]}


def summary_table(report: dict) -> pd.DataFrame:
    """A training run's size and speed for a page: one row per quantity, its unit in its name."""
    rows = {"examples": f"{report['examples']:,}", "optimizer steps": f"{report['steps']:,}",
            "global batch (examples per step)": f"{report['batch_plan']['global_batch']:,}",
            "passes over the examples (epochs)": f"{epochs(report):.1f}",
            "tokens trained on": f"{report['train_tokens']:,}",
            "wall time (seconds)": f"{report['wall_s']:,.1f}",
            "speed (tokens per second)": f"{report['tokens_per_s']:,.0f}",
            "precision": report.get("precision", "")}
    return pd.DataFrame({"this run": rows}).rename_axis("training")


def length_numbers(lengths: Sequence[int], max_length: int) -> dict[str, int]:
    """How many examples (of ``lengths`` tokens) would not fit in ``max_length`` tokens, and the longest one."""
    return {"ex_too_long": sum(n > max_length for n in lengths), "ex_examples": len(lengths),
            "ex_longest": max(lengths), "ex_knob_length": max_length}
