"""Table 3's control data and measures on hand-computed examples: step markers, instructions, RS, metrics."""

from __future__ import annotations

import math

import pytest

from s1kit.control import (
    _move,
    conditional_records,
    conditional_s1k,
    method_metrics,
    power_of_two_at_least,
    rejection_sample,
    steps_of,
    with_step_markers,
)
from s1kit.tiny.teacher import TeacherConfig, distill
from s1kit.tiny.world import generate_problems

TRACE = "1+2=3\nWait, 3+4=7\n7+5=12"


# -- powers of two and steps --------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [(1, 1), (2, 2), (3, 4), (4, 4), (5, 8), (17, 32), (1000, 1024),
                                             (1024, 1024), (1025, 2048), (16385, 32768)])
def test_power_of_two_at_least(value, expected):
    assert power_of_two_at_least(value) == expected


@pytest.mark.parametrize("value", [0, -1])
def test_power_of_two_refuses_a_count_below_one(value):
    with pytest.raises(ValueError, match="positive"):
        power_of_two_at_least(value)


def test_steps_are_the_non_empty_lines():
    assert steps_of(TRACE) == ["1+2=3", "Wait, 3+4=7", "7+5=12"]
    assert steps_of("a\n\nb\n") == ["a", "b"]
    assert steps_of("") == []


# -- countdown markers and moved spans ----------------------------------------------------------------
def test_a_countdown_line_opens_every_step_and_step_starts_move_past_it():
    marked, moved = with_step_markers(TRACE, 4)
    # a budget of 4 steps for a 3-step trace: the countdown reads 4, 3, 2
    assert marked == "(4 steps left)\n1+2=3\n(3 steps left)\nWait, 3+4=7\n(2 steps left)\n7+5=12"
    # each marker line is 15 characters; the old step starts are 0, 6 and 18
    assert moved == [(0, 15), (6, 36), (18, 63)]


@pytest.mark.parametrize("span, text", [((0, 5), "1+2=3"), ((6, 10), "Wait"), ((12, 15), "3+4"),
                                        ((18, 24), "7+5=12"), ((21, 24), "=12")])
def test_a_moved_span_points_at_the_same_text(span, text):
    marked, moved = with_step_markers(TRACE, 4)
    assert TRACE[span[0]:span[1]] == text
    start, end = _move(span, moved)
    assert marked[start:end] == text


def test_spans_of_teacher_traces_survive_the_markers():
    """Every forced "Wait" of real tiny-world traces still covers "Wait" after the markers went in."""
    problems = generate_problems(seed=1, count=60, min_terms=3, max_terms=9, source="drill", id_prefix="c")
    traces = distill(problems, TeacherConfig(train_on_wait=False, p_broken=0.0, p_final_check=0.5), seed=1)
    spans = 0
    for trace in traces:
        marked, moved = with_step_markers(trace.trace, power_of_two_at_least(len(steps_of(trace.trace))))
        for span in trace.forced_spans:
            start, end = _move(span, moved)
            assert marked[start:end] == trace.trace[span[0]:span[1]] == "Wait"
            spans += 1
    assert spans > 60  # the check really saw many spans, on many lines


def test_blank_lines_are_not_steps_and_get_no_countdown():
    """Hub traces (s1K) separate paragraphs by blank lines: the countdown counts steps, as steps_of does."""
    trace = "First step.\n\nSecond step.\n"
    marked, moved = with_step_markers(trace, 2)
    assert marked == "(2 steps left)\nFirst step.\n\n(1 steps left)\nSecond step.\n"
    start, end = _move((13, 19), moved)
    assert trace[13:19] == "Second" and marked[start:end] == "Second"
    assert marked.count("steps left") == len(steps_of(trace))


# -- the conditional training data ----------------------------------------------------------------------
# thinking tokens -> the power of two the token instruction names (written out, not computed)
TOKEN_BUCKETS = {3: 4, 4: 4, 5: 8, 16: 16, 17: 32, 100: 128}
# trace -> its step count's power of two
STEP_TRACES = {"1+1=2": 1, "1+1=2\n2+2=4": 2, "1+1=2\n2+2=4\n4+4=8": 4}
MEDIAN = 16


def records(count=240):
    """s1K-like records cycling through every token bucket and step count; two carry forced spans."""
    tokens, traces = list(TOKEN_BUCKETS), list(STEP_TRACES)
    rows, lengths = [], {}
    for i in range(count):
        trace = traces[i % len(traces)]
        row = {"id": f"r{i}", "question": f"Coins: {i} 1. Total?", "trace": trace, "attempt": "2"}
        if trace.count("\n") == 2:
            row["forced_spans"] = [[6, 9], [14, 17]]  # "2+2" of the second step, "4=8" of the third
        rows.append(row)
        lengths[row["id"]] = tokens[i % len(tokens)]
    return rows, lengths


def test_every_style_gets_its_instruction():
    rows, lengths = records()
    out = conditional_records(rows, lengths, MEDIAN, seed=0)
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    for old, new in zip(rows, out, strict=True):
        question = old["question"]
        if new["control"] == "plain":
            assert new == dict(old, control="plain")
        elif new["control"] == "tokens":
            assert new["question"] == f"{question}\n\nThink for up to {TOKEN_BUCKETS[lengths[old['id']]]} tokens."
            assert new["trace"] == old["trace"]
        elif new["control"] == "steps":
            budget = STEP_TRACES[old["trace"]]
            assert new["question"] == f"{question}\n\nThink for up to {budget} steps."
            assert new["trace"].startswith(f"({budget} steps left)\n")
            assert steps_of(new["trace"])[1::2] == steps_of(old["trace"])  # marker, step, marker, step...
        else:  # the class prompt splits at the median: a trace of exactly the median is long
            assert new["control"] == ("long" if lengths[old["id"]] >= MEDIAN else "short")
            assert new["question"] == f"{question}\n\n{'Think long.' if new['control'] == 'long' else 'Think short.'}"
    counts = {style: sum(r["control"] == style for r in out) for style in ("plain", "tokens", "steps", "short", "long")}
    assert min(counts.values()) > 0, counts
    # one style in four each (binomial: 60 +- 6.7 of 240); short and long share the class quarter
    for style in ("plain", "tokens", "steps"):
        assert 35 <= counts[style] <= 85, counts
    assert 35 <= counts["short"] + counts["long"] <= 85, counts


def test_step_rows_keep_their_forced_spans_on_the_same_text():
    rows, lengths = records()
    out = conditional_records(rows, lengths, MEDIAN, seed=0)
    moved = [(old, new) for old, new in zip(rows, out, strict=True)
             if new["control"] == "steps" and old.get("forced_spans")]
    assert moved
    for old, new in moved:
        assert [new["trace"][a:b] for a, b in new["forced_spans"]] == ["2+2", "4=8"] == \
            [old["trace"][a:b] for a, b in old["forced_spans"]]


def test_styles_are_fixed_by_the_seed_and_the_input_is_left_alone():
    rows, lengths = records()
    before = [dict(r) for r in rows]
    first = conditional_records(rows, lengths, MEDIAN, seed=0)
    assert conditional_records(rows, lengths, MEDIAN, seed=0) == first
    assert rows == before
    other = conditional_records(rows, lengths, MEDIAN, seed=1)
    assert [r["control"] for r in other] != [r["control"] for r in first]


def test_conditional_s1k_counts_trace_lengths_in_the_tokenizers_tokens(tokenizer):
    # the tiny tokenizer writes every digit and every newline as its own token
    s1k = [{"id": "a", "question": "Qa", "trace": "12", "attempt": "1"},
           {"id": "b", "question": "Qb", "trace": "1234", "attempt": "1"},
           {"id": "c", "question": "Qc", "trace": "12\n345", "attempt": "1"},
           {"id": "d", "question": "Qd", "trace": "123456789", "attempt": "1"}]
    lengths = {"a": 2, "b": 4, "c": 6, "d": 9}
    assert {r["id"]: len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in s1k} == lengths
    for seed in range(4):
        # the median of 2, 4, 6, 9 is 5: a and b are short, c and d long
        assert conditional_s1k(s1k, tokenizer, seed) == conditional_records(s1k, lengths, 5, seed)
    seen = {}
    for seed in range(40):
        for row in conditional_s1k(s1k, tokenizer, seed):
            seen.setdefault(row["id"], {})[row["control"]] = row["question"]
    assert seen["a"]["short"] == "Qa\n\nThink short." and seen["c"]["long"] == "Qc\n\nThink long."
    assert "long" not in seen["b"] and "short" not in seen["d"]
    assert seen["c"]["tokens"] == "Qc\n\nThink for up to 8 tokens."
    assert seen["d"]["tokens"] == "Qd\n\nThink for up to 16 tokens."
    assert seen["c"]["steps"] == "Qc\n\nThink for up to 2 steps."


# -- rejection sampling -----------------------------------------------------------------------------------
def test_rejection_sampling_takes_the_first_sample_that_fits():
    thinking = [[50, 20, 10], [40, 45], [30]]
    correct = [[True, False, True], [True, True], [True]]
    result = rejection_sample(thinking, correct, budget=30)
    # q0: 50 is too long, 20 fits (wrong; the later, correct 10 is never drawn): 2 tries
    # q1: nothing fits within the tries: wrong, charged its shortest sample, 40; 2 tries
    # q2: 30 fits exactly (the budget is inclusive): right, 1 try
    assert result == {"budget": 30, "accuracy": pytest.approx(1 / 3), "thinking_tokens": pytest.approx(90 / 3),
                      "mean_tries": pytest.approx(5 / 3), "found": pytest.approx(2 / 3)}


def test_rejection_sampling_with_a_roomy_or_a_tiny_budget():
    thinking = [[50, 20], [40, 45]]
    correct = [[True, False], [False, True]]
    roomy = rejection_sample(thinking, correct, budget=100)  # the first sample always fits
    assert (roomy["accuracy"], roomy["thinking_tokens"], roomy["mean_tries"], roomy["found"]) == (0.5, 45, 1, 1)
    tiny = rejection_sample(thinking, correct, budget=5)  # nothing fits: all wrong, every try spent
    assert (tiny["accuracy"], tiny["thinking_tokens"], tiny["mean_tries"], tiny["found"]) == (0, 30, 2, 0)


def test_rejection_sampling_needs_one_mark_per_sample():
    with pytest.raises(ValueError):
        rejection_sample([[10], [20]], [[True]], budget=30)


# -- Control, Scaling, Performance of a method (the measures themselves: test_metrics.py) ----------------
def test_method_metrics_reads_run_rows_and_reports_scaling_per_100_tokens():
    runs = [{"thinking_tokens": 20, "accuracy": 0.2, "budget": 32},
            {"thinking_tokens": 40, "accuracy": 0.5, "budget": 32},  # broke its budget
            {"thinking_tokens": 60, "accuracy": 0.4, "budget": None}]  # no limit: always within it
    metrics = method_metrics(runs)
    assert metrics["control"] == pytest.approx(2 / 3)
    # slopes per token: 0.3/20 = 0.015, 0.2/40 = 0.005, -0.1/20 = -0.005; mean 0.005 = 50 points per 100 tokens
    assert metrics["scaling"] == pytest.approx(50)
    assert metrics["performance"] == 0.5
    assert metrics["runs"] == 3


def test_method_metrics_with_no_compute_spread_has_no_scaling():
    same = [{"thinking_tokens": 30, "accuracy": 0.2, "budget": 16}, {"thinking_tokens": 30, "accuracy": 0.6, "budget": 64}]
    metrics = method_metrics(same)
    assert math.isnan(metrics["scaling"])
    assert metrics["control"] == 0.5 and metrics["performance"] == 0.6 and metrics["runs"] == 2
    assert math.isnan(method_metrics(same[:1])["scaling"])
