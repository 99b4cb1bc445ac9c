"""Supervised fine-tuning with trl's SFTTrainer (s1, Section 4.1 and Appendix D).

The paper trains Qwen2.5-32B-Instruct on s1K for 5 epochs, batch 16, lr 1e-5 with cosine decay
and 5% warmup, loss on the reasoning trace and answer only. s1kit tokenizes each example
itself, so that the loss mask is defined in one place (:func:`tokenize_example`) for both
scales, and hands trl pre-tokenized ``input_ids`` with a ``completion_mask``:

* the prompt (question) carries no loss;
* the completion (thinking + answer) carries loss, except for *forced spans*: text the
  teacher did not choose itself (a "Wait" pushed into its trace). Real s1K traces have none.

The same function trains the tiny profile's instruct-like base model (its "pretraining") and
the s1 SFT stage; only the data and the config differ.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal, Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase, PrinterCallback, TrainerCallback

from s1kit.chat import IM_START, ChatFormat
from s1kit.hardware import cpu_kind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """One training run (maps onto trl's SFTConfig). Defaults: the tiny profile's SFT stage.

    The seed is not here: :func:`train_sft` takes the profile's one seed.
    """

    learning_rate: float = 1e-3
    num_train_epochs: float = 5.0
    max_steps: int = 200  # > 0 overrides num_train_epochs
    per_device_train_batch_size: int = 16
    gradient_accumulation_steps: int = 1  # used when global_batch_size is 0
    global_batch_size: int = 0  # > 0: accumulation = global / (per-device batch x processes); s1: 16
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    adam_beta2: float = 0.95
    lr_scheduler_type: str = "cosine"
    max_length: int = 512
    too_long: Literal["error", "truncate"] = "error"  # an example over max_length: refuse, or cut it (s1's trl did)
    # True: bf16 autocast (float32 weights, as s1); False: float32 throughout; "auto": bf16 where
    # this machine computes it natively (a GPU with bf16; a CPU whose oneDNN has AVX512-BF16 or
    # AMX), float32 elsewhere. On a CPU without native bf16 torch falls back to a slow path:
    # measured with AVX2 emulated, the tiny profile trained at 193 tok/s in bf16 against 3,551 in
    # float32. :meth:`resolved` turns "auto" into the machine's choice; stage settings record it.
    bf16: bool | Literal["auto"] = "auto"
    # "" keeps the model's own attention kernel; the tiny profile names "eager": under bf16 autocast
    # on the CPU, torch's sdpa kernel trained the 1M-parameter Qwen2 at 9.5k tok/s against eager's
    # 13.4k on s1K (benchmarks/training_speed.py)
    attn_implementation: str = "eager"
    # True: each batch's examples are packed into as few rows as fit in its longest example
    # (:class:`PackedBatchCollator`): the same examples and the same loss as padding, with less
    # arithmetic spent on pad tokens. False: trl's own padding collator (what s1 ran).
    pack_batches: bool = True
    gradient_checkpointing: bool = False
    fsdp: str = ""
    fsdp_config: dict | None = None
    logging_steps: int = 50
    # > 0: a checkpoint every save_steps optimizer steps (the latest kept), from which an interrupted
    # run continues (:func:`train_sft`'s ``checkpoint_dir``); 0: none (the tiny runs take minutes)
    save_steps: int = 0

    def __post_init__(self) -> None:
        if self.bf16 not in (True, False, "auto"):
            raise ValueError(f"bf16 must be true, false or \"auto\", got {self.bf16!r}")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")
        if self.per_device_train_batch_size <= 0:
            raise ValueError(f"per_device_train_batch_size must be > 0, got {self.per_device_train_batch_size}")
        if self.max_steps <= 0 and self.num_train_epochs <= 0:
            raise ValueError("set max_steps > 0 or num_train_epochs > 0")
        if self.save_steps < 0:
            raise ValueError(f"save_steps must be >= 0, got {self.save_steps}")
        if self.global_batch_size < 0 or self.gradient_accumulation_steps <= 0:
            raise ValueError("global_batch_size must be >= 0 and gradient_accumulation_steps > 0")

    def resolved(self) -> TrainConfig:
        """This config with ``bf16: "auto"`` decided for this machine (:func:`native_bf16`)."""
        return self if self.bf16 != "auto" else replace(self, bf16=native_bf16())

    def key_settings(self) -> dict:
        """What a stage's key holds of this config: resolved for this machine (a model trained in another
        precision is not reused), without how often checkpoints are saved (that changes nothing trained)."""
        values = asdict(self.resolved())
        values.pop("save_steps")
        return values


def native_bf16() -> bool:
    """Whether this machine trains in bf16 at full speed: a GPU that supports it, or a CPU oneDNN runs it on.

    Asks what torch will really do, not what the processor advertises: with oneDNN limited to AVX2
    (``ONEDNN_MAX_CPU_ISA=AVX2``, how this project emulates a laptop without AVX512-BF16)
    ``torch.backends.cpu.get_cpu_capability()`` still says AVX512, while oneDNN's bf16 check says no.
    """
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def precision_name(config: TrainConfig) -> str:
    """``"bf16"`` or ``"fp32"``: what a training with ``config`` computes in on this machine."""
    return "bf16" if config.resolved().bf16 else "fp32"


def world_size() -> int:
    """How many training processes this launch has (``accelerate launch``/``torchrun`` set WORLD_SIZE)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def batch_plan(config: TrainConfig, examples: int, processes: int) -> dict[str, int]:
    """Accumulation, global batch and optimizer steps for ``examples`` on ``processes`` processes.

    With ``global_batch_size`` set, accumulation is derived so that every launch (1 GPU, one
    8-GPU node, two nodes) trains with the same global batch, as the paper's 16. The step count
    follows the Trainer's own arithmetic (per-process batches per epoch, rounded up, then
    accumulated), so warmup is a fraction of the optimizer steps that really happen.
    """
    per_step = config.per_device_train_batch_size * processes
    if config.global_batch_size:
        if config.global_batch_size % per_step:
            raise ValueError(f"global_batch_size={config.global_batch_size} is not a multiple of "
                             f"per_device_train_batch_size x processes = {per_step}")
        accumulation = config.global_batch_size // per_step
    else:
        accumulation = config.gradient_accumulation_steps
    if config.max_steps > 0:
        steps = config.max_steps
    else:
        batches = math.ceil(examples / per_step)
        steps = math.ceil(config.num_train_epochs * max(math.ceil(batches / accumulation), 1))
    return {"processes": processes, "accumulation": accumulation, "global_batch": per_step * accumulation,
            "steps": steps, "warmup_steps": max(1, round(config.warmup_ratio * steps))}


@dataclass(frozen=True)
class Example:
    """One training example as text: the prompt (no loss) and the completion (loss)."""

    prompt: str
    completion: str
    forced_spans: tuple[tuple[int, int], ...] = ()  # char offsets in ``completion`` with no loss


def sft_examples(records: Sequence[dict], chat: ChatFormat, answer_prefix: str | None = None) -> list[Example]:
    """s1K records (``question``, ``trace``, ``attempt``, ``forced_spans``) as SFT examples.

    The prompt is the user turn; the completion is the thinking phase and the answer
    (:meth:`s1kit.chat.ChatFormat.thinking_completion`). Forced spans are character offsets in
    the trace; they move by the length of the ``<|im_start|>think`` line that opens the completion.
    ``answer_prefix`` is written before an attempt that has no ``Answer:`` of its own.
    """
    offset = len(chat.think_delimiter) + 1
    return [
        Example(chat.user_prompt(r["question"]), chat.thinking_completion(r["trace"], r["attempt"], answer_prefix),
                tuple((a + offset, b + offset) for a, b in r.get("forced_spans") or ()))
        for r in records
    ]


# Where the loss starts in a whole rendered conversation: s1's trl response_template for Qwen (train/sft.py)
RESPONSE_TEMPLATE = f"{IM_START}assistant\n"


def text_examples(texts: Sequence[str], response_template: str = RESPONSE_TEMPLATE) -> list[Example]:
    """Whole rendered conversations (the ``text`` of s1's ``simplescaling/s1K_tokenized``) as SFT examples.

    Each text is split after its first ``response_template``: the system and user turns up to and
    including it are the prompt (no loss), everything after it the completion (loss), the closing
    ``<|im_end|>`` and the newline after it included. That is what trl's
    ``DataCollatorForCompletionOnlyLM(response_template="<|im_start|>assistant\\n")`` trained in s1
    (one user turn, one assistant turn). In s1's text the completion opens with a special token
    (``<|im_start|>think``), so the prompt and the completion tokenize as the whole text does
    (:func:`tokenize_example`; ``tests/test_training.py`` checks it).
    """
    examples = []
    for index, text in enumerate(texts):
        at = text.find(response_template)
        if at < 0:
            raise ValueError(f"training text {index} has no {response_template!r} to start the loss at: {text[:80]!r}")
        cut = at + len(response_template)
        examples.append(Example(text[:cut], text[cut:]))
    return examples


def tokenize_example(tokenizer: PreTrainedTokenizerBase, example: Example, max_length: int,
                     too_long: str = "error") -> dict[str, list[int]]:
    """``input_ids`` and ``completion_mask`` (1 = trained on) for one example.

    An example longer than ``max_length`` is refused (``too_long="error"``, the tiny world's
    choice: nothing should be that long) or cut at ``max_length`` (``"truncate"``: what s1's
    trl ``max_seq_length`` did to the few s1K-1.1 traces over its block size).
    """
    prompt_ids = tokenizer.encode(example.prompt, add_special_tokens=False)
    encoded = tokenizer(example.completion, add_special_tokens=False, return_offsets_mapping=True)
    completion_ids, offsets = encoded["input_ids"], encoded["offset_mapping"]
    mask = [0 if any(s < b and a < e for a, b in example.forced_spans) else 1 for s, e in offsets]
    input_ids = prompt_ids + completion_ids
    completion_mask = [0] * len(prompt_ids) + mask
    if len(input_ids) > max_length:
        if too_long != "truncate":
            raise ValueError(f"example has {len(input_ids)} tokens, more than max_length={max_length}: "
                             f"{example.prompt[:80]!r}")
        input_ids, completion_mask = input_ids[:max_length], completion_mask[:max_length]
    return {"input_ids": input_ids, "completion_mask": completion_mask}


def completion_labels(row: dict[str, list[int]]) -> list[int]:
    """A tokenized row's labels: its token ids where ``completion_mask`` is 1, else -100 (no loss).

    The form trl's dataset preparation gives a ``completion_mask`` column, and the form its
    collators and :class:`PackedBatchCollator` read.
    """
    return [t if m else -100 for t, m in zip(row["input_ids"], row["completion_mask"], strict=True)]


class PackedBatchCollator:
    """A training batch with its examples packed into rows instead of padded to one length.

    trl pads every example of a batch to the batch's longest; a batch of the tiny base model's
    corpus mixes 20- and 100-token examples, so much of its arithmetic went on pad tokens. This collator takes the same
    examples and lays them end to end (first fit, longest first) in rows no longer than the
    batch's longest example, so no example is split. Position ids restart at 0 for every example;
    transformers reads the restarts as separate sequences and masks attention between them
    (``masking_utils.find_packed_sequence_indices``), so each example sees only itself. The
    first token of each example has no label (it would be predicted from the previous one), which
    a prompt token never has anyway. The loss is the same token-weighted mean over the same
    completion tokens as with padding; ``tests/test_training.py`` checks it against trl's
    padded batch.
    """

    def __init__(self, pad_token_id: int):
        self.pad_token_id = pad_token_id

    def __call__(self, features: list[dict]) -> dict[str, torch.Tensor]:
        sequences = []
        for f in features:
            sequences.append((list(f["input_ids"]), list(f["labels"]) if "labels" in f else completion_labels(f)))
        width = max(len(ids) for ids, _ in sequences)
        rows: list[list[int]] = []
        used: list[int] = []
        for index in sorted(range(len(sequences)), key=lambda i: -len(sequences[i][0])):
            length = len(sequences[index][0])
            row = next((r for r, u in enumerate(used) if u + length <= width), None)
            if row is None:
                rows.append([])
                used.append(0)
                row = len(rows) - 1
            rows[row].append(index)
            used[row] += length
        input_ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(rows), width), -100, dtype=torch.long)
        position_ids = torch.zeros((len(rows), width), dtype=torch.long)
        for row, members in enumerate(rows):
            at = 0
            for index in members:
                ids, example_labels = sequences[index]
                end = at + len(ids)
                input_ids[row, at:end] = torch.tensor(ids)
                labels[row, at + 1 : end] = torch.tensor(example_labels[1:], dtype=torch.long)
                position_ids[row, at:end] = torch.arange(len(ids))
                at = end
            position_ids[row, at:] = torch.arange(width - at)  # the padding is a sequence of its own, unlabelled
        return {"input_ids": input_ids, "labels": labels, "position_ids": position_ids}


class _ProgressLog(TrainerCallback):
    """Logs loss, step rate and tokens/s, so long runs show progress in logs and notebooks."""

    def __init__(self, tokens_per_step: float):
        self.tokens_per_step = tokens_per_step
        self.start = time.perf_counter()
        self.history: list[dict] = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or "loss" not in logs or not state.is_world_process_zero:  # one log line per step, not per rank
            return
        elapsed = time.perf_counter() - self.start
        entry = {"step": state.global_step, "loss": float(logs["loss"]), "elapsed_s": round(elapsed, 1)}
        self.history.append(entry)
        rate = state.global_step * self.tokens_per_step / max(elapsed, 1e-9)
        log.info(
            "step %d/%d  loss %.4f  %.0fs  ~%.0f tok/s", state.global_step, state.max_steps, entry["loss"], elapsed, rate
        )


def sft_arguments(config: TrainConfig, plan: dict[str, int], output_dir: Path, seed: int, on_gpu: bool,
                  checkpointing_name: str = "gradient_checkpointing", checkpoint_dir: Path | None = None) -> dict:
    """The keyword arguments s1kit gives trl's ``SFTConfig`` (one place, so a test can check them).

    Only names that both the CPU stack's transformers/trl and the GPU stack's (transformers < 5.21,
    forced by vLLM) accept; ``tests/vllm/test_gpu_stack.py`` checks them against the GPU lock's
    versions, ``tests/test_training.py`` against the installed ones.
    """
    return {
        "output_dir": str(checkpoint_dir or output_dir / "trainer"),
        "learning_rate": config.learning_rate,
        "num_train_epochs": config.num_train_epochs,
        "max_steps": config.max_steps,
        "per_device_train_batch_size": config.per_device_train_batch_size,
        "gradient_accumulation_steps": plan["accumulation"],
        "warmup_steps": plan["warmup_steps"],
        "weight_decay": config.weight_decay,
        "adam_beta1": 0.9,
        "adam_beta2": config.adam_beta2,
        "lr_scheduler_type": config.lr_scheduler_type,
        "max_length": config.max_length,
        "bf16": config.bf16,
        "fsdp": config.fsdp,
        "fsdp_config": config.fsdp_config,
        "use_cpu": not on_gpu,
        "completion_only_loss": True,
        "logging_steps": config.logging_steps,
        "save_strategy": "steps" if config.save_steps and checkpoint_dir else "no",
        "save_steps": config.save_steps or 500,
        "save_total_limit": 1,  # the latest checkpoint is all a resume needs
        "report_to": [],
        "seed": seed,
        "data_seed": seed,
        "dataloader_num_workers": 0,
        "disable_tqdm": True,
        # s1's transformers (4.46) averaged each process's loss, then the processes: every example
        # weighs the same. 5.x defaults to one token-weighted average over all processes.
        "average_tokens_across_devices": False,
        checkpointing_name: config.gradient_checkpointing,
    }


def _checkpointing_argument(config_class) -> str:
    """The name the installed transformers gives activation checkpointing.

    transformers 5.24 calls it ``activation_checkpointing`` (the old name still works, with a
    warning); the GPU stack's transformers (< 5.21, forced by vLLM) knows only
    ``gradient_checkpointing``. It must always be passed: trl's SFTConfig turns it on by default,
    which costs a recomputed forward pass per step on a model that needs no memory saving.
    """
    import dataclasses

    names = {f.name for f in dataclasses.fields(config_class)}
    return "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"


def _latest_checkpoint(checkpoint_dir: Path | None) -> str | None:
    """The newest whole ``checkpoint-<step>`` in ``checkpoint_dir``, or None.

    Whole: the Trainer writes a checkpoint in place, ``trainer_state.json`` last, so a process
    killed while saving (minutes at 32B) leaves a directory without it; the one before is used.
    """
    if not checkpoint_dir or not checkpoint_dir.is_dir():
        return None
    whole = [p for p in checkpoint_dir.glob("checkpoint-*")
             if p.name.split("-")[-1].isdigit() and (p / "trainer_state.json").is_file()]
    return str(max(whole, key=lambda p: int(p.name.split("-")[-1]))) if whole else None


def train_sft(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    examples: Sequence[Example],
    config: TrainConfig,
    output_dir: str | Path,
    seed: int,
    checkpoint_dir: str | Path | None = None,
    callbacks: Sequence[TrainerCallback] = (),
) -> dict:
    """Fine-tune ``model`` on ``examples`` with trl's SFTTrainer; save model + tokenizer to ``output_dir``.

    ``seed`` (the profile's) drives data order and any randomness inside trl and transformers.
    ``checkpoint_dir`` (with ``config.save_steps`` > 0): where checkpoints go; a run that finds one
    there continues from the latest (weights, optimizer, scheduler, data order and RNG states, as
    the Trainer restores them), and the directory is removed once the model is saved.

    Returns a report: steps, tokens, wall time, tokens/s and the loss history.
    """
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    if not examples:
        raise ValueError("no training examples")
    output_dir = Path(output_dir)
    config = config.resolved()
    if config.attn_implementation:
        model.set_attn_implementation(config.attn_implementation)
    rows = [tokenize_example(tokenizer, e, config.max_length, config.too_long) for e in examples]
    distinct_examples = len(rows)
    mean_tokens = sum(len(r["input_ids"]) for r in rows) / len(rows)
    plan = batch_plan(config, len(rows), world_size())
    checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir and config.save_steps else None
    args = SFTConfig(**sft_arguments(config, plan, output_dir, seed, torch.cuda.is_available(),
                                      _checkpointing_argument(SFTConfig), checkpoint_dir))
    callback = _ProgressLog(mean_tokens * plan["global_batch"])
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        data_collator=PackedBatchCollator(tokenizer.pad_token_id) if config.pack_batches else None,
        callbacks=[callback, *callbacks],
    )
    trainer.remove_callback(PrinterCallback)  # _ProgressLog reports instead of raw dicts on stdout
    resume = _latest_checkpoint(checkpoint_dir)
    if resume:
        log.info("resuming from %s", resume)
    start = time.perf_counter()
    trainer.train(resume_from_checkpoint=resume)
    wall = time.perf_counter() - start
    trainer.save_model(str(output_dir))  # under FSDP every rank takes part; the main one writes
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(output_dir))
        if checkpoint_dir:  # the model is saved: nothing left to resume
            import shutil

            shutil.rmtree(checkpoint_dir, ignore_errors=True)
    resumed_from = int(resume.rsplit("-", 1)[1]) if resume else 0
    tokens = mean_tokens * plan["global_batch"] * (trainer.state.global_step - resumed_from)  # trained in this run
    report = {
        "examples": distinct_examples,
        "steps": trainer.state.global_step,
        "mean_example_tokens": round(mean_tokens, 1),
        "train_tokens": int(tokens),
        "wall_s": round(wall, 1),
        "tokens_per_s": round(tokens / wall, 1),
        "loss_history": callback.history,
        "config": asdict(config),
        "precision": precision_name(config),
        "device": torch.cuda.get_device_name() if torch.cuda.is_available() else cpu_kind(),
        "batch_plan": plan,
        "seed": seed,
        "resumed_from_step": resumed_from,
    }
    if trainer.is_world_process_zero():
        log.info("trained %d steps on %d examples in %.1fs (%.0f tok/s, %s)", report["steps"], distinct_examples,
                 wall, report["tokens_per_s"], report["precision"])
    return report
