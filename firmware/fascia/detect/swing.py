"""Swing rep counter for a sensor on a kettlebell or at a clubbell's handle end.

A swing is a pendulum: the implement passes the bottom of the arc twice per rep (backswing and
hip drive), each time pressing the sensor with centripetal force plus gravity (2-4 g), and floats
near-weightless at the top of the arc, where it turns round under gravity alone. A snatch has
the same two bottom passes but ends in an overhead lockout held still at 1 g.

So one rep is one *top* after a bottom pass, where a top is either
- a weightless valley: the 100 ms mean |a| stays below 0.55 g for at least a sixth of the rep
  period (the brief dip behind the legs between the two bottom passes is far shorter), or
- a lockout: |a| held at 1 g +-0.3 g for 300 ms soon after two bottom passes, with gravity at
  least ~37 deg away from the direction the bottom passes pressed (the bell hangs below the hand
  there, so a bell parked on the floor or hanging at rest is not a lockout).
The rep period is measured from the bottom passes themselves (every other pass), so the valley
test adapts to light-fast and heavy-slow swings before any rep is counted. Bottom passes are
|a| peaks above 1.7 g and above half the recent peak level (hysteresis at 0.7 of that).

All timing runs on 20 ms slots from the shared Resampler, so the constants are the same at any
input rate; a +-4 g part that clips at the bottom still clears the 1.7 g bar.
"""

from array import array

from micropython import const

from fascia.detect.filters import Resampler, magnitude

_SLOT_MS = const(20)
_SMOOTH_SLOTS = const(5)  # 100 ms moving mean of |a| and of the vector
_HIGH_MIN_MG = const(1700)  # a bottom pass presses at least this hard
_HIGH_EXIT_PCT = const(70)  # leave the bottom pass below this share of the entry threshold
_LOW_MG = const(550)  # near-weightless top starts below this
_LOW_EXIT_MG = const(750)  # and ends above this (a bell turning over at the top wobbles)
_TOP_DEFAULT_MS = const(280)  # shortest weightless top before the period is known
_TOP_MIN_MS = const(160)
_TOP_MAX_MS = const(400)
_TOP_PERIOD_DIV = const(6)  # a top lasts at least period / 6
_TOP_AFTER_PASS_MS = const(1500)  # and starts this soon after the bottom pass that threw it up
_LOCK_LO_MG = const(700)
_LOCK_HI_MG = const(1300)
_LOCK_MS = const(300)  # a lockout is held this long
_LOCK_WITHIN_MS = const(1200)  # and starts this soon after the last bottom pass
_BACKSWING_MAX_MS = const(1000)  # the two bottom passes around a backswing are this close
_LOCK_COS_X5 = const(4)  # cos(gravity, bottom-pass direction) < 4/5: not hanging
_PERIOD_MIN_MS = const(500)
_PERIOD_MAX_MS = const(4000)  # a longer gap between reps is a rest: left out of the mean

TEMPO_UNKNOWN = const(0)
TEMPO_LIGHT_FAST = const(1)  # elasticity work: a light club swung quickly
TEMPO_HEAVY_SLOW = const(2)  # strength work: a heavy club/bell, long float at the top
TEMPO_NAMES = ("unknown", "light-fast", "heavy-slow")
TEMPO_SPLIT_MS = const(1400)  # mean rep period below this is light-fast, from it on heavy-slow


class SwingDetector:
    """Counts swing (and snatch) reps; one event per rep at the top of the arc."""

    def __init__(self):
        self.res = Resampler(_SLOT_MS)
        self.mag_ring = array("i", [0] * _SMOOTH_SLOTS)
        self.vec_ring = array("i", [0] * (3 * _SMOOTH_SLOTS))
        self.reset()

    def reset(self) -> None:
        self.res.reset()
        self.count = 0
        self.last_event_ms = 0
        self.peak_level = 0  # running mean of bottom-pass peaks (mg)
        self.period = 0  # rep period from bottom passes, 0 = not known yet
        self.pass_t1 = -1  # the last two bottom-pass times
        self.pass_t2 = -1
        self.last_top = -1
        self.period_sum = 0
        self.period_n = 0
        self._restart()

    def _restart(self) -> None:
        """Forget the transient state (start, or after a gap in the data)."""
        for i in range(_SMOOTH_SLOTS):
            self.mag_ring[i] = 0
        for i in range(3 * _SMOOTH_SLOTS):
            self.vec_ring[i] = 0
        self.ring_i = 0
        self.filled = 0
        self.mag_sum = 0
        self.sx = 0
        self.sy = 0
        self.sz = 0
        self.in_high = False
        self.high_max = 0
        self.high_t = 0
        self.px = 0  # the last bottom pass's direction (slot vector at its peak)
        self.py = 0
        self.pz = 0
        self.passes = 0  # bottom passes since the last counted top
        self.strong = 0  # of which pressed at least 3/4 of the recent peak level
        self.low_start = -1
        self.low_min = 0
        self.low_min_t = 0
        self.lock_start = -1

    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        res = self.res
        done = res.push(t_ms, x, y, z)
        if not done:
            return 0
        if res.gap:
            self._restart()
        new = 0
        end = res.slot_end - done * _SLOT_MS  # end of the first completed slot
        for _ in range(done):
            new += self._slot(end, res.x, res.y, res.z)
            end += _SLOT_MS
        return new

    def _slot(self, t: int, x: int, y: int, z: int) -> int:
        """One 20 ms slot ending at `t`: update the smoothed |a| and the state machines."""
        i = self.ring_i
        mag = magnitude(x, y, z)
        self.mag_sum += mag - self.mag_ring[i]
        self.mag_ring[i] = mag
        j = 3 * i
        ring = self.vec_ring
        self.sx += x - ring[j]
        self.sy += y - ring[j + 1]
        self.sz += z - ring[j + 2]
        ring[j] = x
        ring[j + 1] = y
        ring[j + 2] = z
        self.ring_i = i + 1 if i + 1 < _SMOOTH_SLOTS else 0
        if self.filled < _SMOOTH_SLOTS:
            self.filled += 1
            return 0
        s = self.mag_sum // _SMOOTH_SLOTS
        t_mid = t - _SMOOTH_SLOTS * _SLOT_MS // 2  # the smoothed value is centred here
        if self.in_high or mag > _HIGH_MIN_MG:  # cheap guards: most slots need none of these calls
            self._bottom_pass(t_mid, mag, x, y, z)
        new = 0
        if self.low_start >= 0 or s < _LOW_MG:
            new = self._weightless_top(t_mid, s)
        if self.lock_start >= 0 or _LOCK_LO_MG <= s <= _LOCK_HI_MG:
            new += self._lockout(t_mid, s)
        return new

    def _bottom_pass(self, t: int, mag: int, x: int, y: int, z: int) -> None:
        """Track |a| peaks above the high threshold: bottom passes, their direction and period."""
        high = self.peak_level >> 1
        if high < _HIGH_MIN_MG:
            high = _HIGH_MIN_MG
        if not self.in_high:
            if mag > high:
                self.in_high = True
                self.high_max = mag
                self.high_t = t
                self.px = x
                self.py = y
                self.pz = z
            return
        if mag > self.high_max:
            self.high_max = mag
            self.high_t = t
            self.px = x
            self.py = y
            self.pz = z
        if mag * 100 >= high * _HIGH_EXIT_PCT:
            return
        self.in_high = False
        self.passes += 1
        if self.high_max * 4 >= self.peak_level * 3:
            self.strong += 1
        if self.peak_level:
            self.peak_level += (self.high_max - self.peak_level) >> 2
        else:
            self.peak_level = self.high_max
        t_pass = self.high_t
        if self.pass_t2 >= 0:
            self._update_period(t_pass - self.pass_t1, self.pass_t1 - self.pass_t2)
        self.pass_t2 = self.pass_t1
        self.pass_t1 = t_pass

    def _update_period(self, d1: int, d2: int) -> None:
        """Rep period from the last two bottom-pass intervals.

        Passes alternating short/long (behind the legs, then over the top) come two per rep; evenly
        spaced ones (a fast swing whose backswing is one long press) one per rep.
        """
        short = d1 if d1 < d2 else d2
        span = d1 + d2 if short * 5 < (d1 + d2 - short) * 4 else (d1 + d2) >> 1
        if _PERIOD_MIN_MS <= span <= _PERIOD_MAX_MS:
            self.period = span if not self.period else (self.period * 3 + span) >> 2

    def _top_ms(self) -> int:
        if not self.period:
            return _TOP_DEFAULT_MS
        need = self.period // _TOP_PERIOD_DIV
        if need < _TOP_MIN_MS:
            return _TOP_MIN_MS
        if need > _TOP_MAX_MS:
            return _TOP_MAX_MS
        return need

    def _weightless_top(self, t: int, s: int) -> int:
        """A long enough near-weightless valley after a bottom pass is a rep, placed at its minimum."""
        if s < _LOW_MG or (self.low_start >= 0 and s < _LOW_EXIT_MG):
            if self.low_start < 0:
                self.low_start = t
                self.low_min = s
                self.low_min_t = t
            elif s < self.low_min:
                self.low_min = s
                self.low_min_t = t
            return 0
        if self.low_start < 0:
            return 0
        start = self.low_start
        self.low_start = -1
        if self._is_top(start, t):
            return self._count(self.low_min_t)
        return 0

    def _is_top(self, start: int, end: int) -> bool:
        """The valley [start, end) is long enough and was thrown up by a strong bottom pass just before."""
        return (
            bool(self.strong) and end - start >= self._top_ms() and start - self.pass_t1 <= _TOP_AFTER_PASS_MS
        )

    def _lockout(self, t: int, s: int) -> int:
        """A still 1 g hold soon after two bottom passes, not hanging: a snatch lockout."""
        if s < _LOCK_LO_MG or s > _LOCK_HI_MG or self.in_high:
            self.lock_start = -1
            return 0
        if self.lock_start < 0:
            self.lock_start = t
            return 0
        if t - self.lock_start < _LOCK_MS or self.strong < 2:
            return 0
        if (
            self.lock_start - self.pass_t1 > _LOCK_WITHIN_MS
            or self.pass_t1 - self.pass_t2 > _BACKSWING_MAX_MS
        ):
            return 0
        n = _SMOOTH_SLOTS
        gx = self.sx // n
        gy = self.sy // n
        gz = self.sz // n
        dot = gx * self.px + gy * self.py + gz * self.pz
        if dot * 5 >= _LOCK_COS_X5 * magnitude(gx, gy, gz) * magnitude(self.px, self.py, self.pz):
            return 0
        return self._count(self.lock_start)

    def _count(self, t_event: int) -> int:
        if self.last_top >= 0:
            gap = t_event - self.last_top
            if _PERIOD_MIN_MS <= gap <= _PERIOD_MAX_MS:
                self.period_sum += gap
                self.period_n += 1
        self.last_top = t_event
        self.passes = 0
        self.strong = 0
        self.count += 1
        self.last_event_ms = t_event
        return 1

    def flush(self, t_ms: int) -> int:
        """End of session: a weightless valley still open at the end is settled now."""
        start = self.low_start
        self.low_start = -1
        if start >= 0 and self._is_top(start, t_ms):
            return self._count(self.low_min_t)
        return 0

    def extras(self) -> dict:
        """Mean rep period (ms, rests left out) and the tempo class derived from it."""
        mean = self.period_sum // self.period_n if self.period_n else 0
        if not mean:
            tempo = TEMPO_UNKNOWN
        elif mean < TEMPO_SPLIT_MS:
            tempo = TEMPO_LIGHT_FAST
        else:
            tempo = TEMPO_HEAVY_SLOW
        return {"mean_period_ms": mean, "tempo": tempo}
