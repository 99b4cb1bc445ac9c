"""Training throughput on the tiny SFT stage: how a batch is laid out, which attention kernel, which dtype.

    python benchmarks/training_speed.py --profile tiny      (after `make reproduce`)

Times optimizer steps of the profile's own SFT (its base model, its s1K, its batch size), or with
``--corpus base`` of its base-model training (the instruct corpus and that stage's batch size),
under each combination of

* layout: ``padded`` (trl's collator: every example padded to the batch's longest) or ``packed``
  (:class:`s1kit.training.PackedBatchCollator`: the same examples laid end to end in fewer rows);
* attention: ``eager`` or ``sdpa`` (torch's fused kernel);
* dtype: ``bf16`` autocast over float32 weights (the profile's choice) or plain ``fp32``.

Every combination sees the same batches, so the rates compare. Tokens/s counts the examples'
real tokens (not padding), as the training log does. The tiny profile's choice is packed + eager
+ bf16; the numbers behind that choice are this script's output, quoted in the README.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time

import torch
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

from s1kit.chat import ChatFormat
from s1kit.modeling import load_model
from s1kit.pipeline import base_model_path, open_run, selection
from s1kit.tiny.instruct import instruct_examples
from s1kit.tokenizer import load_tokenizer
from s1kit.training import PackedBatchCollator, completion_labels, sft_examples, tokenize_example


def training_rows(run, corpus: str) -> tuple[list[dict], int]:
    tokenizer = load_tokenizer(base_model_path(run))
    chat = ChatFormat.from_tokenizer(tokenizer)
    if corpus == "base":
        examples = instruct_examples(run.profile.base_model.corpus, chat, run.profile.seed)
        max_length = run.profile.base_model.train.max_length
    else:
        examples = sft_examples(selection(run)["s1k"], chat)
        max_length = run.profile.sft.train.max_length
    rows = [tokenize_example(tokenizer, example, max_length) for example in examples]
    return [{"input_ids": r["input_ids"], "labels": completion_labels(r)} for r in rows], tokenizer.pad_token_id


def time_steps(run, batches: list[list[dict]], pad_id: int, layout: str, attention: str, bf16: bool,
               warmup: int) -> float:
    """Seconds per optimizer step, after ``warmup`` untimed steps."""
    model = load_model(base_model_path(run), dtype=torch.float32)
    model.set_attn_implementation(attention)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    collate = PackedBatchCollator(pad_id) if layout == "packed" else DataCollatorForLanguageModeling(pad_token_id=pad_id)
    inputs = [collate(b) for b in batches]
    for step, batch in enumerate(inputs):
        if step == warmup:
            start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(**batch, use_cache=False).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return (time.perf_counter() - start) / (len(inputs) - warmup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="tiny")
    parser.add_argument("--steps", type=int, default=12, help="timed steps per combination")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--corpus", choices=("s1k", "base"), default="s1k",
                        help="s1k: the SFT stage's data; base: the tiny base model's instruct corpus")
    args = parser.parse_args()
    run = open_run(args.profile)
    rows, pad_id = training_rows(run, args.corpus)
    rng = random.Random(run.profile.seed)
    stage = run.profile.base_model if args.corpus == "base" else run.profile.sft
    batch_size = stage.train.per_device_train_batch_size
    batches = [rng.sample(rows, batch_size) for _ in range(args.steps + args.warmup)]
    real_tokens = sum(len(r["input_ids"]) for b in batches[args.warmup:] for r in b) / args.steps
    results = []
    for layout, attention, bf16 in itertools.product(("padded", "packed"), ("sdpa", "eager"), (True, False)):
        seconds = time_steps(run, batches, pad_id, layout, attention, bf16, args.warmup)
        results.append({"layout": layout, "attention": attention, "dtype": "bf16" if bf16 else "fp32",
                        "seconds_per_step": round(seconds, 4), "tokens_per_s": round(real_tokens / seconds)})
        print(f"{layout:7s} {attention:6s} {results[-1]['dtype']}  {seconds:.3f} s/step  "
              f"{results[-1]['tokens_per_s']:6d} tok/s", flush=True)
    print(json.dumps({"profile": run.profile.name, "corpus": args.corpus, "batch_size": batch_size, "threads": torch.get_num_threads(),
                      "mean_real_tokens_per_step": round(real_tokens), "results": results}, indent=1))


if __name__ == "__main__":
    main()
