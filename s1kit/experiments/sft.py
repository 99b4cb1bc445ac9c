"""Stage ``sft`` (chapter 4): the base model fine-tuned on s1K with trl, or a released checkpoint.

Computed by every process of a distributed launch (FSDP), published by the main one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from s1kit.chat import ChatFormat
from s1kit.experiments._paths import base_model_path, checkpoint_dir, output
from s1kit.jsonio import read_jsonl, write_json
from s1kit.modeling import load_model
from s1kit.stages import Stage, is_main_process
from s1kit.tokenizer import load_tokenizer
from s1kit.training import sft_examples, train_sft

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def settings(p: Profile) -> dict:
    if p.sft.kind == "pretrained":
        return {"kind": "pretrained", "path": p.sft.path}
    return {"seed": p.seed, **dataclasses.asdict(p.sft), "train": p.sft.train.key_settings()}


def compute(run: RunDir, out: Path) -> None:
    if run.profile.sft.kind == "pretrained":  # a released checkpoint: nothing to train
        if is_main_process():
            write_json(out / "source.json", {"path": run.profile.sft.path})
        return
    s1k = read_jsonl(output(run, "selection", "s1k.jsonl"))
    base = base_model_path(run)
    tokenizer = load_tokenizer(base)
    chat = ChatFormat.from_tokenizer(tokenizer)  # the model's own template: Qwen's default system prompt included
    examples = sft_examples(s1k, chat, run.profile.sft.answer_prefix)
    # float32 weights, bf16 autocast: as s1, whose Adam states stay fp32 (a bf16 checkpoint would
    # otherwise load as bf16 and lose lr-1e-5 updates to rounding)
    model = load_model(base, dtype=torch.float32)
    report = train_sft(model, tokenizer, examples, run.profile.sft.train, out, run.profile.seed,
                       checkpoint_dir(run, "sft"))
    if is_main_process():
        write_json(out / "train_report.json", report)


def trains(p: Profile) -> bool:
    return p.sft.kind == "train"


STAGE = Stage("sft", "models/sft", ("base_model", "selection"), settings, compute, reference=("train_report.json",),
              all_ranks=True, trains=trains)
