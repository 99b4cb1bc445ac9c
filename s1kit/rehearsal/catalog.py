"""What the rehearsal's local Hub holds, and building it: every dataset id and model id a recipe may name.

:func:`hub_ids` reads a profile for the ids it names (datasets of sourcing and selection, the
base, fine-tuned, difficulty and teacher models), each with the recipe key that names it;
:func:`check_catalog` refuses, before any work, an id the local Hub does not hold, naming the
key. :func:`build_local_hub` writes the datasets (:mod:`s1kit.rehearsal.fixtures`) and a stand-in
checkpoint under each model id (:mod:`s1kit.rehearsal.standins`), trained once per flavour on the
local Hub's own rows and reused while the fixtures, the shape and this code are unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.chat import ChatFormat
from s1kit.rehearsal import fixtures, hub, standins
from s1kit.sources import BENCHMARKS, load_benchmark

if TYPE_CHECKING:
    from s1kit.config import Profile

log = logging.getLogger("s1kit")

# Each model id of the paper recipes, and which Qwen it stands in for
MODELS: dict[str, standins.Flavour] = {
    "Qwen/Qwen2.5-1.5B-Instruct": "qwen2.5",
    "Qwen/Qwen2.5-7B-Instruct": "qwen2.5",
    "Qwen/Qwen2.5-32B-Instruct": "qwen2.5",
    "simplescaling/s1-32B": "qwen2.5",
    "simplescaling/s1.1-32B": "qwen2.5",
    "Qwen/Qwen3-32B": "qwen3",  # an open reasoning teacher (s1-open), served by vLLM with a reasoning parser
}
# strings a rehearsal appends to thinking (the recipes' ignore and extrapolation strings)
APPENDED = ("Wait", "Hmm", "Alternatively", "Final Answer:", "Answer:")


class RehearsalError(ValueError):
    """A recipe names something the rehearsal's local Hub does not hold."""


def hub_ids(profile: Profile) -> dict[str, dict[str, str]]:
    """``{"datasets": {id: recipe key}, "models": {id: recipe key}}`` of every Hub id ``profile`` names."""
    datasets: dict[str, str] = {}
    models: dict[str, str] = {}
    if profile.sourcing.kind == "hub":
        h = profile.sourcing.hub
        if h.selection_dataset:
            datasets[h.selection_dataset] = "sourcing.hub.selection_dataset"
        else:
            datasets[h.pool_dataset] = "sourcing.hub.pool_dataset"
        for name in h.benchmarks:
            datasets.setdefault(h.benchmark_paths.get(name) or BENCHMARKS[name].dataset, f"sourcing.hub.benchmarks ({name})")
    if profile.sft.kind == "train" and profile.sft.text_dataset:
        datasets[profile.sft.text_dataset] = "sft.text_dataset"
    if profile.base_model.kind == "pretrained":
        models[profile.base_model.path] = "base_model.path"
    if profile.sft.kind == "pretrained":
        models[profile.sft.path] = "sft.path"
    if profile.distillation.kind == "endpoint" and profile.distillation.endpoint.serve_locally:
        models[profile.distillation.endpoint.model] = "distillation.endpoint.model"
    if profile.sourcing.kind == "hub" and not profile.sourcing.hub.selection_dataset:
        for model in profile.selection.difficulty_models:
            models.setdefault(model, "selection.difficulty_models")
    return {"datasets": datasets, "models": models}


def check_catalog(profile: Profile) -> None:
    """Refuse a profile that names a dataset or model the local Hub lacks, naming the recipe key."""
    held = fixtures.datasets()
    problems = []
    for kind, ids in hub_ids(profile).items():
        catalog = held if kind == "datasets" else MODELS
        for repo_id, key in ids.items():
            if repo_id not in catalog:
                problems.append(f"{key} names {kind[:-1]} {repo_id!r}, which the local Hub does not hold "
                                f"(it holds: {', '.join(sorted(catalog))})")
    if problems:
        raise RehearsalError(f"rehearsal of {profile.name}: " + "; ".join(problems))


def _fingerprint(shape: standins.StandInShape) -> str:
    """What a stand-in depends on: the fixtures, the stand-in code, this module and the shape."""
    digest = hashlib.sha256(json.dumps(dataclasses.asdict(shape), sort_keys=True).encode())
    for module in (fixtures, standins, inspect.getmodule(_fingerprint)):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def build_local_hub(root: Path, shape: standins.StandInShape, seed: int = 0) -> str:
    """Write every dataset and every stand-in model of the catalog under ``root`` (reused when unchanged);
    return its fingerprint (what a run made from it records)."""
    stamp = root / "built.json"
    fingerprint = _fingerprint(shape)
    if stamp.exists() and json.loads(stamp.read_text()).get("fingerprint") == fingerprint:
        log.info("local hub: reused %s", root)
        return fingerprint
    shutil.rmtree(root, ignore_errors=True)
    for repo_id, configs in fixtures.datasets().items():
        for config, splits in configs.items():
            hub.add_dataset(root, repo_id, splits, config=config)
    trained = {}
    for flavour in ("qwen2.5", "qwen3"):
        out = root / "standins" / flavour
        trained[flavour] = _train_flavour(root, flavour, out, shape, seed)
    for repo_id, flavour in MODELS.items():
        hub.add_model(root, repo_id, root / "standins" / flavour)
    stamp.write_text(json.dumps({"fingerprint": fingerprint, "training": trained}, indent=1))
    log.info("local hub: built %s (%s)", root, ", ".join(f"{k}: {v['seconds']}s" for k, v in trained.items()))
    return fingerprint


def _benchmark_records(root: Path) -> list[dict]:
    """The held-out records the pipeline will build from the local Hub (same loader, local copies)."""
    records = []
    for name, source in BENCHMARKS.items():
        path = hub.repo_dir(root, source.dataset, "datasets")
        if source.config:
            path = path / source.config
        records += load_benchmark(name, path=str(path))
    return records


def _train_flavour(root: Path, flavour: str, out: Path, shape: standins.StandInShape, seed: int) -> dict:
    """Train one stand-in: Qwen2.5-flavoured ones think in s1's format and answer directly; the Qwen3
    teacher writes ``<think>`` ... ``</think>`` then its answer."""
    tokenizer = standins.qwen_tokenizer(flavour, out)
    chat = ChatFormat.from_tokenizer(tokenizer)
    texts = []
    if flavour == "qwen2.5":
        for record in _benchmark_records(root):
            answer = record["answer"] if record["benchmark"] == "gpqa" else f"\\boxed{{{record['answer']}}}"
            trace = f"Let me work through it.\nWait, let me check once more.\nSo it is {record['answer']}."
            texts.append((chat.thinking_prompt(record["question"]),
                          chat.thinking_completion(trace, f"Answer: {answer}")[len(chat.think_delimiter):]))
            texts.append((chat.user_prompt(record["question"]), f"The answer is {answer}.{chat.end_of_turn}"))
    else:
        s1k = fixtures.datasets()["simplescaling/s1K-1.1"][None]["train"]
        for question, attempt in zip(s1k["question"], s1k["gemini_attempt"], strict=True):
            trace = f"Okay, let me think about this.\nWait, I should check.\n{attempt}"
            texts.append((chat.user_prompt(question), f"<think>\n{trace}\n</think>\n\n{attempt}{chat.end_of_turn}"))
    model = standins.build_standin(tokenizer, shape, seed)
    report = standins.train_standin(model, tokenizer, texts, shape, seed, APPENDED)
    standins.save_standin(model, tokenizer, out)
    log.info("stand-in %s: %s", flavour, report)
    return report
