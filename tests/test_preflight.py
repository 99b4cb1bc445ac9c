"""Every GPU profile stops within seconds on a machine without what it needs, before any work."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from s1kit.config import load_profile
from s1kit.preflight import RequirementsConfig, missing, plan_lines

REPO = Path(__file__).resolve().parent.parent
GPU_PROFILES = ["s1-32b", "eval", "qwen-1gpu", "s1-open"]


@pytest.mark.parametrize("name", GPU_PROFILES)
def test_gpu_profiles_fail_fast_naming_what_is_missing(name, tmp_path):
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "s1kit", "reproduce", "--profile", name, "--runs", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": ""})
    assert time.perf_counter() - start < 60
    assert done.returncode == 3, done.stderr[-2000:]
    profile = load_profile(name)
    assert f"needs {profile.requires.gpus} CUDA GPU(s), this machine has 0" in done.stderr
    assert "needs vLLM, which is not installed" in done.stderr and "Hugging Face Hub" in done.stderr
    assert not any(tmp_path.iterdir())  # nothing was downloaded, trained or written


def test_check_prints_the_plan(tmp_path):
    done = subprocess.run([sys.executable, "-m", "s1kit", "check", "--profile", "eval", "--runs", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, env={"HF_HUB_OFFLINE": "1", "PATH": ""})
    assert "fine-tuned model: simplescaling/s1-32B (released, no training)" in done.stdout
    assert "benchmarks: aime24, math500, gpqa_diamond" in done.stdout and "devices: 8 GPU(s)" in done.stdout
    assert "evaluation" in done.stdout and done.returncode == 3


def test_tiny_needs_nothing():
    assert missing(load_profile("tiny").requires, hub_check=lambda: False) == []
    assert any("CPU" in line for line in plan_lines(load_profile("tiny")))
    assert missing(RequirementsConfig(hub=True), hub_check=lambda: False) != []


def test_an_unreachable_teacher_endpoint_is_named_before_any_work(tmp_path):
    recipe = tmp_path / "bad-endpoint.yaml"
    recipe.write_text(
        "sourcing: {kind: hub, hub: {selection_dataset: simplescaling/s1K-1.1, benchmarks: [aime24]}}\n"
        "base_model: {kind: pretrained, path: Qwen/Qwen2.5-1.5B-Instruct}\n"
        "distillation: {kind: endpoint, endpoint: {base_url: 'http://127.0.0.1:9/v1', model: teacher}}\n"
        "ablations: {kinds: []}\n")
    done = subprocess.run([sys.executable, "-m", "s1kit", "reproduce", "--profile", str(recipe), "--runs",
                           str(tmp_path / "runs")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert "endpoint http://127.0.0.1:9/v1/models cannot be reached" in done.stderr
    assert not (tmp_path / "runs" / "bad-endpoint" / "data").exists()  # nothing sourced
