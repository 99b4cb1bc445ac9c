"""Questions a forced "Wait" fixed or broke, found in hand-written generations (s1kit.report.flips)."""

from __future__ import annotations

from report_inputs import summary

from s1kit.report import flips

# three sweep points (k = 0, 1, 4: points 0, 1, 2) and three questions:
# q1 stops early at k = 0 and is fixed by one Wait; q2 is right until k = 4 breaks it; q3 is always wrong
S = summary(0.0, {0: 1 / 3, 1: 2 / 3, 4: 1 / 3}, {})
TEST = [{"id": "q1", "question": "Coins: a1 b2 c3 d4. Total?", "answer": "10"},
        {"id": "q2", "question": "Coins: a2 b2. Total?", "answer": "4"},
        {"id": "q3", "question": "Coins: a5 b5. Total?", "answer": "10"}]


def g(point, qid, correct, thinking, answer, tokens):
    return {"point": point, "id": qid, "correct": correct, "thinking": thinking, "answer_text": answer,
            "thinking_tokens": tokens, "ignores_used": 0}


GENERATIONS = [
    g(0, "q1", False, "\na1+b2=3+c3=6\n", "<|im_start|>answer\nFinal Answer: 6", 12),
    g(1, "q1", True, "\na1+b2=3+c3=6\nWait, 6+d4=10\n", "<|im_start|>answer\nFinal Answer: 10", 20),
    g(2, "q1", True, "\na1+b2=3+c3=6\nWait, 6+d4=10\nWait, 10+0=10\n", "<|im_start|>answer\nFinal Answer: 10", 28),
    g(0, "q2", True, "\na2+b2=4\n", "<|im_start|>answer\nFinal Answer: 4", 8),
    g(1, "q2", True, "\na2+b2=4\nWait, 4+0=4\n", "<|im_start|>answer\nFinal Answer: 4", 14),
    g(2, "q2", False, "\na2+b2=4\nWait, 4=5\nFinal Answer: 5", "<|im_start|>answer\n<|im_start|>answer\nFinal Answer: 5",
      30),
    g(0, "q3", False, "\na5+b5=11\n", "<|im_start|>answer\nFinal Answer: 11", 8),
    g(1, "q3", False, "\na5+b5=11\n", "<|im_start|>answer\nFinal Answer: 11", 8),
    g(2, "q3", False, "\na5+b5=11\n", "<|im_start|>answer\nFinal Answer: 11", 8),
]


def test_flips_count_fixed_and_broken_questions_per_k():
    u = S.uncapped()
    assert flips.flips(GENERATIONS, u[0], u[1]) == (["q1"], [])
    assert flips.flips(GENERATIONS, u[0], u[4]) == (["q1"], ["q2"])
    table = flips.flip_table(GENERATIONS, S)
    assert table.loc["k=4"].tolist() == [1, 1, 0] and table.loc["k=1"].tolist() == [1, 0, 1]


def test_the_examples_are_picked_by_code():
    assert flips.fixed_example(GENERATIONS, S) == (1, "q1")
    assert flips.pick_broken(GENERATIONS, S) == (4, "q2")
    fixed = flips.fix_reading(GENERATIONS, S, TEST)
    assert "added 3 of the 4 terms" in fixed and "answered 6, where the gold answer is 10" in fixed
    assert "adding 1 more term," in fixed and "wrong at k = 0, right at k = 1" in fixed
    broken = flips.broken_reading(GENERATIONS, S)
    assert "At k = 4" in broken and "second answer delimiter" in broken and "on 5, not 4" in broken


def test_a_run_where_forcing_fixed_and_broke_nothing_says_so():
    flat = [dict(row, correct=row["id"] == "q2") for row in GENERATIONS]
    assert flips.fixed_example(flat, S) == (1, None)
    assert flips.fix_reading(flat, S, TEST).startswith("In this run no question was wrong at k = 0 and right")
    assert flips.pick_broken(flat, S) is None
    assert flips.broken_reading(flat, S) == "No k of this run's sweep turned a right answer wrong."


def test_failure_reasons_read_the_broken_answers():
    u = S.uncapped()
    reasons = flips.failure_reasons(GENERATIONS, TEST, u[1], u[4])
    assert reasons == {"lost": 1, "right_total_pct": 0.0, "answer_in_thinking_pct": 100.0,
                       "repeated_delimiter_pct": 100.0}
    assert flips.failure_reasons(GENERATIONS, TEST, u[0], u[1])["lost"] == 0
    assert flips.last_total("\na1+b2=3+c3=6\nWait, 6+d4=10\n") == 10 and flips.last_total("no sum") is None
