"""A vLLM reasoning parser for whatever thinking format the server runs with: thinking and answer apart.

vLLM's chat endpoint returns a reply's thinking as ``reasoning_content`` (``reasoning`` in newer
releases) and the answer as ``content`` when a reasoning parser is named. vLLM ships parsers for
``<think>...</think>`` models; this one reads the served format (s1's ``<|im_start|>think`` /
``<|im_start|>answer`` delimiters, or ``<think>`` tags) from the environment that
``python -m s1kit serve`` sets (:data:`s1kit.service.middleware.FORMAT_ENV`), so one parser serves both.
``serve`` loads it with ``--reasoning-parser-plugin`` (this file) and ``--reasoning-parser s1kit``.
The thinking token count it gives vLLM counts up to the answer delimiter; for a whole forced reply
the middleware replaces it with the exact count (a cap's forced text is not thinking). Streamed, the
thinking keeps a trailing newline and the answer a leading one (vLLM streams what follows the answer
delimiter itself) that the whole reply leaves out.
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
        self.think_ids, self.answer_ids = encode(self.think), encode(self.answer)

    @property
    def reasoning_start_str(self) -> str:
        return self.think

    @property
    def reasoning_end_str(self) -> str:
        return self.answer

    def _answer_at(self, ids: Sequence[int]) -> tuple[int, int | None]:
        """(where thinking starts, where the answer delimiter's tokens start or None) in ``ids``: the
        delimiter matched whole, after a leading thinking delimiter (s1's both open with <|im_start|>)."""
        ids = list(ids)
        start = len(self.think_ids) if ids[: len(self.think_ids)] == self.think_ids else 0
        width = len(self.answer_ids)
        for position in range(start, len(ids) - width + 1):
            if ids[position: position + width] == self.answer_ids:
                return start, position
        return start, None

    def is_reasoning_end(self, input_ids: Sequence[int]) -> bool:
        return self._answer_at(input_ids)[1] is not None

    def extract_content_ids(self, input_ids: list[int]) -> list[int]:
        _, at = self._answer_at(input_ids)
        return [] if at is None else input_ids[at + len(self.answer_ids):]

    def count_reasoning_tokens(self, token_ids: Sequence[int]) -> int:
        """Tokens from the thinking delimiter to the answer delimiter (for a capped reply this includes
        the cap's forced text; the middleware gives whole replies the exact count)."""
        start, at = self._answer_at(token_ids)
        return (len(token_ids) if at is None else at) - start

    def extract_reasoning(self, model_output: str, request) -> tuple[str | None, str | None]:
        return split_reply(model_output, self.think, self.answer)

    def _streamed(self, text: str) -> tuple[str, str]:
        """(thinking, answer) of a partial reply as far as they are sure: a tail that could still become
        the answer delimiter, or a head that could still become the thinking delimiter, is held back."""
        if len(text) < len(self.think) and self.think.startswith(text):
            return "", ""
        if text.startswith(self.think):
            text = text[len(self.think):]
        head, found, tail = text.partition(self.answer)
        if found:
            return head.lstrip("\n"), tail.lstrip("\n")
        for cut in range(min(len(self.answer) - 1, len(head)), 0, -1):
            if self.answer.startswith(head[-cut:]):
                return head[:-cut].lstrip("\n"), ""
        return head.lstrip("\n"), ""

    def extract_reasoning_streaming(self, previous_text: str, current_text: str, delta_text: str,
                                    previous_token_ids: Sequence[int], current_token_ids: Sequence[int],
                                    delta_token_ids: Sequence[int]) -> DeltaMessage | None:
        (thinking_before, answer_before), (thinking, answer) = self._streamed(previous_text), self._streamed(current_text)
        reasoning, content = thinking[len(thinking_before):], answer[len(answer_before):]
        if not reasoning and not content:
            return None
        return DeltaMessage(reasoning=reasoning or None, content=content or None)
