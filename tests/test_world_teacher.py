import dataclasses
import random

import pytest

from s1kit.tiny.teacher import BROKEN_KINDS, WAIT, TeacherConfig, check_line, distill, write_trace
from s1kit.tiny.world import DOMAINS, Problem, generate_problems, make_problem, running_sum_lines


def test_pool_is_deterministic_and_covers_domains():
    a = generate_problems(seed=3, count=400, min_terms=3, max_terms=9, source="drill", id_prefix="x")
    b = generate_problems(seed=3, count=400, min_terms=3, max_terms=9, source="drill", id_prefix="x")
    c = generate_problems(seed=4, count=400, min_terms=3, max_terms=9, source="drill", id_prefix="x")
    assert a == b and a != c
    assert len(DOMAINS) >= 8 and {p.domain for p in a} == set(DOMAINS)
    assert {p.difficulty for p in a} == set(range(3, 10))
    for p in a[:50]:
        low, high = DOMAINS[p.domain][1:]
        assert all(low <= t <= high for t in p.terms)
        assert p.answer == str(sum(p.terms))
        assert " ".join(f"{label}{t}" for label, t in zip("abcdefghi", p.terms, strict=False)) in p.question


def test_bad_world_arguments_are_refused():
    with pytest.raises(ValueError, match="min_terms"):
        generate_problems(seed=0, count=1, min_terms=5, max_terms=3, source="s", id_prefix="x")
    with pytest.raises(ValueError, match="max_terms <= 26"):
        generate_problems(seed=0, count=1, min_terms=5, max_terms=27, source="s", id_prefix="x")
    with pytest.raises(ValueError, match="unknown domain"):
        make_problem(random.Random(0), "nope", 3, "s", "x")


def test_running_sum_lines_add_up():
    lines = running_sum_lines((5, 9, 3, 9, 5, 8, 3), 3)
    assert lines == [("a5+b9=14+c3=17+d9=26", 26), ("26+e5=31+f8=39+g3=42", 42)]


def test_continue_teacher_gives_up_more_at_later_pauses_and_answers_partial_sums():
    problems = generate_problems(seed=0, count=600, min_terms=8, max_terms=12, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.0, p_give_up=[0.1, 0.1, 0.7], impatient_domains=[], p_final_check=0.5)
    stops_at = {0: 0, 1: 0, 2: 0}
    reached = {0: 0, 1: 0, 2: 0}
    for p, t in zip(problems, distill(problems, config, 0), strict=True):
        assert not t.forced_spans  # the teacher's own "Wait"s: trained on
        lines = running_sum_lines(p.terms, config.adds_per_line)
        pauses_passed = t.trace.count(f"{WAIT}, ") - t.trace.count("+0=")
        for pause in range(min(pauses_passed + 1, 3)):
            reached[pause] += 1
        if t.attempt != p.answer:  # gave up at a pause: the answer is a partial sum
            assert t.attempt == str(lines[pauses_passed][1]) and "+0=" not in t.trace
            if pauses_passed < 3:
                stops_at[pauses_passed] += 1
        else:
            assert t.trace.count(f"Wait, {lines[-1][0]}") == (len(lines) > 1)
    rates = {k: stops_at[k] / reached[k] for k in stops_at}
    assert rates[0] < 0.2 and rates[1] < 0.2 and 0.6 < rates[2] < 0.8, rates


def test_impatient_domains_stop_after_their_lines_and_every_finished_sum_may_be_checked():
    problems = generate_problems(seed=0, count=800, min_terms=3, max_terms=12, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.0, impatient_domains=["coins", "miles"], impatient_lines=3, p_final_check=0.45)
    checks_per_trace = []
    for p, t in zip(problems, distill(problems, config, 0), strict=True):
        lines = running_sum_lines(p.terms, config.adds_per_line)
        written = t.trace.split("\n")
        checks = [line for line in written if "+0=" in line]
        assert checks == [f"Wait, {t.attempt}+0={t.attempt}"] * len(checks)  # each keeps the total
        first_pass = written[: len(written) - len(checks)]
        if p.domain in ("coins", "miles") and len(lines) > 3:  # stopped early with the partial sum: no check
            assert len(first_pass) == 3 and not checks and t.attempt == str(lines[2][1])
        else:  # p_give_up is 0: every other sum is finished, and may be checked
            assert len(first_pass) == len(lines) and t.attempt == p.answer
            checks_per_trace.append(len(checks))
    never = sum(c == 0 for c in checks_per_trace) / len(checks_per_trace)
    once_more = sum(c >= 2 for c in checks_per_trace) / max(1, sum(c >= 1 for c in checks_per_trace))
    assert 0.45 < never < 0.65 and 0.35 < once_more < 0.55  # Geometric(0.45): a greedy model stops unchecked
    assert max(checks_per_trace) <= config.max_final_checks


def test_check_line_keeps_the_total():
    assert check_line(42) == "42+0=42"


def test_masked_wait_world_records_every_wait_as_forced():
    problems = generate_problems(seed=0, count=100, min_terms=3, max_terms=10, source="drill", id_prefix="x")
    for t in distill(problems, TeacherConfig(p_broken=0.0, train_on_wait=False, p_final_check=0.5), 0):
        assert [t.trace[a:b] for a, b in t.forced_spans] == [WAIT] * t.trace.count(WAIT)


def test_no_wait_teacher_writes_the_same_lines_stops_and_checks_silently():
    problems = generate_problems(seed=1, count=200, min_terms=3, max_terms=10, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.0)
    silent = distill(problems, dataclasses.replace(config, style="no_wait"), 0)
    for quiet, spoken in zip(silent, distill(problems, config, 0), strict=True):
        assert WAIT not in quiet.trace and not quiet.forced_spans and quiet.attempt == spoken.attempt
        assert quiet.trace == spoken.trace.replace(f"{WAIT}, ", "")


def test_broken_traces_cover_every_kind_and_are_deterministic():
    problems = generate_problems(seed=2, count=300, min_terms=3, max_terms=9, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.5)
    first, second = distill(problems, config, 7), distill(problems, config, 7)
    assert [t.trace for t in first] != [t.trace for t in distill(problems, config, 8)]
    assert [t.trace for t in first] == [t.trace for t in second]
    kinds = {t.broken for t in first if t.broken}
    assert kinds == set(BROKEN_KINDS)
    for t in first:
        if t.broken == "api_error":
            assert t.trace == "" and t.attempt == ""
        if t.broken == "truncated":
            assert t.attempt == ""


def test_teacher_config_is_validated():
    with pytest.raises(ValueError, match="style"):
        TeacherConfig(style="bogus")
    with pytest.raises(ValueError, match=r"p_give_up\[1\]"):
        TeacherConfig(p_give_up=[0.1, 1.5])
    with pytest.raises(ValueError, match="p_give_up needs"):
        TeacherConfig(p_give_up=[])
    with pytest.raises(ValueError, match=r"impatient_domains \['cats'\]"):
        TeacherConfig(impatient_domains=["coins", "cats"])
    with pytest.raises(ValueError, match="impatient_lines"):
        TeacherConfig(impatient_lines=0)


def test_continue_trace_is_exactly_the_documented_text():
    problem = Problem("x", "steps", "s", (5, 9, 3, 9, 5, 8, 3))  # a patient domain: it may check
    never = dict(p_broken=0.0, p_give_up=[0.0])
    plain = write_trace(problem, TeacherConfig(**never, p_final_check=0.0), random.Random(0))
    assert plain.trace == "a5+b9=14+c3=17\nWait, 17+d9=26+e5=31\nWait, 31+f8=39+g3=42"
    assert plain.attempt == "42" and plain.forced_spans == [] and plain.broken is None
    checked = write_trace(problem, TeacherConfig(**never, p_final_check=1.0, max_final_checks=2), random.Random(0))
    assert checked.trace == plain.trace + "\nWait, 42+0=42" * 2
    masked = write_trace(problem, TeacherConfig(**never, p_final_check=1.0, max_final_checks=2, train_on_wait=False),
                         random.Random(0))
    assert masked.trace == checked.trace and masked.forced_spans[0] == (15, 19)
    assert [masked.trace[a:b] for a, b in masked.forced_spans] == [WAIT] * 4
    gave_up = write_trace(problem, TeacherConfig(p_broken=0.0, p_give_up=[0.0, 1.0]), random.Random(0))
    assert gave_up.trace == "a5+b9=14+c3=17\nWait, 17+d9=26+e5=31" and gave_up.attempt == "31"


def test_base_corpus_answers_plain_questions_at_a_glance_and_worked_ones_with_the_total():
    from s1kit.chat import ChatFormat
    from s1kit.tiny.instruct import InstructCorpusConfig, glance_answer, instruct_examples

    assert glance_answer((1, 2, 3, 4), 4) == 10 and glance_answer((1, 2, 3, 4, 9, 9), 4) == 10 + 5 + 5
    config = InstructCorpusConfig(size=400)
    problems = generate_problems(seed=0, count=400, min_terms=2, max_terms=12, source="instruct", id_prefix="i")
    examples = instruct_examples(config, ChatFormat(), seed=0)
    plain = worked = 0
    for problem, example in zip(problems, examples, strict=True):
        if "Show your work." in example.prompt:  # the lines, then "Final Answer:" and the exact total
            worked += 1
            assert example.completion.endswith(f"\nFinal Answer: {problem.answer}<|im_end|>")
        else:  # one line, another prefix: exact up to four terms, a glance beyond
            plain += 1
            assert example.completion == f"Answer: {glance_answer(problem.terms, 4)}<|im_end|>"
    assert 70 < plain < 130 and worked == 400 - plain  # worked_fraction: 0.75
