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
    display_model  "sink": the display only counts the bytes it is sent (benchmarks; in-process)
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


def make(settings=None):
    s = settings or {}
    clock = VirtualClock()
    kind = s.get("board", "m5stickc")
    if kind not in ("m5stickc", "devkit"):
        raise ValueError("unknown simulated board %r (m5stickc or devkit)" % kind)
    if s.get("hw_port"):
        from sim_remote import chips
    else:
        from sim_local import chips
    imu, display, frames, trace, sensor = chips(s, clock, kind, _drivers)
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
    # for the simulator only: the clock, the trace player, the sensor model and the display's frame
    board.sim_clock = clock
    board.sim_trace = trace
    board.sim_sensor = sensor  # the SimMPU model (None when the host serves the chips)
    board.sim_save_frame = frames
    if board.sim_radio is not None:
        board.sim_radio.on_screen = frames  # the host side may look at the screen (a passkey)

        def press(button, hold_ms):
            pin = pins[0 if button == "a" else 1]
            pin.script = sorted(pin.script + [(clock.now, 0), (clock.now + hold_ms, 1)])
            return clock.now

        board.sim_radio.on_press = press  # ... and press a button at the moment it chooses
    board.sim_wdt = wdt
    return board


def _drivers(kind, i2c, display_bus):
    """The real drivers of the board on the given buses, as its profile makes them: (imu, display)."""
    from fascia.drivers.mpu import open_imu

    if kind == "m5stickc":
        from fascia.drivers.mpu6886 import MPU6886
        from fascia.drivers.st7789 import ST7789

        spi, dc, cs, rst = display_bus
        display = ST7789(spi, dc, cs, rst, rotation=0, fg=0xFFE0, bg=0x0000)
        return open_imu(i2c, MPU6886), display
    from fascia.drivers.mpu6050 import MPU6050
    from fascia.drivers.ssd1306 import SSD1306

    display = SSD1306(i2c)
    return open_imu(i2c, MPU6050), display
