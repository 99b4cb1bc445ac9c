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
# **This chapter** does both on this run, benchmark by benchmark (stage `parallel`,
# {py:func}`s1kit.experiments.parallel.sample_and_vote`): majority voting over
# `evaluation.vote_sizes` temperature-1 samples of the models in `evaluation.vote_models` (the
# paper's recipes vote the base model only, answering directly, as s1 did), against the SFT model's
# greedy accuracy on the same benchmark, unforced and with forced "Wait"s. As in s1, a vote counts
# answers, not strings: "1/2" and "0.5", or a GPQA "B" and "**B**", are one answer
# ({py:func}`s1kit.parallel.cluster_answers`), and where the rules cannot tell whether two of a
# question's most common answers agree, the run's judge is asked. Every sample is graded as the
# main evaluation grades ({py:mod}`s1kit.judging`).

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

# %% tags=["tiny-world"]
fig = figure4b.parallel_figure(summary, parallel, cap_k)
book.glue_figure("fig_parallel", fig)
figure4b.vote_tables(parallel)

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_parallel
# :alt: Two panels: left, the SFT model's accuracy against thinking tokens for majority voting and for budget forcing; right, the base model's majority-voting accuracy against the number of samples.
# Left: the SFT model's accuracy against all the thinking tokens spent on a question, for
# budget forcing (one sample, longer) and majority voting (m samples). Right: majority voting
# over the base model's direct answers, with the SFT model's unforced and best forced accuracy.
# ```
#
# ## What we found
# The sentences below are decided by this run's numbers ({py:func}`s1kit.report.figure4b.parallel_verdicts`).

# %% tags=["tiny-world"]
book.verdicts(run, figure4b.parallel_verdicts(summary, parallel))

# %% tags=["paper-scale"]
fig = figure4b.parallel_figures(summary, parallel, cap_k)
book.glue_figure("fig_parallel", fig)
figure4b.vote_tables_by_benchmark(summary, parallel)

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_parallel
# :alt: One row per benchmark: the base model's majority-voting accuracy against the number of samples, with the SFT model's unforced and forced accuracy on the same benchmark as lines; where the SFT model voted too, its votes beside the budget-forcing sweeps.
# Per benchmark: majority voting over the base model's direct answers against the number of
# samples, with the SFT model's greedy accuracy on the same questions, unforced (k = 0) and at the
# number of forced "Wait"s that scores best there (chosen on the test set, as the paper chose its
# forced row). Where the profile also votes the SFT model, a left panel sets its votes beside the
# budget-forcing sweeps at matched thinking tokens; otherwise that comparison is not run in this
# profile (s1 voted Qwen2.5-32B-Instruct only). The paper's Figure 4b is on AIME24 alone.
# ```
#
# The table gives each benchmark's curves (accuracy, the paired gain over one sample, thinking
# tokens per question) and, under "SFT model, greedy", the numbers the votes are set against.
# The next one counts, per benchmark, the samples the judge was asked to grade and the verdicts it
# changed, then the pairs of answers it was asked to compare and those it found the same
# ({py:func}`s1kit.report.figure4b.judge_table`). An empty table: no judge in this profile.

# %% tags=["paper-scale"]
figure4b.judge_table(parallel)

# %% [markdown] tags=["paper-scale"]
# ## What we found
# Each line is decided by this run's numbers on one benchmark
# ({py:func}`s1kit.report.figure4b.parallel_verdicts_by_benchmark`), never over all benchmarks together.

# %% tags=["paper-scale"]
book.verdicts(run, figure4b.parallel_verdicts_by_benchmark(summary, parallel))

# %% [markdown] tags=["tiny-world"]
# Majority voting helps only where independent samples are right more often than any single
# wrong answer. A model that has not learned to finish a long sum (the base model) gives many
# different wrong totals, and a vote among them stays wrong; budget forcing is meant instead to
# give the SFT model's one line of thought the steps it was missing (chapter 6 says whether it
# did in this run).

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers(figure4b.exercise_numbers(parallel))

# %% [markdown] tags=["tiny-world"]
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

# %% tags=["remove-cell", "paper-scale"]
# the base model votes in every profile; its AIME24 curve is the paper's Figure 4b (the first benchmark otherwise)
exercise_benchmark = "aime24" if "aime24" in summary.benchmarks else summary.benchmarks[0]
book.glue_numbers({**figure4b.exercise_numbers(parallel, "base", exercise_benchmark),
                   "ex_votes_benchmark": figure4b.benchmark_label(exercise_benchmark)})

# %% [markdown] tags=["paper-scale"]
# ## Exercises
# 1. **Knob: `evaluation.vote_sizes`.** Add a larger m. Predict the base model's majority-vote
#    accuracy on {glue:text}`ex_votes_benchmark` from the last two points of its curve.
# 2. **Knob: `evaluation.vote_models`.** Add `sft` to vote the fine-tuned model too. What would
#    its largest vote cost in thinking tokens, against budget forcing's single sample?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. On {glue:text}`ex_votes_benchmark`: m = {glue:text}`ex_votes_prev`: {glue:text}`ex_votes_prev_acc`%;
#    m = {glue:text}`ex_votes_last`: {glue:text}`ex_votes_last_acc`%. A vote keeps helping while the
#    samples' errors differ, and flattens once they share one systematic error.
# 2. m samples cost m times a sample's thinking: the SFT model's mean thinking tokens at k = 0
#    (chapter 6) times the largest m, against one sample's tokens with forcing.
# ```
