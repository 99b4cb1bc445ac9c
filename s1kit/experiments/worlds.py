"""Chapter 7's contrast worlds: the main tiny world with one teacher setting changed.

Each lives in ``runs/<profile>/worlds/<world>/`` and shares the parent's pool, test set, base
model and difficulty verdicts, so only distillation, selection, SFT and evaluation run again.
"""

from __future__ import annotations

import dataclasses

from s1kit.experiments import GRAPH
from s1kit.stages import RunDir

WORLDS: dict[str, dict] = {
    "no_wait": {"style": "no_wait"},  # the same traces without the word: nothing in s1K follows "Wait"
    "patient": {"impatient_domains": []},  # the teacher never stops early: nothing for "Wait" to finish
    "no_checks": {"p_final_check": 0.0},  # the teacher never checks: nothing follows "Wait" after a finished sum
}


def world_variant(run: RunDir, world: str) -> RunDir:
    """A contrast world (one of ``WORLDS``): the same profile with one teacher setting changed.

    Its evaluation sweeps k up to 2 (the k its verdicts compare) and only the smallest cap, and
    skips the dev split: a contrast world is read for what forcing does to it, and no choice is
    made on it (fewer points keep the study within its 10 minutes).
    """
    if world not in WORLDS:
        raise ValueError(f"unknown world {world!r}; known worlds: {sorted(WORLDS)}")
    teacher = dataclasses.replace(run.profile.distillation.teacher, **WORLDS[world])
    main = run.profile.evaluation
    evaluation = dataclasses.replace(main, dev_sweep=False, caps=sorted(main.caps)[:1],
                                     num_ignores=[k for k in main.num_ignores if k <= 2])
    profile = dataclasses.replace(
        run.profile,
        name=f"{run.profile.name}/worlds/{world}",
        distillation=dataclasses.replace(run.profile.distillation, teacher=teacher),
        evaluation=evaluation,
    )
    return RunDir(profile, run.runs_root, GRAPH,  # the runs root: a profile name may hold a "/"
                  shared={"sourcing": run, "base_model": run, "difficulty": run})
