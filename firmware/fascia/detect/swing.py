"""Swing rep counter for a sensor on a kettlebell or at a clubbell's handle end.

A swing is a driven pendulum: the implement passes the bottom of the arc with centripetal force
plus gravity (2-4.5 g) and turns round at the top, where it is unloaded (|a| well under 1 g: it
decelerates under gravity, or is pulled down by the arm in a fast light swing). Slow swings also
turn round behind the legs with a second, smaller unloaded dip, between two bottom passes; fast
arm-driven swings turn round there under load, with no dip at all. A snatch ends in an overhead
lockout held still at 1 g instead of a float.

So the rep is anchored on the cycle, not on how long the top lasts:
- a *valley* is a stretch where the 100 ms mean |a| falls below 0.9 g (until it is back above 1 g);
  its size is the area under 1 g. Only a valley with a bottom pass since the previous valley is a
  candidate (a bottom pass: an |a| peak above 2 g - a swing up to 60 deg from free fall - and
  above half the recent peak level).
- the top is the dominant valley of its cycle: a valley more than twice the size of a neighbour
  within 3 s drops that neighbour (the back-turn dip is 3-6x smaller than the float of a slow
  swing; a fast swing has no back-turn valley, so every valley is a top).
- a candidate is confirmed by what physically follows a top: a bottom pass (the down-swing) within
  1.2 s of its end. A valley from lowering or parking the implement has no such pass.
- a snatch lockout: |a| held at 1 g +-0.3 g for 300 ms soon after two bottom passes, with gravity
  at least ~37 deg away from the direction the bottom passes pressed (not a bell hanging at rest);
  it counts at once and takes the place of the valleys of its cycle.
Valleys are confirmed 1.2 s after they end, so an event may lie in the past. All timing runs on
20 ms slots from the shared Resampler, so the constants are the same at any input rate.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import Resampler, magnitude

_SLOT_MS = const(20)
_SMOOTH_SLOTS = const(5)  # 100 ms moving mean of |a| and of the vector
_HIGH_MIN_MG = const(1700)  # a bottom pass presses at least this hard
_SWING_MG = const(2000)  # a swing (up to >= 60 deg from free fall) presses at least this hard at the bottom
_HIGH_EXIT_PCT = const(70)  # leave the bottom pass below this share of the entry threshold
_LOW_MG = const(900)  # a valley starts below this
_LOW_EXIT_MG = const(1000)  # and ends above this; its area is measured under it
_DOMINATE = const(2)  # a valley this many times larger than a neighbour drops it
_NEIGHBOUR_MS = const(3000)  # valleys this close (end to start) are in the same cycle or the next
_CONFIRM_MS = const(1200)  # a top is followed by a bottom pass this soon after the valley ends
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
        self.enter_t = -1  # when the last bottom pass began
        self.pass_t1 = -1  # the last two bottom-pass times
        self.pass_t2 = -1
        self.strong = 0  # bottom passes since the last rep that pressed >= 3/4 of the peak level
        self.last_top = -1
        self.period_sum = 0
        self.period_n = 0
        self.n_swing = 0  # bottom passes so far that pressed at least _SWING_MG
        self.valley_swing = 0  # n_swing when the last valley ended
        self.ref_area = 0  # the last kept candidate valley: area and end time
        self.ref_end = -1
        self.pend_t = -1  # the candidate waiting for confirmation: time of its minimum, -1 = none
        self.pend_end = 0
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
        self.low_start = -1
        self.low_area = 0
        self.low_min = 0
        self.low_min_t = 0
        self.lock_start = -1

    @micropython.native
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

    @micropython.native
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
            new = self._valley(t_mid, s)
        if self.lock_start >= 0 or _LOCK_LO_MG <= s <= _LOCK_HI_MG:
            new += self._lockout(t_mid, s)
        if self.pend_t >= 0 and t_mid - self.pend_end >= _CONFIRM_MS:
            lock = self.lock_start
            if lock < 0 or t_mid - lock >= _LOCK_MS:  # a hold under way may still be a lockout
                new += self._settle()
        return new

    def _bottom_pass(self, t: int, mag: int, x: int, y: int, z: int) -> None:
        """Track |a| peaks above the high threshold: bottom passes and their direction."""
        high = self.peak_level >> 1
        if high < _HIGH_MIN_MG:
            high = _HIGH_MIN_MG
        if not self.in_high:
            if mag > high:
                self.in_high = True
                self.enter_t = t
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
        if self.high_max >= _SWING_MG:
            self.n_swing += 1
        if self.high_max * 4 >= self.peak_level * 3:
            self.strong += 1
        if self.peak_level:
            self.peak_level += (self.high_max - self.peak_level) >> 2
        else:
            self.peak_level = self.high_max
        self.pass_t2 = self.pass_t1
        self.pass_t1 = self.high_t

    def _valley(self, t: int, s: int) -> int:
        """Track a stretch under 1 g (area, minimum); at its end, weigh it against its neighbours."""
        if s < _LOW_MG or (self.low_start >= 0 and s < _LOW_EXIT_MG):
            if self.low_start < 0:
                self.low_start = t
                self.low_area = 0
                self.low_min = s
                self.low_min_t = t
            elif s < self.low_min:
                self.low_min = s
                self.low_min_t = t
            self.low_area += _LOW_EXIT_MG - s
            return 0
        start = self.low_start
        self.low_start = -1
        if self.n_swing == self.valley_swing:
            return 0  # no swing since the last valley: the same turn (the drop from a lockout) or handling
        self.valley_swing = self.n_swing
        area = self.low_area
        if self.ref_end >= 0 and start - self.ref_end <= _NEIGHBOUR_MS:
            if self.ref_area > area * _DOMINATE:
                return 0  # the smaller turn of a cycle (behind the legs)
            if self.pend_t >= 0 and area > self.ref_area * _DOMINATE:
                self.pend_t = -1  # the pending one was the smaller turn
        new = 0
        if self.pend_t >= 0:
            new = self._settle()  # a new top of similar size: the pending one has had its down-swing pass
        self.ref_area = area
        self.ref_end = t
        self.pend_t = self.low_min_t
        self.pend_end = t
        return new

    def _settle(self) -> int:
        """Decide the pending candidate: a top if a bottom pass (the down-swing) followed it."""
        t = self.pend_t
        self.pend_t = -1
        if self.enter_t <= t:
            return 0  # no bottom pass began after its minimum
        return self._count(t)

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
        self.pend_t = -1  # the valleys of this cycle were its backswing and pull
        return self._count(self.lock_start)

    def _count(self, t_event: int) -> int:
        if self.last_top >= 0:
            gap = t_event - self.last_top
            if _PERIOD_MIN_MS <= gap <= _PERIOD_MAX_MS:
                self.period_sum += gap
                self.period_n += 1
        self.last_top = t_event
        self.strong = 0
        self.count += 1
        self.last_event_ms = t_event
        return 1

    def flush(self, t_ms: int) -> int:
        """End of session: a candidate still waiting is settled on what has been seen."""
        if self.pend_t >= 0:
            return self._settle()
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
