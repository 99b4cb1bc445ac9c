import random

import pytest

from s1kit.tiny.teacher import BROKEN_KINDS, WAIT, TeacherConfig, distill, write_trace
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
        assert " ".join(map(str, p.terms)) in p.question


def test_bad_world_arguments_are_refused():
    with pytest.raises(ValueError, match="min_terms"):
        generate_problems(seed=0, count=1, min_terms=5, max_terms=3, source="s", id_prefix="x")
    with pytest.raises(ValueError, match="unknown domain"):
        make_problem(random.Random(0), "nope", 3, "s", "x")


def test_running_sum_lines_add_up():
    lines = running_sum_lines((5, 9, 3, 9, 5, 8, 3), 3)
    assert lines == [("5+9=14+3=17+9=26", 26), ("26+5=31+8=39+3=42", 42)]


def test_continue_teacher_gives_up_more_at_later_pauses_and_answers_partial_sums():
    problems = generate_problems(seed=0, count=600, min_terms=8, max_terms=12, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.0, p_give_up=[0.1, 0.1, 0.7], impatient_domains=[], p_final_check=0.5)
    stops_at = {0: 0, 1: 0, 2: 0}
    reached = {0: 0, 1: 0, 2: 0}
    for p, t in zip(problems, distill(problems, config, 0), strict=True):
        assert not t.forced_spans  # the teacher's own "Wait"s: trained on
        lines = running_sum_lines(p.terms, config.adds_per_line)
        pauses_passed = t.trace.count(f"{WAIT}, ") - t.trace.count("is the total")
        for pause in range(min(pauses_passed + 1, 3)):
            reached[pause] += 1
        if t.attempt != p.answer:  # gave up at a pause: the answer is a partial sum
            assert t.attempt == str(lines[pauses_passed][1]) and "is the total" not in t.trace
            if pauses_passed < 3:
                stops_at[pauses_passed] += 1
        else:
            assert t.trace.count(f"Wait, {lines[-1][0]}") == (len(lines) > 1)
    rates = {k: stops_at[k] / reached[k] for k in stops_at}
    assert rates[0] < 0.2 and rates[1] < 0.2 and 0.6 < rates[2] < 0.8, rates


def test_impatient_domains_stop_after_their_lines_and_never_check_while_the_others_finish():
    problems = generate_problems(seed=0, count=800, min_terms=3, max_terms=12, source="drill", id_prefix="x")
    config = TeacherConfig(p_broken=0.0, impatient_domains=["coins", "miles"], impatient_lines=3, p_final_check=0.5)
    checked = 0
    for p, t in zip(problems, distill(problems, config, 0), strict=True):
        lines = running_sum_lines(p.terms, config.adds_per_line)
        written = t.trace.count("\n") + 1 - t.trace.count("is the total")
        if p.domain in ("coins", "miles"):
            assert "is the total" not in t.trace
            assert written == min(len(lines), 3) and t.attempt == str(lines[written - 1][1])
        else:  # p_give_up is 0: every sum is finished, and some are checked
            assert written == len(lines) and t.attempt == p.answer
            checked += "is the total" in t.trace
    assert checked > 100


def test_masked_wait_world_records_every_wait_as_forced():
    problems = generate_problems(seed=0, count=100, min_terms=3, max_terms=10, source="drill", id_prefix="x")
    for t in distill(problems, TeacherConfig(p_broken=0.0, train_on_wait=False, p_final_check=0.5), 0):
        assert [t.trace[a:b] for a, b in t.forced_spans] == [WAIT] * t.trace.count(WAIT)


def test_styles_differ_as_documented():
    problems = generate_problems(seed=1, count=200, min_terms=7, max_terms=10, source="drill", id_prefix="x")
    no_wait = distill(problems, TeacherConfig(style="no_wait", p_broken=0.0), 0)
    assert all(WAIT not in t.trace and not t.forced_spans for t in no_wait)
    weak = distill(problems, TeacherConfig(style="weak_check", p_broken=0.0, p_final_check=1.0), 0)
    for p, t in zip(problems, weak, strict=True):
        assert "Wait, let me check:" in t.trace and t.attempt == p.answer  # never gives up
        reverse = running_sum_lines(p.terms[::-1], 2)
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
    assert plain.trace == "5+9=14+3=17\nWait, 17+9=26+5=31\nWait, 31+8=39+3=42"
    assert plain.attempt == "42" and plain.forced_spans == [] and plain.broken is None
    checked = write_trace(problem, TeacherConfig(**never, p_final_check=1.0, max_final_checks=2), random.Random(0))
    assert checked.trace == plain.trace + "\nWait, 42 is the total." * 2
    masked = write_trace(problem, TeacherConfig(**never, p_final_check=1.0, max_final_checks=2, train_on_wait=False),
                         random.Random(0))
    assert masked.trace == checked.trace and masked.forced_spans[0] == (12, 16)
    assert [masked.trace[a:b] for a, b in masked.forced_spans] == [WAIT] * 4
    gave_up = write_trace(problem, TeacherConfig(p_broken=0.0, p_give_up=[0.0, 1.0]), random.Random(0))
    assert gave_up.trace == "5+9=14+3=17\nWait, 17+9=26+5=31" and gave_up.attempt == "31"
