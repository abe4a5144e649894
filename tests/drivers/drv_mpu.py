# Driver for test_drivers.py: MPU6886 / MPU6050 driver against the register-level model (argv[1] = chip).
import errno
import json
import sys
from array import array

from sim_board import VirtualClock
from sim_i2c import SimI2C
from sim_mpu import SimMPU

from fascia.drivers.mpu6050 import MPU6050
from fascia.drivers.mpu6886 import MPU6886

CHIP = sys.argv[1]
DRIVER = MPU6886 if CHIP == "mpu6886" else MPU6050
OTHER = "mpu6050" if CHIP == "mpu6886" else "mpu6886"


def out(name, value):
    print(json.dumps([name, value]))


def trace(t_ms):
    """A deterministic 'recording': saw-tooths on x and y, z sweeping beyond +-16 g to show clipping."""
    return ((t_ms * 37) % 4001 - 2000, -((t_ms * 11) % 3001), (t_ms * 29) % 36001 - 18000)


def rig(**kw):
    clock = VirtualClock()
    made = []

    def source(t_ms):
        v = trace(t_ms)
        made.append((t_ms, v))
        return v

    model = SimMPU(CHIP, source=source, clock=clock.ms, **kw)
    return clock, made, model, SimI2C({0x68: model})


def drain(imu, buf, got, mg):
    while True:
        n = imu.read_fifo(buf)
        imu.decode(buf, n, mg)
        for i in range(n):
            got.append((mg[3 * i], mg[3 * i + 1], mg[3 * i + 2]))
        if n < len(buf) // imu.SAMPLE_BYTES:
            return


mg = array("i", bytes(4 * 3 * 10))
buf = bytearray(DRIVER.SAMPLE_BYTES * 10)  # small: forces chunked reads

# 1. wrong chip at the address, and no chip at all
try:
    DRIVER(SimI2C({0x68: SimMPU(OTHER)}))
    out("whoami", "no error")
except OSError as e:
    out("whoami", str(e))
try:
    DRIVER(SimI2C())
    out("absent", "no error")
except OSError as e:
    out("absent", e.args[0] == errno.ENODEV)

# 2. samples through the FIFO equal the trace (clipped to +-16 g), at each supported rate
for odr in (1000, 500, 400, 250, 200, 125, 100):
    clock, made, model, bus = rig()
    imu = DRIVER(bus, odr_hz=odr)
    del made[:]
    got = []
    for _ in range(20):  # 1 s, polled every 50 ms
        clock.now += 50
        drain(imu, buf, got, mg)
    err = 0
    for i in range(min(len(made), len(got))):
        for k in range(3):
            ref = max(-16000, min(15999, made[i][1][k]))
            err = max(err, abs(got[i][k] - ref))
    steps = sorted(set(made[i + 1][0] - made[i][0] for i in range(len(made) - 1)))
    out("odr", [odr, imu.period_us, model.period_us(), len(got), len(made), err, steps, imu.overflowed()])

# 3. overflow: nobody reads for 300 ms at 1 kHz
for first in ("overflowed", "read_fifo"):
    clock, made, model, bus = rig()
    imu = DRIVER(bus, odr_hz=1000)
    clock.now = 300
    n = imu.read_fifo(buf) if first == "read_fifo" else -1
    lost = imu.overflowed()
    again = imu.overflowed()
    clock.now = 320
    got = []
    drain(imu, buf, got, mg)
    out("overflow", [first, n, lost, again, model.overflows > 0, len(got)])

# 4. the sensor stops answering at t = 500 ms
clock, made, model, bus = rig(fail_after_ms=500)
imu = DRIVER(bus, odr_hz=200)
got = []
try:
    for _ in range(20):
        clock.now += 50
        drain(imu, buf, got, mg)
    out("stops", "no error")
except OSError as e:
    out("stops", [clock.now, e.args[0] == errno.ETIMEDOUT, len(got)])

# 5. stuck output after t = 300 ms
clock, made, model, bus = rig(stuck_after_ms=300)
imu = DRIVER(bus, odr_hz=100)
got = []
for _ in range(10):
    clock.now += 100
    drain(imu, buf, got, mg)
out("stuck", [len(got), len(set(got[:29])), len(set(got[30:])), got[-1] == got[29]])
