"""Each artifact's tables, verdicts and exercise numbers, on the committed reference runs and on hand-made edge cases."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from report_inputs import (  # noqa: E402
    all_numbers,
    benchmarks_json,
    quotable,
    reference_json,
    reference_summary,
    results_of,
    summary,
    summary_json,
)

from s1kit import paper  # noqa: E402
from s1kit.book import REFERENCE  # noqa: E402
from s1kit.report import figure4b, metrics, scaling, table2, table3, table4, traces, training, worlds  # noqa: E402
from s1kit.report.summary import Summary  # noqa: E402
from s1kit.report.words import NOT_RUN, change_word, interval  # noqa: E402

SKIPPED_CONTROL = {"rows": {}, "metrics": {}, "skipped": "control.enabled is false"}
SKIPPED_ABLATIONS = {"s1k_accuracy": 0.486, "rows": []}


@pytest.fixture(scope="module")
def tiny():
    return reference_summary("tiny")


def experiment(name: str, file: str, profile: str = "tiny") -> dict:
    return reference_json(profile, f"experiments/{name}/{file}")


def test_words_follow_the_interval():
    assert [change_word(0.01, 0.2), change_word(-0.3, -0.1), change_word(-0.1, 0.1)] == \
        ["a gain", "a loss", "a tie"]
    assert change_word(0.0, 0.2) == "a tie"  # touching zero is not a gain
    assert interval(0.28, 0.234, 0.328) == "+28.0 [+23.4, +32.8]"


def test_tables_on_the_page_say_not_defined_instead_of_nan():
    import pandas as pd

    from s1kit.report.words import without_nan

    shown = without_nan(pd.DataFrame({"a": [1.5, float("nan")], "b": [float("inf"), 2.0]}))
    assert shown.to_dict("list") == {"a": [1.5, "not defined"], "b": ["not defined", 2.0]}


def test_headline_and_findings_follow_the_numbers(tmp_path):
    paired = [("sft_vs_base", 0, 0.39, 0.33, 0.45), ("k_vs_0", 1, 0.1, 0.05, 0.15), ("k_vs_0", 2, 0.3, 0.25, 0.35)]
    h = scaling.headline(summary(0.01, {0: 0.4, 1: 0.5, 2: 0.7}, {8: 0.0, 64: 0.3}, paired, dev_best=1), cap_k=0)
    # the best k comes from the dev split (k = 1), not from the test set's best (k = 2)
    assert (h["base"], h["k0"], h["smallest_cap"], h["best_k"], h["best_k_source"]) == (1.0, 40.0, 8, 1, "dev split")
    assert round(h["sft_gain"], 6) == 39.0 and round(h["cap_gain"], 6) == 40.0 and round(h["wait_gain"], 6) == 10.0
    found = scaling.findings(results_of(tmp_path / "a", {"results/summary.json": summary_json(
        0.01, {0: 0.4, 1: 0.5, 2: 0.7}, {8: 0.0, 64: 0.3}, paired, dev_best=1)}), cap_k=0)
    assert [f.holds for f in found] == [True, True, True] and not any(f.tie for f in found)
    assert all("reproduced" not in f.evidence for f in found)
    flat_paired = [("sft_vs_base", 0, 0.0, -0.04, 0.04), ("k_vs_0", 2, -0.1, -0.15, -0.05)]
    flat = scaling.headline(summary(0.5, {0: 0.5, 1: 0.5, 2: 0.4}, {8: 0.5}, flat_paired), cap_k=0)
    assert flat["best_k_source"].startswith("test set") and flat["best_k"] == 0  # a tie of k = 0 and 1: the smaller
    assert (flat["wait_gain"], flat["wait_ci_low"], flat["wait_ci_high"]) == (0.0, 0.0, 0.0)  # never NaN
    first, second, third = scaling.findings(results_of(tmp_path / "b", {"results/summary.json": summary_json(
        0.5, {0: 0.5, 1: 0.5, 2: 0.4}, {8: 0.5}, flat_paired)}), cap_k=0)
    assert (first.holds, first.tie) == (False, True) and "k = 0" in second.evidence and not second.holds
    assert (third.holds, third.tie) == (False, True)  # the cap's interval and the uncapped one overlap


def test_table1_findings_quote_the_paper_and_the_run(tiny):
    from s1kit.report.robustness import Results

    numbers = scaling.headline(tiny, cap_k=0)
    aime = {row: values["aime24"] for row, values in paper.TABLE1.items()}
    sft, wait, _ = (f.evidence for f in scaling.findings(Results(REFERENCE / "tiny", "reference", 0, "bf16"), cap_k=0))
    assert f"{aime['Qwen2.5-32B-Instruct']}% → {aime['s1 w/o budget forcing']}%" in sft
    assert f"{aime['s1 w/o budget forcing']}% → {aime['s1-32B (budget forcing)']}%" in wait
    assert f"{100 * tiny.point(None, 1).accuracy:.1f}%" in wait and "dev split" in wait
    table = scaling.table1(tiny, numbers)
    assert list(table["paper: AIME24 (%)"]) == list(aime.values())
    assert list(table["ours: tiny held-out (%)"]) == [5.0, 80.6, 98.4]
    assert not table.isna().any().any()


def _three_benchmarks():
    return Summary.from_json(_three_benchmarks_json())


def _three_benchmarks_json():
    return (benchmarks_json(
        base={"aime24": 0.2, "math500": 0.6, "other": 1.0},
        ks={0: {"aime24": 0.4, "math500": 0.55, "other": 1.0}, 1: {"aime24": 0.5, "math500": 0.65, "other": 1.0},
            2: {"aime24": 0.5, "math500": 0.6, "other": 0.5}},
        caps={16: {"aime24": 0.0, "math500": 0.15, "other": 1.0}}, n={"aime24": 30, "math500": 100, "other": 10},
        paired=[(b, "sft_vs_base", 0, g, g - 0.1, g + 0.1) for b, g in (("aime24", 0.2), ("math500", -0.05), ("other", 0.0))]
        + [(b, "k_vs_0", k, g, g - 0.05, g + 0.05) for b, k, g in (("aime24", 1, 0.1), ("aime24", 2, 0.1),
                                                                    ("math500", 1, 0.1), ("math500", 2, 0.05),
                                                                    ("other", 1, 0.0), ("other", 2, -0.5))]))


@pytest.mark.parametrize("paper_model", ["s1-32B", "s1.1-32B"])
def test_table1_by_benchmark_sets_each_benchmark_beside_the_papers_same_column(paper_model):
    table = scaling.table1_by_benchmark(_three_benchmarks(), paper_model)
    rows = paper.PAPER_ROWS[paper_model]
    assert list(table.index) == [("AIME24", "paper (%)"), ("AIME24", "ours, 30 questions (%)"),
                                 ("MATH500", "paper (%)"), ("MATH500", "ours, 100 questions (%)"),
                                 ("other", "paper (%)"), ("other", "ours, 10 questions (%)")]
    assert list(table.iloc[0]) == [rows[step][1]["aime24"] for step in ("base", "unforced", "forced")]
    # s1-32B's forced row is its best k on the test set (k = 1 and 2 tie on AIME24: the smaller k);
    # s1.1-32B's is published at 2x "Wait", so ours is k = 2 whatever scores best
    k = {"s1-32B": {"aime24": "50.0 (k=1)", "math500": "65.0 (k=1)"},
         "s1.1-32B": {"aime24": "50.0 (k=2)", "math500": "60.0 (k=2)"}}[paper_model]
    assert list(table.iloc[1]) == [20.0, 40.0, k["aime24"]]
    assert list(table.iloc[2]) == [rows[step][1]["math500"] for step in ("base", "unforced", "forced")]
    assert list(table.iloc[3]) == [60.0, 55.0, k["math500"]]
    assert list(table.iloc[4]) == ["-"] * 3  # no paper column for it: nothing set beside ours


def test_findings_by_benchmark_compare_each_benchmark_with_its_own_cell(tmp_path):
    found = scaling.findings_by_benchmark(results_of(tmp_path, {"results/summary.json": _three_benchmarks_json()}),
                                          "s1-32B", cap_k=0)
    lines = [f"**{f.claim}** - {'holds' if f.holds else 'fails'}: {f.evidence}" for f in found]
    aime = [line for line in lines if line.startswith("**AIME24")]
    t1 = paper.TABLE1
    assert f"the paper: {t1['Qwen2.5-32B-Instruct']['aime24']}% → {t1['s1 w/o budget forcing']['aime24']}%" in aime[0]
    assert aime[0].split(" - ")[1].startswith("holds") and "20.0% → 40.0%" in aime[0]
    assert "(k = 1)" in aime[1] and "40.0% → 50.0%" in aime[1]
    assert "rises with the thinking cap" in aime[2] and "holds: 0.0% at N = 16" in aime[2]
    math = [line for line in lines if line.startswith("**MATH500")]
    assert f"{t1['s1 w/o budget forcing']['math500']}% → {t1['s1-32B (budget forcing)']['math500']}%" in math[1]
    other = [line for line in lines if line.startswith("**other")]
    assert "fails: no k scores above k = 0" in other[1] and "no such cell" in other[1]
    assert not any("nan" in line.lower() for line in lines)


def test_scaling_tables_and_exercise_numbers_on_the_reference(tiny):
    assert list(scaling.cap_points(tiny, 0)["label"])[-1] == "N=∞, k=0"
    assert list(scaling.ignore_points(tiny)["num_ignore"]) == [0, 1, 2, 4, 6, 8]
    assert scaling.exercise_numbers(tiny) == {"k_last": 8, "k_last_acc": pytest.approx(87.4), "k_before": 6,
                                              "k_before_acc": pytest.approx(93.4)}
    paired = scaling.paired_table(tiny)
    assert paired.loc["k=1 vs k=0", "change"] == "a gain" and len(paired) == len(tiny.comparisons)


def test_scaling_down_and_up_split_the_range():
    split = scaling.scaling_down_and_up(summary(0.0, {0: 0.5, 1: 0.7, 2: 0.8}, {16: 0.1, 64: 0.4}), cap_k=0, best_k=2)
    assert round(split["scaling_down_points"], 6) == 40.0 and round(split["scaling_up_points"], 6) == 30.0
    assert round(split["scaling_down_share_pct"] + split["scaling_up_share_pct"], 6) == 100.0


def test_scaling_down_is_not_measured_without_a_cap_sweep():
    split = scaling.scaling_down_and_up(summary(0.0, {0: 0.5, 2: 0.8}, {}), cap_k=0, best_k=2)
    assert split["scaling_down_points"] != split["scaling_down_points"]  # NaN: no cap, nothing measured
    assert round(split["scaling_up_points"], 6) == 30.0


def test_shape_checks_on_the_tiny_reference_and_a_flat_run(tiny):
    checks = {row["target"]: row for row in scaling.shape_checks(tiny)}
    # the committed tiny run: 5.0% base (none cut off), 80.6% at k = 0, 98.4% at k = 1 and 2, 93.4% at k = 6
    assert all(row["met"] for row in checks.values()) and len(checks) == 7
    assert checks["plateau: no k <= 6 below k=0"]["measured"] == "no fall up to k = 6"
    assert checks["base answers cut off <= 5%"]["measured"] == "0.0%"
    falling = summary(0.0, {0: 0.5, 1: 0.8, 4: 0.2}, {16: 0.0},
                      [("k_vs_0", 1, 0.3, 0.25, 0.35), ("k_vs_0", 4, -0.3, -0.35, -0.25)])
    fall = {row["target"]: row for row in scaling.shape_checks(falling)}["plateau: no k <= 6 below k=0"]
    assert not fall["met"] and fall["measured"] == "below at k = [4]"
    flat = summary(0.0, {0: 0.1, 1: 0.1, 2: 0.1}, {16: 0.1})  # no paired rows: nothing to claim
    met = {row["target"]: row["met"] for row in scaling.shape_checks(flat)}
    assert met["base < 10%"] and not met["SFT k=0 >= base + 25"] and not met["cap sweep rises >= 25"]
    assert not met["k=1 >= k=0 + 5, interval above 0"] and not met["plateau: no k <= 6 below k=0"]


def test_longest_questions_are_those_with_most_terms():
    test = [{"id": "a", "difficulty": 5}, {"id": "b", "difficulty": 9}, {"id": "c", "difficulty": 9}]
    assert [t["id"] for t in scaling.longest_questions(test)] == ["b", "c"]


def test_selection_exercise_numbers_and_a_released_selection():
    pool = [{"domain": "d", "source": "s", "answer": "3", "attempt": a, "trace": "1+2=3"} for a in ("3", "3", "4", "3")]
    numbers = traces.selection_exercise_numbers(pool, {"a": True, "b": False, "c": False, "d": False})
    assert numbers == {"ex_pool_wrong_pct": 25.0, "ex_solved_pct": 25.0, "ex_sampled": 4}
    assert traces.selection_exercise_numbers(pool, {})["ex_solved_pct"] == NOT_RUN  # no difficulty pass


def test_point_examples_and_accuracy_by_difficulty_select_by_point_index(tiny):
    test = [{"id": "a", "question": "1+2", "answer": "3", "difficulty": 2},
            {"id": "b", "question": "1+2+3", "answer": "6", "difficulty": 3}]
    k0, k1 = tiny.point(None, 0), tiny.point(None, 1)
    generations = [{"point": k0.index, "id": "a", "correct": False}, {"point": k0.index, "id": "b", "correct": True},
                   {"point": k1.index, "id": "a", "correct": True}, {"point": k1.index, "id": "b", "correct": True}]
    assert [g["gold"] for g in scaling.point_examples(generations, test, k0, correct=True)] == ["6"]
    frame = scaling.accuracy_by_difficulty(generations, test, {"k=0": k0, "k=1": k1})
    assert frame.to_dict() == {"k=0": {2: 0.0, 3: 100.0}, "k=1": {2: 100.0, 3: 100.0}}


def test_world_findings_table_and_exercise_numbers(tmp_path):
    main = ([("k_vs_0", 1, 0.4, 0.35, 0.45), ("k_vs_0", 2, 0.7, 0.65, 0.75)])
    hurt = [("k_vs_0", 1, -0.6, -0.65, -0.55)]
    flat = [("k_vs_0", 1, 0.0, -0.02, 0.02)]
    files = {"results/summary.json": summary_json(0, {0: 0.3, 1: 0.7, 2: 1.0}, {8: 0}, main),
             "worlds/no_wait/results/summary.json": summary_json(0.05, {0: 0.9, 1: 0.3}, {8: 0}, hurt),
             "worlds/patient/results/summary.json": summary_json(0.05, {0: 0.5, 1: 0.5}, {8: 0}, flat),
             "worlds/no_checks/results/summary.json": summary_json(0.5, {0: 0.6, 1: 0.6}, {8: 0}, flat)}
    found = {f.claim: f for f in worlds.findings(results_of(tmp_path, files), ["no_wait", "patient", "no_checks"])}
    assert found['main: forcing "Wait" helps'].holds and "+40.0 [+35.0, +45.0] (k=1)" in found['main: forcing "Wait" helps'].evidence
    assert found['no_wait: forcing "Wait" hurts'].holds and found["no_wait: the model works unforced"].holds
    assert found['patient: forcing "Wait" changes nothing'].holds  # "no change" is what patient should show
    checks = found['no_checks: forcing "Wait" hurts']
    assert (checks.holds, checks.tie) == (False, True)  # expected a loss, got a tie
    assert not found["no_checks: the model works unforced"].holds  # +10 points over its base model only
    worlds_ = {"a": summary(0, {0: 0.0, 1: 0.4, 2: 0.7}, {8: 0}, [("k_vs_0", 1, 0.4, 0.35, 0.45)]),
               "b": summary(0, {0: 0.9, 1: 0.0}, {8: 0}, [("k_vs_0", 1, -0.9, -0.95, -0.85)])}
    table = worlds.ignore_table(worlds_)
    assert list(table.index) == ["k=0", "k=1", "k=2"] and table.loc["k=1", "a"].startswith("40.0 [35.0, 45.0]")
    assert table.loc["k=2", "b"] == "not swept"
    reference = {"main": reference_summary("tiny"), "no_checks": reference_summary("tiny", "no_checks"),
                 "no_wait": reference_summary("tiny", "no_wait")}
    assert all_numbers(worlds.exercise_numbers(reference))
    without = worlds.exercise_numbers({"main": reference["main"]})  # a profile that skips the contrast worlds
    assert without["ex_no_wait_k1"] == NOT_RUN and all_numbers({k: without[k] for k in ("ex_main_k0", "ex_main_k1")})


def test_budget_forcing_metrics_survive_a_flat_sweep():
    sweep = summary(0.0, {0: 0.1, 1: 0.1}, {8: 0.0, 16: 0.05})
    assert sweep.without_cap(99) == sweep  # no point has that cap: nothing left out
    m = metrics.budget_forcing_metrics(sweep, cap_k=0)
    assert m["cap_sweep"]["control_pct"] == 100.0 and round(m["cap_sweep"]["performance_pct"], 6) == 5.0
    # the smoke run's ignore sweep scores 0% everywhere: Scaling has no slope, the prose says so
    quoted = metrics.quoted_metrics(metrics.budget_forcing_metrics(reference_summary("smoke"), cap_k=0))
    assert quoted["wait_sweep_scaling_per_100_tokens"] == "not defined" and quotable(quoted)
    one_cap = summary(0.0, {0: 0.1}, {8: 0.0, 16: 0.05})
    numbers = metrics.exercise_numbers(one_cap, cap_k=0)  # without its smallest cap one run is left: no slope
    assert numbers["ex_scaling_without_smallest"].startswith("not defined") and quotable(numbers)


def test_metrics_exercise_numbers_and_dev_table_on_the_reference(tiny):
    numbers = metrics.exercise_numbers(tiny, cap_k=0)
    assert all_numbers(numbers) and numbers["ex_test_best_k"] == 1
    assert numbers["ex_dev_k_acc"] == pytest.approx(100 * tiny.point(None, tiny.best_k()[0]).accuracy)
    table = metrics.dev_table(tiny)
    assert table.loc["1"].tolist() == [98.0, 98.4]
    assert metrics.dev_table(summary(0.0, {0: 0.1, 1: 0.2}, {})) is None


def test_traces_count_the_profiles_wait_string_and_wrong_traces_broken_included():
    records = [{"domain": "d", "source": "s", "answer": "3", "attempt": "3", "trace": "1+2=3\nHmm, 3.",
                "forced_spans": [[6, 9]]},
               {"domain": "d", "source": "s", "answer": "5", "attempt": "4", "trace": "2+2=4\nWait, 4."},
               {"domain": "d", "source": "s", "answer": "7", "attempt": None, "trace": "", "broken": "api_error"}]
    rates = traces.teacher_rates(records, wait="Hmm")
    assert rates["wrong_answer_pct"] == pytest.approx(66.7)  # 2 of 3, the broken one counted
    assert (rates["mean_waits"], rates["mean_forced_waits"], rates["traces_with_wait_pct"]) == (0.5, 0.5, 50.0)
    assert traces.teacher_rates(records)["mean_waits"] == 0.5 and traces.trace_table(records)["waits"].tolist() == [0, 1, 0]
    numbers = traces.exercise_numbers(records)
    assert numbers["ex_wrong_broken_pct"] == pytest.approx(100 / 3) and numbers["ex_wrong_intact_pct"] == pytest.approx(100 / 3)
    assert traces.mark_forced("1+2=3\nWait, 3+4=7", [(6, 10)]) == "1+2=3\n[Wait], 3+4=7"
    assert traces.mark_forced("abc", []) == "abc"


def test_epochs_use_the_global_batch_of_the_batch_plan():
    gpu = {"examples": 1000, "steps": 315, "mean_example_tokens": 9000.0,
           "config": {"per_device_train_batch_size": 1}, "batch_plan": {"global_batch": 16},
           "loss_history": [{"step": 100, "loss": 0.9}, {"step": 150, "loss": 0.7}, {"step": 300, "loss": 0.4}]}
    assert training.epochs(gpu) == pytest.approx(5.04)  # per-device batch 1 would say 0.315
    numbers = training.exercise_numbers(gpu)
    assert (numbers["ex_five_epoch_steps"], numbers["ex_half_step"], numbers["ex_loss_half"], numbers["ex_loss_final"]) == \
        (315, 150, 0.7, 0.4)  # 63 batches an epoch (the last not full) x 5: the paper's 315
    assert set(training.exercise_numbers(None).values()) == {NOT_RUN}
    tiny_report = reference_json("tiny", "models/sft/train_report.json")
    assert all_numbers(training.exercise_numbers(tiny_report)) and training.epochs(tiny_report) == pytest.approx(3.2)


def test_every_figure_draws_from_the_reference(tiny):
    experiments = {name: experiment(name, file) for name, file in (
        ("control", "control.json"), ("data_ablations", "ablations.json"), ("parallel", "parallel.json"),
        ("extrapolation", "extrapolation.json"))}
    figures = [scaling.scaling_figure(tiny, 0),
               worlds.worlds_figure({"main": tiny, "no_wait": reference_summary("tiny", "no_wait")}, 0),
               figure4b.parallel_figure(tiny, experiments["parallel"], 0),
               table4.extrapolation_figure(tiny, experiments["extrapolation"]),
               table3.control_figure(experiments["control"]), table3.control_figure(SKIPPED_CONTROL),
               table2.ablation_figure(experiments["data_ablations"]), table2.ablation_figure(SKIPPED_ABLATIONS),
               training.loss_figure({"sft": reference_json("tiny", "models/sft/train_report.json")})]
    try:
        assert all(fig.axes for fig in figures)
        # Figure 1's cap curve has one marker per cap plus the uncapped end
        assert len(figures[0].axes[0].lines[0].get_xdata()) == len(tiny.cap_curve(0))
    finally:
        for fig in figures:
            plt.close(fig)


def test_table4_sets_no_paper_cells_beside_a_model_it_does_not_report():
    s = _three_benchmarks()
    rows = [{"ignore_str": text, "num_ignore": 2, "accuracy": 0.5, "mean_thinking_tokens": 300.0, "n": 140,
             "gain_vs_unforced": 0.0, "ci_low": -0.1, "ci_high": 0.1,
             "accuracy_by_benchmark": {b: 0.5 for b in s.benchmarks},
             "thinking_tokens_by_benchmark": {b: 300.0 for b in s.benchmarks},
             "paired_by_benchmark": {b: {"gain": 0.0, "ci_low": -0.1, "ci_high": 0.1} for b in s.benchmarks}}
            for text in ("Hmm", None)]
    extrapolation = {"num_ignore": 2, "rows": rows}
    theirs = table4.extrapolation_table_by_benchmark(extrapolation, s, "s1-32B")
    assert theirs.loc[("AIME24", "No extrapolation"), "paper (%)"] == paper.TABLE4["No extrapolation"]["aime24"]
    other = table4.extrapolation_table_by_benchmark(extrapolation, s, "s1.1-32B")
    assert set(other["paper (%)"]) == {"-"}
    # its verdicts: tests/test_report_chapters_9_12.py (table4.findings_by_benchmark)
