"""Whether a finding survives another seed and another CPU kind, and the verdict word that says so.

The tiny world was built to contain the paper's mechanisms, so a tiny-scale verdict is a
*demonstration*: it says whether this pipeline, in that world, behaves as the paper describes.
Even that is a finding only when it does not hang on one seed or one rounding. Each claim a
chapter makes is therefore checked in this run and again in every committed replicate of its
profile (``reference/<profile>-seed1/``, ``-seed2/``, ``-avx2/``: the same recipe with another
seed, or trained in float32 on a CPU limited to AVX2), and worded by where it held:

* **shown**: it holds here and in every replicate, which between them cover seeds 0-2 and both
  precisions;
* **seed 0 only** (or **this run only** for a run of another seed): it holds here but not in a
  replicate, which is named;
* **not shown**: it does not hold in this run (a tie, where the paired interval includes no
  change, is not shown either, and is called a tie).

A run at paper scale on real weights says **reproduced** / **not reproduced** instead: there the
claim is about the paper, and it rests on one seed, which the verdict says.

A chapter writes a function from a run's result files (:class:`Results`) to its
:class:`Finding` list; :func:`verdict_lines` evaluates it on this run and on every replicate and
words each claim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

REFERENCE = Path(__file__).resolve().parents[2] / "reference"  # the committed reference runs
SEEDS = (0, 1, 2)  # the seeds a tiny-scale finding must survive (the brief's robustness rule)


@dataclass(frozen=True)
class Finding:
    """One claim of a chapter as measured in one run.

    ``claim`` names it ("Budget forcing adds accuracy on top of fine-tuning"), ``paper`` the
    paper's table or figure it mirrors, ``holds`` whether this run's numbers bear it out (decided
    by a paired 95% interval where there is one), ``evidence`` the numbers in words, and ``tie``
    whether it failed only because the interval includes no change.
    """

    claim: str
    paper: str
    holds: bool
    evidence: str
    tie: bool = False


class Results:
    """The result files of one run, by their reference names (``results/summary.json``, ...).

    ``root`` is a run directory (``runs/<profile>/``) or a committed reference
    (``reference/<profile>-seed1/``): both hold the same relative paths
    (``s1kit.reference.RESULT_FILES``). ``name`` says which run it is in a verdict.
    """

    def __init__(self, root: Path, name: str, seed: int, precision: str | None):
        self.root, self.name, self.seed, self.precision = Path(root), name, seed, precision

    def read(self, relative: str) -> Any:
        path = self.root / relative
        if not path.exists():
            raise FileNotFoundError(f"{self.name}: {path} is missing (a replicate must hold every result file "
                                    "its chapter's claims read; rewrite it with benchmarks/seed_robustness.py --reference)")
        return json.loads(path.read_text())

    def __repr__(self) -> str:
        return f"Results({self.name!r}, {self.root})"


def run_results(run) -> Results:
    """This run's result files (its stages already computed by the chapter)."""
    from s1kit.training import precision_name

    return Results(run.root, "this run", run.profile.seed, precision_name(run.profile.sft.train))


def _card(directory: Path) -> dict:
    return json.loads((directory / "run.json").read_text())


def replicates(run) -> list[Results]:
    """The committed references of ``run``'s profile made with another seed or another training precision.

    A reference's run card (``run.json``) names its seed (0 when absent: the cards written before
    seeds were recorded were all seed 0) and its precision. The reference of this run's own
    setting is not a replicate: it is this run, made elsewhere.
    """
    here = run_results(run)
    found = []
    for directory in [REFERENCE / run.profile.name] + sorted(REFERENCE.glob(f"{run.profile.name}-*")):
        if not (directory / "run.json").exists():
            continue
        card = _card(directory)
        seed, precision = card.get("seed", 0), card.get("precision")
        if (seed, precision) == (here.seed, here.precision):
            continue
        cpu = card.get("machine", {}).get("cpu", "")
        setting = (f"{precision} training on a CPU limited to AVX2" if "ONEDNN_MAX_CPU_ISA=AVX2" in cpu
                   else f"{precision} training")
        name = (f"seed {seed}" if precision == here.precision else
                setting + (f", seed {seed}" if seed != here.seed else ""))
        found.append(Results(directory, name, seed, precision))
    return found


def missing_checks(here: Results, others: Sequence[Results]) -> list[str]:
    """What a "shown" needs and the replicates lack: the other seeds of ``SEEDS`` and the other precision."""
    seeds = {here.seed} | {r.seed for r in others}
    missing = [f"seed {s}" for s in SEEDS if s not in seeds]
    if not any(r.precision != here.precision for r in others):
        missing.append("another training precision")
    return missing


def word(finding: Finding, elsewhere: dict[str, bool], missing: Sequence[str], paper_scale: bool,
         here: Results, failed_seeds: Sequence[int] = ()) -> str:
    """The verdict word for ``finding`` (see the module's docstring) given where else it held.

    ``elsewhere``: replicate name -> whether the claim held there; ``missing``: the checks no
    replicate made; ``failed_seeds``: the seeds of the replicates where it failed (a failure of
    this run's own seed, in another precision, makes it "bf16 only", not "seed 0 only").
    """
    if paper_scale:
        said = "reproduced" if finding.holds else "not reproduced"
        return said + (" (a tie)" if finding.tie else "") + " (one seed)"
    if not finding.holds:
        held = [name for name, ok in elsewhere.items() if ok]
        return ("not shown (a tie)" if finding.tie else "not shown") + (
            f"; it holds with {', '.join(held)}" if held else "")
    failed = [name for name, ok in elsewhere.items() if not ok]
    if failed and all(s == here.seed for s in failed_seeds):
        only = f"{here.precision} only"
    else:
        only = f"seed {here.seed} only" if here.seed == 0 else "this run only"
    if failed:
        return f"{only} (not with {', '.join(failed)})"
    if missing:
        return f"{only} (not yet checked with {', '.join(missing)})"
    return "shown"


def verdicts(run, findings_of: Callable[[Results], list[Finding]]) -> list[tuple[Finding, str]]:
    """Each of this run's findings with its verdict word, after evaluating ``findings_of`` on every replicate.

    A replicate must make the same claims (the same chapter code runs on its files); one that
    cannot be read (a result file it lacks) is an error naming the file. A replicate that does not
    make one of this run's claims (its run lacked the setting the claim needs) leaves that claim
    "not yet checked" with it, never counted as held.
    """
    here = run_results(run)
    ours = findings_of(here)
    paper_scale = not run.profile.runs_tiny_world
    others = [] if paper_scale else replicates(run)
    theirs = {r.name: {f.claim: f for f in findings_of(r)} for r in others}
    seeds = {r.name: r.seed for r in others}
    base_missing = missing_checks(here, others)
    out = []
    for finding in ours:
        elsewhere = {name: claims[finding.claim].holds for name, claims in theirs.items() if finding.claim in claims}
        unmade = [name for name, claims in theirs.items() if finding.claim not in claims]
        failed_seeds = [seeds[name] for name, ok in elsewhere.items() if not ok]
        out.append((finding, word(finding, elsewhere, base_missing + unmade, paper_scale, here, failed_seeds)))
    return out


def verdict_lines(run, findings_of: Callable[[Results], list[Finding]]) -> list[str]:
    """The chapter's verdicts as Markdown sentences: the claim, the paper's table, the word, the evidence."""
    return [f"**{f.claim}** ({f.paper}) - {said}: {f.evidence}" for f, said in verdicts(run, findings_of)]


def interval_finding(claim: str, paper: str, low: float, high: float, evidence: str) -> Finding:
    """A claimed gain decided by its paired 95% interval (0..1 fractions): it holds when the interval
    lies above zero; an interval around zero is a tie."""
    return Finding(claim, paper, holds=low > 0, evidence=evidence, tie=low <= 0 <= high)
