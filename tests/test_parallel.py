"""Majority voting (Figure 4b) on a scripted engine: ties, missing answers, equivalent answers, the curve's
points; and the other graded-after-decoding experiments read per benchmark (Table 4, Figure 4b's report)."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from report_inputs import benchmarks_json, results_of  # noqa: E402
from stub_engine import Reply, ScriptedEngine  # noqa: E402

from s1kit import paper  # noqa: E402
from s1kit.budget import BudgetForcing, budget_force  # noqa: E402
from s1kit.chat import ChatFormat  # noqa: E402
from s1kit.config import load_profile  # noqa: E402
from s1kit.control import ControlConfig  # noqa: E402
from s1kit.evaluation import EvaluationConfig  # noqa: E402
from s1kit.experiments import data_ablations  # noqa: E402
from s1kit.experiments import extrapolation as extrapolation_stage  # noqa: E402
from s1kit.experiments import parallel as parallel_stage  # noqa: E402
from s1kit.experiments._grader import grading_settings  # noqa: E402
from s1kit.experiments.extrapolation import extrapolation  # noqa: E402
from s1kit.experiments.parallel import sample_and_vote, sampled  # noqa: E402
from s1kit.judging import GradeItem, Grader  # noqa: E402
from s1kit.parallel import (  # noqa: E402
    ModelSamples,
    cluster_answers,
    largest_clusters,
    majority_vote,
    majority_vote_curve,
    merge_clusters,
    sampling_forcing,
    undecided_pairs,
    vote,
    vote_on_samples,
    vote_points,
)
from s1kit.report import figure4b, table2, table4  # noqa: E402
from s1kit.report.summary import Summary  # noqa: E402


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


# -- votes over equivalent answers -------------------------------------------------------------------


def test_equivalent_answers_share_a_cluster():
    # each sample's cluster is named by its first sample (the representative); None: no answer
    assert cluster_answers(["1/2", "\\frac{1}{2}", "2", None, "0.5", "2"], "math") == [0, 0, 2, None, 0, 2]
    assert cluster_answers(["B", "**B**", "C", "(B)", "The answer is C."], "gpqa") == [0, 0, 2, 0, 2]
    assert cluster_answers(["12", "012", "12.", "7"], "tiny") == [0, 0, 0, 3]
    assert cluster_answers([None, None], "math") == [None, None]


def test_the_vote_over_m_samples_counts_clusters_and_breaks_ties_by_first_seen():
    labels = [0, 1, 1, 0, 4, 4, 4]
    assert [vote(labels[:m]) for m in (1, 2, 3, 4, 7)] == [0, 0, 1, 0, 4]
    assert vote([None, None]) is None and vote([None, 3]) == 3
    # joined clusters take the earliest representative: the tie at m = 2 still goes to the one seen first
    assert merge_clusters([0, 1, None, 3, 1], [(1, 3)]) == [0, 1, None, 1, 1]
    assert merge_clusters([0, 1, 2], [(1, 2), (0, 2)]) == [0, 0, 0]
    assert largest_clusters([0, 1, 1, 3, 3, 5], count=2) == [1, 3]  # sizes 2 and 2 beat 0's and 5's 1


def test_vote_points_grade_the_representative_and_split_by_benchmark():
    # three questions, four samples each: cluster labels, every sample's verdict, thinking tokens
    labels = [[0, 1, 1, 3], [None, 1, 2, 2], [0, 1, 1, 0]]
    correct = [[False, True, True, False], [False, True, False, False], [True, False, False, True]]
    tokens = [[1, 2, 3, 4], [2, 2, 2, 2], [4, 3, 2, 1]]
    points = vote_points(labels, correct, tokens, [4, 1, 2], ["aime24", "math500", "aime24"], 200, 0)
    assert [p["votes"] for p in points] == [1, 2, 4]
    # m=1: q0 wrong, q1 no answer, q2 right; m=2: q0 tie -> 0 (wrong), q1 -> 1 (right), q2 tie -> 0 (right);
    # m=4: q0 -> 1 (right), q1 -> 2 (wrong), q2 tie -> 0 (right)
    assert [p["accuracy"] for p in points] == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert [p["accuracy_by_benchmark"] for p in points] == [{"aime24": 0.5, "math500": 0.0},
                                                            {"aime24": 0.5, "math500": 1.0},
                                                            {"aime24": 1.0, "math500": 0.0}]
    assert points[2]["thinking_tokens_by_benchmark"] == {"aime24": 10.0, "math500": 8.0}
    assert points[2]["n_by_benchmark"] == {"aime24": 2, "math500": 1}
    assert points[1]["paired_by_benchmark"]["math500"]["gain"] == 1.0
    assert list(points[0]["accuracy_by_benchmark"]) == ["aime24", "math500"]  # the paper's column order


class FakeJudge:
    """Says two answers are the same when both mention "heavier"; reads "heavier" as option B, else A."""

    identity = "fake judge"

    def __init__(self):
        self.batches = []

    def ask(self, prompts):
        self.batches.append(list(prompts))
        replies = []
        for prompt in prompts:
            if prompt.startswith("A reference answer"):  # math_equivalence
                reference, student = prompt.split("Reference: ")[1].split("\nStudent: ")
                replies.append("1" if "heavier" in reference and "heavier" in student else "0")
            else:  # gpqa_letter
                replies.append("B" if "heavier" in prompt.split("Student's answer:")[1] else "A")
        return replies


GPQA = GradeItem("", "B", "gpqa", "Which is heavier? (A) lighter (B) heavier (C) same (D) neither", "gpqa_diamond")
# no letter the rules can read: a judge is needed both to grade them and to tell which say the same
ISOTOPES = ["the lighter one", "heavier isotope", "the heavier isotope", "the lighter one", "heavier isotope",
            "the heavier isotope"]


def isotope_samples():
    return ModelSamples([GPQA], [[f"<|im_start|>answer\n{a}" for a in ISOTOPES]], [[0] * 6])


def test_answers_the_rules_cannot_compare_go_to_the_judge_with_the_grading(tmp_path):
    labels = cluster_answers(ISOTOPES, "gpqa")
    assert labels == [0, 1, 2, 0, 1, 2]  # three clusters of two: the rules see three different texts
    assert undecided_pairs(ISOTOPES, labels, "gpqa") == [(0, 1), (0, 2), (1, 2)]
    assert undecided_pairs(ISOTOPES, labels, "gpqa", count=2) == [(0, 1)]  # only the largest clusters' pairs

    rules_only = vote_on_samples([isotope_samples()], [1, 6], Grader(), 100, 0)
    # no judge: nothing reads a letter, every sample is wrong, and the three clusters stay apart
    assert rules_only.correct == [[[False] * 6]] and rules_only.equivalence == {}
    assert [p["accuracy"] for p in rules_only.points[0]] == [0.0, 0.0]

    judge = FakeJudge()
    grader = Grader(judge=judge, cache_path=tmp_path / "judge.jsonl")
    votes = vote_on_samples([isotope_samples()], [1, 6], grader, 100, 0)
    assert len(judge.batches) == 1  # the grading's questions and the voting's, in one batch
    assert sum(p.startswith("A reference answer") for p in judge.batches[0]) == 3
    assert votes.correct == [[[False, True, True, False, True, True]]]
    # "heavier isotope" and "the heavier isotope" joined: four votes against two, for a right answer;
    # one sample (m=1) is "the lighter one", wrong
    assert [p["accuracy"] for p in votes.points[0]] == [0.0, 1.0]
    assert votes.equivalence == {"gpqa_diamond": {"asked": 3, "merged": 1}}
    assert grader.counts == {"gpqa_diamond": {"asked": 6, "changed": 4}}

    again = Grader(judge=judge, cache_path=tmp_path / "judge.jsonl")
    assert vote_on_samples([isotope_samples()], [1, 6], again, 100, 0).points == votes.points
    assert len(judge.batches) == 1  # every reply cached: the judge is not asked again


def test_voting_questions_alone_are_asked_when_the_grading_asks_nothing(tmp_path):
    # the tiny rules never ask a judge, but cannot compare two texts that are not numbers
    item = GradeItem("", "3", "tiny", "?", "tiny")
    texts = [["Answer: !!", "Answer: ??", "Answer: 3"]]
    judge = FakeJudge()
    votes = vote_on_samples([ModelSamples([item], texts, [[0, 0, 0]])], [3], Grader(judge=judge), 100, 0)
    assert judge.batches == [[judge.batches[0][0]]] and judge.batches[0][0].endswith("Reference: !!\nStudent: ??")
    assert votes.equivalence == {"tiny": {"asked": 1, "merged": 0}} and votes.correct == [[[False, False, True]]]


# -- the stage: decode every model, release it, then grade ------------------------------------------
HUB = {"aime24": "simplescaling/aime24_nofigures", "math500": "HuggingFaceH4/MATH-500"}


def held_out():
    return [{"id": f"t{i}", "question": q, "answer": a, "source": HUB["aime24" if i < 2 else "math500"],
             "benchmark": "tiny"} for i, (q, (a, _)) in enumerate(SAMPLES.items())]


class OrderedGrader(Grader):
    """A grader that records when it grades (it must come after every engine was closed)."""

    def __init__(self, events):
        super().__init__()
        self.events = events

    def grade_each(self, groups, also_ask=()):
        self.events.append("graded")
        return super().grade_each(groups, also_ask)


def test_the_stage_samples_each_model_releases_it_then_grades_everything(tokenizer):
    events, engines = [], {}

    def loader(name):
        def load():
            events.append(f"{name} loaded")
            engine = engines[name] = scripted(tokenizer)
            engine.close = lambda: events.append(f"{name} closed")
            return engine
        return load

    cfg = EvaluationConfig(vote_sizes=[1, 2, 4], vote_models=["base"], bootstrap_samples=100)
    control = ControlConfig(benchmarks=["aime24"])
    assert sampled(cfg, control) == {"base": None, "sft": ["aime24"]}
    curves, samples = sample_and_vote({"base": loader("base"), "sft": loader("sft")}, held_out(), cfg, control, 0,
                                      OrderedGrader(events))
    assert events == ["base loaded", "base closed", "sft loaded", "sft closed", "graded"]
    # the base model votes on every question; the SFT model is sampled for Table 3 only, on AIME24
    assert set(curves) == {"base", "judge", "equivalence"} and curves["judge"] == {}
    assert [p["accuracy"] for p in curves["base"]] == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert curves["base"][-1]["accuracy_by_benchmark"] == {"aime24": 0.5, "math500": 1.0}
    assert samples["sft"]["ids"] == ["t0", "t1"] and samples["base"]["ids"] == ["t0", "t1", "t2"]
    assert samples["sft"]["correct"] == [[False, True, True, False], [False, True, False, False]]
    assert samples["sft"]["thinking_tokens"] == [[1, 2, 3, 4], [2, 2, 2, 2]]
    assert all(p.endswith("<|im_start|>think") for p in engines["sft"].prompts)
    assert not any(p.endswith("<|im_start|>think") for p in engines["base"].prompts)

    both = EvaluationConfig(vote_sizes=[1, 2], bootstrap_samples=100)  # the tiny study: both models vote
    assert sampled(both, ControlConfig(enabled=False)) == {"base": None, "sft": None}
    assert sampled(cfg, ControlConfig(enabled=False)) == {"base": None}
    curves, samples = sample_and_vote({"base": loader("base"), "sft": loader("sft")}, held_out(), both,
                                      ControlConfig(enabled=False), 0, Grader())
    assert set(curves) == {"base", "sft", "judge", "equivalence"} and set(samples) == {"base", "sft"}


# -- extrapolation (Table 4): decoded, released, then graded; per benchmark ---------------------------

# the first decode of each question appends "Hmm", the second appends nothing
EXTRAPOLATED = {"Coins: 5 7. Total?": [Reply(answers=["0", "0", "12"]), Reply(answers=["0", "0", "99"])],
                "Coins: 3 4. Total?": [Reply(answers=["0", "0", "8"]), Reply(answers=["0", "0", "7"])],
                "Coins: 1 2. Total?": [Reply(answers=["0", "0", "3"]), Reply(answers=["0", "0", "4"])]}


def test_extrapolation_decodes_every_string_then_grades_per_benchmark(tokenizer):
    events = []
    engine = ScriptedEngine(tokenizer, EXTRAPOLATED)
    engine.close = lambda: events.append("closed")

    def load():
        events.append("loaded")
        return engine

    cfg = EvaluationConfig(extrapolation_strings=["Hmm", None], extrapolation_num_ignore=2, bootstrap_samples=100)
    unforced = [False, False, True]
    rows, generations = extrapolation(load, held_out(), cfg, 3, unforced, OrderedGrader(events))
    assert events == ["loaded", "closed", "graded"]  # one load for both strings, released before grading
    assert [c.ignore_str for c in engine.configs] == ["Hmm", None] and all(c.seed == 3 for c in engine.configs)
    hmm, none = rows
    assert [hmm["accuracy"], none["accuracy"]] == pytest.approx([2 / 3, 1 / 3])
    assert hmm["accuracy_by_benchmark"] == {"aime24": 0.5, "math500": 1.0}
    assert none["accuracy_by_benchmark"] == {"aime24": 0.5, "math500": 0.0}
    assert hmm["paired_by_benchmark"]["aime24"]["gain"] == 0.5 and hmm["paired_by_benchmark"]["math500"]["gain"] == 0
    assert none["paired_by_benchmark"]["math500"]["gain"] == -1.0
    assert none["gain_vs_unforced"] == 0  # [F, T, F] against [F, F, T]: one gained, one lost
    tokens = [g for g in generations if g["ignore_str"] == "Hmm"]
    assert [g["correct"] for g in tokens] == [True, False, True] and [g["id"] for g in tokens] == ["t0", "t1", "t2"]
    assert hmm["thinking_tokens_by_benchmark"]["aime24"] == hmm["mean_thinking_tokens"]  # every sample alike


def multi_benchmark_summary_json() -> dict:
    n = {"aime24": 30, "math500": 500}
    ks = {0: {"aime24": 0.5, "math500": 0.9}, 2: {"aime24": 0.6, "math500": 0.92}}
    return benchmarks_json({"aime24": 0.2, "math500": 0.8}, ks, {1000: {"aime24": 0.3, "math500": 0.7}},
                           n, [("aime24", "sft_vs_base", 0, 0.3, 0.1, 0.5), ("aime24", "k_vs_0", 2, 0.1, -0.05, 0.25),
                               ("math500", "sft_vs_base", 0, 0.1, 0.05, 0.15), ("math500", "k_vs_0", 2, 0.02, 0.0, 0.04)])


def multi_benchmark_summary() -> Summary:
    return Summary.from_json(multi_benchmark_summary_json())


def by_benchmark_row(text, acc, pooled):
    return {"ignore_str": text, "num_ignore": 2, "accuracy": pooled, "mean_thinking_tokens": 300.0, "n": 530,
            "gain_vs_unforced": 0.0, "ci_low": -0.1, "ci_high": 0.1, "accuracy_by_benchmark": acc,
            "thinking_tokens_by_benchmark": {"aime24": 500.0, "math500": 250.0},
            "paired_by_benchmark": {b: {"gain": a - 0.5, "ci_low": a - 0.6, "ci_high": a - 0.4} for b, a in acc.items()}}


def test_table4_sets_each_benchmark_beside_the_papers_same_column(tmp_path):
    s = multi_benchmark_summary()
    ex = {"num_ignore": 2, "rows": [by_benchmark_row("Hmm", {"aime24": 0.4, "math500": 0.95}, 0.9),
                                    by_benchmark_row(None, {"aime24": 0.7, "math500": 0.85}, 0.84)],
          "judge": {"math500": {"asked": 3, "changed": 1}}}
    table = table4.extrapolation_table_by_benchmark(ex, s)
    assert table.loc[("AIME24", '2x "Hmm"'), "ours: accuracy (%)"] == 40.0
    assert table.loc[("MATH500", '2x "Hmm"'), "ours: accuracy (%)"] == 95.0
    assert table.loc[("MATH500", '2x "Hmm"'), "paper (%)"] == paper.TABLE4['2x "Hmm"']["math500"]
    assert table.loc[("AIME24", '2x "Wait"'), "ours: accuracy (%)"] == 60.0  # the main sweep's k = 2 on AIME24
    assert table.loc[("MATH500", "No extrapolation"), "paper (%)"] == paper.TABLE4["No extrapolation"]["math500"]
    found = {f.claim: f for f in table4.findings_by_benchmark(results_of(tmp_path, {
        table4.SUMMARY_FILE: multi_benchmark_summary_json(), table4.EXTRAPOLATION_FILE: ex}))}
    wait = paper.TABLE4['2x "Wait"']["math500"]
    math = found['MATH500: 2x "Wait" and no forcing tie']  # the paper's MATH500 cells: 93.0 and 93.0
    assert math.paper.endswith(f"{wait}% against {paper.TABLE4['No extrapolation']['math500']}%") and math.holds
    assert found['AIME24: 2x "Wait" beats 2x no string'].tie  # 60% against 70% of 30 questions: a tie
    assert all(claim.startswith(("AIME24: ", "MATH500: ")) for claim in found)  # never pooled
    assert table4.judge_table(ex).loc["MATH500", "verdicts it changed"] == 1
    numbers = table4.exercise_numbers(table4.on_benchmark(ex, "aime24"), s.on("aime24"))
    assert numbers["ex_hmm_acc"] == pytest.approx(40.0) and numbers["ex_wait_acc"] == pytest.approx(60.0)
    plt.close(table4.extrapolation_figures(s, ex))


def vote_point(m, acc):
    return {"votes": m, "accuracy": sum(acc.values()) / 2, "thinking_tokens": 0.0, "gain_over_first": 0.0,
            "ci_low": 0.0, "ci_high": 0.0, "n": 530, "accuracy_by_benchmark": acc,
            "thinking_tokens_by_benchmark": {b: 0.0 for b in acc}, "n_by_benchmark": {"aime24": 30, "math500": 500},
            "paired_by_benchmark": {b: {"gain": 0.0, "ci_low": 0.0, "ci_high": 0.0} for b in acc}}


def test_figure4b_without_the_sft_model_and_per_benchmark(tmp_path):
    s = multi_benchmark_summary()
    parallel = {"base": [vote_point(1, {"aime24": 0.1, "math500": 0.7}), vote_point(64, {"aime24": 0.2, "math500": 0.95})],
                "judge": {}, "equivalence": {"math500": {"asked": 4, "merged": 2}}}
    aime, math = figure4b.findings_by_benchmark(results_of(tmp_path, {
        figure4b.SUMMARY_FILE: multi_benchmark_summary_json(), figure4b.PARALLEL_FILE: parallel}), cap_k=0)
    # AIME24: the best vote (20% of 30) stays below the SFT model unforced (50%); MATH500: 95% passes its 90%
    assert aime.claim == "AIME24: Voting over the base model cannot catch up with the fine-tuned model" and aime.holds
    assert "reaches 20.0%, the SFT model 50.0% unforced and 60.0% with k = 2" in aime.evidence
    assert math.claim.startswith("MATH500: ") and not math.holds and "AIME24 only" in math.paper
    assert figure4b.notes(parallel) == [f"**Voting over the SFT model's samples**: {figure4b.SFT_NOT_RUN}."]
    table = figure4b.vote_tables_by_benchmark(s, parallel)
    assert table.loc[("MATH500", "base model, majority of m", "m = 64"), "accuracy (%)"] == 95.0
    assert table.loc[("AIME24", "SFT model, greedy", "k = 2 (best on test)"), "accuracy (%)"] == 60.0
    assert list(figure4b.vote_tables(parallel).index.get_level_values(0).unique()) == ["base model"]
    assert figure4b.judge_table(parallel).loc["MATH500", "pairs it joined"] == 2
    assert figure4b.exercise_numbers(parallel, "base", "aime24")["ex_votes_last_acc"] == pytest.approx(20.0)
    assert figure4b.exercise_numbers(parallel)["ex_votes_last"] == "not run"
    one = Summary.from_json(benchmarks_json({"aime24": 0.2}, {0: {"aime24": 0.5}, 2: {"aime24": 0.6}}, {}, {"aime24": 30}))
    assert figure4b.matched_table(one, parallel, 0) is None  # no votes of the SFT model to match
    for fig in (figure4b.parallel_figures(s, parallel, 0), figure4b.parallel_figure(one, parallel, 0)):
        assert fig.axes
        plt.close(fig)


def test_table2_per_benchmark_sets_aime_against_the_papers_interval_and_the_rest_against_its_cells():
    def row(kind, acc):
        return {"selection": kind, "examples": 1000, "steps": 315, "mean_thinking_tokens_of_traces": 900.0,
                "teacher_wrong": 0.1, "accuracy": 0.5, "thinking_tokens": 800.0, "gain_vs_s1k": -0.1, "ci_low": -0.2,
                "ci_high": 0.0, "train_seconds": 1.0, "accuracy_by_benchmark": acc,
                "thinking_tokens_by_benchmark": {b: 800.0 for b in acc},
                "paired_by_benchmark": {"aime24": {"gain": -0.2, "ci_low": -0.3, "ci_high": -0.1},
                                        "math500": {"gain": 0.0, "ci_low": -0.05, "ci_high": 0.05}}}

    ablations = {"s1k_accuracy": 0.88, "s1k_accuracy_by_benchmark": {"aime24": 0.5, "math500": 0.9},
                 "rows": [row("random", {"aime24": 0.3, "math500": 0.9})], "judge": {}}
    table = table2.ablation_table_by_benchmark(ablations)
    assert table.loc[("AIME24", "1K-random"), "ours: accuracy (%)"] == 30.0
    assert table.loc[("MATH500", "s1K"), "ours: accuracy (%)"] == 90.0
    assert table.loc[("MATH500", "1K-random"), "paper (%)"] == paper.TABLE2["1K-random"]["math500"]
    aime, math = table2.ablation_verdicts_by_benchmark(ablations)
    assert aime.startswith("**AIME24: 1K-random** is below s1K") and "as in the paper" in aime
    assert math.startswith("**MATH500: 1K-random** is not distinguishable from s1K") and "with no interval" in math
    assert table2.ablation_verdicts_by_benchmark({"s1k_accuracy": 0.5, "rows": []}) == [table2.SKIPPED]


def test_the_stage_keys_name_the_grading_and_what_is_sampled():
    tiny = load_profile("tiny")
    for stage in (parallel_stage, extrapolation_stage, data_ablations):
        assert stage.settings(tiny)["grading"] == grading_settings(tiny)
    keys = parallel_stage.settings(tiny)
    assert (keys["vote_models"], keys["control"]) == (["base", "sft"], {"enabled": True, "benchmarks": []})
    aime = dataclasses.replace(tiny, control=dataclasses.replace(tiny.control, benchmarks=["aime24"]))
    assert parallel_stage.settings(aime) != keys
