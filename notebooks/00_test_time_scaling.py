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
# # 0. Test-time scaling, and how this book reads its numbers
#
# **After this chapter you can**
# - say what test-time scaling is, and tell *sequential* from *parallel* test-time compute;
# - place s1 among the methods it is compared with (o1, majority voting, conditional control);
# - read every number in this book: an accuracy with its interval, a *paired* difference between
#   two settings, and a choice made on the *dev split*;
# - read a verdict: **shown**, **seed 0 only**, **not shown**, and what each rests on.

# %% [markdown]
# ## More thinking at test time
# A language model answers a question by writing tokens, one at a time. *Training-time* scaling
# makes the model better before it is asked: more data, more parameters. *Test-time* scaling
# spends more compute on each question once it is asked, and asks whether the answer gets better
# {cite:p}`snell2024scaling`. OpenAI's o1 {cite:p}`openai2024o1` made the idea famous: its accuracy
# on competition mathematics rose with the time it was allowed to "think" before answering, but
# how it was trained was not published. s1 {cite:p}`muennighoff2025s1` asks for the simplest
# recipe that shows the same behaviour in the open.
#
# There are two ways to spend more compute on one question:
#
# - **Sequential**: let one chain of reasoning run longer, so that later tokens can build on,
#   check or correct earlier ones. s1's *budget forcing* is sequential: it stops the model from
#   ending its thinking and appends "Wait", or cuts the thinking off at a budget.
# - **Parallel**: sample several independent answers and combine them, for instance by
#   *majority voting* (the answer given most often wins; "self-consistency",
#   {cite:p}`wang2022selfconsistency`). Samples do not see each other, so a mistake made in all of
#   them stays.
#
# The paper's claim is that sequential scaling with budget forcing, on a model fine-tuned on only
# 1,000 examples, gives accuracy that rises with thinking tokens (its Figure 1), more
# controllably than the alternatives it tries (its Table 3, chapter 9 here), and better than
# voting at the same compute (its Figure 4, chapter 10 here). The headline (Table 1, AIME24):

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book, pipeline

run = book.open_chapter(profile, runs_root)

# %%
import pandas as pd

from s1kit import paper

aime24 = {row: cells["aime24"] for row, cells in paper.TABLE1.items()}  # s1 paper, Table 1
pd.Series(aime24, name="AIME24 (%)").to_frame()

# %% tags=["remove-cell"]
book.glue_numbers({"paper_base": paper.TABLE1["Qwen2.5-32B-Instruct"]["aime24"],
                   "paper_unforced": paper.TABLE1["s1 w/o budget forcing"]["aime24"],
                   "paper_forced": paper.TABLE1["s1-32B (budget forcing)"]["aime24"]})

# %% [markdown]
# Qwen2.5-32B-Instruct answers {glue:text}`paper_base`% of AIME24's 30 problems; fine-tuned on
# s1K it answers {glue:text}`paper_unforced`% thinking as long as it likes, and
# {glue:text}`paper_forced`% with budget forcing. One AIME24 problem is 3.3 points, so the last
# step is two problems. Keep that in mind whenever a difference is small: the next sections are
# about telling a difference from luck.
#
# ## Two scales, and what each can tell
# At **paper scale** (a GPU node, the Hub's datasets and Qwen models) this project runs the
# paper's recipe and sets its numbers beside the paper's: there a verdict is about the paper, and
# a match can be called *reproduced*.
#
# At **tiny scale** (a laptop, minutes) nothing of the paper's data or models is available. A
# 1M-parameter model learns a generated task, running sums, from a programmatic teacher whose
# habits were *designed* to contain the paper's mechanism: in some kinds of problem the teacher
# stops thinking too early, and "Wait" is followed in its traces by more work. So the tiny study
# is a **demonstration**: it shows the pipeline doing what the paper describes, in a world built
# so that it can. It cannot show that real reasoning traces contain that mechanism; only a
# paper-scale run can. The introduction lists what was tuned to get there.
#
# ## Reading an accuracy
# Every accuracy here is the share of held-out questions (never trained on) answered exactly
# right. It comes with a **95% bootstrap interval**: resample the questions with replacement
# many times, recompute the accuracy each time, and keep the middle 95% of the results
# {cite:p}`efron1993bootstrap`. A narrow interval means that another draw of questions of the
# same kind would give nearly the same number.
#
# ## Reading a difference: the paired bootstrap
# Most claims compare two settings, say no forced "Wait" (k = 0) against one (k = 1), on the *same*
# questions. The right question is not "do the two intervals overlap?" but "on these questions,
# how much does the change help?". The **paired bootstrap** resamples questions *together* for
# both settings and recomputes the difference each time ({py:func}`s1kit.metrics.paired_bootstrap`).
# Ten made-up questions show it: setting B fixes questions 3 and 7 and breaks none.

# %%
from s1kit.metrics import paired_bootstrap

a = [True, True, False, True, False, True, False, True, True, False]  # setting A, question by question
b = [True, True, True, True, False, True, True, True, True, False]    # setting B: questions 3 and 7 fixed
gain, low, high = paired_bootstrap(a, b)
print(f"A {sum(a)}/10, B {sum(b)}/10: B - A = {100 * gain:+.0f} points, 95% paired interval [{100 * low:+.0f}, {100 * high:+.0f}]")

# %% tags=["remove-cell"]
book.glue_numbers({"toy_gain": 100 * gain, "toy_low": 100 * low, "toy_high": 100 * high}, digits=0)

# %% [markdown]
# With ten questions the interval, [{glue:text}`toy_low`, {glue:text}`toy_high`] points, still
# touches zero: two fixed questions out of ten could be luck. This book says a change is **a gain**
# only when the whole paired interval lies above zero, **a loss** when it lies below, and **a tie**
# otherwise. The same function on this run's held-out questions, k = 0 against k = 1:

# %%
from s1kit.report.summary import Summary

evaluation = pipeline.evaluation(run)
summary = Summary.from_json(evaluation["summary"])
first = summary.on(summary.benchmarks[0])  # a run with several benchmarks: its first, never all pooled
paired = first.paired(1)
if paired is None:
    print("This run's sweep has no k = 1 point.")
else:
    print(f"{first.n_test} questions ({summary.benchmarks[0]}): k = 1 - k = 0 = {100 * paired.gain:+.1f} points, "
          f"95% paired interval [{100 * paired.ci_low:+.1f}, {100 * paired.ci_high:+.1f}]")

# %% [markdown]
# ## Choosing a setting without flattering it
# "The best number of forced Waits" is a choice. Made on the test questions, it picks whichever
# setting was luckiest on them and reports that luck as a result. This book makes such choices on
# a separate **dev split** (questions of the same kind, never reported) and then reports the chosen
# setting once on the test set ({py:func}`s1kit.evaluation.dev_choice`). Chapter 8 compares the two
# ways of choosing on this run. (The paper has no dev split of AIME24's 30 problems, and its
# Table 1 reports the best k on the test set; a paper-scale run here does the same, so that like is
# compared with like.)
#
# ## Reading a verdict
# Each chapter ends with verdicts: one claim of the paper, the paper's table or figure, a word, and
# this run's numbers. At tiny scale the word is one of
#
# - **shown**: the claim holds in this run *and* in the committed runs of the same recipe with
#   seeds 1 and 2 and with float32 training on a CPU limited to AVX2 (`reference/`); a result that
#   a seed or a rounding change erases is not yet a finding;
# - **seed 0 only** (followed by where it failed): it holds in this run, not in every replicate;
# - **not shown**: it does not hold in this run; **a tie** when the paired interval includes zero.
#
# The word is computed ({py:mod}`s1kit.report.robustness`): the chapter's claim is a function of a
# run's result files, evaluated on this run and again on each replicate. A paper-scale run says
# **reproduced** or **not reproduced**, and that it rests on one seed.

# %% tags=["remove-cell"]
# The classroom profile's committed reference results, for the course page's "what day 1 shows"
# ({doc}`../course` glues them from here): this project's CPU (bf16) and one limited to AVX2 (float32).
from s1kit.book import reference_dir

for setting in ("classroom", "classroom-avx2"):
    reference = Summary.from_json(book.reference_value(setting, directory=reference_dir(setting)))
    uncapped, caps = reference.uncapped(), reference.caps(0)
    prefix = setting.replace("-", "_")
    book.glue_numbers({f"{prefix}_n": reference.n_test, f"{prefix}_base": 100 * reference.base_model_accuracy,
                       f"{prefix}_k0": 100 * uncapped[0].accuracy, f"{prefix}_k1": 100 * uncapped[1].accuracy,
                       f"{prefix}_k1_gain": 100 * reference.paired(1).gain,
                       f"{prefix}_smallest_cap": caps[0].max_thinking_tokens,
                       f"{prefix}_smallest_cap_acc": 100 * caps[0].accuracy})

# %% [markdown]
# ## Summary
# - Test-time scaling spends more compute per question after training; sequential methods make one
#   chain longer, parallel ones combine independent samples.
# - s1's recipe: 1,000 curated examples, fine-tuning, and budget forcing; its headline is
#   {glue:text}`paper_unforced`% → {glue:text}`paper_forced`% on AIME24 with forcing.
# - Differences between settings come with paired 95% intervals; choices are made on a dev split;
#   verdicts at tiny scale say "shown" only when the result survives other seeds and another CPU.
#
# ## Check yourself
# 1. Majority voting over 8 samples and budget forcing with 8 forced "Wait"s can use the same
#    number of tokens. Which is sequential, and why can only that one fix a mistake it made?
#
# ```{admonition} Answer
# :class: dropdown
# Budget forcing is sequential: the tokens after a forced "Wait" are conditioned on everything
# written before, so the model can re-read a wrong line and correct it. Eight votes are eight
# independent samples; none sees the others, so a mistake all of them make cannot be corrected,
# only outvoted when most samples avoid it.
# ```
#
# 2. Two settings score 50% and 53% on the same 30 questions, and their separate 95% intervals
#    overlap a lot. Does that settle that they are equal? What would you compute instead?
#
# ```{admonition} Answer
# :class: dropdown
# No. Separate intervals include how hard the sampled questions are, which both settings share.
# Compute the paired bootstrap of the difference: resample questions together for both settings.
# It can be much narrower; here it would still most likely include zero, because 3 points is one
# question of 30.
# ```
#
# 3. Why is a tiny-scale result called "shown" and not "reproduced"?
#
# ```{admonition} Answer
# :class: dropdown
# Because the tiny world was built to contain the paper's mechanism (a teacher that sometimes
# stops too early, with "Wait" followed by more work in its traces). A match there shows that the
# pipeline behaves as the paper describes in such a world; it is no evidence that s1K's real traces
# work the same way. "Reproduced" is kept for paper-scale runs on real weights.
# ```
