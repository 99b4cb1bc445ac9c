# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 8. Measuring test-time scaling: Control, Scaling, Performance
#
# **Paper, Section 3.2.** A method that scales test-time compute is run at several settings
# $a \in \mathcal{A}$ (caps, numbers of "Wait"s, prompts...). Each setting uses some thinking
# compute (mean thinking tokens) and reaches an accuracy $f(a)$. The paper compares methods by
# three numbers:
#
# $$\text{Control} = \frac{1}{|\mathcal{A}|}\sum_{a \in \mathcal{A}} \mathbb{I}(a_{\min} \le a \le a_{\max})$$
#
# the share of settings whose thinking stayed inside the budget asked for;
#
# $$\text{Scaling} = \frac{1}{\binom{|\mathcal{A}|}{2}} \sum_{a, b \in \mathcal{A},\, b > a} \frac{f(b) - f(a)}{b - a}$$
#
# the average slope of accuracy against compute over every pair of settings; and
#
# $$\text{Performance} = \max_{a \in \mathcal{A}} f(a),$$
#
# the best accuracy reached. s1kit implements them in {py:mod}`s1kit.metrics`
# ({py:func}`~s1kit.metrics.control`, {py:func}`~s1kit.metrics.scaling`,
# {py:func}`~s1kit.metrics.performance`), tested on hand-computed examples.
#
# **This chapter** computes them for budget forcing on this run, then looks again, with this run's
# numbers, at the two tools chapter 0 introduced and every verdict rests on: the **paired
# bootstrap** of a difference between two settings scored on the same questions
# ({py:func}`s1kit.metrics.paired_bootstrap`), and choosing a setting on the **dev split**.
#
# **After this chapter you can**
# - compute Control, Scaling and Performance for a set of runs by hand, and with {py:mod}`s1kit.metrics`;
# - explain why a curve that rises and then falls can have a small or negative Scaling;
# - read every paired comparison of this run with its interval;
# - measure how much choosing k on the test set would flatter the result.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% [markdown]
# ## A hand-sized example
# Three settings of some method: 100 thinking tokens at 20%, 200 at 40%, 400 at 50%, each asked
# to stay under 300 tokens. Two of three stay inside (Control 2/3); the slopes of the three
# pairs are 0.2, 0.1 and 0.05 points per token (Scaling 0.117); the best accuracy is 50%.

# %%
from s1kit.metrics import Run, control, performance, scaling

example = [Run(100, 0.20, budget_max=300), Run(200, 0.40, budget_max=300), Run(400, 0.50, budget_max=300)]
{"control": round(control(example), 3), "scaling (accuracy per token)": round(scaling(example), 5),
 "performance": performance(example)}

# %% [markdown]
# ## Budget forcing on this run
# The runs are the cap sweep with no forced "Wait" (each asked to stay under its cap N) and the
# "Wait" sweep (k forced Waits, no cap). Scaling is reported in accuracy points per 100 thinking
# tokens. The paper prints Scaling without a unit (15 for budget forcing, Table 3); compare its
# sign and its rank among methods (chapter 9), not its size.

# %%
import pandas as pd
from IPython.display import display

from s1kit.report import metrics as metric_report
from s1kit.report.scaling import paired_table
from s1kit.report.summary import Summary
from s1kit.report.words import without_nan

summary = Summary.from_json(pipeline.evaluation(run)["summary"])
cap_k = run.profile.evaluation.cap_sweep_num_ignore
metrics = metric_report.budget_forcing_metrics(summary, cap_k)
shown = pd.DataFrame(metrics).T
shown["runs"] = shown["runs"].astype(int)
without_nan(shown.rename(columns={"control_pct": "Control (%)", "scaling_per_100_tokens": "Scaling (points per 100 tokens)",
                                  "performance_pct": "Performance (%)", "runs": "settings"},
                         index={"cap_sweep": f"cap sweep (k={cap_k})", "wait_sweep": "Wait sweep (no cap)"}).round(2))

# %% tags=["remove-cell"]
from itertools import combinations

book.glue_numbers(metric_report.quoted_metrics(metrics))
for name, points in (("wait", summary.uncapped().values()), ("cap", summary.caps(cap_k))):
    pairs = list(combinations(sorted(points, key=lambda p: p.mean_thinking_tokens), 2))
    book.glue_numbers({f"{name}_pairs": len(pairs), f"{name}_rising_pairs": sum(b.accuracy > a.accuracy for a, b in pairs),
                       f"{name}_falling_pairs": sum(b.accuracy < a.accuracy for a, b in pairs)})

# %% [markdown]
# How to read the two rows. In the cap sweep, {glue:text}`cap_rising_pairs` of its
# {glue:text}`cap_pairs` pairs of settings score higher at the longer thinking, and its Scaling is
# {glue:text}`cap_sweep_scaling_per_100_tokens` points per 100 tokens; that rise is mostly
# *scaling down* (chapter 7). Scaling averages the slopes over every pair of settings, so a curve that rises and
# then falls can average out small or negative: of the Wait sweep's {glue:text}`wait_pairs` pairs
# of settings, {glue:text}`wait_falling_pairs` have a lower accuracy at the longer thinking
# (chapter 6 explains the fall), and its Scaling is {glue:text}`wait_sweep_scaling_per_100_tokens`
# points per 100 tokens. The paper's budget forcing scores a Scaling of +15 (Table 3): its curve
# flattens without falling over the settings it reports.

# %% tags=["remove-cell"]
book.glue_numbers({"n_test": summary.n_test, "one_question_points": 100 / summary.n_test}, digits=2)

# %% [markdown] tags=["paper-scale"]
# ## Differences come with intervals
# With {glue:text}`n_test` questions, one question is {glue:text}`one_question_points` points, and two
# settings can differ by several points by chance. Because every setting is scored on the *same*
# questions, the right interval for a difference resamples questions together for both settings: a
# question that is hard for one setting is usually hard for the other, and the paired interval is
# much narrower than two separate intervals would suggest. The paper reports these intervals too
# (Table 2, 10,000 bootstrap samples).

# %% [markdown] tags=["tiny-world"]
# ## Differences come with intervals
# With {glue:text}`n_test` questions, one question is {glue:text}`one_question_points` points, and
# two settings can differ by a few points by chance. As chapter 0 showed, every setting is scored
# on the *same* questions, so the interval of a difference resamples questions together for both
# settings: a question that is hard for one setting is usually hard for the other, and the paired
# interval is much narrower than two separate intervals would suggest. The paper reports these
# intervals too (Table 2, 10,000 bootstrap samples). Every paired comparison of this run: the
# change is "a gain" or "a loss" only when the interval excludes zero, "a tie" otherwise.

# %%
paired_table(summary)

# %% [markdown]
# ## Choosing k without looking at the test set
# "The best number of Waits" is a choice, and a choice made on the test set flatters the result.
# s1kit makes it on a separate dev split of the same kind of questions
# ({py:func}`s1kit.evaluation.dev_choice`); the test set then reports the chosen k once.

# %%
dev_table = metric_report.dev_table(summary)
if dev_table is not None:
    display(dev_table.rename(columns={"dev accuracy": "dev accuracy (%)", "test accuracy": "test accuracy (%)"}))
else:
    print("This profile has no dev split; the paper reports every k instead of choosing one.")

# %% tags=["remove-cell"]
glue("dev_best_k", book.plain(summary.dev_best_k) if dev_table is not None else "none (this profile has no dev split)",
     display=False)

# %% [markdown]
# The dev split picks k = {glue:text}`dev_best_k`; chapters 6, 9 and 10 use that choice.

# %% tags=["remove-cell"]
book.glue_numbers(metric_report.exercise_numbers(summary, cap_k), digits=2)

# %% [markdown]
# ## Exercises
# 1. **Knob: `evaluation.caps`.** Drop the smallest cap. Predict whether the cap sweep's Scaling
#    (slope per 100 thinking tokens) goes up or down, then compute it by hand from chapter 5's table.
# 2. **Choosing on the test set.** Which k would you report if you chose it on the test set, and
#    by how much would that flatter the result against the dev split's choice?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. Scaling: {glue:text}`cap_sweep_scaling_per_100_tokens` with every cap,
#    {glue:text}`ex_scaling_without_smallest` without the smallest ({py:func}`s1kit.metrics.scaling`
#    averages the slopes between every pair of runs, so dropping a point changes every pair it was in).
# 2. The test set's best k is {glue:text}`ex_test_best_k` ({glue:text}`ex_test_best_acc`%); the dev
#    split's k scores {glue:text}`ex_dev_k_acc`% on the test set. Any gap is selection on the test set.
# ```
#
# ## Check yourself
# 1. Three settings use 100, 200 and 400 thinking tokens and score 50%, 60% and 55%. Is Scaling
#    positive or negative? Compute it.
#
# ```{admonition} Answer
# :class: dropdown
# Slopes in points per token: (60 - 50) / 100 = 0.1, (55 - 50) / 300 = 0.017, (55 - 60) / 200 =
# -0.025; their mean is about 0.031 points per token (3.1 per 100 tokens): positive, though the
# last setting is worse than the second.
# ```
#
# 2. Why is the paired interval of a difference narrower than the two settings' own intervals
#    would suggest?
#
# ```{admonition} Answer
# :class: dropdown
# Both settings are scored on the same questions, and most questions are easy or hard for both.
# Resampling questions together cancels that shared part; only the questions on which the two
# settings disagree move the difference.
# ```
#
# 3. A method has Control 100% and Scaling near zero. What does that say about it?
#
# ```{admonition} Answer
# :class: dropdown
# It always stays within the budget it is given, but more budget does not buy accuracy: it is
# controllable without scaling. Performance then says how good it is at any budget.
# ```
