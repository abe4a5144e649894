"""Step counter for (power) walking: sensor on the wrist, in the hand, upper arm, pocket, bag or neck pouch.

Orientation free: everything starts from the acceleration magnitude |a| (resampled to 40 ms slots,
"ticks"; |a| by warm-started integer Newton, gravity removed with a slow baseline, two ~80 ms
one-pole smoothers).

Walking is a rhythm, so the counter follows the *period* of that signal rather than its peaks:
a running (exponentially windowed, tau 2.6 s) autocorrelation over lags of 0.28-2.0 s gives the
signal's fundamental period P, the smallest lag with a strong, clear maximum. On the wrist the arm
swings once per stride (two steps) and often dominates |a|; in a pocket one leg does the same; in a
hand or on the trunk every foot strike shows. So P is a step when shorter than `_STRIDE_MIN_MS`
(walking strides are never that short), a stride (two steps) when longer, and two strides when
longer than `_STRIDES_MIN_MS` (at 12.5 Hz a stride of exactly 12.5 samples repeats only every other
stride). Walking slower than ~75 steps/min is therefore not counted right. This works at 12.5 Hz,
where heel strikes fall between samples but the swing does not.

A walk starts once the period has held within 12.5 % for `_LOCK` evaluations (every 240 ms) with a
clearly periodic signal (normalised autocorrelation >= `_RHO_ON_Q8`/256) that is strong enough
(>= `_MIN_RMS_MG`): vehicle vibration is too weak or too irregular. Its steps are held back until
the rhythm has lasted `_CONFIRM_MS` (desk work and gestures rarely stay rhythmic that long; a walk
that stopped less than `_RESUME_MS` ago resumes at once), then credited with their own times back
to where the tick history stops repeating itself. While walking, a phase accumulator emits one step
per period, pulled towards the signal's peaks so that event times sit on the steps, and the period
follows the repeat lag (or twice or half of it); the walk ends as soon as the motion stops (a gate
on the signal's change per tick: a baseline settling after a stop barely changes) or the rhythm is
lost (at the lag, in a 0.64 s window, or in the long one).

Power walking (`extras()`): `arm_swing` is the mean over walking time of the RMS of the dynamic
acceleration vector (each axis minus its own 1.3 s baseline, 80 ms smoothed; the sum of the three
variances, so orientation free), in milli-g: the arm swing, plus the body's bounce, as felt where
the sensor is. `brisk_minutes` counts whole minutes walked at a cadence >= `brisk_spm` with
`arm_swing` >= `brisk_swing_mg`. Cadence thresholds after Tudor-Locke et al., "Walking cadence
(steps/min) and intensity in 21-40 year olds: CADENCE-adults", IJBNPA 2019: ~100 steps/min is
moderate (3 METs), ~130 vigorous (6 METs); 120 steps/min (~4.5-5 METs, a brisk 5-6 km/h) is the
default, between the two; both are user settings (config.json `brisk_spm`, `brisk_swing_mg`).
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import Resampler

_TICK_MS = const(40)  # the resampler's slot: one tick
_BASE_SHIFT = const(5)  # gravity baseline: one-pole, tau = 32 ticks = 1.3 s
_SMOOTH_SHIFT = const(1)  # two one-pole smoothers, tau ~ 2 ticks = 80 ms each
_FIX = const(16)  # fixed-point scale of the filter states
_CLIP_MG = const(1000)  # ticks are clipped here: products stay small ints
_HIST = const(128)  # tick history (5.1 s), a power of two
_K_MIN = const(7)  # shortest lag: 0.28 s (214 steps/min)
_K_MAX = const(50)  # longest lag: 2.0 s (a 60 steps/min stride, two 120 steps/min strides)
_AC_SHIFT = const(5)  # autocorrelation window, updated every other tick: tau = 64 ticks = 2.6 s
_AXIS_BASE_SHIFT = const(5)  # per-axis gravity baseline: tau = 32 ticks = 1.3 s
_AXIS_SMOOTH_SHIFT = const(1)  # per-axis smoother: tau = 2 ticks = 80 ms
_SWING_SHIFT = const(6)  # dynamic power average: tau = 64 ticks = 2.6 s
_FAST_SHIFT = const(3)  # fast amplitude gate: tau = 8 ticks = 0.32 s
_EVAL_TICKS = const(6)  # the period is re-estimated every 240 ms
_CLEAR_Q8 = const(154)  # a candidate lag's maximum must reach 60 % of the largest one
_HALF_Q8 = const(90)  # ... or 35 % of it at half its lag
_RHO_ON_Q8 = const(115)  # periodic enough to start a walk: normalised autocorrelation >= 0.45
_RHO_OFF_Q8 = const(77)  # ... and to keep walking: >= 0.3
_MIN_RMS_MG = const(30)  # weaker than this is vibration, not a walking body
_MIN_DYN_MG = const(70)  # ... and a walk starts only if the sensor itself moves this much (3-D RMS)
_HARD_RMS_MG = const(200)  # this strong (a pocket's or bag's jolts, sampled slowly) ...
_RHO_HARD_Q8 = const(77)  # ... starts a walk at a lower periodicity, >= 0.3
_GATE_MG = const(4)  # fast mean |change| per tick below this: standing still
_STRIDE_MIN_MS = const(750)  # a period longer than this is a stride (two steps)
_STRIDES_MIN_MS = const(1600)  # ... and longer than this two strides (a sampled signal may alternate)
_MIN_STEP_MS = const(375)  # a walk starts at 160 steps/min or slower (faster is running)
_MAX_STEP_MS = const(1100)  # 55 steps/min: slower is not walking
_LOCK = const(3)  # consistent period estimates before a walk starts
_SHORT_SHIFT = const(4)  # the rhythm right now: correlation at the walk's lag, tau = 16 ticks = 0.64 s
_KEEP_Q8 = const(38)  # ... a walk ends when it stays below 0.15 of the power
_WEAK = const(2)  # ... for this many evaluations
_BLOCK_Q8 = const(102)  # a stretch of history is part of the walk if it correlates >= 0.4 with the one before
_LOST = const(4)  # evaluations without the rhythm before a walk ends
_CREDIT_MS = const(8000)  # the start of a walk is credited back at most this far
_PHASE = const(1024)  # one step of the phase accumulator
_CONFIRM_MS = const(10000)  # a walk's steps are held back until its rhythm lasted this long
_BRIDGE_MS = const(3000)  # ... a pause this short in the rhythm keeps them (and its time) waiting
_RESUME_MS = const(20000)  # a walk that stopped this recently resumes without a new confirmation
_RECALL_MS = const(60000)  # ... and its period decides between a step and a stride this long
_QUEUE = const(72)  # steps waiting to be reported (held ones included)
BRISK_SPM = const(120)  # default brisk cadence, steps/min (see the docstring)
BRISK_SWING_MG = const(500)  # default vigorous arm swing, milli-g RMS


class StepDetector:
    """Counts steps; `extras()` gives cadence, walking time, brisk minutes and the arm swing."""

    def __init__(self):
        self._rs = Resampler(_TICK_MS)
        self._hist = array("i", [0] * (2 * _HIST))
        self._ac = array("i", [0] * (_K_MAX + 2))
        self._queue = array("i", [0] * _QUEUE)
        self.brisk_spm = BRISK_SPM
        self.brisk_swing_mg = BRISK_SWING_MG
        self.reset()

    def reset(self) -> None:
        self._rs.reset()
        self.count = 0
        self.last_event_ms = 0
        self._q_head = 0
        self._q_len = 0
        self._held = 0  # the last queued steps belong to a walk not yet confirmed
        self._confirming = False  # the current (or paused) walk is not confirmed yet
        self._walk_kept = 0  # walking time before the unconfirmed walk
        self._paused_at = 0  # when the unconfirmed walk lost its rhythm
        self._paused_period = 1
        self._ended_at = -_RESUME_MS - 1  # when the last confirmed walk ended
        self._ended_period = 1
        self._last_tick = 0
        self._last_t = -_CREDIT_MS  # the last step counted
        self._period = 0  # ms per step while walking
        self.walking = False
        self._walk_ms = 0
        self._brisk_ms = 0
        self._swing_sum = 0  # sum of the arm-swing RMS over evaluations while walking
        self._swing_n = 0
        self._restart_filter()

    def _restart_filter(self) -> None:
        """Forget the signal history (start, or after a sensor gap); keeps the counts."""
        self._stop()
        self._mag = 0
        self._base = 0
        self._s1 = 0
        self._s2 = 0
        self._bx = self._by = self._bz = 0
        self._dx = self._dy = self._dz = 0
        self._dyn = 0  # dynamic acceleration power, mg^2
        self._swing = 0  # its square root, mg
        self._even = False
        hist = self._hist
        for i in range(2 * _HIST):
            hist[i] = 0
        ac = self._ac
        for i in range(_K_MAX + 2):
            ac[i] = 0
        self._pos = 0
        self._r0 = 0
        self._fast = 0  # mean |tick| x _FIX, fast
        self._motion = 0  # mean |change per tick| x _FIX, fast
        self._prev = 0
        self._prev2 = 0
        self._ticks = 0
        self._onset = -1  # when the motion began (the fast gate opened)

    def _stop(self) -> None:
        if self.walking and self._confirming:  # its steps wait `_BRIDGE_MS` for the rhythm to return
            self._paused_at = self._last_tick
            self._paused_period = self._period
        elif self.walking:  # a confirmed walk: the same rhythm soon again resumes it
            self._ended_at = self._last_tick
            self._ended_period = self._period
        self.walking = False
        self._lock = 0
        self._lost = 0
        self._weak = 0  # evaluations in a row with a weak rhythm right now
        self._cand = 0  # the last period estimate, ms per step
        self._lag = 0  # the lag at which the walk's signal repeats, ticks
        self._n = 0  # steps in that lag: 1, 2 (a stride) or 4
        self._cs = 0  # correlation at that lag, short window
        self._ps = 0  # power, short window
        self._phase = 0

    @micropython.native
    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        rs = self._rs
        done = rs.push(t_ms, x, y, z)
        if done:
            if rs.gap:
                self._restart_filter()
            end = rs.slot_end - done * _TICK_MS
            for i in range(done):
                self._slot(end + i * _TICK_MS - _TICK_MS // 2, rs.x, rs.y, rs.z)
        if self._q_len > self._held:
            return self._release()
        return 0

    def flush(self, t_ms: int) -> int:
        n = self._q_len - self._held  # a walk still unconfirmed at the end is not counted
        if n:
            self.last_event_ms = self._queue[(self._q_head + n - 1) % _QUEUE]
            self.count += n
            self._q_len = 0
        return n

    def extras(self) -> dict:
        return {
            "cadence_spm": 60000 // self._period if self._period else 0,
            "walking_s": self._walk_ms // 1000,
            "brisk_minutes": self._brisk_ms // 60000,
            "arm_swing": self._swing_sum // self._swing_n if self._swing_n else 0,
        }

    def _drop(self) -> None:
        """The unconfirmed walk's rhythm did not last: it was not a walk."""
        self._q_len -= self._held
        self._walk_ms = self._walk_kept
        self._held = 0
        self._confirming = False

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
            self._last_t = t
            if self._confirming:
                self._held += 1

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
        first = self._mag <= 0
        if first:
            self._base = m * _FIX
            self._bx = x * _FIX
            self._by = y * _FIX
            self._bz = z * _FIX
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
        # each axis minus its own baseline, smoothed (per tick): the dynamic acceleration vector
        b = self._bx
        b += (x * _FIX - b) >> _AXIS_BASE_SHIFT
        self._bx = b
        self._dx += (x * _FIX - b - self._dx) >> _AXIS_SMOOTH_SHIFT
        b = self._by
        b += (y * _FIX - b) >> _AXIS_BASE_SHIFT
        self._by = b
        self._dy += (y * _FIX - b - self._dy) >> _AXIS_SMOOTH_SHIFT
        b = self._bz
        b += (z * _FIX - b) >> _AXIS_BASE_SHIFT
        self._bz = b
        self._dz += (z * _FIX - b - self._dz) >> _AXIS_SMOOTH_SHIFT
        v = f // _FIX
        if v > _CLIP_MG:
            v = _CLIP_MG
        elif v < -_CLIP_MG:
            v = -_CLIP_MG
        self._tick(t, v)

    @micropython.native
    def _tick(self, t: int, v: int) -> None:
        """One 40 ms tick: autocorrelation, gates, the phase of the walk."""
        self._last_tick = t
        hist = self._hist
        pos = self._pos
        hist[pos] = v
        hist[pos + _HIST] = v  # twice: hist[pos + _HIST - k] is tick -k without wrapping
        self._even = not self._even
        if self._even:  # every other tick is enough for the averages (half the cost, same lags)
            ac = self._ac
            top = pos + _HIST
            for k in range(_K_MIN - 1, _K_MAX + 2):
                r = ac[k]
                ac[k] = r + ((v * hist[top - k] - r) >> _AC_SHIFT)
            self._r0 += (v * v - self._r0) >> _AC_SHIFT
        self._pos = (pos + 1) & (_HIST - 1)
        dx = self._dx // _FIX
        dy = self._dy // _FIX
        dz = self._dz // _FIX
        self._dyn += (dx * dx + dy * dy + dz * dz - self._dyn) >> _SWING_SHIFT
        fast = self._fast
        fast += ((v if v > 0 else -v) * _FIX - fast) >> _FAST_SHIFT
        self._fast = fast
        d = v - self._prev  # the signal's change per tick: a baseline settling after a stop barely moves
        motion = self._motion
        motion += ((d if d > 0 else -d) * _FIX - motion) >> _FAST_SHIFT
        self._motion = motion
        moving = motion >= _GATE_MG * _FIX
        if not moving:
            self._onset = -1
            if self.walking:
                self._stop()
        elif self._onset < 0:
            self._onset = t
        # a local maximum of the signal one tick ago: pull the step phase towards it
        p1 = self._prev
        if self.walking and p1 > self._prev2 and p1 >= v and p1 * _FIX > fast:
            ph = self._phase
            if ph < _PHASE // 2:
                self._phase = ph - (ph >> 2)
            else:
                self._phase = ph + ((_PHASE - ph) >> 2)
        self._prev2 = p1
        self._prev = v
        if self._confirming and not self.walking and t - self._paused_at > _BRIDGE_MS:
            self._drop()
        if self.walking:
            self._cs += (v * hist[pos + _HIST - self._lag] - self._cs) >> _SHORT_SHIFT
            self._ps += (v * v - self._ps) >> _SHORT_SHIFT
            if self._confirming and self._walk_ms - self._walk_kept >= _CONFIRM_MS:
                self._confirming = False
                self._held = 0
            self._walk_ms += _TICK_MS
            ph = self._phase + _TICK_MS * _PHASE // self._period
            if ph >= _PHASE:
                ph -= _PHASE
                self._emit(t)
            self._phase = ph
        self._ticks += 1
        if self._ticks >= _EVAL_TICKS:
            self._ticks = 0
            self._evaluate(t, moving)

    def _evaluate(self, t: int, moving: bool) -> None:
        """Re-estimate the period; start, keep or end the walk."""
        ac = self._ac
        r0 = self._r0
        strong = moving and r0 >= _MIN_RMS_MG * _MIN_RMS_MG
        if self.walking:
            self._tick_swing()
            if self._cs * 256 < _KEEP_Q8 * self._ps:
                self._weak += 1
            else:
                self._weak = 0
            if not strong or self._weak >= _WEAK:  # the motion or the rhythm stopped
                self._stop()
                return
            # track the repeat near where it was (the largest correlation within +-25 %), or at twice
            # or half that lag if the signal now repeats there
            lag = self._lag
            n = self._n
            k = self._peak_near(lag - (lag >> 2), lag + (lag >> 2))
            if not (k and ac[k] * 256 >= _RHO_OFF_Q8 * r0):
                k = self._peak_near(2 * lag - (lag >> 1), 2 * lag + (lag >> 1))
                n *= 2
                if not (k and n <= 4 and ac[k] * 256 >= _RHO_ON_Q8 * r0):
                    n = self._n >> 1
                    k = self._peak_near((lag >> 1) - (lag >> 3), (lag >> 1) + (lag >> 3)) if n else 0
                    if not (k and ac[k] * 256 >= _RHO_ON_Q8 * r0):
                        k = 0
            if k:
                step = self._lag_ms(k) // n
                self._period += (step - self._period) >> 1
                self._lag = k
                self._n = n
                self._lost = 0
            else:
                self._lost += 1
                if self._lost >= _LOST:
                    self._stop()
            return
        step = 0
        lag = 0
        n = 0
        k = self._peak_near(_K_MIN, _K_MAX) if strong and self._dyn >= _MIN_DYN_MG * _MIN_DYN_MG else 0
        if k:
            # the fundamental: the shortest lag with a clear maximum (a fraction of the largest), and
            # at half of it if that is a maximum too (a sampled signal may repeat only every 2 strides)
            floor = (ac[k] * _CLEAR_Q8) >> 8
            for j in range(_K_MIN, k):
                if ac[j] >= floor and ac[j] >= ac[j - 1] and ac[j] >= ac[j + 1]:
                    k = j
                    break
            h = k >> 1
            if h > _K_MIN:
                j = self._peak_near(h - 1, h + 1)
                if j and ac[j] * 256 >= _HALF_Q8 * ac[k] and ac[j] * 256 >= _RHO_ON_Q8 * r0:
                    k = j
            rho_on = _RHO_ON_Q8 if r0 < _HARD_RMS_MG * _HARD_RMS_MG else _RHO_HARD_Q8
            if ac[k] * 256 >= rho_on * r0:
                lag_ms = self._lag_ms(k)
                n = 1 if lag_ms < _STRIDE_MIN_MS else 2 if lag_ms < _STRIDES_MIN_MS else 4
                step = lag_ms // n
                lag = k
                p = self._ended_period  # a step or a stride? As the last walk, if it is close
                if t - self._ended_at < _RECALL_MS and 8 * abs(step - p) >= 2 * p:
                    if n > 1 and 8 * abs(step * 2 - p) < 2 * p:
                        n >>= 1
                        step <<= 1
                    elif n < 4 and 8 * abs(step // 2 - p) < 2 * p:
                        n <<= 1
                        step >>= 1
                if n == 1:  # follow the stride when it shows: it repeats even when the steps differ
                    j = self._peak_near(2 * k - 1, 2 * k + 1)
                    if j and ac[j] * 256 >= _RHO_OFF_Q8 * r0:
                        lag = j
                        n = 2
        if step < _MIN_STEP_MS or step > _MAX_STEP_MS:
            step = 0
        cand = self._cand
        if step and cand and 8 * abs(step - cand) < cand:
            self._lock += 1
        else:
            self._lock = 1 if step else 0
        self._cand = step
        if self._lock >= _LOCK:
            self._start(t, step, lag, n)

    def _peak_near(self, lo: int, hi: int) -> int:
        """The lag in [lo, hi] with the largest positive correlation, if it is a local maximum (else 0)."""
        ac = self._ac
        if lo < _K_MIN:
            lo = _K_MIN
        if hi > _K_MAX:
            hi = _K_MAX
        best = 0
        k = 0
        for j in range(lo, hi + 1):
            if ac[j] > best:
                best = ac[j]
                k = j
        if k and ac[k - 1] <= best and ac[k + 1] <= best:
            return k
        return 0

    def _lag_ms(self, k: int) -> int:
        """Lag `k` refined to the top of a parabola through its neighbours, in ms."""
        ac = self._ac
        lo = ac[k - 1]
        hi = ac[k + 1]
        den = 2 * ac[k] - lo - hi
        if den > 0:
            return k * _TICK_MS + (hi - lo) * _TICK_MS // (2 * den)
        return k * _TICK_MS

    def _start(self, t: int, step: int, lag: int, n: int) -> None:
        """A walk began: credit the steps since its rhythm began (in the history), then count on."""
        self.walking = True
        self._lag = lag
        self._n = n
        self._cs = self._ac[lag]
        self._ps = self._r0
        p = self._paused_period
        if self._confirming and 8 * abs(step - p) >= 2 * p:  # another rhythm: the paused one was not a walk
            self._drop()
        if not self._confirming:  # (else the paused walk goes on, its steps still held)
            p = self._ended_period
            self._confirming = t - self._ended_at > _RESUME_MS or 8 * abs(step - p) >= 2 * p
            self._walk_kept = self._walk_ms
            self._held = 0
        self._period = step
        self._lost = 0
        self._phase = 0
        since = t - self._rhythm_ticks(lag) * _TICK_MS
        if self._onset >= 0 and since < self._onset:
            since = self._onset
        if since < self._last_t + step // 2:  # not again the steps of a walk just ended
            since = self._last_t + step // 2
        if since > t:
            since = t
        if t - since > _CREDIT_MS:
            since = t - _CREDIT_MS
        n = (t - since) // step
        self._walk_ms += t - since
        for i in range(n, 0, -1):
            self._emit(t - i * step)
        self._emit(t)

    def _rhythm_ticks(self, lag: int) -> int:
        """How many ticks back the history repeats itself every `lag` ticks (blocks of one lag)."""
        hist = self._hist
        newest = self._pos - 1
        back = 0
        while back + 2 * lag <= _HIST:
            prod = 0
            power = 0
            for i in range(newest - back - lag + 1, newest - back + 1):
                a = hist[i & (_HIST - 1)]
                b = hist[(i - lag) & (_HIST - 1)]
                prod += a * b
                power += a * a + b * b
            if power == 0 or 2 * prod * 256 < _BLOCK_Q8 * power:
                break
            back += lag
        return back + lag if back else 0

    def _tick_swing(self) -> None:
        """Arm swing and brisk time, once per evaluation while walking."""
        p = self._dyn
        r = self._swing
        if r <= 0:
            r = 100
        for _ in range(3):  # Newton from the last value: the RMS changes slowly
            r = (r + p // r) >> 1
            if r <= 0:
                r = 1
        self._swing = r
        self._swing_sum += r
        self._swing_n += 1
        if r >= self.brisk_swing_mg and self._period * self.brisk_spm <= 60000:
            self._brisk_ms += _EVAL_TICKS * _TICK_MS
