"""s1kit: a reproducible, teachable study of "s1: Simple test-time scaling" (Muennighoff et al., 2025).

The s1 method, at both scales:

- ``chat``, ``tokenizer``, ``modeling``: the thinking/answer chat format and loading models
- ``sources``, ``domains``: the paper's data from the Hub, MSC domains for Algorithm 1
- ``selection``: quality, difficulty and diversity filtering (Algorithm 1)
- ``training``: SFT with trl
- ``budget``, ``budget_reference``, ``engines``: budget forcing and its decoding backends
- ``grading``, ``chat_client``, ``evaluation``, ``metrics``: answers graded as s1 does, sweeps, measures

The tiny world that stands in for the paper's data and models: ``s1kit.tiny`` (world, teacher,
instruct corpus, tokenizer, model).

Running the study: ``config`` (profiles), ``preflight`` (what a profile needs), ``experiments``
(one module per stage, and the graph), ``stages`` (cached, locked stages), ``pipeline`` (what
chapters call). The book's helpers: ``report`` (one module per paper artifact), ``paper``,
``book``, ``chapters`` and ``bookbuild`` (executing and building it).
"""
