"""Budget forcing: parity with an independent reference, exact accounting, batching, bad input."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest
import torch

from s1kit.budget import BudgetForcing, ForcingState, ForcingTokens, answer_directly, budget_force, make_states
from s1kit.budget_reference import reference_budget_force as reference
from s1kit.engines import HFEngine, VLLMEngine
from s1kit.modeling import load_model
from s1kit.tiny.world import generate_problems
from s1kit.tokenizer import load_tokenizer

GRID = [(n, k, s) for n in (3, 12, 40, None) for k in (0, 1, 3) for s in ("Wait", None, "Hmm, let me check")]


def prompts(chat, count=6, seed=5):
    problems = generate_problems(seed=seed, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")
    return [chat.thinking_prompt(p.question) for p in problems]


@pytest.mark.parametrize("which", ["random", "trained"])
def test_parity_with_reference_over_grid(which, random_model, tokenizer, trained, chat):
    model, tok = (random_model, tokenizer) if which == "random" else trained
    engine = HFEngine(model, tok, batch_size=4)  # two batches of uneven lengths
    texts = prompts(chat)
    fired = ignored = 0
    for n, k, ignore_str in GRID:
        cfg = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=8)
        results = budget_force(engine, texts, cfg)
        for text, result in zip(texts, results, strict=True):
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
                wait_ids = tok.encode("Wait", add_special_tokens=False)
                assert _count_runs(tok.encode(r.thinking_text, add_special_tokens=False), wait_ids) >= r.ignores_used
                # fewer ignores than asked for, without the cap: the last stop came too close to N
                if r.ignores_used < k and not r.cap_fired:
                    assert r.thinking_tokens + wait_len >= n
    # With no cap, only the context can stop thinking: a row that used fewer than 3 ignores must
    # have thought exactly up to the context's limit (this small model loops after its first Wait).
    uncapped = budget_force(engine, texts, BudgetForcing(num_ignore=3))
    room = model.config.max_position_embeddings
    for text, r in zip(texts, uncapped, strict=True):
        if r.ignores_used < 3:
            prompt_len = len(tok.encode(text, add_special_tokens=False))
            assert r.cap_fired and prompt_len + r.thinking_tokens + len(tok.encode(
                "\n<|im_start|>answer\nFinal Answer:", add_special_tokens=False)) + 32 == room


def test_cap_newline_if_missing_leaves_out_a_second_newline_in_parity_with_the_reference(trained, chat):
    """s1's harness writes "\\n" before the forced answer only when the thinking does not end in one."""
    model, tok = trained
    engine = HFEngine(model, tok, batch_size=5)
    texts = prompts(chat, count=10)
    forced = "<|im_start|>answer\nFinal Answer:"
    seen = {"bare": 0, "newline": 0}
    for n, k in [(1, 0), (9, 1), (16, 0), (23, 2), (34, 1), (None, 1)]:
        always = budget_force(engine, texts, BudgetForcing(max_thinking_tokens=n, num_ignore=k, max_answer_tokens=8))
        config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, max_answer_tokens=8, cap_newline="if_missing")
        results = budget_force(engine, texts, config)
        for text, old, new in zip(texts, always, results, strict=True):
            assert new.output_ids == reference(model, tok, text, config), (n, k, text)
            # the thinking is the same either way: only what follows a cap changes
            assert new.output_ids[:new.thinking_tokens] == old.output_ids[:old.thinking_tokens]
            assert new.cap_fired == old.cap_fired and old.answer_text.startswith("\n" + forced) == old.cap_fired
            if not new.cap_fired:
                assert new.output_ids == old.output_ids
            elif new.thinking_text.endswith("\n"):
                assert new.answer_text.startswith(forced) and not new.answer_text.startswith("\n")
                seen["bare"] += 1
            else:
                assert new.answer_text.startswith("\n" + forced)
                assert new.output_ids == old.output_ids
                seen["newline"] += 1
    assert seen["bare"] > 0 and seen["newline"] > 0  # both branches of the rule ran


def test_cap_newline_reads_the_decoded_text_so_a_double_newline_token_counts():
    """The rule looks at the thinking's text, not at one token id: "\\n\\n" ends in a newline too."""
    pieces = {1: "So", 2: " 7.", 3: "\n\n", 4: "\n", 9: "<|im_start|>", 8: "answer\nFinal Answer:"}
    tokens = ForcingTokens(stop_ids=frozenset({9}), end_ids=frozenset({7}), ignore_ids=(5,), natural_end_ids=(9, 6),
                           cap_end_ids=(4, 9, 8), cap_end_bare_ids=(9, 8),
                           decode=lambda ids: "".join(pieces[i] for i in ids))
    for ending, setting, suffix in [(3, "if_missing", [9, 8]), (4, "if_missing", [9, 8]), (2, "if_missing", [4, 9, 8]),
                                    (3, "always", [4, 9, 8]), (4, "always", [4, 9, 8])]:
        state = ForcingState(tokens, BudgetForcing(max_thinking_tokens=3, cap_newline=setting), budget=3)
        for token in (1, 2, ending):
            state.accept(token)
        assert state.cap_fired and list(state.pending) == suffix, (ending, setting)


def _count_runs(ids: list[int], run: list[int]) -> int:
    return sum(ids[i:i + len(run)] == run for i in range(len(ids) - len(run) + 1))


def test_k_ignores_append_exactly_k_strings_when_possible(trained, chat):
    model, tok = trained
    engine = HFEngine(model, tok)
    texts = prompts(chat, count=8)
    base = budget_force(engine, texts, BudgetForcing(num_ignore=0))
    ids = [tok.encode(t, add_special_tokens=False) for t in texts]
    hmm = len(tok.encode("Hmm,", add_special_tokens=False))
    for k in (1, 2, 4):
        config = BudgetForcing(num_ignore=k, ignore_str="Hmm,")
        budgets = [s.budget for s in make_states(engine, ids, config)]
        for r0, r, budget in zip(base, budget_force(engine, texts, config), budgets, strict=True):
            # one fewer only when the string no longer fits in what is left of the context
            assert r.ignores_used == k or r.cap_fired or r.thinking_tokens + hmm >= budget
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


def test_sampling_is_seeded_and_really_samples(trained, chat):
    model, tok = trained
    engine = HFEngine(model, tok)
    texts = prompts(chat, count=6)
    cfg = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=3)
    sampled = [r.output_ids for r in budget_force(engine, texts, cfg)]
    assert sampled == [r.output_ids for r in budget_force(engine, texts, cfg)]
    greedy = [r.output_ids for r in budget_force(engine, texts, BudgetForcing(max_thinking_tokens=40, num_ignore=1))]
    other_seed = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, top_p=0.9, seed=4)
    assert sampled != greedy  # sampling was not silently replaced by argmax
    assert sampled != [r.output_ids for r in budget_force(engine, texts, other_seed)]


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
    ({"cap_newline": "never"}, "cap_newline"),
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
    output_kind: str
    max_tokens: int
    min_tokens: int = 0
    stop_token_ids: list | None = None
    skip_special_tokens: bool = True
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None


class FakeLLM:
    """vLLM's LLM as s1kit uses it: an engine loop (add_request/step) of greedy segments.

    As in vLLM, a segment stops on its stop_token_ids or at max_tokens, the token that stopped
    it is the last entry of ``token_ids``, and the model's generation-config eos ids
    (``generation_eos``) are added to every request's stop list. ``step`` finishes one queued
    request at a time, so requests finish out of order and segments interleave across prompts.
    """

    instances: list = []

    def __init__(self, model, **kwargs):
        self.path, self.kwargs = model, kwargs
        self.model = load_model(model)
        self.tokenizer = load_tokenizer(model)
        self.generation_eos = set(kwargs.pop("generation_eos", ()))
        self.queue: list = []
        self.calls = []
        self.llm_engine = types.SimpleNamespace(
            model_config=types.SimpleNamespace(max_model_len=self.model.config.max_position_embeddings),
            add_request=self._add, step=self._step, has_unfinished_requests=lambda: bool(self.queue))
        FakeLLM.instances.append(self)

    def get_tokenizer(self):
        return self.tokenizer

    def _add(self, request_id, prompt, params):
        assert params.skip_special_tokens is False and params.temperature == 0
        assert all(request_id != queued[0] for queued in self.queue)
        self.calls.append(params)
        self.queue.append((request_id, prompt, params))

    def _step(self):
        request_id, prompt, p = self.queue.pop(-1 if len(self.queue) % 2 else 0)  # out of submission order
        stops = set(p.stop_token_ids) | self.generation_eos
        seq, out, reason = list(prompt["prompt_token_ids"]), [], "length"
        while len(out) < p.max_tokens:
            with torch.no_grad():
                logits = self.model(input_ids=torch.tensor([seq])).logits[0, -1].clone()
            if len(out) < p.min_tokens:
                logits[sorted(stops)] = float("-inf")
            token = int(logits.argmax())
            out.append(token)
            seq.append(token)
            if token in stops:
                reason = "stop"
                break
        completion = types.SimpleNamespace(token_ids=out, finish_reason=reason)
        return [types.SimpleNamespace(request_id=request_id, finished=True, outputs=[completion])]


@pytest.fixture
def fake_vllm(monkeypatch):
    module = types.ModuleType("vllm")
    module.SamplingParams = FakeParams
    module.LLM = FakeLLM
    inputs = types.ModuleType("vllm.inputs")
    inputs.TokensPrompt = lambda prompt_token_ids: {"prompt_token_ids": prompt_token_ids}
    module.inputs = inputs
    sampling = types.ModuleType("vllm.sampling_params")
    sampling.RequestOutputKind = types.SimpleNamespace(FINAL_ONLY="final_only")
    monkeypatch.setitem(sys.modules, "vllm", module)
    monkeypatch.setitem(sys.modules, "vllm.inputs", inputs)
    monkeypatch.setitem(sys.modules, "vllm.sampling_params", sampling)
    FakeLLM.instances.clear()


def test_vllm_engine_is_built_through_its_constructor(fake_vllm, trained_dir):
    path, _ = trained_dir
    engine = VLLMEngine(path, dtype="float32")
    llm = FakeLLM.instances[-1]
    assert llm.path == str(path) and llm.kwargs == {"dtype": "float32", "enable_prefix_caching": True}
    assert engine.max_context == llm.model.config.max_position_embeddings
    assert engine.tokenizer.convert_tokens_to_ids("<|im_end|>") == engine.tokenizer.eos_token_id
    VLLMEngine(path, dtype="float32", enable_prefix_caching=False)  # s1's setting, from a recipe's vllm_kwargs
    assert FakeLLM.instances[-1].kwargs == {"dtype": "float32", "enable_prefix_caching": False}


def test_vllm_adapter_matches_hf_engine(fake_vllm, trained_dir, trained, chat):
    model, tok = trained
    engine = VLLMEngine(trained_dir[0])
    texts = prompts(chat, count=5)
    for n, k, ignore_str, newline in [(None, 2, "Wait", "always"), (20, 1, "Wait", "always"), (50, 3, None, "always"),
                                      (6, 0, "Wait", "always"), (20, 1, "Wait", "if_missing"),
                                      (9, 0, "Wait", "if_missing")]:
        cfg = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=8,
                            cap_newline=newline)
        expected = budget_force(HFEngine(model, tok), texts, cfg)
        got = budget_force(engine, texts, cfg)
        assert [r.output_ids for r in got] == [r.output_ids for r in expected]
        assert [r.ignores_used for r in got] == [r.ignores_used for r in expected]
    assert any(p.min_tokens == 1 for p in engine.llm.calls)  # a continuation may not stop at once


def test_vllm_adapter_ends_on_a_generation_config_eos(fake_vllm, trained_dir, chat):
    """An eos id outside the phase's stop tokens (Qwen's <|endoftext|>) ends the phase and is never kept."""
    tok = load_tokenizer(trained_dir[0])
    digit = tok.convert_tokens_to_ids("+")  # the trained model writes "+" within its first tokens
    engine = VLLMEngine(trained_dir[0], generation_eos=[digit])
    results = budget_force(engine, prompts(chat, count=4), BudgetForcing(num_ignore=0, max_answer_tokens=8))
    for r in results:
        assert digit not in r.output_ids[:r.thinking_tokens]
        assert r.answer_text.startswith("<|im_start|>answer") or r.cap_fired
    assert any(r.thinking_tokens < 5 for r in results)  # the eos really stopped thinking early


def test_answer_may_use_the_rest_of_the_context(random_model, tokenizer, chat):
    """max_answer_tokens=None (s1's evaluation): the answer runs to the end of the context, no further."""
    engine = HFEngine(random_model, tokenizer, batch_size=3)
    texts = prompts(chat, count=3)
    context = random_model.config.max_position_embeddings
    for n in (12, None):
        config = BudgetForcing(max_thinking_tokens=n, num_ignore=1, max_answer_tokens=None)
        for text, result in zip(texts, budget_force(engine, texts, config), strict=True):
            assert result.output_ids == reference(random_model, tokenizer, text, config)
            used = len(tokenizer.encode(text, add_special_tokens=False)) + len(result.output_ids)
            assert used <= context
            if tokenizer.convert_tokens_to_ids("<|im_end|>") not in result.output_ids:
                assert used == context  # a model that never ends its answer fills the context exactly
    with pytest.raises(ValueError, match="positive int or None"):
        BudgetForcing(max_answer_tokens=0)
