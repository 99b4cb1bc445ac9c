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
# # 12. Extrapolation: which word, and how many times?
#
# **Paper, Table 4 and Figure 4a.** When s1-32B tries to stop thinking, budget forcing suppresses
# the end-of-thinking delimiter and appends a string. Suppressing it twice and appending "Wait"
# lifted AIME24 from 50.0% to 53.3%; appending nothing, "Alternatively" or "Hmm" left it at 50.0%
# (Table 4). Repeating "Wait" more often flattened out after six times (Figure 4a).

# %% [markdown] tags=["tiny-world"]
# **This chapter** runs the same comparison on the tiny SFT model: the end suppressed
# `evaluation.extrapolation_num_ignore` times, appending each string of
# `evaluation.extrapolation_strings` ({py:func}`s1kit.experiments.extrapolation.extrapolation`), and the "Wait"
# curve over k from the main sweep. Every gain is paired against the same model with no forcing,
# on the same questions ({py:func}`s1kit.metrics.paired_bootstrap`).

# %% [markdown] tags=["paper-scale"]
# **This chapter** runs the same comparison on this run's SFT model: the end suppressed
# `evaluation.extrapolation_num_ignore` times, appending each string of
# `evaluation.extrapolation_strings` ({py:func}`s1kit.experiments.extrapolation.extrapolation`), and the "Wait"
# curve over k from the main sweep, benchmark by benchmark. Every gain is paired against the same
# model with no forcing, on the same benchmark's questions ({py:func}`s1kit.metrics.paired_bootstrap`),
# and every output is graded as the main evaluation grades ({py:mod}`s1kit.judging`).

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%
from s1kit.report import table4
from s1kit.report.summary import Summary

summary = Summary.from_json(pipeline.evaluation(run)["summary"])
extrapolation = pipeline.extrapolation(run)

# %% tags=["tiny-world"]
table = table4.extrapolation_table(extrapolation, summary)
fig = table4.extrapolation_figure(summary, extrapolation)
book.glue_figure("fig_extrapolation", fig)
table

# %% tags=["paper-scale"]
table = table4.extrapolation_table_by_benchmark(extrapolation, summary, run.profile.paper_model)
fig = table4.extrapolation_figures(summary, extrapolation)
book.glue_figure("fig_extrapolation", fig)
table

# %% [markdown] tags=["tiny-world"]
# Paper column: `TABLE4` in {py:mod}`s1kit.paper` (s1 paper, Table 4, AIME24; one AIME problem is
# 3.3 points). Ours: the held-out set of this run.
#
# ```{glue:figure} fig_extrapolation
# :alt: Two panels: accuracy for each extrapolation string at k = 2, and accuracy against the number of forced Waits.
# Left: the end of thinking suppressed the same number of times, appending different strings.
# Right: accuracy as "Wait" is forced more often (95% bootstrap intervals over questions).
# ```

# %% [markdown] tags=["paper-scale"]
# Paper column: `TABLE4` in {py:mod}`s1kit.paper` (s1 paper, Table 4), the cell of the same
# benchmark as ours on each row: AIME24 beside our AIME24 questions, MATH500 beside our MATH500
# questions, GPQA Diamond beside ours ({py:func}`s1kit.report.table4.extrapolation_table_by_benchmark`).
# Ours: each benchmark's held-out questions on their own, never pooled. One AIME24 question is 3.3
# points. Table 4 reports s1-32B: a run of another model (`paper_model`, e.g. s1.1-32B) shows no
# paper column, since nothing like it is published for that model.
#
# ```{glue:figure} fig_extrapolation
# :alt: One row per benchmark, two panels each: accuracy for each extrapolation string at k = 2, and accuracy against the number of forced Waits.
# One row per benchmark. Left: the end of thinking suppressed the same number of times, appending
# different strings. Right: accuracy as "Wait" is forced more often (95% bootstrap intervals over
# questions).
# ```
#
# How many of this stage's outputs went to the judge, and how many verdicts it changed, per
# benchmark (`judge` in `extrapolation.json`; empty: no judge in this profile):

# %% tags=["paper-scale"]
table4.judge_table(extrapolation)

# %% [markdown] tags=["paper-scale"]
# ## What the model writes after each string
# One output per string, a wrong one when there is one: the end of its thinking, where the
# strings were appended.

# %% tags=["paper-scale"]
for text, output in table4.example_outputs(extrapolation).items():
    thinking = output["thinking"].strip()
    print(f"--- appending {text!r}: one output (correct={output['correct']})\n"
          f"{thinking if len(thinking) <= 800 else '[...] ' + thinking[-800:]}\n")

# %% [markdown] tags=["tiny-world"]
# ## Why the string matters here
# In the tiny world the SFT traces contain exactly one continuation after a pause: "Wait, "
# followed by the next line or by the restated total. "Hmm" and "Alternatively" never occur in
# them: a foreign word leads the model off its computation. Appending nothing hands the model
# back the position where it chose to stop, with the stop token banned once, and its next most
# likely word there is the "Wait" it was trained on.

# %% tags=["tiny-world"]
for text, output in table4.example_outputs(extrapolation).items():
    print(f"--- appending {text!r}: one output (correct={output['correct']})\n{output['thinking'].strip()}\n")

# %% [markdown] tags=["tiny-world"]
# ## What we found
# The sentences below are decided by this run's numbers ({py:func}`s1kit.report.table4.extrapolation_verdicts`).

# %% tags=["tiny-world"]
book.verdicts(run, table4.extrapolation_verdicts(extrapolation, summary))

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers(table4.exercise_numbers(extrapolation, summary))

# %% [markdown] tags=["paper-scale"]
# ## What we found
# Each line is decided by this run's numbers on one benchmark, against the paper's cell for the same
# benchmark ({py:func}`s1kit.report.table4.extrapolation_verdicts_by_benchmark`).

# %% tags=["paper-scale"]
book.verdicts(run, table4.extrapolation_verdicts_by_benchmark(extrapolation, summary, run.profile.paper_model))

# %% tags=["remove-cell", "paper-scale"]
# the exercises quote AIME24, the benchmark of the paper's Table 4 text (the first benchmark otherwise)
exercise_benchmark = "aime24" if "aime24" in summary.benchmarks else summary.benchmarks[0]
book.glue_numbers({**table4.exercise_numbers(table4.on_benchmark(extrapolation, exercise_benchmark),
                                             summary.on(exercise_benchmark)),
                   "ex_benchmark": table4.benchmark_label(exercise_benchmark)})

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `evaluation.extrapolation_strings`.** Predict "Hmm" against "Wait" at the same number
#    of suppressed ends, before reading the table.
# 2. **Append nothing.** With `ignore_str=None` the end of thinking is suppressed but no word is
#    added. What does the model write next, and what does that do to accuracy?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. At k = {glue:text}`ex_wait_k`: "Wait" {glue:text}`ex_wait_acc`%, "Hmm" {glue:text}`ex_hmm_acc`%.
#    The tiny model's traces only ever continue after "Wait"; another word is text it has not seen
#    there.
# 2. No string: {glue:text}`ex_none_acc`%. Barred from stopping, the model writes whatever its next
#    most likely token is, which the "Why the string matters here" section shows.
# ```

# %% [markdown] tags=["paper-scale"]
# ## Exercises
# 1. **Knob: `evaluation.extrapolation_strings`.** Predict "Hmm" against "Wait" at the same number
#    of suppressed ends, before reading the table.
# 2. **Append nothing.** With `ignore_str=None` the end of thinking is suppressed but no word is
#    added. What does the model write next, and what does that do to accuracy?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. On {glue:text}`ex_benchmark`, at k = {glue:text}`ex_wait_k`: "Wait" {glue:text}`ex_wait_acc`%,
#    "Hmm" {glue:text}`ex_hmm_acc`%.
# 2. No string, on {glue:text}`ex_benchmark`: {glue:text}`ex_none_acc`%. Barred from stopping, the
#    model writes whatever its next most likely token is; the outputs above show what it wrote.
# ```
