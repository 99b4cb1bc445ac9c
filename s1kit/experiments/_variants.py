"""What the paper's other experiments share: fine-tuning a variant as SFT does, and its unforced accuracy.

Tables 2 and 3 fine-tune the base model on other data (other selections, conditional prompts)
and compare each variant with the s1K model at the main sweep's unforced point (k = 0, no cap).
Outputs are decoded first and graded after, with the run's grader (``s1kit.experiments._grader``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import torch

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.evaluation import benchmark_order, forcing_options, point_index
from s1kit.experiments._engine import engine_for
from s1kit.experiments._paths import base_model_path
from s1kit.jsonio import read_json, read_jsonl
from s1kit.metrics import paired_bootstrap
from s1kit.modeling import load_model
from s1kit.sources import benchmark_name
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


def decode_unforced(run: RunDir, model_dir: Path | str, test: Sequence[dict]) -> list[dict]:
    """A model's outputs on ``test`` with no forcing (k = 0, no cap), the main sweep's setting; its
    engine is closed before this returns (the grading's judge may need the memory)."""
    cfg = run.profile.evaluation
    engine = engine_for(run, str(model_dir), cfg.batch_size)
    try:
        chat = ChatFormat.from_tokenizer(engine.tokenizer)
        forcing = BudgetForcing(max_answer_tokens=cfg.max_answer_tokens, seed=run.profile.seed, chat=chat,
                                **forcing_options(cfg))
        results = budget_force(engine, [chat.thinking_prompt(t["question"]) for t in test], forcing)
    finally:
        engine.close()  # before the next variant's engine loads
    return [{"answer_text": r.answer_text, "thinking_tokens": r.thinking_tokens} for r in results]


def by_benchmark(test: Sequence[dict], correct: Sequence[bool], thinking_tokens: Sequence[float],
                 reference: Sequence[bool], bootstrap_samples: int, seed: int) -> dict:
    """Per benchmark (short names, the paper's order): ``accuracy_by_benchmark``,
    ``thinking_tokens_by_benchmark`` and ``paired_by_benchmark`` (the gain over ``reference``, the
    same questions' correctness in the setting compared against, with its paired 95% interval)."""
    names = [benchmark_name(t) for t in test]
    out: dict = {"accuracy_by_benchmark": {}, "thinking_tokens_by_benchmark": {}, "paired_by_benchmark": {}}
    for b in benchmark_order(names):
        mine = [i for i, n in enumerate(names) if n == b]
        gain, low, high = paired_bootstrap([reference[i] for i in mine], [correct[i] for i in mine],
                                           bootstrap_samples, seed)
        out["accuracy_by_benchmark"][b] = sum(correct[i] for i in mine) / len(mine)
        out["thinking_tokens_by_benchmark"][b] = sum(thinking_tokens[i] for i in mine) / len(mine)
        out["paired_by_benchmark"][b] = {"gain": gain, "ci_low": low, "ci_high": high}
    return out


def uncapped_correct(run: RunDir, num_ignore: int, ids: Sequence[str] | None = None) -> list[bool]:
    """Per-question correctness of the main sweep's uncapped point with ``num_ignore`` Waits, as the
    evaluation stage graded it (its judge's final verdicts included); ``ids``: in that order."""
    stage = run.stage_dir("evaluation")
    index = point_index(read_json(stage / "summary.json"), None, num_ignore)
    rows = [g for g in read_jsonl(stage / "generations.jsonl") if g["point"] == index]
    if ids is None:
        return [g["correct"] for g in rows]
    by_id = {g["id"]: g["correct"] for g in rows}
    return [by_id[i] for i in ids]
