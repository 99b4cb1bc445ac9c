"""In-engine budget forcing (s1kit.service.rows) driven by a decoding loop shaped like vLLM's, with no vLLM.

The loop below does what vLLM's engine does around a logits processor: rows join the batch late,
finished rows leave it, the rest are moved to close the gaps, and every step the processor gets
the batch's logits before the sampler takes the argmax (forced tokens are the only finite logit,
so the argmax is the forced token, and a sampled request's draw was made by the processor). The
results must equal the Hugging Face engine's token for token, and the plain reference's.
"""

from __future__ import annotations

import copy
import json

import pytest
import torch
from conftest import qwen3_toy
from distributions import ks_critical, ks_distance, thinking_lengths

from s1kit.budget import THINK, BudgetForcing, budget_force
from s1kit.budget_reference import reference_budget_force as reference
from s1kit.chat import QWEN3_EARLY_STOP, ChatFormat, thinking_format
from s1kit.engines import HFEngine
from s1kit.service.rows import (
    FORCING_KEY,
    LEDGER,
    TAG_KEY,
    ForcingRows,
    config_from_args,
    forcing_args,
    replay,
    settle,
    summary,
)
from s1kit.tiny.world import generate_problems

GRID = [(n, k, s) for n in (3, 12, 40, None) for k in (0, 1, 3) for s in ("Wait", None)]


class LoopEngine:
    """An engine that decodes like vLLM: one batch, rows added and removed, a logits processor per step.

    ``chunked_prefill`` steps of every new row are thrown away, as vLLM throws away the draws after
    each chunk of a prompt prefilled in chunks; their logits make a stop token the model's choice,
    the worst case for the rules' state (the processor must take its reaction back).
    """

    def __init__(self, model, tokenizer, slots: int = 4, chunked_prefill: int = 0, preempt_every: int = 0):
        self.model, self.tokenizer, self.slots = model, tokenizer, slots
        self.max_context = int(model.config.max_position_embeddings)
        self.chunked_prefill, self.preempt_every = chunked_prefill, preempt_every
        self.shuffles = self.discarded = self.preempted = 0

    @torch.no_grad()
    def _logits(self, sequences):
        width = max(len(s) for s in sequences)
        ids = torch.zeros((len(sequences), width), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for row, sequence in enumerate(sequences):
            ids[row, width - len(sequence):] = torch.tensor(sequence)
            mask[row, width - len(sequence):] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return self.model(input_ids=ids, attention_mask=mask, position_ids=positions).logits[:, -1, :].float().clone()

    def run(self, prompt_ids, states, config):
        rows = ForcingRows(self.tokenizer, self.max_context)
        waiting = list(range(len(prompt_ids)))
        batch: list[int] = []  # request index at each row
        outputs = {i: [] for i in waiting}
        prefilling = {i: self.chunked_prefill for i in waiting}
        keys = {i: object() for i in waiting}  # what vLLM's sampling parameters are: one object per request
        tags = [f"loop-{id(self)}-{i}" for i in waiting]
        end_ids = states[0].tokens.end_ids
        steps = 0
        while waiting or batch:
            while waiting and len(batch) < self.slots:  # requests join as rows free up
                request = waiting.pop(0)
                if outputs[request]:  # back after a preemption: its key finds its state
                    rows.add(len(batch), None, prompt_ids[request], outputs[request], key=keys[request])
                    batch.append(request)
                    continue
                args = forcing_args(config, tag=tags[request])
                forcing = config_from_args(args[FORCING_KEY], config.temperature, config.top_p, config.seed + request)
                rows.add(len(batch), forcing, prompt_ids[request], outputs[request], tag=args[TAG_KEY],
                         seed=config.seed + request, key=keys[request])
                batch.append(request)
            logits = self._logits([prompt_ids[r] + outputs[r] for r in batch])
            stop = min(states[0].tokens.stop_ids - states[0].tokens.end_ids)
            for row, request in enumerate(batch):
                if prefilling[request]:  # a chunk of the prompt: its draw is thrown away
                    logits[row] = 0.0
                    logits[row, stop] = 1.0
            logits = rows.apply(logits)
            for row, request in enumerate(batch):
                if prefilling[request]:
                    prefilling[request] -= 1
                    self.discarded += 1
                    continue
                outputs[request].append(int(logits[row].argmax()))
            for row, request in enumerate(batch):
                done = outputs[request] and outputs[request][-1] in end_ids
                if done or len(prompt_ids[request]) + len(outputs[request]) >= self.max_context:
                    rows.remove(row)
                    batch[row] = None
            # close the gaps as vLLM's persistent batch does: the last rows move into the holes
            last = len(batch) - 1
            for hole in [row for row, request in enumerate(batch) if request is None]:
                while last > hole and batch[last] is None:
                    last -= 1
                if last <= hole:
                    break
                rows.move(last, hole, swap=False)
                batch[hole], batch[last] = batch[last], None
                self.shuffles += 1
                last -= 1
            batch = [request for request in batch if request is not None]
            steps += 1
            if self.preempt_every and steps % self.preempt_every == 0 and batch:
                # preempted: out of the batch, back at the end of the queue with a new list of the same
                # tokens (vLLM's async scheduling hands a resumed request a new output list)
                request = batch.pop()
                rows.remove(len(batch))
                outputs[request] = list(outputs[request])
                waiting.append(request)
                self.preempted += 1
        for request, state in enumerate(states):
            entry = summary(LEDGER.pop(tags[request]))
            settled = copy.copy(state)
            settle(settled, outputs[request], entry)
            replay(state, outputs[request], entry["stop_steps"], entry["preamble_length"])
            assert state.done
            for name in ("output_ids", "thinking_ids", "answer_ids", "generated_answer_tokens", "ignores_used",
                         "cap_fired", "hit_answer_budget", "phase"):
                assert getattr(settled, name) == getattr(state, name), name  # the summary says what the replay does


def prompts(chat, count=6, seed=5):
    problems = generate_problems(seed=seed, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")
    return [chat.thinking_prompt(p.question) for p in problems]


def test_rows_match_hf_engine_token_for_token_over_the_grid(trained, chat):
    model, tok = trained
    hf, loop = HFEngine(model, tok, batch_size=8), LoopEngine(model, tok, slots=3, chunked_prefill=2, preempt_every=7)
    texts = prompts(chat)
    ignored = fired = 0
    for n, k, ignore_str in GRID:
        for answer in (8, None):
            config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=answer)
            expected, got = budget_force(hf, texts, config), budget_force(loop, texts, config)
            assert [r.output_ids for r in got] == [r.output_ids for r in expected], (n, k, ignore_str, answer)
            assert [(r.ignores_used, r.cap_fired, r.thinking_tokens, r.hit_answer_budget) for r in got] == \
                [(r.ignores_used, r.cap_fired, r.thinking_tokens, r.hit_answer_budget) for r in expected]
            ignored += sum(r.ignores_used for r in got)
            fired += sum(r.cap_fired for r in got)
    assert ignored > 0 and fired > 0  # both rules ran
    assert loop.shuffles > 0 and loop.discarded > 0 and loop.preempted > 0  # rows moved, prefilled, came back


def test_rows_match_hf_engine_with_s1s_newline_rule(trained, chat):
    model, tok = trained
    config = BudgetForcing(max_thinking_tokens=20, num_ignore=1, cap_newline="if_missing")
    texts = prompts(chat)
    assert [r.output_ids for r in budget_force(LoopEngine(model, tok), texts, config)] == \
        [r.output_ids for r in budget_force(HFEngine(model, tok), texts, config)]


def test_sampled_rows_keep_the_engines_distribution(trained, chat):
    """Draws differ between the engines (one generator per request here, one per batch in HF), so compare
    distributions of thinking length with no cap and one ignore: a two-sample KS test at about the 0.1%
    level. The same test tells one ignore from none, so it has the power to see a wrong rule."""
    model, tok = trained
    texts = prompts(chat, count=16)
    hf, loop = HFEngine(model, tok), LoopEngine(model, tok, slots=16)
    by_hf, by_rows = thinking_lengths(hf, texts, 1), thinking_lengths(loop, texts, 1)
    critical = ks_critical(len(by_hf))
    assert ks_distance(by_hf, by_rows) < critical, (sorted(by_hf), sorted(by_rows))
    assert ks_distance(by_hf, thinking_lengths(hf, texts, 0)) > critical  # the test can fail
    config = BudgetForcing(max_thinking_tokens=40, num_ignore=1, temperature=1.0, seed=3)  # seeded: repeatable
    assert [r.output_ids for r in budget_force(loop, texts, config)] == \
        [r.output_ids for r in budget_force(loop, texts, config)]


def test_a_prompt_without_the_thinking_delimiter_gets_it_forced_first(trained, chat):
    """A chat request's prompt ends with the opened assistant turn: the processor writes the delimiter."""
    model, tok = trained
    question = generate_problems(seed=5, count=1, min_terms=4, max_terms=9, source="t", id_prefix="p")[0].question
    config = BudgetForcing(max_thinking_tokens=12, num_ignore=1)
    think_ids = tok.encode(chat.think_delimiter, add_special_tokens=False)
    bare = tok.encode(chat.user_prompt(question), add_special_tokens=False)
    rows, output = ForcingRows(tok, model.config.max_position_embeddings), []
    rows.add(0, config, bare, output)
    loop = LoopEngine(model, tok)
    while not output or output[-1] not in rows.rows[0].state.tokens.end_ids:
        output.append(int(rows.apply(loop._logits([bare + output]))[0].argmax()))
    expected = budget_force(HFEngine(model, tok), [chat.thinking_prompt(question)], config)[0]
    assert output[: len(think_ids)] == think_ids
    assert output[len(think_ids):][: len(expected.output_ids)] == expected.output_ids


def test_forcing_args_round_trip_and_bad_args_are_named():
    config = BudgetForcing(max_thinking_tokens=7, num_ignore=2, ignore_str=None, max_answer_tokens=None,
                           cap_newline="if_missing", chat=ChatFormat.think_tags())
    args = forcing_args(config, tag="x")
    assert config_from_args(args[FORCING_KEY]) == config and args[TAG_KEY] == "x"
    with pytest.raises(ValueError, match="unknown fields.*max_thinking"):
        config_from_args(json.dumps({"max_thinking": 3}))
    with pytest.raises(ValueError, match="max_thinking_tokens"):
        config_from_args(json.dumps({"max_thinking_tokens": -1}))
    with pytest.raises(ValueError, match="not JSON"):
        config_from_args("{")


# -- any reasoning model: Qwen3's real tokenizer, <think>...</think> ----------------------------------

@pytest.fixture(scope="module")
def qwen3(tmp_path_factory):
    model, tok = qwen3_toy(tmp_path_factory.mktemp("qwen3"))
    return model, tok, thinking_format(tok)


def test_thinking_format_is_read_from_the_tokenizer(qwen3, tokenizer):
    _, tok, chat = qwen3
    assert chat.think_delimiter == "<think>\n" and chat.answer_delimiter == "</think>"
    assert chat.thinking_prompt("Q") == "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n"
    assert chat.forced_answer_suffix() == "\n" + QWEN3_EARLY_STOP + "</think>\n\n"
    assert thinking_format(tokenizer) == ChatFormat.from_tokenizer(tokenizer)  # the tiny model speaks s1's


def test_qwen3_forcing_rules_hold_token_for_token_against_the_reference(qwen3):
    model, tok, chat = qwen3
    texts = prompts(chat, count=3)
    hf, loop = HFEngine(model, tok), LoopEngine(model, tok, slots=2)
    stops = ignored = fired = 0
    for n, k, ignore_str in [(6, 0, "Wait"), (24, 2, "Wait"), (24, 1, None), (None, 2, "Wait")]:
        config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=6,
                               chat=chat)
        by_hf, by_rows = budget_force(hf, texts, config), budget_force(loop, texts, config)
        for text, a, b in zip(texts, by_hf, by_rows, strict=True):
            assert a.output_ids == reference(model, tok, text, config) == b.output_ids, (n, k, ignore_str)
            stops += a.ignores_used + (not a.cap_fired)
            ignored += a.ignores_used
            fired += a.cap_fired
            if a.cap_fired:
                assert a.answer_text.startswith("\n" + QWEN3_EARLY_STOP + "</think>")
    assert ignored > 0 and fired > 0 and stops > ignored


def test_state_machine_refuses_a_replay_that_breaks_the_rules(trained, chat):
    model, tok = trained
    text = prompts(chat, 1)
    config = BudgetForcing(max_thinking_tokens=5)
    result = budget_force(HFEngine(model, tok), text, config)[0]
    from s1kit.budget import make_states

    state = make_states(HFEngine(model, tok), [tok.encode(text[0], add_special_tokens=False)], config)[0]
    tampered = list(result.output_ids)
    tampered[5] = (tampered[5] + 1) % len(tok)  # the first token of the forced answer, changed
    with pytest.raises(RuntimeError, match="forced"):
        replay(state, tampered, [])
    assert state.phase != THINK
