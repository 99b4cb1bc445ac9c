"""Starting the stages that train on every GPU: ``accelerate launch`` for them, one process for the rest.

A GPU profile names how its fine-tunes start (``launch:``, an accelerate config and a number of
processes). ``make reproduce`` then launches each such stage (SFT, the control model's fine-tune)
under accelerate before the chapters run, so nothing is started by hand; every other stage is
computed in one process. A launched stage called in one process when it needs several is
refused with the command that would run it (:func:`require_launcher`).

``GPUS=<n>`` (:func:`with_gpus`) adapts a profile to another node size: n processes, the global
batch kept (accumulation = global batch / (per-device batch x n)), vLLM's tensor parallelism
no wider than n.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")
RECIPES = Path(__file__).parent / "recipes"


@dataclass(frozen=True)
class LaunchConfig:
    """How the fine-tuning stages start. ``config_file`` "" (the tiny profiles): in this process."""

    config_file: str = ""  # an accelerate config: a path, or a name under s1kit/recipes/accelerate/
    processes: int = 1  # training processes (GPUs); overrides the config's num_processes

    def __post_init__(self) -> None:
        if self.processes <= 0:
            raise ValueError(f"launch.processes must be > 0, got {self.processes}")
        if self.processes > 1 and not self.config_file:
            raise ValueError("launch.processes > 1 needs launch.config_file (an accelerate config)")

    def config_path(self) -> Path:
        path = Path(self.config_file)
        if not path.suffix:
            path = RECIPES / "accelerate" / f"{self.config_file}.yaml"
        elif not path.is_absolute() and not path.exists():
            path = RECIPES / "accelerate" / path
        if not path.is_file():
            raise FileNotFoundError(f"launch.config_file {self.config_file!r}: no accelerate config at {path}")
        return path


class LaunchRequired(RuntimeError):
    """A stage that trains on several processes was called in one process."""


def launcher_name() -> str:
    """Which launcher started this process: ``accelerate``, ``torchrun`` or ``none``."""
    if any(k.startswith("ACCELERATE_") for k in os.environ):
        return "accelerate"
    if "TORCHELASTIC_RUN_ID" in os.environ:
        return "torchrun"
    return "none"


def launch_command(profile_spec: str, stage: str, launch: LaunchConfig, runs: Path | str) -> list[str]:
    """The ``accelerate launch`` command line that computes ``stage`` of a profile on every process."""
    return [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(launch.config_path()),
            "--num_processes", str(launch.processes), "-m", "s1kit", "stage", stage, "--profile", profile_spec,
            "--runs", str(runs)]


def require_launcher(run: RunDir, stage: str) -> None:
    """Refuse to compute a launched stage in one process when the profile trains on several."""
    launch = run.profile.launch
    if launch.processes > 1 and int(os.environ.get("WORLD_SIZE", "1")) == 1:
        command = " ".join(launch_command(run.profile.name, stage, launch, run.runs_root)[2:])
        raise LaunchRequired(f"stage {stage} of profile {run.profile.name} trains on {launch.processes} processes; "
                             f"run it with `python {command}` (or `make reproduce PROFILE={run.profile.name}`, "
                             "which launches it)")


def launch_stages(run: RunDir, profile_spec: str) -> list[str]:
    """Compute every stale launched stage under accelerate (after what it needs, here); return their names.

    A profile without a launch config computes everything in this process and launches nothing.
    """
    if not run.profile.launch.config_file:
        return []
    launched = []
    for name, stage in run.graph.items():
        if not stage.launched(run.profile) or run.is_current(name):
            continue
        for need in stage.needs:  # upstream first, in this process: the launched ranks then only reuse it
            run.ensure(need)
        if run.is_current(name):
            continue
        command = launch_command(profile_spec, name, run.profile.launch, run.runs_root)
        log.info("stage %s: launching %d process(es): %s", name, run.profile.launch.processes, " ".join(command[2:]))
        subprocess.run(command, check=True, env=outside_any_launch())
        launched.append(name)
    return launched


LAUNCHER_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "GROUP_RANK", "ROLE_RANK",
                      "ROLE_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "GROUP_WORLD_SIZE")


def outside_any_launch() -> dict[str, str]:
    """This environment without the variables of a launch this process may be part of (for a child
    process that must start as a launch of its own, or as a single process)."""
    return {k: v for k, v in os.environ.items()
            if k not in LAUNCHER_VARIABLES and not k.startswith(("TORCHELASTIC_", "ACCELERATE_"))}


def with_gpus(profile: Profile, gpus: int) -> tuple[Profile, str]:
    """``profile`` on ``gpus`` GPUs with the same global batch, and a sentence saying what changed."""
    from s1kit.training import batch_plan

    if gpus <= 0:
        raise ValueError(f"GPUS must be > 0, got {gpus}")
    train = profile.sft.train
    before = batch_plan(train, 1000, profile.launch.processes)
    after = batch_plan(train, 1000, gpus)  # raises if the global batch does not divide over gpus
    vllm = dict(profile.evaluation.vllm_kwargs)
    if vllm.get("tensor_parallel_size", 1) > gpus:
        vllm["tensor_parallel_size"] = gpus
    serve_args = list(profile.distillation.endpoint.vllm_args)  # a teacher the profile serves itself
    if "--tensor-parallel-size" in serve_args:
        at = serve_args.index("--tensor-parallel-size") + 1
        serve_args[at] = str(min(int(serve_args[at]), gpus))
    adapted = dataclasses.replace(
        profile,
        launch=dataclasses.replace(profile.launch, processes=gpus),
        requires=dataclasses.replace(profile.requires, gpus=gpus),
        evaluation=dataclasses.replace(profile.evaluation, vllm_kwargs=vllm),
        distillation=dataclasses.replace(profile.distillation, endpoint=dataclasses.replace(
            profile.distillation.endpoint, vllm_args=serve_args)),
    )
    said = (f"GPUS={gpus}: {gpus} process(es) x {train.per_device_train_batch_size} per device x accumulation "
            f"{after['accumulation']} = global batch {after['global_batch']} (the recipe: {before['processes']} x "
            f"{train.per_device_train_batch_size} x {before['accumulation']} = {before['global_batch']}); "
            f"vLLM tensor parallel {vllm.get('tensor_parallel_size', 1)}")
    return adapted, said
