"""Walking with the sensor on the wrist or in the hand, as a population, plus step-free negatives.

Truth = foot contacts (heel strikes). Every parameter is drawn per session from the range below; the
sensor and logger come from `SensorModel.population` (rate forced per benchmark variant) and the
mounting is a uniformly random 3-D rotation (`sensor.random_rotation`).

Walker (world frame x forward, y left, z up; SI units until the final conversion to g):
- Cadence: stroll 90-110 steps/min, town 100-125, brisk/power walk 125-140 (free-living and
  treadmill cadences: Tudor-Locke et al. 2018/2019, CADENCE-Adults; ~100 spm = moderate, ~130 =
  vigorous). Cadence drifts +-3 % over tens of seconds; step-time variability CV 1-4 % (Hausdorff
  et al. 1995: ~2-3 % in healthy adults; 2-6 % in town, weaving and turning), left/right asymmetry up to 3 %.
- Trunk acceleration at the step frequency: vertical 1.5-3.5 m/s^2 peak scaling with (cadence/100)^2,
  fore-aft 0.4-0.8 of that, lateral 0.2-0.5 of it at the stride frequency (Moe-Nilssen 1998, trunk
  accelerometry while walking), reaching the wrist attenuated to 50-100 %.
- Heel-strike transient: 3-10 m/s^2 at the trunk, 15-30 Hz ring decaying in 10-30 ms, reaching the
  wrist/hand attenuated to 15-50 % (soft tissue and joints damp it); at 12.5 Hz it is mostly lost
  between samples.
- Arm swing: a pendulum about the shoulder ONCE per stride (two steps), amplitude 4-18 deg when
  strolling and 15-35 deg when power walking (Collins et al. 2009, arm swing in human walking;
  power walkers bend the elbow, so the radius is 0.30-0.45 m instead of 0.55-0.70 m), modulated
  +-25 % slowly, phase-locked to the steps with a random offset and side (left/right wrist).
- The elbow flexes in the forward swing (0-12 deg, 0-25 deg for bent-arm power walking; forearm
  0.25-0.30 m), the arm swings 5 deg back to 20 deg forward of vertical on average, and the step on
  the sensor's side jolts it more than the far one (far step 40-100 %): all at the stride frequency.
- Bouts without a full swing, 10-60 s, a few per session in the "town" scenario and now and then
  elsewhere; 20 % of strollers and town walkers (5 % of power walkers) keep one all walk long. Each is
  one of: "weak" (0-35 % of the walker's swing), "irregular" (the swing's size wanders 0-120 % and its
  phase +-0.2-0.8 rad at 0.05-0.3 Hz), "carry" (a bag in the hand: 0-3 deg), "pocket" (hand in a
  pocket, forearm pitched 20-70 deg: the wrist rides the hip, its bounce 80-130 % of the trunk's),
  and below 105 steps/min "step_rate" (the arm swings 2-8 deg once per step: slow walkers switch to
  2:1 arm-to-leg frequency, Wagenaar & van Emmerik 2000, J Biomech 33:853). The wrist then sees
  mainly the step bounce at the step rate, where a full swing shows the stride.
- Hand placement: a phone held in a swinging hand (radius + 0.08 m), its bouts "weak", "irregular"
  or "read" (held in front, no swing, pitched 20-60 deg towards the face).
- Pauses ("town"): stops of 5-40 s at crossings after walking bouts of 20-120 s; standing sway and
  a hand that sometimes lifts the device. Gait starts and stops ramp over the first/last two steps.

Negatives (count 0): "car" (ride vibration after ISO 2631-1 levels, 0.2-0.8 m/s^2 rms; body bounce
1-2 Hz, wheel hop 10-15 Hz, engine 25-50 Hz, bumps every 3-30 s, braking/turning 0.5-3 m/s^2,
wrist on the wheel that steers), "train" (sway 0.5-1.5 Hz, vertical 1-4 Hz, rail-joint double
clicks at speed / rail length on jointed track, half the time), "desk" (idle.py's desk model) and
"chores" (wiping at 0.8-2 Hz in irregular bouts, stirring, reaching and putting away; no steps).

The sensor's noise is drawn from 2-30 mg per axis (`REST_NOISE_MG`), wider than a bare part's 2-15 mg
(`SensorModel.population`): an independent wrist model with ~20 mg at rest showed steps counted for
seconds after the walker stopped, with the counter's fixed 4 mg motion gate of the time.

Seed rule: seeds below `STRESS_SEED_BASE` (`TUNING_SEEDS`) are for tuning; the benchmark's stress
set uses seeds >= `STRESS_SEED_BASE` only, never looked at while tuning.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import os
import random
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

from host_tools.gen import idle
from host_tools.gen.sensor import SensorModel, random_rotation, rotate, sample, write_trace

SCENARIOS = ("stroll", "brisk", "town")
NEGATIVES = ("car", "train", "desk", "chores")
PLACEMENTS = ("wrist", "hand")
TUNING_SEEDS = range(0, 1000)
STRESS_SEED_BASE = 10000
G = 9.80665

Vec = tuple[float, float, float]
CADENCE_SPM = {"stroll": (90.0, 110.0), "town": (100.0, 125.0), "brisk": (125.0, 140.0)}
SWING_DEG = {"stroll": (4.0, 18.0), "town": (8.0, 25.0), "brisk": (15.0, 35.0)}
# what the arm does when it does not swing fully (see the module docstring)
LOW_SWING_SHARE = {"stroll": 0.2, "town": 0.2, "brisk": 0.05}  # walkers who barely swing all walk long
WEAK_SCALE = (0.0, 0.35)  # a weak bout's swing, a share of the walker's own
STEP_RATE_SWING_SPM = 105.0  # slower than this a wrist's arm may swing once per step (2:1) ...
STEP_RATE_SWING_DEG = (2.0, 8.0)  # ... by this much
REST_NOISE_MG = (2.0, 30.0)  # the sensor's reading at rest, per axis (wider than SensorModel.population's)


def _sinsum(rng: random.Random, amp: float, f_lo: float, f_hi: float, n: int = 3) -> Callable[[float], float]:
    """A smooth random signal: `n` sinusoids with random frequencies/phases, peak about `amp`."""
    parts = [
        (amp / n * rng.uniform(0.5, 1.5), 2 * math.pi * rng.uniform(f_lo, f_hi), rng.uniform(0, 2 * math.pi))
        for _ in range(n)
    ]
    return lambda t: sum(a * math.sin(w * t + p) for a, w, p in parts)


def _ring(t: float, t0: float, amp: float, freq: float, decay: float) -> float:
    if t < t0 or t > t0 + 6 * decay:
        return 0.0
    dt = t - t0
    return amp * math.exp(-dt / decay) * math.sin(2 * math.pi * freq * dt)


def _in_spans(spans: list[tuple[float, float]], t: float) -> bool:
    i = bisect.bisect_right(spans, (t, math.inf)) - 1
    return i >= 0 and t < spans[i][1]


def _rot_y(theta: float, v: Vec) -> Vec:
    """v expressed in a frame pitched by theta about y (the arm's frame)."""
    c, s = math.cos(theta), math.sin(theta)
    return (c * v[0] - s * v[2], v[1], s * v[0] + c * v[2])


class Walker:
    """One person on one walk: gait, arm swing and what the hand does, all drawn from the ranges above."""

    def __init__(self, rng: random.Random, scenario: str, placement: str, duration: float):
        self.scenario = scenario
        lo, hi = CADENCE_SPM[scenario]
        self.cadence = rng.uniform(lo, hi)
        self.cv = rng.uniform(0.01, 0.04) if scenario != "town" else rng.uniform(0.02, 0.06)
        self.asym = rng.uniform(-0.03, 0.03)
        k = (self.cadence / 100.0) ** 2
        self.vert = rng.uniform(1.5, 3.5) * k
        self.fore = self.vert * rng.uniform(0.4, 0.8)
        self.lat = self.vert * rng.uniform(0.2, 0.5)
        self.trunk_gain = rng.uniform(0.5, 1.0)
        self.heel = rng.uniform(3.0, 10.0) * rng.uniform(0.15, 0.5)
        self.heel_f = rng.uniform(15.0, 30.0)
        self.heel_decay = rng.uniform(0.01, 0.03)
        self.swing = math.radians(rng.uniform(*SWING_DEG[scenario]))
        bent = scenario == "brisk" and rng.random() < 0.7
        self.radius = rng.uniform(0.30, 0.45) if bent else rng.uniform(0.55, 0.70)
        self.swing_mod = _sinsum(rng, 0.25, 0.01, 0.05)
        self.swing_phase = rng.uniform(-0.5, 0.5) + (math.pi if rng.random() < 0.5 else 0.0)
        self.swing_offset = math.radians(rng.uniform(-5, 20))  # arms swing further forward than back
        # the elbow flexes in the forward swing and extends behind: forearm radius 0.25-0.30 m
        self.elbow = math.radians(rng.uniform(0, 25 if bent else 12))
        self.forearm = rng.uniform(0.25, 0.30)
        self.elbow_lag = rng.uniform(-0.5, 0.5)
        # the foot on the sensor's side jolts the wrist more than the far one (ipsilateral step)
        self.far_gain = rng.uniform(0.4, 1.0)
        self.mount = random_rotation(rng)
        self.placement = placement
        if placement == "hand":
            self.radius += 0.08
        self.roll = _sinsum(rng, math.radians(rng.uniform(2, 10)), 0.05, 0.3)
        self.sway = [_sinsum(rng, rng.uniform(0.05, 0.2), 0.1, 0.5) for _ in range(3)]
        self.tremor = [_sinsum(rng, rng.uniform(0.05, 0.15), 8.0, 12.0) for _ in range(3)]
        self.read_pitch = math.radians(rng.uniform(20, 60))
        self.contacts, self.walking, self.pauses = self._plan(rng, duration)
        # bouts without arm swing: carrying something, hand in a pocket (or, in the hand, reading)
        p_bouts = {"town": 0.9, "stroll": 0.4, "brisk": 0.2}[scenario]
        if placement == "hand":
            p_bouts = max(p_bouts, 0.6)
        self.still_arm = idle._spans(rng, duration, (10, 60), (30, 150)) if rng.random() < p_bouts else []
        self._arms(random.Random(f"walk-arms/{self.cadence!r}"), duration)

    def _arms(self, rng: random.Random, duration: float) -> None:
        """What the arm does in each bout without a full swing, and the walkers who barely swing at all
        (their own stream, keyed by the cadence: the other draws stay as they were)."""
        modes = ["weak", "irregular"]
        if self.placement == "wrist":
            modes += ["carry", "pocket"]
        if self.placement == "wrist" and self.cadence < STEP_RATE_SWING_SPM:
            modes.append("step_rate")
        if self.placement == "hand":  # a phone in the hand: read now and then (held in front, no swing)
            modes.append("read")
        # a walker whose arm barely swings all walk long (a bag, a pocket, a stiff or weak arm)
        low = rng.random() < LOW_SWING_SHARE[self.scenario]
        spans = [(0.0, duration)] if low else self.still_arm
        self.arm_bouts = [(a, b, rng.choice(modes), rng.uniform(*WEAK_SCALE)) for a, b in spans]
        self.irregular = _sinsum(rng, 1.0, 0.05, 0.3)  # the swing's size wanders (irregular bouts)
        self.phase_wander = _sinsum(rng, rng.uniform(0.2, 0.8), 0.03, 0.2)
        self.step_swing = math.radians(rng.uniform(*STEP_RATE_SWING_DEG))
        self.carry_swing = math.radians(rng.uniform(0.0, 3.0))
        self.pocket_pitch = math.radians(rng.uniform(20, 70))  # forearm bent, the hand in a pocket
        self.hip_gain = rng.uniform(0.8, 1.3)  # in a pocket the wrist rides the hip: the pelvis's bounce

    def arm_seconds(self) -> dict[str, float]:
        """Walking time per arm mode, s (the sidecar's `arm_s`: which walks had little arm swing)."""
        out: dict[str, float] = {}
        for a, b in self.walking:
            cuts = sorted({a, b} | {t for bout in self.arm_bouts for t in bout[:2] if a < t < b})
            for lo, hi in zip(cuts, cuts[1:], strict=False):
                mode = self.arm_mode((lo + hi) / 2)[0]
                out[mode] = round(out.get(mode, 0.0) + hi - lo, 1)
        return out

    def arm_mode(self, t: float) -> tuple[str, float]:
        """The arm's mode at t ("swing" outside the bouts) and the bout's swing scale (weak bouts)."""
        i = bisect.bisect_right(self.arm_bouts, (t, math.inf)) - 1
        if i >= 0 and t < self.arm_bouts[i][1]:
            return self.arm_bouts[i][2], self.arm_bouts[i][3]
        return "swing", 1.0

    def _plan(self, rng: random.Random, duration: float):
        """Foot contacts (s), walking spans and pauses: bouts of steady walking with stops between."""
        contacts: list[float] = []
        spans: list[tuple[float, float]] = []
        t = rng.uniform(1.0, 4.0)
        drift = _sinsum(rng, 0.03, 0.01, 0.04)
        while t < duration - 3.0:
            bout = rng.uniform(20, 120) if self.scenario == "town" else rng.uniform(60, 600)
            end = min(t + bout, duration - 2.0)
            start = t
            n = 0
            while t < end:
                contacts.append(t)
                ramp = 1.15 if n < 3 else 1.0  # gait initiation: the first steps are slower
                period = 60.0 / self.cadence * (1 + drift(t)) * ramp
                period *= 1 + self.asym * (1 if n % 2 else -1) + rng.gauss(0, self.cv)
                t += period
                n += 1
            spans.append((start, contacts[-1] + 0.3))
            t += rng.uniform(5, 40)
        pauses = [(spans[i][1], spans[i + 1][0]) for i in range(len(spans) - 1)]
        return contacts, spans, pauses

    def step_phase(self, t: float) -> tuple[float, float, int] | None:
        """(phase within the step 0..1, steps per second, step index) while walking, else None."""
        c = self.contacts
        i = bisect.bisect_right(c, t) - 1
        if i < 0 or i + 1 >= len(c):
            return None
        period = c[i + 1] - c[i]
        if period > 2.5:  # a pause between bouts
            return None
        return (t - c[i]) / period, 1.0 / period, i

    def accel(self, t: float) -> Vec:
        ph = self.step_phase(t)
        lin = [self.sway[k](t) * 0.2 + self.tremor[k](t) for k in range(3)]
        theta = self.swing_offset
        if ph is not None:
            s, rate, i = ph
            env = min(1.0, (i + s) / 2.0) * min(1.0, (len(self.contacts) - 1 - i - s) / 2.0)
            w = 2 * math.pi * s
            side = 1.0 if i % 2 else self.far_gain
            g = self.trunk_gain * env * side
            lin[2] += g * self.vert * math.cos(w)
            lin[0] += g * self.fore * math.sin(w + 0.6)
            lin[1] += self.trunk_gain * env * self.lat * math.sin(w / 2 + math.pi * (i % 2))
            lin[2] += env * side * _ring(t, self.contacts[i], self.heel, self.heel_f, self.heel_decay)
            mode, scale = self.arm_mode(t)
            if mode == "pocket":  # the wrist rides the hip: the pelvis's bounce and its sway
                lin[2] += g * self.vert * (self.hip_gain - 1) * math.cos(w)
                hip = self.trunk_gain * env * self.lat * (self.hip_gain - 1)
                lin[1] += hip * math.sin(w / 2 + math.pi * (i % 2))
            a, arg, om = 0.0, 0.0, 0.0
            if mode in ("swing", "weak", "irregular", "carry"):
                # one arm cycle per stride (two steps): stride phase = (step index + s) / 2
                a = self.swing * env * (1 + self.swing_mod(t))
                if mode == "weak":
                    a *= scale
                elif mode == "irregular":
                    a *= max(0.0, 0.6 + 0.6 * self.irregular(t))
                elif mode == "carry":
                    a = self.carry_swing * env
                om = math.pi * rate
                arg = math.pi * (i + s) + self.swing_phase
                if mode == "irregular":
                    arg += self.phase_wander(t)
            elif mode == "step_rate":  # slow walking: the arm swings once per step (2:1)
                a = self.step_swing * env
                om = 2 * math.pi * rate
                arg = 2 * math.pi * (i + s) + self.swing_phase
            if a:
                theta += a * math.sin(arg)
                dth = a * om * math.cos(arg)
                ddth = -a * om * om * math.sin(arg)
                r = self.radius
                lin[0] += r * (ddth * math.cos(theta) - dth * dth * math.sin(theta))
                lin[2] += r * (ddth * math.sin(theta) + dth * dth * math.cos(theta))
                # elbow flexion with the swing: the forearm lifts once per swing
                e = self.elbow * a / self.swing
                lin[2] -= self.forearm * e * om * om * math.sin(arg + self.elbow_lag)
        mode = self.arm_mode(t)[0]
        if mode == "read":
            theta = -self.read_pitch  # held in front, screen towards the face
        elif mode == "pocket":
            theta = -self.pocket_pitch
        f = _rot_y(theta, (lin[0], lin[1], lin[2] + G))
        f = _rot_x(self.roll(t), f)
        x, y, z = rotate(self.mount, f)
        return x / G, y / G, z / G


def _rot_x(phi: float, v: Vec) -> Vec:
    c, s = math.cos(phi), math.sin(phi)
    return (v[0], c * v[1] + s * v[2], -s * v[1] + c * v[2])


def _car(rng: random.Random, duration: float, train: bool) -> Callable[[float], Vec]:
    """Ride vibration felt at the wrist (on the wheel or the lap) or a hand-held phone."""
    mount = random_rotation(rng)
    rms = rng.uniform(0.2, 0.8)
    if train:
        vert = _sinsum(rng, rms, 1.0, 4.0, 4)
        lat = _sinsum(rng, rms * rng.uniform(0.5, 1.2), 0.5, 1.5, 3)
        fore = _sinsum(rng, rms * 0.3, 0.2, 1.0, 2)
        hop = _sinsum(rng, rms * 0.3, 8.0, 20.0, 3)
        clicks: list[tuple[float, float]] = []
        if rng.random() < 0.5:  # jointed track: a bogie pair crosses each joint
            speed, rail = rng.uniform(10, 40), rng.uniform(18, 25)
            gap = rng.uniform(2.0, 3.0) / speed  # axle spacing / speed
            t, amp = rng.uniform(0, 1), rng.uniform(0.2, 0.8)
            while t < duration:
                clicks += [(t, amp), (t + gap, amp)]
                t += rail / speed
    else:
        vert = _sinsum(rng, rms * 1.2, 1.0, 2.0, 3)
        lat = _sinsum(rng, rms * 0.5, 0.5, 2.0, 3)
        fore = _sinsum(rng, rms * 0.4, 0.5, 2.0, 3)
        hop = _sinsum(rng, rms * 0.6, 10.0, 15.0, 3)
        clicks = []
    engine = _sinsum(rng, rng.uniform(0.05, 0.2), 25.0, 50.0, 2)
    bumps, t = [], rng.uniform(2, 10)
    while t < duration:
        amp = rng.uniform(0.5, 2.5) * (0.5 if train else 1.0)
        bumps.append((t, amp, rng.uniform(1.2, 2.0), rng.uniform(0.3, 0.8)))
        t += rng.uniform(3, 30)
    manoeuvres, t = [], rng.uniform(5, 20)  # braking / accelerating / turning: (t0, dur, axis, m/s^2)
    while t < duration:
        d = rng.uniform(2, 8)
        manoeuvres.append((t, d, rng.choice((0, 1)), rng.uniform(-3.0, 3.0) * (0.3 if train else 1.0)))
        t += d + rng.uniform(3, 30)
    on_wheel = not train and rng.random() < 0.6
    steer_deg = rng.uniform(5, 40) if on_wheel else 3.0
    steer = _sinsum(rng, math.radians(steer_deg), 0.05, 0.3)
    gain = rng.uniform(0.6, 1.0)

    def accel(t: float) -> Vec:
        a = [fore(t), lat(t), vert(t) + hop(t) + engine(t)]
        for t0, amp, f, dec in bumps:
            if t0 <= t < t0 + 5 * dec:
                a[2] += _ring(t, t0, amp, f, dec)
        for t0, amp in clicks:
            if t0 <= t < t0 + 0.15:
                a[2] += _ring(t, t0, amp * 3, 20.0, 0.02)
        for t0, d, axis, m in manoeuvres:
            if t0 <= t < t0 + d:
                a[axis] += m * math.sin(math.pi * (t - t0) / d) ** 2
        f = _rot_x(steer(t), (a[0] * gain, a[1] * gain, a[2] * gain + G))
        x, y, z = rotate(mount, f)
        return x / G, y / G, z / G

    return accel


def _chores(rng: random.Random, duration: float) -> Callable[[float], Vec]:
    """Household chores at one spot: irregular wiping, stirring, reaching; rests between."""
    mount = random_rotation(rng)
    acts, t = [], rng.uniform(1, 5)
    while t < duration:
        kind = rng.choice(("wipe", "stir", "reach"))
        d = rng.uniform(3, 15)
        acts.append((t, t + d, kind, rng.uniform(0.8, 2.0), rng.uniform(0.05, 0.15), rng.uniform(0, 6.3)))
        t += d + rng.uniform(2, 15)
    strokes = idle._strokes(rng, [(a, b) for a, b, k, *_ in acts if k == "reach"])
    tilt = _sinsum(rng, 0.3, 0.05, 0.3)
    jitter = _sinsum(rng, 0.3, 0.1, 0.6)  # strokes are not metronomic: phase wanders

    def accel(t: float) -> Vec:
        lin = [0.0, 0.0, 0.0]
        ang = (0.0, 0.0, 0.0)
        for a, b, kind, f, amp, ph in acts:
            if a <= t < b:
                w = 2 * math.pi * f
                arg = w * (t - a) + ph + 2 * math.pi * jitter(t)
                if kind == "wipe":
                    lin[0] -= amp * w * w * math.sin(arg)
                elif kind == "stir":
                    r = amp * 0.4
                    lin[0] -= r * w * w * math.cos(arg)
                    lin[1] -= r * w * w * math.sin(arg)
                else:
                    lin, ang = (list(v) for v in idle._pose(t, strokes))
                break
        f = _rot_x(tilt(t) + ang[0], (lin[0], lin[1], lin[2] + G))
        f = _rot_y(ang[1], f)
        x, y, z = rotate(mount, f)
        return x / G, y / G, z / G

    return accel


def generate(
    scenario: str,
    seed: int,
    rate_hz: float,
    out_stem: Path | str,
    duration_s: float = 180.0,
    placement: str = "wrist",
) -> tuple[Path, Path]:
    """Write `<out_stem>.csv/.json`: a walk (SCENARIOS; truth = foot contacts) or a NEGATIVES trace (0)."""
    if scenario not in SCENARIOS + NEGATIVES:
        raise ValueError(f"unknown scenario {scenario!r} (choose from {', '.join(SCENARIOS + NEGATIVES)})")
    if placement not in PLACEMENTS:
        raise ValueError(f"unknown placement {placement!r} (choose from {', '.join(PLACEMENTS)})")
    rng = random.Random(f"walk/{scenario}/{seed}/{placement}")
    model = SensorModel.population(rng, rate_hz=rate_hz)
    # a watch's or phone's reading at rest: the part's noise plus what the logger's filters leave of the
    # hand's tremor, 2-30 mg per axis (its own stream: the other draws stay as they were)
    model.noise_mg = random.Random(f"walk-noise/{scenario}/{seed}/{placement}").uniform(*REST_NOISE_MG)
    extra: dict = {"scenario": scenario}
    if scenario in SCENARIOS:
        walker = Walker(rng, scenario, placement, duration_s)
        accel = walker.accel
        events = [c * 1000.0 for c in walker.contacts]
        brisk = walker.cadence >= 125 and math.degrees(walker.swing) >= 15
        extra.update(cadence_spm=round(walker.cadence, 1), swing_deg=round(math.degrees(walker.swing), 1))
        extra["brisk"] = brisk
        extra["arm_s"] = walker.arm_seconds()
        activity = "walk"
        notes = (
            f"generated by host_tools/gen/walk.py: {scenario} on the {placement}, seed {seed}, "
            f"{walker.cadence:.0f} steps/min, arm swing {math.degrees(walker.swing):.0f} deg; "
            "truth = foot contacts"
        )
    else:
        if scenario == "desk":
            accel = idle.model("desk", rng, duration_s)
        elif scenario == "chores":
            accel = _chores(rng, duration_s)
        else:
            accel = _car(rng, duration_s, train=scenario == "train")
        events = []
        activity = "other"
        notes = f"generated step-free trace by host_tools/gen/walk.py: {scenario}, seed {seed}"
    samples = sample(accel, duration_s, model, rng)
    return write_trace(
        out_stem, samples, activity=activity, placement=placement, events_ms=events, notes=notes, extra=extra
    )


# the stress set: (scenario, placement) x rate, seeds >= STRESS_SEED_BASE only
BENCHMARK_RATES = (12.5, 25.0, 50.0, 100.0, 400.0)
WALK_VARIANTS = [(s, p) for s in ("stroll", "brisk", "town") for p in PLACEMENTS]
SESSIONS_PER_VARIANT = 5  # 6 variants x 5 rates x 5 = 150 walks
WALK_S = 150.0
LONG_WALKS = 8  # long wrist walks (15 min) at 12.5 Hz for the total-count figure
LONG_STROLLS = 8  # ... and long strolls (appended), half at 12.5 Hz, half at 50 Hz
LONG_S = 900.0
NEGATIVE_S = 300.0
SHORT_WALKS = 4  # per pace: short wrist walks at 12.5 Hz (~60-130 steps), appended (earlier seeds unchanged)
SHORT_S = 62.0
MORE_NEGATIVES = 2  # per kind and rate, appended after the short walks


def benchmark_runs() -> list[tuple[str, str, float, int, float]]:
    """(scenario, placement, rate, seed, duration) of every stress trace."""
    runs = []
    seed = STRESS_SEED_BASE
    for scenario, placement in WALK_VARIANTS:
        for rate in BENCHMARK_RATES:
            for _ in range(SESSIONS_PER_VARIANT):
                runs.append((scenario, placement, rate, seed, WALK_S))
                seed += 1
    for _ in range(LONG_WALKS):
        runs.append(("town", "wrist", 12.5, seed, LONG_S))
        seed += 1
    for scenario in NEGATIVES:
        for rate in (12.5, 50.0, 100.0):
            for _ in range(2):
                runs.append((scenario, "wrist", rate, seed, NEGATIVE_S))
                seed += 1
    for scenario in SCENARIOS:
        for _ in range(SHORT_WALKS):
            runs.append((scenario, "wrist", 12.5, seed, SHORT_S))
            seed += 1
    for (
        scenario
    ) in NEGATIVES:  # more negatives, appended: 12 per kind (1 h), for a false-steps-per-hour figure
        for rate in (12.5, 50.0, 100.0):
            for _ in range(MORE_NEGATIVES):
                runs.append((scenario, "wrist", rate, seed, NEGATIVE_S))
                seed += 1
    for k in range(LONG_STROLLS):
        runs.append(("stroll", "wrist", (12.5, 50.0)[k % 2], seed, LONG_S))
        seed += 1
    return runs


def _stem(scenario: str, placement: str, rate: float, seed: int, duration: float) -> str:
    return f"walk_{scenario}_{placement}_{round(rate * 10)}dhz_{round(duration)}s_{seed}"


def parse_stem(stem: str) -> tuple[str, str, float, float]:
    """(scenario, placement, nominal rate in Hz, duration in s) of a stress-set trace's name."""
    _, scenario, placement, dhz, dur, _seed = stem.split("_")
    return scenario, placement, int(dhz[:-3]) / 10, float(dur[:-1])


def benchmark_set(out_dir: Path | str) -> list[Path]:
    """Generate the stress set into out_dir once (cached by this module's source hash); the CSV paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "walk.stamp"
    digest = hashlib.sha256(Path(__file__).read_bytes() + Path(idle.__file__).read_bytes()).hexdigest()
    fresh = stamp.exists() and stamp.read_text() == digest
    paths, todo = [], []
    for scenario, placement, rate, seed, duration in benchmark_runs():
        stem = out / _stem(scenario, placement, rate, seed, duration)
        csv_path = stem.parent / (stem.name + ".csv")
        if not (fresh and csv_path.exists()):
            todo.append((scenario, seed, rate, stem, duration, placement))
        paths.append(csv_path)
    if todo:
        stamp.unlink(missing_ok=True)
        with Pool(min(2, os.cpu_count() or 1)) as pool:
            pool.map(_generate_run, todo, chunksize=1)
    stamp.write_text(digest)
    return paths


def _generate_run(run: tuple) -> None:
    scenario, seed, rate, stem, duration, placement = run
    generate(scenario, seed, rate, stem, duration_s=duration, placement=placement)
