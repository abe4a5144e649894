"""Jump-rope counter for a sensor in the handle (or on the wrist): counts rope passes, not bounces.
A sensor on the body (a phone in a pocket, on the waist) sees no rope: there it counts jumps.

Physics it relies on (all constants below follow from it, none from a particular recording):

* The wrist turns the rope by moving the handle on a small circle in the rope's (vertical)
  plane, once per turn, 60-330 rpm. The acceleration minus its slow mean (gravity) therefore has
  a FORWARD component (horizontal, along the principal horizontal direction) that goes round
  once per turn. It is followed as a phase in quarter turns: maximum, down-crossing, minimum,
  up-crossing, always in that order, each with a hysteresis sized from the last swing (so a
  rope that speeds up 2.4x for double unders, or slows down again, is followed turn by turn).
  The rope position between quarter events is interpolated at the recent quarter pace.
* Half turns of 450-550 ms (55-67 rpm: slow warm-up turns) are also followed, but only while the
  skipper is seen in flight (vertical force 0.5 g below its mean in the last 1.5 s) and no jolt fell
  off the landing phase lately: a walking arm swings at that pace too, and its fast pendulum can
  dip as low, but walking strikes a heel twice per arm swing where a skipper lands once per turn.
* Shaking the arms moves the hand along a line: forward and vertical then move in step
  (correlation > 0.97). A turning rope does not, so such motion is not taken for turns.
* Every landing sends a jolt up the body: a burst of fast (> 10 Hz) acceleration that the slow
  wrist circle (< 6 Hz) does not make. A second difference of the 10 ms slots picks it out, and
  a jolt must stand out of its own recent background (shaking and fast circles raise that). A
  spike adds to that background no more than a hard landing does, so one knock cannot deafen it.
* Passes are rope turns while jumping: each landing in phase with the rope brings the whole
  turns since the previous one (1, 2 for a double under, more if landings went unnoticed).
  Jumping is established by three landings in a row in the same rope phase; then those jumps
  are credited late (queued with their own times). Until then a lone candidate gives way to the
  next jolt out of its phase, and a first candidate that came much sooner than the next turn is
  dropped: a set's first turns are slower, never faster (it was the push-off or the rope starting).
* A jump's pass is only confirmed once the rope turns on past its landing (0.4 turn, at no less
  than half the recent pace). On a trip the rope catches the feet: the hands stop, the yank
  makes at most a hasty quarter event, and the catch turn goes to `trips` instead.
* Up to two landings the rotation tracker was too late for are credited back when a run is
  established, each 7/8-7/4 of the run's pace before the next (the first turns are slower), but
  only if it rang for >= 30 ms (a landing rings; a step of the body force would not).
* A sensor on the body falls freely in every flight (vertical force 0.65 g or more under its mean
  for 60-700 ms: walking never leaves the ground) and rings on landing. Where no rope has been
  followed for a minute, four such bounces at a steady pace (60-240 a minute, within 25 %) start
  a run that counts one pass per bounce, two after a flight of 0.3 s or more (a double under's
  11+ cm; single unders are 2-10 cm). While that run lasts the rope counter does not take over,
  so no jump counts twice.

Everything runs on 10 ms slots from the shared Resampler (jolts) and pairs of them (rotation), so
the constants are in ms and the same at any input rate; the per-slot state is a handful of small
ints. Cost: most samples only add to the open slot, done inline in `feed` (no call).
"""

from array import array

import micropython
from micropython import const

from fascia.detect.filters import Resampler, magnitude

_SLOT_MS = const(10)
_GRAV_SHIFT = const(5)  # gravity: mean over ~0.64 s (32 pairs of slots), longer than the slowest turn's half
_MAX_HP = const(4000)  # high-passed components are clipped here (mg) so spikes cannot dominate
_MIN_AMP = const(60)  # mg: forward swing below this is not a turning rope (slowest 100 rpm, 2 cm: 220)
_BAND_DIV = const(5)  # an extremum is passed once the signal is back by 1/5 of the last swing
_Q_MIN_MS = const(30)  # a quarter turn at 500 rpm: faster than any rope
_HALF_MAX_MS = const(450)  # half a turn at 67 rpm; a walking arm swings slower (stride <= 1.1 Hz)...
_HALF_SLOW_MS = const(550)  # ...but a slow warm-up turn (55 rpm) is followed while the skipper is
_FLIGHT_MG = const(500)  # seen in flight (vertical force 0.5 g under its mean) and no jolt fell off
_RECENT_MS = const(1500)  # the landing phase (walking: two heel strikes per arm swing) this recently
_JOLT_MG = const(400)  # a landing jolt: sum of |second differences| of the 10 ms slots above this...
_JOLT_BG = const(3)  # ...and this many times its recent mean
_JOLT_CAP = const(5000)  # a landing's jolt stays below this: a bigger spike must not deafen the background
_RING_MS = const(30)  # a landing's ringing lasts at least this long
_START = const(3)  # landings in phase before a set counts
_PHASE = const(9)  # a landing within +-9/32 turn of the expected phase is in phase...
_PHASE_ON = const(12)  # ...or +-12/32 once jumping (a double under shifts the phase of the forward swing)
_MAX_TURNS = const(4)  # at most this many turns between two landings in phase (missed landings)
_CONFIRM = const(13)  # 13/32 turn past the landing confirms its pass
_QUEUE = const(16)  # passes credited but not yet reported
_LEAD_MS = const(75)  # the last pass of a jump is about half a flight before its landing
# a sensor on the body (pocket, waist) sees no rope but every jump: a free fall, then a landing
_AIR_MG = const(650)  # in the air: vertical force 0.65 g under its mean (a walk never gets there)
_AIR_MIN_MS = const(60)  # the shortest flight of a skip (a 1 cm boxer step is ~90 ms)
_AIR_MAX_MS = const(700)  # longer is not a skip (a fall, a throw)
_B_START = const(4)  # bounces in rhythm before they count
_B_MIN_GAP = const(250)  # 60..240 jumps per minute
_B_MAX_GAP = const(1000)
_ROPE_HOLD_MS = const(60000)  # a rope seen this recently: its landings are the rope counter's
# the bounce counter's state, in one array (`bounce`): touched once per landing, not per sample
_B_AIR = const(0)  # when the current free fall began, -1 = on the ground
_B_T = const(1)  # the last bounce (landing after a free fall)
_B_PERIOD = const(2)  # recent bounce period (ms)
_B_N = const(3)  # bounces in rhythm so far
_B_ON = const(4)  # 1: the rhythm is established and every bounce counts
_B_ROPE_T = const(5)  # when the rope counter last had a set
_B_CAND = const(6)  # .. + _B_START: the run's first bounces, credited once it is established
_B_CAND_N = const(10)  # .. + _B_START: and their passes
_B_SIZE = const(14)
_LAND_MS = const(60)  # a landing jolts within this of the end of the free fall (smoothed: it lags)
_DU_AIR_MS = const(300)  # a flight this long is a double under (11+ cm; single unders are 2-10 cm)


class JumpDetector:
    """Counts successful rope passes from (t_ms, x, y, z) samples; see the module docstring."""

    def __init__(self):
        self.res = Resampler(_SLOT_MS)
        self.queue = array("i", [0] * _QUEUE)
        self.jolts = array("i", [0] * 8)  # the last jolts' times, tracked or not
        self.jolt_len = array("i", [0] * 8)  # and how long each rang (ms)
        self.cand_t = array("i", [0] * _START)  # landings of a run not yet established
        self.cand_n = array("i", [0] * _START)
        self.bounce = array("i", [0] * _B_SIZE)
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
        self.jump_ms = 0  # time spent jumping (between counted landings) and the passes in it
        self.jump_passes = 0
        self.started = False
        self.gx = 0  # gravity estimate, mg << _GRAV_SHIFT
        self.gy = 0
        self.gz = 0
        self.gm = 1000  # |gravity| (mg), refined by one Newton step per slot
        self.x1 = 0  # the last two slots, for the jolt's second difference
        self.y1 = 0
        self.z1 = 0
        self.x2 = 0
        self.y2 = 0
        self.z2 = 0
        self.jb = 0  # recent mean jolt (x64, over 0.64 s)
        self.odd = False  # the rotation runs on every second slot
        self.jolt_prev = False
        self.quiet = 0  # slots left in which jolts are ignored (after a bridged gap)
        self.jolt_t = -10000  # time of the last jolt slot
        self.flight_t = -10000  # when the body was last seen in flight
        self.odd_t = -10000  # when a jolt last fell off the landing phase (a walking step does)
        self.vx = 0  # high-passed, lightly smoothed vector (mg)
        self.vy = 0
        self.vz = 0
        self.cfu = 0  # running means of fwd*up, fwd^2 and up^2 (x16): their correlation
        self.pf = 0
        self.pu = 0
        self.ex = 0  # forward axis (unnormalised, ~16x the mean horizontal swing)
        self.ey = 0
        self.ez = 0
        self.t = 0
        self.q_ms = 100  # recent quarter-turn duration
        self.swing = 0  # the last swing of the forward component, extremum to extremum (mg)
        self.band = _MIN_AMP  # hysteresis for the next extremum (mg)
        self.dead = 0  # the rope counts as stopped if no quarter event comes before this time
        self.jolt_i = 0
        for i in range(8):
            self.jolts[i] = -100000
        bo = self.bounce
        for i in range(_B_SIZE):
            bo[i] = 0
        bo[_B_AIR] = -1
        bo[_B_T] = -100000
        bo[_B_ROPE_T] = -100000
        self._end_set()

    def _end_set(self) -> None:
        """Forget the current set (rotation stopped or lost): a pending, unconfirmed pass is a trip."""
        self.phase = -1  # quarter the forward component is in (0 = rising to its maximum), -1 = none
        self.ext = 0  # the extremum being tracked
        self.last_ext = 0  # the previous extremum
        self.quarters = 0  # quarter turns since the rotation was picked up
        self.q_t = 0  # time of the last quarter event
        self.q_t2 = 0  # and of the one before
        self.anchor = -1  # rope position of the last landing (1/32 turn), -1 = none yet
        self.anchor_t = 0
        self.lphase = 0  # where in the turn (1/32) the landings fall
        self.run = 0  # landings in phase so far in this set
        self.established = False
        self.pending = 0  # passes of the last landing, waiting for the rope to go on
        self.pend_t = 0
        self.pend_gap = 0  # ms from the landing before it (spreads a double under's passes)
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
        if done:
            if res.gap:
                self._stop()
            else:
                if done == 1:
                    self.t = res.slot_end - 2 * _SLOT_MS
                    self._slot(res.x, res.y, res.z)
                else:
                    if done > 2:
                        self.quiet = 3  # a bridged gap leaves a step, not a jolt
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
            "jump_rate": rate,
        }

    def _release(self) -> int:
        """Report one credited pass (credited passes may lie in the past)."""
        self.last_event_ms = self.queue[self.q_head]
        self.q_head = (self.q_head + 1) % _QUEUE
        self.q_len -= 1
        self.count += 1
        return 1

    def _credit(self, t: int, n: int, gap: int) -> None:
        """n passes of one jump whose landing was at t, `gap` ms after the landing before it."""
        if n == 2:
            self.double_unders += 1
        t -= _LEAD_MS
        for i in range(n):
            if self.q_len < _QUEUE:
                self.queue[(self.q_head + self.q_len) % _QUEUE] = t - (n - 1 - i) * gap // n
                self.q_len += 1
        self.streak += n
        if self.streak > self.max_streak:
            self.max_streak = self.streak

    def _stop(self) -> None:
        if self.established:
            self.bounce[_B_ROPE_T] = self.t
        if self.pending:
            self.trips += 1  # turning ended without the last jump's pass confirmed
        self._end_set()

    def _position(self) -> int:
        """Rope position in 1/32 turn: quarter events so far plus the fraction of the current quarter."""
        frac = (self.t - self.q_t) * 8 // self.q_ms
        if frac > 7:
            frac = 7
        return self.quarters * 8 + frac

    @micropython.native
    def _slot(self, x: int, y: int, z: int) -> None:
        if not self.started:
            self.started = True
            self.gx = x << _GRAV_SHIFT
            self.gy = y << _GRAV_SHIFT
            self.gz = z << _GRAV_SHIFT
            self.x1 = self.x2 = x
            self.y1 = self.y2 = y
            self.z1 = self.z2 = z
        # landing jolt: second difference of the slots (a 20 Hz ring passes at ~1.4x, a 3 Hz circle at 0.04x)
        x1 = self.x1
        y1 = self.y1
        z1 = self.z1
        j = x - 2 * x1 + self.x2
        if j < 0:
            j = -j
        d = y - 2 * y1 + self.y2
        j += d if d > 0 else -d
        d = z - 2 * z1 + self.z2
        j += d if d > 0 else -d
        self.x2 = x1
        self.y2 = y1
        self.z2 = z1
        self.x1 = x
        self.y1 = y
        self.z1 = z
        jb = self.jb
        self.jb = jb + (j if j < _JOLT_CAP else _JOLT_CAP) - (jb >> 6)
        jolt = j * 64 > _JOLT_BG * jb and j > _JOLT_MG
        if self.quiet:
            self.quiet -= 1
            jolt = False
        # the rotation is slow: it is followed on pairs of slots (20 ms), which halves the cost
        if not self.odd:
            self.odd = True
            self.jolt_prev = jolt
            return
        self.odd = False
        jolt = jolt or self.jolt_prev
        x = (x + x1) >> 1
        y = (y + y1) >> 1
        z = (z + z1) >> 1
        gx = self.gx
        gy = self.gy
        gz = self.gz
        gx += x - (gx >> _GRAV_SHIFT)
        gy += y - (gy >> _GRAV_SHIFT)
        gz += z - (gz >> _GRAV_SHIFT)
        self.gx = gx
        self.gy = gy
        self.gz = gz
        gx >>= _GRAV_SHIFT
        gy >>= _GRAV_SHIFT
        gz >>= _GRAV_SHIFT
        gm = self.gm
        gm = (gm + (gx * gx + gy * gy + gz * gz) // gm) >> 1
        if gm < 100:
            gm = 100
        self.gm = gm
        # high-passed vector, clipped, then smoothed over ~40 ms
        px = self.vx
        py = self.vy
        pz = self.vz
        dx = x - gx
        dy = y - gy
        dz = z - gz
        if not (-_MAX_HP <= dx <= _MAX_HP and -_MAX_HP <= dy <= _MAX_HP and -_MAX_HP <= dz <= _MAX_HP):
            dx = _clip(dx)  # rare (spikes): the call is kept off the common path
            dy = _clip(dy)
            dz = _clip(dz)
        vx = px + ((dx - px) >> 1)
        vy = py + ((dy - py) >> 1)
        vz = pz + ((dz - pz) >> 1)
        self.vx = vx
        self.vy = vy
        self.vz = vz
        # vertical component: up is along gravity's reaction (a still sensor reads +1 g "up")
        up = (vx * gx + vy * gy + vz * gz) // gm
        if not -_MAX_HP <= up <= _MAX_HP:
            up = _clip(up)
        # forward axis: the principal direction of the horizontal part (sign power iteration, ~0.3 s)
        hx = vx - up * gx // gm
        hy = vy - up * gy // gm
        hz = vz - up * gz // gm
        ex = self.ex
        ey = self.ey
        ez = self.ez
        # products stay below 2**30 (ESP32 small ints): the axis is used at 1/4 scale
        ax = ex >> 2
        ay = ey >> 2
        az = ez >> 2
        em = magnitude(ax, ay, az)
        fwd = 0
        if em:
            fwd = (hx * ax + hy * ay + hz * az) // em
            if not -_MAX_HP <= fwd <= _MAX_HP:
                fwd = _clip(fwd)
        if fwd < 0:
            hx = -hx
            hy = -hy
            hz = -hz
        self.ex = ex + hx - (ex >> 4)
        self.ey = ey + hy - (ey >> 4)
        self.ez = ez + hz - (ez >> 4)
        self._turns(fwd, up, jolt)

    @micropython.native
    def _turns(self, fwd: int, up: int, jolt: bool) -> None:
        t = self.t
        # to-and-fro motion (shaking, swinging) moves forward and vertical in step; a circle (plus
        # a bounce that peaks as the hands pass the bottom) keeps them a quarter turn apart
        c = self.cfu
        self.cfu = c + fwd * up - (c >> 4)
        c = self.pf
        self.pf = c + fwd * fwd - (c >> 4)
        c = self.pu
        self.pu = c + up * up - (c >> 4)
        if up < -_FLIGHT_MG:
            if up < -_AIR_MG:
                bo = self.bounce
                if bo[_B_AIR] < 0 or t - self.flight_t > 2 * _SLOT_MS:
                    bo[_B_AIR] = t  # a free fall begins (for a sensor on the body; see _bounce)
            self.flight_t = t
        phase = self.phase
        if phase < 0:
            if fwd > _MIN_AMP or fwd < -_MIN_AMP:
                self._pick_up(fwd)
        elif t > self.dead:
            self._stop()  # turning stopped (trip, rest, or not a rope at all)
        elif phase == 0:
            ext = self.ext
            if fwd > ext:
                self.ext = fwd
            elif fwd < ext - self.band:
                self._extremum(ext)
        elif phase == 2:
            ext = self.ext
            if fwd < ext:
                self.ext = fwd
            elif fwd > ext + self.band:
                self._extremum(ext)
        elif phase == 1:
            if fwd < -(self.band >> 1):
                self.ext = fwd
                self._quarter()
        elif fwd > self.band >> 1:
            self.ext = fwd
            self._quarter()
        if jolt:
            bo = self.bounce
            if bo[_B_AIR] >= 0 and t - self.jolt_t > 3 * _SLOT_MS:  # a new jolt after a free fall
                air = self.flight_t - bo[_B_AIR] + 2 * _SLOT_MS
                bo[_B_AIR] = -1
                if air >= _AIR_MIN_MS and air <= _AIR_MAX_MS and t - self.flight_t <= _LAND_MS:
                    self._bounce(t, 2 if air >= _DU_AIR_MS else 1)  # it landed: a jump
            self._landing(t)

    def _bounce(self, t: int, passes: int) -> None:
        """A landing (it rings) right after a free fall. Counted by its rhythm only where no rope is
        seen (a sensor in a pocket or on the waist): four bounces at a steady pace, then each one,
        with the passes its flight allowed."""
        bo = self.bounce
        if self.established or t - bo[_B_ROPE_T] < _ROPE_HOLD_MS:  # (_stop notes when a rope set ends)
            bo[_B_N] = 0
            bo[_B_ON] = 0
            return
        gap = t - bo[_B_T]
        bo[_B_T] = t
        n = bo[_B_N]
        period = bo[_B_PERIOD]
        if bo[_B_ON] and 3 * period < 2 * gap < 5 * period:  # one landing went unseen: credit it too
            self._credit(t - gap // 2, 1, 0)
            self._credit(t, passes, period)
            self.jump_ms += gap
            self.jump_passes += 1 + passes
            return
        d = gap - period
        if n and _B_MIN_GAP <= gap <= _B_MAX_GAP and (n < 2 or 4 * (d if d > 0 else -d) <= period):
            bo[_B_PERIOD] = gap if n < 2 else period + (d >> 2)
            if bo[_B_ON]:
                self._credit(t, passes, gap)
                self.jump_ms += gap
                self.jump_passes += passes
                return
            bo[_B_CAND + n] = t
            bo[_B_CAND_N + n] = passes
            n += 1
            bo[_B_N] = n
            if n == _B_START:
                bo[_B_ON] = 1
                for i in range(n):
                    self._credit(bo[_B_CAND + i], bo[_B_CAND_N + i], period)
                    if i:
                        self.jump_passes += bo[_B_CAND_N + i]
                self.jump_ms += t - bo[_B_CAND]
            return
        bo[_B_ON] = 0  # a new run begins with this bounce
        bo[_B_N] = 1
        bo[_B_CAND] = t
        bo[_B_CAND_N] = passes

    def _pick_up(self, fwd: int) -> None:
        """The forward component left the noise: follow it as a possible rotation (nothing counted yet)."""
        self.phase = 0 if fwd > 0 else 2
        self.ext = fwd
        self.last_ext = 0
        self.quarters = 0
        self.q_t = self.t
        self.q_t2 = self.t
        self._set_swing(2 * (fwd if fwd > 0 else -fwd))

    def _set_swing(self, swing: int) -> None:
        """The last swing sets the hysteresis; the recent pace sets when the rope counts as stopped."""
        self.swing = swing
        band = swing // _BAND_DIV
        self.band = band if band > _MIN_AMP else _MIN_AMP
        self.dead = self.q_t + 3 * self.q_ms + 150

    def _extremum(self, ext: int) -> None:
        swing = ext - self.last_ext
        self.last_ext = ext
        self._set_swing(swing if swing > 0 else -swing)
        self._quarter()

    def _quarter(self) -> None:
        """The forward component passed a maximum, a zero or a minimum: the rope turned a quarter on."""
        t = self.t
        d = t - self.q_t
        self.phase = (self.phase + 1) & 3
        half = t - self.q_t2
        self.q_t2 = self.q_t
        # a slow half turn is a warm-up turn if the skipper was in flight and no step jolted lately
        if self.swing < 2 * _MIN_AMP or (
            half > _HALF_MAX_MS
            and (half > _HALF_SLOW_MS or t - self.odd_t < _RECENT_MS or t - self.flight_t > _RECENT_MS)
        ):
            self._stop()
            self.phase = -1
            return
        self.q_t = t
        q_ms = self.q_ms
        hasty = 2 * d < q_ms  # much faster than the recent pace: a yank, not a turn
        if d >= _Q_MIN_MS:
            q_ms += (d - q_ms) >> 2
            self.q_ms = q_ms
        self.dead = t + 3 * q_ms + 150
        self.quarters += 1
        if self.pending and not hasty and self.quarters * 8 - self.anchor >= _CONFIRM:
            self._confirm()

    def _begin_run(self, t: int, pos: int) -> None:
        """This landing may start a run: its place in the turn is the landing phase."""
        self.lphase = pos & 31
        self.anchor = pos
        self.anchor_t = t
        self.run = 1
        self.cand_t[0] = t
        self.cand_n[0] = 1

    def _linear(self) -> bool:
        """Forward and vertical move in step (correlation above 0.97): a hand shaken to and fro."""
        c = self.cfu >> 16
        return 16 * c * c > 15 * (self.pf >> 16) * (self.pu >> 16)

    def _confirm(self) -> None:
        n = self.pending
        self.pending = 0
        self._credit(self.pend_t, n, self.pend_gap)

    def _landing(self, t: int) -> None:
        """A landing jolt: in phase with the rope it brings the turns since the previous landing."""
        if t - self.jolt_t <= 3 * _SLOT_MS:  # the same jolt, still ringing
            self.jolt_t = t
            last = (self.jolt_i - 1) & 7
            self.jolt_len[last] = t - self.jolts[last]
            return
        self.jolt_t = t
        self.jolts[self.jolt_i] = t
        self.jolt_len[self.jolt_i] = 0
        self.jolt_i = (self.jolt_i + 1) & 7
        if self.phase < 0 or self.quarters < 2:
            return
        pos = self._position()
        gap = t - self.anchor_t
        if self.anchor < 0:
            self._begin_run(t, pos)
            return
        # the landing phase: where in the turn landings fall, followed slowly (a stray jolt moves it little)
        off = ((pos - self.lphase + 16) & 31) - 16
        tol = _PHASE_ON if self.established else _PHASE
        if off < -tol or off > tol:
            self.odd_t = t
        turns = (pos - off - self.anchor + 16) >> 5  # whole turns since the last landing
        if off < -tol or off > tol or pos - self.anchor < 19 or turns == 0:
            if self.established:
                self.lphase = (self.lphase + (off >> 3)) & 31
                if turns <= _MAX_TURNS:
                    return  # a stray jolt (a yank, a stumble): the rope phase keeps the count
                self._stop()
                self._begin_run(t, pos)
            elif pos - self.anchor >= 48 or self.run == 1:  # a lone candidate gives way
                self._begin_run(t, pos)
            return
        n = turns
        if n > (_MAX_TURNS if self.established else 2):
            self._stop()
            self._begin_run(t, pos)
            return
        if self.pending:
            self._confirm()  # the rope came round to the next landing: it went on
        self.lphase = (self.lphase + (off >> 2)) & 31
        self.run += 1
        if self.established:
            self.jump_ms += gap
            self.jump_passes += n
        self.anchor = pos
        self.anchor_t = t
        if self.established:
            self.pending = n
            self.pend_t = t
            self.pend_gap = gap
            return
        if self.run > _START:  # a run held back (shaking): keep its last landings
            self.run = _START
            for i in range(_START - 1):
                self.cand_t[i] = self.cand_t[i + 1]
                self.cand_n[i] = self.cand_n[i + 1]
            self.cand_n[0] = 1
        k = self.run - 1
        self.cand_t[k] = t
        self.cand_n[k] = n
        if self.run < _START or self._linear():
            return
        # jumping is established: credit the run, but not a first candidate much sooner than the next
        # turn (the first turns are slower), and up to two landings the rotation tracker was too late for
        bo = self.bounce
        if bo[_B_ON] and t - bo[_B_T] < 2 * bo[_B_PERIOD]:
            return  # the bounce counter has this set (a body-worn sensor): one counter per jump
        self.established = True
        skip = 0
        if 3 * (self.cand_t[1] - self.cand_t[0]) * n < 2 * (t - self.cand_t[1]) * self.cand_n[1]:
            skip = 1
        first = self.cand_t[skip]
        step = (t - first) // (k - skip)
        back = self._ring_before(first, step)
        if back != first:
            first = self._ring_before(back, step)
            if first != back:
                self._credit(first, 1, step)
                self.jump_passes += 1
            self._credit(back, 1, step)
            self.jump_passes += 1
        for i in range(skip, k):
            self._credit(self.cand_t[i], self.cand_n[i], step)
            self.jump_passes += self.cand_n[i + 1]
        self.jump_ms += t - first
        self.pending = n
        self.pend_t = t
        self.pend_gap = gap

    def _ring_before(self, t: int, step: int) -> int:
        """A jolt that rang, 7/8-7/4 of `step` before t (the first turns of a set are slower); else t."""
        for i in range(8):
            pre = t - self.jolts[i]
            if step - (step >> 3) < pre < 2 * step - (step >> 2) and self.jolt_len[i] >= _RING_MS:
                return self.jolts[i]
        return t


def _clip(v: int) -> int:
    if v > _MAX_HP:
        return _MAX_HP
    if v < -_MAX_HP:
        return -_MAX_HP
    return v
