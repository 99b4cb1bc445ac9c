"""The paper's data from Hugging Face datasets: the question pool, the released s1K sets, the benchmarks.

Every loader checks the columns it reads and names what is missing, so a renamed column fails
at once instead of yielding empty questions. Both scales give the pipeline the same records:

* a *test* record: ``{"id", "question", "answer", "domain", "source", "difficulty", "benchmark"}``,
  where ``benchmark`` tells :func:`s1kit.grading.grade` how to compare (``aime``, ``math``,
  ``gpqa``, ``tiny``);
* a *pool* record after distillation (the schema ``s1kit.selection.REQUIRED``) adds the
  teacher's ``trace`` (its thinking), ``attempt`` (its answer) and ``forced_spans`` (character
  spans of the trace that the teacher did not choose; none in real data), and keeps the full
  reference ``solution``.

Sources, by the names the s1 repository uses:

* the 59K pool, ``simplescaling/data_ablation_full59K`` (``question``, ``solution``, ``cot_type``,
  ``source_type``, ``metadata``, ``thinking_trajectories``, ``attempt``), with Gemini's traces;
* the released selections: ``simplescaling/s1K`` (same columns, 1,000 rows) and
  ``simplescaling/s1K-1.1`` (``gemini_thinking_trajectory``/``gemini_attempt`` and
  ``deepseek_thinking_trajectory``/``deepseek_attempt``), and any 1K set in one of these schemas
  (the paper's Table 2 ablation sets);
* the benchmarks: AIME24 (``simplescaling/aime24_nofigures``), MATH500 (``HuggingFaceH4/MATH-500``,
  the 500 problems of s1's ``openai_math`` task) and GPQA Diamond (``Idavidrein/gpqa``,
  config ``gpqa_diamond``; gated: accept its terms on the Hub and log in first). GPQA's four
  options are shuffled with a fixed seed and the reference becomes the letter, as s1's task does;
* the rendered training text: ``simplescaling/s1K_tokenized`` (s1K's rows with a ``text`` column,
  each a whole conversation in Qwen2.5's chat template, built by s1's ``data/tokenization.py``),
  what s1's ``train/sft.py`` trains on (:func:`load_training_text`).

The tiny world writes the same records from :func:`s1kit.tiny.world.tiny_pool`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from s1kit.grading import extract_answer

POOL_COLUMNS = ("question", "solution", "cot_type", "source_type", "thinking_trajectories", "attempt")
S1K_COLUMNS = {
    "gemini": ("question", "solution", "cot_type", "source_type", "thinking_trajectories", "attempt"),
    "gemini-1.1": ("question", "solution", "cot_type", "source_type", "gemini_thinking_trajectory",
                   "gemini_attempt"),
    "deepseek": ("question", "solution", "cot_type", "source_type", "deepseek_thinking_trajectory",
                 "deepseek_attempt"),
}
# The order s1's task lists the options in before shuffling them with one seeded generator.
GPQA_OPTIONS = ("Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3", "Correct Answer")


@dataclass(frozen=True)
class BenchmarkSource:
    """Where one benchmark lives on the Hub and which columns hold its question and answer."""

    dataset: str
    split: str
    config: str | None = None
    question_column: str = "problem"
    answer_column: str = "answer"
    grading: str = "math"
    gated: bool = False


BENCHMARKS: dict[str, BenchmarkSource] = {
    "aime24": BenchmarkSource("simplescaling/aime24_nofigures", "train", grading="aime"),
    "math500": BenchmarkSource("HuggingFaceH4/MATH-500", "test", grading="math"),
    "gpqa_diamond": BenchmarkSource("Idavidrein/gpqa", "train", config="gpqa_diamond", question_column="Question",
                                    answer_column="Correct Answer", grading="gpqa", gated=True),
}


def benchmark_name(record: dict) -> str:
    """A held-out record's benchmark by its short name: a key of ``BENCHMARKS`` for Hub records,
    ``"tiny"`` for the tiny world's (graded with the tiny rules), else the record's ``source``."""
    for name, source in BENCHMARKS.items():
        if record.get("source") == source.dataset:
            return name
    return "tiny" if record.get("benchmark", "tiny") == "tiny" else str(record["source"])


@dataclass(frozen=True)
class HubDataConfig:
    """Hugging Face datasets for the real run (names and columns as in the s1 repositories).

    ``pool_dataset`` is the 59K pool to select from, or, with ``selection_dataset`` set, s1K is
    loaded as released and the selection stages are skipped (what most users want).
    """

    pool_dataset: str = "simplescaling/data_ablation_full59K"
    pool_split: str = "train"
    selection_dataset: str = ""  # e.g. simplescaling/s1K-1.1: train on the released selection
    traces: Literal["gemini", "gemini-1.1", "deepseek"] = "gemini"  # which teacher's traces to read
    benchmarks: list[str] = field(default_factory=lambda: ["aime24"])
    domain_column: str = "cot_type"  # the 59K release has no MSC labels: set domain_classifier for them
    # An OpenAI-compatible endpoint that labels each pool question with an MSC domain (s1kit.domains):
    # {"base_url": "http://127.0.0.1:8000/v1", "model": "...", "api_key_env": "OPENAI_API_KEY"}. {} = off.
    domain_classifier: dict = field(default_factory=dict)
    gpqa_seed: int = 0  # the fixed seed GPQA's options are shuffled with
    benchmark_paths: dict = field(default_factory=dict)  # name -> a local copy or mirror instead of the Hub id

    def __post_init__(self) -> None:
        unknown = [b for b in self.benchmarks if b not in BENCHMARKS]
        if unknown or not self.benchmarks:
            raise ValueError(f"sourcing.hub.benchmarks must name some of {sorted(BENCHMARKS)}, got {self.benchmarks}")


class DatasetAccessError(RuntimeError):
    """A dataset could not be loaded (no network, no Hub login, gated terms not accepted)."""


def _load(name: str, split: str, config: str | None = None, gated: bool = False):
    from pathlib import Path

    from datasets import load_dataset

    if Path(name).is_dir():  # a local copy (parquet files): Hub configs do not apply
        config = None
    try:
        return load_dataset(name, config, split=split) if config else load_dataset(name, split=split)
    except Exception as error:  # datasets raises many kinds (offline, gated, missing); one message for all
        hint = (" It is gated: accept its terms at https://huggingface.co/datasets/" + name +
                " and log in (`hf auth login` or HF_TOKEN)." if gated else "")
        raise DatasetAccessError(f"could not load dataset {name!r} (split {split!r}): "
                                 f"{type(error).__name__}: {error}.{hint}") from error


def _require_columns(dataset, columns, name: str) -> None:
    missing = [c for c in columns if c not in dataset.column_names]
    if missing:
        raise ValueError(f"dataset {name} is missing column(s) {missing}; it has {dataset.column_names}")


def _first_trace(value) -> str:
    """The trace from a ``thinking_trajectories`` cell (a list of one string in the 59K release)."""
    if isinstance(value, list):
        return "\n".join(v for v in value if v).strip()
    return (value or "").strip()


def reference_answer(solution: str | None) -> str:
    """The final answer of a reference solution: its last ``\\boxed{}`` or ``Answer:``, else the whole text."""
    if not solution:
        return ""
    return extract_answer(solution, "math") or solution.strip()


def _pool_record(index: int, row: dict, prefix: str, domain_column: str, trace_column: str,
                 attempt_column: str) -> dict:
    return {
        "id": f"{prefix}-{index:06d}",
        "question": row["question"],
        "solution": row["solution"] or "",
        "answer": reference_answer(row["solution"]),
        "domain": str(row[domain_column]),
        "source": str(row["source_type"]),
        "difficulty": None,
        "benchmark": "gpqa" if str(row["source_type"]) == "Idavidrein/gpqa" and len(
            reference_answer(row["solution"])) == 1 else "math",
        "trace": _first_trace(row[trace_column]),
        "attempt": (row[attempt_column] or "").strip(),
        "forced_spans": [],
    }


def load_pool(config: HubDataConfig) -> list[dict]:
    """The 59K pool with its Gemini traces, as pool records."""
    data = _load(config.pool_dataset, config.pool_split)
    _require_columns(data, list(POOL_COLUMNS) + [config.domain_column], config.pool_dataset)
    return [_pool_record(i, row, "pool", config.domain_column, "thinking_trajectories", "attempt")
            for i, row in enumerate(data)]


def load_selection(dataset: str, traces: str = "gemini", domain_column: str = "cot_type") -> list[dict]:
    """A released 1K selection (s1K, s1K-1.1 or an ablation set in their schema) as pool records.

    ``traces`` picks the teacher: ``gemini`` for s1K's ``thinking_trajectories``/``attempt``,
    ``gemini-1.1`` or ``deepseek`` for the two trace sets of s1K-1.1.
    """
    if traces not in S1K_COLUMNS:
        raise ValueError(f"traces must be one of {sorted(S1K_COLUMNS)}, got {traces!r}")
    data = _load(dataset, "train")
    columns = S1K_COLUMNS[traces]
    _require_columns(data, list(columns) + [domain_column], dataset)
    return [_pool_record(i, row, "s1k", domain_column, columns[4], columns[5]) for i, row in enumerate(data)]


def load_training_text(dataset: str) -> list[str]:
    """The ``text`` column of a rendered SFT set (s1's ``simplescaling/s1K_tokenized``), in row order."""
    data = _load(dataset, "train")
    _require_columns(data, ["text"], dataset)
    texts = data["text"]
    empty = [i for i, t in enumerate(texts) if not t]
    if empty:
        raise ValueError(f"dataset {dataset}: {len(empty)} row(s) have no text (first: row {empty[0]})")
    return [str(t) for t in texts]


def load_benchmark(name: str, gpqa_seed: int = 0, path: str | None = None) -> list[dict]:
    """One benchmark's problems as test records (``aime24``, ``math500`` or ``gpqa_diamond``).

    ``path`` loads a local copy or a mirror instead of the benchmark's Hub id.
    """
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; known: {sorted(BENCHMARKS)}")
    source = BENCHMARKS[name]
    dataset = path or source.dataset
    data = _load(dataset, source.split, source.config, source.gated)
    columns = [source.question_column, source.answer_column] + (list(GPQA_OPTIONS) if source.grading == "gpqa" else [])
    _require_columns(data, columns, dataset)
    rng = random.Random(gpqa_seed)
    records = []
    for index, row in enumerate(data):
        question, answer = str(row[source.question_column]).strip(), str(row[source.answer_column]).strip()
        if source.grading == "gpqa":
            question, answer = gpqa_question(row, rng)
        records.append({"id": f"{name}-{index:04d}", "question": question, "answer": answer, "domain": name,
                        "source": source.dataset, "difficulty": None, "benchmark": source.grading})
    return records


def gpqa_question(row: dict, rng: random.Random) -> tuple[str, str]:
    """GPQA's question with its four options shuffled by ``rng``, and the correct letter."""
    options = [str(row[c]).strip() for c in GPQA_OPTIONS]
    correct = str(row["Correct Answer"]).strip()
    rng.shuffle(options)
    letters = "ABCD"
    text = str(row["Question"]).strip() + "\n\n" + "\n".join(f"{letters[i]}) {o}" for i, o in enumerate(options))
    return text, letters[options.index(correct)]


def hub_pool(config: HubDataConfig) -> tuple[list[dict], list[dict]]:
    """The pool (or the released selection) and the test set of every configured benchmark."""
    if config.selection_dataset:
        pool = load_selection(config.selection_dataset, config.traces, config.domain_column)
    else:
        pool = load_pool(config)
    test = [record for name in config.benchmarks
            for record in load_benchmark(name, config.gpqa_seed, config.benchmark_paths.get(name))]
    return pool, test
