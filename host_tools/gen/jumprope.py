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
* **No-jump scenarios.** Walking with the rope in hand (steps 1.6-2.1 Hz, 0.15-0.35 g vertical
  bounce, 0.3-1 g heel strikes, arm swinging as a pendulum +-10-30 deg, handle tilting with
  it), putting the handle down on the floor and leaving it, standing with the handle hanging
  (small fidgets, a few seconds of shaking the arms out at 2.5-4 Hz).

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

from host_tools.gen.sensor import SensorModel, sample, write_trace

G = 9.80665
DT = 0.001  # model grid (s): the fastest content (30 Hz ringing) gets > 30 points per cycle
TAU = 2.0 * math.pi

SCENARIOS = ("basic", "boxer", "double_under", "warmup", "trips", "mixed", "walk_carry", "put_down", "rest")


class Jumper:
    """One skipper and one rope: every number is drawn over its physical range (see module docstring)."""

    def __init__(self, rng: random.Random):
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
        self.grip = _random_rotation(rng)
        self.pose_jump = (math.radians(rng.uniform(-40, 40)), math.radians(rng.uniform(-30, 30)))
        self.pose_hang = (math.radians(rng.uniform(-90, 90)), math.radians(rng.uniform(-40, 40)))
        self.drift = [
            (math.radians(rng.uniform(4, 12)), rng.uniform(0.05, 0.3), rng.uniform(0, TAU)) for _ in range(2)
        ]


def _random_rotation(rng: random.Random) -> list[list[float]]:
    """A uniformly random 3x3 rotation matrix (from a random unit quaternion)."""
    q = [rng.gauss(0, 1) for _ in range(4)]
    n = math.sqrt(sum(c * c for c in q))
    w, x, y, z = (c / n for c in q)
    return [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]


def _smoothstep(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return u * u * (3 - 2 * u)


class Timeline:
    """Model quantities on a DT grid; scenarios fill them in, `specific_force` turns them into g."""

    def __init__(self, duration: float):
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


def _jump_set(
    tl: Timeline, jp: Jumper, rng: random.Random, t_start: float, kind: str, n_jumps: int, end: str
) -> float:
    """One set from rest to rest: rope turns, jumps, passes (truth), trip or stop. Returns when it is over."""
    period = 60.0 / (jp.rpm * rng.uniform(0.9, 1.1))
    jumps = []  # (turns, period, flight)
    for j in range(n_jumps):
        p = period * rng.uniform(0.98, 1.02)
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
            h = jp.boxer_height if kind == "boxer" else jp.height
            flight = 2 * math.sqrt(2 * h * rng.uniform(0.8, 1.2) / G)
            flight = min(flight, p - 0.12)
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
    relay = jp.arm_relay
    prev_land, prev_half = None, 0.0
    for takeoff, land in flights:
        if prev_land is None:
            _push_off(tl, rng, takeoff, (land - takeoff) / 2, relay)
        else:
            tc = takeoff - prev_land
            impulse = tc + prev_half + (land - takeoff) / 2  # g*s: the contact carries the cycle's weight
            for i in range(tl.idx(prev_land), tl.idx(land)):
                tl.body[i] = 1.0 - relay
            _add_pulse(tl.body, prev_land, tc, relay * impulse * math.pi / (2 * tc), tl)
        for i in range(tl.idx(takeoff), tl.idx(land)):
            tl.body[i] = 1.0 - relay
        prev_land, prev_half = land, (land - takeoff) / 2
        peak = jp.spike_g * rng.uniform(0.8, 1.2) * (0.5 if kind == "boxer" else 1.0)
        _add_ring(tl.shock, land, peak, jp.spike_hz, jp.spike_tau, tl)
    if prev_land is not None:
        _settle(tl, rng, prev_land, prev_half, relay)
    # attitude and circle activity
    _ramp(tl.hang, t_start - 0.7, t_start - 0.1, 1.0, 0.0, tl)
    _ramp(tl.hang, t_stop + 0.3, t_stop + 1.0, 0.0, 1.0, tl)
    _ramp(tl.circle, t_start - 0.3, t_start + 0.2, 0.0, 1.0, tl)
    _ramp(tl.circle, t_stop + 0.2, t_stop + 0.8, 1.0, 0.0, tl)
    return t_stop + 1.0


def _push_off(tl: Timeline, rng: random.Random, takeoff: float, half_flight: float, relay: float) -> None:
    """From standing (1 g) to the first take-off: an optional counter-movement dip, then a push.

    Contact force F (in body weights) dips to 1 - d over a half sine, then goes smoothly from 1 to 0
    at take-off with a half-sine push on top; the push is sized so that the impulse above the
    weight, integral of (F - 1), equals the take-off speed g * half_flight.
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


def _settle(tl: Timeline, rng: random.Random, land: float, half_flight: float, relay: float) -> None:
    """The last landing: a contact like the others that stops the fall and ends standing (1 g).

    F goes smoothly from 0 to 1 with a half-sine on top; integral of (F - 1) = g * half_flight.
    """
    t_land = rng.uniform(0.2, 0.35)
    amp = (half_flight + t_land / 2) * math.pi / (2 * t_land)
    for i in range(tl.idx(land), tl.idx(land + t_land)):
        u = (i * DT - land) / t_land
        force = math.sin(math.pi * u / 2) ** 2 + amp * math.sin(math.pi * u)
        tl.body[i] = 1.0 + relay * (force - 1.0)


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
    for i in range(tl.idx(t0), tl.idx(t0 + dur)):
        t = i * DT - t0
        s = a * math.sin(TAU * f * t) * math.sin(math.pi * t / dur)
        ex, ey, ez = tl.extra_pos[i]
        tl.extra_pos[i] = (ex + s * direction[0], ey + s * direction[1], ez + s * direction[2])


def _unit(v: list[float]) -> list[float]:
    n = math.sqrt(sum(c * c for c in v)) or 1.0
    return [c / n for c in v]


def _walk(tl: Timeline, rng: random.Random, t0: float, t1: float) -> None:
    """Walking with the rope in hand: bounce and heel strikes at the step rate, arm as a pendulum."""
    f = rng.uniform(1.6, 2.1)
    bounce, beta0, arm = rng.uniform(0.15, 0.35), math.radians(rng.uniform(10, 30)), rng.uniform(0.6, 0.7)
    heel, heel_hz, heel_tau = rng.uniform(0.3, 1.0), rng.uniform(10, 25), rng.uniform(0.02, 0.04)
    fade = 1.0
    for i in range(tl.idx(t0), tl.idx(t1)):
        t = i * DT - t0
        fade = min(1.0, t / 1.0, (t1 - t0 - t) / 1.0)
        fade = max(0.0, fade)
        tl.body[i] += fade * bounce * math.sin(TAU * f * t)
        beta = fade * beta0 * math.sin(math.pi * f * t)
        ex, ey, ez = tl.extra_pos[i]
        tl.extra_pos[i] = (ex + arm * math.sin(beta), ey, ez + arm * (1 - math.cos(beta)))
        tl.extra_pitch[i] += beta
    step = t0 + 1.0
    while step < t1 - 1.0:
        _add_ring(tl.shock, step, heel * rng.uniform(0.8, 1.2), heel_hz, heel_tau, tl)
        step += 1.0 / f * rng.uniform(0.97, 1.03)


def _put_down(tl: Timeline, rng: random.Random, t0: float) -> float:
    """Bend down and lay the handle on the floor: the hand drops ~0.8 m, the handle turns to lie flat."""
    dur = rng.uniform(1.2, 2.0)
    drop, fwd = rng.uniform(0.6, 0.9), rng.uniform(0.1, 0.3)
    turn = math.radians(rng.uniform(70, 110)) * rng.choice((-1, 1))
    for i in range(tl.idx(t0), tl.n):
        u = (i * DT - t0) / dur
        s = u * u * u * (10 - 15 * u + 6 * u * u) if u < 1 else 1.0  # minimum-jerk reach
        ex, ey, ez = tl.extra_pos[i]
        tl.extra_pos[i] = (ex + fwd * s, ey, ez - drop * s)
        tl.extra_pitch[i] += turn * s
    _add_ring(tl.shock, t0 + dur, rng.uniform(0.5, 1.5), rng.uniform(20, 40), 0.01, tl)
    return t0 + dur


def _specific_force(tl: Timeline, jp: Jumper, still_after: float | None) -> list[tuple[float, float, float]]:
    """Sensor-frame specific force (g) on the grid: hand motion + body + shocks, rotated into the grip."""
    cy, sy = math.cos(jp.yaw), math.sin(jp.yaw)
    pos = []
    for i in range(tl.n):
        th, ph = tl.theta[i], tl.phi[i]
        # sagittal plane: x forward, z up; rope direction u(a) = (-sin a, -cos a) turns forward
        cx = tl.circle[i] * jp.r_circle
        px = -cx * math.sin(th) - tl.pull[i] * math.sin(ph)
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
        rope_dir = (-math.sin(ph) * cy, -math.sin(ph) * sy, -math.cos(ph))
        jerk = tl.jerk[i]
        shock = tl.shock[i]
        fwd = jp.spike_fwd
        f = (
            a[0] + jerk * rope_dir[0] + shock * fwd,
            a[1] + jerk * rope_dir[1],
            a[2] + jerk * rope_dir[2] + tl.body[i] + shock * (1 - fwd),
        )
        t = i * DT
        hang = tl.hang[i]
        pitch = (1 - hang) * pj_pitch + hang * ph_pitch + tl.extra_pitch[i]
        roll = (1 - hang) * pj_roll + hang * ph_roll
        if still_after is None or t < still_after:
            pitch += sum(amp * math.sin(TAU * fr * t + p) for amp, fr, p in jp.drift[:1])
            roll += sum(amp * math.sin(TAU * fr * t + p) for amp, fr, p in jp.drift[1:])
            wob = jp.wobble * tl.circle[i]
            pitch += wob * math.cos(tl.theta[i])
            roll += 0.3 * wob * math.sin(tl.theta[i])
        # world <- handle attitude: pitch about the lateral axis, roll about the forward axis
        cp, sp, cr, sr = math.cos(pitch), math.sin(pitch), math.cos(roll), math.sin(roll)
        # inverse attitude applied to f: R^T f with R = Ry(pitch) Rx(roll)
        x1 = cp * f[0] - sp * f[2]
        z1 = sp * f[0] + cp * f[2]
        y2 = cr * f[1] + sr * z1
        z2 = -sr * f[1] + cr * z1
        v = (x1, y2, z2)
        out.append(tuple(grip[0][r] * v[0] + grip[1][r] * v[1] + grip[2][r] * v[2] for r in range(3)))
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
    if scenario == "demo":  # one set ending in a trip, a short pause, one set stopped on purpose
        t = _jump_set(tl, jp, rng, t, "basic", 25, "trip") + rng.uniform(1.5, 3.0)
        n = int((dur - t - 3.0) / (60.0 / jp.rpm * 1.3)) - 3
        _jump_set(tl, jp, rng, t, "basic", n, "stop")
        return None
    kind = {"trips": "basic", "mixed": "mixed"}.get(scenario, scenario)
    trip_p = {"trips": 0.8, "basic": 0.5, "mixed": 0.5}.get(scenario, 0.4)
    while True:
        est_period = 60.0 / jp.rpm
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
    scenario: str, seed: int, rate_hz: float, out_stem: Path | str, duration_s: float = 60.0, **opts
) -> tuple[Path, Path]:
    """Write `<out_stem>.csv/.json`: a jump-rope handle trace of `scenario` (one of SCENARIOS).

    `opts` go to SensorModel (e.g. gap_every_s=0, noise_mg=4). The sidecar carries the truth
    events (rope passes) and `trips`/`double_unders` figures.
    """
    if scenario not in SCENARIOS + ("demo",):
        raise ValueError(f"unknown scenario {scenario!r} (choose from {', '.join(SCENARIOS)})")
    rng = random.Random(f"{scenario}/{seed}")
    jp = Jumper(rng)
    tl = Timeline(duration_s)
    still_after = _plan(scenario, tl, jp, rng)
    force = _specific_force(tl, jp, still_after)

    def accel(t: float) -> tuple[float, float, float]:
        u = t / DT
        i = min(int(u), tl.n - 2)
        w = u - i
        a, b = force[i], force[i + 1]
        return (a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w, a[2] + (b[2] - a[2]) * w)

    samples = sample(accel, duration_s, SensorModel(rate_hz=rate_hz, **opts), rng)
    events = sorted(e * 1000.0 for e in tl.events)
    notes = (
        f"generated by host_tools/gen/jumprope.py: scenario {scenario}, seed {seed}, {jp.rpm:.0f} rpm "
        "skipper; truth = rope passes under the feet, read off the model's rope angle (exact)"
    )
    placement = "handle"
    return write_trace(
        out_stem,
        samples,
        activity="jump_rope",
        placement=placement,
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


def benchmark_set(out_dir: Path | str) -> list[Path]:
    """Generate the fixed benchmark traces into out_dir; returns the CSV paths."""
    out = Path(out_dir)
    paths = []
    for scenario, seed, rate, dur in BENCHMARK:
        stem = out / f"jr_{scenario}_{seed}_{rate}hz"
        csv_path, _ = generate(scenario, seed, rate, stem, duration_s=dur)
        paths.append(csv_path)
    return paths
