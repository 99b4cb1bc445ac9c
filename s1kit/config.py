"""Profiles: one YAML recipe per scale, one config dataclass per stage.

A profile (``s1kit/recipes/<name>.yaml``, or any YAML path) holds everything a run depends on,
and one ``seed`` that every random source derives from (pool, teacher, base corpus, selection,
trainer, sampling). ``load_profile`` checks every key and value type before any work is done,
so a typo or a wrong type fails at once with the key's full name, never half-way through a
training run.

The dataclass defaults *are* the ``tiny`` profile (``tests/test_config.py`` checks it), so a
recipe only says where it departs from the tiny study. Each stage's config lives next to the
code that reads it (``SelectionConfig`` in ``s1kit.selection``, ``TrainConfig`` in
``s1kit.training``, ...); this module composes them. A choice between implementations is a
``Literal`` field, checked when the profile loads.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from s1kit.control import ControlConfig
from s1kit.evaluation import EvaluationConfig
from s1kit.launch import LaunchConfig
from s1kit.preflight import RequirementsConfig
from s1kit.selection import SelectionConfig
from s1kit.sources import HubDataConfig
from s1kit.teacher_endpoint import EndpointConfig
from s1kit.tiny.instruct import InstructCorpusConfig
from s1kit.tiny.model import TinyModelConfig
from s1kit.tiny.teacher import TeacherConfig
from s1kit.tiny.world import TinyWorldConfig
from s1kit.training import TrainConfig

RECIPES = Path(__file__).parent / "recipes"


class ConfigError(ValueError):
    """A profile or notebook parameter is unknown, malformed or of the wrong type."""


@dataclass(frozen=True)
class SourcingConfig:
    """Where the question pool and the held-out set come from."""

    kind: Literal["tiny", "hub"] = "tiny"  # the generated world, or Hugging Face datasets
    tiny: TinyWorldConfig = field(default_factory=TinyWorldConfig)
    hub: HubDataConfig = field(default_factory=HubDataConfig)


def _tiny_base_training() -> TrainConfig:
    return TrainConfig(learning_rate=2e-3, max_steps=1100, per_device_train_batch_size=32, warmup_ratio=0.02,
                       logging_steps=100)


@dataclass(frozen=True)
class BaseModelConfig:
    """The model that s1K fine-tunes: trained here (tiny stand-in) or a pretrained checkpoint."""

    kind: Literal["train_tiny", "pretrained"] = "train_tiny"
    path: str = ""  # a Hub id or a local dir, for kind "pretrained"
    model: TinyModelConfig = field(default_factory=TinyModelConfig)
    corpus: InstructCorpusConfig = field(default_factory=InstructCorpusConfig)
    train: TrainConfig = field(default_factory=_tiny_base_training)


@dataclass(frozen=True)
class DistillationConfig:
    """Where the reasoning traces come from."""

    # the programmatic teacher, the traces in the pool, or a reasoning model behind an OpenAI-compatible endpoint
    kind: Literal["tiny_teacher", "dataset", "endpoint"] = "tiny_teacher"
    teacher: TeacherConfig = field(default_factory=TeacherConfig)
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)  # for kind "endpoint"

    def __post_init__(self) -> None:
        if self.kind == "endpoint" and not ((self.endpoint.base_url or self.endpoint.serve_locally)
                                            and self.endpoint.model):
            raise ConfigError("distillation.endpoint.model and base_url (or serve_locally: true) are required when "
                              f"distillation.kind is 'endpoint'; got {self.endpoint.base_url!r} and "
                              f"{self.endpoint.model!r}")


@dataclass(frozen=True)
class SFTStageConfig:
    """Fine-tuning on s1K, or (``kind: pretrained``) a released fine-tuned checkpoint such as s1-32B."""

    kind: Literal["train", "pretrained"] = "train"
    path: str = ""  # a Hub id or local dir, for kind "pretrained"
    train: TrainConfig = field(default_factory=TrainConfig)
    answer_prefix: str = "Final Answer:"  # written before an attempt with no "Answer:" (s1's data: "Answer:")
    # "" rebuilds each example from the selection's rows (ChatFormat.thinking_completion). A dataset id (or a
    # local copy) with a `text` column, one row per row of sourcing.hub.selection_dataset in the same order,
    # trains on that text as s1 did (simplescaling/s1K_tokenized): loss on every token after the first
    # "<|im_start|>assistant\n" (s1kit.training.text_examples)
    text_dataset: str = ""


@dataclass(frozen=True)
class AblationsConfig:
    """Table 2: which other 1,000-question selections are fine-tuned and evaluated like s1K."""

    kinds: list[Literal["random", "diverse", "longest", "full"]] = field(
        default_factory=lambda: ["random", "diverse", "longest", "full"])
    # The paper trained 59K-full for 5 epochs (394 GPU hours against s1K's 7); the tiny run gives
    # "full" as many optimizer steps as s1K's training, i.e. the same compute.
    full_steps_as_s1k: bool = True


@dataclass(frozen=True)
class Profile:
    name: str
    seed: int = 0  # the one seed: every random source of the run derives from it
    torch_threads: int = 2
    sourcing: SourcingConfig = field(default_factory=SourcingConfig)
    base_model: BaseModelConfig = field(default_factory=BaseModelConfig)
    distillation: DistillationConfig = field(default_factory=DistillationConfig)
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    sft: SFTStageConfig = field(default_factory=SFTStageConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    ablations: AblationsConfig = field(default_factory=AblationsConfig)
    control: ControlConfig = field(default_factory=ControlConfig)
    requires: RequirementsConfig = field(default_factory=RequirementsConfig)  # checked before any work
    launch: LaunchConfig = field(default_factory=LaunchConfig)  # how the fine-tunes start (accelerate or in-process)
    # chapter 7's contrast worlds (s1kit.experiments.worlds.WORLDS): each varies the tiny teacher, so
    # only a profile that distils with it has them. None: all three there, none elsewhere; [] runs none.
    worlds: list[str] | None = None
    # a rehearsal of a GPU recipe on a CPU with toy weights (s1kit.rehearsal): every page says so and
    # no verdict speaks of the paper
    rehearsal: bool = False
    # the released model whose published numbers the book sets beside this run (s1kit.paper.PAPER_ROWS):
    # s1-32B's are the paper's Table 1, s1.1-32B's come from its model card
    paper_model: Literal["s1-32B", "s1.1-32B"] = "s1-32B"

    @property
    def contrast_worlds(self) -> list[str]:
        """The contrast worlds this profile runs (``worlds``, or its default)."""
        if self.worlds is not None:
            return list(self.worlds)
        return ["no_wait", "patient", "no_checks"] if self.distillation.kind == "tiny_teacher" else []

    @property
    def runs_tiny_world(self) -> bool:
        """True when any stage runs the tiny world's stand-ins (its modules then belong in stage keys)."""
        return (self.sourcing.kind == "tiny" or self.base_model.kind == "train_tiny"
                or self.distillation.kind == "tiny_teacher")

    def __post_init__(self) -> None:
        if self.base_model.kind == "pretrained" and not self.base_model.path:
            raise ConfigError(f"profile {self.name}: base_model.path is required when base_model.kind is 'pretrained'")
        if self.sft.kind == "pretrained" and not self.sft.path:
            raise ConfigError(f"profile {self.name}: sft.path is required when sft.kind is 'pretrained'")
        if self.selection.size <= 0:
            raise ConfigError(f"profile {self.name}: selection.size must be > 0")
        if self.torch_threads <= 0:
            raise ConfigError(f"profile {self.name}: torch_threads must be > 0")
        if self.worlds and self.distillation.kind != "tiny_teacher":
            raise ConfigError(f"profile {self.name}: worlds {self.worlds} vary the tiny teacher, but this profile "
                              f"distils with kind {self.distillation.kind!r}; remove worlds")
        if self.sft.text_dataset and not (self.sourcing.kind == "hub" and self.sourcing.hub.selection_dataset):
            raise ConfigError(f"profile {self.name}: sft.text_dataset ({self.sft.text_dataset}) is the released text of "
                              "a released 1K set: it needs sourcing.hub.selection_dataset (the rows it must match)")
        if self.ablations.kinds and self.sourcing.kind == "hub":
            # Table 2's selections are drawn from the pool; a hub profile's pool is a released 1K (the same
            # examples four times) or the 59K pool, whose variants would each be a fine-tune inside one process
            raise ConfigError(f"profile {self.name}: ablations.kinds must be [] on Hub data (Table 2 at paper scale "
                              "is s1's released ablation sets, each run as a profile of its own via "
                              "sourcing.hub.selection_dataset)")


def _check(value: Any, annotation: Any, key: str) -> Any:
    """Convert/check one YAML value against a dataclass field annotation."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        allowed = typing.get_args(annotation)
        if value not in allowed:
            raise ConfigError(f"{key} must be one of {allowed}, got {value!r}")
        return value
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


def profile_path(name_or_path: str) -> Path:
    """The YAML file of a profile given by name (``tiny``, ``smoke``, ...) or by path (``my.yaml``)."""
    if not isinstance(name_or_path, str) or not name_or_path:
        raise ConfigError(f"profile must be a non-empty string, got {name_or_path!r}")
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = RECIPES / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError(f"unknown profile {name_or_path!r}; available profiles: {available_profiles()}")
    elif not path.exists():
        raise ConfigError(f"profile file {name_or_path!r} does not exist")
    return path


def load_profile(name_or_path: str) -> Profile:
    """Load and validate a profile by name (``tiny``, ``smoke``, ...) or by YAML path.

    A profile given by path is named after its file (``my-seed1.yaml`` -> ``my-seed1``), so its
    run lives in ``runs/my-seed1/``, unless the file sets ``name:`` itself.
    """
    path = profile_path(name_or_path)
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"profile file {path} must hold a mapping")
    data.setdefault("name", path.stem)
    return from_dict(Profile, data)


def write_profile(profile: Profile, path: Path) -> Path:
    """Save ``profile`` as a YAML recipe that :func:`load_profile` reads back as the same profile (its name kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dataclasses.asdict(profile), sort_keys=False))
    return path


def check_parameters(parameters: dict[str, Any], expected: dict[str, type]) -> None:
    """Refuse notebook parameters of the wrong type (papermill passes whatever it is given)."""
    for name, kind in expected.items():
        value = parameters.get(name)
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            raise ConfigError(f"notebook parameter {name!r} must be {kind.__name__}, got {value!r}")
