"""Jump-rope HANDLE accelerometer traces from a small mechanical model, with the rope passes as truth.

The sensor sits in a handle held in the hand. What it feels (specific force, gravity included,
in its own frame) is the sum of:

* **Wrist circle.** The wrist turns the rope by moving the handle on a small circle in the
  rope's plane (sagittal, yawed by up to +-25 deg). Radius 2-6 cm (video of skippers: the hands
  barely move, the wrists do the work). The handle leads the rope by 0.04-0.15 turn (the rope
  trails what drives it); the lead builds up during the first turn of a set.
  Centripetal acceleration w^2 r: 100 rpm, 2 cm -> 0.22 g; 200 rpm, 6 cm -> 2.7 g.
* **Rope pull through a compliant arm.** The rope's centrifugal tension at one handle is about
  m_rope w^2 R / 2 (rope mass 0.05-0.3 kg: speed cable to beaded rope; R = 0.5-0.8 m, the arc
  around the body). The arm/hand gives way with stiffness 800-4000 N/m, so the handle is
  displaced by T/k toward the rope, a displacement that rotates once per turn (0.01-0.7 g).
* **Handle tilt.** The pull tips the handle toward the rope by 3-15 deg, once per turn, so the
  projection of gravity wobbles at the turning rate; the grip also drifts slowly (+-4-12 deg,
  0.05-0.3 Hz) and the handle hangs in another attitude between sets. The grip orientation of
  the sensor is a uniformly random rotation: no axis is special. The handle has a swivel, so the
  sensor does not spin with the rope.
* **Body bounce.** Flight is free fall (the arm relays 70-100 % of the body's vertical specific
  force to the hand). Single unders: jump height 2-10 cm -> flight 2*sqrt(2h/g) = 0.13-0.29 s,
  capped so that contact lasts >= 0.12 s. Boxer skip: 1-3 cm (one foot at a time). Double unders:
  flight = half the jump period + 0.08-0.14 s (two passes must fit in the air), i.e. 11-20 cm,
  rope at 220-330 rpm. Ground contact is a half-sine whose impulse balances the weight over the
  cycle (momentum in = momentum out).
* **Starting and ending a set.** Nobody leaves the ground without pushing: before the first
  flight the contact force dips below 1 g (a counter-movement of 0-40 %, 0.1-0.2 s, sometimes
  none) and then rises smoothly to a push of 2-3 g that falls to zero at take-off (0.12-0.2 s),
  its impulse above the weight equal to the take-off speed. After the last flight the skipper
  lands like on any other jump (contact 0.2-0.35 s) and the force settles smoothly back to 1 g.
  The body force never steps: only landings ring.
* **Landing impulse.** Each landing adds a damped 12-30 Hz oscillation of 1.5-4 g peak (tau
  15-40 ms; boxer skip half of that), mostly vertical, 5-30 % of it along the forward axis.
* **Trips.** The rope catches the feet 1-4 % of a turn before it would pass: the rope (and
  the hand driving it) stops within the 40-80 ms smoothing window, the tension yanks the handle
  toward the rope (1-3 g, 30-60 ms), the skipper stands 1-5 s (handle hanging) and restarts with
  slow turns (first turn 1.3-1.8 periods, then 1.35x, 1.2x, 1.08x the period). Half of the
  trips happen mid-jump (the skipper lands on the rope), half before take-off. The catch turn is
  not an event.
* **Stopping on purpose.** After the last pass the hands keep turning 0.6-0.95 turn while they
  slow down (the rope comes over and settles in front), then hang for a rest of 5-20 s.
* **Warm-up.** The jump period shrinks linearly from 1.5x to 1x over the first 60 % of a set.
* **Side swings** (`side_swing`, no jumping): the rope, both handles in one hand or one in each,
  is turned beside the body in sets of 6-30 turns at the skipper's rope rate (a warm-up and a
  rhythm drill of rope skipping). The hand circles and the rope pulls as in a set (first turn
  1.3-1.8 periods, the same rhythm spread, the same stop), the circle 1-1.5x the skipping one (the
  arm swings the rope past the body); the skipper stays on the ground, bobbing with the knees
  0.03-0.15 g at the turning rate. The rope passes nobody's feet: no truth events.
* **No-jump scenarios.** Walking with the rope in hand (steps 1.6-2.1 Hz, 0.15-0.35 g vertical
  bounce, 0.3-1 g heel strikes, arm swinging as a pendulum +-10-30 deg, handle tilting with
  it), putting the handle down on the floor and leaving it, standing with the handle hanging
  (small fidgets, a few seconds of shaking the arms out at 2.5-4 Hz).

Body-worn placements (`placement="pocket"` or `"waist"`): the same skipper and the same rope
passes, seen by a phone in a front trouser pocket (upper thigh) or clipped to the belt. There is
no wrist circle, rope pull, handle tilt or trip yank (the rope's pull on the shins, tens of N on
a 50-100 kg body, is < 0.05 g and left out; the stop and the landing on the rope remain).

* **Body force, unfiltered.** The sensor rides on the body: the relay is 100 %, so flight reads
  ~0 g, contacts are the half-sines above and landings ring at full strength.
* **Thigh or pelvis attitude.** The leg works as a spring: at a fixed leg stiffness its
  compression grows with the landing speed, so the thigh flexes by 3-12 deg at mid-stance for a
  5 cm bounce, scaled by the half-flight time over 0.1 s (x0.6-1.7: boxer skip ~2-9 deg, double
  unders up to ~20 deg), as a smooth bump over the contact (deepest at mid-stance, where the force
  peaks; straight legs in the air). A set is skipped in a slight crouch (thigh 0-8 deg flexed).
  The pocket sits 15-25 cm below the hip joint, so its arc around the hip adds r*theta''. Landings
  reach peak hip flexion speeds of ~200-400 deg/s within 50-80 ms, i.e. ~60-150 rad/s^2: the
  bend is capped at 150 rad/s^2 (<= 3-4 g at the pocket), so short, hard double-under contacts
  (0.12 s) bend only ~5 deg and ~20 deg needs a contact of >= 0.23 s. On the waist the belt
  clip sits 5-15 cm above the hip axis and the pelvis tilts 1-4 deg per landing (crouch 0-5
  deg). Gravity's projection wobbles with the thigh or pelvis at the jump rate.
* **Sway.** Balance corrections and drifting on the spot tilt the ground reaction force by
  0.02-0.1 rad (0.5-3 Hz): 0.02-0.1 g sideways/forward while the feet push, none in flight (no
  horizontal force in the air), 30 % of it while standing between sets.
* **Boxer skip in a pocket.** One foot at a time, alternating: landings on the other leg reach the
  pocket through the pelvis at 30-60 % (joint and soft-tissue damping) and the pocket thigh, then
  the free leg, bends half as much; the pelvis drops 2-5 deg to the side of the free leg.
* **Orientation.** The phone's orientation in the pocket or clip is a uniformly random rotation.
* **No-jump scenarios.** walk_carry: walking with the phone on the body: the same bounce, heel
  strikes of 0.5-1.5 g (no arm to filter them; in a pocket the other leg's at 30-60 %), the thigh
  swinging +-15-22 deg at the stride rate (hip flexion-extension spans ~40 deg in gait), or on the
  waist the pelvis tilting +-1-3 deg at the step rate; pelvic obliquity +-2-5 deg at the stride
  rate. put_down: the phone comes out of the pocket (up 15-30 cm), goes 30-60 cm forward onto a
  table about as high as the pocket (-10..+15 cm) and lies flat. rest: standing; weight shifts move
  the hips like the hand's fidgets, arm shake-outs move the trunk by 5-10 % of the arms' motion
  (the arms are ~10 % of the body's mass).

Population (`population=True`, what the stress set draws; the classic skipper above stays as it
was for the fixed benchmark): turning rates 80-300 rpm log-uniform for single unders (beginners'
80-120 to speed ropes' 200-300; real recordings show 108-166), double unders at 190-330 rpm in the
air, double bounce (two hops per turn: a pass every other hop) at 40-85 rpm; wrist circle 1.5-8 cm;
handle tilt 3-25 deg; the landing that reaches the hand scaled by 0.05-1 (a soft landing or a
compliant arm passes little of it: often very little); forward or backward turning (the rope's
plane mirrored); a jump-to-jump rhythm spread of 2, 5 or 10 % (a beginner's is irregular). In the
handle the body's bounce comes through a compliant arm: low-passed (two critically damped stages)
at 2.5-8 Hz (the arm's resonance under vertical whole-body vibration lies at 4-6 Hz, Griffin,
Handbook of Human Vibration, 1990; a loose beginner's arm lower, a braced one higher): a slow
double bounce's short hops (flights of 90-160 ms) reach the handle shallower and rounder (a 3 Hz
arm: a 110 ms flight's 0.09 g reads 0.25 g, its contacts' 1.86 g peak 1.6 g), while its small slow
circle makes only 0.05-0.3 g. On the
wrist (`placement="wrist"`, a watch) the forearm circles 4-10 cm and tips 10-35 deg with each turn,
and 90-100 % of the body's bounce reaches it. The sensor and logger are drawn too
(`SensorModel.population`: 25-1000 Hz, clock, range with clipping, quantised and repeated stamps),
and the grip is a uniformly random rotation. Seeds below TUNING_SEEDS are for tuning, the stress set
uses STRESS_SEEDS and up.

Turning rates: single unders 100-200 rpm (a random skipper rate, +-10 % per set, +-2 % per
jump). Truth event: the moment the rope angle passes the bottom (under the feet); one per
successful pass, a double under gives two. The rope angle is piecewise linear between the pass
knots and then smoothed (hands cannot change speed instantly), and events are read off the
smoothed angle, so the truth is exact by construction. The SensorModel adds rate (100/200/400/
1000 Hz), clock error, jitter, FIFO gaps, noise, quantisation and +-16 g clipping.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from host_tools.gen.sensor import SensorModel, random_rotation, sample, write_trace

G = 9.80665
DT = 0.001  # model grid (s): the fastest content (30 Hz ringing) gets > 30 points per cycle
TAU = 2.0 * math.pi

PLACEMENTS = ("handle", "wrist", "pocket", "waist")
ALPHA_MAX = 150.0  # rad/s^2: the fastest a body-worn thigh/pelvis flexes on landing (module docstring)
SCENARIOS = (
    "basic",
    "boxer",
    "double_under",
    "double_bounce",
    "warmup",
    "trips",
    "mixed",
    "walk_carry",
    "put_down",
    "rest",
    "side_swing",
)
NEGATIVES = ("walk_carry", "put_down", "rest")
# turning the rope beside the body without jumping: no pass, but the hand goes round as in skipping
# (kept apart from NEGATIVES: the counter cannot tell it from skipping yet, README says how often)
SIDE_SWING = "side_swing"
# Seeds: constants are tuned on seeds below TUNING_SEEDS only; the stress set draws its sessions from
# seeds at STRESS_SEEDS and up, never looked at while tuning (the fixed BENCHMARK uses 1001-2112).
TUNING_SEEDS = 1000
STRESS_SEEDS = 10000


class Jumper:
    """One skipper and one rope: every number is drawn over its physical range (see module docstring)."""

    def __init__(self, rng: random.Random, population: bool = False, placement: str = "handle"):
        self.rpm = rng.uniform(100.0, 200.0)
        self.du_period = rng.uniform(0.5, 0.62)  # a double-under jump: two turns, i.e. 190-240 rpm
        self.r_circle = rng.uniform(0.02, 0.06)
        self.lead = rng.uniform(0.04, 0.15)  # turns
        self.height = rng.uniform(0.02, 0.10)
        self.boxer_height = rng.uniform(0.01, 0.03)
        self.spike_g = rng.uniform(1.5, 4.0)
        self.spike_hz = rng.uniform(12.0, 30.0)
        self.spike_tau = rng.uniform(0.015, 0.040)
        self.spike_fwd = rng.uniform(0.05, 0.30)
        self.arm_relay = rng.uniform(0.7, 1.0)
        self.rope_mass = rng.uniform(0.05, 0.3)
        self.rope_radius = rng.uniform(0.5, 0.8)
        self.arm_stiffness = rng.uniform(800.0, 4000.0)
        self.wobble = math.radians(rng.uniform(3.0, 15.0))
        self.yaw = math.radians(rng.uniform(-25.0, 25.0))
        self.smooth_s = rng.uniform(0.04, 0.08)
        self.grip = random_rotation(rng)
        self.pose_jump = (math.radians(rng.uniform(-40, 40)), math.radians(rng.uniform(-30, 30)))
        self.pose_hang = (math.radians(rng.uniform(-90, 90)), math.radians(rng.uniform(-40, 40)))
        self.drift = [
            (math.radians(rng.uniform(4, 12)), rng.uniform(0.05, 0.3), rng.uniform(0, TAU)) for _ in range(2)
        ]
        self.direction = 1.0  # 1 forward turning, -1 backward (the rope's plane mirrored)
        self.bounce_rpm = 60.0  # double bounce (two hops per turn): its turning rate
        self.irregular = 0.02  # jump-to-jump variation of the period
        self.arm_hz = 0.0  # the arm's low-pass on the body's bounce at the handle (0: none)
        if population:
            self._widen(rng, placement)

    def _widen(self, rng: random.Random, placement: str) -> None:
        """Draw the skipper from the whole population (see "Population" in the module docstring)."""
        p = random.Random(rng.random())  # its own stream: the classic draws above stay as they were
        self.rpm = math.exp(p.uniform(math.log(80.0), math.log(300.0)))
        self.du_period = p.uniform(0.36, 0.62)  # 190-330 rpm in the air
        self.r_circle = p.uniform(0.015, 0.08)
        self.spike_g *= p.uniform(0.05, 1.0)  # how much of the landing reaches the hand: often little
        self.wobble = math.radians(p.uniform(3.0, 25.0))
        self.direction = p.choice((1.0, -1.0))
        self.bounce_rpm = p.uniform(40.0, 85.0)
        self.irregular = p.choice((0.02, 0.02, 0.05, 0.10))  # a beginner's rhythm is irregular
        if placement == "wrist":  # a watch: the forearm circles and tips with the turn, no arm filters it
            self.r_circle = p.uniform(0.04, 0.10)
            self.wobble = math.radians(p.uniform(10.0, 35.0))
            self.arm_relay = p.uniform(0.9, 1.0)
        else:  # a hand on a compliant arm: the body's bounce reaches the handle low-passed
            self.arm_hz = p.uniform(2.5, 8.0)


class Wearer:
    """Where a body-worn phone sits and how the body moves it (see "Body-worn placements").

    It draws from its own random stream, so the skipper, the sets and the rope passes are the
    same as for the handle with the same seed.
    """

    def __init__(self, rng: random.Random, placement: str):
        self.rng = rng
        self.placement = placement
        self.pocket = placement == "pocket"
        self.mount = random_rotation(rng)
        if self.pocket:  # upper thigh, below the hip joint
            self.radius, self.below = rng.uniform(0.15, 0.25), True
            self.swing = math.radians(rng.uniform(3.0, 12.0))
            self.crouch = math.radians(rng.uniform(0.0, 8.0))
            self.walk_swing = math.radians(rng.uniform(15.0, 22.0))
            self.other_leg = rng.uniform(0.3, 0.6)
        else:  # belt clip on the pelvis, above the hip axis
            self.radius, self.below = rng.uniform(0.05, 0.15), False
            self.swing = math.radians(rng.uniform(1.0, 4.0))
            self.crouch = math.radians(rng.uniform(0.0, 5.0))
            self.walk_swing = math.radians(rng.uniform(1.0, 3.0))
            self.other_leg = 1.0
        self.obliquity = math.radians(rng.uniform(2.0, 5.0))
        self.heel = rng.uniform(0.5, 1.5)
        self.shake = rng.uniform(0.05, 0.10)
        lean = rng.uniform(0.02, 0.10)
        self.sway = [
            [(lean * rng.uniform(0.3, 0.7), rng.uniform(0.5, 3.0), rng.uniform(0, TAU)) for _ in range(2)]
            for _ in range(2)
        ]


def _smoothstep(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return u * u * (3 - 2 * u)


class Timeline:
    """Model quantities on a DT grid; scenarios fill them in, `specific_force` turns them into g."""

    def __init__(self, duration: float, worn: Wearer | None = None):
        self.n = int(duration / DT) + 3
        n = self.n
        self.duration = duration
        self.phi = [0.0] * n  # rope angle (rad, 0 = under the feet), local to the set
        self.theta = [0.0] * n  # handle angle on its circle
        self.circle = [0.0] * n  # 0..1: how much the wrist circle is active
        self.pull = [0.0] * n  # displacement toward the rope (m)
        self.body = [1.0] * n  # body vertical specific force (g)
        self.shock = [0.0] * n  # landing/heel-strike ringing (g, along the shock direction)
        self.jerk = [0.0] * n  # trip yank magnitude (g, toward the rope)
        self.hang = [1.0] * n  # 0 = jumping attitude, 1 = hanging attitude
        self.extra_pos = [(0.0, 0.0, 0.0)] * n  # other hand motion (walking arm, fidgets, put-down)
        self.extra_pitch = [0.0] * n  # handle tilt from that motion (rad)
        self.worn = worn  # None: the handle; else the body-worn phone
        self.bend = [0.0] * n  # body-worn: thigh flexion / pelvic tilt (rad, forward)
        self.roll = [0.0] * n  # body-worn: sideways tilt (rad)
        self.events: list[float] = []
        self.trips = 0
        self.double_unders = 0  # completed double-under jumps (both passes made)

    def idx(self, t: float) -> int:
        return max(0, min(self.n - 1, int(round(t / DT))))


def _add_pulse(arr: list[float], t0: float, dur: float, amp: float, tl: Timeline) -> None:
    """Half-sine pulse of peak `amp` over [t0, t0+dur]."""
    for i in range(tl.idx(t0), tl.idx(t0 + dur) + 1):
        u = (i * DT - t0) / dur
        if 0.0 <= u <= 1.0:
            arr[i] += amp * math.sin(math.pi * u)


def _add_ring(arr: list[float], t0: float, peak: float, hz: float, tau: float, tl: Timeline) -> None:
    """Damped oscillation starting at t0 (a landing or heel strike)."""
    for i in range(tl.idx(t0), tl.idx(t0 + 6 * tau) + 1):
        u = i * DT - t0
        if u >= 0:
            arr[i] += peak * math.exp(-u / tau) * math.sin(TAU * hz * u + 0.3) / math.sin(0.3 + 0.9)


def _ramp(arr: list[float], t0: float, t1: float, a: float, b: float, tl: Timeline) -> None:
    """Blend arr from a to b over [t0, t1] and hold b after it (until the next ramp)."""
    for i in range(tl.idx(t0), tl.n):
        u = (i * DT - t0) / max(t1 - t0, 1e-6)
        arr[i] = a + (b - a) * _smoothstep(u)


def _add_bump(arr: list[float], t0: float, t1: float, amp: float, tl: Timeline) -> None:
    """A smooth bump 64 u^3 (1-u)^3 of peak `amp` over [t0, t1]: zero slope and curvature at both ends."""
    for i in range(tl.idx(t0), tl.idx(t1) + 1):
        u = (i * DT - t0) / max(t1 - t0, 1e-6)
        if 0.0 <= u <= 1.0:
            arr[i] += amp * 64.0 * (u * (1 - u)) ** 3


def _bend(tl: Timeline, t0: float, t1: float, half_flight: float, other: bool | None) -> None:
    """Body-worn: flex the thigh (tilt the pelvis) over a contact, as deep as the landing was fast.

    `other`: None on both feet, else whether the foot on the ground is the other leg (boxer skip).
    """
    worn = tl.worn
    assert worn is not None  # (only called for body-worn placements)
    depth = worn.swing * min(1.7, max(0.6, half_flight / 0.1)) * worn.rng.uniform(0.85, 1.15)
    depth = min(depth, ALPHA_MAX * (t1 - t0) ** 2 / 24.0)  # the bump's peak theta'' is 24 depth / T^2
    if other and worn.pocket:
        depth *= 0.5  # the pocket thigh is the free leg
    _add_bump(tl.bend, t0, t1, depth, tl)
    if other is not None:
        _add_bump(tl.roll, t0, t1, worn.obliquity * (1 if other else -1), tl)


def _jump_set(
    tl: Timeline, jp: Jumper, rng: random.Random, t_start: float, kind: str, n_jumps: int, end: str
) -> float:
    """One set from rest to rest: rope turns, jumps, passes (truth), trip or stop. Returns when it is over."""
    rpm = jp.bounce_rpm if kind == "double_bounce" else jp.rpm
    period = 60.0 / (rpm * rng.uniform(0.9, 1.1))
    jumps = []  # (turns, period, flight)
    for j in range(n_jumps):
        p = period * rng.uniform(1 - jp.irregular, 1 + jp.irregular)
        if kind == "warmup":
            p *= 1.5 - 0.5 * min(1.0, j / max(1.0, 0.6 * n_jumps))
        p *= (1.35, 1.2, 1.08)[j] if j < 3 else 1.0
        turns = 1
        if kind == "double_under" and j >= 2 and rng.random() < 0.6:
            turns = 2
        if kind == "mixed" and j >= 3 and rng.random() < 0.15:
            turns = 2
        if turns == 2:
            p = jp.du_period * rng.uniform(0.97, 1.03)
            flight = p / 2 + rng.uniform(0.08, 0.14)
        else:
            h = jp.boxer_height if kind in ("boxer", "double_bounce") else jp.height
            flight = 2 * math.sqrt(2 * h * rng.uniform(0.8, 1.2) / G)
            flight = min(flight, (p / 2 if kind == "double_bounce" else p) - 0.12)
        jumps.append((turns, p, flight))
    # jump centres; the rope passes are at the centre (single) or at +-p/4 (double)
    first_turn = period * rng.uniform(1.3, 1.8)
    centres = [t_start + first_turn]
    for j in range(1, n_jumps):
        centres.append(centres[-1] + (jumps[j - 1][1] + jumps[j][1]) / 2)
    phi0 = TAU * rng.uniform(0.01, 0.05)  # the rope lies just behind the heels
    knots = [(t_start, phi0), (t_start + 0.45 * first_turn, phi0 + 0.2 * (TAU - phi0))]
    k = 0
    for c, (turns, p, _f) in zip(centres, jumps, strict=True):
        for pass_t in [c] if turns == 1 else [c - p / 4, c + p / 4]:
            k += 1
            knots.append((pass_t, TAU * k))
    last_jump = n_jumps
    if end == "trip":
        # the last planned pass is caught just before the bottom; the hands stop with the rope
        t_catch, _ = knots.pop()
        t_catch -= 0.02
        knots.append((t_catch, TAU * (k - rng.uniform(0.01, 0.04))))
        t_stop = t_catch
        if rng.random() < 0.5:
            last_jump = n_jumps - 1  # tripped before take-off
        _add_pulse(tl.jerk, t_catch, rng.uniform(0.03, 0.06), rng.uniform(1.0, 3.0), tl)
        tl.trips += 1
    else:
        frac = rng.uniform(0.6, 0.95)
        t_last = knots[-1][0]
        slow = 2 * frac * jumps[-1][1]
        knots.append((t_last + slow / 2, TAU * (k + 0.75 * frac)))
        knots.append((t_last + slow, TAU * (k + frac)))
        t_stop = t_last + slow
    _rope_angle(tl, jp, knots)
    tl.double_unders += sum(1 for turns, _p, _f in jumps[: n_jumps - (end == "trip")] if turns == 2)
    # body: a push-off from standing, contacts between flights that balance the weight, a landing
    # back to standing; landings ring
    done = zip(centres[:last_jump], jumps[:last_jump], strict=True)
    flights = [(c - f / 2, c + f / 2) for c, (_n, _p, f) in done]
    if kind == "double_bounce":  # a second, smaller hop half a turn after each pass
        hops = zip(centres[: last_jump - 1], jumps[: last_jump - 1], strict=True)
        flights += [(c + p / 2 - f / 4, c + p / 2 + f / 4) for c, (_n, p, f) in hops]
        flights.sort()
    worn = tl.worn
    relay = jp.arm_relay if worn is None else 1.0  # a body-worn sensor feels the body's force fully
    # body-worn boxer skip: which foot each landing is on (None: both feet)
    other = (worn.rng.random() < 0.5) if worn is not None and kind == "boxer" else None
    prev_land, prev_half = None, 0.0
    for takeoff, land in flights:
        if prev_land is None:
            start = _push_off(tl, rng, takeoff, (land - takeoff) / 2, relay)
            if worn is not None:
                _bend(tl, start, takeoff, (land - takeoff) / 2, None)
        else:
            tc = takeoff - prev_land
            impulse = tc + prev_half + (land - takeoff) / 2  # g*s: the contact carries the cycle's weight
            for i in range(tl.idx(prev_land), tl.idx(land)):
                tl.body[i] = 1.0 - relay
            _add_pulse(tl.body, prev_land, tc, relay * impulse * math.pi / (2 * tc), tl)
            if worn is not None:
                _bend(tl, prev_land, takeoff, prev_half, other)
        for i in range(tl.idx(takeoff), tl.idx(land)):
            tl.body[i] = 1.0 - relay
        prev_land, prev_half = land, (land - takeoff) / 2
        peak = jp.spike_g * rng.uniform(0.8, 1.2) * (0.5 if kind == "boxer" else 1.0)
        if other is not None:
            other = not other  # boxer skip: the next landing is on the other foot
            if other and worn is not None:
                peak *= worn.other_leg  # it reaches the pocket through the pelvis
        _add_ring(tl.shock, land, peak, jp.spike_hz, jp.spike_tau, tl)
    if prev_land is not None:
        settled = _settle(tl, rng, prev_land, prev_half, relay)
        if worn is not None:
            _bend(tl, prev_land, settled, prev_half, None)
    # attitude and circle activity
    _ramp(tl.hang, t_start - 0.7, t_start - 0.1, 1.0, 0.0, tl)
    _ramp(tl.hang, t_stop + 0.3, t_stop + 1.0, 0.0, 1.0, tl)
    _ramp(tl.circle, t_start - 0.3, t_start + 0.2, 0.0, 1.0, tl)
    _ramp(tl.circle, t_stop + 0.2, t_stop + 0.8, 1.0, 0.0, tl)
    return t_stop + 1.0


def _side_swings(tl: Timeline, jp: Jumper, rng: random.Random, t_start: float, n_turns: int) -> float:
    """Turn the rope beside the body, no jumping (see "Side swings"); returns when it is over."""
    period = 60.0 / (jp.rpm * rng.uniform(0.9, 1.1))
    n_turns = max(2, min(n_turns, int((tl.duration - t_start - 4.0) / period) - 2))
    first_turn = period * rng.uniform(1.3, 1.8)
    phi0 = TAU * rng.uniform(0.01, 0.05)
    knots = [(t_start, phi0), (t_start + 0.45 * first_turn, phi0 + 0.2 * (TAU - phi0))]
    t = t_start + first_turn
    for k in range(1, n_turns + 1):
        knots.append((t, TAU * k))
        t += period * rng.uniform(1 - jp.irregular, 1 + jp.irregular)
    frac = rng.uniform(0.6, 0.95)
    t_last = knots[-1][0]
    knots.append((t_last + frac * period, TAU * (n_turns + 0.75 * frac)))
    knots.append((t_last + 2 * frac * period, TAU * (n_turns + frac)))
    t_stop = knots[-1][0]
    passes = len(tl.events)
    wide = rng.uniform(1.0, 1.5)  # the arm swings the rope past the body: a wider circle
    _rope_angle(tl, jp, knots)
    del tl.events[passes:]  # the rope passes beside the body, under nobody's feet
    bob = rng.uniform(0.03, 0.15)  # knees bobbing with the turns, feet on the ground
    for i in range(tl.idx(t_start), tl.idx(t_stop)):
        tl.body[i] += bob * math.sin(tl.phi[i]) * _smoothstep((i * DT - t_start) / 0.5)
    _ramp(tl.hang, t_start - 0.7, t_start - 0.1, 1.0, 0.0, tl)
    _ramp(tl.hang, t_stop + 0.3, t_stop + 1.0, 0.0, 1.0, tl)
    _ramp(tl.circle, t_start - 0.3, t_start + 0.2, 0.0, wide, tl)
    _ramp(tl.circle, t_stop + 0.2, t_stop + 0.8, wide, 0.0, tl)
    return t_stop + 1.0


def _push_off(tl: Timeline, rng: random.Random, takeoff: float, half_flight: float, relay: float) -> float:
    """From standing (1 g) to the first take-off: an optional counter-movement dip, then a push.

    Contact force F (in body weights) dips to 1 - d over a half sine, then goes smoothly from 1 to 0
    at take-off with a half-sine push on top; the push is sized so that the impulse above the
    weight, integral of (F - 1), equals the take-off speed g * half_flight. Returns when it starts.
    """
    t_push = rng.uniform(0.12, 0.2)
    t_dip = rng.uniform(0.1, 0.2)
    depth = rng.uniform(0.0, 0.4)
    t0 = takeoff - t_push - t_dip
    _add_pulse(tl.body, t0, t_dip, -relay * depth, tl)
    lost = depth * 2 * t_dip / math.pi
    amp = (half_flight + t_push / 2 + lost) * math.pi / (2 * t_push)
    start = takeoff - t_push
    for i in range(tl.idx(start), tl.idx(takeoff)):
        u = (i * DT - start) / t_push
        force = math.cos(math.pi * u / 2) ** 2 + amp * math.sin(math.pi * u)
        tl.body[i] = 1.0 + relay * (force - 1.0)
    return t0


def _settle(tl: Timeline, rng: random.Random, land: float, half_flight: float, relay: float) -> float:
    """The last landing: a contact like the others that stops the fall and ends standing (1 g).

    F goes smoothly from 0 to 1 with a half-sine on top; integral of (F - 1) = g * half_flight.
    Returns when the skipper stands again.
    """
    t_land = rng.uniform(0.2, 0.35)
    amp = (half_flight + t_land / 2) * math.pi / (2 * t_land)
    for i in range(tl.idx(land), tl.idx(land + t_land)):
        u = (i * DT - land) / t_land
        force = math.sin(math.pi * u / 2) ** 2 + amp * math.sin(math.pi * u)
        tl.body[i] = 1.0 + relay * (force - 1.0)
    return land + t_land


def _rope_angle(tl: Timeline, jp: Jumper, knots: list[tuple[float, float]]) -> None:
    """Piecewise-linear rope angle through the knots, box-smoothed; handle angle, pull and truth from it."""
    i0, i1 = tl.idx(knots[0][0]), tl.idx(knots[-1][0])
    raw = []
    seg = 0
    for i in range(i0, i1 + 1):
        t = i * DT
        while seg < len(knots) - 2 and t > knots[seg + 1][0]:
            seg += 1
        (ta, pa), (tb, pb) = knots[seg], knots[seg + 1]
        raw.append(pa + (pb - pa) * min(1.0, max(0.0, (t - ta) / (tb - ta))))
    w = max(1, int(jp.smooth_s / DT) // 2)
    pad = [raw[0]] * (2 * w) + raw + [raw[-1]] * (2 * w + 1)
    acc = sum(pad[: 2 * w + 1])
    smooth = []  # smooth[j] is grid index i0 - w + j: the start and the stop are both rounded off
    for j in range(len(raw) + 2 * w):
        smooth.append(acc / (2 * w + 1))
        acc += pad[j + 2 * w + 1] - pad[j]
    phi0 = knots[0][1]
    tension = jp.rope_mass * jp.rope_radius / 2 / jp.arm_stiffness
    start = i0 - w
    prev = smooth[0]
    for j, ang in enumerate(smooth):
        i = start + j
        if not 0 <= i < tl.n:
            continue
        omega = (ang - prev) / DT
        tl.phi[i] = ang
        tl.theta[i] = ang + TAU * jp.lead * min(1.0, (ang - phi0) / TAU)
        tl.pull[i] = tension * omega * omega
        k = math.floor(prev / TAU)
        if j > 0 and ang >= TAU * (k + 1):
            tl.events.append((i - 1 + (TAU * (k + 1) - prev) / (ang - prev)) * DT)
        prev = ang
    last = min(tl.n, start + len(smooth)) - 1
    for i in range(last + 1, min(tl.n, last + int(30 / DT))):
        tl.phi[i] = tl.phi[last]
        tl.theta[i] = tl.theta[last]
        tl.pull[i] = 0.0


def _fidget(tl: Timeline, rng: random.Random, t0: float, t1: float, amp: float) -> None:
    """Small slow hand movements while standing (sum of three sinusoids per axis, faded in and out)."""
    waves = [
        [(rng.uniform(0.3, 1.0) * amp, rng.uniform(0.2, 1.0), rng.uniform(0, TAU)) for _ in range(3)]
        for _ in range(3)
    ]
    for i in range(tl.idx(t0), tl.idx(t1)):
        t = i * DT
        fade = _smoothstep(min(t - t0, t1 - t))
        ex, ey, ez = tl.extra_pos[i]
        d = [fade * sum(a * math.sin(TAU * f * t + p) for a, f, p in axis) for axis in waves]
        tl.extra_pos[i] = (ex + d[0], ey + d[1], ez + d[2])


def _shake_out(tl: Timeline, rng: random.Random, t0: float) -> None:
    """A couple of seconds of shaking the arms loose: linear, 2.5-4 Hz, +-3-6 cm (no rotation)."""
    f, a, dur = rng.uniform(2.5, 4.0), rng.uniform(0.03, 0.06), rng.uniform(1.5, 3.0)
    direction = _unit([rng.gauss(0, 1) for _ in range(3)])
    if tl.worn is not None:
        a *= tl.worn.shake  # body-worn: the trunk recoils from the arms (momentum)
    for i in range(tl.idx(t0), tl.idx(t0 + dur)):
        t = i * DT - t0
        s = a * math.sin(TAU * f * t) * math.sin(math.pi * t / dur)
        ex, ey, ez = tl.extra_pos[i]
        tl.extra_pos[i] = (ex + s * direction[0], ey + s * direction[1], ez + s * direction[2])


def _unit(v: list[float]) -> list[float]:
    n = math.sqrt(sum(c * c for c in v)) or 1.0
    return [c / n for c in v]


def _walk(tl: Timeline, rng: random.Random, t0: float, t1: float) -> None:
    """Walking with the rope in hand: bounce and heel strikes at the step rate, arm as a pendulum.

    Body-worn: the thigh swings (pocket) or the pelvis tilts (waist) instead of the arm.
    """
    worn = tl.worn
    f = rng.uniform(1.6, 2.1)
    bounce, beta0, arm = rng.uniform(0.15, 0.35), math.radians(rng.uniform(10, 30)), rng.uniform(0.6, 0.7)
    heel, heel_hz, heel_tau = rng.uniform(0.3, 1.0), rng.uniform(10, 25), rng.uniform(0.02, 0.04)
    fade = 1.0
    for i in range(tl.idx(t0), tl.idx(t1)):
        t = i * DT - t0
        fade = min(1.0, t / 1.0, (t1 - t0 - t) / 1.0)
        fade = max(0.0, fade)
        tl.body[i] += fade * bounce * math.sin(TAU * f * t)
        if worn is not None:
            ease = _smoothstep(fade)  # the pocket is 20 cm from the hip: no kink in the thigh's speed
            if worn.pocket:  # the thigh swings once per stride (two steps)
                tl.bend[i] += ease * worn.walk_swing * math.sin(math.pi * f * t)
            else:  # the pelvis tilts once per step
                tl.bend[i] += ease * worn.walk_swing * math.sin(TAU * f * t)
            tl.roll[i] += ease * worn.obliquity * math.cos(math.pi * f * t)
            continue
        beta = fade * beta0 * math.sin(math.pi * f * t)
        ex, ey, ez = tl.extra_pos[i]
        tl.extra_pos[i] = (ex + arm * math.sin(beta), ey, ez + arm * (1 - math.cos(beta)))
        tl.extra_pitch[i] += beta
    step = t0 + 1.0
    while step < t1 - 1.0:
        amp = heel * rng.uniform(0.8, 1.2)
        if worn is not None:
            amp *= worn.heel / heel  # no arm between the heel and the sensor
            # in a pocket, the heel strike of the leg swung forward is the pocket leg's
            if worn.pocket and math.sin(math.pi * f * (step - t0)) < 0:
                amp *= worn.other_leg
        _add_ring(tl.shock, step, amp, heel_hz, heel_tau, tl)
        step += 1.0 / f * rng.uniform(0.97, 1.03)


def _put_down(tl: Timeline, rng: random.Random, t0: float) -> float:
    """Bend down and lay the handle on the floor: the hand drops ~0.8 m, the handle turns to lie flat."""
    dur = rng.uniform(1.2, 2.0)
    drop, fwd = rng.uniform(0.6, 0.9), rng.uniform(0.1, 0.3)
    turn = math.radians(rng.uniform(70, 110)) * rng.choice((-1, 1))
    lift = 0.0
    if tl.worn is not None:  # out of the pocket (or clip), forward onto a table at about that height
        w = tl.worn.rng
        drop, fwd, lift = w.uniform(-0.10, 0.15), w.uniform(0.3, 0.6), w.uniform(0.15, 0.3)
    for i in range(tl.idx(t0), tl.n):
        u = (i * DT - t0) / dur
        s = u * u * u * (10 - 15 * u + 6 * u * u) if u < 1 else 1.0  # minimum-jerk reach
        ex, ey, ez = tl.extra_pos[i]
        tl.extra_pos[i] = (ex + fwd * s, ey, ez - drop * s)
        if lift:
            ex, ey, ez = tl.extra_pos[i]
            tl.extra_pos[i] = (ex, ey, ez + lift * math.sin(math.pi * s))
        tl.extra_pitch[i] += turn * s
    _add_ring(tl.shock, t0 + dur, rng.uniform(0.5, 1.5), rng.uniform(20, 40), 0.01, tl)
    return t0 + dur


def _through_the_arm(body: list[float], arm_hz: float) -> list[float]:
    """The body's vertical specific force as the hand feels it through a compliant arm: two one-pole
    low-pass stages at arm_hz (critically damped, no ringing of its own; see "Population")."""
    if not arm_hz:
        return body
    k = DT / (DT + 1.0 / (TAU * arm_hz))
    a = b = body[0]
    out = []
    for v in body:
        a += k * (v - a)
        b += k * (a - b)
        out.append(b)
    return out


def _specific_force(tl: Timeline, jp: Jumper, still_after: float | None) -> list[tuple[float, float, float]]:
    """Sensor-frame specific force (g) on the grid: hand motion + body + shocks, rotated into the grip."""
    cy, sy = math.cos(jp.yaw), math.sin(jp.yaw)
    body = _through_the_arm(tl.body, jp.arm_hz)
    pos = []
    for i in range(tl.n):
        th, ph = tl.theta[i], tl.phi[i]
        # sagittal plane: x forward, z up; rope direction u(a) = (-sin a, -cos a) turns forward
        cx = tl.circle[i] * jp.r_circle
        px = jp.direction * (-cx * math.sin(th) - tl.pull[i] * math.sin(ph))
        pz = -cx * math.cos(th) - tl.pull[i] * math.cos(ph)
        ex, ey, ez = tl.extra_pos[i]
        pos.append((px * cy + ex, px * sy + ey, pz + ez))
    out = []
    grip = jp.grip
    (pj_pitch, pj_roll), (ph_pitch, ph_roll) = jp.pose_jump, jp.pose_hang
    for i in range(tl.n):
        a = [0.0, 0.0, 0.0]
        if 0 < i < tl.n - 1:
            for c in range(3):
                a[c] = (pos[i + 1][c] - 2 * pos[i][c] + pos[i - 1][c]) / (DT * DT) / G
        ph = tl.phi[i]
        back = jp.direction
        rope_dir = (-math.sin(ph) * cy * back, -math.sin(ph) * sy * back, -math.cos(ph))
        jerk = tl.jerk[i]
        shock = tl.shock[i]
        fwd = jp.spike_fwd
        f = (
            a[0] + jerk * rope_dir[0] + shock * fwd,
            a[1] + jerk * rope_dir[1],
            a[2] + jerk * rope_dir[2] + body[i] + shock * (1 - fwd),
        )
        t = i * DT
        hang = tl.hang[i]
        pitch = (1 - hang) * pj_pitch + hang * ph_pitch + tl.extra_pitch[i]
        roll = (1 - hang) * pj_roll + hang * ph_roll
        if still_after is None or t < still_after:
            pitch += sum(amp * math.sin(TAU * fr * t + p) for amp, fr, p in jp.drift[:1])
            roll += sum(amp * math.sin(TAU * fr * t + p) for amp, fr, p in jp.drift[1:])
            wob = jp.wobble * tl.circle[i]
            pitch += jp.direction * wob * math.cos(tl.theta[i])
            roll += 0.3 * wob * math.sin(tl.theta[i])
        out.append(_to_sensor(f, pitch, roll, grip))
    return out


def _to_sensor(
    f: tuple[float, float, float], pitch: float, roll: float, frame: list
) -> tuple[float, float, float]:
    """World specific force -> sensor frame: undo the attitude (pitch about the lateral axis, roll
    about the forward axis: R = Ry(pitch) Rx(roll), applied as R^T f), then the fixed grip or mount
    rotation `frame`."""
    cp, sp, cr, sr = math.cos(pitch), math.sin(pitch), math.cos(roll), math.sin(roll)
    x1 = cp * f[0] - sp * f[2]
    z1 = sp * f[0] + cp * f[2]
    y2 = cr * f[1] + sr * z1
    z2 = -sr * f[1] + cr * z1
    return (
        frame[0][0] * x1 + frame[1][0] * y2 + frame[2][0] * z2,
        frame[0][1] * x1 + frame[1][1] * y2 + frame[2][1] * z2,
        frame[0][2] * x1 + frame[1][2] * y2 + frame[2][2] * z2,
    )


def _worn_force(
    tl: Timeline, jp: Jumper, worn: Wearer, still_after: float | None
) -> list[tuple[float, float, float]]:
    """Body-worn sensor-frame specific force (g): hips + thigh/pelvis arc, sway, shocks, attitude, mount."""
    side = -1.0 if worn.below else 1.0
    angle = [worn.crouch * (1 - tl.hang[i]) + tl.bend[i] for i in range(tl.n)]
    pos = []
    for i in range(tl.n):
        ex, ey, ez = tl.extra_pos[i]
        pos.append((ex + worn.radius * math.sin(angle[i]), ey, ez + side * worn.radius * math.cos(angle[i])))
    out = []
    mount = worn.mount
    fwd = jp.spike_fwd  # landing shocks: mostly vertical, some forward
    for i in range(tl.n):
        a = [0.0, 0.0, 0.0]
        if 0 < i < tl.n - 1:
            for c in range(3):
                a[c] = (pos[i + 1][c] - 2 * pos[i][c] + pos[i - 1][c]) / (DT * DT) / G
        t = i * DT
        body, shock = tl.body[i], tl.shock[i]
        lean = [0.0, 0.0]
        if still_after is None or t < still_after:
            share = 0.3 + 0.7 * (1 - tl.hang[i])  # full while skipping, 30 % standing
            lean = [
                share * sum(amp * math.sin(TAU * fr * t + p) for amp, fr, p in axis) for axis in worn.sway
            ]
        f = (a[0] + body * lean[0] + shock * fwd, a[1] + body * lean[1], a[2] + body + shock * (1 - fwd))
        out.append(_to_sensor(f, angle[i] + tl.extra_pitch[i], tl.roll[i], mount))
    return out


def _plan(scenario: str, tl: Timeline, jp: Jumper, rng: random.Random) -> float | None:
    """Fill the timeline for a scenario; returns the time after which the handle lies still, if any."""
    dur = tl.duration
    t = rng.uniform(1.5, 4.0)
    if scenario == "walk_carry":
        while t < dur - 4:
            t1 = min(dur - 1, t + rng.uniform(10, 30))
            _walk(tl, rng, t, t1)
            t = t1 + rng.uniform(2, 5)
        return None
    if scenario == "put_down":
        _walk(tl, rng, t, t + rng.uniform(4, 8))
        t_down = t + rng.uniform(9, 12)
        _fidget(tl, rng, 0.0, t_down, 0.01)
        return _put_down(tl, rng, t_down)
    _fidget(tl, rng, 0.0, dur, 0.01)
    if scenario == "rest":
        while t < dur - 5:
            _shake_out(tl, rng, t)
            t += rng.uniform(8, 20)
        return None
    if scenario == SIDE_SWING:
        while t < dur - 6:
            t = _side_swings(tl, jp, rng, t, int(rng.uniform(6, 30))) + rng.uniform(2.0, 8.0)
        return None
    if scenario == "demo":  # one set ending in a trip, a short pause, one set stopped on purpose
        t = _jump_set(tl, jp, rng, t, "basic", 25, "trip") + rng.uniform(1.5, 3.0)
        n = int((dur - t - 3.0) / (60.0 / jp.rpm * 1.3)) - 3
        _jump_set(tl, jp, rng, t, "basic", n, "stop")
        return None
    kind = {"trips": "basic", "mixed": "mixed"}.get(scenario, scenario)
    trip_p = {"trips": 0.8, "basic": 0.5, "mixed": 0.5}.get(scenario, 0.4)
    while True:
        est_period = 60.0 / (jp.bounce_rpm if scenario == "double_bounce" else jp.rpm)
        room = dur - t - 3.0
        n = int(rng.uniform(8, 60) if scenario != "trips" else rng.uniform(4, 25))
        n = min(n, int(room / (est_period * 1.3)) - 3)
        if n < 4:
            break
        kind_now = rng.choice(("basic", "boxer", "mixed")) if kind == "mixed" else kind
        end = "trip" if rng.random() < trip_p else "stop"
        t = _jump_set(tl, jp, rng, t, kind_now, n, end)
        t += rng.uniform(1.0, 5.0) if end == "trip" else rng.uniform(5.0, 20.0)
    return None


def generate(
    scenario: str,
    seed: int,
    rate_hz: float,
    out_stem: Path | str,
    duration_s: float = 60.0,
    placement: str = "handle",
    population: bool = False,
    skipper: dict | None = None,
    **opts,
) -> tuple[Path, Path]:
    """Write `<out_stem>.csv/.json`: a jump-rope trace of `scenario` (one of SCENARIOS).

    `placement` (one of PLACEMENTS): the rope's handle, a watch on the wrist, or a phone in a
    trouser pocket or on the waist; the same seed gives the same skipper, sets and truth events in
    all of them. `population`: the skipper and the sensor drawn from the whole population (see
    "Population"); else the classic skipper and `opts` for SensorModel (e.g. gap_every_s=0,
    quantum_ms=16.8). `skipper`: overrides of the skipper's attributes (e.g. direction=-1.0 to turn
    backward, spike_g=0.2 for soft landings). The sidecar carries the truth events (rope passes)
    and `trips`/`double_unders` figures.
    """
    if scenario not in SCENARIOS + ("demo",):
        raise ValueError(f"unknown scenario {scenario!r} (choose from {', '.join(SCENARIOS)})")
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown placement {placement!r} (choose from {', '.join(PLACEMENTS)})")
    rng = random.Random(f"{scenario}/{seed}")
    jp = Jumper(rng, population, placement)
    for name, value in (skipper or {}).items():  # e.g. direction=-1.0: the same skipper turning backward
        if not hasattr(jp, name):
            raise ValueError(f"a skipper has no {name!r}")
        setattr(jp, name, value)
    body = placement in ("pocket", "waist")
    worn = Wearer(random.Random(f"{scenario}/{seed}/{placement}"), placement) if body else None
    tl = Timeline(duration_s, worn)
    still_after = _plan(scenario, tl, jp, rng)
    force = _specific_force(tl, jp, still_after) if worn is None else _worn_force(tl, jp, worn, still_after)

    def accel(t: float) -> tuple[float, float, float]:
        u = t / DT
        i = min(int(u), tl.n - 2)
        w = u - i
        a, b = force[i], force[i + 1]
        return (a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w, a[2] + (b[2] - a[2]) * w)

    if population:  # the sensor and logger too: any rate's clock, range, stamps (gen/sensor.py)
        model = SensorModel.population(random.Random(f"{scenario}/{seed}/sensor"), rate_hz)
    else:
        model = SensorModel(rate_hz=rate_hz, **opts)
    samples = sample(accel, duration_s, model, rng)
    events = sorted(e * 1000.0 for e in tl.events)
    notes = (
        f"generated by host_tools/gen/jumprope.py: scenario {scenario}, seed {seed}, "
        f"{jp.bounce_rpm if scenario == 'double_bounce' else jp.rpm:.0f} rpm "
        "skipper; truth = rope passes under the feet, read off the model's rope angle (exact)"
    )
    if population:
        notes += (
            f"; population skipper ({'backward' if jp.direction < 0 else 'forward'} turning), sensor model"
        )
    if body:
        pocket = placement == "pocket"
        where = "in a front trouser pocket (thigh)" if pocket else "clipped to the belt (waist)"
        notes += f"; sensor: a phone {where}, not the handle"
    return write_trace(
        out_stem,
        samples,
        activity="jump_rope",
        placement={"handle": "handle", "wrist": "wrist", "pocket": "pocket", "waist": "other"}[placement],
        events_ms=events,
        notes=notes,
        extra={"scenario": scenario, "trips": tl.trips, "double_unders": tl.double_unders},
    )


def demo_trace(out_stem: Path | str) -> tuple[Path, Path]:
    """~30 s of basic bounce with one trip at 400 Hz, for `make demo`."""
    return generate("demo", 1, 400, out_stem, duration_s=30.0)


# (scenario, seed, rate, duration): fixed; seeds 1000+ are never used while tuning the detector
BENCHMARK = [
    ("basic", 1001, 100, 90),
    ("basic", 1002, 200, 60),
    ("basic", 1003, 400, 120),
    ("basic", 1004, 1000, 45),
    ("boxer", 1005, 100, 60),
    ("boxer", 1006, 400, 90),
    ("boxer", 1007, 1000, 45),
    ("double_under", 1008, 200, 60),
    ("double_under", 1009, 400, 90),
    ("double_under", 1010, 1000, 45),
    ("warmup", 1011, 100, 60),
    ("warmup", 1012, 400, 90),
    ("trips", 1013, 100, 60),
    ("trips", 1014, 200, 90),
    ("trips", 1015, 400, 60),
    ("trips", 1016, 1000, 45),
    ("mixed", 1017, 200, 120),
    ("mixed", 1018, 400, 120),
    ("mixed", 1019, 1000, 60),
    ("walk_carry", 1020, 100, 60),
    ("walk_carry", 1021, 400, 90),
    ("put_down", 1022, 200, 40),
    ("put_down", 1023, 400, 40),
    ("rest", 1024, 100, 60),
    ("rest", 1025, 1000, 40),
]


# the same kind of sessions felt by a phone on the body (scenario, seed, rate, duration, placement)
BODY_WORN_BENCHMARK = [
    ("basic", 2101, 100, 60, "pocket"),
    ("basic", 2102, 400, 60, "waist"),
    ("boxer", 2103, 200, 60, "pocket"),
    ("boxer", 2104, 100, 60, "waist"),
    ("double_under", 2105, 400, 60, "pocket"),
    ("warmup", 2106, 100, 60, "waist"),
    ("trips", 2107, 200, 60, "pocket"),
    ("mixed", 2108, 400, 90, "pocket"),
    ("mixed", 2109, 100, 90, "waist"),
    ("walk_carry", 2110, 100, 60, "pocket"),
    ("put_down", 2111, 200, 40, "pocket"),
    ("rest", 2112, 100, 40, "waist"),
]


def benchmark_set(out_dir: Path | str) -> list[Path]:
    """Generate the fixed benchmark traces (handle, then body-worn) into out_dir; returns the CSV paths."""
    out = Path(out_dir)
    runs = [(*row, "handle") for row in BENCHMARK] + BODY_WORN_BENCHMARK
    paths = []
    for scenario, seed, rate, dur, placement in runs:
        where = "" if placement == "handle" else f"_{placement}"
        stem = out / f"jr_{scenario}_{seed}_{rate}hz{where}"
        csv_path, _ = generate(scenario, seed, rate, stem, duration_s=dur, placement=placement)
        paths.append(csv_path)
    return paths


def stress_set(out_dir: Path | str, n: int = 300, duration_s: float = 30.0) -> list[Path]:
    """`n` sessions drawn from the whole population (skipper, style, placement, sensor, rate), seeds
    from STRESS_SEEDS on; cached: a trace already in out_dir is not made again."""
    out = Path(out_dir)
    paths = []
    for seed in range(STRESS_SEEDS, STRESS_SEEDS + n):
        draw = random.Random(seed)
        scenario = draw.choice(SCENARIOS[:7] * 3 + NEGATIVES)  # one session in eight a negative
        placement = draw.choice(("handle", "handle", "wrist"))
        rate = draw.choice((25, 50, 100, 200, 400, 1000))
        stem = out / f"jr_stress_{seed}_{scenario}_{placement}_{rate}hz"
        csv_path = out / (stem.name + ".csv")
        if not csv_path.exists() or not (out / (stem.name + ".json")).exists():
            generate(scenario, seed, rate, stem, duration_s=duration_s, placement=placement, population=True)
        paths.append(csv_path)
    return paths
