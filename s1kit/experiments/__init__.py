"""The study's stages, one module each; the graph, its order and the CLI's stage names come from here.

Each module holds one stage: its settings (what its key depends on), its compute function and
its :class:`s1kit.stages.Stage` declaration (``STAGE``). The code a stage runs is its module and
whatever that module imports (``_paths``, ``_engine``, ``_variants`` and the method modules), so
an edit to any of them recomputes the stage, and an edit to ``s1kit.report`` recomputes nothing.

A new experiment is a new module here and a line in ``MODULES``; its chapter reads it through
``s1kit.pipeline``. Nothing here imports ``s1kit.pipeline`` or ``s1kit.report``.
"""

from __future__ import annotations

from s1kit.experiments import (
    base_model,
    control,
    control_sft,
    data_ablations,
    difficulty,
    distillation,
    evaluation,
    extrapolation,
    parallel,
    selection,
    sft,
    sourcing,
)
from s1kit.stages import Stage

# the pipeline's order: every stage after the stages it needs
MODULES = (sourcing, base_model, distillation, difficulty, selection, sft, evaluation, extrapolation, parallel,
           data_ablations, control_sft, control)
GRAPH: dict[str, Stage] = {module.STAGE.name: module.STAGE for module in MODULES}
STAGES = tuple(GRAPH)
