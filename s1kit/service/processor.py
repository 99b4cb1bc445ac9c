"""Budget forcing inside vLLM: a logits processor that applies all of :mod:`s1kit.budget` within one request.

vLLM (0.19 and later, V1 engine) calls a custom logits processor before every sampling step with
the logits of the whole batch; this one hands them to :class:`s1kit.service.rows.ForcingRows`,
which forces or bans tokens per request. A request is forced when its ``extra_args`` (the OpenAI
server's ``vllm_xargs``) carry :data:`s1kit.service.rows.FORCING_KEY`; every other request
decodes untouched, so forced requests with different budgets and plain ones share a batch.

It is a logits processor of vLLM's V1 model runner: ``serve`` and the offline engine set
``VLLM_USE_V2_MODEL_RUNNER=0`` (vLLM 0.32 picks its V2 runner on a GPU with Triton, which takes
another processor interface). Install it with ``LLM(..., logits_processors=[BudgetForcingLogitsProcessor])`` (what
:class:`s1kit.service.offline.InEngineVLLMEngine` does) or ``--logits-processors
s1kit.service.processor:BudgetForcingLogitsProcessor`` (what ``python -m s1kit serve`` does).
This module needs vLLM: it is imported only in vLLM's environment.
"""

from __future__ import annotations

import torch
from vllm import SamplingParams
from vllm.v1.sample.logits_processor import BatchUpdate, LogitsProcessor, MoveDirectionality

from s1kit.service.rows import FORCING_KEY, TAG_KEY, ForcingRows, config_from_args

_EPS = 1e-5  # vLLM treats a smaller temperature as greedy


def forcing_config(params: SamplingParams):
    """The request's (BudgetForcing, tag), or None for a request that is not forced."""
    extra = params.extra_args or {}
    if FORCING_KEY not in extra:
        return None
    temperature = params.temperature if params.temperature >= _EPS else 0.0
    seed = params.seed if params.seed is not None else 0
    config = config_from_args(extra[FORCING_KEY], temperature=temperature, top_p=params.top_p, seed=seed)
    return config, extra.get(TAG_KEY)


class BudgetForcingLogitsProcessor(LogitsProcessor):
    """vLLM's side of in-engine budget forcing; the rules are :class:`s1kit.service.rows.ForcingRows`'."""

    @classmethod
    def validate_params(cls, sampling_params: SamplingParams) -> None:
        """Refuse a forced request the processor cannot honour (vLLM turns the ValueError into HTTP 400)."""
        if forcing_config(sampling_params) is None:
            return
        if sampling_params.n != 1:
            raise ValueError(f"budget forcing decodes one sequence per request; n={sampling_params.n}")
        penalties = {"repetition_penalty": 1.0, "presence_penalty": 0.0, "frequency_penalty": 0.0}
        for name, neutral in penalties.items():  # vLLM applies them after this processor has decided
            if getattr(sampling_params, name, neutral) not in (None, neutral):
                raise ValueError(f"{name} is not supported with budget forcing (vLLM would apply it after the "
                                 "forcing rules have chosen)")
        if sampling_params.temperature >= _EPS:
            # sampled tokens are drawn by the processor (temperature and top-p); other filters would be skipped
            if sampling_params.top_k not in (None, 0, -1) or sampling_params.min_p > 0:
                raise ValueError("budget forcing samples with temperature and top_p only; top_k and min_p are "
                                 "not supported with it")

    def __init__(self, vllm_config, device: torch.device, is_pin_memory: bool):
        from vllm.tokenizers import cached_tokenizer_from_config

        model_config = vllm_config.model_config
        self.rows = ForcingRows(cached_tokenizer_from_config(model_config=model_config),
                                model_config.max_model_len)

    def is_argmax_invariant(self) -> bool:
        return False  # it decides greedy requests' tokens too

    def update_state(self, batch_update: BatchUpdate | None) -> None:
        if batch_update is None:
            return
        for index in batch_update.removed:
            self.rows.remove(index)
        for index, params, prompt_ids, output in batch_update.added:
            forcing = forcing_config(params) if params is not None else None
            if forcing is None:
                self.rows.remove(index)  # an added request may replace a forced one at its row
            else:
                config, tag = forcing
                # the parameters object stays the same across a preemption; the output list may not
                self.rows.add(index, config, prompt_ids, output, tag=tag, seed=params.seed, key=params)
        for source, target, direction in batch_update.moved:
            self.rows.move(source, target, swap=direction == MoveDirectionality.SWAP)

    def apply(self, logits: torch.Tensor) -> torch.Tensor:
        return self.rows.apply(logits)
