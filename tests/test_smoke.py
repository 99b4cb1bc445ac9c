"""End to end: every notebook executed by papermill with the smoke profile, then the book with -W.

Also the run's promises: the same seed gives byte-identical artifacts, another seed gives other
data, models and results, and editing the code of one stage recomputes that stage alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
CHAPTERS = [p.stem for p in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))]


def s1kit(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s1kit", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


# What each stage writes that the seed must reach (the pool, the traces, both models, the results).
SEEDED_FILES = ["data/pool.jsonl", "data/test.jsonl", "traces/traces.jsonl", "s1k/s1k.jsonl",
                "models/base/model.safetensors", "models/sft/model.safetensors", "results/summary.json"]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """The whole study with the smoke recipe, given by path (``PROFILE=path.yaml`` works end to end)."""
    tmp = tmp_path_factory.mktemp("smoke")
    book = tmp / "book"
    shutil.copytree(REPO / "book", book, ignore=shutil.ignore_patterns("_build", "notebooks"))
    recipe = tmp / "recipes" / "smoke.yaml"
    recipe.parent.mkdir()
    shutil.copy(REPO / "s1kit" / "recipes" / "smoke.yaml", recipe)
    done = s1kit("reproduce", "--profile", str(recipe), "--runs", str(tmp / "runs"), "--book-dir", str(book))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return tmp / "runs" / "smoke", book, recipe


def test_results_contract(smoke_run):
    run, _, _ = smoke_run
    summary = json.loads((run / "results" / "summary.json").read_text())
    assert summary["profile"] == "smoke" and 0.0 <= summary["base_model_accuracy"] <= 1.0
    points = summary["budget_forcing"]
    assert {(p["max_thinking_tokens"], p["num_ignore"]) for p in points} == \
        {(8, 0), (32, 0), (None, 0), (None, 1), (None, 2)}
    for p in points:
        assert p["n"] == 40 and 0.0 <= p["accuracy"] <= 1.0 and p["mean_thinking_tokens"] >= 0
        if p["max_thinking_tokens"]:
            assert p["mean_thinking_tokens"] <= p["max_thinking_tokens"]
    test = [json.loads(line) for line in (run / "data" / "test.jsonl").read_text().splitlines()]
    assert len(test) == 40 and all({"question", "answer"} <= t.keys() for t in test)
    model = AutoModelForCausalLM.from_pretrained(run / "models" / "sft")
    tokenizer = PreTrainedTokenizerFast.from_pretrained(run / "models" / "sft")
    assert model.config.model_type == "qwen2" and tokenizer.chat_template
    comparisons = {(r["comparison"], r["num_ignore"]) for r in summary["paired"]}
    assert comparisons == {("sft_vs_base", 0), ("k_vs_0", 1), ("k_vs_0", 2)}
    assert all(r["ci_low"] <= r["gain"] <= r["ci_high"] for r in summary["paired"])
    assert summary["dev"]["n"] == 20 and summary["dev"]["best_num_ignore"] in (0, 1, 2)


def test_each_experiment_writes_its_own_results(smoke_run):
    run, _, _ = smoke_run
    experiments = run / "experiments"
    extrapolation = json.loads((experiments / "extrapolation" / "extrapolation.json").read_text())
    assert [r["ignore_str"] for r in extrapolation["rows"]] == ["Hmm", None] and extrapolation["num_ignore"] == 2
    parallel = json.loads((experiments / "parallel" / "parallel.json").read_text())
    assert [p["votes"] for p in parallel["base"]] == [1, 2] and parallel["base"][0]["thinking_tokens"] == 0
    assert parallel["sft"][1]["thinking_tokens"] > parallel["sft"][0]["thinking_tokens"]
    ablations = json.loads((experiments / "data_ablations" / "ablations.json").read_text())
    assert [r["selection"] for r in ablations["rows"]] == ["random", "diverse", "longest", "full"]
    assert len({r["steps"] for r in ablations["rows"]}) == 1  # "full" gets s1K's step count
    assert ablations["rows"][3]["examples"] > ablations["rows"][0]["examples"] == 200
    control = json.loads((experiments / "control" / "control.json").read_text())
    assert set(control["metrics"]) == {"BF", "TCC", "TCC + BF", "SCC", "SCC + BF", "CCC", "RS"}
    assert control["metrics"]["TCC + BF"]["control"] == 1.0  # a cap at the budget always holds
    assert all(r["thinking_tokens"] <= r["cap"] for r in control["rows"]["TCC + BF"])


def test_contrast_worlds_share_pool_and_base_model(smoke_run):
    run, _, _ = smoke_run
    for name in ("no_wait", "patient", "no_checks"):
        world = run / "worlds" / name
        summary = json.loads((world / "results" / "summary.json").read_text())
        assert summary["profile"] == f"smoke/worlds/{name}"
        assert (world / "models" / "sft" / "config.json").exists()
        assert not (world / "models" / "base").exists() and not (world / "data").exists()
    traces = (run / "worlds" / "no_wait" / "traces" / "traces.jsonl").read_text()
    assert "Wait" not in traces
    unchecked = (run / "worlds" / "no_checks" / "traces" / "traces.jsonl").read_text()
    assert "+0=" not in unchecked and "+0=" in (run / "traces" / "traces.jsonl").read_text()


def test_book_has_every_chapter(smoke_run):
    _, book, _ = smoke_run
    html = book / "_build" / "html"
    assert (html / "index.html").exists() and (html / "api.html").exists()
    for chapter in CHAPTERS:
        page = (html / "notebooks" / f"{chapter}.html").read_text()
        assert "Traceback (most recent call last)" not in page  # (pygments CSS names a "Generic.Traceback" style)
    assert "<img" in (html / "notebooks" / "06_scaling.html").read_text()


def test_second_run_reuses_everything(smoke_run):
    run, book, recipe = smoke_run
    again = s1kit("notebooks", "--profile", str(recipe), "--runs", str(run.parent))
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stderr.count("unchanged, reusing") == len(CHAPTERS)
    assert "stage" not in again.stderr.replace("stage.json", "")


def test_same_seed_same_artifacts(smoke_run, tmp_path):
    run, _, _ = smoke_run
    done = s1kit("stage", "evaluation", "--profile", "smoke", "--runs", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    for name in SEEDED_FILES:
        assert (tmp_path / "smoke" / name).read_bytes() == (run / name).read_bytes(), name


def test_another_seed_changes_data_models_and_results(smoke_run, tmp_path):
    run, _, _ = smoke_run
    recipe = (REPO / "s1kit" / "recipes" / "smoke.yaml").read_text()
    assert "\nseed: 0\n" in recipe
    path = tmp_path / "smoke-seed1.yaml"
    path.write_text(recipe.replace("\nseed: 0\n", "\nseed: 1\n"))
    done = s1kit("stage", "evaluation", "--profile", str(path), "--runs", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr[-3000:]
    other = tmp_path / "runs" / "smoke-seed1"
    for name in SEEDED_FILES[:-1]:
        assert (other / name).read_bytes() != (run / name).read_bytes(), name
    summaries = [json.loads((r / "results" / "summary.json").read_text()) for r in (run, other)]
    for summary in summaries:
        summary.pop("profile")  # the name differs anyway; the results must differ too
    assert summaries[0] != summaries[1]
    traces = [json.loads(line) for line in (other / "traces" / "traces.jsonl").read_text().splitlines()]
    assert {t["id"] for t in traces} == {json.loads(line)["id"] for line in (run / "traces" / "traces.jsonl").open()}


def test_editing_evaluation_code_recomputes_evaluation_only(smoke_run, tmp_path):
    """A copy of the package runs on a copy of the smoke run; then one function of evaluation changes."""
    run, _, _ = smoke_run
    shutil.copytree(REPO / "s1kit", tmp_path / "pkg" / "s1kit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(run, tmp_path / "runs" / "smoke", ignore=shutil.ignore_patterns("notebooks", "worlds"))
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "pkg"))
    args = ("stage", "evaluation", "--profile", "smoke", "--runs", str(tmp_path / "runs"))
    unchanged = s1kit(*args, cwd=tmp_path, env=env)
    assert unchanged.returncode == 0, unchanged.stderr[-3000:]
    assert "computing" not in unchanged.stderr and "stage evaluation: reused" in unchanged.stderr
    evaluation = tmp_path / "pkg" / "s1kit" / "evaluation.py"
    source = evaluation.read_text()
    anchor = "    points = [make(n, config.cap_sweep_num_ignore) for n in sorted(config.caps)]\n"
    assert anchor in source
    evaluation.write_text(source.replace(anchor, "    caps = sorted(config.caps)\n" + anchor.replace(
        "sorted(config.caps)", "caps")))
    edited = s1kit(*args, cwd=tmp_path, env=env)
    assert edited.returncode == 0, edited.stderr[-3000:]
    log = edited.stderr
    assert "stage evaluation: computing (code changed (s1kit.evaluation))" in log, log[-3000:]
    for stage in ("sourcing", "base_model", "sft"):
        assert f"stage {stage}: reused, computed" in log
    assert log.count("computing") == 1
    record = json.loads((tmp_path / "runs" / "smoke" / "results" / "stage.json").read_text())
    assert record["settings"]["seed"] == 0 and "s1kit.evaluation" in record["code"]
    assert (tmp_path / "runs" / "smoke" / "results" / "summary.json").read_bytes() == \
        (run / "results" / "summary.json").read_bytes()  # the edit changed no behaviour


def test_an_experiment_edit_recomputes_that_experiment_alone(smoke_run, tmp_path):
    """On a finished run, `check` says what a new statement in one stage module, or in a helper, would recompute."""
    run, _, recipe = smoke_run
    shutil.copytree(REPO / "s1kit", tmp_path / "pkg" / "s1kit", ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "pkg"))
    args = ("check", "--profile", str(recipe), "--runs", str(run.parent))

    def plan() -> dict[str, str]:
        done = s1kit(*args, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
        rows = [re.match(r"  (\w+) +needs .* (reuse|compute \(.*\))$", line) for line in done.stdout.splitlines()]
        return {row[1]: row[2] for row in rows if row}

    assert set(plan().values()) == {"reuse"}
    module = tmp_path / "pkg" / "s1kit" / "experiments" / "data_ablations.py"
    module.write_text(module.read_text() + "\nA_CONSTANT_ADDED_BY_A_TEST = 1\n")
    states = plan()
    assert states.pop("data_ablations") == "compute (code changed (s1kit.experiments.data_ablations))"
    assert set(states.values()) == {"reuse"}  # sft and everything upstream are reused
    helper = tmp_path / "pkg" / "s1kit" / "experiments" / "_variants.py"
    helper.write_text(helper.read_text() + "\nA_HELPER_CONSTANT = 1\n")
    states = plan()
    for stage in ("data_ablations", "control_sft", "extrapolation"):
        assert "s1kit.experiments._variants" in states.pop(stage)
    assert states.pop("control") == "compute (upstream changed (control_sft))"  # it decodes the model control_sft trains
    assert set(states.values()) == {"reuse"}


def test_profile_path_runs_end_to_end_through_check(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text((REPO / "s1kit" / "recipes" / "smoke.yaml").read_text())
    done = s1kit("check", "--profile", str(path), "--runs", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "profile mine (seed 0)" in done.stdout and "evaluation" in done.stdout and "never computed" in done.stdout


def test_bad_profile_is_refused_before_any_work(tmp_path):
    done = s1kit("reproduce", "--profile", "nope", "--runs", str(tmp_path))
    assert done.returncode == 2 and "unknown profile 'nope'" in done.stderr
    assert not any(tmp_path.iterdir())


def test_sft_under_a_two_process_launch(tmp_path):
    """`stage sft` launched on 2 CPU processes (gloo): rank 0 computes upstream, both train, one model."""
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29561",
         "-m", "s1kit", "stage", "sft", "--profile", "smoke", "--runs", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    models = tmp_path / "smoke" / "models"
    # no partial dirs left behind (the stages' lock files stay: removing one would race its next user)
    assert sorted(p.name for p in models.iterdir() if not p.name.startswith(".")) == ["base", "sft"]
    model = AutoModelForCausalLM.from_pretrained(models / "sft")
    assert model.config.model_type == "qwen2"
    record = json.loads((models / "sft" / "stage.json").read_text())
    report = json.loads((models / "sft" / "train_report.json").read_text())
    assert report["batch_plan"]["processes"] == 2 and record["key"]
    log = done.stderr
    assert log.count("step 20/20") == 1 and log.count("stage sft: computing") == 1  # logged once, not per rank


def test_book_passes_the_browser_check(smoke_run):
    """Every built page in headless Chromium: images load, math typeset, no traceback, path or repeat."""
    from s1kit.bookcheck import book_pages, check_book

    run, book, _ = smoke_run
    html = book / "_build" / "html"
    shots = run / "screenshots"
    report = check_book(html, shots, forbidden=[str(REPO), str(run.parent)])
    assert report == {}
    assert len(list(shots.glob("*.png"))) == len(book_pages(html)) > len(CHAPTERS)


def test_smoke_run_reproduces_its_committed_reference(smoke_run, tmp_path):
    """reference/smoke/ was written from a smoke run; a fresh one must give the same files, byte for byte.

    Byte for byte on the same kind of CPU: bf16 training takes other code paths (AMX, AVX512-BF16)
    on other processors, and the reference records which one it was made on.
    """
    from s1kit.reference import cpu_kind, differences

    run, _, recipe = smoke_run
    made_on = json.loads((REPO / "reference" / "smoke" / "run.json").read_text())["machine"]["cpu"]
    if made_on != cpu_kind():
        pytest.skip(f"reference/smoke was made on {made_on}; this machine is {cpu_kind()}")
    done = s1kit("reference", "--profile", str(recipe), "--runs", str(run.parent), "--out", str(tmp_path / "ref"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "ref" / "results" / "summary.json").exists()
    assert differences(tmp_path / "ref", REPO / "reference" / "smoke") == []


@pytest.mark.parametrize("folder", ["notebooks", "."])
def test_a_chapter_runs_from_either_folder_and_reuses_finished_stages(smoke_run, folder):
    """A chapter opened where Jupyter starts (repository root or notebooks/) finds runs/ and retrains nothing."""
    import jupytext
    import papermill

    run, _, recipe = smoke_run
    root = REPO / "runs" / f".lab-test-{os.getpid()}-{folder.strip('.') or 'root'}"
    try:
        shutil.copytree(run, root / "smoke", ignore=shutil.ignore_patterns("notebooks", "screenshots"))
        records = {p: p.read_text() for p in root.rglob("stage.json")}
        notebook = jupytext.read(REPO / "notebooks" / "04_sft.py")
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        source = root / "04_sft.ipynb"
        jupytext.write(notebook, source)
        papermill.execute_notebook(str(source), str(root / "out.ipynb"), kernel_name="python3",
                                   parameters={"profile": str(recipe), "runs_root": str(root.relative_to(REPO))},
                                   cwd=str(REPO / folder), progress_bar=False)
        assert {p: p.read_text() for p in root.rglob("stage.json")} == records  # nothing recomputed
        assert "reused" in (root / "out.ipynb").read_text()
    finally:
        shutil.rmtree(root, ignore_errors=True)
