"""Before any work: what a profile needs (GPUs, vLLM, the Hub), checked in seconds, and its plan.

``python -m s1kit check --profile X`` (and so ``make reproduce``) prints the plan - stages,
models, datasets, devices, the expected time - and stops with one message naming everything
missing, before any download. A GPU profile on a laptop fails here, not an hour later.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from dataclasses import dataclass

HUB_HOST = "huggingface.co"


@dataclass(frozen=True)
class RequirementsConfig:
    """What a profile needs from the machine; the defaults (nothing) are the tiny profile's."""

    gpus: int = 0  # CUDA devices this process must see
    gpu_memory_gib: int = 0  # per device
    vllm: bool = False  # the evaluation engine is vLLM
    hub: bool = False  # models or datasets come from the Hugging Face Hub
    estimate: str = "about 11 minutes on a 2-core CPU (measured: README)"  # shown by `check`


def _gpus() -> list[int]:
    try:
        import torch

        if not torch.cuda.is_available():
            return []
        return [torch.cuda.get_device_properties(i).total_memory // 2**30 for i in range(torch.cuda.device_count())]
    except Exception:  # a broken CUDA install counts as no GPU
        return []


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """True if the Hub's host (or ``HF_ENDPOINT``'s: a mirror, the rehearsal's local Hub) accepts a
    connection (offline mode counts as unreachable)."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False"):
        return False
    from urllib.parse import urlsplit

    endpoint = urlsplit(os.environ.get("HF_ENDPOINT", f"https://{HUB_HOST}"))
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def missing(requires: RequirementsConfig, hub_check=hub_reachable) -> list[str]:
    """Everything the machine lacks for ``requires``, as sentences (empty: good to go)."""
    problems = []
    gpus = _gpus()
    if requires.gpus and len(gpus) < requires.gpus:
        problems.append(f"needs {requires.gpus} CUDA GPU(s), this machine has {len(gpus)}")
    elif requires.gpu_memory_gib and gpus and min(gpus) < requires.gpu_memory_gib:
        problems.append(f"needs {requires.gpu_memory_gib} GiB per GPU, the smallest here has {min(gpus)} GiB")
    if requires.vllm and importlib.util.find_spec("vllm") is None:
        problems.append("needs vLLM, which is not installed: `pip install -r requirements/gpu.lock` in a GPU environment")
    if requires.hub and not hub_check():
        where = os.environ.get("HF_ENDPOINT", HUB_HOST)
        problems.append(f"needs the Hugging Face Hub ({where}), which cannot be reached (or HF_HUB_OFFLINE is set)")
    return problems


def plan_lines(profile) -> list[str]:
    """The models, datasets, devices and expected time of a profile, for ``check``."""
    lines = []
    base = profile.base_model
    lines.append("base model: " + (base.path if base.kind == "pretrained" else
                                   f"tiny Qwen2 trained here ({base.model.hidden_size} hidden, "
                                   f"{base.model.num_hidden_layers} layers)"))
    sft = profile.sft
    lines.append("fine-tuned model: " + (f"{sft.path} (released, no training)" if sft.kind == "pretrained" else
                                         "trained here on s1K"))
    if profile.sourcing.kind == "hub":
        hub = profile.sourcing.hub
        source = hub.selection_dataset or hub.pool_dataset
        lines.append(f"data: {source} ({hub.traces} traces); benchmarks: {', '.join(hub.benchmarks)}")
    else:
        tiny = profile.sourcing.tiny
        lines.append(f"data: generated tiny world ({tiny.pool_size} pool, {tiny.test_size} held-out)")
    req = profile.requires
    devices = f"{req.gpus} GPU(s)" + (f" with >= {req.gpu_memory_gib} GiB" if req.gpu_memory_gib else "") \
        if req.gpus else "CPU"
    lines.append(f"devices: {devices}; engine: {profile.evaluation.engine}; expected time: {req.estimate}")
    launch = profile.launch
    if launch.config_file and profile.sft.kind == "train":
        lines.append(f"fine-tunes (sft, control_sft): accelerate launch with {launch.config_file} on "
                     f"{launch.processes} process(es); every other stage in one process")
    return lines
