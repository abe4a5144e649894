"""Step counter for (power) walking, device in hand, on the wrist, upper arm, pocket, bag or neck pouch.

Every placement feels a jolt at each foot strike in the acceleration *magnitude* (orientation
free), so: resample to 20 ms slots, |a| by warm-started integer Newton, remove gravity with a slow
baseline, smooth (two 80 ms one-pole stages), and pick peaks above an adaptive threshold (a
fraction of the recent mean |signal|). Peaks closer than a minimum step interval are merged.
At 12.5 Hz most impacts fall between samples; the rhythm logic below carries the count.

Walking is a rhythm, fidgeting is not: peaks only count once `_START_STEPS` of them arrived with
regular strides (two steps, so a pocket on one leg with alternating intervals still qualifies) at
60 steps/min or faster. Then the whole run is credited late with its own times (queued, released
one per `feed`; `flush` reports what is left at the last queued time), and every following peak
counts while the rhythm holds; peaks missing inside the rhythm (an interval of 2-3 periods) are
credited at interpolated times. A pause or a broken rhythm ends the walk.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import Resampler

_SLOT_MS = const(20)
_BASE_SHIFT = const(6)  # gravity baseline: one-pole, tau = 64 slots = 1.3 s
_SMOOTH_SHIFT = const(2)  # two one-pole smoothers, tau = 4 slots = 80 ms each
_FIX = const(16)  # fixed-point scale of the filter states
_MIN_PEAK_MG = const(40)  # threshold floor: below this a "peak" is sensor noise or tremor
_THRESH_Q8 = const(96)  # peak threshold: 3/8 of the recent mean |signal| (robust to odd big jolts)
_AMP_SHIFT = const(6)  # recent mean |signal|: one-pole, tau = 64 slots = 1.3 s
_MIN_STEP_MS = const(250)  # faster than 4 steps/s is not walking
_MAX_STEP_MS = const(2000)  # slower than one step per 2 s is standing
_MAX_START_MS = const(1000)  # a walk starts at 60 steps/min or faster
_MERGE_Q8 = const(140)  # peaks closer than 55 % of the walking period belong to one step
_REG_Q8 = const(48)  # a regular stride (two steps) is within 19 % of the previous one
_LATE_Q8 = const(410)  # interval up to 1.6 periods: the next step
_MISSED_Q8 = const(870)  # up to 3.4 periods: one or two steps were missed, credit them
_START_STEPS = const(5)  # regular peaks needed before a walk counts
_QUEUE = const(16)  # confirmed steps waiting to be reported


class StepDetector:
    """Counts foot strikes; `extras()` gives cadence (steps/min) and walking time."""

    def __init__(self):
        self._rs = Resampler(_SLOT_MS)
        self._pending = array("i", [0] * _START_STEPS)
        self._queue = array("i", [0] * _QUEUE)
        self.reset()

    def reset(self) -> None:
        self._rs.reset()
        self.count = 0
        self.last_event_ms = 0
        self._q_head = 0
        self._q_len = 0
        self._period = 0  # ms per step while walking
        self._set_walking(False)
        self._last_step = -1  # time of the last committed peak
        self._pend_len = 0
        self._walk_ms = 0
        self._restart_filter()

    def _restart_filter(self) -> None:
        """Forget the signal history (start, or after a sensor gap); keeps counts and the walk state."""
        self._mag = 0
        self._base = 0
        self._s1 = 0
        self._s2 = 0
        self._amp = 0  # recent mean |signal|, x _FIX
        self._above = False
        self._peak = 0
        self._peak_t = 0
        self._cand_t = -1  # a peak waiting out the merge window
        self._cand_h = 0

    @micropython.native
    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        rs = self._rs
        done = rs.push(t_ms, x, y, z)
        if done:
            if rs.gap:
                self._restart_filter()
            end = rs.slot_end - done * _SLOT_MS
            for i in range(done):
                self._slot(end + i * _SLOT_MS - _SLOT_MS // 2, rs.x, rs.y, rs.z)
        if self._q_len:
            return self._release()
        return 0

    def flush(self, t_ms: int) -> int:
        if self._cand_t >= 0:
            self._commit(self._cand_t)
            self._cand_t = -1
        n = self._q_len
        if n:
            self.last_event_ms = self._queue[(self._q_head + n - 1) % _QUEUE]
            self.count += n
            self._q_len = 0
        return n

    def extras(self) -> dict:
        return {
            "cadence_spm": 60000 // self._period if self._period else 0,
            "walking_s": self._walk_ms // 1000,
        }

    def _release(self) -> int:
        """Report one queued step (confirmed steps may lie in the past)."""
        self.last_event_ms = self._queue[self._q_head]
        self._q_head = (self._q_head + 1) % _QUEUE
        self._q_len -= 1
        self.count += 1
        return 1

    def _emit(self, t: int) -> None:
        if self._q_len < _QUEUE:
            self._queue[(self._q_head + self._q_len) % _QUEUE] = t
            self._q_len += 1

    @micropython.native
    def _slot(self, t: int, x: int, y: int, z: int) -> None:
        # |a| by two Newton steps from the previous slot's value: exact enough, no loop
        sq = x * x + y * y + z * z
        m = self._mag
        if m <= 0:
            m = 1000
        m = (m + sq // m) >> 1
        if m <= 0:
            m = 1
        m = (m + sq // m) >> 1
        if m <= 0:
            m = 1
        if self._mag <= 0:
            self._base = m * _FIX
        self._mag = m
        m *= _FIX
        base = self._base
        base += (m - base) >> _BASE_SHIFT
        self._base = base
        s1 = self._s1
        s1 += (m - base - s1) >> _SMOOTH_SHIFT
        self._s1 = s1
        f = self._s2
        f += (s1 - f) >> _SMOOTH_SHIFT
        self._s2 = f
        amp = self._amp
        amp += ((f if f > 0 else -f) - amp) >> _AMP_SHIFT
        self._amp = amp
        # a peak whose merge window has passed is committed
        ct = self._cand_t
        if ct >= 0 and t - ct >= self._merge_ms:
            self._cand_t = -1
            self._commit(ct)
        if self._above:
            if f > self._peak:
                self._peak = f
                self._peak_t = t
            elif f < 0:
                self._above = False
                self._candidate(self._peak_t, self._peak)
        else:
            th = (amp * _THRESH_Q8) >> 8
            if th < _MIN_PEAK_MG * _FIX:
                th = _MIN_PEAK_MG * _FIX
            if f > th:
                self._above = True
                self._peak = f
                self._peak_t = t

    def _set_walking(self, walking: bool) -> None:
        """Enter or leave the walking state; the merge window follows the walking period."""
        self.walking = walking
        w = (self._period * _MERGE_Q8) >> 8
        self._merge_ms = w if walking and w > _MIN_STEP_MS else _MIN_STEP_MS

    def _candidate(self, t: int, h: int) -> None:
        if self._cand_t >= 0:  # inside the merge window: keep the bigger peak
            if h > self._cand_h:
                self._cand_t = t
                self._cand_h = h
            return
        self._cand_t = t
        self._cand_h = h

    def _commit(self, t: int) -> None:
        """One peak that is a step if it fits the walking rhythm."""
        d = t - self._last_step
        first = self._last_step < 0
        self._last_step = t
        if self.walking:
            p = self._period
            if d <= (p * _LATE_Q8) >> 8:
                self._period = p + ((d - p) >> 2)
                self._set_walking(True)
                self._walk_ms += d
                self._emit(t)
                return
            if d <= (p * _MISSED_Q8) >> 8 and d <= _MAX_STEP_MS:
                self._walk_ms += d
                k = (2 * d + p) // (2 * p)  # steps in d, rounded: the missed ones are spread evenly
                for i in range(1, k + 1):
                    self._emit(t - d + d * i // k)
                return
            self._set_walking(False)
            self._pend_len = 0
        pend = self._pending
        n = self._pend_len
        if first or n == 0 or d > _MAX_START_MS or d < _MIN_STEP_MS:
            pend[0] = t
            self._pend_len = 1
            return
        if n >= 3:  # strides (two steps) must repeat: a pocket on one leg makes the steps alternate
            prev = pend[n - 1] - pend[n - 3]
            diff = t - pend[n - 2] - prev
            if diff < 0:
                diff = -diff
            if diff * 256 > prev * _REG_Q8:  # irregular: restart the run from the last two peaks
                pend[0] = pend[n - 1]
                pend[1] = t
                self._pend_len = 2
                return
        pend[n] = t
        n += 1
        if n < _START_STEPS:
            self._pend_len = n
            return
        self._period = (pend[n - 1] - pend[0]) // (n - 1)
        self._set_walking(True)
        self._walk_ms += pend[n - 1] - pend[0]
        for i in range(n):
            self._emit(pend[i])
        self._pend_len = 0
