"""Chapter 14's committed service results: loaded, checked, tabled and read."""

from __future__ import annotations

import json

import pytest

from s1kit.report import service


def test_the_committed_sweep_reads_and_its_readings_follow_from_it():
    points, made = service.load_sweep()
    assert "CPU build" in made["stand_in"] and "make test-vllm" in made["made_by"]
    table = service.sweep_table(points)
    assert list(table.index)[-1] == service.NO_CAP and table.shape[1] == 2 * points["num_ignore"].nunique()
    read = service.readings(points)
    capped = points[points["cap"] != service.NO_CAP]
    assert read["smallest_cap"] == capped["max_thinking_tokens"].min()
    assert read["largest_cap"] == capped["max_thinking_tokens"].max() and read["small_caps_up_to"] < read["largest_cap"]
    plain = capped[(capped["num_ignore"] == 0) & (capped["max_thinking_tokens"] <= read["small_caps_up_to"])]
    assert read["small_caps_best_accuracy"] == pytest.approx(plain["accuracy"].max() * 100)
    assert read["worst_ignore_gain"] <= read["best_ignore_gain"]
    service.sweep_figure(points)


def test_readings_see_an_ignore_gain_when_there_is_one(tmp_path):
    rows = [{"max_thinking_tokens": n, "num_ignore": k, "questions": 10, "mean_thinking_tokens": (n or 50) - 1,
             "accuracy": 0.1 * (k + 1) if n else 0.5} for n in (8, None) for k in (0, 2)]
    path = tmp_path / "sweep.json"
    path.write_text(json.dumps({"made_by": "x", "stand_in": "y", "points": rows}))
    read = service.readings(service.load_sweep(path)[0])
    assert read["best_ignore_gain"] == pytest.approx(20.0) and read["no_cap_accuracy"] == pytest.approx(50.0)
    assert "raised accuracy by up to 20.0 points" in service.reading(read)


def test_a_missing_or_broken_result_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="make test-vllm"):
        service.load_sweep(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text(json.dumps({"points": [{"num_ignore": 0}]}))
    with pytest.raises(ValueError, match="missing columns"):
        service.load_sweep(tmp_path / "bad.json")
    (tmp_path / "cost.json").write_text(json.dumps({"prompts": 3}))
    with pytest.raises(ValueError, match="lacks"):
        service.load_overhead(tmp_path / "cost.json")


def test_the_committed_benchmark_reads():
    cost = service.load_overhead()
    assert cost["same_tokens"] and cost["in_engine_ratio"] > 0 and 0 <= cost["processor_percent"] < 100
