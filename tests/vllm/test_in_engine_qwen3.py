"""Any reasoning model, in vLLM: Qwen3's real tokenizer and <think> tags, forced inside the engine.

Run by ``make test-vllm`` (its own module, so that the other modules' engines have given their memory back).
The toy model (``tests/vllm/make_model.py``) is random over Qwen3's vocabulary; the rules must hold
token for token against the plain reference, :func:`s1kit.budget_reference.reference_budget_force`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from test_in_engine import VLLM_KWARGS, prompts

from s1kit.budget import BudgetForcing, budget_force
from s1kit.budget_reference import reference_budget_force
from s1kit.chat import QWEN3_EARLY_STOP, thinking_format
from s1kit.modeling import load_model
from s1kit.service.offline import InEngineVLLMEngine
from s1kit.tokenizer import load_tokenizer

QWEN3_TOY = Path(os.environ.get("S1KIT_QWEN3_TOY", "runs/vllm-check/qwen3-toy"))


def test_qwen3_tokenizer_think_tags_token_for_token_with_the_reference():
    """Any reasoning model: Qwen3's real tokenizer, <think> tags, Qwen3's cap sentence, on a random toy."""
    if not (QWEN3_TOY / "config.json").exists():
        pytest.fail(f"no toy model at {QWEN3_TOY}: `make test-vllm` writes it")
    model, tok = load_model(QWEN3_TOY, dtype=torch.float32), load_tokenizer(QWEN3_TOY)
    chat = thinking_format(tok)
    assert chat.answer_delimiter == "</think>"
    engine = InEngineVLLMEngine(QWEN3_TOY, verify=True, **VLLM_KWARGS)
    try:
        texts = prompts(4, chat)
        ignored = fired = 0
        for n, k, ignore_str in [(6, 0, "Wait"), (24, 2, "Wait"), (24, 1, None), (None, 2, "Wait")]:
            config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=6,
                                   chat=chat)
            for text, result in zip(texts, budget_force(engine, texts, config), strict=True):
                assert result.output_ids == reference_budget_force(model, tok, text, config), (n, k, ignore_str)
                ignored += result.ignores_used
                fired += result.cap_fired
                if result.cap_fired:
                    assert result.answer_text.startswith("\n" + QWEN3_EARLY_STOP + "</think>")
        assert ignored > 0 and fired > 0
    finally:
        engine.close()
