"""MPU6050 (GY-521 breakout on the devkit board) accelerometer FIFO driver; shared logic in `mpu`.

Differences from the MPU6886: WHO_AM_I is 0x68; CONFIG's DLPF_CFG filters accelerometer and gyro
together (0x1D is a motion-detect register here, not a filter); accelerometer FIFO samples are 6
bytes, so 1024 is not a whole number of samples and an overflow that overwrites the oldest bytes
misaligns the stream: another reason the driver resets the FIFO on overflow.
"""

from fascia.drivers.mpu import MPU


class MPU6050(MPU):
    NAME = "MPU6050"
    CHIP_ID = 0x68
    SAMPLE_BYTES = 6
