"""Train the small model the vLLM parity test decodes (run in the main environment, which has trl).

    python tests/vllm/make_model.py OUT_DIR [QWEN3_TOY_DIR]

The recipe of the ``trained_dir`` fixture of ``tests/conftest.py``, trained longer (600 steps on 2,000
teacher traces, ~35 s): the model stops, pauses and says "Wait" (the ignore and cap paths both run),
and answers well enough that the lab page's sweep through the server shows accuracy growing with the
thinking budget (the committed sweep, reference/service/sweep-cpu-standin.json, has it). With a second
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
    _, examples = teacher_examples(ChatFormat(), 2000)
    config = TrainConfig(learning_rate=3e-3, max_steps=600, per_device_train_batch_size=32, warmup_ratio=0.05,
                         weight_decay=0.0, max_length=256, logging_steps=100, bf16=False)
    train_sft(model, tokenizer, examples, config, out, seed=0)
