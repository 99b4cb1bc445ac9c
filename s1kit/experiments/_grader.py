"""The grader every grading stage uses: the profile's rules and options, and its judge (``evaluation.judge``)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from s1kit.grading import GradingOptions
from s1kit.judging import EndpointJudge, EngineJudge, Grader

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def grading_settings(p: Profile) -> dict:
    """What a stage's grades depend on beyond its outputs: part of every grading stage's key."""
    from s1kit.chat_client import result_settings

    e = p.evaluation
    return {"judge": result_settings(e.judge), "answer_after": e.answer_after, "gpqa_unreadable": e.gpqa_unreadable}


def grader_for(run: RunDir) -> Grader:
    """The run's grader; its judge (if the profile names one) loads only when asked, and caches its
    replies under ``runs/<profile>/judge/``."""
    from s1kit.experiments._engine import engine_for
    from s1kit.experiments._paths import base_model_path

    cfg = run.profile.evaluation
    options = GradingOptions(answer_after=cfg.answer_after, gpqa_unreadable=cfg.gpqa_unreadable)
    if not cfg.judge:
        return Grader(options)
    if "base_url" in cfg.judge:
        from s1kit.chat_client import ChatClient

        client = ChatClient.from_settings(cfg.judge, "evaluation.judge")
        judge = EndpointJudge(client, f"endpoint {cfg.judge['base_url']} {cfg.judge['model']}")
    else:
        if set(cfg.judge) != {"model"}:
            raise ValueError("evaluation.judge is {model: base}, {model: <local dir or Hub id>} or an endpoint "
                             f"{{base_url, model, api_key_env}}; got keys {sorted(cfg.judge)}")
        model = base_model_path(run) if cfg.judge["model"] == "base" else cfg.judge["model"]
        # the replies depend on the weights and on how they are run (dtype, context): both name the cache
        identity = f"{model} on {cfg.engine} {json.dumps(cfg.vllm_kwargs, sort_keys=True)}"
        if cfg.judge["model"] == "base" and run.profile.base_model.kind != "pretrained":
            identity += f" (base_model {run.key('base_model')[:16]})"  # retrained weights, same path
        judge = EngineJudge(lambda: engine_for(run, model, cfg.batch_size), identity)
    cache = run.path("judge", hashlib.sha256(judge.identity.encode()).hexdigest()[:16] + ".jsonl")
    return Grader(options, judge, cache)
