"""Profiles: recipes load and validate, defaults are the tiny profile, malformed values are refused by key."""


import pytest

from s1kit.config import RECIPES, ConfigError, Profile, check_parameters, from_dict, load_profile


def test_profiles_load_and_validate():
    tiny = load_profile("tiny")
    assert tiny.name == "tiny" and tiny.selection.size == 1000 and tiny.evaluation.engine == "hf"
    assert load_profile("smoke").sourcing.tiny.test_size < tiny.sourcing.tiny.test_size


def test_defaults_are_the_tiny_profile():
    # The dataclass defaults are no third profile: they are the tiny recipe, value for value.
    assert load_profile("tiny") == Profile(name="tiny")


def test_profile_by_path_is_named_after_its_file(tmp_path):
    path = tmp_path / "my-seed7.yaml"
    path.write_text((RECIPES / "smoke.yaml").read_text().replace("seed: 0", "seed: 7"))
    profile = load_profile(str(path))
    assert profile.name == "my-seed7" and profile.seed == 7
    with pytest.raises(ConfigError, match="does not exist"):
        load_profile(str(tmp_path / "missing.yaml"))


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "selection": {"size": "many"}}, "selection.size must be int"),
    ({"name": "x", "selection": {"sise": 3}}, "unknown key\\(s\\) \\['sise'\\] in selection"),
    ({"name": "x", "evaluation": {"caps": [8, "lots"]}}, "evaluation.caps\\[1\\] must be int"),
    ({"name": "x", "evaluation": {"engine": "tgi"}}, "evaluation.engine must be one of \\('hf', 'vllm'\\)"),
    ({"name": "x", "sourcing": {"kind": "web"}}, "sourcing.kind must be one of"),
    ({"name": "x", "evaluation": {"caps": [8, -1]}}, "evaluation.caps must be positive"),
    ({"name": "x", "base_model": {"kind": "pretrained"}}, "base_model.path is required"),
    ({"name": "x", "distillation": {"teacher": {"style": "lazy"}}}, "distillation.teacher.*style"),
    ({"name": "x", "sft": {"train": {"learning_rate": True}}}, "sft.train.learning_rate must be a number"),
    ({"name": "x", "torch_threads": 0}, "torch_threads must be > 0"),
    ({"name": "x", "sft": {"text_dataset": "simplescaling/s1K_tokenized"}}, "sft.text_dataset .* needs sourcing.hub"),
    ({"name": "x", "paper_model": "o1"}, "paper_model must be one of"),
    ({"name": "x", "evaluation": {"answer_after": "middle"}}, "evaluation.answer_after must be one of"),
    ({"name": "x", "evaluation": {"gpqa_unreadable": "Z"}}, "gpqa_unreadable"),
])
def test_malformed_profiles_are_refused_by_key(data, message):
    with pytest.raises(ConfigError, match=message):
        from_dict(Profile, data)


def test_unknown_profile_and_bad_parameters():
    with pytest.raises(ConfigError, match="unknown profile 'nope'.*tiny"):
        load_profile("nope")
    with pytest.raises(ConfigError, match="'profile' must be str, got 3"):
        check_parameters({"profile": 3, "runs_root": "runs"}, {"profile": str, "runs_root": str})
    check_parameters({"profile": "tiny"}, {"profile": str})
