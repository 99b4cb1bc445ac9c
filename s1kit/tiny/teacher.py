"""The programmatic teacher: step-by-step reasoning traces for tiny-world problems.

This stands in for Gemini 2.0 Flash Thinking, which wrote s1K's traces (Section 2.1). The
teacher writes a running sum, ``adds_per_line`` additions per line, each term named by its
letter in the question ("Coins: a5 b9 c3 d9 e5 f8 g3. Total?")::

    a5+b9=14+c3=17
    Wait, 17+d9=26+e5=31
    Wait, 31+f8=39+g3=42
    Wait, 42+0=42

Every line end is a *pause*: a place where the teacher may end its thinking. Like a real
reasoning model it has habits that depend on the kind of problem. In the *impatient domains*
(``impatient_domains``) it always ends its thinking after ``impatient_lines`` lines and answers
the partial sum: a wrong trace whenever numbers were left, kept as s1 kept Gemini's wrong traces
(it did not filter them for correctness). In the other domains it finishes every sum. After any
finished sum it may *check* that nothing is left to add (``42+0=42``, :func:`check_line`),
``Geometric(p_final_check)`` times, at most ``max_final_checks``. (``p_give_up[i]``, the chance
of ending at the i-th pause in any domain, is 0 in the tiny profile: a chance of stopping is
undone by Algorithm 1, which prefers long traces and so keeps exactly the traces that did not
stop.)

A model fine-tuned on s1K picks up the stop after three lines (with the tiny profile's short
training it does not keep it strictly to the impatient domains), so greedy decoding stops some
long sums too early. A forced "Wait" repairs those: what follows "Wait, " is a line the model
has written thousands of times. With ``p_final_check`` under one half the greedy model does not
check on its own; a forced "Wait" after a finished sum starts a check, which keeps the total,
instead of a made-up line. The checks are what keeps the forcing curve flat once the sums are
done.

The ``style`` and three settings make the worlds of the "Why does Wait work?" chapter (one
setting each, ``WORLDS`` in :mod:`s1kit.experiments.worlds`):

``continue`` (the main world)
    At a pause it does not give up at, the teacher writes "Wait, " and the next line; a check
    also opens with "Wait, ". Its "Wait"s are its own words and are trained on, as the "Wait"s
    inside s1K's Gemini traces are. With ``train_on_wait: false`` they are recorded in
    ``forced_spans`` and carry no loss.
``no_wait``
    The same lines, stops and checks, written silently: the next line follows directly, and
    nothing in the traces follows "Wait".

An empty ``impatient_domains`` makes a teacher that never stops early, and ``p_final_check: 0``
one that never checks.

A fraction ``p_broken`` of traces is deliberately broken (an API error, a truncated trace, a
line of ASCII junk) so that the quality filter has work, as in the paper's 59K pool.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Literal, get_args

from s1kit.tiny.world import DOMAINS, Problem, running_sum_lines

TeacherStyle = Literal["continue", "no_wait"]
TEACHER_STYLES = get_args(TeacherStyle)
BROKEN_KINDS = ("api_error", "truncated", "ascii_junk")
WAIT = "Wait"


@dataclass(frozen=True)
class TeacherConfig:
    """How the programmatic teacher writes traces (its randomness comes from the profile's seed)."""

    style: TeacherStyle = "continue"
    adds_per_line: int = 2
    # by pause: the 1st, the 2nd, ...; the last value holds for every later pause (every domain)
    p_give_up: list[float] = field(default_factory=lambda: [0.0])
    # in these domains the teacher always ends its thinking after ``impatient_lines`` lines
    impatient_domains: list[str] = field(default_factory=lambda: ["coins", "miles", "points", "grams"])
    impatient_lines: int = 3
    train_on_wait: bool = True  # False: the teacher's "Wait"s carry no SFT loss (a contrast world)
    p_final_check: float = 0.4
    max_final_checks: int = 10
    p_broken: float = 0.04

    def __post_init__(self) -> None:
        if self.style not in TEACHER_STYLES:
            raise ValueError(f"teacher.style must be one of {TEACHER_STYLES}, got {self.style!r}")
        if self.adds_per_line < 1:
            raise ValueError(f"teacher.adds_per_line must be >= 1, got {self.adds_per_line}")
        if not self.p_give_up:
            raise ValueError("teacher.p_give_up needs at least one probability (one per pause)")
        for name, value in [("p_final_check", self.p_final_check), ("p_broken", self.p_broken)] + [
                (f"p_give_up[{i}]", p) for i, p in enumerate(self.p_give_up)]:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"teacher.{name} must be a probability in [0, 1], got {value}")

        if self.max_final_checks < 0:
            raise ValueError(f"teacher.max_final_checks must be >= 0, got {self.max_final_checks}")
        if self.impatient_lines < 1:
            raise ValueError(f"teacher.impatient_lines must be >= 1, got {self.impatient_lines}")
        unknown = sorted(set(self.impatient_domains) - set(DOMAINS))
        if unknown:
            raise ValueError(f"teacher.impatient_domains {unknown} are not domains; known: {sorted(DOMAINS)}")

    def give_up_probability(self, pause: int, domain: str) -> float:
        """How likely the teacher ends its thinking at its ``pause``-th pause (counting from 0) in ``domain``."""
        if domain in self.impatient_domains and pause + 1 >= self.impatient_lines:
            return 1.0
        return self.p_give_up[min(pause, len(self.p_give_up) - 1)]


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


def check_line(total: int) -> str:
    """A check after a finished sum: nothing is left to add (``42+0=42``).

    It is written like a running-sum line: it opens with the total just written and ends with a
    total it computes. A small model copies a number reliably only from the line end just above,
    and writes a number reliably only when it computes it, so any other check made long runs of
    forced "Wait"s drift: measured with seed 0, "Wait, 42 is the total." sent the answer after six
    forced checks to 1.4% (its restated totals slipped by one or two), and "Wait, 42+0=42" kept
    the total through the checks the teacher writes.
    """
    return f"{total}+0={total}"


def write_trace(problem: Problem, config: TeacherConfig, rng: random.Random) -> Trace:
    """The teacher's trace for one problem (``rng`` drives its choices)."""
    if rng.random() < config.p_broken:
        return _broken_trace(problem, config, rng)
    lines = running_sum_lines(problem.terms, config.adds_per_line)
    out = _Writer()

    def pause() -> None:  # a line break, and the teacher's own "Wait, " unless it goes on silently
        out.write("\n")
        if config.style == "continue":
            out.write(WAIT, forced=not config.train_on_wait)
            out.write(", ")

    for index, (line, total) in enumerate(lines):
        out.write(line)
        if index == len(lines) - 1:
            break
        if rng.random() < config.give_up_probability(index, problem.domain):
            return Trace(out.text(), str(total), out.forced)  # gave up: the partial sum
        pause()
    checks = 0  # a finished sum, in any domain: it may check that nothing is left
    while checks < config.max_final_checks and rng.random() < config.p_final_check:
        pause()
        out.write(check_line(total))
        checks += 1
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
