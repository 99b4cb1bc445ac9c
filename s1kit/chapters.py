"""Executing the chapters: every numbered notebook in ``notebooks/`` with papermill, after the stages.

A chapter whose source, profile and package are unchanged since its last execution is reused
(its stamp); an executed notebook takes its final name only once every cell ran.

**One chapter, two scales.** A cell tagged ``tiny-world`` is about the generated world (its
running sums, its teacher, its contrast worlds) and is left out of a chapter run on Hub data; a
cell tagged ``paper-scale`` is left out of a tiny-world run (:func:`cells_for`). Every other cell
runs at both scales.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from s1kit import pipeline
from s1kit.config import load_profile

log = logging.getLogger("s1kit")
REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


def notebook_sources() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def _stamp(source: Path, profile_spec: str) -> str:
    """What an executed notebook depends on: its source, the profile, the package and the recipes."""
    digest = hashlib.sha256(source.read_bytes() + profile_spec.encode())
    paths = sorted((REPO / "s1kit").rglob("*"))
    if Path(profile_spec).suffix in (".yaml", ".yml"):
        paths.append(Path(profile_spec))
    for path in paths:
        if path.suffix in (".py", ".yaml", ".yml"):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def portable(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (no machine paths in the book)."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def compute_stages(profile, runs: Path) -> None:
    """Make every stage current, the contrast worlds' included, in this one process.

    The notebooks then only read finished stages, so they can run side by side without two
    kernels computing the same stage.
    """
    run = pipeline.open_run(profile, runs)
    for name in pipeline.STAGES:
        run.ensure(name)
    for world in run.profile.contrast_worlds:
        pipeline.world_variant(run, world).ensure("evaluation")


SCALE_TAGS = ("tiny-world", "paper-scale")


def cells_for(notebook, tiny_world: bool):
    """The chapter's cells for one scale: those tagged for the other scale are left out."""
    other = "paper-scale" if tiny_world else "tiny-world"
    notebook.cells = [c for c in notebook.cells if other not in c.metadata.get("tags", [])]
    return notebook


def _execute(source: Path, out_dir: Path, parameters: dict, stamp: str, tiny_world: bool = True) -> float:
    """Execute one chapter with papermill into ``out_dir``; the final name only once it finished."""
    import jupytext
    import papermill

    executed = out_dir / f"{source.stem}.ipynb"
    notebook = cells_for(jupytext.read(source), tiny_world)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    unexecuted = out_dir / f"{source.stem}.source.ipynb"
    jupytext.write(notebook, unexecuted)
    start = time.perf_counter()
    partial = out_dir / f"{source.stem}.partial.ipynb"
    papermill.execute_notebook(str(unexecuted), str(partial), parameters=parameters, kernel_name="python3",
                               cwd=str(REPO), progress_bar=False, log_output=False)
    partial.replace(executed)  # only a fully executed notebook takes the final name
    unexecuted.unlink()
    (out_dir / f"{source.stem}.stamp").write_text(stamp)
    return round(time.perf_counter() - start, 1)


def execute_notebooks(profile_spec: str, profile_name: str, runs: Path, workers: int = 2) -> dict[str, float]:
    """Execute each changed chapter with papermill, ``workers`` at a time, after computing every stage.

    A chapter whose source, profile and package are unchanged since its last execution is
    reused. Stages are computed first, in this process (:func:`compute_stages`), so that the
    chapters only read results and can run side by side.
    """
    from concurrent.futures import ProcessPoolExecutor

    out_dir = runs / profile_name / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = []
    for source in notebook_sources():
        executed, stamp_file = out_dir / f"{source.stem}.ipynb", out_dir / f"{source.stem}.stamp"
        stamp = _stamp(source, profile_spec)
        if executed.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
            log.info("notebook %s: unchanged, reusing %s", source.name, executed)
            continue
        stamp_file.unlink(missing_ok=True)
        todo.append((source, stamp))
    if not todo:
        return {}
    profile = load_profile(profile_spec)
    compute_stages(profile, runs)
    parameters = {"profile": portable(Path(profile_spec)) if Path(profile_spec).suffix else profile_spec,
                  "runs_root": portable(runs)}
    seconds = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {source.stem: pool.submit(_execute, source, out_dir, parameters, stamp, profile.runs_tiny_world)
                   for source, stamp in todo}
        for name, future in futures.items():
            seconds[name] = future.result()  # a failed chapter raises here, naming its cell
            log.info("notebook %s: executed in %.1fs", name, seconds[name])
    return seconds
