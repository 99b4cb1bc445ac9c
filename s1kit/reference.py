"""A run's small results as a committed reference (``reference/<profile>/``), and the check against it.

A reference holds what a reader or a test compares a fresh run with: the results contract
(``results/summary.json``), every experiment's results, the selection funnel and the training
loss curves (the data behind the book's figures), for the main world and each contrast world;
no models, no generations. Times are written apart, to ``run.json`` with the commit and the
machine, and taken out of the other files, so that two runs of the same profile on the same
kind of machine give byte-identical reference files.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any

from s1kit import pipeline
from s1kit.experiments import GRAPH
from s1kit.hardware import cpu_kind
from s1kit.training import precision_name

REPO = Path(__file__).resolve().parent.parent

# relative to a run's directory (runs/<profile>/ or one of its worlds): each stage's small results
RESULT_FILES = tuple(f"{stage.directory}/{name}" for stage in GRAPH.values() for name in stage.reference)
# wall-clock quantities: they differ from run to run and live in run.json instead
VOLATILE_KEYS = frozenset({"wall_s", "tokens_per_s", "train_seconds", "elapsed_s", "seconds", "computed_at"})


def without_times(value: Any) -> Any:
    """``value`` with every wall-clock entry (``VOLATILE_KEYS``) removed, recursively."""
    if isinstance(value, dict):
        return {k: without_times(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def result_files(run_root: Path) -> dict[str, Path]:
    """The reference files a finished run has: ``{name in the reference: source path}``."""
    found = {}
    for world_root, prefix in [(run_root, "")] + [(w, f"worlds/{w.name}/") for w in sorted((run_root / "worlds").glob("*"))]:
        for name in RESULT_FILES:
            if (world_root / name).exists():
                found[prefix + name] = world_root / name
    return found


def write_reference(run, destination: Path) -> list[str]:
    """Write ``run``'s reference into ``destination`` (replacing it); return the files written.

    Refuses a run whose results contract (``results/summary.json``) is missing: a reference
    of a run that did not finish would hide the failure.
    """
    files = result_files(run.root)
    if "results/summary.json" not in files:
        raise FileNotFoundError(f"{run.root}/results/summary.json is missing: finish the run before writing "
                                f"its reference (make reproduce PROFILE={run.profile.name})")
    if destination.exists():
        shutil.rmtree(destination)
    for name, source in files.items():
        _write(destination / name, without_times(json.loads(source.read_text())))
    card = {"profile": run.profile.name, "seed": run.profile.seed, "commit": git_commit(), "date": datetime.date.today().isoformat(),
            "machine": machine(), "precision": precision_name(run.profile.sft.train),
            "stage_seconds": stage_times(run).to_dict(orient="records"),
            "training": training_speeds(run).to_dict(orient="records")}
    _write(destination / "run.json", card)
    return sorted(files)


def differences(destination: Path, reference: Path) -> list[str]:
    """Files that differ between two references (``run.json`` aside: it holds times and the machine)."""
    names = {p.relative_to(d).as_posix() for d in (destination, reference) for p in d.rglob("*.json")}
    names.discard("run.json")
    out = []
    for name in sorted(names):
        a, b = destination / name, reference / name
        if not a.exists() or not b.exists():
            out.append(f"{name}: only in {'the reference' if b.exists() else 'this run'}")
        elif a.read_text() != b.read_text():
            out.append(f"{name}: differs")
    return out


# -- the run card: where and how fast a run ran -----------------------------------------------
def git_commit() -> str:
    """The repository's commit (with ``+changes`` when the work tree differs from it), or ``unknown``."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+changes" if dirty else "")


def machine() -> dict[str, Any]:
    """The machine in words: processor and its numeric features, cores, memory, Python and torch versions."""
    import torch

    memory = None
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return {"cpu": cpu_kind(), "cores": os.cpu_count(), "memory_gib": memory, "python": platform.python_version(),
            "torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def stage_times(run):
    """Seconds per computed stage, the main world's and each contrast world's (from ``stage.json``)."""
    import pandas as pd

    rows = [{"world": "main", "stage": stage, "seconds": seconds} for stage, seconds in pipeline.timings(run).items()]
    for world in pipeline.WORLDS:
        variant = pipeline.world_variant(run, world)
        rows += [{"world": world, "stage": stage, "seconds": seconds}
                 for stage, seconds in pipeline.timings(variant).items() if stage not in variant.shared]
    return pd.DataFrame(rows, columns=["world", "stage", "seconds"])


def training_speeds(run):
    """Steps, tokens and tokens/s of every training this run did (base model, SFT, variants)."""
    import pandas as pd

    reports = {}
    for name in ("base_model", "sft"):
        path = run.stage_dir(name) / "train_report.json"
        if path.exists():
            reports[name] = json.loads(path.read_text())
    for world in pipeline.WORLDS:
        path = pipeline.world_variant(run, world).stage_dir("sft") / "train_report.json"
        if path.exists():
            reports[f"sft ({world})"] = json.loads(path.read_text())
    rows = [{"training": name, "steps": r["steps"], "tokens": r["train_tokens"], "seconds": r["wall_s"],
             "tokens/s": round(r["tokens_per_s"]), "precision": r.get("precision", "not recorded")}
            for name, r in reports.items()]
    return pd.DataFrame(rows, columns=["training", "steps", "tokens", "seconds", "tokens/s", "precision"])
