"""Step counter for (power) walking: sensor on the wrist, in the hand, upper arm, pocket, bag or neck pouch.

Orientation free: everything starts from the acceleration magnitude |a| (resampled to 40 ms slots,
"ticks"; |a| by warm-started integer Newton, gravity removed with a slow baseline, two ~80 ms
one-pole smoothers).

Walking is a rhythm, so the counter follows the *period* of that signal rather than its peaks:
a running (exponentially windowed, tau 2.6 s) autocorrelation over lags of 0.28-2.0 s gives the
signal's fundamental period P, the smallest lag with a strong, clear maximum. On the wrist the arm
swings once per stride (two steps) and often dominates |a|; in a pocket one leg does the same; in a
hand or on the trunk, or on a wrist whose arm barely swings (a bag carried, a hand in a pocket, a slow
walker's 2:1 swing), every foot strike shows. So P is a step when shorter than `_STRIDE_MIN_MS`
(walking strides, <= 150 steps/min, are never that short), a stride (two steps) when longer, and two
strides when longer than `_STRIDES_MIN_MS` (at 12.5 Hz a stride of exactly 12.5 samples repeats only
every other stride); the same rule is applied again while the walk is followed, so a slow gait start
taken for a stride is corrected as soon as the period shows it is a step. Walking slower than ~75
steps/min is not counted right. This works at 12.5 Hz, where heel strikes fall between samples but
the swing does not.

A walk starts once the period has held within 12.5 % for `_LOCK` evaluations (every 240 ms) at
160 steps/min or slower, with a clearly periodic signal (normalised autocorrelation >=
`_RHO_ON_Q8`/256) that is strong enough (|a| varies by >= `_MIN_RMS_MG` and the sensor itself moves
by >= `_MIN_DYN_MG`, RMS of the dynamic acceleration vector) and is there now (the ticks' fast mean
size >= half their RMS in the long window, which still holds a walk that just stopped).

Confirmation window: a walk's steps are held back until its rhythm has been followed for
`_CONFIRM_MS` (10 s), as common step counters do (gestures, chores at one spot and a car's bounce
rarely stay in one rhythm that long; a pause of up to `_BRIDGE_MS` keeps the held steps waiting for
the rhythm to come back). The time credited back to the walk's start counts towards it only with
strong evidence (|a| varying by `_STRONG_Q4`/4 x the least below): a car's beat or a wipe holds one
rhythm for seconds, and that credit made up the rest. The body must have bounced: |a| must carry >=
`_BOUNCE_Q8`/256 of the power of the dynamic acceleration vector (wiping or stirring moves the hand
across gravity, so |a| barely changes) and vary by >= `_BODY_MG` x (cadence / 100 steps/min)^2 RMS (a
walker's bounce grows with the cadence; a car's 2.4 Hz bounce of 35 mg is no 146 steps/min walk),
but by less than `_MOST_Q4`/4 x that (a kettlebell snatch: more; the real walks' back pockets: <= 16
x); and the sensor must never have been near free fall (|a| < `_LIGHT_MG` in over 1/`_LIGHT_SHARE` of
the ticks: a kettlebell floats at the top of its swing; a walker always has a foot on the ground, and
the real walks show <= 0.3 %). Then the held steps are credited
with their own times, back to where the walk's motion began: the oldest tick from which on a tick at
least half the walk's mean size came in every lag (an amplitude, not a shape, so it does not move
with the sample timing), rounded to the nearest step (never within half a step of the last one). A
walk in the rhythm of one that ended less than `_RESUME_MS` ago (a crossing) is confirmed after
`_RESUME_CONFIRM_MS` (followed, or credited with strong evidence), if that walk bounced strongly or
its run of walks walked `_RUN_MS` (a car's beats resumed one another). A walk shorter than the
window counts only when the recording (the session) ends during it or while the walker stands
still after it (the motion stays under a quarter of the walk's), if it lasted `_SHORT_MS` and bounced
more (`_SHORT_BOUNCE_Q8`): a 10 s walk of ~18 steps alone in a recording counts, however long the
walker then stands before the recording stops (so a device that runs on for a moment after the walk
counts what `fascia count` counts in the file); the same walk followed by moving about does not.

While walking, a phase accumulator emits one step per period, pulled towards the signal's peaks so
that event times sit on the steps, and the period follows the repeat lag (or twice or half of it).
The walk ends as soon as the motion stops, judged against the walk itself: the signal's change per
tick (fast, 0.32 s) falls below 1/4 of its mean over the walk (`_LEVEL`, 2.6 s), or below
`_GATE_MG`; a fixed figure alone let a noisy sensor at rest (~20 mg) count on for seconds. It also
ends when the rhythm is lost (at the lag, in a 0.64 s window, or in the long one).

Power walking (`extras()`): `arm_swing` is the mean over walking time of the RMS of the dynamic
acceleration vector (each axis minus its own 1.3 s baseline, 80 ms smoothed; the sum of the three
variances, so orientation free), in milli-g: the arm swing, plus the body's bounce, as felt where
the sensor is. `brisk_minutes` counts whole minutes walked at a cadence >= `brisk_spm` with
`arm_swing` >= `brisk_swing_mg`. Cadence thresholds after Tudor-Locke et al., "Walking cadence
(steps/min) and intensity in 21-40 year olds: CADENCE-adults", IJBNPA 2019: ~100 steps/min is
moderate (3 METs), ~130 vigorous (6 METs); 120 steps/min (~4.5-5 METs, a brisk 5-6 km/h) is the
default, between the two; both are user settings (config.json `brisk_spm`, `brisk_swing_mg`).

Cost: the per-sample and per-tick work (resampling, filters, the autocorrelation, the gates and the
step phase) is one viper function, `_track`, on one array of ints (every value biased by _BIAS: a
64-bit host reads the 32-bit words unsigned; the tick history and the autocorrelation live in the
same array). It takes a whole block of samples (`feed_block`, one call per FIFO read; `feed` is a
block of one) and comes back to Python only once per evaluation (every 240 ms), per step and per
step reported: the period estimate and the walk logic run there. Values stay below 2**29 (inputs
clipped to +-16 g): nothing allocates per sample.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.events import EventQueue

_TICK_MS = const(40)  # the slot of the resampling: one tick
_BASE_SHIFT = const(5)  # gravity baseline: one-pole, tau = 32 ticks = 1.3 s
_SMOOTH_SHIFT = const(1)  # two one-pole smoothers, tau ~ 2 ticks = 80 ms each
_FIX = const(16)  # fixed-point scale of the filter states
_FIX_SHIFT = const(4)  # (x >> _FIX_SHIFT == x // _FIX)
_IN_MG = const(16000)  # slot means are clipped to +-16 g: squares stay small ints
_CLIP_MG = const(1000)  # ticks are clipped here: products stay small ints
_DYN_CLIP_MG = const(4000)  # so is each axis of the dynamic acceleration
_HIST = const(128)  # tick history (5.1 s), a power of two
_K_MIN = const(7)  # shortest lag: 0.28 s (214 steps/min)
_K_MAX = const(50)  # longest lag: 2.0 s (a 60 steps/min stride, two 120 steps/min strides)
_AC_SHIFT = const(5)  # autocorrelation window, updated every other tick: tau = 64 ticks = 2.6 s
_AXIS_BASE_SHIFT = const(5)  # per-axis gravity baseline: tau = 32 ticks = 1.3 s
_SWING_SHIFT = const(6)  # dynamic power average: tau = 64 ticks = 2.6 s
_FAST_SHIFT = const(3)  # fast amplitude gate: tau = 8 ticks = 0.32 s
_EVAL_TICKS = const(6)  # the period is re-estimated every 240 ms
_CLEAR_Q8 = const(154)  # a candidate lag's maximum must reach 60 % of the largest one
_HALF_Q8 = const(90)  # ... or 35 % of it at half its lag
_RHO_ON_Q8 = const(115)  # periodic enough to start a walk: normalised autocorrelation >= 0.45
_RHO_OFF_Q8 = const(77)  # ... and to keep walking: >= 0.3
_MIN_RMS_MG = const(30)  # weaker than this is vibration, not a walking body
_MIN_DYN_MG = const(40)  # ... and a walk starts only if the sensor itself moves this much (3-D RMS)
_HARD_RMS_MG = const(200)  # this strong (a pocket's or bag's jolts, sampled slowly) ...
_RHO_HARD_Q8 = const(77)  # ... starts a walk at a lower periodicity, >= 0.3
_GATE_MG = const(4)  # fast mean |change| per tick below this: standing still
_NOW_SHIFT = const(2)  # a walk starts only while the ticks' mean size is >= 1/2 of their long-window RMS
_LEVEL_SHIFT = const(6)  # while walking, the walk's level follows its signal: tau = 64 ticks = 2.6 s
_DROP_SHIFT = const(2)  # ... and the walk ends when the fast motion falls below 1/4 of it (the walker
# stopped: what is left is the sensor's noise and the sway of a standing body, whatever their size)
_STRIDE_MIN_MS = const(800)  # a period longer than this is a stride (two steps: <= 150 steps/min)
_STRIDES_MIN_MS = const(1600)  # ... and longer than this two strides (a sampled signal may alternate)
_MIN_STEP_MS = const(375)  # a walk starts at 160 steps/min or slower (faster is running)
_MAX_STEP_MS = const(1100)  # 55 steps/min: slower is not walking
_LOCK = const(3)  # consistent period estimates before a walk starts
_SHORT_SHIFT = const(4)  # the rhythm right now: correlation at the walk's lag, tau = 16 ticks = 0.64 s
_KEEP_Q8 = const(38)  # ... a walk ends when it stays below 0.15 of the power
_WEAK = const(2)  # ... for this many evaluations
_LOST = const(4)  # evaluations without the rhythm before a walk ends
_CREDIT_MS = const(8000)  # the start of a walk is credited back at most this far
_PHASE = const(1024)  # one step of the phase accumulator
_CONFIRM_MS = const(10000)  # a walk's steps are held back until its rhythm was followed this long (the
# time credited back to its start left out: a car's beat or a wipe holds a rhythm for seconds, and the
# credit made up the rest) ...
_STRONG_Q4 = const(16)  # ... or, with it, if |a| varied by 16/4 = 4 x _BODY_MG's least (strong evidence)
_BOUNCE_Q8 = const(4)  # ... and |a| (the body's bounce) carried >= 1.6 % of the sensor's motion power
_SHORT_MS = const(7000)  # ... at the end of the recording (or session), a walk counts if it lasted this
_SHORT_BOUNCE_Q8 = const(12)  # ... and its body bounced more: >= 4.7 % (a car's bounce, a wipe: less)
_BODY_MG = const(25)  # ... and |a| varied by >= 25 mg RMS x (cadence / 100 spm)^2 (a car: less) ...
_MOST_Q4 = const(96)  # ... and by < 96/4 = 24 x that (a kettlebell snatch: more; a back pocket <= 16 x)
_LIGHT_MG = const(150)  # ... and |a| was under this (near free fall) ...
_LIGHT_SHARE = const(50)  # ... in at most 1/50 of its ticks (walks: <= 0.3 %; kettlebell swings: >= 4 %)
_RESUME_MS = const(20000)  # a walk in the rhythm of one that stopped this recently ...
_RESUME_CONFIRM_MS = const(4000)  # ... is confirmed after this long, if that one bounced strongly ...
_RUN_MS = const(20000)  # ... or walked this long, with the walks it resumed (a car's beats: seconds)
_BRIDGE_MS = const(3000)  # ... a pause this short in the rhythm keeps them (and its time) waiting
_RECALL_MS = const(60000)  # ... and its period decides between a step and a stride this long
_QUEUE = const(72)  # steps waiting to be reported (held ones included)
BRISK_SPM = const(120)  # default brisk cadence, steps/min (see the docstring)
BRISK_SWING_MG = const(500)  # default vigorous arm swing, milli-g RMS

# The per-tick state lives in one array('i') (`s`) that `_track` (viper) works on through a raw
# pointer: every value is stored plus _BIAS, since a 64-bit host reads 32-bit words unsigned.
_BIAS = const(1 << 29)  # values stay within +-2**29 (the largest, the dynamic power, < 5e7; times < 6 days)
_MAX_HOLD = const(25)  # a gap longer than this many slots is not bridged: the filters restart
_END = const(0)  # end of the slot collecting samples (0: none open yet)
_SX = const(1)  # its sums and sample count
_SY = const(2)
_SZ = const(3)
_N = const(4)
_X = const(5)  # the last closed slot's mean (held across empty slots)
_Y = const(6)
_Z = const(7)
_TODO = const(8)  # closed slots not processed yet
_T = const(9)  # time of the tick being processed (the middle of its slot)
_READY = const(10)  # 1: some queued steps can be reported
_FILTERS = const(11)  # from here on: what a restart after a gap clears
_MAG = const(11)  # |a| of the last tick, mg (0: no tick yet)
_BASE = const(12)  # gravity baseline of |a|, x _FIX
_S1 = const(13)  # the two smoothers of |a| - baseline, x _FIX
_S2 = const(14)
_BX = const(15)  # per-axis baselines, x _FIX
_BY = const(16)
_BZ = const(17)
_DX = const(18)  # per-axis dynamic acceleration, smoothed, x _FIX (x, y, z in a row, as _X and _BX)
_DY = const(19)
_DZ = const(20)
_DYN = const(21)  # dynamic acceleration power, mg^2
_EVEN = const(22)  # 1 on the ticks that update the autocorrelation
_POS = const(23)  # where the next tick goes in the history
_R0 = const(24)  # power of the ticks (autocorrelation at lag 0), mg^2
_FAST = const(25)  # mean |tick| x _FIX, fast
_MOTION = const(26)  # mean |change per tick| x _FIX, fast
_PREV = const(27)  # the last two ticks
_PREV2 = const(28)
_TICKS = const(29)  # ticks since the last evaluation
_ONSET = const(30)  # when the motion began (the fast gate opened; -1: still)
_WALKING = const(31)  # 1 while walking
_LAG = const(32)  # the lag at which the walk's signal repeats, ticks
_CS = const(33)  # correlation at that lag, short window
_PS = const(34)  # power, short window
_PHASE_AT = const(35)  # the step phase, 0.._PHASE
_INC = const(36)  # its increase per tick: _TICK_MS * _PHASE // period
_WALK_TICKS = const(37)  # ticks walked (all walks)
_LEVEL = const(38)  # the walk's own motion: mean |change per tick| x _FIX, slow (set when a walk starts)
_LIGHT = const(39)  # ticks with |a| < _LIGHT_MG since the last evaluation
_HIST_AT = const(40)  # the tick history, twice: s[_HIST_AT + pos + _HIST - k] is tick -k
_AC = const(_HIST_AT + 2 * _HIST)  # the autocorrelation at lags 0.._K_MAX + 1
_STATE = const(_AC + _K_MAX + 2)
# what `_track` reports after a tick (bits; it stops there, the next call goes on)
_STILL = const(1)  # the motion stopped while walking (the walk ended: `_track` cleared _WALKING)
_STEP = const(2)  # the step phase came round: a step at s[_T]
_EVAL = const(4)  # time to re-estimate the period
_GAP = const(8)  # a gap in the samples: restart the filters, then go on
_RELEASE = const(16)  # (from `_track` only) a step is ready to be reported
_REPORTS = const(31)  # `_track` returns these bits, the sample's index above them
_AT_SHIFT = const(5)


class StepDetector:
    """Counts steps; `extras()` gives cadence, walking time, brisk minutes and the arm swing."""

    def __init__(self):
        self.s = array("i", [0] * _STATE)
        self._one_t = array("i", [0])  # `feed`'s sample as a block of one
        self._one_xyz = array("i", [0] * 3)
        self._queue = EventQueue(_QUEUE)
        self.brisk_spm = BRISK_SPM
        self.brisk_swing_mg = BRISK_SWING_MG
        self.reset()

    def reset(self) -> None:
        s = self.s
        for i in range(_STATE):
            s[i] = _BIAS
        self.count = 0
        self.last_event_ms = 0
        self._queue.clear()  # (its held steps: of a walk not yet confirmed)
        self._confirming = False  # the current (or paused) walk is not confirmed yet
        self._walk_kept = 0  # walking time before the unconfirmed walk
        self._paused_at = 0  # when the unconfirmed walk lost its rhythm
        self._paused_period = 1
        self._bounce = 0
        self._moved = 0
        self._evals = 0
        self._credited = 0
        self._light = 0
        self._need_ms = _CONFIRM_MS  # how long the unconfirmed walk's rhythm must last
        self._ended_at = -_RECALL_MS - 1  # when the last confirmed walk ended
        self._ended_period = 1
        self._began = 0  # walking time when the current run of walks began (a resumed walk goes on with it)
        self._run_ms = 0  # how long the last confirmed run of walks walked, ms (its pauses left out)
        self._run_strong = False  # whether its last walk bounced strongly
        self._last_t = -_CREDIT_MS  # the last step counted
        self._period = 0  # ms per step while walking
        self.walking = False
        self._walk_ms = 0  # walking time before this walk's ticks (s[_WALK_TICKS] counts those)
        self._brisk_ms = 0
        self._swing_sum = 0  # sum of the arm-swing RMS over evaluations while walking
        self._swing_n = 0
        self._swing = 0  # the last arm-swing RMS, mg (Newton starts there)
        self._restart_filter()

    def _restart_filter(self) -> None:
        """Forget the signal history (start, or after a sensor gap); keeps the counts."""
        self._stop()
        s = self.s
        self._walk_ms = self._walked()
        for i in range(_FILTERS, _STATE):
            s[i] = _BIAS
        s[_ONSET] = _BIAS - 1

    def _walked(self) -> int:
        """Walking time so far, ms."""
        return self._walk_ms + (self.s[_WALK_TICKS] - _BIAS) * _TICK_MS

    def _stop(self) -> None:
        if self.walking and self._confirming:  # its steps wait `_BRIDGE_MS` for the rhythm to return
            self._paused_at = self.s[_T] - _BIAS
            self._paused_period = self._period
        elif self.walking:  # a confirmed walk: the same rhythm soon again resumes it
            self._ended_at = self.s[_T] - _BIAS
            self._ended_period = self._period
            self._run_ms = self._walked() - self._began
        s = self.s
        s[_WALKING] = _BIAS
        self.walking = False
        self._lock = 0
        self._lost = 0
        self._weak = 0  # evaluations in a row with a weak rhythm right now
        self._cand = 0  # the last period estimate, ms per step
        self._n = 0  # steps in the walk's lag: 1, 2 (a stride) or 4
        s[_LAG] = _BIAS
        s[_CS] = _BIAS
        s[_PS] = _BIAS
        s[_PHASE_AT] = _BIAS

    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        """One sample: a block of one (the block path's very code)."""
        self._one_t[0] = t_ms
        xyz = self._one_xyz
        xyz[0] = x
        xyz[1] = y
        xyz[2] = z
        return self._run(self._one_t, xyz, 1, None)

    def feed_block(self, ts, xyz, n: int, on_event) -> int:
        """n samples at once (see `fascia.detect.feed_block`)."""
        return self._run(ts, xyz, n, on_event)

    @micropython.native
    def _run(self, ts, xyz, n: int, on_event) -> int:
        """`_track` (viper) takes the samples in turn and comes back here only for what a tick reports
        and to report a ready step (one after each sample, as `feed` reports them); on_event(t_ms) for
        each step (None: `feed`, which returns the count)."""
        s = self.s
        new = 0
        i = 0
        more = 0
        while True:
            r = _track(s, ts, xyz, i, n, more)  # type: ignore[arg-type]  (arrays are what ptr32 points into)
            i = r >> _AT_SHIFT
            what = r & _REPORTS
            if not what:
                return new
            if what == _RELEASE:  # sample i is in and a step is ready: report it, go on after it
                new += self._release()
                if on_event is not None:
                    on_event(self.last_event_ms)
                i += 1
                more = 0
            else:  # a tick of sample i reported: handle it, then its other ticks
                self._on(what)
                more = 1

    def _set_ready(self, ready: bool) -> None:
        """Whether some queued steps can be reported (`feed` reports one per call)."""
        self.s[_READY] = _BIAS + 1 if ready else _BIAS

    def _on(self, what: int) -> None:
        """Handle what `_track` reported about the tick at s[_T]."""
        t = self.s[_T] - _BIAS
        if what & _GAP:
            self._restart_filter()
            return
        if what & _STILL:
            self._stop()
        if what & _STEP:
            self._emit(t)
        if what & _EVAL:
            self._evaluate(t)

    def flush(self, t_ms: int) -> int:
        return self.flush_block(t_ms, None)

    def flush_block(self, t_ms: int, on_event) -> int:
        """`flush`, calling on_event(t_ms) for each step it counts, at the step's own time (see
        `fascia.detect.flush`)."""
        if self._confirming and self._is_walk(_SHORT_MS):  # (an unconfirmed walk at the end)
            self._confirm()
        new = 0
        while self._queue.ready():
            new += self._release()
            if on_event is not None:
                on_event(self.last_event_ms)
        return new

    def extras(self) -> dict:
        return {
            "cadence_spm": 60000 // self._period if self._period else 0,
            "walking_s": self._walked() // 1000,
            "brisk_minutes": self._brisk_ms // 60000,
            "arm_swing": self._swing_sum // self._swing_n if self._swing_n else 0,
        }

    def _is_walk(self, least_ms: int) -> bool:
        """Whether the unconfirmed walk is one: its rhythm lasted `least_ms`, and the body bounced (|a|
        carried its share of the motion's power, and as much as walking at its cadence makes)."""
        bounce = _BOUNCE_Q8 if least_ms != _SHORT_MS else _SHORT_BOUNCE_Q8
        if least_ms == _RESUME_CONFIRM_MS:
            bounce = 0  # (the walk it resumes had its share; a few seconds of a big arm swing may not)
        # (a power walker's big arm swing can leave |a| a small share: a bounce twice the least is enough;
        # |a| varying more than any walk's at its cadence is a kettlebell snatch, and a sensor that floats
        # (|a| near 0: a kettlebell at the top of its swing) is not on a walker, who is never in free fall)
        return (
            self._lasted(least_ms)
            and (self._bounce * 256 >= bounce * self._moved or self._bounced(8))
            and self._bounced(4)
            and not self._bounced(_MOST_Q4)
            and self._light * _LIGHT_SHARE <= self._evals * _EVAL_TICKS
        )

    def _lasted(self, least_ms: int) -> bool:
        """Whether the unconfirmed walk's rhythm lasted `least_ms`: followed for that long or, if it
        bounced strongly or the recording ends (`_SHORT_MS`), with the time credited to its start."""
        walked = self._walked() - self._walk_kept
        return walked >= least_ms and (
            least_ms == _SHORT_MS or walked - self._credited >= least_ms or self._bounced(_STRONG_Q4)
        )

    def _bounced(self, times_q4: int) -> bool:
        """Whether |a| varied by >= times_q4/4 x the least a walk at the unconfirmed walk's cadence has."""
        p = self._period or 1
        body = _BODY_MG * 360000 // (p * p)  # the least |a| RMS a walk has at this cadence, mg
        return self._bounce >= ((body * body * times_q4 * times_q4) >> 8) * self._evals

    def _confirm(self) -> None:
        """The unconfirmed walk is one: its held steps can be reported."""
        self._run_strong = self._bounced(_STRONG_Q4)
        self._confirming = False
        self._queue.release()
        self._set_ready(self._queue.n > 0)

    def _drop(self) -> None:
        """The unconfirmed walk's rhythm did not last: it was not a walk."""
        self._queue.drop()
        self._walk_ms = self._walk_kept - (self.s[_WALK_TICKS] - _BIAS) * _TICK_MS
        self._confirming = False
        self._set_ready(self._queue.n > 0)

    def _release(self) -> int:
        """Report one queued step (confirmed steps may lie in the past)."""
        self.last_event_ms = self._queue.pop()
        self._set_ready(self._queue.ready() > 0)
        self.count += 1
        return 1

    def _emit(self, t: int) -> None:
        if self._queue.add(t, self._confirming):
            self._last_t = t
            if not self._confirming:
                self.s[_READY] = 1 + _BIAS

    def _set_period(self, step: int) -> None:
        self._period = step
        self.s[_INC] = _TICK_MS * _PHASE // step + _BIAS

    def _evaluate(self, t: int) -> None:
        """Re-estimate the period; start, keep or end the walk; confirm or drop a walk's held steps."""
        s = self.s
        b = _BIAS
        r0 = s[_R0] - b
        dyn = s[_DYN] - b
        light = s[_LIGHT] - b
        s[_LIGHT] = b
        if self._confirming:
            if self.walking:
                self._bounce += r0 >> 4
                self._moved += dyn >> 4
                self._evals += 1
                self._light += light
            if self.walking and self._lasted(self._need_ms):
                if not self._is_walk(self._need_ms):  # the arm alone moved (wiping, stirring): not a walk
                    self._stop()
                    self._drop()
                    return
                self._confirm()
            elif not self.walking and t - self._paused_at > _BRIDGE_MS:
                if self._is_walk(self._need_ms):
                    self._confirm()
                elif not (
                    (s[_MOTION] - b) << _DROP_SHIFT < s[_LEVEL] - b and self._is_walk(_SHORT_MS)
                ):  # (a short walk after which the walker stands still waits for the end of the session)
                    self._drop()
        strong = s[_MOTION] - b >= _GATE_MG * _FIX and r0 >= _MIN_RMS_MG * _MIN_RMS_MG
        if self.walking:
            self._tick_swing(dyn)
            if (s[_CS] - b) * 256 < _KEEP_Q8 * (s[_PS] - b):
                self._weak += 1
            else:
                self._weak = 0
            if not strong or self._weak >= _WEAK:  # the motion or the rhythm stopped
                self._stop()
                return
            # track the repeat near where it was (the largest correlation within +-25 %), or at twice
            # or half that lag if the signal now repeats there
            lag = s[_LAG] - b
            n = self._n
            k = _peak(s, lag - (lag >> 2), lag + (lag >> 2))  # type: ignore[arg-type]
            if not (k and (s[_AC + k] - b) * 256 >= _RHO_OFF_Q8 * r0):
                k = _peak(s, 2 * lag - (lag >> 1), 2 * lag + (lag >> 1))  # type: ignore[arg-type]
                n *= 2
                if not (k and n <= 4 and (s[_AC + k] - b) * 256 >= _RHO_ON_Q8 * r0):
                    n = self._n >> 1
                    k = _peak(s, (lag >> 1) - (lag >> 3), (lag >> 1) + (lag >> 3)) if n else 0  # type: ignore[arg-type]
                    if not (k and (s[_AC + k] - b) * 256 >= _RHO_ON_Q8 * r0):
                        k = 0
            if k:
                lag_ms = self._lag_ms(k)
                if n > 1 and lag_ms < (_STRIDE_MIN_MS if n == 2 else _STRIDES_MIN_MS):
                    n >>= 1  # the lag is too short for that many steps (a slow gait start taken for a stride)
                step = lag_ms // n
                self._set_period(self._period + ((step - self._period) >> 1))
                s[_LAG] = k + b
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
        fast = (s[_FAST] - b) >> _FIX_SHIFT  # mean |tick| now: the long window's rhythm may be a past walk's
        strong = strong and (fast * fast) << _NOW_SHIFT >= r0 and dyn >= _MIN_DYN_MG * _MIN_DYN_MG
        k = _peak(s, _K_MIN, _K_MAX) if strong else 0  # type: ignore[arg-type]
        if k:
            # the fundamental: the shortest lag with a clear maximum (a fraction of the largest), and
            # at half of it if that is a maximum too (a sampled signal may repeat only every 2 strides)
            floor = (((s[_AC + k] - b) * _CLEAR_Q8) >> 8) + b  # (biased, as the values compared)
            for j in range(_K_MIN, k):
                a = s[_AC + j]
                if a >= floor and a >= s[_AC + j - 1] and a >= s[_AC + j + 1]:
                    k = j
                    break
            h = k >> 1
            if h > _K_MIN:
                j = _peak(s, h - 1, h + 1)  # type: ignore[arg-type]
                if (
                    j
                    and (s[_AC + j] - b) * 256 >= _HALF_Q8 * (s[_AC + k] - b)
                    and (s[_AC + j] - b) * 256 >= _RHO_ON_Q8 * r0
                ):
                    k = j
            rho_on = _RHO_ON_Q8 if r0 < _HARD_RMS_MG * _HARD_RMS_MG else _RHO_HARD_Q8
            # ... and the signal changes now as that rhythm does: over one lag, by >= 2x its long-window
            # RMS (a sinusoid: 5.7x; a baseline settling after a stop, plus noise: far less)
            change = ((s[_MOTION] - b) * k) >> _FIX_SHIFT
            if (s[_AC + k] - b) * 256 >= rho_on * r0 and change * change >= 4 * r0:
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
                    j = _peak(s, 2 * k - 1, 2 * k + 1)  # type: ignore[arg-type]
                    if j and (s[_AC + j] - b) * 256 >= _RHO_OFF_Q8 * r0:
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

    def _lag_ms(self, k: int) -> int:
        """Lag `k` refined to the top of a parabola through its neighbours, in ms."""
        s = self.s
        lo = s[_AC + k - 1]
        hi = s[_AC + k + 1]
        den = 2 * s[_AC + k] - lo - hi
        if den > 0:
            return k * _TICK_MS + (hi - lo) * _TICK_MS // (2 * den)
        return k * _TICK_MS

    def _start(self, t: int, step: int, lag: int, n: int) -> None:
        """A walk began: credit the steps since its rhythm began (in the history), then count on."""
        s = self.s
        self.walking = True
        s[_WALKING] = 1 + _BIAS
        s[_LAG] = lag + _BIAS
        self._n = n
        s[_CS] = s[_AC + lag]
        s[_PS] = s[_R0]
        s[_PHASE_AT] = _BIAS
        s[_LEVEL] = s[_MOTION]
        p = self._paused_period
        if self._confirming and 8 * abs(step - p) >= 2 * p:  # another rhythm: the paused one was not a walk
            self._drop()
        fresh = False  # a new run of walks begins here
        if not self._confirming:  # (else the paused walk goes on, its steps still held)
            # every walk is confirmed anew (a car's rhythm comes back, too); one in the rhythm of a walk
            # that ended less than `_RESUME_MS` ago (a crossing) after a shorter time
            p = self._ended_period
            resumed = (
                t - self._ended_at <= _RESUME_MS
                and 8 * abs(step - p) < 2 * p
                and (self._run_ms >= _RUN_MS or self._run_strong)
            )
            self._need_ms = _RESUME_CONFIRM_MS if resumed else _CONFIRM_MS
            fresh = not resumed
            self._confirming = True
            self._walk_kept = self._walked()
            self._queue.release()
            self._bounce = 0  # sums over the unconfirmed walk: power of |a| and of the dynamic vector
            self._moved = 0
            self._evals = 0
            self._credited = 0  # of its time, how much was credited back at its starts
            self._light = 0  # ticks with |a| < _LIGHT_MG while it was followed
        self._set_period(step)
        self._lost = 0
        since = t - _swing_ticks(s, lag) * _TICK_MS  # type: ignore[arg-type]
        onset = s[_ONSET] - _BIAS
        if onset >= 0 and since < onset:
            since = onset
        if since < self._last_t + step // 2:  # not again the steps of a walk just ended
            since = self._last_t + step // 2
        if since > t:
            since = t
        if t - since > _CREDIT_MS:
            since = t - _CREDIT_MS
        if fresh:
            self._began = self._walked()
        self._credited += t - since
        n = (t - since + step // 2) // step
        if n and t - n * step < self._last_t + step // 2:  # (rounded up: not half a step after the last)
            n -= 1
        self._walk_ms += t - since
        for i in range(n, 0, -1):
            self._emit(t - i * step)
        self._emit(t)

    def _tick_swing(self, p: int) -> None:
        """Arm swing and brisk time from the dynamic power `p`, once per evaluation while walking."""
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


@micropython.viper
def _swing_ticks(s: ptr32, lag: int) -> int:  # noqa: F821 (a viper cast)
    """How many ticks back the walk's motion began: the oldest tick of the history from which on a tick at
    least half the walk's mean size (over its newest two lags) came in every lag. An amplitude, not a
    shape: it does not move with the sample timing."""
    b = _BIAS
    mask = _HIST - 1
    newest = int(s[_POS]) - b - 1
    total = 0
    i = newest - 2 * lag + 1
    while i <= newest:
        a = int(s[_HIST_AT + (i & mask)]) - b
        total += a if a > 0 else -a
        i += 1
    least = total // (4 * lag)
    first = 0
    gap = 0
    back = 0
    while back < _HIST - 1:
        a = int(s[_HIST_AT + ((newest - back) & mask)]) - b
        if a >= least or -a >= least:
            first = back
            gap = 0
        else:
            gap += 1
            if gap > lag:
                break
        back += 1
    return first


@micropython.viper
def _peak(s: ptr32, lo: int, hi: int) -> int:  # noqa: F821 (a viper cast)
    """The lag in [lo, hi] with the largest positive autocorrelation, if it is a local maximum (else 0)."""
    if lo < _K_MIN:
        lo = _K_MIN
    if hi > _K_MAX:
        hi = _K_MAX
    b = _BIAS
    best = b
    k = 0
    j = lo
    while j <= hi:
        a = int(s[_AC + j])
        if a > best:
            best = a
            k = j
        j += 1
    if k and int(s[_AC + k - 1]) <= best and int(s[_AC + k + 1]) <= best:
        return k
    return 0


@micropython.viper
def _track(s: ptr32, ts: ptr32, xyz: ptr32, i: int, n: int, more: int) -> int:  # noqa: F821 (viper casts)
    """Take samples i..n-1 (times ts[i], mg xyz[3i..3i+2]) in turn: each is added to the open slot; one
    past it closes the slot and the per-tick work runs on each slot it completed (held values across
    empty slots). Stops where Python is needed: `(i << _AT_SHIFT) | what` when a tick of sample i reports
    something (the _STILL, _STEP, _EVAL bits, or _GAP before a slot after a gap: the caller handles it and
    calls again at i with `more` to go on with that sample's ticks), or `| _RELEASE` once sample i is in
    while a step is ready (the caller reports it and goes on at i + 1); `n << _AT_SHIFT` when all are in.
    Every state value is in `s` plus _BIAS; nothing allocates. (The samples' words are read as they are:
    on a 64-bit host a negative mg reads as 2**32 more, which the 32-bit words they are added to drop.)"""
    b = _BIAS
    while i < n:
        if more == 0:
            t = int(ts[i])
            o = 3 * i
            end = int(s[_END]) - b
            if t < end:  # most samples only add to the open slot
                s[_SX] = int(s[_SX]) + int(xyz[o])
                s[_SY] = int(s[_SY]) + int(xyz[o + 1])
                s[_SZ] = int(s[_SZ]) + int(xyz[o + 2])
                s[_N] = int(s[_N]) + 1
            else:
                k = int(s[_N]) - b
                gap = 0
                if k > 0:  # t is past the open slot: close it (its mean) and open the one holding t
                    s[_X] = (int(s[_SX]) - b) // k + b
                    s[_Y] = (int(s[_SY]) - b) // k + b
                    s[_Z] = (int(s[_SZ]) - b) // k + b
                    done = (t - end) // _TICK_MS + 1
                    new_end = end + done * _TICK_MS
                    if done > _MAX_HOLD:  # a gap: one slot, just before this sample's, after a restart
                        done = 1
                        gap = 1
                    s[_END] = new_end + b
                    s[_TODO] = done + b
                    s[_T] = new_end - (done + 1) * _TICK_MS - _TICK_MS // 2 + b
                else:  # the first sample
                    s[_END] = t - t % _TICK_MS + _TICK_MS + b
                s[_SX] = int(xyz[o]) + b
                s[_SY] = int(xyz[o + 1]) + b
                s[_SZ] = int(xyz[o + 2]) + b
                s[_N] = 1 + b
                if gap:
                    return (i << _AT_SHIFT) | _GAP
                more = 1
        if more:  # the ticks the sample completed
            todo = int(s[_TODO]) - b
            while todo > 0:
                todo -= 1
                s[_TODO] = todo + b
                t = int(s[_T]) - b + _TICK_MS
                s[_T] = t + b
                m0 = int(s[_MAG]) - b  # (0: the first tick, where the baselines start)
                # each axis (clipped) minus its own baseline, smoothed: the dynamic acceleration vector,
                # and its power; the sum of squares for |a|
                sq = 0
                power = 0
                k = 0
                while k < 3:
                    a = int(s[_X + k]) - b
                    if a > _IN_MG:
                        a = _IN_MG
                    elif a < -_IN_MG:
                        a = -_IN_MG
                    sq += a * a
                    a = a << _FIX_SHIFT
                    if m0 <= 0:
                        s[_BX + k] = a + b
                    c = int(s[_BX + k]) - b
                    c += (a - c) >> _AXIS_BASE_SHIFT
                    s[_BX + k] = c + b
                    d = int(s[_DX + k]) - b
                    d += (a - c - d) >> _SMOOTH_SHIFT
                    s[_DX + k] = d + b
                    d = d >> _FIX_SHIFT
                    if d > _DYN_CLIP_MG:
                        d = _DYN_CLIP_MG
                    elif d < -_DYN_CLIP_MG:
                        d = -_DYN_CLIP_MG
                    power += d * d
                    k += 1
                dyn = int(s[_DYN]) - b
                dyn += (power - dyn) >> _SWING_SHIFT
                s[_DYN] = dyn + b
                # |a| by two Newton steps from the last tick's value: exact enough, no loop
                m = m0
                if m <= 0:
                    m = 1000
                m = (m + sq // m) >> 1
                if m <= 0:
                    m = 1
                m = (m + sq // m) >> 1
                if m <= 0:
                    m = 1
                s[_MAG] = m + b
                if m < _LIGHT_MG:
                    s[_LIGHT] = int(s[_LIGHT]) + 1
                m = m << _FIX_SHIFT
                if m0 <= 0:
                    s[_BASE] = m + b
                base = int(s[_BASE]) - b
                base += (m - base) >> _BASE_SHIFT
                s[_BASE] = base + b
                s1 = int(s[_S1]) - b
                s1 += (m - base - s1) >> _SMOOTH_SHIFT
                s[_S1] = s1 + b
                s2 = int(s[_S2]) - b
                s2 += (s1 - s2) >> _SMOOTH_SHIFT
                s[_S2] = s2 + b
                # the tick: |a| minus gravity, smoothed, clipped
                v = s2 >> _FIX_SHIFT
                if v > _CLIP_MG:
                    v = _CLIP_MG
                elif v < -_CLIP_MG:
                    v = -_CLIP_MG
                pos = int(s[_POS]) - b
                top = _HIST_AT + pos + _HIST  # s[top - k] is tick -k
                s[_HIST_AT + pos] = v + b
                s[top] = v + b
                s[_POS] = ((pos + 1) & (_HIST - 1)) + b
                even = 1 - (int(s[_EVEN]) - b)
                s[_EVEN] = even + b
                if even:  # every other tick is enough for the averages (half the cost, same lags)
                    k = _K_MIN - 1
                    while k <= _K_MAX + 1:
                        r = int(s[_AC + k]) - b
                        s[_AC + k] = r + ((v * (int(s[top - k]) - b) - r) >> _AC_SHIFT) + b
                        k += 1
                    r = int(s[_R0]) - b
                    s[_R0] = r + ((v * v - r) >> _AC_SHIFT) + b
                # the gates: how big the ticks are, how much they change (a settling baseline barely does)
                fast = int(s[_FAST]) - b
                fast += (((v if v > 0 else -v) << _FIX_SHIFT) - fast) >> _FAST_SHIFT
                s[_FAST] = fast + b
                p1 = int(s[_PREV]) - b
                d = v - p1
                motion = int(s[_MOTION]) - b
                motion += (((d if d > 0 else -d) << _FIX_SHIFT) - motion) >> _FAST_SHIFT
                s[_MOTION] = motion + b
                what = 0
                walking = int(s[_WALKING]) - b
                level = int(s[_LEVEL]) - b
                if motion < _GATE_MG * _FIX:
                    s[_ONSET] = b - 1
                    if walking:
                        walking = 0
                        s[_WALKING] = b
                        what = _STILL
                else:
                    if int(s[_ONSET]) - b < 0:
                        s[_ONSET] = t + b
                    if walking and (motion << _DROP_SHIFT) < level:
                        walking = 0
                        s[_WALKING] = b
                        what = _STILL
                p2 = int(s[_PREV2]) - b
                s[_PREV2] = p1 + b
                s[_PREV] = v + b
                if walking:
                    # a local maximum of the signal one tick ago: pull the step phase towards it
                    ph = int(s[_PHASE_AT]) - b
                    if p1 > p2 and p1 >= v and (p1 << _FIX_SHIFT) > fast:
                        if ph < _PHASE // 2:
                            ph -= ph >> 2
                        else:
                            ph += (_PHASE - ph) >> 2
                    lag = int(s[_LAG]) - b
                    r = int(s[_CS]) - b
                    s[_CS] = r + ((v * (int(s[top - lag]) - b) - r) >> _SHORT_SHIFT) + b
                    r = int(s[_PS]) - b
                    s[_PS] = r + ((v * v - r) >> _SHORT_SHIFT) + b
                    s[_WALK_TICKS] = int(s[_WALK_TICKS]) + 1
                    s[_LEVEL] = level + ((motion - level) >> _LEVEL_SHIFT) + b
                    ph += int(s[_INC]) - b
                    if ph >= _PHASE:
                        ph -= _PHASE
                        what |= _STEP
                    s[_PHASE_AT] = ph + b
                ticks = int(s[_TICKS]) - b + 1
                if ticks >= _EVAL_TICKS:
                    ticks = 0
                    what |= _EVAL
                s[_TICKS] = ticks + b
                if what:
                    return (i << _AT_SHIFT) | what
            more = 0
        if int(s[_READY]) != b:
            return (i << _AT_SHIFT) | _RELEASE
        i += 1
    return n << _AT_SHIFT
