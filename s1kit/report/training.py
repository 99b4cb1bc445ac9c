"""A training run's report as the book shows it: the loss curve, epochs, loss half-way and at the end (chapters 1, 4)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

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


def exercise_numbers(report: dict | None) -> dict[str, float | int | str]:
    """Chapter 4's exercise solutions: steps for the paper's 5 epochs, this run's steps, loss milestones."""
    milestones = loss_milestones(report)
    out = {"ex_half_step": milestones["half_step"], "ex_loss_half": milestones["half_loss"],
           "ex_loss_final": milestones["final_loss"]}
    if not report:
        return {**out, "ex_five_epoch_steps": NOT_RUN, "ex_run_steps": NOT_RUN, "ex_epoch_tokens": NOT_RUN}
    return {**out, "ex_five_epoch_steps": round(5 * report["examples"] / report["batch_plan"]["global_batch"]),
            "ex_run_steps": report["steps"], "ex_epoch_tokens": report["examples"] * report["mean_example_tokens"]}
