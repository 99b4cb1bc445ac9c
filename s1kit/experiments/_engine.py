"""The decoding engine a stage uses for a saved model, of the profile's kind (``evaluation.engine``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from s1kit.engines import load_engine

if TYPE_CHECKING:
    from s1kit.stages import RunDir


def engine_for(run: RunDir, model_path: str, batch_size: int):
    """A decoding engine of the profile's kind (``evaluation.engine``) for a saved model."""
    cfg = run.profile.evaluation
    return load_engine(cfg.engine, model_path, batch_size, cfg.vllm_kwargs, cfg.hf_attn_implementation)
