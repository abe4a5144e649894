"""Register-level model of the MPU6886 / MPU6050 accelerometer FIFO, for SimI2C.

What it models (enough that the real driver is exercised, not bypassed):
- a 128-byte register file with I2C auto-increment, except at FIFO_R_W, where every byte read pops
  the FIFO (an empty FIFO repeats the last byte, as the MPU6050 register map describes);
- WHO_AM_I (0x19 / 0x68), PWR_MGMT_1 reset (registers back to defaults, chip asleep) and sleep;
- the sample clock: 1 kHz / (1 + SMPLRT_DIV) when the DLPF is on (DLPF_CFG 1..6, and on the 6886
  GYRO_CONFIG FCHOICE_B = 0), else 8 kHz / (1 + SMPLRT_DIV), as the datasheets say;
- ACCEL_CONFIG full scale (+-2..16 g) with clipping to int16;
- FIFO_EN accel bit + USER_CTRL FIFO_EN / FIFO_RST; samples of 6 bytes (6050) or 8 bytes with the
  temperature after Z (6886); a 1024-byte FIFO that, when full, overwrites its oldest bytes and sets
  INT_STATUS.FIFO_OFLOW (cleared when INT_STATUS is read);
- FIFO_COUNTH/L (reading COUNTH latches the count for COUNTL).
Not modelled: the low-pass filters themselves (samples are taken from the source unfiltered), gyro
data, interrupts pins, low-power cycling.

Time: `advance_to(t_ms)` moves the simulated clock; with `clock=` (a function returning ms) every
bus transaction first advances to clock(). Samples are produced on the sensor's own grid.

Source: a function f(t_ms) -> (x, y, z) in milli-g, or an iterable of (t_ms, x, y, z) rows, sampled
with zero-order hold (the latest row at or before the sample instant; the last row holds forever).

Failure injection: `fail_after_ms` (every transaction from then on raises OSError(fail_errno),
default ETIMEDOUT: the sensor stopped answering) and `stuck_after_ms` (the output freezes at the
last value, as a latched-up sensor does).
"""

import errno

_SMPLRT_DIV = 0x19
_CONFIG = 0x1A
_GYRO_CONFIG = 0x1B
_ACCEL_CONFIG = 0x1C
_FIFO_EN = 0x23
_INT_STATUS = 0x3A
_ACCEL_XOUT_H = 0x3B
_USER_CTRL = 0x6A
_PWR_MGMT_1 = 0x6B
_FIFO_COUNTH = 0x72
_FIFO_COUNTL = 0x73
_FIFO_R_W = 0x74
_WHO_AM_I = 0x75

_FIFO_SIZE = 1024
_READ_ONLY = (_INT_STATUS, _FIFO_COUNTH, _FIFO_COUNTL, _WHO_AM_I)

CHIPS = {
    # name: (WHO_AM_I, bytes per accel FIFO sample, PWR_MGMT_1 reset value)
    "mpu6886": (0x19, 8, 0x41),
    "mpu6050": (0x68, 6, 0x40),
}


class SimMPU:
    def __init__(
        self,
        chip="mpu6886",
        source=None,
        clock=None,
        fail_after_ms=None,
        fail_errno=errno.ETIMEDOUT,
        stuck_after_ms=None,
    ):
        self.chip = chip
        self.chip_id, self.sample_bytes, self._pwr_default = CHIPS[chip]
        self.clock = clock
        self.fail_after_ms = fail_after_ms
        self.fail_errno = fail_errno
        self.stuck_after_ms = stuck_after_ms
        self._fn = None
        self._rows = None
        self._row = (0, 0, 0, 1000)
        self._next_row = None
        if callable(source):
            self._fn = source
        elif source is not None:
            self._rows = iter(source)
            self._row = next(self._rows, self._row)
            self._next_row = next(self._rows, None)
        self.regs = bytearray(128)
        self.fifo = bytearray(_FIFO_SIZE)
        self._head = 0  # index of the oldest FIFO byte
        self.fifo_len = 0
        self._last_fifo_byte = 0
        self._ptr = 0
        self._count_latch = 0
        self.now_us = 0
        self._next_us = 0
        self.samples_made = 0
        self.overflows = 0
        self._last = (0, 0, 0)
        self._out = bytearray(self.sample_bytes)  # one sample as the FIFO holds it
        self._one = bytearray(1)
        self._reset()

    # ---- configuration as the chip derives it from its registers
    def _reset(self):
        for i in range(128):
            self.regs[i] = 0
        self.regs[_WHO_AM_I] = self.chip_id
        self.regs[_PWR_MGMT_1] = self._pwr_default
        self._fifo_clear()
        self._resync()

    def _fifo_clear(self):
        self._head = 0
        self.fifo_len = 0

    def period_us(self):
        """Sample period from SMPLRT_DIV and the filter settings."""
        dlpf = self.regs[_CONFIG] & 7
        filtered = 0 < dlpf < 7
        if self.chip == "mpu6886" and self.regs[_GYRO_CONFIG] & 3:
            filtered = False
        base = 1000 if filtered else 125
        return base * (1 + self.regs[_SMPLRT_DIV])

    def lsb_per_g(self):
        return 16384 >> ((self.regs[_ACCEL_CONFIG] >> 3) & 3)

    def _producing(self):
        regs = self.regs
        return not regs[_PWR_MGMT_1] & 0x40 and bool(regs[_USER_CTRL] & 0x40) and bool(regs[_FIFO_EN] & 0x08)

    def _resync(self):
        """The configuration changed: the sample clock restarts (the period and scale are cached)."""
        self._period = self.period_us()
        self._lsb = self.lsb_per_g()
        self._next_us = self.now_us + self._period

    # ---- time and samples
    def advance_to(self, t_ms):
        """Run the sensor clock up to t_ms, pushing every sample due into the FIFO."""
        now = t_ms * 1000
        if now <= self.now_us:
            return
        if not self._producing():
            self.now_us = now
            self._resync()
            return
        made = 0
        while self._next_us <= now:
            self._sample(self._next_us // 1000)
            self._next_us += self._period
            made += 1
        if made:
            self.regs[_ACCEL_XOUT_H : _ACCEL_XOUT_H + 6] = self._out[:6]  # the latest sample
            self.regs[_INT_STATUS] |= 0x01  # DATA_RDY
        self.now_us = now

    def _value(self, t_ms):
        if self.stuck_after_ms is not None and t_ms >= self.stuck_after_ms:
            return self._last
        if self._fn is not None:
            v = self._fn(t_ms)
        elif self._rows is not None:
            while self._next_row is not None and self._next_row[0] <= t_ms:
                self._row = self._next_row
                self._next_row = next(self._rows, None)
            v = self._row[1:]
        else:
            v = (0, 0, 1000)
        self._last = (v[0], v[1], v[2])
        return self._last

    def _raw(self, mg):
        r = (2 * mg * self._lsb + 1000) // 2000
        return -32768 if r < -32768 else 32767 if r > 32767 else r

    def _sample(self, t_ms):
        """One sample into the FIFO (the temperature word of the 6886 stays 0: 25 degC)."""
        x, y, z = self._value(t_ms)
        out = self._out
        r = self._raw(x) & 0xFFFF
        out[0] = r >> 8
        out[1] = r & 0xFF
        r = self._raw(y) & 0xFFFF
        out[2] = r >> 8
        out[3] = r & 0xFF
        r = self._raw(z) & 0xFFFF
        out[4] = r >> 8
        out[5] = r & 0xFF
        self.samples_made += 1
        self._fifo_push(out)

    def _fifo_push(self, data):
        """Append `data` to the FIFO; when full, the oldest bytes are overwritten (FIFO_OFLOW)."""
        k = len(data)
        over = self.fifo_len + k - _FIFO_SIZE
        if over > 0:
            self._head = (self._head + over) % _FIFO_SIZE
            self.fifo_len -= over
            if not self.regs[_INT_STATUS] & 0x10:
                self.overflows += 1
            self.regs[_INT_STATUS] |= 0x10
        tail = (self._head + self.fifo_len) % _FIFO_SIZE
        first = min(k, _FIFO_SIZE - tail)
        self.fifo[tail : tail + first] = data[:first] if first < k else data
        if first < k:
            self.fifo[: k - first] = data[first:]
        self.fifo_len += k

    def _fifo_pop_into(self, buf, i):
        """FIFO bytes into buf[i:]; past the end of the data, the last byte again (as the chip)."""
        n = len(buf) - i
        k = min(n, self.fifo_len)
        if k:
            head = self._head
            first = min(k, _FIFO_SIZE - head)
            buf[i : i + first] = self.fifo[head : head + first]
            if first < k:
                buf[i + first : i + k] = self.fifo[: k - first]
            self._head = (head + k) % _FIFO_SIZE
            self.fifo_len -= k
            self._last_fifo_byte = buf[i + k - 1]
        for j in range(i + k, i + n):
            buf[j] = self._last_fifo_byte

    # ---- the bus side (called by SimI2C)
    def _transaction(self):
        if self.clock is not None:
            self.advance_to(self.clock())
        if self.fail_after_ms is not None and self.now_us >= self.fail_after_ms * 1000:
            raise OSError(self.fail_errno)

    def write(self, data):
        self._transaction()
        if not data:
            return
        self._ptr = data[0] & 0x7F
        for b in data[1:]:
            self._write_reg(self._ptr, b)
            if self._ptr != _FIFO_R_W:
                self._ptr = (self._ptr + 1) & 0x7F

    def read_into(self, buf):
        self._transaction()
        if self._ptr == _FIFO_R_W:  # (the pointer stays there: every byte pops the FIFO)
            self._fifo_pop_into(buf, 0)
            return
        for i in range(len(buf)):
            buf[i] = self._read_reg(self._ptr)
            if self._ptr != _FIFO_R_W:
                self._ptr = (self._ptr + 1) & 0x7F

    def _read_reg(self, reg):
        if reg == _FIFO_COUNTH:
            self._count_latch = self.fifo_len
            return self._count_latch >> 8
        if reg == _FIFO_COUNTL:
            return self._count_latch & 0xFF
        v = self.regs[reg]
        if reg == _INT_STATUS:
            self.regs[reg] = 0
        return v

    def _write_reg(self, reg, v):
        if reg in _READ_ONLY:
            return
        if reg == _FIFO_R_W:
            self._one[0] = v
            self._fifo_push(self._one)
            return
        if reg == _PWR_MGMT_1 and v & 0x80:
            self._reset()
            return
        if reg == _USER_CTRL and v & 0x04:
            self._fifo_clear()
            v &= ~0x04
        before = (self._producing(), self.period_us())
        self.regs[reg] = v
        if (self._producing(), self.period_us()) != before:
            self._resync()
        elif reg == _ACCEL_CONFIG:
            self._lsb = self.lsb_per_g()
