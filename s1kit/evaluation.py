"""Evaluation: the base model answering directly, and budget-forcing sweeps of the SFT model.

A sweep point is one :class:`s1kit.budget.BudgetForcing` setting run over the whole held-out
set. It reports accuracy (with a percentile-bootstrap 95% interval over questions), the mean
number of thinking tokens (the x-axis of the paper's Figure 1), how often the cap fired and
how many ignores were used.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Sequence

from s1kit.budget import BudgetForcing, Engine, ForcingResult, answer_directly, budget_force
from s1kit.chat import ChatFormat
from s1kit.grading import extract_answer, is_correct

log = logging.getLogger("s1kit")


def bootstrap_ci(correct: Sequence[bool], samples: int, seed: int) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean of ``correct``."""
    if not correct:
        raise ValueError("cannot bootstrap an empty result")
    rng = random.Random(seed)
    n = len(correct)
    values = [float(c) for c in correct]
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(samples))
    return means[int(0.025 * (samples - 1))], means[int(0.975 * (samples - 1))]


@dataclass
class SweepPoint:
    max_thinking_tokens: int | None
    num_ignore: int
    accuracy: float
    ci_low: float
    ci_high: float
    mean_thinking_tokens: float
    n: int
    cap_fired_rate: float
    mean_ignores_used: float
    seconds: float


def grade(results: Sequence[ForcingResult], answers: Sequence[str], method: str) -> list[bool]:
    return [is_correct(extract_answer(r.answer_text), a, method) for r, a in zip(results, answers)]


def run_point(
    engine: Engine,
    questions: Sequence[str],
    answers: Sequence[str],
    config: BudgetForcing,
    grading: str = "exact",
    bootstrap_samples: int = 1000,
) -> tuple[SweepPoint, list[ForcingResult], list[bool]]:
    """Budget-force every question with ``config`` and grade the answers."""
    start = time.perf_counter()
    prompts = [config.chat.thinking_prompt(q) for q in questions]
    results = budget_force(engine, prompts, config)
    correct = grade(results, answers, grading)
    low, high = bootstrap_ci(correct, bootstrap_samples, seed=config.seed)
    n = len(results)
    point = SweepPoint(
        max_thinking_tokens=config.max_thinking_tokens,
        num_ignore=config.num_ignore,
        accuracy=sum(correct) / n,
        ci_low=low,
        ci_high=high,
        mean_thinking_tokens=sum(r.thinking_tokens for r in results) / n,
        n=n,
        cap_fired_rate=sum(r.cap_fired for r in results) / n,
        mean_ignores_used=sum(r.ignores_used for r in results) / n,
        seconds=round(time.perf_counter() - start, 2),
    )
    log.info(
        "budget forcing N=%s k=%d: accuracy %.3f, %.1f thinking tokens (%.1fs)",
        config.max_thinking_tokens, config.num_ignore, point.accuracy, point.mean_thinking_tokens, point.seconds,
    )
    return point, results, correct


def direct_accuracy(
    engine: Engine,
    questions: Sequence[str],
    answers: Sequence[str],
    max_answer_tokens: int,
    grading: str = "exact",
    chat: ChatFormat | None = None,
) -> tuple[float, list[ForcingResult], list[bool]]:
    """Accuracy of a model answering the plain chat prompt with no thinking phase."""
    chat = chat or ChatFormat()
    results = answer_directly(engine, [chat.user_prompt(q) for q in questions],
                              BudgetForcing(max_answer_tokens=max_answer_tokens, chat=chat))
    correct = grade(results, answers, grading)
    return sum(correct) / len(correct), results, correct
