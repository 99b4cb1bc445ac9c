"""Chapter 14's sweep through ``python -m s1kit serve``: the committed result as a table, a figure and its readings.

The sweep is made by ``make test-vllm`` (``tests/vllm/test_service.py``) on vLLM's CPU build and a
small test model, and committed to ``reference/service/`` (:data:`SWEEP`), so that the book never
needs vLLM: what the page shows was measured on that stand-in, never on a GPU node.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from s1kit.report.figures import ACCURACY_LABEL, percent_axis

#: The committed sweep of N x k through the server, graded (``make test-vllm`` rewrites it):
#: ``reference/service/sweep-cpu-standin.json``.
#:
#: :meta hide-value:
SWEEP = Path(__file__).resolve().parents[2] / "reference" / "service" / "sweep-cpu-standin.json"
#: The committed benchmark of forcing against plain generation, re-submitting and in-engine
#: (``benchmarks/vllm_overhead.py --out``): ``reference/service/vllm-overhead-cpu-standin.json``.
#:
#: :meta hide-value:
OVERHEAD = SWEEP.parent / "vllm-overhead-cpu-standin.json"
COLUMNS = ("max_thinking_tokens", "num_ignore", "questions", "mean_thinking_tokens", "accuracy")
NO_CAP = "no cap"


def load_sweep(path: str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """The sweep's points (one row per cap N and ignore count k) and what made them (``made_by``, ``stand_in``),
    from ``path`` (default: :data:`SWEEP`)."""
    path = Path(path) if path is not None else SWEEP
    if not path.exists():
        raise FileNotFoundError(f"no service sweep at {path}: `make test-vllm` writes it")
    data = json.loads(path.read_text())
    points = pd.DataFrame(data.get("points", []))
    missing = [c for c in COLUMNS if c not in points.columns]
    if points.empty or missing:
        raise ValueError(f"{path} has no sweep points" + (f" (missing columns {missing})" if missing else ""))
    points["cap"] = [NO_CAP if pd.isna(n) else str(int(n)) for n in points["max_thinking_tokens"]]
    return points, {key: value for key, value in data.items() if key != "points"}


def sweep_table(points: pd.DataFrame) -> pd.DataFrame:
    """Accuracy (%) and mean thinking tokens per cap (rows) and ignore count (columns)."""
    table = points.assign(accuracy=points["accuracy"] * 100).pivot_table(
        index="cap", columns="num_ignore", values=["accuracy", "mean_thinking_tokens"], sort=False)
    table.columns = [f"{'accuracy (%)' if what == 'accuracy' else 'thinking tokens'}, k = {k}" for what, k in table.columns]
    return table.round(1)


def sweep_figure(points: pd.DataFrame) -> plt.Figure:
    """Accuracy against the mean thinking tokens the server reported, one line per ignore count k."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for k, rows in points.groupby("num_ignore"):
        ax.plot(rows["mean_thinking_tokens"], rows["accuracy"] * 100, marker="o", label=f"k = {k} ignores")
        if k == 0:  # the caps, once: the lines coincide where the cap leaves no room for a "Wait"
            for _, row in rows.iterrows():
                ax.annotate(f"N={row['cap']}", (row["mean_thinking_tokens"], row["accuracy"] * 100),
                            textcoords="offset points", xytext=(4, 5), fontsize=8)
    ax.set_xlabel("mean thinking tokens (usage.reasoning_tokens)")
    ax.set_ylabel(ACCURACY_LABEL)
    percent_axis(ax)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def readings(points: pd.DataFrame) -> dict:
    """The numbers the page's prose reads: accuracy at the small caps, at the largest and with no cap, and
    whether k ignores ever beat none at the same cap."""
    capped = points[points["cap"] != NO_CAP]
    plain = points[points["num_ignore"] == 0]
    plain_capped = plain[plain["cap"] != NO_CAP].sort_values("max_thinking_tokens")
    small = plain_capped[plain_capped["max_thinking_tokens"] <= plain_capped["max_thinking_tokens"].median()]
    largest = plain_capped.iloc[-1]
    by_cap = points.pivot_table(index="cap", columns="num_ignore", values="accuracy", sort=False)
    k = max(points["num_ignore"])
    gains = (by_cap[k] - by_cap[0]) * 100 if k > 0 else pd.Series(dtype=float)
    no_cap = plain[plain["cap"] == NO_CAP]
    return {
        "smallest_cap": int(capped["max_thinking_tokens"].min()),
        "small_caps_up_to": int(small["max_thinking_tokens"].max()),
        "small_caps_best_accuracy": float(small["accuracy"].max() * 100),
        "largest_cap": int(largest["max_thinking_tokens"]),
        "largest_cap_accuracy": float(largest["accuracy"] * 100),
        "no_cap_accuracy": float(no_cap["accuracy"].iloc[0] * 100) if len(no_cap) else None,
        "no_cap_thinking": float(no_cap["mean_thinking_tokens"].iloc[0]) if len(no_cap) else None,
        "most_ignores": int(k),
        "best_ignore_gain": float(gains.max()) if len(gains) else 0.0,
        "worst_ignore_gain": float(gains.min()) if len(gains) else 0.0,
        "questions": int(points["questions"].iloc[0]),
    }


def load_overhead(path: str | Path | None = None) -> dict:
    """The benchmark's numbers the page reads (each engine's forcing/plain ratio, the processor's own share),
    from ``path`` (default: :data:`OVERHEAD`)."""
    path = Path(path) if path is not None else OVERHEAD
    if not path.exists():
        raise FileNotFoundError(f"no benchmark at {path}: `benchmarks/vllm_overhead.py --out {path}` writes it")
    data = json.loads(path.read_text())
    try:
        segments, in_engine = data["segments"], data["in_engine"]
        return {"prompts": data["prompts"], "num_ignore": data["num_ignore"], "tokens": in_engine["tokens"],
                "segments_ratio": segments["ratio"], "in_engine_ratio": in_engine["ratio"],
                "processor_percent": 100 * in_engine["processor_s"] / in_engine["plain_generate_s"],
                "same_tokens": data["same_tokens"]}
    except KeyError as error:
        raise ValueError(f"{path} lacks {error}: write it again with benchmarks/vllm_overhead.py --out") from None


def reading(read: dict) -> str:
    """Chapter 14's sentence on the sweep, from :func:`readings`."""
    if read["best_ignore_gain"] <= 0:
        gain = (f"never raised accuracy at the same cap (its change ranged from {read['worst_ignore_gain']:+.1f} "
                f"to {read['best_ignore_gain']:+.1f} points)")
    else:
        gain = f"raised accuracy by up to {read['best_ignore_gain']:.1f} points at the same cap"
    return (f"With caps up to N = {read['small_caps_up_to']} accuracy was at most "
            f"{read['small_caps_best_accuracy']:.1f}%; it was {read['largest_cap_accuracy']:.1f}% at N = "
            f"{read['largest_cap']} and {read['no_cap_accuracy']:.1f}% with no cap (about "
            f"{read['no_cap_thinking']:.0f} thinking tokens): this small model needs room to add its numbers up. "
            f"Forcing k = {read['most_ignores']} more rounds of thinking {gain}. The thinking counts are the "
            "server's `reasoning_tokens`, which stop at the cap by construction; that the cap itself holds is "
            "checked token for token against the Hugging Face engine (`tests/vllm/test_service.py`).")
