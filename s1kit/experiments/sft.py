"""Stage ``sft`` (chapter 4): the base model fine-tuned on s1K with trl, or a released checkpoint.

Computed by every process of a distributed launch (FSDP), published by the main one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from s1kit.chat import ChatFormat
from s1kit.experiments._paths import base_model_path, checkpoint_dir, output, released_selection
from s1kit.jsonio import read_jsonl, write_json
from s1kit.modeling import load_model
from s1kit.sources import load_training_text
from s1kit.stages import Stage, is_main_process
from s1kit.tokenizer import load_tokenizer
from s1kit.training import Example, sft_examples, text_examples, train_sft

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def settings(p: Profile) -> dict:
    if p.sft.kind == "pretrained":
        return {"kind": "pretrained", "path": p.sft.path}
    return {"seed": p.seed, **dataclasses.asdict(p.sft), "train": p.sft.train.key_settings()}


def training_examples(p: Profile, s1k: list[dict], chat: ChatFormat) -> list[Example]:
    """The SFT examples: rebuilt from the selection's rows, or (``sft.text_dataset``) the released text.

    The released text (s1's ``simplescaling/s1K_tokenized``) was rendered from the released selection
    row by row, so it must have as many rows as the selection this run trains on, in the same order.
    """
    name = p.sft.text_dataset
    if not name:
        return sft_examples(s1k, chat, p.sft.answer_prefix)
    if not released_selection(p):
        raise ValueError(f"profile {p.name}: sft.text_dataset {name!r} is text rendered from a released selection; "
                         "set sourcing.hub.selection_dataset to that selection (e.g. simplescaling/s1K), or leave "
                         "sft.text_dataset empty to train on this run's own selection")
    texts = load_training_text(name)
    selection = p.sourcing.hub.selection_dataset
    if len(texts) != len(s1k):
        raise ValueError(f"profile {p.name}: sft.text_dataset {name!r} has {len(texts)} rows but "
                         f"sourcing.hub.selection_dataset {selection!r} has {len(s1k)}; the text must be that "
                         "selection's rows, one each, in the same order")
    return text_examples(texts)


def compute(run: RunDir, out: Path) -> None:
    if run.profile.sft.kind == "pretrained":  # a released checkpoint: nothing to train
        if is_main_process():
            write_json(out / "source.json", {"path": run.profile.sft.path})
        return
    s1k = read_jsonl(output(run, "selection", "s1k.jsonl"))
    base = base_model_path(run)
    tokenizer = load_tokenizer(base)
    chat = ChatFormat.from_tokenizer(tokenizer)  # the model's own template: Qwen's default system prompt included
    examples = training_examples(run.profile, s1k, chat)
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
