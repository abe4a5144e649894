"""Step counter for (power) walking, device in hand, on the wrist, upper arm, pocket, bag or neck pouch.

Every placement feels a jolt at each foot strike in the acceleration *magnitude* (orientation
free), so: resample to 20 ms slots, |a| by warm-started integer Newton, remove gravity with a slow
baseline, smooth (two 80 ms one-pole stages), and pick peaks above an adaptive threshold (a
fraction of the recent peak height). Peaks closer than a minimum step interval are merged.

Walking is a rhythm, fidgeting is not: peaks only count once `_START_STEPS` of them arrived at
regular intervals. Then the whole run is credited late with its own times (queued and released one
per `feed`), and every following peak counts while the rhythm holds; one missing peak inside the
rhythm (interval ~2 periods) is credited too. A pause or a broken rhythm ends the walk.
"""

from array import array

from micropython import const

from fascia.detect.filters import Resampler

_SLOT_MS = const(20)
_BASE_SHIFT = const(6)  # gravity baseline: one-pole, tau = 64 slots = 1.3 s
_SMOOTH_SHIFT = const(2)  # two one-pole smoothers, tau = 4 slots = 80 ms each
_FIX = const(16)  # fixed-point scale of the filter states
_MIN_PEAK_MG = const(40)  # threshold floor: below this a "peak" is sensor noise or tremor
_THRESH_Q8 = const(256)  # peak threshold, x/256 of the recent mean |signal|
_AMP_SHIFT = const(6)  # recent mean |signal|: one-pole, tau = 64 slots = 1.3 s
_MIN_STEP_MS = const(250)  # faster than 4 steps/s is not walking
_MAX_STEP_MS = const(2000)  # slower than one step per 2 s is standing
_MERGE_Q8 = const(140)  # peaks closer than 55 % of the walking period belong to one step
_REG_Q8 = const(64)  # a regular stride is within 25 % of the previous one
_LATE_Q8 = const(410)  # interval up to 1.6 periods: the next step
_MISSED_Q8 = const(666)  # up to 2.6 periods: one step was missed, credit it
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
        self.walking = False
        self._period = 0  # ms per step while walking
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

    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        rs = self._rs
        done = rs.push(t_ms, x, y, z)
        if done:
            if rs.gap:
                self._restart_filter()
            end = rs.slot_end - done * _SLOT_MS
            for i in range(done):
                self._slot(end + i * _SLOT_MS - _SLOT_MS // 2, rs.x, rs.y, rs.z)
        return self._release()

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
        if not self._q_len:
            return 0
        self.last_event_ms = self._queue[self._q_head]
        self._q_head = (self._q_head + 1) % _QUEUE
        self._q_len -= 1
        self.count += 1
        return 1

    def _emit(self, t: int) -> None:
        if self._q_len < _QUEUE:
            self._queue[(self._q_head + self._q_len) % _QUEUE] = t
            self._q_len += 1

    def _slot(self, t: int, x: int, y: int, z: int) -> None:
        # |a| by two Newton steps from the previous slot's value: exact enough, no loop
        s = x * x + y * y + z * z
        m = self._mag
        if m <= 0:
            m = 1000
            self._base = 0
        m = (m + s // m) >> 1
        if m <= 0:
            m = 1
        m = (m + s // m) >> 1
        if m <= 0:
            m = 1
        self._mag = m
        if not self._base:
            self._base = m * _FIX
        self._base += (m * _FIX - self._base) >> _BASE_SHIFT
        self._s1 += (m * _FIX - self._base - self._s1) >> _SMOOTH_SHIFT
        self._s2 += (self._s1 - self._s2) >> _SMOOTH_SHIFT
        f = self._s2
        self._amp += ((f if f > 0 else -f) - self._amp) >> _AMP_SHIFT
        # a step whose merge window has passed is committed
        ct = self._cand_t
        if ct >= 0 and t - ct >= self._merge_ms():
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
            th = (self._amp * _THRESH_Q8) >> 8
            if th < _MIN_PEAK_MG * _FIX:
                th = _MIN_PEAK_MG * _FIX
            if f > th:
                self._above = True
                self._peak = f
                self._peak_t = t

    def _merge_ms(self) -> int:
        if self.walking:
            w = (self._period * _MERGE_Q8) >> 8
            if w > _MIN_STEP_MS:
                return w
        return _MIN_STEP_MS

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
                self._walk_ms += d
                self._emit(t)
                return
            if d <= (p * _MISSED_Q8) >> 8 and d <= _MAX_STEP_MS:
                self._walk_ms += d
                self._emit(t - d // 2)
                self._emit(t)
                return
            self.walking = False
            self._pend_len = 0
        pend = self._pending
        n = self._pend_len
        if first or n == 0 or d > _MAX_STEP_MS or d < _MIN_STEP_MS:
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
        self.walking = True
        self._period = (pend[n - 1] - pend[0]) // (n - 1)
        self._walk_ms += pend[n - 1] - pend[0]
        for i in range(n):
            self._emit(pend[i])
        self._pend_len = 0
