"""Budget forcing: parity with an independent reference, exact accounting, batching, bad input."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest
import torch

from s1kit.budget import BudgetForcing, answer_directly, budget_force
from s1kit.engines import HFEngine, VLLMEngine
from s1kit.modeling import load_model
from s1kit.tokenizer import load_tokenizer
from s1kit.world import generate_problems

GRID = [(n, k, s) for n in (3, 12, 40, None) for k in (0, 1, 3) for s in ("Wait", None, "Hmm, let me check")]


def reference(model, tokenizer, prompt: str, cfg: BudgetForcing) -> list[int]:
    """Rules 1-4 of s1kit.budget, written plainly: greedy, one prompt, full forward per token."""
    im_start, im_end = tokenizer.convert_tokens_to_ids(["<|im_start|>", "<|im_end|>"])
    stops, ends = {im_start, im_end, tokenizer.eos_token_id}, {im_end, tokenizer.eos_token_id}
    encode = lambda text: tokenizer.encode(text, add_special_tokens=False)  # noqa: E731
    ignore = encode(cfg.ignore_str) if cfg.ignore_str is not None else []
    cap_suffix = encode("\n<|im_start|>answer\nFinal Answer:")
    prompt_ids = encode(prompt)
    room = model.config.max_position_embeddings - len(prompt_ids) - len(cap_suffix) - cfg.max_answer_tokens
    budget = room if cfg.max_thinking_tokens is None else min(cfg.max_thinking_tokens, room)

    def next_logits(seq):
        with torch.no_grad():
            return model(input_ids=torch.tensor([seq])).logits[0, -1].clone()

    seq, thinking, ignores, must_continue, capped = list(prompt_ids), 0, 0, False, False
    while True:
        if thinking >= budget:
            capped = True
            break
        logits = next_logits(seq)
        if must_continue:
            logits[list(stops)] = float("-inf")
        token = int(logits.argmax())
        if token in stops:
            if ignores < cfg.num_ignore and len(ignore) < budget - thinking:
                ignores += 1
                seq += ignore
                thinking += len(ignore)
                must_continue = True
                continue
            break
        seq.append(token)
        thinking += 1
        must_continue = False
    seq += cap_suffix if capped else encode("<|im_start|>answer")
    generated = 0
    while generated < cfg.max_answer_tokens:
        token = int(next_logits(seq).argmax())
        seq.append(token)
        if token in ends:
            break
        generated += 1
    return seq[len(prompt_ids):]


def prompts(chat, count=6, seed=5):
    problems = generate_problems(seed=seed, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")
    return [chat.thinking_prompt(p.question) for p in problems]


@pytest.fixture(scope="module")
def trained(trained_dir):
    path, _ = trained_dir
    return load_model(path), load_tokenizer(path)


@pytest.mark.parametrize("which", ["random", "trained"])
def test_parity_with_reference_over_grid(which, random_model, tokenizer, trained, chat):
    model, tok = (random_model, tokenizer) if which == "random" else trained
    engine = HFEngine(model, tok, batch_size=4)  # two batches of uneven lengths
    texts = prompts(chat)
    fired = ignored = 0
    for n, k, ignore_str in GRID:
        cfg = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=8)
        results = budget_force(engine, texts, cfg)
        for text, result in zip(texts, results):
            assert result.output_ids == reference(model, tok, text, cfg), (n, k, ignore_str, text)
            fired += result.cap_fired
            ignored += result.ignores_used
    assert fired > 0
    if which == "trained":
        assert ignored > 0  # the grid really exercised the "Wait" path


def test_exact_budget_and_ignore_accounting(trained, chat):
    model, tok = trained
    engine = HFEngine(model, tok)
    texts = prompts(chat, count=16)
    wait_len = len(tok.encode("Wait", add_special_tokens=False))
    for n in (1, 2, 5, 9, 17, 33, 80):
        for k in (0, 2, 6):
            for r in budget_force(engine, texts, BudgetForcing(max_thinking_tokens=n, num_ignore=k)):
                assert r.thinking_tokens <= n
                assert r.cap_fired == (r.thinking_tokens == n)
                if r.cap_fired:
                    assert r.answer_text.startswith("\n<|im_start|>answer\nFinal Answer:")
                else:
                    assert r.answer_text.startswith("<|im_start|>answer")
                assert r.ignores_used <= k
                assert r.thinking_text.count("Wait") >= r.ignores_used
                # fewer ignores than asked for, without the cap: the last stop came too close to N
                if r.ignores_used < k and not r.cap_fired:
                    assert r.thinking_tokens + wait_len >= n
    uncapped = budget_force(engine, texts, BudgetForcing(num_ignore=3))
    assert all(r.ignores_used == 3 or r.cap_fired for r in uncapped)


def test_k_ignores_append_exactly_k_strings_when_possible(trained, chat):
    model, tok = trained
    engine = HFEngine(model, tok)
    texts = prompts(chat, count=8)
    base = budget_force(engine, texts, BudgetForcing(num_ignore=0))
    for k in (1, 2, 4):
        for r0, r in zip(base, budget_force(engine, texts, BudgetForcing(num_ignore=k, ignore_str="Hmm,"))):
            assert r.ignores_used == k or r.cap_fired
            assert r.thinking_text.count("Hmm,") >= r.ignores_used
            assert r.thinking_tokens >= r0.thinking_tokens
    none = budget_force(engine, texts, BudgetForcing(num_ignore=2, ignore_str=None))
    assert all(r.ignores_used == 2 or r.cap_fired for r in none)


def test_batched_equals_one_at_a_time(trained, chat):
    model, tok = trained
    texts = prompts(chat, count=10)
    cfg = BudgetForcing(max_thinking_tokens=60, num_ignore=2)
    batched = budget_force(HFEngine(model, tok, batch_size=10), texts, cfg)
    single = [budget_force(HFEngine(model, tok, batch_size=1), [t], cfg)[0] for t in texts]
    assert [r.output_ids for r in batched] == [r.output_ids for r in single]


def test_sampling_is_seeded(trained, chat):
    model, tok = trained
    engine = HFEngine(model, tok)
    texts = prompts(chat, count=6)
    cfg = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=3)
    assert [r.output_ids for r in budget_force(engine, texts, cfg)] == \
        [r.output_ids for r in budget_force(engine, texts, cfg)]


def test_answer_directly_has_no_thinking(random_model, tokenizer, chat):
    results = answer_directly(HFEngine(random_model, tokenizer), [chat.user_prompt("Coins: 1 2 3. Total?")],
                              BudgetForcing(max_answer_tokens=5))
    assert results[0].thinking_tokens == 0 and results[0].answer_tokens <= 5


@pytest.mark.parametrize("kwargs, message", [
    ({"max_thinking_tokens": 0}, "max_thinking_tokens"),
    ({"max_thinking_tokens": -3}, "max_thinking_tokens"),
    ({"max_thinking_tokens": 2.5}, "max_thinking_tokens"),
    ({"num_ignore": -1}, "num_ignore"),
    ({"ignore_str": ""}, "ignore_str"),
    ({"max_answer_tokens": 0}, "max_answer_tokens"),
    ({"top_p": 0.0}, "top_p"),
])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BudgetForcing(**kwargs)


def test_bad_prompts_are_refused(random_model, tokenizer, chat):
    engine = HFEngine(random_model, tokenizer)
    with pytest.raises(ValueError, match="non-empty list"):
        budget_force(engine, [], BudgetForcing())
    with pytest.raises(ValueError, match="does not fit the model's context"):
        budget_force(engine, [chat.thinking_prompt("1 " * 200)], BudgetForcing())


# -- the vLLM adapter, against a fake vLLM with vLLM's documented stop semantics ------------------
@dataclass
class FakeParams:
    max_tokens: int
    min_tokens: int = 0
    stop_token_ids: list | None = None
    skip_special_tokens: bool = True
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None


class FakeLLM:
    """Greedy segments: stop on stop_token_ids (echoed at the end of token_ids) or max_tokens."""

    def __init__(self, model):
        self.model = model
        self.calls = []

    def generate(self, prompts, params, use_tqdm=False):
        outputs = []
        for prompt, p in zip(prompts, params):
            assert p.skip_special_tokens is False and p.temperature == 0
            self.calls.append(p)
            seq, out, reason = list(prompt["prompt_token_ids"]), [], "length"
            while len(out) < p.max_tokens:
                with torch.no_grad():
                    logits = self.model(input_ids=torch.tensor([seq])).logits[0, -1].clone()
                if len(out) < p.min_tokens:
                    logits[p.stop_token_ids] = float("-inf")
                token = int(logits.argmax())
                out.append(token)
                seq.append(token)
                if token in p.stop_token_ids:
                    reason = "stop"
                    break
            completion = types.SimpleNamespace(token_ids=out, finish_reason=reason)
            outputs.append(types.SimpleNamespace(outputs=[completion]))
        return outputs


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.SamplingParams = FakeParams
    inputs = types.ModuleType("vllm.inputs")
    inputs.TokensPrompt = lambda prompt_token_ids: {"prompt_token_ids": prompt_token_ids}
    module.inputs = inputs
    monkeypatch.setitem(sys.modules, "vllm", module)
    monkeypatch.setitem(sys.modules, "vllm.inputs", inputs)


def test_vllm_adapter_matches_hf_engine(fake_vllm, trained, chat):
    model, tok = trained
    engine = VLLMEngine.__new__(VLLMEngine)
    engine.llm, engine.tokenizer, engine.max_context = FakeLLM(model), tok, model.config.max_position_embeddings
    texts = prompts(chat, count=5)
    for n, k, ignore_str in [(None, 2, "Wait"), (20, 1, "Wait"), (50, 3, None), (6, 0, "Wait")]:
        cfg = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=8)
        expected = budget_force(HFEngine(model, tok), texts, cfg)
        got = budget_force(engine, texts, cfg)
        assert [r.output_ids for r in got] == [r.output_ids for r in expected]
        assert [r.ignores_used for r in got] == [r.ignores_used for r in expected]
    assert any(p.min_tokens == 1 for p in engine.llm.calls)  # a continuation may not stop at once
