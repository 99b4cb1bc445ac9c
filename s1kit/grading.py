"""Grading: pull the final answer out of a completion and compare it with the gold answer.

The tiny world's answers are integers, graded by exact match after normalisation. Real
benchmarks (AIME24, MATH500, GPQA) are graded with HF's math-verify, which the s1 evaluation
also relies on for equivalence of LaTeX answers.
"""

from __future__ import annotations

import re

from s1kit.chat import FINAL_ANSWER_PREFIX, IM_END

_SPECIAL = re.compile(r"<\|[^|]*\|>")


def extract_answer(answer_text: str, prefix: str = FINAL_ANSWER_PREFIX) -> str | None:
    """The text after the last ``Final Answer:`` up to the end of its line, or None if absent."""
    index = answer_text.rfind(prefix)
    if index < 0:
        return None
    rest = answer_text[index + len(prefix) :].split(IM_END)[0]
    rest = _SPECIAL.sub("", rest).strip().splitlines()
    return rest[0].strip() if rest and rest[0].strip() else None


def normalize(answer: str) -> str:
    """Canonical form for exact match: no surrounding space, $, trailing period or thousands commas."""
    answer = answer.strip().strip("$").rstrip(".").strip()
    return answer.replace(",", "") if re.fullmatch(r"-?[\d,]+(\.\d+)?", answer) else answer


def is_correct(prediction: str | None, gold: str, method: str = "exact") -> bool:
    """Exact match (tiny world) or math-verify equivalence (real benchmarks)."""
    if prediction is None:
        return False
    if method == "exact":
        return normalize(prediction) == normalize(gold)
    if method == "math_verify":
        from math_verify import parse, verify

        return bool(verify(parse(f"${gold}$"), parse(f"${prediction}$")))
    raise ValueError(f"unknown grading method {method!r}; choose 'exact' or 'math_verify'")
