"""The paper's data from Hugging Face datasets: the question pool and the held-out test set.

Both scales give the pipeline the same records. A *test* record is
``{"id", "question", "answer", "domain", "source", "difficulty"}``. A *pool* record after the
distillation stage (the schema ``s1kit.selection`` checks, ``REQUIRED``) adds the teacher's
``trace`` (its thinking), ``attempt`` (its answer) and ``forced_spans`` (character spans of the
trace that the teacher did not choose; none in real data):

* ``hub`` (this module): the paper's 59K pool (``simplescaling/data_ablation_full59K``:
  ``question``, ``solution``, ``cot_type``, ``source_type``, ``thinking_trajectories``,
  ``attempt``) and a test set such as ``simplescaling/aime24_nofigures`` (``problem``,
  ``answer``), loaded with ``datasets``. The pool already carries Gemini's traces, so its
  records have ``trace``/``attempt`` from the start and ``difficulty`` is ``None``.
* ``tiny`` (:func:`s1kit.tiny.world.tiny_pool`): generated problems, which also keep their
  ``terms``; the tiny teacher adds ``trace``, ``attempt``, ``forced_spans`` and ``broken``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubDataConfig:
    """Hugging Face datasets for the real run (column names in the s1 repositories' schemas)."""

    pool_dataset: str = "simplescaling/data_ablation_full59K"
    pool_split: str = "train"
    test_dataset: str = "simplescaling/aime24_nofigures"
    test_split: str = "train"
    test_question_column: str = "problem"
    test_answer_column: str = "answer"
    domain_column: str = "cot_type"

POOL_COLUMNS = ("question", "solution", "cot_type", "source_type", "thinking_trajectories", "attempt")


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
