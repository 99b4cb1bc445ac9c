"""The tiny profile's instruct-style base corpus: the stand-in for Qwen2.5-32B-Instruct.

The paper starts from an instruct model that already knows the chat format and has latent
skill, but does not think in s1's format. The tiny base model gets the same properties from
a chat-formatted corpus of two kinds of examples (no thinking delimiters anywhere):

* *worked* problems, asked with "Show your work.": the running-sum lines, then the answer.
  This is the latent skill (an instruct model can reason step by step when asked to).
* *direct* short problems (at most ``direct_max_terms`` terms), asked plainly: the answer
  alone, as an instruct model answering without thinking.

Asked a plain question, the base model answers directly and is mostly wrong on long lists;
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
    worked_fraction: float = 0.5
    direct_max_terms: int = 4
    min_terms: int = 2
    max_terms: int = 12
    adds_per_line: int = 2


SHOW_WORK = " Show your work."


def instruct_examples(config: InstructCorpusConfig, chat: ChatFormat, seed: int) -> list[Example]:
    """The base-model corpus, deterministic in ``seed`` (the profile's)."""
    rng = random.Random(f"instruct-{seed}")
    problems = generate_problems(seed=seed, count=config.size, min_terms=config.min_terms,
                                 max_terms=config.max_terms, source="instruct", id_prefix="i")
    examples = []
    for problem in problems:
        if rng.random() < config.worked_fraction or problem.difficulty > config.direct_max_terms:
            lines = "\n".join(text for text, _ in running_sum_lines(problem.terms, config.adds_per_line))
            examples.append(Example(chat.user_prompt(problem.question + SHOW_WORK),
                                    chat.direct_completion(problem.answer, lines)))
        else:
            examples.append(Example(chat.user_prompt(problem.question), chat.direct_completion(problem.answer)))
    return examples
