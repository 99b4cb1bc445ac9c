"""The budget-forcing fields of an OpenAI-style request: checked, then mapped onto what vLLM takes.

A client of ``python -m s1kit serve`` puts these at the top level of a ``/v1/completions`` or
``/v1/chat/completions`` body (the ``openai`` client's ``extra_body``)::

    max_thinking_tokens   int >= 1, or null: the cap (null: no cap but the context)
    num_ignore            int >= 0: how many times the end of thinking is suppressed
    ignore_str            non-empty string, or null: what is appended then ("Wait"; null: nothing)

vLLM ignores unknown top-level fields and takes a logits processor's arguments through
``vllm_xargs``, so :func:`rewrite_body` moves them there (one JSON string, see
:func:`s1kit.service.rows.forcing_args`), together with the model's thinking format. It also
asks vLLM for what a forced reply needs: the end-of-turn tokens as stop tokens, special tokens
kept in the text (s1's delimiters are special tokens), and the token ids (to count thinking
tokens exactly, :func:`thinking_tokens`). A bad field is one :class:`FieldError` naming it,
which the server answers with HTTP 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from s1kit.budget import BudgetForcing, ForcingTokens, thinking_budget
from s1kit.chat import ChatFormat
from s1kit.service.rows import FORCING_KEY, forcing_args

#: The top-level request fields :func:`rewrite_body` reads.
FORCING_REQUEST_FIELDS = ("max_thinking_tokens", "num_ignore", "ignore_str")


class FieldError(ValueError):
    """A request field the server cannot honour; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Rewritten:
    """A request body ready for vLLM, and what the reply's post-processing needs to know."""

    body: dict
    config: BudgetForcing | None  # None: not a forcing request (passed through unchanged)
    client_wants_token_ids: bool = False


def _count(body: dict, name: str, minimum: int, nullable: bool):
    value = body.get(name)
    if value is None:
        if name in body and not nullable:
            raise FieldError(name, "must be an integer, not null")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(name, f"must be an integer >= {minimum}{' or null' if nullable else ''}, got {value!r}")
    if value < minimum:
        raise FieldError(name, f"must be >= {minimum}, got {value}")
    return value


def forcing_config(body: dict, chat: ChatFormat | None) -> BudgetForcing | None:
    """The forcing settings the body asks for (None when it names none of the fields); FieldError if bad."""
    named = [name for name in FORCING_REQUEST_FIELDS if name in body]
    if not named:
        return None
    if chat is None:
        raise FieldError(named[0], "this model has no thinking format (no <think> tags nor s1's delimiters): "
                                   "it cannot be budget-forced")
    cap = _count(body, "max_thinking_tokens", 1, nullable=True)
    ignores = _count(body, "num_ignore", 0, nullable=False) or 0
    ignore_str = body.get("ignore_str", "Wait")
    if ignore_str is not None and (not isinstance(ignore_str, str) or not ignore_str):
        raise FieldError("ignore_str", f"must be a non-empty string or null, got {ignore_str!r}")
    if ignore_str is not None and any(d in ignore_str for d in (chat.answer_delimiter, chat.end_of_turn)):
        raise FieldError("ignore_str", "must not contain the answer delimiter or the end of turn")
    if body.get("n", 1) not in (1, None):
        raise FieldError("n", "budget forcing decodes one sequence per request (n=1)")
    # the answer is open (bounded by the request's max_tokens and the context), as in s1's evaluation
    return BudgetForcing(max_thinking_tokens=cap, num_ignore=ignores, ignore_str=ignore_str, max_answer_tokens=None,
                         chat=chat)


def rewrite_body(body: dict, chat: ChatFormat | None, end_ids: Sequence[int]) -> Rewritten:
    """``body`` with its forcing fields moved into ``vllm_xargs`` (unchanged if it has none)."""
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object")
    config = forcing_config(body, chat)
    if config is None:
        return Rewritten(body, None)
    xargs = body.get("vllm_xargs") or {}
    if not isinstance(xargs, dict) or FORCING_KEY in xargs:
        raise FieldError("vllm_xargs", f"must be an object without {FORCING_KEY!r} (the forcing fields fill it)")
    rewritten = {key: value for key, value in body.items() if key not in FORCING_REQUEST_FIELDS}
    rewritten["vllm_xargs"] = {**xargs, **forcing_args(config)}
    rewritten["stop_token_ids"] = sorted(set(body.get("stop_token_ids") or []) | set(end_ids))
    rewritten.setdefault("skip_special_tokens", False)
    if not body.get("stream"):  # a whole reply: its usage gets the exact thinking count (the middleware)
        rewritten["return_token_ids"] = True
    return Rewritten(rewritten, config, client_wants_token_ids=bool(body.get("return_token_ids")))


def thinking_tokens(prompt_ids: Sequence[int], output_ids: Sequence[int], config: BudgetForcing,
                    tokens: ForcingTokens, think_ids: Sequence[int], max_context: int) -> int:
    """How many thinking tokens a forced reply has: what the cap counts, from its token ids alone.

    Thinking runs from the thinking delimiter (in the prompt, or forced first) to the first token of
    the answer delimiter, which the model can never write while thinking (the processor replaces it).
    When the cap fires, the forced text before the delimiter (the cap's "\\n", Qwen3's sentence) is not
    thinking: thinking is then exactly the budget, so the count is the span clipped to the budget.
    """
    think_ids = list(think_ids)
    opened = list(prompt_ids[len(prompt_ids) - len(think_ids):]) == think_ids
    start = 0 if opened else len(think_ids)
    answer_start = min(tokens.stop_ids - tokens.end_ids) if tokens.stop_ids - tokens.end_ids else None
    span = len(output_ids) - start
    for position in range(start, len(output_ids)):
        if output_ids[position] == answer_start or output_ids[position] in tokens.end_ids:
            span = position - start
            break
    budget = thinking_budget(config, tokens, len(prompt_ids) + start, max_context)
    return max(0, min(span, max(1, budget)))
