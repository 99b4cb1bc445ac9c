"""Stage ``extrapolation`` (chapter 12, the paper's Table 4): other strings than "Wait".

The end of thinking is suppressed ``evaluation.extrapolation_num_ignore`` times, appending each
of ``evaluation.extrapolation_strings`` (None: append nothing), and each row is compared, paired,
with the same model unforced, overall and per benchmark. Every string is decoded first and the
model released; then all outputs are graded at once with the run's grader.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from s1kit.budget import BudgetForcing, Engine, budget_force
from s1kit.chat import ChatFormat
from s1kit.evaluation import EvaluationConfig, FinishedPoints, benchmark_order, forcing_options, grading_options
from s1kit.experiments._engine import engine_for
from s1kit.experiments._grader import grader_for, grading_settings
from s1kit.experiments._paths import checkpoint_dir, output, sft_model_path
from s1kit.experiments._variants import by_benchmark, uncapped_correct
from s1kit.jsonio import read_jsonl, write_json, write_jsonl
from s1kit.judging import Grader, items_for
from s1kit.metrics import paired_bootstrap
from s1kit.stages import Stage

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def extrapolation(engine: Engine | Callable[[], Engine], test: Sequence[dict], config: EvaluationConfig, seed: int,
                  unforced: Sequence[bool], grader: Grader | None = None,
                  finished: FinishedPoints | None = None) -> tuple[list[dict], list[dict]]:
    """Table 4: end of thinking suppressed ``extrapolation_num_ignore`` times, appending each string.

    ``unforced`` is the same model's per-question correctness with no forcing (k = 0), from the
    main sweep; every row carries its paired gain over it (``gain_vs_unforced``, ``ci_low``,
    ``ci_high``) and, per benchmark, ``accuracy_by_benchmark``, ``thinking_tokens_by_benchmark``
    and ``paired_by_benchmark``. Every string is decoded first; an engine given as a function that
    loads it is loaded here and closed before ``grader`` (rules only by default) grades every
    output at once. ``finished`` keeps each string's outputs as decoded (a failed grading resumes
    without decoding). Returns the rows and the generations.
    """
    finished = finished or FinishedPoints(None)
    grader = grader or Grader(grading_options(config))
    model = None
    decoded = []
    try:
        for index, text in enumerate(config.extrapolation_strings):
            def decode(text: str | None = text) -> dict:
                nonlocal model
                model = model or (engine() if callable(engine) else engine)
                chat = ChatFormat.from_tokenizer(model.tokenizer)
                forcing = BudgetForcing(num_ignore=config.extrapolation_num_ignore, ignore_str=text,
                                        max_answer_tokens=config.max_answer_tokens, seed=seed, chat=chat,
                                        **forcing_options(config))
                results = budget_force(model, [chat.thinking_prompt(t["question"]) for t in test], forcing)
                return {"rows": [{"thinking": r.thinking_text, "answer_text": r.answer_text,
                                  "thinking_tokens": r.thinking_tokens} for r in results]}

            decoded.append(finished.get_or_compute(f"string-{index}", decode)["rows"])
    finally:
        if model is not None and callable(engine):
            model.close()  # released before the judge (if any) loads
    verdicts = grader.grade_each([items_for(test, [r["answer_text"] for r in rows], config.benchmark)
                                  for rows in decoded])
    out, generations = [], []
    for text, rows, correct in zip(config.extrapolation_strings, decoded, verdicts, strict=True):
        tokens = [r["thinking_tokens"] for r in rows]
        gain, low, high = paired_bootstrap(unforced, correct, config.bootstrap_samples, seed)
        out.append({"ignore_str": text, "num_ignore": config.extrapolation_num_ignore,
                    "accuracy": sum(correct) / len(correct), "mean_thinking_tokens": sum(tokens) / len(tokens),
                    "n": len(correct), "gain_vs_unforced": gain, "ci_low": low, "ci_high": high,
                    **by_benchmark(test, correct, tokens, unforced, config.bootstrap_samples, seed)})
        generations += [{"ignore_str": text, "id": t["id"], "thinking": r["thinking"], "correct": c}
                        for t, r, c in zip(test, rows, correct, strict=True)]
    return out, generations


def settings(p: Profile) -> dict:
    e = p.evaluation
    return {"seed": p.seed, "strings": e.extrapolation_strings, "num_ignore": e.extrapolation_num_ignore,
            "max_answer_tokens": e.max_answer_tokens, "benchmark": e.benchmark, "engine": e.engine,
            "hf_attn_implementation": e.hf_attn_implementation,
            "bootstrap_samples": e.bootstrap_samples, "grading": grading_settings(p), "forcing": forcing_options(e)}


def compute(run: RunDir, out: Path) -> None:
    cfg = run.profile.evaluation
    test = read_jsonl(output(run, "sourcing", "test.jsonl"))
    grader = grader_for(run)
    finished = checkpoint_dir(run, "extrapolation")  # each string's outputs kept as decoded
    rows, generations = extrapolation(lambda: engine_for(run, sft_model_path(run), cfg.batch_size), test, cfg,
                                      run.profile.seed, uncapped_correct(run, 0, [t["id"] for t in test]), grader,
                                      FinishedPoints(finished))
    write_json(out / "extrapolation.json", {"num_ignore": cfg.extrapolation_num_ignore, "rows": rows,
                                            "judge": {b: grader.counts[b] for b in benchmark_order(grader.counts)}})
    write_jsonl(out / "generations.jsonl", generations)
    shutil.rmtree(finished, ignore_errors=True)  # what it kept for a resume is in the outputs now


STAGE = Stage("extrapolation", "experiments/extrapolation", ("sourcing", "sft", "evaluation"), settings, compute,
              reference=("extrapolation.json",))
