"""Stage ``control_sft`` (chapter 9, the paper's Table 3): the conditional model, fine-tuned as SFT is.

s1K with token-, step- and class-conditional prompts (``s1kit.control.conditional_s1k``; no class
prompts with ``control.class_prompts: s1``, and s1's ``<|im_start|>N steps left`` countdown with
``control.step_marker: s1``), trained exactly as the SFT stage trains s1K. A stage of its own,
launched like SFT on every process of a GPU profile, so that the ``control`` stage only decodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from s1kit.control import conditional_s1k, steps_of
from s1kit.experiments import sft
from s1kit.experiments._paths import base_model_path, checkpoint_dir, output
from s1kit.experiments._variants import train_variant
from s1kit.jsonio import read_jsonl, write_json
from s1kit.stages import Stage, is_main_process
from s1kit.tokenizer import load_tokenizer

if TYPE_CHECKING:
    from s1kit.config import Profile
    from s1kit.stages import RunDir


def settings(p: Profile) -> dict:
    # trained as the SFT stage trains, with its config even where the profile's SFT is a released checkpoint
    training = sft.settings(p) if p.sft.kind == "train" else {"train": p.sft.train.key_settings(),
                                                              "answer_prefix": p.sft.answer_prefix}
    values = {"seed": p.seed, "enabled": p.control.enabled, "sft": training}
    # the training data's options, named only when they depart from the default (the key of a
    # profile that keeps them stays what it was)
    values.update({name: getattr(p.control, name) for name in ("class_prompts", "step_marker")
                   if getattr(p.control, name) != "s1kit"})
    return values


def trains(p: Profile) -> bool:
    return p.control.enabled


def compute(run: RunDir, out: Path) -> None:
    if not run.profile.control.enabled:
        if is_main_process():
            write_json(out / "train_report.json", {"skipped": "control.enabled is false"})
        return
    s1k = read_jsonl(output(run, "selection", "s1k.jsonl"))
    tokenizer = load_tokenizer(base_model_path(run))
    control = run.profile.control
    records = conditional_s1k(s1k, tokenizer, run.profile.seed, control.class_prompts, control.step_marker)
    report = train_variant(run, records, out, checkpoints=checkpoint_dir(run, "control_sft"))
    if is_main_process():
        # SCC + BF's cap: N steps of the longest step (countdown line included) the training data holds
        max_step_tokens = max(len(tokenizer.encode(line + "\n", add_special_tokens=False))
                              for r in records if r["control"] == "steps" for line in steps_of(r["trace"]))
        write_json(out / "train_report.json", dict(report, max_step_tokens=max_step_tokens))


STAGE = Stage("control_sft", "models/control", ("base_model", "selection"), settings, compute,
              reference=("train_report.json",), all_ranks=True, trains=trains)

