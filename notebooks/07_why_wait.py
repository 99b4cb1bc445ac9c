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
#
# **After this chapter you can**
# - split a scaling curve's range into *scaling down* (caps that cut thinking short) and
#   *scaling up* (forcing thinking past where the model would stop);
# - explain why forcing "Wait" can only exploit what follows "Wait" in the training traces;
# - read a contrast experiment: the same pipeline with one teacher habit changed at a time;
# - say what the tiny world can and cannot tell about s1K's real traces.

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
from s1kit.report.words import finite_or, without_nan

main_summary = Summary.from_json(pipeline.evaluation(run)["summary"])
cap_k = run.profile.evaluation.cap_sweep_num_ignore
best_k, _ = main_summary.best_k()
split = scaling.scaling_down_and_up(main_summary, cap_k, best_k)
without_nan(pd.DataFrame({"points of accuracy": [split["scaling_down_points"], split["scaling_up_points"]],
                          "share of the range (%)": [split["scaling_down_share_pct"], split["scaling_up_share_pct"]]},
                         index=["scaling down: smallest cap to no cap", f"scaling up: k=0 to k={best_k}"]).round(1))

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers({**{name: finite_or(value, "not defined") for name, value in split.items()}, "best_k": best_k})

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
rates.rename(index={"wrong_answer_pct": "wrong answers (%)", "mean_waits": "Waits per intact trace (mean)",
                    "mean_forced_waits": "forced spans per intact trace (mean)",
                    "traces_with_wait_pct": "intact traces with a Wait (%)"})

# %% [markdown] tags=["tiny-world"]
# The rates are over each world's s1K (the 1,000 selected traces the model is trained on).
#
# ## The curves
# Left: accuracy as the number of forced "Wait"s grows (no cap). Right: accuracy as the thinking cap
# grows (k = {glue:text}`cap_k`).

# %% tags=["tiny-world"]
fig = world_report.worlds_figure(summaries, cap_k)
world_report.ignore_table(summaries)

# %% tags=["remove-cell", "tiny-world"]
book.glue_numbers({"cap_k": cap_k})
book.glue_figure("fig_worlds", fig)

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_worlds
# :alt: Two panels, one curve per world: left, accuracy against the number of forced Waits k; right, accuracy against mean thinking tokens in the cap sweep.
# Four worlds, one pipeline. Accuracy (%) with 95% bootstrap intervals over held-out questions.
# ```
#
# ## Before and after forcing
# One held-out question in each world, with no forced Wait (k = 0) and with two (k = 2): the one
# chapter 5 showed a forced "Wait" fixing in the main world
# ({py:func}`s1kit.report.flips.fixed_example`; the longest held-out question when forcing fixed
# none), so that each world's answer to the same stop can be compared.

# %% tags=["tiny-world"]
from s1kit.report import flips

test = pipeline.sourcing(run)["test"]
_, fixed_id = flips.fixed_example(results["main"]["generations"], summaries["main"])
# a run where forcing fixed nothing (chapter 5 says so): the longest held-out question instead
question = next((t for t in test if t["id"] == fixed_id), None) or scaling.longest_questions(test)[0]
for name in worlds:
    for k in (0, 2):
        g = scaling.point_examples(results[name]["generations"], [question], summaries[name].point(None, k), count=1)[0]
        print(f"--- {name}, k={k}: {g['question']}  gold {g['gold']}  correct={g['correct']}")
        print(g["thinking"].strip() + "\n" + g["answer_text"].strip() + "\n")

# %% [markdown] tags=["tiny-world"]
# ## What this says
# Each world was built to show one thing ({py:data}`s1kit.report.worlds.EXPECTED`); the verdicts
# below say whether it did ({py:func}`s1kit.report.worlds.findings`: a change counts when its
# paired 95% interval excludes zero), and whether it also did with seeds 1 and 2 and with float32
# training (chapter 0). First, each contrast world's model must work unforced, or its forcing
# curve would be measured on a broken baseline.

# %% tags=["tiny-world", "remove-input"]
from s1kit.report import robustness

book.verdicts(run, robustness.verdict_lines(run, lambda r: world_report.findings(r, run.profile.contrast_worlds)))

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
# continuation after a premature stop. Whether s1K's traces (written by Gemini, and the ones
# Qwen2.5-32B is fine-tuned on) contain it is an empirical question this world cannot answer: it
# was built so that its main world does. The paper's measured answer is a modest one, 50.0% →
# 56.7% on AIME24, and its mechanism there is re-checking, not the continuation of a sum stopped
# by design.

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
#
# ## Check yourself
# 1. The cap sweep of every world rises. Why does that say nothing about whether "Wait" helps?
#
# ```{admonition} Answer
# :class: dropdown
# A cap below the model's own length cuts the computation, so accuracy rises as the cap grows in
# any world that can compute at all. Only forcing the model past its own stop (k > 0) tests
# whether extra thinking helps.
# ```
#
# 2. In `no_wait` the teacher's traces are the main world's with the word "Wait" removed. Why can
#    forcing "Wait" hurt there and help in the main world?
#
# ```{admonition} Answer
# :class: dropdown
# Forcing appends a token. In the main world that token was always followed, in training, by the
# next line of the sum or a check that keeps the total; in `no_wait` it was never seen at all, so
# what the model writes after it is not anything it learned.
# ```
#
# 3. Why is the main world's result a demonstration and not evidence about s1K?
#
# ```{admonition} Answer
# :class: dropdown
# Because its teacher was designed to stop too early in some domains and to continue after
# "Wait": the mechanism was put in. The contrast worlds show the result depends on that design;
# whether real traces have it can only be measured at paper scale.
# ```
