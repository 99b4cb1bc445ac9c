"""The local-server launcher (start, health check, stop) and the reachability preflight, on a stand-in server."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
from openai_standin import MODEL, SCRIPT, standin, stats

from s1kit.chat_client import ChatClient, ChatClientError
from s1kit.serving import (
    REPO,
    LocalServer,
    ServerStartError,
    check_reachable,
    free_port,
    port_in_use,
    serve_vllm,
    vllm_command,
)


@pytest.fixture
def log(tmp_path):
    """A server log in the test's directory (a failed start keeps its log, for the error to point at)."""
    return tmp_path / "server.log"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_launcher_waits_for_health_then_models_and_stops_the_server(tmp_path):
    port = free_port()
    command = [sys.executable, str(SCRIPT), "--port", str(port), "--slow-start", "0.4"]
    server = LocalServer(command, port, model=MODEL, log_path=tmp_path / "server.log", poll_s=0.05)
    started = time.monotonic()
    with server as base_url:
        assert time.monotonic() - started >= 0.4  # /health answered 503 until then
        assert base_url == f"http://127.0.0.1:{port}/v1" and server.base_url == base_url
        assert check_reachable(base_url, MODEL) == [MODEL]
        pid = server.process.pid
    assert server.process is None and _gone(pid) and not port_in_use(port)
    assert f"stand-in serving {MODEL}" in (tmp_path / "server.log").read_text()
    server.stop()  # idempotent


def test_a_port_in_use_is_refused_before_starting(log):
    with standin() as base_url:
        port = int(base_url.split(":")[-1].split("/")[0])
        with pytest.raises(ServerStartError, match=f"port {port} on 127.0.0.1 is in use"):
            LocalServer([sys.executable, str(SCRIPT), "--port", str(port)], port, log_path=log).start()
        assert check_reachable(base_url, MODEL) == [MODEL]  # the first server still runs


def test_launcher_stops_the_server_when_the_block_fails():
    with pytest.raises(RuntimeError, match="boom"):
        with standin() as base_url:
            port = int(base_url.split(":")[-1].split("/")[0])
            raise RuntimeError("boom")
    assert not port_in_use(port)


def test_a_server_that_dies_while_starting_is_one_error_with_its_log(log):
    port = free_port()
    command = [sys.executable, str(SCRIPT), "--port", str(port), "--crash", "CUDA out of memory (stand-in)"]
    with pytest.raises(ServerStartError, match=r"(?s)exited with code 3 while starting.*CUDA out of memory"):
        with LocalServer(command, port, poll_s=0.05, log_path=log):
            pytest.fail("the block must not run")


def test_a_server_never_ready_is_stopped_after_the_timeout(log):
    port = free_port()
    command = [sys.executable, "-c", "import time; print('loading weights', flush=True); time.sleep(60)"]
    server = LocalServer(command, port, ready_timeout_s=0.5, poll_s=0.05, stop_timeout_s=5, log_path=log)
    started = time.monotonic()
    with pytest.raises(ServerStartError, match=rf"(?s)not ready after 0.5 s \(no 200 from http://127.0.0.1:{port}"
                                               r"/health\).*loading weights"):
        server.start()
    assert time.monotonic() - started < 10 and server.process is None


def test_launcher_checks_the_served_model(log):
    port = free_port()
    server = LocalServer([sys.executable, str(SCRIPT), "--port", str(port)], port, model="other/model", poll_s=0.05,
                         log_path=log)
    with pytest.raises(ServerStartError, match=r"serves \['standin/reasoner'\], not 'other/model'"):
        server.start()
    assert server.process is None and not port_in_use(port)


def test_check_reachable_names_the_url_or_the_served_models():
    port = free_port()  # nothing listens there
    with pytest.raises(ChatClientError, match=rf"endpoint http://127.0.0.1:{port}/v1/models cannot be reached"):
        check_reachable(f"http://127.0.0.1:{port}/v1", MODEL)
    with standin() as base_url:
        with pytest.raises(ChatClientError, match=r"does not serve model 'nope'; it serves \['standin/reasoner'\]"):
            check_reachable(base_url, "nope")
        assert stats(base_url)["completions"] == 0


def test_vllm_command_line():
    assert vllm_command("Qwen/QwQ-32B", 8123, python="/venv/bin/python", reasoning_parser="deepseek_r1",
                        served_model_name="qwq", extra_args=["--max-model-len", 32768]) == [
        "/venv/bin/python", "-m", "vllm.entrypoints.openai.api_server", "--model", "Qwen/QwQ-32B", "--host", "127.0.0.1",
        "--port", "8123", "--served-model-name", "qwq", "--reasoning-parser", "deepseek_r1", "--max-model-len",
        "32768"]
    assert vllm_command("m", 1, python="py") == ["py", "-m", "vllm.entrypoints.openai.api_server", "--model", "m",
                                                  "--host", "127.0.0.1", "--port", "1"]
    # by default the interpreter that has vLLM: this one, else the repository's .venv-vllm
    assert vllm_command("m", 1)[0] in (sys.executable, str(REPO / ".venv-vllm" / "bin" / "python"))


FAKE_VLLM_CLI = '''
"""A stand-in for vLLM's API server module: parses its arguments as vLLM does and runs the stand-in server."""
import argparse, sys
from openai_standin import main

parser = argparse.ArgumentParser()
parser.add_argument("--model")
parser.add_argument("--host")
parser.add_argument("--port", type=int)
parser.add_argument("--served-model-name")
parser.add_argument("--reasoning-parser")
parser.add_argument("--max-model-len", type=int)
args = parser.parse_args()
# without a reasoning parser, vLLM leaves a reasoning model's <think>...</think> in the content
main(["--host", args.host, "--port", str(args.port), "--model", args.served_model_name or args.model,
      "--thinking", "reasoning" if args.reasoning_parser else "tags"])
'''


def test_serve_vllm_launches_vllm_serve_through_the_launcher(tmp_path):
    server = tmp_path / "vllm" / "entrypoints" / "openai"
    server.mkdir(parents=True)
    for package in (tmp_path / "vllm", tmp_path / "vllm" / "entrypoints", server):
        (package / "__init__.py").write_text("")
    (server / "api_server.py").write_text(textwrap.dedent(FAKE_VLLM_CLI))
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).parent)])}
    with serve_vllm("org/Reasoner-7B", env=env, python=sys.executable, reasoning_parser="deepseek_r1",
                    served_model_name="teacher", extra_args=["--max-model-len", "4096"],
                    log_path=tmp_path / "vllm.log") as base_url:
        reply = ChatClient(base_url, "teacher").reason("1 + 1?", max_tokens=64)
        assert reply.thinking.startswith("Let me think") and reply.model == "teacher"
    with serve_vllm("org/Reasoner-7B", env=env, python=sys.executable, log_path=tmp_path / "vllm.log") as base_url:
        reply = ChatClient(base_url, "org/Reasoner-7B").reason("1 + 1?", max_tokens=64)  # no reasoning parser
        assert reply.thinking.startswith("Let me think") and reply.attempt == "Final Answer: 6"
