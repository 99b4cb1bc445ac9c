"""The tiny world: what the ``tiny`` profile puts where the paper has data, Gemini and Qwen.

Nothing in here is the s1 method. These modules build the stand-ins that let the whole study
run on a laptop CPU in minutes, and the method modules (``s1kit.selection``,
``s1kit.training``, ``s1kit.budget``, ...) treat them exactly as they treat the real thing:

========================  =================================================  ============================
module                    stands in for                                      at paper scale
========================  =================================================  ============================
``s1kit.tiny.world``      the 59K question pool and AIME24                   ``s1kit.sources`` (Hub data)
``s1kit.tiny.teacher``    Gemini 2.0 Flash Thinking writing traces           traces shipped with the pool
``s1kit.tiny.instruct``   the instruct data behind Qwen2.5-32B-Instruct      a pretrained checkpoint
``s1kit.tiny.tokenizer``  Qwen's tokenizer (byte-level BPE, ChatML tokens)   the checkpoint's tokenizer
``s1kit.tiny.model``      Qwen2.5-32B-Instruct's architecture, at 1M params  the checkpoint itself
========================  =================================================  ============================

Only the stages (``s1kit.experiments``) and the profile (``s1kit.config``) import this package;
a method module never does (``tests/test_layout.py`` checks it). Its modules enter a stage's
cache key only in profiles that run the tiny world (``Profile.runs_tiny_world``).
"""
