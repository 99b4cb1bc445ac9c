"""What the paper's other experiments share: fine-tuning a variant as SFT does, and its unforced accuracy.

Tables 2 and 3 fine-tune the base model on other data (other selections, conditional prompts)
and compare each variant with the s1K model at the main sweep's unforced point (k = 0, no cap).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from s1kit.budget import BudgetForcing
from s1kit.chat import ChatFormat
from s1kit.evaluation import held_out_columns, point_index, run_point
from s1kit.experiments._engine import engine_for
from s1kit.experiments._paths import base_model_path, output
from s1kit.jsonio import read_json, read_jsonl
from s1kit.modeling import load_model
from s1kit.tokenizer import load_tokenizer
from s1kit.training import sft_examples, train_sft

if TYPE_CHECKING:
    from s1kit.stages import RunDir


def train_variant(run: RunDir, records: list[dict], out: Path, max_steps: int | None = None,
                  checkpoints: Path | None = None) -> dict:
    """Fine-tune the base model on ``records`` exactly as the SFT stage does (``max_steps``: override;
    ``checkpoints``: where an interrupted fine-tune resumes from, :func:`s1kit.training.train_sft`)."""
    base = base_model_path(run)
    tokenizer = load_tokenizer(base)
    config = run.profile.sft.train
    if max_steps is not None:
        config = dataclasses.replace(config, max_steps=max_steps)
    examples = sft_examples(records, ChatFormat.from_tokenizer(tokenizer), run.profile.sft.answer_prefix)
    # float32 weights under bf16 autocast, as the SFT stage (s1kit.experiments.sft says why)
    return train_sft(load_model(base, dtype=torch.float32), tokenizer, examples, config, out, run.profile.seed,
                     checkpoints)


def unforced_point(run: RunDir, model_dir: Path | str, questions: list[str]) -> tuple[dict, list[bool]]:
    """A model's accuracy on the test set with no forcing (k = 0, no cap), the main sweep's setting."""
    cfg = run.profile.evaluation
    _, answers, benchmarks = held_out_columns(read_jsonl(output(run, "sourcing", "test.jsonl")), cfg.benchmark)
    engine = engine_for(run, str(model_dir), cfg.batch_size)
    forcing = BudgetForcing(max_answer_tokens=cfg.max_answer_tokens, seed=run.profile.seed,
                            chat=ChatFormat.from_tokenizer(engine.tokenizer))
    point, _, correct = run_point(engine, questions, answers, forcing, benchmarks, cfg.bootstrap_samples)
    engine.close()  # before the next variant's engine loads
    return dataclasses.asdict(point), correct


def uncapped_correct(run: RunDir, num_ignore: int) -> list[bool]:
    """Per-question correctness of the main sweep's uncapped point with ``num_ignore`` Waits."""
    stage = run.stage_dir("evaluation")
    index = point_index(read_json(stage / "summary.json"), None, num_ignore)
    return [g["correct"] for g in read_jsonl(stage / "generations.jsonl") if g["point"] == index]
