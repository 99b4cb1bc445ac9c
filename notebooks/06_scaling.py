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
# # 6. Test-time scaling: our curve, and the paper's numbers beside ours
#
# **Paper, Figure 1 and Table 1.** s1-32B's accuracy rises with the number of thinking tokens
# that budget forcing allows; on AIME24, extending with "Wait" takes it from 50.0% to 56.7%.

# %% [markdown] tags=["tiny-world"]
# **This chapter** draws the tiny profile's version of Figure 1 from `results/summary.json`
# ({py:func}`s1kit.report.scaling.scaling_figure`) and sets the paper's numbers beside ours, like for
# like: unforced beside unforced, forced beside forced. The x-axis counts thinking tokens (a
# tiny-world token is a digit, a symbol or a word): the paper's AIME24 traces run to thousands of
# tokens, ours to about a hundred.

# %% [markdown] tags=["paper-scale"]
# **This chapter** draws this run's version of Figure 1 from `results/summary.json`, one panel per
# benchmark ({py:func}`s1kit.report.scaling.scaling_figures`), and sets the published numbers beside
# ours benchmark by benchmark: the paper's AIME24 cell beside our AIME24 questions, its MATH500 cell
# beside our MATH500 questions, and so on ({py:func}`s1kit.report.scaling.table1_by_benchmark`),
# never our accuracy over all benchmarks together beside one benchmark's. Which published numbers
# depends on the model this run evaluates (`paper_model` in the recipe, {py:data}`s1kit.paper.PAPER_ROWS`):
# s1-32B's are the paper's Table 1, s1.1-32B's its model card's. Answers are graded as s1 graded
# them ({py:mod}`s1kit.judging`): rules first, then a judge model where s1 asked gpt-4o-mini.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%
from s1kit.report import scaling
from s1kit.report.summary import Summary

summary = Summary.from_json(pipeline.evaluation(run)["summary"])
cap_k = run.profile.evaluation.cap_sweep_num_ignore
numbers = scaling.headline(summary, cap_k)
fig = scaling.scaling_figures(summary, cap_k)  # one panel per benchmark (one benchmark: one panel)
book.glue_figure("fig_scaling", fig)
book.glue_numbers({**numbers, "n_test": summary.n_test})
book.glue_numbers(scaling.exercise_numbers(summary))  # the two largest k of the sweep

# %% [markdown]
# ```{glue:figure} fig_scaling
# :alt: Scatter with error bars: accuracy against mean thinking tokens for the cap sweep, labelled by cap N, and the Wait sweep, labelled by k, with the base model as a dashed line.
# Accuracy against mean thinking tokens on the {glue:text}`n_test` held-out questions (a run with
# several benchmarks: one panel each): the cap sweep (labelled by N), the "Wait" sweep (labelled by
# k), and the base model answering directly. Error bars: 95% bootstrap intervals over questions.
# ```

# %% tags=["tiny-world"]
table = scaling.table1(summary, numbers)
book.glue_figure("fig_table1", scaling.table1_figure(table))
table

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_table1
# :alt: Horizontal bars: for each step of Table 1 (base model, SFT unforced, SFT with forcing), the paper's AIME24 accuracy beside this run's held-out accuracy.
# Table 1 drawn: each step of the paper's recipe, its AIME24 number beside ours. The paper's
# curve over thinking tokens (its Figure 1) is printed only as a plot, so its three Table 1
# numbers are what can be set beside ours.
# ```

# %% [markdown] tags=["tiny-world"]
# Paper numbers: {py:mod}`s1kit.paper` (Table 1 of the paper). Ours: this run. Each row compares
# the same quantity: the paper's "s1 w/o budget forcing" is s1-32B thinking as long as it wants,
# our k = 0; its "s1-32B" row is budget forcing on top, our k chosen on the dev split.
#
# ## Verdict
# Each line below is decided by the run's numbers ({py:func}`s1kit.report.scaling.verdicts`): a
# difference counts when its 95% paired bootstrap interval (chapter 8) excludes zero.

# %% tags=["tiny-world"]
from IPython.display import Markdown

Markdown("\n".join(f"- {line}" for line in scaling.verdicts(numbers)))

# %% [markdown] tags=["paper-scale"]
# ## Table 1, benchmark by benchmark
# Published columns: {py:data}`s1kit.paper.PAPER_ROWS` for this run's `paper_model`. Ours: this run,
# each benchmark's held-out questions on their own (`base_model_accuracy_by_benchmark` and each
# point's `accuracy_by_benchmark` in `results/summary.json`). Each row compares the same quantity:
# "s1 w/o budget forcing" is the fine-tuned model thinking as long as it wants, our k = 0; the
# forced row is budget forcing on top. The paper's Table 1 reports, per benchmark, s1-32B's best
# number of forced "Wait"s, chosen on the test set itself (there is no dev split of AIME24's 30
# questions); for s1-32B ours is chosen the same way, for s1.1-32B (published at 2x "Wait") ours is
# k = 2 ({py:func}`s1kit.report.scaling.forced_k`). Each names its k, and the table after it shows
# every k, so that nothing rests on that choice alone.

# %% tags=["paper-scale"]
scaling.table1_by_benchmark(summary, run.profile.paper_model)

# %% [markdown] tags=["paper-scale"]
# Every k of the "Wait" sweep, per benchmark, with its paired gain over k = 0 (chapter 8 explains
# the paired interval). One AIME24 question is 3.3 points.

# %% tags=["paper-scale"]
scaling.ignore_sweep_by_benchmark(summary)

# %% [markdown] tags=["paper-scale"]
# ## How the answers were graded
# s1 graded with rules and sent three kinds of answer to gpt-4o-mini: AIME answers that are not an
# integer, every MATH500 answer that is not an integer, and GPQA answers with no readable letter
# ({py:mod}`s1kit.judging`). This run asks its judge (`evaluation.judge` in the recipe) exactly
# there; the table counts, per benchmark, the outputs of this chapter's stage that went to it and
# the verdicts it changed from the rules' own. An empty table: no judge in this profile.

# %% tags=["paper-scale"]
scaling.judge_table(summary)

# %% [markdown] tags=["paper-scale"]
# ## How much is noise
# Greedy decoding gives one draw per question; AIME24 has 30 questions. Where the recipe asks for
# it (`evaluation.samples`), each point is also decoded n times by sampling, and the table gives
# the mean accuracy over those n runs and its standard deviation beside the greedy number. A
# difference between two greedy numbers smaller than a few standard deviations is not a finding.
# An empty table: the recipe samples nothing.

# %% tags=["paper-scale"]
scaling.samples_table(summary)

# %% [markdown] tags=["paper-scale"]
# ## Verdict
# Each line is decided by this run's numbers on one benchmark
# ({py:func}`s1kit.report.scaling.verdicts_by_benchmark`), against the published cell on the same
# benchmark: a difference counts when its 95% paired bootstrap interval excludes zero.

# %% tags=["paper-scale", "remove-input"]
book.verdicts(run, scaling.verdicts_by_benchmark(summary, run.profile.paper_model, cap_k))

# %% [markdown] tags=["tiny-world"]
# ## This run and the reference run
# `reference/` holds the results of committed runs of this profile, one per CPU setting they
# were measured on ({py:func}`s1kit.book.matching_reference`): `reference/tiny/` on a CPU with
# native bf16 (AVX512-BF16), where the models train in bf16, and `reference/tiny-avx2/` with
# oneDNN limited to AVX2, as on most laptops, where they train in float32 (bf16 there runs
# dozens of times slower). A fresh run on the same CPU setting matches its reference exactly. On
# another kind of CPU the arithmetic rounds differently and the models come out different, so the
# numbers need not match; the line below says which reference this run is compared with, or that
# none matches. The shape does not rest on one CPU or one seed: the README lists the same
# targets met with seeds 0, 1 and 2 and with AVX2 emulated.

# %% [markdown] tags=["paper-scale"]
# ## This run and the reference run
# The line below names the committed reference run of this profile made on this kind of machine
# ({py:func}`s1kit.book.matching_reference`), or says that there is none.

# %%
print(book.matching_reference(run.profile)[1])
book.reference_comparison(run.profile, summary, cap_k)

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `evaluation.caps`** (`s1kit/recipes/tiny.yaml`). Before looking: what accuracy does
#    the smallest cap give, and why should it be far below the uncapped k = 0? Then find its row
#    in chapter 5's table.
# 2. **Knob: `evaluation.num_ignores`.** Add a k larger than the sweep's largest and predict
#    whether accuracy rises, stays or falls. Rerun with `make reproduce`: only the evaluation and
#    what depends on it are recomputed.
# 3. **Like for like.** Which of our numbers belongs beside the paper's 50.0% (Table 1, "s1 w/o
#    budget forcing")? Why would our best forced accuracy overstate what SFT alone does?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. A cap of N = {glue:text}`smallest_cap` gives {glue:text}`smallest_cap_acc`% against
#    {glue:text}`k0`% uncapped: the cap cuts the running sum before its last terms (scaling down).
# 2. In this run accuracy goes from {glue:text}`k_before_acc`% at k = {glue:text}`k_before` to
#    {glue:text}`k_last_acc`% at k = {glue:text}`k_last`; past the useful Waits each extra one adds a
#    check line, and after more checks than its training traces ever held the model starts to
#    copy the wrong total into its answer, so expect no gain from a larger k.
# 3. The unforced SFT model, k = 0: {glue:text}`k0`%. The best forced accuracy
#    ({glue:text}`best_k_acc`%) adds budget forcing on top: that is Table 1's next row.
# ```
#
# Whether extending helps in the tiny world, and what in the training traces decides it, is the
# subject of the next chapter.

# %% [markdown] tags=["paper-scale"]
# ## Exercises
# 1. **Like for like.** Which of our numbers belongs beside the paper's AIME24 accuracy of s1 without
#    budget forcing (Table 1)? Why would our pooled k = 0 accuracy not?
#
# ```{admonition} Solution (computed from this run)
# :class: dropdown
# 1. The unforced SFT model (k = 0) on our AIME24 questions alone: the row "SFT model, no forcing
#    (k=0)" in the AIME24 column of the table. The pooled k = 0 ({glue:text}`k0`%) averages every
#    benchmark of the run, and MATH500's questions are far easier than AIME24's.
# ```
