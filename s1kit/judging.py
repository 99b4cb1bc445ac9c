"""The judge: an open model asked exactly where s1 asked gpt-4o-mini, after the rules.

s1 grades with rules first (a box, an ``Answer:``, an integer) and sends three kinds of question to
gpt-4o-mini (its lm-eval fork: ``aime/utils.py``, ``openai_math/utils.py``,
``gpqa/openai/utils.py``):

* **AIME**, an answer that is not an integer: which integer does the attempt state?
* **MATH500**, every answer that is not an integer (even an exact match): is it the same answer as
  the reference?
* **GPQA**, an answer with no letter the rules can read: which option did the attempt pick?

:func:`s1kit.grading.rule_verdict` says, per output, whether and what s1 would ask. A
:class:`Grader` grades a whole stage's outputs at once: the rules, then one batch of questions to
the judge, then the final verdicts, counting per benchmark how many outputs went to the judge and
how many verdicts it changed. The prompts below are written here (s1's are for a paid model); each
asks for a reply short enough to parse without doubt.

The judge is any model the evaluation engine can load (by default the profile's base model, which
the run downloads anyway), loaded only when a question is left and after the evaluated model is
released (two 32B engines do not fit 8 GPUs at once), or any OpenAI-compatible endpoint. Replies
are cached per prompt and judge, so a rerun or another stage never asks the same question twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

from s1kit.grading import GradingOptions, RuleVerdict, answer_section, rule_verdict, verdict_with_judge

log = logging.getLogger("s1kit")

# the attempt shown to the judge is cut to its end: answers come last, and a 32k-token section would
# not fit the judge's prompt
ATTEMPT_CHARS = 2000

PROMPTS = {
    "aime_integer": (
        "A student's final answer to a competition math problem is below. The problem's answer is an integer "
        "from 0 to 999. Reply with the integer the student's answer states, written as digits only, or with -1 "
        "if it states no single integer.\n\nStudent's answer: {answer}"
    ),
    "math_equivalence": (
        "A reference answer and a student's final answer to a math problem are below. Reply with 1 if they are "
        "the same mathematical answer (ignore formatting, units, equivalent forms and the order of a set of "
        "solutions), or with 0 if not. Reply with the digit only.\n\nReference: {reference}\nStudent: {answer}"
    ),
    "gpqa_letter": (
        "A multiple-choice question with options A, B, C and D and a student's answer are below. Reply with the "
        "letter of the option the student chose, or with -1 if the answer chooses none. Reply with the letter "
        "only.\n\nQuestion:\n{question}\n\nStudent's answer: {answer}"
    ),
}


def judge_prompt(kind: str, answer: str, reference: str, question: str = "") -> str:
    """The question put to the judge for one output (``kind``: where s1 asked, ``RuleVerdict.ask``)."""
    if kind not in PROMPTS:
        raise ValueError(f"unknown judge question {kind!r}; known: {sorted(PROMPTS)}")
    return PROMPTS[kind].format(answer=answer[-ATTEMPT_CHARS:], reference=reference, question=question)


_SPECIAL = re.compile(r"<\|[^|]*\|>")


def parse_reply(kind: str, reply: str | None) -> str | None:
    """What a judge's reply says, or None when it says nothing usable (then the rules' verdict stands).

    ``aime_integer``: the first integer, unless it is -1; ``math_equivalence``: "1" or "0", the
    first such digit standing alone; ``gpqa_letter``: the first standalone letter A-D.
    """
    if reply is None:
        return None
    text = _SPECIAL.sub(" ", reply).strip()
    if kind == "aime_integer":
        match = re.search(r"-?\d+", text)
        return None if match is None or match.group().startswith("-") else str(int(match.group()))
    if kind == "math_equivalence":
        match = re.search(r"(?<![\w.])([01])(?![\w.])", text)
        return match.group(1) if match else None
    if kind == "gpqa_letter":
        match = re.search(r"(?<![A-Za-z])([A-D])(?![A-Za-z])", text)
        return match.group(1) if match else None
    raise ValueError(f"unknown judge question {kind!r}")


@dataclass(frozen=True)
class GradeItem:
    """One output to grade: the whole answer part of a model output and what it is graded against."""

    response: str
    reference: str
    benchmark: str  # the grading rules: "aime", "math", "gpqa" or "tiny"
    question: str = ""  # shown to the judge for GPQA, whose options are in the question
    name: str = ""  # the benchmark's short name for the counts ("aime24", ...); the rules' name when empty


def items_for(records: Sequence[dict], responses: Sequence[str], default_benchmark: str) -> list[GradeItem]:
    """Grade items for held-out records (each names its grading rules) and the answer parts of their outputs."""
    from s1kit.sources import benchmark_name

    return [GradeItem(response, r["answer"], r.get("benchmark", default_benchmark), r["question"], benchmark_name(r))
            for r, response in zip(records, responses, strict=True)]


class JudgeBackend(Protocol):
    identity: str  # names the judge in the reply cache: another judge never reuses these replies

    def ask(self, prompts: Sequence[str]) -> list[str]: ...


@dataclass
class EngineJudge:
    """A model loaded by a decoding engine (:func:`s1kit.engines.load_engine`), asked greedily.

    ``load`` is called at the first question, so a stage whose outputs the rules settle never loads
    it; the engine is closed after each batch (the stage's next model may need the memory).
    """

    load: Callable[[], object]
    identity: str
    max_tokens: int = 16

    def ask(self, prompts: Sequence[str]) -> list[str]:
        from s1kit.budget import BudgetForcing, answer_directly
        from s1kit.chat import ChatFormat

        engine = self.load()
        try:
            chat = ChatFormat.from_tokenizer(engine.tokenizer)
            results = answer_directly(engine, [chat.user_prompt(p) for p in prompts],
                                      BudgetForcing(max_answer_tokens=self.max_tokens, chat=chat))
        finally:
            engine.close()
        return [r.answer_text for r in results]


@dataclass
class EndpointJudge:
    """A model behind an OpenAI-compatible chat endpoint (:class:`s1kit.chat_client.ChatClient`)."""

    client: object
    identity: str
    max_tokens: int = 16

    def ask(self, prompts: Sequence[str]) -> list[str]:
        return [self.client.ask(p, max_tokens=self.max_tokens) for p in prompts]


class ReplyCache:
    """The judge's replies by prompt, one JSON line each, appended as they come (a rerun asks nothing twice)."""

    def __init__(self, path: Path | str | None, identity: str):
        self.path = Path(path) if path else None
        self.identity = identity
        self.replies: dict[str, str] = {}
        if self.path and self.path.exists():
            for line in self.path.read_text().splitlines():
                if line.strip():
                    row = json.loads(line)
                    self.replies[row["key"]] = row["reply"]

    def key(self, prompt: str) -> str:
        return hashlib.sha256(f"{self.identity}\0{prompt}".encode()).hexdigest()

    def get(self, prompt: str) -> str | None:
        return self.replies.get(self.key(prompt))

    def put_all(self, prompts: Sequence[str], replies: Sequence[str]) -> None:
        rows = [{"key": self.key(p), "reply": r} for p, r in zip(prompts, replies, strict=True)]
        for row in rows:
            self.replies[row["key"]] = row["reply"]
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as handle:
                handle.write("".join(json.dumps(row) + "\n" for row in rows))
                handle.flush()
                os.fsync(handle.fileno())


@dataclass
class Grader:
    """Grades a stage's outputs as s1 did: the rules, then the judge where s1 asked it (when there is one).

    ``counts`` accumulates over calls: per benchmark, ``asked`` (outputs that went to the judge,
    cached replies included) and ``changed`` (final verdicts that differ from the rules' alone).
    With no judge nothing is asked and the counts stay empty.
    """

    options: GradingOptions = field(default_factory=GradingOptions)
    judge: JudgeBackend | None = None
    cache_path: Path | str | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    _cache: ReplyCache | None = field(default=None, repr=False)

    def rules(self, items: Sequence[GradeItem]) -> list[RuleVerdict]:
        return [rule_verdict(i.response, i.reference, i.benchmark, self.options) for i in items]

    def reply(self, prompt: str) -> str | None:
        """The judge's reply to a prompt asked before (:meth:`grade`'s ``also_ask``), or None."""
        return self._cache.get(prompt) if self._cache is not None else None

    def grade(self, items: Sequence[GradeItem], also_ask: Sequence[str] = ()) -> list[bool]:
        """The final verdict of every item: at most one judge batch, for what the rules leave to it.

        ``also_ask``: other prompts for the judge (majority voting's "are these the same answer?"),
        asked in the same batch so that the judge loads once; read their replies with :meth:`reply`.
        """
        items = list(items)
        rules = self.rules(items)
        if self.judge is None:
            return [verdict_with_judge(r, i.reference, i.benchmark, None, self.options) for r, i in zip(rules, items, strict=True)]
        prompts = {n: judge_prompt(r.ask, r.answer or answer_section(i.response), i.reference, i.question)
                   for n, (r, i) in enumerate(zip(rules, items, strict=True)) if r.ask is not None}
        if self._cache is None:
            self._cache = ReplyCache(self.cache_path, self.judge.identity)
        cache = self._cache
        wanted = list(prompts.values()) + list(also_ask)
        missing = sorted({p for p in wanted if cache.get(p) is None})
        if missing:
            log.info("judge %s: %d questions (%d answered from its cache)", self.judge.identity,
                     len(missing), len(set(wanted)) - len(missing))
            cache.put_all(missing, self.judge.ask(missing))
        verdicts = []
        for n, (rule, item) in enumerate(zip(rules, items, strict=True)):
            reply = parse_reply(rule.ask, cache.get(prompts[n])) if n in prompts else None
            verdict = verdict_with_judge(rule, item.reference, item.benchmark, reply, self.options)
            if n in prompts:
                count = self.counts.setdefault(item.name or item.benchmark, {"asked": 0, "changed": 0})
                count["asked"] += 1
                count["changed"] += verdict != rule.correct
            verdicts.append(verdict)
        return verdicts

    def grade_each(self, groups: Sequence[Sequence[GradeItem]], also_ask: Sequence[str] = ()) -> list[list[bool]]:
        """:meth:`grade` over several lists at once (one judge batch for all), split back."""
        flat = [item for group in groups for item in group]
        verdicts, out, start = self.grade(flat, also_ask), [], 0
        for group in groups:
            out.append(verdicts[start:start + len(group)])
            start += len(group)
        return out
