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
# **After this chapter you can**
# - say what budget forcing appends when it suppresses the end of thinking, and why the word
#   matters;
# - compare two strings by the paired interval of their difference, and call a tie a tie;
# - explain the shape of the "Wait" curve over k from what the model writes: why it rises, where it
#   flattens and why it falls;
# - read Table 4 and Figure 4a beside this run's numbers.
#
# **Paper, Table 4 and Figure 4a** {cite:p}`muennighoff2025s1`. When s1-32B tries to stop thinking,
# budget forcing suppresses the end-of-thinking delimiter and appends a string (words in the
# {doc}`../glossary`). Table 4: suppressing it twice and appending "Wait" lifted AIME24 above no
# extrapolation; appending nothing, "Alternatively" or "Hmm" left it where it was (the paper's
# numbers stand beside ours in the table below). Figure 4a: repeating "Wait" more often flattened out
# after six times.

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
import pandas as pd

from s1kit.report import table4
from s1kit.report.summary import Summary

pd.set_option("display.max_colwidth", None)
evaluation = pipeline.evaluation(run)
summary = Summary.from_json(evaluation["summary"])
extrapolation = pipeline.extrapolation(run)

# %% tags=["tiny-world"]
table4.extrapolation_table(extrapolation, summary)

# %% tags=["remove-cell", "tiny-world"]
book.glue_figure("fig_extrapolation", table4.extrapolation_figure(summary, extrapolation))
book.glue_numbers(table4.exercise_numbers(extrapolation, summary, evaluation["generations"]))

# %% tags=["paper-scale"]
table4.extrapolation_table_by_benchmark(extrapolation, summary, run.profile.paper_model)

# %% tags=["remove-cell", "paper-scale"]
book.glue_figure("fig_extrapolation", table4.extrapolation_figures(summary, extrapolation))

# %% [markdown] tags=["tiny-world"]
# Paper column: `TABLE4` in {py:mod}`s1kit.paper` (s1 paper, Table 4, AIME24; one AIME problem is
# 3.3 points). Ours: the held-out set of this run; accuracy in %, thinking tokens per question, and
# the paired gain over no forcing in points with its 95% interval.
#
# ```{glue:figure} fig_extrapolation
# :alt: Two panels: left, the accuracy gain over no forcing for each string appended at k = 2, as horizontal bars with 95% intervals; right, the accuracy gain over k = 0 against the number of forced Waits.
# Both panels show the paired gain over no forcing, in points, with 95% intervals. Left: the end of
# thinking suppressed the same number of times, appending different strings. Right: "Wait" forced k
# times.
# ```
#
# **The left panel**, from this run's numbers:

# %% tags=["tiny-world", "remove-input"]
from IPython.display import Markdown

Markdown(table4.strings_reading(extrapolation, summary, evaluation["generations"]))

# %% [markdown] tags=["tiny-world"]
# ## Why the string matters here
# In the tiny world the SFT traces contain exactly one continuation after a pause: "Wait, "
# followed by the next line or by a check of the total. "Hmm" and "Alternatively" never occur in
# them: a foreign word leads the model off its computation. Appending nothing hands the model back
# the position where it chose to stop, with the stop token banned once, and its next most likely
# word there is the "Wait" it was trained on. Below, one output per string (a wrong one where there
# is one), with its question and the right total, ending where the strings were appended:

# %% tags=["tiny-world"]
questions = {t["id"]: t for t in pipeline.sourcing(run)["test"]}
for text, output in table4.example_outputs(extrapolation).items():
    question = questions[output["id"]]
    print(f"--- appending {text!r}: {question['question']} (right total {question['answer']}; "
          f"{'right' if output['correct'] else 'wrong'})\n{output['thinking'].strip()}\n")

# %% [markdown] tags=["tiny-world"]
# Where "Hmm" or "Alternatively" was appended, the model sometimes writes a line that is not a
# line of the sum at all, or writes "Final Answer:" inside its thinking: after a word it never saw
# in that place, it falls back on the nearest thing it knows, the answer habit of its chat training.
#
# ## Figure 4a: why the curve rises, flattens and falls
# The right panel, read from the model's own outputs at each k ({py:mod}`s1kit.report.flips`):

# %% tags=["tiny-world", "remove-input"]
Markdown(table4.curve_reading(summary, evaluation["generations"], list(questions.values()), pipeline.selection(run)["s1k"]))

# %% [markdown] tags=["tiny-world"]
# The paper's curve flattened after six forced Waits. Whether this run's most-forced point still
# keeps a gain over no forcing is the Figure 4a verdict below.
#
# ## What we found
# Each verdict names the paper's claim, worded from its cells (two settings with equal cells are a
# claimed tie), the verdict word and this run's numbers. A difference counts when its paired 95%
# interval excludes zero; two strings whose interval includes zero are **tied**. **shown** only when
# the claim also holds in the committed runs of other seeds and of float32 training on another CPU
# ({py:mod}`s1kit.report.robustness`; a committed run keeps no per-question outputs, so there two
# strings are compared by an unpaired interval, which calls a tie more readily).

# %% tags=["tiny-world", "remove-input"]
from s1kit.report import robustness

book.verdicts(run, robustness.verdict_lines(run, table4.findings))

# %% [markdown] tags=["tiny-world"]
# The paper's point is that "Wait" beats appending no string (its other strings changed nothing).
# Read the verdicts above for each pair: where the interval includes zero, the two strings tie,
# whatever their accuracies' order.

# %% [markdown] tags=["paper-scale"]
# Paper column: `TABLE4` in {py:mod}`s1kit.paper` (s1 paper, Table 4), the cell of the same
# benchmark as ours on each row: AIME24 beside our AIME24 questions, MATH500 beside our MATH500
# questions, GPQA Diamond beside ours ({py:func}`s1kit.report.table4.extrapolation_table_by_benchmark`).
# Ours: each benchmark's held-out questions on their own, never pooled. One AIME24 question is 3.3
# points. Table 4 reports s1-32B: a run of another model (`paper_model`, e.g. s1.1-32B) shows no
# paper column, since nothing like it is published for that model.
#
# ```{glue:figure} fig_extrapolation
# :alt: One row per benchmark, two panels each: the accuracy gain over no forcing for each string appended at k = 2, and the gain over k = 0 against the number of forced Waits.
# One row per benchmark, both panels as the paired gain over no forcing in points (95% intervals).
# Left: the end of thinking suppressed the same number of times, appending different strings.
# Right: "Wait" forced k times.
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

# %% [markdown] tags=["paper-scale"]
# ## What we found
# Each line is decided by this run's numbers on one benchmark, against the paper's cell for the same
# benchmark ({py:func}`s1kit.report.table4.findings_by_benchmark`); two strings whose paired interval
# includes zero are tied.

# %% tags=["paper-scale", "remove-input"]
from s1kit.report import robustness  # noqa: F811 (the tiny world's cell imports it at the other scale)

book.verdicts(run, robustness.verdict_lines(
    run, lambda results: table4.findings_by_benchmark(results, run.profile.paper_model)))

# %% tags=["remove-cell", "paper-scale"]
# the exercises quote AIME24, the benchmark of the paper's Table 4 text (the first benchmark otherwise)
exercise_benchmark = "aime24" if "aime24" in summary.benchmarks else summary.benchmarks[0]
book.glue_numbers({**table4.exercise_numbers(table4.on_benchmark(extrapolation, exercise_benchmark),
                                             summary.on(exercise_benchmark)),
                   "ex_benchmark": table4.benchmark_label(exercise_benchmark)})

# %% [markdown]
# ## Summary
# - Budget forcing's appended string is text the model continues from; a string it was trained to
#   continue ("Wait" here) leads back into the computation, a foreign one can lead it off.
# - Compare two strings by the paired interval of their difference; an interval that includes zero
#   is a tie, however the two accuracies rank.
# - A forcing curve is read from the outputs: what the extra tokens repaired, and what they broke.

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `evaluation.extrapolation_strings`.** Predict "Hmm" against "Wait" at the same number
#    of suppressed ends, before reading the table.
# 2. **Append nothing.** With `ignore_str=None` the end of thinking is suppressed but no word is
#    added. What does the model write next, and what does that do to accuracy?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. At k = {glue:text}`ex_wait_k`: "Wait" {glue:text}`ex_wait_acc`%, "Hmm" {glue:text}`ex_hmm_acc`%,
#    a difference of {glue:text}`ex_wait_vs_hmm` points ({glue:text}`ex_wait_vs_hmm_word`). The tiny
#    model's traces only ever continue after "Wait"; another word is text it has not seen there.
# 2. No string: {glue:text}`ex_none_acc`%. Barred from stopping, the model writes "Wait" itself: its
#    thinking is the same as with "Wait" appended in {glue:text}`ex_none_same` of
#    {glue:text}`ex_none_n` questions (the left panel's reading above).
# ```
#
# ## Check yourself
# 1. Suppose two strings score 74.0% and 73.6% on the same 500 questions, and the paired 95%
#    interval of their difference is [-1.2, +2.0] points. A classmate writes that the first is "the
#    best string". What should they write instead?
#
# ```{admonition} Answer
# :class: dropdown
# That the two tie: the paired interval of their difference includes zero. A ranking by point
# estimates says nothing when the interval includes no change.
# ```
#
# 2. Why does appending nothing work as well as appending "Wait" in the tiny world, and why need
#    that not hold for s1-32B?
#
# ```{admonition} Answer
# :class: dropdown
# Barred from ending its thinking, the tiny model's most likely next word is the "Wait" its traces
# always put there, so it writes the same continuation itself. s1-32B's traces are far more varied;
# with nothing appended its next words need not start a re-check, and the paper found that only
# "Wait" helped.
# ```
#
# 3. The "Wait" curve falls at large k. Give one cause you can check in the outputs.
#
# ```{admonition} Answer
# :class: dropdown
# After the sum is finished, each forced "Wait" starts another check; past the number of checks any
# training trace held, the model starts writing "Final Answer:" inside its thinking and then answers
# with a different number, though its thinking ended on the right total. Count, among the answers
# lost between the best k and the largest, those with "Final Answer:" in the thinking.
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
#
# ## Check yourself
# 1. Why compare each string with no forcing *and* with "Wait"?
#
# ```{admonition} Answer
# :class: dropdown
# Against no forcing, each row says whether suppressing the end and appending that string helps at
# all; against "Wait", whether the choice of string matters. The paper's claim is the second:
# "Wait" helped where the others did not.
# ```
#
# 2. On AIME24 one question is 3.3 points. What does that mean for Table 4's 53.3% against 50.0%?
#
# ```{admonition} Answer
# :class: dropdown
# That the difference is one question of 30. A paired interval over 30 questions cannot exclude zero
# for a one-question difference, so on its own the cell is weak evidence; the paper's other
# benchmarks and figures carry the claim.
# ```
#
# 3. Why is Table 4 shown beside s1-32B only, and not beside s1.1-32B?
#
# ```{admonition} Answer
# :class: dropdown
# Because the paper reports Table 4 for s1-32B alone; nothing like it is published for s1.1-32B, so a
# run of that model has no paper cell to compare with.
# ```
