"""The book's plumbing: the "Get the code" box from one config value, scripts once, the archive for a class."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from s1kit.bookbuild import (
    NO_REPOSITORY,
    _scripts_once,
    _substitute_code_source,
    archive_book,
    built_profile,
    code_source,
    main,
    offline_problems,
)

REPO = Path(__file__).resolve().parent.parent
BOOK = REPO / "book"
INCLUDE = "```{include} _get_the_code.md\n```"


def test_the_get_the_code_box_is_one_snippet_on_the_intro_course_and_lab_pages():
    for page in ("intro.md", "course.md", "lab.md"):
        assert (BOOK / page).read_text().count(INCLUDE) == 1, page
    box = (BOOK / "_get_the_code.md").read_text()
    for needed in ("{{ code_source }}", "make setup", "make reproduce", "make test", "Python 3.11", "2 CPU cores",
                   "no GPU", "offline", "make book-archive"):
        assert needed in box, needed
    config = yaml.safe_load((BOOK / "_config.yml").read_text())
    assert "repository" in config and "url" in config["repository"]  # the one value the box reads
    assert "substitution" in config["parse"]["myst_enable_extensions"]
    assert "s1kit.bookbuild" in config["sphinx"]["extra_extensions"]


def test_the_box_links_the_repository_or_says_whom_to_ask():
    assert code_source("") == code_source(None) == NO_REPOSITORY
    assert "teacher" in NO_REPOSITORY
    assert code_source(" https://example.org/s1kit ") == "[https://example.org/s1kit](https://example.org/s1kit)"
    config = SimpleNamespace(html_theme_options={"repository_url": "https://example.org/s1kit"},
                             myst_substitutions={"other": "kept"})
    _substitute_code_source(None, config)
    assert config.myst_substitutions == {"other": "kept", "code_source": code_source("https://example.org/s1kit")}
    config = SimpleNamespace(html_theme_options={}, myst_substitutions={})
    _substitute_code_source(None, config)
    assert config.myst_substitutions["code_source"] == NO_REPOSITORY
    # a host sphinx-book-theme has no buttons for (it would stop the build): the box alone shows it
    school = "https://git.school.example/teacher/s1kit"
    config = SimpleNamespace(html_theme_options={"repository_url": school, "path_to_docs": "book"}, myst_substitutions={})
    _substitute_code_source(None, config)
    assert config.myst_substitutions["code_source"] == code_source(school)
    assert config.html_theme_options == {"path_to_docs": "book"}
    github = {"repository_url": "https://github.com/teacher/s1kit"}
    config = SimpleNamespace(html_theme_options=dict(github), myst_substitutions={})
    _substitute_code_source(None, config)
    assert config.html_theme_options == github


def test_each_script_is_on_a_page_once():
    script = SimpleNamespace(filename=None, attributes={"body": "const THEBE_JS_URL = 1"})
    again = SimpleNamespace(filename="", attributes={"body": "const THEBE_JS_URL = 1"})  # as sphinx-thebe's second
    other = SimpleNamespace(filename="_static/a.js", attributes={})
    context = {"script_files": [script, other, again]}
    _scripts_once(None, "page", "page.html", context, None)
    assert context["script_files"] == [script, other]


def test_the_mathjax_config_asks_only_for_fonts_the_package_ships():
    import jupyter_server_mathjax

    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    mathjax = yaml.safe_load((BOOK / "_config.yml").read_text())["sphinx"]["config"]["mathjax2_config"]
    font = mathjax["HTML-CSS"]["webFont"]
    assert (static / "jax" / "output" / "HTML-CSS" / "fonts" / font / "fontdata.js").exists()
    assert (static / "fonts" / "HTML-CSS" / font).is_dir()
    assert mathjax["HTML-CSS"]["availableFonts"] == [] and mathjax["HTML-CSS"]["imageFont"] is None
    assert not (static / "fonts" / "HTML-CSS" / "TeX").exists()  # why the TeX fonts may not be asked for
    assert all(style == {"font-family": "inherit"} for style in mathjax["NativeMML"]["styles"].values())


def _built_book(root: Path) -> Path:
    html = root / "_build" / "html"
    (html / "notebooks").mkdir(parents=True)
    (html / "_static").mkdir()
    (html / "_static" / "s1kit.css").write_text("p {}")
    (html / "index.html").write_text('<link rel="stylesheet" href="_static/s1kit.css">'
                                     '<a href="notebooks/01_sourcing.html">1</a><a href="https://arxiv.org/abs/2501.19393">paper</a>')
    (html / "notebooks" / "01_sourcing.html").write_text('<a href="../index.html">home</a><a href="//cdn.invalid/x">x</a>')
    (html / ".buildinfo").write_text("config 1")
    (root / "notebooks").mkdir()
    cells = [{"cell_type": "code", "metadata": {"tags": ["parameters", "remove-cell"]}, "source": 'profile = "tiny"\n'},
             {"cell_type": "code", "metadata": {"tags": ["injected-parameters", "remove-cell"]},
              "source": ["# Parameters\n", 'profile = "classroom"\n']}]
    (root / "notebooks" / "01_sourcing.ipynb").write_text(json.dumps({"cells": cells}))
    return html


def test_the_archive_holds_the_book_under_one_folder_and_opens_from_anywhere(tmp_path):
    html = _built_book(tmp_path / "book")
    assert offline_problems(html, forbidden=[str(tmp_path)]) == []
    out = archive_book(html, tmp_path / "runs" / "classroom" / "s1kit-book-classroom.zip", "s1kit-book-classroom",
                       forbidden=[str(tmp_path)])
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "unpacked")
    assert names == {"s1kit-book-classroom/index.html", "s1kit-book-classroom/_static/s1kit.css",
                     "s1kit-book-classroom/notebooks/01_sourcing.html"}
    assert [p.name for p in tmp_path.joinpath("runs", "classroom").iterdir()] == ["s1kit-book-classroom.zip"]
    # every relative link of the unpacked copy resolves inside it
    unpacked = tmp_path / "unpacked" / "s1kit-book-classroom"
    for page in unpacked.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            if not re.match(r"(https?:)?//", href):
                assert (page.parent / href).resolve().is_file(), (page, href)


def test_an_archive_of_a_book_that_points_at_the_build_machine_is_refused(tmp_path):
    html = _built_book(tmp_path / "book")
    (html / "notebooks" / "02_distillation.html").write_text(
        f'<img src="/work/main/book/_build/html/_images/fig.png"><a href="file:///work/main/x.html">x</a>'
        f"<p>{tmp_path}/runs/tiny</p>")
    problems = offline_problems(html, forbidden=[str(tmp_path)])
    assert len(problems) == 3 and all(p.startswith("notebooks/02_distillation.html: ") for p in problems), problems
    with pytest.raises(ValueError, match="would not open offline"):
        archive_book(html, tmp_path / "out.zip", "book", forbidden=[str(tmp_path)])
    assert list(tmp_path.glob("*.zip*")) == []  # nothing half written


def test_make_book_archive_names_the_profile_the_built_book_shows(tmp_path, capsys):
    book = tmp_path / "book"
    _built_book(book)
    assert built_profile(book) == "classroom"  # papermill's injected value, not the notebook's default
    runs = tmp_path / "runs"
    assert main(["archive", "--profile", "tiny", "--book-dir", str(book), "--runs", str(runs)]) == 2
    assert "shows the 'classroom' run" in capsys.readouterr().err
    assert main(["archive", "--profile", "classroom", "--book-dir", str(book), "--runs", str(runs)]) == 0
    assert (runs / "classroom" / "s1kit-book-classroom.zip").exists()
    shutil.rmtree(book / "_build")
    assert main(["archive", "--profile", "classroom", "--book-dir", str(book), "--runs", str(runs)]) == 1
    assert "no built book" in capsys.readouterr().err
