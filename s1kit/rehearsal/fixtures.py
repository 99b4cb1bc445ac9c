"""The local Hub's datasets: a few dozen rows per set, in the real schemas, with the values that break naive code.

Every dataset a paper recipe names, under its Hub id (:data:`DATASETS`): s1K (Gemini traces in
``thinking_trajectories``, a list of one string), s1K-1.1 (Gemini and DeepSeek columns),
s1K_tokenized (s1K's rows with the ``text`` s1's ``data/tokenization.py`` renders from them with
Qwen2.5's chat template: what s1 trains on), AIME24 without figures (three-digit answers such as
"023"), MATH-500 (LaTeX answers: fractions, tuples, intervals; boxed solutions) and GPQA Diamond
(a config of ``Idavidrein/gpqa``, four option columns, the correct one among them). Solutions
are boxed or prose; traces run to several paragraphs with "Wait" in them, as Gemini's and
DeepSeek's do. The rows are generated from a fixed seed with their answers computed, so a
stand-in that learns them is graded right only when each column lands where the loaders expect it.
"""

from __future__ import annotations

import random
from fractions import Fraction

from jinja2.sandbox import ImmutableSandboxedEnvironment

from s1kit.rehearsal.standins import QWEN25_TEMPLATE

SEED = 20250131  # the s1 paper's arXiv date: any fixed number would do

ELEMENTS = [("hydrogen", 1), ("helium", 2), ("lithium", 3), ("carbon", 6), ("nitrogen", 7), ("oxygen", 8),
            ("neon", 10), ("sodium", 11), ("magnesium", 12), ("aluminium", 13), ("silicon", 14), ("sulfur", 16),
            ("chlorine", 17), ("argon", 18), ("potassium", 19), ("calcium", 20)]
SUBJECTS = ["Prealgebra", "Algebra", "Number Theory", "Precalculus", "Counting & Probability"]


def _paragraphs(question: str, steps: list[str], answer: str, deepseek: bool) -> str:
    """A multi-paragraph trace in a teacher's voice, with a "Wait" that re-checks a step."""
    opening = ("Okay, so I need to figure this out. Let me read the problem again.\n\n" if deepseek else
               "Let's analyze the problem statement.\n\n")
    body = "\n\n".join(steps)
    check = (f"\n\nWait, let me double-check that. Going over it once more: {steps[-1]} "
             f"So yes, that holds.\n\nHmm, so the answer should be {answer}.")
    return f"{opening}The question: {question.splitlines()[0]}\n\n{body}{check}"


def _aime_rows(rng: random.Random, n: int) -> dict:
    rows = {"id": [], "problem": [], "solution": [], "answer": [], "url": []}
    for i in range(n):
        a, b = rng.randint(3, 19), rng.randint(5, 40)
        value = pow(a, b, 1000)
        rows["id"].append(60 + i)
        rows["problem"].append(f"Find the remainder when ${a}^{{{b}}}$ is divided by $1000$.")
        rows["solution"].append(f"Reduce modulo $8$ and modulo $125$ and combine with the Chinese remainder theorem: "
                                f"${a}^{{{b}}} \\equiv {value} \\pmod{{1000}}$, so the answer is $\\boxed{{{value:03d}}}$.")
        rows["answer"].append(f"{value:03d}")
        rows["url"].append(f"https://artofproblemsolving.com/wiki/index.php/2024_AIME_I_Problems/Problem_{i + 1}")
    return rows


def _math_item(rng: random.Random, i: int) -> tuple[str, str, str, str]:
    """(problem, answer, solution, subject) of one MATH-500-like problem; four kinds of LaTeX answer."""
    kind = i % 4
    if kind == 0:
        a, b, c, d = rng.randint(1, 9), rng.randint(2, 9), rng.randint(1, 9), rng.randint(2, 9)
        value = Fraction(a, b) + Fraction(c, d)
        answer = f"\\frac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator > 1 else str(value.numerator)
        return (f"What is $\\frac{{{a}}}{{{b}}} + \\frac{{{c}}}{{{d}}}$? Express your answer as a common fraction.",
                answer, f"A common denominator gives ${answer}$, so the sum is $\\boxed{{{answer}}}$.", "Prealgebra")
    if kind == 1:
        x = rng.randint(1, 12)
        return (f"Convert the point $(0,{x})$ in rectangular coordinates to polar coordinates. Enter your answer "
                "in the form $(r,\\theta),$ where $r > 0$ and $0 \\le \\theta < 2 \\pi.$",
                f"\\left( {x}, \\frac{{\\pi}}{{2}} \\right)",
                f"We have $r = \\sqrt{{0^2 + {x}^2}} = {x}$ and the point lies on the positive $y$-axis, so "
                f"$\\theta = \\frac{{\\pi}}{{2}}$: $\\boxed{{\\left( {x}, \\frac{{\\pi}}{{2}} \\right)}}$.", "Precalculus")
    if kind == 2:
        n = rng.randint(20, 400)
        divisors = sum(1 for k in range(1, n + 1) if n % k == 0)
        return (f"How many positive divisors does ${n}$ have?", str(divisors),
                f"Factor ${n}$ and multiply one more than each exponent: ${n}$ has {divisors} positive divisors.",
                "Number Theory")  # a prose solution: no box
    lo, hi = sorted(rng.sample(range(-9, 10), 2))
    return (f"Solve the inequality $(x - {lo})(x - {hi}) < 0$. Give your answer in interval notation.".replace("- -", "+ "),
            f"({lo},{hi})", f"The product is negative strictly between the roots: $\\boxed{{({lo},{hi})}}$.", "Algebra")


def _math500_rows(rng: random.Random, n: int) -> dict:
    rows = {"problem": [], "solution": [], "answer": [], "subject": [], "level": [], "unique_id": []}
    for i in range(n):
        problem, answer, solution, subject = _math_item(rng, i)
        rows["problem"].append(problem)
        rows["solution"].append(solution)
        rows["answer"].append(answer)
        rows["subject"].append(subject)
        rows["level"].append(1 + i % 5)
        rows["unique_id"].append(f"test/{subject.lower().replace(' ', '_')}/{100 + i}.json")
    return rows


def _gpqa_rows(rng: random.Random, n: int) -> dict:
    rows = {"Question": [], "Correct Answer": [], "Incorrect Answer 1": [], "Incorrect Answer 2": [],
            "Incorrect Answer 3": [], "Explanation": [], "Subdomain": [], "High-level domain": [], "Record ID": []}
    for i in range(n):
        name, number = ELEMENTS[i % len(ELEMENTS)]
        wrong = rng.sample([e for e in ELEMENTS if e[0] != name], 3)
        rows["Question"].append(f"A neutral atom has {number} protons in its nucleus. Which element is it?")
        rows["Correct Answer"].append(name)
        for k, (other, _) in enumerate(wrong, 1):
            rows[f"Incorrect Answer {k}"].append(other)
        rows["Explanation"].append(f"The atomic number is the proton count; {number} is {name}.")
        rows["Subdomain"].append("Chemistry (general)")
        rows["High-level domain"].append("Chemistry")
        rows["Record ID"].append(f"rec{rng.randrange(10**8):08d}")
    return rows


def _s1k_items(rng: random.Random, n: int) -> list[dict]:
    """s1K-like questions of the three cot types, each with a solution and a trace of several paragraphs."""
    items = []
    for i in range(n):
        if i % 3 == 2:  # a science question with options, as s1K's GPQA-sourced rows after fix_gpqa
            name, number = ELEMENTS[(i * 5) % len(ELEMENTS)]
            question = (f"Which element has atomic number {number}?\n\nAnswer Choices:\n(A) {name}\n(B) argon\n"
                        "(C) helium\n(D) calcium")
            answer, cot_type, source = "A", "science", "Idavidrein/gpqa"
            steps = [f"The atomic number counts protons. An atom with {number} protons is {name}.",
                     "Comparing with the options, only option (A) names it."]
            solution = f"The element with atomic number {number} is {name}. Answer: A"
        else:
            a, b, m = rng.randint(2, 30), rng.randint(2, 30), rng.choice([7, 9, 11, 13])
            value = (a * b) % m
            question = f"Compute the remainder when ${a} \\times {b}$ is divided by ${m}$."
            answer, cot_type, source = str(value), "math", rng.choice(["qfq/openaimath/Number Theory",
                                                                          "AI-MO/NuminaMath-CoT/olympiads"])
            steps = [f"First, ${a} \\times {b} = {a * b}$.",
                     f"Then ${a * b} = {m} \\cdot {a * b // m} + {value}$, since ${m} \\cdot {a * b // m} = "
                     f"{m * (a * b // m)}$.",
                     f"The remainder is therefore ${value}$, which is less than ${m}$ as it must be."]
            solution = (f"We have ${a}\\times{b} = {a * b} \\equiv {value} \\pmod{{{m}}}$, so the remainder is "
                        f"$\\boxed{{{value}}}$." if i % 2 else f"Multiplying gives {a * b}, which leaves {value}.")
        items.append({"question": question, "answer": answer, "solution": solution, "cot_type": cot_type,
                      "source_type": source, "steps": steps})
    return items


def _s1k_rows(items: list[dict]) -> dict:
    return {
        "solution": [it["solution"] for it in items],
        "question": [it["question"] for it in items],
        "cot_type": [it["cot_type"] for it in items],
        "source_type": [it["source_type"] for it in items],
        "metadata": [str({"index": k}) for k in range(len(items))],
        "cot": [None] * len(items),
        "thinking_trajectories": [[_paragraphs(it["question"], it["steps"], it["answer"], False)] for it in items],
        "attempt": [f"The answer follows from the steps above.\n\nAnswer: {it['answer']}" if k % 2 else
                    f"Final result: $\\boxed{{{it['answer']}}}$" for k, it in enumerate(items)],
    }


def _s1k_11_rows(items: list[dict]) -> dict:
    rows = {k: v for k, v in _s1k_rows(items).items() if k not in ("thinking_trajectories", "attempt", "cot")}
    rows["gemini_thinking_trajectory"] = [_paragraphs(it["question"], it["steps"], it["answer"], False) for it in items]
    rows["gemini_attempt"] = [f"Answer: {it['answer']}" for it in items]
    rows["deepseek_thinking_trajectory"] = [_paragraphs(it["question"], it["steps"], it["answer"], True) for it in items]
    rows["deepseek_attempt"] = [f"**Final Answer**\n\\[\n\\boxed{{{it['answer']}}}\n\\]" for it in items]
    for teacher in ("gemini", "deepseek"):
        rows[f"{teacher}_grade"] = ["Yes"] * len(items)
        rows[f"{teacher}_grade_reason"] = ["The attempt matches the solution."] * len(items)
    return rows


def s1_training_text(question: str, thinking_trajectories: list[str], attempt: str,
                     chat_template: str = QWEN25_TEMPLATE) -> str:
    """One row's ``text`` as s1's ``data/tokenization.py`` writes it (``process_cot_example``), rendered with
    ``chat_template`` as transformers' ``apply_chat_template(..., tokenize=False)`` renders it."""
    answer = "Answer: " + attempt if "Answer:" not in attempt else attempt
    content = ("<|im_start|>think\n" + "\n".join(thinking_trajectories).strip() + "\n<|im_start|>answer\n"
               + answer.strip())
    messages = [{"role": "user", "content": question}, {"role": "assistant", "content": content}]
    template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(chat_template)
    return template.render(messages=messages, add_generation_prompt=False)


def _s1k_tokenized_rows(items: list[dict]) -> dict:
    rows = _s1k_rows(items)
    rows["text"] = [s1_training_text(q, t, a) for q, t, a in
                    zip(rows["question"], rows["thinking_trajectories"], rows["attempt"], strict=True)]
    return rows


def datasets() -> dict[str, dict[str | None, dict[str, dict]]]:
    """Every dataset of the local Hub: ``{hub id: {config (None: default): {split: columns}}}``."""
    rng = random.Random(SEED)
    items = _s1k_items(rng, 16)
    return {
        "simplescaling/s1K": {None: {"train": _s1k_rows(items)}},
        "simplescaling/s1K-1.1": {None: {"train": _s1k_11_rows(items)}},
        "simplescaling/s1K_tokenized": {None: {"train": _s1k_tokenized_rows(items)}},
        "simplescaling/aime24_nofigures": {None: {"train": _aime_rows(rng, 10)}},
        "HuggingFaceH4/MATH-500": {None: {"test": _math500_rows(rng, 16)}},
        "Idavidrein/gpqa": {"gpqa_diamond": {"train": _gpqa_rows(rng, 12)}},
    }
