"""Train the small model the vLLM parity test decodes (run in the main environment, which has trl).

    python tests/vllm/make_model.py OUT_DIR [QWEN3_TOY_DIR]

The same recipe as the ``trained_dir`` fixture of ``tests/conftest.py``: 120 steps on teacher
traces, so the model stops, pauses and says "Wait" (the ignore and cap paths both run). With a second
directory, also a random toy model over Qwen3's real tokenizer, which thinks in <think> tags
(``conftest.qwen3_toy``, 64 wide: vLLM's CPU attention needs heads of 32).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conftest import qwen3_toy, teacher_examples  # noqa: E402

from s1kit.chat import ChatFormat  # noqa: E402
from s1kit.tiny.model import TinyModelConfig, build_tiny_model  # noqa: E402
from s1kit.tiny.tokenizer import build_tiny_tokenizer  # noqa: E402
from s1kit.training import TrainConfig, train_sft  # noqa: E402

# vLLM's CPU attention needs a head size of at least 32 (the tests' 16-wide model is refused).
SHAPE = TinyModelConfig(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
                        num_key_value_heads=2, max_position_embeddings=256)

if __name__ == "__main__":
    out = Path(sys.argv[1])
    if len(sys.argv) > 2 and not (Path(sys.argv[2]) / "config.json").exists():
        qwen3_toy(Path(sys.argv[2]), max_context=256, hidden_size=64, heads=2)
    if (out / "config.json").exists():
        sys.exit(0)
    tokenizer = build_tiny_tokenizer()
    model = build_tiny_model(SHAPE, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, seed=0)
    _, examples = teacher_examples(ChatFormat(), 600)
    config = TrainConfig(learning_rate=3e-3, max_steps=120, per_device_train_batch_size=32, warmup_ratio=0.05,
                         weight_decay=0.0, max_length=256, logging_steps=40, bf16=False)
    train_sft(model, tokenizer, examples, config, out, seed=0)
