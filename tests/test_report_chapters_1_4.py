"""Chapters 1-4's report pieces: display tables, the example traces, and the turned knobs' reference outcomes."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from s1kit.report import traces, training  # noqa: E402
from s1kit.report.figures import count_figure  # noqa: E402
from s1kit.report.words import NOT_RUN  # noqa: E402
from s1kit.selection import SelectionConfig, select_s1k  # noqa: E402
from s1kit.tiny.teacher import TeacherConfig  # noqa: E402
from s1kit.tiny.world import TinyWorldConfig, tiny_pool  # noqa: E402

TEACHER = TeacherConfig(impatient_domains=["coins", "miles"], p_broken=0.04)


@pytest.fixture(scope="module")
def world():
    """A small tiny-world pool with the stage's own teacher traces."""
    pool, test, _ = tiny_pool(TinyWorldConfig(pool_size=1500, test_size=20, dev_size=5), seed=0)
    return traces.rerun_teacher(pool, TEACHER, seed=0), test


def no_snake_case(frame: pd.DataFrame) -> bool:
    names = [*map(str, frame.columns), *map(str, frame.index), str(frame.index.name or "")]
    return not any("_" in name for name in names)


def test_rerun_teacher_is_the_stage_and_turned_knobs_move_the_traces(world):
    records, _ = world
    again = traces.rerun_teacher(records, TEACHER, seed=0)
    assert [r["trace"] for r in again] == [r["trace"] for r in records]  # deterministic, as the stage
    patient = traces.rerun_teacher(records, dataclasses.replace(TEACHER, impatient_domains=[]), seed=0)
    checking = traces.rerun_teacher(records, dataclasses.replace(TEACHER, p_final_check=0.8), seed=0)
    numbers = traces.teacher_knob_numbers(records, patient, checking)
    assert numbers["ex_patient_wrong_pct"] < numbers["ex_wrong_pct"]
    # with no impatient domain only the broken traces without an answer stay wrong
    intact_wrong = [r for r in patient if not r["broken"] and str(r["attempt"]) != str(r["answer"])]
    assert intact_wrong == []
    assert numbers["ex_checking_mean_waits"] > numbers["ex_mean_waits"]
    assert numbers["ex_checking_mean_chars"] > numbers["ex_mean_chars"]


def test_example_traces_show_each_habit(world):
    records, _ = world
    picked = traces.example_traces(records, TEACHER.impatient_domains)
    patient, impatient = picked["patient"], picked["impatient"]
    assert patient["domain"] not in TEACHER.impatient_domains and patient["attempt"] == str(patient["answer"])
    assert impatient["domain"] in TEACHER.impatient_domains and impatient["attempt"] != str(impatient["answer"])
    assert impatient["trace"].count("\n") == TEACHER.impatient_lines - 1  # stopped after its lines
    with pytest.raises(ValueError, match="no long trace"):
        traces.example_traces(records, [])


def test_describe_traces_has_readable_names(world):
    records, _ = world
    described = traces.describe_traces(traces.trace_table(records), ["difficulty", "trace_chars", "waits"])
    assert list(described.columns) == ["terms", "trace length (characters)", "Waits in the trace"]
    assert described.loc["traces", "terms"] == f"{len(records):,}" and no_snake_case(described)
    assert described.loc["longest", "terms"] == "12.0"  # one decimal everywhere but the count


FUNNEL = [{"step": "pool", "kept": 20000},
          {"step": "quality", "kept": 18410, "dropped": {"api_error": 269, "duplicate": 786}},
          {"step": "difficulty sample", "kept": 3675},
          {"step": "difficulty", "kept": 3221, "dropped": {"solved_by_base": 454}},
          {"step": "diversity", "kept": 1000}]


def test_funnel_table_has_no_nan_and_one_unit_per_column():
    table = traces.funnel_table(FUNNEL)
    assert not table.isna().any().any() and no_snake_case(table)
    assert table.loc["quality", "dropped, by reason"] == "api error: 269, duplicate: 786"
    assert table.loc["pool", "dropped, by reason"] == "" and table.loc["diversity", "kept of the pool (%)"] == 5.0


def test_difficulty_numbers_use_the_funnels_denominator():
    pool = [{"id": str(i), "difficulty": 3 if i < 4 else 9} for i in range(10)]
    solved = {str(i): i in (0, 1, 5) for i in range(10)}
    numbers = traces.difficulty_numbers(FUNNEL, solved, pool, glance_terms=4)
    assert (numbers["ex_graded"], numbers["ex_sample_kept"], numbers["ex_solved"]) == (10, 3675, 454)
    assert numbers["ex_solved_pct"] == pytest.approx(100 * 454 / 3675)
    assert numbers["ex_short_solved_pct"] == 50.0 and numbers["ex_long_solved_pct"] == pytest.approx(100 / 6)
    released = traces.difficulty_numbers([{"step": "released selection", "kept": 1000}], {}, [], 4)
    assert set(released.values()) == {NOT_RUN}


def test_reselect_with_the_recipes_size_is_the_stages_selection(world, tokenizer):
    records, test = world
    config = SelectionConfig(size=200)
    solved = {r["id"]: r["difficulty"] <= 3 for r in records}
    chosen, candidates, _ = select_s1k(records, [t["question"] for t in test], solved, tokenizer, config, seed=0)
    again = traces.reselect(records, candidates, config, 0, config.size)
    assert [r["id"] for r in again] == [r["id"] for r in chosen]
    assert [r["thinking_tokens"] for r in again] == [r["thinking_tokens"] for r in chosen]
    bigger = traces.reselect(records, candidates, config, 0, 2 * config.size)
    now, more = (traces.selection_numbers(s, TEACHER.impatient_domains) for s in (chosen, bigger))
    assert more["mean_tokens"] < now["mean_tokens"]  # deeper into each domain's ranking: shorter traces
    assert 0 <= more["wrong_pct"] <= 100 and 0 <= more["impatient_pct"] <= 100


REPORT = {"examples": 1000, "steps": 200, "wall_s": 19.1, "tokens_per_s": 21414.9, "train_tokens": 409161,
          "mean_example_tokens": 127.9, "precision": "bf16",
          "batch_plan": {"accumulation": 1, "global_batch": 16, "processes": 1},
          "loss_history": [{"step": 50, "loss": 0.99}, {"step": 100, "loss": 0.03}, {"step": 200, "loss": 0.015}]}


def test_five_epochs_follow_the_trainers_arithmetic():
    assert training.epoch_steps(REPORT, 5) == 315  # 63 batches an epoch, the last one of 8 examples: the paper's count
    accumulated = dict(REPORT, batch_plan={"accumulation": 2, "global_batch": 16, "processes": 1})
    assert training.epoch_steps(accumulated, 5) == 5 * 63  # 126 batches of 8, two per step
    numbers = training.exercise_numbers(REPORT)
    assert numbers["ex_five_epoch_steps"] == 315
    assert training.time_numbers(REPORT) == {"ex_run_s": 19.1, "ex_five_epoch_s": pytest.approx(315 * 19.1 / 200)}
    assert set(training.time_numbers(dict(REPORT, wall_s=None)).values()) == {NOT_RUN}  # a reference run keeps no time
    assert numbers["ex_epoch_tokens"] == pytest.approx(127900) and numbers["ex_run_tokens"] == 409161
    assert set(training.exercise_numbers(None).values()) == {NOT_RUN}


def test_summary_table_and_length_numbers():
    table = training.summary_table(REPORT)
    assert not table.isna().any().any() and no_snake_case(table)
    assert table.loc["optimizer steps", "this run"] == "200" and table.loc["passes over the examples (epochs)", "this run"] == "3.2"
    assert training.length_numbers([100, 130, 211, 90], 128) == {"ex_too_long": 2, "ex_examples": 4, "ex_longest": 211,
                                                                 "ex_knob_length": 128}


def test_count_figure_labels_its_axes_and_keeps_the_legend_off_the_bars():
    frame = pd.DataFrame({"difficulty": [3, 4, 4, 5], "source": ["drill", "drill", "contest", "drill"]})
    fig = count_figure(frame, "difficulty", hue="source", title="Pool: questions per number of terms",
                       xlabel="number of terms")
    try:
        ax = fig.axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("number of terms", "questions")
        fig.canvas.draw()
        legend, plot = ax.get_legend().get_window_extent(), ax.get_window_extent()
        assert legend.x0 >= plot.x1  # beside the plot, never over a bar
    finally:
        plt.close(fig)


def test_selected_by_domain_counts_a_domain_with_nothing_selected_as_zero():
    candidates = [{"domain": "a", "thinking_tokens": 10}, {"domain": "b", "thinking_tokens": 20}]
    table = traces.selected_by_domain(candidates, [{"domain": "a", "thinking_tokens": 10}])
    assert not table.isna().any().any() and table.loc["b", "selected"] == 0
    assert table.loc["b", "mean trace tokens, selected"] == "none selected"


def test_funnel_figure_keeps_every_count_inside_the_plot():
    from s1kit.report.figures import funnel_figure

    fig = funnel_figure(FUNNEL)
    try:
        ax = fig.axes[0]
        fig.canvas.draw()
        box = ax.get_window_extent()
        assert all(box.x0 <= text.get_window_extent().x1 <= box.x1 for text in ax.texts)
        assert ax.get_xlim()[0] < 1000 / 4  # the smallest bar is long enough to see
    finally:
        plt.close(fig)
