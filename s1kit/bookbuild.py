"""Building the book: executed chapters copied in for readers, MathJax served from the build, jupyter-book ``-W``.

Also the book's own Sphinx extension (``book/_config.yml`` lists this module): the "Get the code"
box's source from the one place that holds the repository's URL, and each page's scripts once;
and the archive of a built book that a teacher hands out (``make book-archive``).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger("s1kit")
REPO = Path(__file__).resolve().parent.parent
BOOK = REPO / "book"
# what the "Get the code" box says while book/_config.yml's repository.url is empty
NO_REPOSITORY = "ask your teacher for the repository, or for an archive of it"


def book_notebook(executed: Path, target: Path, runs: Path) -> None:
    """Copy an executed notebook into the book, ready for readers.

    The parameters cells (the chapter's and the one papermill injected) are removed from the
    page; the build machine's paths (the repository, the runs root) are written relative to
    the repository, in the page and in the downloadable ``.ipynb`` alike.
    """
    import nbformat

    from s1kit.chapters import portable

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


def code_source(url: str | None) -> str:
    """Where to get the code, as the "Get the code" box says it (``book/_get_the_code.md``).

    ``url``: book/_config.yml's ``repository.url``, the one value that holds it; while it is
    empty, the box says whom to ask.
    """
    url = (url or "").strip()
    return f"[{url}]({url})" if url else NO_REPOSITORY


THEME_PROVIDERS = ("github", "gitlab", "bitbucket")  # the hosts sphinx-book-theme makes buttons for


def _substitute_code_source(app, config) -> None:
    """``{{ code_source }}`` from repository.url (jupyter-book passes it on as the theme's repository_url).

    sphinx-book-theme stops the build on a URL of a host it does not know (a school's server, an
    archive's address) unless a ``repository_provider`` is given; its buttons are off in this book
    (``use_repository_button: false``), so such a URL is kept from the theme and only the box shows it.
    """
    options = config.html_theme_options if config.html_theme_options is not None else {}
    url = options.get("repository_url")
    config.myst_substitutions = {**(config.myst_substitutions or {}), "code_source": code_source(url)}
    host = urlparse((url or "").strip()).netloc.lower()
    if url and not options.get("repository_provider") and not any(p in host for p in THEME_PROVIDERS):
        config.html_theme_options = {k: v for k, v in options.items() if k != "repository_url"}


def _scripts_once(app, pagename, templatename, context, doctree) -> None:
    """Each script once per page: sphinx-thebe adds its inline configuration twice under jupyter-book
    1.0.4 (once with no file name, once with an empty one), and the second ``const THEBE_JS_URL`` is a
    SyntaxError in the browser's console. Inline scripts are the same when their bodies are."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", None) or {}
        key = (getattr(script, "filename", script) or "", repr(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app) -> dict:
    """The book's Sphinx extension (``extra_extensions`` in book/_config.yml)."""
    app.connect("config-inited", _substitute_code_source)
    app.connect("html-page-context", _scripts_once)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


ABSOLUTE_LINK = re.compile(r"""(?:href|src)\s*=\s*["'](file:|/(?!/))""", re.IGNORECASE)


def offline_problems(html_dir: Path, forbidden: list[str] | None = None) -> list[str]:
    """What would keep a built book from opening from a folder on another machine: links to
    ``file:`` or to absolute paths, and the build machine's paths (the repository's by default)."""
    forbidden = [str(REPO)] if forbidden is None else forbidden
    out = []
    for path in sorted(html_dir.rglob("*.html")):
        if "_sources" in path.relative_to(html_dir).parts:
            continue
        text = path.read_text(errors="replace")
        name = path.relative_to(html_dir).as_posix()
        for match in ABSOLUTE_LINK.finditer(text):
            out.append(f"{name}: an absolute link {text[match.start():match.end() + 40].split()[0][:80]}")
        out.extend(f"{name}: a path of the build machine {p!r}" for p in forbidden if p and p in text)
    return out


def built_profile(book: Path) -> str | None:
    """The profile whose run the built book shows (its chapters' injected parameters), when they say."""
    import json

    for notebook in sorted((book / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(notebook.read_text()).get("cells", [])
        for tag in ("injected-parameters", "parameters"):
            for cell in cells:
                if tag in cell.get("metadata", {}).get("tags", []):
                    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    match = re.search(r'^profile = "([^"]*)"', source, re.MULTILINE)
                    if match:
                        return match.group(1)
    return None


def archive_book(html_dir: Path, out: Path, top: str, forbidden: list[str] | None = None) -> Path:
    """Pack a built book into one zip a teacher can hand out: ``top/index.html`` and everything it needs.

    Refuses a book that would not open offline from wherever it is unpacked (see
    :func:`offline_problems`). Written to a temporary file first, so a failed run leaves no half archive.
    """
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").exists():
        raise FileNotFoundError(f"{html_dir} holds no built book (no index.html): make reproduce (or make book) first")
    problems = offline_problems(html_dir, forbidden)
    if problems:
        raise ValueError("the built book would not open offline:\n  " + "\n  ".join(problems[:20]))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    os.close(handle)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(html_dir.rglob("*")):
                relative = path.relative_to(html_dir)
                if path.is_file() and relative.parts[0] not in (".doctrees",) and path.name != ".buildinfo":
                    archive.write(path, f"{top}/{relative.as_posix()}")
        os.replace(partial, out)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m s1kit.bookbuild",
                                     description="Pack the built book into runs/<profile>/s1kit-book-<profile>.zip.")
    parser.add_argument("command", choices=["archive"])
    parser.add_argument("--profile", default="tiny")
    parser.add_argument("--book-dir", type=Path, default=BOOK)
    parser.add_argument("--runs", type=Path, default=REPO / "runs")
    args = parser.parse_args(argv)
    name = Path(args.profile).stem if args.profile.endswith((".yaml", ".yml")) else args.profile
    shown = built_profile(args.book_dir)
    if shown is not None and Path(shown).stem != name and shown != args.profile:
        print(f"error: the built book shows the {shown!r} run, not {args.profile!r}: "
              f"make book-archive PROFILE={shown}, or make reproduce PROFILE={args.profile} first", file=sys.stderr)
        return 2
    try:
        out = archive_book(args.book_dir / "_build" / "html", args.runs / name / f"s1kit-book-{name}.zip",
                           f"s1kit-book-{name}")
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{out} ({out.stat().st_size / 1e6:.1f} MB): unzip it anywhere and open s1kit-book-{name}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
