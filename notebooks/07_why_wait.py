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
# # 7. Why does "Wait" work?
#
# **The claim.** s1's central result is that *extending* thinking raises accuracy: suppress the
# end of thinking, append "Wait", and the model re-checks and fixes its answer (AIME24 50.0% →
# 56.7%, Table 1). A cap sweep alone cannot show this. Cutting a computation short breaks it, so
# accuracy rises with the cap even if extra thinking never helps: the "scaling down" objection of
# *It's Not That Simple* (arXiv:2507.14419).
#
# **The experiment.** We train three tiny worlds through the same pipeline (same pool, same base
# model, same selection and SFT). They differ in one config switch, the teacher's style
# (`distillation.teacher.style`, {py:mod}`s1kit.tiny.teacher`):
#
# | world | at a pause with numbers left, the teacher... | after "Wait" in its traces |
# |---|---|---|
# | **continue** (main) | tries to stop; gives up (a wrong answer) or is pushed on with "Wait" | the next line of the sum, as practised as the first |
# | **no_wait** | gives up, or goes on silently to the next line | nothing: "Wait" never appears |
# | **weak_check** | never stops early; at the end may check in reverse order | a re-addition in an order rarer than the first pass, whose total becomes the answer |
#
# Budget forcing can only exploit a behaviour that the training traces contain. It cannot
# create one.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %%
from myst_nb import glue

from s1kit import pipeline
from s1kit.config import check_parameters

check_parameters(globals(), {"profile": str, "runs_root": str})
run = pipeline.open_run(profile, runs_root)

# %%
import pandas as pd

from s1kit import analysis, plots
from s1kit.tiny.teacher import TeacherConfig, write_trace
from s1kit.tiny.world import Problem

worlds = {"continue": run}
for style in ("no_wait", "weak_check"):
    worlds[style] = pipeline.world_variant(run, style)
results = {name: pipeline.evaluation(w) for name, w in worlds.items()}
summaries = {name: r["summary"] for name, r in results.items()}
cap_k = run.profile.evaluation.cap_sweep_num_ignore

# %% [markdown]
# ## What each teacher writes
# The same 8-term problem, traced by each style. Forced text, which carries no loss, is in [brackets].

# %%
import random

problem = Problem("demo", "coins", "demo", (5, 9, 3, 9, 5, 8, 3, 5))
teacher = run.profile.distillation.teacher
for style in worlds:
    config = TeacherConfig(**{**teacher.__dict__, "style": style, "p_broken": 0.0, "p_give_up": 0.0})
    trace = write_trace(problem, config, random.Random(1))
    print(f"--- {style}: answer {trace.attempt}\n{analysis.mark_forced(trace.trace, trace.forced_spans)}\n")

# %%
rates = pd.DataFrame({name: analysis.teacher_rates(pipeline.distillation(w)) for name, w in worlds.items()})
rates

# %% [markdown]
# ## The curves
# Left: accuracy as the number of forced "Wait"s grows (no cap). Right: accuracy as the thinking cap
# grows (k = {glue:text}`cap_k` Waits allowed inside the cap).

# %%
glue("cap_k", cap_k, display=False)
fig = plots.worlds_figure(summaries, cap_k)
glue("fig_worlds", fig, display=False)
analysis.ignore_table(summaries)

# %% [markdown]
# ```{glue:figure} fig_worlds
# Three worlds, one pipeline. Accuracy (%) with 95% bootstrap intervals over held-out questions.
# ```

# %%
gains = {name: analysis.wait_gains(s, range(1, 7)) for name, s in summaries.items()}
for name, g in gains.items():
    for k, v in g.items():
        glue(f"gain_{name}_{k}", round(v, 1), display=False)
pd.DataFrame(gains).round(1).rename_axis("k").add_prefix("gain vs k=0 (points): ")

# %% [markdown]
# ## Before and after forcing
# One held-out question in each world, with no forced Wait (k = 0) and with two (k = 2).

# %%
test = pipeline.sourcing(run)["test"]
for name in worlds:
    generations = results[name]["generations"]
    for k in (0, 2):
        index = analysis.point_index(summaries[name], None, k)
        g = analysis.point_examples(generations, test, index, count=1)[0]
        print(f"--- {name}, k={k}: {g['question']}  gold {g['gold']}  correct={g['correct']}")
        print(g["thinking"].strip() + "\n" + g["answer_text"].strip() + "\n")

# %% [markdown]
# ## What this says
# The verdicts below are decided by this run's numbers ({py:func}`s1kit.analysis.world_verdicts`;
# a change counts beyond 5 points).

# %%
from IPython.display import Markdown

Markdown("\n".join(f"- {line}" for line in analysis.world_verdicts(summaries)))

# %% [markdown]
# How to read them, by the design of each world:
#
# - **continue**: every time the teacher went on past a pause, the "Wait" that pushed it was
#   forced, not chosen, and carries no loss. The only choice the model ever sees at a pause is
#   *stop*, so it learns to stop at every pause, as s1 models stop thinking too early. It also
#   learns what follows "Wait": the next line, practised as much as the first. If forcing helps
#   here, this is the paper's mechanism, seen in a model small enough to read.
# - **no_wait**: the teacher's own choice at a pause is mostly to go on, so the model learns to
#   finish its sum unaided; nothing in its traces ever follows "Wait". Forcing the word can only
#   push it off the distribution it was trained on.
# - **weak_check**: the model finishes its sum. "Wait" starts a check it practised less than
#   its first pass, and the check's total becomes the answer.
# - **The cap curves** (right panel) allow up to k = 2 forced Waits inside the cap, so they mix
#   both effects: a cap shorter than the computation cuts it off, which makes every curve rise at
#   first, and once the budget is large enough the forced Waits take effect, for better or worse
#   as on the left. A rising cap curve alone therefore does not show that extra thinking helps
#   ("scaling down").
#
# The paper's "Wait" can only work when the model's traces contain productive continuations
# after a premature stop. Whether Qwen2.5-32B's s1K traces contain them is an empirical
# question. The paper's measured answer is a modest one: 50.0% → 56.7% on AIME24.
