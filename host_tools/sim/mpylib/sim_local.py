"""The simulated board's chips as models in the micropython process itself (sim_board's default).

Fast, but the models' memory shares the firmware's heap; with `hw_port`, sim_remote serves the
same models from the host instead.
"""

from sim_i2c import SimI2C
from sim_mpu import SimMPU
from sim_trace import TracePlayer

PANEL = [None]  # the last board's display model


class BusSink:
    """A display that only counts what it is sent: an I2C device (write, read_into) and an SPI
    bus (write) at once. Its glass stays blank."""

    def __init__(self):
        self.bytes = 0
        self.blank = bytes(1)

    def init(self, *args, **kw):
        pass

    def write(self, data):
        self.bytes += len(data)

    def read_into(self, buf):
        for i in range(len(buf)):
            buf[i] = 0

    def glass(self):
        return self.blank


def chips(s, clock, kind, drivers):
    """(imu, display, save_frame, trace player, sensor model) for sim_board.make, on in-process
    models; the display model is PANEL[0] (tests read the panel's memory)."""
    player = TracePlayer(s.get("trace"), s.get("trace_start_ms", 0))
    chip = "mpu6886" if kind == "m5stickc" else "mpu6050"
    mpu = SimMPU(
        chip,
        source=player,
        clock=clock.ms,
        fail_after_ms=s.get("fail_after_ms"),
        stuck_after_ms=s.get("stuck_after_ms"),
    )
    i2c = SimI2C()
    i2c.add(0x68, mpu)
    if s.get("display_model") == "sink":  # (benchmarks: a panel that costs nothing to simulate)
        model = BusSink()
        bus = None
        if kind == "m5stickc":
            from sim_pins import SimPin

            bus = (model, SimPin(0), SimPin(1), SimPin(1))
        else:
            i2c.add(0x3C, model)
    elif kind == "m5stickc":
        from sim_st7789 import SimST7789

        model = SimST7789()
        bus = (model.spi, model.dc, model.cs, model.rst)
    else:
        from sim_ssd1306 import SimSSD1306

        model = i2c.add(0x3C, SimSSD1306())
        bus = None
    imu, display = drivers(kind, i2c, bus)
    last = [None]

    def save_frame(path, only_if_changed):
        """Write the glass as the display model decoded it from the bus; True if written."""
        frame = model.glass()
        if only_if_changed:
            frame = bytes(frame)
            if frame == last[0]:
                return False
            last[0] = frame
        with open(path, "wb") as f:
            f.write(frame)
        return True

    PANEL[0] = model
    return imu, display, save_frame, player, mpu
