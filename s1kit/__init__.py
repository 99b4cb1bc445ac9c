"""s1kit: a reproducible, teachable study of "s1: Simple test-time scaling" (Muennighoff et al., 2025).

The stages of the paper, one module each:

- ``world``, ``sources``, ``instruct``: the question pool, the held-out set, the base model's corpus
- ``teacher``: reasoning traces (the Gemini stand-in)
- ``selection``: quality, difficulty and diversity filtering (Algorithm 1)
- ``chat``, ``tokenizer``, ``modeling``, ``training``: the s1 chat format and SFT with trl
- ``budget``, ``engines``: budget forcing and its decoding backends (transformers, vLLM)
- ``evaluation``, ``grading``, ``analysis``, ``plots``, ``paper``: results and the book's figures
- ``config``, ``stages``, ``pipeline``: profiles, cached stages, and the pipeline notebooks call
"""
