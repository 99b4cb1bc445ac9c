"""The browser check's newer rules, each on a page made to break it (and one that keeps it).

The DOM rules (NaN in the text, glue calls in the code shown) run on HTML alone; the browser rules
(failed loads and console errors, content wider than a box that does not scroll) open the pages
in headless Chromium, as ``make check-book`` does. The older rules are tested in test_book_helpers.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from s1kit.bookcheck import check_book, console_problems, problems_on, read_dom

needs_chromium = pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                                    reason="headless Chromium is not installed (make test installs it)")
LONG = "x" * 400


def _no_links(target: Path) -> set[str]:
    return set()


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def _cell(source: str, output: str = "") -> str:
    return (f'<div class="cell docutils container"><div class="cell_input docutils container">'
            f'<div class="highlight-ipython3 notranslate"><div class="highlight"><pre>{source}</pre></div></div></div>'
            f'<div class="cell_output docutils container">{output}</div></div>')


def test_nan_in_text_or_tables_fails_but_not_in_the_code_shown(tmp_path):
    clean = _page("<p>Accuracy 59.0%, a financial nanosecond, Nancy; no <code>NaN</code> for an empty step.</p>"
                  + _cell('x = float("nan")  # np.nan in the code shown is code', "<table><tr><td>59.0</td></tr></table>"))
    assert problems_on(tmp_path / "p.html", read_dom(clean), [], _no_links) == []
    for broken in ("<p>a gain of +nan points</p>", _cell("x = 1", "<table><tr><td>s1K</td><td>NaN</td></tr></table>"),
                   _cell("x = 1", "<pre>0    3000    pool    NaN</pre>")):
        found = problems_on(tmp_path / "p.html", read_dom(_page(broken)), [], _no_links)
        assert len(found) == 1 and found[0].startswith("NaN in the text"), (broken, found)


def test_glue_calls_in_the_code_shown_fail_and_name_the_fix(tmp_path):
    shown = _cell("results = pipeline.evaluation(run)\nbook.glue_numbers({&quot;k&quot;: 1})\n"
                  "glue(&quot;pool_size&quot;, 3, display=False)\nbook.glue_figure(&quot;fig&quot;, fig)")
    found = problems_on(tmp_path / "p.html", read_dom(_page(shown)), [], _no_links)
    assert len(found) == 1 and "book plumbing in the code shown (3 lines" in found[0] and "remove-cell" in found[0]
    # the word in prose, or a glued value's output, is no call in the code shown
    fine = _page("<p>MyST-NB's glue(...) puts numbers in the text.</p>" + _cell("plot(results)", "<p>glue(</p>"))
    assert problems_on(tmp_path / "p.html", read_dom(fine), [], _no_links) == []


def test_console_events_become_problems_once_each():
    base = Path("/book/notebooks")
    events = [
        {"method": "Network.requestWillBeSent", "params": {"requestId": "1", "request": {
            "url": "file:///book/mathjax/jax/output/HTML-CSS/fonts/TeX/fontdata.js?V=2.7.9"}}},
        {"method": "Network.loadingFailed", "params": {"requestId": "1", "errorText": "net::ERR_FILE_NOT_FOUND"}},
        {"method": "Log.entryAdded", "params": {"entry": {"source": "network", "level": "error", "networkRequestId": "1",
                                                          "text": "Failed to load resource"}}},
        {"method": "Network.requestWillBeSent", "params": {"requestId": "2", "request": {"url": "file:///book/a.js"}}},
        {"method": "Network.loadingFailed", "params": {"requestId": "2", "errorText": "net::ERR_ABORTED",
                                                       "canceled": True}},
        {"method": "Runtime.exceptionThrown", "params": {"exceptionDetails": {
            "text": "Uncaught", "lineNumber": 62, "url": "file:///book/notebooks/03.html",
            "exception": {"description": "SyntaxError: Identifier 'THEBE_JS_URL' has already been declared"}}}},
        {"method": "Runtime.consoleAPICalled", "params": {"type": "error", "args": [{"value": "Got invalid theme mode"}]}},
        {"method": "Runtime.consoleAPICalled", "params": {"type": "log", "args": [{"value": "[PST]: light"}]}},
    ]
    assert console_problems(events, base) == [
        "a resource that did not load: ../mathjax/jax/output/HTML-CSS/fonts/TeX/fontdata.js (net::ERR_FILE_NOT_FOUND)",
        "a script error: SyntaxError: Identifier 'THEBE_JS_URL' has already been declared (03.html:63)",
        "an error in the console: Got invalid theme mode",
    ]


@needs_chromium
def test_the_browser_fails_failed_loads_script_errors_and_content_cut_at_the_right(tmp_path):
    book = tmp_path / "html"
    book.mkdir()
    article = '<article class="bd-article" style="width: 400px">{}</article>'
    wide_table = f'<table><tr><td style="white-space: nowrap">{LONG}</td></tr></table>'
    # kept: wide things that scroll in their own box, or in a box around them; text for screen readers only
    (book / "index.html").write_text(_page(article.format(
        f'<div style="overflow-x: auto">{wide_table}</div>'
        f'<pre style="overflow-x: auto; white-space: pre">{LONG}</pre>'
        f'<div class="cell_output"><table style="display: block; max-width: 100%; overflow-x: auto">'
        f'<tr><td style="white-space: nowrap">{LONG}</td></tr></table></div>'
        f'<p>x<span style="position: absolute; clip: rect(1px, 1px, 1px, 1px); white-space: nowrap">{LONG}</span></p>'
        '<a href="broken.html">next</a>')))
    (book / "broken.html").write_text(_page(
        article.format('<script src="missing.js"></script><script>undefinedFunction();</script>'
                       '<script>console.error("the theme is unhappy")</script>'
                       f'<div class="cut" style="overflow-x: hidden">{wide_table}</div>'
                       f'<div class="spills"><pre style="white-space: pre">{LONG}</pre></div>'),
        head='<link rel="stylesheet" href="_static/gone.css">'))
    report = check_book(book, tmp_path / "shots", forbidden=[])
    assert set(report) == {"broken.html"}, report
    found = report["broken.html"]
    expected = ["a resource that did not load: missing.js (net::ERR_FILE_NOT_FOUND)",
                "a resource that did not load: _static/gone.css (net::ERR_FILE_NOT_FOUND)",
                "a script error: ReferenceError: undefinedFunction is not defined",
                "an error in the console: the theme is unhappy",
                "div.cut is ", "pre is "]
    for kind in expected:
        assert any(problem.startswith(kind) for problem in found), (kind, found)
    assert len(found) == len(expected), found
    assert all("wider than its box and does not scroll" in p for p in found if p.startswith(("div.cut", "pre ")))
    assert sorted(p.name for p in (tmp_path / "shots").iterdir()) == ["broken.png", "index.png"]


@needs_chromium
def test_math_typeset_by_the_books_mathjax_loads_every_file_it_asks_for(tmp_path):
    """MathJax from the build, configured as book/_config.yml configures it: no font file missing."""
    import yaml

    from s1kit.bookbuild import install_mathjax

    install_mathjax(tmp_path)
    config = yaml.safe_load((Path(__file__).parent.parent / "book" / "_config.yml").read_text())["sphinx"]["config"]
    html = tmp_path / "html"
    shutil.copytree(tmp_path / "_mathjax" / "mathjax", html / "mathjax")
    import json

    page = _page(r'<article class="bd-article"><p class="math">\(\mathcal{A}\) and \(\mathbb{I}(x)\)</p>'
                 r'<div class="math">\[\sum_{a \in \mathcal{A}} 2^{-\mathrm{rank}(a)}\]</div></article>',
                 head=f'<script type="text/x-mathjax-config">MathJax.Hub.Config({json.dumps(config["mathjax2_config"])})'
                      '</script><script defer src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"></script>')
    (html / "index.html").write_text(page)
    assert check_book(html, forbidden=[]) == {}
