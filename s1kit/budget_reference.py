"""Budget forcing written plainly: the test oracle and the benchmark's slow baseline.

:func:`reference_budget_force` follows rules 1-5 of :mod:`s1kit.budget` for one prompt with
greedy decoding and a full forward pass over the whole sequence for every token: no KV cache,
no batching, no state machine. It shares no code with :class:`s1kit.budget.ForcingState` or the
engines on purpose, so that the test suite can hold the fast engines to it token for token
(``tests/test_budget.py``), and ``benchmarks/budget_forcing.py`` times it as the cost of the
straightforward algorithm. It is also the shortest complete statement of budget forcing in the
package, worth reading before the engines.
"""

from __future__ import annotations

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from s1kit.budget import BudgetForcing


def reference_budget_force(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, prompt: str,
                           config: BudgetForcing) -> list[int]:
    """The token ids budget forcing appends to ``prompt`` (thinking, forced text, answer, end token)."""
    if config.temperature != 0:
        raise ValueError("the reference implementation decodes greedily only")
    chat = config.chat
    encode = lambda text: tokenizer.encode(text, add_special_tokens=False)  # noqa: E731
    # the model ends thinking by starting the answer delimiter (<|im_start|> of <|im_start|>answer, or
    # </think>), by ending its turn or with eos; it ends its answer by the last two
    answer_start = encode(chat.answer_delimiter)[0]
    end_of_turn = tokenizer.convert_tokens_to_ids(chat.end_of_turn)
    stops, ends = {answer_start, end_of_turn, tokenizer.eos_token_id}, {end_of_turn, tokenizer.eos_token_id}
    ignore = encode(config.ignore_str) if config.ignore_str is not None else []
    cap_suffix = encode(chat.forced_answer_suffix())
    prompt_ids = encode(prompt)
    # Rule 4: with no cap, the budget is whatever leaves room for the forced answer in the context.
    context = model.config.max_position_embeddings
    reserve = config.max_answer_tokens if config.max_answer_tokens is not None else 100  # s1's "auto" reserve
    room = context - len(prompt_ids) - len(cap_suffix) - reserve
    budget = room if config.max_thinking_tokens is None else min(config.max_thinking_tokens, room)

    def next_logits(sequence: list[int]) -> torch.Tensor:
        with torch.no_grad():
            return model(input_ids=torch.tensor([sequence])).logits[0, -1].clone()

    sequence, thinking, ignores, must_continue, capped = list(prompt_ids), 0, 0, False, False
    while True:  # rules 2-4: the thinking phase
        if thinking >= budget:
            capped = True
            break
        logits = next_logits(sequence)
        if must_continue:  # right after an ignore the model may not stop at once
            logits[list(stops)] = float("-inf")
        token = int(logits.argmax())
        if token in stops:
            if ignores < config.num_ignore and len(ignore) < budget - thinking:
                ignores += 1
                sequence += ignore
                thinking += len(ignore)
                must_continue = True
                continue
            break
        sequence.append(token)
        thinking += 1
        must_continue = False
    if not capped:
        sequence += encode(chat.answer_delimiter)
    elif config.cap_newline == "if_missing" and tokenizer.decode(
            sequence[len(prompt_ids):], skip_special_tokens=False).endswith("\n"):
        sequence += encode(chat.forced_answer_suffix(newline=False))  # s1: no second "\n"
    else:
        sequence += cap_suffix
    generated = 0
    limit = config.max_answer_tokens if config.max_answer_tokens is not None else context - len(sequence)
    while generated < limit:  # rule 5: the answer phase (None: up to the end of the context)
        token = int(next_logits(sequence).argmax())
        sequence.append(token)
        if token in ends:
            break
        generated += 1
    return sequence[len(prompt_ids):]
