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
    a, b = at_point(generations, good), at_point(generations, bad)
    lost = [i for i in sorted(set(a) & set(b)) if a[i]["correct"] and not b[i]["correct"]]
    if not lost:
        return {"lost": 0, "right_total_pct": 0.0, "answer_in_thinking_pct": 0.0, "repeated_delimiter_pct": 0.0}

    def share(test_one) -> float:
        return 100 * sum(1 for i in lost if test_one(b[i])) / len(lost)

    return {"lost": len(lost),
            "right_total_pct": share(lambda g: str(last_total(g["thinking"])) == str(gold[g["id"]])),
            "answer_in_thinking_pct": share(lambda g: FINAL_ANSWER in g["thinking"]),
            "repeated_delimiter_pct": share(lambda g: g["answer_text"].count(ANSWER_DELIMITER) > 1)}
