"""Jump-rope counter: counts the turns of the rope from the hand's to-and-fro, wherever the sensor sits.

Why turns first: a rope is turned by the hands going round once per turn (a wrist circle of a few
cm, a whole-arm circle for slow turns). Whatever the skipper's style, landing stiffness, rope or
grip, the hand's HORIZONTAL acceleration therefore swings forward and back once per turn: the
circle's centripetal part, the rope's pull and the handle tipping against gravity all move with
the rope. The body's bounce is vertical and adds nothing there (it does swamp the vertical part:
in flight the whole skipper falls freely just as the hand's circle pushes up, so the vertical
part of a turn may vanish or reverse; it is not used for counting). Landings are not needed:

* **Gravity** is the slow mean of the slots (one-pole, 0.64 s); `motion` = slot - gravity,
  clipped to +-4 g and smoothed by two one-pole stages of ~30 ms (a turn, < 6 Hz, passes; a
  landing's ring, 12-30 Hz, is cut to a fifth).
* **Forward** is the principal direction of the horizontal part of the motion (sign-aligned
  running mean, 0.32 s), found from the data: any mounting of the sensor counts the same.
  `fwd` is the motion along it, its sign set by a fixed direction of the sensor (held while the
  axis is near square to it), not by the axis's own history: that is set by the noise of a still
  sensor before a set, and a sign flip moves every turn's passage by half a turn (the simulated
  device, sampling the same trace a few ms apart, then counted the ends of sets differently).
* **A turn** is one cycle of `fwd`: a Schmitt trigger with thresholds at +-half its recent mean
  size counts rising passages. The pass itself (rope under the feet) is placed at that moment.
  Once turns are slower than 80 rpm (until one is faster than 100 rpm) the trigger follows fwd
  smoothed over 80 ms more: a slow double bounce's two landings per turn ring on a small circle's
  swing.
* **A set** starts after `_START_TURNS` vigorous turns at a plausible, steady pace (30-330 rpm,
  each within 0.5-2x of the one before); its turns so far are credited then, with their own
  times (up to 24 of them: slow first turns of a warm-up wait there for faster ones). The first
  rising passage only starts the clock (the rope may come from behind the heels). Passes are made
  in flight: where the skipper is seen in flight in every start turn from some turn on, the turns
  before it are not credited and the clock's is if the skipper was in flight at it; otherwise
  the clock's turn is not (measured, crediting it is then wrong as often as right). A rising
  passage sooner than 180 ms after the last is a ripple (a knock, a landing) and is ignored.
  The set ends when no turn comes within 2.5 turn times
  or after three turns that are not vigorous.
* **A turn counts once the hands go on through its second half** (fwd falls through its lower
  threshold). When the rope catches the feet the hands stop dead within that half: the tripped
  turn is not counted, and the set's end is a trip (`trips`); a skipper stopping on purpose lets
  the rope come round once more.
* **Not skipping.** Turning a rope takes effort: a turn is *vigorous* if the skipper was seen in
  flight in it (the hand's vertical force 0.5 g under its mean for 60 ms), fwd's mean size is
  200 mg or more, or (slower than 80 rpm) it is a *hopping circle* (below), and fwd went round
  as a *clean swing*: the energy of its change within 1.5^2 of a sine's at the turn's rate. A
  rope turns smoothly (on generated sets 90 % of turns are within 1.2x, 98 % within 1.9x); a
  walker's hip, bag or hand also brakes and pushes at every step (half the steps of real walks
  that passed as turns: over 1.7x), and a kettlebell's arc is not a sine either (real walks and
  kettlebell sets counted as jump rope: 1,514 false passes before this test, 302 with it). A
  slow turn with a short hop seen in it (at most 200 ms: a double bounce's; a kettlebell's
  weightless top is longer), or with any flight while up moved twice as much as fwd (hard
  landings that reach the hand on a wrist that rolls with the turn leak into fwd; a walker never
  flies, a walking arm swings more than it bobs) may be rougher, 2.5x: its landings ring on its swing;
  so may a turn with a flight in it whose fwd is 400 mg or more, 2x (a double under's high
  jump rings on the swing; the bag and pocket walks that passed as turns swing under 300 mg).
  A to-and-fro along one line (shaking out the rope, a hand waved) keeps forward and vertical on
  a line: their spread over the turn is flat (4 det / trace^2 < 0.08; a rope's turns are rounder
  in 95 %), so a start with two such turns waits until they went on for 3 s (shaking out lasts
  1.5-3 s). A walking arm swings at 0.8-1.1 Hz like a slow rope, so a turn slower than 80 rpm needs
  the skipper seen in flight during it (a walker's first strides can look like one flight, not like
  one in every turn; the flight must fall within the turn), or up moving a quarter turn after fwd (a circle:
  |correlation of up and fwd's change| >= 1/2; a pendulum's up moves at twice its rate), or a
  hopping circle: a clean swing of fwd with up moving at least 0.7x as much (a double bounce
  whose short hops reach the hand through a compliant arm as a 0.3 g bob, no flight seen; a
  walking arm swings forward 2-5x more than it bobs).
* `double_unders`: turns at least 1.7x faster than the set's single-under pace (two turns in one
  jump; a skipper whose single unders are fast is not told apart). `max_streak`: the most passes
  in one set; `jump_rate`: passes per minute of jumping.
* What it cannot tell: turning the rope beside the body without jumping (side swings) counts, as
  the hands go round the same way.

Everything runs on 20 ms slots, each the mean of the input as held (its latest sample) at two
instants 10 ms apart, so constants are in ms and the same at any input rate (25 Hz to 1 kHz).
Why held readings, not box means: the device's sensor samples the same motion on its own grid
(any ODR whose period divides 10 ms: 100-1000 Hz), holding each value until the next; read at
10 ms instants, its samples and a trace's rows give the same slots, so `fascia sim` counts what
`fascia count` counts. Box means weighed a device's held samples by how long they held and a
trace's rows once each, and a set's marginal first turn went either way.
The per-sample and per-slot work is one viper function, `_run`, that takes a whole block of samples
(a FIFO read: `feed_block`; `feed` is a block of one) on one array of ints (every value biased by
_BIAS: a 64-bit host reads the 32-bit words unsigned) and comes back to Python only for a turn's
events; the set logic above runs in plain Python once per turn. All values stay below 2**29:
nothing allocates per sample.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.events import EventQueue

_SLOT_MS = const(20)  # 9 slots in the fastest turn; two readings 10 ms apart: a 25 Hz ring x0.7, 50 Hz x0
_GRAV_SHIFT = const(5)  # gravity: one-pole mean over 32 slots (0.64 s), longer than half the slowest turn
_SMOOTH_SHIFT = const(1)  # motion smoothing: two one-pole stages of 2 slots (~30 ms each)
_AXIS_SHIFT = const(4)  # forward axis and the motion statistics: over 16 slots (0.32 s)
_SIDE_X = const(54)  # a fixed direction of the sensor (length 64) that sets forward's sign...
_SIDE_Y = const(34)
_SIDE_Z = const(-7)
_SIDE_MARGIN = const(16)  # ...once the axis is within 75 deg of it or of its opposite
_UNIT_EVERY = const(2)  # the unit vectors are rebuilt every 2 slots
_UNIT = const(1024)  # unit vectors are scaled to this length
_MAX_MG = const(4000)  # motion is clipped here so a knock cannot dominate the means
_MIN_MG = const(40)  # a forward swing whose mean size is below this is not a turning rope
_MIN_TURN_MS = const(180)  # 330 rpm
_MAX_TURN_MS = const(2000)  # 30 rpm (a beginner's double bounce starts that slowly)
_SLOW_TURN_MS = const(750)  # a turn slower than 80 rpm needs the skipper seen in flight...
_FLIGHT_MG = const(-500)  # ...the hand's vertical force 0.5 g under its mean...
_FLIGHT_SLOTS = const(
    3
)  # ...for 60 ms in that turn (a heel strike's ring is shorter; a 1 cm hop flies 90 ms)
_SLOW_FLIGHT_SLOTS = const(3)  # a slow turn's flight: 60 ms in it (see "Not skipping")
_SLOW_SWING_SHIFT = const(2)  # slow turns: fwd smoothed over 4 slots (80 ms) for the trigger...
_FAST_TURN_MS = const(600)  # ...until a turn is this fast again
_CLEAN_SWING = const(5685)  # 64 (1.5 x 2 pi)^2: a turn's fwd within 1.5x a sine's rate of change...
_HOP_SWING = const(15791)  # ...or 2.5x, 64 (2.5 x 2 pi)^2, for a slow turn with a short hop seen in it:
_HOP_SLOTS = const(10)  # 200 ms at most (a double bounce's hop; a kettlebell's weightless top is longer)
_BOUNCING_SHIFT = const(2)  # ...or any flight, if up moved 4x fwd's power (2x its size): the skipper bounces
_JUMP_SWING = const(10106)  # ...or 2x, 64 (2 x 2 pi)^2, for a turn with a flight in it swung this hard:
_BIG_SWING_MG = const(400)  # fwd's mean size (real bag and pocket walks that passed as turns: < 300 mg)
_START_TURNS = const(3)  # a set starts after 3 turns at a plausible, steady pace...
_LINE_START_MS = const(3000)  # ...or, if some moved along a line, after 3 s of them (a shake is shorter)
_START_MAX = const(24)  # turns held while a set starts (3 s of the fastest turns)
# a turn of skipping is vigorous: the skipper seen in flight, or fwd's mean size this big (hands
# turning a rope); a walker's hand or pocket does neither in 95 % of steps (real walks, measured)
_HARD_SWING_MG = const(200)
_WEAK_TURNS = const(3)  # this many turns in a row that are not end a set
_QUEUE = const(16)  # passes credited but not yet reported
# a set's state: no rotation followed, followed but not yet a set, a set
_IDLE = const(0)
_STARTING = const(1)
_RUNNING = const(2)
# The per-sample state lives in one array('i') (`s`) that `_run` (viper) works on through a raw
# pointer: every value is stored plus _BIAS, since a 64-bit host reads 32-bit words unsigned.
_BIAS = const(1 << 29)  # |values| stay below this
_MAX_HOLD = const(25)  # a gap longer than this many slots is not replayed as held slots (its last only)
_HOLD_MS = const(10)  # the input is read as held at every 10 ms (two such readings make a slot)
_NONE_OPEN = const(-(1 << 28))  # (any sample's time is past it)
_GRID = const(0)  # the next 10 ms instant to read the held input at (_NONE_OPEN: no sample yet)
_PX = const(1)  # the latest sample (what the input holds now)
_PY = const(2)
_PZ = const(3)
_AX = const(4)  # the held input at a slot's first instant (its second closes the slot)
_AY = const(5)
_AZ = const(6)
_RX = const(7)  # the value of the slots after the one being processed (the input held then)
_RY = const(8)
_RZ = const(9)
_X = const(10)  # the slot being processed (the mean of its two readings)
_Y = const(11)
_Z = const(12)
_TODO = const(13)  # closed slots not processed yet
_T = const(14)  # time of the slot being processed
_GX = const(15)  # gravity, mg << _GRAV_SHIFT
_GY = const(16)
_GZ = const(17)
_LX = const(18)  # motion after the first smoothing stage (mg)
_LY = const(19)
_LZ = const(20)
_MX = const(21)  # and after the second
_MY = const(22)
_MZ = const(23)
_EX = const(24)  # forward axis: sign-aligned running sum of the horizontal motion
_EY = const(25)
_EZ = const(26)
_UX = const(27)  # up: gravity's direction (x _UNIT)
_UY = const(28)
_UZ = const(29)
_FX = const(30)  # forward unit vector (x _UNIT)
_FY = const(31)
_FZ = const(32)
_UNIT_IN = const(33)  # slots until the unit vectors are rebuilt
_FALLING = const(34)  # slots in a row with the vertical force well under its mean
_FLIGHT_T = const(35)  # when the skipper was last seen in flight
_FF = const(36)  # sums over the current turn: fwd^2, up^2, fwd*up (1/64 scale), fwd'^2, up*fwd'
_VV = const(37)
_FV = const(38)
_DD = const(39)
_VD = const(40)
_FWD = const(41)  # the last fwd
_SIZE = const(42)  # mean |fwd| (mg << _AXIS_SHIFT)
_HIGH = const(43)  # the Schmitt trigger's state: 1 when fwd last passed the upper threshold
_DEADLINE = const(44)  # a followed turn is overdue after this time...
_FOLLOW = const(45)  # ...if turns are being followed (1)
_PENDING = const(46)  # 1: a set's last turn waits for its second half
_STARTED = const(47)  # 1 once the first slot set gravity
_SIGN = const(48)  # forward's sign against the axis found (1 or -1)
_LONGEST = const(49)  # the longest run of falling slots in the current turn
_SWING = const(50)  # fwd smoothed for the turn's pace (what the Schmitt trigger follows)
_SWING_SHIFT = const(51)  # its one-pole's length (0: fwd itself; slow turns: _SLOW_SWING_SHIFT)
_STATE = const(52)
# what `_run` reports (it stops there; the next call goes on with the slots left)
_ROSE = const(1)  # fwd rose through its upper threshold: a turn
_FELL = const(2)  # fwd fell through its lower threshold with a turn pending: it counts
_OVERDUE = const(3)  # no turn came in time: the turns stopped
# A 64-bit host reads the sample words unsigned (a negative one as itself + 2**32), so a sample is
# taken as read and brought back to its value modulo 2**29 (it stays within +-_WRAP) when used
_WRAP = const(1 << 28)
_WRAP_MASK = const((1 << 29) - 1)


def _ignore(t_ms: int) -> None:
    pass


class JumpDetector:
    """Counts rope passes (turns while skipping) from (t_ms, x, y, z) samples; see the module docstring."""

    def __init__(self):
        self.s = array("i", [0] * _STATE)
        self.queue = EventQueue(_QUEUE)
        self.start_turns = array("i", [0] * _START_MAX)  # turn times seen while starting
        self.start_flew = bytearray(_START_MAX)  # 1: the skipper was seen in flight in that turn
        self.one_t = array("i", [0])  # `feed`'s sample, as a block of one
        self.one_xyz = array("i", [0, 0, 0])
        self.reset()

    def reset(self) -> None:
        s = self.s
        for i in range(_STATE):
            s[i] = _BIAS
        s[_FLIGHT_T] = _BIAS - 100000
        s[_GRID] = _BIAS + _NONE_OPEN
        self.count = 0
        self.last_event_ms = 0
        self.queue.clear()
        self.trips = 0
        self.double_unders = 0
        self.max_streak = 0
        self.jump_ms = 0  # time from each set's first pass to its last, and the passes after the first
        self.jump_gaps = 0  # (jump_rate: the pace while skipping, the start and the stops left out)
        self.t = 0  # time of the slot being processed
        self._lose()

    def _put(self, i: int, v: int) -> None:
        self.s[i] = v + _BIAS

    def _lose(self) -> None:
        """Stop following turns: nothing unfinished is counted."""
        self.state = _IDLE
        self._put(_FOLLOW, 0)
        self._put(_PENDING, 0)
        self.turn_t = 0  # time of the last turn (rising passage)
        self.clock_t = 0  # the passage a set's start is timed from
        self.clock_flight = -_MAX_TURN_MS  # when the skipper was last seen in flight at that passage
        self.rise_flight = -_MAX_TURN_MS  # the same at the last rising passage
        self.turn_ms = 0  # duration of the last turn
        self.pace_ms = 0  # the set's single-under pace (slow running mean of turn durations)
        self.pending = 0  # a set's last turn (its time), counted once the hands go on through it
        self.turns = 0  # turns followed since the rotation was picked up
        self.lines = 0  # of which moved along a line
        self.steady = 0  # the last turns in a row that a rope could make (see _rope_like)
        self.weak = 0  # turns in a row with less vigour than skipping takes
        self.first_t = 0  # the current set's first and last counted pass, and how many
        self.last_t = 0
        self.passes = 0

    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        one = self.one_t
        one[0] = t_ms
        xyz = self.one_xyz
        xyz[0] = x
        xyz[1] = y
        xyz[2] = z
        return self.feed_block(one, xyz, 1, _ignore)

    @micropython.native
    def feed_block(self, ts, xyz, n: int, on_event) -> int:
        """n samples at once (see `fascia.detect.feed_block`): `_run` takes them in viper and comes
        back only for turn events. As `feed`, each sample reports one credited pass if any waits."""
        s = self.s
        queue = self.queue
        new = 0
        ended = 0  # samples whose end (one waiting pass reported) is done
        i = 0
        while True:
            r = _run(s, ts, xyz, i, n)  # type: ignore[arg-type]  (an array is what ptr32 points into)
            i = r >> 2
            what = r & 3
            last = i - 1 if what else n  # the samples before `last` are through: their passes
            k = last - ended
            if k > queue.n:
                k = queue.n
            new += k
            while k:
                on_event(self._release())
                k -= 1
            ended = last
            if not what:
                return new
            self.t = s[_T] - _BIAS
            if what == _ROSE:
                self._turn()
            elif what == _FELL:  # the hands went on through the second half of the turn: it counts
                self._put(_PENDING, 0)
                self._credit(self.pending, self.turn_ms)
                self.pending = 0
            else:
                self._stop()  # the turns stopped (a trip, a rest, or no rope at all)

    def flush(self, t_ms: int) -> int:
        self._stop()
        n = self.queue.n
        if n:
            self.last_event_ms = self.queue.pop_ready()
            self.count += n
        return n

    def flush_block(self, t_ms: int, on_event) -> int:
        """`flush`, calling on_event(t_ms) for each pass it counts, at the pass's own time."""
        self._stop()
        new = 0
        while self.queue.n:
            new += self._release()
            on_event(self.last_event_ms)
        return new

    def extras(self) -> dict:
        rate = 0
        if self.jump_ms:
            rate = self.jump_gaps * 60000 // self.jump_ms
        return {
            "trips": self.trips,
            "double_unders": self.double_unders,
            "max_streak": self.max_streak,
            "jump_rate": rate,
        }

    @micropython.native
    def _release(self) -> int:
        """Report one credited pass (credited passes may lie in the past): its time."""
        t = self.queue.pop()
        self.last_event_ms = t
        self.count += 1
        return t

    @micropython.native
    def _credit(self, t: int, turn_ms: int) -> None:
        """One pass at time t, `turn_ms` after the one before."""
        if not self.passes:
            self.first_t = t
        self.last_t = t
        self.passes += 1
        self.queue.add(t)
        if self.passes > self.max_streak:
            self.max_streak = self.passes
        pace = self.pace_ms
        if pace == 0:
            self.pace_ms = turn_ms
        elif 10 * turn_ms < 6 * pace:  # much faster than the set's pace: a double under's turn
            self.double_unders += 1
        else:
            self.pace_ms = pace + ((turn_ms - pace) >> 3)

    def _stop(self) -> None:
        """The turns ended: a set that stops dead within a turn is a trip."""
        if self.state == _RUNNING:
            if self.passes > 1:
                self.jump_ms += self.last_t - self.first_t
                self.jump_gaps += self.passes - 1
            if self.pending:  # the hands stopped within the turn: the rope caught the feet
                self.trips += 1
        self._lose()

    @micropython.native
    def _follow(self) -> None:
        """Turns are being followed: the next one is overdue after 2.5 turn times."""
        wait = self.turn_ms if self.turn_ms else _MAX_TURN_MS
        self._put(_DEADLINE, self.turn_t + (wait * 5 >> 1) + 150)
        self._put(_FOLLOW, 1)

    @micropython.native
    def _rope_like(self, turn_ms: int) -> bool:
        """Slow turns need the skipper seen in flight, or up moving a quarter turn after fwd (a circle,
        not a walking arm's pendulum, whose up moves at twice its rate): see "Not skipping"."""
        s = self.s
        if turn_ms <= _SLOW_TURN_MS or s[_LONGEST] - _BIAS >= _SLOW_FLIGHT_SLOTS:
            return True
        if self._hopping_circle(turn_ms):
            return True
        vd = (s[_VD] - _BIAS) >> 4
        return 4 * vd * vd >= ((s[_VV] - _BIAS) >> 4) * (
            (s[_DD] - _BIAS) >> 4
        )  # |corr. of up and fwd'| >= 1/2

    @micropython.native
    def _clean_swing(self, turn_ms: int, limit: int = _CLEAN_SWING) -> bool:
        """Did fwd go round once in the turn as a clean swing? The energy of its change within
        `limit` of a sine's at the turn's rate (h = sqrt(dd / 64 ff) n / 2 pi: 1 for a sine, n the
        turn's slots; h <= 1.5, or 2.5 / 2 for _HOP_SWING / _JUMP_SWING). A rope turns smoothly
        (98 % of turns on generated sets: h <= 1.9, 90 %: <= 1.2); a walker's hip, bag or hand also
        brakes and pushes at every step (half the steps of the real walks that counted as turns:
        h > 1.7)."""
        s = self.s
        ff = s[_FF] - _BIAS
        dd = s[_DD] - _BIAS
        if ff <= 0:
            return False
        while dd >= 1 << 14 or ff >= 1 << 14:  # keep the products below 2**30
            dd >>= 2
            ff >>= 2
        n = turn_ms // _SLOT_MS
        return dd * n * n <= limit * ff

    @micropython.native
    def _hopping_circle(self, turn_ms: int) -> bool:
        """A slow turn of a skipper whose flights do not reach the hand (a double bounce's short hops
        through a compliant arm): a clean swing of fwd, and up moving at least 0.7x as much (the hops;
        a walking arm swings forward 2-5x more than it bobs)."""
        s = self.s
        return 2 * (s[_VV] - _BIAS) >= s[_FF] - _BIAS and self._clean_swing(turn_ms)

    @micropython.native
    def _along_a_line(self) -> bool:
        """Did fwd and up move along one line over the last turn? Their 2-D spread's flatness,
        4 det / trace^2 (1: a circle, 0: a line), under 0.08: a shake; 95 % of a rope's turns are
        above 0.1 (measured on generated sets)."""
        s = self.s
        ff = s[_FF] - _BIAS
        vv = s[_VV] - _BIAS
        fv = s[_FV] - _BIAS
        while ff + vv >= 1 << 14:  # keep the products below 2**30
            ff >>= 2
            vv >>= 2
            fv >>= 2
        return 50 * (ff * vv - fv * fv) < (ff + vv) * (ff + vv)

    @micropython.native
    def _turn(self) -> None:
        """fwd rose through its upper threshold: one more turn of the rope."""
        t = self.t
        d = t - self.turn_t
        if d < _MIN_TURN_MS and self.state != _IDLE:
            return  # too soon for a turn: a ripple on fwd (a knock, a landing), not the rope
        if d < _FAST_TURN_MS:  # the trigger follows fwd; slow turns: fwd smoothed, a landing's ring cut
            self._put(_SWING_SHIFT, 0)
        elif _SLOW_TURN_MS < d <= _MAX_TURN_MS + 300:
            self._put(_SWING_SHIFT, _SLOW_SWING_SHIFT)
        rope = self._rope_like(d)
        line = self._along_a_line()
        s = self.s
        flight = s[_FLIGHT_T] - _BIAS
        # skipping: the skipper in flight (up well under its mean) or the hands swinging hard
        vigorous = t - flight < d or (s[_SIZE] - _BIAS) >> _AXIS_SHIFT >= _HARD_SWING_MG
        if d > _SLOW_TURN_MS and not vigorous:
            vigorous = self._hopping_circle(d)
        if vigorous:  # and a clean swing: a walker's steps are not (see _clean_swing)
            limit = _CLEAN_SWING
            bouncing = (s[_VV] - _BIAS) >> _BOUNCING_SHIFT >= s[_FF] - _BIAS  # (no product past 2**30)
            if d > _SLOW_TURN_MS and t - flight < d and (s[_LONGEST] - _BIAS <= _HOP_SLOTS or bouncing):
                limit = _HOP_SWING  # a slow turn with a hop in it: its landings ring on a small swing
            elif t - flight < d and (s[_SIZE] - _BIAS) >> _AXIS_SHIFT >= _BIG_SWING_MG:
                limit = _JUMP_SWING  # a high jump's landing rings on a hard swing (double unders)
            vigorous = self._clean_swing(d, limit)
        for i in range(_FF, _VD + 1):  # the next turn's sums
            s[i] = _BIAS
        s[_LONGEST] = _BIAS
        self._turn_on(t, d, rope, line, vigorous, flight)
        self.rise_flight = flight
        if self.state != _IDLE:
            self._follow()

    @micropython.native
    def _turn_on(self, t: int, d: int, rope: bool, line: bool, vigorous: bool, flight: int) -> None:
        """The set logic for a turn d ms after the last one (see "A set" in the module docstring)."""
        if self.state == _IDLE or d > _MAX_TURN_MS + 300:
            if self.state != _IDLE:
                self._stop()
            self.state = _STARTING  # the first passage starts the clock (see _begin)
            self.turn_t = t
            self.clock_t = t
            self.clock_flight = flight
            self.turns = 0
            self.lines = 0
            self.steady = 0
            return
        if not rope and self.state == _RUNNING:
            self._stop()
            return
        last = self.turn_ms
        before = self.turn_t
        self.turn_t = t
        self.turn_ms = d
        if vigorous:
            self.weak = 0
        else:
            self.weak += 1
        if self.state == _RUNNING:
            if self.weak >= _WEAK_TURNS:
                self._stop()  # the skipping stopped (walking on with the rope in hand?)
                return
            self._pend(t)
            return
        if last and (d > 2 * last + 60 or 2 * d + 60 < last) or self.turns == _START_MAX:
            self.turns = 0  # a start out of step (or too long along a line): from here again
            self.lines = 0
            self.steady = 0
            self.clock_t = before
            self.clock_flight = self.rise_flight
        self.start_turns[self.turns] = t
        self.start_flew[self.turns] = 1 if flight > before - 2 * _SLOT_MS else 0
        self.turns += 1
        if line:
            self.lines += 1
        if rope:
            self.steady += 1
        else:
            self.steady = 0  # a slow turn and nobody in flight: it waits for faster ones to follow
        if self.weak:
            self.turns = 0  # a set starts on vigorous turns only
            self.lines = 0
            self.steady = 0
            self.clock_t = t
            self.clock_flight = flight
            return
        if self.steady >= _START_TURNS and (self.lines <= 1 or t - self.start_turns[0] >= _LINE_START_MS):
            self._begin(t, d)

    def _begin(self, t: int, d: int) -> None:
        """The turns so far are a set: credit them. Passes are made in flight: if the skipper was seen
        in flight in every start turn (two or more) from some turn on, the turns before that one had
        no pass (the rope starting from behind the heels) and the clock's passage has one if the
        skipper was in flight at it. Else every turn but the clock's (measured, crediting that one is
        then wrong as often as right)."""
        self.state = _RUNNING
        st = self.start_turns
        n = self.turns
        first = 0
        while first < n and not self.start_flew[first]:
            first += 1
        flew = 0
        for i in range(first, n):
            flew += self.start_flew[i]
        if n - first >= 2 and flew == n - first:
            # seen in flight in every turn (two or more) from the first flight on: passes are made in
            # flight, so the turns before it had none
            if self.clock_t - self.clock_flight < st[0] - self.clock_t:
                self._credit(self.clock_t, d)  # in flight already as the clock started: a pass
                first = 0
        else:
            first = 0
        for i in range(first, n - 1):
            self._credit(st[i], d)
        self._pend(t)

    @micropython.native
    def _pend(self, t: int) -> None:
        """The turn at t counts once the hands go on through its second half."""
        self.pending = t
        self._put(_PENDING, 1)


@micropython.viper
def _run(s: ptr32, ts: ptr32, xyz: ptr32, i: int, n: int) -> int:  # noqa: F821 (viper casts)
    """Feed samples i..n-1 (times ts[k], milli-g xyz[3k..3k+2]): the input is read as it is held
    (its latest sample) at every 10 ms instant, two readings make a slot; once a sample comes past
    an instant, run the per-slot filters on each slot it completed, until one reports a turn
    event. Returns (k << 2) | event, k the next sample to feed and event _ROSE, _FELL or _OVERDUE
    (the caller handles it and calls again from k: the slots left of sample k - 1 come first), or
    0 once all n are in. The state is in `s` plus _BIAS, held in locals while the call runs (the
    caller changes it only between calls); nothing allocates."""
    b = _BIAS
    todo = int(s[_TODO]) - b  # slots completed but not processed yet
    grid = int(s[_GRID]) - b  # the next instant to read the held input at
    px = int(s[_PX]) - b  # the latest sample
    py = int(s[_PY]) - b
    pz = int(s[_PZ]) - b
    ox = int(s[_AX]) - b  # the open slot's first reading
    oy = int(s[_AY]) - b
    oz = int(s[_AZ]) - b
    rx = int(s[_RX]) - b  # the slots after the one being processed
    ry = int(s[_RY]) - b
    rz = int(s[_RZ]) - b
    cx = int(s[_X]) - b  # the slot being processed
    cy = int(s[_Y]) - b
    cz = int(s[_Z]) - b
    now = int(s[_T]) - b
    gx = int(s[_GX]) - b
    gy = int(s[_GY]) - b
    gz = int(s[_GZ]) - b
    lx = int(s[_LX]) - b
    ly = int(s[_LY]) - b
    lz = int(s[_LZ]) - b
    mx = int(s[_MX]) - b
    my = int(s[_MY]) - b
    mz = int(s[_MZ]) - b
    ex = int(s[_EX]) - b
    ey = int(s[_EY]) - b
    ez = int(s[_EZ]) - b
    ux = int(s[_UX]) - b
    uy = int(s[_UY]) - b
    uz = int(s[_UZ]) - b
    fx = int(s[_FX]) - b
    fy = int(s[_FY]) - b
    fz = int(s[_FZ]) - b
    unit_in = int(s[_UNIT_IN]) - b
    falling = int(s[_FALLING]) - b
    flight_t = int(s[_FLIGHT_T]) - b
    ff = int(s[_FF]) - b
    vv = int(s[_VV]) - b
    fv = int(s[_FV]) - b
    dd = int(s[_DD]) - b
    vd = int(s[_VD]) - b
    last_fwd = int(s[_FWD]) - b
    size = int(s[_SIZE]) - b
    high = int(s[_HIGH]) - b
    swing = int(s[_SWING]) - b
    swing_shift = int(s[_SWING_SHIFT]) - b
    deadline = int(s[_DEADLINE]) - b
    follow = int(s[_FOLLOW]) - b
    pending = int(s[_PENDING]) - b
    started = int(s[_STARTED]) - b
    sign = int(s[_SIGN]) - b
    longest = int(s[_LONGEST]) - b
    j = 3 * i
    t = 0  # the time of sample i
    code = 0
    while True:
        if todo <= 0:
            while i < n:  # most samples only replace the one held
                t = int(ts[i])
                if t > grid:
                    break
                px = int(xyz[j])  # (the words as read: see _WRAP)
                py = int(xyz[j + 1])
                pz = int(xyz[j + 2])
                i += 1
                j += 3
            if i >= n:
                break
            if grid == _NONE_OPEN:  # the first sample: the first reading is in the middle of the next slot
                grid = t - t % _SLOT_MS + _SLOT_MS + _HOLD_MS
            else:  # sample i comes after the instant `grid`: the input held px until then
                px = ((px + _WRAP) & _WRAP_MASK) - _WRAP
                py = ((py + _WRAP) & _WRAP_MASK) - _WRAP
                pz = ((pz + _WRAP) & _WRAP_MASK) - _WRAP
                held = (t - grid - 1) // _HOLD_MS + 1  # the instants it held (grid, grid + 10, ...)
                if held > 2 * _MAX_HOLD:  # a gap: the last slot only (a slot is two readings)
                    k = ((held - 2) >> 1) << 1
                    grid += k * _HOLD_MS
                    held -= k
                close = grid
                if grid % _SLOT_MS:  # the first reading opens a slot: whole slots of px
                    close += _HOLD_MS
                    cx = px
                    cy = py
                    cz = pz
                else:  # the first reading closes the open slot
                    cx = (ox + px) >> 1
                    cy = (oy + py) >> 1
                    cz = (oz + pz) >> 1
                    held += 1
                todo = held >> 1
                if held & 1:  # the last reading opens a slot
                    ox = px
                    oy = py
                    oz = pz
                rx = px
                ry = py
                rz = pz
                now = close - _SLOT_MS
                grid = close + (held - 1) * _HOLD_MS  # the readings ran from close - 10 on
            px = int(xyz[j])
            py = int(xyz[j + 1])
            pz = int(xyz[j + 2])
            i += 1
            j += 3
            continue
        todo -= 1
        now += _SLOT_MS
        if not started:
            started = 1
            gx = cx << _GRAV_SHIFT
            gy = cy << _GRAV_SHIFT
            gz = cz << _GRAV_SHIFT
        # gravity, and the motion left after it: clipped, then smoothed
        gx += cx - (gx >> _GRAV_SHIFT)
        gy += cy - (gy >> _GRAV_SHIFT)
        gz += cz - (gz >> _GRAV_SHIFT)
        dx = cx - (gx >> _GRAV_SHIFT)
        dy = cy - (gy >> _GRAV_SHIFT)
        dz = cz - (gz >> _GRAV_SHIFT)
        cx = rx  # (the next slot, if any, read the input as held now)
        cy = ry
        cz = rz
        if dx > _MAX_MG:
            dx = _MAX_MG
        elif dx < -_MAX_MG:
            dx = -_MAX_MG
        if dy > _MAX_MG:
            dy = _MAX_MG
        elif dy < -_MAX_MG:
            dy = -_MAX_MG
        if dz > _MAX_MG:
            dz = _MAX_MG
        elif dz < -_MAX_MG:
            dz = -_MAX_MG
        lx += (dx - lx) >> _SMOOTH_SHIFT
        ly += (dy - ly) >> _SMOOTH_SHIFT
        lz += (dz - lz) >> _SMOOTH_SHIFT
        mx += (lx - mx) >> _SMOOTH_SHIFT
        my += (ly - my) >> _SMOOTH_SHIFT
        mz += (lz - mz) >> _SMOOTH_SHIFT
        unit_in -= 1
        if unit_in <= 0:  # rebuild the unit vectors: up (gravity's direction) and forward
            unit_in = _UNIT_EVERY
            ax = gx >> _GRAV_SHIFT
            ay = gy >> _GRAV_SHIFT
            az = gz >> _GRAV_SHIFT
            for k in range(2):
                if k == 1:
                    ax = ex >> 4
                    ay = ey >> 4
                    az = ez >> 4
                # |a| within 6.5 % (filters.magnitude, inline)
                p = ax if ax > 0 else -ax
                q = ay if ay > 0 else -ay
                r = az if az > 0 else -az
                if p < q:
                    p, q = q, p
                if q < r:
                    q, r = r, q
                    if p < q:
                        p, q = q, p
                m = (p * 60 + q * 27 + r * 17) >> 6
                if k == 0 and m >= 200:  # (no gravity to tell up: free fall, a broken sensor)
                    ux = ax * _UNIT // m
                    uy = ay * _UNIT // m
                    uz = az * _UNIT // m
                elif k == 1 and m > 0:
                    fx = ax * _UNIT // m
                    fy = ay * _UNIT // m
                    fz = az * _UNIT // m
                    # forward's sign by a fixed direction of the sensor, not by the axis's history
                    # (which a still sensor's noise sets): it holds unless clearly the other way
                    side = (ax * _SIDE_X + ay * _SIDE_Y + az * _SIDE_Z) // m
                    if side > _SIDE_MARGIN:
                        sign = 1
                    elif side < -_SIDE_MARGIN:
                        sign = -1
        # vertical and horizontal parts of the motion
        up = (mx * ux + my * uy + mz * uz) >> 10
        if up < _FLIGHT_MG:  # the skipper in flight: the vertical force well under its mean for 60 ms
            falling += 1
            if falling > longest:
                longest = falling
            if falling >= _FLIGHT_SLOTS:
                flight_t = now
        else:
            falling = 0
        hx = mx - ((up * ux) >> 10)
        hy = my - ((up * uy) >> 10)
        hz = mz - ((up * uz) >> 10)
        fwd = (hx * fx + hy * fy + hz * fz) >> 10
        if sign < 0:
            fwd = -fwd
        # the forward axis follows the horizontal motion, each slot's sign aligned with it
        if hx * (ex >> 6) + hy * (ey >> 6) + hz * (ez >> 6) < 0:
            hx = -hx
            hy = -hy
            hz = -hz
        ex += hx - (ex >> _AXIS_SHIFT)
        ey += hy - (ey >> _AXIS_SHIFT)
        ez += hz - (ez >> _AXIS_SHIFT)
        # the swing the trigger follows (fwd, smoothed for slow turns), how fwd and up move over
        # the current turn, and how big fwd is
        swing += (fwd - swing) >> swing_shift
        f8 = fwd >> 3
        v8 = up >> 3
        df = fwd - last_fwd
        last_fwd = fwd
        ff += f8 * f8
        vv += v8 * v8
        fv += f8 * v8
        dd += df * df
        vd += v8 * df
        size += (fwd if fwd > 0 else -fwd) - (size >> _AXIS_SHIFT)
        band = size >> (_AXIS_SHIFT + 1)
        if band < _MIN_MG >> 1:
            band = _MIN_MG >> 1
        if follow and now > deadline:
            code = _OVERDUE
            break
        if high:
            if swing < -band:
                high = 0
                if pending:
                    code = _FELL
                    break
        elif swing > band:
            high = 1
            if size >> _AXIS_SHIFT >= _MIN_MG:
                code = _ROSE
                break
    s[_TODO] = todo + b
    s[_GRID] = grid + b
    s[_PX] = (((px + _WRAP) & _WRAP_MASK) - _WRAP) + b
    s[_PY] = (((py + _WRAP) & _WRAP_MASK) - _WRAP) + b
    s[_PZ] = (((pz + _WRAP) & _WRAP_MASK) - _WRAP) + b
    s[_AX] = ox + b
    s[_AY] = oy + b
    s[_AZ] = oz + b
    s[_RX] = rx + b
    s[_RY] = ry + b
    s[_RZ] = rz + b
    s[_X] = cx + b
    s[_Y] = cy + b
    s[_Z] = cz + b
    s[_T] = now + b
    s[_GX] = gx + b
    s[_GY] = gy + b
    s[_GZ] = gz + b
    s[_LX] = lx + b
    s[_LY] = ly + b
    s[_LZ] = lz + b
    s[_MX] = mx + b
    s[_MY] = my + b
    s[_MZ] = mz + b
    s[_EX] = ex + b
    s[_EY] = ey + b
    s[_EZ] = ez + b
    s[_UX] = ux + b
    s[_UY] = uy + b
    s[_UZ] = uz + b
    s[_FX] = fx + b
    s[_FY] = fy + b
    s[_FZ] = fz + b
    s[_UNIT_IN] = unit_in + b
    s[_FALLING] = falling + b
    s[_FLIGHT_T] = flight_t + b
    s[_FF] = ff + b
    s[_VV] = vv + b
    s[_FV] = fv + b
    s[_DD] = dd + b
    s[_VD] = vd + b
    s[_FWD] = last_fwd + b
    s[_SIZE] = size + b
    s[_HIGH] = high + b
    s[_SWING] = swing + b
    s[_STARTED] = started + b
    s[_SIGN] = sign + b
    s[_LONGEST] = longest + b
    return (i << 2) | code
