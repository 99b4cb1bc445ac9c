from s1kit import analysis


def summary(base, ks, caps):
    points = [{"max_thinking_tokens": None, "num_ignore": k, "accuracy": a, "ci_low": a - 0.05, "ci_high": a + 0.05,
               "mean_thinking_tokens": 20.0 * (k + 1), "n": 200} for k, a in ks.items()]
    points += [{"max_thinking_tokens": n, "num_ignore": 2, "accuracy": a, "ci_low": a, "ci_high": a,
                "mean_thinking_tokens": float(n), "n": 200} for n, a in caps.items()]
    return {"profile": "t", "base_model_accuracy": base, "budget_forcing": points}


def test_headline_and_verdicts_follow_the_numbers():
    s = summary(0.01, {0: 0.02, 1: 0.3, 2: 0.7}, {8: 0.0, 64: 0.5})
    h = analysis.headline(s, cap_k=2)
    assert (h["base"], h["full"], h["smallest_cap"], h["best_k"]) == (1.0, 70.0, 8, 2)
    assert round(h["sft_gain"], 6) == 69.0 and round(h["cap_gain"], 6) == 70.0 and round(h["wait_gain"], 6) == 68.0
    lines = analysis.verdicts(h)
    assert all("reproduced" in line and "not reproduced" not in line for line in lines)
    flat = analysis.headline(summary(0.5, {0: 0.5, 1: 0.5, 2: 0.52}, {8: 0.5}), cap_k=2)
    assert all("not reproduced" in line for line in analysis.verdicts(flat))


def test_world_verdicts_and_effect_words():
    assert analysis.effect_word([12, 30]) == "helps"
    assert analysis.effect_word([-20, -9]) == "hurts"
    assert analysis.effect_word([1, -2]) == "makes no difference"
    assert analysis.effect_word([20, -20]) == "has mixed effects"
    worlds = {"a": summary(0, {0: 0.0, 1: 0.4, 2: 0.7, 3: 0.7}, {8: 0}),
              "b": summary(0, {0: 0.9, 1: 0.0, 2: 0.0, 3: 0.0}, {8: 0})}
    a, b = analysis.world_verdicts(worlds)
    assert "helps" in a and "+40.0 (k=1)" in a and "hurts" in b
    table = analysis.ignore_table(worlds)
    assert list(table.index) == ["k=0", "k=1", "k=2", "k=3"] and table.loc["k=1", "a"].startswith("40.0 [35.0, 45.0]")


def test_mark_forced():
    assert analysis.mark_forced("1+2=3\nWait, 3+4=7", [(6, 10)]) == "1+2=3\n[Wait], 3+4=7"
    assert analysis.mark_forced("abc", []) == "abc"
