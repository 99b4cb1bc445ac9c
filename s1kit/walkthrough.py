"""Budget forcing on one prompt, one token at a time, with every decision written down (chapter 5).

:func:`forcing_walkthrough` drives the same :class:`s1kit.budget.ForcingState` as the engines,
greedily and with a full forward pass per token (a teaching driver: slow, but every step is
visible). Each row of its table says which token entered the sequence, in which phase, whether
the model chose it or the rules forced it, and what the rules did: a "Wait" inserted in place of
an end of thinking, the cap firing, the answer delimiter, the end of the answer. The test suite
holds its tokens to :func:`s1kit.budget.budget_force`'s, so the walk-through shows what the
evaluation really did.
"""

from __future__ import annotations

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from s1kit.budget import ANSWER, THINK, BudgetForcing, ForcingTokens, make_states


class _OnePrompt:
    """What :func:`s1kit.budget.make_states` needs to know about a model: its tokenizer and context."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, max_context: int):
        self.tokenizer, self.max_context = tokenizer, max_context


@torch.no_grad()
def forcing_walkthrough(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompt: str,
                        config: BudgetForcing) -> list[dict]:
    """Every token budget forcing appends to ``prompt`` (a thinking prompt), with the rule that acted.

    Rows: ``position`` (1 = first generated token), ``token`` (its text), ``phase`` (think or
    answer, before the token), ``chosen_by`` (``model`` or ``rule``), ``thinking_tokens`` (so
    far) and ``event`` (what the rules did, or ``""``). A stop token the model picked and the
    rules dropped appears as its own row with ``chosen_by = "model (dropped)"``.
    """
    if config.temperature != 0:
        raise ValueError("the walk-through decodes greedily only")
    ids = tokenizer.encode(prompt, add_special_tokens=False)
    context = model.config.max_position_embeddings
    state = make_states(_OnePrompt(tokenizer, context), [ids], config)[0]
    tokens: ForcingTokens = state.tokens
    text = lambda token: tokenizer.decode([token], skip_special_tokens=False)  # noqa: E731
    rows: list[dict] = []

    def row(token: int, chosen_by: str, event: str, phase: str) -> None:
        rows.append({"position": len(state.output_ids) + (chosen_by == "model (dropped)"), "token": text(token),
                     "token_id": token,
                     "phase": phase, "chosen_by": chosen_by, "thinking_tokens": len(state.thinking_ids),
                     "event": event})

    sequence = list(ids)
    while not state.done:
        phase = state.phase
        forced = state.forced_token()
        if forced is not None:
            ends_thinking = phase == ANSWER and len(state.answer_ids) == 0
            state.accept(forced)
            sequence.append(forced)
            row(forced, "rule", "answer delimiter and the forced answer begin" if ends_thinking else "", phase)
            continue
        logits = model(torch.tensor([sequence])).logits[0, -1].float()
        if state.stops_banned():
            logits[list(tokens.stop_ids)] = float("-inf")
        token = int(logits.argmax())
        if phase == THINK and token in tokens.stop_ids:
            ignored = state.request_stop()
            if ignored:
                row(token, "model (dropped)", f"end of thinking suppressed ({state.ignores_used} of "
                    f"{config.num_ignore}): {config.ignore_str or 'nothing'!s} appended", phase)
            else:
                row(token, "model (dropped)", "the model ends its thinking; the answer delimiter follows", phase)
            continue
        thinking_before = len(state.thinking_ids)
        state.accept(token)
        sequence.append(token)
        event = ""
        if state.cap_fired and phase == THINK and thinking_before + 1 == state.budget:
            event = f"cap reached ({state.budget} thinking tokens): the forced answer follows"
        elif state.done:
            event = "end of the answer"
        row(token, "model", event, phase)
    for r in rows:  # rows that record a forced ignore string say so
        if r["chosen_by"] == "rule" and r["phase"] == THINK:
            r["event"] = r["event"] or f"forced {config.ignore_str!r}"
    return rows


def generated_ids(rows: list[dict]) -> list[int]:
    """The token ids the walk-through appended to the prompt (the dropped stop tokens left out)."""
    return [r["token_id"] for r in rows if r["chosen_by"] != "model (dropped)"]
