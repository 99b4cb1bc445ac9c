"""The tiny profile's instruct-style base corpus: the stand-in for Qwen2.5-32B-Instruct.

The paper starts from an instruct model that already knows the chat format and has latent
skill, but does not think in s1's format. The tiny base model gets the same properties from
a chat-formatted corpus of two kinds of examples (no thinking delimiters anywhere):

* *worked* problems, asked with "Show your work.": the running-sum lines, then the answer.
  This is the latent skill (an instruct model can reason step by step when asked to).
* *direct* problems, asked plainly: the answer alone, as an instruct model answering without
  thinking. Up to ``direct_max_terms`` terms the answer is exact; for a longer list it is what
  a glance gives (:func:`glance_answer`): the first terms added, about five for each of the
  rest. A transformer trained on exact direct answers learns to sum long lists in one step
  (measured: 40% of the test questions right with no working), which no instruct model does on
  the problems it finds hard.

Asked a plain question, the base model answers directly, in a few tokens (so its answers are
never cut off by the answer budget), and is mostly wrong on long lists;
that is the "base model" point of the scaling plot. SFT on s1K then has to teach the thinking
format, the pauses and what follows "Wait", not arithmetic from scratch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from s1kit.chat import ChatFormat
from s1kit.tiny.world import generate_problems, running_sum_lines
from s1kit.training import Example


@dataclass(frozen=True)
class InstructCorpusConfig:
    """The base model's corpus (its randomness comes from the profile's seed)."""

    size: int = 40000
    worked_fraction: float = 0.75
    direct_max_terms: int = 4
    min_terms: int = 2
    max_terms: int = 12
    adds_per_line: int = 2


SHOW_WORK = " Show your work."
# A plain question is answered on one line, "Answer: 41"; worked lines end with "Final Answer: 41".
# Two prefixes keep two skills apart: after "Final Answer:" the model always copies the total its
# lines reached, which is how s1's answer section works. (Measured with one prefix for both: the
# fine-tuned model's answer missed its own last total by one or two in 46% of the test questions.)
GLANCE_PREFIX = "Answer:"
GLANCE_TERM = 5  # what a glance counts each term past the first direct_max_terms as


def glance_answer(terms: tuple[int, ...] | list[int], direct_max_terms: int) -> int:
    """The answer at a glance: exact up to ``direct_max_terms`` terms; past them, five for each further term."""
    return sum(terms[:direct_max_terms]) + GLANCE_TERM * max(0, len(terms) - direct_max_terms)


def instruct_examples(config: InstructCorpusConfig, chat: ChatFormat, seed: int) -> list[Example]:
    """The base-model corpus, deterministic in ``seed`` (the profile's)."""
    rng = random.Random(f"instruct-{seed}")
    problems = generate_problems(seed=seed, count=config.size, min_terms=config.min_terms,
                                 max_terms=config.max_terms, source="instruct", id_prefix="i")
    examples = []
    for problem in problems:
        if rng.random() < config.worked_fraction:
            lines = "\n".join(text for text, _ in running_sum_lines(problem.terms, config.adds_per_line))
            examples.append(Example(chat.user_prompt(problem.question + SHOW_WORK),
                                    chat.direct_completion(problem.answer, lines)))
        else:
            answer = glance_answer(problem.terms, config.direct_max_terms)
            examples.append(Example(chat.user_prompt(problem.question),
                                    chat.direct_completion(str(answer), prefix=GLANCE_PREFIX)))
    return examples
