"""The s1 chat format: a thinking phase and an answer phase inside one assistant turn.

s1 (Section 3, Appendix D) fine-tunes Qwen2.5-Instruct on the ChatML template and writes the
assistant turn as::

    <|im_start|>think
    {reasoning trace}
    <|im_start|>answer
    Final Answer: {answer}<|im_end|>

The same delimiters are used at both scales, so budget forcing, the SFT loss mask and grading
read one definition. Everything here is string formatting; tokenization lives in
``s1kit.tokenizer`` and ``s1kit.training``.
"""

from __future__ import annotations

from dataclasses import dataclass

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
THINK_DELIMITER = IM_START + "think"
ANSWER_DELIMITER = IM_START + "answer"
FINAL_ANSWER_PREFIX = "Final Answer:"

# A ChatML template that renders exactly like Qwen2.5's for user/assistant turns without a
# system prompt. The tiny tokenizer ships it; real Qwen tokenizers bring their own.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


@dataclass(frozen=True)
class ChatFormat:
    """Delimiters of the thinking/answer format (configurable; s1's values by default)."""

    think_delimiter: str = THINK_DELIMITER
    answer_delimiter: str = ANSWER_DELIMITER
    final_answer_prefix: str = FINAL_ANSWER_PREFIX
    end_of_turn: str = IM_END

    def user_prompt(self, question: str) -> str:
        """The conversation up to and including the opened assistant turn."""
        return f"{IM_START}user\n{question}{IM_END}\n{IM_START}assistant\n"

    def thinking_prompt(self, question: str) -> str:
        """The prompt budget forcing starts from: the assistant turn opened with the thinking delimiter."""
        return self.user_prompt(question) + self.think_delimiter

    def thinking_completion(self, trace: str, answer: str) -> str:
        """The assistant turn of an s1 training example (thinking, then the answer)."""
        return (
            f"{self.think_delimiter}\n{trace}\n{self.answer_delimiter}\n"
            f"{self.final_answer_prefix} {answer}{self.end_of_turn}"
        )

    def direct_completion(self, answer: str, worked: str | None = None) -> str:
        """An instruct-style assistant turn with no thinking phase (the base model's format)."""
        body = f"{worked}\n" if worked else ""
        return f"{body}{self.final_answer_prefix} {answer}{self.end_of_turn}"

    def forced_answer_suffix(self) -> str:
        """What the cap appends when it cuts thinking off (the s1 reference's forced answer)."""
        return f"\n{self.answer_delimiter}\n{self.final_answer_prefix}"
