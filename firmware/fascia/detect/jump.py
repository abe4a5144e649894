"""Jump-rope counter for a sensor in the handle: counts rope passes, not bounces.

Physics it relies on (all constants below follow from it, none from a particular recording):

* The wrist turns the rope by moving the handle on a small circle in the rope's (vertical)
  plane, once per turn, 60-330 rpm. The acceleration minus its slow mean (gravity) therefore has
  a FORWARD component (horizontal, along the principal horizontal direction) that oscillates
  once per turn. Its zero crossings (with hysteresis, half turns of 70-450 ms) count half turns;
  a crossing must come at the time the recent turning rate predicts.
* Shaking the arms moves the hand along a line: forward and vertical then move in step
  (correlation > 0.97). A turning rope does not, so such motion is not taken for turns.
* Every landing sends a jolt up the body: a burst of fast (> 10 Hz) acceleration that the slow
  wrist circle (< 6 Hz) does not make. A second difference of the 10 ms slots picks it out, and
  a jolt must stand out of its own recent background (shaking and fast circles raise that).
* Jumping is established only when three landings in a row fall in the same rope phase one or
  two turns apart (one landing per pass, or per two passes for a double under); then those
  jumps are credited late (queued with their own times), and every further in-phase landing
  brings the passes since the previous one (rounded whole turns: 2 for a double under).
* A jump's pass is only confirmed once the rope turns on (a half turn not much shorter than
  the recent ones, 0.4 turn past the landing). On a trip the rope catches the feet: the hands
  stop within a fraction of a turn, the yank makes at most one early crossing (which confirms
  nothing), and the catch turn goes to `trips` instead. A double under speeds the rope up to
  twice the pace: early crossings still count as half turns, so the rope position stays right.
* A landing the rotation tracker was too late for is credited back when a run is established,
  but only if it rang for >= 30 ms (a landing rings; the step of a push-off does not).

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
_HALF_MIN_MS = const(70)  # half turn at 430 rpm: faster than any rope
_HALF_MAX_MS = const(450)  # half turn at 67 rpm; a walking arm swings slower (stride <= 1.1 Hz)
_JOLT_MG = const(400)  # a landing jolt: sum of |second differences| of the 10 ms slots above this...
_JOLT_BG = const(3)  # ...and this many times its recent mean
_RING_MS = const(30)  # a landing's ringing lasts at least this long (a step does not ring)
_START = const(3)  # landings in phase before a set counts
_PHASE = const(9)  # a landing within +-9/32 turn of the expected phase is in phase
_QUEUE = const(16)  # passes credited but not yet reported
_LEAD_MS = const(80)  # a single under's pass is mid-flight, about half a flight before the landing
_LEAD2_MS = const(180)  # a double under's two passes straddle this point before the landing


class JumpDetector:
    """Counts successful rope passes from (t_ms, x, y, z) samples; see the module docstring."""

    def __init__(self):
        self.res = Resampler(_SLOT_MS)
        self.queue = array("i", [0] * _QUEUE)
        self.jolts = array("i", [0] * 8)  # the last jolts' times, tracked or not
        self.jolt_len = array("i", [0] * 8)  # and how long each rang (ms)
        self.cand_t = array("i", [0] * _START)  # landings of a run not yet established
        self.cand_n = array("i", [0] * _START)
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
        self.half_ms = 200  # recent half-turn duration
        self.amp = 0  # recent forward swing amplitude (mg)
        self.sign = 0
        self.jolt_i = 0
        for i in range(8):
            self.jolts[i] = -100000
        self._end_set()

    def _end_set(self) -> None:
        """Forget the current set (rotation stopped or lost): a pending, unconfirmed pass is a trip."""
        self.sign = 0  # side of the forward component (+1/-1), 0 = not turning
        self.halves = 0  # half turns since the rotation was picked up
        self.cross_t = 0  # time of the last half-turn crossing
        self.early = False  # a crossing came too early since the last one (a yank, not a turn)
        self.anchor = -1  # turn position of the last landing (1/32 turn), -1 = none yet
        self.anchor_halves = 0
        self.anchor_t = 0
        self.run = 0  # landings in phase so far in this set
        self.established = False
        self.pending = 0  # passes of the last landing, waiting for the rope to go on
        self.pend_t = 0
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
            "rate_per_min": rate,
        }

    def _release(self) -> int:
        """Report one credited pass (credited passes may lie in the past)."""
        self.last_event_ms = self.queue[self.q_head]
        self.q_head = (self.q_head + 1) % _QUEUE
        self.q_len -= 1
        self.count += 1
        return 1

    def _credit(self, t: int, n: int) -> None:
        """n passes of one jump whose landing was at t."""
        if n >= 2:
            self.double_unders += 1
            t -= _LEAD2_MS
        else:
            t -= _LEAD_MS
        for _ in range(n):
            if self.q_len < _QUEUE:
                self.queue[(self.q_head + self.q_len) % _QUEUE] = t
                self.q_len += 1
        self.streak += n
        if self.streak > self.max_streak:
            self.max_streak = self.streak

    def _stop(self) -> None:
        if self.pending:
            self.trips += 1  # turning ended without the last jump's pass confirmed
        self._end_set()

    def _position(self) -> int:
        """Turn position in 1/32 turn: crossings so far plus the fraction of the current half."""
        frac = (self.t - self.cross_t) * 16 // self.half_ms
        if frac > 15:
            frac = 15
        return self.halves * 16 + frac

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
        self.jb = jb + j - (jb >> 6)
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
        a = fwd if fwd >= 0 else -fwd
        # forward swing amplitude: fast attack, slow decay
        amp = self.amp
        if a > amp:
            amp += (a - amp) >> 1
        else:
            amp -= amp >> 5
        self.amp = amp
        band = amp >> 2
        if band < _MIN_AMP // 2:
            band = _MIN_AMP // 2
        # to-and-fro motion (shaking, swinging) moves forward and vertical in step; a circle (plus
        # a bounce that peaks as the hands pass the bottom) keeps them a quarter turn apart
        self.cfu += fwd * up - (self.cfu >> 4)
        self.pf += fwd * fwd - (self.pf >> 4)
        self.pu += up * up - (self.pu >> 4)
        half_ms = self.half_ms
        if self.sign and t - self.cross_t > 3 * half_ms + 300:
            self._stop()  # turning stopped (trip or rest)
        if (fwd > band and self.sign <= 0) or (fwd < -band and self.sign >= 0):
            half = t - self.cross_t
            side = 1 if fwd > 0 else -1
            c = self.cfu >> 16
            linear = 16 * c * c > 15 * (self.pf >> 16) * (self.pu >> 16)  # correlation above 0.97
            turning = amp >= _MIN_AMP and not linear
            if self.sign and turning and _HALF_MIN_MS <= half <= _HALF_MAX_MS:
                # a crossing much earlier than the recent pace may be a yank: it cannot confirm a pass alone
                early = 2 * half < half_ms
                self.halves += 1
                self.half_ms = half_ms + ((half - half_ms) >> 2)
                self.sign = side
                self.cross_t = t
                ready = self.pending and self.halves > self.anchor_halves and not early and not self.early
                if ready and self._position() - self.anchor >= 12:
                    self._confirm()
                self.early = early
            elif not self.sign or half > _HALF_MAX_MS:
                # first crossing of a (possible) set: start the clock, nothing counted yet
                if self.sign:
                    self._stop()
                self.cross_t = t
                self.early = False
                if turning:
                    self.sign = side
        if jolt:
            self._landing(t)

    def _confirm(self) -> None:
        n = self.pending
        self.pending = 0
        self._credit(self.pend_t, n)

    def _landing(self, t: int) -> None:
        """A landing jolt: in phase with the rope it brings the passes since the previous landing."""
        if t - self.jolt_t <= 3 * _SLOT_MS:  # the same jolt, still ringing
            self.jolt_t = t
            last = (self.jolt_i - 1) & 7
            self.jolt_len[last] = t - self.jolts[last]
            return
        self.jolt_t = t
        self.jolts[self.jolt_i] = t
        self.jolt_len[self.jolt_i] = 0
        self.jolt_i = (self.jolt_i + 1) & 7
        if not self.sign:
            return
        pos = self._position()
        n = 1
        in_phase = False
        if self.anchor >= 0:
            d = pos - self.anchor
            if d < 19:  # < 0.6 turn since the last landing: the same jump
                return
            n = (d + 16) >> 5
            off = d - (n << 5)
            in_phase = -_PHASE <= off <= _PHASE and n <= 3
            if not in_phase and (n <= 3 if self.established else d < 48):
                return  # a stray jolt (a take-off, a yank, a stumble): the rope phase keeps the count
        if self.pending:
            self._confirm()  # the rope came round to the next landing: it went on
        if in_phase:
            self.run += 1
            if self.established:
                self.jump_ms += t - self.anchor_t
                self.jump_passes += n
        else:
            if self.established:
                self._stop()
                pos = self._position()
            self.run = 1
        self.anchor = pos
        self.anchor_halves = self.halves
        self.anchor_t = t
        if self.established:
            self.pending = n
            self.pend_t = t
            return
        k = self.run - 1
        self.cand_t[k] = t
        self.cand_n[k] = n
        if self.run < _START:
            return
        # jumping is established: credit the run, and a landing the rotation tracker was too late for
        # (a landing rings for tens of ms; the step of a first push-off does not)
        self.established = True
        first = self.cand_t[0]
        step = (t - first) // k
        for i in range(8):
            pre = first - self.jolts[i]
            if step - (step >> 3) < pre < step + (step >> 2) and self.jolt_len[i] >= _RING_MS:
                first = self.jolts[i]
        if first != self.cand_t[0]:
            self._credit(first, 1)
            self.jump_passes += 1
        for i in range(k):
            self._credit(self.cand_t[i], self.cand_n[i])
            self.jump_passes += self.cand_n[i + 1]
        self.jump_ms += t - first
        self.pending = n
        self.pend_t = t


def _clip(v: int) -> int:
    if v > _MAX_HP:
        return _MAX_HP
    if v < -_MAX_HP:
        return -_MAX_HP
    return v
