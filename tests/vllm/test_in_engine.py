"""In-engine budget forcing on real vLLM (the community CPU build): the logits processor against HFEngine.

Run by ``make test-vllm`` in ``.venv-vllm``. Every prompt is one vLLM request; the processor forces the
ignore string, the answer delimiter, the cap's forced answer and the end of the answer inside it.
Greedy and float32: token for token with the Hugging Face engine. Sampling: the same distribution.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import torch

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.engines import HFEngine
from s1kit.modeling import load_model
from s1kit.service.offline import InEngineVLLMEngine
from s1kit.tiny.world import generate_problems
from s1kit.tokenizer import load_tokenizer

MODEL = Path(os.environ.get("S1KIT_VLLM_MODEL", "runs/vllm-check/model"))
GRID = [(n, k, s) for n in (3, 12, 40, None) for k in (0, 1, 3) for s in ("Wait", None, "Hmm, let me check")]
VLLM_KWARGS = {"dtype": "float32", "enforce_eager": True, "max_num_batched_tokens": 8192, "max_num_seqs": 64,
               "gpu_memory_utilization": 0.12}


def prompts(count=16, chat=None, seed=5):
    chat = chat or ChatFormat()
    problems = generate_problems(seed=seed, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")
    return [chat.thinking_prompt(p.question) for p in problems]


@pytest.fixture(scope="module")
def engines():
    if not (MODEL / "config.json").exists():
        pytest.fail(f"no model at {MODEL}: run `make test-vllm`, which trains it first")
    torch.set_num_threads(1)
    hf = HFEngine(load_model(MODEL, dtype=torch.float32), load_tokenizer(MODEL), batch_size=64)
    checked = InEngineVLLMEngine(MODEL, verify=True, **VLLM_KWARGS)
    yield hf, checked
    checked.close()


def summary(results):
    return [(r.output_ids, r.thinking_tokens, r.ignores_used, r.cap_fired, r.answer_tokens, r.hit_answer_budget,
             r.answer_text) for r in results]


def test_in_engine_forcing_matches_hf_engine_token_for_token(engines):
    hf, vllm = engines
    texts = prompts()
    ignored = fired = 0
    for n, k, ignore_str in GRID:
        for answer in (8, None):  # a fixed answer budget, and s1's open answer (to the context's end)
            config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str,
                                   max_answer_tokens=answer)
            got = budget_force(vllm, texts, config)
            assert summary(got) == summary(budget_force(hf, texts, config)), (n, k, ignore_str, answer)
            ignored += sum(r.ignores_used for r in got)
            fired += sum(r.cap_fired for r in got)
    assert ignored > 0 and fired > 0  # both forcing paths ran inside vLLM


def test_s1s_newline_rule_and_the_summary_path(engines):
    """cap_newline="if_missing" (s1's harness), and the engine's fast path (results from the processor's
    summaries, no replay) gives what the checked replay gives."""
    hf, checked = engines
    texts = prompts()
    for config in (BudgetForcing(max_thinking_tokens=20, num_ignore=1, cap_newline="if_missing"),
                   BudgetForcing(max_thinking_tokens=None, num_ignore=2, max_answer_tokens=None)):
        expected = summary(budget_force(hf, texts, config))
        assert summary(budget_force(checked, texts, config)) == expected
        checked.verify = False
        try:
            assert summary(budget_force(checked, texts, config)) == expected
        finally:
            checked.verify = True


def test_sampling_keeps_the_distribution(engines):
    """Draws differ (one seeded generator per request in vLLM, one per batch in HF): compare the
    distributions of thinking length and of the first token over 16 prompts x 6 seeds, and check seeding."""
    hf, vllm = engines
    texts = prompts(16)
    stats = {}
    for name, engine in (("hf", hf), ("vllm", vllm)):
        lengths, firsts = [], Counter()
        for seed in range(6):
            config = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=seed * 97)
            for r in budget_force(engine, texts, config):
                lengths.append(r.thinking_tokens)
                firsts[r.output_ids[0]] += 1
        stats[name] = (sum(lengths) / len(lengths), firsts, lengths)
    assert abs(stats["hf"][0] - stats["vllm"][0]) < 4.0, (stats["hf"][0], stats["vllm"][0])
    shared = set(stats["hf"][1]) & set(stats["vllm"][1])
    assert shared and len(set(stats["vllm"][2])) > 3  # really sampled, over the same first tokens
    config = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=3)
    assert [r.output_ids for r in budget_force(vllm, texts, config)] == \
        [r.output_ids for r in budget_force(vllm, texts, config)]
