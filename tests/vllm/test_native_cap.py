"""vLLM's own cap, ``SamplingParams.thinking_token_budget``, against the in-engine processor with no ignores.

vLLM (0.19 and later) caps thinking by itself when the engine has a ``reasoning_config``: after the
budget it forces ``reasoning_end_str``. It has nothing for "Wait". Given s1's format (thinking opened
by ``<|im_start|>think``, the cap's forced text ``\\n<|im_start|>answer\\nFinal Answer:``), this
pins down where the two agree and where they differ, on vLLM's CPU build 0.32:

* a capped reply: vLLM's budget N gives exactly the processor's reply for N + 1 (vLLM lets one more
  thinking token through before it forces the end);
* a reply whose thinking ends by itself before the cap: vLLM does not recognise s1's answer
  delimiter as the end of thinking (its natural end is the whole forced text), keeps counting, and
  forces the text a second time inside the answer, which changes the answer; the processor does not.

So s1kit does not delegate the cap to it. If a vLLM release changes either behaviour, this fails:
read it again then.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_in_engine import VLLM_KWARGS, prompts

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.engines import VLLMEngine
from s1kit.service.offline import InEngineVLLMEngine

MODEL = Path(os.environ.get("S1KIT_VLLM_MODEL", "runs/vllm-check/model"))


@pytest.fixture(scope="module")
def native_replies():
    from vllm import SamplingParams
    from vllm.config.reasoning import ReasoningConfig
    from vllm.inputs import TokensPrompt

    chat = ChatFormat()
    engine = VLLMEngine(MODEL, reasoning_config=ReasoningConfig(reasoning_start_str=chat.think_delimiter,
                                                                reasoning_end_str=chat.forced_answer_suffix()),
                        **VLLM_KWARGS)
    try:
        tok = engine.tokenizer
        ids = [tok.encode(p, add_special_tokens=False) for p in prompts()]
        replies = {}
        for n in (4, 12, 40):
            params = SamplingParams(temperature=0, max_tokens=200, thinking_token_budget=n, skip_special_tokens=False,
                                    stop_token_ids=[tok.convert_tokens_to_ids(chat.end_of_turn)])
            outputs = engine.llm.generate([TokensPrompt(prompt_token_ids=i) for i in ids], params, use_tqdm=False)
            replies[n] = [list(o.outputs[0].token_ids) for o in outputs]
    finally:
        engine.close()
    return replies


def test_native_cap_differs_from_the_processor_where_named(native_replies):
    engine = InEngineVLLMEngine(MODEL, **VLLM_KWARGS)
    try:
        capped = natural = 0
        for n, replies in native_replies.items():
            shifted = budget_force(engine, prompts(), BudgetForcing(max_thinking_tokens=n + 1, max_answer_tokens=None))
            exact = budget_force(engine, prompts(), BudgetForcing(max_thinking_tokens=n, max_answer_tokens=None))
            for native, plus_one, same_n in zip(replies, shifted, exact, strict=True):
                if plus_one.cap_fired:
                    capped += 1
                    assert native[: len(plus_one.output_ids)] == plus_one.output_ids  # N + 1 thinking tokens
                    assert native != same_n.output_ids
                else:
                    natural += 1
                    text = engine.tokenizer.decode(native, skip_special_tokens=False)
                    assert text.count("<|im_start|>answer") == 2  # the forced text again, inside the answer
                    assert plus_one.answer_text.count("<|im_start|>answer") == 1
        assert capped > 0 and natural > 0
    finally:
        engine.close()
