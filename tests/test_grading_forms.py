"""The answer forms real models write, s1's two grading options, where s1 asked its judge, and
majority voting's answer equivalence (s1kit.grading)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

from s1kit.grading import (
    GradingOptions,
    Judge,
    RuleVerdict,
    extract_answer,
    grade,
    read_integer,
    read_letter,
    rule_verdict,
    same_answer,
    verdict_with_judge,
)

LONG_THINKING = "<|im_start|>think\n" + "Let me consider each option. Option A gives 1.2 eV, too low.\n" * 40
S1 = LONG_THINKING + "<|im_start|>answer\n"  # a reasoning model's whole output, up to its answer section
FIRST = GradingOptions(answer_after="first")
S1_GPQA = GradingOptions(gpqa_unreadable="A")


# -- GPQA letters ------------------------------------------------------------------------------------
@pytest.mark.parametrize("response, letter", [
    # bold (chat models such as Qwen2.5-32B-Instruct)
    ("The energy is 4.2 eV.\n\n**B**", "B"),
    ("**Answer: B**", "B"),
    ("Answer: **B**", "B"),
    ("**Answer:** B", "B"),
    ("**Final Answer**: C", "C"),
    ("Comparing the energies, we find:\n\n**B. 4.2 eV**", "B"),
    ("Comparing the energies:\n\n**(B)**", "B"),
    # prose
    ("Let's analyze each option.\n\nTherefore, the correct answer is: **B) 4.2 eV**", "B"),
    ("The correct answer is **(B) 4.2 eV**", "B"),
    ("The photon carries 4.2 eV. The correct option is B.", "B"),
    ("Considering the selection rules, I would go with option D.", "D"),
    ("Thus the answer is (C).", "C"),
    ("Option C is correct, since the spin is conserved.", "C"),
    ("(D) is the correct answer.", "D"),
    ("Answer: C\n\nThis is because option A violates parity.", "C"),
    ("Answer: D) 4 m/s", "D"),
    ("Answer: Option D", "D"),
    # boxed
    ("The final answer is $\\boxed{B}$.", "B"),
    ("The final answer is $\\boxed{\\text{B}}$.", "B"),
    ("$\\boxed{(B)}$", "B"),
    (S1 + "Answer: \\textbf{(C)}", "C"),
    # after Answer:, and lowercase (s1 upper-cases a bare a-d)
    (S1 + "Answer: A", "A"),
    (S1 + "Answer: c", "C"),
    (S1 + "Answer: (c)", "C"),
    # a letter alone on its line, under a heading
    ("### Final Answer\n\nB", "B"),
])
def test_gpqa_letter_forms(response, letter):
    rule = rule_verdict(response, letter, "gpqa")
    assert rule == RuleVerdict(True, extract_answer(response, "gpqa"), None)
    other = "A" if letter != "A" else "B"
    assert not grade(response, other, "gpqa")  # the letter read, not just any letter


@pytest.mark.parametrize("response", [
    "A reasonable guess is that the gap is small.",  # the article is no choice
    "Answer: A reasonable approach would be to compare the energies.",
    "Answer: Based on the energies, 4.2 eV",
    "the answer is a bit unclear",
    "Option A fails parity. Option C fails spin.",  # options discussed, none chosen
])
def test_no_letter_is_read_where_none_is_stated(response):
    assert read_letter(extract_answer(response, "gpqa")) is None
    assert rule_verdict(response, "A", "gpqa") == RuleVerdict(False, extract_answer(response, "gpqa"), "gpqa_letter")


@pytest.mark.parametrize("response, letter", [
    ("A reasonable guess is that the answer is D.", "D"),
    ("If the answer were A, parity would break; so the answer is B.", "B"),
    # a statement wins over bold letters in the explanation after it
    ("The correct answer is **B**.\n\n**Explanation:**\n- **A)** too low\n- **C)** too high\n- **D)** wrong", "B"),
    # with no statement, the last letter set apart
    ("Consider **A**: no, the field is too weak.\n\n**C**", "C"),
])
def test_the_last_stated_letter_counts(response, letter):
    assert read_letter(response) == letter


# -- AIME integers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [
    "Answer: \\textbf{23}",
    "Answer: \\mathbf{23}",
    "Answer: **23**",
    "Answer: (23)",
    "Answer: \\(23\\)",
    "Answer: 23.",
    "Answer: 023",
    "Answer: $23$",
    "Answer: The answer is 23.",
    "### Final Answer\nThe final answer is $\\boxed{023}$",  # a chat model's closing
])
def test_aime_integer_forms(answer):
    for response in (answer, S1 + answer):
        assert rule_verdict(response, "23", "aime") == RuleVerdict(True, extract_answer(response, "aime"), None)
        assert not grade(response, "24", "aime")


def test_aime_non_integers_are_not_read_as_integers():
    for answer in ("x = 23", "2*3", "23 because 5 + 18 = 23", "twenty-three"):
        assert read_integer(answer) is None, answer
    assert read_integer("1\\,024") == 1024 and read_integer("-7") == -7


# -- the two options ---------------------------------------------------------------------------------
def test_answer_after_last_or_first():
    response = "<|im_start|>answer\nAnswer: 12\nCheck: the answer: 13"
    assert extract_answer(response, "aime") == "13"
    assert extract_answer(response, "aime", options=FIRST) == "12\nCheck: the answer: 13"  # s1's DOTALL findall
    assert grade(response, "13", "aime") and not grade(response, "12", "aime")
    assert grade(response, "12", "aime", options=FIRST) and not grade(response, "13", "aime", options=FIRST)
    gpqa = "Answer: B\nOn reflection, Answer: D"
    assert extract_answer(gpqa, "gpqa") == "D" and extract_answer(gpqa, "gpqa", options=FIRST).startswith("B\n")
    assert grade(gpqa, "D", "gpqa") and grade(gpqa, "D", "gpqa", options=FIRST)  # a later explicit statement wins
    # a box overrides both
    boxed = "Answer: 12\nAnswer: 13\n\\boxed{14}"
    assert extract_answer(boxed, "aime") == extract_answer(boxed, "aime", options=FIRST) == "14"


def test_gpqa_unreadable_counts_as_a_only_when_set():
    unreadable = S1 + "Answer: the lower of the two energies"
    assert not grade(unreadable, "A", "gpqa")
    assert grade(unreadable, "A", "gpqa", options=S1_GPQA) and not grade(unreadable, "B", "gpqa", options=S1_GPQA)
    empty = S1  # nothing at all after the answer delimiter
    assert rule_verdict(empty, "A", "gpqa") == RuleVerdict(False, None, None)
    assert not grade(empty, "A", "gpqa") and grade(empty, "A", "gpqa", options=S1_GPQA)
    readable = S1 + "Answer: C"  # a readable letter never falls back
    assert not grade(readable, "A", "gpqa", options=S1_GPQA)


def test_options_are_frozen_and_checked():
    with pytest.raises(FrozenInstanceError):
        GradingOptions().answer_after = "first"
    with pytest.raises(ValueError, match="answer_after"):
        GradingOptions(answer_after="middle")
    with pytest.raises(ValueError, match="gpqa_unreadable"):
        GradingOptions(gpqa_unreadable="AB")


# -- where s1 asked its judge ------------------------------------------------------------------------
@pytest.mark.parametrize("response, reference, benchmark, expected", [
    # aime: an integer settles it; anything else was sent to the judge
    ("Answer: 023", "23", "aime", RuleVerdict(True, "023", None)),
    ("Answer: x = 23", "23", "aime", RuleVerdict(True, "x = 23", "aime_integer")),  # math-verify's verdict
    ("Answer: twenty-three", "23", "aime", RuleVerdict(False, "twenty-three", "aime_integer")),
    ("<|im_start|>answer\n", "23", "aime", RuleVerdict(False, None, None)),  # nothing extracted
    # math: only two integers are settled without the judge, even an exact match is asked
    ("\\boxed{5}", "5", "math", RuleVerdict(True, "5", None)),
    ("\\boxed{\\frac{3}{4}}", "\\frac{3}{4}", "math", RuleVerdict(True, "\\frac{3}{4}", "math_equivalence")),
    ("\\boxed{0.7}", "\\frac{3}{4}", "math", RuleVerdict(False, "0.7", "math_equivalence")),
    ("\\boxed{5}", "\\frac{10}{2}", "math", RuleVerdict(True, "5", "math_equivalence")),
    ("<|im_start|>answer\n", "5", "math", RuleVerdict(False, None, None)),
    # gpqa: asked when there is text but no letter
    ("Answer: **B**", "B", "gpqa", RuleVerdict(True, "**B**", None)),
    ("Answer: nitrogen", "B", "gpqa", RuleVerdict(False, "nitrogen", "gpqa_letter")),
    ("<|im_start|>answer\n", "B", "gpqa", RuleVerdict(False, None, None)),
    # tiny: never
    ("Final Answer: 42", "42", "tiny", RuleVerdict(True, "42", None)),
    ("Final Answer: forty-two", "42", "tiny", RuleVerdict(False, "forty-two", None)),
])
def test_rule_verdict_asks_where_s1_asked(response, reference, benchmark, expected):
    assert rule_verdict(response, reference, benchmark) == expected


def test_verdict_with_judge_per_ask():
    aime = rule_verdict("Answer: twenty-three", "23", "aime")
    assert verdict_with_judge(aime, "23", "aime", "23") and verdict_with_judge(aime, "023", "aime", "023")
    assert not verdict_with_judge(aime, "23", "aime", "24")
    assert not verdict_with_judge(aime, "23", "aime", None)  # the judge could not: the rules' verdict
    assert verdict_with_judge(rule_verdict("Answer: x = 23", "23", "aime"), "23", "aime", None)

    math = rule_verdict("\\boxed{\\frac{3}{4}}", "\\frac{3}{4}", "math")
    assert not verdict_with_judge(math, "\\frac{3}{4}", "math", "0")  # the judge's word is final
    assert verdict_with_judge(math, "\\frac{3}{4}", "math", None)  # no usable reply: math-verify's
    assert verdict_with_judge(math, "\\frac{3}{4}", "math", "maybe")
    wrong = rule_verdict("\\boxed{0.7}", "\\frac{3}{4}", "math")
    assert verdict_with_judge(wrong, "\\frac{3}{4}", "math", "1")

    gpqa = rule_verdict("Answer: nitrogen", "B", "gpqa")
    assert verdict_with_judge(gpqa, "B", "gpqa", "B") and verdict_with_judge(gpqa, "B", "gpqa", "b")
    assert not verdict_with_judge(gpqa, "B", "gpqa", "C") and not verdict_with_judge(gpqa, "B", "gpqa", None)
    assert verdict_with_judge(gpqa, "A", "gpqa", None, S1_GPQA)  # nobody could read it: s1's "A"
    assert not verdict_with_judge(gpqa, "A", "gpqa", "C", S1_GPQA)  # the judge read one

    settled = rule_verdict("Answer: 7", "7", "tiny")
    assert verdict_with_judge(settled, "7", "tiny", "0")  # no ask: the reply is ignored


CORPUS = [
    ("Answer: 023", "23", "aime"), ("Answer: x = 23", "23", "aime"), ("Answer: nope", "23", "aime"),
    ("\\boxed{\\frac{3}{4}}", "0.75", "math"), ("\\boxed{0.7}", "\\frac34", "math"), ("<|im_start|>answer\n", "5", "math"),
    ("Answer: **B**", "B", "gpqa"), ("Answer: nitrogen", "A", "gpqa"), ("<|im_start|>answer\n", "A", "gpqa"),
    ("Final Answer: 42", "42", "tiny"),
]


@pytest.mark.parametrize("options", [GradingOptions(), FIRST, S1_GPQA])
def test_grade_is_rule_verdict_then_verdict_with_no_reply(options):
    for response, reference, benchmark in CORPUS:
        rule = rule_verdict(response, reference, benchmark, options)
        assert grade(response, reference, benchmark, options=options) == \
            verdict_with_judge(rule, reference, benchmark, None, options), response


class _ScriptedClient:
    """A judge endpoint that replies by the kind of prompt, and records each prompt."""

    def __init__(self, integer: str, digit: str, letter: str):
        self.replies = {"integer": integer, "digit": digit, "letter": letter}
        self.prompts: list[str] = []

    def ask(self, prompt: str, max_tokens: int = 16) -> str:
        self.prompts.append(prompt)
        kind = "letter" if "multiple-choice" in prompt else "integer" if "integer from 0 to 999" in prompt else "digit"
        return self.replies[kind]


def test_a_judge_is_asked_only_where_s1_asked():
    client = _ScriptedClient(integer="23", digit="0", letter="-1")
    judge = Judge(client)
    assert grade("Answer: twenty-three", "23", "aime", judge=judge)
    assert not grade("Answer: twenty-four", "24", "aime", judge=Judge(_ScriptedClient("23", "0", "-1")))
    assert not grade("\\boxed{\\frac{3}{4}}", "\\frac{3}{4}", "math", judge=judge)  # asked, and it said 0
    assert not grade("Answer: nitrogen", "A", "gpqa", judge=judge)  # it read no letter
    assert grade("Answer: nitrogen", "A", "gpqa", judge=judge, options=S1_GPQA)  # then s1's "A"
    asked = len(client.prompts)
    for response, reference, benchmark in [("Answer: 023", "23", "aime"), ("\\boxed{5}", "5", "math"),
                                           ("Answer: **B**", "B", "gpqa"), ("Final Answer: 4", "4", "tiny")]:
        assert grade(response, reference, benchmark, judge=judge)
    assert len(client.prompts) == asked  # the rules settled all four
    lettered = Judge(_ScriptedClient(integer="-1", digit="1", letter="B"))
    assert grade("Answer: nitrogen", "B", "gpqa", judge=lettered, question="Which gas?\nA) O2\nB) N2")
    assert "Which gas?" in lettered.client.prompts[-1]


# -- majority voting's equivalence --------------------------------------------------------------------
@pytest.mark.parametrize("a, b, benchmark, same", [
    ("023", "23", "aime", True),  # integers as integers
    ("**23**", "\\textbf{23}", "aime", True),
    ("23", "24", "aime", False),
    ("7", "7.", "tiny", True),
    ("\\frac{1}{2}", "0.5", "math", True),  # math-verify
    ("\\dfrac{3}{4}", "\\frac34", "math", True),
    ("x = 5", "5", "math", True),
    ("\\sqrt{2}", "\\frac{1}{2}", "math", False),
    ("(B)", "**B**", "gpqa", True),  # letters as letters
    ("B) 4.2 eV", "The correct answer is B.", "gpqa", True),
    ("B", "C", "gpqa", False),
    ("nitrogen", "nitrogen", "gpqa", True),  # equal strings are always the same
    ("nitrogen", "B", "gpqa", None),  # no letter: undecided
    ("\\frac{", "\\sqrt{", "math", None),  # math-verify parses neither
])
def test_same_answer(a, b, benchmark, same):
    assert same_answer(a, b, benchmark) is same
    assert same_answer(b, a, benchmark) is same


def test_long_runs_of_markup_are_read_in_linear_time():
    """Runs of "*", "$" or spaces once made the letter patterns backtrack exponentially (53 s for 40 "*")."""
    import time

    start = time.perf_counter()
    for text in ("*" * 60 + "x", "$" * 5000 + "x", "answer" + " " * 5000 + "x", "so" + " " * 3000 + "," + " " * 3000 + "x",
                 "**B." + " " * 5000 + "x" * 400, "Let me weigh **A**, option B and (C). " * 3000):
        read_letter(text)
        read_integer(text)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("answer", [
    # an option-by-option review ending in prose: no letter is stated, so s1 asked its judge
    "- **A) 1.2 eV**: too low.\n- **B) 4.2 eV**: matches.\n- **D) 9.1 eV**: far too high.\nThe energy is 4.2 eV.",
    "**Option A:** wrong. **Option C:** correct. Therefore, C.",
    "D = 4.2 eV from the band gap, which the second option gives.",
    "A 2.0 T field is needed, which is the third choice listed.",
])
def test_answers_that_review_several_options_go_to_the_judge_not_to_their_first_letter(answer):
    assert read_letter(answer) is None
    assert rule_verdict(f"<|im_start|>answer\n{answer}", "B", "gpqa").ask == "gpqa_letter"


@pytest.mark.parametrize("answer, letter", [
    ("A) is incorrect because the field is too weak. Therefore the answer is C.", "C"),  # the statement wins
    ("D = 4.2 eV for the gap, so the answer is (B).", "B"),
    ("Consider **A**: no.\n\n**C**", "C"),  # the answer ends on a line holding only its letter
])
def test_a_stated_or_final_letter_beats_the_letters_reviewed_before_it(answer, letter):
    assert read_letter(answer) == letter


def test_a_bracketed_pair_is_no_thousands_number():
    assert read_integer("(1,100)") is None and read_integer("[2,500]") is None
    assert read_integer("1,100") == 1100 and read_integer("(23)") == 23
    assert not grade("<|im_start|>answer\n\\boxed{1100}", "(1,100)", "math")
