"""Domains for Algorithm 1: Mathematics Subject Classification labels from an LLM, cached on disk.

s1 labelled each of its 59K questions with one of about 50 MSC domains (Claude 3.5 Sonnet), so
that Algorithm 1 could sample across subjects, not across the 6 coarse ``cot_type`` values of
the released pool. :func:`classify_domains` does the same through any OpenAI-compatible
endpoint (an API, or a local ``vllm serve``): each answer is appended to a JSON-lines cache as it
arrives, so an interrupted run resumes where it stopped and a finished one costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger("s1kit")

# The top-level classes of MSC 2020 (two-digit codes). The paper's domains include sciences
# beyond mathematics (physics, biology, economics), which MSC covers from 70 to 94.
MSC_CLASSES: dict[str, str] = {
    "00": "General and overarching topics", "01": "History and biography",
    "03": "Mathematical logic and foundations", "05": "Combinatorics",
    "06": "Order, lattices, ordered algebraic structures", "08": "General algebraic systems",
    "11": "Number theory", "12": "Field theory and polynomials", "13": "Commutative algebra",
    "14": "Algebraic geometry", "15": "Linear and multilinear algebra; matrix theory",
    "16": "Associative rings and algebras", "17": "Nonassociative rings and algebras",
    "18": "Category theory; homological algebra", "19": "K-theory", "20": "Group theory and generalizations",
    "22": "Topological groups, Lie groups", "26": "Real functions", "28": "Measure and integration",
    "30": "Functions of a complex variable", "31": "Potential theory",
    "32": "Several complex variables and analytic spaces", "33": "Special functions",
    "34": "Ordinary differential equations", "35": "Partial differential equations",
    "37": "Dynamical systems and ergodic theory", "39": "Difference and functional equations",
    "40": "Sequences, series, summability", "41": "Approximations and expansions",
    "42": "Harmonic analysis on Euclidean spaces", "43": "Abstract harmonic analysis",
    "44": "Integral transforms, operational calculus", "45": "Integral equations", "46": "Functional analysis",
    "47": "Operator theory", "49": "Calculus of variations and optimal control; optimization",
    "51": "Geometry", "52": "Convex and discrete geometry", "53": "Differential geometry",
    "54": "General topology", "55": "Algebraic topology", "57": "Manifolds and cell complexes",
    "58": "Global analysis, analysis on manifolds", "60": "Probability theory and stochastic processes",
    "62": "Statistics", "65": "Numerical analysis", "68": "Computer science",
    "70": "Mechanics of particles and systems", "74": "Mechanics of deformable solids", "76": "Fluid mechanics",
    "78": "Optics, electromagnetic theory", "80": "Classical thermodynamics, heat transfer",
    "81": "Quantum theory", "82": "Statistical mechanics, structure of matter",
    "83": "Relativity and gravitational theory", "85": "Astronomy and astrophysics", "86": "Geophysics",
    "90": "Operations research, mathematical programming",
    "91": "Game theory, economics, finance, and other social and behavioral sciences",
    "92": "Biology and other natural sciences", "93": "Systems theory; control",
    "94": "Information and communication theory, circuits", "97": "Mathematics education",
}
UNKNOWN = "unknown"


def question_key(question: str) -> str:
    """A stable cache key for a question text."""
    return hashlib.sha256(question.strip().encode()).hexdigest()[:20]


def domain_prompt(question: str) -> str:
    classes = "\n".join(f"{code} {name}" for code, name in MSC_CLASSES.items())
    return ("Classify the question below into one top-level class of the Mathematics Subject Classification "
            "(MSC 2020). Reply with the two-digit code only.\n\nClasses:\n" + classes +
            "\n\nQuestion:\n" + question.strip()[:4000])


def parse_domain(reply: str) -> str:
    """The first known two-digit MSC code in a reply, else ``unknown``."""
    for code in re.findall(r"\b(\d{2})\b", reply):
        if code in MSC_CLASSES:
            return code
    return UNKNOWN


def classify_domains(questions: Sequence[str], ask: Callable[[str], str], cache_path: str | Path) -> list[str]:
    """An MSC code for each question, asking ``ask(prompt)`` only for questions not yet in the cache.

    ``ask`` is e.g. ``ChatClient(...).ask``. The cache (JSON lines of ``{"key", "domain"}``) is
    appended to after every answer, so Ctrl-C loses at most the question being asked.
    """
    cache_path = Path(cache_path)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    known: dict[str, str] = {}
    if cache_path.exists():
        for number, line in enumerate(cache_path.read_text().splitlines(), 1):
            try:
                row = json.loads(line)
                known[row["key"]] = row["domain"]
            except (json.JSONDecodeError, KeyError):
                log.warning("%s:%d: skipping a damaged cache line (it will be asked again)", cache_path, number)
    todo = {question_key(q): q for q in questions if question_key(q) not in known}
    if todo:
        log.info("domains: %d of %d questions to classify (%d cached)", len(todo), len(questions), len(known))
    with cache_path.open("a") as cache:
        for key, question in todo.items():
            known[key] = parse_domain(ask(domain_prompt(question)))
            cache.write(json.dumps({"key": key, "domain": known[key]}) + "\n")
            cache.flush()
    labels = [known[question_key(q)] for q in questions]
    unknown = Counter(labels)[UNKNOWN]
    if unknown:
        log.info("domains: %d questions got no known MSC code", unknown)
    return labels
