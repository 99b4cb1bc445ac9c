"""The rehearsal overlay (``s1kit/recipes/rehearsal.yaml``) applied to a GPU recipe: sizes and hardware only.

:func:`rehearsal_profile` merges the overlay's ``profile`` mapping over the recipe key by key,
divides every token budget by ``cap_divisor`` (their number kept), caps the training processes at
``max_processes`` and swaps each accelerate config for its CPU twin. What it leaves alone is the
method: learning rate, epochs, global batch, loss, chat format, k values, strings, benchmarks,
model and dataset ids. :func:`method_changes` lists every value that differs from the recipe, so a
test can hold the overlay to that promise.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import yaml

from s1kit.config import ConfigError, Profile, from_dict, profile_path
from s1kit.rehearsal.standins import StandInShape

OVERLAY = Path(__file__).resolve().parent.parent / "recipes" / "rehearsal.yaml"
# Where a recipe's values may differ in its rehearsal (anything else is the method, and stays)
SIZE_AND_HARDWARE = ("name", "torch_threads", "requires", "launch.config_file", "launch.processes",
                     "sft.train.max_length", "sft.train.save_steps", "evaluation.vllm_kwargs", "evaluation.caps",
                     "evaluation.vote_sizes", "evaluation.samples", "evaluation.max_answer_tokens",
                     "evaluation.base_max_answer_tokens", "control.token_budgets", "control.rejection_budgets", "rehearsal",
                     "distillation.endpoint.vllm_args", "distillation.endpoint.max_tokens",
                     "distillation.endpoint.concurrency")


@dataclasses.dataclass(frozen=True)
class Overlay:
    name_prefix: str
    cap_divisor: int
    max_processes: int
    accelerate_configs: dict
    standin: StandInShape
    profile: dict


def load_overlay(path: Path = OVERLAY) -> Overlay:
    data = yaml.safe_load(path.read_text())
    data["standin"] = StandInShape(**data["standin"])
    return Overlay(**data)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = _merge(out.get(key) or {}, value) if isinstance(value, dict) else value
    return out


def _divided(values: list[int], divisor: int) -> list[int]:
    return [max(1, v // divisor) for v in values]


def rehearsal_profile(recipe: str, overlay: Overlay | None = None) -> Profile:
    """The profile a rehearsal of ``recipe`` (a GPU recipe's name or path) runs."""
    overlay = overlay or load_overlay()
    path = profile_path(recipe)
    data = yaml.safe_load(path.read_text()) or {}
    name = data.get("name", path.stem)
    merged = _merge(data, overlay.profile)
    merged["name"] = overlay.name_prefix + name
    merged["rehearsal"] = True
    evaluation = merged.setdefault("evaluation", {})
    if "caps" in evaluation:
        evaluation["caps"] = _divided(evaluation["caps"], overlay.cap_divisor)
    for key in ("max_answer_tokens", "base_max_answer_tokens"):  # null (the rest of the context) stays null
        if evaluation.get(key):
            evaluation[key] = _divided([evaluation[key]], overlay.cap_divisor)[0]
    control = merged.setdefault("control", {})
    for key in ("token_budgets", "rejection_budgets"):
        if key in control:
            control[key] = _divided(control[key], overlay.cap_divisor)
    launch = merged.get("launch")
    if launch and launch.get("config_file"):
        config = launch["config_file"]
        if config not in overlay.accelerate_configs:
            raise ConfigError(f"rehearsal: no CPU twin for accelerate config {config!r} of {name} "
                              f"(rehearsal.yaml accelerate_configs has {sorted(overlay.accelerate_configs)})")
        launch["config_file"] = overlay.accelerate_configs[config]
        launch["processes"] = min(int(launch.get("processes", 1)), overlay.max_processes)
    return from_dict(Profile, merged)


def method_changes(recipe: Profile, rehearsal: Profile) -> dict[str, tuple[Any, Any]]:
    """Every value (dotted key) that differs between a recipe and its rehearsal, outside sizes and hardware."""
    def flat(value: Any, prefix: str = "") -> dict[str, Any]:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                out.update(flat(v, f"{prefix}.{k}" if prefix else k))
            return out
        return {prefix: value}

    before, after = flat(dataclasses.asdict(recipe)), flat(dataclasses.asdict(rehearsal))
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k) and not any(k == s or k.startswith(s + ".") for s in SIZE_AND_HARDWARE)}
