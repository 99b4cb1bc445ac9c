"""Chapters 9-12's report modules: each claim decided on small hand-written result files, on both sides,
and the tables, sentences and exercise numbers on the committed reference runs."""

from __future__ import annotations

import json

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
    summary_json,
)

from s1kit import paper  # noqa: E402
from s1kit.book import REFERENCE  # noqa: E402
from s1kit.report import figure4b, metrics, table2, table3, table4  # noqa: E402
from s1kit.report.robustness import Results  # noqa: E402
from s1kit.report.summary import Summary  # noqa: E402
from s1kit.report.words import NOT_RUN  # noqa: E402

SKIPPED_CONTROL = {"rows": {}, "metrics": {}, "skipped": "control.enabled is false"}
SKIPPED_ABLATIONS = {"s1k_accuracy": 0.486, "rows": []}


def reference(name: str = "tiny") -> Results:
    return Results(REFERENCE / name, name, 0, "bf16")


def by_claim(found) -> dict:
    return {f.claim: f for f in found}


# -- the guarded Scaling (chapter 9) ---------------------------------------------------------------------------
def run(tokens, accuracy, budget=None):
    return {"thinking_tokens": tokens, "accuracy": accuracy, "budget": budget}


def test_guarded_scaling_leaves_out_pairs_that_used_the_same_tokens():
    same = [run(100, 0.4), run(101, 0.5), run(102, 0.45)]
    assert metrics.guarded_scaling(same) is None  # 2% apart: no slope to measure
    assert metrics.guarded_scaling(same, share=0.0) == pytest.approx(250.0)  # the paper's formula: +2.5 points a token
    spread = [run(50, 0.2), run(100, 0.6), run(101, 0.9)]
    # (50, 100): 0.8 points a token, (50, 101): 1.37; the pair (100, 101) is left out
    assert metrics.guarded_scaling(spread) == pytest.approx(100 * 100 * (0.4 / 50 + 0.7 / 51) / 2)
    assert metrics.guarded_scaling([run(50, 0.2)]) is None
    assert metrics.token_spread(spread) == (50, 101)


# -- Table 3 -----------------------------------------------------------------------------------------------------
def control_json(tcc_tokens=(75, 77, 76), tcc_acc=(0.5, 0.6, 0.55), scc_control_tokens=(100, 104, 108), rs=True):
    """A control.json: BF (two caps, two k), TCC / SCC with budgets 16-64 and 1-4 steps, their + BF rows, CCC, RS."""
    def row(tokens, acc, budget, **extra):
        return {"thinking_tokens": float(tokens), "accuracy": acc, "budget": budget, **extra}

    rows = {"BF": [row(16, 0.0, 16, cap=16, num_ignore=0), row(48, 0.3, 48, cap=48, num_ignore=0),
                   row(80, 0.8, None, cap=None, num_ignore=0), row(100, 0.95, None, cap=None, num_ignore=1)],
            "TCC": [row(t, a, b, instruction=f"Think for up to {b} tokens.") for t, a, b in zip(tcc_tokens, tcc_acc, (16, 32, 64), strict=True)],
            "TCC + BF": [row(16, 0.0, 16, cap=16), row(32, 0.05, 32, cap=32), row(60, 0.3, 64, cap=64)],
            "SCC": [row(t, 0.4, b, instruction=f"Think for up to {n} steps.") for t, b, n in zip(scc_control_tokens, (18, 36, 72), (1, 2, 4), strict=True)],
            "SCC + BF": [row(18, 0.0, 18, cap=18), row(36, 0.0, 36, cap=36), row(70, 0.15, 72, cap=72)],
            "CCC": [row(80, 0.75, None, instruction="Think short."), row(81, 0.77, None, instruction="Think long.")],
            "plain prompt": [row(79, 0.66, None, instruction=None)]}
    if rs:
        rows["RS"] = [row(60, 0.0, 30, found=0.01, mean_tries=4.0), row(74, 0.65, 110, found=1.0, mean_tries=1.0)]
    from s1kit.control import method_metrics

    return {"rows": rows, "metrics": {m: method_metrics(r) for m, r in rows.items() if m != "plain prompt"}}


def test_table3_findings_decide_each_claim_on_both_sides(tmp_path):
    found = by_claim(table3.findings(results_of(tmp_path / "a", {table3.CONTROL_FILE: control_json()})))
    assert found["Budget forcing stays within every budget"].holds
    assert found["Token-conditional control alone stays in budget less often than with budget forcing"].holds
    steps = found["Counting steps controls better than counting tokens"]
    assert (steps.holds, steps.tie) == (False, True)  # both at 0%: a tie, not a reversal
    tcc = found["TCC's Scaling is below zero"]
    assert not tcc.holds and "undefined (the settings used the same tokens)" in tcc.evidence
    assert "75–77 thinking tokens whether asked for up to 16 tokens or up to 64 tokens" in tcc.evidence
    assert "ignores its budget" in tcc.evidence
    assert not found["CCC's Scaling is above zero"].holds  # 80 and 81 tokens: short and long alike
    rs = found["Rejection sampling scales inversely (Scaling below zero)"]
    assert not rs.holds and "sign flipped" in rs.evidence and "1.0% of questions at 30 tokens" in rs.evidence
    assert found["Budget forcing reaches the best Performance"].holds
    assert all("reproduced" not in f.evidence for f in found.values())
    # a TCC that does follow its budget, and less accuracy with more tokens: the paper's negative sign
    obeys = control_json(tcc_tokens=(20, 32, 60), tcc_acc=(0.6, 0.5, 0.3), scc_control_tokens=(18, 30, 70))
    found = by_claim(table3.findings(results_of(tmp_path / "b", {table3.CONTROL_FILE: obeys})))
    assert found["TCC's Scaling is below zero"].holds
    steps = found["Counting steps controls better than counting tokens"]
    assert steps.holds and not steps.tie  # SCC 3 of 3 in budget, TCC 2 of 3
    assert [f.claim for f in table3.findings(results_of(tmp_path / "b", {table3.CONTROL_FILE: obeys}), "control")] == [
        "Budget forcing stays within every budget",
        "Token-conditional control alone stays in budget less often than with budget forcing",
        "Step-conditional control alone stays in budget less often than with budget forcing",
        "Counting steps controls better than counting tokens"]
    assert table3.findings(results_of(tmp_path / "c", {table3.CONTROL_FILE: SKIPPED_CONTROL})) == []


def test_table3_reads_the_paper_numbers_from_paper_py(tmp_path):
    results = results_of(tmp_path, {table3.CONTROL_FILE: control_json()})
    t3 = paper.TABLE3
    labels = [f.paper for f in table3.findings(results)]
    assert f"s1 paper, Table 3: TCC {t3['TCC']['control']}%, TCC + BF {t3['TCC + BF']['control']}%" in labels
    with pytest.MonkeyPatch.context() as patch:  # a corrected paper number reaches the verdict
        patch.setattr(paper, "TABLE3", dict(t3, TCC=dict(t3["TCC"], control=41)))
        assert any("TCC 41%" in f.paper for f in table3.findings(results))


def test_table3_tables_sentences_and_numbers_on_the_reference():
    control = reference_json("tiny", table3.CONTROL_FILE)
    table = table3.control_table(control)
    assert list(table.index) == list(paper.TABLE3) and not table.isna().any().any()
    assert table.loc["TCC", ("Scaling", "ours")] == table3.SAME_TOKENS and table.loc["TCC", ("Scaling", "same sign")] == "-"
    assert table.loc["RS", ("Scaling", "same sign")] == "no (flipped)" and table.loc["BF", ("Scaling", "same sign")] == "yes"
    runs = table3.method_runs(control)
    assert list(runs.index.get_level_values(0).unique()) == [m for m in paper.TABLE3 if m != "BF"] + [
        "conditional model, no instruction"]
    assert ("SCC", "up to 1 step") in runs.index and ("CCC", "think short") in runs.index
    assert runs.loc[("RS", "at most 30 tokens"), "in-budget sample found (%)"] == 0.8
    assert not runs.isna().any().any()
    numbers = table3.exercise_numbers(control)
    assert quotable(numbers) and numbers["ex_guard_changed"] == "TCC, SCC, CCC" and numbers["ex_all_pairs_scc"] == 138.4
    prose = table3.prose_numbers(control, (0.806, 79.868))
    assert quotable(prose) and prose["ignored_methods"] == "TCC, SCC, CCC" and prose["tcc_tokens"] == "74–77"
    notes = table3.notes(control, (0.806, 79.868))
    assert any("66.2%" in line and "80.6%" in line and "both unforced" in line for line in notes)
    assert "a tie" in table3.how_to_read(control) and "RS" in table3.how_to_read(control)
    assert "dotted clusters" in table3.figure_reading(control)
    assert set(table3.exercise_numbers(SKIPPED_CONTROL).values()) == {NOT_RUN}
    assert set(table3.prose_numbers(SKIPPED_CONTROL).values()) == {NOT_RUN}
    assert table3.notes(SKIPPED_CONTROL) == ["Not run in this profile: control.enabled is false."]
    assert "control.enabled is false" in table3.control_table(SKIPPED_CONTROL).iloc[0, 0]
    assert table3.method_runs(SKIPPED_CONTROL) is None and table3.figure_reading(SKIPPED_CONTROL) == ""


def test_table3_findings_read_every_committed_replicate():
    for directory in sorted(REFERENCE.glob("tiny*")):
        if (directory / table3.CONTROL_FILE).exists():
            assert len(table3.findings(Results(directory, directory.name, 0, None))) == 12


# -- Figure 4 ------------------------------------------------------------------------------------------------------
def vote(m, accuracy, tokens, gain=0.0, low=0.0, high=0.0):
    return {"votes": m, "accuracy": accuracy, "thinking_tokens": tokens, "gain_over_first": gain, "ci_low": low,
            "ci_high": high, "n": 500}


def parallel_files(sft_votes, base_best=0.05, dev_best=1):
    ks = {0: 0.8, 1: 0.98, 2: 0.98, 4: 0.96}
    summary = summary_json(0.05, ks, {16: 0.0, 64: 0.4}, [("k_vs_0", k, a - 0.8, a - 0.85, a - 0.75) for k, a in ks.items() if k],
                           dev_best=dev_best)
    for p in summary["budget_forcing"]:  # wider intervals than the helper's, as 500 questions give
        p["n"] = 500
    parallel = {"base": [vote(1, base_best - 0.01, 0.0), vote(4, base_best, 0.0)], "sft": sft_votes}
    return {figure4b.SUMMARY_FILE: summary, figure4b.PARALLEL_FILE: parallel}


def test_figure4b_findings_judge_every_vote_at_matched_tokens(tmp_path):
    # the helper's uncapped points think 20 (k = 0), 40, 60, 100 tokens at 80, 98, 98, 96%
    above = parallel_files([vote(1, 0.66, 20), vote(2, 0.66, 40), vote(4, 0.72, 95, 0.06, 0.03, 0.09)])
    found = by_claim(figure4b.findings(results_of(tmp_path / "a", above), cap_k=0))
    matched = found["At matched thinking tokens, sequential scaling beats parallel scaling"]
    assert matched.holds and "all 2 matched points" in matched.evidence
    assert found["Voting over the base model cannot catch up with the fine-tuned model"].holds
    assert found["Voting over the SFT model's samples beats one sample"].holds
    # the curves cross: the largest vote is above the forced point nearest it in tokens
    crossing = parallel_files([vote(1, 0.66, 20), vote(2, 0.7, 40), vote(4, 0.999, 100, 0.1, -0.01, 0.2)])
    found = by_claim(figure4b.findings(results_of(tmp_path / "b", crossing), cap_k=0))
    matched = found["At matched thinking tokens, sequential scaling beats parallel scaling"]
    assert not matched.holds and "1 of the 2 matched points" in matched.evidence
    assert (found["Voting over the SFT model's samples beats one sample"].holds,
            found["Voting over the SFT model's samples beats one sample"].tie) == (False, True)
    caught = parallel_files([vote(1, 0.66, 20)], base_best=0.85)
    found = by_claim(figure4b.findings(results_of(tmp_path / "c", caught), cap_k=0))
    assert not found["Voting over the base model cannot catch up with the fine-tuned model"].holds


def test_figure4b_matched_points_and_prose_on_the_reference():
    tiny = reference_summary("tiny")
    parallel = reference_json("tiny", figure4b.PARALLEL_FILE)
    matched = figure4b.matched_points(tiny, parallel["sft"], 0)
    assert [(m["votes"], m["sequential"], m["side"], m["beyond"]) for m in matched] == [
        (2, "k = 4", "above", False), (4, "k = 8", "above", True)]
    table = figure4b.matched_table(tiny, parallel, 0)
    assert list(table.index) == ["m = 2", "m = 4"] and not table.isna().any().any()
    votes = figure4b.vote_tables(parallel)
    assert list(votes.index.get_level_values(0).unique()) == ["base model", "SFT model"]
    assert "m = 1" in votes.index.get_level_values(1) and "m=1.0" not in str(votes)
    samples = {"correct": [[True, False, False, True], [False, True, True, True], [True, True, False, False]]}
    two = figure4b.first_two(samples)
    assert two["split_pct"] == pytest.approx(200 / 3) and two["split_first_right_pct"] == pytest.approx(100 / 3)
    assert figure4b.any_right(samples, 1) == pytest.approx(200 / 3) and figure4b.any_right(samples, 2) == 100.0
    prose = figure4b.prose_numbers(tiny, parallel, 0, samples)
    assert quotable(prose) and prose["m1_side"] == "below" and prose["matched_sides"] == "all 2 matched points"
    assert figure4b.prose_numbers(tiny, {"base": parallel["base"]}, 0)["matched_sides"] == NOT_RUN
    numbers = figure4b.exercise_numbers(parallel)
    assert numbers["ex_votes_last"] == 4 and numbers["ex_votes_last_acc"] == pytest.approx(72.6)
    assert set(figure4b.exercise_numbers({"base": [], "sft": []}).values()) == {NOT_RUN}
    fig = figure4b.parallel_figure(tiny, parallel, 0)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["m = 1", "m = 2", "m = 4"]  # integers, never "m=1.0"
    plt.close(fig)


# -- Table 2 -------------------------------------------------------------------------------------------------------
def ablation_row(kind, gain, low, high, wrong=0.2, tokens=60.0):
    return {"selection": kind, "examples": 1000, "steps": 200, "mean_thinking_tokens_of_traces": tokens,
            "teacher_wrong": wrong, "accuracy": 0.8 + gain, "thinking_tokens": tokens, "gain_vs_s1k": gain,
            "ci_low": low, "ci_high": high}


def test_table2_findings_follow_the_side_of_the_papers_interval(tmp_path):
    rows = [ablation_row("random", -0.3, -0.35, -0.25), ablation_row("diverse", -0.02, -0.06, 0.02),
            ablation_row("longest", 0.1, 0.05, 0.15, wrong=0.0, tokens=110.0), ablation_row("full", -0.2, -0.25, -0.15)]
    found = by_claim(table2.findings(results_of(tmp_path, {table2.ABLATIONS_FILE: {"s1k_accuracy": 0.8, "rows": rows}})))
    assert found["1K-random is below s1K"].holds
    assert (found["1K-diverse is below s1K"].holds, found["1K-diverse is below s1K"].tie) == (False, True)
    assert not found["1K-longest gains nothing clear over s1K"].holds  # the paper's interval reaches zero: no clear gain
    full = found["59K-full gains nothing clear over s1K"]
    assert full.holds and "same 200 steps as s1K" in full.evidence and "56 times" in full.evidence
    ablations = {"s1k_accuracy": 0.8, "rows": rows}
    s1k = {"examples": 1000, "mean_thinking_tokens_of_traces": 75.0, "teacher_wrong": 0.29}
    text = table2.reading(ablations, s1k, 80.0, (1, 0.98))
    assert text.startswith("Unforced, s1K ranks 2 of 5 here: 1K-longest 90.0%, s1K 80.0%")
    assert "1K-longest beats s1K" in text and "stops early less often" in text and "98.0%" in text
    assert table2.reading(SKIPPED_ABLATIONS, s1k, 80.0) == ""


def test_table2_tables_and_numbers_on_the_reference():
    ablations = reference_json("tiny", table2.ABLATIONS_FILE)
    s1k = table2.s1k_stats([{"thinking_tokens": 70, "attempt": "5", "answer": "5"},
                            {"thinking_tokens": 80, "attempt": "4", "answer": "5"}])
    assert s1k == {"examples": 2, "mean_thinking_tokens_of_traces": 75.0, "teacher_wrong": 0.5}
    table = table2.ablation_table(ablations, dict(s1k, examples=1000), 79.9)
    assert not table.isna().any().any() and "nan" not in table.to_string().lower()
    assert table.loc["s1K", ("training data", "wrong traces (%)")] == 50.0
    assert table.loc["s1K", ("training data", "steps")] == 200 and table.loc["s1K", ("ours", "thinking tokens (unforced)")] == 79.9
    assert str(table.loc["s1K", ("training data", "examples")]) == "1000"  # an integer, not 1000.0
    numbers = table2.exercise_numbers(ablations)
    assert quotable(numbers) and numbers["ex_best_selection"] in table2.NAMES and numbers["longest_side"] == "beats"
    assert set(table2.exercise_numbers(SKIPPED_ABLATIONS).values()) == {NOT_RUN}
    skipped = table2.ablation_table(SKIPPED_ABLATIONS)
    assert not skipped.isna().any().any() and skipped.loc["s1K", ("ours", "accuracy (%)")] == 48.6
    assert [f.claim for f in table2.findings(reference())] == [
        "1K-random is below s1K", "1K-diverse is below s1K", "1K-longest gains nothing clear over s1K",
        "59K-full gains nothing clear over s1K"]


# -- Table 4 and Figure 4a -------------------------------------------------------------------------------------
def extrapolation_json(hmm, none, n=500):
    def row(text, accuracy, gain, low, high):
        return {"ignore_str": text, "num_ignore": 2, "accuracy": accuracy, "mean_thinking_tokens": 100.0, "n": n,
                "gain_vs_unforced": gain, "ci_low": low, "ci_high": high}

    return {"num_ignore": 2, "rows": [row("Hmm", *hmm), row(None, *none)]}


def extrapolation_files(hmm, none, wait_8=(0.05, 0.01, 0.09)):
    ks = {0: 0.8, 1: 0.98, 2: 0.98, 8: 0.8 + wait_8[0]}
    summary = summary_json(0.05, ks, {16: 0.0}, [("k_vs_0", 1, 0.18, 0.14, 0.22), ("k_vs_0", 2, 0.18, 0.14, 0.22),
                                                 ("k_vs_0", 8, *wait_8)])
    for p in summary["budget_forcing"]:
        p["n"] = 500
    return {table4.SUMMARY_FILE: summary, table4.EXTRAPOLATION_FILE: extrapolation_json(hmm, none)}


def test_table4_findings_call_a_tie_a_tie(tmp_path):
    files = extrapolation_files(hmm=(0.90, 0.10, 0.06, 0.14), none=(0.98, 0.18, 0.14, 0.22))
    found = by_claim(table4.findings(results_of(tmp_path / "a", files)))
    assert found['2x "Wait" beats no forcing'].holds
    hmm_alone = found['2x "Hmm" and no forcing tie']  # the paper's cells: 50.0 and 50.0
    assert not hmm_alone.holds and not hmm_alone.tie
    tie = found['2x "Wait" beats 2x no string']
    assert (tie.holds, tie.tie) == (False, True) and "an unpaired interval" in tie.evidence  # 98.0% against 98.0%
    assert found['2x "Wait" beats 2x "Hmm"'].holds  # 98.0% against 90.0% of 500: apart even unpaired
    flat = found['Forcing "Wait" more often keeps a gain over no forcing']
    assert flat.holds and "at k = 8" in flat.evidence
    falls = by_claim(table4.findings(results_of(tmp_path / "b", extrapolation_files(
        (0.90, 0.10, 0.06, 0.14), (0.98, 0.18, 0.14, 0.22), wait_8=(-0.2, -0.25, -0.15)))))
    assert not falls['Forcing "Wait" more often keeps a gain over no forcing'].holds
    assert all("reproduced" not in f.evidence for f in found.values())


def test_table4_pairs_strings_question_by_question_where_the_run_has_its_outputs(tmp_path):
    files = extrapolation_files(hmm=(0.975, 0.175, 0.13, 0.22), none=(0.98, 0.18, 0.14, 0.22))
    results = results_of(tmp_path, files)
    unpaired = by_claim(table4.findings(results))['2x "Wait" beats 2x "Hmm"']
    assert (unpaired.holds, unpaired.tie) == (False, True)  # 98.0 against 97.5%: no difference without pairing
    # the same accuracies question by question: "Hmm" loses 5 questions "Wait" gets right, and wins none
    point = Summary.from_json(files[table4.SUMMARY_FILE]).point(None, 2).index
    ids = [f"q{i}" for i in range(500)]
    wait = [{"id": i, "point": point, "correct": n >= 10} for n, i in enumerate(ids)]
    strings = [{"id": i, "ignore_str": "Hmm", "correct": n >= 15, "thinking": ""} for n, i in enumerate(ids)]
    strings += [{"id": i, "ignore_str": None, "correct": n >= 10, "thinking": ""} for n, i in enumerate(ids)]
    (tmp_path / "results" / "generations.jsonl").write_text("".join(json.dumps(g) + "\n" for g in wait))
    (tmp_path / "experiments" / "extrapolation" / "generations.jsonl").write_text(
        "".join(json.dumps(g) + "\n" for g in strings))
    found = by_claim(table4.findings(results))
    assert found['2x "Wait" beats 2x "Hmm"'].holds and "paired over the same questions" in found['2x "Wait" beats 2x "Hmm"'].evidence
    none = found['2x "Wait" beats 2x no string']
    assert (none.holds, none.tie) == (False, True) and "+0.0 [+0.0, +0.0]" in none.evidence


def test_table4_findings_per_benchmark_follow_the_papers_cells():
    s = benchmarks_json({"aime24": 0.2, "math500": 0.8}, {0: {"aime24": 0.5, "math500": 0.9}, 2: {"aime24": 0.6, "math500": 0.92}},
                        {}, {"aime24": 30, "math500": 500},
                        [("aime24", "k_vs_0", 2, 0.1, -0.05, 0.25), ("math500", "k_vs_0", 2, 0.02, 0.0, 0.04)])

    def row(text, acc):
        return {"ignore_str": text, "num_ignore": 2, "accuracy": 0.9, "mean_thinking_tokens": 300.0, "n": 530,
                "gain_vs_unforced": 0.0, "ci_low": -0.1, "ci_high": 0.1, "accuracy_by_benchmark": acc,
                "thinking_tokens_by_benchmark": {"aime24": 500.0, "math500": 250.0},
                "paired_by_benchmark": {b: {"gain": a - 0.5, "ci_low": a - 0.6, "ci_high": a - 0.4} for b, a in acc.items()}}

    files = {table4.SUMMARY_FILE: s, table4.EXTRAPOLATION_FILE: {
        "num_ignore": 2, "rows": [row("Hmm", {"aime24": 0.4, "math500": 0.95}), row(None, {"aime24": 0.7, "math500": 0.85})]}}
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as directory:
        found = by_claim(table4.findings_by_benchmark(results_of(Path(directory), files)))
    t4 = paper.TABLE4
    assert t4['2x "Wait"']["math500"] == t4['2x "Hmm"']["math500"]  # the paper's MATH500 cells tie
    assert 'MATH500: 2x "Wait" and 2x "Hmm" tie' in found and 'AIME24: 2x "Wait" beats 2x "Hmm"' in found
    assert found['AIME24: 2x "Wait" beats no forcing'].tie  # [-5, +25] over 30 questions
    assert all(claim.startswith(("AIME24: ", "MATH500: ")) for claim in found)  # never pooled
    with tempfile.TemporaryDirectory() as directory:
        other = table4.findings_by_benchmark(results_of(Path(directory), files), "s1.1-32B")
    assert all("s1-32B; not this run's model" in f.paper for f in other)


def test_table4_tables_sentences_and_numbers_on_the_reference():
    tiny = reference_summary("tiny")
    extrapolation = reference_json("tiny", table4.EXTRAPOLATION_FILE)
    table = table4.extrapolation_table(extrapolation, tiny)
    assert table.loc['2x "Wait"', "ours: accuracy (%)"] == 98.4 and not table.isna().any().any()
    numbers = table4.exercise_numbers(extrapolation, tiny)
    assert numbers["ex_none_acc"] == pytest.approx(98.4) and numbers["ex_wait_vs_hmm"] == NOT_RUN  # no outputs here
    assert table4.exercise_numbers({"num_ignore": 2, "rows": []}, tiny)["ex_hmm_acc"] == NOT_RUN
    wait = [{"id": "a", "point": tiny.point(None, 2).index, "correct": True, "thinking": "x\nWait, 1+0=1\n"},
            {"id": "b", "point": tiny.point(None, 2).index, "correct": True, "thinking": "y"}]
    with_outputs = dict(extrapolation, generations=[{"id": "a", "ignore_str": None, "correct": True, "thinking": "x\nWait, 1+0=1\n"},
                                                     {"id": "b", "ignore_str": None, "correct": True, "thinking": "z"},
                                                     {"id": "a", "ignore_str": "Hmm", "correct": False, "thinking": "x"},
                                                     {"id": "b", "ignore_str": "Hmm", "correct": True, "thinking": "y"}])
    assert table4.same_as_wait(wait, with_outputs, tiny) == (1, 2)
    numbers = table4.exercise_numbers(with_outputs, tiny, wait)
    assert quotable(numbers) and (numbers["ex_none_same"], numbers["ex_none_n"]) == (1, 2)
    assert "in 1 of 2 questions" in table4.strings_reading(with_outputs, tiny, wait)
    assert table4.checks_per_trace([{"trace": "a\nWait, 3+0=3\nWait, 3+0=3"}, {"trace": "a"}]) == {0: 1, 2: 1}
    assert all_numbers({k: v for k, v in table4.exercise_numbers(extrapolation, tiny).items()
                        if k not in ("ex_wait_vs_hmm", "ex_wait_vs_hmm_word", "ex_none_same", "ex_none_n")})
    assert len(table4.findings(reference())) == 8


def test_table4_curve_reading_rises_stays_flat_and_falls():
    s = Summary.from_json(summary_json(0.05, {0: 0.5, 1: 1.0, 2: 1.0, 8: 0.5}, {},
                                       [("k_vs_0", k, g, g - 0.1, g + 0.1) for k, g in ((1, 0.5), (2, 0.5), (8, 0.0))]))
    test = [{"id": "q0", "answer": "3", "terms": [1, 2]}, {"id": "q1", "answer": "7", "terms": [3, 4]}]
    outputs = {0: [("q0", True, "a1+b2=3", "Final Answer: 3"), ("q1", False, "a3", "Final Answer: 3")],
               1: [("q0", True, "a1+b2=3", "Final Answer: 3"), ("q1", True, "a3+b4=7", "Final Answer: 7")],
               2: [("q0", True, "a1+b2=3", "Final Answer: 3"), ("q1", True, "a3+b4=7", "Final Answer: 7")],
               8: [("q0", False, "a1+b2=3\nWait, 3+0=3\nFinal Answer: 3", "<|im_start|>answer<|im_start|>answer Final Answer: 5"),
                   ("q1", True, "a3+b4=7", "Final Answer: 7")]}
    generations = [{"id": i, "point": s.point(None, k).index, "correct": c, "thinking": t, "answer_text": a,
                    "thinking_tokens": 10} for k, rows in outputs.items() for i, c, t, a in rows]
    text = table4.curve_reading(s, generations, test, [{"trace": "a\nWait, 3+0=3"}])
    assert "**It rises** from 50.0% at k = 0 to 100.0% at k = 1: 1 questions" in text
    assert "In 1 of the 1 the model had stopped thinking before the question's last term" in text
    assert "**It stays flat** at k = 2" in text
    assert "**It falls** after that, to 50.0% at k = 8: 1 answers" in text and "No s1K trace holds more than 1 checks" in text
