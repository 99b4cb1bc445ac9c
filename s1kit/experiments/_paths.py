"""Where a run's models and stage files are, as every stage that reads another's results finds them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def output(run: RunDir, stage: str, filename: str) -> Path:
    """A file another stage wrote (its directory in this run, or in the run it shares the stage with)."""
    return run.stage_dir(stage) / filename


def released_selection(p: Profile) -> bool:
    """True when the profile trains on a released s1K instead of selecting one (no difficulty, no Algorithm 1)."""
    return p.sourcing.kind == "hub" and bool(p.sourcing.hub.selection_dataset)


def base_model_path(run: RunDir) -> str:
    """Where the base model is: the profile's pretrained path, or the base-model stage's directory."""
    if run.profile.base_model.kind == "pretrained":
        return run.profile.base_model.path
    return str(run.stage_dir("base_model"))


def sft_model_path(run: RunDir) -> str:
    """Where the fine-tuned model is: the SFT stage's directory, or the profile's released checkpoint."""
    if run.profile.sft.kind == "pretrained":
        return run.profile.sft.path
    return str(run.stage_dir("sft"))


def checkpoint_dir(run: RunDir, stage: str) -> Path:
    """Where a stage keeps what an interrupted run resumes from (checkpoints, finished sweep points):
    beside the run, not in its partial directory (which an interruption removes), and named by the
    stage's key, so a changed recipe never resumes another's work. Those of the stage's earlier keys
    can never be resumed: the main process removes them (a 32B checkpoint is hundreds of GB)."""
    import shutil

    from s1kit.stages import is_main_process

    mine = run.path("checkpoints", f"{stage}-{run.key(stage)[:16]}")
    if is_main_process() and mine.parent.is_dir():
        for other in mine.parent.glob(f"{stage}-*"):
            if other != mine and other.name[len(stage) + 1:].isalnum():
                shutil.rmtree(other, ignore_errors=True)
    return mine
