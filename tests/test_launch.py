"""How fine-tunes start: accelerate for a GPU profile's launched stages, a refusal in one process, GPUS=n."""

from __future__ import annotations

import dataclasses

import pytest

from s1kit import pipeline
from s1kit.config import ConfigError, load_profile
from s1kit.launch import LaunchConfig, LaunchRequired, launch_command, launcher_name, require_launcher, with_gpus


def test_a_stage_trained_on_several_processes_is_refused_in_one_with_the_command(tmp_path, monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    run = pipeline.open_run(load_profile("s1-32b"), tmp_path)
    with pytest.raises(LaunchRequired, match=r"sft of profile s1-32b trains on 8 processes.*accelerate.commands.launch "
                                             r"--config_file .*fsdp-1node-8gpu.yaml --num_processes 8 -m s1kit stage sft"):
        require_launcher(run, "sft")
    with pytest.raises(LaunchRequired):  # through the stage machinery, before anything is loaded
        run._compute("control_sft")
    monkeypatch.setenv("WORLD_SIZE", "8")  # inside the launch: allowed
    require_launcher(run, "sft")
    require_launcher(pipeline.open_run(load_profile("qwen-1gpu"), tmp_path), "sft")  # one GPU: one process is right


def test_the_launch_command_names_the_profiles_config_and_processes():
    command = launch_command("qwen-1gpu", "sft", LaunchConfig("single-gpu", 1), "runs")
    assert command[1:3] == ["-m", "accelerate.commands.launch"]
    assert command[command.index("--config_file") + 1].endswith("s1kit/recipes/accelerate/single-gpu.yaml")
    assert command[command.index("--num_processes") + 1] == "1" and "stage" in command and "sft" in command
    with pytest.raises(FileNotFoundError, match="no accelerate config"):
        LaunchConfig("no-such-config", 2).config_path()
    with pytest.raises(ValueError, match="needs launch.config_file"):
        LaunchConfig("", 4)


def test_launcher_name_reads_the_launchers_environment(monkeypatch):
    for key in list(__import__("os").environ):
        if key.startswith("ACCELERATE_") or key == "TORCHELASTIC_RUN_ID":
            monkeypatch.delenv(key)
    assert launcher_name() == "none"
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "x")
    assert launcher_name() == "torchrun"
    monkeypatch.setenv("ACCELERATE_MIXED_PRECISION", "bf16")
    assert launcher_name() == "accelerate"


def test_gpus_keeps_the_global_batch_and_says_how_accumulation_changed():
    profile = load_profile("s1-32b")
    four, said = with_gpus(profile, 4)
    assert four.launch.processes == 4 and four.requires.gpus == 4
    assert four.evaluation.vllm_kwargs["tensor_parallel_size"] == 4
    assert four.sft.train == profile.sft.train  # the method is the recipe's
    assert "accumulation 4 = global batch 16" in said and "(the recipe: 8 x 1 x 2 = 16)" in said
    sixteen, said = with_gpus(profile, 16)
    assert "accumulation 1 = global batch 16" in said
    with pytest.raises(ValueError, match="not a multiple"):
        with_gpus(profile, 3)


def test_contrast_worlds_and_table_2_only_where_they_mean_something():
    assert load_profile("tiny").contrast_worlds == ["no_wait", "patient", "no_checks"]
    assert load_profile("s1-32b").contrast_worlds == [] and load_profile("eval").contrast_worlds == []
    hub = load_profile("eval")
    with pytest.raises(ConfigError, match="vary the tiny teacher"):
        dataclasses.replace(hub, worlds=["patient"])
    with pytest.raises(ConfigError, match="ablations.kinds must be"):
        dataclasses.replace(hub, ablations=dataclasses.replace(hub.ablations, kinds=["random"]))


def test_a_stage_that_trains_nothing_is_neither_launched_nor_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    eval_profile = dataclasses.replace(load_profile("eval"), launch=LaunchConfig("fsdp-1node-8gpu", 8))
    assert not pipeline.GRAPH["sft"].launched(eval_profile)  # a released checkpoint
    assert not pipeline.GRAPH["control_sft"].launched(eval_profile)  # control.enabled is false
    assert pipeline.GRAPH["sft"].launched(load_profile("s1-32b")) and not pipeline.GRAPH["evaluation"].launched(
        load_profile("s1-32b"))


def test_gpus_narrows_a_served_teachers_tensor_parallelism():
    adapted, _ = with_gpus(load_profile("s1-open"), 4)
    args = adapted.distillation.endpoint.vllm_args
    assert args[args.index("--tensor-parallel-size") + 1] == "4"


def test_a_half_written_checkpoint_is_passed_over_and_old_keys_are_cleaned(tmp_path):
    from s1kit.experiments._paths import checkpoint_dir
    from s1kit.training import _latest_checkpoint

    for step, whole in ((2, True), (4, True), (6, False)):  # killed while saving step 6
        (tmp_path / f"checkpoint-{step}").mkdir()
        if whole:
            (tmp_path / f"checkpoint-{step}" / "trainer_state.json").write_text("{}")
    assert _latest_checkpoint(tmp_path) == str(tmp_path / "checkpoint-4")
    assert _latest_checkpoint(tmp_path / "none") is None

    run = pipeline.open_run(load_profile("smoke"), tmp_path / "runs")
    stale = run.path("checkpoints", "sft-0123456789abcdef")  # an earlier key's: it can never be resumed
    stale.mkdir(parents=True)
    other_stage = run.path("checkpoints", "evaluation-0123456789abcdef")
    other_stage.mkdir()
    mine = checkpoint_dir(run, "sft")
    assert mine.name == f"sft-{run.key('sft')[:16]}" and not stale.exists() and other_stage.exists()
