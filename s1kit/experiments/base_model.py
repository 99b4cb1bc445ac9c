"""Stage ``base_model`` (chapter 1): the model s1K fine-tunes.

At paper scale a pretrained checkpoint (Qwen2.5-32B-Instruct); in the tiny world a 1M-parameter
Qwen2 trained here on an instruct-style corpus, so that it answers directly but cannot reason.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.chat import ChatFormat
from s1kit.jsonio import write_json
from s1kit.modeling import count_parameters
from s1kit.stages import Stage
from s1kit.tiny.instruct import instruct_examples
from s1kit.tiny.model import build_tiny_model
from s1kit.tiny.tokenizer import build_tiny_tokenizer
from s1kit.training import train_sft

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    cfg = p.base_model
    if cfg.kind == "pretrained":
        return {"kind": "pretrained", "path": cfg.path}
    return {"kind": "train_tiny", "seed": p.seed, "model": dataclasses.asdict(cfg.model),
            "corpus": dataclasses.asdict(cfg.corpus),
            "train": cfg.train.key_settings()}


def compute(run: RunDir, out: Path) -> None:
    cfg, seed = run.profile.base_model, run.profile.seed
    if cfg.kind == "pretrained":
        write_json(out / "source.json", {"path": cfg.path})
        return
    tokenizer = build_tiny_tokenizer()
    model = build_tiny_model(cfg.model, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, seed)
    log.info("base model: Qwen2 with %d parameters, trained on an instruct-style corpus", count_parameters(model))
    report = train_sft(model, tokenizer, instruct_examples(cfg.corpus, ChatFormat(), seed), cfg.train, out, seed)
    write_json(out / "train_report.json", report)


STAGE = Stage("base_model", "models/base", (), settings, compute, reference=("train_report.json",))
