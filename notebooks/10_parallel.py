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
# **After this chapter you can**
# - tell sequential test-time compute (one longer line of thought) from parallel compute (many
#   independent samples, aggregated by majority voting);
# - compare the two at *matched* thinking tokens, point by point over the whole curve, not at one
#   chosen pair;
# - explain why a vote over two samples can never beat one sample, and how far a vote over m samples
#   could go at most;
# - read Figure 4b's claim and say what the tiny run shows of it.
#
# **Paper, Figure 4 and Section 4.2** {cite:p}`muennighoff2025s1`. Test-time compute can be spent
# *sequentially*, later tokens building on earlier ones (budget forcing: one longer line of thought),
# or in *parallel*, many independent attempts aggregated by majority voting, the answer given most
# often winning (self-consistency, {cite:p}`wang2022selfconsistency`; words in the
# {doc}`../glossary`). The paper samples Qwen2.5-32B-Instruct 64 times per AIME24 question at
# temperature 1 and votes over 2, 4, ..., 64 samples: "majority voting cannot catch up with the
# performance of s1-32B", which the paper reads as sequential scaling being more effective than
# parallel. The paper prints the voting curve only as a plot, so no voting numbers are quoted here.

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
import pandas as pd

from s1kit.report import figure4b
from s1kit.report.summary import Summary

pd.set_option("display.max_colwidth", None)
summary = Summary.from_json(pipeline.evaluation(run)["summary"])
parallel = pipeline.parallel(run)
cap_k = run.profile.evaluation.cap_sweep_num_ignore

# %% [markdown] tags=["tiny-world"]
# ## The votes
# For each model, accuracy when voting over the first m samples of each question, the paired gain
# over one sample (in points, with its 95% interval), and the thinking tokens all m samples spent.

# %% tags=["tiny-world"]
figure4b.vote_tables(parallel)

# %% tags=["remove-cell", "tiny-world"]
from s1kit.jsonio import read_json

samples_file = run.ensure("parallel") / "sft_samples.json"
samples = read_json(samples_file) if samples_file.exists() else None
book.glue_figure("fig_parallel", figure4b.parallel_figure(summary, parallel, cap_k))
book.glue_numbers(figure4b.prose_numbers(summary, parallel, cap_k, samples))

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_parallel
# :alt: Two panels: left, the SFT model's accuracy against thinking tokens for majority voting and for budget forcing; right, the base model's majority-voting accuracy against the number of samples.
# Left: the SFT model's accuracy against all the thinking tokens spent on a question, for budget
# forcing (one sample, longer) and majority voting (m samples). Right: majority voting over the base
# model's direct answers, with the SFT model's unforced and best forced accuracy. 95% intervals.
# ```
#
# **Reading the figure.** On the right, the base model's votes stay at the floor: answering a long
# sum at a glance it is right by luck ({glue:text}`base_best_acc`% at best, m =
# {glue:text}`base_best_m`), and its wrong totals are scattered, so no total wins the vote often
# enough to lift it. On the left, the voting line starts {glue:text}`m1_side` budget forcing's
# unforced point: one sample at temperature 1 scores {glue:text}`sft_m1_acc`%, the greedy answer
# (k = 0) {glue:text}`sft_k0_acc`%. Sampling at temperature 1 sometimes picks a less likely token,
# and a running sum has no room for one. Each further sample costs a whole sample's tokens, so the
# voting line moves right in big steps, while each forced "Wait" adds only the tokens of the lines
# that follow it.
#
# **Why m = 2 is flat.** A vote over two samples is a tie whenever they disagree, and a tie goes to
# the answer seen first ({py:func}`s1kit.parallel.majority_vote`). Here the two samples disagree on
# correctness in {glue:text}`split_pct`% of the questions (the first right in
# {glue:text}`split_first_right_pct`%, the second in {glue:text}`split_second_right_pct`%): each
# is a 1-1 tie won by the first sample. So m = 2 can only differ from m = 1 where the first sample
# gave no answer at all, and its gain is (close to) zero by construction, not because a second
# opinion is useless. From m = 3 on, a majority can overrule the first sample.
#
# ## Matched compute, over the whole curve
# Each vote over m samples set beside the budget-forcing point nearest to it in thinking tokens.
# Sequential is "above" when the budget-forcing point's 95% interval lies above the vote's, "below"
# when under it, and a "tie" when they overlap. A vote that spent more tokens than any forced point is
# set beside the sweep's longest point, which spent fewer: sequential above there is above at less
# compute.

# %% tags=["tiny-world"]
figure4b.matched_table(summary, parallel, cap_k)

# %% [markdown] tags=["tiny-world"]
# In this run sequential is above at {glue:text}`matched_sides`.
#
# ## What we found
# Each verdict names the paper's claim, the verdict word and this run's numbers; **shown** only when
# it also holds in the committed runs of other seeds and of float32 training on another CPU
# ({py:mod}`s1kit.report.robustness`).

# %% tags=["tiny-world", "remove-input"]
from s1kit.report import robustness

book.verdicts(run, robustness.verdict_lines(run, lambda results: figure4b.findings(results, cap_k))
              + figure4b.notes(parallel))

# %% tags=["paper-scale"]
figure4b.vote_tables_by_benchmark(summary, parallel)

# %% tags=["remove-cell", "paper-scale"]
book.glue_figure("fig_parallel", figure4b.parallel_figures(summary, parallel, cap_k))

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_parallel
# :alt: One row per benchmark: the base model's majority-voting accuracy against the number of samples, with the SFT model's unforced and forced accuracy on the same benchmark as lines; where the SFT model voted, its votes beside the budget-forcing sweeps.
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
# ({py:func}`s1kit.report.figure4b.findings_by_benchmark`), never over all benchmarks together; where
# the SFT model voted, sequential against parallel is judged at every vote, each beside the
# budget-forcing point nearest in thinking tokens.

# %% tags=["paper-scale", "remove-input"]
from s1kit.report import robustness  # noqa: F811 (the tiny world's cell imports it at the other scale)

book.verdicts(run, robustness.verdict_lines(run, lambda results: figure4b.findings_by_benchmark(results, cap_k))
              + figure4b.notes(parallel))

# %% [markdown] tags=["tiny-world"]
# ## Summary
# - Majority voting helps only where independent samples are right more often than any single
#   wrong answer; a model that guesses (the base model) scatters its wrong totals and stays wrong.
# - A single sample at temperature 1 ({glue:text}`sft_m1_acc`%) is not the greedy answer
#   ({glue:text}`sft_k0_acc`%), and every further sample costs a whole sample's tokens.
# - With two samples every disagreement is a tie won by the first, so m = 2 can differ from m = 1
#   only where the first sample gave no answer.
# - Judged at every vote, each beside the budget-forcing point nearest in thinking tokens,
#   sequential is above at {glue:text}`matched_sides`.
#
# ## Exercises
# 1. **Knob: `evaluation.vote_sizes`.** Before adding larger m, bound what they could give: a vote
#    can at best pick a right sample whenever one exists. From `sft_samples.json`, compute the share
#    of questions with at least one right sample among the first m, and compare it with the vote.
# 2. **Matched compute.** How many thinking tokens per question does the largest vote spend, and
#    what does budget forcing reach with the nearest (or fewer) tokens?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. At least one right sample among the first m: {glue:text}`any_right_words`. The vote over
#    m = {glue:text}`votes_last` reaches {glue:text}`votes_last_acc`% of the
#    {glue:text}`votes_last_any_right`% it could reach at most: the right sample is often the one
#    outvoted by wrong ones that agree. Larger m could close part of that gap, each step costing
#    another full sample's tokens.
# 2. {glue:text}`matched_words`.
# ```
#
# ## Check yourself
# 1. Why does voting over the base model's answers barely move its accuracy, while voting over the
#    SFT model's samples gains a few points?
#
# ```{admonition} Answer
# :class: dropdown
# A vote can only turn up an answer that many samples share. The base model's wrong totals are
# scattered guesses, and its right total is rare, so neither wins votes. The SFT model's samples are
# right more often than not, and its wrong samples disagree with each other, so the right total tends
# to win as m grows.
# ```
#
# 2. A friend compares budget forcing at k = 1 with voting over m = 2 samples and concludes that
#    sequential beats parallel. What is wrong with the comparison?
#
# ```{admonition} Answer
# :class: dropdown
# Two things. It is one pair chosen from two curves, while the claim is about the curves: compare
# every vote with the budget-forcing point nearest in thinking tokens. And m = 2 is the one vote
# that cannot beat a single sample, because every disagreement is a tie won by the first sample.
# ```
#
# 3. Why is budget forcing called *sequential* and voting *parallel*, and which can fix a mistake
#    made early in a running sum?
#
# ```{admonition} Answer
# :class: dropdown
# Budget forcing extends one line of thought: tokens after a forced "Wait" are conditioned on all
# the earlier ones, so the model can continue a sum it stopped too early. Voting draws independent
# samples; none sees the others, so a sample's early mistake stays in that sample and can only be
# outvoted.
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
#
# ## Check yourself
# 1. Why can a vote over two samples never beat one sample?
#
# ```{admonition} Answer
# :class: dropdown
# When the two disagree, each answer has one vote: a tie, which goes to the answer seen first, the
# first sample's. The vote then equals the first sample except where that sample gave no answer.
# ```
#
# 2. Why compare sequential and parallel scaling at matched thinking tokens, and over the whole curve?
#
# ```{admonition} Answer
# :class: dropdown
# Both buy accuracy with compute; a comparison at different compute says nothing about which spends
# it better. One chosen pair can land where the curves happen to differ most; every vote beside its
# nearest budget-forcing point shows where, if anywhere, the curves cross.
# ```
#
# 3. The paper votes the base model, not s1-32B. What does Figure 4b then compare?
#
# ```{admonition} Answer
# :class: dropdown
# Parallel compute on the untuned model against sequential compute on the fine-tuned one: it mixes
# the effect of fine-tuning on s1K with the effect of how the compute is spent. Voting the fine-tuned
# model too (`evaluation.vote_models: [base, sft]`) separates the two.
# ```
