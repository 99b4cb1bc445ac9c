"""Training precision per machine (bf16 "auto"), the CPU kind a run records, and the reference of a CPU setting."""

import json
import os
import subprocess
import sys

import pytest

from s1kit import book
from s1kit.config import load_profile
from s1kit.experiments import base_model, sft
from s1kit.hardware import cpu_kind
from s1kit.training import TrainConfig, native_bf16, precision_name

AVX2 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


def test_auto_resolves_to_what_this_machine_runs_and_explicit_values_stay():
    assert TrainConfig(bf16="auto").resolved().bf16 is native_bf16()
    assert TrainConfig(bf16=True).resolved().bf16 is True and TrainConfig(bf16=False).resolved().bf16 is False
    assert precision_name(TrainConfig(bf16=False)) == "fp32" and precision_name(TrainConfig(bf16=True)) == "bf16"
    with pytest.raises(ValueError, match='bf16 must be true, false or "auto"'):
        TrainConfig(bf16="yes")


def _ask_torch(env: dict) -> str:
    code = "from s1kit.training import native_bf16; from s1kit.hardware import cpu_kind; print(native_bf16()); print(cpu_kind())"
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(not native_bf16(), reason="this CPU has no native bf16 to switch off")
def test_an_avx2_limit_on_onednn_turns_bf16_off_and_names_itself_in_the_cpu_kind():
    native, kind = _ask_torch({}).splitlines()
    limited, limited_kind = _ask_torch(AVX2).splitlines()
    assert (native, limited) == ("True", "False")
    assert limited_kind == f"{kind} ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2"


def test_training_stages_record_the_resolved_precision(monkeypatch):
    profile = load_profile("tiny")
    assert profile.sft.train.bf16 == "auto" and profile.base_model.train.bf16 == "auto"
    keyed = {}
    for native in (True, False):
        monkeypatch.setattr("s1kit.training.native_bf16", lambda native=native: native)
        keyed[native] = (base_model.settings(profile), sft.settings(profile))
        assert keyed[native][0]["train"]["bf16"] is native and keyed[native][1]["train"]["bf16"] is native
    # a run directory moved to a CPU that trains in another precision does not reuse its models
    assert keyed[True][0] != keyed[False][0] and keyed[True][1] != keyed[False][1]


def _reference(root, name, cpu, precision):
    folder = root / name
    (folder / "results").mkdir(parents=True)
    (folder / "results" / "summary.json").write_text("{}")
    (folder / "run.json").write_text(json.dumps({"machine": {"cpu": cpu}, "precision": precision}))
    return folder


def test_the_reference_of_this_cpu_setting_is_found_and_its_absence_said(tmp_path, monkeypatch):
    monkeypatch.setattr(book, "REPO", tmp_path)
    monkeypatch.setattr(book, "REFERENCE", tmp_path / "reference")
    profile = load_profile("tiny")
    here = precision_name(profile.sft.train)
    other = "fp32" if here == "bf16" else "bf16"
    _reference(tmp_path / "reference", "tiny", "Some CPU [avx2]", here)
    mine = _reference(tmp_path / "reference", "tiny-mine", cpu_kind(), here)
    _reference(tmp_path / "reference", "tiny-other", cpu_kind(), other)
    _reference(tmp_path / "reference", "tinyish", cpu_kind(), here)  # another profile's reference
    found, sentence = book.matching_reference(profile)
    assert found == mine and "reference/tiny-mine/" in sentence and here in sentence
    (mine / "run.json").unlink()
    found, sentence = book.matching_reference(profile)
    assert found is None
    assert sentence.startswith(f"no reference run matches this CPU setting ({cpu_kind()}, {here} training)")
    assert "reference/tiny/ (Some CPU [avx2], " in sentence and "reference/tiny-other/" in sentence
    assert "tinyish" not in sentence
