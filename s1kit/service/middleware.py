"""The ASGI middleware ``python -m s1kit serve`` installs in vLLM's OpenAI server (``--middleware``).

For ``POST /v1/completions`` and ``POST /v1/chat/completions`` it reads the body, checks and moves
the budget-forcing fields (:func:`s1kit.service.fields.rewrite_body`), and answers a bad field
with HTTP 400 naming it, without reaching vLLM. A forced, non-streamed reply then gets
``usage.completion_tokens_details.reasoning_tokens`` set to its exact thinking-token count
(:func:`s1kit.service.fields.thinking_tokens`), and loses the token ids it did not ask for.
Every other request passes through untouched.

It runs inside vLLM's API server process and reads the model and thinking format that
``s1kit.service.server`` puts in its environment (:data:`FORMAT_ENV`, :data:`MODEL_ENV`).
"""

from __future__ import annotations

import json
import logging
import os
from functools import cached_property

from s1kit.budget import ForcingTokens
from s1kit.chat import ChatFormat
from s1kit.service.fields import FieldError, rewrite_body, thinking_tokens

log = logging.getLogger("s1kit")

#: The environment variable with the served model's thinking format (ChatFormat's fields as JSON, or "none").
FORMAT_ENV = "S1KIT_SERVE_FORMAT"
#: The environment variable with the served model's directory (its tokenizer counts thinking tokens).
MODEL_ENV = "S1KIT_SERVE_MODEL"
PATHS = ("/v1/completions", "/v1/chat/completions")


def served_format() -> ChatFormat | None:
    """The thinking format the server was started with (None: the model has none)."""
    text = os.environ.get(FORMAT_ENV, "none")
    return None if text == "none" else ChatFormat(**json.loads(text))


class ForcingFieldsMiddleware:
    """ASGI middleware: budget-forcing request fields in, exact thinking counts out (see the module)."""

    def __init__(self, app):
        self.app = app
        self._tokens: dict[tuple, ForcingTokens] = {}

    @cached_property
    def chat(self) -> ChatFormat | None:
        return served_format()

    @cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(os.environ[MODEL_ENV])

    @cached_property
    def end_ids(self) -> list[int]:
        if self.chat is None:
            return []
        ids = {self.tokenizer.convert_tokens_to_ids(self.chat.end_of_turn)}
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return sorted(ids)

    def forcing_tokens(self, config) -> ForcingTokens:
        """The forcing token ids of a request's settings, worked out once per format and ignore string."""
        key = (config.chat, config.ignore_str)
        if key not in self._tokens:
            self._tokens[key] = ForcingTokens.from_tokenizer(self.tokenizer, config)
        return self._tokens[key]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in PATHS:
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        try:
            body = json.loads(raw) if raw else {}
            rewritten = rewrite_body(body, self.chat, self.end_ids)
        except json.JSONDecodeError:
            await self.app(scope, _replay(raw, receive), send)  # vLLM's own error for a body that is not JSON
            return
        except FieldError as error:
            await _error(send, 400, str(error), error.field)
            return
        if rewritten.config is None:
            await self.app(scope, _replay(raw, receive), send)
            return
        tokens = self.forcing_tokens(rewritten.config)
        if set(tokens.ignore_ids) & tokens.stop_ids:  # it would end the thinking, or the reply, itself
            await _error(send, 400, "ignore_str: must not contain a token that ends thinking or the turn "
                                    f"({sorted(set(tokens.ignore_ids) & tokens.stop_ids)})", "ignore_str")
            return
        data = json.dumps(rewritten.body).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(data)).encode())]}
        if rewritten.body.get("stream"):
            await self.app(scope, _replay(data, receive), send)
            return
        await self._patched(scope, _replay(data, receive), send, rewritten, scope.get("app"))

    async def _patched(self, scope, receive, send, rewritten, app) -> None:
        """Run vLLM, hold its reply, set the exact thinking count, send it on."""
        start, parts = None, []

        async def hold(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body"):
                    await send_patched()

        async def send_patched():
            body = b"".join(parts)
            if start["status"] == 200:
                try:
                    body = json.dumps(self._patch(json.loads(body), rewritten, app)).encode()
                except (ValueError, KeyError, TypeError):  # said in the server's log; the reply goes on as vLLM wrote it
                    log.exception("could not count the thinking tokens of a forced reply; its usage is vLLM's")
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)

    def _patch(self, reply: dict, rewritten, app) -> dict:
        config = rewritten.config
        max_context = app.state.vllm_config.model_config.max_model_len
        tokens = self.forcing_tokens(config)
        think_ids = self.tokenizer.encode(config.chat.think_delimiter, add_special_tokens=False)
        total = 0
        prompt_ids = reply.get("prompt_token_ids")
        for choice in reply["choices"]:
            prompt = choice.get("prompt_token_ids") or prompt_ids
            if prompt is None or choice.get("token_ids") is None:
                raise KeyError("the reply has no token ids to count thinking tokens from")
            total += thinking_tokens(prompt, choice["token_ids"], config, tokens, think_ids, max_context)
            message = choice.get("message")
            if isinstance(message, dict) and "reasoning" in message:  # vLLM >= 0.1x says "reasoning"; both names
                message.setdefault("reasoning_content", message["reasoning"])
            if not rewritten.client_wants_token_ids:
                choice.pop("token_ids", None)
                choice.pop("prompt_token_ids", None)
        if not rewritten.client_wants_token_ids:
            reply.pop("prompt_token_ids", None)
        usage = reply.get("usage")
        if isinstance(usage, dict):
            details = usage.get("completion_tokens_details") or {}
            usage["completion_tokens_details"] = {**details, "reasoning_tokens": total}
        return reply


def _replay(data: bytes, receive):
    """An ASGI ``receive`` that hands over ``data`` as the whole request body, then waits on the client's
    own ``receive`` (vLLM listens there for a disconnect, to abort the request)."""
    sent = False

    async def replayed():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": data, "more_body": False}

    return replayed


async def _error(send, status: int, message: str, field: str) -> None:
    body = json.dumps({"error": {"message": message, "type": "BadRequestError", "param": field,
                                 "code": status}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
