"""In-engine forcing when vLLM prefills prompts in chunks (its own module: one vLLM engine per process at a time)."""

from __future__ import annotations

from checked_model import hf_engine
from test_in_engine import MODEL, VLLM_KWARGS, prompts, summary  # noqa: F401

from s1kit.budget import BudgetForcing, budget_force
from s1kit.service.offline import InEngineVLLMEngine


def test_prompts_prefilled_in_chunks():
    """With a small token budget per step vLLM prefills prompts in chunks and samples after each chunk,
    throwing those draws away; the processor sees those steps too and must take back its reaction to
    a stop "chosen" there. Token for token with HF still, and prefill really was chunked."""
    hf = hf_engine()
    texts = prompts(16)
    chunked = InEngineVLLMEngine(MODEL, verify=True, **{**VLLM_KWARGS, "max_num_batched_tokens": 20,
                                                        "max_num_seqs": 8})
    try:
        prompt_lengths = [len(chunked.tokenizer.encode(t, add_special_tokens=False)) for t in texts]
        assert min(prompt_lengths) > 20  # longer than a step's token budget: prefilled in chunks
        for config in (BudgetForcing(max_thinking_tokens=30, num_ignore=2), BudgetForcing(num_ignore=3)):
            assert summary(budget_force(chunked, texts, config)) == summary(budget_force(hf, texts, config))
    finally:
        chunked.close()
