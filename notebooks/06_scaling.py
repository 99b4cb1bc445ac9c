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
# # 6. Test-time scaling: our curve beside the paper's
#
# **Paper, Figure 1 and Table 1.** s1-32B's accuracy rises with the number of thinking tokens
# that budget forcing allows; on AIME24, extending with "Wait" takes it from 50.0% to 56.7%.
#
# **This chapter** draws the tiny profile's version of Figure 1 from `results/summary.json`
# ({py:func}`s1kit.plots.scaling_figure`) and sets the paper's numbers beside ours, like for
# like: unforced beside unforced, forced beside forced. The x-axis counts thinking tokens, and a
# tiny-world token is one character: the paper's AIME24 traces run to thousands of tokens, ours to
# about a hundred.

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

from s1kit import analysis, paper, plots

summary = pipeline.evaluation(run)["summary"]
cap_k = run.profile.evaluation.cap_sweep_num_ignore
numbers = analysis.headline(summary, cap_k)
fig = plots.scaling_figure(summary, cap_k)
glue("fig_scaling", fig, display=False)
for name, value in numbers.items():
    glue(name, round(value, 1) if isinstance(value, float) else value, display=False)
glue("n_test", summary["n_test"], display=False)

# %% [markdown]
# ```{glue:figure} fig_scaling
# Accuracy against mean thinking tokens on the {glue:text}`n_test` held-out questions: the cap sweep
# (labelled by N), the "Wait" sweep (labelled by k), and the base model answering directly. Error
# bars: 95% bootstrap intervals over questions.
# ```

# %%
paper_rows = pd.DataFrame(paper.TABLE1).T[["AIME 2024"]].rename(columns={"AIME 2024": "paper: AIME24 (%)"})
ours = pd.Series({
    "Qwen2.5-32B-Instruct": numbers["base"],
    "s1 w/o budget forcing": numbers["k0"],
    "s1-32B (budget forcing)": numbers["best_k_acc"],
}, name=f"ours: {summary['profile']} held-out (%)").round(1)
table = paper_rows.join(ours)
table.index = ["base model, answering directly", "SFT model, no forcing (k=0)",
               f"SFT model, k={numbers['best_k']} forced Waits (chosen on the {numbers['best_k_source']})"]
table

# %% [markdown]
# Paper numbers: {py:mod}`s1kit.paper` (Table 1 of the paper). Ours: this run. Each row compares
# the same quantity: the paper's "s1 w/o budget forcing" is s1-32B thinking as long as it wants,
# our k = 0; its "s1-32B" row is budget forcing on top, our k chosen on the dev split.
#
# ## Verdict
# Each line below is decided by the run's numbers ({py:func}`s1kit.analysis.verdicts`): a
# difference counts when its 95% paired bootstrap interval (chapter 8) excludes zero.

# %%
from IPython.display import Markdown

Markdown("\n".join(f"- {line}" for line in analysis.verdicts(numbers)))

# %% [markdown]
# Why extending works in the tiny world, and when it does not, is the subject of the next chapter.
