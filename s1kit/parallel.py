"""Parallel scaling by majority voting, the paper's foil for budget forcing (s1, Figure 4b).

Sequential scaling spends more compute on *one* line of thought (budget forcing: later tokens
build on earlier ones); parallel scaling spends it on *many independent* ones and aggregates
them. The paper samples Qwen2.5-32B-Instruct 64 times per AIME24 question at temperature 1 and
takes the most common answer over 2, 4, ..., 64 samples; that curve never reaches s1-32B's.

**Votes count answers, not strings.** s1's judge mapped each sample onto the answers seen before
it, so its votes counted equivalence classes: "1/2", "\\frac{1}{2}" and "0.5" are one answer, as
are a GPQA "B" and "**B**". Here each question's samples are clustered
(:func:`cluster_answers`): a sample joins the first earlier cluster whose representative (its
first sample) :func:`s1kit.grading.same_answer` says is the same answer. Where the rules cannot
decide between two of a question's largest clusters, the run's judge is asked
(:func:`vote_on_samples`). The vote over m samples is the cluster most common among the first m
(a tie: the cluster seen first), and its correctness is its representative's, graded once with
every other sample after decoding (:class:`s1kit.judging.Grader`).

:func:`majority_vote_curve` does all of this for one model and prompt style: sample
``max(sizes)`` outputs per question once, then, for each vote size m, vote over the first m
samples. Every point reports the total thinking tokens spent per question (m times a sample's),
so the curve can be drawn beside the budget-forcing sweep at matched compute.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from s1kit.budget import BudgetForcing, Engine, answer_directly, budget_force
from s1kit.chat import ChatFormat
from s1kit.grading import Benchmark, extract_answer, same_answer
from s1kit.judging import GradeItem, Grader, judge_prompt, parse_reply
from s1kit.metrics import paired_bootstrap

log = logging.getLogger("s1kit")

# the judge compares the representatives of at most this many of a question's largest clusters
JUDGED_CLUSTERS = 8


def majority_vote(answers: Sequence[str | None]) -> str | None:
    """The most common answer string; a tie goes to the answer seen first. A ``None`` does not vote.

    Exact strings: :func:`cluster_answers` and :func:`vote` are the vote over equivalent answers."""
    votes = Counter(a for a in answers if a is not None)
    if not votes:
        return None
    best = max(votes.values())
    return next(a for a in answers if a is not None and votes[a] == best)


# -- clusters of equivalent answers -----------------------------------------------------------------
def cluster_answers(answers: Sequence[str | None], benchmark: Benchmark) -> list[int | None]:
    """Each sample's cluster by the rules: the index of the cluster's first sample (its representative).

    A sample joins the first earlier cluster whose representative :func:`s1kit.grading.same_answer`
    says is the same answer, else starts its own; a sample with no answer (None) joins none.
    """
    same = lru_cache(maxsize=None)(lambda a, b: same_answer(a, b, benchmark))
    labels: list[int | None] = []
    representatives: list[int] = []
    for index, answer in enumerate(answers):
        if answer is None:
            labels.append(None)
            continue
        label = next((r for r in representatives if same(answers[r], answer)), None)
        if label is None:
            representatives.append(index)
            label = index
        labels.append(label)
    return labels


def largest_clusters(labels: Sequence[int | None], count: int = JUDGED_CLUSTERS) -> list[int]:
    """The representatives of the ``count`` largest clusters (a tie: the one seen first), in the order seen."""
    sizes = Counter(label for label in labels if label is not None)
    return sorted(sorted(sizes, key=lambda r: (-sizes[r], r))[:count])


def undecided_pairs(answers: Sequence[str | None], labels: Sequence[int | None], benchmark: Benchmark,
                    count: int = JUDGED_CLUSTERS) -> list[tuple[int, int]]:
    """Pairs of representatives (earlier, later) among the ``count`` largest clusters that the rules
    cannot compare (:func:`s1kit.grading.same_answer` returns None): what a judge is asked."""
    chosen = largest_clusters(labels, count)
    return [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]
            if same_answer(answers[a], answers[b], benchmark) is None]


def merge_clusters(labels: Sequence[int | None], same: Sequence[tuple[int, int]]) -> list[int | None]:
    """``labels`` with the clusters of each pair of representatives in ``same`` joined; a joined
    cluster's representative is the earliest of its members' (so it is still the one seen first)."""
    parent: dict[int, int] = {}

    def root(r: int) -> int:
        while parent.get(r, r) != r:
            r = parent[r]
        return r

    for a, b in same:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [None if label is None else root(label) for label in labels]


def vote(labels: Sequence[int | None]) -> int | None:
    """The representative of the cluster most common among ``labels`` (a tie: the cluster seen
    first, i.e. the smallest representative); None when no sample has an answer."""
    votes = Counter(label for label in labels if label is not None)
    if not votes:
        return None
    best = max(votes.values())
    return min(label for label, n in votes.items() if n == best)


# -- the curve --------------------------------------------------------------------------------------
def _order(names: Sequence[str]) -> list[str]:
    from s1kit.evaluation import benchmark_order

    return benchmark_order(names)


def vote_points(labels: Sequence[Sequence[int | None]], correct: Sequence[Sequence[bool]],
                thinking_tokens: Sequence[Sequence[int]], sizes: Sequence[int], names: Sequence[str],
                bootstrap_samples: int = 1000, seed: int = 0) -> list[dict]:
    """One point per vote size m (ascending) from clustered, graded samples.

    A point: ``votes`` (m), ``accuracy`` (the voted cluster's representative graded correct; no
    answer at all: wrong), its paired-bootstrap gain over one sample (``gain_over_first``,
    ``ci_low``, ``ci_high``), ``thinking_tokens`` (mean per question, summed over the m samples),
    ``n``; and per benchmark (``names``: each question's): ``accuracy_by_benchmark``,
    ``thinking_tokens_by_benchmark``, ``n_by_benchmark`` and ``paired_by_benchmark`` (the gain over
    one sample with its interval).
    """
    if not sizes or min(sizes) <= 0:
        raise ValueError(f"vote sizes must be positive, got {list(sizes)}")
    benchmarks = _order(names)
    points, single = [], None
    for m in sorted(sizes):
        winners = [vote(row[:m]) for row in labels]
        voted = [w is not None and bool(marks[w]) for w, marks in zip(winners, correct, strict=True)]
        tokens = [sum(row[:m]) for row in thinking_tokens]
        if single is None:
            single = voted
        gain, low, high = paired_bootstrap(single, voted, bootstrap_samples, seed)
        point = {"votes": m, "accuracy": sum(voted) / len(voted), "thinking_tokens": sum(tokens) / len(tokens),
                 "gain_over_first": gain, "ci_low": low, "ci_high": high, "n": len(voted),
                 "accuracy_by_benchmark": {}, "thinking_tokens_by_benchmark": {}, "n_by_benchmark": {},
                 "paired_by_benchmark": {}}
        for b in benchmarks:
            mine = [i for i, n in enumerate(names) if n == b]
            first, now = [single[i] for i in mine], [voted[i] for i in mine]
            gain, low, high = paired_bootstrap(first, now, bootstrap_samples, seed)
            point["accuracy_by_benchmark"][b] = sum(now) / len(now)
            point["thinking_tokens_by_benchmark"][b] = sum(tokens[i] for i in mine) / len(mine)
            point["n_by_benchmark"][b] = len(mine)
            point["paired_by_benchmark"][b] = {"gain": gain, "ci_low": low, "ci_high": high}
        points.append(point)
    return points


@dataclass
class ModelSamples:
    """One model's samples of a question set, decoded, to be graded and voted on.

    ``questions``: what each question is graded against (:class:`s1kit.judging.GradeItem`, its
    ``response`` unused); ``answer_texts[q][i]`` and ``thinking_tokens[q][i]``: sample i of
    question q, in the order drawn. ``vote``: False grades the samples without voting (the SFT
    model's samples kept only for Table 3's rejection sampling).
    """

    questions: Sequence[GradeItem]
    answer_texts: Sequence[Sequence[str]]
    thinking_tokens: Sequence[Sequence[int]]
    vote: bool = True


@dataclass
class Votes:
    """What :func:`vote_on_samples` found: per model, its curve (None if it did not vote) and every
    sample's verdict; per benchmark, the pairs of answers put to the judge and those it joined."""

    points: list[list[dict] | None]
    correct: list[list[list[bool]]]
    equivalence: dict[str, dict[str, int]] = field(default_factory=dict)


def vote_on_samples(models: Sequence[ModelSamples], sizes: Sequence[int], grader: Grader,
                    bootstrap_samples: int = 1000, seed: int = 0,
                    judged_clusters: int = JUDGED_CLUSTERS) -> Votes:
    """Grade every sample of every model once, cluster each question's answers, and vote.

    All samples go to ``grader.grade_each`` together (the rules, then one judge batch). The
    answers are extracted with the grader's options and clustered by the rules
    (:func:`cluster_answers`); where the rules cannot compare two of a question's
    ``judged_clusters`` largest clusters, ``grader.judge`` (if any) is asked whether they are the
    same answer (``judge_prompt("math_equivalence", answer=later, reference=earlier)``), in the same
    batch as the grading's questions and through the grader's reply cache, and a "1" joins them.
    """
    options = grader.options
    labels, asked = [], []  # asked: (model, question, earlier, later, prompt, benchmark name)
    for g, model in enumerate(models):
        row_labels: list[list[int | None]] = []
        for q, (item, texts) in enumerate(zip(model.questions, model.answer_texts, strict=True)):
            if not model.vote:
                row_labels.append([])
                continue
            answers = [extract_answer(t, item.benchmark, options=options) for t in texts]
            row_labels.append(cluster_answers(answers, item.benchmark))
            if grader.judge is not None:
                for a, b in undecided_pairs(answers, row_labels[-1], item.benchmark, judged_clusters):
                    prompt = judge_prompt("math_equivalence", answer=answers[b], reference=answers[a])
                    asked.append((g, q, a, b, prompt, item.name or item.benchmark))
        labels.append(row_labels)

    groups = [[dataclasses.replace(item, response=text)
               for item, texts in zip(m.questions, m.answer_texts, strict=True) for text in texts] for m in models]
    prompts = list(dict.fromkeys(row[4] for row in asked))
    if prompts:
        log.info("majority voting: %d pairs of answers the rules cannot compare, for the judge", len(prompts))
    verdicts = grader.grade_each(groups, also_ask=prompts)  # the pairs ride in the grading's one judge batch
    replies = {p: parse_reply("math_equivalence", grader.reply(p)) for p in prompts}

    equivalence: dict[str, dict[str, int]] = {}
    joined: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for g, q, a, b, prompt, name in asked:
        count = equivalence.setdefault(name, {"asked": 0, "merged": 0})
        count["asked"] += 1
        if replies[prompt] == "1":
            count["merged"] += 1
            joined.setdefault((g, q), []).append((a, b))
    points, correct = [], []
    for g, (model, flat) in enumerate(zip(models, verdicts, strict=True)):
        per_question, start = [], 0
        for texts in model.answer_texts:
            per_question.append(list(flat[start:start + len(texts)]))
            start += len(texts)
        correct.append(per_question)
        if not model.vote:
            points.append(None)
            continue
        merged = [merge_clusters(row, joined.get((g, q), [])) for q, row in enumerate(labels[g])]
        names = [item.name or item.benchmark for item in model.questions]
        points.append(vote_points(merged, per_question, model.thinking_tokens, sizes, names, bootstrap_samples, seed))
    return Votes(points, correct, {b: equivalence[b] for b in _order(equivalence)})


# -- sampling ---------------------------------------------------------------------------------------
def sample_outputs(engine: Engine, questions: Sequence[str], samples: int, forcing: BudgetForcing,
                   think: bool) -> list[list]:
    """``samples`` independent outputs per question (``forcing.temperature`` must be > 0).

    All samples of all questions go through the engine as one batch list, so that one seed
    fixes them all. ``think=False`` samples a direct answer (the base model's way to answer).
    """
    if samples <= 0:
        raise ValueError(f"samples must be positive, got {samples}")
    if forcing.temperature <= 0:
        raise ValueError("majority voting needs sampling: set temperature > 0 (the paper: 1.0)")
    chat = forcing.chat
    prompts = [chat.thinking_prompt(q) if think else chat.user_prompt(q) for q in questions for _ in range(samples)]
    results = (budget_force if think else answer_directly)(engine, prompts, forcing)
    return [results[i * samples:(i + 1) * samples] for i in range(len(questions))]


def majority_vote_curve(engine: Engine, questions: Sequence[str], answers: Sequence[str], sizes: Sequence[int],
                        forcing: BudgetForcing, think: bool, benchmark: Benchmark | Sequence[Benchmark] = "tiny",
                        bootstrap_samples: int = 1000, seed: int = 0, grader: Grader | None = None,
                        names: Sequence[str] | None = None) -> tuple[list[dict], dict]:
    """Majority-voting accuracy for each vote size in ``sizes``, and the samples it voted over.

    Samples first (:func:`sample_outputs`), then grades and votes (:func:`vote_on_samples`, with
    ``grader``: rules only by default). The points are :func:`vote_points`'; the samples:
    ``thinking_tokens[q][i]`` and ``correct[q][i]`` of sample i of question q, in the order drawn
    (what rejection sampling, :func:`s1kit.control.rejection_sample`, picks from). ``benchmark``
    is one grader for all questions, or one per question (AIME24, MATH500 and GPQA mixed);
    ``names``: each question's benchmark name for the per-benchmark numbers (default: its rules').
    """
    graders = [benchmark] * len(questions) if isinstance(benchmark, str) else list(benchmark)
    if len(graders) != len(questions):
        raise ValueError(f"{len(graders)} graders for {len(questions)} questions")
    if not sizes or min(sizes) <= 0:
        raise ValueError(f"vote sizes must be positive, got {list(sizes)}")
    outputs = sample_outputs(engine, questions, max(sizes), forcing, think)
    names = list(names) if names is not None else list(graders)
    items = [GradeItem("", a, b, q, n) for q, a, b, n in zip(questions, answers, graders, names, strict=True)]
    model = ModelSamples(items, [[r.answer_text for r in row] for row in outputs],
                         [[r.thinking_tokens for r in row] for row in outputs])
    votes = vote_on_samples([model], sizes, grader or Grader(), bootstrap_samples, seed)
    return votes.points[0], {"thinking_tokens": model.thinking_tokens, "correct": votes.correct[0]}


def sampling_forcing(chat: ChatFormat, temperature: float, seed: int, max_answer_tokens: int | None,
                     num_ignore: int = 0, **options) -> BudgetForcing:
    """The sampling settings of a voting run: temperature, the profile's seed, no cap (``options``:
    the profile's other forcing settings, :func:`s1kit.evaluation.forcing_options`)."""
    return BudgetForcing(temperature=temperature, seed=seed, max_answer_tokens=max_answer_tokens,
                         num_ignore=num_ignore, chat=chat, **options)
