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
# # 1. Sourcing: a question pool, a test set and a base model
#
# **After this chapter you can**
# - name the three things s1 starts from (a question pool, held-out benchmarks and a base model)
#   and say where this run got each of them;
# - explain why no held-out question may reach the training data;
# - say what the base model does when it must answer at once, with no thinking phase, and why
#   that answer is the baseline every later chapter measures against;
# - find each of the three in a run directory, where the next chapters reuse them.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% tags=["remove-cell"]
from s1kit import paper

book.glue_numbers({"paper_pool": paper.POOL_SIZE, "paper_selected": paper.SELECTED})

# %% [markdown]
# **Paper, Section 2.1** {cite:p}`muennighoff2025s1`. s1 starts from {glue:text}`paper_pool:,`
# questions gathered from 16 sources: public sets such as NuminaMATH, OlympicArena and AGIEval,
# and two sets the authors wrote themselves (s1-prob, probability questions from Stanford's
# statistics PhD qualifying exams, and s1-teasers, brain-teasers from quantitative-trading
# interviews). Later stages cut this pool down to the {glue:text}`paper_selected:,` questions of
# {doc}`s1K <../glossary>`. The model being fine-tuned is Qwen2.5-32B-Instruct
# {cite:p}`qwen2025qwen25`: a capable instruct model that does not think in s1's format. Its
# results are measured on benchmarks kept out of all training (AIME24, MATH500 and GPQA Diamond).

# %% [markdown] tags=["tiny-world"]
# **This chapter** builds the same three ingredients. In the tiny profile everything is
# generated on your machine from a seed:
#
# - a *pool* of running-sum problems in {glue:text}`n_domains` domains and {glue:text}`n_sources`
#   sources ({py:mod}`s1kit.tiny.world`, {py:func}`s1kit.tiny.world.tiny_pool`);
# - a *held-out test set* of longer problems, the analogue of AIME24, and a second held-out set,
#   the {doc}`dev split <../glossary>`, on which later chapters make their choices;
# - a *base model*: a Qwen2 of {glue:text}`base_parameters:,` parameters, trained from scratch
#   on an instruct-style corpus ({py:mod}`s1kit.tiny.instruct`, {py:func}`s1kit.pipeline.base_model`).
#
# At GPU scale the same stage functions load the paper's datasets and Qwen with `datasets` and
# `transformers` {cite:p}`wolf2020transformers` instead ({py:func}`s1kit.sources.hub_pool`).

# %% [markdown] tags=["paper-scale"]
# **This chapter** loads the same three ingredients from the Hugging Face Hub, as the profile
# names them ({py:func}`s1kit.sources.hub_pool`): the question pool, the held-out benchmarks (the
# test set) and the base model's checkpoint, with `datasets` and `transformers`
# {cite:p}`wolf2020transformers`.

# %% [markdown]
# ## The pool and the test set
# {py:func}`s1kit.pipeline.sourcing` runs this stage (or reuses its cached result). The variables
# `run` (the open run directory) and `pipeline` come from the chapter's first, hidden cell:
# `run = book.open_chapter(profile, runs_root)`.

# %% [markdown] tags=["tiny-world"]
# Each problem asks for the total of a list of numbers. The number of terms is the difficulty:
# written one line at a time, a long sum is easy for a small transformer; answered at once, it
# is not (this chapter's exercise and chapter 5 measure this).

# %%
data = pipeline.sourcing(run)
pool, test = data["pool"], data["test"]
pool[0], test[0]

# %% tags=["remove-cell"]
glue("pool_size", book.plain(len(pool)), display=False)
glue("test_size", book.plain(len(test)), display=False)
glue("dev_size", book.plain(len(data["dev"])), display=False)

# %% tags=["tiny-world"]
import pandas as pd

frame = pd.DataFrame(pool)
frame.groupby("domain").size().rename("questions").to_frame().T

# %% tags=["remove-cell", "tiny-world"]
# Figures are drawn in hidden cells: one drawn in a shown cell would also appear as its output.
from s1kit.report.figures import count_figure

book.glue_figure("fig_pool_difficulty", count_figure(frame, "difficulty", hue="source", xlabel="number of terms",
                                                     title="Pool: questions per number of terms"))
book.glue_numbers({"n_domains": frame["domain"].nunique(), "n_sources": frame["source"].nunique(),"test_min_terms": min(t["difficulty"] for t in test),
                   "test_max_terms": max(t["difficulty"] for t in test),
                   "contest_size": int((frame["source"] == "contest").sum())})

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_pool_difficulty
# :alt: Bar chart: number of pool questions for each number of terms, coloured by source.
# The tiny pool by number of terms, coloured by source. `contest` is the small hard source
# ({glue:text}`contest_size:,` questions, all as long as the held-out ones: the short bars) whose
# questions Algorithm 1 takes first in chapter 3, as the paper takes its AIME and GPQA questions.
# ```
#
# The pool has {glue:text}`pool_size:,` questions (the table above counts them by domain); the
# held-out test set has {glue:text}`test_size:,` problems with {glue:text}`test_min_terms` to
# {glue:text}`test_max_terms` terms, and the dev split {glue:text}`dev_size:,` more of the same
# kind.

# %% tags=["paper-scale"]
import pandas as pd

frame, held_out = pd.DataFrame(pool), pd.DataFrame(test)
held_out.groupby(["benchmark", "source"]).size().rename("questions").to_frame()

# %% tags=["remove-cell", "paper-scale"]
from s1kit.report.figures import count_figure

book.glue_figure("fig_test_benchmarks", count_figure(held_out, "benchmark", xlabel="benchmark",
                                                     title="Held-out set: questions per benchmark"))
book.glue_numbers({"pool_sources": frame["source"].nunique(), "test_benchmarks": held_out["benchmark"].nunique()})

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_test_benchmarks
# :alt: Bar chart: number of held-out questions in each benchmark.
# The held-out set of this run, by benchmark. Each benchmark is graded and reported on its own.
# ```
#
# The pool has {glue:text}`pool_size:,` questions from {glue:text}`pool_sources` sources; the
# held-out set has {glue:text}`test_size:,` questions from {glue:text}`test_benchmarks`
# benchmarks (the table above names the dataset each comes from). The pool by domain and by its
# largest sources:

# %% tags=["paper-scale"]
from IPython.display import display

display(frame.groupby("domain").size().rename("questions").to_frame().T)
frame["source"].value_counts().head(10).rename("questions").rename_axis("source").to_frame()

# %% [markdown]
# ## The base model

# %% [markdown] tags=["tiny-world"]
# A stand-in for an instruct model: it has seen the chat format, it can add step by step when
# asked to "show your work" (ending with "Final Answer: 42"), and it answers a plain question
# in one line ("Answer: 42"). In its training corpus that one-line answer is exact for up to
# {glue:text}`ex_glance_terms` numbers and a glance for longer lists (the first four added, about five for each of the rest;
# {py:func}`s1kit.tiny.instruct.glance_answer`); how much of that the model learnt is this
# chapter's first exercise. It has never seen a thinking delimiter. Asked a long question
# plainly, it answers at a glance, in a few tokens, so its answers are never cut off by the
# answer budget (chapter 6's summary counts them: the base model's cut-off rate), and they are
# right only by luck. It is trained with trl {cite:p}`vonwerra2020trl`, like the fine-tune of
# chapter 4.

# %% [markdown] tags=["paper-scale"]
# The base model is the checkpoint the profile names, loaded as it is: nothing is trained in this
# stage. Its answers below are the evaluation stage's (chapter 5): each held-out question asked
# plainly, with no {doc}`thinking phase <../glossary>`.

# %%
base = pipeline.base_model(run)

# %% tags=["tiny-world"]
from s1kit.report import training as training_report

training_report.summary_table(base["report"])

# %% tags=["remove-cell", "tiny-world"]
from s1kit.modeling import count_parameters, load_model

book.glue_figure("fig_base_loss", training_report.loss_figure({"base model": base["report"]}))
book.glue_numbers({"base_parameters": count_parameters(load_model(base["path"]))})

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_base_loss
# :alt: Line chart on a log scale: the base model's training loss at each logged optimizer step, falling steeply then slowly.
# The base model's training loss (log scale) at every logged step, on its chat corpus.
# ```
#
# Asked four held-out questions plainly, with no {doc}`thinking phase <../glossary>`:

# %% tags=["tiny-world"]
from s1kit.chat import ChatFormat
from s1kit.evaluation import direct_accuracy, held_out_columns

evaluation = run.profile.evaluation
engine = pipeline.engine_for(run, base["path"], batch_size=evaluation.batch_size)
chat = ChatFormat.from_tokenizer(engine.tokenizer)
sample = test[:4]
questions, answers, benchmarks = held_out_columns(sample, evaluation.benchmark)
# answer_directly: the plain chat prompt, no thinking phase, at most base_max_answer_tokens
accuracy, results, _ = direct_accuracy(engine, questions, answers,
                                       evaluation.base_max_answer_tokens, benchmarks, chat)
for t, r in zip(sample, results, strict=True):
    print(f"{t['question']:<48} gold {t['answer']:>3}   base: {r.answer_text!r}")

# %% tags=["paper-scale"]
from s1kit.jsonio import read_jsonl

print("base model:", base["path"])
answers = {row["id"]: row for row in read_jsonl(run.ensure("evaluation") / "base_generations.jsonl")}
for benchmark in held_out["benchmark"].unique():
    t = next(t for t in test if t["benchmark"] == benchmark)
    print(f"--- {benchmark} ({t['source']}), {t['id']}: gold {t['answer']!r}   correct={answers[t['id']]['correct']}")
    print(f"Q: {t['question'][:300]}")
    print(f"base model: {answers[t['id']]['answer_text'][-300:]!r}\n")

# %% [markdown] tags=["tiny-world"]
# ## Summary
# - The pool, the held-out sets and the base model are cached in `runs/<profile>/`; rerunning
#   this chapter reuses them unless the profile changes.
# - Asked a long question with no thinking phase, the base model is almost always wrong
#   (this chapter's first exercise measures how often; chapter 5 does it for the verdicts).

# %% [markdown] tags=["paper-scale"]
# ## Summary
# - The pool, the held-out set and the base model are cached in `runs/<profile>/` (the Hub's
#   files in its cache); rerunning this chapter reuses them unless the profile changes.
# - How often the base model answers right with no thinking phase, per benchmark: chapters 5 and 6.

# %% tags=["remove-cell", "tiny-world"]
# The first exercise's reference outcome: the held-out set drawn again with test_min_terms = 3 (the
# stage's own generator, in memory) and answered directly by the base model, as the evaluation
# stage answers the real one (its summary holds that accuracy). One-line answers of a 1M model: seconds.
import dataclasses

from s1kit.jsonio import read_json
from s1kit.tiny.world import tiny_pool


def direct(records):
    q, a, b = held_out_columns(records, evaluation.benchmark)
    return direct_accuracy(engine, q, a, evaluation.base_max_answer_tokens, b, chat)[2]


knob_terms = 3
_, knob_test, _ = tiny_pool(dataclasses.replace(run.profile.sourcing.tiny, test_min_terms=knob_terms), run.profile.seed)
knob_correct = direct(knob_test)
base_accuracy = read_json(run.ensure("evaluation") / "summary.json")["base_model_accuracy"]
glance = run.profile.base_model.corpus.direct_max_terms
short = [c for t, c in zip(knob_test, knob_correct, strict=True) if t["difficulty"] <= glance]
long = [c for t, c in zip(knob_test, knob_correct, strict=True) if t["difficulty"] > glance]
history = base["report"]["loss_history"]
first, middle, last = history[0], history[len(history) // 2], history[-1]  # the middle of the logged steps
fall = first["loss"] - last["loss"]
book.glue_numbers({"ex_knob_terms": knob_terms, "ex_glance_terms": glance, "ex_base_acc": 100 * base_accuracy,
                   "ex_knob_acc": 100 * sum(knob_correct) / len(knob_test),
                   "ex_knob_short_acc": 100 * sum(short) / len(short), "ex_knob_long_acc": 100 * sum(long) / len(long),
                   "ex_knob_short_n": len(short)})
book.glue_numbers({"ex_first_step": first["step"], "ex_first_loss": first["loss"], "ex_half_step": middle["step"],
                   "ex_half_loss": middle["loss"], "ex_last_step": last["step"], "ex_final_loss": last["loss"]}, digits=3)
book.glue_numbers({"ex_first_half_fall_pct": 100 * (first["loss"] - middle["loss"]) / fall,
                   "ex_second_half_factor": middle["loss"] / last["loss"]})
book.glue_numbers({"ex_overlap": len({p["question"] for p in pool} & {t["question"] for t in test})})

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `sourcing.tiny.test_min_terms`** (`s1kit/recipes/tiny.yaml`). Set it to
#    {glue:text}`ex_knob_terms`, so that the held-out set also holds the short sums the base
#    model's corpus answers exactly (up to {glue:text}`ex_glance_terms` terms). Predict the base
#    model's accuracy when it answers directly, against this run's {glue:text}`ex_base_acc`%.
# 2. **Reading the loss curve.** From the base model's loss curve above: how much of the loss's
#    whole fall happened by the middle of training, and by what factor did the loss still shrink
#    after it?
# 3. **Contamination.** How many held-out questions also occur in the pool, and why must none of
#    them reach s1K?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. This chapter drew that held-out set in memory and asked the base model: {glue:text}`ex_knob_acc`%
#    right, against {glue:text}`ex_base_acc`% on this run's held-out set. On its
#    {glue:text}`ex_knob_short_n` questions of at most {glue:text}`ex_glance_terms` terms it is
#    right {glue:text}`ex_knob_short_acc`% of the time, on the longer ones
#    {glue:text}`ex_knob_long_acc`%. A one-line answer, even to a short sum, is a skill this small
#    model learnt only in part, and on long sums it guesses: that is why the held-out set holds
#    only long sums, where almost every right answer must come from thinking.
# 2. The loss fell from {glue:text}`ex_first_loss` at the first logged step
#    ({glue:text}`ex_first_step`) to {glue:text}`ex_half_loss` at step {glue:text}`ex_half_step:,`
#    (the middle of the logged steps, which end at {glue:text}`ex_last_step:,`): {glue:text}`ex_first_half_fall_pct`%
#    of its whole fall. Over the rest of training it still shrank by a factor of
#    {glue:text}`ex_second_half_factor`, to {glue:text}`ex_final_loss`: on a log scale the curve
#    keeps falling, though by little in absolute terms.
# 3. {glue:text}`ex_overlap` pool questions are also held-out questions. The selection's quality
#    filter (chapter 3) drops every such question from s1K, so the model is never trained on a
#    test question.
# ```

# %% tags=["remove-cell", "paper-scale"]
book.glue_numbers({"ex_overlap": len({p["question"] for p in pool} & {t["question"] for t in test})})

# %% [markdown] tags=["paper-scale"]
# ## Exercises
# 1. **Contamination.** How many held-out questions also occur, word for word, in the pool, and why
#    must none of them reach s1K?
#
# ```{admonition} Solution (computed from this run)
# :class: dropdown
# 1. {glue:text}`ex_overlap`. A model trained on a test question can answer it from memory, which
#    measures recall, not reasoning: s1 decontaminated its pool against its evaluation sets
#    (Section 2.2).
# ```

# %% [markdown]
# ## Check yourself
# 1. A question of the held-out set also sits in the training pool, and the fine-tuned model
#    answers it right. What has been measured?
#
# ```{admonition} Answer
# :class: dropdown
# Possibly only memory: a model trained on the question (and its teacher's answer) can repeat the
# answer without reasoning. That is why s1 decontaminates its pool against the benchmarks
# (Section 2.2), and why the quality filter of chapter 3 drops every pool question that is also
# a held-out one.
# ```
#
# 2. The base model answers each held-out question at once, with no thinking phase. What does its
#    accuracy stand for in the rest of the book?
#
# ```{admonition} Answer
# :class: dropdown
# The baseline: what the model does with no extra compute at test time. Every later gain, from
# fine-tuning on s1K (chapter 4) and from budget forcing (chapters 5 and 6), is measured against
# it, as the paper sets s1 against Qwen2.5-32B-Instruct in its Table 1.
# ```
#
# 3. Why are the held-out questions the hard ones (competition problems in the paper, the longest
#    sums in the tiny world), and not a fair sample of the pool?
#
# ```{admonition} Answer
# :class: dropdown
# Extra thinking can only help where answering at once fails. On questions the base model
# already answers, accuracy sits at its ceiling whatever the budget, and a scaling curve drawn on
# them would be flat: it would show nothing about test-time scaling.
# ```
