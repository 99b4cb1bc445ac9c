"""Grading as s1 does it: find the answer in a whole model output, then compare it with the reference.

The s1 evaluation (its lm-evaluation-harness fork, tasks ``aime``, ``openai_math`` and
``gpqa_diamond_openai``) grades a response in three steps, and :func:`grade` follows them:

1. **The answer section.** Keep the text after the last ``<|im_start|>answer`` line; if there
   is none but the response has an ``<|im_start|>`` turn, the text after that turn's role line;
   else the whole response (a base model that never thinks).
2. **The answer.** The content of the last ``\\boxed{...}`` (or ``\\fbox{...}``) in that section;
   else what follows the last ``Answer:`` (any case, so ``Final Answer:`` too); else the whole
   section.
3. **Equivalence.** Integers compare as integers (AIME's ``023`` is ``23``); GPQA compares the
   choice letter; other math answers are compared by HF's math-verify (fractions, radicals,
   intervals, degrees, matrices, ``x = 5`` against ``5``). What neither can decide may go to an
   optional judge (:class:`Judge`) behind any OpenAI-compatible chat endpoint
   (:class:`s1kit.chat_client.ChatClient`); s1 used gpt-4o-mini.
   The judge is off unless you pass one, so grading is free and deterministic by default.

``benchmark`` is one of ``"aime"``, ``"math"``, ``"gpqa"`` and ``"tiny"`` (the tiny world, whose
answers are integers and whose answer is the first line after ``Final Answer:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from s1kit.chat import ANSWER_DELIMITER, IM_END, IM_START
from s1kit.chat_client import ChatClient

Benchmark = Literal["aime", "math", "gpqa", "tiny"]
BENCHMARKS = ("aime", "math", "gpqa", "tiny")
ANSWER_PATTERN = re.compile(r"answer\s*:\s*", re.IGNORECASE)
_SPECIAL = re.compile(r"<\|[^|]*\|>")
_LETTERS = "ABCD"


def answer_section(response: str) -> str:
    """The part of a whole model output that holds the answer (step 1 above)."""
    marker = ANSWER_DELIMITER + "\n"
    if marker in response:
        return response.split(marker)[-1]
    if ANSWER_DELIMITER in response:  # the delimiter with no newline after it (a cut-off output)
        return response.split(ANSWER_DELIMITER)[-1]
    if IM_START in response:
        turn = response.split(IM_START)[-1]
        return turn.split("\n", 1)[1] if "\n" in turn else ""
    return response


def last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}``/``\\fbox{...}`` (braces balanced), or None."""
    index = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if index < 0:
        return None
    rest = text[index:]
    if rest.startswith("\\boxed ") and not rest.startswith("\\boxed {"):  # "\boxed 5$" form
        return rest[len("\\boxed "):].split("$")[0].strip()
    start = rest.find("{")
    if start < 0:
        return None
    depth = 0
    for position in range(start, len(rest)):
        if rest[position] == "{":
            depth += 1
        elif rest[position] == "}":
            depth -= 1
            if depth == 0:
                return rest[start + 1:position]
    return None  # an unclosed box: nothing to extract


def extract_answer(response: str, benchmark: Benchmark = "tiny") -> str | None:
    """The answer a whole model output commits to (steps 1 and 2), cleaned of special tokens."""
    _check_benchmark(benchmark)
    section = answer_section(response).split(IM_END)[0]
    boxed = last_boxed(section)
    if boxed is not None:
        answer = boxed
    else:
        matches = list(ANSWER_PATTERN.finditer(section))
        answer = section[matches[-1].end():] if matches else section
        if benchmark == "tiny":  # a tiny answer is one number on one line
            answer = answer.strip().split("\n")[0]
    answer = _SPECIAL.sub("", answer).strip()
    return answer or None


def normalize(answer: str) -> str:
    """Surface clean-up before comparing: no surrounding space, ``$``, trailing period or thousands commas."""
    answer = answer.strip().strip("$").strip()
    answer = re.sub(r"\.$", "", answer).strip()
    return answer.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+(\.\d+)?", answer) else answer


def _as_integer(answer: str) -> int | None:
    text = normalize(answer)
    text = re.sub(r"^\\text\{(.*)\}$", r"\1", text).strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else None


def _letter(answer: str) -> str | None:
    """A GPQA choice letter from an extracted answer: ``C``, ``(c)``, ``C)``, ``\\text{C}``, ``C. 4 m/s``."""
    text = normalize(answer)
    text = re.sub(r"^\\text(bf)?\{(.*)\}$", r"\2", text).strip()
    match = re.fullmatch(r"\(?([A-Da-d])\)?(?:[.):]\s.*|[.)]?)", text, re.DOTALL)
    return match.group(1).upper() if match else None


def math_equivalent(prediction: str, reference: str) -> bool:
    """math-verify's verdict on two LaTeX answers (each parsed as inline math)."""
    from math_verify import parse, verify

    try:
        return bool(verify(parse(f"${reference}$"), parse(f"${prediction}$")))
    except Exception:  # math-verify raises on some malformed LaTeX; an unparsable answer is not equivalent
        return False


def grade(response: str, reference: str, benchmark: Benchmark, judge: Judge | None = None,
          question: str = "") -> bool:
    """Whether a whole model output answers ``reference`` correctly (the three steps above).

    ``reference`` is the benchmark's answer: an integer for AIME and the tiny world, a LaTeX
    answer for MATH500, a letter for GPQA (after the choices are shuffled). ``question`` (with
    its options) is shown to the judge for GPQA, so that an answer written as the option's text
    can be mapped to its letter, as s1's judge could.
    """
    _check_benchmark(benchmark)
    answer = extract_answer(response, benchmark)
    if answer is None:
        return False
    if benchmark == "gpqa":
        letter = _letter(answer)
        if letter is not None:
            return letter == reference.strip().upper()
        return judge is not None and judge.same_choice(answer, reference, question)
    gold_int, pred_int = _as_integer(reference), _as_integer(answer)
    if gold_int is not None and pred_int is not None:
        return gold_int == pred_int
    if benchmark == "tiny":
        return normalize(answer) == normalize(reference)
    if math_equivalent(answer, reference):
        return True
    return judge is not None and judge.equivalent(answer, reference)


def _check_benchmark(benchmark: str) -> None:
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}; choose one of {BENCHMARKS}")


@dataclass(frozen=True)
class Judge:
    """An LLM judge behind an OpenAI-compatible endpoint (off by default): what s1 asked gpt-4o-mini.

    It is asked only what neither integer comparison nor math-verify could decide. Replies
    other than the expected one count as "not equivalent".
    """

    client: ChatClient

    def equivalent(self, answer: str, reference: str) -> bool:
        prompt = (
            "A student's final answer and the reference answer to a math problem follow. Reply with 1 if they "
            "are mathematically the same answer (ignore formatting, units, trivial simplification and the order "
            "of a set of solutions), else with 0. Reply with the digit only.\n\n"
            f"Reference: {reference}\nStudent: {answer}"
        )
        return self.client.ask(prompt, max_tokens=4) == "1"

    def same_choice(self, answer: str, reference_letter: str, question: str = "") -> bool:
        prompt = (
            "A student answered a multiple-choice question with options A, B, C and D. Reply with the letter the "
            "student picked, or -1 if the answer names none. Reply with the letter only.\n\n"
            + (f"Question:\n{question}\n\n" if question else "") + f"Student: {answer}"
        )
        return self.client.ask(prompt, max_tokens=4).strip().upper() == reference_letter.strip().upper()
