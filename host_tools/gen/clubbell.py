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
Kettlebell-model kinds: "light" (light-fast club swings, period 0.8-1.2 s), "heavy" (heavy-slow,
1.5-2.5 s), "kb_hip" (two-hand kettlebell hip swings, ~1.6-2.0 s), each with a pick-up and hike, a
rest and a second set, and parking at the end; "park" (pick-up, hike, park: 0 reps) and "carry"
(walking with the club, racking it, turning it in the hands: 0 reps).

The clubbell population (section below, POPULATION_KINDS): every move of MOVES (front swings, arm
casts, shield casts, mills) at both TEMPOS, as "<move>_<tempo>", and the NEGATIVES ("walk_club",
"pickup", "pass"); each session draws its person, implement, hand, mounting and sensor/logger from
documented ranges. Seeds: TUNING_SEEDS (< 1000) while developing, >= STRESS_SEED_BASE for the
benchmark's stress set (stress_specs).
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from host_tools.gen.sensor import SensorModel, random_rotation, rotate, sample, write_trace

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


def specific_force(track: Track, rng: random.Random):
    """Specific force in the sensor frame (g) on the grid, and an interpolating accel(t) function."""
    rot = random_rotation(rng)
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


# ---------------------------------------------------------------- the clubbell population
#
# Every clubbell move is written as the pose of the implement over time on the 1 ms grid: the hand
# position P (m; x forward, y to the side of the working hand, z up), the implement's axis angle phi
# in the sagittal plane (0 = hanging down, 90 deg = pointing forward, 180 deg = upright), a sideways
# tilt psi of that axis and a roll rho about it. The sensor sits on the axis at `offset` from the grip
# (the handle end), so its specific force is the second difference of its position minus gravity,
# expressed in the implement's frame and then in the sensor's (a random mounting rotation).
# Either hand: the left hand's motion is the mirror image (y and psi negated), the sensor is not.

MOVES = ("swing", "arm_cast", "shield_cast", "mill")  # one rep = one full cycle back to the start
TEMPOS = ("light", "heavy")
NEGATIVES = ("walk_club", "pickup", "pass")  # besides "park" and "carry" (kettlebell model above)
TUNING_SEEDS = range(0, 1000)  # seeds used while developing the counter
STRESS_SEED_BASE = 10000  # the benchmark's stress set: seeds never used while tuning

# Ranges, and where they come from:
# - tempo (s per rep): light 0.5-2 kg clubs / Indian clubs are swung about one rep a second in
#   club-training videos (1.0-1.35 s); heavy 5-20 kg clubbells are cast and milled slowly,
#   2-4 s a rep, and a heavy front swing cannot run much faster than the arm+club pendulum's own
#   period (~1.7-2.2 s for 0.6-0.75 m arms plus a 0.3-0.5 m lever): 1.5-4.0 s. Rep-to-rep +-6 %.
#   A light front swing is a pendulum too: swung wide and relaxed it runs near the arm+club's own
#   period, up to ~1.8 s a rep (an independent pendulum model counted such wide, slow light swings
#   double), so light front swings take 1.0-1.8 s.
PERIOD_S = {"light": (1.0, 1.35), "heavy": (1.5, 4.0)}
SWING_PERIOD_S = {"light": (1.0, 1.8), "heavy": (1.5, 4.0)}
CLUB_KG = {"light": (0.5, 2.0), "heavy": (5.0, 20.0)}
PERIOD_JITTER = 0.06
# - swing arc (deg, back turn to front top): 45-180 (the brief's range: from a small pendulum to a
#   swing up to horizontal in front and 60 deg behind); the front takes 45-75 % of it. A relaxed
#   pendulum swing is near symmetric about hanging (45-55 %): its arm presses twice a rep (both
#   bottom passes) and only the small front/back difference says where a rep ends, the case an
#   independent pendulum model counted double, so the range takes it in.
ARC_DEG = (45.0, 180.0)
FRONT_SHARE = (0.45, 0.75)
# - body: shoulder 1.30-1.55 m high (adult stature 1.55-1.95 m x 0.82), arm 0.55-0.75 m to the grip;
#   hip hinge moves the shoulders 0-8 cm fore-aft in a swing (video analysis of swings)
SHOULDER_Z = (1.30, 1.55)
ARM_M = (0.55, 0.75)
SWAY_M = (0.0, 0.08)
# - wrist hinge: the implement trails the arm by 0-60 ms of its angular velocity (heavier: more)
LAG_S = {"light": (0.0, 0.03), "heavy": (0.02, 0.06)}
# - casts and mills: the hand circles 0.08-0.30 m (casts) / 0.25-0.45 m (mills, round the head);
#   the implement turns once a rep (360 deg), its speed uneven (faster falling: up to +-35 %);
#   it leans out sideways 20-50 deg (arm cast) to pass the body, 40-80 deg in a shield cast (behind
#   the head to the other shoulder) and a mill; the wrist rolls it up to 60 deg.
HAND_CIRCLE_M = {"arm_cast": (0.08, 0.30), "shield_cast": (0.08, 0.25), "mill": (0.25, 0.45)}
LEAN_DEG = {"arm_cast": (20.0, 50.0), "shield_cast": (40.0, 80.0), "mill": (40.0, 80.0)}
UNEVEN = (0.0, 0.35)
ROLL_DEG = (0.0, 60.0)
# - the sensor on the axis, beyond the grip at the handle end: club knob 3-10 cm, hammer handle end
#   2-6 cm, bottle (held by the neck, sensor on the cap) 0-4 cm
IMPLEMENTS = {"club": (-0.10, -0.03), "hammer": (-0.06, -0.02), "bottle": (-0.04, 0.0)}
# - set: 5-20 reps (club programmes: 5-10 heavy, 10-20 light), 1-2 sets a session with a 5-30 s rest
REPS = {"light": (8, 20), "heavy": (5, 15)}
REST_S = (5.0, 30.0)


class Pose:
    """Hand position, axis angles and truth events on the 1 ms grid."""

    def __init__(self, side: float):
        self.side = side  # +1 right hand, -1 left hand (mirror image)
        self.ch: list[list[float]] = [[] for _ in range(6)]  # px, py, pz, phi, psi, rho
        self.events: list[float] = []

    @property
    def t(self) -> float:
        return len(self.ch[0]) * DT

    def add(self, *v: float) -> None:
        for c, x in zip(self.ch, v, strict=True):
            c.append(x)

    def last(self) -> tuple[float, ...]:
        return tuple(c[-1] for c in self.ch)

    def move(self, to: tuple[float, ...], duration: float) -> None:
        """Minimum-jerk move of every channel from the current pose (at rest) to `to` (at rest)."""
        start = self.last()
        turns = round((start[3] - to[3] - 1e-3) / (2 * math.pi))  # the implement's angle is unwrapped:
        to = to[:3] + (to[3] + 2 * math.pi * turns,) + to[4:]  # go the short way (forward when level)
        n = max(1, int(duration / DT))
        for i in range(1, n + 1):
            s = _min_jerk(i / n)
            self.add(*(a + (b - a) * s for a, b in zip(start, to, strict=True)))

    def hold(self, duration: float, rng: random.Random | None = None) -> None:
        """Stay put; with `rng`, the small drift of a held implement (a few mm, a degree or two) that
        starts and ends at the pose, so the next motion joins smoothly."""
        v = self.last()
        n = max(1, int(duration / DT))
        w = [rng.uniform(-1.0, 1.0) for _ in range(6)] if rng else [0.0] * 6
        d = (0.004, 0.004, 0.003, 0.02, 0.02, 0.02)
        for i in range(n):
            bump = math.sin(math.pi * i / n) ** 2
            self.add(*(v[k] + d[k] * w[k] * bump for k in range(6)))


def _smooth(s: float) -> float:
    return 0.0 if s <= 0 else 1.0 if s >= 1 else _min_jerk(s)


class Body:
    """One person with one implement: the parameters shared by every rep of a session."""

    def __init__(self, tempo: str, rng: random.Random, move_name: str = ""):
        self.tempo = tempo
        self.side = rng.choice((1.0, -1.0))
        self.implement = rng.choice(tuple(IMPLEMENTS))
        self.offset = rng.uniform(*IMPLEMENTS[self.implement])
        self.kg = rng.uniform(*CLUB_KG[tempo])
        self.shoulder = (0.0, 0.18, rng.uniform(*SHOULDER_Z))
        self.arm = rng.uniform(*ARM_M)
        self.lag = rng.uniform(*LAG_S[tempo])
        self.period = rng.uniform(*(SWING_PERIOD_S if move_name == "swing" else PERIOD_S)[tempo])

    def hang(self) -> tuple[float, ...]:
        sx, sy, sz = self.shoulder
        return (sx, sy, sz - self.arm, 0.0, 0.0, 0.0)

    def floor(self) -> tuple[float, ...]:
        return (0.35, 0.25, 0.05, math.pi / 2, 0.0, 0.0)  # lying on the floor in front

    def order(self) -> tuple[float, ...]:
        """The start position of casts and mills: upright in front of the chest."""
        sx, sy, sz = self.shoulder
        return (sx + 0.25, sy - 0.05, sz - 0.30, math.pi, 0.0, 0.0)

    def pick_up(self, p: Pose, rng: random.Random, to: tuple[float, ...]) -> None:
        p.move((0.35, 0.22, 0.45, math.pi / 2, 0.0, 0.0), rng.uniform(0.5, 0.9))  # bend and grip
        p.move(self.hang(), rng.uniform(0.7, 1.2))  # stand up
        if to != self.hang():
            p.move(to, rng.uniform(0.7, 1.2))
        p.hold(rng.uniform(0.5, 2.0), rng)

    def put_down(self, p: Pose, rng: random.Random) -> None:
        p.move(self.hang(), rng.uniform(0.7, 1.2))
        p.move(self.floor(), rng.uniform(0.9, 1.4))
        p.hold(rng.uniform(1.0, 2.5), rng)


def _swing_reps(p: Pose, body: Body, reps: int, rng: random.Random) -> None:
    """Front (pendulum) swings from a dead hang: rep k's top at phase k - 1/2, back turns at integers."""
    arc = math.radians(rng.uniform(*ARC_DEG))
    share = rng.uniform(*FRONT_SHARE)
    shape = rng.uniform(-0.12, 0.12)  # second harmonic: a longer float at the top or at the back
    sway = rng.uniform(*SWAY_M)
    sx, sy, sz = body.shoulder
    r = body.arm
    ending = rng.choice(("swing_through", "catch"))  # after the last top: swing back and let it die out
    tail = rng.uniform(0.8, 1.6) if ending == "swing_through" else 0.0  # ... or catch it in front

    def theta(ph: float) -> float:
        mid = (share - 0.5) * arc  # centre of the arc
        amp = arc / 2
        return mid - amp * math.cos(2 * math.pi * ph) + amp * shape * (1 - math.cos(4 * math.pi * ph))

    steps = []  # (phase at each ms)
    ph = 0.0
    end_ph = reps + tail
    if ending == "catch":
        end_ph = reps - 0.5
    dph_nominal = DT / body.period
    period_scale = 1.0
    next_change = 1.0
    while ph < end_ph:
        if ph >= next_change:
            period_scale = rng.uniform(1 - PERIOD_JITTER, 1 + PERIOD_JITTER)
            next_change += 1.0
        steps.append(ph)
        ph += dph_nominal / period_scale
    prev = None
    last_ph = -1.0
    for ph in steps:
        env = _smooth(ph / 0.5)  # from hanging still to the full arc by the first top
        if ending == "swing_through" and ph > reps:
            env = 1.0 - _smooth((ph - reps) / tail)  # undriven: dies out within a swing or so
        th = env * theta(ph)
        om = 0.0 if prev is None else (th - prev) / DT
        prev = th
        top = int(ph - 0.5) + 0.5  # the last front top at or before this phase
        if last_ph < top <= ph and top < reps:
            p.events.append(p.t)
        last_ph = ph
        hip = -sway * math.sin(th)
        p.add(
            sx + hip + r * math.sin(th),
            sy,
            sz - r * math.cos(th),
            th - body.lag * om,
            0.02 * math.sin(th),
            0.0,
        )
    if ending == "catch":  # stopped at the last top, lowered to hanging
        p.move(body.hang(), rng.uniform(0.8, 1.5))
    else:
        p.hold(rng.uniform(0.3, 1.0), rng)


def _cast_reps(p: Pose, body: Body, move_name: str, reps: int, rng: random.Random) -> None:
    """Casts and mills from the order position: the implement turns once a rep, back over the shoulder
    first, round the body and up in front again (the truth event: upright in front)."""
    circle = rng.uniform(*HAND_CIRCLE_M[move_name])
    lean = math.radians(rng.uniform(*LEAN_DEG[move_name]))
    uneven = rng.uniform(*UNEVEN)
    roll = math.radians(rng.uniform(*ROLL_DEG))
    ox, oy, oz, _, _, _ = body.order()
    # the hand circle: in the sagittal plane for an arm cast, tipped sideways (round the head) in a mill
    tip = {"arm_cast": 0.2, "shield_cast": 0.6, "mill": 1.0}[move_name] * rng.uniform(0.6, 1.0)
    cross = 1.0 if move_name != "arm_cast" else 0.3  # the hand crosses to the other shoulder and back
    ph = 0.0
    scale = target = 1.0
    rep = 0
    while rep < reps:
        scale += (target - scale) * DT / 0.3  # the tempo drifts from rep to rep, never jumps
        u = ph - rep
        if u >= 1.0:
            rep += 1
            p.events.append(p.t)
            target = rng.uniform(1 - PERIOD_JITTER, 1 + PERIOD_JITTER)
            if rep == reps:
                break
            u -= 1.0
        w = 2 * math.pi * u
        turn = w - uneven * math.sin(w)  # slow over the top, fast falling behind and round
        phi = math.pi + turn  # upright -> back -> down behind -> forward -> upright
        psi = lean * math.sin(turn / 2) ** 2 * (1.0 if move_name == "arm_cast" else math.sin(turn))
        # hand: back and up over the shoulder while the implement drops behind, down and forward again
        cx = -circle * math.sin(turn) * (1 - 0.5 * tip)
        cz = circle * (1 - math.cos(turn)) * 0.5 * (1 + tip)
        cy = -cross * circle * math.sin(turn) * tip
        p.add(ox + cx - circle * 0.5 * (1 - math.cos(turn)), oy + cy, oz + cz, phi, psi, roll * math.sin(w))
        # from rest in the order position, and back to rest there after the last rep
        speed = max(0.02, min(1.0, math.sqrt(ph / 0.25 + 1e-6), math.sqrt(max(0.0, reps - ph) / 0.25)))
        ph += speed * DT / (body.period * scale)
    p.hold(rng.uniform(0.3, 1.5), rng)  # upright in front again: the start position


# - walking with the implement hanging in the hand (a negative): 90-132 steps/min (strolling to brisk;
#   published cadence studies put walking at 90-130), the arm swinging once a stride +-5-20 deg (a
#   loaded hand swings less than the free +-15-25 deg, but some people let a light club swing freely);
#   the body bounces +-0.8-2.2 cm a step (2-4.5 cm peak to peak), lowest at double support (heel
#   strike: the arms at their extremes), sways 1-4 cm sideways once a stride (highest over each foot
#   at mid-stance, as the arms pass the body) and brakes and pushes off fore-aft a step (+-0.05-0.2
#   m/s); the implement trails the arm by a wrist hinge (+-20 % of the arm's angle) and the hand may
#   carry it turned out sideways (0-30 deg).
WALK_CADENCE_HZ = (1.5, 2.2)
WALK_ARM_DEG = (5.0, 20.0)
WALK_BOUNCE_M = (0.008, 0.022)
WALK_SWAY_M = (0.01, 0.04)
WALK_SURGE_MS = (0.05, 0.2)
WALK_HINGE = (-0.2, 0.2)
WALK_TURN_OUT_DEG = (0.0, 30.0)


def _walk(p: Pose, body: Body, rng: random.Random, seconds: float) -> None:
    """Walking with the implement hanging in the hand (ranges above): the arm swings once a stride,
    the body bounces, brakes and pushes off each step and sways sideways once a stride."""
    cadence = rng.uniform(*WALK_CADENCE_HZ)  # steps/s; a stride (one arm swing) is two steps
    swing = math.radians(rng.uniform(*WALK_ARM_DEG))
    bounce = rng.uniform(*WALK_BOUNCE_M)
    sway = rng.uniform(*WALK_SWAY_M) * rng.choice((1.0, -1.0))
    surge = rng.uniform(*WALK_SURGE_MS) / (2 * math.pi * cadence)  # fore-aft displacement (m)
    hinge = rng.uniform(*WALK_HINGE)
    turn_out = math.radians(rng.uniform(*WALK_TURN_OUT_DEG))
    sx, sy, sz = body.shoulder
    r = body.arm
    n = int(seconds / DT)
    x0 = p.last()[0]
    w = math.pi * cadence  # the stride's angular frequency (rad/s)
    for i in range(n):
        t = i * DT
        ramp = _smooth(min(1.0, t / 1.0, (n - i - 1) * DT / 1.0))
        th = ramp * swing * math.sin(w * t)  # arm centre at t = 0, extremes at heel strike
        p.add(
            x0 + r * math.sin(th) + ramp * surge * math.sin(2 * w * t),
            sy + ramp * sway * math.cos(w * t),
            sz - r * math.cos(th) + ramp * bounce * math.cos(2 * w * t),
            th * (1.0 + hinge),
            turn_out * ramp,
            0.0,
        )


def _negative(p: Pose, body: Body, kind: str, rng: random.Random) -> None:
    if kind == "walk_club":
        body.pick_up(p, rng, body.hang())
        for _ in range(rng.randint(1, 3)):
            _walk(p, body, rng, rng.uniform(10.0, 40.0))
            p.hold(rng.uniform(1.0, 5.0), rng)
        body.put_down(p, rng)
    elif kind == "pickup":
        for _ in range(rng.randint(2, 4)):
            body.pick_up(p, rng, rng.choice((body.hang(), body.order())))
            body.put_down(p, rng)
    else:  # "pass": to the other hand and back, in front of the body, without a swing
        body.pick_up(p, rng, body.order())
        ox, oy, oz, _, _, _ = body.order()
        for i in range(rng.randint(2, 5)):
            y = -oy if i % 2 == 0 else oy
            p.move(
                (ox, y, oz + rng.uniform(-0.1, 0.1), math.pi + rng.uniform(-0.4, 0.4), 0.0, 0.0),
                rng.uniform(0.6, 1.2),
            )
            p.hold(rng.uniform(1.0, 6.0), rng)
        body.put_down(p, rng)


def _pose_force(p: Pose, body: Body, rng: random.Random, mount: random.Random | None = None):
    """Specific force in the sensor frame (g) on the grid, from the poses; and accel(t)."""
    px, py, pz, phi, psi, rho = p.ch
    n = len(px)
    side = p.side
    off = body.offset
    pos = []
    frames = []
    for i in range(n):
        cf, sf = math.cos(phi[i]), math.sin(phi[i])
        cp, sp = math.cos(side * psi[i]), math.sin(side * psi[i])
        # axis a (grip -> head), forward normal b, lateral c = a x b
        a = (sf * cp, sp, -cf * cp)
        b0 = (cf, 0.0, sf)
        c0 = (a[1] * b0[2] - a[2] * b0[1], a[2] * b0[0] - a[0] * b0[2], a[0] * b0[1] - a[1] * b0[0])
        cn = math.sqrt(sum(v * v for v in c0)) or 1.0
        c0 = tuple(v / cn for v in c0)
        b = (c0[1] * a[2] - c0[2] * a[1], c0[2] * a[0] - c0[0] * a[2], c0[0] * a[1] - c0[1] * a[0])
        cr, sr = math.cos(rho[i]), math.sin(rho[i])
        b, c = (
            tuple(cr * b[k] + sr * c0[k] for k in range(3)),
            tuple(-sr * b[k] + cr * c0[k] for k in range(3)),
        )
        frames.append((a, b, c))
        pos.append((px[i] + off * a[0], side * py[i] + off * a[1], pz[i] + off * a[2]))
    rot = random_rotation(rng)
    if mount is not None:  # the same session with the sensor mounted another way
        rot = random_rotation(mount)
    out = []
    for i in range(n):
        j = min(max(i, 1), n - 2)
        f = [(pos[j + 1][k] - 2 * pos[j][k] + pos[j - 1][k]) / (DT * DT) for k in range(3)]
        f[2] += G
        a, b, c = frames[i]
        body_f = (
            sum(f[k] * a[k] for k in range(3)) / G,
            sum(f[k] * b[k] for k in range(3)) / G,
            sum(f[k] * c[k] for k in range(3)) / G,
        )
        out.append(rotate(rot, body_f))

    def accel(t: float) -> tuple[float, float, float]:
        return out[min(n - 1, max(0, int(t / DT)))]

    return accel


def population_session(
    kind: str, tempo: str, seed: int, rate_hz: float | None = None, mount_seed: int | None = None
):
    """One session of `kind` (a move of MOVES or a negative) at `tempo`: (samples, truth events s, meta).
    `mount_seed` replaces the session's random sensor mounting with one drawn from that seed."""
    rng = random.Random(seed)
    body = Body(tempo, rng, kind)
    p = Pose(body.side)
    p.add(*body.floor())
    p.hold(rng.uniform(1.0, 3.0), rng)
    if kind in MOVES:
        for s in range(rng.choice((1, 1, 2))):
            reps = rng.randint(*REPS[tempo])
            if kind == "swing":
                body.pick_up(p, rng, body.hang())
                _swing_reps(p, body, reps, rng)
            else:
                body.pick_up(p, rng, body.order())
                _cast_reps(p, body, kind, reps, rng)
            p.hold(rng.uniform(0.5, 2.0), rng)
            body.put_down(p, rng)
            if s == 0:
                p.hold(rng.uniform(*REST_S), rng)
            body.period *= rng.uniform(0.9, 1.1)
    else:
        _negative(p, body, kind, rng)
    accel = _pose_force(p, body, rng, None if mount_seed is None else random.Random(mount_seed))
    model = SensorModel.population(rng, rate_hz)
    samples = sample(accel, p.t, model, rng)
    meta = {
        "move": kind,
        "tempo": {"light": 1, "heavy": 2}[tempo] if kind in MOVES else 0,
        "implement": body.implement,
        "implement_kg": round(body.kg, 1),
        "hand": "right" if body.side > 0 else "left",
        "period_s": round(body.period, 2),
        "sensor_rate_hz": round(model.rate_hz, 1),
        "sensor_range_g": model.range_g,
    }
    return samples, p.events, meta


POPULATION_KINDS = tuple(f"{m}_{t}" for m in MOVES for t in TEMPOS) + NEGATIVES
ALL_KINDS = KINDS + POPULATION_KINDS


def generate(
    kind: str, seed: int, rate_hz: float | None, out_stem: Path | str, mount_seed: int | None = None
) -> tuple[Path, Path]:
    """Write `<out_stem>.csv/.json` for `kind` (see ALL_KINDS) at `rate_hz` (None: a rate drawn with the
    rest of the sensor from SensorModel.population); returns the two paths. `mount_seed` (population
    kinds): the same session with the sensor mounted in another random orientation."""
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(ALL_KINDS)})")
    if kind in POPULATION_KINDS:
        move_name, _, tempo = kind.rpartition("_")
        if kind in NEGATIVES:
            move_name, tempo = kind, random.Random(seed).choice(TEMPOS)
        samples, events, meta = population_session(move_name, tempo, seed, rate_hz, mount_seed)
        return write_trace(
            out_stem,
            samples,
            activity="swing",
            placement="club",
            events_ms=[e * 1000.0 for e in events],
            notes=f"generated by host_tools.gen.clubbell (kind {kind}, seed {seed}); events at the top "
            "of a swing's forward arc, at upright-in-front for casts and mills",
            extra=meta,
        )
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
    model = SensorModel(rate_hz=rate_hz or 400.0, range_g=rng.choice((4.0, 8.0, 16.0)))
    samples = sample(accel, track.t, model, rng)
    tempo = {"light": 1, "heavy": 2, "kb_hip": 2}.get(kind, 0)
    return write_trace(
        out_stem,
        samples,
        activity="swing",
        placement="club" if kind != "kb_hip" else "other",
        events_ms=[e * 1000.0 for e in track.events],
        notes=f"generated by host_tools.gen.clubbell (kind {kind}, seed {seed}); events at arc tops",
        extra={"tempo": tempo, "move": "swing" if kind in SWING_STYLES else kind},
    )


STRESS_PER_KIND = 18  # sessions per move and tempo (8 x 18 = 144), plus negatives and kettlebell


def stress_specs() -> list[tuple[str, int]]:
    """(kind, seed) of the clubbell stress set of `make bench-accuracy`: every move at both tempos,
    the negatives and the kettlebell kinds, all from stress seeds (>= STRESS_SEED_BASE, never used
    while tuning), each with its own sensor from SensorModel.population."""
    jobs = [(f"{m}_{t}", STRESS_PER_KIND) for m in MOVES for t in TEMPOS]
    jobs += [(k, 8) for k in NEGATIVES + ("park", "carry", "kb_hip")]
    return [
        (kind, STRESS_SEED_BASE + 100 * n + i) for n, (kind, count) in enumerate(jobs) for i in range(count)
    ]


def stress_trace(out_dir: Path | str, kind: str, seed: int) -> Path:
    """The CSV of one stress session, generated once and cached in `out_dir`."""
    stem = Path(out_dir) / f"club_{kind}_{seed}"
    csv_path = stem.parent / (stem.name + ".csv")
    if not csv_path.exists() or not (stem.parent / (stem.name + ".json")).exists():
        generate(kind, seed, None, stem)
    return csv_path
