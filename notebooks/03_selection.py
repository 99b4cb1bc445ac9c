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
# # 3. Selection: quality, difficulty, diversity → s1K
#
# **Paper, Section 2.2 and Algorithm 1.** From 59,029 questions s1 keeps 1,000:
#
# 1. **Quality**: drop API errors and badly formatted questions (ASCII art, missing images),
#    deduplicate, and decontaminate against the evaluation sets (51,581 left).
# 2. **Difficulty**: drop every question that Qwen2.5-7B-Instruct or Qwen2.5-32B-Instruct
#    already solves (24,496 left). Trace length is the second difficulty signal.
# 3. **Diversity**: take all correct AIME/GPQA questions; then repeatedly pick a domain
#    uniformly at random and, inside it, a question with probability proportional to
#    $2^{-\text{rank}}$ of its trace length (longest first).

# %% [markdown] tags=["tiny-world"]
# **This chapter** runs {py:func}`s1kit.pipeline.selection`, which calls
# {py:func}`s1kit.selection.select_s1k`: {py:func}`s1kit.selection.quality_filter`,
# {py:func}`s1kit.selection.difficulty_filter` (the base model answers each candidate directly,
# {py:func}`s1kit.selection.solved_by_model`) and {py:func}`s1kit.selection.diversity_select`.

# %% [markdown] tags=["paper-scale"]
# **This chapter** runs {py:func}`s1kit.pipeline.selection`. A profile that names a released
# selection (`sourcing.hub.selection_dataset`: s1K or s1K-1.1) takes it whole
# ({py:func}`s1kit.selection.released_s1k`), and its funnel has one step; otherwise
# {py:func}`s1kit.selection.select_s1k` runs the three steps above on the pool. Either way each
# selected trace's length is counted in the base model's tokens, Algorithm 1's difficulty signal.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%
import pandas as pd

from s1kit import paper
from s1kit.report import traces as trace_report
from s1kit.report.figures import count_figure, funnel_figure

selected = pipeline.selection(run)
s1k, funnel = selected["s1k"], selected["funnel"]
fig = funnel_figure(funnel)
book.glue_figure("fig_funnel", fig)
glue("s1k_size", book.plain(len(s1k)), display=False)
glue("paper_funnel", " → ".join(f"{n:,}" for n in (paper.POOL_SIZE, paper.AFTER_QUALITY, paper.AFTER_DIFFICULTY,
                                                    paper.SELECTED)), display=False)
pd.DataFrame(funnel)

# %% [markdown]
# ```{glue:figure} fig_funnel
# :alt: Horizontal bars on a log scale: questions kept after each selection step, from the pool down to s1K.
# The selection funnel of this run. For comparison, the paper's funnel was
# {glue:text}`paper_funnel` (Section 2.2).
# ```

# %% tags=["tiny-world"]
wait = run.profile.evaluation.ignore_str
table = trace_report.trace_table(s1k, wait)
glue("s1k_domains", book.plain(table["domain"].nunique()), display=False)
glue("s1k_wrong_pct", book.plain(trace_report.teacher_rates(s1k, wait)["wrong_answer_pct"]), display=False)
trace_report.selected_by_domain(selected["candidates"], s1k)

# %% tags=["tiny-world"]
fig = count_figure(table, "difficulty", title="s1K: selected questions per number of terms")
book.glue_figure("fig_s1k_difficulty", fig)

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_s1k_difficulty
# :alt: Bar chart: s1K's selected questions per number of terms.
# The selected questions by difficulty: the length-favouring sampler prefers long problems.
# ```
#
# ## Summary
# - {glue:text}`s1k_size` questions from {glue:text}`s1k_domains` domains; {glue:text}`s1k_wrong_pct`% of
#   their traces end in a wrong answer (the teacher stopped early and answered a partial sum),
#   kept on purpose: s1 did not filter Gemini's traces for correctness.
# - The diversity sampler ($2^{-\text{rank}}$) takes almost only the longest traces of each
#   domain, so in the patient domains the s1K traces are much longer than the average
#   candidate; in the impatient ones, where every trace stops at three lines, only a little.

# %% tags=["paper-scale"]
from IPython.display import display

wait = run.profile.evaluation.ignore_str
table = trace_report.trace_table(s1k, wait).assign(thinking_tokens=[r["thinking_tokens"] for r in s1k])
glue("s1k_domains", book.plain(table["domain"].nunique()), display=False)
book.glue_numbers({"s1k_median_tokens": table["thinking_tokens"].median(),
                   "s1k_max_tokens": table["thinking_tokens"].max()})
if selected["candidates"]:
    display(trace_report.selected_by_domain(selected["candidates"], s1k))
else:
    print("A released selection, taken whole: there are no candidates to set beside it.")
table.groupby("domain").agg(selected=("source", "size"), mean_trace_tokens=("thinking_tokens", "mean"),
                            mean_waits=("waits", "mean")).round(1)

# %% tags=["paper-scale"]
fig = count_figure(table.assign(**{"trace tokens": pd.cut(table["thinking_tokens"], 10)}), "trace tokens",
                   title="s1K: selected questions per trace length (tokens)")
fig.axes[0].tick_params(axis="x", labelrotation=45)
book.glue_figure("fig_s1k_tokens", fig)

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_s1k_tokens
# :alt: Bar chart: s1K's selected questions per range of trace length in tokens.
# The selected traces by length, in the base model's tokens.
# ```
#
# ## Summary
# - {glue:text}`s1k_size` questions from {glue:text}`s1k_domains` domains; their traces are
#   {glue:text}`s1k_median_tokens` tokens long at the median and {glue:text}`s1k_max_tokens` at most.
# - s1 kept the traces whatever their answer: nothing in the selection grades the teacher.
#
# ## Exercises
# This chapter's exercises turn the knobs of the tiny world's selection; they are not shown at this scale.

# %% tags=["remove-cell", "tiny-world"]
solved = pipeline.difficulty(run)
pool_traces = pipeline.distillation(run)
book.glue_numbers(trace_report.selection_exercise_numbers(pool_traces, solved, wait))

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `selection.difficulty_max_candidates`.** The difficulty filter grades a sample of the
#    pool with the base model. Before looking: what share of the sampled questions does the base
#    model already solve (and so drops)?
# 2. **Wrong traces.** Is the share of wrong teacher answers in s1K higher or lower than in the whole
#    pool? Which step of the selection moves it?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. {glue:text}`ex_solved_pct`% of the {glue:text}`ex_sampled` pool questions the difficulty stage graded: the base model
#    answers short sums directly, so the filter drops mostly short questions.
# 2. s1K: {glue:text}`s1k_wrong_pct`%; the pool: {glue:text}`ex_pool_wrong_pct`%. The difficulty and
#    length preferences favour long sums, and a long sum in an impatient domain always ends early
#    with a wrong answer; as in s1, nothing filters on correctness.
# ```
