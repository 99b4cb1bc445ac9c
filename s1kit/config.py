"""Profiles: one YAML recipe per scale, one config dataclass per stage.

A profile (``s1kit/recipes/<name>.yaml``) holds everything a run depends on. ``load_profile``
checks every key and value type before any work is done, so a typo or a wrong type fails at
once with the key's full name, never half-way through a training run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from s1kit.instruct import InstructCorpusConfig
from s1kit.modeling import TinyModelConfig
from s1kit.teacher import TeacherConfig
from s1kit.training import TrainConfig

RECIPES = Path(__file__).parent / "recipes"


class ConfigError(ValueError):
    """A profile or notebook parameter is unknown, malformed or of the wrong type."""


@dataclass(frozen=True)
class TinyWorldConfig:
    """The generated question pool and held-out set of the tiny profile."""

    pool_size: int = 20000
    contest_fraction: float = 0.02
    min_terms: int = 3
    max_terms: int = 10
    test_size: int = 240
    test_min_terms: int = 6
    test_max_terms: int = 10


@dataclass(frozen=True)
class HubDataConfig:
    """Hugging Face datasets for the real run (column names in the s1 repositories' schemas)."""

    pool_dataset: str = "simplescaling/data_ablation_full59K"
    pool_split: str = "train"
    test_dataset: str = "simplescaling/aime24_nofigures"
    test_split: str = "train"
    test_question_column: str = "problem"
    test_answer_column: str = "answer"
    domain_column: str = "cot_type"


@dataclass(frozen=True)
class SourcingConfig:
    kind: str = "tiny"  # "tiny" (generated world) or "hub" (Hugging Face datasets)
    tiny: TinyWorldConfig = field(default_factory=TinyWorldConfig)
    hub: HubDataConfig = field(default_factory=HubDataConfig)


@dataclass(frozen=True)
class BaseModelConfig:
    kind: str = "train_tiny"  # "train_tiny" (stand-in trained here) or "pretrained" (a saved/Hub model)
    path: str = ""
    model: TinyModelConfig = field(default_factory=TinyModelConfig)
    corpus: InstructCorpusConfig = field(default_factory=InstructCorpusConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


@dataclass(frozen=True)
class DistillationConfig:
    kind: str = "tiny_teacher"  # "tiny_teacher" (programmatic) or "dataset" (traces shipped with the pool)
    teacher: TeacherConfig = field(default_factory=TeacherConfig)


@dataclass(frozen=True)
class SelectionConfig:
    """s1K selection (Section 2.2, Algorithm 1)."""

    size: int = 1000
    seed_sources: list[str] = field(default_factory=list)
    difficulty_max_candidates: int = 0  # 0: evaluate every quality-filtered question
    difficulty_max_answer_tokens: int = 16
    batch_size: int = 256


@dataclass(frozen=True)
class SFTStageConfig:
    train: TrainConfig = field(default_factory=TrainConfig)


@dataclass(frozen=True)
class EvaluationConfig:
    engine: str = "hf"  # "hf" or "vllm"
    batch_size: int = 256
    max_answer_tokens: int = 32
    base_max_answer_tokens: int = 32
    caps: list[int] = field(default_factory=lambda: [8, 16, 32, 64, 128])
    num_ignores: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4, 5, 6])
    cap_sweep_num_ignore: int = 0
    ignore_str: str = "Wait"
    grading: str = "exact"
    bootstrap_samples: int = 1000
    vllm_kwargs: dict = field(default_factory=dict)  # passed to vllm.LLM (tensor_parallel_size, ...)


@dataclass(frozen=True)
class Profile:
    name: str
    seed: int = 0
    torch_threads: int = 2
    sourcing: SourcingConfig = field(default_factory=SourcingConfig)
    base_model: BaseModelConfig = field(default_factory=BaseModelConfig)
    distillation: DistillationConfig = field(default_factory=DistillationConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    sft: SFTStageConfig = field(default_factory=SFTStageConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)

    def __post_init__(self) -> None:
        choices = {
            "sourcing.kind": (self.sourcing.kind, ("tiny", "hub")),
            "base_model.kind": (self.base_model.kind, ("train_tiny", "pretrained")),
            "distillation.kind": (self.distillation.kind, ("tiny_teacher", "dataset")),
            "evaluation.engine": (self.evaluation.engine, ("hf", "vllm")),
            "evaluation.grading": (self.evaluation.grading, ("exact", "math_verify")),
        }
        for key, (value, allowed) in choices.items():
            if value not in allowed:
                raise ConfigError(f"profile {self.name}: {key} must be one of {allowed}, got {value!r}")
        if self.base_model.kind == "pretrained" and not self.base_model.path:
            raise ConfigError(f"profile {self.name}: base_model.path is required when base_model.kind is 'pretrained'")
        if self.selection.size <= 0:
            raise ConfigError(f"profile {self.name}: selection.size must be > 0")
        if self.torch_threads <= 0:
            raise ConfigError(f"profile {self.name}: torch_threads must be > 0")
        for cap in self.evaluation.caps:
            if cap <= 0:
                raise ConfigError(f"profile {self.name}: evaluation.caps must be positive, got {cap}")
        for k in self.evaluation.num_ignores:
            if k < 0:
                raise ConfigError(f"profile {self.name}: evaluation.num_ignores must be >= 0, got {k}")

    def section_hash(self, *sections: str) -> str:
        """A short hash of some sections of the profile (stage cache keys)."""
        data = {name: dataclasses.asdict(getattr(self, name)) if dataclasses.is_dataclass(getattr(self, name))
                else getattr(self, name) for name in sections}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _check(value: Any, annotation: Any, key: str) -> Any:
    """Convert/check one YAML value against a dataclass field annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _check(value, option, key)
            except ConfigError as error:
                errors.append(str(error))
        raise ConfigError(errors[0])
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            raise ConfigError(f"{key} must be a mapping, got {value!r}")
        return from_dict(annotation, value, key)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be a list, got {value!r}")
        (item,) = typing.get_args(annotation)
        return [_check(v, item, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict or annotation is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key} must be a mapping, got {value!r}")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key} must be a number, got {value!r}")
        return float(value)
    if annotation in (int, str, bool):
        if isinstance(value, bool) != (annotation is bool) or not isinstance(value, annotation):
            raise ConfigError(f"{key} must be {annotation.__name__}, got {value!r}")
        return value
    if annotation is typing.Any:
        return value
    raise ConfigError(f"{key}: unsupported type {annotation}")


def from_dict(cls: type, data: dict, prefix: str = "") -> Any:
    """Build dataclass ``cls`` from a mapping, refusing unknown keys and wrong types."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        where = prefix or cls.__name__
        raise ConfigError(f"unknown key(s) {unknown} in {where}; known keys: {sorted(names)}")
    values = {name: _check(value, hints[name], f"{prefix}.{name}" if prefix else name) for name, value in data.items()}
    try:
        return cls(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{prefix or cls.__name__}: {error}") from error


def available_profiles() -> list[str]:
    return sorted(p.stem for p in RECIPES.glob("*.yaml"))


def load_profile(name_or_path: str) -> Profile:
    """Load and validate a profile by name (``tiny``, ``smoke``, ...) or by YAML path."""
    if not isinstance(name_or_path, str) or not name_or_path:
        raise ConfigError(f"profile must be a non-empty string, got {name_or_path!r}")
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = RECIPES / f"{name_or_path}.yaml"
    if not path.exists():
        raise ConfigError(f"unknown profile {name_or_path!r}; available profiles: {available_profiles()}")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"profile file {path} must hold a mapping")
    data.setdefault("name", path.stem)
    return from_dict(Profile, data)


def check_parameters(parameters: dict[str, Any], expected: dict[str, type]) -> None:
    """Refuse notebook parameters of the wrong type (papermill passes whatever it is given)."""
    for name, kind in expected.items():
        value = parameters.get(name)
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise ConfigError(f"notebook parameter {name!r} must be {kind.__name__}, got {value!r}")
