"""Budget forcing as a service: all of it inside one vLLM request, behind an OpenAI-compatible server.

- ``rows``: the rules stepped for a changing batch, one decoding step at a time (no vLLM in it)
- ``processor``: vLLM's logits processor around it (imported only where vLLM is installed)
- ``offline``: an engine with one vLLM request per prompt, for ``budget_force``
- ``fields``, ``middleware``, ``reasoning``, ``server``: ``python -m s1kit serve`` (request fields,
  HTTP 400s and exact thinking counts; thinking and answer apart; the command)
"""
