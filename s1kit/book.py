"""Putting a run's results on the book's pages: numbers, figures, the reference run and the run card.

The chapters glue values into their prose (``{glue:text}`name```) and figures into captioned
``glue:figure`` blocks. These helpers keep that uniform:

* :func:`open_chapter` is every chapter's first cell: it checks the papermill parameters and
  opens the run;
* :func:`glue_numbers` glues plain Python numbers, rounded for people (a numpy scalar would
  print with its type name wrapped around the number);
* :func:`glue_figure` glues a figure at print resolution and closes it, so that it appears once,
  in its captioned block, and not a second time as the cell's output;
* :func:`reference_value` reads the committed reference run (``reference/<profile>/``), so a
  chapter can set "this run" beside "the reference run";
* the run card's data (commit, machine, seconds per stage, training speed) comes from
  :mod:`s1kit.reference`, which writes the same into every reference run.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from s1kit.report.summary import Summary

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "reference"
DPI = 150  # figures in the book: sharp on a high-density screen, still small files


def open_chapter(profile: str, runs_root: str):
    """The run a chapter reads (:func:`s1kit.pipeline.open_run`), after refusing parameters of the wrong type.

    Papermill passes whatever it is given, so a chapter run with ``-p profile 3`` stops here with
    a clear message instead of failing somewhere in a stage.
    """
    from s1kit import pipeline
    from s1kit.config import check_parameters

    check_parameters({"profile": profile, "runs_root": runs_root}, {"profile": str, "runs_root": str})
    return pipeline.open_run(profile, runs_root)


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


def reference_comparison(profile_name: str, summary: Summary, cap_k: int):
    """This run's headline numbers beside the committed reference run's (a table, in %).

    A profile without a committed reference gets a one-line table saying so, so that a chapter
    built from a GPU profile states it instead of failing.
    """
    import pandas as pd

    from s1kit.report.scaling import headline
    from s1kit.report.summary import Summary

    rows = {"base model, answering directly": "base", "SFT model, no forcing (k=0)": "k0",
            "SFT model, best k (dev split)": "best_k_acc", "smallest cap": "smallest_cap_acc"}
    ours = headline(summary, cap_k)
    try:
        reference = headline(Summary.from_json(reference_value(profile_name)), cap_k)
    except FileNotFoundError as error:
        return pd.DataFrame({"reference run": [str(error)]}, index=["note"])
    table = pd.DataFrame({"this run (%)": {label: ours[key] for label, key in rows.items()},
                          "reference run (%)": {label: reference[key] for label, key in rows.items()}})
    table["same"] = table["this run (%)"].round(6) == table["reference run (%)"].round(6)
    return table.round(1)


def reference_machines(profile_name: str) -> str:
    """Which CPU the committed reference ran on and which this run uses (bf16 numerics differ between kinds)."""
    from s1kit.reference import cpu_kind

    card = reference_dir(profile_name) / "run.json"
    made_on = (json.loads(card.read_text())["machine"].get("cpu", "a CPU it did not record") if card.exists()
               else "no committed reference")
    return f"reference run: {made_on}; this run: {cpu_kind()}"
