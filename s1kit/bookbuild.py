"""Building the book: executed chapters copied in for readers, MathJax served from the build, jupyter-book ``-W``."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

from s1kit.chapters import REPO, portable

log = logging.getLogger("s1kit")
BOOK = REPO / "book"


def book_notebook(executed: Path, target: Path, runs: Path) -> None:
    """Copy an executed notebook into the book, ready for readers.

    The parameters cells (the chapter's and the one papermill injected) are removed from the
    page; the build machine's paths (the repository, the runs root) are written relative to
    the repository, in the page and in the downloadable ``.ipynb`` alike.
    """
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    runs_name = portable(runs)
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


def build_book(profile_name: str, runs: Path, book: Path | None = None) -> float:
    """Copy the executed notebooks into the book and build it with jupyter-book (warnings are errors).

    ``book``: the book's sources, ``book/`` of the repository by default.
    """
    book = book or BOOK
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
