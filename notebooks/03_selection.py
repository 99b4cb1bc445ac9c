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
# # 3. Selection: quality, difficulty, diversity → s1K
#
# **After this chapter you can**
# - name s1's three selection criteria (quality, difficulty, diversity) and what each one guards
#   against;
# - read a selection funnel: how many questions each step keeps, and why the others went;
# - explain how Algorithm 1 samples: a domain at random, then a long trace, with chance
#   proportional to $2^{-\text{rank}}$;
# - say how a selection changes what the model will train on, compared with the whole pool.

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

book.glue_numbers({"paper_pool": paper.POOL_SIZE, "paper_quality": paper.AFTER_QUALITY,
                   "paper_difficulty": paper.AFTER_DIFFICULTY, "paper_selected": paper.SELECTED})

# %% [markdown]
# **Paper, Section 2.2 and Algorithm 1** {cite:p}`muennighoff2025s1`. From
# {glue:text}`paper_pool:,` questions s1 keeps {glue:text}`paper_selected:,`, the
# {doc}`s1K <../glossary>` set:
#
# 1. **Quality**: drop API errors and badly formatted questions (ASCII art, missing images),
#    deduplicate, and decontaminate against the evaluation sets ({glue:text}`paper_quality:,` left).
# 2. **Difficulty**: drop every question that Qwen2.5-7B-Instruct or Qwen2.5-32B-Instruct
#    {cite:p}`qwen2025qwen25` already solves ({glue:text}`paper_difficulty:,` left). Trace length
#    is the second difficulty signal: a longer trace suggests a harder question.
# 3. **Diversity**: take all correct AIME/GPQA questions; then repeatedly pick a domain
#    uniformly at random and, inside it, a question with probability proportional to
#    $2^{-\text{rank}}$ of its trace length (longest first).

# %% [markdown] tags=["tiny-world"]
# **This chapter** runs {py:func}`s1kit.pipeline.selection`, which calls
# {py:func}`s1kit.selection.select_s1k`: {py:func}`s1kit.selection.quality_filter`,
# {py:func}`s1kit.selection.difficulty_filter` (the base model answers each candidate directly,
# {py:func}`s1kit.selection.solved_by_model`) and {py:func}`s1kit.selection.diversity_select`.

# %% [markdown] tags=["paper-scale"]
# **This chapter** runs {py:func}`s1kit.pipeline.selection`. A profile that names a released
# selection (`sourcing.hub.selection_dataset`: s1K or s1K-1.1) takes it whole
# ({py:func}`s1kit.selection.released_s1k`), and its funnel has one step; otherwise
# {py:func}`s1kit.selection.select_s1k` runs the three steps above on the pool. Either way each
# selected trace's length is counted in the base model's tokens, Algorithm 1's difficulty signal.

# %% [markdown]
# ## The funnel

# %%
import pandas as pd

from s1kit.report import traces as trace_report

# Show every reason a step dropped questions in full (pandas cuts long cells).
pd.set_option("display.max_colwidth", None)

selected = pipeline.selection(run)
s1k, funnel = selected["s1k"], selected["funnel"]
trace_report.funnel_table(funnel)

# %% tags=["remove-cell"]
# Figures are drawn in hidden cells: one drawn in a shown cell would also appear as its output.
from s1kit.report.figures import count_figure, funnel_figure

book.glue_figure("fig_funnel", funnel_figure(funnel))
glue("s1k_size", book.plain(len(s1k)), display=False)
glue("paper_funnel", " → ".join(f"{n:,}" for n in (paper.POOL_SIZE, paper.AFTER_QUALITY, paper.AFTER_DIFFICULTY,
                                                    paper.SELECTED)), display=False)

# %% [markdown]
# ```{glue:figure} fig_funnel
# :alt: Horizontal bars on a log scale: questions kept after each selection step, from the pool down to s1K.
# The selection funnel of this run (log scale). For comparison, the paper's funnel was
# {glue:text}`paper_funnel` (Section 2.2).
# ```

# %% tags=["remove-cell", "tiny-world"]
solved = pipeline.difficulty(run)
data = pipeline.sourcing(run)
glance = run.profile.base_model.corpus.direct_max_terms
difficulty = trace_report.difficulty_numbers(funnel, solved, data["pool"], glance)
seeds = run.profile.selection.seed_sources
book.glue_numbers({**difficulty, "candidates": len(selected["candidates"]), "glance_terms": glance,
                   # every right seed-source candidate is taken first, so these are exactly the seed picks
                   "seed_picks": sum(r["source"] in seeds and str(r["attempt"]) == str(r["answer"]) for r in s1k)})
glue("seed_sources", ", ".join(seeds) or "none", display=False)

# %% [markdown] tags=["tiny-world"]
# **Reading the funnel**, row by row:
#
# - *quality* drops the broken traces (an API error, a malformed trace, no answer), duplicate
#   questions, and any question that is also a held-out one (decontamination);
# - *difficulty sample*: the paper graded every question with its base models. Here the base
#   model grades a seeded sample of {glue:text}`ex_graded:,` pool questions
#   (`selection.difficulty_max_candidates`), which keeps that stage to seconds. The sample is drawn
#   from the whole pool, before the quality filter: {glue:text}`ex_sample_kept:,` of the sampled
#   questions passed it, and this row keeps them; questions outside the sample go no further;
# - *difficulty* drops the {glue:text}`ex_solved:,` of those the base model answers right when it
#   answers directly ({glue:text}`ex_solved_pct`%);
# - *diversity* is Algorithm 1: it picks {glue:text}`s1k_size:,` of the
#   {glue:text}`candidates:,` questions left. It first takes every question of the seed sources
#   ({glue:text}`seed_sources`, `selection.seed_sources`) whose teacher answer is right, as the
#   paper takes its correct AIME and GPQA questions ({glue:text}`seed_picks` here), then samples
#   the rest as the next section shows.

# %% [markdown]
# ## Algorithm 1: a domain at random, then a long trace
# Inside a domain, the questions are ranked by trace length (rank 0 is the longest) and one is
# drawn with probability proportional to $2^{-\text{rank}}$; it leaves the ranking, and the
# next draw starts again with a domain chosen at random. The first ranks of a domain of
# {glue:text}`demo_domain_size` questions:

# %%
domain_size = 300
weights = pd.Series([2.0 ** -rank for rank in range(domain_size)])
chance = (100 * weights / weights.sum()).round(1)
chance.head(6).rename_axis("rank (0 = longest)").rename("chance of being drawn (%)").to_frame().T

# %% tags=["remove-cell"]
book.glue_numbers({"demo_domain_size": domain_size})

# %% [markdown]
# Half the draws in a domain take its longest remaining trace, and a quarter the next one: the
# sampler walks down each domain's ranking from the top, so it keeps almost only long traces,
# while the uniform choice of domain keeps every domain in the set
# ({py:func}`s1kit.selection.diversity_select`).

# %% tags=["tiny-world"]
wait = run.profile.evaluation.ignore_str
table = trace_report.trace_table(s1k, wait)
trace_report.selected_by_domain(selected["candidates"], s1k)

# %% tags=["remove-cell", "tiny-world"]
book.glue_figure("fig_s1k_difficulty", count_figure(table, "difficulty", xlabel="number of terms",
                                                    title="s1K: selected questions per number of terms"))
test_min = min(t["difficulty"] for t in data["test"])
book.glue_numbers({"s1k_domains": table["domain"].nunique(),
                   "s1k_wrong_pct": trace_report.teacher_rates(s1k, wait)["wrong_answer_pct"],
                   "s1k_short": int(table["difficulty"].between(test_min, test_min + 1).sum()),
                   "test_min_terms": test_min, "test_min_next": test_min + 1})

# %% [markdown] tags=["tiny-world"]
# ```{glue:figure} fig_s1k_difficulty
# :alt: Bar chart: s1K's selected questions per number of terms.
# The selected questions by number of terms: the length-favouring sampler prefers long problems.
# ```
#
# Only {glue:text}`s1k_short` of s1K's questions have {glue:text}`test_min_terms` or
# {glue:text}`test_min_next` terms, the short end of the held-out set: the fine-tuned model sees
# few short sums in training.
#
# ## Summary
# - {glue:text}`s1k_size:,` questions from {glue:text}`s1k_domains` domains; {glue:text}`s1k_wrong_pct`%
#   of their traces end in a wrong answer (the teacher stopped early and answered a partial sum),
#   kept on purpose: s1 did not filter Gemini's traces for correctness.
# - The diversity sampler ($2^{-\text{rank}}$) takes almost only the longest traces of each
#   domain: the table by domain shows the selected traces longer than the average candidate in
#   every domain.

# %% tags=["paper-scale"]
from IPython.display import display

wait = run.profile.evaluation.ignore_str
table = trace_report.trace_table(s1k, wait).assign(thinking_tokens=[r["thinking_tokens"] for r in s1k])
if selected["candidates"]:
    display(trace_report.selected_by_domain(selected["candidates"], s1k))
else:
    print("A released selection, taken whole: there are no candidates to set beside it.")
table.groupby("domain").agg(**{"selected": ("source", "size"), "mean trace length (tokens)": ("thinking_tokens", "mean"),
                               f"mean {wait}s per trace": ("waits", "mean")}).round(1)

# %% tags=["remove-cell", "paper-scale"]
fig = count_figure(table.assign(**{"trace tokens": pd.cut(table["thinking_tokens"], 10)}), "trace tokens",
                   title="s1K: selected questions per trace length (tokens)", xlabel="trace length (tokens)")
fig.axes[0].tick_params(axis="x", labelrotation=45)
book.glue_figure("fig_s1k_tokens", fig)
per_domain = table.groupby("domain").size()
book.glue_numbers({"s1k_domains": table["domain"].nunique(), "s1k_median_tokens": table["thinking_tokens"].median(),
                   "s1k_max_tokens": table["thinking_tokens"].max()})
glue("ex_domain_answer", f"Every domain gives {per_domain.max()} questions." if per_domain.nunique() == 1 else
     f"No: from {per_domain.min()} to {per_domain.max()} questions per domain (the largest: {per_domain.idxmax()}).",
     display=False)

# %% [markdown] tags=["paper-scale"]
# ```{glue:figure} fig_s1k_tokens
# :alt: Bar chart: s1K's selected questions per range of trace length in tokens.
# The selected traces by length, in the base model's tokens.
# ```
#
# ## Summary
# - {glue:text}`s1k_size:,` questions from {glue:text}`s1k_domains` domains; their traces are
#   {glue:text}`s1k_median_tokens:,` tokens long at the median and {glue:text}`s1k_max_tokens:,` at most.
# - s1 kept the traces whatever their answer: nothing in the selection grades the teacher.
#
# ## Exercises
# 1. **Domains.** Algorithm 1 picks a domain uniformly at random for every draw. Predict: does each
#    domain end up with about the same number of questions?
#
# ```{admonition} Solution (computed from this run)
# :class: dropdown
# 1. {glue:text}`ex_domain_answer` A domain is dropped from the draw once it has no questions
#    left, so small domains are taken whole and the remaining draws go to the large ones: the
#    counts are equal only where every domain has more questions than its share.
# ```

# %% tags=["remove-cell", "tiny-world"]
# The knob's reference outcome: Algorithm 1 rerun in memory on this run's candidates with another
# size (the stage's own call; with the recipe's size it gives this run's s1K exactly).
knob_size = 2 * run.profile.selection.size
impatient = run.profile.distillation.teacher.impatient_domains
pool_traces = pipeline.distillation(run)
bigger = trace_report.reselect(pool_traces, selected["candidates"], run.profile.selection, run.profile.seed, knob_size)
now = trace_report.selection_numbers(s1k, impatient)
knob = trace_report.selection_numbers(bigger, impatient)
candidates = trace_report.selection_numbers(trace_report.candidate_records(pool_traces, selected["candidates"]),
                                            impatient)
in_s1k = {r["id"] for r in s1k}
# the wrong share among the impatient domains' traces: s1K's, and those the bigger selection adds
s1k_impatient = trace_report.selection_numbers([r for r in s1k if r["domain"] in impatient], impatient)
added_impatient = trace_report.selection_numbers([r for r in bigger if r["domain"] in impatient
                                                  and r["id"] not in in_s1k], impatient)
book.glue_numbers({"ex_knob_size": knob_size, "ex_knob_tokens": knob["mean_tokens"], "ex_s1k_tokens": now["mean_tokens"],
                   "ex_knob_terms": knob["mean_terms"], "ex_s1k_terms": now["mean_terms"],
                   "ex_knob_wrong_pct": knob["wrong_pct"], "ex_candidates_wrong_pct": candidates["wrong_pct"],
                   "ex_candidates_tokens": candidates["mean_tokens"],
                   "ex_pool_wrong_pct": trace_report.teacher_rates(pool_traces, wait)["wrong_answer_pct"]})
# The sentences that explain the outcome, chosen by the outcome (a classroom or smoke run can differ).
shares = (f"{added_impatient['wrong_pct']:.1f}% of the traces it adds in the impatient domains are wrong, against "
          f"{s1k_impatient['wrong_pct']:.1f}% of s1K's traces there")
if knob["wrong_pct"] > now["wrong_pct"] + 1:
    why = ("The wrong share rises because of how an impatient domain's ranking looks: at its top are the shorter "
           "sums the teacher finished and then checked (right answers, long traces); below them lies the large "
           "block of traces it stopped early, all after the same few lines (wrong). The added questions reach "
           f"into that block: {shares}.")
elif knob["wrong_pct"] < now["wrong_pct"] - 1:
    why = f"The wrong share falls: {shares}."
else:
    why = f"The wrong share barely moves: {shares}."
glue("ex_knob_why", why, display=False)
short_rate, long_rate = difficulty["ex_short_solved_pct"], difficulty["ex_long_solved_pct"]
glue("ex_solved_which", "the filter drops short sums far more often than long ones"
     if isinstance(short_rate, float) and short_rate > 2 * long_rate else "short and long sums alike", display=False)

# %% [markdown] tags=["tiny-world"]
# ## Exercises
# 1. **Knob: `selection.size`.** Double it, to {glue:text}`ex_knob_size:,`. Predict the selected
#    traces' mean length in tokens and the share of them that end in a wrong answer.
# 2. **Difficulty.** Before looking at the solution: what share of the graded questions does the
#    base model already solve (and so drops), and are they short sums or long ones?
# 3. **Wrong traces.** Is the share of wrong teacher answers in s1K higher or lower than in the
#    whole pool? Which step of the selection moves it?
#
# ```{admonition} Solutions (computed from this run)
# :class: dropdown
# 1. Algorithm 1 rerun on this run's candidates: the traces are {glue:text}`ex_knob_tokens` tokens
#    long on average (s1K: {glue:text}`ex_s1k_tokens`; all candidates:
#    {glue:text}`ex_candidates_tokens`), with {glue:text}`ex_knob_terms` terms on average (s1K:
#    {glue:text}`ex_s1k_terms`), and {glue:text}`ex_knob_wrong_pct`% of them end wrong (s1K:
#    {glue:text}`s1k_wrong_pct`%). The added questions come from lower in each domain's ranking,
#    so their traces are shorter. {glue:text}`ex_knob_why`
# 2. {glue:text}`ex_solved:,` of the {glue:text}`ex_sample_kept:,` sampled questions that passed
#    the quality filter ({glue:text}`ex_solved_pct`%; the funnel's difficulty rows). Over all
#    {glue:text}`ex_graded:,` graded questions, it solves {glue:text}`ex_short_solved_pct`% of
#    those with at most {glue:text}`glance_terms` terms and {glue:text}`ex_long_solved_pct`% of
#    the longer ones: {glue:text}`ex_solved_which`.
# 3. s1K: {glue:text}`s1k_wrong_pct`%; the pool: {glue:text}`ex_pool_wrong_pct`%; the candidates
#    after the difficulty filter: {glue:text}`ex_candidates_wrong_pct`%. The steps pull both ways:
#    the quality filter takes out the broken traces, most of them without an answer (wrong); the
#    difficulty filter takes out short sums, which the teacher gets right even in an impatient
#    domain (they end before its stop); and Algorithm 1's preference for long traces decides the
#    rest (exercise 1 shows how). As in s1, nothing filters on correctness.
# ```

# %% [markdown]
# ## Check yourself
# 1. What would s1K look like if the difficulty filter were skipped?
#
# ```{admonition} Answer
# :class: dropdown
# It would hold many questions the base model already answers without thinking, with short
# traces: little reasoning to learn from. The paper's *1K-random* selection (quality only) is close
# to that, and trains a weaker model (its Table 2; chapter 11 trains it here).
# ```
#
# 2. Algorithm 1 chooses a domain at random before it looks at length. Why not simply take the
#    {glue:text}`paper_selected:,` longest traces?
#
# ```{admonition} Answer
# :class: dropdown
# The longest traces could crowd into a few domains, and the model would see little of the others.
# Choosing the domain first keeps every domain in the set; the length preference works only
# inside a domain. The paper's *1K-longest* ablation tests the other choice (chapter 11).
# ```
#
# 3. s1K keeps traces whose answers are wrong. How would you find out whether that matters?
#
# ```{admonition} Answer
# :class: dropdown
# Build a second selection that drops the wrong traces (and nothing else), fine-tune the same base
# model on it with the same recipe, and compare the two models on the held-out set with a paired
# interval. One changed setting and everything else equal: the design of the data ablations in
# chapter 11.
# ```
