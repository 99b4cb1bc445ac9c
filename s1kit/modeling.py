"""Loading a saved causal LM (a local Hugging Face directory or a Hub id), at either scale."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, PreTrainedModel


def load_model(path: str | Path, dtype: torch.dtype | str = "auto") -> PreTrainedModel:
    """Load a causal LM saved in Hugging Face format (a local dir or a Hub id)."""
    path_str = str(path)
    local = Path(path_str)
    looks_local = local.is_absolute() or path_str.startswith(".") or local.exists()
    if looks_local and not (local / "config.json").exists():
        raise FileNotFoundError(f"no model found at {local}: expected a Hugging Face model dir with config.json")
    return AutoModelForCausalLM.from_pretrained(path_str, dtype=dtype).eval()


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
