"""The tiny model's tokenizer, built with `tokenizers` the way Qwen's is.

Qwen2.5's tokenizer writes every digit as its own token and common words as one token each.
This one does the same at a tiny scale: byte-level BPE with Qwen's pre-tokenizer (digits one at
a time), a vocabulary of the printable characters, and merges for the few words the tiny world
uses (``WORDS``: the chat roles, "Wait", the question wordings, the answer line...), so
"Wait" is one token, as in Qwen's vocabulary, and the arithmetic stays visible digit by digit.
The merges make the tiny world's sequences about 40% shorter than one token per character,
which is the largest saving in the study's training and decoding time; a word the list does not
hold (a new extrapolation string, say) is spelled out one character per token.

That it is real BPE matters: ``AutoTokenizer`` loads any directory whose model is a Qwen2 as a
``Qwen2Tokenizer``, which rebuilds the tokenizer from vocab and merges with its own byte-level
pipeline. A plain character tokenizer would silently lose its spaces that way; this one comes
back identical through ``AutoTokenizer`` and ``PreTrainedTokenizerFast`` alike (tested). The
ChatML special tokens are single tokens, as in Qwen's tokenizer, so budget forcing's stop rule
("the next ``<|im_start|>``") means the same thing at both scales.
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
# The words of the tiny world, each merged into one token (with and without a leading space):
# the chat format, the teacher's words, the question wordings (s1kit.tiny.world.DOMAINS), the
# instruct corpus's request, Table 3's control prompts and Table 4's extrapolation strings.
WORDS = (
    "user", "assistant", "system", "think", "answer", "Final", "Answer",
    "Wait", "is", "the", "total", "let", "me", "check",
    "Coins", "Steps", "Apples", "Miles", "Points", "Pages", "Grams", "Votes", "Total",
    "Show", "your", "work",
    "Think", "for", "up", "to", "tokens", "steps", "left", "short", "long",
    "Hmm", "Alternatively",
)

# Qwen2's pre-tokenizer split (digits one at a time, words, punctuation, whitespace runs).
QWEN_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def build_tiny_tokenizer() -> PreTrainedTokenizerFast:
    """Build the deterministic tiny tokenizer (ids: specials, sorted characters, then merged words)."""
    to_symbol = {chr(b): s for b, s in zip(range(256), _byte_level_symbols(), strict=True)}
    merges = _word_merges([to_symbol[" "] + w for w in WORDS] + list(WORDS))
    merged = list(dict.fromkeys(a + b for a, b in merges))
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + [to_symbol[c] for c in CHARACTERS] + merged)}
    core = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=UNK))
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


def _word_merges(words: list[str]) -> list[tuple[str, str]]:
    """BPE merges that build each word left to right, one character at a time, in a fixed order.

    The space-led forms come first, so that " the" merges from its space on and never strands
    the space beside a merged "the".
    """
    merges: dict[tuple[str, str], None] = {}
    for word in words:
        for end in range(2, len(word) + 1):
            merges[(word[: end - 1], word[end - 1])] = None
    return list(merges)


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
