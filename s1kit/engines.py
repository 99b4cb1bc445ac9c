"""Decoding backends for budget forcing: Hugging Face transformers and vLLM.

Both engines drive the same :class:`s1kit.budget.ForcingState` machines, so the rules of
budget forcing exist once. They differ only in how they decode:

* :class:`HFEngine` decodes token by token over a left-padded batch with one KV cache.
  Forced tokens (the ignore string, the answer delimiter) are fed like generated ones, so a
  "Wait" continuation extends the cached sequence instead of re-encoding the prompt, and rows
  that finish are dropped from the batch and the cache at once.
* :class:`VLLMEngine` decodes in *segments*: every free stretch of a sequence is one vLLM
  request that stops on the phase's stop tokens or at the remaining budget; forced tokens are
  appended between segments. With prefix caching on (the default; ``enable_prefix_caching=False``
  turns it off, as s1 ran), the shared prefix is not recomputed.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import torch
from transformers import DynamicCache, PreTrainedModel, PreTrainedTokenizerBase

from s1kit.budget import THINK, BudgetForcing, ForcingState


def pick(logits: torch.Tensor, config: BudgetForcing, generator: torch.Generator | None) -> torch.Tensor:
    """Greedy or nucleus sampling over the last dimension (one token per row of ``logits``)."""
    if config.temperature == 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / config.temperature, dim=-1)
    if config.top_p < 1.0:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        outside = sorted_probs.cumsum(-1) - sorted_probs > config.top_p
        sorted_probs[outside] = 0.0
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


class HFEngine:
    """Batched budget forcing with a transformers causal LM and a KV cache (CPU or GPU)."""

    def __init__(self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, batch_size: int = 256):
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_context = int(model.config.max_position_embeddings)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        # transformers >= 5.24 names the KV-cache argument `cache`; older releases (the vLLM
        # environment pins < 5.21) call it `past_key_values`.
        self.cache_arg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"

    def close(self) -> None:
        """Let go of the model (its memory is freed once nothing else holds it)."""
        self.model = None

    def run(self, prompt_ids: list[list[int]], states: list[ForcingState], config: BudgetForcing) -> None:
        generator = None
        if config.temperature > 0:
            generator = torch.Generator(device=self.model.device).manual_seed(config.seed)
        # Similar lengths together: less padding in each batch.
        order = sorted(range(len(prompt_ids)), key=lambda i: len(prompt_ids[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            self._run_batch([prompt_ids[i] for i in chunk], [states[i] for i in chunk], config, generator)

    @torch.inference_mode()
    def _run_batch(
        self,
        prompt_ids: list[list[int]],
        states: list[ForcingState],
        config: BudgetForcing,
        generator: torch.Generator | None,
    ) -> None:
        device = self.model.device
        width = max(len(ids) for ids in prompt_ids)
        input_ids = torch.full((len(prompt_ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(prompt_ids), width), dtype=torch.long)
        for row, ids in enumerate(prompt_ids):
            input_ids[row, width - len(ids) :] = torch.tensor(ids)
            mask[row, width - len(ids) :] = 1
        input_ids, mask = input_ids.to(device), mask.to(device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        cache = DynamicCache(config=self.model.config)
        logits = self.model(
            input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=True, **{self.cache_arg: cache}
        ).logits[:, -1, :]
        next_position = positions[:, -1] + 1
        active = list(states)
        stop_ids = torch.tensor(sorted(active[0].tokens.stop_ids), device=device)
        while True:
            tokens = self._step(logits, active, stop_ids, config, generator)
            keep = [row for row, state in enumerate(active) if not state.done]
            if not keep:
                return
            # Drop finished rows from the batch and the cache. Copying the cache costs about as
            # much as a decoding step, so wait until a quarter of the rows are done.
            if len(active) - len(keep) >= max(1, len(active) // 4):
                index = torch.tensor(keep, device=device)
                cache.batch_select_indices(index)
                mask, next_position, tokens = mask[index], next_position[index], tokens[index]
                active = [active[row] for row in keep]
            mask = torch.cat([mask, mask.new_ones((len(active), 1))], dim=1)
            logits = self.model(
                input_ids=tokens[:, None],
                attention_mask=mask,
                position_ids=next_position[:, None],
                use_cache=True,
                **{self.cache_arg: cache},
            ).logits[:, -1, :]
            next_position = next_position + 1

    def _step(
        self,
        logits: torch.Tensor,
        active: list[ForcingState],
        stop_ids: torch.Tensor,
        config: BudgetForcing,
        generator: torch.Generator | None,
    ) -> torch.Tensor:
        """Choose and accept one token per unfinished sequence (finished rows are fed padding)."""
        banned = [row for row, state in enumerate(active) if state.stops_banned()]
        if banned:
            logits = logits.clone()
            rows = torch.tensor(banned, device=logits.device)
            logits[rows[:, None], stop_ids[None, :]] = float("-inf")
        choices = pick(logits, config, generator).tolist()
        chosen = []
        for row, state in enumerate(active):
            if state.done:  # waiting to be dropped from the batch
                chosen.append(self.pad_id)
                continue
            token = state.forced_token()
            if token is None:
                token = choices[row]
                if state.phase == THINK and token in state.tokens.stop_ids:
                    state.request_stop()
                    token = state.forced_token()
                    if token is None:  # ignored with nothing to append: choose again, stops banned
                        row_logits = logits[row].clone()
                        row_logits[stop_ids] = float("-inf")
                        token = int(pick(row_logits[None], config, generator)[0])
            state.accept(token)
            chosen.append(token)
        return torch.tensor(chosen, device=logits.device)


class VLLMEngine:
    """Budget forcing on vLLM (GPU nodes; ``pip install s1kit[gpu]``).

    ``llm_kwargs`` go to ``vllm.LLM`` as given; prefix caching is on unless they say
    ``enable_prefix_caching=False`` (s1's evaluation ran with it off; a recipe's
    ``evaluation.vllm_kwargs: {enable_prefix_caching: false}`` does that).
    """

    def __init__(self, model_path: str | Path, **llm_kwargs):
        try:
            from vllm import LLM
        except ImportError as error:  # the CPU install never has vLLM
            raise ImportError("VLLMEngine needs vLLM: install the GPU extra (pip install -e '.[gpu]')") from error
        llm_kwargs.setdefault("enable_prefix_caching", True)
        self.llm = LLM(model=str(model_path), **llm_kwargs)
        self._runs = 0  # makes request ids unique across budget_force calls
        self.tokenizer = self.llm.get_tokenizer()
        self.max_context = int(self.llm.llm_engine.model_config.max_model_len)
        # what the engine vLLM built does (its cache config, after vLLM's own overrides); None: not said
        cache_config = getattr(getattr(self.llm.llm_engine, "vllm_config", None), "cache_config", None)
        caching = getattr(cache_config, "enable_prefix_caching", None)
        self.prefix_caching: bool | None = None if caching is None else bool(caching)

    def close(self) -> None:
        """Free the engine's memory (weights, KV cache, workers) before another engine loads.

        Two vLLM engines in one process each take their share of the device (``gpu_memory_utilization``;
        on the CPU build, of RAM): the second one only fits once the first is gone.
        """
        import gc

        llm, self.llm = getattr(self, "llm", None), None
        if llm is None:
            return
        core = getattr(llm.llm_engine, "engine_core", None)
        if core is not None and hasattr(core, "shutdown"):
            core.shutdown()
        del llm
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        try:  # tensor-parallel groups, so that the next engine can form its own
            from vllm.distributed.parallel_state import destroy_distributed_environment, destroy_model_parallel

            destroy_model_parallel()
            destroy_distributed_environment()
        except (ImportError, AssertionError, RuntimeError):
            pass

    def _sampling_params(self, state: ForcingState, config: BudgetForcing, request_index: int):
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind

        return SamplingParams(
            output_kind=RequestOutputKind.FINAL_ONLY,  # one output per segment, when it ends
            max_tokens=state.free_token_limit(),
            min_tokens=1 if state.stops_banned() else 0,
            stop_token_ids=sorted(state.phase_stop_ids()),
            skip_special_tokens=False,
            temperature=config.temperature,
            top_p=config.top_p,
            seed=None if config.temperature == 0 else config.seed + request_index,
        )

    def run(self, prompt_ids: list[list[int]], states: list[ForcingState], config: BudgetForcing) -> None:
        """Decode every prompt's segments through vLLM's engine loop, each as soon as the last one ended.

        A prompt's next segment (after "Wait", or its answer) is submitted the moment its
        previous segment finishes, while other prompts are still decoding, so the batch never
        drains between segments: one ``generate`` call per segment would wait for the slowest
        sequence every time.
        """
        from vllm.inputs import TokensPrompt

        engine = self.llm.llm_engine
        sequences = [list(ids) for ids in prompt_ids]
        segments = [0] * len(states)
        self._runs += 1

        def submit(index: int) -> None:
            state = states[index]
            while not state.done and state.forced_token() is not None:
                token = state.forced_token()
                state.accept(token)
                sequences[index].append(token)
            if state.done:
                return
            params = self._sampling_params(state, config, index + segments[index] * len(states))
            request_id = f"s1kit-{self._runs}-{index}-{segments[index]}"
            engine.add_request(request_id, TokensPrompt(prompt_token_ids=list(sequences[index])), params)
            segments[index] += 1

        for index in range(len(states)):
            submit(index)
        while engine.has_unfinished_requests():
            for output in engine.step():
                if output.finished:
                    index = int(output.request_id.split("-")[2])
                    self._consume(states[index], sequences[index], output.outputs[0])
                    submit(index)

    @staticmethod
    def _consume(state: ForcingState, sequence: list[int], completion) -> None:
        """Feed one vLLM segment through the state machine."""
        token_ids = list(completion.token_ids)
        stop_token = None
        if completion.finish_reason == "stop" and token_ids:
            # vLLM appends the token that stopped a request to its token_ids: one of the phase's
            # stop tokens, or an eos id from the model's generation config (vLLM adds those to the
            # stop list, e.g. Qwen's <|endoftext|>). Either way the model chose to end here.
            stop_token = token_ids.pop()
        for token in token_ids:
            state.accept(token)
            sequence.append(token)
        if stop_token is None or state.done:
            return
        if state.phase == THINK:
            state.request_stop()
        else:
            state.accept(stop_token if stop_token in state.tokens.end_ids else min(state.tokens.end_ids))


# The engines this process built, oldest first: a stage record says which engine (and version) decoded it.
LOADED: list[dict] = []
# Those still open: a stage's engines are closed when it ends (s1kit.stages), before the next stage loads its own.
_OPEN: list = []


def _note_loaded(kind: str, model_dir: str | Path, version: str, **details) -> None:
    LOADED.append({"engine": kind, "version": version, "model": str(model_dir), **details})


def open_engines() -> int:
    """How many engines this process has open (a stage notes it when it starts)."""
    return len(_OPEN)


def close_engines_since(count: int) -> None:
    """Close the engines opened after ``open_engines()`` returned ``count`` (a stage's own; their memory goes back)."""
    while len(_OPEN) > count:
        _OPEN.pop().close()


def load_engine(kind: str, model_dir: str | Path, batch_size: int = 256,
                vllm_kwargs: dict | None = None, hf_attn_implementation: str = "") -> HFEngine | VLLMEngine:
    """Build the engine a profile asks for (``"hf"`` or ``"vllm"``) from a saved Hugging Face model.

    ``vllm_kwargs`` go to ``vllm.LLM`` (tensor parallelism, dtype, context length);
    ``hf_attn_implementation`` names the HF engine's attention kernel ("" keeps the model's own).
    """
    from s1kit.modeling import load_model
    from s1kit.tokenizer import load_tokenizer

    if kind == "hf":
        model = load_model(model_dir)
        if hf_attn_implementation:
            model.set_attn_implementation(hf_attn_implementation)
        import transformers

        _note_loaded("hf", model_dir, f"transformers {transformers.__version__}")
        engine = HFEngine(model, load_tokenizer(model_dir), batch_size=batch_size)
        _OPEN.append(engine)
        return engine
    if kind == "vllm":
        engine = VLLMEngine(model_dir, **(vllm_kwargs or {}))
        import vllm

        _note_loaded("vllm", model_dir, f"vllm {vllm.__version__}", prefix_caching=engine.prefix_caching)
        _OPEN.append(engine)
        return engine
    raise ValueError(f"unknown engine {kind!r}; choose 'hf' or 'vllm'")
