"""Every argument s1kit gives trl's SFTConfig exists in the GPU lock's transformers and trl.

The GPU stack (requirements/gpu.lock) resolves transformers < 5.21 because vLLM forces it, while
the CPU stack has 5.24: names differ between them (5.24 renamed gradient_checkpointing). This
reads the two libraries' sources from their wheels (downloaded by ``make test-vllm`` into
``runs/gpu-wheels``), without installing them, and collects the dataclass fields.
"""

from __future__ import annotations

import ast
import os
import re
import zipfile
from pathlib import Path

import pytest

from s1kit.training import TrainConfig, batch_plan, sft_arguments

REPO = Path(__file__).resolve().parents[2]
WHEELS = Path(os.environ.get("S1KIT_GPU_WHEELS", REPO / "runs" / "gpu-wheels"))


def locked(name: str) -> str:
    match = re.search(rf"^{name}==(\S+)$", (REPO / "requirements" / "gpu.lock").read_text(), re.MULTILINE)
    assert match, f"{name} is not pinned in requirements/gpu.lock"
    return match.group(1)


def fields(wheel_glob: str, member: str, classes: set[str]) -> set[str]:
    wheels = sorted(WHEELS.glob(wheel_glob))
    if not wheels:
        pytest.fail(f"no wheel {wheel_glob} in {WHEELS}: run `make test-vllm`, which downloads it")
    with zipfile.ZipFile(wheels[0]) as archive:
        tree = ast.parse(archive.read(member))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in classes:
            names |= {s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
    assert names, f"no fields of {classes} found in {member}"
    return names


def test_sft_arguments_exist_in_the_gpu_lock():
    transformers = fields(f"transformers-{locked('transformers')}-*.whl", "transformers/training_args.py",
                          {"TrainingArguments"})
    trl = fields(f"trl-{locked('trl')}-*.whl", "trl/trainer/sft_config.py", {"SFTConfig"})
    known = transformers | trl
    # what s1kit.training._checkpointing_argument picks for this transformers
    checkpointing = "activation_checkpointing" if "activation_checkpointing" in known else "gradient_checkpointing"
    config = TrainConfig(per_device_train_batch_size=1, global_batch_size=16, fsdp="full_shard auto_wrap",
                         fsdp_config={"transformer_layer_cls_to_wrap": ["Qwen2DecoderLayer"]})
    names = set(sft_arguments(config, batch_plan(config, 1000, 8), Path("out"), 0, True, checkpointing))
    assert names - known == set(), f"not in transformers {locked('transformers')} / trl {locked('trl')}"
    assert checkpointing == "gradient_checkpointing"  # the GPU stack predates the rename
