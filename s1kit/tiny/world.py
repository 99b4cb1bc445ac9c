"""The tiny reasoning world: a generated pool of multi-step addition problems.

This is the tiny profile's stand-in for the paper's 59K question pool (Section 2.1). Every
problem asks for the total of a list of numbers, each named by a letter ("Coins: a7 b4 c9.
Total?"); the number of terms is the difficulty level.
Thinking matters because of the length of the list: written one line at a time the sum is easy
for a 1M-parameter transformer, while answering a long list at once the base model gives only a
glance's estimate (:mod:`s1kit.tiny.instruct`) and is almost always wrong (chapter 6 measures
how often).

Eight *domains* (problem families) differ in wording and in the range of the numbers, so the
selection stage has real domains to balance, as the paper's 50 MSC subject classes. Two
*sources* play the role of the paper's datasets: ``drill`` (the bulk, like NuminaMATH) and
``contest`` (a small, harder source, like AIME/OlympicArena), which the selection's first step
takes whole (Algorithm 1, lines 2-8).

Everything is a pure function of a seed: the same config gives the same pool, byte for byte.
At paper scale ``s1kit.sources`` loads the real pool and benchmarks in the same record schema.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# name -> (question wording, smallest term, largest term)
DOMAINS: dict[str, tuple[str, int, int]] = {
    "coins": ("Coins: {terms}. Total?", 1, 9),
    "steps": ("Steps: {terms}. Total?", 2, 9),
    "apples": ("Apples: {terms}. Total?", 1, 5),
    "miles": ("Miles: {terms}. Total?", 5, 9),
    "points": ("Points: {terms}. Total?", 2, 8),
    "pages": ("Pages: {terms}. Total?", 3, 8),
    "grams": ("Grams: {terms}. Total?", 1, 7),
    "votes": ("Votes: {terms}. Total?", 4, 9),
}


@dataclass(frozen=True)
class Problem:
    """One question of the tiny world."""

    id: str
    domain: str
    source: str
    terms: tuple[int, ...]

    @property
    def question(self) -> str:
        wording = DOMAINS[self.domain][0]
        return wording.format(terms=" ".join(labelled_terms(self.terms)))

    @property
    def answer(self) -> str:
        return str(sum(self.terms))

    @property
    def difficulty(self) -> int:
        return len(self.terms)


# Every term carries a letter ("a3 b7 c2"), and the worked lines name the term they add
# ("a3+b7=10+c2=12"). The letter turns "which number comes next?" into a lookup by content:
# find the next letter in the question, copy the digit after it; and "is anything left?" into
# whether that letter exists. Measured (seed 0, 1,100 base-model steps): asked to show its work,
# the base model sums 99.7% of 300 test questions right. With unlabelled terms the model had to
# count its way along the list, and whether it learnt to was down to the seed and the rounding:
# its fine-tuned model copied the right terms in 94% of the test questions with seed 0 in bf16,
# 15% with seed 1 and 4% in float32.
LABELS = "abcdefghijklmnopqrstuvwxyz"


def labelled_terms(terms: tuple[int, ...] | list[int]) -> list[str]:
    """``[3, 7, 2]`` -> ``["a3", "b7", "c2"]``: the terms as the question and the worked lines write them."""
    if len(terms) > len(LABELS):
        raise ValueError(f"a problem has at most {len(LABELS)} terms (one letter each), got {len(terms)}")
    return [f"{label}{term}" for label, term in zip(LABELS[: len(terms)], terms, strict=True)]


def make_problem(rng: random.Random, domain: str, num_terms: int, source: str, problem_id: str) -> Problem:
    """Draw one problem of a domain with ``num_terms`` terms."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; known domains: {sorted(DOMAINS)}")
    _, low, high = DOMAINS[domain]
    terms = tuple(rng.randint(low, high) for _ in range(num_terms))
    return Problem(id=problem_id, domain=domain, source=source, terms=terms)


def generate_problems(
    *,
    seed: int,
    count: int,
    min_terms: int,
    max_terms: int,
    source: str,
    id_prefix: str,
    domains: list[str] | None = None,
) -> list[Problem]:
    """``count`` problems, domains and term counts drawn uniformly, deterministic in ``seed``."""
    if not 2 <= min_terms <= max_terms <= len(LABELS):
        raise ValueError(f"need 2 <= min_terms <= max_terms <= {len(LABELS)}, got {min_terms}..{max_terms}")
    domains = list(domains or DOMAINS)
    rng = random.Random(f"{seed}-{source}-{id_prefix}")
    return [
        make_problem(rng, rng.choice(domains), rng.randint(min_terms, max_terms), source, f"{id_prefix}{i:06d}")
        for i in range(count)
    ]


def running_sum_lines(terms: tuple[int, ...] | list[int], adds_per_line: int) -> list[tuple[str, int]]:
    """The running-sum lines for ``terms``: (line text, total at the end of the line)."""
    named = labelled_terms(terms)
    total, lines = terms[0], []
    for start in range(1, len(terms), adds_per_line):
        text = named[0] if start == 1 else str(total)
        for name, term in zip(named[start : start + adds_per_line], terms[start : start + adds_per_line], strict=True):
            total += term
            text += f"+{name}={total}"
        lines.append((text, total))
    return lines


@dataclass(frozen=True)
class TinyWorldConfig:
    """The generated question pool and held-out set of the tiny profile."""

    pool_size: int = 20000
    contest_fraction: float = 0.02
    min_terms: int = 3
    max_terms: int = 12
    test_size: int = 500
    dev_size: int = 200  # a second held-out split, for choices such as the best k (never the test set)
    test_min_terms: int = 5
    test_max_terms: int = 12


def problem_record(problem: Problem) -> dict:
    """A problem in the pool's record schema (see ``s1kit.sources``), plus its ``terms``."""
    return {
        "id": problem.id,
        "question": problem.question,
        "answer": problem.answer,
        "domain": problem.domain,
        "source": problem.source,
        "difficulty": problem.difficulty,
        "terms": list(problem.terms),
    }


def tiny_pool(config: TinyWorldConfig, seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """The generated pool (drill + contest sources), the held-out test set and the dev set.

    Held-out questions (test, then dev) are drawn from their own seed stream; any that also
    occur in the pool, or twice, are redrawn here, and the quality filter decontaminates the pool
    again. The dev set is for choices (the best number of "Wait"s); verdicts use the test set.
    """
    contest = round(config.pool_size * config.contest_fraction)
    drill = generate_problems(seed=seed, count=config.pool_size - contest, min_terms=config.min_terms,
                              max_terms=config.max_terms, source="drill", id_prefix="drill-")
    hard = generate_problems(seed=seed, count=contest, min_terms=config.test_min_terms,
                             max_terms=config.test_max_terms, source="contest", id_prefix="contest-")
    pool = [problem_record(p) for p in drill + hard]
    seen = {r["question"] for r in pool}
    held_out, attempt, wanted = [], 0, config.test_size + config.dev_size
    while len(held_out) < wanted:
        batch = generate_problems(seed=seed + 1000 + attempt, count=wanted, min_terms=config.test_min_terms,
                                  max_terms=config.test_max_terms, source="test", id_prefix=f"test{attempt}-")
        for p in batch:
            if p.question not in seen and len(held_out) < wanted:
                held_out.append(problem_record(p))
                seen.add(p.question)
        attempt += 1
    dev = [dict(r, source="dev", id="dev" + r["id"][len("test"):]) for r in held_out[config.test_size:]]
    return pool, held_out[: config.test_size], dev
