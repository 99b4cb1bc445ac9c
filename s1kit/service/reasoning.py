"""A vLLM reasoning parser for whatever thinking format the server runs with: thinking and answer apart.

vLLM's chat endpoint returns a reply's thinking as ``reasoning_content`` (``reasoning`` in newer
releases) and the answer as ``content`` when a reasoning parser is named. vLLM ships parsers for
``<think>...</think>`` models; this one reads the served format (s1's ``<|im_start|>think`` /
``<|im_start|>answer`` delimiters, or ``<think>`` tags) from the environment that
``python -m s1kit serve`` sets (:data:`s1kit.service.middleware.FORMAT_ENV`), so one parser serves both.
``serve`` loads it with ``--reasoning-parser-plugin`` (this file) and ``--reasoning-parser s1kit``.
The thinking token count it gives vLLM counts up to the answer delimiter; for forced replies the
middleware replaces it with the exact count (a cap's forced text is not thinking).
"""

from __future__ import annotations

from collections.abc import Sequence

from vllm.entrypoints.openai.chat_completion.protocol import DeltaMessage
from vllm.reasoning import ReasoningParser, ReasoningParserManager

from s1kit.service.middleware import served_format


def split_reply(text: str, think_delimiter: str, answer_delimiter: str) -> tuple[str | None, str | None]:
    """(thinking, answer) of a reply's text; the answer is None until the answer delimiter appears."""
    if text.startswith(think_delimiter):
        text = text[len(think_delimiter):]
    thinking, found, answer = text.partition(answer_delimiter)
    thinking = thinking.strip("\n")
    if not found:
        return thinking or None, None
    return thinking or None, answer.lstrip("\n") or None


@ReasoningParserManager.register_module("s1kit")
class ServedFormatReasoningParser(ReasoningParser):
    """Thinking and answer apart, in the served thinking format (see the module)."""

    def __init__(self, tokenizer, *args, **kwargs):
        super().__init__(tokenizer, *args, **kwargs)
        chat = served_format()
        if chat is None:
            raise ValueError("the s1kit reasoning parser needs a thinking format (S1KIT_SERVE_FORMAT)")
        self.think, self.answer = chat.think_delimiter, chat.answer_delimiter
        encode = lambda text: tokenizer.encode(text, add_special_tokens=False)  # noqa: E731
        self.answer_start = encode(self.answer)[0]
        self.answer_ids = encode(self.answer)

    @property
    def reasoning_start_str(self) -> str:
        return self.think

    @property
    def reasoning_end_str(self) -> str:
        return self.answer

    def is_reasoning_end(self, input_ids: Sequence[int]) -> bool:
        return self.answer_start in input_ids

    def extract_content_ids(self, input_ids: list[int]) -> list[int]:
        if self.answer_start not in input_ids:
            return []
        return input_ids[input_ids.index(self.answer_start) + len(self.answer_ids):]

    def count_reasoning_tokens(self, token_ids: Sequence[int]) -> int:
        ids = list(token_ids)
        return ids.index(self.answer_start) if self.answer_start in ids else len(ids)

    def extract_reasoning(self, model_output: str, request) -> tuple[str | None, str | None]:
        return split_reply(model_output, self.think, self.answer)

    def extract_reasoning_streaming(self, previous_text: str, current_text: str, delta_text: str,
                                    previous_token_ids: Sequence[int], current_token_ids: Sequence[int],
                                    delta_token_ids: Sequence[int]) -> DeltaMessage | None:
        before, now = split_reply(previous_text, self.think, self.answer), split_reply(current_text, self.think,
                                                                                     self.answer)
        reasoning = (now[0] or "")[len(before[0] or ""):] if now[1] is None or before[1] is None else ""
        content = (now[1] or "")[len(before[1] or ""):]
        if not reasoning and not content:
            return None
        return DeltaMessage(reasoning=reasoning or None, content=content or None)
