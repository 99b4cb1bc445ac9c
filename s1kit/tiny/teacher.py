"""The programmatic teacher: step-by-step reasoning traces for tiny-world problems.

This stands in for Gemini 2.0 Flash Thinking, which wrote s1K's traces (Section 2.1). The
teacher writes a running sum, ``adds_per_line`` additions per line::

    5+9=14+3=17+9=26
    Wait, 26+5=31+8=39+3=42
    Wait, all numbers are added: 42.

Every line end is a *pause*: a place where the teacher may end its thinking. Three styles
make the three worlds of the "Why does Wait work?" chapter (one config switch each):

``continue`` (the main world)
    The teacher tries to end its thinking at every pause, as s1-style models do. At a pause
    with numbers left it gives up with probability ``p_give_up`` (its answer is then the
    partial sum: a wrong trace, as about half of s1K's Gemini traces are wrong). Otherwise it
    is pushed on with "Wait" and writes the next line after it ("Wait, 26+5=..."). After
    the last line it is pushed on ``Geometric(p_final_check)`` times (at most
    ``max_final_checks``) and restates the total. The pushed "Wait" is not the teacher's own
    choice, so its characters are recorded in ``forced_spans`` and carry no loss in SFT:
    the model learns to *want* to stop at every pause, and learns what to do after "Wait".
``no_wait``
    Same pauses and give-ups, but a teacher that goes on does so silently (the next line
    follows directly). Nothing in the traces follows "Wait".
``weak_check``
    The teacher never gives up. After the last line it may write "Wait, let me check:" and
    re-add the numbers in reverse order, a method rarer in training than the first pass; the
    answer is the check's total (the findings' "checker weaker than solver" world).

A fraction ``p_broken`` of traces is deliberately broken (an API error, a truncated trace, a
line of ASCII junk) so that the quality filter has work, as in the paper's 59K pool.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Literal, get_args

from s1kit.tiny.world import Problem

TeacherStyle = Literal["continue", "no_wait", "weak_check"]
TEACHER_STYLES = get_args(TeacherStyle)
BROKEN_KINDS = ("api_error", "truncated", "ascii_junk")
WAIT = "Wait"


@dataclass(frozen=True)
class TeacherConfig:
    """How the programmatic teacher writes traces (its randomness comes from the profile's seed)."""

    style: TeacherStyle = "continue"
    adds_per_line: int = 3
    p_give_up: float = 0.3
    p_final_check: float = 0.4
    max_final_checks: int = 6
    p_broken: float = 0.04

    def __post_init__(self) -> None:
        if self.style not in TEACHER_STYLES:
            raise ValueError(f"teacher.style must be one of {TEACHER_STYLES}, got {self.style!r}")
        if self.adds_per_line < 1:
            raise ValueError(f"teacher.adds_per_line must be >= 1, got {self.adds_per_line}")
        for name in ("p_give_up", "p_final_check", "p_broken"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"teacher.{name} must be a probability in [0, 1], got {value}")
        if self.max_final_checks < 0:
            raise ValueError(f"teacher.max_final_checks must be >= 0, got {self.max_final_checks}")


@dataclass
class Trace:
    """One teacher output: thinking text, the answer it commits to, and its forced spans."""

    trace: str
    attempt: str
    forced_spans: list[tuple[int, int]] = field(default_factory=list)
    broken: str | None = None


class _Writer:
    """Accumulates trace text and remembers which character spans were forced."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.forced: list[tuple[int, int]] = []

    def write(self, text: str, forced: bool = False) -> None:
        if forced:
            self.forced.append((self.length, self.length + len(text)))
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def running_sum_lines(terms: tuple[int, ...] | list[int], adds_per_line: int) -> list[tuple[str, int]]:
    """The running-sum lines for ``terms``: (line text, total at the end of the line)."""
    total = terms[0]
    lines = []
    for start in range(1, len(terms), adds_per_line):
        text = str(total)
        for term in terms[start : start + adds_per_line]:
            total += term
            text += f"+{term}={total}"
        lines.append((text, total))
    return lines


def write_trace(problem: Problem, config: TeacherConfig, rng: random.Random) -> Trace:
    """The teacher's trace for one problem (``rng`` drives its choices)."""
    if rng.random() < config.p_broken:
        return _broken_trace(problem, config, rng)
    lines = running_sum_lines(problem.terms, config.adds_per_line)
    out = _Writer()
    total = lines[0][1]
    for index, (line, total) in enumerate(lines):
        if index and config.style != "continue":
            out.write("\n")
        out.write(line)
        if index == len(lines) - 1:
            break
        if config.style != "weak_check" and rng.random() < config.p_give_up:
            return Trace(out.text(), str(total), out.forced)  # gave up: the partial sum
        if config.style == "continue":
            out.write("\n")
            out.write(WAIT, forced=True)
            out.write(", ")
    if config.style == "continue":
        checks = 0
        while checks < config.max_final_checks and rng.random() < config.p_final_check:
            out.write("\n")
            out.write(WAIT, forced=True)
            out.write(f", all numbers are added: {total}.")
            checks += 1
    elif config.style == "weak_check" and rng.random() < config.p_final_check:
        out.write("\nWait, let me check:")
        check = running_sum_lines(problem.terms[::-1], config.adds_per_line)
        for line, _ in check:
            out.write("\n" + line)
        total = check[-1][1]  # the check's total becomes the answer
    return Trace(out.text(), str(total), out.forced)


def _broken_trace(problem: Problem, config: TeacherConfig, rng: random.Random) -> Trace:
    kind = rng.choice(BROKEN_KINDS)
    if kind == "api_error":
        return Trace("", "", broken=kind)
    good = write_trace(problem, dataclasses.replace(config, p_broken=0.0), rng)
    if kind == "truncated":
        cut = rng.randint(1, max(1, len(good.trace) - 1))
        forced = [(a, b) for a, b in good.forced_spans if b <= cut]
        return Trace(good.trace[:cut], "", forced, broken=kind)
    junk = "#" * rng.randint(4, 12) + "~" * rng.randint(2, 6)
    return Trace(f"{junk}\n{good.trace}", good.attempt, [(a + len(junk) + 1, b + len(junk) + 1) for a, b in good.forced_spans], broken=kind)


def distill(problems: list[Problem], config: TeacherConfig, seed: int) -> list[Trace]:
    """One trace per problem, deterministic in ``seed`` (the profile's) and the problem ids."""
    return [write_trace(p, config, random.Random(f"{seed}-{p.id}")) for p in problems]
