"""Putting a run's results on the book's pages: numbers, figures, the reference run and the run card.

The chapters glue values into their prose (``{glue:text}`name```) and figures into captioned
``glue:figure`` blocks. These helpers keep that uniform:

* :func:`open_chapter` is every chapter's first cell: it checks the papermill parameters and
  opens the run;
* :func:`glue_numbers` glues plain Python numbers, rounded for people (a numpy scalar would
  print with its type name wrapped around the number);
* :func:`glue_figure` glues a figure at print resolution and closes it, so that it appears once,
  in its captioned block, and not a second time as the cell's output;
* :func:`matching_reference` finds the committed reference run of this CPU setting
  (``reference/<profile>/``, ``reference/<profile>-avx2/``, ...) and :func:`reference_value`
  reads it, so a chapter can set "this run" beside "the reference run";
* the run card's data (commit, machine, seconds per stage, training speed) comes from
  :mod:`s1kit.reference`, which writes the same into every reference run;
* :func:`verdicts` puts a chapter's verdicts on the page, except in a rehearsal (toy stand-in
  weights, :func:`rehearsal_note`), whose numbers say nothing about the paper.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

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


REHEARSAL_NOTE = ("Rehearsal: this run's weights are toy stand-ins, so its numbers test only that the pipeline "
                  "runs; no verdict about the paper is drawn from them.")


def rehearsal_note(run) -> str | None:
    """The sentence that stands in for a verdict in a rehearsal (``profile.rehearsal``); None in a real run."""
    return REHEARSAL_NOTE if run.profile.rehearsal else None


def verdicts(run, lines: Sequence[str]):
    """A chapter's verdicts as a Markdown list; in a rehearsal, only :func:`rehearsal_note` instead."""
    from IPython.display import Markdown

    note = rehearsal_note(run)
    return Markdown(note if note else "\n".join(f"- {line}" for line in lines))


def reference_dir(profile: str) -> Path:
    """Where the committed reference run of ``profile`` lives by default (``reference/<profile>/``)."""
    return REFERENCE / profile


def reference_runs(profile: str) -> list[Path]:
    """Every committed reference of ``profile``: ``reference/<profile>/`` and ``reference/<profile>-<setting>/``.

    A profile has one reference per CPU setting it was measured on (``tiny``: this project's
    machine; ``tiny-avx2``: the same with oneDNN limited to AVX2, as a laptop without native
    bf16), each with its run card (``run.json``).
    """
    found = [REFERENCE / profile] + sorted(REFERENCE.glob(f"{profile}-*"))
    return [d for d in found if (d / "run.json").exists() and (d / "results" / "summary.json").exists()]


def _setting(card: dict) -> tuple[str | None, str | None]:
    return card.get("machine", {}).get("cpu"), card.get("precision")


def _seed(card: dict) -> int:
    return card.get("seed", 0)  # cards written before seeds were recorded were all seed 0


def matching_reference(profile) -> tuple[Path | None, str]:
    """The committed reference made on this kind of CPU in this run's training precision, and a sentence saying so.

    ``profile`` is a :class:`s1kit.config.Profile`. With no reference of this CPU setting, the
    path is ``None`` and the sentence lists the settings that do have one: a laptop of another
    kind gets a run that need not match any reference number for number.
    """
    from s1kit.hardware import cpu_kind
    from s1kit.training import precision_name

    here = (cpu_kind(), precision_name(profile.sft.train))
    runs = reference_runs(profile.name)
    cards = {d: json.loads((d / "run.json").read_text()) for d in runs}
    for directory, card in cards.items():
        if _setting(card) == here and _seed(card) == profile.seed:
            return directory, (f"reference run: {directory.relative_to(REPO).as_posix()}/, made on this kind of CPU "
                               f"({here[0]}) with {here[1]} training, as this run")
    known = "; ".join(f"{d.relative_to(REPO).as_posix()}/ ({c[0] or 'CPU not recorded'}, {c[1] or 'precision not recorded'})"
                      for d, c in ((d, _setting(card)) for d, card in cards.items())) or "none"
    return None, (f"no reference run matches this CPU setting ({here[0]}, {here[1]} training); "
                  f"committed references: {known}. A run on this CPU need not match any of them number for number")


def reference_value(profile: str, *keys: str, directory: Path | None = None) -> Any:
    """One value of a committed reference run's ``summary.json`` (e.g. ``"base_model_accuracy"``).

    ``directory`` picks one reference (:func:`matching_reference`); the default is
    ``reference/<profile>/``. Raises ``FileNotFoundError`` naming the folder when it has none.
    """
    path = (directory or reference_dir(profile)) / "results" / "summary.json"
    if not path.exists():
        raise FileNotFoundError(f"profile {profile!r} has no committed reference run ({path} is missing)")
    value = json.loads(path.read_text())
    for key in keys:
        value = value[key]
    return value


def reference_comparison(profile, summary: Summary, cap_k: int):
    """This run's headline numbers beside the committed reference run of its CPU setting (a table, in %).

    ``profile`` is the run's :class:`s1kit.config.Profile`. With no reference of this CPU setting
    (:func:`matching_reference`), or none at all (a GPU profile), a one-line table says so instead.
    """
    import pandas as pd

    from s1kit.report.scaling import headline
    from s1kit.report.summary import Summary

    rows = {"base model, answering directly": "base", "SFT model, no forcing (k=0)": "k0",
            "SFT model, best k (dev split)": "best_k_acc", "smallest cap": "smallest_cap_acc"}
    ours = headline(summary, cap_k)
    directory, sentence = matching_reference(profile)
    if directory is None:
        return pd.DataFrame({"reference run": [sentence]}, index=["note"])
    reference = headline(Summary.from_json(reference_value(profile.name, directory=directory)), cap_k)
    table = pd.DataFrame({"this run (%)": {label: ours[key] for label, key in rows.items()},
                          "reference run (%)": {label: reference[key] for label, key in rows.items()}})
    table["same"] = table["this run (%)"].round(6) == table["reference run (%)"].round(6)
    return table.round(1)
