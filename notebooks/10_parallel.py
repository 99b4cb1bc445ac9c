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
# # 10. Sequential or parallel: where should extra compute go?
#
# **Paper, Figure 4 and Section 4.2.** Test-time compute can be spent *sequentially*, later
# tokens building on earlier ones (budget forcing: one longer line of thought), or in
# *parallel*, many independent attempts aggregated (majority voting). The paper samples
# Qwen2.5-32B-Instruct 64 times per AIME24 question at temperature 1 and votes over 2, 4, ...,
# 64 samples: "majority voting cannot catch up with the performance of s1-32B", which the paper
# reads as sequential scaling being more effective than parallel. The paper prints the voting
# curve only as a plot, so no voting numbers are quoted here.

# %% [markdown] tags=["tiny-world"]
# **This chapter** does both on the tiny world ({py:func}`s1kit.parallel.majority_vote_curve`):
# majority voting over `evaluation.vote_sizes` temperature-1 samples of the base model (answering
# directly, the paper's setting) and of the SFT model (thinking, no forcing), against the
# budget-forcing sweeps at matched thinking tokens.

# %% [markdown] tags=["paper-scale"]
# **This chapter** does both on this run ({py:func}`s1kit.parallel.majority_vote_curve`): majority
# voting over `evaluation.vote_sizes` temperature-1 samples of the base model (answering directly,
# the paper's setting) and of the SFT model (thinking, no forcing), against the budget-forcing
# sweeps at matched thinking tokens.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%
from s1kit.report import figure4b
from s1kit.report.summary import Summary

summary = Summary.from_json(pipeline.evaluation(run)["summary"])
parallel = pipeline.parallel(run)
cap_k = run.profile.evaluation.cap_sweep_num_ignore
fig = figure4b.parallel_figure(summary, parallel, cap_k)
book.glue_figure("fig_parallel", fig)
figure4b.vote_tables(parallel)

# %% [markdown]
# ```{glue:figure} fig_parallel
# :alt: Two panels: left, the SFT model's accuracy against thinking tokens for majority voting and for budget forcing; right, the base model's majority-voting accuracy against the number of samples.
# Left: the SFT model's accuracy against all the thinking tokens spent on a question, for
# budget forcing (one sample, longer) and majority voting (m samples). Right: majority voting
# over the base model's direct answers, with the SFT model's unforced and best forced accuracy.
# ```
#
# ## What we found
# The sentences below are decided by this run's numbers ({py:func}`s1kit.report.figure4b.parallel_verdicts`).

# %%
book.verdicts(run, figure4b.parallel_verdicts(summary, parallel))

# %% [markdown] tags=["tiny-world"]
# Majority voting helps only where independent samples are right more often than any single
# wrong answer. A model that has not learned to finish a long sum (the base model) gives many
# different wrong totals, and a vote among them stays wrong; budget forcing is meant instead to
# give the SFT model's one line of thought the steps it was missing (chapter 6 says whether it
# did in this run).

# %% tags=["remove-cell"]
book.glue_numbers(figure4b.exercise_numbers(parallel))

# %% [markdown]
# ## Exercises
# 1. **Knob: `evaluation.vote_sizes`.** Add a larger m. Predict the SFT model's majority-vote
#    accuracy from the last two points of the curve.
# 2. **Matched compute.** How many thinking tokens per question does the largest vote spend, and
#    how does budget forcing do with fewer?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. m = {glue:text}`ex_votes_prev`: {glue:text}`ex_votes_prev_acc`%; m = {glue:text}`ex_votes_last`:
#    {glue:text}`ex_votes_last_acc`%. Extrapolate from the last step: a vote keeps helping while the
#    samples' errors differ, and flattens once they share one systematic error.
# 2. {glue:text}`ex_votes_last_tokens` thinking tokens per question at m = {glue:text}`ex_votes_last`;
#    the left panel of the figure sets budget forcing's points beside it.
# ```
