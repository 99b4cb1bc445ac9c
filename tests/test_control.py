"""Table 3's control data and measures on hand-computed examples: step markers, instructions, RS, metrics."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from stub_engine import Reply, ScriptedEngine

from s1kit.config import ConfigError, from_dict, load_profile
from s1kit.control import (
    S1_LONG_PROMPT,
    S1_SHORT_PROMPT,
    ControlConfig,
    _move,
    benchmark_questions,
    class_prompts,
    conditional_records,
    conditional_s1k,
    method_metrics,
    power_of_two_at_least,
    rejection_sample,
    scc_decoding,
    step_marker,
    steps_of,
    tokens_before,
    with_step_markers,
)
from s1kit.experiments import control as control_stage
from s1kit.experiments import control_sft
from s1kit.experiments._grader import grading_settings
from s1kit.grading import GradingOptions
from s1kit.jsonio import write_json, write_jsonl
from s1kit.judging import Grader
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


# -- the options: s1's class prompts and step markers ------------------------------------------------------
def test_s1s_class_prompts_are_its_harness_wording():
    # eval/lm-evaluation-harness/lm_eval/tasks/aime/utils.py, PROMPTSHORT and PROMPTLONG
    assert class_prompts("s1kit") == ("Think short.", "Think long.")
    assert class_prompts("s1") == (S1_SHORT_PROMPT, S1_LONG_PROMPT)
    assert S1_SHORT_PROMPT == ("Answer after a short amount of thinking. Do not spend excessive time "
                               "double-checking your work.")
    assert S1_LONG_PROMPT.startswith("Answer after a long amount of thinking. If you feel like you are finished "
                                     "early, spend the extra time trying to double-check your work")
    assert S1_LONG_PROMPT.endswith("until you are absolutely sure that you have the correct answer.")


@pytest.mark.parametrize("style, first", [("s1kit", "(4 steps left)"), ("s1", "<|im_start|>4 steps left")])
def test_both_marker_styles_count_down_and_keep_spans_on_their_text(style, first):
    assert step_marker(4, style) == first
    marked, moved = with_step_markers(TRACE, 4, style)
    assert marked == "\n".join([step_marker(4, style), "1+2=3", step_marker(3, style), "Wait, 3+4=7",
                                step_marker(2, style), "7+5=12"])
    for span in ((6, 10), (18, 24)):
        start, end = _move(span, moved)
        assert marked[start:end] == TRACE[span[0]:span[1]]


def test_s1_markers_are_one_special_token_then_the_count(tokenizer):
    ids = tokenizer.encode(step_marker(16, "s1"), add_special_tokens=False)
    assert ids[0] == tokenizer.convert_tokens_to_ids("<|im_start|>") and ids.count(ids[0]) == 1


@pytest.mark.parametrize("prompts", ["s1kit", "s1"])
@pytest.mark.parametrize("marker", ["s1kit", "s1"])
def test_conditional_data_in_each_setting(prompts, marker):
    rows, lengths = records()
    out = conditional_records(rows, lengths, MEDIAN, seed=0, class_prompts=prompts, step_marker=marker)
    styles = {r["control"] for r in out}
    if prompts == "s1kit":
        assert styles == {"plain", "tokens", "steps", "short", "long"}
    else:  # s1 never trained on its class prompts: none in the data, a third of the examples each
        assert styles == {"plain", "tokens", "steps"}
        assert all(60 <= sum(r["control"] == s for r in out) <= 100 for s in styles)
    for old, new in zip(rows, out, strict=True):
        if new["control"] == "steps":
            budget = STEP_TRACES[old["trace"]]
            assert new["trace"].startswith(step_marker(budget, marker) + "\n")
            assert ("<|im_start|>" in new["trace"]) == (marker == "s1")
            if old.get("forced_spans"):
                assert [new["trace"][a:b] for a, b in new["forced_spans"]] == ["2+2", "4=8"]
    # the defaults are today's data, draw for draw
    assert conditional_records(rows, lengths, MEDIAN, seed=0) == \
        conditional_records(rows, lengths, MEDIAN, seed=0, class_prompts="s1kit", step_marker="s1kit")


@pytest.mark.parametrize("field, value", [("class_prompts", "s2"), ("step_marker", "paper")])
def test_the_options_refuse_other_values(field, value):
    with pytest.raises(ValueError, match=field):
        ControlConfig(**{field: value})
    with pytest.raises(ConfigError, match=field):
        from_dict(ControlConfig, {field: value}, "control")
    assert from_dict(ControlConfig, {field: "s1"}, "control") == ControlConfig(**{field: "s1"})


def test_the_defaults_are_todays_behaviour():
    config = ControlConfig()
    assert (config.benchmarks, config.class_prompts, config.step_marker) == ([], "s1kit", "s1kit")


@pytest.mark.parametrize("forced", [False, True])
def test_scc_decoding_with_each_marker(forced):
    ours = scc_decoding(4, 10, "s1kit", forced)  # the cap: 4 steps of 10 tokens, with BF only
    assert (ours.max_thinking_tokens, ours.num_ignore, ours.budget, ours.count_to_answer) == \
        (40 if forced else None, 0, 40, False)
    s1 = scc_decoding(4, 10, "s1", forced)  # no cap (s1's auto); the markers' <|im_start|> written back
    assert (s1.max_thinking_tokens, s1.num_ignore, s1.ignore_str, s1.budget, s1.count_to_answer) == \
        (None, 4 if forced else 8, "<|im_start|>", 40, True)


def test_tokens_before_counts_up_to_the_first_answer_delimiter():
    delimiter = [1, 9]
    assert tokens_before([5, 5, 5, 1, 9, 7], delimiter, 3) == 3  # the end of thinking itself
    assert tokens_before([5, 1, 9, 5, 1, 1, 9, 7], delimiter, 5) == 1  # the model's own answer inside thinking
    assert tokens_before([5, 5, 5, 2, 1, 9], delimiter, 3) == 3  # the cap's "\n" before the delimiter is not thinking
    assert tokens_before([5, 5], delimiter, 2) == 2


# -- the stage on scripted models ------------------------------------------------------------------------
HUB = {"aime24": "simplescaling/aime24_nofigures", "math500": "HuggingFaceH4/MATH-500"}
# math500 first, so that AIME24's questions are not a prefix of the test set
TEST = [{"id": "m0", "question": "Coins: 1 1. Half?", "answer": "\\frac{1}{2}", "source": HUB["math500"],
         "benchmark": "math"},
        {"id": "a0", "question": "Coins: 5 7. Total?", "answer": "12", "source": HUB["aime24"], "benchmark": "aime"},
        {"id": "m1", "question": "Coins: 3 3. Half?", "answer": "\\frac{3}{2}", "source": HUB["math500"],
         "benchmark": "math"},
        {"id": "a1", "question": "Coins: 3 4. Total?", "answer": "7", "source": HUB["aime24"], "benchmark": "aime"}]
RIGHT = {t["question"]: t["answer"] for t in TEST}
# the step model's thinking: its countdown, with s1's markers, past its budget of 2 steps
S1_STEPS = "\n<|im_start|>2 steps left\n1+1<|im_start|>1 steps left\n2+2<|im_start|>0 steps left\n3+3"
EARLY = "\n<|im_start|>2 steps left\n1+1<|im_start|>answer\nFinal Answer: 2"  # answers inside its thinking


class Script(dict):
    """Replies by prompt: every question with any instruction; long prompts think longer, wrong on AIME."""

    def __init__(self, steps: str = "", early: frozenset = frozenset()):
        super().__init__()
        self.steps, self.early = steps, early

    def __missing__(self, key):
        question, _, instruction = key.partition("\n\n")
        thinking = "12345"
        if "steps" in instruction and self.steps:
            thinking = EARLY if question in self.early else self.steps
        elif "long" in instruction:
            thinking = "1234567890"
        elif "short" in instruction:
            thinking = "12"
        wrong = "long" in instruction and RIGHT[question].isdigit()
        return [Reply(thinking=thinking, answers=["99" if wrong else RIGHT[question]])]


class FakeJudge:
    """A judge that says "the same answer" and notes what had happened when it was asked."""

    identity = "fake judge"

    def __init__(self, events):
        self.events = events

    def ask(self, prompts):
        self.events.append(("judge", len(prompts)))
        return ["1"] * len(prompts)


def logged(engine, name, events):
    engine.close = lambda: events.append(("close", name))

    def load():
        events.append(("load", name))
        return engine
    return load


def run_stage(tokenizer, test, config, events, grader=None, options=None, steps=""):
    conditional = ScriptedEngine(tokenizer, Script(steps, frozenset({TEST[3]["question"]})), max_context=512)
    tuned = ScriptedEngine(tokenizer, Script(), max_context=512)
    rows = control_stage.evaluate_control(
        {"conditional": logged(conditional, "conditional", events), "sft": logged(tuned, "sft", events)}, test,
        config, 16, "tiny", 3, 5, 200, grader or Grader(GradingOptions(), FakeJudge(events)), options)
    return rows, conditional, tuned


CONFIG = ControlConfig(token_budgets=[4, 8], step_budgets=[2], rejection_budgets=[5, 20])


def test_decoding_comes_first_then_one_judge_batch_after_every_engine_closed(tokenizer):
    events = []
    grader = Grader(GradingOptions(), FakeJudge(events))
    rows, _, _ = run_stage(tokenizer, TEST, dataclasses.replace(CONFIG, class_prompts="s1"), events, grader)
    # the conditional model, then the SFT model (s1's CCC), each closed before the next loads; the judge last
    assert events[:4] == [("load", "conditional"), ("close", "conditional"), ("load", "sft"), ("close", "sft")]
    assert [e[0] for e in events[4:]] == ["judge"]
    # the judge saw every MATH500 output of all 10 settings at once (their answers are not integers)
    assert events[4] == ("judge", 2) and grader.counts == {"math500": {"asked": 20, "changed": 0}}
    assert all(r["accuracy"] == 1.0 for method in ("TCC", "SCC", "plain prompt") for r in rows[method])


def test_an_engine_given_as_an_object_is_left_open(tokenizer):
    engine = ScriptedEngine(tokenizer, Script(), max_context=512)
    control_stage.evaluate_control({"conditional": engine}, TEST[:2], CONFIG, 16, "tiny", 3, 5, 200)
    assert engine.closed == 0


@pytest.mark.parametrize("prompts", ["s1kit", "s1"])
def test_ccc_runs_its_prompts_on_the_model_the_option_names(tokenizer, prompts):
    events = []
    rows, conditional, tuned = run_stage(tokenizer, TEST, dataclasses.replace(CONFIG, class_prompts=prompts),
                                         events, options={"cap_newline": "if_missing"})
    short, long = class_prompts(prompts)
    asked = conditional.prompts if prompts == "s1kit" else tuned.prompts
    assert sum(short in p for p in asked) == len(TEST) and sum(long in p for p in asked) == len(TEST)
    if prompts == "s1":  # the SFT model: the CCC prompts and its own plain reference, nothing else
        assert len(tuned.prompts) == 3 * len(TEST) and not any(short in p for p in conditional.prompts)
        assert [r["thinking_tokens"] for r in rows["CCC plain prompt"]] == [5]
    else:
        assert not tuned.prompts and "CCC plain prompt" not in rows
    assert [r["instruction"] for r in rows["CCC"]] == [short, long]
    assert [r["thinking_tokens"] for r in rows["CCC"]] == [2, 10] and all(r["follows"] for r in rows["CCC"])
    assert [r["accuracy"] for r in rows["CCC"]] == [1.0, 0.5]  # the long prompt's AIME answers are wrong
    # every decoding took the profile's forcing options
    assert all(c.cap_newline == "if_missing" for c in conditional.configs + tuned.configs)


@pytest.mark.parametrize("marker", ["s1kit", "s1"])
def test_scc_rows_with_each_marker(tokenizer, marker):
    events = []
    rows, conditional, _ = run_stage(tokenizer, TEST, dataclasses.replace(CONFIG, step_marker=marker), events,
                                     steps=S1_STEPS if marker == "s1" else "")
    scc = [c for c in conditional.configs if c.ignore_str == "<|im_start|>"]
    encode = lambda text: tokenizer.encode(text, add_special_tokens=False)  # noqa: E731
    if marker == "s1kit":  # today's: no forcing, or a cap of 2 steps x 5 tokens
        assert not scc
        assert [(r["cap"], r["budget"]) for r in rows["SCC"] + rows["SCC + BF"]] == [(None, 10), (10, 10)]
        assert rows["SCC + BF"][0]["thinking_tokens"] == 5 and "max_markers" not in rows["SCC"][0]
        return
    assert [(c.num_ignore, c.max_thinking_tokens) for c in scc] == [(4, None), (2, None)]
    assert [(r["cap"], r["budget"], r["max_markers"]) for r in rows["SCC"] + rows["SCC + BF"]] == \
        [(None, 10, 4), (None, 10, 2)]
    # SCC + BF: two markers written back, the third (<|im_start|>0) ends thinking, as s1's until_thinking does
    stopped = len(encode("\n<|im_start|>2 steps left\n1+1<|im_start|>1 steps left\n2+2"))
    # the question that answers inside its thinking: counted up to its own <|im_start|>answer
    early = len(encode("\n<|im_start|>2 steps left\n1+1"))
    assert rows["SCC + BF"][0]["thinking_tokens"] == pytest.approx((3 * stopped + early) / 4)
    # plain SCC passes up to 4 markers: the whole countdown, once more from the start, then the fifth ends it
    free = len(encode(S1_STEPS)) + 1 + len(encode("\n"))
    assert rows["SCC"][0]["thinking_tokens"] == pytest.approx((3 * free + early) / 4)
    assert rows["SCC"][0]["accuracy"] == rows["SCC + BF"][0]["accuracy"] == 1.0


# -- the stage: the benchmarks Table 3 runs on ----------------------------------------------------------------
def summary_json():
    point = {"max_thinking_tokens": 8, "num_ignore": 0, "accuracy": 0.5, "mean_thinking_tokens": 6.0, "ci_low": 0.1,
             "ci_high": 0.9, "accuracy_by_benchmark": {"aime24": 1.0, "math500": 0.0},
             "ci_by_benchmark": {"aime24": [1.0, 1.0], "math500": [0.0, 0.0]},
             "thinking_tokens_by_benchmark": {"aime24": 4.0, "math500": 8.0}}
    return {"n_test": 4, "n_test_by_benchmark": {"aime24": 2, "math500": 2},
            "budget_forcing": [point, dict(point, max_thinking_tokens=None, num_ignore=1)]}


# the SFT model's voting samples, per test question in test order: thinking tokens and verdicts
SAMPLES = {"thinking_tokens": [[3], [30, 10], [4], [15, 2]], "correct": [[True], [False, True], [True], [True, False]]}


def fake_run(tmp_path, config, samples=SAMPLES):
    profile = dataclasses.replace(load_profile("tiny"), control=config)
    stage_dir = lambda name: tmp_path / name  # noqa: E731
    write_jsonl(stage_dir("sourcing") / "test.jsonl", TEST)
    write_json(stage_dir("control_sft") / "train_report.json", {"max_step_tokens": 5, "wall_s": 1.5})
    write_json(stage_dir("evaluation") / "summary.json", summary_json())
    if samples is not None:
        write_json(stage_dir("parallel") / "sft_samples.json", samples)
    return SimpleNamespace(profile=profile, stage_dir=stage_dir)


def compute(tmp_path, monkeypatch, tokenizer, config, samples=SAMPLES):
    run = fake_run(tmp_path, config, samples)
    engines = {"control_sft": ScriptedEngine(tokenizer, Script(), max_context=512),
               "sft": ScriptedEngine(tokenizer, Script(), max_context=512)}
    monkeypatch.setattr(control_stage, "engine_for", lambda run, path, batch_size: engines[Path(path).name])
    events = []
    monkeypatch.setattr(control_stage, "grader_for", lambda run: Grader(GradingOptions(), FakeJudge(events)))
    out = tmp_path / "out"
    out.mkdir()
    control_stage.compute(run, out)
    return json.loads((out / "control.json").read_text()), engines


def test_the_stage_runs_every_method_on_the_named_benchmarks_questions(tmp_path, monkeypatch, tokenizer):
    result, engines = compute(tmp_path, monkeypatch, tokenizer, dataclasses.replace(CONFIG, benchmarks=["aime24"]))
    aime = [t["question"] for t in TEST if t["source"] == HUB["aime24"]]
    asked = {engines["control_sft"].question_of(p).split("\n\n")[0] for p in engines["control_sft"].prompts}
    assert asked == set(aime)
    assert (result["benchmarks"], result["n_questions"]) == (["aime24"], 2)
    # BF: the main sweep's AIME24 numbers, not the pooled ones
    assert [(r["accuracy"], r["thinking_tokens"], r["ci_low"]) for r in result["rows"]["BF"]] == [(1.0, 4.0, 1.0)] * 2
    # RS: the samples of AIME24's questions (the 2nd and 4th of the test set)
    aime_samples = ([[30, 10], [15, 2]], [[False, True], [True, False]])
    assert result["rows"]["RS"] == [rejection_sample(*aime_samples, budget) for budget in (5, 20)]
    assert "skipped_methods" not in result and result["judge"] == {}  # AIME's integers never go to the judge
    assert set(result["metrics"]) == {"BF", "TCC", "TCC + BF", "SCC", "SCC + BF", "CCC", "RS"}
    assert (result["class_prompts"], result["step_marker"]) == ("s1kit", "s1kit")


def test_the_stage_pools_every_benchmark_when_none_is_named(tmp_path, monkeypatch, tokenizer):
    result, engines = compute(tmp_path, monkeypatch, tokenizer, CONFIG)
    assert (result["benchmarks"], result["n_questions"]) == (["aime24", "math500"], 4)
    assert [(r["accuracy"], r["thinking_tokens"]) for r in result["rows"]["BF"]] == [(0.5, 6.0)] * 2
    assert result["rows"]["RS"] == [rejection_sample(SAMPLES["thinking_tokens"], SAMPLES["correct"], b)
                                    for b in (5, 20)]
    # MATH500's fractions go to the judge in every setting: 2 questions x 9 settings
    assert result["judge"] == {"math500": {"asked": 18, "changed": 0}}


def test_bf_rows_on_several_named_benchmarks_weigh_them_by_their_questions():
    rows = control_stage.bf_rows(dict(summary_json(), n_test_by_benchmark={"aime24": 1, "math500": 3}),
                                 ["aime24", "math500"])
    assert [(r["accuracy"], r["thinking_tokens"], r["ci_low"]) for r in rows] == [(0.25, 7.0, None)] * 2


@pytest.mark.parametrize("samples", [None, {}, {"thinking_tokens": [], "correct": []}])
def test_rs_is_skipped_with_a_reason_when_the_sft_model_was_not_sampled(tmp_path, monkeypatch, tokenizer, samples):
    result, _ = compute(tmp_path, monkeypatch, tokenizer, dataclasses.replace(CONFIG, benchmarks=["aime24"]),
                        samples)
    assert result["rows"]["RS"] == [] and "RS" not in result["metrics"]
    assert "did not sample the SFT model" in result["skipped_methods"]["RS"]


def test_rs_reads_samples_by_question_id_or_in_test_order():
    ids = [t["id"] for t in TEST]
    aime = {"ids": ["a0", "a1"], "thinking_tokens": [[30, 10], [15, 2]], "correct": [[False, True], [True, False]]}
    by_id, why = control_stage.rs_rows(aime, ["a0", "a1"], ids, [5, 20])  # the parallel stage sampled AIME24 only
    assert not why and by_id == control_stage.rs_rows(SAMPLES, ["a0", "a1"], ids, [5, 20])[0]
    assert by_id == [rejection_sample(aime["thinking_tokens"], aime["correct"], b) for b in (5, 20)]
    # samples of other questions than Table 3's, or not one list per question: no rows, and why
    rows, why = control_stage.rs_rows(aime, ["m0", "a0"], ids, [5])
    assert rows == [] and "no samples of 1 of Table 3's 2 questions (the first: m0)" in why
    rows, why = control_stage.rs_rows(SAMPLES, ["a0"], ids + ["x"], [5])
    assert rows == [] and "samples of 4 questions, not of the 5" in why


def test_a_benchmark_the_run_lacks_is_refused_by_name():
    with pytest.raises(ValueError, match=r"gpqa_diamond.*\['aime24', 'math500'\]"):
        benchmark_questions(TEST, ["gpqa_diamond"])
    assert benchmark_questions(TEST, []) == [0, 1, 2, 3] and benchmark_questions(TEST, ["aime24"]) == [1, 3]


def test_the_stage_keys_name_the_options():
    tiny = load_profile("tiny")
    assert control_stage.settings(tiny)["grading"] == grading_settings(tiny)  # the judge's replies change grades
    assert set(control_sft.settings(tiny)) == {"seed", "enabled", "sft"}  # today's key for today's data
    s1 = dataclasses.replace(tiny, control=ControlConfig(class_prompts="s1", step_marker="s1"))
    assert (control_sft.settings(s1)["class_prompts"], control_sft.settings(s1)["step_marker"]) == ("s1", "s1")


# -- Table 3's report on what the stage writes ------------------------------------------------------------------
def reference_control():
    from report_inputs import reference_json

    return reference_json("tiny", "experiments/control/control.json")


def test_the_report_names_the_questions_only_at_paper_scale():
    from s1kit.report import table3

    tiny = reference_control()
    lines = table3.notes(tiny)
    # the tiny world's one test set: the same sentences with or without the stage's new keys
    assert table3.notes(dict(tiny, benchmarks=["tiny"], n_questions=500, judge={})) == lines
    assert table3.scope(tiny) == "" and not any("Measured on" in line for line in lines)
    aime = dict(tiny, benchmarks=["aime24"], n_questions=30)
    assert table3.scope(aime) == "AIME24 (30 questions)" and table3.like_the_paper(aime)
    assert table3.notes(aime)[0].startswith("**Measured on AIME24 (30 questions)**, the paper's")
    pooled = dict(tiny, benchmarks=["aime24", "math500", "gpqa_diamond"], n_questions=728)
    assert table3.scope(pooled) == "AIME24, MATH500 and GPQA Diamond pooled (728 questions)"
    assert "not like for like" in table3.notes(pooled)[0]


def test_the_report_without_rs_says_why(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from report_inputs import results_of

    from s1kit.report import table3

    tiny = reference_control()
    why = "the parallel stage did not sample the SFT model (parallel/sft_samples.json has no samples)"
    no_rs = dict(tiny, rows=dict(tiny["rows"], RS=[]), metrics={k: v for k, v in tiny["metrics"].items() if k != "RS"},
                 skipped_methods={"RS": why})
    assert f"**Rejection sampling** was not run in this profile: {why}." in table3.notes(no_rs)
    found = table3.findings(results_of(tmp_path, {table3.CONTROL_FILE: no_rs}))
    assert not any("Rejection sampling" in f.claim for f in found) and len(found) == 11
    assert "RS" not in table3.control_table(no_rs).index
    assert len(table3.control_figure(no_rs).axes[0].lines) == len(table3.MARKERS) - 1


def test_the_stage_takes_rs_from_samples_of_its_questions_only(tmp_path, monkeypatch, tokenizer):
    # what the parallel stage writes when the SFT model is sampled for Table 3 alone: AIME24's questions, by id
    aime = {"ids": ["a0", "a1"], "thinking_tokens": [[30, 10], [15, 2]], "correct": [[False, True], [True, False]]}
    result, _ = compute(tmp_path, monkeypatch, tokenizer, dataclasses.replace(CONFIG, benchmarks=["aime24"]), aime)
    assert result["rows"]["RS"] == [rejection_sample(aime["thinking_tokens"], aime["correct"], b) for b in (5, 20)]
