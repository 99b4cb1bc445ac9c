"""Command line: ``python -m s1kit check|reproduce|notebooks|book|stage|reference``  (the Makefile's targets call these).

``--profile`` takes a recipe name (``tiny``) or a YAML path (``my-recipe.yaml``); either way
it reaches the notebooks as given, so a path profile works end to end.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

from s1kit import pipeline, preflight
from s1kit.config import ConfigError, load_profile
from s1kit.stages import setup_logging, write_json

log = logging.getLogger("s1kit")
REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
BOOK = REPO / "book"


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


def _portable(path: Path) -> str:
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
    for world in run.profile.worlds:
        pipeline.world_variant(run, world).ensure("evaluation")


def _execute(source: Path, out_dir: Path, parameters: dict, stamp: str) -> float:
    """Execute one chapter with papermill into ``out_dir``; the final name only once it finished."""
    import jupytext
    import papermill

    executed = out_dir / f"{source.stem}.ipynb"
    notebook = jupytext.read(source)
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
    compute_stages(load_profile(profile_spec), runs)
    parameters = {"profile": _portable(Path(profile_spec)) if Path(profile_spec).suffix else profile_spec,
                  "runs_root": _portable(runs)}
    seconds = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {source.stem: pool.submit(_execute, source, out_dir, parameters, stamp) for source, stamp in todo}
        for name, future in futures.items():
            seconds[name] = future.result()  # a failed chapter raises here, naming its cell
            log.info("notebook %s: executed in %.1fs", name, seconds[name])
    return seconds


def book_notebook(executed: Path, target: Path, runs: Path) -> None:
    """Copy an executed notebook into the book, ready for readers.

    The parameters cells (the chapter's and the one papermill injected) are removed from the
    page; the build machine's paths (the repository, the runs root) are written relative to
    the repository, in the page and in the downloadable ``.ipynb`` alike.
    """
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    runs_name = _portable(runs)
    replacements = {str(runs): runs_name if not Path(runs_name).is_absolute() else "<runs>", str(REPO): "."}
    replacements[str(runs.resolve())] = replacements[str(runs)]

    def scrub(text: str) -> str:
        for path in sorted(replacements, key=len, reverse=True):
            text = text.replace(path, replacements[path])
        return text

    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if {"parameters", "injected-parameters"} & set(tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
        cell.source = scrub(cell.source)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = scrub(output["text"])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output["data"][mime] = scrub(value)
    notebook.metadata.pop("papermill", None)  # input/output paths of the build machine
    nbformat.write(notebook, target)


def install_mathjax(book: Path) -> None:
    """Put MathJax (from the ``jupyter-server-mathjax`` package) into the build: math renders offline.

    It goes to ``book/_mathjax/mathjax`` (copied to the site's root by ``html_extra_path``), not
    to ``_static``: jupyter-book adds every script under ``_static`` to every page.
    """
    import jupyter_server_mathjax

    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    target = book / "_mathjax" / "mathjax"
    if not (target / "MathJax.js").exists():
        shutil.copytree(source, target, dirs_exist_ok=True)


def build_book(profile_name: str, runs: Path, book: Path = BOOK) -> float:
    """Copy the executed notebooks into the book and build it with jupyter-book (warnings are errors)."""
    target = book / "notebooks"
    target.mkdir(exist_ok=True)
    for executed in sorted((runs / profile_name / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        if not executed.name.endswith((".source.ipynb", ".partial.ipynb")):
            book_notebook(executed, target / executed.name, runs)
    install_mathjax(book)
    start = time.perf_counter()
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "-W", "-n", "--keep-going"]
    log.info("book: %s", " ".join(command[1:]))
    subprocess.run(command, check=True)
    seconds = round(time.perf_counter() - start, 1)
    log.info("book: built %s in %.1fs", book / "_build" / "html" / "index.html", seconds)
    return seconds


def print_plan(run) -> None:
    """The profile's models, data, devices and time, then its stages with what each needs and would reuse."""
    print(f"profile {run.profile.name} (seed {run.profile.seed}); runs in {run.root}")
    for line in preflight.plan_lines(run.profile):
        print(f"  {line}")
    for row in run.plan():
        state = "reuse" if row["current"] else f"compute ({row['why']})"
        needs = ", ".join(row["needs"]) or "-"
        print(f"  {row['stage']:<13} needs {needs:<45} {state}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m s1kit")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("reproduce", "notebooks", "book", "check"):
        p = sub.add_parser(name)
        p.add_argument("--profile", default="tiny")
        p.add_argument("--runs", default=str(REPO / "runs"))
        p.add_argument("--book-dir", default=str(BOOK), help="book sources (default: book/)")
    p = sub.add_parser("reference", help="write the run's small results to reference/<profile>/ (to commit)")
    p.add_argument("--profile", default="tiny")
    p.add_argument("--runs", default=str(REPO / "runs"))
    p.add_argument("--out", default=None, help="default: reference/<profile name>/")
    p = sub.add_parser("stage")
    p.add_argument("name", choices=pipeline.STAGES)
    p.add_argument("--profile", default="tiny")
    p.add_argument("--runs", default=str(REPO / "runs"))
    args = parser.parse_args(argv)
    setup_logging()
    try:
        profile = load_profile(args.profile)  # refuse a bad profile before any work
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    runs = Path(args.runs).resolve()
    problems = preflight.missing(profile.requires)
    if args.command == "check":
        print_plan(pipeline.open_run(profile, runs))
    if problems:  # stop before any download or training, naming everything that is missing
        print(f"error: profile {profile.name} cannot run on this machine:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 3
    if args.command == "check":
        return 0
    if args.command == "reference":
        from s1kit.book import reference_dir
        from s1kit.reference import write_reference

        run = pipeline.open_run(profile, runs)
        out = Path(args.out) if args.out else reference_dir(profile.name)
        written = write_reference(run, pipeline, out)
        log.info("reference: %d result files and run.json written to %s", len(written), out)
        return 0
    if args.command == "stage":
        pipeline.open_run(profile, runs).ensure(args.name)
        return 0
    start = time.perf_counter()
    timings = {}
    if args.command in ("reproduce", "notebooks"):
        timings["notebooks"] = execute_notebooks(args.profile, profile.name, runs)
    if args.command in ("reproduce", "book"):
        timings["book_s"] = build_book(profile.name, runs, Path(args.book_dir).resolve())
    timings["total_s"] = round(time.perf_counter() - start, 1)
    timings["stages"] = pipeline.timings(pipeline.open_run(profile, runs))  # when each cached stage last ran
    write_json(runs / profile.name / "timings.json", timings)
    log.info("%s finished in %.1fs", args.command, timings["total_s"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
