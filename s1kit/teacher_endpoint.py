"""Traces from a real reasoning teacher behind any OpenAI-compatible endpoint, cached and resumable.

s1 distilled its traces from Gemini 2.0 Flash Thinking, and s1K-1.1's from DeepSeek-R1. With
``distillation: {kind: endpoint}`` s1kit does the same with any reasoning model behind an
OpenAI-compatible API: a hosted one, or an open model under ``vllm serve --reasoning-parser``
(:func:`s1kit.serving.serve_vllm`). Each pool question goes to the teacher as one user message
(:attr:`EndpointConfig.prompt`); its thinking becomes the record's ``trace`` and its answer the
``attempt`` (:meth:`s1kit.chat_client.ChatClient.reason`), with ``forced_spans: []`` (a real
teacher chose every word) and the tokens it used.

Every answer is appended to a JSON-lines cache and flushed the moment it arrives, keyed by a
hash of the question and of what changes the answer (model, ``max_tokens``, temperature,
prompt), so an interruption (Ctrl-C, a crash, an endpoint that goes down) loses at most the
requests in flight, and the rerun asks only for the rest. Before the first request the endpoint
must answer and serve the model (:func:`s1kit.serving.check_reachable`), so a wrong URL is one
error, not a thousand.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from s1kit.chat_client import ChatClient, ChatClientError, ReasoningReply, api_key_from_env

log = logging.getLogger("s1kit")

QUESTION = "{question}"


@dataclass(frozen=True)
class EndpointConfig:
    """A reasoning teacher behind an OpenAI-compatible endpoint (``distillation.endpoint`` in a profile).

    Only ``model``, ``max_tokens``, ``temperature`` and ``prompt`` change the traces, so only
    they enter the stage's key and the cache's: the same model served at another URL, with
    another key, more concurrency or patience, gives the same traces.
    """

    base_url: str = ""  # e.g. http://127.0.0.1:8000/v1 (vllm serve) or a hosted API's
    model: str = ""  # as the endpoint serves it, e.g. deepseek-ai/DeepSeek-R1-Distill-Qwen-32B
    api_key_env: str = ""  # the environment variable that holds the key ("" for none); never the key
    max_tokens: int = 32768  # thinking and attempt together
    temperature: float = 0.6  # DeepSeek-R1's recommended sampling temperature (0 is greedy)
    prompt: str = QUESTION  # the user message; {question} is replaced by the pool question
    concurrency: int = 4  # requests in flight at once
    max_retries: int = 5  # per request, on 429/5xx/timeouts, with exponential backoff
    backoff_s: float = 2.0  # the first retry's wait; it doubles on each retry
    timeout_s: float = 1800.0  # per request: a long trace takes minutes
    # True: s1kit serves ``model`` itself for the stage (``vllm serve``, :func:`s1kit.serving.serve_vllm`,
    # on 127.0.0.1) and stops it after; base_url is then the server's
    serve_locally: bool = False
    reasoning_parser: str = "deepseek_r1"  # vLLM's parser that splits the thinking off (serve_locally)
    vllm_args: list[str] = dataclasses.field(default_factory=list)  # more `vllm serve` arguments (serve_locally)

    def __post_init__(self) -> None:
        problems = []
        if self.max_tokens <= 0:
            problems.append(f"max_tokens must be > 0, got {self.max_tokens}")
        if self.temperature < 0:
            problems.append(f"temperature must be >= 0, got {self.temperature}")
        if QUESTION not in self.prompt:
            problems.append(f"prompt must contain {QUESTION}, got {self.prompt!r}")
        if self.concurrency < 1:
            problems.append(f"concurrency must be >= 1, got {self.concurrency}")
        if self.max_retries < 0:
            problems.append(f"max_retries must be >= 0, got {self.max_retries}")
        if self.timeout_s <= 0 or self.backoff_s < 0:
            problems.append(f"timeout_s must be > 0 and backoff_s >= 0, got {self.timeout_s} and {self.backoff_s}")
        if problems:
            raise ValueError("; ".join(problems))

    def result_settings(self) -> dict:
        """What changes the traces (the stage's settings): not the URL, the key, retries or concurrency."""
        values = {"model": self.model, "max_tokens": self.max_tokens, "temperature": self.temperature,
                  "prompt": self.prompt}
        if self.serve_locally:  # the parser the stage serves the model with decides where thinking ends
            values["reasoning_parser"] = self.reasoning_parser
        return values

    def client(self, where: str = "distillation.endpoint") -> ChatClient:
        """A client for the endpoint, the key read from ``api_key_env`` (an unset variable is an error)."""
        if not self.base_url or not self.model:
            raise ValueError(f"{where} needs base_url and model, got {self.base_url!r} and {self.model!r}")
        return ChatClient(self.base_url, self.model, api_key=api_key_from_env(self.api_key_env, where),
                          timeout_s=self.timeout_s, max_retries=self.max_retries, backoff_s=self.backoff_s)


def endpoint_problems(config: EndpointConfig, where: str = "distillation.endpoint") -> list[str]:
    """What stops distillation from ``config``'s endpoint, as sentences (empty: good to go), for a
    preflight such as ``s1kit check``: an unset key variable, an unreachable URL, a model not served."""
    try:
        config.client(where).served_models()
    except (ValueError, ChatClientError) as error:
        return [str(error)]
    return []


def cache_name(model: str) -> str:
    """A file name for a model's cache (``deepseek-ai/DeepSeek-R1`` -> ``deepseek-ai--DeepSeek-R1.jsonl``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", model.replace("/", "--")).strip("-") + ".jsonl"


def answer_key(question: str, model: str, max_tokens: int, temperature: float, prompt: str = QUESTION) -> str:
    """The cache key of one answer: the question and everything that changes the teacher's reply."""
    text = json.dumps({"question": question, "model": model, "max_tokens": max_tokens,
                       "temperature": float(temperature), "prompt": prompt}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def read_cache(cache_path: Path) -> dict[str, dict]:
    """The cached answers by key; a damaged line (a write cut by a crash) is skipped, so asked again."""
    known: dict[str, dict] = {}
    if not cache_path.exists():
        return known
    for number, line in enumerate(cache_path.read_text().splitlines(), 1):
        try:
            row = json.loads(line)
            known[row["key"]] = {k: row[k] for k in ("thinking", "attempt", "prompt_tokens", "completion_tokens",
                                                     "model", "finish_reason")}
        except (json.JSONDecodeError, KeyError, TypeError):
            log.warning("%s:%d: skipping a damaged cache line (its question will be asked again)", cache_path, number)
    return known


def distill_from_endpoint(records: Sequence[dict], client: ChatClient, cache_path: str | Path, max_tokens: int,
                          temperature: float, prompt: str = QUESTION, concurrency: int = 1,
                          check: bool = True) -> tuple[list[dict], dict]:
    """Each record with the teacher's ``trace`` and ``attempt``; ``(rows in record order, usage)``.

    ``records`` are pool records (``id``, ``question``, ...); their ``trace``/``attempt``, if any,
    are replaced. Only questions not yet in ``cache_path`` are asked, ``concurrency`` at a time;
    every answer is in the cache the moment it arrives. The first failure (after the client's
    retries) stops new requests, waits for those in flight (their answers are kept) and is raised.
    ``check`` asks the endpoint for its models first (one clear error if it cannot be reached or
    does not serve the model); nothing is checked or asked when every answer is cached.

    ``usage`` counts the questions, their distinct answers, those taken from the cache and those
    requested now, the tokens of all answers and of the requested ones, and the answers cut at
    ``max_tokens``.
    """
    started = time.monotonic()
    cache_path = Path(cache_path)
    known = read_cache(cache_path)
    keys = [answer_key(r["question"], client.model, max_tokens, temperature, prompt) for r in records]
    todo: dict[str, str] = {}
    for key, record in zip(keys, records, strict=True):
        if key not in known and key not in todo:
            todo[key] = prompt.replace(QUESTION, record["question"])
    if todo:
        log.info("teacher %s at %s: %d questions to ask, %d answers cached", client.model, client.base_url,
                 len(todo), len(set(keys)) - len(todo))
        if check:
            client.served_models()
        asked = _ask_and_cache(todo, lambda text: client.reason(text, max_tokens, temperature), cache_path,
                               concurrency)
        known.update(asked)
    rows = []
    for key, record in zip(keys, records, strict=True):
        answer = known[key]
        rows.append(dict(record, trace=answer["thinking"], attempt=answer["attempt"], forced_spans=[],
                         teacher_model=answer["model"], teacher_truncated=answer["finish_reason"] == "length",
                         teacher_tokens={"prompt": answer["prompt_tokens"], "completion": answer["completion_tokens"]}))
    usage = _usage(len(rows), [known[k] for k in dict.fromkeys(keys)], [known[k] for k in todo], client,
                   time.monotonic() - started)
    if usage["truncated"]:
        log.warning("teacher %s: %d of %d answers were cut at max_tokens=%d", client.model, usage["truncated"],
                    usage["answers"], max_tokens)
    return rows, usage


def _usage(questions: int, answers: list[dict], requested: list[dict], client: ChatClient, seconds: float) -> dict:
    """Counts and tokens of a run; a question asked twice in the pool is one answer, counted once."""
    prompt = sum(a["prompt_tokens"] for a in answers)
    completion = sum(a["completion_tokens"] for a in answers)
    return {
        "model": client.model,
        "base_url": client.base_url,
        "questions": questions,
        "answers": len(answers),
        "cached": len(answers) - len(requested),
        "requested": len(requested),
        "tokens": {"prompt": prompt, "completion": completion, "total": prompt + completion},
        "requested_tokens": {"prompt": sum(a["prompt_tokens"] for a in requested),
                             "completion": sum(a["completion_tokens"] for a in requested)},
        "truncated": sum(a["finish_reason"] == "length" for a in answers),
        "seconds": round(seconds, 3),
    }


def _ask_and_cache(todo: dict[str, str], reason: Callable[[str], ReasoningReply], cache_path: Path,
                   concurrency: int) -> dict[str, dict]:
    """Ask every ``todo`` prompt (key -> text) on ``concurrency`` threads; append each answer to the cache.

    Only this thread writes the cache. The workers are daemon threads, so Ctrl-C ends the run at
    once (the requests in flight are lost, every earlier answer is on disk).
    """
    jobs: queue.Queue = queue.Queue()
    for item in todo.items():
        jobs.put(item)
    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    key, text = jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    results.put((key, reason(text), None))
                except Exception as error:  # handed to the main thread, which raises it
                    results.put((key, None, error))
        finally:
            results.put(done)

    workers = [threading.Thread(target=work, name=f"teacher-{i}", daemon=True)
               for i in range(min(concurrency, len(todo)))]
    answers: dict[str, dict] = {}
    failure: Exception | None = None
    last_log = time.monotonic()
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cut = _ends_mid_line(cache_path)
    with cache_path.open("a") as cache:
        if cut:
            cache.write("\n")  # a line cut by a crash stays alone on its line (and is skipped)
        try:
            for worker in workers:
                worker.start()
            running = len(workers)
            while running:
                item = results.get()
                if item is done:
                    running -= 1
                    continue
                key, reply, error = item
                if error is not None:
                    if failure is None:
                        failure = error
                        stop.set()  # no new requests; those in flight still land in the cache
                    continue
                answers[key] = {"thinking": reply.thinking, "attempt": reply.attempt,
                                "prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
                                "model": reply.model, "finish_reason": reply.finish_reason}
                cache.write(json.dumps({"key": key, **answers[key]}, sort_keys=True) + "\n")
                cache.flush()
                if time.monotonic() - last_log > 60:
                    last_log = time.monotonic()
                    log.info("teacher: %d of %d answered", len(answers), len(todo))
        finally:
            stop.set()
    if failure is not None:
        log.error("teacher: stopped after %d of %d answers (kept in %s)", len(answers), len(todo), cache_path)
        raise failure
    return answers


def _ends_mid_line(path: Path) -> bool:
    """True when a file's last line has no newline (a write cut short)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        handle.seek(-1, 2)
        return handle.read(1) != b"\n"
