import json
from pathlib import Path

import pytest

from s1kit import pipeline
from s1kit.config import RECIPES, ConfigError, Profile, check_parameters, from_dict, load_profile
from s1kit.stages import RunDir, module_closure, read_jsonl, resolve_runs_root
from s1kit.tiny.world import TinyWorldConfig, tiny_pool


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


def test_interrupted_stage_publishes_nothing_and_is_redone(tmp_path):
    run = pipeline.open_run("smoke", tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with run.publishing("sourcing") as out:
            (out / "pool.jsonl").write_text("half")
            raise KeyboardInterrupt
    assert not run.stage_dir("sourcing").exists() and not run.is_current("sourcing")
    assert not list(run.stage_dir("sourcing").parent.glob("data.partial-*"))
    pipeline.sourcing(run)
    assert run.is_current("sourcing") and run.why_stale("distillation") == "never computed"


def test_stale_partial_dirs_are_cleared(tmp_path):
    run = pipeline.open_run("smoke", tmp_path)
    stale = run.stage_dir("sourcing").parent / "data.partial-99999"
    stale.mkdir(parents=True)
    pipeline.sourcing(run)
    assert not stale.exists()


def test_stage_record_explains_itself(tmp_path, caplog):
    run = pipeline.open_run("smoke", tmp_path)
    pipeline.sourcing(run)
    record = run.marker("sourcing")
    assert record["settings"] == {"kind": "tiny", "seed": 0, "tiny": run.profile.sourcing.tiny.__dict__}
    assert set(record["code"]) >= {"s1kit.tiny.world", "s1kit.pipeline._compute_sourcing", "torch"}
    assert record["upstream"] == {} and record["computed_at"] and record["key"] == run.key("sourcing")
    caplog.set_level("INFO", logger="s1kit")
    logger = __import__("logging").getLogger("s1kit")
    logger.propagate = True
    try:
        pipeline.sourcing(pipeline.open_run("smoke", tmp_path))
    finally:
        logger.propagate = False
    assert f"stage sourcing: reused, computed {record['computed_at']}" in caplog.text


def test_stale_reasons_name_settings_code_and_upstream(tmp_path):
    run = pipeline.open_run("smoke", tmp_path)
    pipeline.sourcing(run)
    marker_path = run.stage_dir("sourcing") / "stage.json"
    marker = json.loads(marker_path.read_text())
    marker["settings"]["seed"] = 5
    marker["code"]["s1kit.tiny.world"] = "0" * 16
    marker["key"] = "old"
    marker_path.write_text(json.dumps(marker))
    run = pipeline.open_run("smoke", tmp_path)
    assert not run.is_current("sourcing")
    assert run.why_stale("sourcing") == "settings changed (seed); code changed (s1kit.tiny.world)"


def test_keys_follow_the_graph(tmp_path):
    import dataclasses

    run = pipeline.open_run("smoke", tmp_path)
    teacher = dataclasses.replace(run.profile.distillation.teacher, p_give_up=[0.5])
    other = RunDir(dataclasses.replace(run.profile, distillation=dataclasses.replace(run.profile.distillation,
                                                                                     teacher=teacher)),
                   tmp_path, pipeline.GRAPH)
    same = {"sourcing", "base_model", "difficulty"}
    for name in pipeline.STAGES:
        assert (run.key(name) == other.key(name)) == (name in same), name
    reseeded = RunDir(dataclasses.replace(run.profile, seed=1), tmp_path, pipeline.GRAPH)
    assert all(run.key(name) != reseeded.key(name) for name in pipeline.STAGES)


def test_stage_code_follows_imports():
    closure = module_closure(pipeline.GRAPH["evaluation"].modules(load_profile("smoke")))
    assert {"s1kit.evaluation", "s1kit.engines", "s1kit.budget", "s1kit.grading", "s1kit.chat"} <= set(closure)
    assert "s1kit.training" not in closure and not any(m.startswith("s1kit.tiny") for m in closure)
    sft = module_closure(pipeline.GRAPH["sft"].modules(load_profile("smoke")))
    assert "s1kit.evaluation" not in sft and "s1kit.training" in sft


def test_runs_root_is_found_from_the_repository_wherever_jupyter_starts(tmp_path, monkeypatch):
    repo = Path(pipeline.__file__).resolve().parent.parent
    monkeypatch.chdir(repo / "notebooks")
    assert resolve_runs_root("runs") == repo / "runs"
    assert resolve_runs_root(tmp_path) == tmp_path


def test_sourcing_stage_is_cached_and_deterministic(tmp_path):
    run = pipeline.open_run("smoke", tmp_path)
    first = pipeline.sourcing(run)
    marker = run.marker("sourcing")
    second = pipeline.sourcing(run)
    assert first == second and run.marker("sourcing") == marker
    world = TinyWorldConfig(pool_size=500, test_size=50, dev_size=20)
    pool, test, dev = tiny_pool(world, seed=0)
    assert (len(test), len(dev)) == (50, 20)
    questions = [r["question"] for r in pool + test + dev]
    assert len(set(questions)) == len(questions) - len(pool) + len({p["question"] for p in pool})  # held out
    assert {r["source"] for r in dev} == {"dev"} and not {r["id"] for r in dev} & {r["id"] for r in test}
    assert (pool, test, dev) == tiny_pool(world, seed=0)
    assert tiny_pool(world, seed=1) != (pool, test, dev)
    assert read_jsonl(run.path("data", "test.jsonl"))[0].keys() >= {"question", "answer"}


def test_missing_model_dir_is_refused(tmp_path):
    from s1kit.modeling import load_model

    with pytest.raises(FileNotFoundError, match="no model found"):
        load_model(tmp_path / "not-a-model")
