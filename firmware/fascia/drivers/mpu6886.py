"""MPU6886 (M5StickC / M5StickC Plus IMU) accelerometer FIFO driver; the shared logic is in `mpu`.

Differences from the MPU6050: WHO_AM_I is 0x19; the accelerometer filter is ACCEL_CONFIG2 (0x1D,
A_DLPF_CFG with ACCEL_FCHOICE_B = 0) while CONFIG's DLPF_CFG (gyro) must still be 1..6 for
SMPLRT_DIV to apply; and every accelerometer FIFO sample carries the die temperature after Z
(XH XL YH YL ZH ZL TH TL: 8 bytes, so 128 whole samples fill the 1 KB FIFO exactly).
"""

from micropython import const

from fascia.drivers.mpu import MPU

_CONFIG = const(0x1A)
_ACCEL_CONFIG2 = const(0x1D)


class MPU6886(MPU):
    NAME = "MPU6886"
    CHIP_ID = 0x19
    SAMPLE_BYTES = 8

    def _set_filter(self, dlpf_cfg):
        self._write(_CONFIG, dlpf_cfg)  # FIFO_MODE = 0: a full FIFO overwrites (we reset on overflow)
        self._write(_ACCEL_CONFIG2, dlpf_cfg)
