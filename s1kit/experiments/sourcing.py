"""Stage ``sourcing`` (chapter 1): the question pool and the held-out test and dev sets.

The tiny world generates them (``s1kit.tiny.world``); at paper scale they come from the Hub
(``s1kit.sources``), with MSC domain labels from an LLM when the recipe names a classifier.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.chat_client import ChatClient, result_settings
from s1kit.domains import classify_domains
from s1kit.jsonio import write_jsonl
from s1kit.sources import hub_pool
from s1kit.stages import Stage
from s1kit.tiny.world import tiny_pool

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir

log = logging.getLogger("s1kit")


def settings(p: Profile) -> dict:
    cfg = p.sourcing
    if cfg.kind == "tiny":
        return {"kind": "tiny", "seed": p.seed, "tiny": dataclasses.asdict(cfg.tiny)}
    hub = dataclasses.asdict(cfg.hub)
    hub["domain_classifier"] = result_settings(hub["domain_classifier"])
    return {"kind": "hub", "hub": hub}


def compute(run: RunDir, out: Path) -> None:
    cfg = run.profile.sourcing
    if cfg.kind == "tiny":
        pool, test, dev = tiny_pool(cfg.tiny, run.profile.seed)
    else:  # the paper has no dev split: at paper scale choices are reported for every setting instead
        (pool, test), dev = hub_pool(cfg.hub), []
    classifier = cfg.hub.domain_classifier if cfg.kind == "hub" else {}
    if classifier:  # MSC labels; the cache lives outside the stage so that an interrupted run resumes
        client = ChatClient.from_settings(classifier, "sourcing.hub.domain_classifier")
        labels = classify_domains([r["question"] for r in pool], client.ask, run.path("cache", "msc.jsonl"))
        for record, label in zip(pool, labels, strict=True):
            record["domain"] = label
    log.info("sourced %d pool questions, %d test and %d dev questions", len(pool), len(test), len(dev))
    write_jsonl(out / "pool.jsonl", pool)
    write_jsonl(out / "test.jsonl", test)
    write_jsonl(out / "dev.jsonl", dev)


STAGE = Stage("sourcing", "data", (), settings, compute)
