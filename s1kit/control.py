"""Other ways to control thinking, the baselines of the paper's Table 3 (s1, Sections 3.1 and 5.2).

Budget forcing controls thinking from the outside. The paper compares it with methods that ask
the model to control itself, each needing its own training data (Appendix E.1, Figure 10):

* **Token-conditional control (TCC)**: the prompt says "Think for up to N tokens.", N being the
  trace's thinking length rounded up to a power of two. With budget forcing (TCC + BF) thinking
  is also cut off at N.
* **Step-conditional control (SCC)**: the prompt says "Think for up to N steps." (N the step
  count rounded up to a power of two) and every step of the trace opens with a countdown,
  "N steps left". SCC + BF cuts thinking off when the budget of N steps is spent.
* **Class-conditional control (CCC)**: a generic prompt asks for short or long thinking.
* **Rejection sampling (RS)**: sample at temperature 1 until a generation fits the budget
  (:func:`rejection_sample`).

Differences from the paper, each forced by the tiny world and stated in the book:

* s1 trained a separate model for TCC and for SCC, and used s1-32B as it was for CCC (a 32B
  model reads a new English prompt; a 1M model trained from scratch cannot). Here one model is
  fine-tuned on s1K with each example given one of the four prompt styles (plain, token, step,
  class), chosen at random: :func:`conditional_records`.
* A step is one line of the running sum (s1 split traces at blank lines). The countdown marker
  is the text ``(N steps left)`` on its own line: s1's ``<|im_start|>N steps left`` would end
  thinking in the budget-forcing engine, which reads ``<|im_start|>`` as the end of thinking.
* SCC + BF ends thinking after N steps' worth of tokens (N times the longest step of the
  training traces), instead of watching for the "0 steps left" marker.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field
from typing import Sequence

SHORT_PROMPT = "Think short."
LONG_PROMPT = "Think long."


@dataclass(frozen=True)
class ControlConfig:
    """The Table 3 experiment (defaults: the tiny profile). Rejection sampling draws from the
    majority-voting stage's samples, so it has ``max(evaluation.vote_sizes)`` tries per question."""

    enabled: bool = True  # False: the stage trains nothing and reports why (a profile with no training)
    token_budgets: list[int] = field(default_factory=lambda: [16, 32, 64])  # "Think for up to N tokens."
    step_budgets: list[int] = field(default_factory=lambda: [1, 2, 4])  # "Think for up to N steps."
    rejection_budgets: list[int] = field(default_factory=lambda: [30, 45, 60, 75, 110])  # thinking tokens

    def __post_init__(self) -> None:
        for name in ("token_budgets", "step_budgets", "rejection_budgets"):
            values = getattr(self, name)
            if not values or min(values) <= 0:
                raise ValueError(f"control.{name} must be positive numbers, got {values}")


def power_of_two_at_least(value: int) -> int:
    """The smallest power of two >= ``value`` (the paper's buckets for token and step instructions)."""
    if value <= 0:
        raise ValueError(f"need a positive count, got {value}")
    return 1 << math.ceil(math.log2(value))


def token_instruction(budget: int) -> str:
    return f"Think for up to {budget} tokens."


def step_instruction(budget: int) -> str:
    return f"Think for up to {budget} steps."


def step_marker(left: int) -> str:
    return f"({left} steps left)"


def with_instruction(question: str, instruction: str) -> str:
    """The question with a control instruction after a blank line (s1's prompt layout)."""
    return f"{question}\n\n{instruction}"


def steps_of(trace: str) -> list[str]:
    """A tiny trace's steps: its lines."""
    return [line for line in trace.split("\n") if line]


def with_step_markers(trace: str, budget: int) -> tuple[str, list[tuple[int, int]]]:
    """The trace with a countdown line before every step, and where the original text's spans moved.

    Returns the new trace and a list of (old offset, new offset) for the start of every line,
    so that forced spans can be moved along. Blank lines are not steps (:func:`steps_of`): they
    get no marker and do not count down.
    """
    lines = trace.split("\n")
    out, moved, position, left = [], [], 0, budget
    new_position = 0
    for line in lines:
        marker = step_marker(left) + "\n" if line else ""
        out.append(marker + line)
        moved.append((position, new_position + len(marker)))
        position += len(line) + 1
        new_position += len(marker) + len(line) + 1
        left -= bool(line)
    return "\n".join(out), moved


def conditional_records(records: Sequence[dict], thinking_tokens: dict[str, int], median_tokens: float,
                        seed: int) -> list[dict]:
    """s1K with a control instruction on every example, one style per example at random.

    ``thinking_tokens`` gives each record's trace length (by id) in the model's tokens; the
    token instruction names the next power of two, the step instruction the next power of two
    of its line count, the class prompt is "short" below ``median_tokens`` and "long" otherwise.
    A quarter of the examples keep the plain prompt, so the model still answers one.
    """
    rng = random.Random(f"control-{seed}")
    out = []
    for record in records:
        style = rng.choice(["plain", "tokens", "steps", "class"])
        row = dict(record, control=style)
        if style == "tokens":
            row["question"] = with_instruction(record["question"],
                                               token_instruction(power_of_two_at_least(thinking_tokens[record["id"]])))
        elif style == "steps":
            budget = power_of_two_at_least(len(steps_of(record["trace"])))
            row["question"] = with_instruction(record["question"], step_instruction(budget))
            row["trace"], moved = with_step_markers(record["trace"], budget)
            row["forced_spans"] = [_move(span, moved) for span in record.get("forced_spans") or ()]
        elif style == "class":
            long = thinking_tokens[record["id"]] >= median_tokens
            row["control"] = "long" if long else "short"
            row["question"] = with_instruction(record["question"], LONG_PROMPT if long else SHORT_PROMPT)
        out.append(row)
    return out


def conditional_s1k(s1k: Sequence[dict], tokenizer, seed: int) -> list[dict]:
    """The conditional model's training data: s1K with an instruction per example (:func:`conditional_records`).

    Trace lengths are counted in ``tokenizer``'s tokens (the base model's), and the class prompt
    splits at their median.
    """
    lengths = {r["id"]: len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in s1k}
    return conditional_records(s1k, lengths, statistics.median(lengths.values()), seed)


def _move(span: Sequence[int], moved: list[tuple[int, int]]) -> list[int]:
    """Shift a character span by the markers inserted before its step."""
    start, end = span
    old, new = max((m for m in moved if m[0] <= start), key=lambda m: m[0])
    return [start - old + new, end - old + new]


def rejection_sample(thinking_tokens: Sequence[Sequence[int]], correct: Sequence[Sequence[bool]],
                     budget: int) -> dict:
    """Rejection sampling over pre-drawn samples: per question, the first sample whose thinking fits.

    ``thinking_tokens[q][i]`` and ``correct[q][i]`` describe sample i of question q, in the order
    drawn. A question with no fitting sample counts as wrong (the paper sampled until one fit;
    here the tries are capped). Returns accuracy, mean thinking tokens of the accepted samples,
    mean tries used, and the share of questions that found a fitting sample.
    """
    accepted, tries, found = [], [], 0
    for lengths, marks in zip(thinking_tokens, correct, strict=True):
        pick = next((i for i, n in enumerate(lengths) if n <= budget), None)
        if pick is None:
            accepted.append((False, min(lengths)))
            tries.append(len(lengths))
        else:
            found += 1
            accepted.append((bool(marks[pick]), lengths[pick]))
            tries.append(pick + 1)
    n = len(accepted)
    return {"budget": budget, "accuracy": sum(c for c, _ in accepted) / n,
            "thinking_tokens": sum(t for _, t in accepted) / n, "mean_tries": sum(tries) / n, "found": found / n}


def method_metrics(runs: Sequence[dict]) -> dict:
    """Control, Scaling (accuracy points per 100 thinking tokens) and Performance of a method's runs.

    Each run is a dict with ``thinking_tokens`` (mean over questions), ``accuracy`` (0..1) and
    ``budget`` (the most thinking it was asked to use; None = no limit).
    """
    from s1kit.metrics import Run, control, performance, scaling

    as_runs = [Run(r["thinking_tokens"], r["accuracy"], budget_max=r["budget"] if r["budget"] else float("inf"))
               for r in runs]
    try:
        slope = 100 * 100 * scaling(as_runs)
    except ValueError:  # every run used the same compute: no slope to measure
        slope = float("nan")
    return {"control": control(as_runs), "scaling": slope, "performance": performance(as_runs), "runs": len(runs)}
