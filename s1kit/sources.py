"""Sourcing the question pool and the held-out test set, at either scale.

Both scales produce the same record schema (``s1kit.selection.REQUIRED``)::

    {"id", "question", "answer", "domain", "source", "difficulty", "trace", "attempt", "forced_spans"}

* ``tiny``: the generated world (``s1kit.world``); traces come from the programmatic teacher.
* ``hub``: the paper's 59K pool (``simplescaling/data_ablation_full59K``: ``question``,
  ``solution``, ``cot_type``, ``source_type``, ``thinking_trajectories``, ``attempt``) and a
  test set such as ``simplescaling/aime24_nofigures`` (``problem``, ``answer``), loaded with
  ``datasets``. Their traces are the dataset's Gemini traces.
"""

from __future__ import annotations

from s1kit.config import HubDataConfig, TinyWorldConfig
from s1kit.world import Problem, generate_problems

POOL_COLUMNS = ("question", "solution", "cot_type", "source_type", "thinking_trajectories", "attempt")


def problem_record(problem: Problem) -> dict:
    return {
        "id": problem.id,
        "question": problem.question,
        "answer": problem.answer,
        "domain": problem.domain,
        "source": problem.source,
        "difficulty": problem.difficulty,
        "terms": list(problem.terms),
    }


def tiny_pool(config: TinyWorldConfig, seed: int) -> tuple[list[dict], list[dict]]:
    """The generated pool (drill + contest sources) and the held-out contest test set.

    Test questions are drawn from their own seed stream; any that also occur in the pool are
    redrawn out of the test set here, and the quality filter decontaminates the pool again.
    """
    contest = round(config.pool_size * config.contest_fraction)
    drill = generate_problems(seed=seed, count=config.pool_size - contest, min_terms=config.min_terms,
                              max_terms=config.max_terms, source="drill", id_prefix="drill-")
    hard = generate_problems(seed=seed, count=contest, min_terms=config.test_min_terms,
                             max_terms=config.test_max_terms, source="contest", id_prefix="contest-")
    pool = [problem_record(p) for p in drill + hard]
    pool_questions = {r["question"] for r in pool}
    test, attempt = [], 0
    while len(test) < config.test_size:
        batch = generate_problems(seed=seed + 1000 + attempt, count=config.test_size, min_terms=config.test_min_terms,
                                  max_terms=config.test_max_terms, source="test", id_prefix=f"test{attempt}-")
        seen = {r["question"] for r in test}
        for p in batch:
            if p.question not in pool_questions and p.question not in seen and len(test) < config.test_size:
                test.append(problem_record(p))
                seen.add(p.question)
        attempt += 1
    return pool, test


def _require_columns(dataset, columns: tuple[str, ...] | list[str], name: str) -> None:
    missing = [c for c in columns if c not in dataset.column_names]
    if missing:
        raise ValueError(f"dataset {name} is missing column(s) {missing}; it has {dataset.column_names}")


def hub_pool(config: HubDataConfig) -> tuple[list[dict], list[dict]]:
    """The paper's pool and test set from Hugging Face datasets (a Hub id or a local path)."""
    from datasets import load_dataset

    pool_ds = load_dataset(config.pool_dataset, split=config.pool_split)
    _require_columns(pool_ds, list(POOL_COLUMNS) + [config.domain_column], config.pool_dataset)
    pool = []
    for index, row in enumerate(pool_ds):
        trajectories = row["thinking_trajectories"]
        trace = trajectories[0] if isinstance(trajectories, list) and trajectories else (trajectories or "")
        pool.append({
            "id": f"pool-{index:06d}",
            "question": row["question"],
            "answer": str(row["solution"]),
            "domain": str(row[config.domain_column]),
            "source": str(row["source_type"]),
            "difficulty": None,
            "trace": trace,
            "attempt": row["attempt"] or "",
            "forced_spans": [],
        })
    test_ds = load_dataset(config.test_dataset, split=config.test_split)
    _require_columns(test_ds, [config.test_question_column, config.test_answer_column], config.test_dataset)
    test = [
        {"id": f"test-{i:04d}", "question": row[config.test_question_column], "answer": str(row[config.test_answer_column]),
         "domain": "test", "source": config.test_dataset, "difficulty": None}
        for i, row in enumerate(test_ds)
    ]
    return pool, test
