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
# # 7. When does "Wait" help?

# %% [markdown] tags=["tiny-world"]
# **The claim.** s1's central result is that *extending* thinking raises accuracy: suppress the
# end of thinking, append "Wait", and the model re-checks and goes on (AIME24 50.0% → 56.7%,
# Table 1). A cap sweep alone cannot show this. Cutting a computation short breaks it, so
# accuracy rises with the cap even if extra thinking never helps: the "scaling down" objection of
# *It's Not That Simple* (arXiv:2507.14419). This chapter separates the two, then asks what in
# the training traces decides whether "Wait" helps.
#
# **The experiment.** Besides the main world, three contrast worlds go through the same pipeline
# (same pool, base model and difficulty verdicts; `WORLDS` in {py:mod}`s1kit.experiments.worlds`).
# Each changes one teacher setting ({py:mod}`s1kit.tiny.teacher`):
#
# | world | with numbers left, the teacher... | after a finished sum, the teacher... | what follows "Wait" in s1K |
# |---|---|---|---|
# | **main** | in an impatient domain stops after three lines (a wrong answer); elsewhere writes "Wait, " and the next line | may check, "Wait, 42+0=42" (nothing left to add) | the next line, or a check |
# | **no_wait** | the same stops; goes on silently | may check, silently | nothing: "Wait" never appears |
# | **patient** | never stops early | may check | the next line, or a check |
# | **no_checks** | the same stops as main | never checks | only the next line |

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from myst_nb import glue

from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %% [markdown] tags=["paper-scale"]
# **Not run at this scale.** This chapter's experiment is its contrast worlds: each varies one
# setting of the tiny world's programmatic teacher and runs the whole pipeline again on the traces
# it writes. A run on Hub data has no such teacher (its traces come from a dataset or a reasoning
# model), so the contrast worlds are not run on Hub data. Chapter 6 has this run's own scaling
# curves.

# %% [markdown] tags=["tiny-world"]
# ## Scaling down or scaling up?
# On the main run: how much of the accuracy range of chapter 6's figure comes from caps that cut the
# model's own thinking short (scaling down), and how much from forcing it to think longer than it
# wants to (scaling up, k chosen on the dev split)?

# %% tags=["tiny-world"]
import pandas as pd

from s1kit.report import scaling
from s1kit.report import worlds as world_report
from s1kit.report.summary import Summary
from s1kit.report.traces import mark_forced, teacher_rates

main_summary = Summary.from_json(pipeline.evaluation(run)["summary"])
cap_k = run.profile.evaluation.cap_sweep_num_ignore
best_k, _ = main_summary.best_k()
split = scaling.scaling_down_and_up(main_summary, cap_k, best_k)
book.glue_numbers({**split, "best_k": best_k})
pd.Series(split).round(1).to_frame("points or %")

# %% [markdown] tags=["tiny-world"]
# Cutting thinking short costs {glue:text}`scaling_down_points` points of accuracy; extending it
# with k = {glue:text}`best_k` forced "Wait"s changes it by {glue:text}`scaling_up_points` points (chapter 8
# gives the paired interval of that change; the verdicts below say whether it is distinguishable
# from zero). Of the whole
# range, {glue:text}`scaling_up_share_pct`% is scaling *up*, the part the paper's claim is about.
# The paper's own Figure 1 mixes both: its leftmost points are capped below the model's natural
# length.
#
# ## What each teacher writes
# The same 8-term problem, traced by each world's teacher as if it finished the sum and checked
# once, unless the world's own change says otherwise. Forced text, which carries no loss, is in
# [brackets].

# %% tags=["tiny-world"]
import dataclasses
import random

from s1kit.tiny.teacher import write_trace
from s1kit.tiny.world import Problem

problem = Problem("demo", "coins", "demo", (5, 9, 3, 9, 5, 8, 3, 5))
teacher = run.profile.distillation.teacher
shown = {"main": {}, **pipeline.WORLDS}
plain = dataclasses.replace(teacher, p_broken=0.0, p_give_up=[0.0], impatient_domains=[], p_final_check=1.0,
                            max_final_checks=1)
for name, change in shown.items():
    config = dataclasses.replace(plain, **change)  # the world's one change, on a teacher that finishes and checks once
    trace = write_trace(problem, config, random.Random(1))
    print(f"--- {name}: answer {trace.attempt}\n{mark_forced(trace.trace, trace.forced_spans)}\n")

# %% tags=["tiny-world"]
worlds = {"main": run, **{name: pipeline.world_variant(run, name) for name in run.profile.contrast_worlds}}
results = {name: pipeline.evaluation(w) for name, w in worlds.items()}
summaries = {name: Summary.from_json(r["summary"]) for name, r in results.items()}
wait = run.profile.evaluation.ignore_str
rates = pd.DataFrame({name: teacher_rates(pipeline.selection(w)["s1k"], wait) for name, w in worlds.items()})
rates

# %% [markdown] tags=["tiny-world"]
# The rates are over each world's s1K (the 1,000 selected traces the model is trained on).
#
# ## The curves
# Left: accuracy as the number of forced "Wait"s grows (no cap). Right: accuracy as the thinking cap
# grows (k = {glue:text}`cap_k`).

# %% tags=["tiny-world"]
glue("cap_k", book.plain(cap_k), display=False)
fig = world_report.worlds_figure(summaries, cap_k)
book.glue_figure("fig_worlds", fig)
world_report.ignore_table(summaries)

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_worlds
# :alt: Two panels, one curve per world: left, accuracy against the number of forced Waits k; right, accuracy against mean thinking tokens in the cap sweep.
# Four worlds, one pipeline. Accuracy (%) with 95% bootstrap intervals over held-out questions.
# ```
#
# ## Before and after forcing
# One held-out question (the same one) in each world, with no forced Wait (k = 0) and with two (k = 2).

# %% tags=["tiny-world"]
question = scaling.longest_questions(pipeline.sourcing(run)["test"])[0]
for name in worlds:
    for k in (0, 2):
        g = scaling.point_examples(results[name]["generations"], [question], summaries[name].point(None, k), count=1)[0]
        print(f"--- {name}, k={k}: {g['question']}  gold {g['gold']}  correct={g['correct']}")
        print(g["thinking"].strip() + "\n" + g["answer_text"].strip() + "\n")

# %% [markdown] tags=["tiny-world"]
# ## What this says
# The verdicts below are decided by this run's numbers ({py:func}`s1kit.report.worlds.world_verdicts`;
# a change counts when its paired 95% interval excludes zero).

# %% tags=["tiny-world"]
from IPython.display import Markdown

Markdown("\n".join(f"- {line}" for line in world_report.world_verdicts(summaries)))

# %% [markdown] tags=["tiny-world"]
# How to read them, by the design of each world:
#
# - **main**: the teacher's "Wait"s are trained on. In the impatient domains every trace stops
#   after three lines; in the others every trace goes on to the end, and some are checked. The
#   fine-tuned model picks up the stop after three lines (and, with this little training, does
#   not keep it strictly to the impatient domains), so it stops some long sums too early; a
#   forced "Wait" at such a stop is followed by the next line, a continuation the model
#   practised thousands of times. A forced "Wait" after a finished sum starts a check, which
#   keeps the total. That is the mechanism by which forcing can repair premature stops without
#   breaking finished sums (the paper's shape); whether it raises accuracy in this run is what
#   the verdicts above decide.
# - **no_wait**: the same stops and checks, but nothing in the traces follows "Wait". Forcing the
#   word can only push the model off the distribution it was trained on.
# - **patient**: the teacher never stops early, so the model finishes its sums unforced and
#   there is nothing for "Wait" to finish: forcing can only add checks.
# - **no_checks**: the same stops as main, but no trace has anything after a finished sum. A
#   forced "Wait" there has no trained continuation, and the model makes one up.
#
# Budget forcing can only exploit a behaviour that the training traces contain: a productive
# continuation after a premature stop. Whether Qwen2.5-32B's s1K traces contain it is an
# empirical question; the paper's measured answer is a modest one, 50.0% → 56.7% on AIME24.

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers(world_report.exercise_numbers(summaries))

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `p_final_check`** (the `no_checks` world). Before looking at the curves: with no
#    checks in s1K, does one forced "Wait" (k = 1) help as much as in the main world?
# 2. **The `no_wait` world.** Its teacher never writes "Wait". Predict what one forced "Wait" does to
#    its accuracy, and explain why in terms of what followed "Wait" in its training data.
# 3. **Scaling down or up.** Using the table at the top, which share of the main run's accuracy
#    range would survive if the smallest caps were removed from the sweep?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. no_checks: {glue:text}`ex_no_checks_k0`% at k = 0 and {glue:text}`ex_no_checks_k1`% at k = 1
#    (main: {glue:text}`ex_main_k0`% and {glue:text}`ex_main_k1`%). A forced "Wait" after a sum
#    the model had finished has nothing trained to follow it; whatever it writes there can only
#    change a right total.
# 2. no_wait: {glue:text}`ex_no_wait_k0`% at k = 0 and {glue:text}`ex_no_wait_k1`% at k = 1 (main:
#    {glue:text}`ex_main_k1`%). Nothing in its s1K follows "Wait", so the string leads it off its
#    computation instead of into the next line or a check.
# 3. The scaling-up part: {glue:text}`scaling_up_share_pct`% of the range; the rest,
#    {glue:text}`scaling_down_share_pct`%, comes from caps that cut thinking short.
# ```
