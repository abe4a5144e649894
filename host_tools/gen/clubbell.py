"""Physics-based clubbell / kettlebell swing traces with one truth event per rep (at the top of the arc).

Physical model (all motion in the sagittal plane; the sensor sits at the club's handle end, i.e. in
the hands, or on the kettlebell):
- During a swing the sensor moves on a circle of radius `r` (arm length, plus trunk lean for heavy
  work) around the shoulders, at angle theta from hanging straight down (positive = in front).
  The shoulders themselves move with the hip hinge (a few cm fore-aft), which adds their
  acceleration.
- theta follows a piecewise-conservative pendulum: in front of the release angle theta_rel the
  club flies under gravity scaled by `k_front` (1 = free flight, so the top is weightless; < 1 =
  a guided heavy float; > 1 = a light club snapped back down), behind it the hips and arms drive it
  with an effective gravity `k_back` > 1 (the hip snap). Energy is conserved in each region, so
  the front top, the backswing depth and the period follow from theta_top, theta_rel and the two
  gains; `k_back` is solved per rep for the wanted period. This reproduces what real sets show:
  2-4 g at each pass through the bottom (centripetal r*w^2 plus gravity), a near-weightless float
  at the top, and a shorter turn behind the legs.
- The sensor's specific force is f = p'' - g (p = sensor position, g pointing down), taken by
  finite differences of p on a 1 ms grid, then rotated into the sensor frame: the frame turns with
  the club (gravity rotates in it as the club tilts), the club lags the arm a little in proportion
  to angular velocity (wrist hinge), and the sensor is mounted in a random fixed orientation.
- Non-swing handling (pick-up, hike, parking, carrying, racking on the shoulder) is smooth
  minimum-jerk motion of position and tilt, which stays well under 2 g. A set ends as it does in
  reality: after the last rep the club swings through once undriven (a ~2 g pass and an unloaded
  front turn) before it is caught and lowered; it never stops dead at the back turn.
- Known simplification: the drive gain switches at theta_rel in one step, so |a| jumps there by up
  to ~1.5 g (a real hip snap ramps in over ~0.1 s); light-fast tops reached at a low angle can show
  a short plateau before the unloaded dip. Detection must cope with both.
Kinds: "light" (light-fast club swings, period 0.8-1.2 s), "heavy" (heavy-slow, 1.5-2.5 s),
"kb_hip" (two-hand kettlebell hip swings, ~1.6-2.0 s), each with a pick-up and hike, a rest and
a second set, and parking at the end; "park" (pick-up, hike, park: 0 reps) and "carry" (walking
with the club, racking it, turning it in the hands: 0 reps).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from host_tools.gen.sensor import SensorModel, sample, write_trace

G = 9.80665
DT = 0.001  # s, trajectory grid

KINDS = ("light", "heavy", "kb_hip", "park", "carry")

# per kind: radius (m), theta_top range (deg), theta_rel (deg), k_front, period range (s), hip sway (m)
SWING_STYLES = {
    "light": (0.6, (75.0, 90.0), 20.0, 1.15, (0.95, 1.25), 0.02),
    "heavy": (0.85, (92.0, 105.0), 25.0, 0.75, (1.6, 2.4), 0.05),
    "kb_hip": (0.65, (85.0, 100.0), 30.0, 1.0, (1.6, 2.0), 0.10),
}


class Track:
    """Sensor position (y forward, z up, m) and tilt (rad) on the 1 ms grid, plus truth events."""

    def __init__(self):
        self.y: list[float] = []
        self.z: list[float] = []
        self.tilt: list[float] = []
        self.events: list[float] = []  # s

    @property
    def t(self) -> float:
        return len(self.y) * DT

    def add(self, y: float, z: float, tilt: float) -> None:
        self.y.append(y)
        self.z.append(z)
        self.tilt.append(tilt)

    def last(self) -> tuple[float, float, float]:
        return self.y[-1], self.z[-1], self.tilt[-1]


def _min_jerk(s: float) -> float:
    return s * s * s * (10.0 - 15.0 * s + 6.0 * s * s)


def move(track: Track, to: tuple[float, float, float], duration: float) -> None:
    """Minimum-jerk move of position and tilt from the current pose (at rest) to `to` (at rest)."""
    y0, z0, a0 = track.last()
    n = max(1, int(duration / DT))
    for i in range(1, n + 1):
        s = _min_jerk(i / n)
        track.add(y0 + (to[0] - y0) * s, z0 + (to[1] - z0) * s, a0 + (to[2] - a0) * s)


def hold(track: Track, duration: float) -> None:
    y, z, a = track.last()
    for _ in range(int(duration / DT)):
        track.add(y, z, a)


def _accel(theta: float, k_front: float, k_back: float, rel: float, r: float) -> float:
    k = k_front if theta >= rel else k_back
    return -k * G / r * math.sin(theta)


def _half_cycle(theta: float, omega: float, k_front: float, k_back: float, rel: float, r: float):
    """Integrate (RK4, 1 ms) until omega changes sign; yields (theta, omega, alpha) per step."""
    sign = 1.0 if omega > 0 else -1.0
    while True:

        def f(th, om):
            return om, _accel(th, k_front, k_back, rel, r)

        k1 = f(theta, omega)
        k2 = f(theta + k1[0] * DT / 2, omega + k1[1] * DT / 2)
        k3 = f(theta + k2[0] * DT / 2, omega + k2[1] * DT / 2)
        k4 = f(theta + k3[0] * DT, omega + k3[1] * DT)
        theta += DT / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        omega += DT / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        yield theta, omega
        if omega * sign <= 0:
            return


def _cycle_time(top: float, rel: float, k_front: float, k_back: float, r: float) -> float:
    """Period of one rep for these parameters (back turn -> front top -> back turn)."""
    back = _back_turn(top, rel, k_front, k_back)
    n = sum(1 for _ in _half_cycle(back, 1e-9, k_front, k_back, rel, r))
    n += sum(1 for _ in _half_cycle(top, -1e-9, k_front, k_back, rel, r))
    return n * DT


def _back_turn(top: float, rel: float, k_front: float, k_back: float) -> float:
    """Backswing turning angle from energy continuity at the release angle."""
    c = math.cos(rel) - k_front * (math.cos(rel) - math.cos(top)) / k_back
    return -math.acos(max(-1.0, min(1.0, c)))


def _solve_k_back(top: float, rel: float, k_front: float, r: float, period: float) -> float:
    lo, hi = 1.8, 12.0  # the hips always drive (k_back > 1); a larger k_back shortens the period
    for _ in range(30):
        mid = math.sqrt(lo * hi)
        if _cycle_time(top, rel, k_front, mid, r) > period:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


def swing_set(track: Track, style: str, reps: int, rng: random.Random) -> None:
    """Pick the club up from the floor, hike it, swing `reps` reps, park it on the floor."""
    r, top_range, rel_deg, k_front, period_range, sway = SWING_STYLES[style]
    rel = math.radians(rel_deg)
    period = rng.uniform(*period_range)
    shoulder_z = 1.45
    hang = (0.0, shoulder_z - r, 0.0)
    floor = (0.35, 0.05, 0.0)
    move(track, (floor[0], 0.5, 0.0), 0.6)  # bend and grip
    move(track, hang, 0.9)  # stand up with the club hanging
    hold(track, rng.uniform(0.5, 1.5))
    lean = rng.uniform(0.6, 1.2)  # wrist hinge: the club lags the arm by 0.06 * lean * omega rad

    def pose(theta: float, omega: float) -> tuple[float, float, float]:
        """Sensor on the arc round the shoulders; shoulders sway with the hip hinge; club lags the arm."""
        hip = -sway * math.sin(theta)  # shoulders go back when the club is behind the legs
        y = hip + r * math.sin(theta)
        z = shoulder_z - r * math.cos(theta) - 0.3 * sway * (1.0 - math.cos(theta))
        return y, z, theta - 0.06 * lean * omega

    top = math.radians(rng.uniform(*top_range))
    theta = _back_turn(top, rel, k_front, _solve_k_back(top, rel, k_front, r, period))
    move(track, pose(theta, 0.0), rng.uniform(0.7, 1.0))  # hike: pull the club back between the legs
    for _ in range(reps):
        top = math.radians(rng.uniform(*top_range))
        # forward: hip snap from the back turn just hard enough to float up to `top`
        k_fwd = k_front * (math.cos(rel) - math.cos(top)) / max(0.05, math.cos(rel) - math.cos(theta))
        for th, om in _half_cycle(theta, 1e-9, k_front, k_fwd, rel, r):
            track.add(*pose(th, om))
            theta = th
        track.events.append(track.t)
        # backward: down through the bottom to the next back turn, paced for the set's tempo
        k_back = _solve_k_back(top, rel, k_front, r, period * rng.uniform(0.95, 1.05))
        for th, om in _half_cycle(theta, -1e-9, k_front, k_back, rel, r):
            track.add(*pose(th, om))
            theta = th
    # park: the club swings through undriven from the last back turn (it does not stop dead behind
    # the legs), is caught at the front turn and lowered to hanging, then down to the floor
    for th, om in _half_cycle(theta, 1e-9, 1.0, 1.0, rel, r):
        track.add(*pose(th, om))
    move(track, hang, rng.uniform(0.8, 1.2))
    move(track, floor, rng.uniform(0.9, 1.3))
    hold(track, rng.uniform(1.0, 2.0))


def carry(track: Track, rng: random.Random) -> None:
    """Handling without swinging: walking with the club, racking it, turning it, setting it down."""
    hang = (0.0, 0.75, 0.0)
    move(track, (0.3, 0.5, 0.0), 0.6)
    move(track, hang, 0.9)
    for _ in range(2):
        steps = rng.randint(10, 20)
        cadence = rng.uniform(1.7, 2.1)  # steps per second
        n = int(steps / cadence / DT)
        y0, z0, a0 = track.last()
        bounce = rng.uniform(0.02, 0.04)
        sway = rng.uniform(0.1, 0.25)
        for i in range(1, n + 1):
            t = i * DT
            ramp = min(1.0, t / 0.5, (n - i) * DT / 0.5)
            track.add(
                y0 + 0.02 * ramp * math.sin(math.pi * cadence * t),
                z0 + bounce * ramp * math.sin(2 * math.pi * cadence * t),
                a0 + sway * ramp * math.sin(math.pi * cadence * t),
            )
        move(track, hang, 0.1)
        hold(track, rng.uniform(0.5, 1.5))
        move(
            track, (0.15, 1.3, math.pi * rng.uniform(0.85, 1.0)), rng.uniform(0.8, 1.2)
        )  # rack on the shoulder
        hold(track, rng.uniform(1.0, 3.0))
        move(track, (0.3, 1.0, math.pi / 2), rng.uniform(0.6, 1.0))  # hold it out level
        hold(track, rng.uniform(0.5, 1.0))
        move(track, (0.2, 1.0, -math.pi / 3), rng.uniform(0.6, 1.0))  # turn it in the hands
        move(track, hang, rng.uniform(0.6, 1.0))
    move(track, (0.3, 0.05, 0.0), 1.2)
    hold(track, 1.5)


def _rotation(rng: random.Random) -> list[list[float]]:
    """A random fixed mounting rotation (sensor axes relative to the club's radial/tangential/lateral)."""
    a, b, c = (rng.uniform(-math.pi, math.pi) for _ in range(3))
    ca, sa, cb, sb, cc, sc = math.cos(a), math.sin(a), math.cos(b), math.sin(b), math.cos(c), math.sin(c)
    return [
        [cb * cc, -cb * sc, sb],
        [sa * sb * cc + ca * sc, -sa * sb * sc + ca * cc, -sa * cb],
        [-ca * sb * cc + sa * sc, ca * sb * sc + sa * cc, ca * cb],
    ]


def specific_force(track: Track, rng: random.Random):
    """Specific force in the sensor frame (g) on the grid, and an interpolating accel(t) function."""
    rot = _rotation(rng)
    n = len(track.y)
    out = []
    for i in range(n):
        j = min(max(i, 1), n - 2)
        ay = (track.y[j + 1] - 2 * track.y[j] + track.y[j - 1]) / (DT * DT)
        az = (track.z[j + 1] - 2 * track.z[j] + track.z[j - 1]) / (DT * DT)
        fy, fz = ay, az + G  # world frame: the sensor reads +1 g up at rest
        tilt = track.tilt[i]
        # club frame: u = along the club towards the hands (up when hanging), v = forward normal
        u = -fy * math.sin(tilt) + fz * math.cos(tilt)
        v = fy * math.cos(tilt) + fz * math.sin(tilt)
        out.append(tuple((rot[k][0] * u + rot[k][1] * v) / G for k in range(3)))  # no lateral force

    def accel(t: float) -> tuple[float, float, float]:
        i = min(n - 1, max(0, int(t / DT)))
        return out[i]

    return out, accel


def generate(kind: str, seed: int, rate_hz: float, out_stem: Path | str) -> tuple[Path, Path]:
    """Write `<out_stem>.csv/.json` for `kind` (see KINDS) at `rate_hz`; returns the two paths."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
    rng = random.Random(seed)
    track = Track()
    track.add(0.3, 0.05, 0.0)
    hold(track, rng.uniform(1.0, 2.0))
    if kind in SWING_STYLES:
        swing_set(track, kind, rng.randint(8, 15), rng)
        hold(track, rng.uniform(5.0, 10.0))
        swing_set(track, kind, rng.randint(6, 12), rng)
    elif kind == "park":
        for _ in range(2):
            swing_set(track, "kb_hip", 0, rng)
    else:
        carry(track, rng)
    _, accel = specific_force(track, rng)
    model = SensorModel(rate_hz=rate_hz, range_g=rng.choice((4.0, 8.0, 16.0)))
    samples = sample(accel, track.t, model, rng)
    tempo = {"light": 1, "heavy": 2, "kb_hip": 2}.get(kind, 0)
    return write_trace(
        out_stem,
        samples,
        activity="swing",
        placement="club" if kind != "kb_hip" else "other",
        events_ms=[e * 1000.0 for e in track.events],
        notes=f"generated by host_tools.gen.clubbell (kind {kind}, seed {seed}); events at arc tops",
        extra={"tempo": tempo},
    )


BENCHMARK_RATES = (100.0, 200.0, 400.0, 1000.0)


def benchmark_set(out_dir: Path | str) -> list[Path]:
    """The fixed clubbell set for the accuracy benchmark: every kind, three seeds (2001..), rates
    rotating through 100..1000 Hz; returns the CSV paths."""
    out = Path(out_dir)
    paths = []
    for k, kind in enumerate(KINDS):
        for i, seed in enumerate((2001, 2002, 2003)):
            rate = BENCHMARK_RATES[(k + i) % len(BENCHMARK_RATES)]
            paths.append(generate(kind, seed, rate, out / f"clubbell_{kind}_{seed}_{int(rate)}hz")[0])
    return paths
