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

from dataclasses import dataclass, replace

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
THINK_DELIMITER = IM_START + "think"
ANSWER_DELIMITER = IM_START + "answer"
FINAL_ANSWER_PREFIX = "Final Answer:"
# The other thinking format, of Qwen3, QwQ, DeepSeek-R1 and its distills: the model thinks inside
# <think>...</think> in its assistant turn and answers after the closing tag.
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
# What Qwen3's documentation appends to end thinking early, before its </think>: the forced text of a
# cap for <think> models (ChatFormat.cap_text).
QWEN3_EARLY_STOP = ("Considering the limited time by the user, I have to give the solution based on the thinking "
                    "directly now.\n")

# A ChatML template: Qwen2.5's for user/assistant turns, without Qwen's default system prompt
# (a 1M model has no use for "You are Qwen..."). The tiny tokenizer ships it; real Qwen
# tokenizers bring their own, and ChatFormat.from_tokenizer reads whichever the model has.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


_SENTINEL = "\x00S1KIT-QUESTION\x00"


@dataclass(frozen=True)
class ChatFormat:
    """Delimiters of the thinking/answer format (s1's values by default) and the model's prompt wrapper.

    ``prompt_prefix`` + question + ``prompt_suffix`` is the conversation up to the opened
    assistant turn. The defaults are ChatML with no system prompt (the tiny tokenizer's template);
    :meth:`from_tokenizer` takes them from a model's own chat template, so that a Qwen2.5 model
    gets its default system prompt at training and test time, as s1 did.
    """

    think_delimiter: str = THINK_DELIMITER
    answer_delimiter: str = ANSWER_DELIMITER
    final_answer_prefix: str = FINAL_ANSWER_PREFIX
    end_of_turn: str = IM_END
    prompt_prefix: str = f"{IM_START}user\n"
    prompt_suffix: str = f"{IM_END}\n{IM_START}assistant\n"
    # When the cap cuts thinking off: ``cap_text`` is forced before the answer delimiter (Qwen3's
    # sentence for <think> models; nothing for s1) and ``answer_opening`` after it (None: s1's
    # "\n" + ``final_answer_prefix``).
    cap_text: str = ""
    answer_opening: str | None = None

    @classmethod
    def from_tokenizer(cls, tokenizer) -> "ChatFormat":
        """The format with the prompt wrapper rendered by ``tokenizer``'s chat template (system prompt included)."""
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError(f"tokenizer {type(tokenizer).__name__} has no chat template; s1 prompts need one")
        rendered = tokenizer.apply_chat_template([{"role": "user", "content": _SENTINEL}], tokenize=False,
                                                 add_generation_prompt=True)
        if rendered.count(_SENTINEL) != 1:
            raise ValueError("the chat template does not render the user's message exactly once")
        prefix, suffix = rendered.split(_SENTINEL)
        return cls(prompt_prefix=prefix, prompt_suffix=suffix)

    @classmethod
    def think_tags(cls, tokenizer=None, cap_text: str = QWEN3_EARLY_STOP) -> "ChatFormat":
        """The ``<think>...</think>`` format (Qwen3, QwQ, DeepSeek-R1), with ``tokenizer``'s prompt wrapper if given.

        Thinking opens with ``<think>\\n``; the model ends it with ``</think>`` and answers after it.
        A cap forces ``cap_text`` (Qwen3's early-stop sentence by default), ``</think>`` and a blank line.
        A template whose generation prompt already opens thinking (DeepSeek-R1's distills) keeps
        ``<think>\\n`` out of ``prompt_suffix``: ``thinking_prompt`` adds it once. A tokenizer with no
        ``<|im_end|>`` token (DeepSeek-R1's) ends turns with its eos token.
        """
        think = THINK_OPEN + "\n"
        base = cls(think_delimiter=think, answer_delimiter=THINK_CLOSE, cap_text=cap_text, answer_opening="\n\n")
        if tokenizer is None:
            return base
        end = tokenizer.encode(IM_END, add_special_tokens=False)
        if (len(end) != 1 or end[0] == tokenizer.unk_token_id) and tokenizer.eos_token:
            base = replace(base, end_of_turn=tokenizer.eos_token)  # DeepSeek-R1's turns end with its eos
        wrapper = cls.from_tokenizer(tokenizer)
        suffix = wrapper.prompt_suffix
        if suffix.endswith(think):
            suffix = suffix[: -len(think)]
        elif suffix.endswith(THINK_OPEN):
            suffix = suffix[: -len(THINK_OPEN)]
        return replace(base, prompt_prefix=wrapper.prompt_prefix, prompt_suffix=suffix)

    def user_prompt(self, question: str) -> str:
        """The conversation up to and including the opened assistant turn."""
        return f"{self.prompt_prefix}{question}{self.prompt_suffix}"

    def thinking_prompt(self, question: str) -> str:
        """The prompt budget forcing starts from: the assistant turn opened with the thinking delimiter."""
        return self.user_prompt(question) + self.think_delimiter

    def thinking_completion(self, trace: str, answer: str, answer_prefix: str | None = None) -> str:
        """The assistant turn of an s1 training example (thinking, then the answer section).

        As in s1's data preparation, the answer is prefixed (``answer_prefix``, else
        ``final_answer_prefix``) only when it does not already contain ``Answer:``.
        """
        answer = answer.strip()
        if "Answer:" not in answer:
            answer = f"{answer_prefix or self.final_answer_prefix} {answer}"
        return f"{self.think_delimiter}\n{trace}\n{self.answer_delimiter}\n{answer}{self.end_of_turn}"

    def direct_completion(self, answer: str, worked: str | None = None, prefix: str | None = None) -> str:
        """An instruct-style assistant turn with no thinking phase (the base model's format).

        ``prefix`` replaces ``final_answer_prefix`` (the tiny base corpus's one-line answers use
        "Answer:", :mod:`s1kit.tiny.instruct` says why).
        """
        body = f"{worked}\n" if worked else ""
        return f"{body}{prefix or self.final_answer_prefix} {answer}{self.end_of_turn}"

    def forced_answer_suffix(self, newline: bool = True) -> str:
        """What the cap appends when it cuts thinking off (the s1 reference's forced answer).

        ``newline=False`` leaves out the leading ``"\\n"``: s1's harness writes it only when the
        thinking does not already end in a newline (``BudgetForcing.cap_newline = "if_missing"``).
        """
        opening = f"\n{self.final_answer_prefix}" if self.answer_opening is None else self.answer_opening
        return ("\n" if newline else "") + self.cap_text + self.answer_delimiter + opening


def thinking_format(tokenizer) -> ChatFormat | None:
    """The thinking format ``tokenizer`` speaks, read from its vocabulary and chat template; None if neither.

    ``<think>`` and ``</think>`` as single tokens (Qwen3, QwQ, DeepSeek-R1 and its distills):
    :meth:`ChatFormat.think_tags`. Otherwise ChatML's ``<|im_start|>``/``<|im_end|>`` as single
    tokens (Qwen2.5 and the models s1 fine-tuned from it, the tiny model): s1's format, with the
    tokenizer's template when it has one. A profile or ``python -m s1kit serve --thinking-format``
    can say otherwise.
    """
    def single(text: str) -> bool:
        ids = tokenizer.encode(text, add_special_tokens=False)
        return len(ids) == 1 and ids[0] != tokenizer.unk_token_id

    has_template = bool(getattr(tokenizer, "chat_template", None))
    if single(THINK_OPEN) and single(THINK_CLOSE) and (single(IM_END) or tokenizer.eos_token):
        return ChatFormat.think_tags(tokenizer if has_template else None)
    if single(IM_START) and single(IM_END):
        return ChatFormat.from_tokenizer(tokenizer) if has_template else ChatFormat()
    return None
