"""Budget-forcing throughput on the tiny SFT model: four ways to run the same sweep point.

    python benchmarks/budget_forcing.py --profile tiny      (after `make reproduce`)

(a) the straightforward algorithm, :func:`s1kit.budget_reference.reference_budget_force` (the same
    function the tests use as their oracle): one prompt at a time, a full forward pass per token, no KV cache;
(b) the s1 README's transformers recipe: per prompt, one ``model.generate`` call per phase
    (thinking, each "Wait" continuation, answer), every call re-encoding the whole prefix;
(c) s1kit's ``HFEngine``: batched, one KV cache, forced tokens fed like generated ones;
(d) the ceiling: a raw batched greedy decode with a KV cache and no budget logic.

Tokens/s counts every token appended after the prompt (generated or forced). (a) and (b) are
timed on a subset of the prompts (they are slow); their rate is per token, so it compares.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from s1kit.budget import BudgetForcing, budget_force
from s1kit.budget_reference import reference_budget_force
from s1kit.chat import ChatFormat
from s1kit.engines import HFEngine
from s1kit.modeling import load_model
from s1kit.pipeline import open_run, sourcing
from s1kit.tiny.world import generate_problems
from s1kit.tokenizer import load_tokenizer

CHAT = ChatFormat()


def prompts_for(run, count: int) -> list[str]:
    test = [t["question"] for t in sourcing(run)["test"]]
    cfg = run.profile.sourcing.tiny
    extra = generate_problems(seed=run.profile.seed + 777, count=max(0, count - len(test)),
                              min_terms=cfg.test_min_terms, max_terms=cfg.test_max_terms, source="bench", id_prefix="b")
    return [CHAT.thinking_prompt(q) for q in (test + [p.question for p in extra])[:count]]


def readme_recipe(model, tokenizer, prompt: str, cfg: BudgetForcing) -> int:
    """(b): the s1 README's transformers example - one generate() per phase, prefix re-encoded each time."""
    stop_ids = [tokenizer.convert_tokens_to_ids("<|im_start|>"), tokenizer.convert_tokens_to_ids("<|im_end|>")]
    encode = lambda t: tokenizer.encode(t, add_special_tokens=False)  # noqa: E731
    ids, start, budget = encode(prompt), len(encode(prompt)), cfg.max_thinking_tokens

    def generate(ids, max_new, stop):
        with torch.inference_mode():
            out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 max_new_tokens=max_new, do_sample=False, eos_token_id=stop,
                                 pad_token_id=tokenizer.pad_token_id)
        new = out[0, len(ids):].tolist()
        return new[:-1] if new and new[-1] in stop else new

    new = generate(ids, budget, stop_ids)
    for _ in range(cfg.num_ignore):
        budget -= len(new)
        if budget <= 0:
            break
        ids = ids + new + encode(cfg.ignore_str)
        new = generate(ids, budget, stop_ids)
    ids = ids + new + encode(CHAT.forced_answer_suffix())
    ids = ids + generate(ids, cfg.max_answer_tokens, stop_ids[1:])
    return len(ids) - start


def raw_decode(model, tokenizer, prompts: list[str], steps: int) -> int:
    """(d): batched greedy decoding with a KV cache for a fixed number of steps, no budget logic."""
    batch = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.inference_mode():
        model.generate(**batch, max_new_tokens=steps, min_new_tokens=steps, do_sample=False,
                       pad_token_id=tokenizer.pad_token_id)
    return len(prompts) * steps


def timed(fn, *args) -> tuple[int, float]:
    start = time.perf_counter()
    tokens = fn(*args)
    return tokens, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="tiny")
    parser.add_argument("--prompts", type=int, default=256)
    parser.add_argument("--slow-prompts", type=int, default=16, help="prompts timed for (a) and (b)")
    parser.add_argument("--max-thinking-tokens", type=int, default=256)
    parser.add_argument("--num-ignore", type=int, default=2)
    parser.add_argument("--output", default=None, help="write the numbers as JSON here")
    args = parser.parse_args()
    run = open_run(args.profile)
    path = run.stage_dir("sft")
    model, tokenizer = load_model(path), load_tokenizer(path)
    prompts = prompts_for(run, args.prompts)
    cfg = BudgetForcing(max_thinking_tokens=args.max_thinking_tokens, num_ignore=args.num_ignore)
    engine = HFEngine(model, tokenizer, batch_size=args.prompts)
    budget_force(engine, prompts[:8], cfg)  # warm up
    start = time.perf_counter()
    results = budget_force(engine, prompts, cfg)
    c_seconds = time.perf_counter() - start
    c_tokens = sum(len(r.output_ids) for r in results)
    slow = prompts[: args.slow_prompts]
    a_tokens, a_seconds = timed(lambda: sum(len(reference_budget_force(model, tokenizer, p, cfg)) for p in slow))
    b_tokens, b_seconds = timed(lambda: sum(readme_recipe(model, tokenizer, p, cfg) for p in slow))
    steps = round(c_tokens / len(prompts))
    d_tokens, d_seconds = timed(raw_decode, model, tokenizer, prompts, steps)
    rates = {"a_reference": a_tokens / a_seconds, "b_readme_generate": b_tokens / b_seconds,
             "c_s1kit_hf_engine": c_tokens / c_seconds, "d_raw_batched_decode": d_tokens / d_seconds}
    report = {
        "profile": args.profile, "threads": torch.get_num_threads(), "prompts": len(prompts),
        "slow_prompts": len(slow), "max_thinking_tokens": cfg.max_thinking_tokens, "num_ignore": cfg.num_ignore,
        "tokens_per_s": {k: round(v, 1) for k, v in rates.items()},
        "c_over_a": round(rates["c_s1kit_hf_engine"] / rates["a_reference"], 1),
        "c_over_b": round(rates["c_s1kit_hf_engine"] / rates["b_readme_generate"], 1),
        "c_over_d": round(rates["c_s1kit_hf_engine"] / rates["d_raw_batched_decode"], 2),
        "c_seconds": round(c_seconds, 2), "c_mean_tokens_per_prompt": round(c_tokens / len(prompts), 1),
    }
    print(json.dumps(report, indent=2))
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
