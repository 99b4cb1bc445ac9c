import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from s1kit import pipeline
from s1kit.config import ConfigError, check_parameters, from_dict, load_profile, Profile
from s1kit.sources import hub_pool, tiny_pool
from s1kit.config import HubDataConfig, TinyWorldConfig
from s1kit.stages import RunDir, read_jsonl


def test_profiles_load_and_validate():
    tiny = load_profile("tiny")
    assert tiny.name == "tiny" and tiny.selection.size == 1000 and tiny.evaluation.engine == "hf"
    assert load_profile("smoke").sourcing.tiny.test_size < tiny.sourcing.tiny.test_size


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "selection": {"size": "many"}}, "selection.size must be int"),
    ({"name": "x", "selection": {"sise": 3}}, "unknown key\\(s\\) \\['sise'\\] in selection"),
    ({"name": "x", "evaluation": {"caps": [8, "lots"]}}, "evaluation.caps\\[1\\] must be int"),
    ({"name": "x", "evaluation": {"engine": "tgi"}}, "evaluation.engine must be one of"),
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
    run = RunDir(load_profile("smoke"), tmp_path)
    with pytest.raises(KeyboardInterrupt):
        with run.stage("sft", "key1") as out:
            (out / "model.safetensors").write_text("half")
            raise KeyboardInterrupt
    assert not run.stage_dir("sft").exists() and not run.is_done("sft", "key1")
    assert not list(run.stage_dir("sft").parent.glob("sft.partial-*"))
    with run.stage("sft", "key1") as out:
        (out / "model.safetensors").write_text("whole")
    assert run.is_done("sft", "key1") and not run.is_done("sft", "key2")
    assert (run.stage_dir("sft") / "model.safetensors").read_text() == "whole"


def test_stale_partial_dirs_are_cleared(tmp_path):
    run = RunDir(load_profile("smoke"), tmp_path)
    stale = run.stage_dir("sourcing").parent / "sourcing.partial-99999"
    stale.mkdir(parents=True)
    with run.stage("sourcing", "k"):
        pass
    assert not stale.exists()


def test_sourcing_stage_is_cached_and_deterministic(tmp_path):
    run = pipeline.open_run("smoke", tmp_path)
    first = pipeline.sourcing(run)
    marker = run.marker("sourcing")
    second = pipeline.sourcing(run)
    assert first == second and run.marker("sourcing") == marker
    pool, test = tiny_pool(TinyWorldConfig(pool_size=500, test_size=50), seed=0)
    assert not {t["question"] for t in test} & {p["question"] for p in pool}
    assert (pool, test) == tiny_pool(TinyWorldConfig(pool_size=500, test_size=50), seed=0)
    assert read_jsonl(run.path("data", "test.jsonl"))[0].keys() >= {"question", "answer"}


def write_hub_fixture(tmp_path, drop=None):
    pool = {
        "question": ["What is 1+1?", "Solve x^2=4."],
        "solution": ["2", "2"],
        "cot_type": ["math", "math"],
        "source_type": ["AI-MO/NuminaMath-CoT/aops_forum", "qq8933/AIME_1983_2024"],
        "metadata": ["{}", "{}"],
        "cot": [None, None],
        "thinking_trajectories": [["Let me add. 1+1=2."], ["x=2 or x=-2. Wait, positive: 2."]],
        "attempt": ["The answer is 2.", "2"],
    }
    if drop:
        pool.pop(drop)
    (tmp_path / "pool").mkdir()
    pq.write_table(pa.table(pool), tmp_path / "pool" / "train-00000.parquet")
    (tmp_path / "aime").mkdir()
    pq.write_table(pa.table({"id": [60], "problem": ["Find 3+4."], "solution": ["7"], "answer": ["7"],
                             "url": ["u"]}), tmp_path / "aime" / "train-00000.parquet")
    return HubDataConfig(pool_dataset=str(tmp_path / "pool"), test_dataset=str(tmp_path / "aime"))


def test_hub_pool_reads_the_s1_schemas(tmp_path):
    pool, test = hub_pool(write_hub_fixture(tmp_path))
    assert pool[1]["trace"].startswith("x=2") and pool[1]["source"] == "qq8933/AIME_1983_2024"
    assert pool[0]["domain"] == "math" and pool[0]["answer"] == "2"
    assert test == [{"id": "test-0000", "question": "Find 3+4.", "answer": "7", "domain": "test",
                     "source": str(tmp_path / "aime"), "difficulty": None}]


def test_hub_pool_names_a_missing_column(tmp_path):
    with pytest.raises(ValueError, match="missing column\\(s\\) \\['thinking_trajectories'\\]"):
        hub_pool(write_hub_fixture(tmp_path, drop="thinking_trajectories"))


def test_missing_model_dir_is_refused(tmp_path):
    from s1kit.modeling import load_model

    with pytest.raises(FileNotFoundError, match="no model found"):
        load_model(tmp_path / "not-a-model")
