"""Verdict words from a claim checked in this run and in the committed replicates (other seeds, another CPU)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from s1kit.report import robustness
from s1kit.report.robustness import Finding, Results, interval_finding


def card(directory, seed=None, precision="bf16", cpu="AMD EPYC [avx512_bf16 avx512f avx2]"):
    directory.mkdir(parents=True)
    data = {"profile": "tiny", "precision": precision, "machine": {"cpu": cpu}}
    if seed is not None:
        data["seed"] = seed
    (directory / "run.json").write_text(json.dumps(data))
    (directory / "results").mkdir()
    return directory


def fake_run(root, seed=0, precision="bf16", tiny=True, rehearsal=False):
    train = SimpleNamespace(bf16=precision == "bf16")
    profile = SimpleNamespace(name="tiny", seed=seed, runs_tiny_world=tiny, rehearsal=rehearsal,
                              sft=SimpleNamespace(train=train))
    return SimpleNamespace(root=root, profile=profile)


@pytest.fixture
def references(tmp_path, monkeypatch):
    ref = tmp_path / "reference"
    card(ref / "tiny")  # seed 0, bf16: this run's own setting, no replicate (no seed in the card: seed 0)
    card(ref / "tiny-avx2", precision="fp32", cpu="AMD EPYC [avx2] ONEDNN_MAX_CPU_ISA=AVX2")
    card(ref / "tiny-seed1", seed=1)
    card(ref / "tiny-seed2", seed=2)
    card(ref / "other")  # another profile
    monkeypatch.setattr(robustness, "REFERENCE", ref)
    monkeypatch.setattr("s1kit.training.precision_name", lambda train: "bf16" if train.bf16 else "fp32")
    return ref


def test_replicates_are_the_other_seeds_and_the_other_precision(references, tmp_path):
    found = robustness.replicates(fake_run(tmp_path / "run"))
    assert sorted(r.root.name for r in found) == ["tiny-avx2", "tiny-seed1", "tiny-seed2"]
    names = {r.root.name: r.name for r in found}
    assert names["tiny-seed1"] == "seed 1" and "AVX2" in names["tiny-avx2"]
    # a laptop's run (float32) has the bf16 reference of seed 0 as its other-precision replicate
    laptop = robustness.replicates(fake_run(tmp_path / "run", precision="fp32"))
    assert sorted(r.root.name for r in laptop) == ["tiny", "tiny-seed1", "tiny-seed2"]
    assert {r.root.name: r.name for r in laptop}["tiny"] == "bf16 training"


def claims(seeds_that_hold, tie_seeds=()):
    """A findings function whose one claim holds in the runs of the given seeds (read from a marker file)."""
    def findings_of(results: Results) -> list[Finding]:
        seed = results.seed if results.name == "this run" else results.read("results/seed.json")["seed"]
        return [Finding("Forcing helps", "Table 1", holds=seed in seeds_that_hold, evidence=f"seed {seed}",
                        tie=seed in tie_seeds)]
    return findings_of


def write_seeds(ref):
    for name, seed in (("tiny", 0), ("tiny-avx2", 10), ("tiny-seed1", 1), ("tiny-seed2", 2)):
        (ref / name / "results" / "seed.json").write_text(json.dumps({"seed": seed}))


def test_shown_only_when_every_replicate_agrees(references, tmp_path):
    write_seeds(references)
    run = fake_run(tmp_path / "run")
    assert robustness.verdicts(run, claims({0, 1, 2, 10}))[0][1] == "shown"
    assert robustness.verdicts(run, claims({0, 1, 10}))[0][1] == "seed 0 only (not with seed 2)"
    word = robustness.verdicts(run, claims({0, 1, 2}))[0][1]  # only the other precision (same seed) fails
    assert word.startswith("bf16 only (not with fp32") and "AVX2" in word
    assert robustness.verdicts(run, claims({0, 2}))[0][1] == (
        "seed 0 only (not with fp32 training on a CPU limited to AVX2, seed 1)")
    assert robustness.verdicts(run, claims({1, 2, 10}))[0][1].startswith("not shown; it holds with")
    assert robustness.verdicts(run, claims(set(), tie_seeds={0}))[0][1] == "not shown (a tie)"
    line = robustness.verdict_lines(run, claims({0, 1, 2, 10}))[0]
    assert line == "**Forcing helps** (Table 1) - shown: seed 0"
    # a run of another seed says "this run only", never "seed 0 only"
    assert robustness.verdicts(fake_run(tmp_path / "run", seed=1), claims({1}))[0][1].startswith("this run only")


def test_missing_replicates_are_named_not_assumed(tmp_path, monkeypatch):
    ref = tmp_path / "reference"
    card(ref / "tiny")
    card(ref / "tiny-avx2", precision="fp32", cpu="AMD EPYC [avx2] ONEDNN_MAX_CPU_ISA=AVX2")
    (ref / "tiny-avx2" / "results" / "seed.json").write_text(json.dumps({"seed": 10}))
    monkeypatch.setattr(robustness, "REFERENCE", ref)
    monkeypatch.setattr("s1kit.training.precision_name", lambda train: "bf16" if train.bf16 else "fp32")
    word = robustness.verdicts(fake_run(tmp_path / "run"), claims({0, 10}))[0][1]
    assert word == "seed 0 only (not yet checked with seed 1, seed 2)"


def test_a_claim_a_replicate_does_not_make_is_not_checked_there(references, tmp_path):
    write_seeds(references)

    def only_seed_0_claims(results: Results) -> list[Finding]:
        seed = results.seed if results.name == "this run" else results.read("results/seed.json")["seed"]
        extra = [Finding("Voting helps", "Figure 4", holds=True, evidence="")] if seed in (0, 1, 10) else []
        return [Finding("Forcing helps", "Table 1", holds=True, evidence=""), *extra]

    forcing, voting = robustness.verdicts(fake_run(tmp_path / "run"), only_seed_0_claims)
    assert forcing[1] == "shown"
    assert voting[1] == "seed 0 only (not yet checked with seed 2)"


def test_a_replicate_without_the_file_a_claim_reads_is_an_error(references, tmp_path):
    with pytest.raises(FileNotFoundError, match="seed.json"):
        robustness.verdicts(fake_run(tmp_path / "run"), claims({0}))


def test_paper_scale_says_reproduced_on_one_seed(references, tmp_path):
    run = fake_run(tmp_path / "run", tiny=False)
    assert robustness.verdicts(run, claims({0}))[0][1] == "reproduced (one seed)"
    assert robustness.verdicts(run, claims(set(), tie_seeds={0}))[0][1] == "not reproduced (a tie) (one seed)"


def test_interval_finding_holds_above_zero_and_ties_around_it():
    assert interval_finding("c", "p", 0.01, 0.2, "e").holds
    tie = interval_finding("c", "p", 0.0, 0.2, "e")  # touching zero is not a gain
    assert (tie.holds, tie.tie) == (False, True)
    loss = interval_finding("c", "p", -0.3, -0.1, "e")
    assert (loss.holds, loss.tie) == (False, False)
