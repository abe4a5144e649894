"""Simulated board profiles: the real drivers and the real app, on simulated buses (simulator and tests only).

`make(settings)` builds a `fascia.app.board.Board` exactly as firmware/boards/*.py does on the
ESP32, except that the I2C/SPI buses, pins, ADC and watchdog are the models in this folder and
time is a virtual clock. The firmware cannot tell: it only ever sees the Board.

settings (from sim.json, all optional):
    board          "m5stickc" (MPU6886 + ST7789, default) or "devkit" (MPU6050 + SSD1306)
    trace          canonical CSV played by the accelerometer from `trace_start_ms` on (before: still)
    buttons        {"a": [[t_ms, level], ...], "b": [...]}: pin levels over time (1 = released)
    battery_mv     4000
    flash_bytes    0 = the host file system's free space; > 0 = a flash of this size
    fail_after_ms  the IMU stops answering (I2C timeouts) from then on
    stuck_after_ms the IMU output freezes
    wdt_ms         watchdog timeout (default 5000)
    ble_port       the board has a radio: the `bluetooth` stand-in talks to ble_bridge on this port
    hw_port        the chips live in the host (host_tools/sim/hw_server.py) on this port, not in
                   this heap (for memory measurements); the failure settings then apply there
"""

from sim_pins import SimADC, SimPin

from fascia.app.board import Board
from fascia.drivers.battery import Battery
from fascia.drivers.buttons import Button


class VirtualClock:
    """Milliseconds that advance only when the simulator says so."""

    def __init__(self):
        self.now = 0

    def ms(self):
        return self.now


class WatchdogExpired(Exception):
    pass


class SimWDT:
    """machine.WDT stand-in: `check()` raises if the app went longer than `timeout_ms` without feeding."""

    def __init__(self, clock, timeout_ms=5000):
        self.clock = clock
        self.timeout_ms = timeout_ms
        self.last = 0
        self.feeds = 0

    def feed(self):
        self.last = self.clock.now
        self.feeds += 1

    def check(self):
        if self.clock.now - self.last > self.timeout_ms:
            raise WatchdogExpired("watchdog: not fed for %d ms" % (self.clock.now - self.last))


class SimRTC:
    """machine.RTC stand-in: the unix port's clock is the host's, so a set time is only recorded."""

    def __init__(self):
        self.set_to = None

    def datetime(self, t=None):
        if t is not None:
            self.set_to = tuple(t)
        return self.set_to


class TracePlayer:
    """The accelerometer's view of the world: still until `start_ms`, then the trace (zero-order hold)."""

    def __init__(self, path, start_ms=0):
        self.path = path
        self.start_ms = start_ms
        self._f = open(path) if path else None  # noqa: SIM115 (streamed for the whole run)
        from fascia.detect.replay import read_trace

        self._rows = read_trace(self._f) if self._f else None
        self._cur = (0, 0, 0, 1000)
        self._next = None
        self.finished = self._rows is None
        if self._rows is not None:
            self._next = next(self._rows, None)
        self.end_ms = None  # trace time of the last row, once reached

    def __call__(self, t_ms):
        if self._rows is None or t_ms < self.start_ms:
            return (0, 0, 1000)  # lying still, screen up
        t = t_ms - self.start_ms
        while self._next is not None and self._next[0] <= t:
            self._cur = self._next
            self._next = next(self._rows, None)
            if self._next is None:
                self.finished = True
                self.end_ms = self._cur[0]
        return self._cur[1:]


def make(settings=None):
    s = settings or {}
    clock = VirtualClock()
    kind = s.get("board", "m5stickc")
    if kind not in ("m5stickc", "devkit"):
        raise ValueError("unknown simulated board %r (m5stickc or devkit)" % kind)
    if s.get("hw_port"):
        imu, display, frames, trace = _remote_chips(s, clock, kind)
    else:
        imu, display, frames, trace = _local_chips(s, clock, kind)
    scripts = s.get("buttons", {})
    pins = [SimPin(1, script=[tuple(p) for p in scripts.get(k, [])], clock=clock.ms) for k in ("a", "b")]
    buttons = (Button(pins[0]), Button(pins[1]))
    battery = Battery(SimADC(s.get("battery_mv", 4000) * 500), ratio=2)
    wdt = SimWDT(clock, s.get("wdt_ms", 5000))
    width, height = (135, 240) if kind == "m5stickc" else (128, 64)
    board = Board(
        kind,
        imu,
        display,
        width,
        height,
        buttons,
        battery=battery,
        wdt=wdt,
        root=".",
        flash_bytes=s.get("flash_bytes", 0),
        device_id=b"SIM-" + kind.encode(),
        rtc=SimRTC(),
    )
    board.sim_radio = None
    if s.get("ble_port"):
        import bluetooth

        board.sim_radio = bluetooth.connect_bridge(s["ble_port"])
        board.ble = bluetooth.BLE()
    # for the simulator only: the clock, the trace player and the display's frame
    board.sim_clock = clock
    board.sim_trace = trace
    board.sim_save_frame = frames
    board.sim_wdt = wdt
    return board


def _drivers(kind, i2c, display_bus):
    """The real drivers of the board on the given buses: (imu, display)."""
    if kind == "m5stickc":
        from fascia.drivers.mpu6886 import MPU6886
        from fascia.drivers.st7789 import ST7789

        spi, dc, cs, rst = display_bus
        return MPU6886(i2c), ST7789(spi, dc, cs, rst, rotation=0, fg=0xFFE0, bg=0x0000)
    from fascia.drivers.mpu6050 import MPU6050
    from fascia.drivers.ssd1306 import SSD1306

    return MPU6050(i2c), SSD1306(i2c)


def _local_chips(s, clock, kind):
    """The chips as models in this process (fast; their memory shares the firmware's heap)."""
    from sim_i2c import SimI2C
    from sim_mpu import SimMPU

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
    if kind == "m5stickc":
        from sim_st7789 import SimST7789

        model = SimST7789()
        bus = (model.spi, model.dc, model.cs, model.rst)
    else:
        from sim_ssd1306 import SimSSD1306

        model = i2c.add(0x3C, SimSSD1306())
        bus = None
    imu, display = _drivers(kind, i2c, bus)
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

    return imu, display, save_frame, player


def _remote_chips(s, clock, kind):
    """The chips in the host process (host_tools/sim/hw_server.py), reached over a socket."""
    from sim_remote import Link, RemoteI2C, RemoteSPI, RemoteTrace, remote_pin, save_frame

    link = Link(s["hw_port"], clock)
    bus = (RemoteSPI(link), remote_pin(link, 0, 0), remote_pin(link, 1, 1), remote_pin(link, 2, 1))
    imu, display = _drivers(kind, RemoteI2C(link), bus)

    def frames(path, only_if_changed):
        return save_frame(link, path, only_if_changed)

    return imu, display, frames, RemoteTrace(link)
