"""Jump-rope counter for a sensor in the handle: counts rope passes, not bounces.

Physics it relies on (all constants below follow from it, none from a particular recording):

* The wrist turns the rope by moving the handle on a small circle in the rope's (vertical)
  plane, once per turn, 60-330 rpm. The acceleration minus its slow mean (gravity) therefore has
  a FORWARD component (horizontal, along the principal horizontal direction) that oscillates
  once per turn; bounce and landings are vertical, so they hardly reach it. Its zero crossings
  (with hysteresis, half periods of 70-450 ms) count half turns.
* Shaking the arms moves the hand along a line: forward and vertical then move in step
  (correlation > 0.97). A turning rope does not, so such motion is not taken for turns.
* Every jump has a flight (free fall: the vertical force drops by >= 0.3 g) and a landing that
  ends it. A landing anchors the passes of its jump: the rope passed under the feet during the
  flight, and the number of turns since the previous landing (rounded) is the number of passes
  (1, or 2 for a double under). Walking has no free fall and its arm swings slower than 67 rpm.
* A pass is only confirmed once the rope has gone on (a new half turn, 0.4 turn past the
  landing). On a trip the rope catches the feet and the turning stops within a fraction of a
  turn, so the catch turn is not confirmed and goes to `trips` instead (late confirmation: the
  event time reported is the landing minus 70 ms, about mid-flight).

Internally everything runs on 10 ms slots from the shared Resampler, so the constants are in
ms and the same at any input rate; state is a handful of small ints.
"""

from micropython import const

from fascia.detect.filters import Resampler, magnitude

_SLOT_MS = const(10)
_GRAV_SHIFT = const(6)  # gravity: mean over ~0.64 s (64 slots), longer than the slowest turn's half
_MAX_HP = const(4000)  # high-passed components are clipped here (mg) so spikes cannot dominate
_MIN_AMP = const(60)  # mg: forward swing below this is not a turning rope (slowest 100 rpm, 2 cm: 220)
_HALF_MIN_MS = const(70)  # half turn at 430 rpm: faster than any rope
_HALF_MAX_MS = const(450)  # half turn at 67 rpm; a walking arm swings slower (stride <= 1.1 Hz)
_FLIGHT_MG = const(300)  # mg below the mean: free fall takes away ~0.7-1 g, a walking bounce ~0.15-0.35 g
_FLIGHT_MIN_MS = const(30)  # free fall lasts >= 90 ms (1 cm hop), heel-strike ringing dips for ~20 ms
_EVENT_LEAD_MS = const(70)  # the pass is in mid-flight, about half a flight before the landing


class JumpDetector:
    """Counts successful rope passes from (t_ms, x, y, z) samples; see the module docstring."""

    def __init__(self):
        self.res = Resampler(_SLOT_MS)
        self.reset()

    def reset(self) -> None:
        self.res.reset()
        self.count = 0
        self.last_event_ms = 0
        self.trips = 0
        self.double_unders = 0
        self.max_streak = 0
        self.streak = 0
        self.started = False
        self.gx = 0  # gravity estimate, mg << _GRAV_SHIFT
        self.gy = 0
        self.gz = 0
        self.gm = 1000  # |gravity| (mg), refined by one Newton step per slot
        self.vx = 0  # high-passed, lightly smoothed vector (mg)
        self.vy = 0
        self.vz = 0
        self.cfu = 0  # running means of fwd*up, fwd^2 and up^2 (x32): their correlation
        self.pf = 0
        self.pu = 0
        self.ex = 0  # forward axis (unnormalised, ~32x the mean horizontal swing)
        self.ey = 0
        self.ez = 0
        self.t = 0
        self._end_bout()
        self.half_ms = 200  # recent half-turn duration
        self.amp = 0  # recent forward swing amplitude (mg)

    def _end_bout(self) -> None:
        """Forget the current set (rotation stopped): a pending, unconfirmed pass is a trip."""
        self.sign = 0  # side of the forward component (+1/-1), 0 = not turning
        self.halves = 0  # half turns since the set began
        self.cross_t = 0  # time of the last half-turn crossing
        self.anchor = -1  # turn position of the last landing (half turns * 16), -1 = none yet
        self.anchor_halves = 0
        self.pending = 0  # passes waiting for confirmation
        self.pend_t = 0
        self.dip_t = -1  # time of the last free-fall dip, -1 = none pending
        self.dip_start = -1
        self.streak = 0

    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        res = self.res
        done = res.push(t_ms, x, y, z)
        if not done:
            return 0
        if res.gap:
            return self._stop()
        new = 0
        for _ in range(done):
            self.t = res.slot_end - _SLOT_MS
            new += self._slot(res.x, res.y, res.z)
        return new

    def flush(self, t_ms: int) -> int:
        return self._stop()

    def extras(self) -> dict:
        rate = 0
        if self.sign:
            rate = 30000 // self.half_ms
        return {
            "trips": self.trips,
            "double_unders": self.double_unders,
            "max_streak": self.max_streak,
            "rate_per_min": rate,
        }

    def _stop(self) -> int:
        if self.sign and (self.pending or self._position() - self.anchor >= 24):
            self.trips += 1  # turning ended without the last turn's pass confirmed
        self._end_bout()
        return 0

    def _position(self) -> int:
        """Turn position in 1/16 half turns: crossings so far plus the fraction of the current half."""
        frac = (self.t - self.cross_t) * 16 // self.half_ms
        if frac > 15:
            frac = 15
        return self.halves * 16 + frac

    def _slot(self, x: int, y: int, z: int) -> int:
        if not self.started:
            self.started = True
            self.gx = x << _GRAV_SHIFT
            self.gy = y << _GRAV_SHIFT
            self.gz = z << _GRAV_SHIFT
        self.gx += x - (self.gx >> _GRAV_SHIFT)
        self.gy += y - (self.gy >> _GRAV_SHIFT)
        self.gz += z - (self.gz >> _GRAV_SHIFT)
        gx = self.gx >> _GRAV_SHIFT
        gy = self.gy >> _GRAV_SHIFT
        gz = self.gz >> _GRAV_SHIFT
        gm = self.gm
        gm = (gm + (gx * gx + gy * gy + gz * gz) // gm) >> 1
        if gm < 100:
            gm = 100
        self.gm = gm
        # high-passed vector, clipped, then smoothed over ~40 ms: passes a 5.5 Hz turn at 60 %,
        # landing ringing (12-30 Hz) at 12-30 %
        hx = _clip(x - gx)
        hy = _clip(y - gy)
        hz = _clip(z - gz)
        px = self.vx
        py = self.vy
        pz = self.vz
        vx = px + ((hx - px) >> 2)
        vy = py + ((hy - py) >> 2)
        vz = pz + ((hz - pz) >> 2)
        self.vx = vx
        self.vy = vy
        self.vz = vz
        # vertical component: up is along gravity's reaction (a still sensor reads +1 g "up")
        up_lp = _clip((vx * gx + vy * gy + vz * gz) // gm)
        # forward axis: the principal direction of the horizontal part (sign power iteration, ~0.3 s)
        hx = vx - up_lp * gx // gm
        hy = vy - up_lp * gy // gm
        hz = vz - up_lp * gz // gm
        ex = self.ex
        ey = self.ey
        ez = self.ez
        # products stay below 2**30 (ESP32 small ints): the axis is used at 1/8 scale
        ax = ex >> 3
        ay = ey >> 3
        az = ez >> 3
        em = magnitude(ax, ay, az)
        fwd = 0
        if em:
            fwd = _clip((hx * ax + hy * ay + hz * az) // em)
        if fwd < 0:
            hx = -hx
            hy = -hy
            hz = -hz
        self.ex = ex + hx - (ex >> 5)
        self.ey = ey + hy - (ey >> 5)
        self.ez = ez + hz - (ez >> 5)
        return self._turns(fwd, up_lp)

    def _turns(self, fwd: int, up: int) -> int:
        t = self.t
        a = fwd if fwd >= 0 else -fwd
        # forward swing amplitude: fast attack, slow decay
        if a > self.amp:
            self.amp += (a - self.amp) >> 2
        else:
            self.amp -= self.amp >> 6
        band = self.amp >> 2
        if band < _MIN_AMP // 2:
            band = _MIN_AMP // 2
        # to-and-fro motion (shaking, swinging) moves forward and vertical in step; a circle (plus
        # a bounce that peaks as the hands pass the bottom) keeps them a quarter turn apart
        self.cfu += fwd * up - (self.cfu >> 5)
        self.pf += fwd * fwd - (self.pf >> 5)
        self.pu += up * up - (self.pu >> 5)
        c = self.cfu >> 16
        linear = 16 * c * c > 15 * (self.pf >> 16) * (self.pu >> 16)  # correlation above 0.97
        turning = self.amp >= _MIN_AMP and not linear
        new = 0
        if self.sign and t - self.cross_t > 3 * self.half_ms + 300:
            new = self._stop()  # turning stopped (trip or rest)
        crossed = (fwd > band and self.sign <= 0) or (fwd < -band and self.sign >= 0)
        if crossed:
            half = t - self.cross_t
            side = 1 if fwd > 0 else -1
            if self.sign and turning and _HALF_MIN_MS <= half <= _HALF_MAX_MS and 2 * half >= self.half_ms:
                self.halves += 1
                self.half_ms += (half - self.half_ms) >> 2
                self.sign = side
                self.cross_t = t
            elif not self.sign or half > _HALF_MAX_MS:
                # first crossing of a (possible) set: start the clock, nothing counted yet
                if self.sign:
                    new += self._stop()
                self.cross_t = t
                if turning:
                    self.sign = side
        if not self.sign:
            return new
        pos = self._position()
        # confirm the pending passes once the rope has gone on: a new half turn, 0.4 turn past the landing
        if self.pending and self.halves > self.anchor_halves and pos - self.anchor >= 13:
            n = self.pending
            self.pending = 0
            self.count += n
            self.streak += n
            if self.streak > self.max_streak:
                self.max_streak = self.streak
            if n >= 2:
                self.double_unders += 1
            self.last_event_ms = self.pend_t
            new += n
        self._landing(up, pos)
        return new

    def _landing(self, up: int, pos: int) -> None:
        """A landing ends a flight: the vertical force climbs from a dip (free fall) back through 0.

        Landings anchor the passes of each jump; the rope passed under the feet during the flight.
        """
        if up < -_FLIGHT_MG:
            if self.dip_start < 0:
                self.dip_start = self.t
            if self.t - self.dip_start >= _FLIGHT_MIN_MS:
                self.dip_t = self.t
            return
        self.dip_start = -1
        if up < 0 or self.dip_t < 0:
            return
        if self.t - self.dip_t > 3 * self.half_ms:  # the dip belongs to another, older motion
            self.dip_t = -1
            return
        self.dip_t = -1
        if self.anchor >= 0 and pos - self.anchor < 24:  # < 0.75 turn since the last landing: same jump
            return
        if self.anchor < 0:
            if pos < 16:  # the rope has not come round yet: the first turn of a set
                return
            n = 1
        else:
            n = (pos - self.anchor + 16) // 32
            if n < 1:
                n = 1
            if n > 3:
                n = 3
        self.anchor = pos
        self.anchor_halves = pos >> 4
        self.pending = n
        self.pend_t = self.t - _EVENT_LEAD_MS


def _clip(v: int) -> int:
    if v > _MAX_HP:
        return _MAX_HP
    if v < -_MAX_HP:
        return -_MAX_HP
    return v
