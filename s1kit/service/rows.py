"""Budget forcing one decoding step at a time, for a batch whose rows come and go: the logic of the
vLLM logits processor (``s1kit.service.processor``), with no vLLM in it.

A serving engine decodes a changing batch: it adds a request at a row, removes it when it
finishes, moves rows to compact the batch, and before each sampling step hands every row's
next-token logits to its logits processors. :class:`ForcingRows` keeps one
:class:`s1kit.budget.ForcingState` per forced request and, at each step:

1. feeds the tokens the engine appended since the last step through the state (the engine's
   output list is read, never written);
2. decides the next token's constraint: a forced token (the ignore string, the answer
   delimiter, the cap's forced answer, the thinking delimiter when the prompt lacks it, an end
   token once the answer budget is spent) becomes the only finite logit; right after an ignore
   the stop tokens get ``-inf``.

A stop token *chosen* while thinking is replaced in the same step, as the Hugging Face engine
does: greedy rows look at their argmax; sampled rows draw their token here, with their own
seeded generator and the rule of :func:`s1kit.engines.pick` (temperature, top-p), and
force it, so that "sample, and if the sample ends thinking, replace it" keeps the model's
distribution over everything else. The engine's own sampler then has one token to choose.

Nothing here is specific to vLLM, so ``tests/test_service_rows.py`` drives it with a plain
Hugging Face decoding loop against :class:`s1kit.engines.HFEngine`, token for token.
"""

from __future__ import annotations

import functools
import heapq
import json
import logging
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Sequence

import torch

from s1kit.budget import DONE, THINK, BudgetForcing, ForcingState, ForcingTokens, thinking_budget
from s1kit.chat import ChatFormat
from s1kit.engines import pick

log = logging.getLogger("s1kit")

#: The key of a request's forcing settings in vLLM's ``SamplingParams.extra_args`` (``vllm_xargs``).
FORCING_KEY = "s1kit_forcing"
#: The key of a request's name in the processor's ledger (:data:`LEDGER`), for an offline engine to read back.
TAG_KEY = "s1kit_tag"
#: Settings a forcing request may carry (:func:`forcing_args` writes them, :func:`config_from_args` reads them).
FORCING_FIELDS = ("max_thinking_tokens", "num_ignore", "ignore_str", "max_answer_tokens", "cap_newline", "chat")


def forcing_args(config: BudgetForcing, tag: str | None = None) -> dict[str, str]:
    """``extra_args`` that make one vLLM request budget-forced with ``config``: one JSON string, so
    that ``None`` and the chat format survive vLLM's flat ``vllm_xargs`` (sampling settings travel in
    the request's own fields). ``tag`` names the request in the processor's ledger."""
    spec = {"max_thinking_tokens": config.max_thinking_tokens, "num_ignore": config.num_ignore,
            "ignore_str": config.ignore_str, "max_answer_tokens": config.max_answer_tokens,
            "cap_newline": config.cap_newline, "chat": asdict(config.chat)}
    args = {FORCING_KEY: json.dumps(spec)}
    if tag is not None:
        args[TAG_KEY] = tag
    return args


@functools.lru_cache(maxsize=1024)
def config_from_args(text: str, temperature: float = 0.0, top_p: float = 1.0, seed: int = 0) -> BudgetForcing:
    """The :class:`s1kit.budget.BudgetForcing` that :func:`forcing_args` wrote (ValueError naming a bad field)."""
    try:
        spec = json.loads(text)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{FORCING_KEY} is not JSON: {error}") from None
    if not isinstance(spec, dict):
        raise ValueError(f"{FORCING_KEY} must be a JSON object, got {type(spec).__name__}")
    unknown = sorted(set(spec) - set(FORCING_FIELDS))
    if unknown:
        raise ValueError(f"{FORCING_KEY} has unknown fields {unknown}; known: {list(FORCING_FIELDS)}")
    chat = spec.get("chat")
    try:
        chat = ChatFormat(**chat) if chat is not None else ChatFormat()
    except TypeError as error:
        raise ValueError(f"{FORCING_KEY}.chat: {error}") from None
    defaults = BudgetForcing()
    return BudgetForcing(
        max_thinking_tokens=spec.get("max_thinking_tokens"), num_ignore=spec.get("num_ignore", 0),
        ignore_str=spec.get("ignore_str", defaults.ignore_str), max_answer_tokens=spec.get("max_answer_tokens"),
        cap_newline=spec.get("cap_newline", defaults.cap_newline), chat=chat,
        temperature=temperature, top_p=top_p, seed=seed)


@dataclass(eq=False)
class ForcedRow:
    """One forced request in the batch: its rules' state and where the engine writes its tokens."""

    state: ForcingState
    output: list[int]  # the engine's running output list for this request (read only)
    preamble: deque[int]  # the thinking delimiter, forced first when the prompt does not end with it
    preamble_length: int
    tag: str | None
    generator: torch.Generator | None  # sampled requests: this request's draws
    seen: int = 0  # output tokens fed through the state so far
    stop_steps: list[int] = field(default_factory=list)  # output positions where the model chose to stop thinking
    end_id: int = 0  # forced to end the request once the answer budget is spent
    wake_at: int = 0  # asleep (skipped) until this step of ForcingRows.apply; 0: awake
    index: int | None = None  # its row in the batch (None: not in the batch)
    key: object = None  # names the request across leaving the batch and coming back (ForcingRows.add)
    undo: tuple | None = None  # the state before the last stop the model chose, until the engine keeps that step


#: Every tagged request as it decodes, by tag. An offline engine takes each one's :func:`summary` when
#: its request has finished. A module global because vLLM builds the processor inside its engine (its
#: worker process, on a GPU node), out of the engine's reach but for ``collective_rpc``.
LEDGER: dict[str, ForcedRow] = {}


def feed(row: ForcedRow) -> None:
    """Pass the tokens the engine appended to ``row``'s output since the last look through its state.

    If the model chose to stop thinking at the last step but the engine appended nothing (it threw
    that step's token away: a prompt prefilled in chunks is sampled after every chunk, and all but the
    last draw are discarded), the rules' reaction to that choice is taken back first.
    """
    output, state = row.output, row.state
    if row.undo is not None:
        length, ignores, pending, must_continue, phase, stops = row.undo
        row.undo = None
        if len(output) == length:
            state.ignores_used, state.pending, state.must_continue, state.phase = ignores, deque(pending), must_continue, phase
            del row.stop_steps[stops:]
    while row.seen < len(output):
        token = output[row.seen]
        if token < 0:  # vLLM's placeholder for a token still being copied back (async scheduling): not yet
            break
        row.seen += 1
        if row.preamble:
            if token != row.preamble.popleft():
                raise RuntimeError("the engine wrote a token other than the forced thinking delimiter")
        elif state.phase != DONE:
            state.accept(token)


def summary(row: ForcedRow) -> dict:
    """What a request's state says, in plain values (sent back from vLLM's workers when it has finished)."""
    feed(row)
    state = row.state
    return {"stop_steps": list(row.stop_steps), "preamble_length": row.preamble_length,
            "output_length": len(state.output_ids), "thinking_length": len(state.thinking_ids),
            "answer_length": len(state.answer_ids), "generated_answer_tokens": state.generated_answer_tokens,
            "ignores_used": state.ignores_used, "cap_fired": state.cap_fired,
            "hit_answer_budget": state.hit_answer_budget, "phase": state.phase, "pending": list(state.pending)}


def settle(state: ForcingState, token_ids: Sequence[int], entry: dict) -> None:
    """Bring a fresh state to the end the processor reached, from the tokens vLLM returned and the
    processor's :func:`summary` (no second pass over the tokens; :func:`replay` is the checked way).

    The engine may finish a request before its last token reached the processor (vLLM returns it, but
    never runs another step for that request): those tokens go through the state here.
    """
    start = entry["preamble_length"]
    output = list(token_ids[start: start + entry["output_length"]])
    if len(output) != entry["output_length"]:
        raise RuntimeError(f"vLLM returned {len(token_ids)} tokens; the processor accepted {entry['output_length']}")
    thinking = entry["thinking_length"]
    state.output_ids, state.thinking_ids = output, output[:thinking]
    state.answer_ids = output[thinking: thinking + entry["answer_length"]]
    state.generated_answer_tokens, state.ignores_used = entry["generated_answer_tokens"], entry["ignores_used"]
    state.cap_fired, state.hit_answer_budget = entry["cap_fired"], entry["hit_answer_budget"]
    state.phase, state.must_continue = entry["phase"], False
    state.pending = deque(entry["pending"])
    for token in token_ids[start + entry["output_length"]:]:
        if state.done:
            break
        if state.phase == THINK:
            raise RuntimeError("a request ended while thinking: the processor did not see its last steps")
        state.accept(token)
    if not state.done:
        raise RuntimeError("the request ended before its answer did (a stop string, or max_tokens too small)")


class ForcingRows:
    """Budget forcing for a batch decoded one step at a time (see the module's docstring).

    ``tokenizer`` is the model's; ``max_context`` its context length (the cap is clipped to what it
    leaves, as :func:`s1kit.budget.make_states` does).

    A greedy row with nothing to force *sleeps* until the step at which its phase's budget could end
    (the cap, the answer budget): the engine appends one token per row per decoding step, so its state
    is brought up to date (:func:`feed`) no later than then. Until that step it costs no Python, but
    for one batched argmax over the sleeping rows that think, which wakes a row early if its model
    chooses to stop thinking.
    """

    def __init__(self, tokenizer, max_context: int):
        self.tokenizer = tokenizer
        self.max_context = int(max_context)
        self.rows: dict[int, ForcedRow] = {}
        self.awake: set[int] = set()  # rows looked at every step
        self.thinking_asleep: set[int] = set()  # asleep while thinking: only a chosen stop wakes them early
        self._alarms: list[tuple[int, int, ForcedRow]] = []  # (step, tie-break, row): when sleepers wake
        self._alarm_count = 0
        self._stop_ids: set[int] = set()  # every forced row's stop tokens (formats may differ per request)
        self._stop_cache: torch.Tensor | None = None
        self._parked: dict[int, ForcedRow] = {}  # removed while unfinished (preempted), by key
        self._tokens: dict[tuple, ForcingTokens] = {}
        self._think_ids: dict[str, tuple[int, ...]] = {}
        self.step = 0  # calls of apply: one per decoding step

    # -- the batch changes ---------------------------------------------------------------------
    def add(self, index: int, config: BudgetForcing, prompt_ids: Sequence[int] | None, output: list[int],
            tag: str | None = None, seed: int | None = None, key: object = None) -> None:
        """A forced request enters the batch at row ``index`` (replacing whatever was there).

        ``key`` names the request across leaving and coming back (vLLM's processor passes the identity of
        its sampling parameters): a request back after a preemption, or after a step it was not scheduled
        in, keeps its state, even when the engine hands it a new output list (async scheduling does).
        """
        self.remove(index)
        key = output if key is None else key
        parked = self._parked.pop(id(key), None)
        if parked is not None and parked.key is key and len(output) >= parked.seen:
            parked.output, parked.wake_at = output, 0  # back: same state; steps went by without it
            self._place(parked, index, awake=True, thinking_asleep=False)
            return
        if parked is not None:
            log.warning("a request came back with %d tokens where %d were seen: forcing it afresh", len(output),
                        parked.seen)
        if prompt_ids is None:
            raise ValueError("budget forcing needs the request's prompt token ids")
        tokens = self._forcing_tokens(config)
        think = self._think_ids.setdefault(config.chat.think_delimiter, tuple(
            self.tokenizer.encode(config.chat.think_delimiter, add_special_tokens=False)))
        opened = len(prompt_ids) >= len(think) and tuple(prompt_ids[len(prompt_ids) - len(think):]) == think
        preamble = deque() if opened else deque(think)
        prompt_length = len(prompt_ids) + len(preamble)
        budget_left = thinking_budget(config, tokens, prompt_length, self.max_context)
        state = ForcingState(tokens, config, max(1, budget_left), room=self.max_context - prompt_length)
        generator = None
        if config.temperature > 0:  # its own draws; an unseeded request gets a fresh seed (the global RNG untouched)
            generator = torch.Generator()
            if seed is None:
                generator.seed()
            else:
                generator.manual_seed(seed)
        if budget_left <= 0:
            log.warning("a forced request's prompt (%d tokens) leaves no room to think in a context of %d: "
                        "the cap ends its thinking after one token", prompt_length, self.max_context)
        row = ForcedRow(state, output, preamble, len(preamble), tag, generator, end_id=min(tokens.end_ids), key=key)
        if tag is not None:  # now: vLLM may never tell the processor that the last requests finished
            LEDGER[tag] = row
        self._stop_ids |= tokens.stop_ids
        self._place(row, index, awake=True, thinking_asleep=False)

    def remove(self, index: int) -> None:
        """The request at row ``index`` left the batch (finished, or preempted to come back later)."""
        row = self._take(index)
        if row is not None and not row.state.done:
            self._parked[id(row.key)] = row  # the row holds its key object: no other object gets its id meanwhile
            while len(self._parked) > 4096:  # finished requests removed mid-answer (stop strings, aborts)
                self._parked.pop(next(iter(self._parked)))

    def move(self, source: int, target: int, swap: bool) -> None:
        """Row ``source`` moves to ``target`` (``swap``: the two exchange places; else ``target``'s row is gone)."""
        flags = {i: (i in self.awake, i in self.thinking_asleep) for i in (source, target)}
        moving, staying = self._take(source), self._take(target)
        if moving is not None:
            self._place(moving, target, *flags[source])
        if swap and staying is not None:
            self._place(staying, source, *flags[target])

    def _take(self, index: int) -> ForcedRow | None:
        row = self.rows.pop(index, None)
        self.awake.discard(index)
        self.thinking_asleep.discard(index)
        if row is not None:
            row.index = None  # its pending alarm, if any, no longer counts
        return row

    def _place(self, row: ForcedRow, index: int, awake: bool, thinking_asleep: bool) -> None:
        self.rows[index] = row
        row.index = index
        if awake:
            self.awake.add(index)
        if thinking_asleep:
            self.thinking_asleep.add(index)

    # -- one decoding step ---------------------------------------------------------------------
    def apply(self, logits: torch.Tensor) -> torch.Tensor:
        """Constrain the next token of every forced row (in place); ``logits`` is (batch, vocabulary)."""
        if not self.rows:
            return logits
        self.step += 1
        step = self.step
        while self._alarms and self._alarms[0][0] <= step:  # sleepers whose budget could end now
            when, _, row = heapq.heappop(self._alarms)
            if row.index is not None and row.wake_at == when:
                self._wake(row)
        sleepers = list(self.thinking_asleep)
        forced_rows, forced_tokens, banned_rows = [], [], []
        greedy_think: list[tuple[int, ForcedRow]] = []  # awake greedy rows free to think
        for index in list(self.awake):
            row = self.rows[index]
            feed(row)  # the tokens the engine appended since the last step
            token, ban = self._decide(row, logits, index, greedy_think)
            if token is not None:
                forced_rows.append(index)
                forced_tokens.append(token)
            elif ban:
                banned_rows.append(index)
        stopped: list[tuple[int, int]] = []  # (row, choice): the model chose to stop thinking
        looked = [index for index, _ in greedy_think] + sleepers
        if looked:  # one argmax for the awake thinkers and the sleeping ones
            choices = logits[looked].argmax(-1)
            awake = len(greedy_think)
            for (index, row), choice in zip(greedy_think, choices[:awake].tolist(), strict=True):
                if choice in row.state.tokens.stop_ids:
                    stopped.append((index, choice))
                else:
                    self._sleep(row)
            if sleepers:  # only a stop wakes a sleeper: find those in one pass over the tensor
                asleep = choices[awake:]
                for position in torch.isin(asleep, self._stop_tensor(asleep.device)).nonzero().flatten().tolist():
                    index, choice = sleepers[position], int(asleep[position])
                    row = self.rows[index]
                    if choice in row.state.tokens.stop_ids:
                        self._wake(row)
                        feed(row)
                        stopped.append((index, choice))
        for index, choice in stopped:
            row = self.rows[index]
            token, ban = self._after_choice(row, choice, len(row.output))
            if token is not None:
                forced_rows.append(index)
                forced_tokens.append(token)
            elif ban:
                banned_rows.append(index)
        if banned_rows:
            rows = torch.tensor(banned_rows, device=logits.device)
            logits[rows[:, None], self._stop_tensor(logits.device)[None, :]] = float("-inf")
        if forced_rows:
            rows = torch.tensor(forced_rows, device=logits.device)
            logits[rows] = float("-inf")
            logits[rows, torch.tensor(forced_tokens, device=logits.device)] = 0.0
        return logits

    def _stop_tensor(self, device) -> torch.Tensor:
        """Every forced row's stop tokens as a tensor, built again only when a new format brought new ones."""
        if self._stop_cache is None or len(self._stop_cache) != len(self._stop_ids) or self._stop_cache.device != device:
            self._stop_cache = torch.tensor(sorted(self._stop_ids), device=device)
        return self._stop_cache

    def _sleep(self, row: ForcedRow) -> None:
        """Skip the row until the step at which its phase's budget could end."""
        row.wake_at = self.step + max(1, row.state.free_token_limit())
        self._alarm_count += 1
        heapq.heappush(self._alarms, (row.wake_at, self._alarm_count, row))
        self.awake.discard(row.index)
        if row.state.phase == THINK:
            self.thinking_asleep.add(row.index)

    def _wake(self, row: ForcedRow) -> None:
        row.wake_at = 0
        self.thinking_asleep.discard(row.index)
        self.awake.add(row.index)

    def _decide(self, row: ForcedRow, logits: torch.Tensor, index: int,
                greedy_think: list) -> tuple[int | None, bool]:
        """(token to force, ban the stop tokens) for one row; greedy thinking rows wait for the batched argmax."""
        state = row.state
        if row.preamble:
            return row.preamble[0], False
        if state.done:  # the answer budget is spent: end the request
            return row.end_id, False
        forced = state.forced_token()
        if forced is not None:
            return forced, False
        config = state.config
        if config.temperature == 0:
            if state.phase == THINK:
                greedy_think.append((index, row))
            else:
                self._sleep(row)  # a greedy answer: nothing to do until its budget is spent
            return None, False
        # sampled: draw here, with this request's generator, so that a chosen stop can be replaced
        row_logits = logits[index].float().cpu()  # the generator lives on the CPU, whatever the device
        if state.stops_banned():
            row_logits = row_logits.clone()
            row_logits[sorted(state.tokens.stop_ids)] = float("-inf")
        choice = int(pick(row_logits[None], config, row.generator)[0])
        if state.phase != THINK:
            return choice, False
        token, ban = self._after_choice(row, choice, len(row.output))
        if token is None:
            if ban:  # ignored with nothing appended: draw again without the stop tokens
                row_logits = logits[index].float().cpu()
                row_logits[sorted(state.tokens.stop_ids)] = float("-inf")
                return int(pick(row_logits[None], config, row.generator)[0]), False
            return choice, False
        return token, False

    @staticmethod
    def _after_choice(row: ForcedRow, choice: int, step: int) -> tuple[int | None, bool]:
        """The model chose ``choice`` while thinking: a stop token is replaced by what the rules say."""
        state = row.state
        if choice not in state.tokens.stop_ids:
            return None, False
        if state.stops_banned():  # right after an ignore: the next best token that is not a stop
            return None, True
        row.undo = (step, state.ignores_used, list(state.pending), state.must_continue, state.phase,
                    len(row.stop_steps))
        row.stop_steps.append(step)
        state.request_stop()
        forced = state.forced_token()
        return (forced, False) if forced is not None else (None, True)

    def _forcing_tokens(self, config: BudgetForcing) -> ForcingTokens:
        key = (config.chat, config.ignore_str)
        if key not in self._tokens:
            self._tokens[key] = ForcingTokens.from_tokenizer(self.tokenizer, config)
        return self._tokens[key]


def replay(state: ForcingState, token_ids: Sequence[int], stop_steps: Sequence[int], preamble_length: int = 0) -> None:
    """Rebuild a request's state from the tokens the engine returned and the steps where the model chose
    to stop thinking (the ledger's): exactly the state the processor had, checked token by token."""
    stops = set(stop_steps)
    for step, token in enumerate(token_ids):
        if step < preamble_length:
            continue
        if state.done:
            return
        if state.phase == THINK and not state.pending and step in stops:
            state.request_stop()
        state.accept(token)
