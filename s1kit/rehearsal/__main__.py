"""``python -m s1kit.rehearsal --profile <gpu profile>`` (``make rehearse PROFILE=...``): a GPU recipe, end to end, here.

1. the recipe with the rehearsal overlay (:mod:`s1kit.rehearsal.overlay`): sizes and hardware only;
2. every Hub id it names checked against the local Hub, then the local Hub built (datasets and
   stand-in checkpoints, :mod:`s1kit.rehearsal.catalog`) and served on 127.0.0.1 (``HF_ENDPOINT``),
   with fresh Hugging Face caches, so every download goes through the real loaders;
3. ``python -m s1kit reproduce`` on it, the command a GPU node runs: stages (fine-tunes under
   ``accelerate launch``), the chapters, the book (built from a copy of ``book/`` under the run,
   with a rehearsal banner on every page), then the book's browser check;
4. what must hold of a rehearsal, checked and written to ``runs/rehearsal/<profile>/rehearsal.json``:
   non-zero accuracy on some benchmark, fine-tunes launched by accelerate with the overlay's
   process count, every decoding stage on vLLM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from s1kit.config import ConfigError, write_profile
from s1kit.experiments import GRAPH
from s1kit.rehearsal.catalog import RehearsalError, build_local_hub, check_catalog
from s1kit.rehearsal.hub import client_env
from s1kit.rehearsal.overlay import load_overlay, rehearsal_profile
from s1kit.stages import setup_logging

log = logging.getLogger("s1kit")
REPO = Path(__file__).resolve().parents[2]
BANNER = ("Rehearsal of the {recipe} recipe on a CPU with toy weights (a local Hub, stand-in models, vLLM's CPU "
          "build): it shows that the pipeline runs, and nothing about the paper's numbers.")


def _book_copy(book: Path, recipe: str) -> Path:
    """A copy of the book's sources for the rehearsal, every page carrying the rehearsal banner."""
    import yaml

    shutil.rmtree(book, ignore_errors=True)
    shutil.copytree(REPO / "book", book, ignore=shutil.ignore_patterns("_build", "notebooks"))
    config = yaml.safe_load((book / "_config.yml").read_text())
    config["title"] = f"s1kit rehearsal: {recipe} (toy weights)"
    options = config.setdefault("sphinx", {}).setdefault("config", {}).setdefault("html_theme_options", {})
    options["announcement"] = BANNER.format(recipe=recipe)
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return book


def _serve_hub(root: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    """The local Hub in a process of its own (every child of the rehearsal reaches it through HF_ENDPOINT)."""
    log_file = log_path.open("w")
    server = subprocess.Popen([sys.executable, "-m", "s1kit.rehearsal.hub", "--root", str(root), "--quiet"],
                              stdout=subprocess.PIPE, stderr=log_file, text=True)
    url = server.stdout.readline().strip()
    if not url.startswith("http"):
        server.kill()
        raise RuntimeError(f"the local Hub did not start; see {log_path}")
    return server, url


def checks(run_dir: Path, profile) -> dict[str, str]:
    """What a finished rehearsal must show, each as "ok" or what is wrong."""
    out = {}
    summary = json.loads((run_dir / "results" / "summary.json").read_text())
    best = max(max(p["accuracy_by_benchmark"].values(), default=0) for p in summary["budget_forcing"])
    out["non-zero accuracy on some benchmark"] = "ok" if best > 0 else "every benchmark at 0%"
    # per benchmark everywhere: the base model, every sweep point and the paired rows name each benchmark
    want = list(profile.sourcing.hub.benchmarks)
    have = {"base model": list(summary["base_model_accuracy_by_benchmark"]),
            **{f"point N={p['max_thinking_tokens']} k={p['num_ignore']}": list(p["accuracy_by_benchmark"])
               for p in summary["budget_forcing"]},
            "paired rows": [b for b in want if any(r["benchmark"] == b for r in summary["paired"])]}
    wrong = {name: got for name, got in have.items() if sorted(got) != sorted(want)}  # summary.json sorts its keys
    out[f"per-benchmark accuracy ({', '.join(want)})"] = "ok" if not wrong else f"other benchmarks: {wrong}"
    if profile.evaluation.judge:
        asked = {b: c["asked"] for b, c in summary.get("judge", {}).items()}
        out["judge counts in summary.json"] = ("ok" if asked and all(b in want for b in asked)
                                               else f"judge counts {summary.get('judge')}")
    for name, stage in GRAPH.items():
        record = json.loads((run_dir / stage.directory / "stage.json").read_text())
        ran = record.get("ran", {})
        if stage.launched(profile) and profile.launch.config_file:
            want = ("accelerate", profile.launch.processes)
            got = (ran.get("launcher"), ran.get("processes"))
            out[f"{name} launched by accelerate"] = "ok" if got == want else f"ran with {got}, expected {want}"
        engines = {e["engine"] for e in ran.get("engines", [])}
        if engines:
            out[f"{name} decoded by vllm"] = "ok" if engines == {"vllm"} else f"engines {sorted(engines)}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m s1kit.rehearsal")
    parser.add_argument("--profile", required=True, help="a GPU recipe: qwen-1gpu, s1-32b, eval, eval-s1.1, s1-open")
    parser.add_argument("--runs", default=str(REPO / "runs"))
    args = parser.parse_args(argv)
    setup_logging()
    start = time.perf_counter()
    overlay = load_overlay()
    try:
        profile = rehearsal_profile(args.profile, overlay)
        check_catalog(profile)  # a recipe naming an id the local Hub lacks stops here, before any work
    except (ConfigError, RehearsalError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    runs = Path(args.runs).resolve()
    run_dir = runs / profile.name
    hub_root = runs / "rehearsal" / "hub"
    fingerprint = build_local_hub(hub_root, overlay.standin)
    made_from = run_dir / "local-hub.json"
    if made_from.exists() and json.loads(made_from.read_text()).get("fingerprint") != fingerprint:
        # stage keys see settings and code, not what a Hub id holds: a run made from other rows starts over
        log.info("rehearsal: the local Hub changed since %s was made; starting it over", run_dir)
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    made_from.write_text(json.dumps({"fingerprint": fingerprint}))
    spec = write_profile(profile, run_dir / "profile.yaml")
    server, url = _serve_hub(hub_root, run_dir / "hub.log")
    seconds = {"local_hub": round(time.perf_counter() - start, 1)}
    try:
        env = client_env(url, hf_home=run_dir / "hf-home", base=os.environ)
        env.update(VLLM_ENABLE_V1_MULTIPROCESSING="0", OMP_NUM_THREADS=env.get("OMP_NUM_THREADS", "2"))
        book = _book_copy(run_dir / "book", args.profile)
        command = [sys.executable, "-m", "s1kit", "reproduce", "--profile", str(spec), "--runs", str(runs),
                   "--book-dir", str(book)]
        log.info("rehearsal: %s (HF_ENDPOINT=%s)", " ".join(command[1:]), url)
        subprocess.run(command, env=env, check=True)
        seconds["reproduce"] = round(time.perf_counter() - start - seconds["local_hub"], 1)
        subprocess.run([sys.executable, "-m", "s1kit.bookcheck", str(book / "_build" / "html"), "--screenshots",
                        str(run_dir / "screenshots")], env=env, check=True)
    except subprocess.CalledProcessError as error:
        print(f"error: rehearsal of {args.profile} failed: {' '.join(map(str, error.cmd[1:4]))} exited "
              f"{error.returncode}", file=sys.stderr)
        return 1
    finally:
        server.terminate()
    seconds["total"] = round(time.perf_counter() - start, 1)
    found = checks(run_dir, profile)
    (run_dir / "rehearsal.json").write_text(json.dumps({"recipe": args.profile, "seconds": seconds,
                                                         "checks": found}, indent=1))
    failed = {k: v for k, v in found.items() if v != "ok"}
    for name, verdict in found.items():
        log.info("rehearsal check: %s: %s", name, verdict)
    log.info("rehearsal of %s: %s in %.0fs", args.profile, "FAILED" if failed else "passed", seconds["total"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
