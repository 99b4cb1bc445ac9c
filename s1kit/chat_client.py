"""One client for any OpenAI-compatible chat endpoint (a hosted API or a local ``vllm serve``), on ``openai``.

s1 used LLMs around its pipeline: a grader (gpt-4o-mini) for answers that string comparison
cannot decide, a classifier (Claude 3.5 Sonnet) that labelled every question with a Mathematics
Subject Classification domain, and a reasoning teacher (Gemini Thinking; DeepSeek-R1 for s1K-1.1)
that wrote the traces. s1kit reaches all of them through :class:`ChatClient`:

* :meth:`ChatClient.ask`: one short greedy reply (the judge, the domain classifier);
* :meth:`ChatClient.reason`: one question to a reasoning model, its thinking and its attempt
  apart (:class:`ReasoningReply`), with the tokens it used;
* :meth:`ChatClient.served_models`: the preflight that an endpoint answers and serves the model.

Every failure is one :class:`ChatClientError` that names the endpoint's URL. Rate limits (429),
server errors (5xx), 408/409 and timeouts are retried ``max_retries`` times with exponential
backoff (``backoff_s``, doubling, at most ``max_backoff_s``, or the server's ``Retry-After``);
an endpoint that refuses the connection before it has ever answered fails at once (nothing
listens there), one that drops it later is retried like a server error. The key is read from
the environment variable a profile names (``api_key_env``), never stored in a recipe, a stage
record or a log.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("s1kit")

THINK_END = "</think>"
THINK_START = "<think>"
NO_KEY = "EMPTY"  # what the openai package sends when there is no key (vLLM's convention; it checks none)
RETRY_STATUSES = frozenset({408, 409, 429})  # and every 5xx
_CLIENT_LOCK = threading.Lock()  # concurrent first requests build one openai client
# Keys of an endpoint mapping in a profile; the last four (TRANSPORT_KEYS) change no result.
SETTING_KEYS = ("base_url", "model", "api_key_env", "timeout_s", "max_retries", "backoff_s")
TRANSPORT_KEYS = ("api_key_env", "timeout_s", "max_retries", "backoff_s")


class ChatClientError(RuntimeError):
    """The endpoint could not be reached, refused the request, or answered something unusable."""


@dataclass(frozen=True)
class ReasoningReply:
    """A reasoning model's reply to one question: its thinking apart from its attempt (the answer)."""

    thinking: str
    attempt: str
    prompt_tokens: int
    completion_tokens: int
    model: str  # the model the reply names
    finish_reason: str | None = None  # "length": cut at max_tokens (the attempt may be empty)

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


@dataclass(frozen=True)
class ChatClient:
    """``base_url`` ends before ``/chat/completions`` (e.g. ``http://127.0.0.1:8000/v1``)."""

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout_s: float = 60.0  # per request
    max_retries: int = 5  # on 408/409/429/5xx and timeouts
    backoff_s: float = 1.0  # the first wait; it doubles on each retry
    max_backoff_s: float = 60.0

    def __post_init__(self) -> None:
        # not a field (asdict, replace and == ignore it): the openai client, built on first use, and
        # whether the endpoint has answered yet
        object.__setattr__(self, "_state", {})
        if not self.base_url or not self.model:
            raise ValueError(f"a chat endpoint needs a base_url and a model, got {self.base_url!r} and {self.model!r}")
        if self.max_retries < 0 or self.timeout_s <= 0 or self.backoff_s < 0:
            raise ValueError(f"chat endpoint {self.base_url}: max_retries must be >= 0, timeout_s > 0, backoff_s >= 0")

    @classmethod
    def from_settings(cls, settings: dict, where: str) -> ChatClient:
        """A client from a profile mapping ``{base_url, model, api_key_env}`` (and optionally ``timeout_s``,
        ``max_retries``, ``backoff_s``); the key is read from the environment variable ``api_key_env``
        names, so it never sits in a recipe or a stage record."""
        missing = [k for k in ("base_url", "model") if k not in settings]
        if missing:
            raise ValueError(f"{where} needs {missing}; got keys {sorted(settings)}")
        unknown = sorted(set(settings) - set(SETTING_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {unknown}; known keys: {list(SETTING_KEYS)}")
        options = {k: settings[k] for k in ("timeout_s", "max_retries", "backoff_s") if k in settings}
        return cls(settings["base_url"], settings["model"], api_key=api_key_from_env(settings.get("api_key_env", ""),
                                                                                     where), **options)

    # -- the calls -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def ask(self, prompt: str, max_tokens: int = 16) -> str:
        """One user message, greedy; the reply's text, stripped."""
        completion = self._complete([{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0)
        try:
            return str(completion.choices[0].message.content).strip()
        except (AttributeError, IndexError, TypeError) as error:
            raise ChatClientError(f"chat endpoint {self.url} answered without choices[0].message.content: "
                                  f"{str(completion)[:200]}") from error

    def reason(self, question: str, max_tokens: int, temperature: float = 0.0) -> ReasoningReply:
        """One question to a reasoning model: its thinking, its attempt and the tokens it used.

        The thinking is the message's ``reasoning_content`` (vLLM with a reasoning parser, up to
        0.25) or ``reasoning`` (vLLM 0.26 on, several APIs); else the text before ``</think>`` in
        the content, whose rest is the attempt. A reply that names another model than the one
        asked for, or that holds no thinking, is an error: traces of the wrong teacher, or answers
        without traces, must not pass for distillation data.
        """
        completion = self._complete([{"role": "user", "content": question}], max_tokens=max_tokens,
                                    temperature=temperature)
        try:
            choice = completion.choices[0]
            message = choice.message
        except (AttributeError, IndexError, TypeError) as error:
            raise ChatClientError(f"chat endpoint {self.url} answered without choices[0].message: "
                                  f"{str(completion)[:200]}") from error
        named = getattr(completion, "model", None) or ""
        if named and not same_model(named, self.model):
            raise ChatClientError(f"chat endpoint {self.url} answered with model {named!r}, not the requested "
                                  f"{self.model!r}: is another server listening at {self.base_url}?")
        finish = getattr(choice, "finish_reason", None)
        thinking, attempt = split_thinking(message, truncated=finish == "length")
        if thinking is None:
            raise ChatClientError(
                f"chat endpoint {self.url} (model {self.model!r}) returned no thinking: no reasoning_content or "
                f"reasoning field and no {THINK_END} in its content. Serve it with a reasoning parser, e.g. "
                f"`vllm serve {self.model} --reasoning-parser deepseek_r1`, or ask a reasoning model.")
        usage = getattr(completion, "usage", None)
        return ReasoningReply(thinking, attempt, int(getattr(usage, "prompt_tokens", 0) or 0),
                              int(getattr(usage, "completion_tokens", 0) or 0), named or self.model, finish)

    def served_models(self) -> list[str]:
        """The model ids ``GET /models`` lists, checking that the endpoint answers and serves ``model``.

        One :class:`ChatClientError` naming the URL if nothing answers there, if the key is refused,
        or if ``model`` is not among the served models. An API without ``/models`` (404) passes
        with an empty list: it answered, and the first request will tell the rest.
        """
        import openai

        url = self.base_url.rstrip("/") + "/models"
        try:
            page = self._openai().with_options(timeout=min(self.timeout_s, 30.0)).models.list()
            served = [str(m.id) for m in page.data]
        except openai.NotFoundError:
            log.warning("endpoint %s has no model list; assuming it serves %r", url, self.model)
            return []
        except openai.APIStatusError as error:
            raise ChatClientError(f"endpoint {url} answered {error.status_code}: {_reason(error)}"
                                  f"{_key_hint(error.status_code)}") from error
        except openai.APIConnectionError as error:
            raise ChatClientError(f"endpoint {url} cannot be reached ({_cause(error)}): is the server running "
                                  f"and the URL right?") from error
        except (AttributeError, TypeError) as error:
            raise ChatClientError(f"endpoint {url} answered without a model list") from error
        self._state["reached"] = True
        if self.model not in served:
            raise ChatClientError(f"endpoint {url} does not serve model {self.model!r}; it serves {served}")
        return served

    # -- transport --------------------------------------------------------------------------------
    def _openai(self):
        with _CLIENT_LOCK:
            if "client" not in self._state:
                import openai

                # Retries are ours (_complete), so that they are logged and their backoff is configurable.
                self._state["client"] = openai.OpenAI(base_url=self.base_url, api_key=self.api_key or NO_KEY,
                                                      timeout=self.timeout_s, max_retries=0)
            return self._state["client"]

    def _complete(self, messages: list[dict], **options):
        """``POST /chat/completions``, retried with exponential backoff on what a retry can cure."""
        import openai

        client = self._openai()
        for attempt in range(self.max_retries + 1):
            try:
                completion = client.chat.completions.create(model=self.model, messages=messages, **options)
            except openai.APIStatusError as error:
                status = error.status_code
                if status not in RETRY_STATUSES and status < 500:
                    raise ChatClientError(f"chat endpoint {self.url} failed: {status} {_reason(error)}"
                                          f"{_key_hint(status)}") from error
                failure, what, after = error, f"answered {status} {_reason(error)}", _retry_after(error)
            except openai.APITimeoutError as error:
                failure, what, after = error, f"did not answer within {self.timeout_s:g} s", None
            except openai.APIConnectionError as error:
                if not self._state.get("reached"):  # nothing ever answered there: no point in waiting
                    raise ChatClientError(f"chat endpoint {self.url} failed: cannot connect ({_cause(error)}); "
                                          f"is the server running at {self.base_url}?") from error
                failure, what, after = error, f"dropped the connection ({_cause(error)})", None
            else:
                self._state["reached"] = True
                return completion
            if attempt == self.max_retries:
                raise ChatClientError(f"chat endpoint {self.url} failed: {what} "
                                      f"(tried {attempt + 1} times)") from failure
            wait = self.backoff_delay(attempt, after)
            log.warning("chat endpoint %s %s; retry %d of %d in %.1f s", self.url, what, attempt + 1,
                        self.max_retries, wait)
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``attempt + 1``: the server's ``Retry-After`` when it gives a
        reasonable one, else ``backoff_s * 2**attempt`` (at most ``max_backoff_s``), less up to 25% jitter
        so that concurrent requests do not all come back at once."""
        if retry_after is not None and 0 <= retry_after <= self.max_backoff_s:
            return retry_after
        return min(self.backoff_s * 2 ** attempt, self.max_backoff_s) * (1 - 0.25 * random.random())  # noqa: S311


def split_thinking(message: Any, truncated: bool = False) -> tuple[str | None, str]:
    """``(thinking, attempt)`` of a chat message; thinking is None when the message holds none.

    A separate field (``reasoning_content``, ``reasoning``) wins; else the content is split at its
    last ``</think>`` (a leading ``<think>`` dropped). A reply cut at ``max_tokens`` while it was
    still thinking (``truncated``, an open ``<think>`` and no ``</think>``) is all thinking.
    """
    content = getattr(message, "content", None) or ""
    for name in ("reasoning_content", "reasoning"):
        value = getattr(message, name, None)
        if isinstance(value, str) and value.strip():
            return value.strip(), content.strip()
    if THINK_END in content:
        thinking, attempt = content.rsplit(THINK_END, 1)
        thinking = thinking.strip()
        thinking = thinking[len(THINK_START):] if thinking.startswith(THINK_START) else thinking
        if thinking.strip():
            return thinking.strip(), attempt.strip()
    if truncated and content.lstrip().startswith(THINK_START):
        return content.lstrip()[len(THINK_START):].strip(), ""
    return None, content.strip()


def same_model(named: str, requested: str) -> bool:
    """Whether a reply's model is the one requested: the same id, or a dated snapshot of it
    (a hosted API answers ``o3-mini-2025-01-31`` to ``o3-mini``)."""
    return named == requested or named.startswith(requested + "-20")


def api_key_from_env(variable: str, where: str) -> str:
    """The key in environment variable ``variable`` ('' when none is named); a named but unset
    variable is an error before any work."""
    if not variable:
        return ""
    key = os.environ.get(variable, "")
    if not key:
        raise ValueError(f"{where}: api_key_env names the environment variable {variable!r}, which is not set "
                         f"(export it, or drop api_key_env for an endpoint without a key)")
    return key


def result_settings(settings: dict) -> dict:
    """The part of an endpoint mapping that can change results (not which variable holds the key,
    nor timeouts and retries)."""
    return {k: v for k, v in settings.items() if k not in TRANSPORT_KEYS}


def _reason(error) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
        if message:
            return str(message)[:300]
    return str(getattr(error, "message", error))[:300]


def _cause(error: BaseException) -> str:
    cause = error.__cause__ or error.__context__
    return str(cause or error)[:200]


def _key_hint(status: int) -> str:
    return " (the endpoint refused the API key: check the variable api_key_env names)" if status in (401, 403) else ""


def _retry_after(error) -> float | None:
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        if headers.get("retry-after-ms") is not None:
            return float(headers["retry-after-ms"]) / 1000
        if headers.get("retry-after") is not None:
            return float(headers["retry-after"])
    except (TypeError, ValueError):
        return None
    return None
