"""Loading a tokenizer and checking that it can express the s1 chat format (both scales).

Budget forcing, the SFT loss mask and grading all assume that ``<|im_start|>`` and
``<|im_end|>`` are single special tokens and that the thinking and answer delimiters survive an
encode/decode round trip. :func:`check_chat_tokenizer` is the guard every stage uses, for the
tiny tokenizer (``s1kit.tiny.tokenizer``) and for Qwen's alike: a tokenizer that fails it is
refused with one error naming the delimiter, before any work.
"""

from __future__ import annotations

from pathlib import Path

from transformers import AutoTokenizer, PreTrainedTokenizerBase

from s1kit.chat import IM_END, IM_START, ChatFormat


class TokenizerError(ValueError):
    """The tokenizer cannot represent the s1 chat format."""


def load_tokenizer(path: str | Path) -> PreTrainedTokenizerBase:
    """Load a saved tokenizer (a local dir or a Hub id) and check that it can express the s1 chat format."""
    local = Path(path)
    looks_local = local.is_absolute() or str(path).startswith(".") or local.exists()
    if looks_local and not (local / "tokenizer.json").exists() and not (local / "tokenizer_config.json").exists():
        raise FileNotFoundError(f"no tokenizer found in {local} (expected tokenizer.json)")
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    tokenizer.padding_side = "left"
    check_chat_tokenizer(tokenizer)
    return tokenizer


def single_token_id(tokenizer: PreTrainedTokenizerBase, text: str) -> int:
    """The id of ``text`` if the tokenizer encodes it as exactly one token, else a TokenizerError."""
    ids = tokenizer.encode(text, add_special_tokens=False)
    if len(ids) != 1 or ids[0] == tokenizer.unk_token_id:
        raise TokenizerError(
            f"tokenizer {type(tokenizer).__name__} does not encode the delimiter {text!r} as one token "
            f"(got ids {ids}); the s1 chat format needs {IM_START!r} and {IM_END!r} as special tokens"
        )
    return ids[0]


def check_chat_tokenizer(tokenizer: PreTrainedTokenizerBase, chat: ChatFormat | None = None) -> None:
    """Refuse a tokenizer that cannot encode and decode the s1 delimiters exactly."""
    chat = chat or ChatFormat()
    single_token_id(tokenizer, IM_START)
    single_token_id(tokenizer, IM_END)
    if tokenizer.eos_token is None:
        raise TokenizerError("tokenizer has no eos token; the answer phase could never stop")
    for text in (chat.think_delimiter, chat.answer_delimiter, chat.final_answer_prefix):
        ids = tokenizer.encode(text, add_special_tokens=False)
        round_trip = tokenizer.decode(ids, skip_special_tokens=False)
        if tokenizer.unk_token_id is not None and tokenizer.unk_token_id in ids or round_trip != text:
            raise TokenizerError(f"tokenizer cannot round-trip the delimiter {text!r} (decoded {round_trip!r})")
