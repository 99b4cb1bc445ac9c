"""In-engine budget forcing for offline runs: every prompt is one vLLM request, forced by the logits processor.

:class:`InEngineVLLMEngine` has the :class:`s1kit.budget.Engine` interface of the study's other
engines, so :func:`s1kit.budget.budget_force` runs on it unchanged. Where
:class:`s1kit.engines.VLLMEngine` re-submits each prompt for every "Wait" and for its answer
(one request per segment), this engine submits each prompt once: the processor
(``s1kit.service.processor``) forces the ignore string, the answer delimiter, the cap's forced
answer and the end of the answer inside that request.

The results are rebuilt from the tokens vLLM returns and a summary of each request's final state,
which the processor keeps in its ledger (:data:`s1kit.service.rows.LEDGER`) and this engine reads
back from vLLM's workers. With ``verify=True`` every state is instead replayed token by token through
a fresh state machine, with the steps at which the model chose to stop thinking (the tests do).
"""

from __future__ import annotations

import itertools
from pathlib import Path

from s1kit.budget import THINK, BudgetForcing, ForcingState
from s1kit.engines import VLLMEngine
from s1kit.service.rows import TAG_KEY, forcing_args, replay, settle

_RUNS = itertools.count()


class ForcingLedgerExtension:
    """Mixed into vLLM's workers (``worker_extension_cls``), so that ``collective_rpc`` can ask for the ledger
    by name in any process layout (a function would have to be pickled to reach another process)."""

    def take_forcing_ledger(self, tags: list[str]) -> dict[str, dict]:
        """Hand over (and forget) the ledger entries of ``tags``, as summaries."""
        from s1kit.service.rows import LEDGER, summary

        return {tag: summary(LEDGER.pop(tag)) for tag in tags if tag in LEDGER}


class InEngineVLLMEngine(VLLMEngine):
    """Budget forcing on vLLM with one request per prompt (the logits processor does the forcing)."""

    def __init__(self, model_path: str | Path, verify: bool = False, **llm_kwargs):
        from s1kit.service.processor import BudgetForcingLogitsProcessor

        self.verify = verify  # replay every token through a fresh state machine (the tests' check) instead of trusting the summary
        import os

        os.environ.setdefault("VLLM_USE_V2_MODEL_RUNNER", "0")  # the processor is a V1-runner one
        processors = list(llm_kwargs.pop("logits_processors", []))
        llm_kwargs.setdefault("worker_extension_cls", f"{__name__}.ForcingLedgerExtension")
        super().__init__(model_path, logits_processors=[*processors, BudgetForcingLogitsProcessor], **llm_kwargs)

    def run(self, prompt_ids: list[list[int]], states: list[ForcingState], config: BudgetForcing) -> None:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        run = next(_RUNS)
        args = forcing_args(config)  # one JSON string for the whole run
        tags = [f"s1kit-{id(self)}-{run}-{index}" for index in range(len(states))]
        requests, params = [], []
        for index, (ids, state) in enumerate(zip(prompt_ids, states, strict=True)):
            if state.phase != THINK or len(ids) + 1 > self.max_context:
                raise ValueError("InEngineVLLMEngine runs thinking prompts that fit the context (use budget_force)")
            requests.append(TokensPrompt(prompt_token_ids=list(ids)))
            params.append(SamplingParams(
                max_tokens=self.max_context - len(ids),  # the processor ends the answer; the context bounds it
                stop_token_ids=sorted(state.tokens.end_ids), skip_special_tokens=False,
                temperature=config.temperature, top_p=config.top_p,
                seed=None if config.temperature == 0 else config.seed + index,
                extra_args={**args, TAG_KEY: tags[index]}))
        outputs = self.llm.generate(requests, params, use_tqdm=False)
        ledger: dict[str, dict] = {}
        for part in self.llm.collective_rpc("take_forcing_ledger", args=(tags,)):
            ledger.update(part or {})
        for tag, state, output in zip(tags, states, outputs, strict=True):
            if tag not in ledger:
                raise RuntimeError(f"the budget-forcing processor kept no record of request {tag}: was it installed?")
            entry, token_ids = ledger[tag], output.outputs[0].token_ids
            if self.verify:
                replay(state, list(token_ids), entry["stop_steps"], entry["preamble_length"])
                if not state.done:
                    raise RuntimeError(f"request {tag} ended before its answer did ({output.outputs[0].finish_reason})")
            else:
                settle(state, token_ids, entry)
