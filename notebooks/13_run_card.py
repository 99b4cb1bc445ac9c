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

import pandas as pd

card = {"profile": run.profile.name, "seed": run.profile.seed, "commit": reference.git_commit(),
        "built": datetime.date.today().isoformat(), "torch threads": run.profile.torch_threads, **reference.machine()}
pd.Series(card, name="").to_frame()

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

# %%
book.glue_numbers({"stage_minutes": stage_rows["seconds"].sum() / 60})

# %% [markdown]
# Together the stages took {glue:text}`stage_minutes` minutes of computing. Training speed, in
# tokens of real (unpadded) text per second:

# %%
reference.training_speeds(run)
