"""InvenSense MPU-family accelerometer over I2C: the code MPU6886 and MPU6050 share.

The chip samples at a fixed rate into its 1 KB FIFO; the app drains it with `read_fifo` a few times
per second, so sample timing comes from the sensor clock, not from Python's scheduling. Only the
accelerometer is used, at +-16 g (2048 LSB/g), so even a hard rope whip does not clip.

Output data rate: the internal rate is 1 kHz whenever the DLPF is on (DLPF_CFG 1..6), and
ODR = 1 kHz / (1 + SMPLRT_DIV). `set_odr` takes 100..1000 Hz and picks:

    ODR asked (Hz)  SMPLRT_DIV  DLPF_CFG (both chips)  accel bandwidth 6050 / 6886
    1000             0           1                       184 / 218 Hz
    500              1           1                       184 / 218 Hz
    400 -> 500       1           1                       (never slower than asked)
    250              3           2                        94 /  99 Hz
    200              4           2                        94 /  99 Hz
    125              7           3                        44 /  45 Hz
    100              9           3                        44 /  45 Hz

i.e. SMPLRT_DIV = 1000 // ODR - 1 and the widest filter whose bandwidth stays near or below ODR / 2.
Rates that do not divide 1 kHz round up to the next one that does; `period_us` holds the one set.

Errors: an I2C OSError propagates unchanged (the app shows it). A FIFO overflow is never hidden:
the FIFO is reset and `overflowed()` returns True once, so the caller can mark a gap. A chip that
does not answer at power-on is `open_imu`'s `NoSensor`, so the device still boots and says so.
"""

import time

import micropython
from micropython import const

_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)
_ACCEL_CONFIG = const(0x1C)
_FIFO_EN = const(0x23)
_INT_ENABLE = const(0x38)
_INT_STATUS = const(0x3A)
_USER_CTRL = const(0x6A)
_PWR_MGMT_1 = const(0x6B)
_PWR_MGMT_2 = const(0x6C)
_FIFO_COUNTH = const(0x72)
_FIFO_R_W = const(0x74)
_WHO_AM_I = const(0x75)

_RESET = const(0x80)  # PWR_MGMT_1: device reset (leaves the chip asleep)
_CLK_PLL = const(0x01)  # PWR_MGMT_1: awake, PLL clock
_FS_16G = const(0x18)  # ACCEL_CONFIG: ACCEL_FS_SEL = 3
_ACCEL_FIFO = const(0x08)  # FIFO_EN: accelerometer data into the FIFO (same bit on both chips)
_FIFO_OFLOW = const(0x10)  # INT_ENABLE / INT_STATUS bit 4
_FIFO_ON = const(0x40)  # USER_CTRL: FIFO enabled
_FIFO_RST = const(0x04)  # USER_CTRL: FIFO reset (self-clearing)
_FIFO_SIZE = const(1024)

_INTERNAL_HZ = const(1000)
_RESET_MS = const(100)


class MPU:
    """Common driver; subclasses set NAME, CHIP_ID and SAMPLE_BYTES (bytes per FIFO sample)."""

    NAME = "MPU"
    CHIP_ID = -1
    SAMPLE_BYTES = 6

    def __init__(self, i2c, addr=0x68, odr_hz=500):
        self.i2c = i2c
        self.addr = addr
        self._reg = bytearray(1)
        self._count = bytearray(2)
        self._lost = False
        self.period_us = 0
        found = self._read(_WHO_AM_I)
        if found != self.CHIP_ID:
            raise OSError(
                "%s not found at I2C 0x%02x: WHO_AM_I is 0x%02x, expected 0x%02x"
                % (self.NAME, addr, found, self.CHIP_ID)
            )
        self._write(_PWR_MGMT_1, _RESET)
        time.sleep(_RESET_MS / 1000)
        self._write(_PWR_MGMT_1, _CLK_PLL)
        self._write(_PWR_MGMT_2, 0)  # all axes on: the 6050's PLL clock runs off the X gyro
        self._write(_ACCEL_CONFIG, _FS_16G)
        self.set_odr(odr_hz)
        self._write(_INT_ENABLE, _FIFO_OFLOW)
        self._write(_FIFO_EN, _ACCEL_FIFO)
        self.fifo_reset()

    def _read(self, reg):
        self.i2c.readfrom_mem_into(self.addr, reg, self._reg)
        return self._reg[0]

    def _write(self, reg, value):
        self._reg[0] = value
        self.i2c.writeto_mem(self.addr, reg, self._reg)

    def _set_filter(self, dlpf_cfg):
        """DLPF_CFG for the accelerometer path; chips differ in where it lives."""
        self._write(_CONFIG, dlpf_cfg)

    def set_odr(self, odr_hz):
        """Set the FIFO sample rate (100..1000 Hz, see the table above); returns the period in us."""
        if not 100 <= odr_hz <= 1000:
            raise ValueError("ODR %d Hz outside 100..1000" % odr_hz)
        div = _INTERNAL_HZ // odr_hz - 1
        self._set_filter(1 if odr_hz >= 400 else 2 if odr_hz >= 200 else 3)
        self._write(_SMPLRT_DIV, div)
        self.period_us = 1000 * (1 + div)
        return self.period_us

    def fifo_reset(self):
        """Empty the FIFO and keep it running (samples are lost: callers mark a gap)."""
        self._write(_USER_CTRL, _FIFO_ON | _FIFO_RST)

    def overflowed(self):
        """True (once) if samples were lost since the last call; the FIFO is then reset."""
        lost = bool(self._read(_INT_STATUS) & _FIFO_OFLOW) or self._lost
        if lost:
            self.fifo_reset()
            self._lost = False
        return lost

    def _waiting(self):
        """Bytes waiting in the FIFO; -1 after an overflow (the FIFO is then reset, `overflowed()` tells)."""
        self.i2c.readfrom_mem_into(self.addr, _FIFO_COUNTH, self._count)
        count = (self._count[0] << 8) | self._count[1]
        if count >= _FIFO_SIZE:
            self.fifo_reset()
            self._lost = True
            return -1
        return count

    def read_fifo(self, buf):
        """Read whole samples from the FIFO into `buf`; returns how many (at most len(buf) // SAMPLE_BYTES).

        A full FIFO means samples were dropped: it is reset, 0 is returned and `overflowed()` reports it.
        """
        count = self._waiting()
        step = self.SAMPLE_BYTES
        n = min(count, len(buf)) // step if count > 0 else 0
        if n:
            self.i2c.readfrom_mem_into(self.addr, _FIFO_R_W, memoryview(buf)[: n * step])
        return n

    def read_chunk(self, buf):
        """Fill all of `buf` with whole samples if that many are waiting; else read nothing.

        Returns len(buf) // SAMPLE_BYTES or 0. Reads into `buf` itself (no slice), so a drain loop
        built on it allocates nothing; on overflow it behaves like read_fifo.
        """
        if self._waiting() < len(buf):
            return 0
        self.i2c.readfrom_mem_into(self.addr, _FIFO_R_W, buf)
        return len(buf) // self.SAMPLE_BYTES

    def decode(self, buf, n, out):
        """Samples 0..n-1 of `buf` (as filled by read_fifo) into out[3i..3i+2] (an array('i')) as
        milli-g: a whole FIFO read in one call, no allocation."""
        _decode(buf, n, self.SAMPLE_BYTES, out)  # type: ignore[arg-type]  (ptr8/ptr32 casts)


@micropython.viper
def _decode(buf: ptr8, n: int, step: int, out: ptr32):  # noqa: F821 (viper casts)
    """Big-endian int16 x, y, z at the start of each `step`-byte sample -> mg in `out`. At +-16 g,
    2048 LSB/g, so mg = raw * 1000 / 2048 = raw * 125 / 256 (rounded half up)."""
    o = 0
    j = 0
    for _ in range(n):
        for k in range(3):
            raw = (int(buf[o + 2 * k]) << 8) | int(buf[o + 2 * k + 1])
            raw = ((raw + 0x8000) & 0xFFFF) - 0x8000  # sign of the int16
            out[j + k] = (raw * 125 + 128) >> 8
        o += step
        j += 3


_ENODEV = const(19)


class NoSensor:
    """Stands in for an accelerometer that did not answer at power-on: every call fails as its bus
    did (OSError with the errno), so the app boots and shows its sensor error instead of the board
    profile failing before there is a display."""

    NAME = "no sensor"
    SAMPLE_BYTES = 6

    def __init__(self, errno: int = _ENODEV):
        self.errno = errno

    def _fail(self, *args) -> int:
        raise OSError(self.errno)

    set_odr = read_fifo = read_chunk = overflowed = fifo_reset = decode = _fail


def open_imu(i2c, *drivers):
    """The first of `drivers` (MPU subclasses) whose chip answers on `i2c`, else a NoSensor."""
    errno = _ENODEV
    for driver in drivers:
        try:
            return driver(i2c)
        except OSError as e:  # no answer (an I2C errno) or another chip (a sentence): try the next
            if e.args and type(e.args[0]) is int:
                errno = e.args[0]
    return NoSensor(errno)
