"""Other ways to control thinking, the baselines of the paper's Table 3 (s1, Sections 3.1 and 5.2).

Budget forcing controls thinking from the outside. The paper compares it with methods that ask
the model to control itself, each needing its own training data (Appendix E.1, Figure 10):

* **Token-conditional control (TCC)**: the prompt says "Think for up to N tokens.", N being the
  trace's thinking length rounded up to a power of two. With budget forcing (TCC + BF) thinking
  is also cut off at N.
* **Step-conditional control (SCC)**: the prompt says "Think for up to N steps." (N the step
  count rounded up to a power of two) and every step of the trace opens with a countdown,
  "N steps left". SCC + BF ends thinking when the budget of N steps is spent.
* **Class-conditional control (CCC)**: a generic prompt asks for short or long thinking.
* **Rejection sampling (RS)**: sample at temperature 1 until a generation fits the budget
  (:func:`rejection_sample`).

Table 3 is measured on the benchmarks ``ControlConfig.benchmarks`` names (the paper: AIME24
alone; ``[]``: every test benchmark), every method on the same questions
(:func:`benchmark_questions`).

Differences from the paper, each forced by the tiny world and stated in the book:

* s1 trained a separate model for TCC and for SCC, and used s1-32B as it was for CCC (a 32B
  model reads a new English prompt; a 1M model trained from scratch cannot). Here one model is
  fine-tuned on s1K with each example given one of the prompt styles (plain, token, step, and,
  with ``class_prompts: s1kit``, class), chosen at random: :func:`conditional_records`. With
  ``class_prompts: s1`` (the paper profiles' option) CCC is s1's: its two long prompts
  (``S1_SHORT_PROMPT``, ``S1_LONG_PROMPT``) on the SFT model, with no training on them.
* A step is one non-empty line of the trace (s1 split traces at blank lines). With
  ``step_marker: s1kit`` its countdown line reads ``(N steps left)``, and SCC + BF ends thinking
  after N steps' worth of tokens (N times the longest step of the training traces), instead of
  watching for the "0 steps left" marker.
* With ``step_marker: s1`` the countdown line is s1's ``<|im_start|>N steps left``. The
  budget-forcing engine reads ``<|im_start|>`` as the end of thinking, so each marker the model
  writes would end its thinking; s1's harness instead runs SCC + BF with
  ``until_thinking=<|im_start|>0`` (thinking ends when the "0 steps left" marker begins, or at
  ``<|im_end|>``). The closest the budget-forcing rules come (:func:`scc_decoding`): the model's
  ``<|im_start|>`` is ignored and written back, ``num_ignore`` times (the ignore string is
  ``<|im_start|>`` itself, so the sequence is the model's own), and the next one ends thinking.
  SCC + BF passes N markers: the (N+1)-th ``<|im_start|>`` of a model counting down from N is
  ``<|im_start|>0``, where s1 stops, and what follows (the answer delimiter) is s1's. Plain SCC
  passes up to 2N markers (s1 never stops it on a count; the bound only limits compute). One
  case differs from s1: a model that ends its thinking (``<|im_start|>answer``) before its
  markers are spent writes its answer inside the thinking phase, as in s1, but its
  ``<|im_end|>`` then counts as one more marker instead of ending thinking at once. Thinking is
  therefore measured as s1's ``compute_sample_stats.py`` measures it, up to the first
  ``<|im_start|>answer`` of the output (:func:`tokens_before`), which those extra rounds never
  reach.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field
from typing import Literal, Sequence

SHORT_PROMPT = "Think short."
LONG_PROMPT = "Think long."
# s1's class-conditional prompts, as its evaluation harness words them (eval/lm-evaluation-harness,
# lm_eval/tasks/aime/utils.py, PROMPTSHORT and PROMPTLONG), appended after a blank line as there
S1_SHORT_PROMPT = "Answer after a short amount of thinking. Do not spend excessive time double-checking your work."
S1_LONG_PROMPT = ("Answer after a long amount of thinking. If you feel like you are finished early, spend the extra "
                  "time trying to double-check your work until you are absolutely sure that you have the correct "
                  "answer.")
IM_START = "<|im_start|>"  # s1's step markers open with it (s1kit.chat.IM_START)


@dataclass(frozen=True)
class ControlConfig:
    """The Table 3 experiment (defaults: the tiny profile). Rejection sampling draws from the
    majority-voting stage's samples, so it has ``max(evaluation.vote_sizes)`` tries per question."""

    enabled: bool = True  # False: the stage trains nothing and reports why (a profile with no training)
    token_budgets: list[int] = field(default_factory=lambda: [16, 32, 64])  # "Think for up to N tokens."
    step_budgets: list[int] = field(default_factory=lambda: [1, 2, 4])  # "Think for up to N steps."
    rejection_budgets: list[int] = field(default_factory=lambda: [30, 45, 60, 75, 110])  # thinking tokens
    benchmarks: list[str] = field(default_factory=list)  # the test benchmarks Table 3 runs on ([]: all; s1: aime24)
    # CCC's prompts: "s1kit" ("Think short." / "Think long.", trained into the conditional model) or
    # "s1" (s1's two long prompts, run on the SFT model with no training on them, as s1 ran s1-32B)
    class_prompts: Literal["s1kit", "s1"] = "s1kit"
    # SCC's countdown line: "s1kit" ("(N steps left)") or "s1" ("<|im_start|>N steps left", s1's format)
    step_marker: Literal["s1kit", "s1"] = "s1kit"

    def __post_init__(self) -> None:
        for name in ("token_budgets", "step_budgets", "rejection_budgets"):
            values = getattr(self, name)
            if not values or min(values) <= 0:
                raise ValueError(f"control.{name} must be positive numbers, got {values}")
        for name in ("class_prompts", "step_marker"):
            if getattr(self, name) not in ("s1kit", "s1"):
                raise ValueError(f"control.{name} must be \"s1kit\" or \"s1\", got {getattr(self, name)!r}")


def class_prompts(kind: str) -> tuple[str, str]:
    """CCC's (short, long) prompts: s1kit's trained ones, or s1's (``ControlConfig.class_prompts``)."""
    if kind == "s1kit":
        return SHORT_PROMPT, LONG_PROMPT
    if kind == "s1":
        return S1_SHORT_PROMPT, S1_LONG_PROMPT
    raise ValueError(f"class_prompts must be \"s1kit\" or \"s1\", got {kind!r}")


def benchmark_questions(records: Sequence[dict], benchmarks: Sequence[str]) -> list[int]:
    """Where Table 3's questions are among ``records``: those of the named benchmarks (by
    :func:`s1kit.sources.benchmark_name`), in order; every record when ``benchmarks`` is empty."""
    from s1kit.sources import benchmark_name

    if not benchmarks:
        return list(range(len(records)))
    keep = [i for i, r in enumerate(records) if benchmark_name(r) in benchmarks]
    if not keep:
        found = sorted({benchmark_name(r) for r in records})
        raise ValueError(f"control.benchmarks {list(benchmarks)} names no test benchmark of this run; it has {found}")
    return keep


def power_of_two_at_least(value: int) -> int:
    """The smallest power of two >= ``value`` (the paper's buckets for token and step instructions)."""
    if value <= 0:
        raise ValueError(f"need a positive count, got {value}")
    return 1 << math.ceil(math.log2(value))


def token_instruction(budget: int) -> str:
    return f"Think for up to {budget} tokens."


def step_instruction(budget: int) -> str:
    return f"Think for up to {budget} steps."


def step_marker(left: int, style: str = "s1kit") -> str:
    """The countdown line before a step: ``(N steps left)``, or s1's ``<|im_start|>N steps left``."""
    if style == "s1kit":
        return f"({left} steps left)"
    if style == "s1":
        return f"{IM_START}{left} steps left"
    raise ValueError(f"step_marker must be \"s1kit\" or \"s1\", got {style!r}")


def with_instruction(question: str, instruction: str) -> str:
    """The question with a control instruction after a blank line (s1's prompt layout)."""
    return f"{question}\n\n{instruction}"


def steps_of(trace: str) -> list[str]:
    """A tiny trace's steps: its lines."""
    return [line for line in trace.split("\n") if line]


def with_step_markers(trace: str, budget: int, style: str = "s1kit") -> tuple[str, list[tuple[int, int]]]:
    """The trace with a countdown line (:func:`step_marker` in ``style``) before every step, and where
    the original text's spans moved.

    Returns the new trace and a list of (old offset, new offset) for the start of every line,
    so that forced spans can be moved along. Blank lines are not steps (:func:`steps_of`): they
    get no marker and do not count down.
    """
    lines = trace.split("\n")
    out, moved, position, left = [], [], 0, budget
    new_position = 0
    for line in lines:
        marker = step_marker(left, style) + "\n" if line else ""
        out.append(marker + line)
        moved.append((position, new_position + len(marker)))
        position += len(line) + 1
        new_position += len(marker) + len(line) + 1
        left -= bool(line)
    return "\n".join(out), moved


def conditional_records(records: Sequence[dict], thinking_tokens: dict[str, int], median_tokens: float,
                        seed: int, class_prompts: str = "s1kit", step_marker: str = "s1kit") -> list[dict]:
    """s1K with a control instruction on every example, one style per example at random.

    ``thinking_tokens`` gives each record's trace length (by id) in the model's tokens; the
    token instruction names the next power of two, the step instruction the next power of two
    of its line count (its countdown lines in ``step_marker``'s format), the class prompt is
    "short" below ``median_tokens`` and "long" otherwise. A quarter of the examples keep the
    plain prompt, so the model still answers one. With ``class_prompts="s1"`` no example gets a
    class prompt (s1's CCC runs the SFT model untrained on its prompts): a third each for plain,
    token and step.
    """
    styles = ["plain", "tokens", "steps", "class"] if class_prompts == "s1kit" else ["plain", "tokens", "steps"]
    if class_prompts not in ("s1kit", "s1"):
        raise ValueError(f"class_prompts must be \"s1kit\" or \"s1\", got {class_prompts!r}")
    rng = random.Random(f"control-{seed}")
    out = []
    for record in records:
        style = rng.choice(styles)
        row = dict(record, control=style)
        if style == "tokens":
            row["question"] = with_instruction(record["question"],
                                               token_instruction(power_of_two_at_least(thinking_tokens[record["id"]])))
        elif style == "steps":
            budget = power_of_two_at_least(len(steps_of(record["trace"])))
            row["question"] = with_instruction(record["question"], step_instruction(budget))
            row["trace"], moved = with_step_markers(record["trace"], budget, step_marker)
            row["forced_spans"] = [_move(span, moved) for span in record.get("forced_spans") or ()]
        elif style == "class":
            long = thinking_tokens[record["id"]] >= median_tokens
            row["control"] = "long" if long else "short"
            row["question"] = with_instruction(record["question"], LONG_PROMPT if long else SHORT_PROMPT)
        out.append(row)
    return out


def conditional_s1k(s1k: Sequence[dict], tokenizer, seed: int, class_prompts: str = "s1kit",
                    step_marker: str = "s1kit") -> list[dict]:
    """The conditional model's training data: s1K with an instruction per example (:func:`conditional_records`).

    Trace lengths are counted in ``tokenizer``'s tokens (the base model's), and the class prompt
    splits at their median.
    """
    lengths = {r["id"]: len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in s1k}
    return conditional_records(s1k, lengths, statistics.median(lengths.values()), seed, class_prompts, step_marker)


def _move(span: Sequence[int], moved: list[tuple[int, int]]) -> list[int]:
    """Shift a character span by the markers inserted before its step."""
    start, end = span
    old, new = max((m for m in moved if m[0] <= start), key=lambda m: m[0])
    return [start - old + new, end - old + new]


@dataclass(frozen=True)
class SCCDecoding:
    """How one SCC run decodes: the budget-forcing settings and the token budget its Control is judged by."""

    max_thinking_tokens: int | None  # the cap (None: the context, s1's "auto")
    num_ignore: int  # markers the model may write before its next <|im_start|> ends thinking (s1 markers)
    ignore_str: str | None  # what is written back for an ignored end of thinking (s1 markers: <|im_start|>)
    budget: int  # N steps' worth of tokens: N x the longest training step
    count_to_answer: bool  # thinking measured up to the first <|im_start|>answer of the output (tokens_before)

    def forcing(self) -> dict:
        """The :class:`s1kit.budget.BudgetForcing` fields these settings fix."""
        return {"max_thinking_tokens": self.max_thinking_tokens, "num_ignore": self.num_ignore,
                "ignore_str": self.ignore_str}


def scc_decoding(steps: int, max_step_tokens: int, marker: str, forced: bool) -> SCCDecoding:
    """SCC (``forced=False``) or SCC + BF for a budget of ``steps`` steps (see the module docstring).

    ``(N steps left)`` markers: no forcing, or a cap of N steps' worth of tokens. s1's
    ``<|im_start|>N steps left`` markers: each marker's ``<|im_start|>`` is written back
    (``ignore_str``) for N markers with BF (the next, ``<|im_start|>0``, ends thinking as s1's
    ``until_thinking=<|im_start|>0`` does) and for 2N without, with no cap (s1's ``auto``).
    """
    budget = steps * max_step_tokens
    if marker == "s1kit":
        return SCCDecoding(budget if forced else None, 0, "Wait", budget, False)
    if marker == "s1":
        return SCCDecoding(None, steps if forced else 2 * steps, IM_START, budget, True)
    raise ValueError(f"step_marker must be \"s1kit\" or \"s1\", got {marker!r}")


def tokens_before(output_ids: Sequence[int], delimiter_ids: Sequence[int], thinking_tokens: int) -> int:
    """Thinking tokens as s1 counts them: the output's tokens before its first answer delimiter
    (``delimiter_ids``), at most ``thinking_tokens`` (the thinking phase's own count; the cap's
    forced answer starts with a newline, which is not thinking)."""
    n = len(delimiter_ids)
    for i in range(min(len(output_ids), thinking_tokens + n) - n + 1):
        if list(output_ids[i:i + n]) == list(delimiter_ids):
            return min(i, thinking_tokens)
    return thinking_tokens


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
