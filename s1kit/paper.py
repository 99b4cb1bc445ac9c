"""Numbers quoted from the s1 paper (arXiv:2501.19393v3), with the table or section they come from.

Every paper number that code puts into the book (tables, figures, verdicts) comes from here,
and none of ours is typed anywhere: our numbers come from the executed run. The chapters'
prose also quotes the paper in passing ("26.7% -> 50.0% on AIME24, Table 1"), always naming
the table or section; those quotations are the paper's words, not results.
"""

# Table 1 (accuracy, %; AIME24 has 30 problems, so one problem = 3.3 points)
TABLE1 = {
    "Qwen2.5-32B-Instruct": {"AIME 2024": 26.7, "MATH500": 84.0, "GPQA Diamond": 49.0},
    "s1 w/o budget forcing": {"AIME 2024": 50.0, "MATH500": 92.6, "GPQA Diamond": 56.6},
    "s1-32B (budget forcing)": {"AIME 2024": 56.7, "MATH500": 93.0, "GPQA Diamond": 59.6},
}
TABLE1_SOURCE = "s1 paper, Table 1"

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
