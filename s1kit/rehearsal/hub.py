"""A local Hugging Face Hub: the Hub's read API over a directory, served on 127.0.0.1.

Why a server, and not a pre-filled cache: ``from_pretrained`` reads a bare hub-cache snapshot
offline, but ``datasets.load_dataset`` in offline mode refuses one, and a recipe's other
processes (papermill kernels, vLLM, ``accelerate launch`` ranks) each resolve Hub ids on their
own. A server selected with ``HF_ENDPOINT`` lets every one of them load ``simplescaling/s1K-1.1``
or ``Qwen/Qwen2.5-32B-Instruct`` by its real id, online mode and all, through the libraries'
own code; only the bytes behind the ids are small.

Layout of ``root`` (a contract: other modules write into it, by hand or with the helpers)::

    root/models/<org>/<name>/...     a model repo's files (config.json, model.safetensors, ...)
    root/datasets/<org>/<name>/...   a dataset repo's files: parquet files and a README.md whose
                                     YAML front matter declares ``configs:`` as on the real Hub

Endpoints, the ones huggingface_hub 2.4 and datasets 5.2 call to read a repo (found by logging
``load_dataset``, ``from_pretrained`` and ``snapshot_download`` against this server)::

    GET       /api/{models,datasets}/{org}/{name}[/revision/{rev}]   repo info: sha, siblings
    GET       /api/{models,datasets}/{org}/{name}/tree/{rev}[/{dir}]  listing (?recursive=true)
    POST      /api/{models,datasets}/{org}/{name}/paths-info/{rev}    info on given paths
    HEAD/GET  /{org}/{name}/resolve/{rev}/{path}                      a model file (Range too)
    HEAD/GET  /datasets/{org}/{name}/resolve/{rev}/{path}             a dataset file
    GET       /api/agent-harnesses                                    an empty registry (telemetry)

Everything else answers 404, and is reported on stderr, since a library that starts calling a
new endpoint should be seen, not silently fail. Missing repos, revisions and files answer 404
with the Hub's ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``), so
huggingface_hub raises ``RepositoryNotFoundError`` & co. naming the repo. A repo has one
revision, ``main``, whose commit sha is a hash of its files' contents: edit a repo and its sha
changes, so the clients' caches (keyed by sha) never serve stale bytes.

``HF_ENDPOINT`` is read when huggingface_hub and datasets are *imported*, so a process that has
already imported them cannot be pointed at the server: start the server, then run the loaders in
child processes whose environment comes from :func:`client_env` (tests do so; a whole recipe can
run under ``python -m s1kit.rehearsal.hub --root DIR`` started first, with ``HF_ENDPOINT`` exported).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

REPO_KINDS = ("models", "datasets")
MAIN = "main"
_SKIPPED_DIRS = {".git", ".cache"}  # git internals; huggingface_hub's local_dir metadata
_CHUNK = 1 << 20


# --------------------------------------------------------------------------- populating root


def repo_dir(root: str | os.PathLike, repo_id: str, kind: str = "models") -> Path:
    """Where ``repo_id`` (``"org/name"``) of ``kind`` (``"models"`` or ``"datasets"``) lives under ``root``."""
    org, _, name = repo_id.partition("/")
    if kind not in REPO_KINDS or not org or not name or "/" in name or {org, name} & {".", ".."}:
        raise ValueError(f"expected kind in {REPO_KINDS} and a repo id 'org/name', got {kind!r}, {repo_id!r}")
    return Path(root) / kind / org / name


def add_dataset(
    root: str | os.PathLike,
    repo_id: str,
    splits: Mapping[str, pa.Table | Mapping[str, Sequence] | Sequence[Mapping]],
    config: str | None = None,
) -> Path:
    """Write ``splits`` (split name -> table, dict of columns or list of rows) as dataset ``repo_id``.

    ``config=None`` is the repo's ``default`` config (files under ``data/``, as the Hub's parquet
    repos do); a named config gets its own folder. The README's ``configs:`` gains (or has
    replaced) this config's entry, and other configs stay, so calling this once per config builds
    a repo like ``Idavidrein/gpqa``. Returns the repo's directory.
    """
    repo = repo_dir(root, repo_id, "datasets")
    name, folder = config or "default", config or "data"
    data = repo / folder
    # A config written twice is replaced, not merged: stale shards would otherwise match its glob.
    for old in data.glob("*.parquet"):
        old.unlink()
    data.mkdir(parents=True, exist_ok=True)
    for split, rows in splits.items():
        pq.write_table(_as_table(rows), data / f"{split}-00000-of-00001.parquet")

    readme = repo / "README.md"
    card, body = _read_card(readme)
    configs = [c for c in card.get("configs", []) if c.get("config_name") != name]
    configs.append({"config_name": name, "data_files": [{"split": s, "path": f"{folder}/{s}-*"} for s in splits]})
    card["configs"] = configs
    readme.write_text("---\n" + yaml.safe_dump(card, sort_keys=False) + "---\n" + body, encoding="utf-8")
    return repo


def add_model(root: str | os.PathLike, repo_id: str, source_dir: str | os.PathLike) -> Path:
    """Copy a saved model directory (``save_pretrained`` output, tokenizer files...) as model ``repo_id``."""
    repo = repo_dir(root, repo_id, "models")
    if repo.exists():
        shutil.rmtree(repo)
    shutil.copytree(source_dir, repo, ignore=shutil.ignore_patterns(*_SKIPPED_DIRS))
    return repo


def repo_ids(root: str | os.PathLike) -> dict[str, list[str]]:
    """The repos under ``root``: ``{"models": ["org/name", ...], "datasets": [...]}``."""
    return {
        kind: sorted(f"{d.parent.name}/{d.name}" for d in Path(root, kind).glob("*/*") if d.is_dir())
        for kind in REPO_KINDS
    }


def _as_table(rows: pa.Table | Mapping[str, Sequence] | Sequence[Mapping]) -> pa.Table:
    if isinstance(rows, pa.Table):
        return rows
    if isinstance(rows, Mapping):
        return pa.table(dict(rows))
    return pa.Table.from_pylist(list(rows))


def _read_card(readme: Path) -> tuple[dict, str]:
    """A README's YAML front matter (as a dict) and the text after it."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    match = re.match(r"^---\n(.*?\n)?---\n?", text, re.DOTALL)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1) or "") or {}, text[match.end() :]


# --------------------------------------------------------------------------- what a repo looks like


@dataclass(frozen=True)
class _File:
    path: Path
    size: int
    oid: str  # git blob sha1, what the Hub reports for a non-LFS file (and uses as its ETag)


@dataclass(frozen=True)
class _Snapshot:
    repo_id: str
    sha: str
    files: dict[str, _File]  # repo path (posix) -> file, sorted
    last_modified: float

    def dirs(self) -> set[str]:
        return {p.rsplit("/", i)[0] for p in self.files for i in range(1, p.count("/") + 1)}


_oid_cache: dict[str, tuple[int, int, str]] = {}
_oid_lock = threading.Lock()


def _blob_oid(path: Path, stat: os.stat_result) -> str:
    """Git's blob sha1 of a file, cached by (size, mtime) so each file is read once per server."""
    key = str(path)
    with _oid_lock:
        cached = _oid_cache.get(key)
    if cached and cached[:2] == (stat.st_size, stat.st_mtime_ns):
        return cached[2]
    digest = hashlib.sha1(b"blob %d\0" % stat.st_size)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    with _oid_lock:
        _oid_cache[key] = (stat.st_size, stat.st_mtime_ns, digest.hexdigest())
    return digest.hexdigest()


def _snapshot(root: Path, kind: str, repo_id: str) -> _Snapshot | None:
    """The repo as it is on disk now (None if absent); its sha hashes every path and blob."""
    try:
        base = repo_dir(root, repo_id, kind)
    except ValueError:
        return None
    if not base.is_dir():
        return None
    files, newest = {}, 0.0
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        for filename in filenames:
            path = Path(dirpath, filename)
            stat = path.stat()
            files[path.relative_to(base).as_posix()] = _File(path, stat.st_size, _blob_oid(path, stat))
            newest = max(newest, stat.st_mtime)
    files = dict(sorted(files.items()))
    commit = hashlib.sha1("".join(f"{p}\0{f.oid}\n" for p, f in files.items()).encode()).hexdigest()
    return _Snapshot(repo_id, commit, files, newest)


def _entry(snapshot: _Snapshot, path: str) -> dict:
    """A tree / paths-info entry, as the Hub writes it."""
    file = snapshot.files.get(path)
    if file is not None:
        return {"type": "file", "oid": file.oid, "size": file.size, "path": path}
    oid = hashlib.sha1(f"{snapshot.sha}\0{path}".encode()).hexdigest()
    return {"type": "directory", "oid": oid, "size": 0, "path": path}


def _iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(timestamp))


# --------------------------------------------------------------------------- the server


class LocalHub(ThreadingHTTPServer):
    """A threading HTTP server answering the Hub's read API from ``root``."""

    daemon_threads = True  # a client that keeps a download open must not keep the process alive

    def __init__(self, root: str | os.PathLike, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        self.root = Path(root)
        self.verbose = verbose
        super().__init__((host, port), _HubHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _HubHandler(BaseHTTPRequestHandler):
    server: LocalHub
    server_version = "s1kit-local-hub"
    # HTTP/1.0: one request per connection, so no response can leave a kept-alive client waiting.
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._route("GET")

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_POST(self) -> None:
        self._route("POST")

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            sys.stderr.write(f"local hub: {format % args}\n")

    # ---- routing

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        # Split before unquoting: revisions and tree paths arrive with their '/' quoted as %2F.
        parts = [unquote(p) for p in url.path.split("/")[1:]]
        query = parse_qs(url.query)
        if parts == ["api", "agent-harnesses"] and method == "GET":
            # huggingface_hub fetches this registry once a day (user-agent telemetry); empty = no agent.
            return self._json(method, {"standardEnvVars": [], "harnesses": {}})
        if parts[:1] == ["api"] and len(parts) >= 4 and parts[1] in REPO_KINDS:
            kind, repo_id, rest = parts[1], f"{parts[2]}/{parts[3]}", parts[4:]
            if not rest or rest == [""]:
                return self._repo_info(method, kind, repo_id, MAIN)
            action, revision, sub = rest[0], (rest[1:2] or [MAIN])[0], "/".join(rest[2:]).strip("/")
            if action == "revision" and method in ("GET", "HEAD"):
                return self._repo_info(method, kind, repo_id, revision)
            if action == "tree" and method == "GET":
                return self._tree(kind, repo_id, revision, sub, query.get("recursive", ["false"])[0] == "true")
            if action == "paths-info" and method == "POST":
                return self._paths_info(kind, repo_id, revision)
        elif method in ("GET", "HEAD"):
            kind = "datasets" if parts[:1] == ["datasets"] else "models"
            tail = parts[1:] if kind == "datasets" else parts
            if len(tail) >= 5 and tail[2] == "resolve":
                return self._resolve(method, kind, f"{tail[0]}/{tail[1]}", tail[3], "/".join(tail[4:]))
        sys.stderr.write(f"local hub: no route for {method} {self.path}\n")
        self._error(method, 404, None, f"The local hub has no route for {method} {url.path}")

    def _open(self, method: str, kind: str, repo_id: str, revision: str) -> _Snapshot | None:
        """The repo at ``revision``, or None after answering the Hub's 404 for it."""
        snapshot = _snapshot(self.server.root, kind, repo_id)
        if snapshot is None:
            self._error(method, 404, "RepoNotFound", f"Repository {kind[:-1]} {repo_id!r} not found on the local hub")
        elif revision not in (MAIN, snapshot.sha):
            self._error(method, 404, "RevisionNotFound", f"Revision {revision!r} of {repo_id!r} not found")
        else:
            return snapshot
        return None

    # ---- endpoints

    def _repo_info(self, method: str, kind: str, repo_id: str, revision: str) -> None:
        if (snapshot := self._open(method, kind, repo_id, revision)) is None:
            return
        info = {
            "_id": snapshot.sha[:24],
            "id": repo_id,
            "author": repo_id.split("/")[0],
            "sha": snapshot.sha,
            "lastModified": _iso(snapshot.last_modified),
            "createdAt": _iso(snapshot.last_modified),
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            # size and blobId are what the Hub adds with ?blobs=true; always giving them costs nothing.
            "siblings": [{"rfilename": p, "size": f.size, "blobId": f.oid} for p, f in snapshot.files.items()],
            "usedStorage": sum(f.size for f in snapshot.files.values()),
        }
        self._json(method, info)

    def _tree(self, kind: str, repo_id: str, revision: str, folder: str, recursive: bool) -> None:
        if (snapshot := self._open("GET", kind, repo_id, revision)) is None:
            return
        dirs = snapshot.dirs()
        if folder and folder not in dirs:
            return self._error("GET", 404, "EntryNotFound", f"{folder!r} is not a folder of {repo_id!r}")
        prefix = f"{folder}/" if folder else ""
        paths = [p for p in sorted(dirs) + list(snapshot.files) if p.startswith(prefix)]
        if not recursive:
            paths = [p for p in paths if "/" not in p[len(prefix) :]]
        # One page: huggingface_hub only follows a `Link: rel="next"` header when there is one.
        self._json("GET", [_entry(snapshot, p) for p in paths])

    def _paths_info(self, kind: str, repo_id: str, revision: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        if (snapshot := self._open("POST", kind, repo_id, revision)) is None:
            return
        if "json" in (self.headers.get("Content-Type") or ""):
            paths = json.loads(body or "{}").get("paths", [])
        else:  # huggingface_hub posts a form: paths=a&paths=b&expand=False
            paths = parse_qs(body).get("paths", [])
        known = snapshot.dirs() | set(snapshot.files)
        # Like the Hub, a path that does not exist is left out rather than failing the request.
        self._json("POST", [_entry(snapshot, p.strip("/")) for p in paths if p.strip("/") in known])

    def _resolve(self, method: str, kind: str, repo_id: str, revision: str, path: str) -> None:
        if (snapshot := self._open(method, kind, repo_id, revision)) is None:
            return
        file = snapshot.files.get(path)
        if file is None:
            # X-Repo-Commit lets huggingface_hub cache the absence (.no_exist) as it does with the Hub.
            extra = {"X-Repo-Commit": snapshot.sha}
            return self._error(method, 404, "EntryNotFound", f"{path!r} not found in {repo_id!r}", extra)
        start, end, status = 0, file.size - 1, 200
        wanted = self.headers.get("Range") if method == "GET" else None
        if wanted:
            span = _byte_range(wanted, file.size)
            if span is None:
                extra = {"Content-Range": f"bytes */{file.size}", "X-Repo-Commit": snapshot.sha}
                return self._error(method, 416, None, f"Range {wanted!r} not satisfiable", extra)
            (start, end), status = span, 206
        self.send_response(status)
        self.send_header("X-Repo-Commit", snapshot.sha)
        self.send_header("ETag", f'"{file.oid}"')
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1 if file.size else 0))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{file.size}")
        self.end_headers()
        if method == "HEAD":
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError), open(file.path, "rb") as f:
            f.seek(start)
            left = end - start + 1 if file.size else 0
            while left > 0 and (chunk := f.read(min(_CHUNK, left))):
                self.wfile.write(chunk)
                left -= len(chunk)

    # ---- responses

    def _json(self, method: str, payload: object, status: int = 200) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def _error(self, method: str, status: int, code: str | None, message: str, headers: dict | None = None) -> None:
        body = json.dumps({"error": message}).encode("utf-8")
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message.encode("ascii", "replace").decode("ascii"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) bytes of a single-range ``Range: bytes=a-b`` header, None if unsatisfiable."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # a suffix: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None


# --------------------------------------------------------------------------- running it


@contextlib.contextmanager
def serve(
    root: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
) -> Iterator[str]:
    """Serve ``root`` from a background thread; yields the endpoint URL (port 0: a free one)."""
    server = LocalHub(root, host, port, verbose)
    thread = threading.Thread(target=server.serve_forever, name="local-hub", daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def client_env(
    endpoint: str, hf_home: str | os.PathLike | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """An environment for child processes that load from the local hub at ``endpoint``.

    Sets ``HF_ENDPOINT``, removes the offline switches (an offline client never asks the server),
    keeps loopback off any HTTP proxy, and with ``hf_home`` puts every Hugging Face cache under it
    so a rehearsal never mixes with (or pollutes) the real caches.
    """
    env = dict(os.environ if base is None else base)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        env.pop(name, None)
    env["HF_ENDPOINT"] = endpoint
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), "127.0.0.1", "localhost"]))
    env["NO_PROXY"] = env["no_proxy"] = no_proxy
    if hf_home is not None:
        home = Path(hf_home)
        env["HF_HOME"] = str(home)
        env["HF_HUB_CACHE"] = str(home / "hub")
        env["HF_DATASETS_CACHE"] = str(home / "datasets")
        env.pop("HUGGINGFACE_HUB_CACHE", None)
        env.pop("TRANSFORMERS_CACHE", None)
    return env


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m s1kit.rehearsal.hub",
        description="Serve a local Hugging Face Hub from DIR; prints the URL to export as HF_ENDPOINT.",
    )
    parser.add_argument("--root", required=True, help="directory with models/<org>/<name> and datasets/<org>/<name>")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    server = LocalHub(args.root, args.host, args.port, verbose=not args.quiet)
    print(server.url, flush=True)  # alone on the first line of stdout, for scripts to read
    for kind, ids in repo_ids(args.root).items():
        sys.stderr.write(f"local hub: {len(ids)} {kind}: {', '.join(ids) or '-'}\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
