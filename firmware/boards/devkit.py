"""ESP32 DevKitC + MPU6050 (or MPU6886) breakout + SSD1306 128x64 I2C OLED + two buttons + LiPo divider.

Pins as in hardware/README.md. The IMU and the OLED share one I2C bus at 400 kHz.
"""

from micropython import const

_SDA = const(21)
_SCL = const(22)
_OLED_ADDR = const(0x3C)
_BUTTON_A = const(32)
_BUTTON_B = const(33)
_BATTERY_ADC = const(34)


def make():
    import bluetooth
    from machine import ADC, I2C, WDT, Pin, unique_id

    from fascia.app.board import Board
    from fascia.drivers.battery import Battery
    from fascia.drivers.buttons import Button
    from fascia.drivers.mpu import open_imu
    from fascia.drivers.mpu6050 import MPU6050
    from fascia.drivers.mpu6886 import MPU6886
    from fascia.drivers.ssd1306 import SSD1306

    i2c = I2C(0, scl=Pin(_SCL), sda=Pin(_SDA), freq=400_000)
    display = SSD1306(i2c, _OLED_ADDR)
    # an MPU6050 (GY-521) or an MPU6886 breakout on the same pins; neither: the app shows the error
    imu = open_imu(i2c, MPU6050, MPU6886)
    adc = ADC(Pin(_BATTERY_ADC), atten=ADC.ATTN_11DB)
    return Board(
        "devkit",
        imu,
        display,
        128,
        64,
        (Button(Pin(_BUTTON_A, Pin.IN, Pin.PULL_UP)), Button(Pin(_BUTTON_B, Pin.IN, Pin.PULL_UP))),
        battery=Battery(adc, ratio=2),
        wdt=WDT(timeout=8000),
        root="/",
        device_id=unique_id(),
        ble=bluetooth.BLE(),
    )
