"""Jump-rope counter on generated traces (handle; phone on the body): counts, trips, double unders, runtimes.

Traces come from host_tools/gen/jumprope.py (seeds here are not the benchmark's 1000+ seeds and
were not used while choosing the detector's constants). Tolerances are what the detector reaches
today (about 97.5-98 % overall on generated sets, set starts and ends weigh most in short traces);
the product targets (99.5 %, trips never counted) are reported by `make bench-accuracy` and not
reached yet.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import run_driver
from host_tools.gen import jumprope


def _trace(tmp_path: Path, scenario: str, seed: int, rate: int, duration: float = 30.0) -> tuple[str, dict]:
    csv_path, json_path = jumprope.generate(
        scenario, seed, rate, tmp_path / f"{scenario}_{seed}_{rate}", duration_s=duration
    )
    return str(csv_path), json.loads(json_path.read_text())


def _close(counted: int, truth: int, share: float) -> bool:
    return abs(counted - truth) <= max(2, round(truth * share))


@pytest.mark.parametrize("rate", [100, 200, 400, 500, 1000])
def test_basic_bounce_counts_at_any_rate(dual, tmp_path, rate):
    path, truth = _trace(tmp_path, "basic", 300 + rate, rate)
    (result,) = dual("jump_replay", path)
    assert truth["count"] > 20
    assert _close(result["count"], truth["count"], 0.05), (result["count"], truth["count"])
    assert set(result) >= {"count", "events_ms", "trips", "double_unders", "max_streak", "jump_rate"}
    assert all(isinstance(result[k], int) for k in ("trips", "double_unders", "max_streak", "jump_rate"))


def test_double_unders_count_two_passes(dual, tmp_path):
    path, truth = _trace(tmp_path, "double_under", 301, 400)
    (result,) = dual("jump_replay", path)
    assert truth["double_unders"] > 5
    # a double under is two passes: counting jumps instead would miss ~double_unders passes (here 9 of 26)
    assert _close(result["count"], truth["count"], 0.05), (result["count"], truth["count"])
    assert result["double_unders"] > 0


def test_mixed_scenarios_at_the_device_rate_sum_close(dual, tmp_path):
    scenes = (("basic", 310), ("boxer", 311), ("warmup", 312), ("mixed", 313), ("trips", 314))
    traces = [_trace(tmp_path, scenario, seed, 500, duration=40.0) for scenario, seed in scenes]
    results = dual("jump_replay", *(path for path, _ in traces))
    truth = sum(t["count"] for _, t in traces)
    error = sum(abs(r["count"] - t["count"]) for r, (_, t) in zip(results, traces, strict=True))
    assert truth > 150
    assert error <= 0.04 * truth, (error, truth)


def test_slow_warm_up_turns_are_followed(dual, tmp_path):
    """Warm-up turns down to 55 rpm count while the skipper is seen in flight (walking is not: see below)."""
    traces = [_trace(tmp_path, "warmup", seed, 200, duration=40.0) for seed in (316, 317, 318)]
    results = dual("jump_replay", *(path for path, _ in traces))
    truth = sum(t["count"] for _, t in traces)
    error = sum(abs(r["count"] - t["count"]) for r, (_, t) in zip(results, traces, strict=True))
    assert truth > 100
    assert error <= 0.03 * truth, (error, truth)


def test_events_follow_the_passes(tmp_path):
    path, truth = _trace(tmp_path, "basic", 302, 400)
    (result,) = run_driver("cpython", "jump_replay", path)
    events = result["events_ms"]
    assert events == sorted(events) and len(events) == result["count"]
    # each counted event lies within a turn (<= 0.6 s at 100 rpm) of a true pass
    assert all(min(abs(e - p) for p in truth["events_ms"]) < 600 for e in events)


def test_trip_sets_stay_close(tmp_path):
    path, truth = _trace(tmp_path, "trips", 303, 200, duration=45.0)
    (result,) = run_driver("cpython", "jump_replay", path)
    assert truth["trips"] >= 2
    assert _close(result["count"], truth["count"], 0.05), (result["count"], truth["count"])
    assert result["trips"] >= 1


@pytest.mark.parametrize("seed", [304, 305])
def test_trip_sets_count_close_and_report_trips(tmp_path, seed):
    path, truth = _trace(tmp_path, "trips", seed, 400, duration=45.0)
    (result,) = run_driver("cpython", "jump_replay", path)
    assert _close(result["count"], truth["count"], 0.03), (result["count"], truth["count"])
    assert result["trips"] >= 1


@pytest.mark.parametrize(("seed", "rate"), [(306, 200), (307, 400), (315, 100), (315, 1000)])
@pytest.mark.parametrize("scenario", ["walk_carry", "put_down", "rest"])
def test_no_jumps_count_zero(tmp_path, scenario, seed, rate):
    path, truth = _trace(tmp_path, scenario, seed, rate, duration=40.0)
    (result,) = run_driver("cpython", "jump_replay", path)
    assert truth["count"] == 0
    assert result["count"] == 0


def test_runtimes_agree(tmp_path):
    paths = [_trace(tmp_path, s, 308, r, duration=20.0)[0] for s, r in (("mixed", 100), ("trips", 1000))]
    assert run_driver("cpython", "jump_replay", *paths) == run_driver("micropython", "jump_replay", *paths)


def test_generator_truth_is_consistent(tmp_path):
    _, du = _trace(tmp_path, "double_under", 309, 100, duration=20.0)
    _, walk = _trace(tmp_path, "walk_carry", 309, 100, duration=20.0)
    _, again = _trace(tmp_path, "double_under", 309, 100, duration=20.0)
    assert du == again  # fixed seed, fixed trace
    assert du["count"] == len(du["events_ms"]) and du["events_ms"] == sorted(du["events_ms"])
    gaps = [b - a for a, b in zip(du["events_ms"], du["events_ms"][1:], strict=False)]
    assert min(gaps) > 150  # <= 400 passes/min even in double unders
    assert walk["count"] == 0 and walk["events_ms"] == []


def test_demo_trace_has_one_trip(tmp_path):
    _, json_path = jumprope.demo_trace(tmp_path / "demo")
    truth = json.loads(json_path.read_text())
    assert truth["trips"] == 1 and truth["count"] > 30


@pytest.mark.parametrize("end", ["stop", "trip"])
def test_generator_body_force_has_no_steps(end):
    """A set starts with a push-off and ends with a landing: the body force is smooth, impulse balanced."""
    rng = random.Random(f"smooth/{end}")
    jp = jumprope.Jumper(rng)
    tl = jumprope.Timeline(30.0)
    stop = jumprope._jump_set(tl, jp, rng, 2.0, "basic", 12, end)
    body = tl.body
    steps = max(abs(b - a) for a, b in zip(body, body[1:], strict=False))
    assert steps < 0.25  # g per ms: contacts rise fast, but no 0.7-1 g step as a force switched on or off
    i0, i1 = tl.idx(1.0), tl.idx(stop + 1.0)
    assert abs(sum(body[i0:i1]) / (i1 - i0) - 1.0) < 0.01  # from rest to rest: mean force = weight
    assert min(body[i0:i1]) < 0.35 and max(body[i0:i1]) > 1.8  # flights and contacts are there


def test_knocks_do_not_deafen_the_landing_detector(tmp_path):
    """A knock on the handle (a 16 g spike) must not raise the jolt background for the next second."""
    path, truth = _trace(tmp_path, "double_under", 321, 400, duration=40.0)
    lines = Path(path).read_text().splitlines()
    for i in range(2000, len(lines), 1700):  # a knock every ~4 s, mid-set as well as between sets
        for k in range(2):
            t_ms = lines[i + k].split(",")[0]
            lines[i + k] = f"{t_ms},16000,-16000,16000"
    knocked = tmp_path / "knocked.csv"
    knocked.write_text("\n".join(lines) + "\n")
    (result,) = run_driver("cpython", "jump_replay", str(knocked))
    assert truth["count"] > 50
    assert _close(result["count"], truth["count"], 0.03), (result["count"], truth["count"])


@pytest.mark.parametrize("placement", ["pocket", "waist"])
def test_a_sensor_on_the_body_counts_the_jumps(dual, tmp_path, placement):
    # no rope in sight: the free fall of every flight and the landing's ring are what count
    found = []
    for scenario, seed in (("basic", 320), ("boxer", 321)):
        csv_path, json_path = jumprope.generate(
            scenario, seed, 200, tmp_path / f"{scenario}_{placement}", duration_s=40.0, placement=placement
        )
        (result,) = dual("jump_replay", str(csv_path))
        found.append((result["count"], json.loads(json_path.read_text())["count"]))
    error = sum(abs(counted - truth) for counted, truth in found)
    assert sum(truth for _, truth in found) > 80
    assert error <= 0.08 * sum(truth for _, truth in found), found


@pytest.mark.parametrize("scenario", ["walk_carry", "put_down", "rest"])
def test_a_sensor_on_the_body_counts_nothing_without_jumps(dual, tmp_path, scenario):
    csv_path, _ = jumprope.generate(
        scenario, 330, 100, tmp_path / scenario, duration_s=40.0, placement="pocket"
    )
    (result,) = dual("jump_replay", str(csv_path))
    assert result["count"] == 0
