"""Stage bookkeeping: a stage graph, cache keys that know the code, locks, and atomic publishing.

A *stage* (:class:`Stage`) is one step of the study: it names the stages it needs, the
settings it reads from the profile, its compute function and the directory it writes. Each
stage is declared in its own module of ``s1kit.experiments``; the graph, its order, the CLI's
``stage`` command and the timings table all come from there.

**Keys.** A stage's cache key hashes (a) its resolved settings, (b) a fingerprint of the code
it runs: the module that holds its compute function and every s1kit module that module
reaches through imports (function-local ones included), each hashed as code (its syntax tree
without docstrings, so a comment or docstring edit changes no key), plus the versions of
torch/transformers/trl/datasets, and (c) the keys of the stages it needs. Two kinds of module
never enter a key: this module (it decides *whether* a stage runs, not *what* it computes), and
the tiny world (``s1kit.tiny``) in profiles that do not run it, so that a new tiny teacher
never reruns a 32B fine-tune.

**Records.** A finished stage writes ``stage.json``: the key, the settings, the code
fingerprint module by module, the upstream keys and publications, every output file with its
size (and a hash when it is small), when it was computed and how long it took. A stage is
reused only when its key matches, its outputs are whole, and every stage it needs is itself
reusable and is the publication it was computed from; otherwise the log says why ("code
changed (s1kit.tiny.world)", "outputs changed: model.safetensors missing", "record unreadable").

**Publishing.** A stage computes into ``<dir>.partial-<pid>`` and is renamed into place only
when it finished, with ``stage.json`` written last. An interrupted stage (Ctrl-C, a crash, a
SIGKILL) leaves at most a partial directory, which no later run trusts.

**Locks.** Several processes may share a run directory (``make reproduce`` while a chapter runs
in Jupyter, two terminals). Each stage is computed under a lock (``filelock``) beside its
directory: a second process waits, says so, and checks the key again once it holds the lock,
reusing the other's result or recomputing if its own settings or code differ. Only the holder of
the lock cleans partial directories, so none of a live process is removed; a dead process
released its lock with its life, and its partial directory is cleaned.

**Several processes** (``accelerate launch -m s1kit stage sft``). Only the main process (rank 0)
computes the stages upstream of the launched one, each in a single-process child run (a
trainer inside the launch would wait for ranks that are not training); the other ranks wait
for their records. A stage marked ``all_ranks`` (SFT under FSDP) is computed by every rank into
one shared partial directory named by its key, and published by the main process alone.

Layout of ``runs/<profile>/``::

    data/                 pool, held-out test and dev sets (JSON lines)
    traces/, difficulty/, s1k/   teacher traces, base-model verdicts, the selection
    models/base, models/sft
    results/              sweeps, summary.json
    experiments/<name>/   the paper's other experiments (Tables 2-4, Figure 4b)
    worlds/<world>/       chapter 7's contrast worlds (the tiny world only)
    cache/                answers of LLM services (domain labels), kept across interruptions
    .launch/              the profile handed to single-process child runs of a launch
    timings.json          seconds per stage, notebook and book build of the last run
    notebooks/            executed notebooks
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

from filelock import FileLock, Timeout

from s1kit.hardware import cpu_kind
from s1kit.jsonio import write_json

if TYPE_CHECKING:
    from s1kit.config import Profile

log = logging.getLogger("s1kit")
T = TypeVar("T")

MARKER = "stage.json"
PACKAGE = "s1kit"
# Libraries whose version can change a stage's numbers; recorded in, and part of, every key.
LIBRARIES = ("torch", "transformers", "trl", "datasets", "tokenizers")
# Code that never enters a key: the bookkeeping (it decides whether a stage runs, not what it computes).
UNHASHED = frozenset({f"{PACKAGE}.stages"})
TINY_WORLD = f"{PACKAGE}.tiny"
# Outputs up to this size are hashed in the record, larger ones (model weights) checked by size.
HASHED_OUTPUT_BYTES = 1 << 20
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stage:
    """One node of the stage graph.

    ``settings(profile)`` returns exactly the profile values the stage's result depends on (not
    batch sizes or thread counts). ``compute(run, out)`` writes the stage's files into the
    directory ``out``; the module that defines it, and whatever that module imports, is the
    stage's code. ``reference`` names the small results among its files that a committed
    reference keeps (``s1kit.reference``); every file it writes is listed in its record.
    """

    name: str
    directory: str  # relative to runs/<profile>/
    needs: tuple[str, ...]
    settings: Callable[[Profile], dict]
    compute: Callable[[RunDir, Path], None]
    reference: tuple[str, ...] = ()
    all_ranks: bool = False  # computed by every process of a distributed launch (training), not rank 0 alone
    # whether an all-ranks stage trains anything for a profile (a released checkpoint, a disabled
    # experiment: no launch needed); None: it always does
    trains: Callable[[Profile], bool] | None = None

    def launched(self, profile: Profile) -> bool:
        """True when this stage trains on every process of the profile's launch."""
        return self.all_ranks and (self.trains is None or self.trains(profile))

    @property
    def module(self) -> str:
        return self.compute.__module__


def _launch_id() -> str:
    """What every process of one distributed launch shares, and another launch running now does not."""
    return ":".join(os.environ.get(k, "") for k in ("MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID"))


def _process_started() -> float:
    """When this process was created (seconds since the epoch)."""
    import psutil  # a dependency of accelerate, which every distributed launch goes through

    return psutil.Process().create_time()


def _poll(ready: Callable[[], T | None], failure: str, poll_s: float) -> T:
    """``ready()``'s first answer that is not None, asked every ``poll_s`` seconds for up to ``STAGE_WAIT_S``."""
    waited = 0.0
    while (answer := ready()) is None:
        if waited > STAGE_WAIT_S:
            raise TimeoutError(f"rank {process_rank()[0]}: {failure} within {STAGE_WAIT_S:.0f}s")
        time.sleep(poll_s)
        waited += poll_s
    return answer


def _how_it_ran(engines: list[dict]) -> dict:
    """How a stage ran, for its record: launcher, processes, device, and the engines that decoded for it."""
    import torch

    from s1kit.launch import launcher_name

    device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"cpu ({cpu_kind()})"
    return {"launcher": launcher_name(), "processes": process_rank()[1], "device": device, "engines": engines}


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


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (a type-only import runs no code)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


@cache
def _imported_modules(module: str) -> frozenset[str]:
    """The s1kit modules that ``module`` imports anywhere in its source (function-local imports too)."""
    source = _module_file(module)
    if source is None:
        raise ValueError(f"stage code names module {module!r}, which is not an s1kit module")
    found = set()
    for node in runtime_nodes(ast.parse(source.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == PACKAGE:
            for alias in node.names:  # `from s1kit import pipeline` names a module; `from s1kit.x import f` does not
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _module_file(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
    found.discard(module)
    found.discard(PACKAGE)
    return frozenset(found)


def module_closure(modules: Iterable[str], tiny_world: bool = True) -> list[str]:
    """``modules`` and every s1kit module they import, transitively, sorted.

    Left out: ``UNHASHED`` (bookkeeping), and with ``tiny_world=False`` the tiny world's modules,
    which a profile that does not run the tiny world never executes.
    """
    seen, todo = set(), list(modules)
    while todo:
        module = todo.pop()
        if module in seen or module in UNHASHED:
            continue
        if not tiny_world and (module == TINY_WORLD or module.startswith(TINY_WORLD + ".")):
            continue
        seen.add(module)
        todo.extend(_imported_modules(module))
    return sorted(seen)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _without_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


@cache
def code_hash(module: str) -> str:
    """A hash of a module's code, not its formatting: comments, docstrings and layout do not count."""
    tree = _without_docstrings(ast.parse(_module_file(module).read_text()))
    return _sha(ast.dump(tree, include_attributes=False).encode())


def code_fingerprint(stage: Stage, profile: Profile) -> dict[str, str]:
    """Hash of every piece of code a stage runs: its module and what that reaches, and its libraries."""
    fingerprint = {module: code_hash(module) for module in module_closure([stage.module], profile.runs_tiny_world)}
    fingerprint["python"] = f"{sys.version_info.major}.{sys.version_info.minor}"  # the syntax trees' format
    for library in LIBRARIES:
        try:
            fingerprint[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            fingerprint[library] = "absent"
    return fingerprint


# -- outputs ------------------------------------------------------------------------------------
def output_record(directory: Path) -> dict[str, dict]:
    """Every file a stage wrote (its record aside): size, and a hash when the file is small."""
    out = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name == MARKER:
            continue
        size = path.stat().st_size
        out[name] = {"bytes": size, **({"sha256": _sha(path.read_bytes())} if size <= HASHED_OUTPUT_BYTES else {})}
    return out


def damaged_outputs(directory: Path, recorded: dict[str, dict]) -> list[str]:
    """What is missing or changed among the outputs a record lists."""
    problems = []
    for name, expected in recorded.items():
        path = directory / name
        try:
            if path.stat().st_size != expected["bytes"]:
                problems.append(f"{name} changed size")
            elif "sha256" in expected and _sha(path.read_bytes()) != expected["sha256"]:
                problems.append(f"{name} changed")
        except OSError:  # absent, or removed while being read (another process republishing the stage)
            problems.append(f"{name} missing")
    return problems


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
        # made current by this process, with the publication it found or made: while that is still the
        # one on disk, no second check and no second log line
        self._ensured: dict[str, str | None] = {}

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def stage_dir(self, name: str) -> Path:
        if name in self.shared:
            return self.shared[name].stage_dir(name)
        return self.root / self.graph[name].directory

    def _read_marker(self, name: str) -> tuple[dict | None, str | None]:
        """The stage's record, or why there is none that can be trusted."""
        marker = self.stage_dir(name) / MARKER
        if not marker.exists():
            return None, "never computed" if not self.stage_dir(name).exists() else "no finished record"
        try:
            data = json.loads(marker.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return None, f"record unreadable ({MARKER}: {error})"
        if not isinstance(data, dict) or not isinstance(data.get("key"), str):
            return None, f"record unreadable ({MARKER} holds no key)"
        outputs = data.get("outputs", {})
        if not isinstance(outputs, dict) or not all(isinstance(v, dict) and isinstance(v.get("bytes"), int)
                                                    for v in outputs.values()):
            return None, f"record unreadable ({MARKER} lists its outputs wrongly)"
        return data, None

    def marker(self, name: str) -> dict | None:
        return self._read_marker(name)[0]

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

    def stale_reason(self, name: str, _checked: dict[str, str | None] | None = None) -> str | None:
        """None when the stage can be reused as it is on disk; otherwise why it must be (re)computed.

        Recursive: a stage is reusable only if every stage it needs is, and is still the
        publication it was computed from. ``_checked`` memoises the answers of one call.
        """
        if name in self.shared:
            return self.shared[name].stale_reason(name)
        checked = {} if _checked is None else _checked
        if name not in checked:
            checked[name] = self._stale_reason(name, checked)
        return checked[name]

    def _stale_reason(self, name: str, checked: dict[str, str | None]) -> str | None:
        if self._still_ensured(name):
            return None
        marker, problem = self._read_marker(name)
        if problem:
            return problem
        if "outputs" not in marker:
            return "its record predates output checks"
        if marker["key"] != self.key(name):
            return self._key_change(marker, name)
        damaged = damaged_outputs(self.stage_dir(name), marker["outputs"])
        if damaged:
            return f"outputs changed: {', '.join(damaged)}"
        for need in self.graph[name].needs:
            if self.stale_reason(need, checked) is not None:
                return f"upstream {need} must be recomputed"
            if marker.get("publications", {}).get(need) != self._publication(need):
                return f"upstream changed ({need} was recomputed since)"
        return None

    def is_current(self, name: str) -> bool:
        return self.stale_reason(name) is None

    def why_stale(self, name: str) -> str:
        """A short reason why a stage must be (re)computed ("current" when it need not be)."""
        return self.stale_reason(name) or "current"

    def _key_change(self, marker: dict, name: str) -> str:
        now = self.record(name)
        if "settings" not in marker or "code" not in marker:
            return "its record predates code-aware keys"
        reasons = []
        if marker["settings"] != now["settings"]:
            changed = sorted(k for k in set(marker["settings"]) | set(now["settings"])
                             if marker["settings"].get(k) != now["settings"].get(k))
            reasons.append(f"settings changed ({', '.join(changed)})")
        changed = sorted(k for k in set(marker["code"]) | set(now["code"]) if marker["code"].get(k) != now["code"].get(k))
        if changed:
            reasons.append(f"code changed ({', '.join(changed)})")
        upstream = sorted(k for k, v in now["upstream"].items() if marker.get("upstream", {}).get(k) != v)
        if upstream:
            reasons.append(f"upstream changed ({', '.join(upstream)})")
        return "; ".join(reasons) or "key changed"

    def _still_ensured(self, name: str) -> bool:
        """Made current by this process, and no other process has republished it since."""
        return name in self._ensured and self._ensured[name] == self._publication(name)

    def _publication(self, name: str) -> str | None:
        """The id of a stage's current publication: it changes each time the stage is recomputed."""
        marker = self.marker(name)
        return marker.get("publication") if marker else None

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold the stage's lock (``.<dir>.lock`` beside its directory), saying so when another process has it."""
        final = self.stage_dir(name)
        final.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(final.parent / f".{final.name}.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.info("stage %s: another process is computing it; waiting for it to finish", name)
            lock.acquire()
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def publishing(self, name: str, ready: Callable[[], None] | None = None) -> Iterator[Path]:
        """Compute into a partial dir; publish it atomically, ``stage.json`` last, only if the body finishes.

        Called with the stage's lock held, so every other partial dir of the stage belongs to a
        dead process and is removed. In a distributed launch the partial dir is named by the
        stage's key, so that every rank computes into the same one; only the main process
        cleans, publishes and writes the record; ``ready`` is called once the partial dir is
        clean and in place, before the computation starts.
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
        if ready:
            ready()
        read_from = {need: self._publication(need) for need in self.graph[name].needs}
        from s1kit import engines  # the engines built while the stage computes go into its record

        engines_before, open_before = len(engines.LOADED), engines.open_engines()
        start = time.perf_counter()
        try:
            yield work
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            log.info("stage %s: interrupted; nothing published", name)
            raise
        finally:
            engines.close_engines_since(open_before)  # the stage's own engines: the next stage's need the memory
        seconds = round(time.perf_counter() - start, 1)
        republished = sorted(need for need, publication in read_from.items() if self._publication(need) != publication)
        if republished:  # its inputs changed under it: what it computed matches neither version
            shutil.rmtree(work, ignore_errors=True)
            raise RuntimeError(f"stage {name}: {', '.join(republished)} was recomputed by another process while "
                               f"{name} ran; nothing published, run again")
        outputs = output_record(work)
        if final.exists():
            shutil.rmtree(final)
        os.replace(work, final)
        record = dict(self.record(name), key=self.key(name), seconds=seconds, outputs=outputs,
                      publication=uuid.uuid4().hex[:16],
                      publications=read_from,
                      # where it ran: bf16 numerics differ between CPU kinds (the training
                      # precision a CPU gets is in the settings, so it is part of the key)
                      computed_on=cpu_kind(),
                      ran=_how_it_ran(engines.LOADED[engines_before:]),
                      computed_at=datetime.datetime.now().isoformat(sep=" ", timespec="seconds"))
        write_json(final / MARKER, record)
        log.info("stage %s: done in %.1fs", name, seconds)

    def ensure(self, name: str) -> Path:
        """Make stage ``name`` current (its needs first), computing only what changed; return its directory."""
        if name in self.shared:
            return self.shared[name].ensure(name)
        if self._still_ensured(name):
            return self.stage_dir(name)
        stage = self.graph[name]
        if self._reuse(name):
            return self.stage_dir(name)
        rank, world = process_rank()
        if world > 1 and not stage.all_ranks:  # one child run computes it with everything it needs
            if rank == 0:
                self._compute_in_single_process(name)
            self._wait_for(name)
            self._ensured[name] = self._publication(name)
            return self.stage_dir(name)
        for need in stage.needs:
            self.ensure(need)
        if world == 1:
            with self.lock(name):
                if not self._reuse(name, after_wait=True):  # another process may have computed it meanwhile
                    self._compute(name)
        elif rank == 0:  # decides for the launch, under the lock, and publishes
            with self.lock(name):
                if self._reuse(name, after_wait=True):
                    self._announce(name, "reuse")
                else:
                    self._compute(name, ready=lambda: self._announce(name, "compute"))
        else:  # computes alongside the main process once it says so, and returns when it published
            if self._decision(name) == "compute":
                self._compute(name)
            self._wait_for(name)
        self._ensured[name] = self._publication(name)
        return self.stage_dir(name)

    def _reuse(self, name: str, after_wait: bool = False) -> bool:
        if not self.is_current(name):
            return False
        marker = self.marker(name)
        log.info("stage %s: reused, computed %s in %ss (key %s)%s", name, marker.get("computed_at", "?"),
                 marker.get("seconds", "?"), marker["key"], " by another process" if after_wait else "")
        self._ensured[name] = marker.get("publication")
        return True

    def _compute(self, name: str, ready: Callable[[], None] | None = None) -> None:
        if self.graph[name].launched(self.profile):
            from s1kit.launch import require_launcher

            require_launcher(self, name)  # a fine-tune the profile runs on several processes is never run on one
        log.info("stage %s: computing (%s)", name, self.why_stale(name))
        with self.publishing(name, ready) as out:
            self.graph[name].compute(self, out)

    # -- an all-ranks stage in a distributed launch: the main process decides, the others follow --
    def _decision_file(self, name: str) -> Path:
        final = self.stage_dir(name)
        return final.parent / f".{final.name}.decision"

    def _announce(self, name: str, action: str) -> None:
        write_json(self._decision_file(name), {"launch": _launch_id(), "action": action, "time": time.time()})

    def _decision(self, name: str, poll_s: float = 0.5) -> str:
        """What the main process decided for this launch: "compute" or "reuse" (waits for it).

        A decision counts only if this launch wrote it after this process started, so a decision
        file left by an earlier launch (killed mid-training, on the same port) is never followed.
        """
        started = _process_started()

        def decided() -> str | None:
            try:
                decision = json.loads(self._decision_file(name).read_text())
                if decision.get("launch") == _launch_id() and decision.get("time", 0) >= started:
                    return decision["action"]
            except (OSError, json.JSONDecodeError):
                pass
            return "reuse" if self.is_current(name) else None  # found current before the main process locked it

        return _poll(decided, f"no decision on stage {name} from the main process", poll_s)

    def _compute_in_single_process(self, name: str) -> None:
        """Run ``stage name`` (and what it needs) in a child process outside the distributed launch."""
        import subprocess
        import sys

        from s1kit.config import write_profile

        recipe = write_profile(self.profile, self.root / ".launch" / "profile.yaml")
        from s1kit.launch import outside_any_launch

        env = outside_any_launch()
        log.info("stage %s: computing in a single-process run (distributed launch, rank 0)", name)
        subprocess.run([sys.executable, "-m", PACKAGE, "stage", name, "--profile", str(recipe),
                        "--runs", str(self.runs_root)], env=env, check=True)

    def _wait_for(self, name: str, poll_s: float = 1.0) -> None:
        _poll(lambda: self.is_current(name) or None, f"stage {name} was not published by the main process", poll_s)

    def plan(self) -> list[dict]:
        """Every stage in order with whether a run would reuse it, and why not."""
        rows, checked = [], {}  # one check per stage, however many stages need it
        for name, stage in self.graph.items():
            reason = self.stale_reason(name, checked)
            rows.append({"stage": name, "needs": list(stage.needs), "directory": str(self.stage_dir(name)),
                         "current": reason is None, "why": reason or ""})
        return rows
