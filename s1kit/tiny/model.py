"""The tiny model: a from-scratch Qwen2 with the architecture of Qwen2.5-Instruct, at ~1M parameters."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM


@dataclass(frozen=True)
class TinyModelConfig:
    """Shape of the from-scratch Qwen2 model of the tiny profile (about 1M parameters)."""

    hidden_size: int = 128
    intermediate_size: int = 512
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 4
    max_position_embeddings: int = 512


def build_tiny_model(config: TinyModelConfig, vocab_size: int, pad_id: int, eos_id: int, seed: int) -> Qwen2ForCausalLM:
    """A randomly initialised Qwen2ForCausalLM, deterministic in ``seed``."""
    torch.manual_seed(seed)
    hf_config = Qwen2Config(
        vocab_size=vocab_size,
        hidden_size=config.hidden_size,
        intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_hidden_layers,
        num_attention_heads=config.num_attention_heads,
        num_key_value_heads=config.num_key_value_heads,
        max_position_embeddings=config.max_position_embeddings,
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        eos_token_id=eos_id,
        bos_token_id=None,
    )
    return Qwen2ForCausalLM(hf_config)
