"""The typed view of summary.json: accessors on the committed reference runs, the best-k rule, tolerance of absent keys."""

from __future__ import annotations

import pytest
from report_inputs import benchmarks_json, reference_json, reference_summary, summary, summary_json

from s1kit.report.summary import DEV_SPLIT, TEST_SET, Summary


def test_tiny_reference_reads_as_typed_points():
    s = reference_summary("tiny")
    raw = reference_json("tiny", "results/summary.json")
    assert (s.profile, s.n_test, s.base_model_accuracy) == ("tiny", 500, raw["base_model_accuracy"])
    assert list(s.uncapped()) == [0, 1, 2, 4, 6, 8]
    assert [p.max_thinking_tokens for p in s.caps(0)] == [16, 32, 48, 64, 96]
    assert s.caps(1) == []
    one = s.point(None, 1)
    # index is the point's place in budget_forcing, which generations.jsonl's "point" refers to
    assert (raw["budget_forcing"][one.index]["num_ignore"], one.accuracy) == (1, raw["budget_forcing"][one.index]["accuracy"])
    assert s.paired(1).gain == next(r["gain"] for r in raw["paired"] if r["num_ignore"] == 1 and r["comparison"] == "k_vs_0")
    assert s.sft_vs_base().comparison == "sft_vs_base" and s.paired(5) is None
    assert s.best_k() == (raw["dev"]["best_num_ignore"], DEV_SPLIT)
    with pytest.raises(KeyError, match="N=17, k=0"):
        s.point(17, 0)


def test_smoke_reference_and_every_world_parse():
    smoke = reference_summary("smoke")
    assert list(smoke.uncapped()) == [0, 1, 2] and [p.max_thinking_tokens for p in smoke.caps(0)] == [8, 32]
    for world in ("no_wait", "patient", "no_checks"):
        assert 0 in reference_summary("tiny", world).uncapped()


def test_cap_curve_ends_at_the_uncapped_point_with_the_same_k():
    s = reference_summary("tiny")
    curve = s.cap_curve(0)
    assert [p.max_thinking_tokens for p in curve] == [16, 32, 48, 64, 96, None]
    assert curve[-1] == s.uncapped()[0]


def test_best_k_prefers_the_dev_split():
    s = summary(0.0, {0: 0.4, 1: 0.5, 2: 0.7}, {8: 0.1}, dev_best=1)
    assert s.best_k() == (1, DEV_SPLIT)  # not the test set's best, k = 2


def test_best_k_without_dev_takes_the_smallest_k_on_a_tie_whatever_the_order():
    tied = {2: 0.7, 1: 0.7, 0: 0.4}  # listed largest k first: a max() over the list would pick 2
    assert summary(0.0, tied, {}).best_k() == (1, TEST_SET)
    assert summary(0.0, {0: 0.4, 1: 0.7, 2: 0.7}, {}).best_k() == (1, TEST_SET)


def test_a_summary_without_paired_dev_or_caps_still_answers():
    raw = summary_json(0.1, {0: 0.3, 1: 0.6}, {})
    del raw["paired"]
    s = Summary.from_json(raw)
    assert s.paired(1) is None and s.sft_vs_base() is None and s.dev_accuracy is None
    assert s.caps(0) == [] and s.best_k() == (1, TEST_SET)


def test_per_benchmark_accuracy_when_present_else_the_single_benchmark():
    raw = summary_json(0.1, {0: 0.3, 1: 0.6}, {16: 0.2})
    single = Summary.from_json(raw)  # a summary from before per-benchmark keys: one benchmark, itself
    assert single.accuracy_by_benchmark(single.point(None, 1)) == {"held-out set": 0.6}
    assert single.base_model_accuracy_by_benchmark() == {"held-out set": 0.1}
    assert single.benchmarks == ["held-out set"] and single.on("held-out set") is single
    several = Summary.from_json(benchmarks_json(
        base={"aime24": 0.0, "math500": 0.2}, ks={0: {"aime24": 0.2, "math500": 0.4}, 1: {"aime24": 0.5, "math500": 0.7}},
        caps={16: {"aime24": 0.1, "math500": 0.3}}, n={"aime24": 30, "math500": 90},
        paired=[("aime24", "k_vs_0", 1, 0.3, 0.1, 0.5), ("math500", "k_vs_0", 1, 0.3, 0.2, 0.4),
                ("all", "k_vs_0", 1, 0.3, 0.2, 0.4)]))
    assert several.benchmarks == ["aime24", "math500"]
    assert several.accuracy_by_benchmark(several.point(None, 1)) == {"aime24": 0.5, "math500": 0.7}
    assert several.base_model_accuracy_by_benchmark() == {"aime24": 0.0, "math500": 0.2}
    math = several.on("math500")  # the run seen on one benchmark
    assert (math.n_test, math.base_model_accuracy, math.benchmarks) == (90, 0.2, ["math500"])
    assert [p.accuracy for p in math.points] == [0.4, 0.7, 0.3] and all(p.n == 90 for p in math.points)
    assert (math.point(None, 1).ci_low, math.point(None, 1).ci_high) == pytest.approx((0.6, 0.8))
    assert math.point(None, 1).mean_thinking_tokens == 201.0  # that benchmark's own thinking tokens
    assert math.paired(1).ci_low == 0.2 and several.paired(1, "aime24").ci_low == 0.1
    assert several.paired(1).benchmark == "all"  # no benchmark named in a several-benchmark run: every question
    with pytest.raises(KeyError, match="gpqa_diamond"):
        several.on("gpqa_diamond")


def test_without_cap_drops_only_that_caps_points_and_keeps_indices():
    s = summary(0.01, {0: 0.4, 1: 0.5}, {8: 0.0, 64: 0.3})
    left = s.without_cap(8)
    assert [p.max_thinking_tokens for p in left.points] == [None, None, 64]
    assert left.point(64, 0).index == 3 and len(s.points) == 4  # the original is untouched
