"""Grading as s1 does it: find the answer in a whole model output, then compare it with the reference.

The s1 evaluation (its lm-evaluation-harness fork, tasks ``aime``, ``openai_math`` and
``gpqa_diamond_openai``) grades a response in three steps, and :func:`grade` follows them:

1. **The answer section.** Keep the text after the last ``<|im_start|>answer`` line; if there
   is none but the response has an ``<|im_start|>`` turn, the text after that turn's role line;
   else the whole response (a base model that never thinks).
2. **The answer.** The content of the last ``\\boxed{...}`` (or ``\\fbox{...}``) in that section;
   else what follows the last ``Answer:`` (any case, so ``Final Answer:`` too; s1's greedy
   regex takes what follows the *first*, see :class:`GradingOptions`); else the whole section.
3. **Equivalence.** Integers compare as integers (AIME's ``023`` is ``23``, and the integer may be
   written ``**23**``, ``\\textbf{23}``, ``(23)``, ``$23$``, ``23.`` or "The answer is 23.");
   GPQA compares the choice letter, read wherever a model states it (:func:`read_letter`: bare,
   boxed, bold, after "answer is", "correct option is", ...); other math answers are compared by
   HF's math-verify (fractions, radicals, intervals, degrees, matrices, ``x = 5`` against ``5``).

Where s1 asked its judge (gpt-4o-mini) is explicit: :func:`rule_verdict` gives the rules' verdict
and the question s1 would have put to the judge (``ask``), and :func:`verdict_with_judge` turns a
judge's parsed reply into the final verdict; :func:`grade` chains the two, with an optional
:class:`Judge` behind any OpenAI-compatible chat endpoint (:class:`s1kit.chat_client.ChatClient`).
The judge is off unless you pass one, so grading is free and deterministic by default.

* **aime**: s1 asks when the extracted answer is not a plain integer (``isdigit``); here, when the
  rules above cannot read an integer from it.
* **math**: s1 asks about *every* answer unless both it and the reference are integers, exact
  matches included; ``correct`` is then math-verify's verdict.
* **gpqa**: s1 asks when no letter can be read; what even the judge cannot read, s1 counts as
  ``"A"`` (``GradingOptions.gpqa_unreadable``; s1kit's default counts it wrong).
* **tiny**: never (integers, compared as integers).

:func:`same_answer` is the equivalence majority voting needs (equal integers, equal letters,
math-verify), or None where the rules cannot decide.

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
AskKind = Literal["aime_integer", "math_equivalence", "gpqa_letter"]
ANSWER_PATTERN = re.compile(r"answer\s*:\s*", re.IGNORECASE)
_SPECIAL = re.compile(r"<\|[^|]*\|>")
_LETTERS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class GradingOptions:
    """Two of s1's grading behaviours that s1kit does otherwise by default.

    ``answer_after``: with nothing boxed, the answer is the text after the last ``Answer:``
    (``"last"``, s1kit) or after the first, to the end of the section (``"first"``: what s1's
    ``re.findall(r"(?i)Answer\\s*:\\s*(.*)", a, re.DOTALL)[-1]`` returns, since the greedy DOTALL
    match swallows every later ``Answer:``).
    ``gpqa_unreadable``: the letter a GPQA answer counts as when neither the rules nor the judge
    can read one (s1: ``"A"``); None counts it wrong.
    """

    answer_after: Literal["last", "first"] = "last"
    gpqa_unreadable: str | None = None

    def __post_init__(self) -> None:
        if self.answer_after not in ("last", "first"):
            raise ValueError(f"answer_after must be 'last' or 'first', got {self.answer_after!r}")
        if self.gpqa_unreadable is not None and self.gpqa_unreadable not in _LETTERS:
            raise ValueError(f"gpqa_unreadable must be None or one of A-D, got {self.gpqa_unreadable!r}")


DEFAULT_OPTIONS = GradingOptions()


@dataclass(frozen=True)
class RuleVerdict:
    """What the rules make of one output: their verdict, the answer, and what s1 would ask its judge.

    ``correct`` is the verdict with no judge and no GPQA fallback (:func:`verdict_with_judge`
    applies ``GradingOptions.gpqa_unreadable``). ``answer`` is the extracted answer text (None:
    nothing extracted). ``ask`` is None when the rules settle the output as s1 would.
    """

    correct: bool
    answer: str | None
    ask: AskKind | None


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


def extract_answer(response: str, benchmark: Benchmark = "tiny", *, options: GradingOptions = DEFAULT_OPTIONS) -> str | None:
    """The answer a whole model output commits to (steps 1 and 2), cleaned of special tokens."""
    _check_benchmark(benchmark)
    section = answer_section(response).split(IM_END)[0]
    boxed = last_boxed(section)
    if boxed is not None:
        answer = boxed
    else:
        matches = list(ANSWER_PATTERN.finditer(section))
        if matches:
            answer = section[(matches[-1] if options.answer_after == "last" else matches[0]).end():]
        else:
            answer = section
        if benchmark == "tiny":  # a tiny answer is one number on one line
            answer = answer.strip().split("\n")[0]
    answer = _SPECIAL.sub("", answer).strip()
    return answer or None


def normalize(answer: str) -> str:
    """Surface clean-up before comparing: no surrounding space, ``$``, trailing period or thousands commas."""
    answer = answer.strip().strip("$").strip()
    answer = re.sub(r"\.$", "", answer).strip()
    return answer.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?|-?\d+(\.\d+)?", answer) else answer


# -- reading an integer ----------------------------------------------------------------------------
_INTEGER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)")
_STATED = re.compile(  # "The answer is 23.", "So the final answer is: **23**", "Final Answer: 23"
    r"[#>*_\s]*+(?:(?:so|thus|therefore|hence)\s*+,?\s*+)?(?:the\s++)?(?:final\s++)?answer[*_]*+\s*+"
    r"(?:(?:is|=)\s*+:?|:)\s*+(.*)", re.IGNORECASE | re.DOTALL)


_COMMANDS = re.compile(r"\\(?:text|textbf|mathbf|mathrm|boxed|fbox|bf|mbox)\s*\{")
_MARKUP_PAIRS = (("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("**", "**"), ("*", "*"), ("__", "__"))
_BRACKET_PAIRS = (("{", "}"), ("(", ")"), ("[", "]"))


def _unwrap(text: str, brackets: bool = True) -> str:
    """``text`` without surrounding ``$``, ``\\(\\)``, ``\\[\\]``, bold, ``\\textbf{}``/``\\text{}``/
    ``\\boxed{}`` and trailing periods (and, with ``brackets``, braces, parentheses and square
    brackets), peeled until none is left."""
    pairs = _MARKUP_PAIRS + (_BRACKET_PAIRS if brackets else ())
    while True:
        before = text
        text = text.strip().rstrip(". \t\n").strip()
        command = _COMMANDS.match(text)
        if command is not None and text.endswith("}"):
            text = text[command.end():-1]
        else:
            for left, right in pairs:
                if len(text) >= len(left) + len(right) and text.startswith(left) and text.endswith(right):
                    text = text[len(left):-len(right)]
                    break
        if text == before:
            return text


def _plain_integer(text: str) -> int | None:
    core = _unwrap(text.replace("\\,", ",").replace("{,}", ","))
    if "," in core and _unwrap(text, brackets=False).strip()[:1] in "([{":
        return None  # "(1,100)" is a pair or an interval, not one thousand one hundred
    return int(core.replace(",", "")) if _INTEGER.fullmatch(core) else None


def read_integer(answer: str) -> int | None:
    """An integer from an extracted answer, or None: ``23``, ``023``, ``23.``, ``1,024``, ``$23$``,
    ``\\(23\\)``, ``(23)``, ``**23**``, ``\\textbf{23}``, ``\\mathbf{23}``, ``\\text{23}``, a sentence
    that states it ("The answer is 23."), or any of these alone on the answer's first line."""
    text = _SPECIAL.sub("", answer).strip()
    lines = [line for line in text.split("\n") if line.strip()]
    for candidate in ([text, lines[0]] if len(lines) > 1 else [text]):
        value = _plain_integer(candidate)
        if value is None and (stated := _STATED.fullmatch(candidate)):
            value = _plain_integer(stated.group(1))
        if value is not None:
            return value
    return None


# -- reading a GPQA letter -------------------------------------------------------------------------
# What may stand between an answer's intro (or the text's start) and its letter: space, markdown
# bold/italics, math delimiters, \text{}/\textbf{}/\boxed{} openers, and "option"/"choice".
# Atomic and possessive throughout, so that a long run of "*" or spaces cannot make a match backtrack
# exponentially (nothing here can begin a letter form, so giving nothing back loses no match).
_OPEN = r"(?>\s+|\*+|_+|\$+|\\\(|\\\[|\\(?:text|textbf|mathbf|mathrm|boxed|fbox|bf)\s*\{|\{|(?i:option|choice|letter)\s+)*+"
_CLOSE = r"(?>\*+|_+|\$+|\}|\\\)|\\\])"
# A letter in an answer position: "(B)" or "B)" always; a bare capital when a closer follows
# ("B**", "B}") or it ends a line or a clause ("B", "B.", "B: ...", "B - ...", "B 4.2 eV"), never
# before a lower-case word (the article in "A reasonable guess"); a bare lower-case one only when
# it ends a line or sits before ".", ")" or ":" (s1 upper-cases a bare a-d).
_LETTER = (
    r"(?:\((?P<p>[A-Da-d])\)"
    r"|(?P<r>[A-Da-d])\)"
    rf"|(?P<u>[A-D])(?={_CLOSE}|[ \t]*+(?:$|\n)|[.:;]|,\s|\s++[-–—]|\s++(?![a-z]))"
    rf"|(?P<l>[a-d])(?={_CLOSE}*+(?:[ \t]*(?:$|\n)|[.:;](?:\s|$))))"
)
_LEADING = re.compile(_OPEN + _LETTER)
_STATEMENTS = [re.compile(p, re.MULTILINE) for p in (  # an explicit statement of the chosen letter
    r"(?i:\banswer(?:\s+(?:choice|option|letter))?)[*_]*+(?:(?i:\s++(?:therefore|thus|then|clearly|likely|probably|"
    r"definitely|indeed))?\s*+(?i:is|would\s+be|should\s+be|must\s+be|will\s+be|=)\s*+:?|\s*+:)" + _OPEN + _LETTER,
    r"(?i:\b(?:correct|right|best|final|true)\s++(?:option|choice|letter|response|statement))[*_]*+\s*+"
    r"(?i:is|would\s+be|should\s+be|must\s+be|=|:)\s*+:?" + _OPEN + _LETTER,
    r"(?i:\b(?:option|choice))\s+(?:\((?P<p>[A-Da-d])\)|(?P<u>[A-D])\)?)[*_]*\s+"
    r"(?i:is\s+(?:the\s+)?(?:correct|right|best|true)\b)",
    r"(?:\((?P<p>[A-Da-d])\)|\b(?P<u>[A-D])\)?)[*_]*\s+(?i:is\s+the\s+(?:correct|right|best)\s+(?:answer|option|choice)\b)",
)]
_MARKED = [re.compile(p, re.MULTILINE) for p in (  # a letter set apart: bold, \textbf{}, boxed, alone on a line
    r"\*\*\s*+(?:\((?P<p>[A-Da-d])\)|(?P<u>[A-D])(?![A-Za-z0-9]))(?:\s*+[.):]?\s*+\*\*|(?:[.):]|(?<=\)))\s++[^*\n]{0,300}?\*\*)",
    r"\\(?:textbf|mathbf|boxed|fbox|text|mathrm)\s*\{" + _OPEN + _LETTER,
    r"^(?>[ \t>#]+|\*+|_+|\$+|\\\(|\\\[)*+" + _LETTER + _CLOSE + r"*+[.]?[ \t]*$",
)]
_FINAL_LINE = re.compile(r"(?:\A|\n)(?>[ \t>#]+|\*+|_+|\$+|\\\(|\\\[)*+" + _LETTER + _CLOSE + r"*+[.]?[ \t]*\Z")
_MENTION = re.compile(r"(?i:\b(?:option|choice))\s+(?:\((?P<p>[A-Da-d])\)|(?P<u>[A-D])(?![A-Za-z0-9]))")


def _found(match: re.Match) -> tuple[int, str]:
    for group in ("p", "r", "u", "l"):
        if group in match.re.groupindex and match.group(group):
            return match.start(group), match.group(group).upper()
    raise AssertionError("a letter pattern matched without a letter")


def _last(patterns: list[re.Pattern], text: str) -> str | None:
    found = [_found(m) for pattern in patterns for m in pattern.finditer(text)]
    return max(found)[1] if found else None


def read_letter(answer: str) -> str | None:
    """The GPQA choice (``"A"``-``"D"``) an extracted answer states, or None if none can be read.

    In order: the last explicit statement ("the correct answer is: **B) ...**", "Answer: **B**",
    "The correct option is B.", "the answer is (C)", "option B is correct"); else a letter that
    opens the answer (``B``, ``(c)``, ``D) 4 m/s``, ``**B**``, ``\\text{B}``, ``\\textbf{(C)}``,
    ``C\\n\\nThis is because...``); else a letter set apart (``**B**``, ``**(B) 4.2 eV**``,
    ``\\textbf{C}``, a line that holds only the letter); else "option B". A letter read without an
    explicit statement counts only if no other letter is set apart or named as an option in the
    answer (an option-by-option review, "**Option A:** wrong. **Option C:** correct.", is left to
    the judge, as s1 left it to gpt-4o-mini); a capital starting a clause is not a choice ("A
    reasonable guess ...", "A 2.0 T field ...", "D = 4.2 eV" in a longer answer).
    """
    text = _SPECIAL.sub("", answer).strip()
    if (letter := _last(_STATEMENTS, text)) is not None:
        return letter
    if (final := _FINAL_LINE.search(text)) is not None:  # the answer ends on a line holding only a letter
        return _found(final)[1]
    marked = {_found(m)[1] for pattern in _MARKED for m in pattern.finditer(text)}
    named = {_found(m)[1] for m in _MENTION.finditer(text)}
    leading = _LEADING.match(text)
    if leading is not None and not _weak_leading(text, leading):
        letter = _found(leading)[1]
        # an answer that opens by naming an option ("**Option A:** wrong ...") may go on to others
        review = re.search(r"(?i)option|choice", leading.group(0)) is not None
        return letter if (marked | named if review else marked) <= {letter} else None
    others = marked | named
    return others.pop() if len(others) == 1 else None


def _weak_leading(text: str, leading: re.Match) -> bool:
    """A capital letter followed only by a space and a number or "=" ("A 2.0 T field", "D = 4.2 eV"):
    a choice only when the whole answer is that short line ("B 4.2 eV")."""
    if not leading.group("u"):
        return False
    follows = text[leading.end():].lstrip(" \t")[:1]
    return (follows.isdigit() or follows == "=") and ("\n" in text or len(text) > 40)


def _reference_letter(reference: str) -> str:
    return read_letter(reference) or reference.strip().upper()


# -- equivalence -----------------------------------------------------------------------------------
def _parse(answer: str) -> list:
    from math_verify import parse

    try:
        return parse(f"${answer}$")
    except Exception:  # math-verify raises on some malformed LaTeX: nothing parsed
        return []


def math_equivalent(prediction: str, reference: str) -> bool:
    """math-verify's verdict on two LaTeX answers (each parsed as inline math; bold and other
    wrappers around the prediction are peeled if the first try fails)."""
    from math_verify import verify

    gold = _parse(reference)
    for candidate in dict.fromkeys([prediction, _unwrap(prediction, brackets=False)]):
        try:
            if verify(gold, _parse(candidate)):
                return True
        except Exception:  # an unverifiable pair is not equivalent
            pass
    return False


def same_answer(a: str, b: str, benchmark: Benchmark) -> bool | None:
    """Whether two extracted answers are the same answer (majority voting's equivalence).

    Equal after :func:`normalize`: True. GPQA: the letters :func:`read_letter` reads (None if
    either has none). Otherwise integers compare as integers, and what is not two integers goes
    to math-verify (either direction suffices); None if math-verify parses neither side to an
    expression (it then keeps only the raw strings, which already differ).
    """
    _check_benchmark(benchmark)
    if normalize(a) == normalize(b):
        return True
    if benchmark == "gpqa":
        first, second = read_letter(a), read_letter(b)
        return None if first is None or second is None else first == second
    first_int, second_int = read_integer(a), read_integer(b)
    if first_int is not None and second_int is not None:
        return first_int == second_int
    from math_verify import verify

    parsed_a, parsed_b = _parse(a), _parse(b)
    if not any(not isinstance(x, str) for x in parsed_a + parsed_b):  # only math-verify's raw-string fallbacks
        return None
    try:
        return bool(verify(parsed_a, parsed_b) or verify(parsed_b, parsed_a))
    except Exception:
        return False


# -- the verdict ------------------------------------------------------------------------------------
def rule_verdict(response: str, reference: str, benchmark: Benchmark,
                 options: GradingOptions = DEFAULT_OPTIONS) -> RuleVerdict:
    """The rules' verdict on a whole model output, and where s1 would have asked its judge.

    ``ask``: ``"aime_integer"`` when no integer can be read from an AIME answer,
    ``"math_equivalence"`` for a MATH answer unless it and the reference are both integers (s1
    asks about every other answer, exact matches included), ``"gpqa_letter"`` when a GPQA answer
    has text but no readable letter; never for the tiny world, nor when nothing was extracted.
    """
    _check_benchmark(benchmark)
    answer = extract_answer(response, benchmark, options=options)
    if answer is None:
        return RuleVerdict(False, None, None)
    if benchmark == "gpqa":
        letter = read_letter(answer)
        if letter is None:
            return RuleVerdict(False, answer, "gpqa_letter")
        return RuleVerdict(letter == _reference_letter(reference), answer, None)
    gold_int, pred_int = read_integer(reference), read_integer(answer)
    if gold_int is not None and pred_int is not None:
        return RuleVerdict(gold_int == pred_int, answer, None)
    if benchmark == "tiny":
        return RuleVerdict(normalize(answer) == normalize(reference), answer, None)
    return RuleVerdict(math_equivalent(answer, reference), answer,
                       "aime_integer" if benchmark == "aime" else "math_equivalence")


def verdict_with_judge(rule: RuleVerdict, reference: str, benchmark: Benchmark, reply: str | None,
                       options: GradingOptions = DEFAULT_OPTIONS) -> bool:
    """The final verdict from the rules' and the judge's already-parsed ``reply`` (None: no reply).

    ``"aime_integer"``: ``reply`` is the integer the judge read from the answer, compared as an
    integer (None, or not an integer: the rules' verdict). ``"math_equivalence"``: ``"1"`` or
    ``"0"`` (anything else: the rules' verdict). ``"gpqa_letter"``: the letter the judge read (None:
    ``options.gpqa_unreadable``, if set, else wrong). With no ask, the rules' verdict, except that
    a GPQA output with no letter at all counts as ``options.gpqa_unreadable`` when that is set.
    """
    _check_benchmark(benchmark)
    if rule.ask == "aime_integer":
        judged = read_integer(reply) if reply is not None else None
        gold = read_integer(reference)
        return rule.correct if judged is None or gold is None else judged == gold
    if rule.ask == "math_equivalence":
        verdict = (reply or "").strip()
        return verdict == "1" if verdict in ("0", "1") else rule.correct
    if benchmark == "gpqa" and (rule.ask == "gpqa_letter" or rule.answer is None or read_letter(rule.answer) is None):
        letter = (reply or "").strip().upper()
        if letter not in _LETTERS:
            letter = options.gpqa_unreadable
        return letter is not None and letter == _reference_letter(reference)
    return rule.correct


def grade(response: str, reference: str, benchmark: Benchmark, judge: Judge | None = None,
          question: str = "", *, options: GradingOptions = DEFAULT_OPTIONS) -> bool:
    """Whether a whole model output answers ``reference`` correctly (the three steps above).

    ``reference`` is the benchmark's answer: an integer for AIME and the tiny world, a LaTeX
    answer for MATH500, a letter for GPQA (after the choices are shuffled). ``judge`` is asked
    exactly what :func:`rule_verdict` says s1 asked (nothing when it is None). ``question`` (with
    its options) is shown to the judge for GPQA, so that an answer written as the option's text
    can be mapped to its letter, as s1's judge could.
    """
    rule = rule_verdict(response, reference, benchmark, options)
    reply = judge.reply(rule.ask, rule.answer or "", reference, question) if judge is not None and rule.ask else None
    return verdict_with_judge(rule, reference, benchmark, reply, options)


def _check_benchmark(benchmark: str) -> None:
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}; choose one of {BENCHMARKS}")


@dataclass(frozen=True)
class Judge:
    """An LLM judge behind an OpenAI-compatible endpoint (off by default): what s1 asked gpt-4o-mini.

    :func:`grade` asks it only where :func:`rule_verdict` says s1 did, through :meth:`reply`.
    Replies other than the expected form count as no reply (the rules' verdict stands).
    """

    client: ChatClient

    def reply(self, ask: AskKind, answer: str, reference: str, question: str = "") -> str | None:
        """The judge's reply to one ask, parsed into :func:`verdict_with_judge`'s form."""
        if ask == "math_equivalence":
            text = self.client.ask(self._equivalence_prompt(answer, reference), max_tokens=4).strip()
            return text if text in ("0", "1") else None
        if ask == "aime_integer":
            prompt = (
                "A student's final answer to a problem whose answer is an integer from 0 to 999 follows. Reply with "
                "the integer the student gives as the final answer, or -1 if the answer states none. Reply with the "
                f"integer only.\n\nStudent: {answer}"
            )
            value = read_integer(self.client.ask(prompt, max_tokens=8))
            return str(value) if value is not None and value >= 0 else None
        if ask == "gpqa_letter":
            return read_letter(self.client.ask(self._choice_prompt(answer, question), max_tokens=4))
        raise ValueError(f"unknown ask {ask!r}")

    def equivalent(self, answer: str, reference: str) -> bool:
        return self.client.ask(self._equivalence_prompt(answer, reference), max_tokens=4) == "1"

    def same_choice(self, answer: str, reference_letter: str, question: str = "") -> bool:
        return self.client.ask(self._choice_prompt(answer, question), max_tokens=4).strip().upper() == \
            reference_letter.strip().upper()

    @staticmethod
    def _equivalence_prompt(answer: str, reference: str) -> str:
        return (
            "A student's final answer and the reference answer to a math problem follow. Reply with 1 if they "
            "are mathematically the same answer (ignore formatting, units, trivial simplification and the order "
            "of a set of solutions), else with 0. Reply with the digit only.\n\n"
            f"Reference: {reference}\nStudent: {answer}"
        )

    @staticmethod
    def _choice_prompt(answer: str, question: str) -> str:
        return (
            "A student answered a multiple-choice question with options A, B, C and D. Reply with the letter the "
            "student picked, or -1 if the answer names none. Reply with the letter only.\n\n"
            + (f"Question:\n{question}\n\n" if question else "") + f"Student: {answer}"
        )
