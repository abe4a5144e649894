"""Rep counter for a sensor on a swung implement: clubbell, hammer, bottle or kettlebell.

Every move of the programme (front/pendulum swings, arm and shield casts, mills, kettlebell swings
and snatches) is a periodic motion of the implement: one rep is one cycle back to the start. The
counter follows that cycle in the implement's own frame, so it needs neither a mounting orientation
nor a hard bottom pass:
- motion h: the 40 ms vector minus its slow mean (2.6 s).
- the rep period T: the autocorrelation of h (dot products, so any mounting gives the same) over
  lags of 0.8-4.6 s, as running means; T is the shortest lag whose peak comes within 85 % of the
  highest (not 2T), and its height over the zero lag says how periodic the motion is.
- a pendulum presses along the arm twice a rep (both bottom passes) and turns gravity once; a cast
  or a mill turns gravity right round once. u = h(t) - h(t - T/2) cancels what repeats every half
  rep and keeps what turns once, so it swings once a rep whatever the move (a comb filter).
- p: u on its dominant axis (a running covariance and one power-iteration step a frame). Each rise
  of p through a hysteresis sized from the recent amplitude ends a cycle; it is a rep when the
  motion is periodic, the cycle lasts 0.8-5 s, agrees with T and is big enough.
- a set starts with two such cycles (the first one waits for the second): a lone cycle (a pick-up
  and put-down) is not a rep. The swing-through after the last rep, lowering the club: a smaller
  half cycle that the hysteresis, which does not follow it down, lets pass.
Extras: the mean rep period and the tempo class from it, and reps that turned gravity right round
(casts, mills: the motion fills two axes) apart from the others (swings).
All timing runs on 40 ms frames from the shared Resampler, so the constants hold at any input rate.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import Resampler, magnitude

_SLOT_MS = const(40)
_MEAN_SHIFT = const(6)  # slow mean: exponential, 2^6 frames = 2.56 s
_CORR_SHIFT = const(4)  # autocorrelation running means: 2^4 updates (160 ms apart) = 2.56 s
_COV_SHIFT = const(5)  # covariance of the comb output: 2^5 updates 160 ms apart = 5.1 s (longer than a rep)
_LAG_MIN = const(10)  # 0.8 s: the shortest rep (lags count pairs of frames)
_LAGS = const(58)  # lags 0 .. 4.6 s
_RING = const(128)  # frames of h kept (5.1 s)
_LOOK = const(60)  # p is read 2.4 s in the past: the period and the axis it uses have seen what follows
_PEAK_PCT = const(85)  # the period: the first autocorrelation peak this close to the highest
_PERIODIC_PCT = const(40)  # periodic: the period's autocorrelation at least this share of the zero lag's
_MOVE_FRAMES = const(4)  # motion: how far h moved in 160 ms ...
_MOVE_NOISE_MG = const(25)  # ... beyond noise
_MOVED_MASK = const(0xFFFFFF)
_MOVING_MG = const(100)  # the implement moves: this much motion (per 160 ms) around the frame
_NO_LOAD = const(1 << 20)  # above any |a|
_CLAMP_MG = const(4000)  # motion beyond 4 g says nothing more
_UNIT = const(256)  # the axis is a vector of this length
_THR_MIN_MG = const(80)  # hysteresis never below this (noise, a hand at rest)
_START_MG = const(300)  # still p must pass this to start counting crossings
_THR_PCT = const(40)  # hysteresis: this share of the recent half amplitude
_AMP_MIN_MG = const(450)  # a cycle smaller than this (half peak to peak of p) is not a rep
_AMP_KEEP_PCT = const(45)  # nor is one under this share of its set's level
_STILL_MIN_MS = const(600)  # p inside the hysteresis this long, and 3/4 of a rep: the motion stopped
_PERIOD_MIN_MS = const(800)
_PERIOD_MAX_MS = const(5000)
_LIKE_PCT = const(70)  # in a set, a cycle agrees with T and with the last one within this ratio
_START_LIKE_PCT = const(60)  # the cycles that open a set (a hike, a dead start) agree more loosely
_FULL_PCT = const(70)  # a cycle whose top or bottom reaches less than this share of the set's waits
_ROUND_PCT = const(25)  # second axis of the comb output over the first: above this, gravity turns round

_HIGH_MIN_MG = const(1700)  # a kettlebell's bottom pass presses at least this hard
_HIGH_EXIT_PCT = const(70)  # and is over below this share of the entry threshold
_LOCK_LO_MG = const(700)
_LOCK_HI_MG = const(1300)
_LOCK_MS = const(300)  # a lockout is held this long
_LOCK_WITHIN_MS = const(1200)  # and starts this soon after the last bottom pass
_BACKSWING_MAX_MS = const(1000)  # the two bottom passes around a backswing are this close
_LOCK_COS_X5 = const(4)  # cos(gravity, bottom-pass direction) < 4/5: not hanging

TEMPO_UNKNOWN = const(0)
TEMPO_LIGHT_FAST = const(1)  # elasticity work: a light club swung quickly
TEMPO_HEAVY_SLOW = const(2)  # strength work: a heavy club/bell, long float at the top
TEMPO_NAMES = ("unknown", "light-fast", "heavy-slow")
TEMPO_SPLIT_MS = const(1400)  # mean rep period below this is light-fast, from it on heavy-slow
# the moves told apart and the extras that hold their reps: swings (gravity sways), casts and mills
# (gravity turns right round), snatches (counted by their lockouts; the count is the larger of the
# cycles and the lockouts, so these need not add up to it)
MOVE_EXTRAS = (("swing", "reps_swing"), ("cast", "reps_cast"), ("snatch", "reps_snatch"))


class SwingDetector:
    """Counts reps of any swung implement; one event per rep."""

    def __init__(self):
        self.res = Resampler(_SLOT_MS)
        # (arrays made from a range, not a list of zeros: no temporary list; reset zeroes them)
        self.hist = array("i", range(3 * _RING))
        self.corr = array("i", range(_LAGS))
        self.moved = array("i", range(_RING))  # running total of how far h moved (in _MOVE_FRAMES, less
        # the noise), modulo _MOVED_MASK + 1: any window's motion is a difference of two entries
        self.load = array("i", range(_RING))  # |a| of each frame
        self.reset()

    def reset(self) -> None:
        self.res.reset()
        self.count = 0
        self.last_event_ms = 0
        self.period_sum = 0
        self.period_n = 0
        self.n_swing = 0
        self.n_cast = 0
        self.n_lock = 0
        self.lk_level = 0  # running mean of bottom-pass peaks (mg)
        self.lk_strong = 0  # bottom passes since the last lockout that pressed >= 3/4 of it
        self.lk_pass_t1 = -_LOCK_WITHIN_MS - 1  # the last two bottom passes' times
        self.lk_pass_t2 = -_LOCK_WITHIN_MS - 1
        self._restart()

    def _restart(self) -> None:
        """Forget the transient state (start, or after a gap in the data)."""
        for i in range(3 * _RING):
            self.hist[i] = 0
        for i in range(_LAGS):
            self.corr[i] = 0
        for i in range(_RING):
            self.moved[i] = 0
        self.h_i = 0
        self.frames = 0
        self.lk_in_high = False  # inside a bottom pass: its peak, when, and the direction it pressed
        self.lk_max = 0
        self.lk_max_t = 0
        self.lk_px = 0
        self.lk_py = 0
        self.lk_pz = 0
        self.lk_cx = 0  # the direction at the peak of the pass under way
        self.lk_cy = 0
        self.lk_cz = 0
        self.lk_start = -1  # when |a| settled near 1 g
        self.lk_x1 = 0  # the two frames before this one
        self.lk_y1 = 0
        self.lk_z1 = 0
        self.lk_x2 = 0
        self.lk_y2 = 0
        self.lk_z2 = 0
        self.mx = 0  # slow mean, scaled by 2^_MEAN_SHIFT
        self.my = 0
        self.mz = 0
        self.lag = 0  # the rep period in frames (0: none yet)
        self.periodic = False
        self.cxx = 0  # covariance of the comb output (mg^2 / 64), scaled by 2^_COV_SHIFT
        self.cyy = 0
        self.czz = 0
        self.cxy = 0
        self.cxz = 0
        self.cyz = 0
        self.ux = 0  # the comb output of one frame
        self.uy = 0
        self.uz = 0
        self.dx = _UNIT  # its dominant axis
        self.dy = 0
        self.dz = 0
        self.round_ = False  # the comb output fills two axes (gravity turns right round)
        self.level = 0  # recent half amplitude of p (mg)
        self.level_hi = 0  # recent peaks of p above and below 0 (mg)
        self.level_lo = 0
        self.cyc_max_done = 0
        self.cyc_min_done = 0
        self.state = 0  # p last beyond +hysteresis (1), -hysteresis (-1), or still (0)
        self.halves = 0  # crossings since p was last still
        self.cross_t1 = 0  # the last two crossings' times
        self.cross_t2 = 0
        self.still_t = 0  # when p was last beyond the hysteresis
        self.cyc_max = 0
        self.cyc_min = 0
        self.cyc_load = _NO_LOAD
        self.cyc_round = 0
        self.cyc_n = 0
        self.top_t = 0  # when p peaked in the cycle under way (the event's time)
        self.pend_t = -1  # the first cycle of a set, waiting for a second like it
        self.pend_dur = 0
        self.pend_round = False
        self.hold_t = -1  # a weak cycle inside a set, waiting to see whether the set goes on
        self.hold_dur = 0
        self.hold_round = False
        self.last_dur = 0  # the last counted cycle's length (0: no set under way)

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
            new += self._frame(end - _SLOT_MS // 2, res.x, res.y, res.z)
            end += _SLOT_MS
        return new

    @micropython.native
    def _frame(self, t: int, x: int, y: int, z: int) -> int:
        """One 40 ms frame centred at `t`: motion, autocorrelation, period, comb, axis, cycles."""
        if self.frames == 0:  # start the slow mean where the signal is
            self.mx = x << _MEAN_SHIFT
            self.my = y << _MEAN_SHIFT
            self.mz = z << _MEAN_SHIFT
        self.frames += 1
        new = self._lockouts(t, x, y, z)
        self.mx += x - (self.mx >> _MEAN_SHIFT)
        self.my += y - (self.my >> _MEAN_SHIFT)
        self.mz += z - (self.mz >> _MEAN_SHIFT)
        hx = x - (self.mx >> _MEAN_SHIFT)
        hy = y - (self.my >> _MEAN_SHIFT)
        hz = z - (self.mz >> _MEAN_SHIFT)
        hx = _CLAMP_MG if hx > _CLAMP_MG else (-_CLAMP_MG if hx < -_CLAMP_MG else hx)
        hy = _CLAMP_MG if hy > _CLAMP_MG else (-_CLAMP_MG if hy < -_CLAMP_MG else hy)
        hz = _CLAMP_MG if hz > _CLAMP_MG else (-_CLAMP_MG if hz < -_CLAMP_MG else hz)
        hist = self.hist
        i = self.h_i
        hist[3 * i] = hx
        hist[3 * i + 1] = hy
        hist[3 * i + 2] = hz
        self.h_i = i + 1 if i + 1 < _RING else 0
        k = i - _MOVE_FRAMES
        if k < 0:
            k += _RING
        k *= 3
        step = magnitude(hx - hist[k], hy - hist[k + 1], hz - hist[k + 2]) - _MOVE_NOISE_MG
        prev = i - 1 if i else _RING - 1
        self.moved[i] = (self.moved[prev] + (step if step > 0 else 0)) & _MOVED_MASK
        self.load[i] = magnitude(x, y, z)
        if self.frames & 1 == 0:  # autocorrelation: lags in steps of two frames, the even ones on
            corr = self.corr  # one update and the odd ones on the next (each every 160 ms)
            m = (self.frames >> 1) & 1
            k = 3 * (i - 2 * m)
            if k < 0:
                k += 3 * _RING
            while m < _LAGS:
                prod = (hx * hist[k] + hy * hist[k + 1] + hz * hist[k + 2]) >> 6
                corr[m] += (prod - corr[m]) >> _CORR_SHIFT
                k -= 12
                if k < 0:
                    k += 3 * _RING
                m += 2
            if self.frames & 15 == 0:  # the period every 640 ms
                self._period()
        if not self.lag:
            return new
        if self.frames & 3 == 1:  # the axis learns from the newest frame, every fourth one ...
            self._comb(i)
            self._learn(self.ux, self.uy, self.uz)
        return new + self._project(t - _LOOK * _SLOT_MS, i - _LOOK)  # ... and p is read _LOOK frames back

    @micropython.native
    def _comb(self, j: int) -> None:
        """u = h(j) - h(j - T/2) for frame j of the ring, into self.ux/uy/uz."""
        hist = self.hist
        if j < 0:
            j += _RING
        k = j - (self.lag >> 1)
        if k < 0:
            k += _RING
        j *= 3
        k *= 3
        self.ux = hist[j] - hist[k]
        self.uy = hist[j + 1] - hist[k + 1]
        self.uz = hist[j + 2] - hist[k + 2]

    @micropython.native
    def _project(self, t: int, j: int) -> int:
        """p: the comb output of frame j (centred at `t`) on the axis; on to the cycles."""
        self._comb(j)
        p = (self.ux * self.dx + self.uy * self.dy + self.uz * self.dz) >> 8
        # the comb echoes a motion for half a period after it stops (h(j - T/2) alone), and turns a
        # lone move (standing up with the club) into a lobe and its echo: p counts only while the
        # implement moves around frame j (from T/8 before to T/4 after)
        if j < 0:
            j += _RING
        ahead = self.h_i - 1 - j  # frames after j that have arrived
        if ahead < 0:
            ahead += _RING
        if ahead > self.lag >> 2:
            ahead = self.lag >> 2
        a = j - (self.lag >> 3)
        if a < 0:
            a += _RING
        b = j + ahead
        if b >= _RING:
            b -= _RING
        if (self.moved[b] - self.moved[a]) & _MOVED_MASK < _MOVING_MG * _MOVE_FRAMES:
            p = 0
        load = self.load[j]
        if load < self.cyc_load:  # the event: where the implement is least loaded (a swing's float)
            self.cyc_load = load
            self.top_t = t
        return self._cycles(t, p)

    @micropython.native
    def _period(self) -> None:
        """The rep period: the first autocorrelation peak near the highest; is the motion periodic?"""
        corr = self.corr
        best = 0
        for lag in range(_LAG_MIN, _LAGS):
            if corr[lag] > best:
                best = corr[lag]
        self.periodic = False
        if best <= 0:
            return
        bar = best * _PEAK_PCT // 100
        found = 0
        for lag in range(_LAG_MIN, _LAGS - 1):
            c = corr[lag]
            if c >= bar and c >= corr[lag - 1] and c >= corr[lag + 1]:
                found = lag
                break
        if not found:
            return
        self.lag = 2 * found  # in frames
        self.periodic = corr[found] * 100 >= corr[0] * _PERIODIC_PCT

    @micropython.native
    def _learn(self, ux: int, uy: int, uz: int) -> None:
        """Running covariance of the comb output and one power step towards its dominant axis."""
        self.cxx += ((ux * ux) >> 6) - (self.cxx >> _COV_SHIFT)
        self.cyy += ((uy * uy) >> 6) - (self.cyy >> _COV_SHIFT)
        self.czz += ((uz * uz) >> 6) - (self.czz >> _COV_SHIFT)
        self.cxy += ((ux * uy) >> 6) - (self.cxy >> _COV_SHIFT)
        self.cxz += ((ux * uz) >> 6) - (self.cxz >> _COV_SHIFT)
        self.cyz += ((uy * uz) >> 6) - (self.cyz >> _COV_SHIFT)
        cxx = self.cxx >> _COV_SHIFT
        cyy = self.cyy >> _COV_SHIFT
        czz = self.czz >> _COV_SHIFT
        cxy = self.cxy >> _COV_SHIFT
        cxz = self.cxz >> _COV_SHIFT
        cyz = self.cyz >> _COV_SHIFT
        dx = self.dx
        dy = self.dy
        dz = self.dz
        vx = (cxx * dx + cxy * dy + cxz * dz) >> 8
        vy = (cxy * dx + cyy * dy + cyz * dz) >> 8
        vz = (cxz * dx + cyz * dy + czz * dz) >> 8
        n = magnitude(vx, vy, vz)
        if n > 0:
            self.dx = vx * _UNIT // n
            self.dy = vy * _UNIT // n
            self.dz = vz * _UNIT // n
        # n is the first eigenvalue; what the trace holds beyond it is the second (and third) axis
        self.round_ = (cxx + cyy + czz - n) * 100 > n * _ROUND_PCT

    @micropython.native
    def _cycles(self, t: int, p: int) -> int:
        """Square p off with hysteresis; every two crossings make a cycle. Still p (inside the
        hysteresis for most of a rep) ends the set, and an odd crossing left over with it."""
        if p > self.cyc_max:
            self.cyc_max = p
        if p < self.cyc_min:
            self.cyc_min = p
        self.cyc_n += 1
        if self.round_:
            self.cyc_round += 1
        hi = self.level_hi * _THR_PCT // 100  # p is often lopsided (a sharp top, a broad bottom):
        if hi < _THR_MIN_MG:  # each side gets a hysteresis sized from its own recent peaks
            hi = _THR_MIN_MG
        lo = self.level_lo * _THR_PCT // 100
        if lo < _THR_MIN_MG:
            lo = _THR_MIN_MG
        if self.state == 0:  # a set's first crossing: higher, so handling before it does not shift the pairs
            hi = hi if hi > _START_MG else _START_MG
            lo = lo if lo > _START_MG else _START_MG
        side = 1 if p > hi else (-1 if p < -lo else 0)
        if side == 0:
            if (
                self.state
                and t - self.still_t > _STILL_MIN_MS
                and (t - self.still_t) * 4 > self.lag * _SLOT_MS * 3
            ):
                self._neutral()
            return 0
        self.still_t = t
        if side == self.state:
            return 0
        self.state = side
        self.halves += 1
        t2 = self.cross_t2
        self.cross_t2 = self.cross_t1
        self.cross_t1 = t
        if self.halves & 1:
            return 0
        # a set's first cycle may be lopsided (a hike, a dead start): take the period for its length
        dur = t - t2 if self.halves > 2 else self.lag * _SLOT_MS
        return self._cycle(t, dur)

    def _neutral(self) -> None:
        """p has stayed still: the motion stopped. The next crossing starts afresh."""
        self.state = 0
        self.hold_t = -1
        self.halves = 0
        self.cyc_max = 0
        self.cyc_min = 0
        self.cyc_load = _NO_LOAD
        self.cyc_round = 0
        self.cyc_n = 0

    def _cycle(self, t: int, dur: int) -> int:
        """Two crossings: a cycle. Is it a rep, and the first of a set?"""
        half = (self.cyc_max - self.cyc_min) >> 1
        self.cyc_max_done = self.cyc_max
        self.cyc_min_done = -self.cyc_min
        round_ = self.cyc_round * 2 > self.cyc_n
        event = self.top_t
        self.cyc_max = 0
        self.cyc_min = 0
        self.cyc_load = _NO_LOAD
        self.cyc_round = 0
        self.cyc_n = 0
        level = self.level
        self.level = level + ((half - level) >> 2) if level else half
        top = self.cyc_max_done
        bottom = self.cyc_min_done
        level_hi = self.level_hi
        level_lo = self.level_lo
        self.level_hi = level_hi + ((top - level_hi) >> 2) if level_hi else top
        self.level_lo = level_lo + ((bottom - level_lo) >> 2) if level_lo else bottom
        in_set = self.last_dur > 0
        like = _LIKE_PCT if in_set else _START_LIKE_PCT
        if (
            not self.periodic
            or dur < _PERIOD_MIN_MS
            or dur > _PERIOD_MAX_MS
            or not _like(dur, self.lag * _SLOT_MS, like)
            or half < _AMP_MIN_MG
            or half * 100 < level * _AMP_KEEP_PCT
        ):
            self.last_dur = 0
            self.pend_t = -1
            self.hold_t = -1
            return 0
        if in_set and _like(dur, self.last_dur, _LIKE_PCT):
            self.last_dur = dur
            weak = top * 100 < level_hi * _FULL_PCT or bottom * 100 < level_lo * _FULL_PCT
            if weak and self.hold_t < 0:  # a lobe fell short: the swing-through after the last rep?
                self.hold_t = event  # it counts if the set goes on
                self.hold_dur = dur
                self.hold_round = round_
                return 0
            n = 0
            if self.hold_t >= 0:
                n = self._count(self.hold_t, self.hold_dur, self.hold_round)
                self.hold_t = -1
            return n + self._count(event, dur, round_)
        pend = self.pend_t
        if pend >= 0 and _like(dur, self.pend_dur, _START_LIKE_PCT):
            self.pend_t = -1
            self.last_dur = dur
            n = self._count(pend, self.pend_dur, self.pend_round)
            return n + self._count(event, dur, round_)
        self.pend_t = event  # the first cycle of what may be a set
        self.pend_dur = dur
        self.pend_round = round_
        self.last_dur = 0
        return 0

    def _count(self, t_event: int, dur: int, round_: bool) -> int:
        """A rep from the cycles."""
        if dur:
            self.period_sum += dur
            self.period_n += 1
        if round_:
            self.n_cast += 1
        else:
            self.n_swing += 1
        return self._report(t_event)

    def _report(self, t_event: int) -> int:
        """The count is what the cycles or the snatch lockouts found, whichever is more."""
        total = self.n_swing + self.n_cast
        if self.n_lock > total:
            total = self.n_lock
        if total <= self.count:
            return 0
        new = total - self.count
        self.count = total
        self.last_event_ms = t_event
        return new

    @micropython.native
    def _lockouts(self, t: int, x: int, y: int, z: int) -> int:
        """Snatch reps, by their overhead lockout: |a| held at 1 g +-0.3 g for 300 ms soon after two
        hard bottom passes (backswing and pull), gravity at least ~37 deg away from the direction
        the passes pressed (not a bell hanging at rest). A snatch's hold breaks the cycle's rhythm,
        so the lockouts count it instead when they find more."""
        mag = magnitude(x, y, z)
        high = self.lk_level >> 1
        if high < _HIGH_MIN_MG:
            high = _HIGH_MIN_MG
        if self.lk_in_high:
            if mag > self.lk_max:
                self.lk_max = mag
                self.lk_max_t = t
                self.lk_cx = x
                self.lk_cy = y
                self.lk_cz = z
            elif mag * 100 < high * _HIGH_EXIT_PCT:
                self.lk_in_high = False
                peak = self.lk_max
                if peak * 4 >= self.lk_level * 3:  # a hard pass: keep the direction it pressed
                    self.lk_strong += 1
                    self.lk_px = self.lk_cx
                    self.lk_py = self.lk_cy
                    self.lk_pz = self.lk_cz
                self.lk_level = self.lk_level + ((peak - self.lk_level) >> 2) if self.lk_level else peak
                self.lk_pass_t2 = self.lk_pass_t1
                self.lk_pass_t1 = self.lk_max_t
        elif mag > high:
            self.lk_in_high = True
            self.lk_max = mag
            self.lk_max_t = t
            self.lk_cx = x
            self.lk_cy = y
            self.lk_cz = z
        # the hold is judged on a 120 ms mean (this frame and the two before)
        gx = x + self.lk_x1 + self.lk_x2
        gy = y + self.lk_y1 + self.lk_y2
        gz = z + self.lk_z1 + self.lk_z2
        self.lk_x2 = self.lk_x1
        self.lk_y2 = self.lk_y1
        self.lk_z2 = self.lk_z1
        self.lk_x1 = x
        self.lk_y1 = y
        self.lk_z1 = z
        gx //= 3
        gy //= 3
        gz //= 3
        held = magnitude(gx, gy, gz)
        if self.lk_in_high or held < _LOCK_LO_MG or held > _LOCK_HI_MG:
            self.lk_start = -1
            return 0
        if self.lk_start < 0:
            self.lk_start = t
            return 0
        if t - self.lk_start < _LOCK_MS or self.lk_strong < 2:
            return 0
        if (
            self.lk_start - self.lk_pass_t1 > _LOCK_WITHIN_MS
            or self.lk_pass_t1 - self.lk_pass_t2 > _BACKSWING_MAX_MS
        ):
            return 0
        dot = gx * self.lk_px + gy * self.lk_py + gz * self.lk_pz
        if dot * 5 >= _LOCK_COS_X5 * held * magnitude(self.lk_px, self.lk_py, self.lk_pz):
            return 0
        self.lk_strong = 0
        self.n_lock += 1
        return self._report(self.lk_start)

    def flush(self, t_ms: int) -> int:
        """End of session: run the comb over the frames it had not reached yet (it works _LOOK
        frames in the past), so a last rep ending just before the stop counts."""
        if not self.lag or self.frames <= _LOOK:
            return 0
        new = 0
        t = self.res.slot_end - _SLOT_MS - _SLOT_MS // 2 - (_LOOK - 1) * _SLOT_MS
        i = self.h_i - _LOOK
        for _ in range(_LOOK):
            new += self._project(t, i)
            i += 1
            t += _SLOT_MS
        return new

    def extras(self) -> dict:
        """Mean rep period (ms), the tempo class derived from it, and the reps of each move."""
        mean = self.period_sum // self.period_n if self.period_n else 0
        if not mean:
            tempo = TEMPO_UNKNOWN
        elif mean < TEMPO_SPLIT_MS:
            tempo = TEMPO_LIGHT_FAST
        else:
            tempo = TEMPO_HEAVY_SLOW
        return {
            "mean_period_ms": mean,
            "tempo": tempo,
            "reps_swing": self.n_swing,
            "reps_cast": self.n_cast,
            "reps_snatch": self.n_lock,
        }


def _like(a: int, b: int, pct: int) -> bool:
    """Two durations agree: the shorter is at least `pct` % of the longer."""
    return a * 100 >= b * pct and b * 100 >= a * pct
