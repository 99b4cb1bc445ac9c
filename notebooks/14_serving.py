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
# # Budget forcing as a service
#
# **After this page you can**
# - start an OpenAI-compatible server that budget-forces any reasoning model, and call it with the
#   `openai` client;
# - set the cap N and the number of ignored ends k per request, and read the thinking and the
#   answer apart in the reply;
# - say why the forcing happens inside one request, and where vLLM's own thinking cap differs.
#
# Every chapter so far forced a model inside s1kit's own decoding loops. This page puts the same
# rules behind a server, so that any program that speaks the OpenAI API can ask for them:
# `python -m s1kit serve` starts vLLM's OpenAI-compatible server with three additions from
# [`s1kit.service`](../api.md):
#
# - a **logits processor** (`BudgetForcingLogitsProcessor` in `s1kit/service/processor.py`) that
#   applies every rule of chapter 5 *inside one request*. Before each token vLLM asks it to adjust
#   the scores of the whole batch; for a forced request it makes the forced token (a "Wait", the
#   answer delimiter, the cap's forced answer) the only possible one, or replaces a token that would
#   end the thinking. The rules are the same state machine as everywhere else
#   ({py:class}`s1kit.budget.ForcingState`), stepped by {py:class}`s1kit.service.rows.ForcingRows`;
# - a **middleware** that reads three extra fields of the request, `max_thinking_tokens`,
#   `num_ignore` and `ignore_str`, answers a bad one with HTTP 400 naming it, and counts the
#   thinking tokens of the reply exactly ({py:mod}`s1kit.service.fields`);
# - a **reasoning parser** that returns the thinking (`reasoning_content`) apart from the answer
#   (`content`), for s1's delimiters and for models that think inside `<think>` tags (Qwen3, QwQ,
#   DeepSeek-R1): the format is read from the model's tokenizer ({py:func}`s1kit.chat.thinking_format`).
#
# Requests with different budgets share the server's batch: each carries its own settings.

# %% tags=["parameters"]
# Papermill overrides these; `make reproduce PROFILE=...` passes the profile name. This page reads
# only the committed sweep below, whatever the profile.
profile = "tiny"
runs_root = "runs"

# %% tags=["remove-cell"]
from s1kit import book
from s1kit.report import service

points, made = service.load_sweep()
read = service.readings(points)
book.glue_numbers({f"service_{key}": value for key, value in read.items() if not isinstance(value, bool)})
cost = service.load_overhead()
book.glue_numbers({f"overhead_{key}": value for key, value in cost.items() if not isinstance(value, bool)}, digits=2)

# %% [markdown]
# ## Start the server, call it
#
# Here, with the small model `make test-vllm` trains (vLLM runs on this CPU from its own
# environment, `.venv-vllm`):
#
# ```bash
# make test-vllm      # once: builds .venv-vllm and the small model runs/vllm-check/model
# .venv-vllm/bin/python -m s1kit serve --model runs/vllm-check/model --port 8000 \
#     --dtype float32 --enforce-eager --gpu-memory-utilization 0.1
# ```
#
# Then, from any Python with the `openai` package:
#
# ```python
# from openai import OpenAI
#
# client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="none")
# reply = client.chat.completions.create(
#     model="runs/vllm-check/model",
#     messages=[{"role": "user", "content": "a3 b4 c5: what is the sum?"}],
#     temperature=0, max_tokens=256,
#     extra_body={"max_thinking_tokens": 32, "num_ignore": 2, "ignore_str": "Wait"},
# )
# message = reply.choices[0].message
# print(message.reasoning_content)   # the thinking, at most 32 tokens
# print(message.content)             # the answer
# print(reply.usage.completion_tokens_details.reasoning_tokens)
# ```
#
# `extra_body` puts the three fields at the top level of the request's JSON, which is where the
# server reads them; `/v1/completions` takes them too (with a prompt that already opens the
# thinking, or one the processor opens). Leave them out and the request is vLLM's as usual.
#
# ## The same commands on a GPU node
#
# From the GPU environment (`requirements/gpu.lock`), for s1.1 or for Qwen3, which thinks inside
# `<think>` tags; the cap then forces Qwen3's own sentence for ending its thinking early (change it
# with `--cap-text`):
#
# ```bash
# python -m s1kit serve --model simplescaling/s1.1-32B --tensor-parallel-size 8 --max-model-len 32768
# python -m s1kit serve --model Qwen/Qwen3-8B --max-model-len 32768
# ```
#
# The client code does not change. None of this has run on a GPU here: the server, the processor
# and the parser were tested only on vLLM's CPU build, with the small test model and with a random
# toy model over Qwen3's real tokenizer.

# %% [markdown]
# ## A sweep through the server
#
# `make test-vllm` sends {glue:text}`service_questions` held-out questions of the tiny world to the
# server at each cap N and ignore count k, all at once, grades the answers, and commits the result.
# It was made on this stand-in:

# %% tags=["remove-input"]
from IPython.display import Markdown

Markdown(f"- made by: {made['made_by']}\n- on: {made['stand_in']}")

# %%
service.sweep_table(points)

# %% tags=["remove-cell"]
book.glue_figure("service_sweep", service.sweep_figure(points))

# %% [markdown]
# ```{glue:figure} service_sweep
# :name: fig-service-sweep
# Accuracy against the thinking tokens the server reported, per ignore count k, for caps N from
# {glue:text}`service_smallest_cap` tokens to none. A sweep of the small test model on vLLM's CPU
# build, one seed.
# ```

# %%
Markdown(service.reading(read))

# %% [markdown]
# Read this as a demonstration that the service works, not as a finding of the study: it is one
# run of one small model trained for a few seconds, on one seed. The study's findings about "Wait"
# are in chapters 6 and 7, where a model trained on s1's recipe is forced through the same rules.
#
# ## Why inside one request
#
# s1kit's engines for the study force from outside the model's decoding: the Hugging Face engine
# steps its own loop, and {py:class}`s1kit.engines.VLLMEngine` sends a new request for every
# stretch of thinking (think, "Wait", think again, then answer). Each new request waits its turn in
# vLLM's queue and re-reads its prompt. Inside one request the forced tokens cost one decoding step
# each, like any other token. On this CPU stand-in ({glue:text}`overhead_prompts` prompts, k =
# {glue:text}`overhead_num_ignore`, {glue:text}`overhead_tokens` tokens generated either way),
# forcing took {glue:text}`overhead_segments_ratio` times as long as plain generation of the same
# tokens when re-submitting, and {glue:text}`overhead_in_engine_ratio` times inside the engine, of
# which the processor's own work was {glue:text}`overhead_processor_percent`% of the plain time
# (`benchmarks/vllm_overhead.py`, committed in `reference/service/`). On a GPU with a large model
# a decoding step costs far more than the processor's bookkeeping, so its share should shrink; that
# was not measured here.
#
# vLLM has a cap of its own (`thinking_token_budget`, since about version 0.19), but nothing for
# "Wait". `make test-vllm` compares it with the processor on s1's format (`tests/vllm/test_native_cap.py`):
# vLLM's budget N lets N + 1 thinking tokens through, and it does not recognise s1's answer
# delimiter as the end of thinking, so when the model stops thinking by itself vLLM forces the
# answer text a second time, inside the answer. That is why the processor does the capping too.

# %% [markdown]
# ## Check yourself
# 1. A request asks for `max_thinking_tokens: 32` and the cap fires. The reply's text between the
#    delimiters is longer than 32 tokens. Why, and what does `reasoning_tokens` say?
#
# ```{admonition} Answer
# :class: dropdown
# The cap's forced answer begins with text the model did not write: s1's "\n" before the answer
# delimiter, or Qwen3's sentence for ending thinking early before `</think>`. That text is not
# thinking, so `reasoning_tokens` counts 32, the tokens the model thought before the cap.
# ```
#
# 2. Two clients send requests at the same moment, one with N = 8 and one with no cap. Does the
#    second wait for the first?
#
# ```{admonition} Answer
# :class: dropdown
# No. Both decode in the same batch; the processor keeps one rule state per request and applies
# each one's own settings at every step.
# ```
#
# 3. In the sweep above, k = 2 ignores did not help at any cap. Does that contradict the paper?
#
# ```{admonition} Answer
# :class: dropdown
# No: this is a tiny model trained for seconds, with no seeds to compare, and its "Wait"
# continuations mostly repeat a sum it already wrote. Whether "Wait" helps is the study's question,
# asked in chapters 6 and 7 of a model trained on s1's recipe, and checked across seeds there.
# ```
