"""``python -m s1kit serve``: vLLM's OpenAI-compatible server with budget forcing installed.

    python -m s1kit serve --model DIR [--host 127.0.0.1] [--port 8000] [--thinking-format auto]
                          [--cap-text TEXT] [vLLM engine args, e.g. --dtype float32 --max-model-len 32768]

It runs ``python -m vllm.entrypoints.openai.api_server`` (the launcher of ``s1kit.serving``)
with three additions:

* the logits processor ``s1kit.service.processor.BudgetForcingLogitsProcessor``
  (``--logits-processors``), which forces inside each request;
* the middleware :class:`s1kit.service.middleware.ForcingFieldsMiddleware` (``--middleware``),
  which maps the top-level fields ``max_thinking_tokens``, ``num_ignore`` and ``ignore_str`` onto
  the processor's arguments, answers bad ones with HTTP 400, and counts thinking tokens exactly;
* the reasoning parser of ``s1kit.service.reasoning``, so that a chat reply gives the thinking
  and the answer apart.

The thinking format is read from the model's tokenizer (:func:`s1kit.chat.thinking_format`): s1's
delimiters or ``<think>`` tags. ``--thinking-format s1|think|none`` says it instead, and
``--cap-text`` replaces the text a cap forces before the answer delimiter (for ``<think>``
models, Qwen3's early-stop sentence by default). Run it from the environment that has vLLM
(``.venv-vllm`` here, the GPU environment on a node).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path

from s1kit.chat import ChatFormat, thinking_format
from s1kit.serving import HOST, vllm_command

PROCESSOR = "s1kit.service.processor:BudgetForcingLogitsProcessor"
MIDDLEWARE = "s1kit.service.middleware.ForcingFieldsMiddleware"
PARSER_FILE = Path(__file__).resolve().parent / "reasoning.py"
FORMATS = ("auto", "s1", "think", "none")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m s1kit serve", description=__doc__.splitlines()[0],
                                epilog="Other arguments go to vLLM's server as given.")
    p.add_argument("--model", required=True, help="a saved Hugging Face model directory")
    p.add_argument("--host", default=HOST)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--thinking-format", choices=FORMATS, default="auto",
                   help="auto: read from the tokenizer (default); s1: <|im_start|>think/answer; think: <think> tags")
    p.add_argument("--cap-text", default=None, help="text the cap forces before the answer delimiter")
    return p


def served_chat_format(model: str | Path, choice: str = "auto", cap_text: str | None = None) -> ChatFormat | None:
    """The thinking format to serve ``model`` with (None: requests may not ask for forcing)."""
    if choice == "none":
        return None
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model))
    has_template = bool(getattr(tokenizer, "chat_template", None))
    if choice == "auto":
        chat = thinking_format(tokenizer)
    elif choice == "think":
        chat = ChatFormat.think_tags(tokenizer if has_template else None)
    else:
        chat = ChatFormat.from_tokenizer(tokenizer) if has_template else ChatFormat()
    if chat is not None and cap_text is not None:
        chat = replace(chat, cap_text=cap_text)
    return chat


def serve_command(model: str | Path, port: int, host: str = HOST, chat: ChatFormat | None = None,
                  vllm_args: list[str] = (), python: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The server's command line and the environment it needs (the thinking format, the model)."""
    from s1kit.service.middleware import FORMAT_ENV, MODEL_ENV

    extra = ["--logits-processors", PROCESSOR, "--middleware", MIDDLEWARE, *vllm_args]
    if chat is not None:
        extra = ["--reasoning-parser-plugin", str(PARSER_FILE), *extra]
    command = vllm_command(str(model), port, python=python or sys.executable, host=host,
                           reasoning_parser="s1kit" if chat is not None else None, extra_args=extra)
    if not any(a == "--generation-config" or a.startswith("--generation-config=") for a in vllm_args):
        # vLLM's own sampling defaults, not the model's generation_config.json (Qwen3's sets top_k, which
        # the processor's sampling does not apply, so every sampled forced request would be refused)
        command += ["--generation-config", "vllm"]
    env = {FORMAT_ENV: "none" if chat is None else json.dumps(asdict(chat)), MODEL_ENV: str(model),
           "VLLM_USE_V2_MODEL_RUNNER": "0"}  # the processor is a V1-runner one (vLLM 0.32 picks V2 on a GPU)
    return command, env


def main(argv: list[str]) -> int:
    args, vllm_args = parser().parse_known_args(argv)
    model = Path(args.model)
    if not (model / "config.json").exists():
        print(f"error: --model {model}: no saved model there (expected {model / 'config.json'})", file=sys.stderr)
        return 2
    try:
        import vllm  # noqa: F401
    except ImportError:
        print("error: vLLM is not installed in this environment; run `.venv-vllm/bin/python -m s1kit serve` "
              "(make test-vllm builds it) or the GPU environment's python", file=sys.stderr)
        return 2
    chat = served_chat_format(model, args.thinking_format, args.cap_text)
    command, env = serve_command(model, args.port, args.host, chat, vllm_args)
    print(f"thinking format: {'none (forcing fields get HTTP 400)' if chat is None else chat.think_delimiter!r}"
          f" ... {'' if chat is None else repr(chat.answer_delimiter)}", file=sys.stderr, flush=True)
    os.execve(command[0], command, {**os.environ, **env})  # vLLM's server in this process: signals reach it
    return 0  # not reached
