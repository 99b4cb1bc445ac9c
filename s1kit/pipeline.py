"""What notebooks call: open a run, make a stage current, and get its results.

The stages themselves live in ``s1kit.experiments`` (one module each, with the graph); this
module holds no stage logic. :func:`open_run` loads a profile and opens its run directory; the
accessors (:func:`sourcing`, :func:`sft`, :func:`evaluation`, ...) make a stage current,
reusing it when nothing it depends on changed, and return its artifacts.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch

from s1kit.config import ConfigError, Profile, load_profile

# What chapters reach through this module besides the accessors below (re-exported, documented where defined).
from s1kit.experiments import GRAPH as GRAPH
from s1kit.experiments import STAGES as STAGES
from s1kit.experiments._engine import engine_for as engine_for
from s1kit.experiments._paths import base_model_path as base_model_path
from s1kit.experiments._paths import sft_model_path as sft_model_path
from s1kit.experiments.worlds import WORLDS
from s1kit.experiments.worlds import world_variant as world_variant
from s1kit.jsonio import read_json, read_jsonl
from s1kit.stages import RunDir, process_rank, resolve_runs_root, setup_logging


def open_run(profile: str | Profile, root: str | Path = "runs") -> RunDir:
    """Load (and validate) a profile, fix threads and seeds, and open its run directory.

    A relative ``root`` is taken from the repository root, so a notebook finds the same run
    whether Jupyter was started in the repository or in ``notebooks/``.
    """
    setup_logging()
    profile = load_profile(profile) if isinstance(profile, str) else profile
    unknown = sorted(set(profile.contrast_worlds) - set(WORLDS))
    if unknown:
        raise ConfigError(f"profile {profile.name}: worlds {unknown} are not contrast worlds; known: {sorted(WORLDS)}")
    # Several processes on one CPU machine (a gloo launch) share its threads.
    torch.set_num_threads(max(1, profile.torch_threads // process_rank()[1]))
    torch.manual_seed(profile.seed)
    random.seed(profile.seed)
    return RunDir(profile, resolve_runs_root(root), GRAPH)


# -- what notebooks call: make a stage current and return its artifacts ---------------------------
def sourcing(run: RunDir) -> dict:
    """The question pool and the held-out test and dev sets (``data/{pool,test,dev}.jsonl``)."""
    data = run.ensure("sourcing")
    return {name: read_jsonl(data / f"{name}.jsonl") for name in ("pool", "test", "dev")}


def base_model(run: RunDir) -> dict:
    """The base model: trained here (tiny stand-in for an instruct model) or a pretrained path."""
    stage = run.ensure("base_model")
    report = stage / "train_report.json"
    return {"path": base_model_path(run), "report": read_json(report) if report.exists() else None}


def distillation(run: RunDir) -> list[dict]:
    """A reasoning trace for every pool question (``traces/traces.jsonl``)."""
    return read_jsonl(run.ensure("distillation") / "traces.jsonl")


def difficulty(run: RunDir) -> dict[str, bool]:
    """Which (sampled) pool questions the base model already solves (``difficulty/verdicts.jsonl``)."""
    return {row["id"]: row["solved"] for row in read_jsonl(run.ensure("difficulty") / "verdicts.jsonl")}


def selection(run: RunDir) -> dict:
    """Quality, difficulty and diversity filtering down to s1K (``s1k/s1k.jsonl``, ``s1k/funnel.json``)."""
    stage = run.ensure("selection")
    return {"s1k": read_jsonl(stage / "s1k.jsonl"), "candidates": read_jsonl(stage / "candidates.jsonl"),
            "funnel": read_json(stage / "funnel.json")}


def sft(run: RunDir) -> dict:
    """The base model fine-tuned on s1K (``models/sft``) and its training report."""
    stage = run.ensure("sft")
    report = stage / "train_report.json"
    return {"path": sft_model_path(run), "report": read_json(report) if report.exists() else None}


def extrapolation(run: RunDir) -> dict:
    """Table 4: "Hmm", "Alternatively" and no string in place of "Wait" (``experiments/extrapolation``).

    The rows of ``extrapolation.json``, plus ``generations``: every output, tagged with its string.
    """
    stage = run.ensure("extrapolation")
    return dict(read_json(stage / "extrapolation.json"), generations=read_jsonl(stage / "generations.jsonl"))


def parallel(run: RunDir) -> dict:
    """Figure 4b: majority-voting curves of the base and SFT models (``experiments/parallel``)."""
    return read_json(run.ensure("parallel") / "parallel.json")


def data_ablations(run: RunDir) -> dict:
    """Table 2: random, diverse, longest and full selections against s1K (``experiments/data_ablations``)."""
    return read_json(run.ensure("data_ablations") / "ablations.json")


def control(run: RunDir) -> dict:
    """Table 3: ways to control thinking, with Control / Scaling / Performance (``experiments/control``)."""
    return read_json(run.ensure("control") / "control.json")


def evaluation(run: RunDir) -> dict:
    """Base model answering directly, then both budget-forcing sweeps on the SFT model (``results/``)."""
    stage = run.ensure("evaluation")
    return {"summary": read_json(stage / "summary.json"), "generations": read_jsonl(stage / "generations.jsonl")}


def timings(run: RunDir) -> dict[str, float]:
    """Seconds each finished stage took when it last ran (from the stage records), in graph order."""
    out = {}
    for name in GRAPH:
        marker = run.marker(name)
        if marker:
            out[name] = marker["seconds"]
    return out
