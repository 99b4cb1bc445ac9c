"""A character-level tokenizer for the tiny model, built with `tokenizers` the way Qwen's is.

One token per character keeps the tiny model's arithmetic visible (every digit is a token) and
makes thinking-token counts easy to read: in the tiny world, a thinking *token* is one
*character*. It is built as Qwen's tokenizer is - byte-level BPE with Qwen's pre-tokenizer -
but with a vocabulary of single printable characters and no merges. That matters:
``AutoTokenizer`` loads any directory whose model is a Qwen2 as a ``Qwen2Tokenizer``, which
rebuilds the tokenizer from vocab and merges with its own byte-level pipeline. A plain character
tokenizer would silently lose its spaces that way; this one comes back identical through
``AutoTokenizer`` and ``PreTrainedTokenizerFast`` alike (tested). The ChatML special tokens are
single tokens, as in Qwen's tokenizer, so budget forcing's stop rule ("the next
``<|im_start|>``") means the same thing at both scales.
"""

from __future__ import annotations

import string

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from s1kit.chat import CHATML_TEMPLATE, IM_END, IM_START

PAD = "<|endoftext|>"
UNK = "<|unk|>"
SPECIAL_TOKENS = [PAD, IM_START, IM_END, UNK]
# Printable ASCII without the rarely useful control whitespace (tab, CR, VT, FF).
CHARACTERS = sorted(set(string.printable) - set("\t\r\x0b\x0c"))

# Qwen2's pre-tokenizer split (digits one at a time, words, punctuation, whitespace runs).
QWEN_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def build_char_tokenizer() -> PreTrainedTokenizerFast:
    """Build the deterministic character-level tokenizer (ids: specials first, then sorted chars)."""
    to_symbol = {chr(b): s for b, s in zip(range(256), _byte_level_symbols(), strict=True)}
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + [to_symbol[c] for c in CHARACTERS])}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    core.decoder = decoders.ByteLevel()
    core.add_special_tokens(SPECIAL_TOKENS)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=None,
        eos_token=IM_END,
        pad_token=PAD,
        unk_token=UNK,
        model_max_length=2048,
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def _byte_level_symbols() -> list[str]:
    """GPT-2's byte-to-unicode table (what ByteLevel pre-tokenizers map each byte to)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    symbols, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            symbols[byte] = chr(byte)
        else:
            symbols[byte] = chr(256 + extra)
            extra += 1
    return [symbols[b] for b in range(256)]
