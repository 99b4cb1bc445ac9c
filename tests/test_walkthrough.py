"""The chapter-5 walk-through: the same tokens as the engines, with each rule's action written down."""

from __future__ import annotations

import pytest

from s1kit.budget import BudgetForcing, budget_force
from s1kit.engines import HFEngine
from s1kit.tiny.world import generate_problems
from s1kit.walkthrough import forcing_walkthrough, generated_ids


@pytest.mark.parametrize("cap,k", [(None, 2), (20, 0), (30, 1)])
def test_walkthrough_appends_the_engines_tokens_and_names_each_rule(trained, chat, cap, k):
    model, tokenizer = trained
    problem = generate_problems(seed=3, count=1, min_terms=6, max_terms=6, source="t", id_prefix="w")[0]
    prompt = chat.thinking_prompt(problem.question)
    config = BudgetForcing(max_thinking_tokens=cap, num_ignore=k, max_answer_tokens=8, chat=chat)
    rows = forcing_walkthrough(model, tokenizer, prompt, config)
    result = budget_force(HFEngine(model, tokenizer, batch_size=1), [prompt], config)[0]
    assert generated_ids(rows) == result.output_ids
    events = [r["event"] for r in rows]
    suppressed = [e for e in events if e.startswith("end of thinking suppressed")]
    assert len(suppressed) == result.ignores_used
    assert sum(e == "forced 'Wait'" for e in events) == result.ignores_used * len(tokenizer.encode("Wait", add_special_tokens=False))
    assert any(e.startswith("cap reached") for e in events) == result.cap_fired
    assert sum(r["chosen_by"] == "model" and r["phase"] == "think" for r in rows) + \
        sum(r["chosen_by"] == "rule" and r["phase"] == "think" for r in rows) == result.thinking_tokens
    assert events[-1] == "end of the answer"
    if cap == 20:  # six two-digit terms take more than 20 characters of thinking: the cap must fire
        assert result.cap_fired


def test_walkthrough_refuses_sampling(trained, chat):
    model, tokenizer = trained
    with pytest.raises(ValueError, match="greedily"):
        forcing_walkthrough(model, tokenizer, chat.thinking_prompt("1+2"), BudgetForcing(temperature=1.0))
