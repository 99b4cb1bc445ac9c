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
# **After this chapter you can**
# - say what a reasoning trace and a teacher's attempt are, and what a student model copies from
#   them;
# - explain why s1 kept traces whose answers are wrong;
# - point to the places in a trace where thinking can end, the places budget forcing acts on;
# - count a set of traces' lengths and "Wait"s, the word budget forcing appends.

# %% [markdown]
# **Paper, Section 2.1** {cite:p}`muennighoff2025s1`. For every pool question s1 asks Google's
# Gemini 2.0 Flash Thinking for a reasoning trace and an answer. This is
# {doc}`distillation <../glossary>`: one model's outputs become another model's training data.
# The traces are long, full of self-checks that start with "Wait", and about half of the answers
# in s1K are wrong: correctness was not a filter.

# %% [markdown] tags=["tiny-world"]
# **This chapter** runs the tiny profile's programmatic teacher ({py:mod}`s1kit.tiny.teacher`,
# {py:func}`s1kit.pipeline.distillation`). Like a real reasoning model, it has habits, and they
# depend on the kind of problem:
#
# - **A running sum.** It writes {glue:text}`adds_per_line` additions per line and "Wait, " before each new line. Every
#   line end is a *pause*, a place where thinking can end.
# - **Impatient domains.** In {glue:text}`n_impatient` of the {glue:text}`n_domains` domains
#   (`distillation.teacher.impatient_domains`) it always stops after
#   {glue:text}`impatient_lines` lines (`impatient_lines`) and answers the partial sum: a wrong
#   trace whenever numbers were left. In the other domains it finishes every sum.
# - **Final checks.** After a finished sum, in any domain, it may check that nothing is left to
#   add ("Wait, 42+0=42"), with chance {glue:text}`p_final_check` (`p_final_check`), and again with
#   the same chance after each check. That is less often than not, so a model that copies its
#   most likely choice does not check on its own.
# - **Broken traces.** A few traces are broken on purpose (an API error, a truncated trace, junk
#   characters) so that the quality filter of chapter 3 has work to do.
#
# A note on units: the tiny tokenizer works like Qwen's, at a tiny scale. Every digit, letter and
# symbol is its own token, while a word of the tiny world ("Wait", "total", "Coins") is one
# token. A line such as "{glue:text}`example_line`" is {glue:text}`example_line_tokens` tokens,
# and the thinking of a finished {glue:text}`long_terms`-term sum is about
# {glue:text}`long_sum_tokens` tokens (the median).

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

# %% [markdown]
# ## The traces in numbers
# `wait` is the string budget forcing appends (`evaluation.ignore_str`); the table counts it in
# every trace.

# %%
from s1kit.report import traces as trace_report

wait = run.profile.evaluation.ignore_str
traces = pipeline.distillation(run)
table = trace_report.trace_table(traces, wait)

# %% tags=["tiny-world"]
trace_report.describe_traces(table, ["difficulty", "trace_chars", "waits"])

# %% tags=["paper-scale"]
trace_report.describe_traces(table, ["trace_chars", "waits"])

# %% tags=["remove-cell"]
glue("traces_total", book.plain(len(traces)), display=False)

# %% tags=["remove-cell", "tiny-world"]
# The numbers of the chapter's opening: the teacher's settings, and a line's length in tokens.
from s1kit.tokenizer import load_tokenizer

teacher = run.profile.distillation.teacher
tokenizer = load_tokenizer(pipeline.base_model(run)["path"])
long_terms = int(table["difficulty"].max())
finished = [r for r in traces if r.get("difficulty") == long_terms and not r.get("broken")
            and r["domain"] not in teacher.impatient_domains]
example_line = finished[0]["trace"].split("\n")[1].removeprefix(f"{wait}, ")
long_sum_tokens = sorted(len(tokenizer.encode(r["trace"], add_special_tokens=False)) for r in finished)
glue("example_line", example_line, display=False)
book.glue_numbers({"n_impatient": len(teacher.impatient_domains), "n_domains": table["domain"].nunique(),
                   "adds_per_line": teacher.adds_per_line,
                   "impatient_lines": teacher.impatient_lines, "p_final_check": teacher.p_final_check,
                   "example_line_tokens": len(tokenizer.encode(example_line, add_special_tokens=False)),
                   "long_terms": long_terms, "long_sum_tokens": long_sum_tokens[len(long_sum_tokens) // 2],
                   "teacher_wrong_pct": trace_report.teacher_rates(traces, wait)["wrong_answer_pct"],
                   "broken_count": int((table["broken"] != "").sum())})

# %% tags=["remove-cell", "paper-scale"]
glue("wait", wait, display=False)
book.glue_numbers({"median_trace_chars": table["trace_chars"].median(), "mean_waits": table["waits"].mean(),
                   "traces_with_wait_pct": 100 * (table["waits"] > 0).mean()})

# %% [markdown] tags=["tiny-world"]
# ## What a trace looks like
# Two long sums, picked by code: one from a patient domain, finished and checked, and one from an
# impatient domain; then one trace of each broken kind. In the main world every "Wait" is the
# teacher's own word and is trained on, as the "Wait"s inside s1K's Gemini traces are. (With
# `train_on_wait: false` the teacher marks them as *forced spans*, shown in [brackets], which
# carry no loss: {py:func}`s1kit.training.tokenize_example`.)

# %% tags=["tiny-world"]
def show(record):
    print(f"Q: {record['question']}   gold: {record['answer']}   "
          f"teacher: {record['attempt']!r}   broken: {record.get('broken')}")
    trace = trace_report.mark_forced(record["trace"], record.get("forced_spans"))
    print(trace, end="\n\n")


teacher = run.profile.distillation.teacher  # the recipe's distillation.teacher settings
examples = trace_report.example_traces(traces, teacher.impatient_domains)
for habit, record in examples.items():
    print(f"--- {habit} domain ({record['domain']})")
    show(record)
for kind in ("api_error", "truncated", "ascii_junk"):
    print(f"--- broken on purpose: {kind}")
    show(next(r for r in traces if r.get("broken") == kind))

# %% tags=["remove-cell", "tiny-world"]
stopped = examples["impatient"]
glue("stop_domain", stopped["domain"], display=False)
book.glue_numbers({"stop_terms": stopped["difficulty"], "stop_attempt": int(stopped["attempt"]),
                   "stop_answer": int(stopped["answer"]),
                   # each line adds adds_per_line terms to the first one
                   "stop_left": stopped["difficulty"] - 1 - teacher.adds_per_line * teacher.impatient_lines})

# %% [markdown] tags=["tiny-world"]
# The impatient trace is the habit the whole book turns on. The question has
# {glue:text}`stop_terms` terms; the teacher wrote {glue:text}`impatient_lines` lines, stopped
# with {glue:text}`stop_left` of them still to add, and answered the partial sum,
# {glue:text}`stop_attempt`, where the gold answer is {glue:text}`stop_answer`. A model fine-tuned
# on such traces (chapter 4) learns to stop there too, and so stops some long sums too early.
# Budget forcing (chapter 5) suppresses that stop and appends "Wait": the model then writes the
# next line of the sum, and can reach the right total.

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

# %% tags=["remove-cell", "tiny-world"]
# Figures are drawn in hidden cells: one drawn in a shown cell would also appear as its output.
from s1kit.report.figures import count_figure

book.glue_figure("fig_waits", count_figure(table, "waits", title="Waits per trace", xlabel="Waits in the trace",
                                           ylabel="traces"))

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_waits
# :alt: Bar chart: how many teacher traces contain zero, one, two or more Wait continuations.
# How many "Wait"s the teacher's traces contain.
# ```
#
# ## Summary
# - {glue:text}`traces_total:,` traces; {glue:text}`teacher_wrong_pct`% end with a wrong answer
#   (most of them because the teacher stopped early in an impatient domain) and
#   {glue:text}`broken_count:,` are broken on purpose.
# - Each contrast world of chapter 7, *When does "Wait" help?*, changes one teacher setting.

# %% tags=["remove-cell", "paper-scale"]
# Figures are drawn in hidden cells: one drawn in a shown cell would also appear as its output.
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
left.hist(table["trace_chars"], bins=30)
left.set_xlabel("trace length (characters)")
left.set_ylabel("traces")
right.hist(table["waits"], bins=range(0, int(table["waits"].max()) + 2))
right.set_xlabel(f'"{wait}"s per trace')
right.set_ylabel("traces")
fig.tight_layout()
book.glue_figure("fig_trace_lengths", fig)
quarters = trace_report.trace_table(traces, wait).assign(quarter=lambda t: t["trace_chars"].rank(method="first", pct=True))
short_waits = quarters.loc[quarters["quarter"] <= 0.25, "waits"].mean()
long_waits = quarters.loc[quarters["quarter"] > 0.75, "waits"].mean()
book.glue_numbers({"ex_short_quarter_waits": short_waits, "ex_long_quarter_waits": long_waits})
# the conclusion follows this run's numbers, not the expectation
glue("ex_quarter_why", f'A reasoning model\'s "{wait}" opens a check or a new attempt, and here the long traces are '
     "the ones with more of them." if long_waits > short_waits + 0.05 else
     "In this run length does not go with more of them: its traces grow longer for other reasons.", display=False)

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_trace_lengths
# :alt: Two histograms: the traces' lengths in characters, and how many times each trace writes the extension string.
# The traces of this run: their lengths (left) and how often each writes "{glue:text}`wait`" (right),
# the string budget forcing appends (`evaluation.ignore_str`).
# ```
#
# ## Summary
# - {glue:text}`traces_total:,` traces, {glue:text}`median_trace_chars` characters long at the median;
#   {glue:text}`traces_with_wait_pct`% of them write "{glue:text}`wait`" at least once,
#   {glue:text}`mean_waits` times per trace on average.
# - s1 did not filter its traces for a right answer (Section 2.1), and nothing in this chapter
#   grades them.
#
# ## Exercises
# 1. **Longer traces, more "Wait"s?** Predict how the mean number of "{glue:text}`wait`"s in the
#    longest quarter of this run's traces compares with the shortest quarter.
#
# ```{admonition} Solution (computed from this run)
# :class: dropdown
# 1. The longest quarter writes it {glue:text}`ex_long_quarter_waits` times per trace on average,
#    the shortest {glue:text}`ex_short_quarter_waits`. {glue:text}`ex_quarter_why`
# ```

# %% tags=["remove-cell", "tiny-world"]
# The knobs' reference outcomes: the teacher rerun in memory (the stage's own call, seconds) with
# each knob turned, and counted as above.
import dataclasses

knob_check = 0.8
patient = trace_report.rerun_teacher(traces, dataclasses.replace(teacher, impatient_domains=[]), run.profile.seed)
checking = trace_report.rerun_teacher(traces, dataclasses.replace(teacher, p_final_check=knob_check), run.profile.seed)
book.glue_numbers({"ex_knob_check": knob_check, **trace_report.teacher_knob_numbers(traces, patient, checking, wait)})

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `distillation.teacher.impatient_domains`.** Empty the list. Predict the share of
#    traces that end with a wrong answer (this run: {glue:text}`teacher_wrong_pct`%).
# 2. **Knob: `distillation.teacher.p_final_check`.** Raise it from {glue:text}`p_final_check` to
#    {glue:text}`ex_knob_check`. Predict the mean number of "Wait"s per trace and the traces' mean
#    length in characters.
#
# ```{admonition} Solutions (computed from this run: the teacher rerun with the knob turned)
# :class: dropdown
# 1. {glue:text}`ex_patient_wrong_pct`% of the traces end wrong, against {glue:text}`ex_wrong_pct`%
#    in this run. Every intact trace now finishes its sum; what is left are the broken traces that
#    carry no answer at all (an API error or a truncated trace).
# 2. {glue:text}`ex_checking_mean_waits` "Wait"s per trace on average (this run:
#    {glue:text}`ex_mean_waits`), and {glue:text}`ex_checking_mean_chars` characters per trace
#    (this run: {glue:text}`ex_mean_chars`). Each check adds a line "Wait, 42+0=42", and after
#    each check another follows with the knob's chance, so a higher chance adds many lines: but
#    only to finished sums, since an impatient trace stops before it could check.
# ```

# %% [markdown]
# ## Check yourself
# 1. s1 trained on traces whose final answers are often wrong. What can a student model still
#    learn from such a trace?
#
# ```{admonition} Answer
# :class: dropdown
# The way the teacher reasons: how it lays out its steps, when it checks, how long it thinks and
# how it ends. The final answer is a small part of a long trace. It also learns the teacher's
# bad habits: in the tiny world, the stop after a few lines in the impatient domains, which
# budget forcing later repairs.
# ```
#
# 2. What is a *pause* in a trace, and why does budget forcing care about it?
#
# ```{admonition} Answer
# :class: dropdown
# A place where the thinking could end: in the tiny world a line end, in a real model any point
# where it may write the end-of-thinking delimiter. Budget forcing acts exactly there: it ends
# the thinking early when a budget runs out, or suppresses the end and appends "Wait" so that the
# model goes on (chapter 5).
# ```
#
# 3. Why does this chapter count how often the traces write "Wait"?
#
# ```{admonition} Answer
# :class: dropdown
# "Wait" is the word budget forcing appends. A model that saw "Wait" followed by more reasoning in
# its training data has learnt what to write after one, so a forced "Wait" leads somewhere.
# Chapter 7 tests this by changing what follows "Wait" in the traces, or removing the word.
# ```
