"""A scripted decoding backend for unit tests: the model's words are fixed, the rules are budget.py's.

:class:`ScriptedEngine` satisfies :class:`s1kit.budget.Engine` the way the real engines do: it
feeds every token through the prompt's :class:`s1kit.budget.ForcingState`, takes forced tokens
first, sends a stop token chosen while thinking to ``request_stop`` and never chooses a stop
token while stops are banned. Only the choice of free tokens is scripted, by a :class:`Reply`
per question, so a test knows every output (and so every accuracy) before it runs.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Sequence

from s1kit.budget import THINK, BudgetForcing, ForcingState
from s1kit.chat import ChatFormat


@dataclass(frozen=True)
class Reply:
    """What the scripted model writes for one sample of a question.

    ``thinking`` is written before the model tries to stop (it then picks ``<|im_start|>``), and
    again after every forced ignore. ``answers[i]`` is the answer it gives after i forced ignores
    (the last entry repeats); ``capped`` the answer when the cap cut its thinking (default: as if
    not cut). An empty answer writes ``Final Answer:`` with nothing after it (no answer to grade).
    """

    thinking: str = "12345"
    answers: Sequence[str] = ("0",)
    capped: str | None = None

    def answer(self, state: ForcingState) -> str:
        if state.cap_fired and self.capped is not None:
            return self.capped
        return self.answers[min(state.ignores_used, len(self.answers) - 1)]


@dataclass
class ScriptedEngine:
    """An engine whose model replies ``replies[question][i]`` to the i-th prompt with that question (cyclic)."""

    tokenizer: object
    replies: dict[str, Sequence[Reply]]
    max_context: int = 256
    chat: ChatFormat = field(default_factory=ChatFormat)
    configs: list[BudgetForcing] = field(default_factory=list)  # the config of every run, in order
    prompts: list[str] = field(default_factory=list)  # every prompt it decoded, in order
    asked: Counter = field(default_factory=Counter)
    closed: int = 0  # how many times a stage released it

    def close(self) -> None:
        self.closed += 1

    def run(self, prompt_ids: list[list[int]], states: list[ForcingState], config: BudgetForcing) -> None:
        self.configs.append(config)
        for ids, state in zip(prompt_ids, states, strict=True):
            prompt = self.tokenizer.decode(ids, skip_special_tokens=False)
            self.prompts.append(prompt)
            question = self.question_of(prompt)
            replies = self.replies[question]
            reply = replies[self.asked[question] % len(replies)]
            self.asked[question] += 1
            self._drive(state, reply)

    def question_of(self, prompt: str) -> str:
        assert prompt.startswith(self.chat.prompt_prefix), prompt
        return prompt[len(self.chat.prompt_prefix):].split(self.chat.prompt_suffix)[0]

    def _encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False)

    def _drive(self, state: ForcingState, reply: Reply) -> None:
        assert reply.thinking, "a continuation must produce a token before it may stop again"
        start = self.tokenizer.convert_tokens_to_ids("<|im_start|>")
        end = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        thinking: deque[int] = deque()
        answer: deque[int] | None = None
        while not state.done:
            token = state.forced_token()
            if token is None and state.phase == THINK:
                if not thinking:  # first thoughts, or the continuation after an ignore
                    thinking.extend(self._encode(reply.thinking) + [start])
                token = thinking.popleft()
                if token in state.tokens.stop_ids:
                    assert not state.stops_banned()
                    state.request_stop()  # ignored (a forced "Wait" follows) or the end of thinking
                    continue
            elif token is None:
                if answer is None:
                    text = reply.answer(state)
                    answer = deque(self._encode(f"\nFinal Answer: {text}" if text else "\nFinal Answer:") + [end])
                token = answer.popleft()
            state.accept(token)
