"""s1K selection: quality, then difficulty, then diversity (s1, Section 2.2 and Algorithm 1).

Records are plain dicts with at least ``id``, ``question``, ``answer``, ``domain``, ``source``,
``trace`` and ``attempt`` (the schema of ``s1kit.sources``); a record's ``benchmark`` (default
``"tiny"``) says how its answers are graded. Each filter returns the kept records and a count of
what it dropped and why, so the funnel can be shown.

Where the s1 repository's code (``data/filter.ipynb``) is more specific than the paper, this
module follows the code: the question-text patterns of the quality filter, "solved by any of the
judge models" for difficulty, and the seed rules of Algorithm 1 (correct AIME and GPQA attempts,
and correct MATH attempts whose trace is longer than 5,600 tokens). One difference is kept on
purpose: s1's code samples the last 300 questions with domain weights taken from AIME and GPQA;
this module samples every domain uniformly, as the paper's Algorithm 1 states.
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from s1kit.budget import BudgetForcing, Engine, answer_directly
from s1kit.chat import ChatFormat
from s1kit.grading import Benchmark, grade


@dataclass(frozen=True)
class SelectionConfig:
    """s1K selection (Section 2.2, Algorithm 1). Defaults: the tiny profile."""

    size: int = 1000
    seed_sources: list[str] = field(default_factory=lambda: ["contest"])  # sources whose correct attempts are all taken
    # sources whose correct attempts are taken when the trace is longer than N tokens (s1: {openaimath: 5600})
    long_seed_sources: dict[str, int] = field(default_factory=dict)
    difficulty_models: list[str] = field(default_factory=list)  # [] = the base model; s1: Qwen2.5-7B and -32B-Instruct
    difficulty_max_candidates: int = 4000  # 0: every quality-filtered question is graded
    difficulty_max_answer_tokens: int = 48
    batch_size: int = 256  # decoding batch of the difficulty stage; does not change its result


log = logging.getLogger("s1kit")

REQUIRED = ("id", "question", "answer", "domain", "source", "trace", "attempt")
# A trace that opens with a run of ASCII junk: the tiny teacher's "garbled API output". Narrow on
# purpose, so that a real trace's markdown ("#### Step 2", "~~struck~~") is not mistaken for it.
_JUNK = re.compile(r"#{4,}~{2,}")
# Question texts s1 drops (data/filter.ipynb): Asymptote figures (kept for AIME), images,
# numbered sub-problems "p1." ... "p999.", and bold markup around numbers.
_SUBPROBLEM = re.compile(r"\bp[1-9]\d{0,2}\.")
_BOLD_NUMBER = re.compile(r"\*\*(?=.*\d)[^\s\]]*\*\*")


def question_has_formatting_problem(question: str, source: str = "") -> bool:
    """True for the question texts s1's quality filter drops (figures, images, sub-problems, bold numbers)."""
    if "[asy]" in question:
        return "AIME" not in source
    return "![Image]" in question or bool(_SUBPROBLEM.search(question)) or bool(_BOLD_NUMBER.search(question))


def check_records(records: Sequence[dict], required: Iterable[str] = REQUIRED) -> None:
    """Refuse records with missing fields, naming the first offender."""
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValueError(f"record {index} is not a mapping: {record!r}")
        missing = [key for key in required if key not in record]
        if missing:
            raise ValueError(f"record {index} (id={record.get('id')!r}) is missing field(s) {missing}")


def quality_filter(records: Sequence[dict], eval_questions: Iterable[str] = ()) -> tuple[list[dict], Counter]:
    """Drop questions with no reference, API errors, formatting problems, duplicates and evaluation questions.

    The paper removes questions whose teacher call failed (no trace or no attempt), questions
    with no reference answer to grade against, questions with formatting problems (ASCII art,
    missing images: :func:`question_has_formatting_problem`), duplicates, and questions of its
    evaluation benchmarks. A trace of junk characters counts as an API error too.
    """
    check_records(records)
    contaminated = {q.strip() for q in eval_questions}
    kept, dropped, seen = [], Counter(), set()
    for record in records:
        question = record["question"].strip()
        if not str(record["answer"] or "").strip():
            dropped["no_reference"] += 1
        elif not record["trace"] or not str(record["trace"]).strip():
            dropped["api_error"] += 1
        elif not str(record["attempt"] or "").strip():
            dropped["no_answer"] += 1
        elif _JUNK.search(record["trace"]):
            dropped["malformed_trace"] += 1
        elif question_has_formatting_problem(question, str(record["source"])):
            dropped["formatting"] += 1
        elif question in contaminated:
            dropped["contaminated"] += 1
        elif question in seen:
            dropped["duplicate"] += 1
        else:
            seen.add(question)
            kept.append(record)
    return kept, dropped


def difficulty_filter(
    records: Sequence[dict], solved: Callable[[list[dict]], list[bool]]
) -> tuple[list[dict], Counter]:
    """Drop questions the base model(s) already solve (the paper used Qwen2.5-7B and -32B-Instruct).

    ``solved`` grades a batch of records with each base model and returns, per record, whether
    any of them answered correctly. The paper also uses the thinking length as a difficulty
    signal; that happens in :func:`diversity_select`, which favours long traces.
    """
    verdicts = solved(list(records))
    if len(verdicts) != len(records):
        raise ValueError(f"difficulty grader returned {len(verdicts)} verdicts for {len(records)} records")
    kept = [r for r, done in zip(records, verdicts, strict=True) if not done]
    return kept, Counter(solved_by_base=len(records) - len(kept))


def solved_by_model(engine: Engine, records: Sequence[dict], max_answer_tokens: int, benchmark: Benchmark,
                    chat: ChatFormat | None = None) -> list[bool]:
    """Whether the model behind ``engine`` answers each record's question correctly, answering directly.

    This is the difficulty signal of Section 2.2: the model gets the plain chat prompt (no
    thinking phase) and its ``Final Answer:`` is graded against the record's ``answer``.
    """
    chat = chat or ChatFormat()
    results = answer_directly(engine, [chat.user_prompt(r["question"]) for r in records],
                              BudgetForcing(max_answer_tokens=max_answer_tokens, chat=chat))
    return [grade(r.answer_text, record["answer"], record.get("benchmark", benchmark))
            for r, record in zip(results, records, strict=True)]


def diversity_select(
    records: Sequence[dict],
    size: int,
    thinking_length: Callable[[dict], int],
    seed: int,
    seed_sources: Sequence[str] = (),
    benchmark: Benchmark = "tiny",
    long_seed_sources: dict[str, int] | None = None,
) -> list[dict]:
    """Algorithm 1 of the paper, seeded.

    1. Take every question from ``seed_sources`` whose teacher attempt is correct, and every
       question from ``long_seed_sources`` whose attempt is correct and whose thinking is longer
       than that source's threshold (the paper: all correct AIME and GPQA questions, and correct
       MATH questions with traces over 5,600 tokens). Attempts are graded with
       :func:`s1kit.grading.grade` under the record's ``benchmark`` (else ``benchmark``).
    2. Until ``size`` questions are chosen: pick a domain uniformly at random among those with
       questions left; inside it, rank questions by thinking length (longest = rank 0) and
       sample one with probability proportional to ``2 ** -rank``; drop exhausted domains.
    """
    if size <= 0:
        raise ValueError(f"selection size must be positive, got {size}")
    rng = random.Random(seed)
    long_seed_sources = long_seed_sources or {}

    def is_seed(record: dict) -> bool:
        source = str(record["source"])  # sources match by prefix: "qfq/openaimath" covers "qfq/openaimath/Algebra"
        long_enough = any(source.startswith(s) and thinking_length(record) > n for s, n in long_seed_sources.items())
        if not long_enough and not any(source.startswith(s) for s in seed_sources):
            return False
        return grade(str(record["attempt"]), str(record["answer"]), record.get("benchmark", benchmark))

    chosen = [r for r in records if is_seed(r)][:size]
    taken = {r["id"] for r in chosen}
    by_domain: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        if record["id"] not in taken:
            by_domain[record["domain"]].append(record)
    for domain in by_domain:  # rank 0 = longest; ties by id keep the order deterministic
        by_domain[domain].sort(key=lambda r: (-thinking_length(r), r["id"]))
    domains = sorted(by_domain)
    while len(chosen) < size and domains:
        domain = rng.choice(domains)
        pool = by_domain[domain]
        weights = [2.0 ** -rank for rank in range(len(pool))]
        pick = rng.choices(range(len(pool)), weights=weights)[0]
        chosen.append(pool.pop(pick))
        if not pool:
            domains.remove(domain)
    if len(chosen) < size:
        raise ValueError(f"only {len(chosen)} questions survive the filters; cannot select {size}")
    return chosen


def thinking_lengths(records: Sequence[dict], tokenizer) -> dict[str, int]:
    """Each record's trace length in ``tokenizer``'s tokens (Algorithm 1's difficulty signal), by id."""
    return {r["id"]: len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in records}


def released_s1k(records: Sequence[dict], tokenizer) -> tuple[list[dict], list[dict], list[dict]]:
    """A released selection taken whole (nothing filtered), shaped like :func:`select_s1k`'s result."""
    lengths = thinking_lengths(records, tokenizer)
    chosen = [dict(r, thinking_tokens=lengths[r["id"]]) for r in records]
    return chosen, [], [{"step": "released selection", "kept": len(chosen)}]


def select_s1k(records: Sequence[dict], eval_questions: Sequence[str], solved: dict[str, bool], tokenizer,
               config: SelectionConfig, seed: int) -> tuple[list[dict], list[dict], list[dict]]:
    """The whole selection of Section 2.2: quality, then difficulty, then Algorithm 1.

    ``solved`` maps record ids to the base model's verdicts (:func:`solved_by_model`); when it
    covers only a sample of the pool, the questions outside the sample are dropped first.
    Thinking length, Algorithm 1's difficulty signal, is counted in ``tokenizer``'s tokens.
    Returns the chosen records (with ``thinking_tokens``), the difficulty-filtered candidates
    (one short row each) and the funnel (questions kept at each step, and why others went).
    """
    funnel = [{"step": "pool", "kept": len(records)}]
    kept, dropped = quality_filter(records, eval_questions)
    funnel.append({"step": "quality", "kept": len(kept), "dropped": dict(dropped)})
    if len(solved) < len(records):  # the base model graded a sample of the pool
        kept = [r for r in kept if r["id"] in solved]
        funnel.append({"step": "difficulty sample", "kept": len(kept)})
    kept, dropped = difficulty_filter(kept, lambda batch: [solved[r["id"]] for r in batch])
    funnel.append({"step": "difficulty", "kept": len(kept), "dropped": dict(dropped)})
    lengths = thinking_lengths(kept, tokenizer)
    chosen = diversity_select(kept, config.size, lambda r: lengths[r["id"]], seed, config.seed_sources,
                              long_seed_sources=config.long_seed_sources)
    for record in chosen:
        record["thinking_tokens"] = lengths[record["id"]]
    funnel.append({"step": "diversity", "kept": len(chosen)})
    log.info("selected %d of %d questions", len(chosen), len(records))
    candidates = [{"id": r["id"], "domain": r["domain"], "thinking_tokens": lengths[r["id"]],
                   "difficulty": r.get("difficulty")} for r in kept]
    return chosen, candidates, funnel


ABLATIONS = ("random", "diverse", "longest", "full")


def ablation_selection(kind: str, records: Sequence[dict], size: int, thinking_length: Callable[[dict], int],
                       seed: int) -> list[dict]:
    """Table 2's alternatives to s1K, each drawn from the quality-filtered pool (Section 5.1).

    ``random`` (1K-random, quality only): ``size`` questions uniformly at random.
    ``diverse`` (1K-diverse, diversity only): a domain uniformly at random, then a question of it
    uniformly at random (Algorithm 1 without its preference for long traces), until ``size``.
    ``longest`` (1K-longest, difficulty only): the ``size`` longest traces.
    ``full`` (59K-full): every question.
    """
    if kind not in ABLATIONS:
        raise ValueError(f"unknown selection ablation {kind!r}; known: {ABLATIONS}")
    records = sorted(records, key=lambda r: r["id"])
    if kind == "full":
        return list(records)
    if len(records) < size:
        raise ValueError(f"only {len(records)} quality-filtered questions; cannot select {size}")
    rng = random.Random(f"ablation-{kind}-{seed}")
    if kind == "random":
        return rng.sample(records, size)
    if kind == "longest":
        return sorted(records, key=lambda r: (-thinking_length(r), r["id"]))[:size]
    by_domain: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_domain[record["domain"]].append(record)
    chosen, domains = [], sorted(by_domain)
    while len(chosen) < size:
        domain = rng.choice(domains)
        chosen.append(by_domain[domain].pop(rng.randrange(len(by_domain[domain]))))
        if not by_domain[domain]:
            domains.remove(domain)
    return chosen
