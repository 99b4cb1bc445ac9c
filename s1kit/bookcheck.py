"""Every page of a built book, opened in headless Chromium and checked as a reader would see it.

``python -m s1kit.bookcheck book/_build/html --screenshots runs/tiny/screenshots`` loads each
page in Debian's ``chromium`` (after its scripts ran: MathJax has typeset the math), saves a
screenshot, and fails, naming page and problem, on:

* an image that does not load (a missing file, or data that is not an image);
* raw LaTeX left in the text (``\\(``, ``\\[``, ``$$``: MathJax did not run);
* a Python traceback, or a number printed as a numpy scalar's repr;
* an absolute path of the build machine (``--forbid``, default: the repository's path);
* the same figure twice on one page;
* an internal link to a page or anchor that does not exist.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parent.parent
SKIP_PAGES = ("genindex.html", "search.html", "py-modindex.html")
SKIP_DIRS = ("_static", "_sources", "_images", "_modules")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")
RAW_LATEX = re.compile(r"\\\(|\\\[|\$\$")
NUMPY_REPR = re.compile(r"\bnp\.(float|int|bool)\w*\(")


def chromium() -> str:
    """The Chromium executable (Debian's ``chromium``); a clear error when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise FileNotFoundError("headless Chromium is not installed: apt-get install chromium (make test does this)")


@dataclass
class Page:
    """What a page's rendered DOM holds: visible text, text outside code, images, links, ids."""

    text: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)  # text outside <pre>/<code>
    images: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class _DomReader(HTMLParser):
    HIDDEN = {"script", "style", "noscript", "template"}
    CODE = {"pre", "code"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.hidden = 0
        self.code = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.page.ids.add(attrs["id"])
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.CODE:
            self.code += 1
        if tag == "img" and attrs.get("src"):
            self.page.images.append(attrs["src"])
        if tag == "a" and attrs.get("href"):
            self.page.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.CODE:
            self.code = max(0, self.code - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.page.text.append(data)
            if not self.code:
                self.page.prose.append(data)


def read_dom(html: str) -> Page:
    reader = _DomReader()
    reader.feed(html)
    return reader.page


def render(page: Path, screenshot: Path | None, profile_dir: Path) -> str:
    """The page's DOM after its scripts ran; a screenshot of it when ``screenshot`` is given."""
    browser = chromium()
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "--virtual-time-budget=15000"]
    url = page.resolve().as_uri()
    dom = _run_browser([*common, "--dump-dom", url])
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        _run_browser([*common, "--window-size=1280,2400", f"--screenshot={screenshot}", url])
    return dom


def _run_browser(command: list[str], attempts: int = 3) -> str:
    """Run headless Chromium; a crash of the browser itself (seen: SIGSEGV at start) is retried."""
    for attempt in range(1, attempts + 1):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode == 0:
            return done.stdout
        if attempt == attempts:
            raise RuntimeError(f"headless Chromium failed {attempts} times (exit {done.returncode}) on "
                               f"{command[-1]}: {done.stderr[-500:]}")
    raise AssertionError("unreachable")


def _image_bytes(src: str, page: Path) -> bytes | None:
    if src.startswith("data:"):
        header, _, data = src.partition(",")
        return base64.b64decode(data) if ";base64" in header else data.encode()
    parsed = urlparse(src)
    if parsed.scheme in ("http", "https"):
        return None  # an external image: the offline book should have none (reported by the caller)
    target = (page.parent / unquote(parsed.path)).resolve()
    return target.read_bytes() if target.is_file() else b""


def _is_image(data: bytes) -> bool:
    return data.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8")) or b"<svg" in data[:2000]


def problems_on(page: Path, dom: Page, forbidden: list[str], ids_of) -> list[str]:
    """Everything wrong with one rendered page (empty when it is fine)."""
    out = []
    text, prose = "".join(dom.text), "".join(dom.prose)
    if RAW_LATEX.search(prose):
        out.append(f"raw LaTeX: {RAW_LATEX.search(prose).group(0)!r} near {prose[max(0, RAW_LATEX.search(prose).start() - 40):][:80]!r}")
    if "Traceback (most recent call last)" in text:
        out.append("a Python traceback")
    if NUMPY_REPR.search(text):
        out.append(f"a numpy repr: {NUMPY_REPR.search(text).group(0)!r}")
    for path in forbidden:
        if path and path in text:
            out.append(f"a path of the build machine: {path!r}")
    seen: dict[str, str] = {}
    for src in dom.images:
        data = _image_bytes(src, page)
        if data is None:
            out.append(f"an image from the network: {src[:80]}")
            continue
        if not data or not _is_image(data):
            out.append(f"an image that does not load: {src[:80]}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen and data[:4] == b"\x89PNG" and len(data) > 5000:  # a figure, not an icon
            out.append(f"the same figure twice: {seen[digest][:60]} and {src[:60]}")
        seen.setdefault(digest, src)
    for href in dom.links:
        parsed = urlparse(href)
        if parsed.scheme or href.startswith(("mailto:", "javascript:")):
            continue
        if not parsed.path:  # an anchor on this page: look in the rendered page itself
            if parsed.fragment and parsed.fragment not in dom.ids:
                out.append(f"a link to a missing anchor: {href}")
            continue
        target = (page.parent / unquote(parsed.path)).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            out.append(f"a broken link: {href}")
        elif parsed.fragment and target.suffix == ".html" and parsed.fragment not in ids_of(target):
            out.append(f"a link to a missing anchor: {href}")
    return out


def book_pages(html_dir: Path) -> list[Path]:
    """The book's pages: every HTML file but the search and index pages, sources and redirects."""
    return sorted(p for p in html_dir.rglob("*.html")
                  if p.name not in SKIP_PAGES and not set(p.relative_to(html_dir).parts) & set(SKIP_DIRS)
                  and 'http-equiv="refresh"' not in p.read_text(errors="replace")[:2000].lower())


def check_book(html_dir: Path, screenshots: Path | None = None, forbidden: list[str] | None = None) -> dict[str, list[str]]:
    """Problems per page (only pages with problems); screenshots of every page under ``screenshots``."""
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").exists():
        raise FileNotFoundError(f"{html_dir} holds no built book (no index.html): build it first")
    forbidden = forbidden if forbidden is not None else [str(REPO)]
    static_ids: dict[Path, set[str]] = {}

    def ids_of(target: Path) -> set[str]:
        if target not in static_ids:
            static_ids[target] = read_dom(target.read_text(errors="replace")).ids
        return static_ids[target]

    report = {}
    with tempfile.TemporaryDirectory(prefix="s1kit-chromium-") as profile_dir:
        for page in book_pages(html_dir):
            name = page.relative_to(html_dir).as_posix()
            shot = screenshots / (name.replace("/", "__").removesuffix(".html") + ".png") if screenshots else None
            found = problems_on(page, read_dom(render(page, shot, Path(profile_dir))), forbidden, ids_of)
            if found:
                report[name] = found
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m s1kit.bookcheck", description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--forbid", action="append", default=None,
                        help="a string no page may contain (default: the repository's absolute path)")
    args = parser.parse_args(argv)
    forbidden = args.forbid or [str(REPO), os.path.expanduser("~")]
    report = check_book(args.html_dir, args.screenshots, forbidden)
    pages = len(book_pages(args.html_dir))
    for name, found in report.items():
        for problem in found:
            print(f"{name}: {problem}", file=sys.stderr)
    print(f"checked {pages} pages in headless Chromium: {len(report)} with problems"
          + (f"; screenshots in {args.screenshots}" if args.screenshots else ""))
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
