"""Budget forcing (s1, Section 3.1): control how long a model thinks at test time.

One algorithm, two decoding drivers. The rules live in :class:`ForcingState`, a small
per-prompt state machine that sees one token at a time; the engines in ``s1kit.engines``
only decode (the Hugging Face engine token by token with a KV cache, the vLLM engine in
segments between stop tokens) and feed every token through the same state machine, so the
backends cannot drift apart.

The rules, matching the s1 reference implementation:

1. **Prompt.** The chat template with the question, then the assistant turn opened with the
   thinking delimiter (``<|im_start|>think``).
2. **Thinking phase.** Generate until the model starts the end-of-thinking delimiter (the
   first token of the answer delimiter, ``<|im_start|>``), ends its turn (``<|im_end|>``) or
   emits eos - the *stop tokens* - or until the thinking budget is spent.
3. **Ignoring the end** (``num_ignore = k``). When the model picks a stop token while
   thinking, fewer than k ignores were used and the budget has room for the ignore string
   plus one more token, the stop token is dropped, ``ignore_str`` ("Wait") is appended and
   thinking continues. The continuation must produce at least one token before it may stop
   again (the stop tokens are banned for that one step, vLLM's ``min_tokens=1``). With
   ``ignore_str=None`` nothing is appended: the stop token is simply banned once. When the
   ignore string does not fit in the remaining budget, thinking ends as if by itself.
4. **Cap** (``max_thinking_tokens = N``). Thinking tokens - every token after the thinking
   delimiter, appended ignore strings included - never exceed N. When the cap cuts thinking
   off, ``"\\n<|im_start|>answer\\nFinal Answer:"`` is appended (the reference's forced
   answer); with ``cap_newline = "if_missing"`` the leading ``"\\n"`` is left out when the decoded
   thinking already ends in a newline, as s1's harness does. When thinking ends by itself, only
   the answer delimiter ``<|im_start|>answer`` is appended and the model writes the rest.
   ``N = None`` means no cap but the model's context.
5. **Answer phase.** Generate until ``<|im_end|>``/eos or ``max_answer_tokens``; with
   ``max_answer_tokens = None`` the answer may use whatever the context has left, as in s1's
   evaluation (the thinking budget then keeps ``OPEN_ANSWER_RESERVE`` = 100 tokens for it, as s1).
6. **Decoding.** Greedy by default; ``temperature > 0`` samples (with ``top_p`` and ``seed``).

The public entry point is :func:`budget_force`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Literal, Protocol, Sequence

from s1kit.chat import ChatFormat
from s1kit.tokenizer import single_token_id

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

THINK, ANSWER, DONE = "think", "answer", "done"
# With an open answer (max_answer_tokens=None) thinking keeps this many tokens of the context for
# the answer, as s1's evaluation does (max_tokens_thinking="auto" leaves 100).
OPEN_ANSWER_RESERVE = 100


@dataclass(frozen=True)
class BudgetForcing:
    """Test-time budget-forcing settings (one sweep point)."""

    max_thinking_tokens: int | None = None
    num_ignore: int = 0
    ignore_str: str | None = "Wait"
    max_answer_tokens: int | None = 32
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    chat: ChatFormat = field(default_factory=ChatFormat)
    # The "\n" before the forced answer when the cap cuts thinking off: "always" (s1kit's original
    # rule), or "if_missing": only when the thinking's decoded text does not already end in a newline
    # (s1's harness, vllm_causallms.py; a token such as "\n\n" ends in one too).
    cap_newline: Literal["always", "if_missing"] = "always"

    def __post_init__(self) -> None:
        n = self.max_thinking_tokens
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n <= 0):
            raise ValueError(f"max_thinking_tokens must be a positive int or None, got {n!r}")
        if isinstance(self.num_ignore, bool) or not isinstance(self.num_ignore, int) or self.num_ignore < 0:
            raise ValueError(f"num_ignore must be an int >= 0, got {self.num_ignore!r}")
        answer = self.max_answer_tokens
        if answer is not None and (isinstance(answer, bool) or not isinstance(answer, int) or answer <= 0):
            raise ValueError(f"max_answer_tokens must be a positive int or None (the context's rest), got {answer!r}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.ignore_str == "":
            raise ValueError("ignore_str must be a non-empty string or None (append nothing)")
        if self.cap_newline not in ("always", "if_missing"):
            raise ValueError(f"cap_newline must be \"always\" or \"if_missing\", got {self.cap_newline!r}")


@dataclass(frozen=True)
class ForcingTokens:
    """The token ids budget forcing needs, resolved once per tokenizer."""

    stop_ids: frozenset[int]  # end thinking: start of the next delimiter, end of turn, eos
    end_ids: frozenset[int]  # end the answer: end of turn, eos
    ignore_ids: tuple[int, ...]
    natural_end_ids: tuple[int, ...]  # the answer delimiter
    cap_end_ids: tuple[int, ...]  # "\n" + answer delimiter + "\n" + "Final Answer:"
    cap_end_bare_ids: tuple[int, ...]  # the same without the leading "\n" (cap_newline="if_missing")
    decode: Callable[[Sequence[int]], str] = field(compare=False, repr=False)  # token ids -> text

    @classmethod
    def from_tokenizer(cls, tokenizer: "PreTrainedTokenizerBase", config: BudgetForcing) -> "ForcingTokens":
        chat = config.chat
        delimiter_start = chat.answer_delimiter[: chat.answer_delimiter.index(">") + 1]
        end_of_turn = single_token_id(tokenizer, chat.end_of_turn)
        start = single_token_id(tokenizer, delimiter_start)
        ends = {end_of_turn}
        if tokenizer.eos_token_id is not None:
            ends.add(tokenizer.eos_token_id)
        encode = lambda text: tuple(tokenizer.encode(text, add_special_tokens=False))  # noqa: E731
        return cls(
            stop_ids=frozenset(ends | {start}),
            end_ids=frozenset(ends),
            ignore_ids=encode(config.ignore_str) if config.ignore_str is not None else (),
            natural_end_ids=encode(chat.answer_delimiter),
            cap_end_ids=encode(chat.forced_answer_suffix()),
            cap_end_bare_ids=encode(chat.forced_answer_suffix(newline=False)),
            decode=lambda ids: tokenizer.decode(list(ids), skip_special_tokens=False),
        )

    def cap_suffix(self, thinking_ids: Sequence[int], cap_newline: str) -> tuple[int, ...]:
        """What the cap appends after ``thinking_ids``: the forced answer, with its leading "\\n" unless
        ``cap_newline`` is "if_missing" and the thinking's text already ends in a newline."""
        if cap_newline == "if_missing" and thinking_ids and self.decode(thinking_ids).endswith("\n"):
            return self.cap_end_bare_ids
        return self.cap_end_ids


class ForcingState:
    """Budget-forcing rules for one prompt, advanced one token at a time.

    A driver asks :meth:`ForcingState.forced_token` first; if it is ``None`` it lets the model choose
    (with the stop tokens banned when :meth:`ForcingState.stops_banned`). A free choice of a stop token
    while thinking goes to :meth:`ForcingState.request_stop`, which either ignores it (queueing the
    ignore string) or ends thinking (queueing the answer delimiter). Every token that
    enters the sequence goes through :meth:`ForcingState.accept`.
    """

    def __init__(self, tokens: ForcingTokens, config: BudgetForcing, budget: int, think: bool = True,
                 room: int | None = None):
        self.tokens = tokens
        self.config = config
        self.budget = budget  # effective N: the cap, or what fits in the context
        self.room = room  # tokens the context holds after the prompt (bounds an answer with no max)
        self.phase = THINK if think else ANSWER
        self.pending: deque[int] = deque()
        self.must_continue = False
        self.thinking_ids: list[int] = []
        self.answer_ids: list[int] = []  # forced suffix + generated answer, without the end token
        self.generated_answer_tokens = 0
        self.ignores_used = 0
        self.cap_fired = False
        self.hit_answer_budget = False  # the answer ran out of max_answer_tokens before it ended
        self.output_ids: list[int] = []

    # -- what the driver asks --------------------------------------------------------------
    def forced_token(self) -> int | None:
        """The token the rules force next (ignore string, answer delimiter), or None: the model chooses."""
        return self.pending[0] if self.pending else None

    def stops_banned(self) -> bool:
        """True right after an ignore: the continuation must produce a token before it may stop."""
        return self.phase == THINK and self.must_continue

    @property
    def done(self) -> bool:
        """The answer ended (end of turn, eos or ``max_answer_tokens``)."""
        return self.phase == DONE

    def free_token_limit(self) -> int:
        """How many tokens the model may choose before the current phase must end."""
        if self.phase == THINK:
            return self.budget - len(self.thinking_ids)
        return self._answer_room()

    def _answer_room(self) -> int:
        """Answer tokens the model may still choose: up to max_answer_tokens, or to the end of the context."""
        if self.config.max_answer_tokens is not None:
            return self.config.max_answer_tokens - self.generated_answer_tokens
        if self.room is None:
            raise ValueError("max_answer_tokens=None needs the context's size (make_states passes it)")
        return self.room - len(self.output_ids) - len(self.pending)

    def phase_stop_ids(self) -> frozenset[int]:
        """Tokens that end the current phase if the model chooses them."""
        return self.tokens.stop_ids if self.phase == THINK else self.tokens.end_ids

    # -- transitions ---------------------------------------------------------------------------
    def request_stop(self) -> bool:
        """The model chose a stop token while thinking. True if it is ignored (rule 3)."""
        assert self.phase == THINK and not self.pending and not self.must_continue
        room = self.budget - len(self.thinking_ids)
        if self.ignores_used < self.config.num_ignore and len(self.tokens.ignore_ids) < room:
            self.ignores_used += 1
            self.pending.extend(self.tokens.ignore_ids)
            self.must_continue = True
            return True
        self._end_thinking(self.tokens.natural_end_ids)
        return False

    def accept(self, token: int) -> None:
        """Append ``token`` (forced or chosen) to the sequence and apply the rules."""
        forced = bool(self.pending)
        if forced and token != self.pending.popleft():
            raise RuntimeError("driver fed a token other than the forced one")
        self.output_ids.append(token)
        if self.phase == THINK:
            if not forced:
                self.must_continue = False
            self.thinking_ids.append(token)
            if len(self.thinking_ids) >= self.budget and not self.pending:
                self.cap_fired = True
                self._end_thinking(self.tokens.cap_suffix(self.thinking_ids, self.config.cap_newline))
        elif self.phase == ANSWER:
            if forced:
                self.answer_ids.append(token)
            elif token in self.tokens.end_ids:
                self.phase = DONE
            else:
                self.answer_ids.append(token)
                self.generated_answer_tokens += 1
                if self._answer_room() <= 0:
                    self.hit_answer_budget = True
                    self.phase = DONE

    def _end_thinking(self, suffix: Sequence[int]) -> None:
        self.phase = ANSWER
        self.must_continue = False
        self.pending.extend(suffix)


@dataclass
class ForcingResult:
    """What budget forcing produced for one prompt."""

    text: str
    thinking_text: str
    answer_text: str
    thinking_tokens: int
    answer_tokens: int
    ignores_used: int
    cap_fired: bool
    output_ids: list[int]
    hit_answer_budget: bool = False  # cut off by max_answer_tokens (or the context), not ended by the model


class Engine(Protocol):
    """A decoding backend: runs forcing states to completion over tokenized prompts."""

    tokenizer: "PreTrainedTokenizerBase"
    max_context: int

    def run(self, prompt_ids: list[list[int]], states: list[ForcingState], config: BudgetForcing) -> None: ...


def make_states(
    engine: Engine, prompt_ids: list[list[int]], config: BudgetForcing, think: bool = True
) -> list[ForcingState]:
    """One state per prompt, with the thinking budget clipped to what fits in the context."""
    tokens = ForcingTokens.from_tokenizer(engine.tokenizer, config)
    states = []
    for index, ids in enumerate(prompt_ids):
        budget = thinking_budget(config, tokens, len(ids), engine.max_context)
        if budget <= 0:
            raise ValueError(
                f"prompt {index} has {len(ids)} tokens; with the forced answer and max_answer_tokens="
                f"{config.max_answer_tokens} it does not fit the model's context of {engine.max_context}"
            )
        states.append(ForcingState(tokens, config, budget, think=think, room=engine.max_context - len(ids)))
    return states


def thinking_budget(config: BudgetForcing, tokens: ForcingTokens, prompt_length: int, max_context: int) -> int:
    """The effective thinking budget of one prompt: the cap, clipped to what the context leaves after the
    prompt, the forced answer and the answer's reserve (zero or less: the prompt does not fit).

    Every driver computes it here (the engines through :func:`make_states`, the vLLM logits processor
    of ``s1kit.service`` per request), so a cap means the same number of tokens everywhere.
    """
    answer_reserve = config.max_answer_tokens if config.max_answer_tokens is not None else OPEN_ANSWER_RESERVE
    # the longer forced answer (with its "\n") whatever cap_newline says: the same budget either way
    room = max_context - prompt_length - len(tokens.cap_end_ids) - answer_reserve
    return room if config.max_thinking_tokens is None else min(config.max_thinking_tokens, room)


def _result(tokenizer: "PreTrainedTokenizerBase", prompt: str, state: ForcingState) -> ForcingResult:
    decode = lambda ids: tokenizer.decode(ids, skip_special_tokens=False)  # noqa: E731
    return ForcingResult(
        text=prompt + decode(state.output_ids),
        thinking_text=decode(state.thinking_ids),
        answer_text=decode(state.answer_ids),
        thinking_tokens=len(state.thinking_ids),
        answer_tokens=state.generated_answer_tokens,
        ignores_used=state.ignores_used,
        cap_fired=state.cap_fired,
        output_ids=list(state.output_ids),
        hit_answer_budget=state.hit_answer_budget,
    )


def _encode_prompts(engine: Engine, prompts: Sequence[str]) -> list[list[int]]:
    if isinstance(prompts, str) or len(prompts) == 0:
        raise ValueError("prompts must be a non-empty list of strings")
    return [engine.tokenizer.encode(p, add_special_tokens=False) for p in prompts]


def budget_force(engine: Engine, prompts: Sequence[str], config: BudgetForcing) -> list[ForcingResult]:
    """Run budget forcing on thinking prompts (see :meth:`s1kit.chat.ChatFormat.thinking_prompt`)."""
    return _generate(engine, prompts, config, think=True)


def answer_directly(engine: Engine, prompts: Sequence[str], config: BudgetForcing) -> list[ForcingResult]:
    """Plain generation of an assistant turn, no thinking phase (how the base model answers)."""
    return _generate(engine, prompts, config, think=False)


def _generate(engine: Engine, prompts: Sequence[str], config: BudgetForcing, think: bool) -> list[ForcingResult]:
    prompt_ids = _encode_prompts(engine, prompts)
    states = make_states(engine, prompt_ids, config, think=think)
    engine.run(prompt_ids, states, config)
    return [_result(engine.tokenizer, p, s) for p, s in zip(prompts, states, strict=True)]
