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
# # 11. Which 1,000 examples?
#
# **Paper, Table 2 and Section 5.1.** s1K is chosen by three criteria together: quality, then
# difficulty, then diversity (chapter 3). The paper fine-tunes the same model on 1,000 examples
# chosen by one criterion alone and on the whole 59K pool: random (quality only) 36.7%, diverse
# (diversity only) 26.7%, longest (difficulty only) 33.3%, 59K-full 53.3%, s1K 50.0% on AIME24,
# each with a 95% paired interval against s1K. Its conclusion: the combination matters, and
# training on all 59K buys little over s1K at 56 times the compute (394 against 7 GPU hours).

# %% [markdown] tags=["tiny-world"]
# **This chapter** trains the tiny base model on each alternative exactly as on s1K
# ({py:func}`s1kit.selection.ablation_selection`, same SFT recipe) and evaluates it with no
# forcing, the setting of the paper's table (it forced only a cap of ~30,000 tokens). One
# difference is deliberate: "full" (the whole quality-filtered pool) gets the same number of
# optimizer steps as s1K (`ablations.full_steps_as_s1k`), i.e. the same compute, where the paper
# gave it {glue:text}`full_compute_ratio` times more (Section 5.1).

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% [markdown] tags=["paper-scale"]
# **Not run at this scale.** Table 2's alternative selections are drawn from the pool and each is
# fine-tuned like s1K, inside one run. On Hub data `ablations.kinds` must be empty: Table 2 at
# paper scale is s1's released ablation sets, each run as a profile of its own
# (`sourcing.hub.selection_dataset`).

# %% tags=["tiny-world"]
from s1kit import paper
from s1kit.report import table2

ablations = pipeline.data_ablations(run)
hours = paper.FULL_POOL_GPU_HOURS
glue("full_compute_ratio", book.plain(round(hours["59K-full"] / hours["s1K"])), display=False)
book.glue_figure("fig_ablations", table2.ablation_figure(ablations))
table2.ablation_table(ablations)

# %% [markdown] tags=["tiny-world"]
# Paper columns: `TABLE2` in {py:mod}`s1kit.paper` (s1 paper, Table 2, AIME24). Ours: accuracy on this
# run's held-out set with no forcing, and the paired 95% interval of the difference to s1K.
#
# ```{glue:figure} fig_ablations
# :alt: Bar chart with error bars: accuracy of models fine-tuned on each 1,000-example selection.
# Each selection's unforced accuracy minus s1K's, with its 95% paired bootstrap interval.
# ```
#
# ## What the selections contain
# The columns "trace tokens" and "wrong traces" explain part of the differences in the tiny
# world: the model learns *when to stop* from its traces, so a selection's share of traces that
# stop early, and their length, shape the fine-tuned model's unforced thinking. (They do not
# explain everything: two selections with similar columns can still differ.)
#
# ## What we found
# The sentences below are decided by this run's numbers ({py:func}`s1kit.report.table2.ablation_verdicts`).

# %% tags=["tiny-world"]
from IPython.display import Markdown

Markdown("\n".join(f"- {line}" for line in table2.ablation_verdicts(ablations)))

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers(table2.exercise_numbers(ablations))

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Predict the table.** Before reading it: rank random, diverse, longest and the full pool by
#    unforced accuracy, and say where s1K lands.
# 2. **Knob: `ablations.kinds`.** Which selection would you drop from a cheaper rerun, and what
#    would the book then no longer be able to say?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. The best selection here is {glue:text}`ex_best_selection` at {glue:text}`ex_best_selection_acc`%
#    (s1K: {glue:text}`ex_s1k_acc`%), a paired difference from s1K of {glue:text}`ex_best_gain_low` to
#    {glue:text}`ex_best_gain_high` points (95%).
# 2. Each selection tests one of the paper's criteria (difficulty via length, diversity, quality
#    alone); dropping one leaves that criterion untested.
# ```
