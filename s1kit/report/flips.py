"""Questions a forced "Wait" changed: the ones it fixed, the ones it broke, and how answers fail at large k.

An accuracy is a count of right answers; behind a change of accuracy are single questions that
went from wrong to right (fixed) or right to wrong (broken). These functions find them in
``results/generations.jsonl`` (one record per question and sweep point), so that a chapter can
show the phenomenon itself, picked by code rather than by hand.
"""

from __future__ import annotations

import re
from typing import Sequence

import pandas as pd

from s1kit.report.summary import Point, Summary

FINAL_ANSWER = "Final Answer:"
ANSWER_DELIMITER = "<|im_start|>answer"


def at_point(generations: Sequence[dict], point: Point) -> dict[str, dict]:
    """The generations of one sweep point, by question id."""
    return {g["id"]: g for g in generations if g["point"] == point.index}


def flips(generations: Sequence[dict], before: Point, after: Point) -> tuple[list[str], list[str]]:
    """The ids (sorted) of questions wrong at ``before`` and right at ``after`` (fixed), and the reverse (broken)."""
    a, b = at_point(generations, before), at_point(generations, after)
    shared = sorted(set(a) & set(b))
    fixed = [i for i in shared if not a[i]["correct"] and b[i]["correct"]]
    broken = [i for i in shared if a[i]["correct"] and not b[i]["correct"]]
    return fixed, broken


def flip_table(generations: Sequence[dict], summary: Summary) -> pd.DataFrame:
    """For every k of the "Wait" sweep: how many questions it fixed and broke against k = 0, and the net change.

    The net change over the number of questions is the accuracy gain; the two counts say whether
    a small gain is few changes or many that cancel.
    """
    uncapped = summary.uncapped()
    rows = {}
    for k, point in uncapped.items():
        if k == 0:
            continue
        fixed, broken = flips(generations, uncapped[0], point)
        rows[f"k={k}"] = {"fixed (wrong at k=0, right)": len(fixed), "broken (right at k=0, wrong)": len(broken),
                          "net (questions)": len(fixed) - len(broken)}
    return pd.DataFrame(rows).T


def _fewest_tokens(ids: Sequence[str], at: dict[str, dict]) -> str | None:
    return min(ids, key=lambda i: (at[i]["thinking_tokens"], i)) if ids else None


def pick_fixed(generations: Sequence[dict], summary: Summary, k: int) -> str | None:
    """A question that k forced "Wait"s fixed: of those wrong at k = 0 and right at k, the one that thinks
    least at k (the shortest to read; ties by id). None when k fixed nothing."""
    uncapped = summary.uncapped()
    fixed, _ = flips(generations, uncapped[0], uncapped[k])
    return _fewest_tokens(fixed, at_point(generations, uncapped[k]))


def pick_broken(generations: Sequence[dict], summary: Summary) -> tuple[int, str] | None:
    """A question forcing broke: the smallest k that broke any (right at k = 0, wrong at k), and of those
    the one that thinks least at k. None when no k broke a question."""
    uncapped = summary.uncapped()
    for k in sorted(uncapped):
        if k == 0:
            continue
        _, broken = flips(generations, uncapped[0], uncapped[k])
        if broken:
            return k, _fewest_tokens(broken, at_point(generations, uncapped[k]))
    return None


def fixed_example(generations: Sequence[dict], summary: Summary) -> tuple[int, str | None]:
    """The question chapters 5 and 7 show a forced "Wait" fixing: k = 1 (the first forced "Wait") when the
    sweep has it, else the best k; and :func:`pick_fixed`'s question at that k (None: k fixed nothing)."""
    k = 1 if 1 in summary.uncapped() else summary.best_k()[0]
    return k, pick_fixed(generations, summary, k)


TERM = re.compile(r"[a-z]\d")  # a lettered term of a tiny-world question ("a5"), as its traces add them


def fix_reading(generations: Sequence[dict], summary: Summary, test: Sequence[dict]) -> str:
    """Chapter 5's account of its fixed example (:func:`fixed_example`), in words, from the run's records
    (tiny world): how far the unforced model got, what it answered, and what the forced "Wait" led to."""
    k, question_id = fixed_example(generations, summary)
    if question_id is None:
        return (f"In this run no question was wrong at k = 0 and right at k = {k}, so there is no fixed example "
                "to show; the table of every k in chapter 6 says what forcing did instead.")
    question = next(t for t in test if t["id"] == question_id)
    before = at_point(generations, summary.point(None, 0))[question_id]
    after = at_point(generations, summary.point(None, k))[question_id]
    lines = before["thinking"].strip().count("\n") + 1
    return (f"Unforced, the model wrote {lines} lines, added {len(TERM.findall(before['thinking']))} of the "
            f"{len(TERM.findall(question['question']))} terms and stopped: it answered "
            f"{last_total(before['thinking'])}, where the gold answer is {question['answer']}. With k = {k}, its "
            f"attempt to stop was dropped (the \"end of thinking suppressed\" row), \"Wait\" was appended, and the "
            f"model went on for {after['thinking_tokens'] - before['thinking_tokens']} more thinking tokens, adding "
            f"{_count(len(TERM.findall(after['thinking'])) - len(TERM.findall(before['thinking'])), 'more term')}, and "
            f"answered {last_total(after['thinking'])}. The evaluation's records of this question: "
            f"{'right' if before['correct'] else 'wrong'} at k = 0, {'right' if after['correct'] else 'wrong'} "
            f"at k = {k}.")


def broken_reading(generations: Sequence[dict], summary: Summary) -> str:
    """Chapter 5's account of its broken example (:func:`pick_broken`), in words, from the run's records."""
    broken = pick_broken(generations, summary)
    if broken is None:
        return "No k of this run's sweep turned a right answer wrong."
    k, question_id = broken
    before = at_point(generations, summary.point(None, 0))[question_id]
    after = at_point(generations, summary.point(None, k))[question_id]
    signs = [name for name, present in (
        ("wrote \"Final Answer:\" inside its thinking", FINAL_ANSWER in after["thinking"]),
        ("wrote a second answer delimiter", after["answer_text"].count(ANSWER_DELIMITER) > 1),
        (f"ended its thinking on {last_total(after['thinking'])}, not {last_total(before['thinking'])}",
         last_total(after["thinking"]) != last_total(before["thinking"]))) if present]
    return (f"At k = 0 the model thought for {before['thinking_tokens']} tokens and answered right. At k = {k} "
            f"it was made to go on to {after['thinking_tokens']} tokens" +
            (f", and it {', and it '.join(signs)}" if signs else "") +
            ": the extra thinking turned a right answer into a wrong one.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def last_total(thinking: str) -> int | None:
    """The last number after "=" in a tiny-world trace: the running total the model reached."""
    found = re.findall(r"=(\d+)", thinking)
    return int(found[-1]) if found else None


def failure_reasons(generations: Sequence[dict], test: Sequence[dict], good: Point, bad: Point) -> dict[str, float]:
    """Why answers right at ``good`` are wrong at ``bad`` (tiny world): how many, and in % of them
    the share whose thinking still reached the right total (the sum was right, the answer was
    not), the share that wrote "Final Answer:" inside the thinking (the answer habit leaking into
    thinking once the checks ran past anything in training), and the share whose answer repeats
    the answer delimiter (the answer written after a context the model never saw)."""
    gold = {t["id"]: t["answer"] for t in test}
    b = at_point(generations, bad)
    _, lost = flips(generations, good, bad)
    if not lost:
        return {"lost": 0, "right_total_pct": 0.0, "answer_in_thinking_pct": 0.0, "repeated_delimiter_pct": 0.0}

    def share(test_one) -> float:
        return 100 * sum(1 for i in lost if test_one(b[i])) / len(lost)

    return {"lost": len(lost),
            "right_total_pct": share(lambda g: str(last_total(g["thinking"])) == str(gold[g["id"]])),
            "answer_in_thinking_pct": share(lambda g: FINAL_ANSWER in g["thinking"]),
            "repeated_delimiter_pct": share(lambda g: g["answer_text"].count(ANSWER_DELIMITER) > 1)}
