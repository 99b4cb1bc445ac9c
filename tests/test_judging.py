"""The judge: asked exactly where s1 asked gpt-4o-mini, after the rules, once per question (cached), after decoding."""

from __future__ import annotations

import pytest
from stub_engine import Reply, ScriptedEngine

from s1kit.evaluation import EvaluationConfig, evaluate
from s1kit.grading import GradingOptions
from s1kit.judging import EngineJudge, GradeItem, Grader, judge_prompt, parse_reply

AIME, MATH, GPQA = "simplescaling/aime24_nofigures", "HuggingFaceH4/MATH-500", "Idavidrein/gpqa"


class FakeJudge:
    """A judge that replies by a rule of the test's choosing and records every batch it was asked."""

    identity = "fake judge"

    def __init__(self, reply):
        self.reply = reply
        self.batches: list[list[str]] = []

    def ask(self, prompts):
        self.batches.append(list(prompts))
        return [self.reply(p) for p in prompts]


def item(answer_text, reference, benchmark, name, question="Q"):
    return GradeItem(f"<|im_start|>answer\n{answer_text}<|im_end|>", reference, benchmark, question, name)


@pytest.mark.parametrize("kind, reply, parsed", [
    ("aime_integer", "23", "23"), ("aime_integer", "The integer is 023.", "23"), ("aime_integer", "-1", None),
    ("aime_integer", "none", None), ("aime_integer", None, None),
    ("math_equivalence", "1", "1"), ("math_equivalence", "0<|im_end|>", "0"), ("math_equivalence", "yes", None),
    ("math_equivalence", "1.5", None),
    ("gpqa_letter", "B", "B"), ("gpqa_letter", "The student chose C.", "C"), ("gpqa_letter", "-1", None),
    ("gpqa_letter", "none of them", None),
])
def test_replies_are_read_strictly(kind, reply, parsed):
    assert parse_reply(kind, reply) == parsed


def test_prompts_carry_what_each_question_needs():
    assert "Reference: \\frac12" in judge_prompt("math_equivalence", "0.5", "\\frac12")
    assert "Question:\nWhich? (A) x (B) y" in judge_prompt("gpqa_letter", "the second", "B", "Which? (A) x (B) y")
    assert judge_prompt("aime_integer", "x" * 5000, "7").count("x") == 2000  # the attempt's end only
    with pytest.raises(ValueError, match="unknown judge question"):
        judge_prompt("tiny", "1", "1")


def test_the_judge_is_asked_only_where_s1_asked_and_its_counts_say_what_it_changed(tmp_path):
    judge = FakeJudge(lambda p: "1" if "Reference:" in p else ("C" if "Question:" in p else "204"))
    grader = Grader(GradingOptions(), judge, tmp_path / "cache.jsonl")
    items = [item("Answer: 204", "204", "aime", "aime24"),  # an integer: the rules settle it, no question
             item("Answer: two hundred and four", "204", "aime", "aime24"),  # asked: the judge reads 204
             item("\\boxed{\\frac{1}{2}}", "0.5", "math", "math500"),  # not an integer: asked, even if math-verify agrees
             item("\\boxed{3}", "3", "math", "math500"),  # two integers: not asked
             item("Answer: the third option", "C", "gpqa", "gpqa_diamond"),  # no letter: asked
             item("**Answer: B**", "C", "gpqa", "gpqa_diamond")]  # a letter the rules read: not asked
    assert grader.grade(items) == [True, True, True, True, True, False]
    assert len(judge.batches) == 1 and len(judge.batches[0]) == 3  # one batch, three questions
    assert grader.counts == {"aime24": {"asked": 1, "changed": 1}, "math500": {"asked": 1, "changed": 0},
                             "gpqa_diamond": {"asked": 1, "changed": 1}}
    # a second grader on the same cache asks nothing again, and reaches the same verdicts
    again = Grader(GradingOptions(), judge, tmp_path / "cache.jsonl")
    assert again.grade(items) == [True, True, True, True, True, False] and len(judge.batches) == 1
    assert again.counts == grader.counts  # cached replies still count as asked


def test_a_judge_that_says_nothing_usable_leaves_the_rules_verdict_and_gpqa_falls_back_to_a(tmp_path):
    judge = FakeJudge(lambda p: "I cannot tell")
    items = [item("\\boxed{\\frac{1}{2}}", "0.5", "math", "math500"), item("Answer: unsure", "A", "gpqa", "gpqa_diamond")]
    assert Grader(GradingOptions(), judge).grade(items) == [True, False]  # math-verify's verdict stands
    assert Grader(GradingOptions(gpqa_unreadable="A"), judge).grade(items) == [True, True]  # s1's "A"


def test_without_a_judge_nothing_is_asked_and_no_counts():
    grader = Grader()
    assert grader.grade([item("\\boxed{\\frac{1}{2}}", "0.5", "math", "math500")]) == [True]
    assert grader.counts == {}


def test_a_judge_with_nothing_to_answer_is_never_loaded():
    loads = []
    grader = Grader(GradingOptions(), EngineJudge(lambda: loads.append(1), "never"))
    assert grader.grade([item("Answer: 5", "5", "aime", "aime24")]) == [True]
    assert loads == []


def test_an_engine_judge_answers_through_the_chat_prompt_and_is_closed(tokenizer):
    engine = ScriptedEngine(tokenizer, {"": [Reply(answers=["1"])]})
    engine.question_of = lambda prompt: ""  # every prompt gets the same reply
    judge = EngineJudge(lambda: engine, "scripted")
    replies = judge.ask(["Reference: 1\nStudent: 1.0"])
    assert parse_reply("math_equivalence", replies[0]) == "1" and engine.closed == 1


# -- in evaluate(): graded after decoding, the evaluated models closed first --------------------------------
REFERENCE = {"Coins: 5 7. Total?": ("12", AIME), "Coins: 3 4. Total?": ("7", MATH)}


def test_evaluate_grades_after_closing_the_models_and_reports_judge_counts(tokenizer):
    events = []
    base = ScriptedEngine(tokenizer, {q: [Reply(answers=["twelve" if a == "12" else "7"])] for q, (a, _) in REFERENCE.items()})
    tuned = ScriptedEngine(tokenizer, {q: [Reply(answers=["twelve" if a == "12" else "7"])] for q, (a, _) in REFERENCE.items()})
    base.close = lambda: events.append("base closed")
    tuned.close = lambda: events.append("tuned closed")

    class Judge(FakeJudge):
        def ask(self, prompts):
            events.append("judge asked")
            return super().ask(prompts)

    judge = Judge(lambda p: "12")
    test = [{"id": f"t{i}", "question": q, "answer": a, "source": s, "benchmark": "aime" if s == AIME else "math"}
            for i, (q, (a, s)) in enumerate(REFERENCE.items())]
    config = EvaluationConfig(caps=[3], num_ignores=[0, 1], bootstrap_samples=50, base_max_answer_tokens=16)
    run = evaluate(lambda: base, lambda: tuned, test, config, seed=0, profile_name="unit", grader=Grader(judge=judge))
    assert events == ["base closed", "tuned closed", "judge asked"]  # one batch, after both models are released
    summary = run.summary
    # "twelve" is no integer: the judge reads 12 for AIME; "7" against "7" on MATH500 is two integers: not asked
    assert summary["judge"] == {"aime24": {"asked": 4, "changed": 4},  # base + three sweep points
                                "math500": {"asked": 0, "changed": 0}}
    assert summary["base_model_accuracy_by_benchmark"] == {"aime24": 1.0, "math500": 1.0}
    assert all(p["accuracy_by_benchmark"] == {"aime24": 1.0, "math500": 1.0} for p in summary["budget_forcing"])


def test_sampled_runs_report_pass_at_1_and_its_spread_on_the_named_benchmarks(tokenizer):
    # each question's replies cycle: right, wrong: with 2 samples one run is right on it, one wrong
    replies = {q: [Reply(answers=[a]), Reply(answers=["99"])] for q, (a, _) in REFERENCE.items()}
    test = [{"id": f"t{i}", "question": q, "answer": a, "source": s, "benchmark": "tiny"}
            for i, (q, (a, s)) in enumerate(REFERENCE.items())]
    config = EvaluationConfig(caps=[], num_ignores=[0], bootstrap_samples=50, samples=2,
                              sample_benchmarks=["aime24"])
    tuned = ScriptedEngine(tokenizer, replies)
    run = evaluate(ScriptedEngine(tokenizer, replies), tuned, test, config, seed=0, profile_name="unit")
    (point,) = run.summary["budget_forcing"]
    assert point["accuracy_samples"] == {"aime24": {"mean": 0.5, "std": 0.5, "n": 2}}  # runs at 1.0 and 0.0
    sampled = [c for c in tuned.configs if c.temperature > 0]
    assert [(c.temperature, c.top_p) for c in sampled] == [(config.sample_temperature, config.sample_top_p)]


def test_other_questions_ride_in_the_same_batch_and_are_read_back(tmp_path):
    judge = FakeJudge(lambda p: "1")
    grader = Grader(GradingOptions(), judge, tmp_path / "cache.jsonl")
    pair = judge_prompt("math_equivalence", "0.5", "\\frac12")
    assert grader.grade([item("\\boxed{x+1}", "1+x", "math", "math500")], also_ask=[pair]) == [True]
    assert len(judge.batches) == 1 and pair in judge.batches[0] and len(judge.batches[0]) == 2
    assert grader.reply(pair) == "1" and grader.counts == {"math500": {"asked": 1, "changed": 0}}
    assert Grader().reply(pair) is None  # no judge: nothing was asked
