"""Numbers quoted from the s1 paper (arXiv:2501.19393v3), with the table or section they come from.

Every paper number that code puts into the book (tables, figures, verdicts) comes from here,
and none of ours is typed anywhere: our numbers come from the executed run. The chapters'
prose also quotes the paper in passing ("26.7% -> 50.0% on AIME24, Table 1"), always naming
the table or section; those quotations are the paper's words, not results.
"""

# Table 1 (accuracy, %; AIME24 has 30 problems, so one problem = 3.3 points)
TABLE1 = {
    "Qwen2.5-32B-Instruct": {"aime24": 26.7, "math500": 84.0, "gpqa_diamond": 49.0},
    "s1 w/o budget forcing": {"aime24": 50.0, "math500": 92.6, "gpqa_diamond": 56.6},
    "s1-32B (budget forcing)": {"aime24": 56.7, "math500": 93.0, "gpqa_diamond": 59.6},
}
TABLE1_SOURCE = "s1 paper, Table 1"

# The benchmarks' short names: the keys of every table here and of a run's per-benchmark results
# (s1kit.sources.BENCHMARKS; "tiny" is the tiny world's one held-out set)
BENCHMARK_NAMES = {"aime24": "AIME24", "math500": "MATH500", "gpqa_diamond": "GPQA Diamond", "tiny": "tiny world"}

# s1.1-32B (s1K-1.1: the same 1,000 questions with DeepSeek-R1 traces), released after the paper's
# first version: with budget forcing (2x "Wait") from the model card's evaluation table; without it,
# from the paper's v3 appendix (Table 5), as quoted in ../shared/research/fidelity-review-3.md (the
# search tool here returns only the paper's first page, so those three were not re-read).
S1_1 = {
    "s1.1 w/o budget forcing": {"aime24": 56.7, "math500": 94.4, "gpqa_diamond": 60.6},
    "s1.1-32B (budget forcing)": {"aime24": 56.7, "math500": 95.4, "gpqa_diamond": 63.6},
}
S1_1_SOURCE = "s1.1-32B model card (with forcing) and s1 paper v3, Table 5 (without)"

#: How many forced "Wait"s each model's published forced row used. None for s1-32B, since Table 1
#: gives, per benchmark, its best k, chosen on the test set; 2 for s1.1-32B, whose card says "2x Wait".
FORCED_K = {"s1-32B": None, "s1.1-32B": 2}

#: Which published rows a run is set beside (``Profile.paper_model``): the base model, the fine-tuned
#: model unforced, and with budget forcing; each as (row name, {benchmark: accuracy %}, source).
PAPER_ROWS = {
    "s1-32B": {"base": ("Qwen2.5-32B-Instruct", TABLE1["Qwen2.5-32B-Instruct"], TABLE1_SOURCE),
               "unforced": ("s1 w/o budget forcing", TABLE1["s1 w/o budget forcing"], TABLE1_SOURCE),
               "forced": ("s1-32B (budget forcing)", TABLE1["s1-32B (budget forcing)"], TABLE1_SOURCE)},
    "s1.1-32B": {"base": ("Qwen2.5-32B-Instruct", TABLE1["Qwen2.5-32B-Instruct"], TABLE1_SOURCE),
                 "unforced": ("s1.1 w/o budget forcing", S1_1["s1.1 w/o budget forcing"], S1_1_SOURCE),
                 "forced": ("s1.1-32B (budget forcing)", S1_1["s1.1-32B (budget forcing)"], S1_1_SOURCE)},
}

# Section 2 (data): the pool, the filters and the selection
POOL_SIZE = 59_029
AFTER_QUALITY = 51_581
AFTER_DIFFICULTY = 24_496
SELECTED = 1_000
DOMAINS = 50
SECTION2_SOURCE = "s1 paper, Section 2 and Appendix C"

# Section 4.1 (training)
SFT_RECIPE = {"epochs": 5, "batch_size": 16, "learning_rate": 1e-5, "warmup": 0.05, "schedule": "cosine",
              "gpus": "16 H100", "minutes": 26}

# Table 2 (s1K data ablations; AIME24 / MATH500 / GPQA Diamond accuracy, %, with budget forcing to
# at most ~30,000 thinking tokens, i.e. essentially unforced; intervals: paired 95% vs s1K)
TABLE2 = {
    "1K-random": {"aime24": 36.7, "math500": 90.6, "gpqa_diamond": 52.0, "AIME vs s1K": (-26.7, -3.3)},
    "1K-diverse": {"aime24": 26.7, "math500": 91.2, "gpqa_diamond": 54.6, "AIME vs s1K": (-40.0, -10.0)},
    "1K-longest": {"aime24": 33.3, "math500": 90.4, "gpqa_diamond": 59.6, "AIME vs s1K": (-36.7, 0.0)},
    "59K-full": {"aime24": 53.3, "math500": 92.8, "gpqa_diamond": 58.1, "AIME vs s1K": (-13.3, 20.0)},
    "s1K": {"aime24": 50.0, "math500": 93.0, "gpqa_diamond": 57.6, "AIME vs s1K": None},
}
TABLE2_SOURCE = "s1 paper, Table 2"
FULL_POOL_GPU_HOURS = {"59K-full": 394, "s1K": 7}  # Section 5.1

# Table 3 (ways to scale test-time compute, AIME24; Control in %, Scaling as the paper prints it,
# Performance = best accuracy in %, runs = |A|)
TABLE3 = {
    "BF": {"control": 100, "scaling": 15, "performance": 56.7, "runs": 5},
    "TCC": {"control": 40, "scaling": -24, "performance": 40.0, "runs": 5},
    "TCC + BF": {"control": 100, "scaling": 13, "performance": 40.0, "runs": 5},
    "SCC": {"control": 60, "scaling": 3, "performance": 36.7, "runs": 5},
    "SCC + BF": {"control": 100, "scaling": 6, "performance": 36.7, "runs": 5},
    "CCC": {"control": 50, "scaling": 25, "performance": 36.7, "runs": 2},
    "RS": {"control": 100, "scaling": -35, "performance": 40.0, "runs": 5},
}
TABLE3_SOURCE = "s1 paper, Table 3"

# Table 4 (extrapolation: the end of thinking suppressed twice, appending each string; accuracy, %)
TABLE4 = {
    "No extrapolation": {"aime24": 50.0, "math500": 93.0, "gpqa_diamond": 57.6},
    "2x without string": {"aime24": 50.0, "math500": 90.2, "gpqa_diamond": 55.1},
    '2x "Alternatively"': {"aime24": 50.0, "math500": 92.2, "gpqa_diamond": 59.6},
    '2x "Hmm"': {"aime24": 50.0, "math500": 93.0, "gpqa_diamond": 59.6},
    '2x "Wait"': {"aime24": 53.3, "math500": 93.0, "gpqa_diamond": 59.6},
}
TABLE4_SOURCE = "s1 paper, Table 4"
TABLE4_MODEL = "s1-32B"  # the model Table 4 reports (nothing like it is published for s1.1-32B)

# Figure 4 (a: budget forcing flattens after suppressing the end six times; b: majority voting
# over 2..64 temperature-1 samples of Qwen2.5-32B-Instruct never reaches s1-32B). The paper
# prints no majority-voting numbers, only the plot, so none are quoted here.
FIGURE4_SOURCE = "s1 paper, Figure 4 and Section 4.2"
