"""The serving side of budget forcing without vLLM: request fields, the ASGI middleware, thinking counts, the command."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from s1kit.budget import BudgetForcing, ForcingTokens, budget_force
from s1kit.chat import ChatFormat
from s1kit.engines import HFEngine
from s1kit.service.fields import FieldError, rewrite_body, thinking_tokens
from s1kit.service.middleware import FORMAT_ENV, MODEL_ENV, ForcingFieldsMiddleware
from s1kit.service.rows import FORCING_KEY, config_from_args
from s1kit.tiny.world import generate_problems

END_IDS = [3, 4]


@pytest.mark.parametrize("body, field", [
    ({"max_thinking_tokens": 0}, "max_thinking_tokens"),
    ({"max_thinking_tokens": -5}, "max_thinking_tokens"),
    ({"max_thinking_tokens": 1.5}, "max_thinking_tokens"),
    ({"max_thinking_tokens": "8"}, "max_thinking_tokens"),
    ({"max_thinking_tokens": True}, "max_thinking_tokens"),
    ({"num_ignore": -1}, "num_ignore"),
    ({"num_ignore": None}, "num_ignore"),
    ({"num_ignore": "2"}, "num_ignore"),
    ({"ignore_str": ""}, "ignore_str"),
    ({"ignore_str": 3}, "ignore_str"),
    ({"ignore_str": "Wait<|im_end|>"}, "ignore_str"),
    ({"num_ignore": 1, "n": 2}, "n"),
    ({"num_ignore": 1, "vllm_xargs": {FORCING_KEY: "{}"}}, "vllm_xargs"),
])
def test_a_bad_field_is_named(body, field):
    with pytest.raises(FieldError) as caught:
        rewrite_body(body, ChatFormat(), END_IDS)
    assert caught.value.field == field and field in str(caught.value)


def test_forcing_fields_for_a_model_without_a_thinking_format_are_refused():
    with pytest.raises(FieldError, match="no thinking format") as caught:
        rewrite_body({"prompt": "hi", "num_ignore": 1}, None, END_IDS)
    assert caught.value.field == "num_ignore"
    assert rewrite_body({"prompt": "hi"}, None, END_IDS).config is None  # a plain request is served as usual


def test_fields_move_into_vllm_xargs():
    chat = ChatFormat.think_tags()
    body = {"prompt": "p", "max_thinking_tokens": 64, "num_ignore": 2, "ignore_str": None, "stop_token_ids": [9],
            "vllm_xargs": {"other": 1}}
    done = rewrite_body(body, chat, END_IDS)
    assert not {"max_thinking_tokens", "num_ignore", "ignore_str"} & set(done.body)
    assert done.body["vllm_xargs"]["other"] == 1 and done.body["stop_token_ids"] == [3, 4, 9]
    assert done.body["skip_special_tokens"] is False and done.body["return_token_ids"] is True
    config = config_from_args(done.body["vllm_xargs"][FORCING_KEY])
    assert (config.max_thinking_tokens, config.num_ignore, config.ignore_str, config.chat) == (64, 2, None, chat)
    assert config.max_answer_tokens is None  # the answer is open, bounded by the request's max_tokens
    assert done == rewrite_body(body, chat, END_IDS) and body["num_ignore"] == 2  # the caller's body is untouched


def test_thinking_tokens_are_counted_from_the_token_ids_alone(trained, chat):
    """What the middleware reports as reasoning_tokens equals the engine's own count, capped or not,
    whether the prompt opened the thinking or the processor wrote the delimiter first."""
    model, tok = trained
    engine = HFEngine(model, tok)
    questions = [p.question for p in generate_problems(seed=5, count=8, min_terms=4, max_terms=9, source="t",
                                                       id_prefix="p")]
    think_ids = tok.encode(chat.think_delimiter, add_special_tokens=False)
    capped = natural = 0
    for config in (BudgetForcing(max_thinking_tokens=5, max_answer_tokens=None),
                   BudgetForcing(max_thinking_tokens=30, num_ignore=1, max_answer_tokens=None),
                   BudgetForcing(num_ignore=2, max_answer_tokens=None, cap_newline="if_missing")):
        tokens = ForcingTokens.from_tokenizer(tok, config)
        for question, result in zip(questions, budget_force(engine, [chat.thinking_prompt(q) for q in questions],
                                                            config), strict=True):
            opened = tok.encode(chat.thinking_prompt(question), add_special_tokens=False)
            bare = tok.encode(chat.user_prompt(question), add_special_tokens=False)
            for prompt, output in ((opened, result.output_ids), (bare, think_ids + result.output_ids)):
                assert thinking_tokens(prompt, output, config, tokens, think_ids, engine.max_context) == \
                    result.thinking_tokens
            capped += result.cap_fired
            natural += not result.cap_fired
    assert capped and natural


# -- the middleware, driven as vLLM's server drives it (ASGI), around a stand-in for vLLM ---------------

class StandInVLLM:
    """An ASGI app that records the body it got and answers like vLLM's completions endpoint."""

    def __init__(self, reply: dict, status: int = 200):
        self.reply, self.status, self.bodies = reply, status, []
        self.state = SimpleNamespace(vllm_config=SimpleNamespace(model_config=SimpleNamespace(max_model_len=256)))

    async def __call__(self, scope, receive, send):
        message = await receive()
        self.bodies.append(json.loads(message["body"]))
        data = json.dumps(self.reply).encode()
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": data})


def call(middleware, app, body: dict, path="/v1/completions"):
    raw = json.dumps(body).encode()
    sent, got = [], False

    async def receive():
        nonlocal got
        if got:
            await asyncio.sleep(3600)
        got = True
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": [(b"content-length", str(len(raw)).encode())],
             "app": app}
    asyncio.run(middleware(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), dict(start["headers"])


@pytest.fixture
def served(monkeypatch, trained_dir, chat):
    path, _ = trained_dir
    monkeypatch.setenv(MODEL_ENV, str(path))
    monkeypatch.setenv(FORMAT_ENV, json.dumps(chat.__dict__))
    return path


def test_middleware_answers_a_bad_field_with_a_400_and_never_calls_vllm(served):
    app = StandInVLLM({})
    status, reply, _ = call(ForcingFieldsMiddleware(app), app, {"prompt": "p", "max_thinking_tokens": -1})
    assert status == 400 and reply["error"]["param"] == "max_thinking_tokens" and not app.bodies
    assert "max_thinking_tokens" in reply["error"]["message"]


def test_middleware_rewrites_and_counts_thinking(served, trained, chat):
    model, tok = trained
    question = "a3 b4 c5: what is the sum?"
    config = BudgetForcing(max_thinking_tokens=6, max_answer_tokens=None)
    result = budget_force(HFEngine(model, tok), [chat.thinking_prompt(question)], config)[0]
    prompt_ids = tok.encode(chat.thinking_prompt(question), add_special_tokens=False)
    app = StandInVLLM({"choices": [{"text": "...", "token_ids": result.output_ids, "prompt_token_ids": prompt_ids}],
                       "usage": {"prompt_tokens": len(prompt_ids), "completion_tokens": len(result.output_ids),
                                 "completion_tokens_details": {"reasoning_tokens": 99}}})
    status, reply, headers = call(ForcingFieldsMiddleware(app), app,
                                  {"prompt": chat.thinking_prompt(question), "max_thinking_tokens": 6})
    assert status == 200 and app.bodies[0]["return_token_ids"] is True and FORCING_KEY in app.bodies[0]["vllm_xargs"]
    assert reply["usage"]["completion_tokens_details"]["reasoning_tokens"] == result.thinking_tokens == 6
    assert "token_ids" not in reply["choices"][0]  # the client did not ask for them
    assert int(headers[b"content-length"]) == len(json.dumps(reply).encode())


def test_middleware_refuses_an_ignore_string_that_would_end_thinking(served):
    app = StandInVLLM({})
    status, reply, _ = call(ForcingFieldsMiddleware(app), app, {"prompt": "p", "num_ignore": 1,
                                                                 "ignore_str": "Wait<|im_start|>"})
    assert status == 400 and reply["error"]["param"] == "ignore_str" and not app.bodies


def test_middleware_passes_a_plain_request_through(served):
    app = StandInVLLM({"choices": [{"text": "x"}]})
    status, reply, _ = call(ForcingFieldsMiddleware(app), app, {"prompt": "p", "max_tokens": 3})
    assert status == 200 and reply == {"choices": [{"text": "x"}]} and app.bodies == [{"prompt": "p", "max_tokens": 3}]


def test_serve_refuses_a_missing_model_dir_and_builds_the_vllm_command(tmp_path, capsys, trained_dir):
    from s1kit.service.server import main, serve_command

    assert main(["--model", str(tmp_path / "nothing")]) == 2
    assert "no saved model there" in capsys.readouterr().err
    path, _ = trained_dir
    command, env = serve_command(path, 8123, chat=ChatFormat(), vllm_args=["--dtype", "float32"])
    assert command[command.index("--logits-processors") + 1].endswith(":BudgetForcingLogitsProcessor")
    assert "--middleware" in command and command[command.index("--reasoning-parser") + 1] == "s1kit"
    assert command[command.index("--dtype") + 1] == "float32" and json.loads(env[FORMAT_ENV]) == ChatFormat().__dict__
    assert command[command.index("--generation-config") + 1] == "vllm" and env["VLLM_USE_V2_MODEL_RUNNER"] == "0"
    mine, _ = serve_command(path, 8123, chat=ChatFormat(), vllm_args=["--generation-config", "auto"])
    assert mine.count("--generation-config") == 1 and mine[mine.index("--generation-config") + 1] == "auto"
    command, env = serve_command(path, 8123, chat=None)
    assert "--reasoning-parser" not in command and env[FORMAT_ENV] == "none"
