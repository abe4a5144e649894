"""Jump-rope counter: counts the turns of the rope from the hand's to-and-fro, wherever the sensor sits.

Why turns first: a rope is turned by the hands going round once per turn (a wrist circle of a few
cm, a whole-arm circle for slow turns). Whatever the skipper's style, landing stiffness, rope or
grip, the hand's HORIZONTAL acceleration therefore swings forward and back once per turn: the
circle's centripetal part, the rope's pull and the handle tipping against gravity all move with
the rope. The body's bounce is vertical and adds nothing there (it does swamp the vertical part:
in flight the whole skipper falls freely just as the hand's circle pushes up, so the vertical
part of a turn may vanish or reverse; it is not used for counting). Landings are not needed:

* **Gravity** is the slow mean of the slots (one-pole, 0.64 s); `motion` = slot - gravity,
  clipped to +-4 g and smoothed by two one-pole stages of 40 ms (a turn, < 6 Hz, passes; a
  landing's ring, 12-30 Hz, is cut to a fifth).
* **Forward** is the principal direction of the horizontal part of the motion (sign-aligned
  running mean, 0.32 s), found from the data: any mounting of the sensor counts the same.
  `fwd` is the motion along it.
* **A turn** is one cycle of `fwd`: a Schmitt trigger with thresholds at +-half its recent mean
  size counts rising passages. The pass itself (rope under the feet) is placed at that moment.
* **A set** starts after `_START_TURNS` vigorous turns at a plausible, steady pace (30-330 rpm,
  each within 0.5-2x of the one before); its turns so far are credited then, with their own
  times (up to 24 of them: slow first turns of a warm-up wait there for faster ones). The first
  rising passage only starts the clock (the rope may come from behind the heels: measured,
  crediting it is wrong as often as right). The set ends when no turn comes within 2.5 turn times
  or after three turns that are not vigorous.
* **A turn counts once the hands go on through its second half** (fwd falls through its lower
  threshold). When the rope catches the feet the hands stop dead within that half: the tripped
  turn is not counted, and the set's end is a trip (`trips`); a skipper stopping on purpose lets
  the rope come round once more.
* **Not skipping.** Turning a rope takes effort: a turn is *vigorous* if the skipper was seen in
  flight in it (the hand's vertical force 0.5 g under its mean for 40 ms) or fwd's mean size is
  200 mg or more (real walks, phone in hand or pocket: 95 % of their steps show neither).
  A to-and-fro along one line (shaking out the rope, a hand waved) keeps forward and vertical on
  a line: their spread over the turn is flat (4 det / trace^2 < 0.08; a rope's turns are rounder
  in 95 %), so a start with two such turns waits until they went on for 3 s (shaking out lasts
  1.5-3 s). A walking arm swings at 0.8-1.1 Hz like a slow rope, so turns slower than 80 rpm need
  the skipper seen in flight in the last 1.5 s, or up moving a quarter turn after fwd (a circle:
  |correlation of up and fwd's change| >= 1/2; a pendulum's up moves at twice its rate).
* `double_unders`: turns at least 1.7x faster than the set's single-under pace (two turns in one
  jump; a skipper whose single unders are fast is not told apart). `max_streak`: the most passes
  in one set; `rate_per_min`: passes per minute of jumping.
* What it cannot tell: turning the rope beside the body without jumping (side swings) counts, as
  the hands go round the same way.

Everything runs on 10 ms slots from the shared Resampler, so constants are in ms and the same at
any input rate (25 Hz to 1 kHz); per slot the work is a few dozen integer operations, the unit
vectors are rebuilt every 4 slots. Most samples only add to the open slot, done inline in `feed`.
All values stay below 2**30 (ESP32 small ints): nothing allocates per sample.
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import Resampler, magnitude

_SLOT_MS = const(10)
_GRAV_SHIFT = const(6)  # gravity: one-pole mean over 64 slots (0.64 s), longer than half the slowest turn
_SMOOTH_SHIFT = const(2)  # motion smoothing: two one-pole stages of 4 slots
_AXIS_SHIFT = const(5)  # forward axis and the motion statistics: over 32 slots (0.32 s)
_UNIT_EVERY = const(4)  # the unit vectors are rebuilt every 4 slots
_UNIT = const(1024)  # unit vectors are scaled to this length
_MAX_MG = const(4000)  # motion is clipped here so a knock cannot dominate the means
_MIN_MG = const(40)  # a forward swing whose mean size is below this is not a turning rope
_MIN_TURN_MS = const(180)  # 330 rpm
_MAX_TURN_MS = const(2000)  # 30 rpm (a beginner's double bounce starts that slowly)
_SLOW_TURN_MS = const(750)  # turns slower than 80 rpm need the skipper seen in flight...
_FLIGHT_MG = const(-500)  # ...the hand's vertical force 0.5 g under its mean...
_FLIGHT_SLOTS = const(4)  # ...for 40 ms (a heel strike's ring is shorter)...
_FLIGHT_RECENT_MS = const(1500)  # ...this recently
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


class JumpDetector:
    """Counts rope passes (turns while skipping) from (t_ms, x, y, z) samples; see the module docstring."""

    def __init__(self):
        self.res = Resampler(_SLOT_MS)
        self.queue = array("i", [0] * _QUEUE)
        self.start_turns = array("i", [0] * _START_MAX)  # turn times seen while starting
        self.reset()

    def reset(self) -> None:
        self.res.reset()
        self.count = 0
        self.last_event_ms = 0
        self.q_head = 0
        self.q_len = 0
        self.trips = 0
        self.double_unders = 0
        self.max_streak = 0
        self.jump_ms = 0  # time spent in sets, and the turns in it (for rate_per_min)
        self.jump_passes = 0
        self.t = 0  # time of the slot being processed
        self.started = False
        self.gx = 0  # gravity, mg << _GRAV_SHIFT
        self.gy = 0
        self.gz = 0
        self.lx = 0  # motion (slot minus gravity) after the first smoothing stage, mg
        self.ly = 0
        self.lz = 0
        self.mx = 0  # and after the second
        self.my = 0
        self.mz = 0
        self.ux = 0  # "up": gravity's direction (x _UNIT)
        self.uy = 0
        self.uz = 0
        self.ex = 0  # forward axis: sign-aligned running sum of the horizontal motion (<< _AXIS_SHIFT)
        self.ey = 0
        self.ez = 0
        self.fx = 0  # forward unit vector (x _UNIT)
        self.fy = 0
        self.fz = 0
        self.unit_in = 0  # slots until the unit vectors are rebuilt
        self.ff = 0  # sums of fwd^2, up^2 and fwd*up over the current turn (at 1/64 scale)
        self.dd = 0  # and of fwd's change per slot squared, and up times it (1/8 scale)
        self.vd = 0
        self.fwd = 0  # the last fwd
        self.vv = 0
        self.fv = 0
        self.size = 0  # mean |fwd| (mg << _AXIS_SHIFT)
        self.high = False  # the Schmitt trigger's state: fwd last passed the upper threshold
        self.flight_t = -100000  # when the skipper was last seen in flight
        self.falling = 0  # slots in a row with the vertical force well under its mean
        self._lose()

    def _lose(self) -> None:
        """Stop following turns: nothing unfinished is counted."""
        self.state = _IDLE
        self.turn_t = 0  # time of the last turn (rising passage)
        self.clock_t = 0  # the passage a set's start is timed from
        self.turn_ms = 0  # duration of the last turn
        self.pace_ms = 0  # the set's single-under pace (slow running mean of turn durations)
        self.pending = 0  # a set's last turn (its time), counted once the hands go on through it
        self.turns = 0  # turns followed since the rotation was picked up
        self.lines = 0  # of which moved along a line
        self.steady = 0  # the last turns in a row that a rope could make (see _rope_like)
        self.weak = 0  # turns in a row with less vigour than skipping takes
        self.set_t = 0  # when the current set began
        self.streak = 0

    @micropython.native
    def feed(self, t_ms: int, x: int, y: int, z: int) -> int:
        res = self.res
        if t_ms < res.slot_end:  # most samples only add to the open slot: done inline (cost)
            res.sx += x
            res.sy += y
            res.sz += z
            res.n += 1
            if self.q_len:
                return self._release()
            return 0
        done = res.push(t_ms, x, y, z)
        if done:  # (after a gap in the data one slot comes: a set that waited too long for its turn ends)
            end = res.slot_end - done * _SLOT_MS
            for i in range(done):
                self.t = end + i * _SLOT_MS - _SLOT_MS
                self._slot(res.x, res.y, res.z)
        if self.q_len:
            return self._release()
        return 0

    def flush(self, t_ms: int) -> int:
        self._stop()
        n = self.q_len
        if n:
            self.last_event_ms = self.queue[(self.q_head + n - 1) % _QUEUE]
            self.count += n
            self.q_len = 0
        return n

    def extras(self) -> dict:
        rate = 0
        if self.jump_ms:
            rate = self.jump_passes * 60000 // self.jump_ms
        return {
            "trips": self.trips,
            "double_unders": self.double_unders,
            "max_streak": self.max_streak,
            "rate_per_min": rate,
        }

    def _release(self) -> int:
        """Report one credited pass (credited passes may lie in the past)."""
        self.last_event_ms = self.queue[self.q_head]
        self.q_head = (self.q_head + 1) % _QUEUE
        self.q_len -= 1
        self.count += 1
        return 1

    def _credit(self, t: int, turn_ms: int) -> None:
        """One pass at time t, `turn_ms` after the one before."""
        if self.q_len < _QUEUE:
            self.queue[(self.q_head + self.q_len) % _QUEUE] = t
            self.q_len += 1
        self.streak += 1
        if self.streak > self.max_streak:
            self.max_streak = self.streak
        pace = self.pace_ms
        if pace == 0:
            self.pace_ms = turn_ms
        elif 10 * turn_ms < 6 * pace:  # much faster than the set's pace: a double under's turn
            self.double_unders += 1
        else:
            self.pace_ms = pace + ((turn_ms - pace) >> 3)

    def _stop(self) -> None:
        """The turns ended (or the data has a gap): a set that stops dead is a trip."""
        if self.state == _RUNNING:
            self.jump_ms += self.turn_t - self.set_t
            if self.pending:  # the hands stopped within the turn: the rope caught the feet
                self.trips += 1
                self.jump_passes -= 1
        self._lose()

    @micropython.native
    def _slot(self, x: int, y: int, z: int) -> None:
        if not self.started:
            self.started = True
            self.gx = x << _GRAV_SHIFT
            self.gy = y << _GRAV_SHIFT
            self.gz = z << _GRAV_SHIFT
        gx = self.gx
        gy = self.gy
        gz = self.gz
        gx += x - (gx >> _GRAV_SHIFT)
        gy += y - (gy >> _GRAV_SHIFT)
        gz += z - (gz >> _GRAV_SHIFT)
        self.gx = gx
        self.gy = gy
        self.gz = gz
        # motion: what is left after gravity, clipped, then smoothed
        dx = x - (gx >> _GRAV_SHIFT)
        dy = y - (gy >> _GRAV_SHIFT)
        dz = z - (gz >> _GRAV_SHIFT)
        if not (-_MAX_MG <= dx <= _MAX_MG and -_MAX_MG <= dy <= _MAX_MG and -_MAX_MG <= dz <= _MAX_MG):
            dx = _clip(dx)  # rare (knocks, landings): the call is kept off the common path
            dy = _clip(dy)
            dz = _clip(dz)
        lx = self.lx
        ly = self.ly
        lz = self.lz
        lx += (dx - lx) >> _SMOOTH_SHIFT
        ly += (dy - ly) >> _SMOOTH_SHIFT
        lz += (dz - lz) >> _SMOOTH_SHIFT
        self.lx = lx
        self.ly = ly
        self.lz = lz
        mx = self.mx
        my = self.my
        mz = self.mz
        mx += (lx - mx) >> _SMOOTH_SHIFT
        my += (ly - my) >> _SMOOTH_SHIFT
        mz += (lz - mz) >> _SMOOTH_SHIFT
        self.mx = mx
        self.my = my
        self.mz = mz
        self.unit_in -= 1
        if self.unit_in <= 0:
            self.unit_in = _UNIT_EVERY
            self._units(gx >> _GRAV_SHIFT, gy >> _GRAV_SHIFT, gz >> _GRAV_SHIFT)
        # vertical and horizontal parts of the motion
        up = (mx * self.ux + my * self.uy + mz * self.uz) >> 10
        if up < _FLIGHT_MG:  # the skipper in flight: the vertical force well under its mean for 40 ms
            self.falling += 1
            if self.falling >= _FLIGHT_SLOTS:
                self.flight_t = self.t
        else:
            self.falling = 0
        hx = mx - (up * self.ux >> 10)
        hy = my - (up * self.uy >> 10)
        hz = mz - (up * self.uz >> 10)
        fwd = (hx * self.fx + hy * self.fy + hz * self.fz) >> 10
        # the forward axis follows the horizontal motion, each sample's sign aligned with it
        ex = self.ex
        ey = self.ey
        ez = self.ez
        if hx * (ex >> 6) + hy * (ey >> 6) + hz * (ez >> 6) < 0:
            hx = -hx
            hy = -hy
            hz = -hz
        self.ex = ex + hx - (ex >> _AXIS_SHIFT)
        self.ey = ey + hy - (ey >> _AXIS_SHIFT)
        self.ez = ez + hz - (ez >> _AXIS_SHIFT)
        # how fwd and up move together over the current turn (a line: in step), and how big fwd is
        f4 = fwd >> 3
        v4 = up >> 3
        self.ff += f4 * f4
        self.vv += v4 * v4
        self.fv += f4 * v4
        df = fwd - self.fwd
        self.fwd = fwd
        self.dd += df * df
        self.vd += v4 * df
        c = self.size
        c += (fwd if fwd > 0 else -fwd) - (c >> _AXIS_SHIFT)
        self.size = c
        band = c >> (_AXIS_SHIFT + 1)
        if band < _MIN_MG >> 1:
            band = _MIN_MG >> 1
        if self.high:
            if fwd < -band:
                self.high = False
                if self.pending:  # the hands went on through the second half of the turn: it counts
                    self._credit(self.pending, self.turn_ms)
                    self.pending = 0
        elif fwd > band:
            self.high = True
            if c >> _AXIS_SHIFT >= _MIN_MG:
                self._turn()
        if self.state != _IDLE:
            wait = self.turn_ms if self.turn_ms else _MAX_TURN_MS
            if self.t - self.turn_t > (wait * 5 >> 1) + 150:
                self._stop()  # the turns stopped (a trip, a rest, or no rope at all)

    def _rope_like(self, turn_ms: int) -> bool:
        """Slow turns need the skipper seen in flight, or up moving a quarter turn after fwd (a circle,
        not a walking arm's pendulum, whose up moves at twice its rate): see "Not a rope"."""
        if turn_ms <= _SLOW_TURN_MS or self.t - self.flight_t <= _FLIGHT_RECENT_MS:
            return True
        vd = self.vd >> 4
        return 4 * vd * vd >= (self.vv >> 4) * (self.dd >> 4)  # |correlation of up and fwd'| >= 1/2

    def _along_a_line(self) -> bool:
        """Did fwd and up move along one line over the last turn? Their 2-D spread's flatness,
        4 det / trace^2 (1: a circle, 0: a line), under 0.08: a shake; 95 % of a rope's turns are
        above 0.1 (measured on generated sets)."""
        ff = self.ff
        vv = self.vv
        fv = self.fv
        while ff + vv >= 1 << 14:  # keep the products below 2**30
            ff >>= 2
            vv >>= 2
            fv >>= 2
        return 50 * (ff * vv - fv * fv) < (ff + vv) * (ff + vv)

    def _turn(self) -> None:
        """fwd rose through its upper threshold: one more turn of the rope."""
        t = self.t
        d = t - self.turn_t
        rope = self._rope_like(d)
        line = self._along_a_line()
        # skipping: the skipper in flight (up well under its mean) or the hands swinging hard
        vigorous = t - self.flight_t < d or self.size >> _AXIS_SHIFT >= _HARD_SWING_MG
        self.ff = 0
        self.vv = 0
        self.fv = 0
        self.dd = 0
        self.vd = 0
        if self.state == _IDLE or d > _MAX_TURN_MS + 300:
            if self.state != _IDLE:
                self._stop()
            self.state = _STARTING  # the first passage starts the clock (see _begin)
            self.turn_t = t
            self.clock_t = t
            self.turns = 0
            self.lines = 0
            self.steady = 0
            return
        if d < _MIN_TURN_MS or not rope and self.state == _RUNNING:
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
            self.pending = t
            self.jump_passes += 1
            return
        if last and (d > 2 * last + 60 or 2 * d + 60 < last) or self.turns == _START_MAX:
            self.turns = 0  # a start out of step (or too long along a line): from here again
            self.lines = 0
            self.steady = 0
            self.clock_t = before
        self.start_turns[self.turns] = t
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
            return
        if self.steady >= _START_TURNS and (self.lines <= 1 or t - self.start_turns[0] >= _LINE_START_MS):
            self._begin(t, d)

    def _begin(self, t: int, d: int) -> None:
        """The turns so far are a set: credit them (the passage that started the clock is not a pass:
        it may be the rope starting from behind the heels; measured, crediting it is wrong as often
        as right)."""
        self.state = _RUNNING
        self.set_t = self.clock_t
        st = self.start_turns
        for i in range(self.turns - 1):
            self._credit(st[i], d)
        self.pending = t
        self.jump_passes += 1

    def _units(self, gx: int, gy: int, gz: int) -> None:
        """Rebuild the unit vectors: up (along gravity) and forward (along the forward axis)."""
        gm = magnitude(gx, gy, gz)
        if gm < 200:  # no gravity to tell "up" (free fall, a broken sensor): keep the last
            return
        self.ux = gx * _UNIT // gm
        self.uy = gy * _UNIT // gm
        self.uz = gz * _UNIT // gm
        ex = self.ex >> 4
        ey = self.ey >> 4
        ez = self.ez >> 4
        em = magnitude(ex, ey, ez)
        if em:
            self.fx = ex * _UNIT // em
            self.fy = ey * _UNIT // em
            self.fz = ez * _UNIT // em


def _clip(v: int) -> int:
    if v > _MAX_MG:
        return _MAX_MG
    if v < -_MAX_MG:
        return -_MAX_MG
    return v
