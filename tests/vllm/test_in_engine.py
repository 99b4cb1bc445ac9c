"""In-engine budget forcing on real vLLM (the community CPU build): the logits processor against HFEngine.

Run by ``make test-vllm`` in ``.venv-vllm``. Every prompt is one vLLM request; the processor forces the
ignore string, the answer delimiter, the cap's forced answer and the end of the answer inside it.
Greedy and float32: token for token with the Hugging Face engine. Sampling: the same distribution.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.service.offline import InEngineVLLMEngine
from s1kit.tiny.world import generate_problems

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: helpers both environments share
from checked_model import MODEL, hf_engine  # noqa: E402
from distributions import ks_critical, ks_distance, thinking_lengths  # noqa: E402

GRID = [(n, k, s) for n in (3, 12, 40, None) for k in (0, 1, 3) for s in ("Wait", None, "Hmm, let me check")]
VLLM_KWARGS = {"dtype": "float32", "enforce_eager": True, "max_num_batched_tokens": 8192, "max_num_seqs": 64,
               "gpu_memory_utilization": 0.12}


def prompts(count=16, chat=None, seed=5):
    chat = chat or ChatFormat()
    problems = generate_problems(seed=seed, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")
    return [chat.thinking_prompt(p.question) for p in problems]


@pytest.fixture(scope="module")
def engines():
    hf = hf_engine()
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
    """Draws differ (one seeded generator per request in vLLM, one per batch in HF), so compare the
    distributions of thinking length with no cap and one ignore, 16 prompts x 6 seeds (vLLM's CPU build
    wants seeded batches of at most 32): a two-sample KS test at about the 0.1% level, which tells one
    ignore from none (it can fail). Seeded runs repeat."""
    hf, vllm = engines
    texts = prompts(16)
    by_hf, by_vllm = thinking_lengths(hf, texts, 1), thinking_lengths(vllm, texts, 1)
    critical = ks_critical(len(by_hf))
    assert ks_distance(by_hf, by_vllm) < critical, (sorted(by_hf), sorted(by_vllm))
    assert ks_distance(by_vllm, thinking_lengths(vllm, texts, 0)) > critical
    config = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=3)
    assert [r.output_ids for r in budget_force(vllm, texts, config)] == \
        [r.output_ids for r in budget_force(vllm, texts, config)]


MULTIPROCESS_SCRIPT = """
import json, sys
from s1kit.budget import BudgetForcing, budget_force
from s1kit.service.offline import InEngineVLLMEngine
if __name__ == "__main__":
    engine = InEngineVLLMEngine(sys.argv[1], **json.loads(sys.argv[2]))
    results = budget_force(engine, json.loads(sys.argv[3]), BudgetForcing(max_thinking_tokens=60, num_ignore=2))
    print("RESULTS " + json.dumps([[r.output_ids, r.ignores_used, r.cap_fired] for r in results]))
    engine.close()
"""


def test_in_engine_forcing_in_vllms_multiprocess_layout(engines, tmp_path):
    """On a GPU node vLLM runs its engine (and the processor) in another process: the ledger still comes back."""
    import json
    import subprocess

    hf, _ = engines
    script = tmp_path / "multiprocess.py"
    script.write_text(MULTIPROCESS_SCRIPT)
    texts = prompts(8)
    done = subprocess.run([sys.executable, str(script), str(MODEL), json.dumps(VLLM_KWARGS), json.dumps(texts)],
                          env={**os.environ, "VLLM_ENABLE_V1_MULTIPROCESSING": "1"}, capture_output=True, text=True,
                          timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert lines, done.stderr[-3000:]
    expected = budget_force(hf, texts, BudgetForcing(max_thinking_tokens=60, num_ignore=2))
    assert json.loads(lines[0][len("RESULTS "):]) == [[r.output_ids, r.ignores_used, r.cap_fired] for r in expected]
    assert any(r.ignores_used for r in expected)

