"""Majority voting (Figure 4b) on a scripted engine: ties, missing answers, the curve's points."""

from __future__ import annotations

import pytest
from stub_engine import Reply, ScriptedEngine

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.parallel import majority_vote, majority_vote_curve, sampling_forcing


# -- the vote ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("answers, winner", [
    (["3", "5", "5"], "5"),  # plain majority
    (["5", "3", "3", "5"], "5"),  # a tie goes to the answer seen first...
    (["3", "5"], "3"),
    ([None, "7", "8"], "7"),  # ...among those that vote
    ([None, None, "4", None], "4"),  # None does not vote: three Nones lose to one answer
    (["4", None, None, "6", "6"], "6"),
    ([None, None], None),  # no answer at all: no vote
    ([], None),
])
def test_majority_vote(answers, winner):
    assert majority_vote(answers) == winner


# -- the curve on a scripted model ------------------------------------------------------------------
# sample i of each question: its thinking (digits: one token each) and its answer ("" = no answer)
SAMPLES = {
    "Coins: 5 7. Total?": ("12", [("1", "99"), ("12", "12"), ("123", "12"), ("1234", "5")]),
    "Coins: 3 4. Total?": ("7", [("12", ""), ("12", "7"), ("12", "8"), ("12", "8")]),
    "Coins: 1 2. Total?": ("3", [("1234", "3"), ("123", "4"), ("12", "4"), ("1", "3")]),
}


def scripted(tokenizer):
    return ScriptedEngine(tokenizer, {q: [Reply(thinking=t, answers=[a]) for t, a in samples]
                                      for q, (_, samples) in SAMPLES.items()})


def test_scripted_engine_follows_the_forcing_rules(tokenizer, chat):
    """The stub this file relies on: its thinking, ignores and caps are budget.py's."""
    engine = ScriptedEngine(tokenizer, {"Q": [Reply(thinking="12345", answers=["7", "8"], capped="9")]})
    free, waited, capped = (budget_force(engine, [chat.thinking_prompt("Q")], BudgetForcing(**kwargs))[0]
                            for kwargs in ({}, {"num_ignore": 1}, {"max_thinking_tokens": 3}))
    assert (free.thinking_text, free.thinking_tokens, free.answer_text) == \
        ("12345", 5, "<|im_start|>answer\nFinal Answer: 7")
    assert (waited.thinking_text, waited.thinking_tokens, waited.ignores_used) == ("12345Wait12345", 11, 1)
    assert waited.answer_text.endswith("Final Answer: 8")
    assert (capped.thinking_text, capped.cap_fired) == ("123", True)
    assert capped.answer_text == "\n<|im_start|>answer\nFinal Answer:\nFinal Answer: 9"


def test_curve_votes_over_the_first_m_samples(tokenizer, chat):
    engine = scripted(tokenizer)
    questions, answers = list(SAMPLES), [a for a, _ in SAMPLES.values()]
    forcing = sampling_forcing(chat, temperature=1.0, seed=0, max_answer_tokens=16)
    points, samples = majority_vote_curve(engine, questions, answers, [4, 1, 2], forcing, think=True,
                                          bootstrap_samples=200)
    assert [p["votes"] for p in points] == [1, 2, 4]
    # q0: m=1 "99"; m=2 "99"/"12" tie -> "99"; m=4 "12" twice -> right
    # q1: m=1 no answer; m=2 "7" alone (the missing answer does not vote); m=4 "8" twice -> wrong
    # q2: m=1 "3"; m=2 tie -> "3"; m=4 "3"/"4" tie -> "3"
    assert [p["accuracy"] for p in points] == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert [p["gain_over_first"] for p in points] == pytest.approx([0, 1 / 3, 1 / 3])
    # thinking tokens per question, summed over m samples: (1+2+4)/3, (3+4+7)/3, (10+8+10)/3
    assert [p["thinking_tokens"] for p in points] == pytest.approx([7 / 3, 14 / 3, 28 / 3])
    assert all(p["n"] == 3 and p["ci_low"] <= p["gain_over_first"] <= p["ci_high"] for p in points)
    assert points[0]["ci_low"] == points[0]["ci_high"] == 0  # one sample against itself
    assert samples == {"thinking_tokens": [[1, 2, 3, 4], [2, 2, 2, 2], [4, 3, 2, 1]],
                       "correct": [[False, True, True, False], [False, True, False, False],
                                   [True, False, False, True]]}
    # one batch of max(sizes) samples per question, question by question, sampled with the given seed
    assert len(engine.configs) == 1 and engine.configs[0].temperature == 1.0 and engine.configs[0].seed == 0
    assert [engine.question_of(p) for p in engine.prompts] == [q for q in questions for _ in range(4)]
    assert all(p.endswith("<|im_start|>think") for p in engine.prompts)


def test_curve_of_direct_answers_spends_no_thinking(tokenizer, chat):
    engine = scripted(tokenizer)
    questions, answers = list(SAMPLES), [a for a, _ in SAMPLES.values()]
    forcing = sampling_forcing(chat, temperature=1.0, seed=0, max_answer_tokens=16)
    points, samples = majority_vote_curve(engine, questions, answers, [1, 4], forcing, think=False,
                                          bootstrap_samples=200)
    assert [p["thinking_tokens"] for p in points] == [0, 0]
    assert [p["accuracy"] for p in points] == pytest.approx([1 / 3, 2 / 3])  # the same votes as above
    assert samples["thinking_tokens"] == [[0] * 4] * 3
    assert all(p == chat.user_prompt(engine.question_of(p)) for p in engine.prompts)  # no thinking delimiter


def test_curve_refuses_bad_sizes_and_greedy_decoding(tokenizer, chat):
    engine = scripted(tokenizer)
    questions, answers = list(SAMPLES), [a for a, _ in SAMPLES.values()]
    for sizes in ([], [0, 2]):
        with pytest.raises(ValueError, match="vote sizes must be positive"):
            majority_vote_curve(engine, questions, answers, sizes, sampling_forcing(chat, 1.0, 0, 16), think=True)
    with pytest.raises(ValueError, match="temperature > 0"):
        majority_vote_curve(engine, questions, answers, [1], BudgetForcing(chat=chat), think=True)
    assert engine.prompts == []  # refused before sampling anything


def test_sampling_forcing_samples_with_no_cap():
    chat = ChatFormat(prompt_prefix="<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n")
    forcing = sampling_forcing(chat, temperature=0.7, seed=11, max_answer_tokens=None, num_ignore=2)
    assert forcing == BudgetForcing(max_thinking_tokens=None, num_ignore=2, ignore_str="Wait", max_answer_tokens=None,
                                    temperature=0.7, top_p=1.0, seed=11, chat=chat)
    assert sampling_forcing(chat, 1.0, 0, 32).num_ignore == 0
