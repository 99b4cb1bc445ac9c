"""End to end: every notebook executed by papermill with the smoke profile, then the book with -W."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

REPO = Path(__file__).resolve().parent.parent
CHAPTERS = ["01_sourcing", "02_distillation", "03_selection", "04_sft", "05_budget_forcing", "06_scaling",
            "07_why_wait"]


def s1kit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "s1kit", *args], cwd=REPO, capture_output=True, text=True)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("smoke")
    book = tmp / "book"
    shutil.copytree(REPO / "book", book, ignore=shutil.ignore_patterns("_build", "notebooks"))
    done = s1kit("reproduce", "--profile", "smoke", "--runs", str(tmp / "runs"), "--book-dir", str(book))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return tmp / "runs" / "smoke", book, done


def test_results_contract(smoke_run):
    run, _, _ = smoke_run
    summary = json.loads((run / "results" / "summary.json").read_text())
    assert summary["profile"] == "smoke" and 0.0 <= summary["base_model_accuracy"] <= 1.0
    points = summary["budget_forcing"]
    assert {(p["max_thinking_tokens"], p["num_ignore"]) for p in points} == \
        {(8, 2), (32, 2), (None, 2), (None, 0), (None, 1)}
    for p in points:
        assert p["n"] == 40 and 0.0 <= p["accuracy"] <= 1.0 and p["mean_thinking_tokens"] >= 0
        if p["max_thinking_tokens"]:
            assert p["mean_thinking_tokens"] <= p["max_thinking_tokens"]
    test = [json.loads(line) for line in (run / "data" / "test.jsonl").read_text().splitlines()]
    assert len(test) == 40 and all({"question", "answer"} <= t.keys() for t in test)
    model = AutoModelForCausalLM.from_pretrained(run / "models" / "sft")
    tokenizer = PreTrainedTokenizerFast.from_pretrained(run / "models" / "sft")
    assert model.config.model_type == "qwen2" and tokenizer.chat_template


def test_contrast_worlds_share_pool_and_base_model(smoke_run):
    run, _, _ = smoke_run
    for style in ("no_wait", "weak_check"):
        world = run / "worlds" / style
        summary = json.loads((world / "results" / "summary.json").read_text())
        assert summary["profile"] == f"smoke/worlds/{style}"
        assert (world / "models" / "sft" / "config.json").exists()
        assert not (world / "models" / "base").exists() and not (world / "data").exists()
    traces = (run / "worlds" / "no_wait" / "traces" / "traces.jsonl").read_text()
    assert "Wait" not in traces


def test_book_has_every_chapter(smoke_run):
    _, book, _ = smoke_run
    html = book / "_build" / "html"
    assert (html / "index.html").exists() and (html / "api.html").exists()
    for chapter in CHAPTERS:
        page = (html / "notebooks" / f"{chapter}.html").read_text()
        assert "Traceback" not in page
    assert "<img" in (html / "notebooks" / "06_scaling.html").read_text()


def test_second_run_reuses_everything(smoke_run):
    run, book, _ = smoke_run
    again = s1kit("notebooks", "--profile", "smoke", "--runs", str(run.parent))
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stderr.count("unchanged, reusing") == len(CHAPTERS)
    assert "stage" not in again.stderr.replace("stage.json", "")


def test_same_seed_same_summary(smoke_run, tmp_path):
    run, _, _ = smoke_run
    done = s1kit("stage", "evaluation", "--profile", "smoke", "--runs", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "smoke" / "results" / "summary.json").read_text() == \
        (run / "results" / "summary.json").read_text()


def test_bad_profile_is_refused_before_any_work(tmp_path):
    done = s1kit("reproduce", "--profile", "nope", "--runs", str(tmp_path))
    assert done.returncode == 2 and "unknown profile 'nope'" in done.stderr
    assert not any(tmp_path.iterdir())
