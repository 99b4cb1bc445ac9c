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
#
# **After this chapter you can**
# - state budget forcing's five rules and follow them token by token on one question;
# - point to the code that applies them ({py:class}`s1kit.budget.ForcingState`), the same for
#   transformers and vLLM;
# - show, on a real output, a forced "Wait" turning a wrong answer into a right one, and one that
#   does the opposite;
# - read a sweep table: accuracy, thinking tokens, how often the cap fired, how many Waits were used.

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
import pandas as pd

from s1kit.report import flips, scaling
from s1kit.report.figures import forcing_diagram
from s1kit.report.summary import Summary

pd.set_option("display.max_colwidth", None)  # the rules' event texts are sentences: show them whole
results = pipeline.evaluation(run)
summary, generations = Summary.from_json(results["summary"]), results["generations"]
test = pipeline.sourcing(run)["test"]
cap_k = run.profile.evaluation.cap_sweep_num_ignore
numbers = scaling.headline(summary, cap_k)

# %% tags=["remove-cell"]
book.glue_numbers({"cap_k": cap_k, **numbers})
book.glue_figure("fig_forcing_states", forcing_diagram())

# %% [markdown] tags=["tiny-world"]
# ## One question, token by token
# {py:func}`s1kit.walkthrough.forcing_walkthrough` runs the fine-tuned model on one held-out
# question with k = 2 and no cap, and writes down every rule that acted. Below: the rows where
# something happened, then the whole output with the forced text in brackets.

# %% tags=["tiny-world"]
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
by_id = {t["id"]: t for t in test}
max_answer_tokens = run.profile.evaluation.max_answer_tokens


def walk(config: BudgetForcing, asked: dict | None = None, quiet: bool = False, from_first_event: bool = False) -> pd.DataFrame:
    """Budget forcing on one question (default: the longest), token by token; print the output with the
    forced text in [brackets] and return the rows where a rule acted (or, ``from_first_event``, every
    token from the first such row on)."""
    asked = asked or question
    rows = pd.DataFrame(forcing_walkthrough(model, tokenizer, chat.thinking_prompt(asked["question"]), config))
    marked = "".join(f"[{r.token}]" if r.chosen_by == "rule" else ("" if r.chosen_by != "model" else r.token)
                     for r in rows.itertuples())
    if not quiet:
        print(f"Q: {asked['question']}   gold answer: {asked['answer']}")
        print(marked)
    acted = rows["event"] != ""
    kept = rows.index >= acted.idxmax() if from_first_event else acted
    shown = rows[kept][["position", "phase", "token", "chosen_by", "thinking_tokens", "event"]]
    return shown.rename(columns={"position": "token #", "chosen_by": "chosen by",
                                 "thinking_tokens": "thinking tokens so far"}).set_index("token #")


walk(BudgetForcing(num_ignore=2, max_answer_tokens=max_answer_tokens, chat=chat))

# %% [markdown] tags=["tiny-world"]
# The same question with a cap of N = {glue:text}`smallest_cap` thinking tokens and no "Wait": the
# cap fires in the middle of the sum and "Final Answer:" is appended; what the model writes after
# it (a total, or more sum lines) is in the last rows.

# %% tags=["tiny-world"]
walk(BudgetForcing(max_thinking_tokens=numbers["smallest_cap"], max_answer_tokens=max_answer_tokens, chat=chat))

# %% [markdown] tags=["tiny-world"]
# ## A forced "Wait" that fixes an answer
# The sweep below decodes every held-out question at every setting
# (`results/generations.jsonl`). Comparing k = 0 with k = {glue:text}`fix_k` question by question
# ({py:func}`s1kit.report.flips.flips`): {glue:text}`fix_n_fixed` questions were wrong at k = 0 and
# right at k = {glue:text}`fix_k`, and {glue:text}`fix_n_broken` went the other way. Here is one of
# the fixed ones, picked by code ({py:func}`s1kit.report.flips.pick_fixed`: the fixed question with
# the shortest thinking), first with no forcing, then with one forced "Wait".

# %% tags=["tiny-world"]
fix_k, fixed_id = flips.fixed_example(generations, summary)
fixed_question = by_id.get(fixed_id, question)  # no fixed question: the walk shows the longest instead
walk(BudgetForcing(num_ignore=0, max_answer_tokens=max_answer_tokens, chat=chat), fixed_question)

# %% [markdown] tags=["tiny-world"]
# The same question with k = {glue:text}`fix_k`, and this time every token from the model's first
# attempt to stop to the end of the answer:

# %% tags=["tiny-world"]
walk(BudgetForcing(num_ignore=fix_k, max_answer_tokens=max_answer_tokens, chat=chat), fixed_question,
     from_first_event=True)

# %% tags=["remove-cell", "tiny-world"]
n_fixed, n_broken = (len(ids) for ids in flips.flips(generations, summary.point(None, 0), summary.point(None, fix_k)))
book.glue_numbers({"fix_k": fix_k, "fix_n_fixed": n_fixed, "fix_n_broken": n_broken})

# %% tags=["tiny-world", "remove-input"]
from IPython.display import Markdown

Markdown(flips.fix_reading(generations, summary, test))

# %% [markdown] tags=["tiny-world"]
# In this world the unforced model stops too early because its teacher, in some kinds of problem,
# stops after three lines (chapter 2); after "Wait" its training traces go on with the next line
# of the sum. So a forced "Wait" spends its extra thinking tokens on the work that was missing.
#
# ## And one that goes the other way
# Forcing is not free. The first k of the sweep that turned a right answer wrong, and one such
# question ({py:func}`s1kit.report.flips.pick_broken`), as the evaluation recorded it:

# %% tags=["tiny-world"]
broken = flips.pick_broken(generations, summary)
if broken is not None:
    broken_k, broken_id = broken
    print(f"Q: {by_id[broken_id]['question']}   gold answer: {by_id[broken_id]['answer']}")
    for k in (0, broken_k):
        g = flips.at_point(generations, summary.point(None, k))[broken_id]
        print(f"\n--- k={k}: {g['thinking_tokens']} thinking tokens, {g['ignores_used']} ends suppressed, "
              f"correct: {g['correct']}")
        print(g["thinking"].strip() + "\n" + g["answer_text"].strip())

# %% tags=["tiny-world", "remove-input"]
Markdown(flips.broken_reading(generations, summary))

# %% [markdown] tags=["tiny-world"]
# Chapter 6 counts, for every k, how many questions forcing fixed and how many it broke, and reads
# the broken ones.

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
scaling.shown_table(summary.points)

# %% [markdown] tags=["tiny-world"]
# ## Extending thinking: suppress the end k times
# With k = 0 the model stops on its own. It learned from its teacher to stop after three lines,
# and it stops there on some sums that have numbers left. Each forced "Wait" gives it room for
# more lines; the table says whether that helps, and the table by number of terms further down
# says where.

# %% [markdown] tags=["paper-scale"]
# ## Extending thinking: suppress the end k times
# With k = 0 the model stops on its own; each forced "Wait" makes it go on. The table says what that
# does to accuracy and to the length of thinking; the table per benchmark below says where.

# %%
scaling.shown_table(list(summary.uncapped().values()))

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
scaling.shown_table(summary.cap_curve(cap_k))

# %% tags=["remove-cell"]
caps = scaling.cap_points(summary, cap_k)
book.glue_numbers({"smallest_cap_fired": 100 * caps.iloc[0]["cap_fired_rate"]})

# %% [markdown] tags=["tiny-world"]
# ## Where forcing helps: accuracy by number of terms
# Accuracy (%) at k = 0 and at the k chosen on the dev split, for each length of sum.

# %% tags=["tiny-world"]
points = {"k=0 (%)": summary.point(None, 0),
          f"k={numbers['best_k']} (%)": summary.point(None, numbers["best_k"])}
by_terms = scaling.accuracy_by_difficulty(generations, test, points)
by_terms

# %% tags=["remove-cell", "tiny-world"]
short, long_ = by_terms[by_terms.index <= 7], by_terms[by_terms.index >= 8]
book.glue_numbers({"terms_short_k0": short["k=0 (%)"].min(), "terms_long_k0_max": long_["k=0 (%)"].max(),
                   "terms_long_k0_min": long_["k=0 (%)"].min(),
                   "terms_long_best_min": long_[f"k={numbers['best_k']} (%)"].min()})

# %% [markdown] tags=["tiny-world"]
# Three lines of the teacher's format add seven terms (three on the first line, two on each
# later one). So a model that stops after three lines still finishes every sum of up to seven
# terms: at k = 0 those score at least {glue:text}`terms_short_k0`%. From eight terms on, an early
# stop leaves terms unadded, and k = 0 scores between {glue:text}`terms_long_k0_min`% and
# {glue:text}`terms_long_k0_max`%; with forcing, at least {glue:text}`terms_long_best_min`%. Forcing
# helps exactly where the unforced model stopped too early.

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
#
# ## Check yourself
# 1. The model picks `<|im_end|>` while thinking, with k = 2 and both ignores already used. What
#    happens next?
#
# ```{admonition} Answer
# :class: dropdown
# Rule 3 no longer applies (no ignore is left), so thinking ends: the answer delimiter
# `<|im_start|>answer` is appended and the model writes its answer (rule 5).
# ```
#
# 2. Why does the cap count the forced "Wait" tokens as thinking tokens?
#
# ```{admonition} Answer
# :class: dropdown
# Because the cap bounds the compute spent on thinking, and a forced token costs as much as one
# the model chose. s1's reference loop counts only generated tokens; s1kit counts both, a
# difference of one token per forced "Wait".
# ```
#
# 3. What does the table per benchmark tell that the pooled summary above cannot?
#
# ```{admonition} Answer
# :class: dropdown
# Whether forcing helps on each benchmark. Pooled accuracy is dominated by the benchmark with the
# most questions (MATH500 here), so a change on AIME24's 30 questions can vanish in it.
# ```

# %% tags=["remove-cell", "tiny-world"]
# reference outcomes of the knob exercises, computed here on the walk-through's question
k4 = walk(BudgetForcing(num_ignore=4, max_answer_tokens=max_answer_tokens, chat=chat), quiet=True)
no_string = walk(BudgetForcing(num_ignore=2, ignore_str=None, max_answer_tokens=max_answer_tokens, chat=chat), quiet=True)
book.glue_numbers({
    "ex_k4_suppressed": int(k4["event"].str.startswith("end of thinking suppressed").sum()),
    "ex_k4_thinking": int(k4["thinking tokens so far"].max()),
    "ex_none_suppressed": int(no_string["event"].str.startswith("end of thinking suppressed").sum()),
    "ex_none_forced": int(no_string["event"].str.startswith("forced").sum()),
    "ex_walk_gold": int(question["answer"])})

# %% [markdown] tags=["tiny-world"]
# ## Summary
# - Base model answering directly: {glue:text}`base`%. The SFT model with no forcing (k = 0):
#   {glue:text}`k0`% (the paper, Table 1: 26.7% → 50.0% on AIME24 without budget forcing).
# - A forced "Wait" fixed {glue:text}`fix_n_fixed` questions at k = {glue:text}`fix_k` and broke
#   {glue:text}`fix_n_broken`: the model continues a sum it had stopped too early.
# - Capped at N = {glue:text}`smallest_cap` thinking tokens the SFT model scores {glue:text}`smallest_cap_acc`%:
#   {glue:text}`cap_gain` points below its own, uncapped thinking.
# - With k = {glue:text}`best_k` forced "Wait"s (chosen on the dev split, chapter 0) it scores
#   {glue:text}`best_k_acc`% on the test set, {glue:text}`wait_gain` points above k = 0.
#
# ## Check yourself
# 1. The model picks `<|im_start|>` while thinking, with k = 2 and one ignore already used. What
#    happens to that token, and what comes next?
#
# ```{admonition} Answer
# :class: dropdown
# Rule 3: an ignore is left, so the stop token is dropped, "Wait" is appended (the second ignore
# is used), and the next token may not be a stop token. Thinking goes on.
# ```
#
# 2. Why can a cap N shorter than the model's usual thinking only lower accuracy here, while a
#    forced "Wait" can raise it?
#
# ```{admonition} Answer
# :class: dropdown
# The cap cuts the running sum before its last terms and forces "Final Answer:" on a partial sum.
# A forced "Wait" gives the model room to add the terms it left out when it stopped too early;
# whether it uses that room well depends on what followed "Wait" in its training traces.
# ```
#
# 3. A forced "Wait" fixed many questions at k = 1 and broke few. Does that mean more Waits
#    are always better?
#
# ```{admonition} Answer
# :class: dropdown
# No. Once the sum is finished there is nothing left to add; each further forced "Wait" asks
# the model for another check, and past the checks its training traces held its lines drift (the
# broken example above). Chapter 6 counts fixed and broken questions for every k.
# ```
#
# ## Exercises
# 1. **Knob: `num_ignore` in the walk-through.** Call `walk(BudgetForcing(num_ignore=4, chat=chat))`.
#    Predict first: how many "end of thinking suppressed" rows appear, and how long does thinking get?
# 2. **Knob: `ignore_str`.** Call `walk(BudgetForcing(num_ignore=2, ignore_str=None, chat=chat))`
#    (suppress the end, append nothing). Which rows disappear from the table, and which stay?
# 3. **Rule 4 by hand.** With a cap of N tokens, how many thinking tokens can a question have at
#    most, and what share of questions had the cap fire at the smallest cap?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. {glue:text}`ex_k4_suppressed` rows "end of thinking suppressed": the model tries to stop
#    at least four times, and each time a "Wait" takes its place; thinking grows to
#    {glue:text}`ex_k4_thinking` tokens. Compare the answer with the gold {glue:text}`ex_walk_gold`.
# 2. The forced-"Wait" rows disappear ({glue:text}`ex_none_forced` remain); the "end of thinking
#    suppressed" rows stay ({glue:text}`ex_none_suppressed`): the stop token is still dropped, and
#    the model continues from its own last token. Chapter 12 measures what this does to accuracy.
# 3. At most N: the cap counts every thinking token, forced ones included. At N =
#    {glue:text}`smallest_cap` the cap fired for {glue:text}`smallest_cap_fired`% of the questions.
# ```
