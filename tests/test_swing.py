"""Swing/clubbell rep counter: real kettlebell sets exact, every clubbell move and tempo from the
generated population, any mounting, no reps while handling; both runtimes agree.

The generated sessions use tuning seeds (< 1000, host_tools.gen.clubbell); the stress figures come
from `make bench-accuracy`.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from conftest import recordings, run_driver
from fascia.detect.swing import (
    MOVE_EXTRAS,
    TEMPO_HEAVY_SLOW,
    TEMPO_LIGHT_FAST,
    TEMPO_NAMES,
    TEMPO_SPLIT_MS,
    TEMPO_UNKNOWN,
)
from fascia.spec.logread import EXTRAS
from host_tools.count import count_file
from host_tools.gen.clubbell import MOVES, TEMPOS, TUNING_SEEDS, generate

REAL = [row for activity in ("swing", "snatch") for row in recordings(activity)]
SWINGS = [row for row in REAL if row["activity"] == "swing"]
RATE_HZ = 50.0  # a slow sensor keeps the MicroPython runs short; the stress set covers 25-1000 Hz


@cache
def _replay(runtime: str, *paths: str) -> list:
    return run_driver(runtime, "swing_replay", *paths)


def _paths(rows) -> tuple[str, ...]:
    return tuple(str(row["csv"]) for row in rows)


def test_real_sets_counted_exactly(runtime, shared_data):
    results = _replay(runtime, *_paths(REAL))
    for row, result in zip(REAL, results, strict=True):
        assert result["count"] == int(row["count"]), row["id"]
        assert result["tempo"] == TEMPO_HEAVY_SLOW, row["id"]  # kettlebell sets: ~1.7-3 s per rep
        assert TEMPO_SPLIT_MS < result["mean_period_ms"] < 3200, row["id"]


def test_real_snatches_found_by_their_lockouts(shared_data):
    for row, result in zip(REAL, _replay("cpython", *_paths(REAL)), strict=True):
        if row["activity"] == "snatch":
            assert result["reps_snatch"] == int(row["count"]), row["id"]


def test_real_swings_filed_as_swings(shared_data):
    """`moves`: a real kettlebell swing sways gravity, it never turns it right round (a cast or mill)."""
    for row, result in zip(REAL, _replay("cpython", *_paths(REAL)), strict=True):
        if row["activity"] == "swing":
            assert result["reps_swing"] == result["count"] and result["reps_cast"] == 0, row["id"]


def test_a_lone_lockout_is_not_a_rep(shared_data):
    """A club held up after a pick-up looks like a snatch's lockout: lockouts count from a set's
    second on, the first with it. In each real snatch set, nothing counts at the first lockout and
    both count at the second."""
    from fascia.detect.replay import read_trace
    from fascia.detect.swing import SwingDetector

    for row in REAL:
        if row["activity"] != "snatch":
            continue
        det = SwingDetector()
        seen = []  # (count, reps_snatch) as each lockout is found
        with open(row["csv"]) as f:
            for t, x, y, z in read_trace(f):
                last = det.lock_t
                det.feed(t, x, y, z)
                if det.lock_t != last:
                    seen.append((det.credited, det.n_lock))
                if len(seen) == 2:
                    break
        assert seen == [(0, 0), (2, 2)], (row["id"], seen)


def test_real_swing_events_near_the_top(shared_data):
    """Three in four events land within 0.3 s of the labelled tops (hand-placed to ~0.2 s); a set's first
    rep waits for the second to be credited but keeps its own time."""
    results = _replay("cpython", *_paths(REAL))
    for row, result in zip(REAL, results, strict=True):
        truth = json.loads(row["json"].read_text())["events_ms"]
        if truth:
            near = sum(
                1 for got, want in zip(result["events_ms"], truth, strict=True) if abs(got - want) <= 300
            )
            assert near * 4 >= 3 * len(truth), (row["id"], near, len(truth))


def test_real_swings_counted_from_a_slow_sensor(dual, shared_data):
    """Only one sample every 40 ms (25 Hz) still counts every swing set exactly."""
    results = dual("swing_decimated", "40", *_paths(SWINGS))
    for row, result in zip(SWINGS, results, strict=True):
        assert result["count"] == int(row["count"]), row["id"]


SEED = TUNING_SEEDS[1]
MOUNTS = (5, 6, 7)  # other random mountings of the same session


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    """(kind, mount) -> (csv path, truth): every move at both tempos, two mountings more for two of
    them, and handling without reps."""
    out = tmp_path_factory.mktemp("clubbell")
    keys = [(f"{m}_{t}", None) for m in MOVES for t in TEMPOS]
    keys += [(kind, mount) for kind in ("swing_heavy", "arm_cast_light") for mount in MOUNTS]
    keys += [(kind, None) for kind in ("pickup", "pass", "park", "carry", "walk_club")]
    traces = {}
    for kind, mount in keys:
        rate = RATE_HZ if mount is not None or kind not in ("park", "carry") else 100.0
        csv_path, json_path = generate(kind, SEED, rate, out / f"{kind}_{mount}", mount_seed=mount)
        traces[(kind, mount)] = (str(csv_path), json.loads(json_path.read_text()))
    return traces


def _run(dual, generated, keys) -> list:
    return dual("swing_replay", *(generated[k][0] for k in keys))


def test_every_move_and_tempo_counted(dual, generated):
    """Within one rep of the truth (sets of 8-16 reps) for casts and mills, two for front swings
    (a known weakness: the undriven swing-through after the last rep can count, README), the tempo
    class right, and the reps filed under the right move: swings sway gravity, casts and mills turn
    it right round."""
    keys = [(f"{m}_{t}", None) for m in MOVES for t in TEMPOS if f"{m}_{t}" != "swing_light"]
    for key, result in zip(keys, _run(dual, generated, keys), strict=True):
        truth = generated[key][1]
        slack = 2 if key[0].startswith("swing") else 1
        assert abs(result["count"] - truth["count"]) <= slack, (key, result["count"], truth["count"])
        want = TEMPO_LIGHT_FAST if key[0].endswith("light") else TEMPO_HEAVY_SLOW
        assert result["tempo"] == want, (key, TEMPO_NAMES[result["tempo"]])
        by_move = "reps_swing" if key[0].startswith("swing") else "reps_cast"
        assert result[by_move] * 10 >= result["count"] * 8, (key, result)


@pytest.mark.xfail(strict=True, reason="known weakness (README): a slow light front swing with little signal")
def test_slow_light_front_swing(generated):
    """This tuning seed's light front swing (1.6 s a rep, since light front swings take up to 1.8 s)
    shows 200-400 mg of motion, most of it p's third harmonic: its short cycles are joined into reps
    now (0 -> 6 of 11), but the set's first reps are still lost."""
    key = ("swing_light", None)
    result = _run(lambda *args: run_driver("cpython", *args), generated, [key])[0]
    assert abs(result["count"] - generated[key][1]["count"]) <= 2, result["count"]


def test_same_set_counts_the_same_in_any_mounting(dual, generated):
    for kind in ("swing_heavy", "arm_cast_light"):
        keys = [(kind, None)] + [(kind, mount) for mount in MOUNTS]
        counts = {result["count"] for result in _run(dual, generated, keys)}
        assert len(counts) == 1, (kind, counts)


def test_no_reps_while_handling(dual, generated):
    """Pick-ups and put-downs, hand-to-hand passes, carrying, parking and walking with the implement
    swinging in the hand: nothing to count."""
    keys = [(kind, None) for kind in ("pickup", "pass", "park", "carry", "walk_club")]
    for key, result in zip(keys, _run(dual, generated, keys), strict=True):
        assert result["count"] == 0, key
        assert result["tempo"] == TEMPO_UNKNOWN and result["mean_period_ms"] == 0


WALK_SEEDS = TUNING_SEEDS[300:308]


def test_walking_with_the_club_is_not_a_set(tmp_path):
    """Walking with the implement hanging in the hand, the arm swinging +-5-20 deg a stride (one
    cycle a stride, as a light front swing's): the step's bounce makes |a| peak at the swing's
    extremes, where a swing floats. Known: a walk's first strides, before |a| has shown that, can
    open a set (2 reps) in about one walk in four; never a rep a stride (before: 11-79 a walk)."""
    counts = []
    for seed in WALK_SEEDS:
        csv_path, _ = generate("walk_club", seed, RATE_HZ, tmp_path / f"walk_{seed}")
        counts.append(count_file(csv_path, "swing")["count"])
    assert sum(counts) <= 4 and max(counts) <= 2, counts


def test_cast_and_mill_events_when_upright_in_front(dual, generated):
    """A cast's or mill's rep ends upright in front, where it started: its event is where the
    implement points as it did at rest before the set (gravity turns right round in between), within
    0.3 s for two in three of the reps (before: at its least |a|, nowhere near)."""
    keys = [(f"{m}_{t}", None) for m in MOVES[1:] for t in TEMPOS]
    for key, result in zip(keys, _run(dual, generated, keys), strict=True):
        truth = generated[key][1]["events_ms"]
        near = sum(1 for got in result["events_ms"] if min(abs(got - want) for want in truth) <= 300)
        assert near * 3 >= 2 * len(truth), (key, near, len(truth))


def test_count_shows_tempo_by_name_and_reps_per_move(generated):
    result = count_file(generated[("mill_light", None)][0], "swing")
    assert result["tempo"] == "light-fast"
    assert set(result["moves"]) == {move for move, _ in MOVE_EXTRAS}
    assert result["moves"]["cast"] >= result["count"] - 1


def test_extras_have_log_codes_and_names():
    assert len(TEMPO_NAMES) == 3 and TEMPO_NAMES[TEMPO_LIGHT_FAST] == "light-fast"
    logged = set(EXTRAS.values())  # the log's extras codes (fascia.spec.activities)
    assert all(name in logged for _, name in MOVE_EXTRAS) and "tempo" in logged


def test_reps_credited_at_the_end_keep_their_own_times(generated):
    """A session stopped mid-set: the comb reads 2.4 s back, so the last reps are found by the flush,
    several at once; each is reported at its own time (`flush_block`), never all at the newest's."""
    from array import array

    from fascia.detect import feed_block, flush
    from fascia.detect.replay import read_trace
    from fascia.detect.swing import SwingDetector

    csv_path, truth = generated[("mill_light", None)]
    with open(csv_path) as f:
        rows = list(read_trace(f))
    at_flush = []
    for k in range(4, len(truth["events_ms"]) - 1):
        cut = truth["events_ms"][k] + 300
        det, events = SwingDetector(), []
        for t, x, y, z in rows:
            if t > cut:
                break
            feed_block(det, array("i", [t]), array("i", [x, y, z]), 1, events.append)
        before = len(events)
        flush(det, cut, events.append)
        at_flush.append(len(events) - before)
        assert events == sorted(set(events)) and len(events) == det.count, (k, events)
    assert max(at_flush) >= 2, at_flush


def test_swing_through_after_a_kettlebell_set_is_not_a_rep():
    """After the last rep the bell swings through once undriven and is caught: that cycle does not
    float as the reps did (its least |a| stays well above theirs), so it waits and never counts.
    Generated kettlebell sets (two sets each, tuning seeds): never over, at most one short."""
    for seed in TUNING_SEEDS[:4]:
        truth, counted = _kb_count(seed)
        assert truth - 1 <= counted <= truth, (seed, truth, counted)


def _kb_count(seed: int) -> tuple[int, int]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        csv_path, json_path = generate("kb_hip", seed, RATE_HZ, Path(tmp) / "kb")
        return json.loads(json_path.read_text())["count"], count_file(csv_path, "swing")["count"]


def test_viper_state_stays_in_the_biased_range(generated):
    """The viper path keeps every value in one array('i') plus a bias (a 64-bit host reads the words
    unsigned): each stored word must stay in [0, 2 * bias) or the two runtimes would disagree."""
    from fascia.detect import swing
    from fascia.detect.replay import read_trace

    det = swing.SwingDetector()
    low = high = swing._BIAS
    with open(generated[("swing_light", None)][0]) as f:
        for t, x, y, z in read_trace(f):
            det.feed(t, x, y, z)
            if not t % 97:
                low = min(low, min(det.s))
                high = max(high, max(det.s))
    assert low >= 0 and high < 2 * swing._BIAS, (low, high)


WIDE_SYMMETRIC = {"FRONT_SHARE": (0.49, 0.51), "ARC_DEG": (174.0, 178.0)}  # a relaxed pendulum swing
NEAR_PENDULUM_S = {"light": (1.7, 1.85), "heavy": (2.0, 2.2)}  # near the arm+club's own period
WIDE_SEEDS = TUNING_SEEDS[100:105]


@pytest.fixture(scope="module")
def wide_swings(tmp_path_factory) -> list:
    """Light front swings with a wide (~176 deg), symmetric arc near the pendulum's own period: the
    arm presses twice a rep and little else tells a half rep from a whole one."""
    from host_tools.gen import clubbell

    out = tmp_path_factory.mktemp("wide")
    saved = {name: getattr(clubbell, name) for name in (*WIDE_SYMMETRIC, "SWING_PERIOD_S")}
    try:
        for name, value in WIDE_SYMMETRIC.items():
            setattr(clubbell, name, value)
        clubbell.SWING_PERIOD_S = NEAR_PENDULUM_S
        traces = []
        for seed in WIDE_SEEDS:
            csv_path, json_path = generate("swing_light", seed, RATE_HZ, out / f"wide_{seed}")
            traces.append((str(csv_path), json.loads(json_path.read_text())["count"]))
        return traces
    finally:
        for name, value in saved.items():
            setattr(clubbell, name, value)


def test_wide_symmetric_swings_not_counted_twice(dual, wide_swings):
    """Half a rep is not a rep: no set counted half as much again as its reps (the counter once
    counted 31 of 15 and 33 of 20 here) and the sets together within 10 %."""
    results = dual("swing_replay", *(path for path, _ in wide_swings))
    for (path, truth), result in zip(wide_swings, results, strict=True):
        assert result["count"] * 2 < truth * 3, (path, result["count"], truth)
    total = sum(result["count"] for result in results)
    truth = sum(truth for _, truth in wide_swings)
    assert abs(total - truth) * 10 <= truth, (total, truth)
