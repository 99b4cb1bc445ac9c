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
# # 5. Budget forcing
#
# **Paper, Section 3.1.** Budget forcing controls how long the model thinks, at test time and
# with no training:
#
# - **Cap** (maximum): when thinking reaches N tokens, append the end-of-thinking delimiter
#   and "Final Answer:", forcing an answer.
# - **Extend** (minimum): when the model tries to end its thinking, suppress the delimiter
#   and append "Wait". The model keeps reasoning; in the paper's traces it often checks and
#   fixes its answer.

# %% [markdown] tags=["tiny-world"]
# **This chapter** first teaches the rules on one question, token by token, then sweeps both
# knobs over the held-out set with {py:func}`s1kit.budget.budget_force`.

# %% [markdown] tags=["paper-scale"]
# **This chapter** states the rules, shows what they did to one question of each benchmark in this
# run's evaluation, then sweeps both knobs over the held-out set with
# {py:func}`s1kit.budget.budget_force`.

# %% [markdown]
# ## The rules
# The s1kit implementation ({py:class}`s1kit.budget.ForcingState`) follows s1's reference code:
#
# 1. **Prompt.** The chat template with the question, then the assistant turn opened with the
#    thinking delimiter `<|im_start|>think`.
# 2. **Thinking.** The model writes freely until it picks a *stop token* (`<|im_start|>`, which
#    begins the answer delimiter, or `<|im_end|>`, or eos), or until the thinking budget is spent.
# 3. **Ignore** (`num_ignore = k`). If the model picks a stop token while fewer than k ignores were
#    used, the stop token is dropped, "Wait" is appended and thinking goes on; the next token may
#    not be a stop token.
# 4. **Cap** (`max_thinking_tokens = N`). Thinking never exceeds N tokens, forced "Wait"s
#    included. When the cap is reached, `\n<|im_start|>answer\nFinal Answer:` is appended; when
#    the model stops by itself, only `<|im_start|>answer`.
# 5. **Answer.** The model writes the answer until `<|im_end|>` or `max_answer_tokens`.
#
# ```{glue:figure} fig_forcing_states
# :alt: State diagram with three states, THINK, ANSWER and DONE. THINK loops to itself when the model picks a stop token and ignores are left; it goes to ANSWER when the model stops with no ignores left, or when thinking reaches the cap; ANSWER goes to DONE at the end of turn or at the answer limit.
# The state machine each prompt runs through. The engines only decode; every token they produce
# goes through it.
# ```

# %% [markdown] tags=["tiny-world"]
# **A word on the outputs below.** In the tiny world every digit and symbol is a token and a word
# ("Wait") is one token, as in Qwen's tokenizer; a trace is a running sum written two additions
# per line (`12+3=15+4=19`). Printed raw, with the chat delimiters,
# a trace looks terse; it is the whole computation, not garbled text.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%

from s1kit.report import scaling
from s1kit.report.figures import forcing_diagram
from s1kit.report.summary import Summary

results = pipeline.evaluation(run)
summary, generations = Summary.from_json(results["summary"]), results["generations"]
test = pipeline.sourcing(run)["test"]
cap_k = run.profile.evaluation.cap_sweep_num_ignore
numbers = scaling.headline(summary, cap_k)
book.glue_numbers({"cap_k": cap_k, **numbers})
book.glue_figure("fig_forcing_states", forcing_diagram())

# %% [markdown] tags=["tiny-world"]
# ## One question, token by token
# {py:func}`s1kit.walkthrough.forcing_walkthrough` runs the fine-tuned model on one held-out
# question with k = 2 and no cap, and writes down every rule that acted. Below: the rows where
# something happened, then the whole output with the forced text in brackets.

# %% tags=["tiny-world"]
import pandas as pd
from IPython.display import Code

from s1kit.budget import BudgetForcing, ForcingState
from s1kit.chat import ChatFormat
from s1kit.modeling import load_model
from s1kit.tokenizer import load_tokenizer
from s1kit.walkthrough import forcing_walkthrough

sft_path = pipeline.sft(run)["path"]
model, tokenizer = load_model(sft_path), load_tokenizer(sft_path)
chat = ChatFormat.from_tokenizer(tokenizer)
question = max(test, key=lambda t: (t["difficulty"], t["id"]))  # one of the longest held-out sums


def walk(config: BudgetForcing) -> pd.DataFrame:
    rows = pd.DataFrame(forcing_walkthrough(model, tokenizer, chat.thinking_prompt(question["question"]), config))
    marked = "".join(f"[{r.token}]" if r.chosen_by == "rule" else ("" if r.chosen_by != "model" else r.token)
                     for r in rows.itertuples())
    print(f"Q: {question['question']}   gold answer: {question['answer']}")
    print(marked)
    return rows[rows["event"] != ""][["position", "phase", "token", "chosen_by", "thinking_tokens", "event"]]


walk(BudgetForcing(num_ignore=2, max_answer_tokens=run.profile.evaluation.max_answer_tokens, chat=chat))

# %% [markdown] tags=["tiny-world"]
# The same question with a cap of N = {glue:text}`smallest_cap` thinking tokens and no "Wait": the
# cap fires in the middle of the sum and "Final Answer:" is appended; what the model writes after
# it (a total, or more sum lines) is in the last rows.

# %% tags=["tiny-world"]
walk(BudgetForcing(max_thinking_tokens=numbers["smallest_cap"], max_answer_tokens=run.profile.evaluation.max_answer_tokens,
                   chat=chat))

# %% [markdown] tags=["paper-scale"]
# ## One question, three settings
# One held-out question of each benchmark as the evaluation stage answered it: with no forcing
# (k = 0), with the most forced "Wait"s of the sweep, and capped at the smallest cap. Long texts are
# shortened in the middle ([...]); the counts come from each output's record in
# `results/generations.jsonl`.

# %% tags=["paper-scale"]
from IPython.display import Code  # noqa: F811 (imported by the tiny world's walk-through at the other scale)

from s1kit.budget import ForcingState  # noqa: F811


def shorten(text: str, keep: int = 300) -> str:
    return text if len(text) <= 2 * keep + 20 else f"{text[:keep]}[... {len(text) - 2 * keep:,} characters ...]{text[-keep:]}"


uncapped = summary.uncapped()
settings = {"k=0, no cap": uncapped[0], f"k={max(uncapped)}, no cap": uncapped[max(uncapped)]}
if summary.caps(cap_k):
    settings[f"N={numbers['smallest_cap']}, k={cap_k}"] = summary.caps(cap_k)[0]
for benchmark in dict.fromkeys(t["benchmark"] for t in test):
    question = next(t for t in test if t["benchmark"] == benchmark)
    print(f"=== {benchmark} ({question['id']}): {shorten(question['question'], 200)}\n    gold answer: {question['answer']}")
    for name, point in settings.items():
        g = next(g for g in generations if g["point"] == point.index and g["id"] == question["id"])
        print(f"--- {name}: {g['thinking_tokens']} thinking tokens, {g['ignores_used']} ends suppressed, "
              f"cap fired: {g['cap_fired']}, correct: {g['correct']}")
        print(shorten(g["thinking"]) + "|" + shorten(g["answer_text"], 150), end="\n\n")

# %% [markdown]
# ## The code that decides
# Rule 3 and rule 4 are these two methods of {py:class}`s1kit.budget.ForcingState`; both engines,
# transformers and vLLM, call them for every token.

# %%
import inspect

Code(inspect.getsource(ForcingState.request_stop) + "\n" + inspect.getsource(ForcingState.accept), language="python")

# %% [markdown]
# ## Every sweep point
# Each row is one setting run over the whole held-out set and graded by exact match; the base
# model answers the same questions directly, with no thinking phase.

# %%
frame = scaling.sweep_frame(summary)
frame[["label", "accuracy", "ci_low", "ci_high", "mean_thinking_tokens", "cap_fired_rate", "mean_ignores_used", "n"]]

# %% [markdown] tags=["tiny-world"]
# ## Extending thinking: suppress the end k times
# With k = 0 the model stops on its own. It learned from its teacher to stop after three lines,
# and it stops there on some sums that have numbers left. Each forced "Wait" gives it room for
# more lines; the table says whether that helps, and the table by number of terms below says
# where.

# %% [markdown] tags=["paper-scale"]
# ## Extending thinking: suppress the end k times
# With k = 0 the model stops on its own; each forced "Wait" makes it go on. The table says what that
# does to accuracy and to the length of thinking; the table per benchmark below says where.

# %%
ignores = scaling.ignore_points(summary)
ignores[["num_ignore", "accuracy", "ci_low", "ci_high", "mean_thinking_tokens"]]

# %% tags=["tiny-world"]
longest = scaling.longest_questions(test)
for k in (0, 1, 2):
    for g in scaling.point_examples(generations, longest, summary.point(None, k), count=1):
        print(f"k={k}  Q: {g['question']}  gold {g['gold']}  correct={g['correct']}")
        print(g["thinking"] + "|" + g["answer_text"], end="\n\n")

# %% [markdown] tags=["tiny-world"]
# ## Capping thinking: at most N tokens
# The cap sweep caps the model's own thinking (k = {glue:text}`cap_k` forced "Wait"s); a cap shorter
# than the computation cuts it off, and the forced "Final Answer:" then reads a partial sum.

# %% [markdown] tags=["paper-scale"]
# ## Capping thinking: at most N tokens
# The cap sweep caps the model's own thinking (k = {glue:text}`cap_k` forced "Wait"s); a cap shorter
# than the model's reasoning cuts it off, and the model must answer right after the forced
# "Final Answer:".

# %%
caps = scaling.cap_points(summary, cap_k)
last_k = scaling.ignore_points(summary).iloc[-1]
book.glue_numbers({"max_k": last_k["num_ignore"], "max_k_ignores": last_k["mean_ignores_used"]}, digits=2)
book.glue_numbers({"smallest_cap_fired": 100 * caps.iloc[0]["cap_fired_rate"]})
caps[["max_thinking_tokens", "accuracy", "mean_thinking_tokens", "cap_fired_rate"]]

# %% tags=["tiny-world"]
points = {"k=0": summary.point(None, 0),
          f"k={numbers['best_k']} (best on the {numbers['best_k_source']})": summary.point(None, numbers["best_k"])}
scaling.accuracy_by_difficulty(generations, test, points)

# %% tags=["paper-scale"]
points = {"base model, answering directly": None, "k=0": summary.point(None, 0),
          f"k={numbers['best_k']}": summary.point(None, numbers["best_k"])}
scaling.points_by_benchmark(summary, points)  # each benchmark on its own (summary.json's accuracy_by_benchmark)

# %% [markdown] tags=["paper-scale"]
# ## Summary
# Over all {glue:text}`n` held-out questions together (chapter 6 sets each benchmark apart):
# - Base model answering directly: {glue:text}`base`%. The SFT model with no forcing (k = 0):
#   {glue:text}`k0`%.
# - Capped at N = {glue:text}`smallest_cap` thinking tokens the SFT model scores {glue:text}`smallest_cap_acc`%:
#   {glue:text}`cap_gain` points below its own, uncapped thinking.
# - With k = {glue:text}`best_k` forced "Wait"s (chosen on the {glue:text}`best_k_source`) it scores
#   {glue:text}`best_k_acc`% on the test set, {glue:text}`wait_gain` points above k = 0.
#
# ## Exercises
# 1. **Rule 4 by hand.** With a cap of N tokens, how many thinking tokens can a question have at
#    most, and what share of questions had the cap fire at the smallest cap?
#
# ```{admonition} Solution (computed from this run)
# :class: dropdown
# 1. At most N: the cap counts every thinking token, forced ones included. At N =
#    {glue:text}`smallest_cap` the cap fired for {glue:text}`smallest_cap_fired`% of the questions.
# ```

# %% [markdown] tags=["tiny-world"]
# ## Summary
# - Base model answering directly: {glue:text}`base`%. The SFT model with no forcing (k = 0):
#   {glue:text}`k0`% (the paper, Table 1: 26.7% → 50.0% on AIME24 without budget forcing).
# - Capped at N = {glue:text}`smallest_cap` thinking tokens the SFT model scores {glue:text}`smallest_cap_acc`%:
#   {glue:text}`cap_gain` points below its own, uncapped thinking.
# - With k = {glue:text}`best_k` forced "Wait"s (chosen on the dev split, chapter 8) it scores
#   {glue:text}`best_k_acc`% on the test set, {glue:text}`wait_gain` points above k = 0.

# ## Exercises
# 1. **Knob: `num_ignore` in the walk-through.** Call `walk(BudgetForcing(num_ignore=4, ...))`.
#    Predict first: how many "end of thinking suppressed" rows appear, and does the answer change?
# 2. **Knob: `ignore_str`.** Pass `ignore_str=None` (suppress the end, append nothing). Which rows
#    disappear from the table, and which stay? Chapter 12 measures what this does to accuracy.
# 3. **Rule 4 by hand.** With a cap of N tokens, how many thinking tokens can a question have at
#    most, and what share of questions had the cap fire at the smallest cap?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. Up to four rows, one per suppressed end, as long as the model tries to stop four times; the
#    sweep's mean number of ignores used at the largest k is {glue:text}`max_k_ignores` (k =
#    {glue:text}`max_k`), so the model does not always take all of them.
# 2. The `forced 'Wait'` rows disappear; the "end of thinking suppressed" rows stay (the stop token
#    is still dropped). Chapter 12 has the accuracy.
# 3. At most N: the cap counts every thinking token, forced ones included. At N =
#    {glue:text}`smallest_cap` the cap fired for {glue:text}`smallest_cap_fired`% of the questions.
# ```
