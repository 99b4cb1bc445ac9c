"""What budget forcing costs over plain generation in vLLM, for the same number of tokens.

    .venv-vllm/bin/python benchmarks/vllm_overhead.py --model runs/tiny/models/sft   (after make test-vllm)

Budget forcing runs each prompt in segments (think until a stop token, append "Wait", think again,
append the answer delimiter, answer), so it calls ``LLM.generate`` several times per sweep point.
This times :func:`s1kit.budget.budget_force` on ``VLLMEngine``, then one plain ``LLM.generate``
call that produces exactly as many tokens per prompt (``min_tokens = max_tokens``, ``ignore_eos``),
and reports the ratio (the goal: at most 1.10). On the CPU build of vLLM and a 1M-parameter model
this is a stand-in: per-call overhead weighs more here than on a GPU with a 32B model.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--max-thinking-tokens", type=int, default=None)
    parser.add_argument("--num-ignore", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from vllm import SamplingParams
    from vllm.inputs import TokensPrompt

    from s1kit.budget import BudgetForcing, budget_force
    from s1kit.chat import ChatFormat
    from s1kit.engines import VLLMEngine
    from s1kit.tiny.world import generate_problems

    engine = VLLMEngine(args.model, dtype="float32", enforce_eager=True, gpu_memory_utilization=0.2,
                        max_num_batched_tokens=131072, max_num_seqs=256)
    chat = ChatFormat.from_tokenizer(engine.tokenizer)
    problems = generate_problems(seed=11, count=args.prompts, min_terms=6, max_terms=10, source="bench", id_prefix="b")
    prompts = [chat.thinking_prompt(p.question) for p in problems]
    config = BudgetForcing(max_thinking_tokens=args.max_thinking_tokens, num_ignore=args.num_ignore,
                           max_answer_tokens=32)
    budget_force(engine, prompts[:8], config)  # warm up
    forced, plain = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        results = budget_force(engine, prompts, config)
        forced.append(time.perf_counter() - start)
        lengths = [len(r.output_ids) for r in results]
        ids = [engine.tokenizer.encode(p, add_special_tokens=False) for p in prompts]
        params = [SamplingParams(max_tokens=n, min_tokens=n, ignore_eos=True, temperature=0) for n in lengths]
        start = time.perf_counter()
        engine.llm.generate([TokensPrompt(prompt_token_ids=i) for i in ids], params, use_tqdm=False)
        plain.append(time.perf_counter() - start)
    report = {"model": args.model, "prompts": len(prompts), "num_ignore": args.num_ignore,
              "max_thinking_tokens": args.max_thinking_tokens, "tokens": sum(lengths),
              "forcing_s": round(min(forced), 3), "plain_generate_s": round(min(plain), 3),
              "ratio": round(min(forced) / min(plain), 3)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
