"""Rep counter for a sensor on a swung implement: clubbell, hammer, bottle or kettlebell.

Every move of the programme (front/pendulum swings, arm and shield casts, mills, kettlebell swings
and snatches) is a periodic motion of the implement: one rep is one cycle back to the start. The
counter follows that cycle in the implement's own frame, so it needs neither a mounting orientation
nor a hard bottom pass:
- motion h: the 40 ms vector minus its slow mean (2.6 s).
- the rep period T: the autocorrelation of h (dot products, so any mounting gives the same) over
  lags of 0.8-4.6 s, as running means; T is the shortest lag whose peak comes within 85 % of the
  highest (not 2T), and its height over the zero lag says how periodic the motion is.
- half a rep or a whole one: a wide, near-symmetric pendulum swing repeats almost as well after half
  a rep, so T may be that half. Then h comes back turned the other way while |a| comes back the same
  (slow means of both changes over T), and |a| does not repeat after T/2 as it does when T is a
  whole pendulum rep; where |a| swings as much as h (not a cast or mill), p's cycles of about T are
  then half reps, counted in pairs.
- a pendulum presses along the arm twice a rep (both bottom passes) and turns gravity once; a cast
  or a mill turns gravity right round once. u = h(t) - h(t - T/2) cancels what repeats every half
  rep and keeps what turns once, so it swings once a rep whatever the move (a comb filter).
- p: u on its dominant axis (a running covariance and one power-iteration step a frame). Each
  second crossing of p through a hysteresis sized from the recent amplitude ends a cycle; it is a
  rep when the motion is periodic, the cycle lasts 0.8-6 s, agrees with T and is big enough: 200 mg
  (a heavy club swung near the arm's own pendulum period shows little at the rep's rate). Cycles
  much shorter than T (p crossing on the comb's third harmonic: a swing near its pendulum's own
  period swings little once a rep) are joined until they make one.
- walking with the implement hanging in the hand swings the arm once a stride, as a light front
  swing does. A walk's step bounce peaks at heel strike, when the arm is at an extreme, so |a|
  rises and falls with |p|, where a swing floats at its extremes (|a| least where |p| is most).
  At a stride's tempo (< 1.45 s) a cycle whose frames mostly agree that way (above and below the
  last cycle's means of |a| and |p|; a set's running mean of it), with the implement hanging (the
  slow mean of |a| near 1 g, not a cast's turning gravity) and under 1.5 g of p, is not a rep; a set
  starts there from 350 mg. (A walk's first strides, before |a| has shown that, can still open a set.)
- a set starts with two such cycles (the first one waits for the second, which must swing both
  ways): a lone cycle (a pick-up and put-down) is not a rep; the first, from rest, starts slowly, so
  up to two periods since the last crossing count as one. A set's last full cycle may be slower
  (a heavy cast slowing into the order position), and a heavy set's last cast or mill that stops
  half way through p's cycle, round with both lobes full, counts. The swing-through after the last
  rep: a cycle with a lobe short of the set's, or (a kettlebell) one that does not float as the reps
  did (its least |a| 150 mg above theirs), waits and counts only if the set goes on; a swing's
  cycle always waits for the next, and counts at the set's end only if its lobes reach 75 % of the
  set's and it floats within 60 mg of the set's reps (the undriven swing-through's front turn falls
  short).
- snatches break that rhythm with a hold overhead: they are also counted by their lockouts (|a|
  held near 1 g after two hard bottom passes), from a set's second lockout on (a lone one, a club
  held up after a pick-up, is not a rep); the count is the larger of the two.
Reps credited together (a set's first with its second, a held cycle with the next, a snatch set's
first lockout with its second) each keep their own time: they are queued, and `feed` reports one
per closed frame.
Events: a swing's at its float (least |a| of the cycle), a cast's or mill's where the implement
points as it did when last at rest (the start position: upright in front again).
Extras: the mean rep period and the tempo class from it, and reps that turned gravity right round
(casts, mills: the motion fills two axes) apart from the others (swings).
All timing runs on 40 ms frames (box means of the samples in each, held across empty ones: the
shared Resampler's rule), so the constants hold at any input rate. The per-sample and per-frame
work is viper (`feed`, `_block`: a whole block of samples, `_step`, `_project`) on one
array('i'); the set logic runs in plain Python once per cycle of p.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import magnitude as _mag
from fascia.spec.activities import TEMPO_NAMES  # noqa: F401 (the tempo codes' names, defined once there)

_SLOT_MS = const(40)
_MEAN_SHIFT = const(6)  # slow mean: exponential, 2^6 frames = 2.56 s
_CORR_SHIFT = const(4)  # autocorrelation running means: 2^4 updates (160 ms apart) = 2.56 s
_COV_SHIFT = const(5)  # covariance of the comb output: 2^5 updates 160 ms apart = 5.1 s (longer than a rep)
_LAG_MIN = const(10)  # 0.8 s: the shortest rep (lags count pairs of frames)
_LAGS = const(58)  # lags 0 .. 4.6 s
_RING = const(128)  # frames of h kept (5.1 s)
_LOOK = const(60)  # p is read 2.4 s in the past: the period and the axis it uses have seen what follows
_PEAK_PCT = const(85)  # the period: the first autocorrelation peak this close to the highest
_DOUBLE_SHIFT = const(4)  # half reps: h's change after the lag beyond twice |a|'s by 1/2^4 of h.h
_SLOW_SHIFT = const(5)  # (on running means of 2^5 updates 160 ms apart: 5.1 s)
_PERIODIC_PCT = const(40)  # periodic: the period's autocorrelation at least this share of the zero lag's
_MOVE_FRAMES = const(4)  # motion: how far h moved in 160 ms ...
_MOVE_NOISE_MG = const(25)  # ... beyond noise
_REST_MG = const(40)  # at rest: h moved less than noise and this in 160 ms
_MOVED_MASK = const(0xFFFFFF)
_MOVING_MG = const(100)  # the implement moves: this much motion (per 160 ms) around the frame
_NO_LOAD = const(1 << 20)  # above any |a|
_CLAMP_MG = const(4000)  # motion beyond 4 g says nothing more
_UNIT = const(256)  # the axis is a vector of this length
_THR_MIN_MG = const(80)  # hysteresis never below this (noise, a hand at rest)
_START_MG = const(300)  # still p must pass this to start counting crossings
_THR_PCT = const(40)  # hysteresis: this share of the recent half amplitude
_AMP_MIN_MG = const(200)  # a cycle smaller than this (half peak to peak of p) is not a rep ...
_AMP_START_STRIDE_MG = const(350)  # nor, at a walking stride's tempo, a set's first ones under this
_STRIDE_AGREE_PCT = const(10)  # nor, at a walking stride's tempo, one whose |a| rises with |p| this much
_STRIDE_AMP_MAX_MG = const(1500)  # (an arm swinging +-20 deg a stride shows ~0.3-1 g along the swing)
_HANGS_MG = const(900)  # (a walk: the implement hangs, the slow mean of |a| stays near 1 g)
_STRIDE_MAX_MS = const(1450)  # (an arm swinging while walking: strides 0.9-1.35 s)
_AMP_KEEP_PCT = const(45)  # nor is one under this share of its set's level
_STILL_MIN_MS = const(600)  # p inside the hysteresis this long, and 3/4 of a rep: the motion stopped
_PERIOD_MIN_MS = const(800)
_PERIOD_MAX_MS = const(6000)  # (a set's first cycle starts from rest: longer)
_LIKE_PCT = const(70)  # in a set, a cycle agrees with T and with the last one within this ratio
_START_LIKE_PCT = const(60)  # the cycles that open a set (a hike, a dead start) agree more loosely
_BOTH_WAYS_PCT = const(33)  # a set starts on a cycle that swings both ways: the smaller lobe this share
_FULL_PCT = const(70)  # a cycle whose top or bottom reaches less than this share of the set's waits
_FLOAT_LOST_MG = const(150)  # a cycle whose least |a| is this much above the set's did not float
_LAST_FULL_PCT = const(75)  # a set's last swing counts if its lobes reach this share of the set's
_LAST_FLOAT_MG = const(60)  # and its least |a| is at most this much above theirs
_ROUND_PCT = const(25)  # second axis of the comb output over the first: above this, gravity turns round

_HIGH_MIN_MG = const(1700)  # a kettlebell's bottom pass presses at least this hard
_HIGH_EXIT_PCT = const(70)  # and is over below this share of the entry threshold
_LOCK_LO_MG = const(700)
_LOCK_HI_MG = const(1300)
_LOCK_MS = const(300)  # a lockout is held this long
_LOCK_WITHIN_MS = const(1200)  # and starts this soon after the last bottom pass
_LOCK_SET_MS = const(12000)  # lockouts this close are one set (a snatch every 3-6 s); a lone one is no rep
_BACKSWING_MAX_MS = const(1000)  # the two bottom passes around a backswing are this close
_LOCK_COS_X5 = const(4)  # cos(gravity, bottom-pass direction) < 4/5: not hanging

TEMPO_UNKNOWN = const(0)
TEMPO_LIGHT_FAST = const(1)  # elasticity work: a light club swung quickly
TEMPO_HEAVY_SLOW = const(2)  # strength work: a heavy club/bell, long float at the top
TEMPO_SPLIT_MS = const(1400)  # mean rep period below this is light-fast, from it on heavy-slow
# the moves told apart and the extras that hold their reps: swings (gravity sways), casts and mills
# (gravity turns right round), snatches (counted by their lockouts; the count is the larger of the
# cycles and the lockouts, so these need not add up to it)
MOVE_EXTRAS = (("swing", "reps_swing"), ("cast", "reps_cast"), ("snatch", "reps_snatch"))


# The per-sample and per-frame work is viper (`_step`, `_project`) on one array('i'), `s`: the
# scalars below, then the rings. Every value is stored plus _BIAS (a 64-bit host reads the 32-bit
# words unsigned); all stay below 2**29, and no product exceeds 2**31 (the ESP32's viper int).
_BIAS = const(1 << 29)
_MAX_HOLD = const(25)  # a gap longer than this many frames is not replayed as held frames
_END = const(0)  # end of the frame collecting samples (0: none open yet)
_SX = const(1)  # its sums and sample count
_SY = const(2)
_SZ = const(3)
_N = const(4)
_X = const(5)  # the last closed frame's mean (held across empty frames)
_Y = const(6)
_Z = const(7)
_TODO = const(8)  # closed frames not processed yet
_T = const(9)  # centre time of the frame processed last
_FRAMES = const(10)  # (from here to _LK_LEVEL: zeroed by a restart)
_MX = const(11)  # slow mean, scaled by 2^_MEAN_SHIFT
_MY = const(12)
_MZ = const(13)
_HI = const(14)  # the ring slot of the next frame
_LAG = const(15)  # the rep period in frames (0: none yet)
_PERIODIC = const(16)
_CXX = const(17)  # covariance of the comb output (mg^2 / 64), scaled by 2^_COV_SHIFT
_CYY = const(18)
_CZZ = const(19)
_CXY = const(20)
_CXZ = const(21)
_CYZ = const(22)
_DX = const(23)  # its dominant axis (x _UNIT)
_DY = const(24)
_DZ = const(25)
_ROUND = const(26)  # the comb output fills two axes (gravity turns right round)
_LEVEL_HI = const(27)  # recent peaks of p above and below 0 (mg)
_LEVEL_LO = const(28)
_STATE = const(29)  # p last beyond +hysteresis (1), -hysteresis (-1), or still (0)
_HALVES = const(30)  # crossings since p was last still
_CROSS_T1 = const(31)  # the last two crossings' times
_CROSS_T2 = const(32)
_STILL_T = const(33)  # when p was last beyond the hysteresis
_CYC_MAX = const(34)  # the cycle under way: p's extremes, least |a| and when, frames (round ones)
_CYC_MIN = const(35)
_CYC_LOAD = const(36)
_CYC_ROUND = const(37)
_CYC_N = const(38)
_TOP_T = const(39)
_LK_LEVEL = const(40)  # running mean of bottom-pass peaks (mg) (kept by a restart)
_LK_STRONG = const(41)  # bottom passes since the last lockout that pressed >= 3/4 of it
_LK_PASS_T1 = const(42)  # the last two bottom passes' times
_LK_PASS_T2 = const(43)
_LK_IN_HIGH = const(44)  # inside a bottom pass: its peak, when, and the direction it pressed
_LK_MAX = const(45)  # (from here to _SCALARS: zeroed by a restart)
_LK_MAX_T = const(46)
_LK_PX = const(47)
_LK_PY = const(48)
_LK_PZ = const(49)
_LK_CX = const(50)  # the direction at the peak of the pass under way
_LK_CY = const(51)
_LK_CZ = const(52)
_LK_START = const(53)  # when |a| settled near 1 g (-1: not)
_LK_X1 = const(54)  # the two frames before this one
_LK_Y1 = const(55)
_LK_Z1 = const(56)
_LK_X2 = const(57)
_LK_Y2 = const(58)
_LK_Z2 = const(59)
_EV_T = const(60)  # a finished cycle for the caller: when, how long, and its extremes, frames, event
_EV_DUR = const(61)
_EV_MAX = const(62)
_EV_MIN = const(63)
_EV_ROUND = const(64)
_EV_N = const(65)
_EV_TOP = const(66)
_EV_LOAD = const(67)
_EV_ODD = const(68)  # p stopped half way through a cycle (one crossing after the last cycle)
_HALF = const(69)  # the autocorrelation's first peak (frames), perhaps half a rep
_SLOW0 = const(70)  # slow mean of h.h
_VEC1 = const(71)  # slow means of |h(t) - h(t - L)|^2 and (|a|(t) - |a|(t - L))^2, L = _HALF
_MAG1 = const(72)
_RADIAL2 = const(73)  # slow means of (|a|(t) - |a|(t - q))^2 at q = L / 2, L / 4 (_MAG1 + 1, + 2: one loop)
_RADIAL4 = const(74)
_DOUBLED = const(75)  # the lag is half a rep: p's cycles are half reps
_CYC_AGREE = const(76)  # the cycle under way: frames where |a| and |p| are both above or both below
_CYC_LSUM = const(77)  # the last cycle's means, less those where one is above and one below; sums
_CYC_PSUM = const(78)  # of |a| and |p| for the next cycle's means
_REF_L = const(79)  # the last cycle's mean |a| and |p|
_REF_P = const(80)
_EV_AGREE = const(81)
_EV_GRAVITY = const(82)  # |slow mean| at the cycle's end: about 1 g unless gravity turns right round
_REST_X = const(83)  # the frame last seen at rest (the start position of casts and mills) and its |a|
_REST_Y = const(84)
_REST_Z = const(85)
_REST_MAG = const(86)
_CYC_UP = const(87)  # the cycle under way: its frame closest to the rest direction, and when
_UP_T = const(88)
_EV_UP = const(89)
_STRIDE_AGREE = const(90)  # running mean of the cycles' agreement of |a| and |p| (%)
_SCALARS = const(91)
_FIGS = const(9)  # a cycle's figures for the set logic (see _events)
_CYC_SUM_FRAMES = const(1000)  # (40 s: far longer than a rep; the sums stop there, in range)
_HIST = const(_SCALARS)  # h of the last _RING frames (x, y, z)
_CORR = const(_HIST + 3 * _RING)  # the autocorrelation at lags 0 .. _LAGS - 1 (pairs of frames)
_MOVED = const(_CORR + _LAGS)  # running total of how far h moved (in _MOVE_FRAMES, less the noise),
# modulo _MOVED_MASK + 1: any window's motion is a difference of two entries
_LOAD = const(_MOVED + _RING)  # |a| of each frame (the low 16 bits), and its cosine with the rest
# direction (x 256, + 512: the bits above)
_LOAD_MASK = const(0xFFFF)
_UP_SHIFT = const(16)
# reps credited, not reported yet (one goes out per closed frame; a frame credits a few at most):
# how many, the oldest's slot and their times (a ring; here, not an EventQueue, which would bring its
# module into a small board's heap)
# the cycle just made, and cycles shorter than the period joined so far (their length 0: none): when,
# how long, p's top and bottom, round frames, frames, event, least |a|, agreement (see _events)
_FIG = const(_LOAD + _RING)
_PART = const(_FIG + _FIGS)
_WAIT = const(_PART + _FIGS)
_Q_HEAD = const(_WAIT + 1)
_Q_TIMES = const(_Q_HEAD + 1)
_QUEUE = const(8)
_SIZE = const(_Q_TIMES + _QUEUE)
# what `_step` / `_project` report (bits; `_step` stops after the frame, the next call goes on)
_EV_LOCK = const(1)  # a snatch lockout (its time in _LK_START)
_EV_CYCLE = const(2)  # p made a cycle (in _EV_*)
_EV_STILL = const(4)  # p stayed still: the set under way ended
_EV_GAP = const(8)  # a gap in the data: restart, then go on


class SwingDetector:
    """Counts reps of any swung implement; one event per rep."""

    def __init__(self):
        self.s = array("i", range(_SIZE))  # (from a range, not a list of zeros: no temporary list)
        self.reset()

    def reset(self) -> None:
        s = self.s
        for i in range(_SIZE):
            s[i] = _BIAS
        for i in range(_RING):  # (the load ring starts as it always did: see _restart)
            s[_LOAD + i] = i + _BIAS
        self.count = 0  # reps reported
        self.credited = 0  # reps found (each queued with its own time until reported)
        self.last_event_ms = 0
        self.period_sum = 0
        self.period_n = 0
        self.n_swing = 0
        self.n_cast = 0
        self.n_lock = 0
        self.lock_t = -_LOCK_SET_MS - 1  # the last lockout, and whether it was counted (a set under way)
        self.lock_set = False
        self._put(_LK_PASS_T1, -_LOCK_WITHIN_MS - 1)
        self._put(_LK_PASS_T2, -_LOCK_WITHIN_MS - 1)
        self._restart()

    def _get(self, i: int) -> int:
        return self.s[i] - _BIAS

    def _put(self, i: int, v: int) -> None:
        self.s[i] = v + _BIAS

    def _restart(self) -> None:
        """Forget the transient state (start, or after a gap in the data)."""
        s = self.s
        for i in range(_FRAMES, _LK_LEVEL):
            s[i] = _BIAS
        for i in range(_LK_IN_HIGH, _LOAD):  # (the load ring is written before it is read)
            s[i] = _BIAS
        self._put(_DX, _UNIT)
        self._put(_CYC_LOAD, _NO_LOAD)
        self._put(_LK_START, -1)
        self._put(_CYC_UP, -1024)
        self.level = 0  # recent half amplitude of p (mg)
        self.pend_t = -1  # the first cycle of a set, waiting for a second like it
        self.pend_dur = 0
        self.pend_round = False
        self.hold_t = -1  # a weak cycle inside a set, waiting to see whether the set goes on
        self.hold_dur = 0
        self.hold_round = 0  # (bit 1: round; bit 2: as full as the set's reps, it counts if the set ends)
        self.last_dur = 0  # the last counted cycle's length (0: no set under way)
        self._put(_PART + 1, 0)  # (no cycles joined)
        self.load_level = 0  # the set's least |a| in a cycle (a swing's float at the top), running mean
        self.half_rep = False  # a half rep counted (p's cycles are half reps), waiting for the other
        self.cycle_half = False  # the cycle of p being judged is half a rep

    @micropython.viper
    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        s = ptr32(self.s)  # noqa: F821 (a viper cast)
        b = _BIAS
        if int(s[_N]) != b and t_ms < int(s[_END]) - b:  # most samples only add to the open frame
            s[_SX] = int(s[_SX]) + x
            s[_SY] = int(s[_SY]) + y
            s[_SZ] = int(s[_SZ]) + z
            s[_N] = int(s[_N]) + 1
            return 0
        return int(self._close(t_ms, x, y, z))

    def _close(self, t_ms: int, x: int, y: int, z: int) -> int:
        """The sample closes the open frame (or is the first): run the frames, handle what they
        report, report a rep credited (one per call)."""
        self._drain(_step(self.s, t_ms, x, y, z, 0))  # type: ignore[arg-type]  (an array is what ptr32 points into)
        return self._release()

    def _drain(self, what: int) -> None:
        """Handle what a frame reported, then run the sample's other frames."""
        s = self.s
        while what:
            if what == _EV_GAP:
                self._restart()
            else:
                self._events(what)
            what = _step(s, 0, 0, 0, 0, 1)  # type: ignore[arg-type]

    def _release(self) -> int:
        """Report the oldest rep credited (a set's first reps are credited together, each with its
        own time): `feed` reports one per closed frame."""
        n = self._get(_WAIT)
        if not n:
            return 0
        head = self._get(_Q_HEAD)
        self.last_event_ms = self._get(_Q_TIMES + head)
        self._put(_Q_HEAD, (head + 1) % _QUEUE)
        self._put(_WAIT, n - 1)
        self.count += 1
        return 1

    def _events(self, what: int) -> None:
        """What a frame reported: a lockout, a cycle of p, or p still."""
        if what & _EV_LOCK:
            t = self._get(_LK_START)
            in_set = t - self.lock_t <= _LOCK_SET_MS
            if in_set and not self.lock_set:  # a set's second lockout: the first counts too, at its time
                self.n_lock += 1
                self._report(self.lock_t)
            if in_set:
                self.n_lock += 1
            self.lock_set = in_set
            self.lock_t = t
            self._report(t)
        if what & _EV_STILL:
            self._put(_PART + 1, 0)
            self._last_turn(True)
        if what & _EV_CYCLE:
            self._cycle(_FIG)

    def _cycle(self, f: int) -> int:
        """A cycle of p (its figures at s[f]: when, how long, p's top and bottom, round frames,
        frames, event, least |a|, agreement; _FIG: the one just made, copied there first, or _PART:
        a few joined): is it a rep, and the first of a set? (No method more: each new name makes
        the module too big for a small board's heap, tests/test_sim.py.)"""
        s = self.s
        if f == _FIG:  # (the figures are stored biased: copied as they are)
            s[f] = s[_EV_T]
            s[f + 1] = s[_EV_DUR]
            dur = s[f + 1] - _BIAS
            s[f + 2] = s[_EV_MAX]
            s[f + 3] = _BIAS - (s[_EV_MIN] - _BIAS)  # (2 * _BIAS is no small int on a 32-bit port)
            s[f + 4] = s[_EV_ROUND]
            s[f + 5] = s[_EV_N]
            s[f + 6] = s[_EV_TOP]  # a swing's event: its float at the top
            if (s[f + 4] - _BIAS) * 2 > s[f + 5] - _BIAS and s[_EV_GRAVITY] - _BIAS < _HANGS_MG:
                s[f + 6] = s[_EV_UP]  # a cast's or mill's: upright in front again
            s[f + 7] = s[_EV_LOAD]
            s[f + 8] = s[_EV_AGREE]
            # a swing near its pendulum's own period swings little once a rep, and the comb's third
            # harmonic (its uneven speed) can make p cross more often: cycles much shorter than the
            # period are joined until they make one (what p showed in them together); joined ones that
            # do not make one by the next longer cycle are judged alone first, as they came
            short = self._get(_LAG) * _SLOT_MS * _LIKE_PCT
            if not self._get(_PERIODIC) or self._get(_DOUBLED):
                short = 0
            p = _PART
            todo = 1
            if dur * 100 >= short:
                if s[p + 1] != _BIAS:
                    todo = 2  # the cycles joined so far first, alone
            elif s[p + 1] != _BIAS:
                s[p] = s[f]
                s[p + 1] += dur
                s[p + 2] = max(s[p + 2], s[f + 2])
                s[p + 3] = max(s[p + 3], s[f + 3])
                s[p + 4] += s[f + 4] - _BIAS
                s[p + 5] += s[f + 5] - _BIAS
                if s[f + 7] < s[p + 7]:
                    s[p + 6] = s[f + 6]
                    s[p + 7] = s[f + 7]
                s[p + 8] += s[f + 8] - _BIAS
            else:
                for i in range(_FIGS):
                    s[p + i] = s[f + i]
            if dur * 100 < short:
                if (s[p + 1] - _BIAS) * 100 < short:
                    return 0  # (joined: wait for more)
                for i in range(_FIGS):
                    s[f + i] = s[p + i]
                s[p + 1] = _BIAS
            if todo == 2:
                self._cycle(_PART)
                s[p + 1] = _BIAS
        dur = s[f + 1] - _BIAS
        top = s[f + 2] - _BIAS
        bottom = s[f + 3] - _BIAS
        rounds = s[f + 4] - _BIAS
        frames = s[f + 5] - _BIAS
        event = s[f + 6] - _BIAS
        load = s[f + 7] - _BIAS
        agree = s[f + 8] - _BIAS
        half = (top + bottom) >> 1
        round_ = rounds * 2 > frames
        level = self.level
        self.level = level + ((half - level) >> 2) if level else half
        agree = agree * 100 // (frames or 1)
        stride_agree = self._get(_STRIDE_AGREE)
        stride_agree += (agree - stride_agree) >> 1
        self._put(_STRIDE_AGREE, stride_agree)
        level_hi = self._get(_LEVEL_HI)
        level_lo = self._get(_LEVEL_LO)
        self._put(_LEVEL_HI, level_hi + ((top - level_hi) >> 2) if level_hi else top)
        self._put(_LEVEL_LO, level_lo + ((bottom - level_lo) >> 2) if level_lo else bottom)
        lag_ms = self._get(_LAG) * _SLOT_MS
        # the lag may be half a rep (_DOUBLED); p's cycle then is half a rep, or a whole one
        # when what turns once a rep is strong enough for the comb to keep it
        self.cycle_half = bool(self._get(_DOUBLED))
        if self.cycle_half and dur * 2 > lag_ms * 3:
            self.cycle_half = False
            lag_ms *= 2
        in_set = self.last_dur > 0
        if not in_set and self.pend_t < 0 and lag_ms < dur <= 2 * lag_ms:
            dur = lag_ms  # a set's first rep from rest crosses late (it starts slowly): take the period
        full = top * 100 >= level_hi * _FULL_PCT and bottom * 100 >= level_lo * _FULL_PCT
        # a set's last rep may slow into the start position (a heavy cast or mill): a full cycle in
        # a set agrees more loosely, even once the autocorrelation stopped calling the motion periodic
        ending = in_set and full
        like = _LIKE_PCT if in_set and not ending else _START_LIKE_PCT
        if (
            not (self._get(_PERIODIC) or ending)
            or dur < _PERIOD_MIN_MS
            or dur > _PERIOD_MAX_MS
            or not _like(dur, lag_ms, like)
            or half < _AMP_MIN_MG
            or lag_ms < _STRIDE_MAX_MS
            and (
                not in_set
                and half < _AMP_START_STRIDE_MG
                or (stride_agree if in_set else agree) > _STRIDE_AGREE_PCT
                and half < _STRIDE_AMP_MAX_MG
                and self._get(_EV_GRAVITY) > _HANGS_MG
            )
            or half * 100 < level * _AMP_KEEP_PCT
        ):
            self.last_dur = 0
            self.pend_t = -1
            return self._last_turn(False)
        if in_set and _like(dur, self.last_dur, like):
            self.last_dur = dur
            weak = (
                top * 100 < level_hi * _FULL_PCT
                or bottom * 100 < level_lo * _FULL_PCT
                or load - self.load_level > _FLOAT_LOST_MG
            )
            last = (
                not weak
                and top * 100 >= level_hi * _LAST_FULL_PCT
                and bottom * 100 >= level_lo * _LAST_FULL_PCT
                and load - self.load_level <= _LAST_FLOAT_MG
            )
            self.load_level += (load - self.load_level) >> 2
            n = 0
            if self.hold_t >= 0:  # the set went on: the cycle held was a rep
                n = self._count(self.hold_t, self.hold_dur, bool(self.hold_round & 1))
                self.hold_t = -1
            if weak or not round_:  # the swing-through after the last rep? It counts if the set goes
                self.hold_t = event  # on; a swing's cycle that does not fall short is held too, and
                self.hold_dur = dur  # counts as the set's last rep if it is as full and floats as the
                self.hold_round = int(round_) + 2 * int(last)  # set's (the swing-through's front
                # turn falls short)
                return n
            return n + self._count(event, dur, round_)
        self._last_turn(False)
        pend = self.pend_t
        lopsided = (top if top < bottom else bottom) * 100 < (
            bottom if top < bottom else top
        ) * _BOTH_WAYS_PCT
        if pend >= 0 and _like(dur, self.pend_dur, _START_LIKE_PCT) and not lopsided:
            self.pend_t = -1
            self.last_dur = dur
            self.load_level = load
            n = self._count(pend, self.pend_dur, self.pend_round)
            return n + self._count(event, dur, round_)
        self.pend_t = event  # the first cycle of what may be a set
        self.pend_dur = dur
        self.pend_round = round_
        self.last_dur = 0
        return 0

    def _last_turn(self, more: bool) -> int:
        """The set ended: the cycle held counts if it was as full as the set's reps (`hold_round` & 2).
        With `more` (p went still): a heavy set's last cast or mill slows into the start position and
        stops there: p crossed once after the last cycle and went still. It is a rep when it turned
        gravity right round with both lobes full (a swing's undriven swing-through after its last rep
        is not round: it never counts). Light sets are left out: their last rep completes its cycle,
        and what crosses once after it is the club being lowered."""
        t = self.hold_t
        self.hold_t = -1
        if t >= 0 and self.hold_round & 2:
            self._count(t, self.hold_dur, bool(self.hold_round & 1))
        if not more or self.last_dur < TEMPO_SPLIT_MS or not self._get(_EV_ODD):
            return 0
        top = self._get(_EV_MAX)
        bottom = -self._get(_EV_MIN)
        level_hi = self._get(_LEVEL_HI) * 2  # (halved as the set ended)
        level_lo = self._get(_LEVEL_LO) * 2
        if top * 100 < level_hi * _FULL_PCT or bottom * 100 < level_lo * _FULL_PCT:
            return 0
        if self._get(_EV_ROUND) * 2 <= self._get(_EV_N):
            return 0
        self.last_dur = 0
        return self._count(self._get(_EV_TOP), 0, True)

    def _count(self, t_event: int, dur: int, round_: bool) -> int:
        """A rep from the cycles (from every second one while they are half reps: _DOUBLED)."""
        if self.cycle_half:
            self.half_rep = not self.half_rep
            if self.half_rep:
                return 0
            dur *= 2
        else:
            self.half_rep = False
        if dur:
            self.period_sum += dur
            self.period_n += 1
        if round_:
            self.n_cast += 1
        else:
            self.n_swing += 1
        return self._report(t_event)

    def _report(self, t_event: int) -> int:
        """The count is what the cycles or the snatch lockouts found, whichever is more: the reps
        it gains are credited at `t_event` (queued, for `feed` to report)."""
        total = self.n_swing + self.n_cast
        if self.n_lock > total:
            total = self.n_lock
        new = total - self.credited
        if new <= 0:
            return 0
        self.credited = total
        for _ in range(new):
            n = self._get(_WAIT)
            if n < _QUEUE:  # (never full: one goes out per closed frame, reps come a second apart)
                self._put(_Q_TIMES + (self._get(_Q_HEAD) + n) % _QUEUE, t_event)
                self._put(_WAIT, n + 1)
        return new

    @micropython.native  # (native: a bytecode call with this many locals puts its frame on the heap)
    def feed_block(self, ts, xyz, n: int, on_event) -> int:
        """n samples at once (see `fascia.detect.feed_block`): `_block` runs them (viper) up to a
        sample whose frames report something, or that closes a frame while reps wait to be reported;
        that is handled here as `feed` would, then on."""
        s = self.s
        total = 0
        i = 0
        while True:
            r = int(_block(s, ts, xyz, i, n))  # type: ignore[arg-type]
            if not r:
                return total
            i = r >> 4  # (the sample after the one that stopped, and what its frames reported)
            self._drain(r & 15)
            if self._release():
                on_event(self.last_event_ms)
                total += 1

    def flush(self, t_ms: int) -> int:
        """End of session: run the comb over the frames it had not reached yet (it works _LOOK
        frames in the past), so a last rep ending just before the stop counts; the reps still queued
        are reported with it (flush gives them one time, the newest's: `flush_block` keeps each one's)."""
        return self.flush_block(t_ms, None)

    def flush_block(self, t_ms: int, on_event) -> int:
        """`flush`, calling on_event(t_ms) for each rep it reports, at the rep's own time (see
        `fascia.detect.flush`)."""
        if self._get(_LAG) and self._get(_FRAMES) > _LOOK:
            self._tail()
        self._last_turn(False)
        new = 0
        while self._release():
            new += 1
            if on_event is not None:
                on_event(self.last_event_ms)
        return new

    def _tail(self) -> None:
        """The frames the comb had not reached yet."""
        t = self._get(_END) - _SLOT_MS - _SLOT_MS // 2 - (_LOOK - 1) * _SLOT_MS
        i = self._get(_HI) - _LOOK
        for _ in range(_LOOK):
            what = _project(self.s, t, i)  # type: ignore[arg-type]
            if what:
                self._events(what)
            i += 1
            t += _SLOT_MS

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


@micropython.viper
def _block(s: ptr32, ts: ptr32, xyz: ptr32, i: int, n: int) -> int:  # noqa: F821 (viper casts)
    """Samples i..n-1 of a block (times ts[i], mg xyz[3i..3i+2]), each as `feed` takes it, until
    one's frames report something, or one closes a frame while reps wait to be reported: then
    (the next sample's index << 4) | what `_step` reported; 0 once the block is done. The open
    frame's sums stay in locals while samples only add to it (stored biased: a 64-bit host reads
    a negative word unsigned, which only changes the bits above the 32 stored, so the sums come
    out the same)."""
    b = _BIAS
    wait = int(s[_WAIT]) - b
    k = 3 * i
    cnt = int(s[_N]) - b
    end = int(s[_END]) - b
    sx = int(s[_SX])
    sy = int(s[_SY])
    sz = int(s[_SZ])
    while i < n:
        t = int(ts[i])
        i += 1
        if cnt and t < end:  # most samples only add to the open frame
            sx += int(xyz[k])
            sy += int(xyz[k + 1])
            sz += int(xyz[k + 2])
            k += 3
            cnt += 1
            continue
        s[_SX] = sx
        s[_SY] = sy
        s[_SZ] = sz
        s[_N] = cnt + b
        what = int(_step(s, t, int(xyz[k]), int(xyz[k + 1]), int(xyz[k + 2]), 0))
        if what or wait:
            return (i << 4) | what
        k += 3
        cnt = int(s[_N]) - b
        end = int(s[_END]) - b
        sx = int(s[_SX])
        sy = int(s[_SY])
        sz = int(s[_SZ])
    s[_SX] = sx
    s[_SY] = sy
    s[_SZ] = sz
    s[_N] = cnt + b
    return 0


@micropython.viper
def _step(s: ptr32, t: int, x: int, y: int, z: int, more: int) -> int:  # noqa: F821 (a viper cast)
    """Add a sample to the open frame; when it closes, run every frame it completed (held values
    across empty ones) until one reports something (_EV_*: the caller handles it and calls again
    with `more` to go on). Per frame: snatch lockouts, motion h, the autocorrelation, the period,
    the axis of the comb output, and p read _LOOK frames back (`_project`)."""
    b = _BIAS
    if more == 0:
        n = int(s[_N]) - b
        end = int(s[_END]) - b
        if n > 0 and t < end:  # most samples only add to the open frame
            s[_SX] = int(s[_SX]) + x
            s[_SY] = int(s[_SY]) + y
            s[_SZ] = int(s[_SZ]) + z
            s[_N] = int(s[_N]) + 1
            return 0
        gap = 0
        if n > 0:  # t is past the open frame: close it (its mean) and open the one holding t
            s[_X] = (int(s[_SX]) - b) // n + b
            s[_Y] = (int(s[_SY]) - b) // n + b
            s[_Z] = (int(s[_SZ]) - b) // n + b
            done = (t - end) // _SLOT_MS + 1
            new_end = end + done * _SLOT_MS
            if done > _MAX_HOLD:  # a gap: one frame, just before this sample's
                done = 1
                gap = 1
            s[_END] = new_end + b
            s[_TODO] = done + b
            s[_T] = new_end - (done + 1) * _SLOT_MS - _SLOT_MS // 2 + b
        else:  # the first sample
            s[_END] = t - t % _SLOT_MS + _SLOT_MS + b
        s[_SX] = x + b
        s[_SY] = y + b
        s[_SZ] = z + b
        s[_N] = 1 + b
        if gap:
            return _EV_GAP
    todo = int(s[_TODO]) - b
    while todo > 0:
        todo -= 1
        s[_TODO] = todo + b
        t = int(s[_T]) - b + _SLOT_MS
        s[_T] = t + b
        x = int(s[_X]) - b
        y = int(s[_Y]) - b
        z = int(s[_Z]) - b
        frames = int(s[_FRAMES]) - b
        if frames == 0:  # start the slow mean where the signal is
            s[_MX] = (x << _MEAN_SHIFT) + b
            s[_MY] = (y << _MEAN_SHIFT) + b
            s[_MZ] = (z << _MEAN_SHIFT) + b
        frames += 1
        s[_FRAMES] = frames + b
        ev = 0
        # -- snatch lockouts: |a| held at 1 g +-0.3 g for 300 ms soon after two hard bottom passes
        # (backswing and pull), gravity at least ~37 deg away from the direction the passes pressed
        # (not a bell hanging at rest). A snatch's hold breaks the cycle's rhythm, so the lockouts
        # count it instead when they find more.
        mag = int(_mag(x, y, z))
        lk_level = int(s[_LK_LEVEL]) - b
        high = lk_level >> 1
        if high < _HIGH_MIN_MG:
            high = _HIGH_MIN_MG
        in_high = int(s[_LK_IN_HIGH]) - b
        if in_high:
            if mag > int(s[_LK_MAX]) - b:
                s[_LK_MAX] = mag + b
                s[_LK_MAX_T] = t + b
                s[_LK_CX] = x + b
                s[_LK_CY] = y + b
                s[_LK_CZ] = z + b
            elif mag * 100 < high * _HIGH_EXIT_PCT:
                in_high = 0
                peak = int(s[_LK_MAX]) - b
                if peak * 4 >= lk_level * 3:  # a hard pass: keep the direction it pressed
                    s[_LK_STRONG] = int(s[_LK_STRONG]) + 1
                    s[_LK_PX] = s[_LK_CX]
                    s[_LK_PY] = s[_LK_CY]
                    s[_LK_PZ] = s[_LK_CZ]
                s[_LK_LEVEL] = (lk_level + ((peak - lk_level) >> 2) if lk_level else peak) + b
                s[_LK_PASS_T2] = s[_LK_PASS_T1]
                s[_LK_PASS_T1] = s[_LK_MAX_T]
        elif mag > high:
            in_high = 1
            s[_LK_MAX] = mag + b
            s[_LK_MAX_T] = t + b
            s[_LK_CX] = x + b
            s[_LK_CY] = y + b
            s[_LK_CZ] = z + b
        s[_LK_IN_HIGH] = in_high + b
        # the hold is judged on a 120 ms mean (this frame and the two before)
        gx = (x + int(s[_LK_X1]) + int(s[_LK_X2]) - 2 * b) // 3
        gy = (y + int(s[_LK_Y1]) + int(s[_LK_Y2]) - 2 * b) // 3
        gz = (z + int(s[_LK_Z1]) + int(s[_LK_Z2]) - 2 * b) // 3
        s[_LK_X2] = s[_LK_X1]
        s[_LK_Y2] = s[_LK_Y1]
        s[_LK_Z2] = s[_LK_Z1]
        s[_LK_X1] = x + b
        s[_LK_Y1] = y + b
        s[_LK_Z1] = z + b
        held = int(_mag(gx, gy, gz))
        if in_high or held < _LOCK_LO_MG or held > _LOCK_HI_MG:
            s[_LK_START] = b - 1
        elif int(s[_LK_START]) - b < 0:
            s[_LK_START] = t + b
        elif t - (int(s[_LK_START]) - b) >= _LOCK_MS and int(s[_LK_STRONG]) - b >= 2:
            start = int(s[_LK_START]) - b
            pass1 = int(s[_LK_PASS_T1]) - b
            if start - pass1 <= _LOCK_WITHIN_MS and pass1 - (int(s[_LK_PASS_T2]) - b) <= _BACKSWING_MAX_MS:
                px = int(s[_LK_PX]) - b
                py = int(s[_LK_PY]) - b
                pz = int(s[_LK_PZ]) - b
                dot = gx * px + gy * py + gz * pz
                if dot * 5 < _LOCK_COS_X5 * held * int(_mag(px, py, pz)):
                    s[_LK_STRONG] = b
                    ev = _EV_LOCK
        # -- motion h: the frame minus its slow mean, clamped
        mx = int(s[_MX]) - b
        my = int(s[_MY]) - b
        mz = int(s[_MZ]) - b
        mx += x - (mx >> _MEAN_SHIFT)
        my += y - (my >> _MEAN_SHIFT)
        mz += z - (mz >> _MEAN_SHIFT)
        s[_MX] = mx + b
        s[_MY] = my + b
        s[_MZ] = mz + b
        hx = x - (mx >> _MEAN_SHIFT)
        hy = y - (my >> _MEAN_SHIFT)
        hz = z - (mz >> _MEAN_SHIFT)
        if hx > _CLAMP_MG:
            hx = _CLAMP_MG
        elif hx < -_CLAMP_MG:
            hx = -_CLAMP_MG
        if hy > _CLAMP_MG:
            hy = _CLAMP_MG
        elif hy < -_CLAMP_MG:
            hy = -_CLAMP_MG
        if hz > _CLAMP_MG:
            hz = _CLAMP_MG
        elif hz < -_CLAMP_MG:
            hz = -_CLAMP_MG
        i = int(s[_HI]) - b
        k = _HIST + 3 * i
        s[k] = hx + b
        s[k + 1] = hy + b
        s[k + 2] = hz + b
        s[_HI] = (i + 1 if i + 1 < _RING else 0) + b
        k = i - _MOVE_FRAMES
        if k < 0:
            k += _RING
        k = _HIST + 3 * k
        step = int(_mag(hx - (int(s[k]) - b), hy - (int(s[k + 1]) - b), hz - (int(s[k + 2]) - b)))
        step -= _MOVE_NOISE_MG
        if step < 0:
            step = 0
        k = i - 1 if i else _RING - 1
        s[_MOVED + i] = ((int(s[_MOVED + k]) - b + step) & _MOVED_MASK) + b
        if step < _REST_MG and mag > 0:  # at rest: the start position a cast or mill comes back to
            s[_REST_X] = x + b
            s[_REST_Y] = y + b
            s[_REST_Z] = z + b
            s[_REST_MAG] = mag + b
        rest = int(s[_REST_MAG]) - b
        up = 0
        if rest > 0 and mag > 0:
            up = (x * (int(s[_REST_X]) - b) + y * (int(s[_REST_Y]) - b) + z * (int(s[_REST_Z]) - b)) // rest
            up = up * 256 // mag
        s[_LOAD + i] = mag + ((up + 512) << _UP_SHIFT) + b
        if frames & 1 == 0:  # autocorrelation: lags in steps of two frames, the even ones on
            m = (frames >> 1) & 1  # one update and the odd ones on the next (each every 160 ms)
            k = 3 * (i - 2 * m)
            if k < 0:
                k += 3 * _RING
            while m < _LAGS:
                prod = (
                    hx * (int(s[_HIST + k]) - b)
                    + hy * (int(s[_HIST + k + 1]) - b)
                    + hz * (int(s[_HIST + k + 2]) - b)
                ) >> 6
                c = int(s[_CORR + m]) - b
                s[_CORR + m] = c + ((prod - c) >> _CORR_SHIFT) + b
                k -= 12
                if k < 0:
                    k += 3 * _RING
                m += 2
            half = int(s[_HALF]) - b  # slow means: is the lag L = _HALF half a rep? (see below)
            if half > 0:
                prod = (hx * hx + hy * hy + hz * hz) >> 6
                c = int(s[_SLOW0]) - b
                s[_SLOW0] = c + ((prod - c) >> _SLOW_SHIFT) + b
                j = 2
                while j >= 0:  # |a|'s change over L / 4, L / 2, L: the slow mean of its square in _MAG1 + j
                    k = i - (half >> j)
                    if k < 0:
                        k += _RING
                    prod = mag - ((int(s[_LOAD + k]) - b) & _LOAD_MASK)
                    prod = (prod * prod) >> 6
                    c = int(s[_MAG1 + j]) - b
                    s[_MAG1 + j] = c + ((prod - c) >> _SLOW_SHIFT) + b
                    j -= 1
                k = _HIST + 3 * k
                ux = hx - (int(s[k]) - b)
                uy = hy - (int(s[k + 1]) - b)
                uz = hz - (int(s[k + 2]) - b)
                prod = (ux * ux + uy * uy + uz * uz) >> 6
                c = int(s[_VEC1]) - b
                s[_VEC1] = c + ((prod - c) >> _SLOW_SHIFT) + b
            if frames & 15 == 0:  # the rep period every 640 ms: the first autocorrelation peak
                best = 0  # near the highest; is the motion periodic?
                lag = _LAG_MIN
                while lag < _LAGS:
                    c = int(s[_CORR + lag]) - b
                    if c > best:
                        best = c
                    lag += 1
                s[_PERIODIC] = b
                if best > 0:
                    bar = best * _PEAK_PCT // 100
                    found = 0
                    peak = 0
                    lag = _LAG_MIN
                    while lag < _LAGS - 1:
                        c = int(s[_CORR + lag]) - b
                        if c >= bar and c >= int(s[_CORR + lag - 1]) - b and c >= int(s[_CORR + lag + 1]) - b:
                            found = lag
                            peak = c
                            break
                        lag += 1
                    # half a rep or a whole one? A pendulum presses along the arm at both bottom
                    # passes, so a wide, near-symmetric swing repeats almost as well after half a
                    # rep, and the peak found may be that half. Then h comes back turned the other
                    # way (the arm is in front, not behind) while |a| comes back the same: h differs
                    # after the lag much more than |a| does. After a whole rep both come back, and
                    # a pendulum's |a| already repeats after half the lag. Half reps: p's cycles are
                    # counted in pairs (_DOUBLED), the comb still finds them when what turns once a
                    # rep is too small to count. A margin, given back once doubled, stops flipping.
                    # Only where |a| swings as much as h does (a pendulum; a cast's or a mill's |a|
                    # hardly changes, and its uneven speed alone makes h differ after the lag).
                    was = int(s[_DOUBLED]) - b
                    s[_DOUBLED] = b
                    if found:
                        half = int(s[_HALF]) - b
                        if (half - 2 * found) * 8 > half or (2 * found - half) * 8 > half:
                            s[_RADIAL2] = b  # another lag: what |a| learnt is void, and the
                            s[_RADIAL4] = b  # half reps too
                            was = 0
                        s[_HALF] = 2 * found + b
                        vec = int(s[_VEC1]) - b
                        mag1 = int(s[_MAG1]) - b
                        if was:
                            turned = vec > mag1
                        else:
                            turned = vec > 2 * mag1 + ((int(s[_SLOW0]) - b) >> _DOUBLE_SHIFT)
                        radial = int(s[_RADIAL2])
                        if turned and radial > int(s[_RADIAL4]) and radial > int(s[_SLOW0]):
                            s[_DOUBLED] = 1 + b
                    if found:
                        s[_LAG] = 2 * found + b
                        if peak * 100 >= (int(s[_CORR]) - b) * _PERIODIC_PCT:
                            s[_PERIODIC] = 1 + b
        lag = int(s[_LAG]) - b
        if lag == 0:
            if ev:
                return ev
            continue
        if frames & 3 == 1:  # the axis learns from the newest frame's comb output, every fourth one
            k = i - (lag >> 1)
            if k < 0:
                k += _RING
            j = _HIST + 3 * i
            k = _HIST + 3 * k
            ux = int(s[j]) - int(s[k])
            uy = int(s[j + 1]) - int(s[k + 1])
            uz = int(s[j + 2]) - int(s[k + 2])
            # running covariance and one power step towards its dominant axis
            cxx = int(s[_CXX]) - b
            cyy = int(s[_CYY]) - b
            czz = int(s[_CZZ]) - b
            cxy = int(s[_CXY]) - b
            cxz = int(s[_CXZ]) - b
            cyz = int(s[_CYZ]) - b
            cxx += ((ux * ux) >> 6) - (cxx >> _COV_SHIFT)
            cyy += ((uy * uy) >> 6) - (cyy >> _COV_SHIFT)
            czz += ((uz * uz) >> 6) - (czz >> _COV_SHIFT)
            cxy += ((ux * uy) >> 6) - (cxy >> _COV_SHIFT)
            cxz += ((ux * uz) >> 6) - (cxz >> _COV_SHIFT)
            cyz += ((uy * uz) >> 6) - (cyz >> _COV_SHIFT)
            s[_CXX] = cxx + b
            s[_CYY] = cyy + b
            s[_CZZ] = czz + b
            s[_CXY] = cxy + b
            s[_CXZ] = cxz + b
            s[_CYZ] = cyz + b
            cxx >>= _COV_SHIFT
            cyy >>= _COV_SHIFT
            czz >>= _COV_SHIFT
            cxy >>= _COV_SHIFT
            cxz >>= _COV_SHIFT
            cyz >>= _COV_SHIFT
            dx = int(s[_DX]) - b
            dy = int(s[_DY]) - b
            dz = int(s[_DZ]) - b
            vx = (cxx * dx + cxy * dy + cxz * dz) >> 8
            vy = (cxy * dx + cyy * dy + cyz * dz) >> 8
            vz = (cxz * dx + cyz * dy + czz * dz) >> 8
            norm = int(_mag(vx, vy, vz))
            if norm > 0:
                s[_DX] = vx * _UNIT // norm + b
                s[_DY] = vy * _UNIT // norm + b
                s[_DZ] = vz * _UNIT // norm + b
            # norm is the first eigenvalue; what the trace holds beyond it is the second (and third) axis
            s[_ROUND] = (1 if (cxx + cyy + czz - norm) * 100 > norm * _ROUND_PCT else 0) + b
        ev |= int(_project(s, t - _LOOK * _SLOT_MS, i - _LOOK))
        if ev:
            return ev
    return 0


@micropython.viper
def _project(s: ptr32, t: int, j: int) -> int:  # noqa: F821 (a viper cast)
    """p: the comb output u = h(j) - h(j - T/2) of ring frame j (centred at `t`) on the axis; then
    the cycles: p squared off with hysteresis, every two crossings a cycle (_EV_CYCLE); still p
    (inside the hysteresis for most of a rep) ends the set (_EV_STILL)."""
    b = _BIAS
    lag = int(s[_LAG]) - b
    if j < 0:
        j += _RING
    k = j - (lag >> 1)
    if k < 0:
        k += _RING
    a = _HIST + 3 * j
    k = _HIST + 3 * k
    p = (
        (int(s[a]) - int(s[k])) * (int(s[_DX]) - b)
        + (int(s[a + 1]) - int(s[k + 1])) * (int(s[_DY]) - b)
        + (int(s[a + 2]) - int(s[k + 2])) * (int(s[_DZ]) - b)
    ) >> 8
    # the comb echoes a motion for half a period after it stops (h(j - T/2) alone), and turns a
    # lone move (standing up with the club) into a lobe and its echo: p counts only while the
    # implement moves around frame j (from T/8 before to T/4 after)
    ahead = int(s[_HI]) - b - 1 - j  # frames after j that have arrived
    if ahead < 0:
        ahead += _RING
    if ahead > lag >> 2:
        ahead = lag >> 2
    a = j - (lag >> 3)
    if a < 0:
        a += _RING
    k = j + ahead
    if k >= _RING:
        k -= _RING
    if (int(s[_MOVED + k]) - int(s[_MOVED + a])) & _MOVED_MASK < _MOVING_MG * _MOVE_FRAMES:
        p = 0
    load = (int(s[_LOAD + j]) - b) & _LOAD_MASK
    # does |a| rise and fall with |p| (a walk: the step's bounce peaks at heel strike, the arm at an
    # extreme) or against it (a swing floats at its extremes)? Against the last cycle's means.
    mag_p = p if p > 0 else -p
    if int(s[_CYC_N]) - b <= _CYC_SUM_FRAMES:  # (a long wait between cycles: the sums stay in range)
        above = 0
        if load > int(s[_REF_L]) - b:
            above = 1
        if mag_p > int(s[_REF_P]) - b:
            above ^= 1
        s[_CYC_AGREE] = int(s[_CYC_AGREE]) + 1 - 2 * above
        s[_CYC_LSUM] = int(s[_CYC_LSUM]) + load
        s[_CYC_PSUM] = int(s[_CYC_PSUM]) + mag_p
    if load < int(s[_CYC_LOAD]) - b:  # the event: where the implement is least loaded (a swing's float)
        s[_CYC_LOAD] = load + b
        s[_TOP_T] = t + b
    up = ((int(s[_LOAD + j]) - b) >> _UP_SHIFT) - 512  # (a cast's or mill's: upright in front again)
    if up > int(s[_CYC_UP]) - b:
        s[_CYC_UP] = up + b
        s[_UP_T] = t + b
    # the cycles
    if p > int(s[_CYC_MAX]) - b:
        s[_CYC_MAX] = p + b
    if p < int(s[_CYC_MIN]) - b:
        s[_CYC_MIN] = p + b
    s[_CYC_N] = int(s[_CYC_N]) + 1
    if int(s[_ROUND]) - b:
        s[_CYC_ROUND] = int(s[_CYC_ROUND]) + 1
    hi = (int(s[_LEVEL_HI]) - b) * _THR_PCT // 100  # p is often lopsided (a sharp top, a broad
    if hi < _THR_MIN_MG:  # bottom): each side gets a hysteresis sized from its own recent peaks
        hi = _THR_MIN_MG
    lo = (int(s[_LEVEL_LO]) - b) * _THR_PCT // 100
    if lo < _THR_MIN_MG:
        lo = _THR_MIN_MG
    state = int(s[_STATE]) - b
    if state == 0:  # a set's first crossing: higher, so handling before it does not shift the pairs
        if hi < _START_MG:
            hi = _START_MG
        if lo < _START_MG:
            lo = _START_MG
    side = 0
    if p > hi:
        side = 1
    elif p < -lo:
        side = -1
    if side == 0:
        still = t - (int(s[_STILL_T]) - b)
        if state and still > _STILL_MIN_MS and still * 4 > lag * _SLOT_MS * 3:
            s[_STATE] = b  # the motion stopped: the next crossing starts afresh, its hysteresis
            s[_EV_ODD] = ((int(s[_HALVES]) - b) & 1) + b
            s[_HALVES] = b  # from half the set's size (the next set may be smaller: another arc)
            s[_LEVEL_HI] = ((int(s[_LEVEL_HI]) - b) >> 1) + b
            s[_LEVEL_LO] = ((int(s[_LEVEL_LO]) - b) >> 1) + b
            _done(s)
            return _EV_STILL
        return 0
    s[_STILL_T] = t + b
    if side == state:
        return 0
    s[_STATE] = side + b
    halves = int(s[_HALVES]) - b + 1
    s[_HALVES] = halves + b
    t2 = int(s[_CROSS_T2]) - b
    s[_CROSS_T2] = s[_CROSS_T1]
    s[_CROSS_T1] = t + b
    if halves & 1:
        return 0
    # a set's first cycle may be lopsided (a hike, a dead start): take the period for its length
    s[_EV_DUR] = (t - t2 if halves > 2 else lag * _SLOT_MS) + b
    s[_EV_T] = t + b
    _done(s)
    return _EV_CYCLE


@micropython.viper
def _done(s: ptr32):  # noqa: F821 (a viper cast)
    """The cycle under way is over: its figures to the caller (_EV_*), a new one starts."""
    b = _BIAS
    s[_EV_MAX] = s[_CYC_MAX]
    s[_EV_MIN] = s[_CYC_MIN]
    s[_EV_ROUND] = s[_CYC_ROUND]
    s[_EV_N] = s[_CYC_N]
    s[_EV_TOP] = s[_TOP_T]
    s[_EV_LOAD] = s[_CYC_LOAD]
    s[_EV_AGREE] = s[_CYC_AGREE]
    s[_EV_UP] = s[_UP_T]
    s[_CYC_UP] = b - 1024
    s[_EV_GRAVITY] = (
        int(
            _mag(
                (int(s[_MX]) - b) >> _MEAN_SHIFT,
                (int(s[_MY]) - b) >> _MEAN_SHIFT,
                (int(s[_MZ]) - b) >> _MEAN_SHIFT,
            )
        )
        + b
    )
    n = int(s[_CYC_N]) - b
    if n > 0:
        s[_REF_L] = (int(s[_CYC_LSUM]) - b) // n + b
        s[_REF_P] = (int(s[_CYC_PSUM]) - b) // n + b
    s[_CYC_AGREE] = b
    s[_CYC_LSUM] = b
    s[_CYC_PSUM] = b
    s[_CYC_MAX] = b
    s[_CYC_MIN] = b
    s[_CYC_LOAD] = _NO_LOAD + b
    s[_CYC_ROUND] = b
    s[_CYC_N] = b


def _like(a: int, b: int, pct: int) -> bool:
    """Two durations agree: the shorter is at least `pct` % of the longer."""
    return a * 100 >= b * pct and b * 100 >= a * pct
