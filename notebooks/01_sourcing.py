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
# **Paper, Section 2.1.** s1 starts from 59,029 questions gathered from 16 sources (NuminaMATH,
# OlympicArena, AGIEval, ...) plus two new sets of its own. Later stages cut this pool down to
# the 1,000 questions of s1K. The model being fine-tuned is *Qwen2.5-32B-Instruct*: a capable
# instruct model that does not think in s1's format.

# %% [markdown] tags=["tiny-world"]
# **This chapter** builds the same three ingredients. In the tiny profile everything is
# generated on your machine from a seed:
#
# - a *pool* of running-sum problems in 8 domains and 2 sources
#   ({py:mod}`s1kit.tiny.world`, {py:func}`s1kit.tiny.world.tiny_pool`);
# - a *held-out test set* of longer problems, the analogue of AIME24;
# - a *base model*: a 1M-parameter Qwen2 trained from scratch on an instruct-style corpus
#   ({py:mod}`s1kit.tiny.instruct`, {py:func}`s1kit.pipeline.base_model`).
#
# At GPU scale the same stage functions load the paper's datasets and Qwen with `datasets` and
# `transformers` instead ({py:func}`s1kit.sources.hub_pool`).

# %% [markdown] tags=["paper-scale"]
# **This chapter** loads the same three ingredients from the Hugging Face Hub, as the profile
# names them ({py:func}`s1kit.sources.hub_pool`): the question pool, the held-out benchmarks (the
# test set) and the base model's checkpoint.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% [markdown]
# ## The pool and the test set
# {py:func}`s1kit.pipeline.sourcing` runs this stage (or reuses its cached result).

# %% [markdown] tags=["tiny-world"]
# Each problem asks for the total of a list of numbers. The number of terms is the difficulty:
# written one line at a time, a long sum is easy for a small transformer; answered at once, it
# is not (chapter 5 measures this).

# %% tags=["tiny-world"]
data = pipeline.sourcing(run)
pool, test = data["pool"], data["test"]
glue("pool_size", book.plain(len(pool)), display=False)
glue("test_size", book.plain(len(test)), display=False)
book.glue_numbers({"test_min_terms": min(t["difficulty"] for t in test), "test_max_terms": max(t["difficulty"] for t in test)})
pool[0], test[0]

# %% tags=["paper-scale"]
data = pipeline.sourcing(run)
pool, test = data["pool"], data["test"]
glue("pool_size", book.plain(len(pool)), display=False)
glue("test_size", book.plain(len(test)), display=False)
pool[0], test[0]

# %% tags=["tiny-world"]
import pandas as pd

from s1kit.report.figures import count_figure

frame = pd.DataFrame(pool)
fig = count_figure(frame, "difficulty", hue="source", title="Pool: questions per number of terms")
book.glue_figure("fig_pool_difficulty", fig)
frame.groupby("domain").size().rename("questions").to_frame().T

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_pool_difficulty
# :alt: Bar chart: number of pool questions for each number of terms, coloured by source.
# The tiny pool by number of terms. `contest` is the small hard source that Algorithm 1 takes whole.
# ```
#
# The pool has {glue:text}`pool_size` questions; the held-out set has {glue:text}`test_size`
# problems with {glue:text}`test_min_terms` to {glue:text}`test_max_terms` terms.

# %% tags=["paper-scale"]
import pandas as pd

from s1kit.report.figures import count_figure

frame, held_out = pd.DataFrame(pool), pd.DataFrame(test)
book.glue_numbers({"pool_sources": frame["source"].nunique(), "test_benchmarks": held_out["benchmark"].nunique()})
book.glue_figure("fig_test_benchmarks", count_figure(held_out, "benchmark", title="Held-out set: questions per benchmark"))
held_out.groupby(["benchmark", "source"]).size().rename("questions").to_frame()

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_test_benchmarks
# :alt: Bar chart: number of held-out questions in each benchmark.
# The held-out set of this run, by benchmark. Each benchmark is graded and reported on its own.
# ```
#
# The pool has {glue:text}`pool_size` questions from {glue:text}`pool_sources` sources; the held-out
# set has {glue:text}`test_size` questions from {glue:text}`test_benchmarks` benchmarks (the table
# above names the dataset each comes from). The pool by domain and by its largest sources:

# %% tags=["paper-scale"]
from IPython.display import display

display(frame.groupby("domain").size().rename("questions").to_frame().T)
frame["source"].value_counts().head(10).rename("questions").to_frame()

# %% [markdown]
# ## The base model

# %% [markdown] tags=["tiny-world"]
# A stand-in for an instruct model: it has seen the chat format, it can add step by step when
# asked to "show your work" (ending with "Final Answer: 42"), and it answers a plain question
# in one line ("Answer: 42"): exactly for up to four numbers, at a glance for longer lists (the
# first four added, about five for each of the rest; {py:func}`s1kit.tiny.instruct.glance_answer`).
# It has never seen a thinking delimiter. Asked a long question plainly, it answers at a glance,
# in a few tokens, so its answers are never cut off by the answer budget (chapter 6's summary
# counts them: `base_model_cut_off_rate`), and they are right only by luck.

# %% [markdown] tags=["paper-scale"]
# The base model is the checkpoint the profile names, loaded as it is: nothing is trained in this
# stage. Its answers below are the evaluation stage's (chapter 5): each held-out question asked
# plainly, with no thinking phase.

# %%
from s1kit.report import training as training_report

base = pipeline.base_model(run)
if base["report"]:
    report = base["report"]
    glue("base_steps", book.plain(report["steps"]), display=False)
    glue("base_tokens_per_s", book.plain(round(report["tokens_per_s"])), display=False)
    fig = training_report.loss_figure({"base model": report})
    book.glue_figure("fig_base_loss", fig)
    print({k: report[k] for k in ("examples", "steps", "train_tokens", "wall_s", "tokens_per_s")})

# %% tags=["tiny-world"]
from s1kit.chat import ChatFormat
from s1kit.evaluation import direct_accuracy, held_out_columns

engine = pipeline.engine_for(run, base["path"], batch_size=run.profile.evaluation.batch_size)
sample = test[:4]
questions, answers, benchmarks = held_out_columns(sample, run.profile.evaluation.benchmark)
accuracy, results, _ = direct_accuracy(engine, questions, answers, run.profile.evaluation.base_max_answer_tokens,
                                       benchmarks, ChatFormat.from_tokenizer(engine.tokenizer))
for t, r in zip(sample, results, strict=True):
    print(f"{t['question']:<50} gold {t['answer']:>4}   base model: {r.answer_text!r}")

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
# - The pool, the held-out set and the base model are cached in `runs/<profile>/`; rerunning
#   this chapter reuses them unless the profile changes.
# - Asked a long question with no thinking phase, the base model is almost always wrong. Chapter 5
#   measures exactly how often.

# %% [markdown] tags=["paper-scale"]
# ## Summary
# - The pool, the held-out set and the base model are cached in `runs/<profile>/` (the Hub's
#   files in its cache); rerunning this chapter reuses them unless the profile changes.
# - How often the base model answers right with no thinking phase, per benchmark: chapters 5 and 6.

# %% tags=["remove-cell", "tiny-world"]
losses = training_report.loss_milestones(base["report"])
book.glue_numbers({"ex_half_step": losses["half_step"], "ex_half_loss": losses["half_loss"],
                   "ex_final_loss": losses["final_loss"],
                   "ex_overlap": len({p["question"] for p in pool} & {t["question"] for t in test})}, digits=3)

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `base_model.train.max_steps`** (`s1kit/recipes/tiny.yaml`). Halve it. Predict the base
#    model's final training loss before rerunning, using the loss curve above.
# 2. **Contamination.** How many held-out questions also occur in the pool, and why must none of
#    them reach s1K?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. Halfway, at step {glue:text}`ex_half_step`, this run's loss was {glue:text}`ex_half_loss`; at its
#    last logged step it was {glue:text}`ex_final_loss`. A run of half the steps decays its learning rate sooner,
#    so expect a final loss between the two.
# 2. {glue:text}`ex_overlap` pool questions are also held-out questions. The selection's quality
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
