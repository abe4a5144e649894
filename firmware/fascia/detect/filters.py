"""Building blocks shared by the detectors: fixed-rate resampling and integer magnitude.

The sensor may deliver 12.5 Hz or 1 kHz, with jitter and FIFO-overrun gaps. Detectors think in a
fixed internal period instead: `Resampler` box-averages the samples that fall in each slot
(decimation with a little anti-aliasing) and holds the last value across empty slots (slow
sensors), so a detector's constants are in ms and the same at every input rate.
"""

import micropython
from micropython import const

_MAX_HOLD_SLOTS = const(25)  # a gap longer than this many slots is reported, not bridged


class Resampler:
    """Irregular (t_ms, x, y, z) samples in, one value per `period_ms` slot out.

    `push()` returns how many slots the sample completed: 0 most of the time at high input rates,
    1 or more at low rates (the same value, held). After a gap longer than 25 slots it returns 1
    and sets `gap` so the detector can restart its state rather than replay a long hold.
    The output value is in `x`, `y`, `z` (slot means).
    """

    def __init__(self, period_ms: int):
        self.period = period_ms
        self.reset()

    def reset(self) -> None:
        self.slot_end = -1  # the slot collecting samples covers [slot_end - period, slot_end)
        self.sx = 0
        self.sy = 0
        self.sz = 0
        self.n = 0
        self.x = 0
        self.y = 0
        self.z = 0
        self.gap = False

    def push(self, t: int, x: int, y: int, z: int) -> int:
        self.gap = False
        end = self.slot_end
        if end < 0:  # first sample: open the slot that contains t
            self.slot_end = t - t % self.period + self.period
            self.sx = x
            self.sy = y
            self.sz = z
            self.n = 1
            return 0
        if t < end:
            self.sx += x
            self.sy += y
            self.sz += z
            self.n += 1
            return 0
        # t is past the open slot: emit it (mean of its samples, or hold if it got none)
        n = self.n
        if n:
            self.x = self.sx // n
            self.y = self.sy // n
            self.z = self.sz // n
        done = (t - end) // self.period + 1
        self.slot_end = end + done * self.period
        self.sx = x
        self.sy = y
        self.sz = z
        self.n = 1
        if done > _MAX_HOLD_SLOTS:
            self.gap = True
            return 1
        return done


@micropython.viper  # the swing counter calls it from its viper path, per frame
def magnitude(x: int, y: int, z: int) -> int:
    """|a| in milli-g within ±6.5 %, without a square root (alpha-max-plus-beta-min in 3-D).

    (60*max + 27*mid + 17*min) / 64, coefficients chosen for the smallest worst-case error. Cheap
    and a small int for any ±16 g reading; for exact work note x*x+y*y+z*z is a small int too.
    """
    if x < 0:
        x = -x
    if y < 0:
        y = -y
    if z < 0:
        z = -z
    if x < y:
        x, y = y, x
    if y < z:
        y, z = z, y
        if x < y:
            x, y = y, x
    return (x * 60 + y * 27 + z * 17) >> 6
