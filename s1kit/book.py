"""Putting a run's results on the book's pages: numbers, figures, the reference run and the run card.

The chapters glue values into their prose (``{glue:text}`name```) and figures into captioned
``glue:figure`` blocks. These helpers keep that uniform:

* :func:`glue_numbers` glues plain Python numbers, rounded for people (a numpy scalar would
  print with its type name wrapped around the number);
* :func:`glue_figure` glues a figure at print resolution and closes it, so that it appears once,
  in its captioned block, and not a second time as the cell's output;
* :func:`reference_value` reads the committed reference run (``reference/<profile>/``), so a
  chapter can set "this run" beside "the reference run";
* :func:`stage_times`, :func:`training_speeds`, :func:`git_commit` and :func:`machine` fill the
  run card: which commit, machine and times produced the book.
"""

from __future__ import annotations

import json
import numbers
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"
DPI = 150  # figures in the book: sharp on a high-density screen, still small files


def plain(value: Any, digits: int = 1) -> Any:
    """``value`` as a plain Python number for people: floats rounded to ``digits``, ints as ints."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return round(float(value), digits)
    raise TypeError(f"cannot glue {type(value).__name__} {value!r} as a number")


def glue_numbers(values: dict[str, Any], digits: int = 1) -> None:
    """Glue every ``name: value`` of ``values`` for ``{glue:text}`` in the prose, as plain numbers."""
    from myst_nb import glue

    for name, value in values.items():
        glue(name, plain(value, digits), display=False)


def glue_figure(name: str, fig) -> None:
    """Glue ``fig`` at ``DPI`` (150) dots per inch for a ``glue:figure`` block and close it (it is shown there, once)."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    fig.set_dpi(DPI)
    glue(name, fig, display=False)
    plt.close(fig)


def reference_dir(profile: str) -> Path:
    """Where the committed reference run of ``profile`` lives (``reference/<profile>/``)."""
    return REFERENCE / profile


def reference_value(profile: str, *keys: str) -> Any:
    """One value of the committed reference run's ``summary.json`` (e.g. ``"base_model_accuracy"``).

    Raises ``FileNotFoundError`` naming the folder when the profile has no committed reference.
    """
    path = reference_dir(profile) / "results" / "summary.json"
    if not path.exists():
        raise FileNotFoundError(f"profile {profile!r} has no committed reference run ({path} is missing)")
    value = json.loads(path.read_text())
    for key in keys:
        value = value[key]
    return value


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
    """The machine in words: processor, cores, memory, Python and torch versions."""
    import torch

    memory = None
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return {"processor": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "memory_gib": memory, "python": platform.python_version(), "torch": torch.__version__,
            "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}


def reference_comparison(profile_name: str, summary: dict, cap_k: int):
    """This run's headline numbers beside the committed reference run's (a table, in %).

    A profile without a committed reference gets a one-line table saying so, so that a chapter
    built from a GPU profile states it instead of failing.
    """
    import pandas as pd

    from s1kit.analysis import headline

    rows = {"base model, answering directly": "base", "SFT model, no forcing (k=0)": "k0",
            "SFT model, best k (dev split)": "best_k_acc", "smallest cap": "smallest_cap_acc"}
    ours = headline(summary, cap_k)
    try:
        reference = headline(reference_value(profile_name), cap_k)
    except FileNotFoundError as error:
        return pd.DataFrame({"reference run": [str(error)]}, index=["note"])
    table = pd.DataFrame({"this run (%)": {label: ours[key] for label, key in rows.items()},
                          "reference run (%)": {label: reference[key] for label, key in rows.items()}})
    table["same"] = table["this run (%)"].round(6) == table["reference run (%)"].round(6)
    return table.round(1)


def stage_times(run, pipeline):
    """Seconds per computed stage, the main world's and each contrast world's (from ``stage.json``)."""
    import pandas as pd

    rows = [{"world": "main", "stage": stage, "seconds": seconds} for stage, seconds in pipeline.timings(run).items()]
    for world in pipeline.WORLDS:
        variant = pipeline.world_variant(run, world)
        rows += [{"world": world, "stage": stage, "seconds": seconds}
                 for stage, seconds in pipeline.timings(variant).items() if stage not in variant.shared]
    return pd.DataFrame(rows, columns=["world", "stage", "seconds"])


def training_speeds(run, pipeline):
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
             "tokens/s": round(r["tokens_per_s"])} for name, r in reports.items()]
    return pd.DataFrame(rows, columns=["training", "steps", "tokens", "seconds", "tokens/s"])
