"""Supervised fine-tuning: the loss mask, the settings, the batch plan, trl arguments, the chat format, packing."""

import pytest
import torch
from conftest import SMALL, teacher_examples
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast, TrainerCallback

from s1kit.modeling import load_model
from s1kit.tiny.model import build_tiny_model
from s1kit.tiny.tokenizer import build_tiny_tokenizer
from s1kit.training import Example, TrainConfig, tokenize_example, train_sft


def test_loss_mask_covers_thinking_and_answer_but_not_question_or_forced_spans(tokenizer, chat):
    trace = "1+2=3\nWait, 3+4=7"
    completion = chat.thinking_completion(trace, "7")
    start = completion.index("Wait")
    example = Example(chat.user_prompt("Coins: 1 2 4. Total?"), completion, ((start, start + 4),))
    row = tokenize_example(tokenizer, example, 512)
    prompt_len = len(tokenizer.encode(example.prompt, add_special_tokens=False))
    assert row["completion_mask"][:prompt_len] == [0] * prompt_len
    trained = "".join(tokenizer.decode([t]) for t, m in zip(row["input_ids"], row["completion_mask"], strict=True) if m)
    assert trained == completion.replace("Wait", "", 1)
    assert tokenizer.decode(row["input_ids"]) == example.prompt + example.completion


def test_too_long_example_is_refused(tokenizer, chat):
    with pytest.raises(ValueError, match="max_length"):
        tokenize_example(tokenizer, Example(chat.user_prompt("x" * 50), "y"), 20)


def test_train_config_is_validated():
    with pytest.raises(ValueError, match="learning_rate"):
        TrainConfig(learning_rate=0)


def test_trained_model_saves_in_hugging_face_format(trained_dir):
    path, report = trained_dir
    assert (path / "config.json").exists() and (path / "tokenizer.json").exists()
    model = AutoModelForCausalLM.from_pretrained(path)
    tok = PreTrainedTokenizerFast.from_pretrained(path)
    assert model.config.model_type == "qwen2" and tok.chat_template
    assert report["steps"] == 120
    losses = [h["loss"] for h in report["loss_history"]]
    assert losses[-1] < losses[0] / 2  # it learned something


def test_batch_plan_keeps_the_global_batch_and_counts_real_steps():
    from s1kit.training import batch_plan

    paper = TrainConfig(per_device_train_batch_size=1, global_batch_size=16, num_train_epochs=5.0, max_steps=-1,
                        warmup_ratio=0.05)
    one_gpu, node, two_nodes = (batch_plan(paper, 1000, n) for n in (1, 8, 16))
    assert [p["accumulation"] for p in (one_gpu, node, two_nodes)] == [16, 2, 1]
    assert {p["global_batch"] for p in (one_gpu, node, two_nodes)} == {16}
    assert one_gpu["steps"] == node["steps"] == two_nodes["steps"] == 315  # ceil(1000/16) x 5, as the paper
    assert node["warmup_steps"] == 16  # 5% of the real optimizer steps, not of the per-device count
    with pytest.raises(ValueError, match="not a multiple"):
        batch_plan(TrainConfig(per_device_train_batch_size=3, global_batch_size=16), 100, 1)
    tiny = batch_plan(TrainConfig(), 1000, 1)  # the tiny profile: max_steps, no accumulation
    assert tiny == {"processes": 1, "accumulation": 1, "global_batch": 16, "steps": 200, "warmup_steps": 10}


def test_sft_arguments_exist_in_the_installed_trl():
    import dataclasses
    from pathlib import Path

    from trl import SFTConfig

    from s1kit.training import _checkpointing_argument, batch_plan, sft_arguments

    config = TrainConfig()
    names = set(sft_arguments(config, batch_plan(config, 100, 1), Path("out"), 0, False,
                              _checkpointing_argument(SFTConfig)))
    assert names <= {f.name for f in dataclasses.fields(SFTConfig)}
    args = SFTConfig(**sft_arguments(config, batch_plan(config, 100, 1), Path("/tmp/x"), 0, False,
                                     _checkpointing_argument(SFTConfig)))
    assert args.gradient_checkpointing is False  # trl turns it on by default; s1kit must say what it wants


def test_too_long_examples_are_cut_only_when_asked(tokenizer, chat):
    example = Example(chat.user_prompt("x" * 10), "y" * 50)
    row = tokenize_example(tokenizer, example, 20, too_long="truncate")
    assert len(row["input_ids"]) == len(row["completion_mask"]) == 20


def test_chat_format_from_a_qwen_style_template_with_a_system_prompt(tokenizer):
    from s1kit.chat import ChatFormat

    tokenizer = tokenizer.__class__(tokenizer_object=tokenizer.backend_tokenizer, eos_token="<|im_end|>")
    tokenizer.chat_template = (
        "{% if messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. "
        "You are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
        "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
    chat = ChatFormat.from_tokenizer(tokenizer)
    assert chat.user_prompt("Q?") == ("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
                                      "assistant.<|im_end|>\n<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n")
    assert chat.thinking_completion("t", "**Answer:** 7").endswith("<|im_start|>answer\n**Answer:** 7<|im_end|>")
    assert chat.thinking_completion("t", "7", "Answer:").endswith("<|im_start|>answer\nAnswer: 7<|im_end|>")
    assert ChatFormat.from_tokenizer(build_tiny_tokenizer()) == ChatFormat()  # the tiny template: no system prompt



@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_packed_batch_gives_the_padded_batch_loss_and_gradients(tokenizer, chat, attention):
    """Packing changes where examples sit, not what is learned: trl's padded batch is the oracle."""
    import torch
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from s1kit.tiny.model import TinyModelConfig, build_tiny_model
    from s1kit.training import PackedBatchCollator, completion_labels

    long_trace = "\n".join(["1+2=3+4=7", "Wait, 7+5=12+6=18", "Wait, 18+7=25+8=33"] + ["Wait, 33 is the total."] * 4)
    questions = ["Coins: 1 2. Total?", "Coins: 1 2 4 5 6 7 8. Total?", "Miles: 5 6 7. Total?", "Votes: 4 4. Total?"]
    traces = ["1+2=3", long_trace, "5+6=11+7=18", "4+4=8"]
    rows = []
    for q, t in zip(questions, traces, strict=True):
        row = tokenize_example(tokenizer, Example(chat.user_prompt(q), chat.thinking_completion(t, "0")), 512)
        rows.append({"input_ids": row["input_ids"], "labels": completion_labels(row)})
    packed = PackedBatchCollator(tokenizer.pad_token_id)(rows)
    padded = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id)(rows)
    width = max(len(r["input_ids"]) for r in rows)
    assert packed["input_ids"].shape[1] == width and packed["input_ids"].shape[0] < len(rows)
    assert (packed["labels"] != -100).sum() == (padded["labels"] != -100).sum()

    model = build_tiny_model(TinyModelConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2),
                             len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, 0)
    model.set_attn_implementation(attention)

    def loss_and_grads(batch):
        model.zero_grad()
        loss = model(**batch, use_cache=False).loss  # as trl trains: a cache would hide the packing
        loss.backward()
        return loss.detach(), [p.grad.clone() for p in model.parameters()]

    loss_packed, grads_packed = loss_and_grads(packed)
    loss_padded, grads_padded = loss_and_grads(padded)
    torch.testing.assert_close(loss_packed, loss_padded, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads_packed, grads_padded, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
    # without the position restarts the examples would see each other: their logits must move
    leaked = dict(packed, position_ids=torch.arange(width).expand_as(packed["position_ids"]))
    with torch.no_grad():
        apart, together = (model(**batch, use_cache=False).logits for batch in (packed, leaked))
    assert (apart - together).abs().max() > 1e-3


class _StopAt(TrainerCallback):
    """Raises at the end of one optimizer step: an interruption after the checkpoint of the step before."""

    def __init__(self, step: int):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            raise KeyboardInterrupt


def test_an_interrupted_fine_tune_resumes_from_its_last_checkpoint(tokenizer, chat, tmp_path):
    _, examples = teacher_examples(chat, 64)
    config = TrainConfig(learning_rate=3e-3, max_steps=6, per_device_train_batch_size=8, warmup_ratio=0.1,
                         max_length=256, logging_steps=1, bf16=False, save_steps=2)

    def fresh():
        return build_tiny_model(SMALL, len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, seed=0)

    whole = train_sft(fresh(), tokenizer, examples, config, tmp_path / "whole", seed=0,
                      checkpoint_dir=tmp_path / "whole-checkpoints")
    checkpoints = tmp_path / "checkpoints"
    with pytest.raises(KeyboardInterrupt):
        train_sft(fresh(), tokenizer, examples, config, tmp_path / "first", seed=0, checkpoint_dir=checkpoints,
                  callbacks=[_StopAt(5)])
    assert sorted(p.name for p in checkpoints.glob("checkpoint-*")) == ["checkpoint-4"]  # the latest one kept
    resumed = train_sft(fresh(), tokenizer, examples, config, tmp_path / "resumed", seed=0, checkpoint_dir=checkpoints)
    assert resumed["resumed_from_step"] == 4 and resumed["steps"] == 6 and whole["resumed_from_step"] == 0
    assert not checkpoints.exists()  # the model is saved: nothing left to resume
    # the same model as a run that was never interrupted: weights, optimizer and data order restored
    a, b = load_model(tmp_path / "whole"), load_model(tmp_path / "resumed")
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.allclose(x, y, atol=1e-6), name
    assert [e["loss"] for e in resumed["loss_history"]] == [e["loss"] for e in whole["loss_history"]][4:]


def test_text_examples_train_exactly_the_tokens_after_the_assistant_turn(tokenizer):
    """s1's completion-only loss on a whole rendered conversation: every token after "<|im_start|>assistant\\n"."""
    from s1kit.rehearsal.fixtures import s1_training_text
    from s1kit.training import RESPONSE_TEMPLATE, text_examples

    text = s1_training_text("Coins: 1 2 4. Total?", ["1+2=3\nWait, 3+4=7\n"], "7", tokenizer.chat_template)
    assert text == ("<|im_start|>user\nCoins: 1 2 4. Total?<|im_end|>\n<|im_start|>assistant\n<|im_start|>think\n"
                    "1+2=3\nWait, 3+4=7\n<|im_start|>answer\nAnswer: 7<|im_end|>\n")
    (example,) = text_examples([text])
    assert example.prompt + example.completion == text and example.prompt.endswith(RESPONSE_TEMPLATE)
    row = tokenize_example(tokenizer, example, 512)
    whole = tokenizer.encode(text, add_special_tokens=False)
    assert row["input_ids"] == whole  # the split changes no token
    template = tokenizer.encode(RESPONSE_TEMPLATE, add_special_tokens=False)
    start = next(i for i in range(len(whole)) if whole[i:i + len(template)] == template) + len(template)
    assert row["completion_mask"] == [0] * start + [1] * (len(whole) - start)
    assert tokenizer.decode(whole[start:]) == "<|im_start|>think\n1+2=3\nWait, 3+4=7\n<|im_start|>answer\nAnswer: 7" \
                                             "<|im_end|>\n"  # the newline after the end of turn is trained, as in s1
    # the first assistant turn starts the loss; a text with none is refused, naming its row
    (twice,) = text_examples([text + "<|im_start|>assistant\nmore<|im_end|>\n"])
    assert twice.prompt == example.prompt
    with pytest.raises(ValueError, match="training text 1 has no"):
        text_examples([text, "<|im_start|>user\nQ<|im_end|>\n"])


def test_sft_stage_trains_on_the_released_text_only_when_asked(tmp_path, chat):
    """sft.text_dataset: the examples come from its `text`; empty: rebuilt from the selection, as before."""
    from dataclasses import replace

    from hub_fixtures import write

    from s1kit.config import AblationsConfig, Profile, SFTStageConfig, SourcingConfig
    from s1kit.experiments.sft import training_examples
    from s1kit.rehearsal.fixtures import s1_training_text
    from s1kit.sources import HubDataConfig
    from s1kit.tiny.tokenizer import CHATML_TEMPLATE
    from s1kit.training import sft_examples, text_examples

    s1k = [{"question": "Coins: 1 2. Total?", "trace": "1+2=3", "attempt": "3", "forced_spans": []},
           {"question": "Miles: 5 6. Total?", "trace": "5+6=11", "attempt": "Answer: 11", "forced_spans": []}]
    texts = [s1_training_text(r["question"], [r["trace"]], r["attempt"], CHATML_TEMPLATE) for r in s1k]
    released = write(tmp_path / "s1K_tokenized", {"question": [r["question"] for r in s1k], "text": texts})
    sourcing = SourcingConfig(kind="hub", hub=HubDataConfig(selection_dataset="simplescaling/s1K"))
    off = Profile(name="t", sourcing=sourcing, sft=SFTStageConfig(answer_prefix="Answer:"),
                  ablations=AblationsConfig(kinds=[]))
    assert off.sft.text_dataset == ""
    rebuilt = training_examples(off, s1k, chat)
    assert rebuilt == sft_examples(s1k, chat, "Answer:")  # today's examples
    on = replace(off, sft=replace(off.sft, text_dataset=released))
    examples = training_examples(on, s1k, chat)
    assert examples == text_examples(texts) and [e.prompt + e.completion for e in examples] == texts
    # the same pair of strings, except for the newline s1 trains after the end of turn
    assert [(e.prompt, e.completion) for e in examples] == [(r.prompt, r.completion + "\n") for r in rebuilt]

    with pytest.raises(ValueError, match="has 2 rows but sourcing.hub.selection_dataset 'simplescaling/s1K' has 3"):
        training_examples(on, s1k + s1k[:1], chat)
    from s1kit.config import ConfigError

    with pytest.raises(ConfigError, match="needs sourcing.hub.selection_dataset"):  # refused when the profile loads
        replace(on, sourcing=SourcingConfig(kind="hub", hub=HubDataConfig()))
