import random

import pytest

from s1kit.tiny.teacher import BROKEN_KINDS, WAIT, TeacherConfig, distill, running_sum_lines, write_trace
from s1kit.tiny.world import DOMAINS, Problem, generate_problems, make_problem


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
        assert " ".join(map(str, p.terms)) in p.question


def test_bad_world_arguments_are_refused():
    with pytest.raises(ValueError, match="min_terms"):
        generate_problems(seed=0, count=1, min_terms=5, max_terms=3, source="s", id_prefix="x")
    with pytest.raises(ValueError, match="unknown domain"):
        make_problem(random.Random(0), "nope", 3, "s", "x")


def test_running_sum_lines_add_up():
    lines = running_sum_lines((5, 9, 3, 9, 5, 8, 3), 3)
    assert lines == [("5+9=14+3=17+9=26", 26), ("26+5=31+8=39+3=42", 42)]


def test_continue_teacher_forced_spans_are_the_waits_and_answers_are_sums():
    problems = generate_problems(seed=0, count=300, min_terms=3, max_terms=10, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.0, p_give_up=0.3, p_final_check=0.5)
    gave_up = 0
    for p, t in zip(problems, distill(problems, config, 0), strict=True):
        assert [t.trace[a:b] for a, b in t.forced_spans] == [WAIT] * t.trace.count(WAIT)
        lines = running_sum_lines(p.terms, 3)
        if t.attempt != p.answer:  # gave up at a pause: the answer is a partial sum
            gave_up += 1
            assert t.attempt in {str(total) for _, total in lines[:-1]}
            assert not t.trace.rstrip().endswith(".")
        else:
            assert t.trace.count(f"Wait, {lines[-1][0]}") == (len(lines) > 1)
    assert 0 < gave_up < len(problems) / 2


def test_styles_differ_as_documented():
    problems = generate_problems(seed=1, count=200, min_terms=7, max_terms=10, source="drill", id_prefix="x")
    no_wait = distill(problems, TeacherConfig(style="no_wait", p_broken=0.0), 0)
    assert all(WAIT not in t.trace and not t.forced_spans for t in no_wait)
    weak = distill(problems, TeacherConfig(style="weak_check", p_broken=0.0, p_final_check=1.0), 0)
    for p, t in zip(problems, weak, strict=True):
        assert "Wait, let me check:" in t.trace and t.attempt == p.answer  # never gives up
        reverse = running_sum_lines(p.terms[::-1], 3)
        assert t.trace.endswith(reverse[-1][0])


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
    with pytest.raises(ValueError, match="p_give_up"):
        TeacherConfig(p_give_up=1.5)


def test_continue_trace_is_exactly_the_documented_text():
    problem = Problem("x", "coins", "s", (5, 9, 3, 9, 5, 8, 3))
    plain = write_trace(problem, TeacherConfig(p_broken=0.0, p_give_up=0.0, p_final_check=0.0), random.Random(0))
    assert plain.trace == "5+9=14+3=17+9=26\nWait, 26+5=31+8=39+3=42"
    assert plain.attempt == "42" and plain.forced_spans == [(17, 21)] and plain.broken is None
    checked = write_trace(problem, TeacherConfig(p_broken=0.0, p_give_up=0.0, p_final_check=1.0, max_final_checks=2),
                          random.Random(0))
    assert checked.trace == plain.trace + "\nWait, all numbers are added: 42." * 2
    assert [checked.trace[a:b] for a, b in checked.forced_spans] == [WAIT] * 3
    gave_up = write_trace(problem, TeacherConfig(p_broken=0.0, p_give_up=1.0), random.Random(0))
    assert gave_up.trace == "5+9=14+3=17+9=26" and gave_up.attempt == "26" and gave_up.forced_spans == []
