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
# # 2. Distillation: reasoning traces from a teacher
#
# **Paper, Section 2.1.** For every pool question s1 asks Google's Gemini 2.0 Flash Thinking for
# a reasoning trace and an answer. The traces are long, full of self-checks that start with
# "Wait", and about half of the answers in s1K are wrong: correctness was not a filter.

# %% [markdown] tags=["tiny-world"]
# **This chapter** runs the tiny profile's programmatic teacher ({py:mod}`s1kit.tiny.teacher`,
# {py:func}`s1kit.pipeline.distillation`). It writes a running sum, two additions per line.
# In every domain it writes "Wait, " before each new line. Every line end is a *pause*, a place
# where thinking can end. Like a real reasoning model, the teacher has habits that depend on the
# kind of problem. In four of the eight domains (`distillation.teacher.impatient_domains`) it is
# *impatient*: it always stops after three lines (`impatient_lines`) and answers the partial
# sum, a wrong trace whenever numbers were left. In the other domains it finishes every sum.
# After a finished sum, in any domain, it may check that nothing is left to add ("Wait,
# 42+0=42"), less often than not (`p_final_check`), so a model that copies its most likely
# choice does not check on its own. A few traces
# are broken on purpose (an API error, a truncated trace, junk characters) so that the quality
# filter has work to do.
#
# A note on units: the tiny tokenizer works like Qwen's, at a tiny scale. Every digit is its own
# token and so is every symbol, while a word of the tiny world ("Wait", "total", "Coins") is one
# token. A line such as `25+6=31+5=36` is 12 tokens, and a long sum takes 60 to 90 thinking
# tokens.

# %% [markdown] tags=["paper-scale"]
# **This chapter** reads the traces of this run ({py:func}`s1kit.pipeline.distillation`): with
# `distillation.kind: dataset` they are the ones that ship with the pool (s1K's Gemini traces,
# s1K-1.1's DeepSeek-R1 traces, `sourcing.hub.traces`); with `kind: endpoint` a reasoning model
# behind an OpenAI-compatible endpoint writes them. Lengths are counted in characters here; chapter 3
# counts the selected traces in tokens.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% tags=["tiny-world"]
from s1kit.report import traces as trace_report
from s1kit.report.figures import count_figure

wait = run.profile.evaluation.ignore_str
traces = pipeline.distillation(run)
table = trace_report.trace_table(traces, wait)
glue("traces_total", book.plain(len(traces)), display=False)
glue("teacher_wrong_pct", book.plain(trace_report.teacher_rates(traces, wait)["wrong_answer_pct"]), display=False)
glue("broken_count", book.plain(int((table["broken"] != "").sum())), display=False)
table.describe().round(2)

# %% tags=["paper-scale"]
from s1kit.report import traces as trace_report

wait = run.profile.evaluation.ignore_str
traces = pipeline.distillation(run)
table = trace_report.trace_table(traces, wait)
glue("traces_total", book.plain(len(traces)), display=False)
glue("wait", wait, display=False)
book.glue_numbers({"median_trace_chars": table["trace_chars"].median(), "mean_waits": table["waits"].mean(),
                   "traces_with_wait_pct": 100 * (table["waits"] > 0).mean()})
table[["trace_chars", "waits"]].describe().round(1)

# %% [markdown] tags=["tiny-world"]
# ## What a trace looks like
# In the main world every "Wait" is the teacher's own word and is trained on, as the "Wait"s
# inside s1K's Gemini traces are. (With `train_on_wait: false` the teacher marks them as
# *forced spans*, shown in [brackets], which carry no loss:
# {py:func}`s1kit.training.tokenize_example`.)

# %% tags=["tiny-world"]
def show(record):
    print(f"Q: {record['question']}   gold: {record['answer']}   teacher: {record['attempt']!r}"
          f"   broken: {record.get('broken')}")
    print(trace_report.mark_forced(record["trace"], record.get("forced_spans")), end="\n\n")


long_ones = [r for r in traces if r.get("difficulty", 0) >= 8 and not r.get("broken")]
for record in long_ones[:3]:
    show(record)
for kind in ("api_error", "truncated", "ascii_junk"):
    show(next(r for r in traces if r.get("broken") == kind))

# %% [markdown] tags=["paper-scale"]
# ## What a trace looks like
# The beginning and the end of a trace of median length and of the longest one, with the attempt
# (the answer the teacher wrote after thinking) and the dataset's answer.

# %% tags=["paper-scale"]
by_length = table.sort_values("trace_chars").index
for name, row in (("median length", by_length[len(by_length) // 2]), ("longest", by_length[-1])):
    record, trace = traces[row], traces[row]["trace"]
    print(f"--- {name}: {record['id']} ({record['source']}), {len(trace):,} characters, "
          f"\"{wait}\" written {table.loc[row, 'waits']} times")
    print(f"Q: {record['question'][:300]}")
    print(trace if len(trace) <= 1200 else f"{trace[:600]}\n[... {len(trace) - 1000:,} characters ...]\n{trace[-400:]}")
    print(f"attempt: {str(record.get('attempt'))[-200:]!r}   answer: {str(record['answer'])[-200:]!r}\n")

# %% tags=["tiny-world"]
fig = count_figure(table, "waits", title="Waits per trace")
book.glue_figure("fig_waits", fig)

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_waits
# :alt: Bar chart: how many teacher traces contain zero, one, two or more Wait continuations.
# How many "Wait"s the teacher's traces contain.
# ```
#
# ## Summary
# - {glue:text}`traces_total` traces; {glue:text}`teacher_wrong_pct`% end with a wrong answer (the
#   teacher stopped early in an impatient domain) and {glue:text}`broken_count` are broken on purpose.
# - Each contrast world of chapter 7 ("Why does Wait work?") changes one teacher setting.

# %% tags=["paper-scale"]
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
left.hist(table["trace_chars"], bins=30)
left.set_xlabel("trace length (characters)")
left.set_ylabel("traces")
right.hist(table["waits"], bins=range(0, int(table["waits"].max()) + 2))
right.set_xlabel(f'"{wait}"s per trace')
fig.tight_layout()
book.glue_figure("fig_trace_lengths", fig)

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_trace_lengths
# :alt: Two histograms: the traces' lengths in characters, and how many times each trace writes the extension string.
# The traces of this run: their lengths (left) and how often each writes "{glue:text}`wait`" (right),
# the string budget forcing appends (`evaluation.ignore_str`).
# ```
#
# ## Summary
# - {glue:text}`traces_total` traces, {glue:text}`median_trace_chars` characters long at the median;
#   {glue:text}`traces_with_wait_pct`% of them write "{glue:text}`wait`" at least once,
#   {glue:text}`mean_waits` times per trace on average.
# - s1 did not filter its traces for a right answer (Section 2.1), and nothing in this chapter
#   grades them.

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers(trace_report.exercise_numbers(traces, wait), digits=2)

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `distillation.teacher.impatient_domains`.** Empty the list. Predict the share of
#    traces that end with a wrong answer.
# 2. **Knob: `distillation.teacher.p_final_check`.** Raise it. Predict how the mean number of "Wait"s
#    per trace moves, and what that does to the traces' length.
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. In this run {glue:text}`ex_wrong_intact_pct`% of all traces are intact but wrong (the teacher
#    stopped early in an impatient domain) and {glue:text}`ex_wrong_broken_pct`% are broken and
#    wrong. With no impatient domain, the first share goes to zero and only the broken ones stay
#    wrong.
# 2. Now {glue:text}`ex_mean_waits` "Wait"s per trace on average, and {glue:text}`ex_wait_share`% of
#    traces have at least one. Each final check adds a line "Wait, 42+0=42", so both rise
#    and the traces grow longer.
# ```
