"""Zero-step traces: a device that moves (or not) while nobody walks, to count false steps.

Kinds (each trace has count 0 and no events):
- "still": held in the hand by a person standing still.
- "table": lying on a table that gets knocked now and then.
- "desk": on the wrist at a desk: typing, fidgeting and gesturing, with rests between.
- "handling": picked up, looked at, turned over, put into a pocket, taken out, put down.

Model and assumptions (all in SI units until the final conversion to g):
- The sensor measures specific force in its own frame: R(t)^T (a(t) + g·up), R from ZYX Euler angles
  (yaw, pitch, roll); a(t) is the linear acceleration of the device in the world frame.
- Hand motions are minimum-jerk strokes (how people move a hand between two poses). Gestures:
  strokes to random poses within +-15 cm and +-40 degrees of rest, 0.3-1.0 s each, 0-1.2 s apart
  (peaks ~0.1-1 g), in bouts of 2-10 s. Handling moves (lift, turn, pocket, put down): 10-40 cm in
  0.5-1.2 s with up to 180 degrees of rotation, ending in a small damped contact bump.
- Slow drifts (sway, small orientation wander) are sums of a few sinusoids with random frequencies
  and phases; accelerations are their exact second derivatives.
- Physiological tremor of a held device: 8-12 Hz, 5-20 mg; postural sway 0.1-0.5 Hz, 1-3 cm.
- Knocks and keystrokes are damped sinusoids (15-60 Hz, 10-80 ms decay): knocks 50-300 mg every
  5-30 s, keystrokes 20-80 mg in bursts of ~5 Hz (words) separated by pauses.
- The sensor itself (rate, clock error, jitter, FIFO gaps, noise, quantisation) is `sensor.SensorModel`.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from pathlib import Path

from host_tools.gen.sensor import SensorModel, sample, write_trace

KINDS = ("still", "table", "desk", "handling")
G = 9.80665

Vec = tuple[float, float, float]
Signal = Callable[[float], float]


def _wander(rng: random.Random, amp: float, f_lo: float, f_hi: float, n: int = 4) -> tuple[Signal, Signal]:
    """A smooth random signal (sum of `n` sinusoids, peak about `amp`) and its second derivative."""
    parts = []
    for _ in range(n):
        f = rng.uniform(f_lo, f_hi)
        parts.append((amp / n * rng.uniform(0.5, 1.5), 2 * math.pi * f, rng.uniform(0, 2 * math.pi)))

    def value(t: float) -> float:
        return sum(a * math.sin(w * t + p) for a, w, p in parts)

    def accel(t: float) -> float:
        return sum(-a * w * w * math.sin(w * t + p) for a, w, p in parts)

    return value, accel


def _min_jerk(t: float, t0: float, dur: float) -> tuple[float, float]:
    """Minimum-jerk profile from 0 to 1 over [t0, t0 + dur]: (position, acceleration per unit distance)."""
    if t <= t0:
        return 0.0, 0.0
    if t >= t0 + dur:
        return 1.0, 0.0
    s = (t - t0) / dur
    pos = 10 * s**3 - 15 * s**4 + 6 * s**5
    acc = (60 * s - 180 * s**2 + 120 * s**3) / (dur * dur)
    return pos, acc


def _ring(t: float, t0: float, amp: float, freq: float, decay: float) -> float:
    """A damped sinusoid starting at t0 (knock, keystroke, contact)."""
    if t < t0 or t > t0 + 8 * decay:
        return 0.0
    dt = t - t0
    return amp * math.exp(-dt / decay) * math.sin(2 * math.pi * freq * dt)


def _envelope(t: float, spans: list[tuple[float, float]], ramp: float = 0.5) -> float:
    """1 inside any (start, end) span, with raised-cosine ramps, else 0."""
    for a, b in spans:
        if a - ramp < t < b + ramp:
            if t < a:
                return 0.5 - 0.5 * math.cos(math.pi * (t - a + ramp) / ramp)
            if t > b:
                return 0.5 - 0.5 * math.cos(math.pi * (b + ramp - t) / ramp)
            return 1.0
    return 0.0


def _to_sensor(yaw: float, pitch: float, roll: float, a: Vec) -> Vec:
    """Specific force in the sensor frame, in g: R^T (a + g up) with R = Rz(yaw) Ry(pitch) Rx(roll)."""
    fx, fy, fz = a[0], a[1], a[2] + G
    cy, sy = math.cos(yaw), math.sin(yaw)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cr, sr = math.cos(roll), math.sin(roll)
    # R^T = Rx^T Ry^T Rz^T
    x1, y1 = cy * fx + sy * fy, -sy * fx + cy * fy
    z1 = fz
    x2, z2 = cp * x1 - sp * z1, sp * x1 + cp * z1
    y3, z3 = cr * y1 + sr * z2, -sr * y1 + cr * z2
    return x2 / G, y3 / G, z3 / G


def _hand_noise(rng: random.Random) -> Callable[[float], Vec]:
    """Tremor (8-12 Hz) and postural sway of a hand-held device: linear acceleration in m/s^2."""
    tremor = [_wander(rng, rng.uniform(0.05, 0.2), 8.0, 12.0)[0] for _ in range(3)]
    sway = [_wander(rng, rng.uniform(0.01, 0.03), 0.1, 0.5)[1] for _ in range(3)]
    return lambda t: (tremor[0](t) + sway[0](t), tremor[1](t) + sway[1](t), tremor[2](t) + sway[2](t))


def _spans(rng: random.Random, duration: float, on: tuple[float, float], off: tuple[float, float]):
    spans, t = [], rng.uniform(*off)
    while t < duration:
        d = rng.uniform(*on)
        spans.append((t, min(t + d, duration)))
        t += d + rng.uniform(*off)
    return spans


def _still(rng: random.Random, duration: float) -> Callable[[float], Vec]:
    base = (rng.uniform(0, 6.3), rng.uniform(-1.2, -0.3), rng.uniform(-0.4, 0.4))  # screen towards the face
    angles = [_wander(rng, math.radians(rng.uniform(1, 4)), 0.1, 0.6)[0] for _ in range(3)]
    noise = _hand_noise(rng)

    def accel(t: float) -> Vec:
        return _to_sensor(base[0] + angles[0](t), base[1] + angles[1](t), base[2] + angles[2](t), noise(t))

    return accel


def _table(rng: random.Random, duration: float) -> Callable[[float], Vec]:
    flip = math.pi if rng.random() < 0.5 else 0.0  # face up or face down
    pitch, roll = math.radians(rng.uniform(-2, 2)), flip + math.radians(rng.uniform(-2, 2))
    knocks, t = [], rng.uniform(2, 10)
    while t < duration:
        knocks.append((t, rng.uniform(0.5, 3.0), rng.uniform(15, 60), rng.uniform(0.01, 0.08)))
        t += rng.uniform(5, 30)

    def accel(t: float) -> Vec:
        z = sum(_ring(t, t0, a, f, d) for t0, a, f, d in knocks if t0 <= t < t0 + 1)
        return _to_sensor(0.0, pitch, roll, (0.0, 0.0, z))

    return accel


def _strokes(rng: random.Random, spans: list[tuple[float, float]]) -> list[tuple]:
    """Gesture strokes inside `spans`: minimum-jerk moves between random hand poses, then back to rest."""
    rest = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    strokes, here = [], rest
    for a, b in spans:
        t = a
        while t < b:
            pos = tuple(rng.uniform(-0.15, 0.15) for _ in range(3))
            ang = tuple(math.radians(rng.uniform(-40, 40)) for _ in range(3))
            dur = rng.uniform(0.3, 1.0)
            strokes.append((t, dur, here, (pos, ang)))
            here = (pos, ang)
            t += dur + rng.uniform(0.0, 1.2)
        strokes.append((t, 0.8, here, rest))
        here = rest
    return strokes


def _pose(t: float, strokes: list[tuple]) -> tuple[Vec, Vec]:
    """(linear acceleration, angles) of the hand at t from the stroke list."""
    i = bisect.bisect_right(strokes, t, key=lambda s: s[0]) - 1
    if i < 0:
        return (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)
    t0, dur, (p0, a0), (p1, a1) = strokes[i]
    s, acc = _min_jerk(t, t0, dur)
    lin = (acc * (p1[0] - p0[0]), acc * (p1[1] - p0[1]), acc * (p1[2] - p0[2]))
    return lin, (a0[0] + s * (a1[0] - a0[0]), a0[1] + s * (a1[1] - a0[1]), a0[2] + s * (a1[2] - a0[2]))


def _desk(rng: random.Random, duration: float) -> Callable[[float], Vec]:
    strokes = _strokes(rng, _spans(rng, duration, (2, 10), (3, 15)))
    typing = _spans(rng, duration, (3, 20), (2, 10))
    keys = []
    for a, b in typing:
        t = a
        while t < b:
            keys.append((t, rng.uniform(0.2, 0.8), rng.uniform(15, 40), rng.uniform(0.01, 0.03)))
            t += rng.uniform(0.08, 0.35) if rng.random() < 0.85 else rng.uniform(0.5, 1.5)  # words, pauses
    base = (rng.uniform(0, 6.3), rng.uniform(-0.3, 0.3), rng.uniform(-0.5, 0.5))  # wrist on the desk
    noise = _hand_noise(rng)

    def accel(t: float) -> Vec:
        lin, ang = _pose(t, strokes)
        n = noise(t)
        key = sum(_ring(t, t0, a, f, d) for t0, a, f, d in keys if t0 <= t < t0 + 0.3)
        lin = (lin[0] + n[0], lin[1] + n[1], lin[2] + n[2] + key)
        return _to_sensor(base[0] + ang[0], base[1] + ang[1], base[2] + ang[2], lin)

    return accel


def _handling(rng: random.Random, duration: float) -> Callable[[float], Vec]:
    """A loop of poses joined by minimum-jerk moves: table, hand (looking), turned, pocket."""
    poses = {
        "table": (0.0, 0.0, 0.0),
        "look": (0.0, -0.8, 0.0),
        "turned": (0.0, -0.8, math.pi),
        "pocket": (0.0, -1.5, 0.3),
    }
    order = ["table", "look", "turned", "look", "pocket", "look", "table"]
    moves, t, i = [], rng.uniform(1, 4), 0
    state = poses["table"]
    while t < duration:
        target = order[(i + 1) % len(order)]
        yaw = rng.uniform(-0.5, 0.5)
        goal = (poses[target][0] + yaw, poses[target][1] + rng.uniform(-0.2, 0.2), poses[target][2])
        dur = rng.uniform(0.5, 1.2)
        lift = rng.uniform(0.1, 0.4) * (1 if target in ("look", "turned") else -1)
        moves.append((t, dur, state, goal, lift, rng.uniform(0.3, 1.5)))
        state = goal
        t += dur + rng.uniform(1.0, 8.0)
        i += 1
    noise = _hand_noise(rng)

    def accel(t: float) -> Vec:
        ang = moves[0][2] if moves else poses["table"]
        vertical = 0.0
        held = False
        for t0, dur, a0, a1, lift, bump in moves:
            if t < t0:
                break
            s, acc = _min_jerk(t, t0, dur)
            ang = tuple(a0[k] + s * (a1[k] - a0[k]) for k in range(3))
            vertical = lift * acc + _ring(t, t0 + dur, bump, 25.0, 0.03)
            held = a1 != poses["table"] or t < t0 + dur
        n = noise(t) if held else (0.0, 0.0, 0.0)
        return _to_sensor(ang[0], ang[1], ang[2], (n[0], n[1], n[2] + vertical))

    return accel


_MODELS = {"still": _still, "table": _table, "desk": _desk, "handling": _handling}


def model(kind: str, rng: random.Random, duration_s: float) -> Callable[[float], Vec]:
    """The motion of `kind` (one of KINDS) as a function t -> specific force in g (for other generators)."""
    return _MODELS[kind](rng, duration_s)


def generate(
    kind: str, seed: int, rate_hz: float, out_stem: Path | str, duration_s: float = 120.0
) -> tuple[Path, Path]:
    """Write a zero-step trace of `kind` (one of KINDS) as `<out_stem>.csv/.json`; returns both paths."""
    if kind not in _MODELS:
        raise ValueError(f"unknown idle kind {kind!r} (choose from {', '.join(KINDS)})")
    rng = random.Random(seed)
    accel = _MODELS[kind](rng, duration_s)
    samples = sample(accel, duration_s, SensorModel(rate_hz=rate_hz), rng)
    return write_trace(
        out_stem,
        samples,
        activity="other" if kind != "table" else "static",
        placement="other" if kind in ("table", "handling") else "hand" if kind == "still" else "wrist",
        events_ms=[],
        notes=f"generated zero-step trace ({kind}, seed {seed}): host_tools/gen/idle.py",
    )


BENCHMARK_RATES = (400.0, 100.0, 12.5)


def benchmark_set(out_dir: Path | str) -> list[Path]:
    """The fixed zero-step set (every kind, two seeds, three rates, 120 s each); returns the CSV paths."""
    out = Path(out_dir)
    paths = []
    for kind in KINDS:
        for seed in (1, 2):
            for rate in BENCHMARK_RATES:
                stem = (
                    out / f"idle_{kind}_{seed}_{round(rate * 10)}dhz"
                )  # no dot: write_trace adds the suffix
                paths.append(generate(kind, seed, rate, stem)[0])
    return paths
