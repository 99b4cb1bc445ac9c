"""Stage ``distillation`` (chapter 2): a reasoning trace and an attempt for every pool question.

In the tiny world a programmatic teacher writes them (``s1kit.tiny.teacher``); at paper scale
the pool already carries its teacher's traces (``kind: dataset``), or a reasoning model behind an
OpenAI-compatible endpoint writes new ones (``kind: endpoint``, ``s1kit.teacher_endpoint``): its
answers are cached in ``cache/teacher/`` outside the stage, so an interrupted stage resumes where
it stopped, and ``usage.json`` beside the traces counts the tokens it used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.experiments._paths import output
from s1kit.jsonio import read_jsonl, write_json, write_jsonl
from s1kit.serving import serve_vllm, vllm_python
from s1kit.stages import Stage
from s1kit.teacher_endpoint import answer_key, cache_name, distill_from_endpoint, read_cache
from s1kit.tiny.teacher import distill
from s1kit.tiny.world import Problem

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    cfg = p.distillation
    if cfg.kind == "dataset":
        return {"kind": "dataset"}
    if cfg.kind == "endpoint":  # what changes the traces: not the URL, the key, retries or concurrency
        return {"kind": "endpoint", "endpoint": cfg.endpoint.result_settings()}
    return {"kind": "tiny_teacher", "seed": p.seed, "teacher": dataclasses.asdict(cfg.teacher)}


def compute(run: RunDir, out: Path) -> None:
    pool = read_jsonl(output(run, "sourcing", "pool.jsonl"))
    cfg = run.profile.distillation
    if cfg.kind == "tiny_teacher":
        problems = [Problem(r["id"], r["domain"], r["source"], tuple(r["terms"])) for r in pool]
        traces = distill(problems, cfg.teacher, run.profile.seed)
        rows = [dict(r, trace=t.trace, attempt=t.attempt, forced_spans=[list(s) for s in t.forced_spans],
                     broken=t.broken) for r, t in zip(pool, traces, strict=True)]
    elif cfg.kind == "endpoint":
        endpoint = cfg.endpoint
        cache = run.path("cache", "teacher", cache_name(endpoint.model))
        known = read_cache(cache)
        missing = any(answer_key(r["question"], endpoint.model, endpoint.max_tokens, endpoint.temperature,
                                 endpoint.prompt) not in known for r in pool)
        with contextlib.ExitStack() as stack:
            if endpoint.serve_locally and missing:  # the teacher served here for this stage, stopped after it
                base_url = stack.enter_context(serve_vllm(
                    endpoint.model, python=vllm_python(), reasoning_parser=endpoint.reasoning_parser,
                    extra_args=endpoint.vllm_args, log_path=run.path("cache", "teacher", "vllm-serve.log")))
                endpoint = dataclasses.replace(endpoint, base_url=base_url)
            elif endpoint.serve_locally:  # every answer is cached: nothing is asked, so nothing is served
                endpoint = dataclasses.replace(endpoint, base_url="http://127.0.0.1/not-served-every-answer-cached")
            client = endpoint.client("distillation.endpoint")  # an unset api_key_env fails here, before any request
            rows, usage = distill_from_endpoint(pool, client, cache,
                                                endpoint.max_tokens, endpoint.temperature, prompt=endpoint.prompt,
                                                concurrency=endpoint.concurrency)
        log.info("teacher %s: %d answers cached, %d requested, %d tokens", endpoint.model, usage["cached"],
                 usage["requested"], usage["tokens"]["total"])
        write_json(out / "usage.json", usage)
    else:  # the pool already carries its teacher's traces
        rows = pool
    log.info("distilled %d traces", len(rows))
    write_jsonl(out / "traces.jsonl", rows)


STAGE = Stage("distillation", "traces", ("sourcing",), settings, compute)
