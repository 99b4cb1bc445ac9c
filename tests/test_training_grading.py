import pytest
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

from s1kit.training import Example, TrainConfig, tokenize_example


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
