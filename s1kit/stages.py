"""Stage bookkeeping: a stage graph, cache keys that know the code, and atomic publishing.

A *stage* (:class:`Stage`) is one step of the study: it names the stages it needs, the
settings it reads from the profile, the s1kit modules it runs and the directory it writes.
``s1kit.pipeline`` declares the graph once; keys, order, the CLI's ``stage`` command and the
timings table all come from it.

**Keys.** A stage's cache key hashes (a) its resolved settings, (b) a fingerprint of the code
it runs: the source of its compute function, of every s1kit module that function reaches
through imports, and the versions of torch/transformers/trl/datasets, and (c) the keys of the
stages it needs. Editing ``s1kit/evaluation.py`` therefore recomputes the evaluation and
nothing upstream of it; changing the teacher recomputes distillation and everything after it.

**Records.** A finished stage writes ``stage.json``: the key, the settings, the code
fingerprint module by module, the upstream keys, when it was computed and how long it took.
When a stage is reused the log says so ("stage sft: reused, computed 2026-11-25 02:13:40 ...");
when it is recomputed the log says why (settings, code in which modules, or upstream).

**Publishing.** A stage computes into ``<dir>.partial-<pid>`` and is renamed into place only
when it finished, with ``stage.json`` written last. An interrupted stage (Ctrl-C, a crash)
leaves at most a partial directory, which no later run trusts.

**Several processes** (``accelerate launch -m s1kit stage sft``). Only the main process (rank 0)
computes the stages upstream of the launched one, each in a single-process child run (a
trainer inside the launch would wait for ranks that are not training); the other ranks wait
for their records. A stage marked ``all_ranks`` (SFT under FSDP) is computed by every rank into
one shared partial directory named by its key, and published by the main process alone.

Layout of ``runs/<profile>/``::

    data/                 pool and held-out test set (JSON lines)
    traces/, difficulty/, s1k/   teacher traces, base-model verdicts, the selection
    models/base, models/sft
    results/              sweeps, summary.json
    timings.json          seconds per stage, notebook and book build of the last run
    notebooks/            executed notebooks
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import importlib.metadata
import importlib.util
import inspect
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

if TYPE_CHECKING:
    from s1kit.config import Profile

log = logging.getLogger("s1kit")

MARKER = "stage.json"
PACKAGE = "s1kit"
# Libraries whose version can change a stage's numbers; recorded in, and part of, every key.
LIBRARIES = ("torch", "transformers", "trl", "datasets", "tokenizers")
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stage:
    """One node of the stage graph.

    ``settings(profile)`` returns exactly the profile values the stage's result depends on (not
    batch sizes or thread counts). ``modules(profile)`` names the s1kit modules its compute
    function calls into; their imports are followed, so naming the entry points is enough.
    ``compute(run, out)`` writes the stage's files into the directory ``out``.
    """

    name: str
    directory: str  # relative to runs/<profile>/
    needs: tuple[str, ...]
    settings: Callable[[Profile], dict]
    modules: Callable[[Profile], tuple[str, ...]]
    compute: Callable[[RunDir, Path], None]
    writes: tuple[str, ...] = ()  # the files a finished stage holds (documentation and checks)
    all_ranks: bool = False  # computed by every process of a distributed launch (training), not rank 0 alone


def process_rank() -> tuple[int, int]:
    """(rank, world size) of this process in a distributed launch; (0, 1) otherwise."""
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    return process_rank()[0] == 0


# How long a non-main rank waits for the main one to finish an upstream stage (a 32B base model's
# difficulty pass can take hours); S1KIT_STAGE_WAIT_S overrides it.
STAGE_WAIT_S = float(os.environ.get("S1KIT_STAGE_WAIT_S", 24 * 3600))


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
    logger.setLevel(level if is_main_process() else max(level, logging.WARNING))  # one log, not one per rank
    logger.propagate = False


def resolve_runs_root(root: str | Path) -> Path:
    """Where runs live: an absolute path as given; a relative one from the repository root.

    Relative to the repository, not to the working directory, so that a chapter opened in
    Jupyter from ``notebooks/`` finds the same ``runs/`` as ``make reproduce`` does.
    """
    root = Path(root).expanduser()
    if root.is_absolute():
        return root
    base = REPO if (REPO / "pyproject.toml").exists() and (REPO / PACKAGE).is_dir() else Path.cwd()
    return (base / root).resolve()


# -- code fingerprints ------------------------------------------------------------------------
def _package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    return Path(spec.origin).parent


def _module_file(module: str) -> Path | None:
    """The source file of an s1kit module, or None if ``module`` names no s1kit module."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = _package_dir().joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _imported_modules(module: str) -> frozenset[str]:
    """The s1kit modules that ``module`` imports anywhere in its source (function-local imports too)."""
    source = _module_file(module)
    if source is None:
        raise ValueError(f"stage code names module {module!r}, which is not an s1kit module")
    found = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == PACKAGE:
            for alias in node.names:  # `from s1kit import pipeline` names a module; `from s1kit.x import f` does not
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _module_file(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
    found.discard(module)
    found.discard(PACKAGE)
    return frozenset(found)


def module_closure(modules: Iterable[str]) -> list[str]:
    """``modules`` and every s1kit module they import, transitively, sorted."""
    seen, todo = set(), list(modules)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(_imported_modules(module))
    return sorted(seen)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def code_fingerprint(stage: Stage, profile: Profile) -> dict[str, str]:
    """Hash of every piece of code a stage runs: its compute function, its modules, its libraries."""
    fingerprint = {f"{stage.compute.__module__}.{stage.compute.__qualname__}":
                   _sha(inspect.getsource(stage.compute).encode())}
    for module in module_closure(stage.modules(profile)):
        fingerprint[module] = _sha(_module_file(module).read_bytes())
    for library in LIBRARIES:
        try:
            fingerprint[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            fingerprint[library] = "absent"
    return fingerprint


# -- the run directory --------------------------------------------------------------------------
class RunDir:
    """The artifacts of one profile's run: where each stage of ``graph`` lives and whether it is current."""

    def __init__(self, profile: Profile, root: str | Path, graph: dict[str, Stage],
                 shared: dict[str, RunDir] | None = None):
        self.profile = profile
        self.runs_root = Path(root)
        self.root = Path(root) / profile.name
        self.graph = graph
        # Stages read from another run (a contrast world shares its parent's pool and base model).
        self.shared = shared or {}
        self._records: dict[str, dict] = {}
        self._ensured: set[str] = set()  # made current by this process: no second check, no second log line

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def stage_dir(self, name: str) -> Path:
        if name in self.shared:
            return self.shared[name].stage_dir(name)
        return self.root / self.graph[name].directory

    def marker(self, name: str) -> dict | None:
        marker = self.stage_dir(name) / MARKER
        return json.loads(marker.read_text()) if marker.exists() else None

    def record(self, name: str) -> dict:
        """What a stage's key is made of: settings, code fingerprint, upstream keys.

        Memoised for this process, so that the record a stage publishes is the one its key was
        computed from, even if a source file is edited while the stage runs.
        """
        if name in self.shared:
            return self.shared[name].record(name)
        if name not in self._records:
            stage = self.graph[name]
            self._records[name] = {
                "stage": name,
                "settings": stage.settings(self.profile),
                "code": code_fingerprint(stage, self.profile),
                "upstream": {need: self.key(need) for need in stage.needs},
            }
        return self._records[name]

    def key(self, name: str) -> str:
        """The stage's cache key: a hash of its record."""
        if name in self.shared:
            return self.shared[name].key(name)
        return _sha(json.dumps(self.record(name), sort_keys=True, default=str).encode())

    def is_current(self, name: str) -> bool:
        marker = self.marker(name)
        return marker is not None and marker.get("key") == self.key(name)

    def why_stale(self, name: str) -> str:
        """A short reason why a stage must be (re)computed."""
        marker = self.marker(name)
        if marker is None:
            return "never computed" if not self.stage_dir(name).exists() else "no finished record"
        if "settings" not in marker:
            return "its record predates code-aware keys"
        now = self.record(name)
        reasons = []
        if marker["settings"] != now["settings"]:
            changed = sorted(k for k in set(marker["settings"]) | set(now["settings"])
                             if marker["settings"].get(k) != now["settings"].get(k))
            reasons.append(f"settings changed ({', '.join(changed)})")
        changed = sorted(k for k in set(marker["code"]) | set(now["code"]) if marker["code"].get(k) != now["code"].get(k))
        if changed:
            reasons.append(f"code changed ({', '.join(changed)})")
        upstream = sorted(k for k, v in now["upstream"].items() if marker["upstream"].get(k) != v)
        if upstream:
            reasons.append(f"upstream changed ({', '.join(upstream)})")
        return "; ".join(reasons) or "key changed"

    @contextmanager
    def publishing(self, name: str) -> Iterator[Path]:
        """Compute into a partial dir; publish it atomically, ``stage.json`` last, only if the body finishes.

        In a distributed launch the partial dir is named by the stage's key, so that every rank
        computes into the same one; only the main process cleans, publishes and writes the record.
        """
        final = self.stage_dir(name)
        rank, world = process_rank()
        if world > 1:
            work = final.parent / f"{final.name}.partial-{self.key(name)}"
            if rank != 0:
                yield work
                return
        else:
            work = final.parent / f"{final.name}.partial-{os.getpid()}"
        final.parent.mkdir(parents=True, exist_ok=True)
        for stale in final.parent.glob(f"{final.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        work.mkdir(exist_ok=True)
        start = time.perf_counter()
        try:
            yield work
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            log.info("stage %s: interrupted; nothing published", name)
            raise
        seconds = round(time.perf_counter() - start, 1)
        if final.exists():
            shutil.rmtree(final)
        os.replace(work, final)
        record = dict(self.record(name), key=self.key(name), seconds=seconds,
                      computed_at=datetime.datetime.now().isoformat(sep=" ", timespec="seconds"))
        write_json(final / MARKER, record)
        log.info("stage %s: done in %.1fs", name, seconds)

    def ensure(self, name: str) -> Path:
        """Make stage ``name`` current (its needs first), computing only what changed; return its directory."""
        if name in self.shared:
            return self.shared[name].ensure(name)
        if name in self._ensured:
            return self.stage_dir(name)
        self._ensured.add(name)
        stage = self.graph[name]
        if self.is_current(name):
            marker = self.marker(name)
            log.info("stage %s: reused, computed %s in %ss (key %s)", name, marker.get("computed_at", "?"),
                     marker.get("seconds", "?"), marker["key"])
            return self.stage_dir(name)
        rank, world = process_rank()
        if world > 1 and not stage.all_ranks:  # one child run computes it with everything it needs
            if rank == 0:
                self._compute_in_single_process(name)
            self._wait_for(name)
            return self.stage_dir(name)
        for need in stage.needs:
            self.ensure(need)
        log.info("stage %s: computing (%s)", name, self.why_stale(name))
        with self.publishing(name) as out:
            stage.compute(self, out)
        return self.stage_dir(name)

    def _compute_in_single_process(self, name: str) -> None:
        """Run ``stage name`` (and what it needs) in a child process outside the distributed launch."""
        import dataclasses
        import subprocess
        import sys

        import yaml

        launch = self.root / ".launch"
        launch.mkdir(parents=True, exist_ok=True)
        recipe = launch / "profile.yaml"
        recipe.write_text(yaml.safe_dump(dataclasses.asdict(self.profile), sort_keys=False))
        launcher_vars = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "GROUP_RANK", "ROLE_RANK",
                         "ROLE_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "GROUP_WORLD_SIZE")
        env = {k: v for k, v in os.environ.items()
               if k not in launcher_vars and not k.startswith(("TORCHELASTIC_", "ACCELERATE_"))}
        log.info("stage %s: computing in a single-process run (distributed launch, rank 0)", name)
        subprocess.run([sys.executable, "-m", PACKAGE, "stage", name, "--profile", str(recipe),
                        "--runs", str(self.runs_root)], env=env, check=True)

    def _wait_for(self, name: str, poll_s: float = 1.0) -> None:
        waited = 0.0
        while not self.is_current(name):
            if waited > STAGE_WAIT_S:
                raise TimeoutError(f"rank {process_rank()[0]}: stage {name} was not published by the main process "
                                   f"within {STAGE_WAIT_S:.0f}s")
            time.sleep(poll_s)
            waited += poll_s

    def plan(self) -> list[dict]:
        """Every stage in order with whether a run would reuse it, and why not."""
        return [{"stage": name, "needs": list(stage.needs), "directory": str(self.stage_dir(name)),
                 "current": self.is_current(name), "why": "" if self.is_current(name) else self.why_stale(name)}
                for name, stage in self.graph.items()]


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
