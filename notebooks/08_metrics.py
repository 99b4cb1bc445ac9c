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
# **This chapter** computes them for budget forcing on this run, and introduces the other tool
# every verdict in this book rests on: the **paired bootstrap** of a difference between two
# settings scored on the same questions ({py:func}`s1kit.metrics.paired_bootstrap`).

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

summary = Summary.from_json(pipeline.evaluation(run)["summary"])
cap_k = run.profile.evaluation.cap_sweep_num_ignore
metrics = metric_report.budget_forcing_metrics(summary, cap_k)
book.glue_numbers(metric_report.quoted_metrics(metrics))
pd.DataFrame(metrics).T.round(2)

# %% tags=["remove-cell", "paper-scale"]
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
# With 500 questions, one question is 0.2 points, and two settings can differ by a few points
# by chance. Because every setting is scored on the *same* questions, the right interval for a
# difference resamples questions together for both settings: a question that is hard for one
# setting is usually hard for the other, and the paired interval is much narrower than two
# separate intervals would suggest. The paper reports these intervals too (Table 2, 10,000
# bootstrap samples).

# %%
book.without_verdicts(run, paired_table(summary))

# %% [markdown]
# ## Choosing k without looking at the test set
# "The best number of Waits" is a choice, and a choice made on the test set flatters the result.
# s1kit makes it on a separate dev split of the same kind of questions
# ({py:func}`s1kit.evaluation.dev_choice`); the test set then reports the chosen k once.

# %%
dev_table = metric_report.dev_table(summary)
if dev_table is not None:
    glue("dev_best_k", book.plain(summary.dev_best_k), display=False)
    display(dev_table)
else:
    glue("dev_best_k", "none (this profile has no dev split)", display=False)
    print("This profile has no dev split; the paper reports every k instead of choosing one.")

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
