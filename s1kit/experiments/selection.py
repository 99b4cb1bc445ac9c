"""Stage ``selection`` (chapter 3): quality, difficulty and diversity filtering down to s1K (Algorithm 1).

A profile that trains on a released s1K (``sourcing.hub.selection_dataset``) takes it as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.experiments._paths import base_model_path, output, released_selection
from s1kit.jsonio import read_jsonl, write_json, write_jsonl
from s1kit.selection import released_s1k, select_s1k
from s1kit.stages import Stage
from s1kit.tokenizer import load_tokenizer

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def settings(p: Profile) -> dict:
    if released_selection(p):
        return {"released_selection": True}
    return {"seed": p.seed, "size": p.selection.size, "seed_sources": p.selection.seed_sources,
            "long_seed_sources": p.selection.long_seed_sources}


def compute(run: RunDir, out: Path) -> None:
    records = read_jsonl(output(run, "distillation", "traces.jsonl"))
    tokenizer = load_tokenizer(base_model_path(run))  # thinking length is counted in the base model's tokens
    if released_selection(run.profile):
        chosen, candidates, funnel = released_s1k(records, tokenizer)
    else:
        test = read_jsonl(output(run, "sourcing", "test.jsonl"))
        solved = {r["id"]: r["solved"] for r in read_jsonl(output(run, "difficulty", "verdicts.jsonl"))}
        chosen, candidates, funnel = select_s1k(records, [t["question"] for t in test], solved, tokenizer,
                                                run.profile.selection, run.profile.seed)
    write_jsonl(out / "s1k.jsonl", chosen)
    write_jsonl(out / "candidates.jsonl", candidates)
    write_json(out / "funnel.json", funnel)


STAGE = Stage("selection", "s1k", ("sourcing", "base_model", "distillation", "difficulty"), settings, compute,
              reference=("funnel.json",))
