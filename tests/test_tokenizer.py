import pytest
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from s1kit.chat import ChatFormat
from s1kit.tokenizer import TokenizerError, check_chat_tokenizer, load_tokenizer

TEXT = ChatFormat().user_prompt("Coins: 5 9 3. Total?") + ChatFormat().thinking_completion("5+9=14+3=17", "17")


def test_digits_one_by_one_words_whole_and_single_token_delimiters(tokenizer):
    text = "<|im_start|>think\n12+9=21\nWait, 21 is the total."
    pieces = [tokenizer.decode([i]) for i in tokenizer.encode(text, add_special_tokens=False)]
    assert pieces == ["<|im_start|>", "think", "\n", "1", "2", "+", "9", "=", "2", "1", "\n",
                      "Wait", ",", " ", "2", "1", " is", " the", " total", "."]
    assert len(tokenizer.encode("Wait", add_special_tokens=False)) == 1  # as in Qwen's vocabulary
    unknown = "Perhaps"  # a word the tiny world never writes is spelled out, one character per token
    assert len(tokenizer.encode(unknown, add_special_tokens=False)) == len(unknown)


@pytest.mark.parametrize("loader", [AutoTokenizer.from_pretrained, PreTrainedTokenizerFast.from_pretrained, load_tokenizer])
def test_save_and_reload_round_trip(tmp_path, tokenizer, loader):
    tokenizer.save_pretrained(tmp_path)
    again = loader(str(tmp_path))
    assert again.get_vocab() == tokenizer.get_vocab()
    assert again.encode(TEXT, add_special_tokens=False) == tokenizer.encode(TEXT, add_special_tokens=False)
    assert again.decode(again.encode(TEXT, add_special_tokens=False)) == TEXT
    assert (again.eos_token, again.pad_token) == ("<|im_end|>", "<|endoftext|>")
    messages = [{"role": "user", "content": "Coins: 1 2. Total?"}]
    assert again.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) == \
        ChatFormat().user_prompt("Coins: 1 2. Total?")
    check_chat_tokenizer(again)


def test_tokenizer_without_delimiters_is_refused():
    vocab = {c: i for i, c in enumerate(["<unk>"] + list("abcdefghijklmnopqrstuvwxyz<|>_ :\nFA"))}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    bare = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", eos_token="<unk>")
    with pytest.raises(TokenizerError, match="<\\|im_start\\|>"):
        check_chat_tokenizer(bare)


def test_missing_tokenizer_dir_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tokenizer"):
        load_tokenizer(tmp_path / "nothing")
