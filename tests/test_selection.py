from collections import Counter

import pytest

from s1kit.selection import check_records, difficulty_filter, diversity_select, quality_filter


def record(i, domain="a", source="drill", trace=None, attempt="5", answer="5", question=None):
    return {"id": f"r{i:04d}", "question": question or f"q{i}", "answer": answer, "domain": domain,
            "source": source, "trace": trace if trace is not None else "x" * (i % 50 + 1), "attempt": attempt}


def test_quality_filter_drops_each_problem_once():
    records = [record(0), record(1, trace=""), record(2, attempt=""), record(3, trace="####~~~ art"),
               record(4, question="in the test"), record(5, question="q0"), record(6), record(7, answer=""),
               record(8, question="Find x.\n[asy]draw((0,0)--(1,1));[/asy]"),
               record(9, question="p1. Find x. p2. Find y."), record(10, question="Solve **12** things"),
               record(11, question="![Image](fig.png) How many?"),
               record(12, question="[asy]unitsize(1cm);[/asy] Find AB.", source="qq8933/AIME_1983_2024")]
    kept, dropped = quality_filter(records, eval_questions=["in the test"])
    assert [r["id"] for r in kept] == ["r0000", "r0006", "r0012"]  # an AIME figure stays, as in s1
    assert dropped == Counter(api_error=1, no_answer=1, malformed_trace=1, contaminated=1, duplicate=1,
                              no_reference=1, formatting=4)


def test_seed_rules_of_algorithm_1():
    """Correct AIME/GPQA attempts are taken whole; correct MATH ones only with a trace over the threshold."""
    boxed = "... so the answer is $\\boxed{204}$."
    records = [record(0, source="qq8933/AIME_1983_2024", attempt=boxed, answer="204"),
               record(1, source="qq8933/AIME_1983_2024", attempt="Answer: 13", answer="204"),
               record(2, source="qfq/openaimath/Algebra", attempt=boxed, answer="204", trace="x" * 6000),
               record(3, source="qfq/openaimath/Algebra", attempt=boxed, answer="204", trace="x" * 100),
               record(4, source="qfq/openaimath/Algebra", attempt="\\boxed{1}", answer="204", trace="x" * 6000)]
    records += [record(i, domain=f"d{i % 3}") for i in range(5, 40)]
    for r in records[:5]:
        r["benchmark"] = "math"
    chosen = diversity_select(records, 10, lambda r: len(r["trace"]), seed=0, seed_sources=["qq8933/AIME_1983_2024"],
                              long_seed_sources={"qfq/openaimath": 5600})
    assert [r["id"] for r in chosen[:2]] == ["r0000", "r0002"]
    assert not {"r0001", "r0004"} & {r["id"] for r in chosen[:2]}


def test_malformed_records_are_refused_by_name():
    with pytest.raises(ValueError, match="missing field\\(s\\) \\['trace'\\]"):
        check_records([{k: v for k, v in record(0).items() if k != "trace"}])
    with pytest.raises(ValueError, match="not a mapping"):
        quality_filter(["just a string"])


def test_difficulty_filter_keeps_what_the_base_model_fails():
    records = [record(i) for i in range(6)]
    kept, dropped = difficulty_filter(records, lambda batch: [int(r["id"][1:]) % 2 == 0 for r in batch])
    assert [r["id"] for r in kept] == ["r0001", "r0003", "r0005"]
    assert dropped["solved_by_base"] == 3
    with pytest.raises(ValueError, match="verdicts"):
        difficulty_filter(records, lambda batch: [True])


def make_pool():
    pool = [record(i, domain=d) for d, n in (("a", 400), ("b", 60), ("c", 15)) for i in range(n)]
    for index, r in enumerate(pool):
        r["id"] = f"{r['domain']}{index:04d}"
        r["trace"] = "x" * (index * 7919 % 300 + 1)
    pool += [record(9000 + i, domain="a", source="contest", answer="5", attempt="5" if i % 2 else "6")
             for i in range(10)]
    return pool


def test_diversity_select_follows_algorithm_1():
    pool = make_pool()
    length = lambda r: len(r["trace"])  # noqa: E731
    chosen = diversity_select(pool, 100, length, seed=0, seed_sources=["contest"])
    assert len(chosen) == 100 and len({r["id"] for r in chosen}) == 100
    seeded = [r for r in chosen if r["source"] == "contest"]
    assert len(seeded) == 5 and all(r["attempt"] == r["answer"] for r in seeded)  # correct contest ones only
    rest = Counter(r["domain"] for r in chosen if r["source"] != "contest")
    assert rest["c"] == 15  # a small domain is exhausted and dropped; the others share the rest
    assert abs(rest["a"] - rest["b"]) <= 20
    # 2^-rank: picks inside a domain are the longest traces, nearly in order
    b_lengths = sorted((length(r) for r in pool if r["domain"] == "b"), reverse=True)
    chosen_b = sorted((length(r) for r in chosen if r["domain"] == "b"), reverse=True)
    assert sum(chosen_b) >= 0.9 * sum(b_lengths[: len(chosen_b)])
    assert chosen == diversity_select(pool, 100, length, seed=0, seed_sources=["contest"])
    assert chosen != diversity_select(pool, 100, length, seed=1, seed_sources=["contest"])


def test_diversity_select_refuses_impossible_sizes():
    with pytest.raises(ValueError, match="cannot select"):
        diversity_select([record(i) for i in range(5)], 10, lambda r: 1, seed=0)
    with pytest.raises(ValueError, match="positive"):
        diversity_select([record(0)], 0, lambda r: 1, seed=0)


def test_a_released_selection_is_taken_whole_with_its_thinking_lengths(tokenizer):
    from s1kit.selection import released_s1k

    records = [record(i, trace="x" * (i + 3)) for i in range(4)]
    chosen, candidates, funnel = released_s1k(records, tokenizer)
    assert [r["id"] for r in chosen] == [r["id"] for r in records] and candidates == []
    assert [r["thinking_tokens"] for r in chosen] == [3, 4, 5, 6]  # one token per character in the tiny tokenizer
    assert funnel == [{"step": "released selection", "kept": 4}] and "thinking_tokens" not in records[0]
