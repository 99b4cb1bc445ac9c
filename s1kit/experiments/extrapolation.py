"""Stage ``extrapolation`` (chapter 12, the paper's Table 4): other strings than "Wait".

The end of thinking is suppressed ``evaluation.extrapolation_num_ignore`` times, appending each
of ``evaluation.extrapolation_strings`` (None: append nothing), and each row is compared, paired,
with the same model unforced.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from s1kit.budget import BudgetForcing, Engine
from s1kit.chat import ChatFormat
from s1kit.evaluation import EvaluationConfig, held_out_columns, run_point
from s1kit.experiments._engine import engine_for
from s1kit.experiments._paths import output, sft_model_path
from s1kit.experiments._variants import uncapped_correct
from s1kit.jsonio import read_jsonl, write_json, write_jsonl
from s1kit.metrics import paired_bootstrap
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def extrapolation(engine: Engine, test: Sequence[dict], config: EvaluationConfig, seed: int,
                  unforced: Sequence[bool]) -> tuple[list[dict], list[dict]]:
    """Table 4: end of thinking suppressed ``extrapolation_num_ignore`` times, appending each string.

    ``unforced`` is the same model's per-question correctness with no forcing (k = 0), from the
    main sweep; every row carries its paired gain over it. Returns the rows and the generations.
    """
    questions, answers, benchmarks = held_out_columns(test, config.benchmark)
    chat = ChatFormat.from_tokenizer(engine.tokenizer)
    rows, generations = [], []
    for text in config.extrapolation_strings:
        forcing = BudgetForcing(num_ignore=config.extrapolation_num_ignore, ignore_str=text,
                                max_answer_tokens=config.max_answer_tokens, seed=seed, chat=chat)
        point, results, correct = run_point(engine, questions, answers, forcing, benchmarks, config.bootstrap_samples)
        gain, low, high = paired_bootstrap(unforced, correct, config.bootstrap_samples, seed)
        rows.append({"ignore_str": text, "num_ignore": forcing.num_ignore, "accuracy": point.accuracy,
                     "mean_thinking_tokens": point.mean_thinking_tokens, "n": point.n,
                     "gain_vs_unforced": gain, "ci_low": low, "ci_high": high})
        generations += [{"ignore_str": text, "id": t["id"], "thinking": r.thinking_text, "correct": c}
                        for t, r, c in zip(test, results, correct, strict=True)]
    return rows, generations


def settings(p: Profile) -> dict:
    e = p.evaluation
    return {"seed": p.seed, "strings": e.extrapolation_strings, "num_ignore": e.extrapolation_num_ignore,
            "max_answer_tokens": e.max_answer_tokens, "benchmark": e.benchmark, "engine": e.engine,
            "hf_attn_implementation": e.hf_attn_implementation,
            "bootstrap_samples": e.bootstrap_samples}


def compute(run: RunDir, out: Path) -> None:
    cfg = run.profile.evaluation
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    engine = engine_for(run, sft_model_path(run), cfg.batch_size)
    rows, generations = extrapolation(engine, test, cfg, run.profile.seed, uncapped_correct(run, 0))
    write_json(out / "extrapolation.json", {"num_ignore": cfg.extrapolation_num_ignore, "rows": rows})
    write_jsonl(out / "generations.jsonl", generations)


STAGE = Stage("extrapolation", "experiments/extrapolation", ("sourcing", "sft", "evaluation"), settings, compute,
              reference=("extrapolation.json",))
