"""What the vLLM tests share: the small model `make test-vllm` trains, the Hugging Face engine they are held to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from s1kit.engines import HFEngine
from s1kit.modeling import load_model
from s1kit.tokenizer import load_tokenizer

MODEL = Path(os.environ.get("S1KIT_VLLM_MODEL", "runs/vllm-check/model"))


def hf_engine(model: Path = MODEL) -> HFEngine:
    """The Hugging Face engine on ``model`` in float32, one thread (vLLM's CPU build is compared in float32)."""
    if not (model / "config.json").exists():
        pytest.fail(f"no model at {model}: run `make test-vllm`, which trains it first")
    torch.set_num_threads(1)
    return HFEngine(load_model(model, dtype=torch.float32), load_tokenizer(model), batch_size=64)
