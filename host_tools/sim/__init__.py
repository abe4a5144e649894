"""Simulation of the board, so the firmware runs with no hardware.

`mpylib/` holds bus-level models that run inside the MicroPython process (and on CPython): an I2C
bus (`sim_i2c`), the MPU6886/MPU6050 accelerometer (`sim_mpu`), the SSD1306 and ST7789 displays,
pins and ADC (`sim_pins`), plus a pure-Python `framebuf` for CPython. `host_tools.mpy` puts that
directory on MICROPYPATH when asked (`sim=True`); the board profile hands the models to the drivers
in place of `machine.I2C`, `machine.SPI`, `machine.Pin` and `machine.ADC`.
"""
