"""The evaluation summary on scripted engines: sweep points, paired gains, the dev choice, the helpers."""

from __future__ import annotations

import json

import pytest
from stub_engine import Reply, ScriptedEngine

from s1kit.evaluation import (
    EvaluationConfig,
    FinishedPoints,
    SweepPoint,
    best_num_ignore,
    bootstrap_ci,
    dev_choice,
    evaluate,
    held_out_columns,
    paired_comparisons,
    point_index,
    sweep_configs,
)


def point(n, k):
    return SweepPoint(max_thinking_tokens=n, num_ignore=k, accuracy=0.0, ci_low=0.0, ci_high=0.0,
                      mean_thinking_tokens=0.0, n=4, cap_fired_rate=0.0, mean_ignores_used=0.0, seconds=0.0)


# -- small helpers ------------------------------------------------------------------------------------
def test_bootstrap_ci_bounds():
    assert bootstrap_ci([True] * 30, samples=200, seed=0) == (1.0, 1.0)
    assert bootstrap_ci([False] * 30, samples=200, seed=0) == (0.0, 0.0)
    half = [True, False] * 50  # mean 0.5, standard error 0.05: about 0.40 to 0.60
    low, high = bootstrap_ci(half, samples=1000, seed=3)
    assert 0.37 <= low <= 0.45 and 0.55 <= high <= 0.63
    assert bootstrap_ci(half, samples=1000, seed=3) == (low, high)
    with pytest.raises(ValueError, match="empty"):
        bootstrap_ci([], samples=10, seed=0)


def test_held_out_columns_take_each_records_own_benchmark():
    records = [{"question": "Coins: 1 2. Total?", "answer": "3"},
               {"question": "Which?", "answer": "B", "benchmark": "gpqa"}]
    assert held_out_columns(records, "tiny") == (["Coins: 1 2. Total?", "Which?"], ["3", "B"], ["tiny", "gpqa"])


def test_point_index_finds_a_point_by_cap_and_k():
    summary = {"budget_forcing": [{"max_thinking_tokens": 16, "num_ignore": 0},
                                  {"max_thinking_tokens": None, "num_ignore": 0},
                                  {"max_thinking_tokens": None, "num_ignore": 2}]}
    assert [point_index(summary, 16, 0), point_index(summary, None, 0), point_index(summary, None, 2)] == [0, 1, 2]
    for n, k in ((16, 2), (None, 1)):
        with pytest.raises(KeyError, match=f"N={n}, k={k}"):
            point_index(summary, n, k)


@pytest.mark.parametrize("accuracy, best", [
    ({0: 0.5, 1: 0.7, 2: 0.7}, 1),  # a tie goes to the fewest "Wait"s
    ({3: 0.2, 0: 0.2}, 0),
    ({0: 0.1, 2: 0.9, 4: 0.3}, 2),
    ({6: 0.4}, 6),
])
def test_best_num_ignore(accuracy, best):
    assert best_num_ignore(accuracy) == best


def test_best_num_ignore_needs_accuracies():
    with pytest.raises(ValueError, match="no accuracies"):
        best_num_ignore({})


def test_sweep_configs_cap_sweep_then_ignore_sweep():
    config = EvaluationConfig(caps=[32, 16], num_ignores=[2, 0, 1], max_answer_tokens=20)
    assert [(f.max_thinking_tokens, f.num_ignore) for f in sweep_configs(config, seed=5)] == \
        [(16, 0), (32, 0), (None, 0), (None, 1), (None, 2)]
    assert all(f.seed == 5 and f.max_answer_tokens == 20 and f.ignore_str == "Wait" for f in sweep_configs(config, 5))
    other = EvaluationConfig(caps=[16], num_ignores=[0, 1, 2], cap_sweep_num_ignore=1)
    assert [(f.max_thinking_tokens, f.num_ignore) for f in sweep_configs(other, seed=0)] == \
        [(16, 1), (None, 1), (None, 0), (None, 2)]


# -- paired comparisons -------------------------------------------------------------------------------------
def test_paired_gains_are_the_paired_differences():
    T, F = True, False
    points = [point(16, 0), point(None, 0), point(None, 2), point(None, 1)]
    correct = [[F, F, F, F],  # capped: never compared
               [T, F, T, F],  # uncapped k = 0: the SFT model without forcing
               [T, T, F, F],
               [T, T, T, F]]
    base = [T, F, F, F]
    rows = paired_comparisons(points, correct, base, samples=300, seed=0)
    assert [(r["comparison"], r["num_ignore"]) for r in rows] == [("sft_vs_base", 0), ("k_vs_0", 1), ("k_vs_0", 2)]
    # [T,F,T,F] - [T,F,F,F] = +1/4; [T,T,T,F] - [T,F,T,F] = +1/4; [T,T,F,F] - [T,F,T,F] = (+1 - 1)/4 = 0
    assert [r["gain"] for r in rows] == pytest.approx([0.25, 0.25, 0.0])
    assert all(r["ci_low"] <= r["gain"] <= r["ci_high"] for r in rows)
    assert rows[2]["ci_low"] < 0 < rows[2]["ci_high"]  # one question won, one lost: no verdict


def test_no_comparisons_without_an_unforced_uncapped_point():
    points = [point(16, 0), point(None, 1)]
    assert paired_comparisons(points, [[True], [False]], [True], samples=100, seed=0) == []


# -- evaluate() on scripted engines -------------------------------------------------------------------------
REFERENCE = {"Coins: 5 7. Total?": "12", "Coins: 3 4. Total?": "7", "Coins: 1 2. Total?": "3", "Coins: 2 2. Total?": "4"}
# The fine-tuned model thinks "12345" (5 tokens) every time; its answer after 0, 1, 2 "Wait"s, and when capped:
TUNED = {
    "Coins: 5 7. Total?": Reply(answers=["12"], capped="99"),  # right, unless the cap cuts it short
    "Coins: 3 4. Total?": Reply(answers=["99", "7"]),  # needs one "Wait"
    "Coins: 1 2. Total?": Reply(answers=["3", "3", "99"]),  # a second "Wait" breaks it
    "Coins: 2 2. Total?": Reply(answers=["99"]),  # always wrong
}
BASE = {q: [Reply(answers=["12" if q == "Coins: 5 7. Total?" else "99"])] for q in REFERENCE}
BASE["Coins: 2 2. Total?"] = [Reply(answers=["9" * 60])]  # runs past the base model's 48 answer tokens
DEV = {"Coins: 9 9. Total?": ("18", Reply(answers=["99", "18"])), "Coins: 8 1. Total?": ("9", Reply(answers=["9"]))}


def engines(tokenizer):
    tuned = {q: [r] for q, r in TUNED.items()} | {q: [r] for q, (_, r) in DEV.items()}
    return ScriptedEngine(tokenizer, BASE), ScriptedEngine(tokenizer, tuned)


# two benchmarks by their Hub ids (named aime24 and math500 in the summary), graded with the tiny rules
HUB_IDS = {"a": "simplescaling/aime24_nofigures", "b": "HuggingFaceH4/MATH-500"}


def held_out(sources=("a", "a", "b", "b")):
    return [{"id": f"t{i}", "question": q, "answer": a, "source": HUB_IDS[s], "benchmark": "tiny"}
            for i, ((q, a), s) in enumerate(zip(REFERENCE.items(), sources, strict=True))]


CONFIG = EvaluationConfig(caps=[3], num_ignores=[0, 1, 2], bootstrap_samples=300)


def test_evaluate_builds_the_summary_from_the_engines_outputs(tokenizer):
    base, tuned = engines(tokenizer)
    dev = [{"id": f"d{i}", "question": q, "answer": a, "source": "a"} for i, (q, (a, _)) in enumerate(DEV.items())]
    run = evaluate(base, tuned, held_out(), CONFIG, seed=7, profile_name="unit", dev=dev)
    summary = run.summary
    assert set(summary) == {"profile", "n_test", "n_test_by_benchmark", "base_model_accuracy",
                            "base_model_accuracy_by_benchmark", "base_model_cut_off_rate", "budget_forcing",
                            "paired", "dev", "judge"}
    assert summary["n_test_by_benchmark"] == {"aime24": 2, "math500": 2}
    assert summary["base_model_accuracy_by_benchmark"] == {"aime24": 0.5, "math500": 0.0}
    assert summary["judge"] == {}  # no judge: nothing asked
    assert (summary["profile"], summary["n_test"]) == ("unit", 4)
    assert summary["base_model_accuracy"] == 0.25  # only the first question
    assert summary["base_model_cut_off_rate"] == 0.25  # the last question's answer ran out of tokens
    points = summary["budget_forcing"]
    assert [(p["max_thinking_tokens"], p["num_ignore"]) for p in points] == [(3, 0), (None, 0), (None, 1), (None, 2)]
    # right answers per point: cap 3 -> q2; k=0 -> q0 q2; k=1 -> q0 q1 q2; k=2 -> q0 q1
    assert [p["accuracy"] for p in points] == [0.25, 0.5, 0.75, 0.5]
    assert [p["mean_thinking_tokens"] for p in points] == [3, 5, 11, 17]  # 5(k+1) + k "Wait"s; the cap: 3
    assert [p["cap_fired_rate"] for p in points] == [1, 0, 0, 0]
    assert [p["mean_ignores_used"] for p in points] == [0, 0, 1, 2]
    assert all(p["n"] == 4 and p["ci_low"] <= p["accuracy"] <= p["ci_high"] for p in points)
    assert all("seconds" not in p for p in points) and len(run.seconds) == 4
    paired = {(r["benchmark"], r["comparison"], r["num_ignore"]): r["gain"] for r in summary["paired"]}
    # per benchmark, never pooled. aime24 (t0, t1): base [T,F], k=0 [T,F], k=1 [T,T], k=2 [T,T];
    # math500 (t2, t3): base [F,F], k=0 [T,F], k=1 [T,F], k=2 [F,F]
    assert paired == pytest.approx({("aime24", "sft_vs_base", 0): 0.0, ("aime24", "k_vs_0", 1): 0.5,
                                    ("aime24", "k_vs_0", 2): 0.5, ("math500", "sft_vs_base", 0): 0.5,
                                    ("math500", "k_vs_0", 1): 0.0, ("math500", "k_vs_0", 2): -0.5,
                                    # and over both together, named "all": k=0 [T,F,T,F] vs base [T,F,F,F]
                                    ("all", "sft_vs_base", 0): 0.25, ("all", "k_vs_0", 1): 0.25,
                                    ("all", "k_vs_0", 2): 0.0})
    # dev: k=0 gets d1 only, k=1 and k=2 both; the tie goes to k=1
    assert summary["dev"] == {"n": 2, "accuracy_by_num_ignore": {"0": 0.5, "1": 1.0, "2": 1.0}, "best_num_ignore": 1}
    assert [p["accuracy_by_benchmark"] for p in points] == [
        {"aime24": 0.0, "math500": 0.5}, {"aime24": 0.5, "math500": 0.5}, {"aime24": 1.0, "math500": 0.5},
        {"aime24": 1.0, "math500": 0.0}]
    # per-question rows agree with the summary, and every run used the profile's seed
    assert [g["point"] for g in run.generations] == [i for i in range(4) for _ in range(4)]
    for index, p in enumerate(points):
        mine = [g for g in run.generations if g["point"] == index]
        assert sum(g["correct"] for g in mine) / 4 == p["accuracy"]
        assert [g["id"] for g in mine] == ["t0", "t1", "t2", "t3"]
    assert run.base_generations[0] == {"id": "t0", "answer_text": "\nFinal Answer: 12", "correct": True,
                                       "hit_answer_budget": False}
    assert [g["correct"] for g in run.base_generations] == [True, False, False, False]
    assert [g["hit_answer_budget"] for g in run.base_generations] == [False, False, False, True]
    assert len(tokenizer.encode(run.base_generations[3]["answer_text"])) == CONFIG.base_max_answer_tokens
    assert all(c.seed == 7 for c in tuned.configs)
    assert [c.max_answer_tokens for c in base.configs] == [CONFIG.base_max_answer_tokens]


def test_evaluate_without_dev_or_several_benchmarks_and_twice_the_same(tokenizer):
    summaries = []
    for _ in range(2):
        base, tuned = engines(tokenizer)
        summaries.append(evaluate(base, tuned, held_out(sources=("a",) * 4), CONFIG, seed=7, profile_name="unit").summary)
    assert set(summaries[0]) == {"profile", "n_test", "n_test_by_benchmark", "base_model_accuracy",
                                 "base_model_accuracy_by_benchmark", "base_model_cut_off_rate", "budget_forcing",
                                 "paired", "judge"}
    assert {r["benchmark"] for r in summaries[0]["paired"]} == {"aime24"}  # one benchmark: its rows only
    assert json.dumps(summaries[0]) == json.dumps(summaries[1])  # byte-identical: no wall times inside
    base, tuned = engines(tokenizer)
    no_dev_sweep = EvaluationConfig(caps=[3], num_ignores=[0, 1, 2], bootstrap_samples=300, dev_sweep=False)
    dev = [{"id": "d0", "question": "Coins: 9 9. Total?", "answer": "18", "source": "a"}]
    assert "dev" not in evaluate(base, tuned, held_out(), no_dev_sweep, seed=7, profile_name="unit", dev=dev).summary


def test_dev_choice_runs_only_the_uncapped_ignore_sweep(tokenizer):
    _, tuned = engines(tokenizer)
    dev = [{"id": "d0", "question": "Coins: 9 9. Total?", "answer": "18"}]
    choice = dev_choice(tuned, dev, EvaluationConfig(caps=[3, 8], num_ignores=[0, 2, 1], bootstrap_samples=50), 0)
    assert choice == {"n": 1, "accuracy_by_num_ignore": {"0": 0.0, "1": 1.0, "2": 1.0}, "best_num_ignore": 1}
    assert [(c.max_thinking_tokens, c.num_ignore) for c in tuned.configs] == [(None, 0), (None, 1), (None, 2)]


# -- an interrupted sweep resumes --------------------------------------------------------------------------------
class Interrupted(Exception):
    pass


def test_an_interrupted_sweep_resumes_without_decoding_finished_points(tokenizer, tmp_path):
    base, tuned = engines(tokenizer)
    whole = evaluate(base, tuned, held_out(), CONFIG, seed=7, profile_name="unit")
    points = len(whole.summary["budget_forcing"])

    base, tuned = engines(tokenizer)
    run_once = tuned.run

    def dies_at_the_fourth_point(*args):
        if len(tuned.configs) == 3:  # three points finished and kept; the fourth never ends
            raise Interrupted
        run_once(*args)

    tuned.run = dies_at_the_fourth_point
    with pytest.raises(Interrupted):
        evaluate(base, tuned, held_out(), CONFIG, seed=7, profile_name="unit", finished=FinishedPoints(tmp_path))
    assert len(list(tmp_path.glob("point-*.json"))) == 3 and (tmp_path / "base.json").exists()

    base, tuned = engines(tokenizer)
    finished = FinishedPoints(tmp_path)
    resumed = evaluate(base, tuned, held_out(), CONFIG, seed=7, profile_name="unit", finished=finished)
    assert not base.configs  # the base model's answers were kept: not asked again
    assert len(tuned.configs) == points - 3  # only the unfinished points were decoded
    assert "base" in finished.reused and len(finished.reused) == 4
    assert resumed.summary == whole.summary and resumed.generations == whole.generations
    assert resumed.base_generations == whole.base_generations


def test_engines_given_as_loaders_are_loaded_once_and_the_base_one_closed(tokenizer):
    base, tuned = engines(tokenizer)
    events = []
    base.close = lambda: events.append("base closed")

    def load(engine, name):
        events.append(f"{name} loaded")
        return engine

    tuned.close = lambda: events.append("tuned closed")
    evaluate(lambda: load(base, "base"), lambda: load(tuned, "tuned"), held_out(), CONFIG, seed=7, profile_name="unit")
    assert events == ["base loaded", "base closed", "tuned loaded", "tuned closed"]


@pytest.mark.parametrize("setting", ["always", "if_missing"])
def test_every_sweep_point_takes_the_profiles_forced_answer_newline(setting):
    configs = sweep_configs(EvaluationConfig(forced_answer_newline=setting), seed=0)
    assert configs and all(c.cap_newline == setting for c in configs)


@pytest.mark.parametrize("field, value, message", [
    ("gpqa_unreadable", "E", "gpqa_unreadable"), ("vote_models", ["teacher"], "vote_models"),
    ("samples", -1, "samples"), ("sample_temperature", 0.0, "sample_temperature"),
])
def test_bad_evaluation_settings_are_refused_naming_the_key(field, value, message):
    kwargs = {field: value} if field != "sample_temperature" else {"samples": 2, field: value}
    with pytest.raises(ValueError, match=message):
        EvaluationConfig(**kwargs)
