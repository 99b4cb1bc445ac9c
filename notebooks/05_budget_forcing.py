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
#   and append "Wait". The model keeps reasoning, and often checks and fixes its answer.
#
# **This chapter** sweeps both on the held-out set with {py:func}`s1kit.budget.budget_force`
# (the rules are in {py:class}`s1kit.budget.ForcingState`; {py:class}`s1kit.engines.HFEngine`
# decodes batches with a KV cache). Every point is a full pass over the test set, graded by exact
# match. The base model answers the same questions directly, with no thinking phase.

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

from s1kit import analysis, plots

results = pipeline.evaluation(run)
summary, generations = results["summary"], results["generations"]
test = pipeline.sourcing(run)["test"]
cap_k = run.profile.evaluation.cap_sweep_num_ignore
numbers = analysis.headline(summary, cap_k)
glue("cap_k", cap_k, display=False)
for name, value in numbers.items():
    glue(name, round(value, 1) if isinstance(value, float) else value, display=False)
frame = plots.sweep_frame(summary)
frame[["label", "accuracy", "ci_low", "ci_high", "mean_thinking_tokens", "cap_fired_rate", "mean_ignores_used", "n"]]

# %% [markdown]
# ## Extending thinking: suppress the end k times
# With k = 0 the model stops on its own: it finishes short sums and, like its teacher, stops the
# longest ones too early. Each forced "Wait" carries it one line further.

# %%
ignores = plots.ignore_points(summary)
ignores[["num_ignore", "accuracy", "ci_low", "ci_high", "mean_thinking_tokens"]]

# %%
longest = [t for t in test if t["difficulty"] == max(x["difficulty"] for x in test)]
for k in (0, 1, 2):
    for g in analysis.point_examples(generations, longest, analysis.point_index(summary, None, k), count=1):
        print(f"k={k}  Q: {g['question']}  gold {g['gold']}  correct={g['correct']}")
        print(g["thinking"] + "|" + g["answer_text"], end="\n\n")

# %% [markdown]
# ## Capping thinking: at most N tokens
# The cap sweep caps the model's own thinking (k = {glue:text}`cap_k` forced "Wait"s); a cap shorter
# than the computation cuts it off, and the forced "Final Answer:" then reads a partial sum.

# %%
caps = plots.cap_points(summary, cap_k)
caps[["max_thinking_tokens", "accuracy", "mean_thinking_tokens", "cap_fired_rate"]]

# %%
points = {"k=0": analysis.point_index(summary, None, 0), f"k={cap_k}": analysis.point_index(summary, None, cap_k)}
analysis.accuracy_by_difficulty(generations, test, points)

# %% [markdown]
# ## Summary
# - Base model answering directly: {glue:text}`base`%. The SFT model with no forcing (k = 0):
#   {glue:text}`k0`% (the paper, Table 1: 26.7% → 50.0% on AIME24 without budget forcing).
# - Capped at N = {glue:text}`smallest_cap` thinking tokens the SFT model scores {glue:text}`smallest_cap_acc`%:
#   {glue:text}`cap_gain` points below its own, uncapped thinking.
# - With k = {glue:text}`best_k` forced "Wait"s (chosen on the dev split, chapter 8) it scores
#   {glue:text}`best_k_acc`% on the test set, {glue:text}`wait_gain` points above k = 0.
