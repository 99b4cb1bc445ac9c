"""A minimal client for any OpenAI-compatible ``/chat/completions`` endpoint (an API or ``vllm serve``).

s1 used LLMs as tools around its pipeline: a grader (gpt-4o-mini) for answers that string
comparison cannot decide, and a classifier (Claude 3.5 Sonnet) that labelled every question
with a Mathematics Subject Classification domain. s1kit reaches such a model through this one
client, with the standard library only: no SDK, no key in logs, one clear error when the
endpoint answers something unexpected.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass


class ChatClientError(RuntimeError):
    """The endpoint could not be reached or answered without a message."""


@dataclass(frozen=True)
class ChatClient:
    """``base_url`` ends before ``/chat/completions`` (e.g. ``http://127.0.0.1:8000/v1``)."""

    base_url: str
    model: str
    api_key: str = ""
    timeout_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: dict, where: str) -> "ChatClient":
        """A client from a profile mapping ``{base_url, model, api_key_env}``; the key is read from
        the environment variable ``api_key_env`` names, so it never sits in a recipe or a stage record."""
        missing = [k for k in ("base_url", "model") if k not in settings]
        if missing:
            raise ValueError(f"{where} needs {missing}; got keys {sorted(settings)}")
        return cls(settings["base_url"], settings["model"], api_key=os.environ.get(settings.get("api_key_env", ""), ""))

    def ask(self, prompt: str, max_tokens: int = 16) -> str:
        """One user message, greedy; the reply's text, stripped."""
        body = json.dumps({"model": self.model, "temperature": 0, "max_tokens": max_tokens,
                           "messages": [{"role": "user", "content": prompt}]}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = self.base_url.rstrip("/") + "/chat/completions"
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as reply:  # noqa: S310 (the user's endpoint)
                data = json.loads(reply.read())
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
            raise ChatClientError(f"chat endpoint {url} failed: {error}") from error
        try:
            return str(data["choices"][0]["message"]["content"]).strip()
        except (KeyError, IndexError, TypeError) as error:
            raise ChatClientError(f"chat endpoint {url} answered without choices[0].message.content: "
                                  f"{str(data)[:200]}") from error


def result_settings(settings: dict) -> dict:
    """The part of an endpoint mapping that can change results (not which variable holds the key)."""
    return {k: v for k, v in settings.items() if k != "api_key_env"}
