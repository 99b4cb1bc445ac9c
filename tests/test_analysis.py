from s1kit import analysis


def summary(base, ks, caps, paired=(), dev_best=None):
    points = [{"max_thinking_tokens": None, "num_ignore": k, "accuracy": a, "ci_low": a - 0.05, "ci_high": a + 0.05,
               "mean_thinking_tokens": 20.0 * (k + 1), "n": 200} for k, a in ks.items()]
    points += [{"max_thinking_tokens": n, "num_ignore": 0, "accuracy": a, "ci_low": a, "ci_high": a,
                "mean_thinking_tokens": float(n), "n": 200} for n, a in caps.items()]
    out = {"profile": "t", "n_test": 200, "base_model_accuracy": base, "budget_forcing": points,
           "paired": [{"comparison": c, "num_ignore": k, "gain": g, "ci_low": lo, "ci_high": hi}
                      for c, k, g, lo, hi in paired]}
    if dev_best is not None:
        out["dev"] = {"n": 50, "accuracy_by_num_ignore": {}, "best_num_ignore": dev_best}
    return out


def test_headline_and_verdicts_follow_the_numbers():
    paired = [("sft_vs_base", 0, 0.39, 0.33, 0.45), ("k_vs_0", 1, 0.1, 0.05, 0.15), ("k_vs_0", 2, 0.3, 0.25, 0.35)]
    s = summary(0.01, {0: 0.4, 1: 0.5, 2: 0.7}, {8: 0.0, 64: 0.3}, paired, dev_best=1)
    h = analysis.headline(s, cap_k=0)
    # the best k comes from the dev split (k = 1), not from the test set's best (k = 2)
    assert (h["base"], h["k0"], h["smallest_cap"], h["best_k"], h["best_k_source"]) == (1.0, 40.0, 8, 1, "dev split")
    assert round(h["sft_gain"], 6) == 39.0 and round(h["cap_gain"], 6) == 40.0 and round(h["wait_gain"], 6) == 10.0
    assert round(h["wait_ci_low"], 6) == 5.0 and h["best_k_acc"] == 50.0
    lines = analysis.verdicts(h)
    assert all("reproduced" in line and "not reproduced" not in line for line in lines)
    assert "Table 1" in lines[0] and "k = 0" in lines[0] and "Figure 1" in lines[2]
    flat_paired = [("sft_vs_base", 0, 0.0, -0.04, 0.04), ("k_vs_0", 2, -0.1, -0.15, -0.05)]
    flat = analysis.headline(summary(0.5, {0: 0.5, 1: 0.5, 2: 0.4}, {8: 0.5}, flat_paired), cap_k=0)
    assert flat["best_k_source"].startswith("test set")
    first, second, third = analysis.verdicts(flat)
    assert "not reproduced" in first and "not reproduced" in third
    assert "k = 0" in second  # no dev split: the test set's best k (here k = 0 itself)


def test_world_verdicts_and_effect_words():
    assert analysis.effect_word([(0.02, 0.2), (0.1, 0.3)]) == "helps"
    assert analysis.effect_word([(-0.3, -0.1), (-0.2, -0.01)]) == "hurts"
    assert analysis.effect_word([(-0.02, 0.03), (-0.05, 0.01)]) == "makes no difference"
    assert analysis.effect_word([(0.1, 0.2), (-0.3, -0.2)]) == "has mixed effects"
    worlds = {"a": summary(0, {0: 0.0, 1: 0.4, 2: 0.7}, {8: 0}, [("k_vs_0", 1, 0.4, 0.35, 0.45),
                                                             ("k_vs_0", 2, 0.7, 0.65, 0.75)]),
              "b": summary(0, {0: 0.9, 1: 0.0, 2: 0.0}, {8: 0}, [("k_vs_0", 1, -0.9, -0.95, -0.85),
                                                             ("k_vs_0", 2, -0.9, -0.95, -0.85)])}
    a, b = analysis.world_verdicts(worlds)
    assert "helps" in a and "+40.0 [+35.0, +45.0] (k=1)" in a and "unforced 0.0%" in a
    assert "hurts" in b and "unforced 90.0%" in b
    table = analysis.ignore_table(worlds)
    assert list(table.index) == ["k=0", "k=1", "k=2"] and table.loc["k=1", "a"].startswith("40.0 [35.0, 45.0]")


def test_scaling_down_and_up_split_the_range():
    s = summary(0.0, {0: 0.5, 1: 0.7, 2: 0.8}, {16: 0.1, 64: 0.4})
    split = analysis.scaling_down_and_up(s, cap_k=0, best_k=2)
    assert round(split["scaling_down_points"], 6) == 40.0 and round(split["scaling_up_points"], 6) == 30.0
    assert round(split["scaling_down_share_pct"] + split["scaling_up_share_pct"], 6) == 100.0


def test_mark_forced():
    assert analysis.mark_forced("1+2=3\nWait, 3+4=7", [(6, 10)]) == "1+2=3\n[Wait], 3+4=7"
    assert analysis.mark_forced("abc", []) == "abc"


def test_budget_forcing_metrics_survive_a_flat_sweep():
    flat = summary(0.0, {0: 0.1, 1: 0.1}, {8: 0.0, 16: 0.05})
    for p in flat["budget_forcing"]:
        if p["max_thinking_tokens"] is None:
            p["mean_thinking_tokens"] = 10.0  # every uncapped setting thought equally long
    metrics = analysis.budget_forcing_metrics(flat, cap_k=0)
    assert metrics["cap_sweep"]["control_pct"] == 100.0 and round(metrics["cap_sweep"]["performance_pct"], 6) == 5.0
    assert metrics["wait_sweep"]["scaling_per_100_tokens"] != metrics["wait_sweep"]["scaling_per_100_tokens"]  # nan


def test_extrapolation_verdicts_name_a_tie_instead_of_a_winner():
    paired = [("sft_vs_base", 0, 0.3, 0.2, 0.4), ("k_vs_0", 2, -0.02, -0.07, 0.03)]
    s = summary(0.01, {0: 0.35, 2: 0.33}, {16: 0.0}, paired)
    rows = [{"ignore_str": "Hmm", "accuracy": 0.18, "mean_thinking_tokens": 90.0, "gain_vs_unforced": -0.17,
             "ci_low": -0.2, "ci_high": -0.1},
            {"ignore_str": None, "accuracy": 0.33, "mean_thinking_tokens": 60.0, "gain_vs_unforced": -0.02,
             "ci_low": -0.07, "ci_high": 0.03}]
    lines = analysis.extrapolation_verdicts({"num_ignore": 2, "rows": rows}, s)
    assert any(line.startswith('**No single best string**: Wait and no string tie at 33.0%') for line in lines)
    rows[1]["accuracy"] = 0.30
    lines = analysis.extrapolation_verdicts({"num_ignore": 2, "rows": rows}, s)
    assert any(line.startswith("**The best string** is Wait at 33.0% - as in the paper.") for line in lines)


def test_repeating_wait_is_judged_by_its_last_point_against_no_forcing():
    rows = [{"ignore_str": "Hmm", "accuracy": 0.3, "mean_thinking_tokens": 90.0, "gain_vs_unforced": 0.0,
             "ci_low": -0.05, "ci_high": 0.05}]

    def last_line(gain_at_8, low, high):
        paired = [("k_vs_0", 2, 0.2, 0.1, 0.3), ("k_vs_0", 8, gain_at_8, low, high)]
        s = summary(0.01, {0: 0.3, 2: 0.5, 8: 0.3 + gain_at_8}, {16: 0.0}, paired)
        return analysis.extrapolation_verdicts({"num_ignore": 2, "rows": rows}, s)[-1]

    assert "not reproduced, it falls below no forcing: up to k = 8" in last_line(-0.2, -0.25, -0.15)
    assert "Figure 4a: the curve flattens) - reproduced:" in last_line(0.15, 0.1, 0.2)
    assert "not distinguishable from no forcing at the end" in last_line(0.01, -0.04, 0.06)


def test_without_cap_drops_only_that_caps_points():
    s = summary(0.01, {0: 0.4, 1: 0.5}, {8: 0.0, 64: 0.3})
    left = analysis.without_cap(s, 8)
    assert [p["max_thinking_tokens"] for p in left["budget_forcing"]] == [None, None, 64]
    assert len(s["budget_forcing"]) == 4  # the original is untouched
