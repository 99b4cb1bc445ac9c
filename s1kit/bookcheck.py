"""Every page of a built book, opened in headless Chromium and checked as a reader would see it.

``python -m s1kit.bookcheck book/_build/html --screenshots runs/tiny/screenshots`` opens each page
in Debian's ``chromium``, driven over the DevTools protocol on a pipe (no port, no network), waits
until MathJax has typeset the math, saves a screenshot (1280 x 2400 px), and fails, naming page
and problem, on:

* an image that does not load (a missing file, or data that is not an image);
* raw LaTeX left in the text (``\\(``, ``\\[``, ``$$``: MathJax did not run);
* a Python traceback, or a number printed as a numpy scalar's repr;
* an absolute path of the build machine (``--forbid``, default: the repository's path);
* the same figure twice on one page;
* an internal link to a page or anchor that does not exist;
* a resource that failed to load or came from the network, a script error or an error in the
  browser console (MathJax's fonts among them);
* an element of the page's content wider than its box that does not scroll (a table cut at the
  right): it, or a box around it inside the content, must have ``overflow-x: auto`` or ``scroll``;
* ``NaN`` or ``nan`` as a word in the page's text (tables and outputs included; not in the code
  shown, nor in an inline literal, where an author writes about ``NaN`` on purpose);
* book plumbing in the code shown to readers: a ``glue(...)`` call (``book.glue_numbers``,
  ``book.glue_figure``, ``myst_nb.glue``) belongs in a cell tagged ``remove-cell`` (MyST-NB reads
  glued values from every cell of the notebook, removed ones included).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parent.parent
SKIP_PAGES = ("genindex.html", "search.html", "py-modindex.html")
SKIP_DIRS = ("_static", "_sources", "_images", "_modules")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--remote-debugging-pipe")  # scrollbars shown: a table that scrolls looks it
WINDOW = (1280, 2400)
RAW_LATEX = re.compile(r"\\\(|\\\[|\$\$")
NUMPY_REPR = re.compile(r"\bnp\.(float|int|bool)\w*\(")
NAN = re.compile(r"\b(?:NaN|nan)\b")
GLUE_CALL = re.compile(r"\bglue\w*\(")
# Wait for MathJax (version 2) to finish typesetting and for the page's fonts, at most 20 s.
SETTLED = """new Promise(resolve => {
  setTimeout(() => resolve("timeout"), 20000);
  const fonts = () => (document.fonts ? document.fonts.ready : Promise.resolve()).then(() => resolve("done"));
  if (window.MathJax && MathJax.Hub && MathJax.Hub.Queue) { MathJax.Hub.Queue(fonts); } else { fonts(); }
})"""
# Elements of the content (the article) wider than their box, where no box from the element up to the
# article scrolls horizontally: the innermost of each, described for a person. Text kept for screen
# readers only (clipped to nothing, as MathJax's assistive MathML) is not seen, so not checked.
OVERFLOW = """(() => {
  const root = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const scrolls = el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const unseen = el => {
    for (let box = el; box && box !== root.parentElement; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.clip !== "auto" || style.clipPath !== "none" || style.visibility === "hidden") return true;
    }
    return false;
  };
  const bad = [];
  for (const el of [root, ...root.querySelectorAll("*")]) {
    if (el.clientWidth === 0 || el.scrollWidth <= el.clientWidth + 1 || unseen(el)) continue;
    let contained = false;
    for (let box = el; box && box !== root; box = box.parentElement) {
      if (scrolls(box)) { contained = true; break; }
    }
    if (!contained) bad.push(el);
  }
  return bad.filter(el => !bad.some(other => other !== el && el.contains(other))).map(el => {
    const name = el.tagName.toLowerCase() + (el.classList.length ? "." + [...el.classList].slice(0, 2).join(".") : "");
    const text = (el.innerText || "").replace(/\\s+/g, " ").trim().slice(0, 50);
    return `${name} is ${el.scrollWidth - el.clientWidth}px wider than its box and does not scroll: "${text}"`;
  });
})()"""


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
    shown_code: list[str] = field(default_factory=list)  # the code cells' source shown (div.cell_input)
    reading: list[str] = field(default_factory=list)  # prose, tables, outputs: not that source, no inline <code>
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
        self.literal = 0  # inside <code>: an author writing about ``NaN`` on purpose
        self.divs: list[bool] = []  # open <div>s: True for a code cell's source (and all inside it)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.page.ids.add(attrs["id"])
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.CODE:
            self.code += 1
            self.literal += tag == "code"
        elif tag == "div":
            inside = bool(self.divs and self.divs[-1]) or "cell_input" in (attrs.get("class") or "").split()
            self.divs.append(inside)
        if tag == "img" and attrs.get("src"):
            self.page.images.append(attrs["src"])
        if tag == "a" and attrs.get("href"):
            self.page.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.CODE:
            self.code = max(0, self.code - 1)
            self.literal = max(0, self.literal - (tag == "code"))
        elif tag == "div" and self.divs:
            self.divs.pop()

    def handle_data(self, data):
        if not self.hidden:
            self.page.text.append(data)
            if not self.code:
                self.page.prose.append(data)
            if self.divs and self.divs[-1]:
                self.page.shown_code.append(data)
            elif not self.literal:
                self.page.reading.append(data)


def read_dom(html: str) -> Page:
    reader = _DomReader()
    reader.feed(html)
    return reader.page


@dataclass
class Rendered:
    """A page as the browser showed it: its DOM after the scripts ran, what the console said, what overflows."""

    dom: str
    console: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)


class BrowserCrashed(RuntimeError):
    """Chromium went away (seen: SIGSEGV at start); the caller starts a new one."""


class Browser:
    """One headless Chromium, driven over the DevTools protocol on a pipe (fds 3 and 4 of the browser)."""

    def __init__(self, profile_dir: Path, timeout: float = 60.0):
        self.timeout = timeout
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()
        # Chromium reads commands from fd 3 and writes replies to fd 4. Four fds were just opened, so 3
        # and 4 are open here (kept open in the child by pass_fds); the child points them at the pipes
        # from copies above 9, which neither dup2 can overwrite on the way.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser, from_browser)]

        def onto_3_and_4():
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}"]
        try:
            # its own process group: closing the browser also stops the helper processes it started,
            # which otherwise can still write into the profile folder while it is being removed
            self.process = subprocess.Popen(command, pass_fds=(3, 4), preexec_fn=onto_3_and_4,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, start_new_session=True)
        finally:
            for fd in (to_browser, from_browser, *ends):
                os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def close(self) -> None:
        for fd in (self._commands, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        try:  # the renderers and helpers Chromium leaves behind
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("headless Chromium did not answer in time")
            ready, _, _ = select.select([self._replies], [], [], left)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise BrowserCrashed(f"headless Chromium exited (code {self.process.poll()})")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, session: str | None = None, timeout: float | None = None, **params) -> dict:
        """Send one command and wait for its answer; the events that arrive meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._commands, json.dumps(message).encode() + b"\0")
        except (BrokenPipeError, OSError) as error:
            raise BrowserCrashed(f"headless Chromium exited: {error}") from error
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _wait_for(self, method: str, session: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            self.events.append(self._receive(deadline))

    def _wait_quiet(self, session: str, quiet: float, limit: float = 15.0) -> None:
        """Until no request of the page is open and none started for ``quiet`` seconds (at most ``limit``)."""
        end, last = time.monotonic() + limit, time.monotonic()
        while time.monotonic() < end:
            opened, closed = set(), set()
            for event in self.events:
                if event.get("sessionId") != session:
                    continue
                if event.get("method") == "Network.requestWillBeSent":
                    opened.add(event["params"]["requestId"])
                elif event.get("method") in ("Network.loadingFinished", "Network.loadingFailed"):
                    closed.add(event["params"]["requestId"])
            if not opened - closed and time.monotonic() - last >= quiet:
                return
            try:
                self.events.append(self._receive(min(end, time.monotonic() + quiet)))
                last = time.monotonic()
            except TimeoutError:
                pass

    def open(self, page: Path, screenshot: Path | None = None, settle: float = 0.3) -> Rendered:
        """Load ``page``, wait for MathJax and the fonts, and read back the DOM, console and overflow."""
        width, height = WINDOW
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session)
            self.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                      deviceScaleFactor=1, mobile=False)
            self.events = []
            self.call("Page.navigate", session, url=page.resolve().as_uri())
            self._wait_for("Page.loadEventFired", session, self.timeout)
            self.evaluate(session, SETTLED, timeout=30)
            self._wait_quiet(session, settle)  # late loads (MathJax's font data) finish or fail first
            overflow = self.evaluate(session, OVERFLOW) or []
            dom = self.evaluate(session, "document.documentElement.outerHTML")
            if screenshot is not None:
                shot = self.call("Page.captureScreenshot", session, format="png")["data"]
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot))
            console = console_problems([e for e in self.events if e.get("sessionId") == session], page.parent)
        finally:
            try:
                self.call("Target.closeTarget", targetId=target)
            except RuntimeError:
                pass
        return Rendered(dom=dom, console=console, overflow=list(overflow))

    def evaluate(self, session: str, expression: str, timeout: float | None = None):
        result = self.call("Runtime.evaluate", session, timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"the check's own script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")


def _where(url: str, base: Path) -> str:
    """A URL as short as it can be said: relative to the page's folder when it is a file of the book."""
    if url.startswith("file://"):
        path = Path(unquote(urlparse(url).path))
        try:
            return os.path.relpath(path, base)
        except ValueError:
            return str(path)
    return url[:120]


def console_problems(events: list[dict], base: Path) -> list[str]:
    """Failed or network loads, script errors and console errors among a page's DevTools events."""
    urls: dict[str, str] = {}
    out: list[str] = []
    failed = {e["params"]["requestId"] for e in events
              if e.get("method") == "Network.loadingFailed" and not e["params"].get("canceled")}
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            urls[params["requestId"]] = url
            if urlparse(url).scheme in ("http", "https"):
                out.append(f"a resource from the network: {url[:120]}")
        elif method == "Network.loadingFailed" and params["requestId"] in failed:
            url = urls.get(params["requestId"], "?")
            out.append(f"a resource that did not load: {_where(url, base)} ({params.get('errorText')})")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = (details.get("exception") or {}).get("description") or details.get("text", "")
            out.append(f"a script error: {text.splitlines()[0][:160] if text else '?'} "
                       f"({_where(details.get('url', ''), base)}:{details.get('lineNumber', 0) + 1})")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            out.append(f"an error in the console: {text[:160]}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            if entry.get("networkRequestId") in failed:
                continue  # said above, with its URL
            out.append(f"an error in the console: {entry.get('text', '')[:120]} {_where(entry.get('url', ''), base)}")
    return list(dict.fromkeys(out))


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
    reading = " ".join(dom.reading)  # table cells apart: "s1K" and "NaN" are two words
    nans = [reading[max(0, m.start() - 30):m.end() + 10].replace("\n", " ") for m in NAN.finditer(reading)]
    if nans:
        out.append(f"NaN in the text ({len(nans)}x), e.g. {nans[0].strip()!r}")
    shown = "".join(dom.shown_code)
    glued = [line.strip() for line in shown.splitlines() if GLUE_CALL.search(line)]
    if glued:
        out.append(f"book plumbing in the code shown ({len(glued)} lines, e.g. {glued[0][:60]!r}): "
                   "put glue calls in a cell tagged remove-cell")
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
        browser = Browser(Path(profile_dir))
        try:
            for page in book_pages(html_dir):
                name = page.relative_to(html_dir).as_posix()
                shot = screenshots / (name.replace("/", "__").removesuffix(".html") + ".png") if screenshots else None
                for attempt in range(1, 4):
                    try:
                        rendered = browser.open(page, shot)
                        break
                    except (BrowserCrashed, TimeoutError):
                        browser.close()
                        if attempt == 3:
                            raise
                        browser = Browser(Path(profile_dir))
                found = [*problems_on(page, read_dom(rendered.dom), forbidden, ids_of), *rendered.console,
                         *rendered.overflow]
                if found:
                    report[name] = found
        finally:
            browser.close()
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
