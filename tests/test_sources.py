"""Hub loaders on parquet copies in the real schemas (no network here: the tests make the data)."""

from __future__ import annotations

import pytest
from hub_fixtures import AIME24, GPQA, MATH500, POOL, S1K_11, write, write_split

from s1kit.grading import grade
from s1kit.selection import quality_filter
from s1kit.sources import (
    DatasetAccessError,
    HubDataConfig,
    gpqa_question,
    hub_pool,
    load_benchmark,
    load_selection,
    load_training_text,
)


@pytest.fixture
def hub(tmp_path):
    return {
        "pool": write(tmp_path / "pool", POOL),
        "s1k11": write(tmp_path / "s1k11", S1K_11),
        "aime24": write(tmp_path / "aime", AIME24),
        "math500": write_split(tmp_path / "math", MATH500, "test"),
        "gpqa_diamond": write(tmp_path / "gpqa", GPQA),
    }


def config(hub, **kwargs):
    paths = {k: hub[k] for k in ("aime24", "math500", "gpqa_diamond")}
    return HubDataConfig(pool_dataset=hub["pool"], benchmarks=["aime24", "math500", "gpqa_diamond"],
                         benchmark_paths=paths, **kwargs)


def test_pool_records_carry_the_final_answer_and_the_full_solution(hub):
    pool, test = hub_pool(config(hub))
    assert [r["answer"] for r in pool] == ["2", "\\frac{3\\sqrt{3}}{4}", "204", "",
                                            "The correct option is the one with the highest bond order."]
    assert pool[0]["solution"].startswith("The roots") and pool[0]["trace"].startswith("x^2=4")
    assert pool[2]["source"] == "qq8933/AIME_1983_2024" and pool[4]["domain"] == "science"
    # the Gemini attempts grade correctly against the extracted answers (Algorithm 1's seed check)
    assert [grade(r["attempt"], r["answer"], r["benchmark"]) for r in pool[:3]] == [True, True, True]
    kept, dropped = quality_filter(pool)
    assert dropped["no_reference"] == 1 and len(kept) == 4  # s1 drops questions with no reference solution


def test_benchmarks_have_their_graders(hub):
    _, test = hub_pool(config(hub))
    by = {}
    for t in test:
        by.setdefault(t["benchmark"], []).append(t)
    assert [t["answer"] for t in by["aime"]] == ["023", "204"]
    assert grade("<|im_start|>answer\nAnswer: 23", by["aime"][0]["answer"], "aime")  # 023 is 23
    assert by["math"][1]["question"] == "What is $\\frac{1}{2} + \\frac{1}{4}$?"
    assert grade("\\boxed{0.75}", by["math"][1]["answer"], "math")
    gpqa = by["gpqa"]
    assert all(t["answer"] in "ABCD" and "\nA) " in t["question"] and "\nD) " in t["question"] for t in gpqa)
    letter = gpqa[0]["answer"]
    assert f"{letter}) photon" in gpqa[0]["question"]  # the letter points at the correct option


def test_gpqa_shuffle_is_fixed_by_its_seed():
    row = {k: v[0] for k, v in GPQA.items()}
    import random

    first = gpqa_question(row, random.Random(0))
    assert first == gpqa_question(row, random.Random(0))
    letters = {gpqa_question(row, random.Random(seed))[1] for seed in range(20)}
    assert len(letters) > 1  # the correct option is not always in one place


def test_released_s1k_11_with_either_teacher(hub):
    gemini = load_selection(hub["s1k11"], traces="gemini-1.1")
    deepseek = load_selection(hub["s1k11"], traces="deepseek")
    assert gemini[0]["trace"] == "x=2 or -2" and deepseek[0]["trace"].startswith("Okay, so")
    assert deepseek[1]["attempt"] == "\\boxed{\\dfrac{3\\sqrt{3}}{4}}"
    with pytest.raises(ValueError, match="missing column\\(s\\) \\['thinking_trajectories', 'attempt'\\]"):
        load_selection(hub["s1k11"], traces="gemini")  # s1K-1.1 has no s1K-style columns
    pool, _ = hub_pool(config(hub, selection_dataset=hub["s1k11"], traces="deepseek"))
    assert len(pool) == 3 and pool[2]["trace"].startswith("Let me see")


@pytest.mark.parametrize("column", ["thinking_trajectories", "solution", "attempt"])
def test_a_missing_pool_column_is_named(tmp_path, hub, column):
    path = write(tmp_path / "broken", POOL, drop=column)
    with pytest.raises(ValueError, match=f"missing column\\(s\\) \\['{column}'\\]"):
        hub_pool(HubDataConfig(pool_dataset=path, benchmarks=["aime24"], benchmark_paths={"aime24": hub["aime24"]}))


def test_a_missing_benchmark_column_is_named(tmp_path):
    path = write(tmp_path / "gpqa", GPQA, drop="Incorrect Answer 2")
    with pytest.raises(ValueError, match="missing column\\(s\\) \\['Incorrect Answer 2'\\]"):
        load_benchmark("gpqa_diamond", path=path)


def test_gated_gpqa_names_what_to_do(monkeypatch):
    import datasets

    def refuse(*args, **kwargs):
        raise datasets.exceptions.DatasetNotFoundError(
            "Dataset 'Idavidrein/gpqa' is a gated dataset on the Hub. You must be authenticated to access it.")

    monkeypatch.setattr(datasets, "load_dataset", refuse)
    with pytest.raises(DatasetAccessError, match="gated: accept its terms at https://huggingface.co/datasets/"
                                                 "Idavidrein/gpqa and log in"):
        load_benchmark("gpqa_diamond")


def test_training_text_is_read_in_row_order_and_a_missing_text_column_is_named(tmp_path):
    texts = ["<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n",
             "<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\nA2<|im_end|>\n"]
    path = write(tmp_path / "tokenized", {"question": ["Q1", "Q2"], "text": texts})
    assert load_training_text(path) == texts
    with pytest.raises(ValueError, match="missing column\\(s\\) \\['text'\\]"):
        load_training_text(write(tmp_path / "no-text", {"question": ["Q1", "Q2"], "text": texts}, drop="text"))


def test_unknown_benchmark_is_refused():
    with pytest.raises(ValueError, match="sourcing.hub.benchmarks must name some of"):
        HubDataConfig(benchmarks=["mmlu"])
