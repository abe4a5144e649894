"""What the app needs from a board: built by a board profile (firmware/boards/*.py), used by the app.

The profile owns every pin and bus; the app only sees these objects:

    name      "m5stickc" | "devkit" | ...   (also the model string over BLE)
    imu       accelerometer driver (fascia.drivers.mpu): set_odr, read_fifo, decode, overflowed
    display   framebuf.FrameBuffer with show(); 1 = foreground
    width, height   display size in pixels
    buttons   (button_a, button_b): fascia.drivers.buttons.Button
    battery   fascia.drivers.battery.Battery (or None)
    wdt       object with feed() (machine.WDT on the device)
    root      directory holding config.json, days.json and log/ ("/" on the device)
    flash_bytes  0 = measure free space with os.statvfs; > 0 = a flash of this size (simulator)
    device_id bytes identifying the unit (machine.unique_id() on the device)
    ble       bluetooth.BLE() (or None: no radio); the app then serves fascia.app.ble
    rtc       object with machine.RTC's datetime(tuple) (None: machine.RTC())
    sleep_ms  how the main loop waits for its next deadline (None: time.sleep_ms). A board whose
              USB serial and radio survive it may give machine.lightsleep; the ESP32 profiles do
              not yet, as lightsleep drops the USB REPL that `fascia sync` uses and the BLE link.
"""


class _NoWatchdog:
    def feed(self) -> None:
        pass


class Board:
    def __init__(
        self,
        name: str,
        imu,
        display,
        width: int,
        height: int,
        buttons,
        battery=None,
        wdt=None,
        root: str = "/",
        flash_bytes: int = 0,
        device_id: bytes = b"",
        ble=None,
        rtc=None,
        sleep_ms=None,
    ):
        self.name = name
        self.imu = imu
        self.display = display
        self.width = width
        self.height = height
        self.buttons = buttons
        self.battery = battery
        self.wdt = wdt or _NoWatchdog()
        self.root = root.rstrip("/")
        self.flash_bytes = flash_bytes
        self.device_id = device_id
        self.ble = ble
        self.rtc = rtc
        self.sleep_ms = sleep_ms

    def path(self, name: str) -> str:
        return self.root + "/" + name
