"""Distillation from an OpenAI-compatible reasoning endpoint: thinking, retries, errors, the cache, the stage."""

from __future__ import annotations

import json
import types

import pytest
import yaml
from openai_standin import MODEL, attempt_of, standin, stats, thinking_of

from s1kit.chat_client import ChatClient, ChatClientError, result_settings, same_model, split_thinking
from s1kit.config import ConfigError, load_profile
from s1kit.serving import free_port
from s1kit.teacher_endpoint import EndpointConfig, answer_key, cache_name, distill_from_endpoint, endpoint_problems

QUESTIONS = [f"What is {n} + {n + 1}?" for n in range(5)]


def pool(questions=QUESTIONS):
    return [{"id": f"p{i}", "question": q, "answer": "x", "trace": "old", "attempt": "old"}
            for i, q in enumerate(questions)]


def client(base_url: str, **options) -> ChatClient:
    return ChatClient(base_url, MODEL, **{"backoff_s": 0.01, **options})


def cache_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# -- the thinking ---------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["reasoning_content", "reasoning", "tags"])
def test_thinking_comes_from_the_reasoning_field_or_before_think_end(where):
    with standin("--thinking", where) as base_url:
        reply = client(base_url).reason("What is 2 + 3?", max_tokens=100, temperature=0.6)
    assert reply.thinking == thinking_of("What is 2 + 3?") and reply.attempt == attempt_of("What is 2 + 3?")
    assert reply.model == MODEL and reply.prompt_tokens == 5 and reply.completion_tokens > 10
    assert not reply.truncated


def test_split_thinking():
    message = types.SimpleNamespace
    assert split_thinking(message(content="A", reasoning_content="T")) == ("T", "A")
    assert split_thinking(message(content="A", reasoning_content=None, reasoning="T")) == ("T", "A")
    assert split_thinking(message(content="<think>\nT\n</think>\n\nA")) == ("T", "A")
    assert split_thinking(message(content="T</think>A")) == ("T", "A")  # the template opened <think> itself
    assert split_thinking(message(content="<think>\nT, still thinking"), truncated=True) == ("T, still thinking", "")
    assert split_thinking(message(content="<think>\nT, still thinking")) == (None, "<think>\nT, still thinking")
    assert split_thinking(message(content="just an answer", reasoning_content="")) == (None, "just an answer")
    assert split_thinking(message(content=None, reasoning_content="T")) == ("T", "")  # cut while thinking


# -- retries and errors ---------------------------------------------------------------------------
def test_429_and_500_are_retried_with_backoff_then_succeed():
    with standin("--errors", "429,500") as base_url:
        reply = client(base_url).reason("q?", max_tokens=50)
        assert reply.thinking == thinking_of("q?") and stats(base_url)["completions"] == 3
    with standin("--errors", "503,429", "--retry-after") as base_url:  # the server's Retry-After is honoured
        assert client(base_url, backoff_s=30.0).ask("q?", max_tokens=5) == attempt_of("q?")


def test_retries_give_up_with_one_error_naming_the_endpoint():
    with standin("--errors", "500,500,500,500") as base_url:
        with pytest.raises(ChatClientError, match=rf"chat endpoint {base_url}/chat/completions failed: answered 500 "
                                                  r"stand-in error 500 \(tried 3 times\)"):
            client(base_url, max_retries=2).reason("q?", max_tokens=50)
        assert stats(base_url)["completions"] == 3


def test_backoff_doubles_up_to_its_cap_and_follows_retry_after():
    slow = ChatClient("http://127.0.0.1:1/v1", "m", backoff_s=1.0, max_backoff_s=5.0)
    for attempt, full in enumerate([1, 2, 4, 5, 5]):
        assert 0.75 * full <= slow.backoff_delay(attempt) <= full
    assert slow.backoff_delay(0, retry_after=3.0) == 3.0
    assert 0.75 <= slow.backoff_delay(0, retry_after=500.0) <= 1.0  # an unreasonable Retry-After is ignored


def test_a_reply_from_another_model_is_an_error_naming_endpoint_and_models(tmp_path):
    with standin("--reply-model", "other/small-model") as base_url:
        with pytest.raises(ChatClientError, match=rf"chat endpoint {base_url}/chat/completions answered with model "
                                                  r"'other/small-model', not the requested 'standin/reasoner'"):
            distill_from_endpoint(pool(), client(base_url), tmp_path / "c.jsonl", 100, 0.0)
    assert cache_lines(tmp_path / "c.jsonl") == []
    assert same_model("o3-mini-2025-01-31", "o3-mini") and not same_model("o3-mini", "o3")  # a dated snapshot


def test_a_reply_without_thinking_is_an_error_with_the_fix(tmp_path):
    with standin("--thinking", "none") as base_url:
        with pytest.raises(ChatClientError, match=rf"(?s)chat endpoint {base_url}/chat/completions \(model "
                                                  r"'standin/reasoner'\) returned no thinking.*--reasoning-parser "
                                                  r"deepseek_r1"):
            distill_from_endpoint(pool(), client(base_url), tmp_path / "c.jsonl", 100, 0.0)


def test_an_unreachable_endpoint_is_one_error_before_any_request(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    with pytest.raises(ChatClientError, match=rf"endpoint {url}/models cannot be reached"):
        distill_from_endpoint(pool(), client(url), tmp_path / "c.jsonl", 100, 0.0, concurrency=4)
    assert cache_lines(tmp_path / "c.jsonl") == []
    with pytest.raises(ChatClientError, match=rf"chat endpoint {url}/chat/completions failed: cannot connect"):
        client(url).ask("hi")  # refused before any answer: at once, no retries
    (problem,) = endpoint_problems(EndpointConfig(base_url=url, model=MODEL))  # for a preflight
    assert problem.startswith(f"endpoint {url}/models cannot be reached (") and "Connection refused" in problem
    with standin(model="another/model") as base_url:  # it answers, but serves another model
        with pytest.raises(ChatClientError, match=r"does not serve model 'standin/reasoner'; it serves "
                                                  r"\['another/model'\]"):
            distill_from_endpoint(pool(), client(base_url), tmp_path / "c.jsonl", 100, 0.0)
        assert stats(base_url)["completions"] == 0


# -- the cache ------------------------------------------------------------------------------------
def test_an_interrupted_run_keeps_its_answers_and_the_rerun_asks_only_the_rest(tmp_path):
    cache = tmp_path / "cache" / "teacher.jsonl"
    with standin("--fail-after", "2") as base_url:  # the endpoint goes down for good after 2 answers
        with pytest.raises(ChatClientError, match=r"answered 500 .*\(tried 2 times\)"):
            distill_from_endpoint(pool(), client(base_url, max_retries=1), cache, 100, 0.0, concurrency=1)
    assert [row["key"] for row in cache_lines(cache)] == [answer_key(q, MODEL, 100, 0.0) for q in QUESTIONS[:2]]
    with standin() as base_url:
        rows, usage = distill_from_endpoint(pool(), client(base_url), cache, 100, 0.0, concurrency=2)
        assert sorted(stats(base_url)["questions"]) == sorted(QUESTIONS[2:])  # only the rest was asked
    assert [r["id"] for r in rows] == [f"p{i}" for i in range(5)]
    for row, question in zip(rows, QUESTIONS, strict=True):
        assert row["trace"] == thinking_of(question) and row["attempt"] == attempt_of(question)
        assert row["forced_spans"] == [] and row["teacher_model"] == MODEL and not row["teacher_truncated"]
        assert row["teacher_tokens"] == {"prompt": 5, "completion": len(thinking_of(question).split()) + 3}
    completion = sum(r["teacher_tokens"]["completion"] for r in rows)
    assert usage["questions"] == 5 and usage["cached"] == 2 and usage["requested"] == 3
    assert usage["tokens"] == {"prompt": 25, "completion": completion, "total": 25 + completion}
    assert usage["requested_tokens"]["completion"] == sum(r["teacher_tokens"]["completion"] for r in rows[2:])
    assert len(cache_lines(cache)) == 5
    # all cached: the endpoint is neither checked nor asked (it need not even run)
    again, usage = distill_from_endpoint(pool(), client(f"http://127.0.0.1:{free_port()}/v1"), cache, 100, 0.0)
    assert again == rows and usage["cached"] == 5 and usage["requested"] == 0
    assert usage["tokens"]["total"] == 25 + completion and usage["requested_tokens"]["prompt"] == 0


def test_other_settings_are_other_answers_and_a_damaged_line_is_asked_again(tmp_path):
    cache = tmp_path / "c.jsonl"
    with standin() as base_url:
        distill_from_endpoint(pool()[:2], client(base_url), cache, 100, 0.0)
        distill_from_endpoint(pool()[:2], client(base_url), cache, 200, 0.0)  # another max_tokens
        distill_from_endpoint(pool()[:2], client(base_url), cache, 100, 0.0, prompt="Think. {question}")
        assert stats(base_url)["questions"][-1] == "Think. " + QUESTIONS[1]
        lines = cache.read_text().splitlines()
        cache.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:40])  # a write cut by a crash
        before = stats(base_url)["completions"]
        distill_from_endpoint(pool()[:2], client(base_url), cache, 100, 0.0, prompt="Think. {question}")
        assert stats(base_url)["completions"] == before + 1
    lines = cache.read_text().splitlines()
    assert len(lines) == 7 and json.loads(lines[-1])["key"] == answer_key(QUESTIONS[1], MODEL, 100, 0.0,
                                                                         "Think. {question}")


def test_concurrent_requests_keep_pool_order_and_ask_a_repeated_question_once(tmp_path):
    questions = [f"question {n}?" for n in range(12)] + ["question 3?"]
    with standin("--delay", "0.02") as base_url:
        rows, usage = distill_from_endpoint(pool(questions), client(base_url), tmp_path / "c.jsonl", 100, 0.0,
                                            concurrency=4)
        assert stats(base_url)["completions"] == 12
    assert [r["trace"] for r in rows] == [thinking_of(q) for q in questions]
    assert usage["requested"] == 12 and usage["questions"] == 13 and usage["answers"] == 12
    assert usage["tokens"]["prompt"] == 24  # the repeated question's tokens once


# -- the stage ------------------------------------------------------------------------------------
def endpoint_profile(tmp_path, **endpoint):
    recipe = tmp_path / "teacher.yaml"
    recipe.write_text(yaml.safe_dump({"distillation": {"kind": "endpoint", "endpoint": endpoint}}))
    return load_profile(str(recipe))


def test_the_distillation_stage_asks_the_endpoint_and_writes_usage(tmp_path, monkeypatch):
    from s1kit import pipeline
    from s1kit.experiments import distillation
    from s1kit.jsonio import read_json, read_jsonl, write_jsonl
    from s1kit.stages import RunDir

    with pytest.raises(ConfigError, match=r"distillation.endpoint.model and base_url \(or serve_locally: true\) are "
                                          "required"):
        endpoint_profile(tmp_path, model=MODEL)
    with pytest.raises(ConfigError, match="distillation.endpoint.*concurrency must be >= 1"):
        endpoint_profile(tmp_path, base_url="http://x/v1", model=MODEL, concurrency=0)
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \[.api_key.\] in distillation.endpoint"):
        endpoint_profile(tmp_path, base_url="http://x/v1", model=MODEL, api_key="sk-...")

    base = {"model": MODEL, "max_tokens": 100, "temperature": 0.0, "backoff_s": 0.01}
    one = endpoint_profile(tmp_path, base_url="http://a:1/v1", api_key_env="KEY_A", concurrency=1, **base)
    other = endpoint_profile(tmp_path, base_url="http://b:2/v1", api_key_env="KEY_B", concurrency=8, **base)
    assert distillation.settings(one) == distillation.settings(other) == {
        "kind": "endpoint", "endpoint": {"model": MODEL, "max_tokens": 100, "temperature": 0.0,
                                         "prompt": "{question}"}}
    assert result_settings({"base_url": "u", "model": "m", "api_key_env": "K", "timeout_s": 5}) == {
        "base_url": "u", "model": "m"}

    with standin() as base_url:
        profile = endpoint_profile(tmp_path, base_url=base_url, api_key_env="S1KIT_TEST_TEACHER_KEY", **base)
        run = RunDir(profile, tmp_path / "runs", pipeline.GRAPH)
        write_jsonl(run.stage_dir("sourcing") / "pool.jsonl", pool())
        monkeypatch.delenv("S1KIT_TEST_TEACHER_KEY", raising=False)
        with pytest.raises(ValueError, match="names the environment variable 'S1KIT_TEST_TEACHER_KEY', which is "
                                             "not set"):
            distillation.compute(run, tmp_path / "out")
        assert stats(base_url)["completions"] == 0
        monkeypatch.setenv("S1KIT_TEST_TEACHER_KEY", "sk-test")
        distillation.compute(run, tmp_path / "out")
        assert stats(base_url)["completions"] == 5
    traces = read_jsonl(tmp_path / "out" / "traces.jsonl")
    assert [t["trace"] for t in traces] == [thinking_of(q) for q in QUESTIONS]
    usage = read_json(tmp_path / "out" / "usage.json")
    assert usage["requested"] == 5 and usage["tokens"]["prompt"] == 25 and "sk-test" not in json.dumps(usage)
    assert (run.path("cache", "teacher", cache_name(MODEL))).exists() and cache_name(MODEL) == "standin--reasoner.jsonl"
    assert EndpointConfig().result_settings()["temperature"] == 0.6
