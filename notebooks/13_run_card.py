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
# # Run card
#
# **After this page you can**
# - say which code (commit, and whether the work tree had uncommitted changes), machine and
#   settings produced the numbers in this book;
# - find the committed reference run to compare this run with;
# - tell how long each stage took, and which stages dominate a rerun.
#
# Which code, machine and time produced the numbers in this book: the commit, the machine, how
# long each stage took when it was last computed (from its record, `stage.json`) and how fast
# training ran. Stages reused from an earlier run keep the time of the run that computed them.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book, reference

run = book.open_chapter(profile, runs_root)

# %%
import datetime
import json

import pandas as pd

pd.set_option("display.max_colwidth", None)
commit = reference.git_commit()  # "+changes": the work tree differed from the commit
matched, _ = book.matching_reference(run.profile)
reference_commit = json.loads((matched / "run.json").read_text()).get("commit", "not recorded") if matched else None
card = {"profile": run.profile.name, "seed": run.profile.seed, "commit": commit.removesuffix("+changes"),
        "work tree": "changed since the commit (uncommitted edits)" if commit.endswith("+changes") else "clean",
        "reference run": f"{matched.name} (commit {reference_commit})" if matched else "none of this CPU setting",
        "built": datetime.date.today().isoformat(), "torch threads": run.profile.torch_threads}
names = {"cpu": "CPU", "gpu": "GPU", "memory_gib": "memory (GiB)", "python": "Python"}
card |= {names.get(key, key): "none" if value is None else value for key, value in reference.machine().items()}
pd.Series(card, name="").to_frame()

# %% [markdown]
# A changed work tree means the numbers come from code that no commit holds exactly; a run that
# others should be able to rebuild is made from a clean tree. The reference run is the committed
# run of the same profile, seed, CPU kind and training precision (`reference/`); chapter 6 sets
# this run's headline numbers beside it.

# %% [markdown] tags=["tiny-world"]
# ## Seconds per stage
# The main world's stages, then each contrast world's own (they share the pool, the base model and
# the difficulty verdicts). A stage that this profile did not run is not listed.

# %% [markdown] tags=["paper-scale"]
# ## Seconds per stage
# The stages of this run. A stage that this profile did not run is not listed.

# %%
stage_rows = reference.stage_times(run)
stage_rows

# %% tags=["remove-cell"]
book.glue_numbers({"stage_minutes": stage_rows["seconds"].sum() / 60})

# %% [markdown]
# Together the stages took {glue:text}`stage_minutes` minutes of computing. Training speed, in
# tokens of real (unpadded) text per second:

# %%
reference.training_speeds(run)

# %% [markdown]
# ## Check yourself
# 1. The card says the work tree was changed since the commit. What does that mean for someone
#    who checks out the commit to rebuild this book?
#
# ```{admonition} Answer
# :class: dropdown
# Their code is not quite the code that produced these numbers, so some may differ. To make a run
# others can rebuild exactly, commit first and build from a clean tree.
# ```
#
# 2. Why does each stage keep the time of the run that computed it, not of this build?
#
# ```{admonition} Answer
# :class: dropdown
# Because a stage whose code, settings and inputs did not change is reused, not recomputed: this
# build spent no time on it. The time on the card is what computing it costs, which is what a
# reader rebuilding from scratch will pay.
# ```
#
# 3. Your laptop's run differs from the reference run by a few points. Is something broken?
#
# ```{admonition} Answer
# :class: dropdown
# Not necessarily. A different CPU kind can train in another precision (float32 instead of bf16)
# and round differently, so models and numbers differ; the reference run to compare with is the one
# of your CPU setting, and chapter 6 says when there is none.
# ```
