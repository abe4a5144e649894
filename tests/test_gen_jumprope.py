"""Jump-rope generator, body-worn placements: the handle's sessions and truth, free fall in flight."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from fascia.spec.trace import check_header, parse_line
from host_tools.gen import jumprope


def _read(csv_path: Path) -> tuple[list[float], list[float]]:
    lines = csv_path.read_text().splitlines()
    check_header(lines[0])
    times, mags = [], []
    for line in lines[1:]:
        parse_line(line)  # every line is valid
        t, x, y, z = line.split(",")
        times.append(float(t))
        mags.append(math.sqrt(int(x) ** 2 + int(y) ** 2 + int(z) ** 2) / 1000.0)
    return times, mags


@pytest.mark.parametrize(("placement", "label"), [("pocket", "pocket"), ("waist", "other")])
def test_body_worn_trace_has_the_handle_truth_and_free_fall(tmp_path, placement, label):
    opts = {"duration_s": 30.0, "gap_every_s": 0}  # no FIFO gaps: every flight is sampled
    _, handle_json = jumprope.generate("basic", 401, 400, tmp_path / "handle", **opts)
    csv_path, json_path = jumprope.generate(
        "basic", 401, 400, tmp_path / placement, placement=placement, **opts
    )
    handle, worn = json.loads(handle_json.read_text()), json.loads(json_path.read_text())
    assert worn["placement"] == label and worn["activity"] == "jump_rope"
    assert placement in worn["notes"]
    assert worn["count"] == handle["count"] > 20 and worn["events_ms"] == handle["events_ms"]

    times, mags = _read(csv_path)
    assert 0.9 < sorted(mags)[len(mags) // 2] < 1.6  # mostly standing or on the ground: ~1 g
    for event in worn["events_ms"]:  # basic bounce: one pass per jump, mid-flight
        i = min(range(len(times)), key=lambda k: abs(times[k] - event))
        assert mags[i] < 0.3, (event, mags[i])
        a = b = i
        while a > 0 and mags[a - 1] < 0.3:
            a -= 1
        while b < len(mags) - 1 and mags[b + 1] < 0.3:
            b += 1
        assert times[b] - times[a] >= 100.0, (event, times[b] - times[a])
    assert max(mags) > 2.0  # landings


def test_handle_is_the_default_and_unknown_placements_fail(tmp_path):
    _, default = jumprope.generate("boxer", 402, 100, tmp_path / "a", duration_s=10.0)
    _, handle = jumprope.generate("boxer", 402, 100, tmp_path / "b", duration_s=10.0, placement="handle")
    a, b = json.loads(default.read_text()), json.loads(handle.read_text())
    assert a["placement"] == "handle" and {**a, "id": "b"} == b
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    with pytest.raises(ValueError, match="placement"):
        jumprope.generate("boxer", 402, 100, tmp_path / "c", duration_s=10.0, placement="ankle")


def test_side_swings_turn_the_rope_without_a_pass_or_a_flight():
    """Side swings: the hand circles and the rope pulls as in a set, the skipper stays on the ground."""
    rng = random.Random("side/1")
    jp = jumprope.Jumper(rng, population=True)
    tl = jumprope.Timeline(20.0)
    stop = jumprope._side_swings(tl, jp, rng, 2.0, 12)
    assert stop < 20.0 and tl.events == [] and tl.trips == 0
    during = range(tl.idx(3.0), tl.idx(stop - 1.5))
    assert min(tl.body[i] for i in during) > 0.8  # no flight: feet on the ground
    assert all(tl.circle[i] >= 1.0 for i in during)  # the hand goes round, wider than in skipping
    turns = (tl.phi[tl.idx(stop)] - tl.phi[tl.idx(2.0)]) / jumprope.TAU
    assert 12 <= turns < 13  # the rope went round 12 times and then some as it settled


def test_side_swing_sessions_have_no_passes(tmp_path):
    _, json_path = jumprope.generate(
        jumprope.SIDE_SWING, 403, 100, tmp_path / "side", duration_s=20.0, population=True
    )
    truth = json.loads(json_path.read_text())
    assert truth["count"] == 0 and truth["events_ms"] == [] and truth["scenario"] == "side_swing"


def test_a_compliant_arm_low_passes_the_bounce_at_the_handle():
    """Population handles feel the body's bounce through the arm (2.5-8 Hz): a slow double bounce's
    short flights and hard contacts reach the handle shallower (the weight still carried: the same
    mean force)."""
    rng = random.Random("arm")
    jp = jumprope.Jumper(rng, population=True, placement="handle")
    assert 2.5 <= jp.arm_hz <= 8.0
    assert jumprope.Jumper(random.Random("arm"), population=True, placement="wrist").arm_hz == 0.0
    tl = jumprope.Timeline(20.0)
    jp.bounce_rpm, jp.boxer_height = 60.0, 0.015
    stop = jumprope._jump_set(tl, jp, rng, 2.0, "double_bounce", 12, "stop")
    i0, i1 = tl.idx(4.0), tl.idx(stop - 1.0)
    body = tl.body[i0:i1]
    hand = jumprope._through_the_arm(tl.body, 3.0)[i0:i1]
    assert min(body) < 0.35  # the body flies (free fall, less what the arm relays)
    assert min(hand) > min(body) + 0.1 and max(hand) < max(body) - 0.2
    assert abs(sum(hand) / len(hand) - sum(body) / len(body)) < 0.02
