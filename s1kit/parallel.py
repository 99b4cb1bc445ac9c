"""Parallel scaling by majority voting, the paper's foil for budget forcing (s1, Figure 4b).

Sequential scaling spends more compute on *one* line of thought (budget forcing: later tokens
build on earlier ones); parallel scaling spends it on *many independent* ones and aggregates
them. The paper samples Qwen2.5-32B-Instruct 64 times per AIME24 question at temperature 1 and
takes the most common answer over 2, 4, ..., 64 samples; that curve never reaches s1-32B's.

:func:`majority_vote_curve` does the same for any model and prompt style: sample ``max(sizes)``
outputs per question once, then, for each vote size m, vote over the first m samples. Every
point reports the total thinking tokens spent per question (m times a sample's), so the curve
can be drawn beside the budget-forcing sweep at matched compute.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from s1kit.budget import BudgetForcing, Engine, answer_directly, budget_force
from s1kit.chat import ChatFormat
from s1kit.grading import Benchmark, extract_answer, grade
from s1kit.metrics import paired_bootstrap


def majority_vote(answers: Sequence[str | None]) -> str | None:
    """The most common extracted answer; a tie goes to the answer seen first. A ``None`` does not vote."""
    votes = Counter(a for a in answers if a is not None)
    if not votes:
        return None
    best = max(votes.values())
    return next(a for a in answers if a is not None and votes[a] == best)


def sample_outputs(engine: Engine, questions: Sequence[str], samples: int, forcing: BudgetForcing,
                   think: bool) -> list[list]:
    """``samples`` independent outputs per question (``forcing.temperature`` must be > 0).

    All samples of all questions go through the engine as one batch list, so that one seed
    fixes them all. ``think=False`` samples a direct answer (the base model's way to answer).
    """
    if samples <= 0:
        raise ValueError(f"samples must be positive, got {samples}")
    if forcing.temperature <= 0:
        raise ValueError("majority voting needs sampling: set temperature > 0 (the paper: 1.0)")
    chat = forcing.chat
    prompts = [chat.thinking_prompt(q) if think else chat.user_prompt(q) for q in questions for _ in range(samples)]
    results = (budget_force if think else answer_directly)(engine, prompts, forcing)
    return [results[i * samples:(i + 1) * samples] for i in range(len(questions))]


def majority_vote_curve(engine: Engine, questions: Sequence[str], answers: Sequence[str], sizes: Sequence[int],
                        forcing: BudgetForcing, think: bool, benchmark: Benchmark | Sequence[Benchmark] = "tiny",
                        bootstrap_samples: int = 1000, seed: int = 0) -> tuple[list[dict], dict]:
    """Majority-voting accuracy for each vote size in ``sizes``, and the samples it voted over.

    A point: ``votes`` (m), ``accuracy``, its paired-bootstrap gain over one sample
    (``gain_over_first``, ``ci_low``, ``ci_high``), and ``thinking_tokens``: the mean thinking
    tokens per question summed over the m samples (0 for direct answers). The samples:
    ``thinking_tokens[q][i]`` and ``correct[q][i]`` of sample i of question q, in the order drawn
    (what rejection sampling, :func:`s1kit.control.rejection_sample`, picks from). ``benchmark``
    is one grader for all questions, or one per question (AIME24, MATH500 and GPQA mixed).
    """
    graders = [benchmark] * len(questions) if isinstance(benchmark, str) else list(benchmark)
    if len(graders) != len(questions):
        raise ValueError(f"{len(graders)} graders for {len(questions)} questions")
    if not sizes or min(sizes) <= 0:
        raise ValueError(f"vote sizes must be positive, got {list(sizes)}")
    outputs = sample_outputs(engine, questions, max(sizes), forcing, think)
    extracted = [[extract_answer(r.answer_text, b) for r in row] for row, b in zip(outputs, graders, strict=True)]
    points, single = [], None
    for m in sorted(sizes):
        voted = [majority_vote(row[:m]) for row in extracted]
        correct = [v is not None and grade(v, a, b) for v, a, b in zip(voted, answers, graders, strict=True)]
        if single is None:
            single = correct
        gain, low, high = paired_bootstrap(single, correct, bootstrap_samples, seed)
        tokens = sum(sum(r.thinking_tokens for r in row[:m]) for row in outputs) / len(outputs)
        points.append({"votes": m, "accuracy": sum(correct) / len(correct), "thinking_tokens": tokens,
                       "gain_over_first": gain, "ci_low": low, "ci_high": high, "n": len(correct)})
    samples = {"thinking_tokens": [[r.thinking_tokens for r in row] for row in outputs],
               "correct": [[a is not None and grade(a, answer, b) for a in row]
                           for row, answer, b in zip(extracted, answers, graders, strict=True)]}
    return points, samples


def sampling_forcing(chat: ChatFormat, temperature: float, seed: int, max_answer_tokens: int | None,
                     num_ignore: int = 0) -> BudgetForcing:
    """The sampling settings of a voting run: temperature, the profile's seed, no cap."""
    return BudgetForcing(temperature=temperature, seed=seed, max_answer_tokens=max_answer_tokens,
                         num_ignore=num_ignore, chat=chat)
