"""The stage machinery: records, keys that see every helper, output checks, locks, interrupted runs."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from s1kit import pipeline, stages
from s1kit.config import load_profile
from s1kit.hardware import cpu_kind
from s1kit.jsonio import read_jsonl
from s1kit.stages import RunDir, module_closure, resolve_runs_root
from s1kit.tiny.world import TinyWorldConfig, tiny_pool

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def log_text(caplog):
    """The s1kit log of the test (the logger does not propagate outside tests)."""
    caplog.set_level("INFO", logger="s1kit")
    logger = logging.getLogger("s1kit")
    logger.addHandler(caplog.handler)  # s1kit's logger does not propagate (setup_logging)
    yield lambda: caplog.text
    logger.removeHandler(caplog.handler)


def s1kit(*args: str, runs: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "s1kit", *args, "--profile", "smoke", "--runs", str(runs)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# -- records and keys -------------------------------------------------------------------------
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


def test_partial_dirs_of_dead_processes_are_cleared(tmp_path):
    run = pipeline.open_run("smoke", tmp_path)
    stale = run.stage_dir("sourcing").parent / "data.partial-99999"
    stale.mkdir(parents=True)
    pipeline.sourcing(run)
    assert not stale.exists()


def test_stage_record_explains_itself(tmp_path, log_text):
    run = pipeline.open_run("smoke", tmp_path)
    pipeline.sourcing(run)
    record = run.marker("sourcing")
    assert record["settings"] == {"kind": "tiny", "seed": 0, "tiny": run.profile.sourcing.tiny.__dict__}
    assert set(record["code"]) >= {"s1kit.tiny.world", "s1kit.experiments.sourcing", "s1kit.jsonio", "torch"}
    assert "s1kit.stages" not in record["code"]  # the bookkeeping decides whether a stage runs, not what it computes
    assert record["upstream"] == {} and record["computed_at"] and record["key"] == run.key("sourcing")
    assert record["computed_on"] == cpu_kind()
    assert set(record["outputs"]) == {"pool.jsonl", "test.jsonl", "dev.jsonl"}
    assert record["outputs"]["test.jsonl"]["bytes"] == run.path("data", "test.jsonl").stat().st_size
    pipeline.sourcing(pipeline.open_run("smoke", tmp_path))
    assert f"stage sourcing: reused, computed {record['computed_at']}" in log_text()


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
    closure = module_closure([pipeline.GRAPH["evaluation"].module])
    assert {"s1kit.evaluation", "s1kit.engines", "s1kit.budget", "s1kit.grading", "s1kit.chat",
            "s1kit.experiments._engine", "s1kit.experiments._paths"} <= set(closure)
    assert "s1kit.training" not in closure and not any(m.startswith("s1kit.tiny") for m in closure)
    sft = module_closure([pipeline.GRAPH["sft"].module])
    assert "s1kit.evaluation" not in sft and "s1kit.training" in sft
    for stage in pipeline.GRAPH.values():  # the registry, the chapters' module and the report are never stage code
        closure = module_closure([stage.module])
        assert not {"s1kit.experiments", "s1kit.pipeline", "s1kit.stages"} & set(closure), stage.name
        assert not any(m.startswith("s1kit.report") for m in closure), stage.name


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the s1kit sources that stage keys are computed from, to edit freely."""
    copy = tmp_path / "s1kit"
    shutil.copytree(REPO / "s1kit", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(stages, "_package_dir", lambda: copy)

    def keys(profile: str) -> dict[str, str]:
        for cached in (stages._imported_modules, stages.code_hash):
            cached.cache_clear()
        run = RunDir(load_profile(profile), tmp_path / "runs", pipeline.GRAPH)
        return {name: run.key(name) for name in pipeline.STAGES}

    yield copy, keys
    for cached in (stages._imported_modules, stages.code_hash):
        cached.cache_clear()


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def test_keys_see_every_helper_and_only_the_code_a_stage_runs(package_copy):
    copy, keys = package_copy
    before = keys("smoke")
    ablations = copy / "experiments" / "data_ablations.py"
    ablations.write_text(ablations.read_text() + "\nSTATEMENT_ADDED_BY_A_TEST = 1\n")
    after = keys("smoke")
    assert changed(before, after) == {"data_ablations"}
    helpers = copy / "experiments" / "_variants.py"  # fine-tuning and scoring a variant: Tables 2 and 3, and 4's k = 0
    helpers.write_text(helpers.read_text().replace("max_steps=max_steps)", "max_steps=max_steps + 0)"))
    assert changed(after, keys("smoke")) == {"data_ablations", "control_sft", "control", "extrapolation"}
    before = keys("smoke")
    engine = copy / "experiments" / "_engine.py"
    engine.write_text(engine.read_text() + "\nENGINE_NOTE = 'edited'\n")
    # every stage that decodes, and what needs them: difficulty feeds the selection, so SFT is retrained too
    assert changed(before, keys("smoke")) == set(pipeline.STAGES) - {"sourcing", "base_model", "distillation"}


def test_comments_docstrings_and_the_report_change_no_key(package_copy):
    copy, keys = package_copy
    before = keys("smoke")
    evaluation = copy / "evaluation.py"
    text = evaluation.read_text()
    evaluation.write_text(text.replace('"""Evaluation:', '"""Evaluation, reworded:', 1)
                          .replace("\nlog = ", "\n# a comment added by a test\nlog = ", 1))
    report = copy / "report"
    report.mkdir(exist_ok=True)
    (report / "added_by_a_test.py").write_text("VERDICT = 'edited'\n")
    assert changed(before, keys("smoke")) == set()
    evaluation.write_text(text + "\nCODE_ADDED_BY_A_TEST = 1\n")
    assert changed(before, keys("smoke")) == {"evaluation", "extrapolation", "parallel", "data_ablations",
                                              "control_sft", "control"}


def test_the_tiny_teacher_changes_no_key_of_a_paper_profile(package_copy):
    copy, keys = package_copy
    paper, tiny = keys("s1-32b"), keys("smoke")
    teacher = copy / "tiny" / "teacher.py"
    teacher.write_text(teacher.read_text() + "\nTEACHER_EDITED_BY_A_TEST = 1\n")
    assert changed(paper, keys("s1-32b")) == set()
    assert changed(tiny, keys("smoke")) == {"distillation", "selection", "sft", "evaluation", "extrapolation",
                                            "parallel", "data_ablations", "control_sft", "control"}


# -- damaged stages -------------------------------------------------------------------------------
def test_a_deleted_output_recomputes_the_stage_and_what_depends_on_it(tmp_path, log_text):
    run = pipeline.open_run("smoke", tmp_path)
    pipeline.distillation(run)
    traces_published = run.marker("distillation")["publication"]
    run.path("data", "test.jsonl").unlink()
    again = pipeline.open_run("smoke", tmp_path)
    assert again.why_stale("sourcing") == "outputs changed: test.jsonl missing"
    assert again.why_stale("distillation") == "upstream sourcing must be recomputed"
    pipeline.distillation(again)
    text = log_text()
    assert "stage sourcing: computing (outputs changed: test.jsonl missing)" in text
    assert "stage distillation: computing (upstream changed (sourcing was recomputed since))" in text
    assert run.path("data", "test.jsonl").exists() and run.marker("distillation")["publication"] != traces_published


def test_a_changed_output_or_a_corrupt_record_recomputes_the_stage(tmp_path, log_text):
    run = pipeline.open_run("smoke", tmp_path)
    pipeline.distillation(run)
    (run.path("traces", "stage.json")).write_text('{"key": "truncated by a full disk')
    pool = run.path("data", "dev.jsonl")
    pool.write_text(pool.read_text().replace('"dev"', '"DEV"', 1))  # same size, other bytes
    again = pipeline.open_run("smoke", tmp_path)
    assert again.why_stale("sourcing") == "outputs changed: dev.jsonl changed"
    assert again.why_stale("distillation").startswith("record unreadable (stage.json: ")
    pipeline.distillation(again)
    assert "stage distillation: computing (record unreadable" in log_text()
    assert pipeline.open_run("smoke", tmp_path).is_current("distillation")


# -- several processes ------------------------------------------------------------------------------
def test_two_processes_on_one_run_directory_compute_each_stage_once(tmp_path):
    runs = tmp_path / "runs"
    first = s1kit("stage", "difficulty", runs=runs)
    time.sleep(1.0)
    second = s1kit("stage", "difficulty", runs=runs)
    logs = [p.communicate(timeout=600)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], logs
    for stage in ("sourcing", "base_model", "difficulty"):
        assert sum(log.count(f"stage {stage}: done in") for log in logs) == 1, (stage, logs)
    # whichever process came second waited for the first and then reused its result
    waited = [log for log in logs if "another process is computing it; waiting" in log]
    assert len(waited) == 1 and "by another process" in waited[0], logs
    assert not list((runs / "smoke").rglob("*.partial-*"))


def test_a_process_killed_mid_stage_leaves_nothing_trusted(tmp_path):
    runs = tmp_path / "runs"
    victim = s1kit("stage", "base_model", runs=runs)
    models = runs / "smoke" / "models"
    deadline = time.time() + 120
    while not list(models.glob("base.partial-*")) and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # the stage is under way in its partial directory (its training takes seconds)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    partial = list(models.glob("base.partial-*"))
    assert partial and not (models / "base" / "stage.json").exists()
    run = pipeline.open_run("smoke", runs)
    assert run.why_stale("base_model") == "never computed"
    rerun = s1kit("stage", "base_model", runs=runs)
    log = rerun.communicate(timeout=600)[0]
    assert rerun.returncode == 0 and "stage base_model: computing (never computed)" in log, log
    assert pipeline.open_run("smoke", runs).is_current("base_model") and not any(p.exists() for p in partial)


# -- the runs root and sourcing -----------------------------------------------------------------------
def test_runs_root_is_found_from_the_repository_wherever_jupyter_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO / "notebooks")
    assert resolve_runs_root("runs") == REPO / "runs"
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


def test_a_contrast_world_lives_under_its_run_even_when_the_profile_name_has_a_folder(tmp_path):
    # benchmarks/seed_robustness.py names its runs "seed-robustness/<profile>-seed<N>-full"
    profile = dataclasses.replace(load_profile("smoke"), name="seed-robustness/smoke-seed1")
    run = pipeline.open_run(profile, tmp_path)
    assert run.root == tmp_path / "seed-robustness" / "smoke-seed1"
    assert pipeline.world_variant(run, "no_wait").root == run.root / "worlds" / "no_wait"
