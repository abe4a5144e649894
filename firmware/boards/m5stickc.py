"""M5StickC Plus2: ESP32-PICO-V3-02, MPU6886 on internal I2C, ST7789V2 135x240 on SPI, buttons A/B.

Pins as in hardware/README.md. GPIO4 must be held high or the Plus2 switches itself off when
running on battery.
"""

from micropython import const

_SDA = const(21)
_SCL = const(22)
_LCD_MOSI = const(15)
_LCD_SCK = const(13)
_LCD_DC = const(14)
_LCD_CS = const(5)
_LCD_RST = const(12)
_LCD_BL = const(27)
_BUTTON_A = const(37)
_BUTTON_B = const(39)
_POWER_HOLD = const(4)
_BATTERY_ADC = const(38)


def make():
    import bluetooth
    from machine import ADC, I2C, SPI, WDT, Pin, unique_id

    from fascia.app.board import Board
    from fascia.drivers.battery import Battery
    from fascia.drivers.buttons import Button
    from fascia.drivers.mpu import open_imu
    from fascia.drivers.mpu6886 import MPU6886
    from fascia.drivers.st7789 import ST7789

    Pin(_POWER_HOLD, Pin.OUT, value=1)
    Pin(_LCD_BL, Pin.OUT, value=1)
    spi = SPI(1, baudrate=40_000_000, sck=Pin(_LCD_SCK), mosi=Pin(_LCD_MOSI))
    # the display first: its framebuffer is the largest allocation, best made on a fresh heap
    display = ST7789(
        spi,
        Pin(_LCD_DC, Pin.OUT),
        Pin(_LCD_CS, Pin.OUT),
        Pin(_LCD_RST, Pin.OUT),
        rotation=0,
        fg=0xFFE0,
        bg=0x0000,
    )
    i2c = I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=400_000)
    adc = ADC(Pin(_BATTERY_ADC), atten=ADC.ATTN_11DB)
    return Board(
        "m5stickc",
        open_imu(i2c, MPU6886),  # a dead sensor still boots: the app shows the error
        display,
        135,
        240,
        (Button(Pin(_BUTTON_A, Pin.IN)), Button(Pin(_BUTTON_B, Pin.IN))),
        battery=Battery(adc, ratio=2),
        wdt=WDT(timeout=8000),
        root="/",
        device_id=unique_id(),
        ble=bluetooth.BLE(),
    )
