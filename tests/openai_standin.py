"""A small OpenAI-compatible reasoning server for the tests, launched like vLLM through ``s1kit.serving``.

``python tests/openai_standin.py --port N --model M [options]`` answers

* ``GET /health``: 200 (503 for the first ``--slow-start`` seconds);
* ``GET /v1/models``: the one served model;
* ``POST /v1/chat/completions``: a deterministic "reasoning" reply to the last user message, with
  ``usage`` (prompt tokens: the question's words; completion tokens: the reply's words);
* ``GET /stats``: what it was asked: ``{"completions": n, "answered": n, "questions": [...]}``.

Options make it misbehave as real endpoints do: ``--errors 429,500`` answers those statuses to
the first requests, one each; ``--fail-after N`` answers N questions and then 500 to every
request (a server that went down for good); ``--reply-model X`` names another model in its
replies; ``--thinking`` puts the thinking in ``reasoning_content`` (vLLM up to 0.25), in
``reasoning`` (vLLM 0.26 on), in the content before ``</think>`` (no reasoning parser), or
nowhere (not a reasoning model); ``--crash MSG`` prints MSG and exits 3 at once.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SCRIPT = Path(__file__).resolve()
MODEL = "standin/reasoner"


def thinking_of(question: str) -> str:
    return f"Let me think about {question!r}. Adding it up... Wait, check again. Yes."


def attempt_of(question: str) -> str:
    return f"Final Answer: {len(question)}"


class State:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.errors = [int(s) for s in args.errors.split(",") if s]
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.completions = 0  # requests to /chat/completions
        self.answered = 0  # 200 answers
        self.questions: list[str] = []


def make_handler(state: State):
    args = state.args

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 (the http.server API)
            if self.path == "/health":
                ready = time.monotonic() - state.started >= args.slow_start
                self._send(200 if ready else 503, {})
            elif self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": args.model, "object": "model"}]})
            elif self.path == "/stats":
                with state.lock:
                    self._send(200, {"completions": state.completions, "answered": state.answered,
                                     "questions": list(state.questions)})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": f"no route {self.path}"}})
            if body.get("model") != args.model:
                return self._send(404, {"error": {"message": f"The model `{body.get('model')}` does not exist."}})
            with state.lock:
                state.completions += 1
                status = state.errors.pop(0) if state.errors else None
                if status is None and 0 <= args.fail_after <= state.answered:
                    status = 500
            if status is not None:  # a tiny Retry-After keeps the tests fast and exercises the header
                return self._send(status, {"error": {"message": f"stand-in error {status}"}},
                                  {"retry-after-ms": "10"} if args.retry_after else None)
            question = body["messages"][-1]["content"]
            thinking, attempt = thinking_of(question), attempt_of(question)
            message = {"role": "assistant", "content": attempt}
            if args.thinking == "reasoning_content":
                message["reasoning_content"] = thinking
            elif args.thinking == "reasoning":
                message["reasoning"] = thinking
            elif args.thinking == "tags":
                message["content"] = f"<think>\n{thinking}\n</think>\n\n{attempt}"
            completion_tokens = len(thinking.split()) + len(attempt.split())
            time.sleep(args.delay)
            with state.lock:
                state.answered += 1
                state.questions.append(question)
            self._send(200, {
                "id": f"chatcmpl-{state.answered}", "object": "chat.completion", "created": 0,
                "model": args.reply_model or args.model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": len(question.split()), "completion_tokens": completion_tokens,
                          "total_tokens": len(question.split()) + completion_tokens},
            })

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def standin(*options: str, model: str = MODEL, **launcher):
    """``with standin("--errors", "429") as base_url``: the stand-in on a free port, through s1kit's launcher."""
    from s1kit.serving import LocalServer, free_port

    port = free_port()
    command = [sys.executable, str(SCRIPT), "--port", str(port), "--model", model, *options]
    with LocalServer(command, port, poll_s=0.05, stop_timeout_s=5, **launcher) as base_url:
        yield base_url


def stats(base_url: str) -> dict:
    """What the stand-in at ``base_url`` was asked (``/stats``)."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # a local server: never a proxy
    with direct.open(base_url.removesuffix("/v1") + "/stats", timeout=5) as reply:
        return json.loads(reply.read())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--reply-model", default="")
    parser.add_argument("--thinking", choices=["reasoning_content", "reasoning", "tags", "none"],
                        default="reasoning_content")
    parser.add_argument("--errors", default="", help="statuses for the first requests, e.g. 429,500")
    parser.add_argument("--fail-after", type=int, default=-1, help="500 to every request after N answers")
    parser.add_argument("--retry-after", action="store_true", help="send retry-after-ms: 10 with errors")
    parser.add_argument("--slow-start", type=float, default=0.0, help="seconds /health answers 503")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--crash", default="", help="print this and exit 3")
    args = parser.parse_args(argv)
    if args.crash:
        print(args.crash, file=sys.stderr, flush=True)
        sys.exit(3)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(State(args)))
    print(f"stand-in serving {args.model} on {args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
