"""Small parquet copies of the s1 datasets in their real schemas, with the values that break naive code:
boxed and prose solutions, a missing solution, a GPQA row, an AIME figure, list-valued traces."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

POOL = {
    "solution": [
        "The roots are $x = \\pm 2$, and the positive one is $\\boxed{2}$.",
        "Let the sides be $a, b$. Then ... so the area is $\\boxed{\\frac{3\\sqrt{3}}{4}}$.",
        "204",
        None,
        "The correct option is the one with the highest bond order.",
    ],
    "question": [
        "Solve $x^2 = 4$ for the positive root.",
        "An equilateral triangle has side $\\sqrt{3}$. Find its area.",
        "Find the number of ordered pairs ... (AIME 2024 I, Problem 7)",
        "Prove that there are infinitely many primes.",
        "Which molecule has the strongest bond?\n\nA) N2\nB) O2\nC) F2\nD) Cl2",
    ],
    "cot_type": ["math", "math", "math", "math", "science"],
    "source_type": ["AI-MO/NuminaMath-CoT/aops_forum", "qfq/openaimath/Geometry", "qq8933/AIME_1983_2024",
                    "AI-MO/NuminaMath-CoT/olympiads", "Idavidrein/gpqa"],
    "metadata": ["{}", "{'level': 5}", "{'year': 2024}", "{}", "{}"],
    "cot": [None, None, None, None, None],
    "thinking_trajectories": [["x^2=4 so x=2 or x=-2. Positive: 2."], ["Area = sqrt(3)/4 * a^2 ... "],
                              ["Let me count the pairs... Wait, I double counted. 204."], [""],
                              ["Bond order of N2 is 3, highest."]],
    "attempt": ["The positive root is $\\boxed{2}$.", "Answer: $\\frac{3\\sqrt{3}}{4}$", "**Answer:** 204",
                "", "Answer: A"],
}

S1K_11 = {
    "solution": POOL["solution"][:3], "question": POOL["question"][:3], "cot_type": POOL["cot_type"][:3],
    "source_type": POOL["source_type"][:3], "metadata": POOL["metadata"][:3],
    "gemini_thinking_trajectory": ["x=2 or -2", "area...", "count..."],
    "gemini_attempt": ["\\boxed{2}", "$\\frac{3\\sqrt3}{4}$", "204"],
    "deepseek_thinking_trajectory": ["Okay, so x^2=4. Hmm, wait, positive root: 2.", "Alright, the area.",
                                     "Let me see. Wait, maybe recount."],
    "deepseek_attempt": ["The positive root is \\(\\boxed{2}\\).", "\\boxed{\\dfrac{3\\sqrt{3}}{4}}", "\\boxed{204}"],
    "gemini_grade": ["Yes", "Yes", "Yes"], "gemini_grade_reason": ["", "", ""],
    "deepseek_grade": ["Yes", "Yes", "Yes"], "deepseek_grade_reason": ["", "", ""],
}

AIME24 = {"id": [60, 61], "problem": ["Find the remainder when ... is divided by 1000.", "Find $m+n$."],
          "solution": ["... so the answer is $\\boxed{023}$.", "... $m+n = \\boxed{204}$"],
          "answer": ["023", "204"], "url": ["https://artofproblemsolving.com/a", "https://artofproblemsolving.com/b"]}

MATH500 = {"problem": ["Convert $(0,3)$ to polar coordinates.", "What is $\\frac{1}{2} + \\frac{1}{4}$?"],
           "solution": ["... $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$", "$\\boxed{\\frac34}$"],
           "answer": ["\\left( 3, \\frac{\\pi}{2} \\right)", "\\frac34"], "subject": ["Precalculus", "Prealgebra"],
           "level": [2, 1], "unique_id": ["test/precalculus/807.json", "test/prealgebra/1.json"]}

GPQA = {"Question": ["Which particle mediates the electromagnetic force?", "What is the pH of pure water at 25 C?"],
        "Correct Answer": ["photon", "7"], "Incorrect Answer 1": ["gluon", "0"], "Incorrect Answer 2": ["W boson", "14"],
        "Incorrect Answer 3": ["graviton", "1"], "Explanation": ["QED: the photon.", "Kw = 1e-14, so pH 7."],
        "Subdomain": ["Physics (general)", "Chemistry (general)"], "High-level domain": ["Physics", "Chemistry"],
        "Record ID": ["rec1", "rec2"]}


def write(directory: Path, table: dict, drop: str | None = None) -> str:
    """One dataset dir with a train parquet file; ``drop`` removes a column (schema-change tests)."""
    directory.mkdir(parents=True)
    data = {k: v for k, v in table.items() if k != drop}
    pq.write_table(pa.table(data), directory / "train-00000-of-00001.parquet")
    return str(directory)


def write_split(directory: Path, table: dict, split: str) -> str:
    directory.mkdir(parents=True)
    pq.write_table(pa.table(table), directory / f"{split}-00000-of-00001.parquet")
    return str(directory)
