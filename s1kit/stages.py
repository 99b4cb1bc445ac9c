"""Stage bookkeeping: where a run's artifacts live, and when a finished stage can be reused.

Every stage writes into a fresh temporary directory and is *published* only when it finished:
the directory is renamed into place and a ``stage.json`` marker written last, holding the
stage's cache key. An interrupted stage (Ctrl-C, a crash) leaves at most a ``*.partial-*``
directory, which no later run trusts and the next run removes; that run redoes the unfinished
stage and reuses every stage whose marker matches its key.

Layout of ``runs/<profile>/``::

    data/                 pool and held-out test set (JSON lines)
    traces/, difficulty/, s1k/   teacher traces, base-model verdicts, the selection
    models/base, models/sft
    results/              sweeps, summary.json
    timings.json          seconds per stage, notebook and book build of the last run
    notebooks/            executed notebooks
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

from s1kit.config import Profile

log = logging.getLogger("s1kit")

MARKER = "stage.json"
# Where each stage publishes, relative to runs/<profile>/ (the results contract names data/,
# models/sft/ and results/). The order is the pipeline's order; STAGES is the one list of stages.
STAGE_DIRS = {
    "sourcing": "data",
    "base_model": "models/base",
    "difficulty": "difficulty",
    "distillation": "traces",
    "selection": "s1k",
    "sft": "models/sft",
    "evaluation": "results",
}
STAGES = tuple(STAGE_DIRS)


def setup_logging(level: int = logging.INFO) -> None:
    """Log s1kit's progress as ``[s1kit] message`` lines (notebooks and the CLI alike).

    The libraries' own progress bars (dataset maps, weight loading) are switched off: s1kit's
    stage and training logs say what is happening, and the book stays readable.
    """
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()
    logger = logging.getLogger("s1kit")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(name)s %(asctime)s] %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


class RunDir:
    """The artifacts of one profile's run."""

    def __init__(self, profile: Profile, root: str | Path = "runs", shared: dict[str, "RunDir"] | None = None):
        self.profile = profile
        self.root = Path(root) / profile.name
        # Stages read from another run (a contrast world shares its parent's pool and base model).
        self.shared = shared or {}

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def stage_dir(self, stage: str) -> Path:
        if stage in self.shared:
            return self.shared[stage].stage_dir(stage)
        return self.root / STAGE_DIRS.get(stage, stage)

    def marker(self, stage: str) -> dict | None:
        marker = self.stage_dir(stage) / MARKER
        if not marker.exists():
            return None
        return json.loads(marker.read_text())

    def is_done(self, stage: str, key: str) -> bool:
        marker = self.marker(stage)
        return marker is not None and marker.get("key") == key

    @contextmanager
    def stage(self, stage: str, key: str) -> Iterator[Path]:
        """Run a stage into a temporary dir; publish it atomically only if the body finishes."""
        final = self.stage_dir(stage)
        final.parent.mkdir(parents=True, exist_ok=True)
        for stale in final.parent.glob(f"{stage}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        work = final.parent / f"{stage}.partial-{os.getpid()}"
        work.mkdir()
        start = time.perf_counter()
        log.info("stage %s: running", stage)
        try:
            yield work
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            log.info("stage %s: interrupted; nothing published", stage)
            raise
        seconds = round(time.perf_counter() - start, 1)
        # Publish: drop the old result, move the new one in, write the marker last.
        if final.exists():
            shutil.rmtree(final)
        os.replace(work, final)
        write_json(final / MARKER, {"stage": stage, "key": key, "seconds": seconds})
        log.info("stage %s: done in %.1fs", stage, seconds)


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text())


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    """Write JSON lines atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=True) + "\n")
    os.replace(tmp, path)


def read_jsonl(path: Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; run the stage that writes it first")
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: malformed JSON line ({error.msg})") from error
    return rows
